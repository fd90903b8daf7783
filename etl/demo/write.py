"""Writing the demo input: a CSV folder or one XLSX workbook, byte-identical for equal inputs.

openpyxl stamps the wall-clock time into ``docProps/core.xml`` and into every zip entry, so
the workbook is saved with a fixed timestamp derived from the data and then re-zipped with
fixed entry dates in a stable order.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np
from openpyxl import Workbook

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
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    _normalise_zip(tmp, path, stamp)
    return path


def _normalise_zip(src: Path, dst: Path, stamp: dt.datetime) -> None:
    """Re-zip with fixed entry dates and attributes, and the fixed modified time."""
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(src) as zin:
        entries = [(info.filename, zin.read(info)) for info in zin.infolist()]
    first = [e for e in entries if e[0] == "[Content_Types].xml"]
    entries = first + [e for e in entries if e[0] != "[Content_Types].xml"]
    with zipfile.ZipFile(dst, "w") as zout:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + when + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zout.writestr(info, data, compresslevel=6)
    os.remove(src)


