"""Read a raw input — a folder of CSV files or one XLSX workbook — into string tables.

Everything arrives as text here (stripped, empty cells as missing), whatever the container, so
that the checker applies one set of rules to both. Container-level trouble (missing files, bad
encodings, encrypted or corrupt workbooks, formulas, misplaced headers) is reported as problems,
never raised.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from etl.problems import WARNING, Problems
from etl.rawformat import TableSpec, tables

#: Marker written by `etl demo`; the ETL uses it to recognise synthetic inputs.
DEMO_MARKER_FILE = "_demo.json"
DEMO_MARKER_SHEET = "_demo"

#: How many rows from the top may sit above the real header before we stop looking for it.
HEADER_SEARCH_ROWS = 5

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"

Progress = Callable[[str], None]


@dataclass
class RawTable:
    """One table as read: every cell a stripped string or missing, and each record's row number
    as the spreadsheet shows it (header = row 1)."""

    name: str
    file: str
    data: pd.DataFrame
    rows: np.ndarray
    present: frozenset[str] = frozenset()  # columns the file has (absent optional ones read empty)

    def __len__(self) -> int:
        return len(self.data)


@dataclass
class RawInput:
    path: Path
    container: str  # "csv" or "xlsx"
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    demo_marker: dict | None = None
    found: set[str] = field(default_factory=set)  # tables present, even if unreadable
    opened: bool = True  # False when the container itself could not be read


def read_raw(path: Path, progress: Progress | None = None) -> RawInput:
    """Read `path` (a folder of CSV files or an .xlsx workbook); never raises on bad content."""
    path = Path(path)
    if path.is_dir():
        raw = RawInput(path, "csv")
        _read_folder(raw, progress)
    else:
        raw = RawInput(path, "xlsx")
        _read_workbook(raw, progress)
    if not raw.opened:
        return raw
    for spec in tables().values():
        if spec.name in raw.found:
            continue
        missing_from = display_name(raw, spec)
        if spec.required:
            where = "folder" if raw.container == "csv" else "workbook"
            raw.problems.file_error(
                missing_from, "file.missing",
                f"this required {'file' if raw.container == 'csv' else 'sheet'} is missing "
                f"from the {where}",
            )
    for spec in tables().values():
        for needed in spec.requires:
            if spec.name in raw.found and needed not in raw.found:
                raw.problems.file_error(
                    display_name(raw, spec), "file.requires",
                    f"needs {display_name(raw, tables()[needed])} as well, which is missing",
                )
    return raw


def display_name(raw: RawInput, spec: TableSpec) -> str:
    return spec.filename if raw.container == "csv" else f"{raw.path.name} › {spec.name}"


# --- CSV folder -----------------------------------------------------------------------------


def _read_folder(raw: RawInput, progress: Progress | None) -> None:
    present = {p.name.lower(): p for p in raw.path.iterdir() if p.is_file()}
    marker = present.get(DEMO_MARKER_FILE)
    if marker is not None:
        try:
            raw.demo_marker = json.loads(marker.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raw.problems.file_error(DEMO_MARKER_FILE, "file.marker",
                                    "is not the JSON marker that `etl demo` writes")
    files = {spec.name: present.get(spec.filename) for spec in tables().values()}
    _read_each(raw, files, lambda path, spec: _read_csv(path, spec, raw.problems), progress)


def _read_each(raw: RawInput, sources: dict[str, Any],
               read_one: Callable[[Any, TableSpec], RawTable | None],
               progress: Progress | None) -> None:
    """Read every table the container holds (a file or a sheet), in the contract's order."""
    for spec in tables().values():
        source = sources.get(spec.name)
        if source is None:
            continue
        raw.found.add(spec.name)
        if progress:
            progress(f"reading {display_name(raw, spec)}")
        table = read_one(source, spec)
        if table is not None:
            raw.tables[spec.name] = table


def _read_csv(path: Path, spec: TableSpec, problems: Problems) -> RawTable | None:
    name = spec.filename
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        problems.file_error(name, "file.empty", "the file is empty: it needs a header row "
                            "and at least one data row")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start:exc.start + 1].hex()
        problems.file_error(
            name, "file.encoding",
            f"the file is not UTF-8 text (byte 0x{bad} cannot be read); save it again as "
            "\"CSV UTF-8\"", row=line)
        return None
    frame = _parse_csv_fast(data, text)
    if frame is None:
        # Rows of different lengths (an extra row above the header, a stray comma) or blank
        # lines: the slow, tolerant path, after which the header decides what is out of place.
        frame = _columns_frame(list(csv.reader(io.StringIO(text))))
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return _frame_to_table(spec, name, frame, rows, problems)


def _parse_csv_fast(data: bytes, text: str) -> pd.DataFrame | None:
    """Arrow's multi-threaded parser for well-formed files; None when the file is ragged or
    has blank lines, whose row numbers only the tolerant path keeps right."""
    first = next(csv.reader(io.StringIO(text[:65536])), [])
    names = [f"c{i}" for i in range(len(first))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    columns = {}
    for i, column in enumerate(table.columns):
        encoded = pc.utf8_trim_whitespace(column).combine_chunks().dictionary_encode()
        columns[i] = _vocabulary(encoded.indices.to_numpy(zero_copy_only=False),
                                 encoded.dictionary.to_pylist())
    return pd.DataFrame(columns)


def _vocabulary(codes: np.ndarray, labels: list[str]) -> pd.Categorical:
    """Cells as a categorical over their distinct stripped values, empty as missing.

    The checker then parses each distinct spelling once, however many rows repeat it.
    """
    label_codes, categories = pd.factorize(np.asarray(labels, dtype=object))
    keep = categories != ""
    index = np.full(len(categories), -1, dtype=np.int64)
    index[keep] = np.arange(int(keep.sum()))
    remap = np.append(index[label_codes], -1)  # the last slot serves code -1 (missing)
    return pd.Categorical.from_codes(remap[np.asarray(codes, dtype=np.int64)],
                                     categories=pd.Index(categories[keep], dtype=object))


def _columns_frame(records: list[list[str]]) -> pd.DataFrame:
    """Rows of cells (any lengths) into a frame of stripped categoricals."""
    width = max((len(r) for r in records), default=0)
    columns = {}
    for i in range(width):
        cells = np.asarray([r[i] if i < len(r) else "" for r in records], dtype=object)
        codes, uniques = pd.factorize(cells)
        columns[i] = _vocabulary(codes, [str(u).strip() for u in uniques])
    return pd.DataFrame(columns, index=pd.RangeIndex(len(records)))


# --- XLSX workbook --------------------------------------------------------------------------


def _read_workbook(raw: RawInput, progress: Progress | None) -> None:
    import openpyxl  # imported here: only workbooks need it
    from openpyxl.utils.exceptions import InvalidFileException

    name = raw.path.name
    raw.opened = False  # until the workbook opens
    if not raw.path.exists():
        raw.problems.file_error(name, "file.missing", "no such file or folder")
        return
    with raw.path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC):
        raw.problems.file_error(
            name, "xlsx.encrypted",
            "the workbook is password-protected (or in the old .xls format); remove the "
            "password and save it as an .xlsx workbook")
        return
    if not head.startswith(_ZIP_MAGIC):
        raw.problems.file_error(
            name, "xlsx.corrupt",
            "this is neither a folder of CSV files nor an .xlsx workbook that can be opened")
        return
    try:
        book = openpyxl.load_workbook(raw.path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raw.problems.file_error(
            name, "xlsx.corrupt",
            f"the workbook is damaged and cannot be opened ({type(exc).__name__}); save it "
            "again from the spreadsheet program")
        return
    raw.opened = True
    try:
        sheets = {ws.title.strip().lower().removesuffix(".csv"): ws for ws in book.worksheets}
        marker = sheets.get(DEMO_MARKER_SHEET)
        if marker is not None:
            raw.demo_marker = {str(k): v for k, v, *_ in marker.iter_rows(min_row=2,
                                                                           values_only=True)
                               if k is not None}
        _read_each(raw, sheets, lambda ws, spec: _read_sheet(ws, spec, display_name(raw, spec),
                                                             raw.problems), progress)
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_sheet(ws, spec: TableSpec, name: str, problems: Problems) -> RawTable | None:
    records: list[list[str]] = []
    numbers: list[int] = []
    formula_rows, formula_values, error_rows, error_values = [], [], [], []
    for number, row in enumerate(ws.iter_rows(), start=1):
        texts = []
        for cell in row:
            kind = getattr(cell, "data_type", None)
            if kind == "f":  # reported once as a formula; the cell reads as empty
                formula_rows.append(number)
                formula_values.append(f"{cell.coordinate}: {cell.value}")
                texts.append("")
                continue
            elif kind == "e":
                error_rows.append(number)
                error_values.append(f"{cell.coordinate}: {cell.value}")
            texts.append(_cell_text(cell.value))
        records.append(texts)
        numbers.append(number)
    problems.add(name, None, "xlsx.formula",
                 "the cell holds a formula; copy the sheet and paste values only",
                 formula_rows, formula_values)
    problems.add(name, None, "xlsx.error_cell",
                 "the cell shows a spreadsheet error; correct or clear it",
                 error_rows, error_values)
    if not records or not any(any(t.strip() for t in r) for r in records):
        problems.file_error(name, "file.empty", "the sheet is empty: it needs a header row "
                            "and at least one data row")
        return None
    frame = _columns_frame(records)
    return _frame_to_table(spec, name, frame, np.asarray(numbers, dtype=np.int64), problems)


# --- shared: header, columns, cells ---------------------------------------------------------


def _row_texts(frame: pd.DataFrame, i: int) -> list[str]:
    return ["" if pd.isna(v) else str(v).lower() for v in frame.iloc[i].tolist()]


def _find_header(frame: pd.DataFrame, spec: TableSpec) -> int:
    """Index of the row that holds the header: the first of the top rows naming most columns."""
    expected = set(spec.column_names)
    best, best_hits = 0, -1
    for i in range(min(HEADER_SEARCH_ROWS, len(frame))):
        cells = set(_row_texts(frame, i))
        hits = len(expected & cells)
        if hits > best_hits:
            best, best_hits = i, hits
        if hits * 2 >= len([f for f in spec.fields if f.required]) and hits > 0:
            return i
    return best


def _frame_to_table(spec: TableSpec, name: str, frame: pd.DataFrame, rows: np.ndarray,
                    problems: Problems) -> RawTable | None:
    header_at = _find_header(frame, spec)
    if header_at > 0:
        problems.file_error(
            name, "file.header",
            f"the header must be on row 1, but it is on row {rows[header_at]}; delete the "
            f"row{'s' if header_at > 1 else ''} above it", row=int(rows[0]),
            value=" ".join(str(v) for v in frame.iloc[0].tolist() if not pd.isna(v))[:80])
    header = _row_texts(frame, header_at)
    body = frame.iloc[header_at + 1:].reset_index(drop=True)
    body_rows = rows[header_at + 1:]

    keep: dict[str, int] = {}
    unnamed = [p for p, column in enumerate(header) if not column]
    if unnamed:
        cells = body.iloc[:, unnamed]
        stray = cells.notna().any(axis=1).to_numpy()
        problems.add(
            name, None, "file.cells",
            "the row has values in a column without a name in the header; check for a stray "
            "comma or an unclosed quote, or name the column",
            body_rows[stray], [" | ".join(str(v) for v in r if not pd.isna(v)) for r in
                               cells.loc[stray].itertuples(index=False)])
    for position, column in enumerate(header):
        if not column:
            continue
        if column in keep:
            problems.file_error(name, "column.duplicate",
                                "the column appears twice in the header",
                                row=int(rows[header_at]), column=column)
            continue
        if column not in spec.column_names:
            problems.file_error(name, "column.unknown",
                                "not part of the format; it will be ignored",
                                row=int(rows[header_at]), column=column, severity=WARNING)
            continue
        keep[column] = position
    for f in spec.fields:
        if f.required and f.name not in keep:
            problems.file_error(name, "column.missing", "this required column is missing",
                                row=int(rows[header_at]), column=f.name)

    empty = pd.Categorical.from_codes(np.full(len(body), -1),
                                      categories=pd.Index([], dtype=object))
    data = pd.DataFrame(  # optional columns that are absent read as all-missing
        {f.name: body.iloc[:, keep[f.name]] if f.name in keep else empty for f in spec.fields},
        index=pd.RangeIndex(len(body)),
    )
    blank = data.isna().all(axis=1).to_numpy()
    if blank.any():
        data = data.loc[~blank].reset_index(drop=True)
        body_rows = body_rows[~blank]
    if data.empty and spec.required:
        problems.file_error(name, "file.no_rows", "there are no data rows under the header")
    return RawTable(spec.name, name, data, np.asarray(body_rows, dtype=np.int64),
                    frozenset(keep))
