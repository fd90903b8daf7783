"""Secondary (complementary) suppression over linked tables, iterated until both audits pass.

A primary cell alone in its row is recovered by subtraction from the margin, so each line
needs a second suppressed cell; the LP audit then finds what the simple rule misses (cells
pinned by several lines and tables at once) and the differencing audit what no line shows
(nested cells that differ by a few units). Deterministic: candidates are ranked by value,
contributors and key order, never drawn at random.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .audit import (
    AuditCache,
    DifferencingAuditResult,
    LpAuditResult,
    differencing_audit,
    lp_audit,
)
from .params import DEFAULTS, Params
from .tables import SECONDARY, KeyLine, Linked, Table, linked


@dataclass(frozen=True)
class SecondaryOutcome:
    """The final audits (both on the final statuses) and how much work it took."""

    lp: LpAuditResult
    differencing: DifferencingAuditResult
    rounds: int
    lp_runs: int


def _rank(link: Linked, line: KeyLine, k: int) -> tuple:
    """Smallest non-zero member first, then the margin, zero members last."""
    group = 1 if k == line.margin else 0 if link.value[k] != 0 else 2
    return group, abs(float(link.value[k])), int(link.contributors[k]), k


def rank(link: Linked, k: int) -> tuple:
    """Smallest non-zero cell first, zeros last, wherever the cell stands."""
    return 0 if link.value[k] != 0 else 2, abs(float(link.value[k])), int(link.contributors[k]), k


def _best(link: Linked, lines: Iterable[int]) -> int | None:
    """The best published cell to suppress among ``lines``."""
    ranked = [_rank(link, link.lines[i], k) for i in lines
              for k in (link.lines[i].margin, *link.lines[i].members)
              if not link.suppressed(k) and k not in link.public]
    return min(ranked)[-1] if ranked else None


def close_lines(tables: Sequence[Table] | Linked) -> int:
    """Give every additive line with a lone suppressed cell a complement, to a fixed point."""
    link = linked(tables)
    added = 0
    changed = True
    while changed:
        changed = False
        for i, line in enumerate(link.lines):
            if not line.additive:
                continue
            keys = (line.margin, *line.members)
            if sum(link.suppressed(k) for k in keys) == 1:
                pick = _best(link, [i])
                if pick is not None:
                    link.set_status(pick, SECONDARY)
                    added += 1
                    changed = True
    return added


def near(link: Linked, k: int) -> int | None:
    """The best published cell in ``k``'s lines, else in the lines of suppressed cells there
    (breadth first): a cell pinned by fully suppressed lines needs help further out."""
    seen_keys = {k}
    seen_lines: set[int] = set()
    frontier = [k]
    while frontier:
        lines = sorted({i for f in frontier for i in link.lines_of[f]} - seen_lines)
        seen_lines.update(lines)
        pick = _best(link, lines)
        if pick is not None:
            return pick
        frontier = sorted({m for i in lines for m in (link.lines[i].margin, *link.lines[i].members)}
                          - seen_keys)
        seen_keys.update(frontier)
    return None


def _fix_lp(link: Linked, result: LpAuditResult) -> int:
    """One more suppression near every cell whose interval is too narrow."""
    picks = {near(link, link.index[c.key]) for c in result.failures} - {None}
    for pick in sorted(picks):
        link.set_status(pick, SECONDARY)
    return len(picks)


def _fix_differencing(link: Linked, result: DifferencingAuditResult) -> int:
    """Suppress the smaller cell of each failing pair (the bigger when the smaller is a margin)."""
    added = 0
    for pair in result.failures:
        bigger, smaller = link.index[pair.bigger], link.index[pair.smaller]
        prefer_bigger = pair.smaller_is_margin and bigger not in link.public
        pick = bigger if prefer_bigger or smaller in link.public else smaller
        if pick in link.public:
            continue  # both public: nothing to do, and the audit will say so
        if not link.suppressed(bigger) and not link.suppressed(smaller):
            link.set_status(pick, SECONDARY)
            added += 1
    return added


def apply_secondary(tables: Sequence[Table] | Linked, params: Params = DEFAULTS,
                    max_rounds: int = 10_000, cache: AuditCache | None = None
                    ) -> SecondaryOutcome:
    """Suppress complements until the LP and differencing audits pass or nothing is left.

    The caller decides what a final failure means (``protect`` raises). ``cache`` carries
    audited blocks over from an earlier call on the same tables.
    """
    link = linked(tables)
    cache = {} if cache is None else cache
    rounds = lp_runs = 0
    while True:
        rounds += 1
        close_lines(link)
        diff = differencing_audit(link, params)
        if not diff.passed and _fix_differencing(link, diff):
            continue
        lp = lp_audit(link, params, exact=False, cache=cache)
        lp_runs += 1
        if (lp.passed and diff.passed) or rounds >= max_rounds or not _fix_lp(link, lp):
            # the report shows every interval in full, not only as far as the verdict needed
            return SecondaryOutcome(lp_audit(link, params), diff, rounds, lp_runs)
