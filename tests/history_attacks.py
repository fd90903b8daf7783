"""An attacker who holds two releases and knows which units changed between them.

Independent of the ETL's own audit (``etl.anonymise.joint``): it reads only the published
CSV files of the two releases, plus what the threat model grants as background — which units
joined, left or changed, and their background characteristics (the cell rows they belong
to). Table by table it solves, with SciPy's LP solver, how far the changed units'
contribution to each cell can be narrowed; and it takes the multiset difference of the two
releases' microdata.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog

TOTAL = "_total"
SUPPRESSED = "[c]"
#: Dims where one unit can hold several values: their margins are not sums.
MULTI = {"markets", "growth_constraints", "training_needs", "hs_chapters", "obstacles"}
PACKAGES = ("north-kosovo-product-map", "north-kosovo-programme-metrics")


def read_tables(release: Path) -> dict[str, pd.DataFrame]:
    """Every protected table of a release folder (``DIR/<version>``), as published."""
    out = {}
    for package in PACKAGES:
        for path in sorted((release / package / "data").glob("*.csv")):
            frame = pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False)
            if list(frame.columns[-3:]) == ["value", "status", "rule"]:
                out[path.stem] = frame
    return out


def read_microdata(release: Path) -> pd.DataFrame:
    path = release / PACKAGES[0] / "data" / "businesses.csv"
    return pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False)


def microdata_difference(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``new`` that ``old`` lacks, as a multiset over every column but the key."""
    columns = [c for c in new.columns if c != "business_key"]
    count = new.groupby(columns).cumcount()
    have = old.groupby(columns).size().reindex(pd.MultiIndex.from_frame(new[columns]))
    return new[count.to_numpy() >= have.fillna(0).to_numpy()]


def smallest_crowd(rows: pd.DataFrame, qi: list[str]) -> int:
    """The fewest rows of ``rows`` any one of them matches on ``qi``, ``[c]`` matching all."""
    values = rows[qi].to_numpy(dtype=object)
    smallest = len(values)
    for row in values:
        match = np.ones(len(values), dtype=bool)
        for j, v in enumerate(row):
            if v != SUPPRESSED:
                match &= (values[:, j] == v) | (values[:, j] == SUPPRESSED)
        smallest = min(smallest, int(match.sum()))
    return smallest


@dataclass(frozen=True)
class Change:
    """Background knowledge: in table dims ``background``, how many changed records each
    background row (a tuple of (dim, value)) gained (``gained``) and lost (``lost``)."""

    background: frozenset[str]
    gained: Mapping[tuple, int]
    lost: Mapping[tuple, int]


def _cells(frame: pd.DataFrame, dims: list[str]) -> dict[tuple, tuple[float | None, bool]]:
    out = {}
    for row in frame.itertuples(index=False):
        coords = tuple(getattr(row, d) for d in dims)
        published = row.status == "published"
        out[coords] = (float(row.value) if published else None, published)
    return out


def change_intervals(new: pd.DataFrame, old: pd.DataFrame | None, dims: list[str],
                     change: Change, magnitude: bool = False
                     ) -> dict[tuple, dict[str, tuple[float, float]]]:
    """Per cell, how far an attacker solving this table of both releases narrows what the
    changed units contribute now (``"in"``) and contributed then (``"out"``).

    Unknowns: the hidden cells of both releases and, per cell, ``in`` and ``out``; known:
    the published cells, ``new − old = in − out``, ``in ≤ new``, ``out ≤ old``, every side's
    lines, and from the background how many changed records each row gained and lost (a
    count cell's ``in`` is at most its row's gain; a magnitude's is unbounded).
    """
    new_cells = _cells(new, dims)
    old_cells = _cells(old, dims) if old is not None else {}
    values = [sorted(({c[i] for c in new_cells} | {c[i] for c in old_cells}) - {TOTAL})
              for i in range(len(dims))]
    grid = ([(v,) for v in values[0]] + [(TOTAL,)] if len(dims) == 1 else
            [(a, b) for a in [*values[0], TOTAL] for b in [*values[1], TOTAL]])
    variables: dict[tuple, int] = {}
    box: dict[int, tuple[float, float | None]] = {}

    def var(name: tuple, bounds: tuple[float, float | None] = (0.0, None)) -> int:
        if name not in variables:
            variables[name] = len(variables)
            box[variables[name]] = bounds
        return variables[name]

    def reach(cell: tuple, counts: Mapping[tuple, int]) -> int:
        bg = {(d, v) for d, v in zip(dims, cell, strict=True)
              if d in change.background and v != TOTAL}
        return sum(n for row, n in counts.items() if bg <= set(row))

    def term(side: str, cell: tuple) -> tuple[int | None, float]:
        """A variable, or None and the known value."""
        if side in ("new", "old"):
            cells = new_cells if side == "new" else old_cells
            if side == "old" and old is None:
                return var(("old", cell)), 0.0  # a table the earlier release lacked
            value, published = cells.get(cell, (0.0, True))
            return (None, value) if published else (var((side, cell)), 0.0)
        most = reach(cell, change.gained if side == "in" else change.lost)
        told = {d for d, v in zip(dims, cell, strict=True) if v != TOTAL}
        if not magnitude and told <= change.background:
            return None, float(most)  # known: who changed, and where they are in the register
        if not most:
            return None, 0.0
        return var((side, cell), (0.0, None if magnitude else float(most))), 0.0

    eq_rows: list[tuple[dict[int, float], float]] = []
    ub_rows: list[tuple[dict[int, float], float]] = []

    def add(rows: list, terms: list[tuple[str, tuple, float]]) -> None:
        coefs: dict[int, float] = {}
        rhs = 0.0
        for side, cell, a in terms:
            k, value = term(side, cell)
            if k is None:
                rhs -= a * value
            else:
                coefs[k] = coefs.get(k, 0.0) + a
        if coefs:
            rows.append((coefs, rhs))

    for cell in grid:
        add(eq_rows, [("new", cell, 1.0), ("old", cell, -1.0), ("in", cell, -1.0),
                      ("out", cell, 1.0)])
        add(ub_rows, [("in", cell, 1.0), ("new", cell, -1.0)])
        add(ub_rows, [("out", cell, 1.0), ("old", cell, -1.0)])

    def lines() -> list[tuple[tuple, list[tuple], bool]]:
        if len(dims) == 1:
            return [((TOTAL,), [(v,) for v in values[0]], dims[0] not in MULTI)]
        a, b = values
        out = [((x, TOTAL), [(x, y) for y in b], dims[1] not in MULTI) for x in [*a, TOTAL]]
        out += [((TOTAL, y), [(x, y) for x in a], dims[0] not in MULTI) for y in [*b, TOTAL]]
        return out

    for side in ("new", "old", "in", "out"):
        for margin, members, additive in lines():
            if additive:
                add(eq_rows, [(side, margin, -1.0)] + [(side, m, 1.0) for m in members])
            else:  # each member at most the margin; together at least the margin
                for m in members:
                    add(ub_rows, [(side, m, 1.0), (side, margin, -1.0)])
                add(ub_rows, [(side, margin, 1.0)] + [(side, m, -1.0) for m in members])

    def matrix(rows: list) -> tuple:
        if not rows:
            return None, None
        a = np.zeros((len(rows), len(variables)))
        b = np.zeros(len(rows))
        for i, (coefs, rhs) in enumerate(rows):
            for k, v in coefs.items():
                a[i, k] = v
            b[i] = rhs
        return a, b

    a_eq, b_eq = matrix(eq_rows)
    a_ub, b_ub = matrix(ub_rows)
    bounds = [box[i] for i in range(len(variables))]
    out: dict[tuple, dict[str, tuple[float, float]]] = {}
    for cell in grid:
        for side in ("in", "out"):
            k, value = term(side, cell)
            if k is None:
                out.setdefault(cell, {})[side] = (value, value)
                continue
            c = np.zeros(len(variables))
            c[k] = 1.0
            lo = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                         method="highs")
            hi = linprog(-c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                         method="highs")
            assert lo.status == 0 and hi.status in (0, 3), (dims, cell, lo.message)
            out.setdefault(cell, {})[side] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out
