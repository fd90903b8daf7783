"""The protection pipeline of one release: build the tables, suppress, audit, and refuse.

Primary suppression (:mod:`.primary`), then secondary suppression to a fixed point of the
single-release audits (:mod:`.secondary`, :mod:`.audit`), then — when earlier releases exist —
more suppression until the audits across releases pass (:mod:`.joint`); finally a guard that
re-checks every published cell against the primary rules, independently of how suppression
got there.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from .audit import (
    DIFFERENCING_RULE,
    LP_RULE,
    AuditCache,
    DifferencingAuditResult,
    LpAuditResult,
)
from .background import Known
from .bg_tables import DIRECTORY, apply_directory
from .bg_tables import fired as directory_fired
from .changes import change, compared_columns, record_digests, value_kind
from .errors import DisclosureError
from .joint import HISTORY_TABLES, Before, Joint
from .params import DEFAULTS, SUPPRESSED, Params
from .primary import RULES, apply_primary, rules_fired
from .secondary import SecondaryOutcome, apply_secondary
from .tables import (
    COUNT,
    HISTORY,
    PRIMARY_PREFIX,
    PUBLISHED,
    SECONDARY,
    CellKey,
    Linked,
    Table,
    TableSpec,
    build_table,
)


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
    #: Per earlier release audited against: what changed and what the audit checked.
    history: tuple[dict, ...] = ()

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
        history = statuses.count(HISTORY)
        rows.append({"table": t.name, "unit": t.spec.unit, "measure": t.spec.measure or COUNT,
                     "cells": len(statuses), "primary": primary, "secondary": secondary,
                     "history": history, **{r: statuses.count(PRIMARY_PREFIX + r) for r in RULES},
                     DIRECTORY: statuses.count(PRIMARY_PREFIX + DIRECTORY),
                     "suppressed_share": (primary + secondary + history) / max(1, len(statuses))})
    return pd.DataFrame(rows)


UnitFrame = pd.DataFrame | tuple[pd.DataFrame, np.ndarray]
"""One row per unit, or records with each record's unit index (participations → people)."""


@dataclass(frozen=True)
class Earlier:
    """An earlier release to protect the new one against: its published tables, and from its
    ledger each unit kind's frame with every record's unit id."""

    before: Before
    #: The unit kinds it has frames for.
    kinds: Sequence[str]
    #: Each record's unit id and digest of a unit kind (see ``changes.change``).
    keys: Callable[[str], tuple[np.ndarray, np.ndarray]]
    #: The records a mask selects of a unit kind's frame (frames are large: only the
    #: records that changed since are read).
    rows: Callable[[str, np.ndarray], pd.DataFrame]
    #: A unit kind's columns in its ledger and what each holds (``changes.stored_kind``):
    #: the ETL that built it may have had fewer columns than this one.
    columns: Callable[[str], Mapping[str, str | None]]


@dataclass(frozen=True)
class History:
    """The release history: the earlier releases, this release's unit id of every record
    (per unit kind) and what an attacker knows of each unit kind without the tables."""

    earlier: Sequence[Earlier]
    units: Mapping[str, np.ndarray]
    #: Each record's digest, per unit kind (``changes.record_digests`` of its frame).
    digests: Mapping[str, np.ndarray]
    background: Mapping[str, frozenset[str]]


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


def _joints(link: Linked, frames: Mapping[str, UnitFrame], history: History,
            params: Params) -> list[Joint]:
    records = {kind: given[0] if isinstance(given, tuple) else given
               for kind, given in frames.items()}
    digests: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
    holds: dict[str, dict[str, str | None]] = {}
    joints = []
    for earlier in history.earlier:
        changes, missing = {}, {}
        for kind in earlier.kinds:
            if kind not in records:
                continue
            frame = records[kind]
            if kind not in holds:
                holds[kind] = {c: value_kind(frame[c]) for c in frame.columns}
            # A ledger of an older ETL lacks the columns added since: records are matched on
            # the columns it has, with this build's digests over those (as it made its own).
            shared = compared_columns(earlier.before.version, kind, holds[kind],
                                      earlier.columns(kind))
            found = history.digests[kind]
            if len(shared) < frame.shape[1]:
                missing[kind] = frozenset(frame.columns) - set(shared)
                found = digests.get((kind, tuple(shared)))
                if found is None:
                    found = digests[(kind, tuple(shared))] = record_digests(frame, shared)
                frame = frame[shared]
            changes[kind] = change(kind, frame, history.units[kind], found,
                                   *earlier.keys(kind), partial(earlier.rows, kind))
        joints.append(Joint(earlier.before, link, records, changes, history.background,
                            params, missing))
    return joints


def _protect_history(link: Linked, joints: list[Joint], params: Params
                     ) -> tuple[SecondaryOutcome, list[dict]]:
    """Suppress more of the new release until every audit across releases passes."""
    for joint in joints:
        for k in joint.presuppress():
            link.set_status(k, HISTORY)
    for joint in joints:  # known from an earlier release: never worth hiding
        link.public.update(joint.known_cells())
    _close_public(link)
    cache: AuditCache = {}
    outcome = apply_secondary(link, params, cache=cache)
    while True:
        failures = [(joint, f) for joint in joints for f in joint.audit()]
        if not failures:
            break
        picks = {joint.pick(f) for joint, f in failures} - {None}
        if not picks:
            _, first = failures[0]
            raise DisclosureError(HISTORY_TABLES, first.table,
                                  f"{first.describe()} ({len(failures)} cells fail), and no "
                                  "published cell of the new release is left to hide")
        for k in sorted(picks):
            link.set_status(k, HISTORY)
        outcome = apply_secondary(link, params, cache=cache)
    return outcome, [joint.summary() for joint in joints]


def protect(frames: Mapping[str, UnitFrame], specs: Sequence[TableSpec],
            params: Params = DEFAULTS, public: Collection[CellKey] = (),
            history: History | None = None, known: Known | None = None) -> ProtectedTables:
    """Build, suppress (primary then secondary) and audit ``specs`` over the unit frames.

    ``public`` lists aggregates published whatever their size (programme-wide totals of
    activities): they stay published, are never chosen as complements, and the audits treat
    them as known. With ``history``, the tables are also protected read together with each
    earlier release (:mod:`.joint`); with ``known``, against an attacker who reads the supplier
    directory (:mod:`.bg_tables`). Raises :class:`DisclosureError` rather than return tables
    an audit does not pass, or that publish a cell a primary rule forbids.
    """
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
    by_design = set(link.public)
    apply_directory(link, known, params)
    joints = _joints(link, frames, history, params) if history and history.earlier else []
    if joints:
        outcome, audited = _protect_history(link, joints, params)
    else:
        outcome, audited = apply_secondary(link, params), []
    checked = 0
    for table in tables:  # a guard, independent of how suppression got here
        for cell in table.cells:
            if cell.suppressed or link.index[cell.key] in by_design:
                continue
            checked += 1
            fired = rules_fired(cell, table, params)
            if directory_fired(cell, table, known, params):
                fired.append(DIRECTORY)
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
                           _summary(tables), outcome.lp, outcome.differencing, params, checked,
                           tuple(audited))
