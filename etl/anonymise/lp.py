"""The attacker's linear program: how far each unknown cell can be narrowed.

An attacker who holds published tables knows every published value and every additive
relation between cells (a margin is the sum of its members), and that cells are never
negative. Minimising and maximising an unknown cell over that system gives the interval the
attacker can narrow it to. The single-release audit (:mod:`etl.anonymise.audit`) and the
audit across releases (:mod:`etl.anonymise.joint`) both build such a system and ask this
module for the intervals; only the variables marked as targets must stay wide enough.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

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


def _solver() -> highspy.Highs:
    """A quiet HiGHS instance. The first one in a process prints HiGHS's banner on standard
    output from C++ (no option stops it), so that one is made with standard output closed."""
    global _quiet
    if _quiet:
        solver = highspy.Highs()
    else:
        sys.stdout.flush()
        saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        try:
            solver = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _quiet = True
    solver.setOptionValue("output_flag", False)
    return solver


_quiet = False


class _Block:
    """One block's LP, loaded once; each target only changes the objective, so HiGHS
    re-solves from the last basis (microseconds, where building a fresh LP takes ms)."""

    def __init__(self, eq: list[Row], ub: list[Row], col: dict[int, int]) -> None:
        rows = eq + ub
        starts, index, values = [0], [], []
        for coefs, _ in rows:
            for k, v in coefs.items():
                index.append(col[k])
                values.append(v)
            starts.append(len(index))
        rhs = np.array([r for _, r in rows], dtype=float)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = len(col), len(rows)
        model.col_cost_ = np.zeros(len(col))
        model.col_lower_ = np.zeros(len(col))
        model.col_upper_ = np.full(len(col), highspy.kHighsInf)
        model.row_lower_ = np.concatenate([rhs[:len(eq)],
                                           np.full(len(ub), -highspy.kHighsInf)])
        model.row_upper_ = rhs
        matrix = model.a_matrix_
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_, matrix.num_row_ = len(col), len(rows)
        matrix.start_ = np.array(starts, dtype=np.int32)
        matrix.index_ = np.array(index, dtype=np.int32)
        matrix.value_ = np.array(values, dtype=float)
        self.solver = _solver()
        self.solver.passModel(model)

    def solve(self, column: int, sense: int) -> tuple[float, np.ndarray | None]:
        """Min (sense 1) or max (sense −1) of one column: its value, and the solution
        (−inf/inf and None when unbounded)."""
        solver = self.solver
        solver.changeColCost(column, 1.0)
        solver.changeObjectiveSense(highspy.ObjSense.kMinimize if sense > 0
                                    else highspy.ObjSense.kMaximize)
        solver.run()
        status = solver.getModelStatus()
        if status == highspy.HighsModelStatus.kUnknown:
            # warm-started simplex sometimes stalls on these degenerate systems: solve again
            # from scratch, without presolve
            solver.clearSolver()
            solver.setOptionValue("presolve", "off")
            solver.run()
            status = solver.getModelStatus()
            solver.setOptionValue("presolve", "choose")
        found = (float(solver.getInfo().objective_function_value),
                 np.asarray(solver.getSolution().col_value, dtype=float))
        solver.changeColCost(column, 0.0)
        if status == highspy.HighsModelStatus.kUnbounded:
            return -sense * np.inf, None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"LP audit: {solver.modelStatusToString(status)} (published "
                               "tables are inconsistent?)")
        return found


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
    block: _Block | None = None
    cap = _caps(eq, ub, col)
    values = truth[variables].astype(float)
    needs = need[variables].astype(float)
    seen_lo, seen_hi = values.copy(), values.copy()
    tol = 1e-6 * np.maximum(1.0, np.abs(values))
    eps = 1e-7 * np.maximum(1.0, np.abs(values))
    results = []

    def solve(i: int, sense: int) -> float:
        nonlocal seen_lo, seen_hi, block
        block = block or _Block(eq, ub, col)
        fun, x = block.solve(i, sense)
        if x is not None:
            seen_lo, seen_hi = np.minimum(seen_lo, x), np.maximum(seen_hi, x)
        return fun

    for i, k in enumerate(variables):
        if np.isnan(needs[i]):
            continue

        def settled(i: int = i) -> bool:
            return not exact and seen_hi[i] - seen_lo[i] >= needs[i] - tol[i]

        lower = 0.0 if seen_lo[i] <= eps[i] else None
        if lower is None and not settled():
            lower = solve(i, 1)
        upper = float(cap[i]) if seen_hi[i] >= cap[i] - eps[i] else None
        if upper is None and not settled():
            upper = solve(i, -1)
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
