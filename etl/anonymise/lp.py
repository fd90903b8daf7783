"""The attacker's linear program: how far each unknown cell can be narrowed.

An attacker who holds published tables knows every published value and every additive
relation between cells (a margin is the sum of its members), and that cells are never
negative. Minimising and maximising an unknown cell over that system gives the interval the
attacker can narrow it to. The single-release audit (:mod:`etl.anonymise.audit`) and the
audit across releases (:mod:`etl.anonymise.joint`) both build such a system and ask this
module for the intervals; only the variables marked as targets must stay wide enough.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

Row = tuple[dict[int, float], float]
"""``(coefficients by variable, right-hand side)``: Σ coef · x = rhs (or ≤ rhs)."""


@dataclass(frozen=True)
class Interval:
    """What the attacker learns about one variable (a target: ``need`` is its width rule)."""

    variable: int
    truth: float
    lower: float
    upper: float
    need: float
    passed: bool

    @property
    def width(self) -> float:
        return self.upper - self.lower


def components(variables: Sequence[int], rows: Sequence[Row]) -> list[tuple[list[int], list[int]]]:
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


def block_intervals(variables: list[int], eq: list[Row], ub: list[Row], truth: np.ndarray,
                    need: np.ndarray, exact: bool) -> list[Interval]:
    """Intervals of the targets among ``variables`` (``need`` NaN: not a target).

    Every LP solution is a feasible table, so the values seen across solutions lie inside
    each cell's interval. A bound is known without its LP when a solution reached 0 or the
    cap of a single row; with ``exact=False`` a target whose seen range is already wide enough
    needs no LP at all (same verdicts, bounds only as wide as seen).
    """
    col = {k: i for i, k in enumerate(variables)}
    a_eq, b_eq = _matrix(eq, col)
    a_ub, b_ub = _matrix(ub, col)
    bounds = [(0.0, None)] * len(variables)
    cap = _caps(eq, ub, col)
    values = truth[variables].astype(float)
    needs = need[variables].astype(float)
    seen_lo, seen_hi = values.copy(), values.copy()
    tol = 1e-6 * np.maximum(1.0, np.abs(values))
    eps = 1e-7 * np.maximum(1.0, np.abs(values))
    results = []

    def solve(c: np.ndarray) -> float:
        nonlocal seen_lo, seen_hi
        fun, x = _solve(c, a_ub, b_ub, a_eq, b_eq, bounds)
        if x is not None:
            seen_lo, seen_hi = np.minimum(seen_lo, x), np.maximum(seen_hi, x)
        return fun

    for i, k in enumerate(variables):
        if np.isnan(needs[i]):
            continue
        c = np.zeros(len(variables))
        c[i] = 1.0

        def settled(i: int = i) -> bool:
            return not exact and seen_hi[i] - seen_lo[i] >= needs[i] - tol[i]

        lower = 0.0 if seen_lo[i] <= eps[i] else None
        if lower is None and not settled():
            lower = solve(c)
        upper = float(cap[i]) if seen_hi[i] >= cap[i] - eps[i] else None
        if upper is None and not settled():
            upper = -solve(-c)
        lower = float(seen_lo[i]) if lower is None else min(lower, float(seen_lo[i]))
        upper = float(seen_hi[i]) if upper is None else max(upper, float(seen_hi[i]))
        ok = bool(upper - lower >= needs[i] - tol[i]
                  and lower - tol[i] <= values[i] <= upper + tol[i])
        results.append(Interval(k, float(values[i]), lower, upper, float(needs[i]), ok))
    return results


Cache = dict[Hashable, list[Interval]]
"""Blocks already solved, by their targets, variables and rows (see :func:`intervals`)."""


def intervals(variables: Sequence[int], eq: list[Row], ub: list[Row], truth: np.ndarray,
              need: np.ndarray, *, exact: bool = True, cache: Cache | None = None
              ) -> list[Interval]:
    """Intervals of every target (``need`` not NaN) among ``variables``, block by block.

    ``truth`` and ``need`` are indexed by variable. Cells are at least 0; the relaxation
    ignores integrality, as is usual (it can only make intervals wider by under one unit).
    ``cache`` reuses blocks whose system did not change since the last call.
    """
    rows = eq + ub
    results: list[Interval] = []
    for block_vars, row_ids in components(list(variables), rows):
        if np.isnan(need[block_vars]).all():
            continue
        block_eq = [rows[r] for r in row_ids if r < len(eq)]
        block_ub = [rows[r] for r in row_ids if r >= len(eq)]
        signature = (exact, tuple(block_vars),
                     tuple(np.nan_to_num(need[block_vars], nan=-1.0).round(9)),
                     *(tuple(sorted(coefs.items())) + (rhs,) for coefs, rhs in block_eq),
                     None, *(tuple(sorted(coefs.items())) + (rhs,) for coefs, rhs in block_ub))
        block = None if cache is None else cache.get(signature)
        if block is None:
            block = block_intervals(block_vars, block_eq, block_ub, truth, need, exact)
            if cache is not None:
                cache[signature] = block
        results += block
    results.sort(key=lambda r: r.variable)
    return results
