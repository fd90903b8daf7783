"""Files that are byte-identical for identical content: CSV, JSON, XLSX and zip.

A release must be reproducible to the byte (same input, key and version, same files), so no
writer here reads the clock: zip entries and workbook properties carry a timestamp taken from
the data, or from `SOURCE_DATE_EPOCH` when it is set (the reproducible-builds convention).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import zipfile
from collections.abc import Iterable

import pandas as pd

#: Largest table also offered as an XLSX workbook: writing spreadsheets is slow in Python
#: (minutes for a national microdata table) and such tables are better read from CSV anyway.
XLSX_MAX_ROWS = 20_000

#: Zip's epoch: the earliest timestamp a zip entry can carry.
ZIP_EPOCH = dt.datetime(1980, 1, 1)


def release_stamp(data_date: dt.date | None) -> dt.datetime:
    """`SOURCE_DATE_EPOCH` if set, else midnight of the latest date in the data."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    if data_date is None:
        return ZIP_EPOCH
    return max(ZIP_EPOCH, dt.datetime.combine(data_date, dt.time()))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return value


def json_bytes(frame: pd.DataFrame) -> bytes:
    """Records as a JSON array, columns in order, missing values as null (pandas' C writer:
    a national microdata table is millions of cells)."""
    text = frame.to_json(orient="records", force_ascii=False, indent=1, date_format="iso")
    return (text + "\n").encode("utf-8")


def zip_bytes(entries: Iterable[tuple[str, bytes]], stamp: dt.datetime) -> bytes:
    """A zip of `entries` in the given order, every entry with the same date and mode."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=max(stamp, ZIP_EPOCH).timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            out.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def normalise_xlsx(data: bytes, stamp: dt.datetime) -> bytes:
    """An openpyxl workbook made reproducible: fixed modified time in docProps/core.xml,
    re-zipped with fixed entry dates, `[Content_Types].xml` first as Excel expects."""
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        entries = [(info.filename, book.read(info)) for info in book.infolist()]
    entries.sort(key=lambda e: e[0] != "[Content_Types].xml")
    entries = [(name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                             rb"\g<1>" + when + rb"\g<2>", body)
                if name == "docProps/core.xml" else body) for name, body in entries]
    return zip_bytes(entries, stamp)


def xlsx_bytes(frame: pd.DataFrame, sheet: str, stamp: dt.datetime,
               creator: str = "North of Kosovo Product Map") -> bytes:
    """One sheet with a header row; missing values as empty cells."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = creator
    book.properties.created = stamp
    book.properties.modified = stamp
    ws = book.create_sheet(sheet[:31])  # Excel's limit on sheet names
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        ws.append([_plain(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return normalise_xlsx(buffer.getvalue(), stamp)
