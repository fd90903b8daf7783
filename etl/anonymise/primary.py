"""Primary suppression: the cells that are disclosive on their own, each rule named.

The rule names reach the published tables and the disclosure-risk report, so a reader can
see why a cell is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence

from .params import DEFAULTS, Params
from .tables import PRIMARY_PREFIX, Cell, Linked, Table, linked

THRESHOLD = "threshold"
P_PERCENT = "p_percent"
GROUP_ATTRIBUTE = "group_attribute"
RULES = (THRESHOLD, P_PERCENT, GROUP_ATTRIBUTE)
"""In the order a cell's status names them when several fire."""


def threshold(cell: Cell, params: Params = DEFAULTS) -> bool:
    """Too few contributors: a reader who knows all but one can work out the last one."""
    least = params.min_contributors if cell.magnitude else params.min_count
    return 0 < cell.contributors < least


def p_percent(cell: Cell, params: Params = DEFAULTS) -> bool:
    """The second-largest contributor could estimate the largest within p%."""
    if not cell.magnitude or cell.contributors == 0:
        return False
    largest, second = cell.top
    return cell.value - largest - second < params.p_percent / 100 * largest


def group_attribute(cell: Cell, group: Cell | None, params: Params = DEFAULTS) -> bool:
    """All or none of a small group has the attribute: it is then known of each member.

    A 0% cell that is a structural zero (an attribute the group cannot have) is suppressed
    too: telling the two apart would need knowledge the tables do not carry.
    """
    if group is None or group.contributors >= params.small_group:
        return False
    return cell.contributors in (0, group.contributors)


def rules_fired(cell: Cell, table: Table, params: Params = DEFAULTS) -> list[str]:
    """The primary rules ``cell`` breaks, in :data:`RULES` order."""
    fired = []
    if threshold(cell, params):
        fired.append(THRESHOLD)
    if p_percent(cell, params):
        fired.append(P_PERCENT)
    if table.spec.sensitive and group_attribute(cell, table.group_of(cell), params):
        fired.append(GROUP_ATTRIBUTE)
    return fired


def apply_primary(tables: Sequence[Table] | Linked, params: Params = DEFAULTS) -> Linked:
    """Mark primary suppressions; an aggregate in several tables gets every table's rules."""
    link = linked(tables)
    fired: list[set[str]] = [set() for _ in range(len(link))]
    for table in link.tables:
        for cell in table.cells:
            fired[link.index[cell.key]].update(rules_fired(cell, table, params))
    for k, rules in enumerate(fired):
        if rules:
            first = next(r for r in RULES if r in rules)
            link.set_status(k, PRIMARY_PREFIX + first)
    return link
