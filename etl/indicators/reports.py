"""Hand-reported indicator actuals kept outside a survey export (the staff workspace enters
them one by one): checked by the raw format's own column rules, and merged into an export's
``indicator_reports`` table before it is checked, so they reach the release like any row.

Only ``indicator_id``, the period and ``actual`` are merged: whatever private note the staff
keep with a report stays with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.rawformat import tables
from etl.read import RawInput, RawTable, display_name
from etl.validate.columns import parse_column

TABLE = "indicator_reports"
MERGED = ("indicator_id", "period_start", "period_end", "actual")


@dataclass(frozen=True)
class EntryProblem:
    """A broken rule in one entered value: column, rule code and the ETL's English message."""

    column: str
    rule: str
    message: str


def _text(values: Sequence[object]) -> pd.Series:
    cleaned = [None if v is None or not str(v).strip() else str(v).strip() for v in values]
    return pd.Series(pd.Categorical(cleaned))


def check_entry(values: Mapping[str, object]) -> list[EntryProblem]:
    """Every problem of one report as the checker would find it in ``indicator_reports.csv``
    (types, required values, the period's end not before its start)."""
    spec = tables()[TABLE]
    found, typed = [], {}
    for f in spec.fields:
        if f.name not in MERGED:
            continue
        column, findings = parse_column(_text([values.get(f.name)]), f)
        typed[f.name] = column
        found += [EntryProblem(f.name, x.rule, x.message) for x in findings]
    start, end = typed["period_start"].iloc[0], typed["period_end"].iloc[0]
    if not pd.isna(start) and not pd.isna(end) and end < start:
        found.append(EntryProblem("period_end", "cross.end_before_start",
                                  "must not be before period_start"))
    return found


def iso_dates(values: Sequence[object]) -> list[str | None]:
    """Dates as the checker reads them (either spelling of the format), as ISO text."""
    spec = tables()[TABLE]
    parsed, _ = parse_column(_text(values), spec.field("period_start"))
    return [None if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in parsed]


def supplement(raw: RawInput, entries: Sequence[Mapping[str, object]]) -> None:
    """Merge ``entries`` into ``raw``: each replaces the export's rows of the same indicator and
    period; the rest are added after the table's last row (numbered on from it)."""
    if not entries:
        return
    spec = tables()[TABLE]
    columns = [f.name for f in spec.fields]
    table = raw.tables.get(TABLE)
    if table is None:
        old = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        rows, file, present = np.array([], dtype=np.int64), display_name(raw, spec), set()
    else:
        old = table.data.astype(object).where(table.data.notna(), None)
        rows, file, present = table.rows, table.file, set(table.present)
    new = pd.DataFrame([{c: (None if entries[i].get(c) is None else str(entries[i][c]))
                         if c in MERGED else None for c in columns}
                        for i in range(len(entries))])
    mine = set(zip(new["indicator_id"].str.casefold(), iso_dates(new["period_start"].tolist()),
                   iso_dates(new["period_end"].tolist()), strict=True))
    theirs = zip(old["indicator_id"].fillna("").str.casefold(),
                 iso_dates(old["period_start"].tolist()), iso_dates(old["period_end"].tolist()),
                 strict=True)
    keep = np.array([key not in mine for key in theirs], dtype=bool)
    last = int(rows.max()) if len(rows) else 1
    merged = pd.concat([old.loc[keep], new], ignore_index=True)
    raw.tables[TABLE] = RawTable(
        TABLE, file,
        pd.DataFrame({c: pd.Categorical(merged[c].tolist()) for c in columns}),
        np.concatenate([rows[keep], np.arange(last + 1, last + 1 + len(new))]).astype(np.int64),
        frozenset(present | set(MERGED)))
    raw.found.add(TABLE)
