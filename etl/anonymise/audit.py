"""Audits of one release proving no suppressed cell can be recovered.

Two attacks are checked on all linked tables together, because a reader has them all:
solving the linear system of published cells and margins (``lp_audit``), and subtracting
one published cell from another that contains it (``differencing_audit``).
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import lp
from .lp import Row
from .params import DEFAULTS, Params
from .tables import (
    COUNT,
    CellKey,
    KeyLine,
    Linked,
    Table,
    linked,
)

LP_RULE = "lp_interval"
DIFFERENCING_RULE = "differencing"


@dataclass(frozen=True)
class CellInterval:
    """What an attacker solving the linear system learns about one suppressed cell."""

    key: CellKey
    label: str
    tables: tuple[str, ...]
    value: float
    lower: float
    upper: float
    required: float
    passed: bool

    @property
    def width(self) -> float:
        return self.upper - self.lower


@dataclass(frozen=True)
class LpAuditResult:
    passed: bool
    cells: tuple[CellInterval, ...]
    seconds: float

    @property
    def failures(self) -> tuple[CellInterval, ...]:
        return tuple(c for c in self.cells if not c.passed)

    @property
    def intervals(self) -> tuple[CellInterval, ...]:
        """Alias of ``cells``: one interval per suppressed aggregate."""
        return self.cells


@dataclass(frozen=True)
class DifferencingPair:
    """Two published cells whose difference isolates fewer than the threshold of units."""

    bigger: CellKey
    smaller: CellKey
    table: str
    bigger_label: str
    smaller_label: str
    smaller_is_margin: bool
    difference: int


@dataclass(frozen=True)
class DifferencingAuditResult:
    passed: bool
    pairs_checked: int
    failures: tuple[DifferencingPair, ...]
    seconds: float

    @property
    def checked(self) -> int:
        """Alias of ``pairs_checked``."""
        return self.pairs_checked


def _required(link: Linked, k: int, params: Params) -> float:
    """Counts need ``min_interval_width``; magnitudes also p% of their largest contribution,
    or the largest contributor's value would be known within p% anyway."""
    cell = link.cell(k)
    if not cell.magnitude:
        # A public total (say, 1 cancelled meeting) already bounds every cell under it: no
        # suppression pattern can leave such a cell more uncertain than the total itself.
        public = [float(link.value[link.lines[i].margin]) for i in link.lines_of[k]
                  if link.lines[i].margin in link.public and link.lines[i].margin != k]
        return min([params.min_interval_width, *public])
    return max(params.min_interval_width, params.p_percent / 100 * abs(cell.top[0]))


def _constraints(link: Linked) -> tuple[list[Row], list[Row]]:
    """Equalities (additive lines) and inequalities (non-additive lines, and the attacker's
    background bounds) over suppressed keys, published values moved to the right-hand side."""
    eq, ub = line_rows(link.lines, lambda k: _unknown(link, k), lambda k: float(link.value[k]))
    for keys, lower in link.bounds:  # Σ cells ≥ lower, as −Σ unknown ≤ −lower + Σ known
        coefs = {k: -1.0 for k in keys if _unknown(link, k)}
        if coefs:
            ub.append((coefs, -lower + sum(float(link.value[k]) for k in keys
                                           if not _unknown(link, k))))
    return eq, ub


def _unknown(link: Linked, k: int) -> bool:
    """Suppressed and not known anyway (public, or given away by an earlier release)."""
    return link.suppressed(k) and k not in link.public


def line_rows(lines: Sequence[KeyLine], unknown: Callable[[int], bool],
              value: Callable[[int], float]) -> tuple[list[Row], list[Row]]:
    """The rows an attacker writes for ``lines``: an additive line is an equality; in a
    non-additive one (a unit in several categories counts in each) every cell is at most the
    margin and together they are at least the margin. Known cells go to the right-hand side;
    a line without unknowns says nothing."""
    eq: dict[tuple, Row] = {}
    ub: dict[tuple, Row] = {}

    def add(store: dict[tuple, Row], terms: list[tuple[int, float]]) -> None:
        coefs: dict[int, float] = {}
        rhs = 0.0
        for k, a in terms:
            if unknown(k):
                coefs[k] = coefs.get(k, 0.0) + a
            else:
                rhs -= a * value(k)
        if coefs:
            store.setdefault((tuple(sorted(coefs.items())), round(rhs, 9)), (coefs, rhs))

    for line in lines:
        if not any(unknown(k) for k in (line.margin, *line.members)):
            continue
        if line.additive:
            add(eq, [(m, 1.0) for m in line.members] + [(line.margin, -1.0)])
        else:
            for m in line.members:
                add(ub, [(m, 1.0), (line.margin, -1.0)])
            add(ub, [(m, -1.0) for m in line.members] + [(line.margin, 1.0)])
    return list(eq.values()), list(ub.values())


AuditCache = lp.Cache
"""Blocks already audited (see ``lp_audit``)."""


def lp_audit(tables: Sequence[Table] | Linked, params: Params = DEFAULTS, *, exact: bool = True,
             cache: AuditCache | None = None) -> LpAuditResult:
    """Min and max of every suppressed cell given all published cells and all lines.

    Passes when each interval is at least the required width (non-degenerate) and holds the
    true value. Cells are at least 0 (counts, non-negative measures); the relaxation ignores
    integrality, as is usual (it can only make intervals wider by under one unit).
    Secondary suppression re-audits after each change: ``exact=False`` skips LPs whose
    verdict is already known and ``cache`` reuses the blocks that did not change.
    """
    start = time.perf_counter()
    link = linked(tables)
    suppressed = [k for k in range(len(link)) if _unknown(link, k)]
    eq, ub = _constraints(link)
    need = np.full(len(link), np.nan)
    for k in suppressed:
        need[k] = _required(link, k, params)
    results = []
    for found in lp.intervals(suppressed, eq, ub, link.value.astype(float), need, exact=exact,
                              cache=cache):
        cell = link.cell(found.variable)
        tables_of = tuple(dict.fromkeys(occ.table for occ in link.occurrences[found.variable]))
        results.append(CellInterval(cell.key, cell.label(), tables_of, found.truth, found.lower,
                                    found.upper, found.need, found.passed))
    return LpAuditResult(all(r.passed for r in results), tuple(results),
                         time.perf_counter() - start)


_SPREAD = np.uint64(0x9E3779B97F4A7C15)


def _signature(members: np.ndarray) -> int:
    """A 64-bit Bloom mask: a subset's mask has no bit its superset's lacks (cheap filter)."""
    if not len(members):
        return 0
    bits = (members.astype(np.uint64) * _SPREAD) >> np.uint64(58)
    return int(np.bitwise_or.reduce(np.left_shift(np.uint64(1), bits)))


def _contains(big: np.ndarray, small: np.ndarray) -> bool:
    idx = np.searchsorted(big, small)
    return bool((idx < len(big)).all() and (big[np.minimum(idx, len(big) - 1)] == small).all())


def differencing_audit(tables: Sequence[Table] | Linked,
                       params: Params = DEFAULTS) -> DifferencingAuditResult:
    """Published cells nested in published cells must differ by 0 or at least the threshold.

    Only pairs whose contributor counts differ by 1 to threshold − 1 can fail, so cells are
    sorted by count and each compared with that window only.
    """
    start = time.perf_counter()
    link = linked(tables)
    groups: dict[tuple[str, str], list[int]] = {}
    for k, (unit, measure, _) in enumerate(link.keys):
        if not link.suppressed(k) and link.contributors[k] > 0:
            groups.setdefault((unit, measure), []).append(k)
    failures: list[DifferencingPair] = []
    checked = 0
    for (_, measure), keys in groups.items():
        limit = params.min_count if measure == COUNT else params.min_contributors
        keys.sort(key=lambda k: (link.contributors[k], k))
        counts = [int(link.contributors[k]) for k in keys]
        sigs = [_signature(link.cell(k).members) for k in keys]
        for i, small in enumerate(keys):
            lo = bisect_right(counts, counts[i])
            hi = bisect_right(counts, counts[i] + limit - 1)
            for j in range(lo, hi):
                checked += 1
                if sigs[i] & ~sigs[j]:
                    continue
                big = keys[j]
                if big in link.public and small in link.public:
                    continue  # both public by design: their difference is too
                if _contains(link.cell(big).members, link.cell(small).members):
                    failures.append(DifferencingPair(
                        link.keys[big], link.keys[small], link.cell(small).table,
                        link.cell(big).label(),
                        link.cell(small).label(),
                        any(c.is_margin for c in link.occurrences[small]),
                        counts[j] - counts[i]))
    return DifferencingAuditResult(not failures, checked, tuple(failures),
                                   time.perf_counter() - start)
