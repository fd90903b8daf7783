"""Table specifications, their cells, and the links between tables that share aggregates.

The dashboard and API read only these protected aggregates, so every cell that could ever be
shown is built here, with who contributes to it: the primary rules need the contributor count
and largest contributions, the audits need the contributor sets and the additive lines.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import pandas as pd

TOTAL = "_total"
"""Coordinate of a margin along a dim."""
UNKNOWN = "unknown"
"""Dim value of a unit whose answer is missing (or an empty multi-choice answer)."""
COUNT = "count"
"""Measure name of count tables in canonical keys."""
PUBLISHED = "published"
SECONDARY = "secondary"
HISTORY = "history"
"""Status (and rule) of a cell hidden because of the release history: read with an earlier
release, publishing it would give away a hidden cell or what changed units answered."""
PRIMARY_PREFIX = "primary:"

CellKey = tuple[str, str, frozenset[tuple[str, str]]]
"""(unit, measure or "count", {(dim, value)} without margins): one aggregate, whatever table."""

_MULTI = (tuple, list, set, frozenset)


@dataclass(frozen=True)
class TableSpec:
    """What to publish: counts of records (units, or meetings and participations) or sums of a
    measure, over one or two dims; ``unit`` names what a contributor is."""

    name: str
    unit: str
    dims: tuple[str, ...]
    measure: str | None = None
    sensitive: bool = False
    title: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not 1 <= len(self.dims) <= 2 or len(set(self.dims)) != len(self.dims):
            raise ValueError(f"{self.name}: dims must be 1 or 2 distinct columns, not {self.dims}")


@dataclass(eq=False, slots=True)
class Cell:
    """One aggregate of one table: its value, its contributing units (sorted unit indices) and
    their two largest contributions (records, or the measure summed per unit)."""

    table: str
    unit: str
    measure: str
    dims: tuple[str, ...]
    coords: tuple[str, ...]
    value: float
    contributors: int
    members: np.ndarray
    top: tuple[float, float] = (0.0, 0.0)
    status: str = PUBLISHED
    #: Each member's contribution (aligned with ``members``), kept for magnitudes and when
    #: asked: comparing releases needs who contributed how much.
    contributions: np.ndarray | None = None
    key: CellKey = field(init=False)

    def __post_init__(self) -> None:
        self.key = cell_key(self.unit, self.measure, self.dims, self.coords)

    @property
    def magnitude(self) -> bool:
        return self.measure != COUNT

    @property
    def is_margin(self) -> bool:
        return TOTAL in self.coords

    @property
    def suppressed(self) -> bool:
        return self.status != PUBLISHED

    @property
    def rule(self) -> str:
        """Why the cell is suppressed ('' when published)."""
        if self.status == PUBLISHED:
            return ""
        return self.status.removeprefix(PRIMARY_PREFIX)

    def label(self) -> str:
        inner = ", ".join(f"{d}={v}" for d, v in zip(self.dims, self.coords, strict=True))
        return f"{self.table}[{inner}]"


def cell_key(unit: str, measure: str, dims: Sequence[str], coords: Sequence[str]) -> CellKey:
    """The canonical key of a cell: the same aggregate has it in whatever table."""
    return unit, measure, frozenset((d, v) for d, v in zip(dims, coords, strict=True)
                                    if v != TOTAL)


GridLine = tuple[tuple[str, ...], list[tuple[str, ...]], int]
"""(margin coords, member coords, the dim the members vary along)."""


def cells_and_lines(values: Sequence[Sequence[str]]
                    ) -> tuple[list[tuple[str, ...]], list[GridLine]]:
    """Every cell of a table over the dim ``values`` — interior, row margins, column margins,
    total — and every line (a row or column with its margin, margins' lines included)."""
    if len(values) == 1:
        cells = [(v,) for v in values[0]] + [(TOTAL,)]
        return cells, [((TOTAL,), [(v,) for v in values[0]], 0)]
    rows, cols = values
    cells = ([(r, c) for r in rows for c in cols] + [(r, TOTAL) for r in rows]
             + [(TOTAL, c) for c in cols] + [(TOTAL, TOTAL)])
    lines = ([((r, TOTAL), [(r, c) for c in cols], 1) for r in rows]
             + [((TOTAL, c), [(r, c) for r in rows], 0) for c in cols]
             + [((TOTAL, TOTAL), [(r, TOTAL) for r in rows], 0),
                ((TOTAL, TOTAL), [(TOTAL, c) for c in cols], 1)])
    return cells, lines


@dataclass(frozen=True)
class Line:
    """Interior cells and their margin; additive when the members sum to the margin."""

    margin: Cell
    members: tuple[Cell, ...]
    additive: bool


@dataclass(eq=False)
class Table:
    """A built table: its cells in a stable order (interior, row, column margins, total)."""

    spec: TableSpec
    cells: list[Cell]
    values: tuple[tuple[str, ...], ...]
    additive: tuple[bool, ...]
    _by_coords: dict[tuple[str, ...], Cell] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_coords = {c.coords: c for c in self.cells}

    @property
    def name(self) -> str:
        return self.spec.name

    def cell(self, *coords: str) -> Cell:
        return self._by_coords[coords]

    def group_of(self, cell: Cell) -> Cell | None:
        """The group a sensitive-attribute cell is a share of: its row (or everyone)."""
        if cell.coords[-1] == TOTAL:
            return None
        return self.cell(*cell.coords[:-1], TOTAL)

    def lines(self) -> Iterator[Line]:
        """Every row and column with its margin, margins' lines included."""
        for margin, members, axis in cells_and_lines(self.values)[1]:
            yield Line(self.cell(*margin), tuple(self.cell(*m) for m in members),
                       self.additive[axis])


def _scalar(value: object) -> str:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return UNKNOWN
    return str(value)


def _multi(value: object) -> list[str]:
    if isinstance(value, _MULTI):
        return sorted({_scalar(v) for v in value}) or [UNKNOWN]
    return [_scalar(value)]


def _labels(column: pd.Series) -> tuple[np.ndarray, bool]:
    """Each row's value as a string, or a list of strings when the column is multi-valued;
    each distinct value is converted once (100,000 rows, a handful of values)."""
    try:
        codes, uniques = pd.factorize(column)
    except TypeError:  # unhashable answers (lists): one at a time
        return column.map(_multi).to_numpy(object), True
    multi = any(isinstance(u, _MULTI) for u in uniques)
    convert = _multi if multi else _scalar
    labels = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate([*uniques, None]):  # one by one: lists must not become a 2-D array
        labels[i] = convert(u)
    return labels[codes], multi


def _order(column: pd.Series, present: set[str]) -> tuple[str, ...]:
    """Categories' order when the column has one, else sorted; 'unknown' last."""
    first: list[str] = []
    if isinstance(column.dtype, pd.CategoricalDtype):
        first = [str(c) for c in column.cat.categories if str(c) in present]
    rest = sorted(present - set(first) - {UNKNOWN})
    return tuple(first + rest + ([UNKNOWN] if UNKNOWN in present else []))


def _validate(frame: pd.DataFrame, spec: TableSpec) -> None:
    missing = [c for c in (*spec.dims, spec.measure) if c is not None and c not in frame]
    if missing:
        raise KeyError(f"{spec.name}: columns {missing} are not in the {spec.unit} frame")
    if spec.measure is None:
        return
    if not pd.api.types.is_numeric_dtype(frame[spec.measure]):
        raise TypeError(f"{spec.name}: measure {spec.measure!r} is not numeric")
    if bool((frame[spec.measure] < 0).any()):
        # the p% rule and the audit's bounds (cells >= 0) hold for non-negative measures only
        raise ValueError(f"{spec.name}: measure {spec.measure!r} has negative values; publish "
                         "gains and losses as two non-negative measures")


def _groups(row: np.ndarray, uid: np.ndarray, measure: np.ndarray, code: np.ndarray,
            size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each of ``size`` groups' contributors (sorted) and their contributions.

    A record exploded into several values of a dim counts once in that dim's margin; a
    unit's contribution is the sum over its records in the group.
    """
    if not len(row):
        return [(np.zeros(0, np.int64), np.zeros(0))] * size
    _, first = np.unique(code * (int(row.max()) + 1) + row, return_index=True)
    units = int(uid.max()) + 1
    pairs, inverse = np.unique(code[first] * units + uid[first], return_inverse=True)
    contribution = np.bincount(inverse, weights=measure[first], minlength=len(pairs))
    bounds = np.searchsorted(pairs // units, np.arange(size + 1))
    members = pairs % units
    return [(members[a:b], contribution[a:b])
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def build_table(frame: pd.DataFrame, spec: TableSpec, unit_ids: np.ndarray | None = None,
                keep_contributions: bool = False) -> Table:
    """Every interior cell (zeros included for 2-D), margin and total of ``spec`` over ``frame``.

    Rows are records; ``unit_ids`` names each record's contributing unit (default: every row
    is its own unit). A count is the number of records (meetings, participations), the
    threshold applies to the number of distinct units. Tuple-valued dims are exploded; a dim
    where a record holds several values is not additive (a margin counts the record once).
    Magnitude tables leave out records whose measure is missing: they contribute nothing.
    Measures must be non-negative (turnover, employment, deal value). Each cell keeps every
    member's contribution for magnitudes, and for counts too with ``keep_contributions``.
    """
    _validate(frame, spec)
    row = np.arange(len(frame), dtype=np.int64)
    uid = row if unit_ids is None else np.asarray(unit_ids, dtype=np.int64)
    if uid.shape != row.shape:
        raise ValueError(f"{spec.name}: {len(uid)} unit_ids for {len(frame)} records")
    if (uid < 0).any():
        # guessing would be unsafe: as one unit each they could pass the threshold falsely
        raise ValueError(f"{spec.name}: {int((uid < 0).sum())} records have no unit "
                         "(negative unit_ids); every record needs its contributing unit")
    measure = (np.ones(len(frame)) if spec.measure is None
               else pd.to_numeric(frame[spec.measure]).to_numpy(dtype=float, na_value=np.nan))
    row = row[~np.isnan(measure)]
    labels: dict[str, np.ndarray] = {}
    multi = []
    for dim in spec.dims:
        all_labels, is_multi = _labels(frame[dim])
        labels[dim] = all_labels[row]
        multi.append(is_multi)
    additive = []
    for dim, is_multi in zip(spec.dims, multi, strict=True):
        if not is_multi:
            additive.append(True)
            continue
        lengths = np.fromiter(map(len, labels[dim]), np.int64, len(labels[dim]))
        additive.append(bool((lengths == 1).all()))
        flat = np.array(list(chain.from_iterable(labels[dim])), dtype=object)
        labels = {d: flat if d == dim else np.repeat(v, lengths) for d, v in labels.items()}
        row = np.repeat(row, lengths)
    values = tuple(_order(frame[d], set(labels[d])) for d in spec.dims)
    if any(TOTAL in v for v in values):
        raise ValueError(f"{spec.name}: {TOTAL!r} is a dim value; it is reserved for margins")
    codes = [pd.Index(v, dtype=object).get_indexer(labels[d]).astype(np.int64)
             for d, v in zip(spec.dims, values, strict=True)]
    uid, meas = uid[row], measure[row]
    name = spec.measure or COUNT
    keep = keep_contributions or spec.measure is not None

    def cells_of(code: np.ndarray, size: int) -> list[tuple[np.ndarray, np.ndarray]]:
        return _groups(row, uid, meas, code, size)

    def make(coords: tuple[str, ...], group: tuple[np.ndarray, np.ndarray]) -> Cell:
        members, contribution = group
        top = np.sort(contribution)[::-1][:2]
        return Cell(spec.name, spec.unit, name, spec.dims, coords, float(contribution.sum()),
                    len(members), members, (float(top[0]) if len(top) else 0.0,
                                            float(top[1]) if len(top) > 1 else 0.0),
                    contributions=contribution if keep else None)

    cells: list[Cell] = []
    everyone = cells_of(np.zeros(len(row), np.int64), 1)[0]
    if len(spec.dims) == 1:
        cells += [make((v,), g) for v, g in zip(values[0], cells_of(codes[0], len(values[0])),
                                                strict=True)]
        cells.append(make((TOTAL,), everyone))
    else:
        rows, cols = values
        inner = cells_of(codes[0] * len(cols) + codes[1], len(rows) * len(cols))
        cells += [make((r, c), inner[i * len(cols) + j])
                  for i, r in enumerate(rows) for j, c in enumerate(cols)]
        cells += [make((r, TOTAL), g)
                  for r, g in zip(rows, cells_of(codes[0], len(rows)), strict=True)]
        cells += [make((TOTAL, c), g)
                  for c, g in zip(cols, cells_of(codes[1], len(cols)), strict=True)]
        cells.append(make((TOTAL, TOTAL), everyone))
    return Table(spec, cells, values, tuple(additive))


def build_cells(frame: pd.DataFrame, spec: TableSpec, unit_ids: np.ndarray) -> list[Cell]:
    """The cells of ``spec`` over ``frame`` (see :func:`build_table`)."""
    return build_table(frame, spec, unit_ids).cells


@dataclass(frozen=True)
class KeyLine:
    """A line over canonical keys, as the audits see it."""

    table: str
    margin: int
    members: tuple[int, ...]
    additive: bool


class Linked:
    """Tables that may be read together: one status per canonical key, lines over keys.

    The same aggregate published in two tables must agree everywhere, otherwise a reader
    takes the value from the table where it is published.
    """

    def __init__(self, tables: Sequence[Table]) -> None:
        names = [t.name for t in tables]
        if len(set(names)) != len(names):
            raise ValueError(f"table names must be unique: {names}")
        self.tables = list(tables)
        self.keys: list[CellKey] = []
        self.index: dict[CellKey, int] = {}
        self.occurrences: list[list[Cell]] = []
        for table in self.tables:
            for cell in table.cells:
                k = self.index.setdefault(cell.key, len(self.keys))
                if k == len(self.keys):
                    self.keys.append(cell.key)
                    self.occurrences.append([])
                first = self.occurrences[k][0] if self.occurrences[k] else cell
                if (first.contributors != cell.contributors
                        or not math.isclose(first.value, cell.value, rel_tol=1e-9)):
                    raise ValueError(f"{cell.label()} = {cell.value} but {first.label()} = "
                                     f"{first.value}: same aggregate, built from other data")
                self.occurrences[k].append(cell)
        #: Keys that are public whatever their size (programme-wide totals): never suppressed,
        #: and known to every attacker.
        self.public: set[int] = set()
        #: What an attacker knows beyond the tables (the supplier directory): sets of keys
        #: whose sum is at least a number; the LP audit adds them to the linear system.
        self.bounds: list[tuple[tuple[int, ...], float]] = []
        self.value = np.array([occ[0].value for occ in self.occurrences])
        self.contributors = np.array([occ[0].contributors for occ in self.occurrences])
        self.lines: list[KeyLine] = []
        self.lines_of: list[list[int]] = [[] for _ in self.keys]
        for table in self.tables:
            for line in table.lines():
                members = tuple(self.index[c.key] for c in line.members)
                key_line = KeyLine(table.name, self.index[line.margin.key], members,
                                   line.additive)
                for k in {key_line.margin, *members}:
                    self.lines_of[k].append(len(self.lines))
                self.lines.append(key_line)

    def __len__(self) -> int:
        return len(self.keys)

    def cell(self, k: int) -> Cell:
        """The first occurrence of key ``k`` (for labels and contributor data)."""
        return self.occurrences[k][0]

    def status(self, k: int) -> str:
        return self.occurrences[k][0].status

    def suppressed(self, k: int) -> bool:
        return self.occurrences[k][0].status != PUBLISHED

    def set_status(self, k: int, status: str) -> None:
        for cell in self.occurrences[k]:
            cell.status = status

    def check_consistent(self) -> None:
        """Fail loudly if one aggregate has two statuses (set by hand, not via ``set_status``)."""
        for occ in self.occurrences:
            if len({c.suppressed for c in occ}) > 1:
                labels = ", ".join(f"{c.label()}: {c.status}" for c in occ)
                raise ValueError(f"one aggregate, two statuses: {labels}")


def linked(tables: Sequence[Table] | Linked) -> Linked:
    """Accept either tables or an existing link (audits are called both ways)."""
    if isinstance(tables, Linked):
        return tables
    result = Linked(tables)
    result.check_consistent()
    return result
