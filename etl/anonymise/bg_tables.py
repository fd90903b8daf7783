"""Protected tables safe with the supplier directory known.

Only four tables cross an attribute the directory reveals with a group: the
``compliance_<item>_by_sector`` tables of the four certification items (a listing shows
whether its business holds the item, i.e. whether it is in the "met" column; its sector is
public anyway). In such a table the attacker subtracts the listed members' known values
from a cell, so the 0%/100% rule and the threshold are judged on the members the attacker
does not know (rule ``directory``), and the LP audit gets the listed members as lower bounds
on the cells they must be in. Why the other tables are safe: their dims are register facts
(sector, municipality, size, legal form, owner's gender), which an attacker is already
assumed to know of every business, or survey answers the directory does not show; the HS
chapter table has no second dim, so knowing the listed businesses' chapters only tells how
many unlisted businesses make a chapter, none of which is thereby identified.
"""

from __future__ import annotations

import numpy as np

from .background import REVEALED_TABLES, Known
from .params import Params
from .tables import PRIMARY_PREFIX, TOTAL, Cell, Linked, Table

DIRECTORY = "directory"
"""Rule (and primary status suffix) of a cell hidden because of the directory."""


def knowledge(cell: Cell, group: Cell, known: Known, met: str, item: str) -> tuple[int, int]:
    """(members of ``group`` known to be in ``cell``, known to be out of it)."""
    members = group.members
    shows = known.certifications[members]
    holds = known.holds[item][members]
    inside = np.isin(members, cell.members, assume_unique=True)
    if cell.coords[-1] == met:
        known_in = shows & holds
        known_out = shows & ~holds
    else:  # "gap" and "not applicable" both read as "not held" in the directory
        known_in = np.zeros(len(members), dtype=bool)
        known_out = shows & holds
    if (known_in & ~inside).any() or (known_out & inside).any():
        # "met" must mean exactly what a listing shows as held (see derive.requirement_status)
        raise RuntimeError(f"{cell.label()}: the directory's {item} and the table's {met!r} "
                           "disagree; the background model no longer matches the tables")
    return int(known_in.sum()), int(known_out.sum())


def breaks(contributors: int, group: int, known_in: int, known_out: int,
           params: Params) -> bool:
    """The rules judged on the members the attacker does not know: a few unknown members in
    the cell (threshold), or all or none of a small rest of the group (0%/100%)."""
    if known_in + known_out == 0:
        return False  # nothing known: the ordinary rules judge it
    rest = group - known_in - known_out
    unknown = contributors - known_in
    return (0 < unknown < params.min_count
            or (0 < rest < params.small_group and unknown in (0, rest)))


def fired(cell: Cell, table: Table, known: Known | None, params: Params) -> bool:
    """Whether ``cell`` breaks the ``directory`` rule."""
    if known is None or table.name not in REVEALED_TABLES or cell.coords[-1] == TOTAL:
        return False
    group = table.group_of(cell)
    if group is None:
        return False
    item, met = REVEALED_TABLES[table.name]
    known_in, known_out = knowledge(cell, group, known, met, item)
    return breaks(cell.contributors, group.contributors, known_in, known_out, params)


def apply_directory(link: Linked, known: Known | None, params: Params) -> int:
    """Mark the cells the directory rule hides (those no other rule hid) and give the LP audit
    the listed members as bounds. Returns how many cells it hid."""
    if known is None or not known.certifications.any():
        return 0
    hidden = 0
    for table in link.tables:
        if table.name not in REVEALED_TABLES:
            continue
        for cell in table.cells:
            k = link.index[cell.key]
            if not link.suppressed(k) and k not in link.public and fired(cell, table, known,
                                                                         params):
                link.set_status(k, PRIMARY_PREFIX + DIRECTORY)
                hidden += 1
        link.bounds.extend(bounds(table, link, known))
    return hidden


def bounds(table: Table, link: Linked, known: Known) -> list[tuple[tuple[int, ...], float]]:
    """Per row of ``table``: the listed members holding the item are in its "met" cell, the
    others in one of its other cells — lower bounds an attacker adds to the linear system."""
    item, met = REVEALED_TABLES[table.name]
    values = table.values[-1]
    out = []
    for margin in (c for c in table.cells if c.coords[-1] == TOTAL):
        members = margin.members
        shows = known.certifications[members]
        holds = known.holds[item][members]
        row = margin.coords[:-1]
        for cells, count in (([met], int((shows & holds).sum())),
                             ([v for v in values if v != met], int((shows & ~holds).sum()))):
            present = [link.index[table.cell(*row, v).key] for v in cells if v in values]
            if count and present:
                out.append((tuple(present), float(count)))
    return out
