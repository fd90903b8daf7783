"""Audits proving no suppressed cell can be recovered, and the whole protection pipeline.

Two attacks are checked on all linked tables together, because a reader has them all:
solving the linear system of published cells and margins (``lp_audit``), and subtracting
one published cell from another that contains it (``differencing_audit``).
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from .errors import DisclosureError
from .params import DEFAULTS, SUPPRESSED, Params
from .primary import RULES, apply_primary, rules_fired
from .tables import (
    COUNT,
    PRIMARY_PREFIX,
    PUBLISHED,
    SECONDARY,
    CellKey,
    Linked,
    Table,
    TableSpec,
    build_table,
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


Row = tuple[dict[int, float], float]


def _constraints(link: Linked) -> tuple[list[Row], list[Row]]:
    """Equalities (additive lines) and inequalities (non-additive lines) over suppressed keys,
    published values moved to the right-hand side."""
    eq: dict[tuple, Row] = {}
    ub: dict[tuple, Row] = {}

    def add(store: dict[tuple, Row], terms: list[tuple[int, float]]) -> None:
        coefs: dict[int, float] = {}
        rhs = 0.0
        for k, a in terms:
            if link.suppressed(k):
                coefs[k] = coefs.get(k, 0.0) + a
            else:
                rhs -= a * link.value[k]
        if coefs:
            store.setdefault((tuple(sorted(coefs.items())), round(rhs, 9)), (coefs, rhs))

    for line in link.lines:
        if not any(link.suppressed(k) for k in (line.margin, *line.members)):
            continue
        if line.additive:
            add(eq, [(m, 1.0) for m in line.members] + [(line.margin, -1.0)])
        else:
            # A unit in several categories counts in each: every cell is at most the margin,
            # and together they are at least the margin. Weaker than a sum, still known.
            for m in line.members:
                add(ub, [(m, 1.0), (line.margin, -1.0)])
            add(ub, [(m, -1.0) for m in line.members] + [(line.margin, 1.0)])
    return list(eq.values()), list(ub.values())


def _components(variables: list[int], rows: list[Row]) -> list[tuple[list[int], list[int]]]:
    """Independent blocks of the system (variables, row indices): many small LPs are cheaper."""
    parent = {v: v for v in variables}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for coefs, _ in rows:
        keys = iter(coefs)
        root = find(next(keys))
        for k in keys:
            other = find(k)
            if other != root:
                parent[other] = root
    blocks: dict[int, tuple[list[int], list[int]]] = {}
    for v in variables:
        blocks.setdefault(find(v), ([], []))[0].append(v)
    for i, (coefs, _) in enumerate(rows):
        blocks[find(next(iter(coefs)))][1].append(i)
    return list(blocks.values())


def _matrix(rows: list[Row], col: dict[int, int]) -> tuple:
    if not rows:
        return None, None
    a = np.zeros((len(rows), len(col)))
    b = np.empty(len(rows))
    for i, (coefs, rhs) in enumerate(rows):
        for k, v in coefs.items():
            a[i, col[k]] = v
        b[i] = rhs
    return a, b


def _solve(c: np.ndarray, a_ub, b_ub, a_eq, b_eq, bounds: list) -> tuple[float, np.ndarray | None]:
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status == 3:
        return -np.inf, None
    if res.status != 0:
        raise RuntimeError(f"LP audit: {res.message} (published tables are inconsistent?)")
    return float(res.fun), res.x


def _caps(eq: list[Row], ub: list[Row], col: dict[int, int]) -> np.ndarray:
    """Upper bounds read off single rows (a published margin caps its suppressed members)."""
    cap = np.full(len(col), np.inf)
    signed = [(c, r) for c, r in ub] + [(c, r) for c, r in eq] + [
        ({k: -a for k, a in c.items()}, -r) for c, r in eq]
    for coefs, rhs in signed:
        if all(a >= 0 for a in coefs.values()):
            for k, a in coefs.items():
                if a > 0:
                    cap[col[k]] = min(cap[col[k]], rhs / a)
    return cap


def _audit_block(link: Linked, variables: list[int], eq: list[Row], ub: list[Row],
                 params: Params, exact: bool) -> list[CellInterval]:
    """Intervals of one independent block of suppressed cells.

    Every LP solution is a feasible table, so the values seen across solutions lie inside
    each cell's interval. A bound is known without its LP when a solution reached 0 or the
    cap of a single row; with ``exact=False`` a cell whose seen range is already wide enough
    needs no LP at all (same verdicts, bounds only as wide as seen).
    """
    col = {k: i for i, k in enumerate(variables)}
    a_eq, b_eq = _matrix(eq, col)
    a_ub, b_ub = _matrix(ub, col)
    bounds = [(0.0, None)] * len(variables)
    cap = _caps(eq, ub, col)
    truth = link.value[variables].astype(float)
    seen_lo, seen_hi = truth.copy(), truth.copy()
    need = np.array([_required(link, k, params) for k in variables])
    tol = 1e-6 * np.maximum(1.0, np.abs(truth))
    eps = 1e-7 * np.maximum(1.0, np.abs(truth))
    results = []

    def solve(c: np.ndarray) -> float:
        nonlocal seen_lo, seen_hi
        fun, x = _solve(c, a_ub, b_ub, a_eq, b_eq, bounds)
        if x is not None:
            seen_lo, seen_hi = np.minimum(seen_lo, x), np.maximum(seen_hi, x)
        return fun

    for i, k in enumerate(variables):
        c = np.zeros(len(variables))
        c[i] = 1.0

        def settled(i: int = i) -> bool:
            return not exact and seen_hi[i] - seen_lo[i] >= need[i] - tol[i]

        lower = 0.0 if seen_lo[i] <= eps[i] else None
        if lower is None and not settled():
            lower = solve(c)
        upper = float(cap[i]) if seen_hi[i] >= cap[i] - eps[i] else None
        if upper is None and not settled():
            upper = -solve(-c)
        lower = float(seen_lo[i]) if lower is None else min(lower, float(seen_lo[i]))
        upper = float(seen_hi[i]) if upper is None else max(upper, float(seen_hi[i]))
        ok = bool(upper - lower >= need[i] - tol[i]
                  and lower - tol[i] <= truth[i] <= upper + tol[i])
        cell = link.cell(k)
        tables_of = tuple(dict.fromkeys(occ.table for occ in link.occurrences[k]))
        results.append(CellInterval(cell.key, cell.label(), tables_of, float(truth[i]),
                                    lower, upper, float(need[i]), ok))
    return results


AuditCache = dict[tuple, list[CellInterval]]
"""Blocks already audited, by their variables and constraints (see ``lp_audit``)."""


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
    suppressed = [k for k in range(len(link)) if link.suppressed(k)]
    eq, ub = _constraints(link)
    rows = eq + ub
    results: list[CellInterval] = []
    for variables, row_ids in _components(suppressed, rows):
        block_eq = [rows[r] for r in row_ids if r < len(eq)]
        block_ub = [rows[r] for r in row_ids if r >= len(eq)]
        signature = (exact, tuple(variables),
                     *(tuple(sorted(coefs.items())) + (rhs,) for coefs, rhs in block_eq),
                     None, *(tuple(sorted(coefs.items())) + (rhs,) for coefs, rhs in block_ub))
        block = None if cache is None else cache.get(signature)
        if block is None:
            block = _audit_block(link, variables, block_eq, block_ub, params, exact)
            if cache is not None:
                cache[signature] = block
        results += block
    results.sort(key=lambda r: link.index[r.key])
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


@dataclass(frozen=True)
class ProtectedTables:
    """The publishable tables, their summary for the disclosure-risk report, and the audits."""

    tables: dict[str, pd.DataFrame]
    specs: dict[str, TableSpec]
    summary: pd.DataFrame
    lp: LpAuditResult
    differencing: DifferencingAuditResult
    params: Params
    #: Published cells re-checked against every primary rule after suppression.
    checked: int = 0

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def for_publication(self, name: str) -> pd.DataFrame:
        """The table as files carry it: suppressed values shown as ``SUPPRESSED``, not blank."""
        frame = self.tables[name].copy()
        text = frame["value"].astype(object).map(str)
        frame["value"] = text.where(frame["status"] == "published", SUPPRESSED)
        return frame


def _frame(table: Table) -> pd.DataFrame:
    cells = table.cells
    frame = pd.DataFrame({d: [c.coords[i] for c in cells] for i, d in enumerate(table.spec.dims)})
    values = [np.nan if c.suppressed else c.value for c in cells]
    frame["value"] = (pd.array(values, dtype="Float64").astype("Int64") if table.spec.measure
                      is None else np.array(values, dtype=float))
    frame["status"] = ["suppressed" if c.suppressed else "published" for c in cells]
    frame["rule"] = [c.rule for c in cells]
    return frame


def _summary(tables: list[Table]) -> pd.DataFrame:
    rows = []
    for t in tables:
        statuses = [c.status for c in t.cells]
        primary = sum(s.startswith(PRIMARY_PREFIX) for s in statuses)
        secondary = statuses.count(SECONDARY)
        rows.append({"table": t.name, "unit": t.spec.unit, "measure": t.spec.measure or COUNT,
                     "cells": len(statuses), "primary": primary, "secondary": secondary,
                     **{r: statuses.count(PRIMARY_PREFIX + r) for r in RULES},
                     "suppressed_share": (primary + secondary) / max(1, len(statuses))})
    return pd.DataFrame(rows)


UnitFrame = pd.DataFrame | tuple[pd.DataFrame, np.ndarray]
"""One row per unit, or records with each record's unit index (participations → people)."""


def _close_public(link: Linked) -> None:
    """Add what public totals give away: in an additive line where every cell but one is
    public, that one is public too (e.g. scale-up meetings = all meetings − pilot meetings)."""
    changed = True
    while changed:
        changed = False
        for line in link.lines:
            if not line.additive:
                continue
            hidden = [k for k in (line.margin, *line.members) if k not in link.public]
            if len(hidden) == 1:
                link.public.add(hidden[0])
                changed = True


def protect(frames: Mapping[str, UnitFrame], specs: Sequence[TableSpec],
            params: Params = DEFAULTS, public: Collection[CellKey] = ()) -> ProtectedTables:
    """Build, suppress (primary then secondary) and audit ``specs`` over the unit frames.

    ``public`` lists aggregates published whatever their size (programme-wide totals of
    activities): they stay published, are never chosen as complements, and the audits treat
    them as known. Raises :class:`DisclosureError` rather than return tables an audit does not
    pass, or that publish a cell a primary rule forbids.
    """
    from .secondary import apply_secondary  # secondary re-runs these audits to a fixed point

    missing = sorted({s.unit for s in specs} - set(frames))
    if missing:
        raise KeyError(f"no unit frame for {missing}")

    def build(spec: TableSpec) -> Table:
        given = frames[spec.unit]
        frame, ids = given if isinstance(given, tuple) else (given, None)
        return build_table(frame, spec, ids)

    tables = [build(s) for s in specs]
    link = apply_primary(Linked(tables), params)
    link.public.update(link.index[key] for key in public if key in link.index)
    _close_public(link)
    for k in link.public:
        link.set_status(k, PUBLISHED)
    outcome = apply_secondary(link, params)
    checked = 0
    for table in tables:  # a guard, independent of how suppression got here
        for cell in table.cells:
            if cell.suppressed or link.index[cell.key] in link.public:
                continue
            checked += 1
            fired = rules_fired(cell, table, params)
            if fired:
                raise DisclosureError(fired[0], table.name,
                                      f"{cell.label()} is published but breaks {fired[0]}")
    if not outcome.lp.passed:
        bad = outcome.lp.failures[0]
        raise DisclosureError(LP_RULE, bad.tables[0],
                              f"{bad.label} = {bad.value:g} lies in [{bad.lower:g}, "
                              f"{bad.upper:g}], narrower than {bad.required:g} "
                              f"({len(outcome.lp.failures)} cells fail)")
    if not outcome.differencing.passed:
        bad_pair = outcome.differencing.failures[0]
        raise DisclosureError(DIFFERENCING_RULE, bad_pair.table,
                              f"{bad_pair.bigger_label} − {bad_pair.smaller_label} isolates "
                              f"{bad_pair.difference} units")
    return ProtectedTables({t.name: _frame(t) for t in tables}, {s.name: s for s in specs},
                           _summary(tables), outcome.lp, outcome.differencing, params, checked)
