"""The new release's tables read together with one earlier release, as an attacker reads them.

The attacker holds both releases and knows which units joined, left or changed between them
(and, from the public register and the programme's lists, their background characteristics:
:data:`catalogue.BACKGROUND`). For every cell key ``k`` of every table that gives four
unknowns, one per *side*:

- ``NEW[k]``, the new release's cell, and ``OLD[k]``, the earlier release's — known where
  published (an absent category is a published zero);
- ``IN[k]``, what the changed units contribute now, and ``OUT[k]``, what they contributed
  then — known where the cell counts only background characteristics, or where no changed
  unit has the background of the cell;

tied by ``NEW[k] − OLD[k] = IN[k] − OUT[k]`` (the unchanged units cancel out),
``IN[k] ≤ NEW[k]``, ``OUT[k] ≤ OLD[k]``, and each side's additive lines. Solving that system
(:mod:`etl.anonymise.lp`) gives what the attacker can learn. It must not narrow any hidden cell
of either release below the width a single release requires, nor any difference cell that
breaks a rule of its own: a difference is a table of the changed units, and it must pass the
same rules as a cell (fewer than ``min_count`` units changed, one change dominating a
magnitude, all or none of a small changed group). What cannot pass is fixed by suppressing
more of the new release.

An earlier release built by an older ETL, whose ledger lacks a column this build's tables use
(:func:`.changes.compared_columns`), published none of the tables built from that column
(checked against its published tables): those are *not compared* with it. A cell ``k`` that
carries the column has no earlier value to difference against. ``OLD[k]`` is unknown, bound
only by its own lines, whose sums are ties of margins the other tables already give; so
``NEW[k] − OLD[k] = IN[k] − OUT[k]`` adds nothing of ``NEW[k]`` but ``NEW[k] ≥ IN[k]``, and
``IN[k]``, where known at all, is what the background tells of the changed units anyway (or
0). Nor can its earlier side be built: the ledger lacks the column. So such cells enter the
system with their new-release value and lines only (:meth:`Joint._new_only_grid`). The
margins of such a table without the column are the same canonical cells as in the other
tables and are compared in full there — ``meetings_by_counterpart_municipality`` has one, its
``_total``: every meetings count table's total, and the public ``meetings_held`` — while its
new-release lines keep them tied to the cells not compared, as the attacker ties them. Every
within-release rule still covers those cells, and later releases that have the column
compare them in full.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import lp
from .audit import line_rows
from .changes import Change
from .errors import HistoryMismatch
from .params import Params
from .primary import RULES
from .secondary import near, rank
from .tables import (
    COUNT,
    PRIMARY_PREFIX,
    TOTAL,
    CellKey,
    KeyLine,
    Linked,
    Table,
    TableSpec,
    cell_key,
    cells_and_lines,
)

NEW, OLD, IN, OUT = range(4)
"""The four sides of a cell: the new release, the earlier one, and what the changed units
contribute now (coming in) and contributed then (going out)."""
SIDES = ("new release", "earlier release", "changed units now", "changed units then")
#: The rule a failure across releases is reported under.
HISTORY_TABLES = "history_tables"


@dataclass(frozen=True)
class Before:
    """An earlier release, as the audit needs it: its published tables, by name."""

    version: str
    withdrawn: bool
    tables: Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class Failure:
    """A cell (of one side) the attacker can narrow too far with the earlier release."""

    version: str
    side: int
    key: CellKey
    table: str
    label: str
    interval: lp.Interval

    def describe(self) -> str:
        i = self.interval
        return (f"together with release {self.version}, {self.label} ({SIDES[self.side]}) = "
                f"{i.truth:g} lies in [{i.lower:g}, {i.upper:g}], narrower than {i.need:g}")


@dataclass
class _Grid:
    """One table over the categories of both releases: its cells' keys and lines."""

    spec: TableSpec
    keys: list[int]
    #: (margin position, member positions, which dim the members vary along), positions
    #: into ``keys``.
    lines: list[tuple[int, tuple[int, ...], int]]
    additive: dict[int, tuple[bool, ...]] = field(default_factory=dict)
    #: The sides its lines hold on: only the new release's for a table not compared.
    sides: tuple[int, ...] = (NEW, OLD, IN, OUT)


def _uses(spec: TableSpec, columns: Collection[str]) -> list[str]:
    """The columns of ``columns`` that ``spec`` is built from (its dims and measure)."""
    return [c for c in (*spec.dims, spec.measure) if c is not None and c in columns]


def _single(frame: pd.DataFrame, dim: str) -> bool:
    """Whether every record holds one value of ``dim`` (so its lines add up)."""
    column = frame[dim]
    multi = column.map(lambda v: isinstance(v, tuple | list))
    return bool((column[multi].map(len) == 1).all()) if len(column) else True


def _matching(change: Change, pairs: Iterable[tuple[str, str]]) -> tuple[tuple[int, int], int]:
    """How many records of the changed units have every (dim, value) of ``pairs``, now and
    then, and how many distinct units those records are."""
    counts, units = [], []
    for frame, ids in ((change.new, change.new_units), (change.old, change.old_units)):
        mask = np.ones(len(frame), dtype=bool)
        for dim, value in pairs:
            mask &= (frame[dim].astype(str) == value).to_numpy()
        counts.append(int(mask.sum()))
        units.append(ids[mask])
    return (counts[0], counts[1]), len(np.unique(np.concatenate(units)))


class Joint:
    """The new release (its :class:`Linked` tables, statuses as they stand) and one earlier
    release: :meth:`presuppress` and :meth:`known_cells` prepare the new release's statuses,
    :meth:`audit` finds what still fails, :meth:`pick` chooses what to suppress for it.

    ``missing`` gives, per unit kind, the columns of this build the earlier release's ledger
    lacks (an older ETL): the tables built from them are not compared (see the module)."""

    def __init__(self, before: Before, link: Linked, frames: Mapping[str, pd.DataFrame],
                 changes: Mapping[str, Change], background: Mapping[str, frozenset[str]],
                 params: Params, missing: Mapping[str, Collection[str]] | None = None
                 ) -> None:
        self.before, self.link, self.params = before, link, params
        missing = missing or {}
        uses = {t.name: _uses(t.spec, missing.get(t.spec.unit, ())) for t in link.tables}
        #: Tables built from a column the earlier release's ledger lacks: not compared.
        self.not_compared = [t.name for t in link.tables if uses[t.name]]
        for name in self.not_compared:
            if name in before.tables:
                raise HistoryMismatch(
                    f"release {before.version} published {name}, but its ledger lacks the "
                    f"column{'s' if len(uses[name]) > 1 else ''} {', '.join(uses[name])} it "
                    "is built from: the ledger does not describe that release")
        self.changed = {kind: len(change.units) for kind, change in changes.items()}
        self.checked = 0
        self.keys: list[CellKey] = []
        self.index: dict[CellKey, int] = {}
        self.table_of: dict[int, tuple[str, tuple[str, ...]]] = {}
        self.grids: list[_Grid] = []
        self._singles: dict[tuple[str, str], bool] = {}
        side_cells: list[dict[int, object]] = [{}, {}]  # key → Cell of the IN and OUT tables
        for table in link.tables:
            if not uses[table.name]:
                self._grid(table, before.tables.get(table.name), changes.get(table.spec.unit),
                           frames[table.spec.unit], side_cells)
        compared = len(self.keys)
        for table in link.tables:  # after the others: the cells they share are compared
            if uses[table.name]:
                self._new_only_grid(table)
        keys = len(self.keys)
        #: Cells not compared with the earlier release (only in tables not compared): the
        #: new release's value alone, with no earlier value, no change and no tie.
        self.only_new = np.arange(keys) >= compared
        self.value = np.zeros((4, keys))
        self.known = np.zeros((4, keys), dtype=bool)
        self.cells = side_cells
        for j, key in enumerate(self.keys):
            at = link.index.get(key)
            self.value[NEW, j] = link.value[at] if at is not None else 0.0
            for side, cells in ((IN, side_cells[0]), (OUT, side_cells[1])):
                cell = cells.get(j)
                self.value[side, j] = cell.value if cell is not None else 0.0
        self.value[OLD] = self.value[NEW] - self.value[IN] + self.value[OUT]
        self._published_before(before)
        self._background(changes, background)
        self.known[1:, self.only_new] = True  # not unknowns: absent from the system
        self.sensitive = self._sensitive()
        #: The largest contribution a changed unit made to each cell then (for magnitudes).
        self.top_out = np.array([float(c.contributions.max()) if (c := side_cells[1].get(j))
                                 is not None and len(c.contributions) else 0.0
                                 for j in range(keys)])
        del self.cells  # the side tables are large; what the audits need is kept above
        self.cache: lp.Cache = {}
        self.floor = np.full((4, len(self.keys)), np.inf)  # no floor while it is computed
        self.floor = self._floor()

    # --- construction -------------------------------------------------------------------

    def _grid(self, table: Table, published: pd.DataFrame | None, change: Change | None,
              frame: pd.DataFrame, side_cells: list[dict[int, object]]) -> None:
        spec = table.spec
        sides = change.tables(spec) if change is not None and not change.empty else None
        values = [list(v) for v in table.values]
        extra = [published] if published is not None else []
        for i, dim in enumerate(spec.dims):
            for source in extra:
                values[i] += [v for v in dict.fromkeys(source[dim].astype(str))
                              if v != TOTAL and v not in values[i]]
            for side in sides or ():
                values[i] += [v for v in side.values[i] if v not in values[i]]
        grid = self._register(spec, values)
        grid.additive[NEW] = table.additive
        if sides is not None:
            grid.additive[IN], grid.additive[OUT] = sides[0].additive, sides[1].additive
            for k, side in enumerate(sides):
                for cell in side.cells:
                    side_cells[k].setdefault(self.index[cell.key], cell)
            # The earlier release's lines add up where every record it had held one value:
            # those it shares with the new release (the new release's say, unless its
            # multi-valued records might all be new) and those gone since.
            grid.additive[OLD] = tuple(
                _single(change.old, d) and (table.additive[i] or self._single_kept(
                    frame, change, spec.unit, d)) for i, d in enumerate(spec.dims))
        else:
            grid.additive[IN] = grid.additive[OUT] = grid.additive[OLD] = table.additive
        self.grids.append(grid)

    def _register(self, spec: TableSpec, values: Sequence[Sequence[str]]) -> _Grid:
        """A table's grid over ``values``, its cells' keys added to those of the system."""
        cells, lines = cells_and_lines(values)
        position = {c: i for i, c in enumerate(cells)}
        keys = []
        for coords in cells:
            key = cell_key(spec.unit, spec.measure or COUNT, spec.dims, coords)
            j = self.index.setdefault(key, len(self.keys))
            if j == len(self.keys):
                self.keys.append(key)
                self.table_of[j] = (spec.name, coords)
            keys.append(j)
        return _Grid(spec, keys, [(position[m], tuple(position[c] for c in members), axis)
                                  for m, members, axis in lines])

    def _new_only_grid(self, table: Table) -> None:
        """A table not compared with the earlier release (see the module): its lines hold on
        the new release's side only, and its cells that no compared table has are the new
        release's values alone."""
        grid = self._register(table.spec, [list(v) for v in table.values])
        grid.sides = (NEW,)
        grid.additive[NEW] = table.additive
        self.grids.append(grid)

    def _single_kept(self, frame: pd.DataFrame, change: Change, kind: str, dim: str) -> bool:
        found = self._singles.get((kind, dim))
        if found is None:
            found = self._singles[(kind, dim)] = _single(frame[change.kept], dim)
        return found

    def _published_before(self, before: Before) -> None:
        """What the earlier release published, checked against what its ledger gives."""
        self.hidden_before = np.zeros(len(self.keys), dtype=bool)
        self.primary_before = np.zeros(len(self.keys), dtype=bool)
        published: dict[int, float] = {}
        for grid in self.grids:
            frame = before.tables.get(grid.spec.name)
            if frame is None:
                continue  # a table that release did not have: its cells say nothing
            dims = list(grid.spec.dims)
            for row in frame.itertuples(index=False):
                coords = tuple(str(getattr(row, d)) for d in dims)
                j = self.index[cell_key(grid.spec.unit, grid.spec.measure or COUNT,
                                        grid.spec.dims, coords)]
                if row.status == "published":
                    self._check(j, float(row.value), grid.spec.name, coords)
                    published[j] = float(row.value)
                else:
                    self.hidden_before[j] = True
                    self.primary_before[j] |= row.rule in RULES
        for grid in self.grids:  # a category the release did not have: a published zero
            if grid.spec.name in before.tables:
                for j in grid.keys:
                    if j not in published and not self.hidden_before[j]:
                        self._check(j, 0.0, grid.spec.name, self.table_of[j][1])
                        published[j] = 0.0
        for j, value in published.items():
            self.known[OLD, j] = True
            self.value[OLD, j] = value

    def _check(self, j: int, published: float, table: str, coords: tuple[str, ...]) -> None:
        computed = self.value[OLD, j]
        if abs(computed - published) > 1e-6 * max(1.0, abs(published)):
            raise HistoryMismatch(
                f"release {self.before.version} published {table}[{', '.join(coords)}] = "
                f"{published:g}, but its ledger gives {computed:g}: the ledger does not "
                "describe that release")

    def _background(self, changes: Mapping[str, Change],
                    background: Mapping[str, frozenset[str]]) -> None:
        """Which side values the attacker knows without the tables."""
        self.known[NEW] = True  # refreshed from the statuses by every audit
        self.background = np.zeros(len(self.keys), dtype=bool)
        #: Changed units with the background of each cell (on either side).
        self.group = np.zeros(len(self.keys), dtype=np.int64)
        #: How far the changed units can move a cell: the records (of each side) in its
        #: background group, for counts; unbounded for magnitudes; 0 where known.
        self.reach = np.where([k[1] == COUNT for k in self.keys], 0.0, np.inf)[None, :] \
            .repeat(4, axis=0)
        seen: dict[tuple, tuple] = {}
        for j, (unit, measure, pairs) in enumerate(self.keys):
            if self.only_new[j]:
                continue  # no changed units' side (the earlier one lacks its columns)
            change = changes.get(unit)
            dims = {d for d, _ in pairs}
            bg = background.get(unit, frozenset())
            if (measure == COUNT and dims <= bg) or change is None or change.empty:
                self.background[j] = measure == COUNT and dims <= bg
                self.known[IN, j] = self.known[OUT, j] = True
                self.reach[IN, j] = self.reach[OUT, j] = 0.0
                continue
            group = tuple(sorted((d, v) for d, v in pairs if d in bg))
            found = seen.get((unit, group))
            if found is None:
                found = seen[(unit, group)] = _matching(change, group)
            (records_in, records_out), units = found
            self.known[IN, j], self.known[OUT, j] = records_in == 0, records_out == 0
            self.group[j] = units
            if measure == COUNT:
                self.reach[IN, j], self.reach[OUT, j] = records_in, records_out

    def _sensitive(self) -> np.ndarray:
        """Difference cells that break a rule (threshold, p%, all-or-none of a small group)."""
        p = self.params
        out = np.zeros(len(self.keys), dtype=bool)
        self.diff_top = np.zeros(len(self.keys))
        moved = np.zeros(len(self.keys), dtype=np.int64)
        for j in set(self.cells[0]) | set(self.cells[1]):
            parts = [(cell.members, sign * cell.contributions) for cell, sign in
                     ((self.cells[0].get(j), 1.0), (self.cells[1].get(j), -1.0))
                     if cell is not None]
            units, at = np.unique(np.concatenate([m for m, _ in parts]), return_inverse=True)
            diff = np.bincount(at, weights=np.concatenate([c for _, c in parts]),
                               minlength=len(units))
            sizes = np.sort(np.abs(diff[np.abs(diff) > 1e-9]))[::-1].tolist()
            moved[j] = len(sizes)
            self.diff_top[j] = sizes[0] if sizes else 0.0
            magnitude = self.keys[j][1] != COUNT
            least = p.min_contributors if magnitude else p.min_count
            if 0 < len(sizes) < least or (magnitude and sizes and (
                    sum(sizes) - sum(sizes[:2]) < p.p_percent / 100 * sizes[0])):
                out[j] = True
        for grid in self.grids:
            if not grid.spec.sensitive or grid.sides != (NEW, OLD, IN, OUT):
                continue
            for _, members, axis in grid.lines:
                if axis != len(grid.spec.dims) - 1:
                    continue  # groups are rows: the last dim is the attribute
                for m in members:
                    # The group is every changed unit the attacker cannot tell out of the
                    # cell: those of its background, whatever row they are in now.
                    j = grid.keys[m]
                    size = self.group[j]
                    if 0 < size < p.small_group and moved[j] in (0, size):
                        out[j] = True
        return out & ~self.background & ~(self.known[IN] & self.known[OUT])

    # --- preparing the new release -------------------------------------------------------

    def presuppress(self) -> set[int]:
        """New-release cells to hide before any audit: a published cell whose difference from
        the earlier release breaks a rule, and a cell the earlier release hid that would come
        out unchanged (so, exactly) in the new one."""
        out = set()
        for j in np.flatnonzero(~self.only_new).tolist():
            at = self.link.index.get(self.keys[j])
            if at is None or self.link.suppressed(at) or at in self.link.public:
                continue
            exact_now = self.known[IN, j] and self.known[OUT, j]
            if (self.sensitive[j] and self.known[OLD, j]) or (
                    self.hidden_before[j] and exact_now):
                out.add(at)
        return out

    def known_cells(self) -> set[int]:
        """New-release cells the attacker knows from the earlier release alone (it published
        them and nothing changed in their group): hiding them would protect nothing."""
        out = set()
        # Cells not compared are not known from the earlier release: it did not have them.
        for j in np.flatnonzero(~self.only_new).tolist():
            at = self.link.index.get(self.keys[j])
            if (at is not None and not self.link.suppressed(at) and self.known[OLD, j]
                    and self.known[IN, j] and self.known[OUT, j]):
                out.add(at)
        return out

    # --- the audit ---------------------------------------------------------------------

    def _refresh(self) -> None:
        link = self.link
        for j, key in enumerate(self.keys):
            at = link.index.get(key)
            self.known[NEW, j] = at is None or not link.suppressed(at) or at in link.public

    def _caps(self, side: int) -> np.ndarray:
        """Per key: the smallest known margin of a line it belongs to on ``side``."""
        cap = np.full(len(self.keys), np.inf)
        for grid in self.grids:
            if side not in grid.sides:
                continue
            for margin, members, _ in grid.lines:
                j = grid.keys[margin]
                if self.known[side, j]:
                    for m in members:
                        cap[grid.keys[m]] = min(cap[grid.keys[m]], self.value[side, j])
        return cap

    def _need(self) -> np.ndarray:
        """Required widths of the targets by variable (NaN: not a target)."""
        p = self.params
        need = np.full((4, len(self.keys)), np.nan)
        top_new = np.zeros(len(self.keys))
        top_before = np.zeros(len(self.keys))
        for j, key in enumerate(self.keys):
            if key[1] == COUNT:
                continue
            at = self.link.index.get(key)
            cell = self.link.cell(at) if at is not None else None
            if cell is not None:  # the earlier release's largest is at most one of these
                top_new[j] = top_before[j] = cell.top[0]
            top_before[j] = max(top_before[j], self.top_out[j])
        primary_now = np.array([(at := self.link.index.get(k)) is not None
                                and self.link.status(at).startswith(PRIMARY_PREFIX)
                                for k in self.keys], dtype=bool)
        targets = {NEW: primary_now & ~self.known[NEW],
                   OLD: self.primary_before & self.hidden_before,
                   IN: self.sensitive & ~self.known[IN], OUT: self.sensitive & ~self.known[OUT]}
        tops = {NEW: top_new, OLD: top_before, IN: self.diff_top, OUT: self.diff_top}
        count = np.array([k[1] == COUNT for k in self.keys])
        caps = {side: self._caps(side) for side in targets}
        for side, wanted in targets.items():
            width = np.where(count, np.minimum(p.min_interval_width, caps[side]),
                             np.maximum(p.min_interval_width, p.p_percent / 100 * tops[side]))
            need[side] = np.where(wanted, width, np.nan)
        # The changed units' part of a cell is at most the changed units that could be in it,
        # and a cell the earlier release published moves only as far as they can move it:
        # no suppression of the new release can make either less certain than that.
        need[IN] = np.minimum(need[IN], self.reach[IN])
        need[OUT] = np.minimum(need[OUT], self.reach[OUT])
        moves = self.reach[IN] + self.reach[OUT]
        need[NEW] = np.where(self.known[OLD] & ~self.only_new, np.minimum(need[NEW], moves),
                             need[NEW])
        return np.minimum(need, self.floor)

    def _system(self, sides: Sequence[int]) -> tuple[list[int], list[lp.Row], list[lp.Row]]:
        """The attacker's unknowns and rows on ``sides`` (all four: with the ties)."""
        keys = len(self.keys)

        def var(side: int, j: int) -> int:
            return side * keys + j

        def unknown(v: int) -> bool:
            return not self.known[v // keys, v % keys]

        def value(v: int) -> float:
            return float(self.value[v // keys, v % keys])

        lines = [KeyLine(grid.spec.name, var(side, grid.keys[m]),
                         tuple(var(side, grid.keys[x]) for x in members),
                         grid.additive[side][axis])
                 for grid in self.grids for side in sides if side in grid.sides
                 for m, members, axis in grid.lines]
        eq, ub = line_rows(lines, unknown, value)

        def row(terms: Sequence[tuple[int, float]], j: int) -> lp.Row:
            coefs: dict[int, float] = {}
            rhs = 0.0
            for side, a in terms:
                if self.known[side, j]:
                    rhs -= a * self.value[side, j]
                else:
                    coefs[var(side, j)] = a
            return coefs, rhs

        if len(sides) == 4:
            # Cells not compared have no earlier value and no changed units: no tie.
            for j in np.flatnonzero(~self.only_new).tolist():
                if not self.known[:, j].all():
                    eq.append(row(((NEW, 1.0), (OLD, -1.0), (IN, -1.0), (OUT, 1.0)), j))
                for part, whole in ((IN, NEW), (OUT, OLD)):  # unchanged units are never negative
                    if not (self.known[part, j] and self.known[whole, j]):
                        ub.append(row(((part, 1.0), (whole, -1.0)), j))
        variables = [var(side, j) for side in sides for j in range(keys)
                     if not self.known[side, j]]
        return variables, eq, ub

    def _floor(self) -> np.ndarray:
        """The widest each target can be if the new release hid every cell it may (public
        totals stay): where the history alone pins a cell, the new release cannot do better,
        and must only not do worse."""
        link = self.link
        self.known[NEW] = [(at := link.index.get(k)) is None or at in link.public
                           for k in self.keys]
        variables, eq, ub = self._system((NEW, OLD, IN, OUT))
        floor = np.full((4, len(self.keys)), np.inf)
        for found in lp.intervals(variables, eq, ub, self.value.ravel(), self._need().ravel(),
                                  exact=False):
            if not found.passed:
                floor.ravel()[found.variable] = found.width
        self._refresh()
        return floor

    def audit(self) -> list[Failure]:
        """What the attacker narrows too far with both releases, given the new release's
        statuses as they stand."""
        self._refresh()
        keys = len(self.keys)
        variables, eq, ub = self._system((NEW, OLD, IN, OUT))
        found = lp.intervals(variables, eq, ub, self.value.ravel(), self._need().ravel(),
                             exact=False, cache=self.cache)
        self.checked = len(found)
        failures = []
        for interval in found:
            if interval.passed:
                continue
            side, j = divmod(interval.variable, keys)
            table, coords = self.table_of[j]
            label = f"{table}[{', '.join(coords)}]"
            failures.append(Failure(self.before.version, side, self.keys[j], table, label,
                                    interval))
        return failures

    def summary(self) -> dict:
        """What the last audit checked, for the disclosure-risk report (no values)."""
        found = {
            "version": self.before.version,
            "status": "withdrawn" if self.before.withdrawn else "published",
            "changed_units": dict(self.changed),
            "difference_cells_at_risk": int(self.sensitive.sum()),
            "hidden_cells_checked": int(self.checked),
        }
        if self.not_compared:  # against a release of an older ETL only: other reports as were
            found["tables_not_compared"] = list(self.not_compared)
        return found

    def pick(self, failure: Failure) -> int | None:
        """The new-release cell to suppress for ``failure``: the cell itself when published,
        else the best published cell near it."""
        link = self.link
        at = link.index.get(failure.key)
        if at is not None:
            if not link.suppressed(at) and at not in link.public:
                return at
            return near(link, at)
        j = self.index[failure.key]
        lines = [[grid.keys[m] for m in (margin, *members)] for grid in self.grids
                 for margin, members, _ in grid.lines
                 if j in {grid.keys[x] for x in (margin, *members)}]
        ranked = [rank(link, at) for line in lines for x in line
                  if (at := link.index.get(self.keys[x])) is not None
                  and not link.suppressed(at) and at not in link.public]
        return min(ranked)[-1] if ranked else None
