"""Writing the demo input: a CSV folder or one XLSX workbook, byte-identical for equal inputs.

openpyxl stamps the wall-clock time into ``docProps/core.xml`` and into every zip entry, so
the workbook is saved with a fixed timestamp derived from the data and then re-zipped by
`etl.publish.files.normalise_xlsx` (which the published packages use too).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from etl.publish.files import normalise_xlsx

from .schema import Table

MARKER_FILE = "_demo.json"
MARKER_SHEET = "_demo"


def marker_json(marker: Mapping[str, object]) -> str:
    """The marker as written to ``_demo.json`` (sorted keys, trailing newline)."""
    return json.dumps(dict(marker), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_csv(out: Path, tables: Iterable[Table], marker: Mapping[str, object],
              progress: Callable[[str], None] | None = None) -> Path:
    """One UTF-8 CSV per table (LF line ends) plus the marker file, in folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for table in tables:
        if progress:
            progress(f"writing {table.name}.csv")
        table.frame.to_csv(out / f"{table.name}.csv", index=False, lineterminator="\n",
                           encoding="utf-8")
    (out / MARKER_FILE).write_text(marker_json(marker), encoding="utf-8", newline="\n")
    return out


def _cells(table: Table) -> list[list[object]]:
    """Column-wise Python values for openpyxl: None for missing, dates for date columns."""
    columns: list[list[object]] = []
    for name in table.frame.columns:
        if name in table.dates:
            columns.append(np.asarray(table.dates[name], dtype="datetime64[D]")
                           .astype(object).tolist())
            continue
        series = table.frame[name]
        values = series.astype(object).where(series.notna(), None)
        columns.append(values.tolist())
    return columns


def write_xlsx(path: Path, tables: Iterable[Table], marker: Mapping[str, object],
               stamp: dt.datetime) -> Path:
    """One sheet per table plus the ``_demo`` marker sheet, reproducible to the byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    wb.properties.creator = str(marker.get("generator", "etl.demo"))
    wb.properties.created = stamp
    wb.properties.modified = stamp
    for table in tables:
        ws = wb.create_sheet(table.name)
        ws.append(list(table.frame.columns))
        for row in zip(*_cells(table), strict=True):
            ws.append(list(row))
    ws = wb.create_sheet(MARKER_SHEET)
    ws.append(["key", "value"])
    for key in sorted(marker):
        ws.append([key, marker[key]])
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(normalise_xlsx(buffer.getvalue(), stamp))
    return path
