"""Intake of an uploaded survey export: store it safely for the ETL, or refuse it.

An upload is hostile until it has passed here. Both accepted kinds are zip archives — an XLSX
workbook or a zip of the CSV files — told apart by their content, never by their name. Every
member is checked in the central directory before anything is unpacked, and again on its real,
decompressed bytes while it is read, because the sizes an archive declares can lie. A refusal is
an :class:`IntakeError` whose message the staff read in their language, and leaves nothing on
disk. What the ETL reports itself (formulas, error cells, encodings, columns: etl/read.py) is
left to it. Nothing here logs file contents or values.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import stat
import struct
import typing
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal import i18n
from portal.i18n import N_

#: What :func:`receive` returns inside its folder, by kind.
WORKBOOK = "workbook.xlsx"
CSV_FOLDER = "csv"
#: The marker `etl demo` writes next to the CSV files (etl.read.DEMO_MARKER_FILE).
DEMO_MARKER = "_demo.json"

_PART = "upload.part"
_CHUNK = 1 << 20
#: Members smaller than this are not judged by their ratio: a small part (a column of blank
#: cells) may compress very well, and cannot hurt anyone however well it compresses.
_RATIO_FLOOR = 1 << 20
#: Central directory bytes allowed per permitted entry: a directory larger than this for the
#: entries it claims is not one a zip tool wrote, and zipfile would parse all of it.
_DIRECTORY_BYTES_PER_ENTRY = 4096
_CARRY = 256  # bytes kept between chunks so that a pattern cut in two is still found
_OPEN = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_ARCHIVES = ((b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
                   (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"))
_ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".xz")
#: What operating systems add to a zip of a folder on their own; skipped, never unpacked.
_LITTER_FOLDERS = {"__macosx"}
_LITTER_FILES = {".ds_store", "thumbs.db", "desktop.ini"}

_DRIVE = re.compile(r"^[A-Za-z]:")
_DTD = re.compile(rb"<!(?:doctype|entity)", re.IGNORECASE)
#: A worksheet row element, with or without a namespace prefix (`<row `, `<x:row>`, `<row/>`).
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,200}:)?row[\s>/]")
_MACRO_TYPES = re.compile(rb"macroenabled|vbaproject|macrosheet", re.IGNORECASE)
_EXTERNAL_LINK = re.compile(rb"relationships/externallink", re.IGNORECASE)
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
               NotImplementedError)  # what zipfile raises on damaged or unsupported data

_NO_NAME = N_("The upload has no file name. Choose the survey export again: an Excel workbook "
              "(.xlsx) or a zip archive (.zip) of the CSV files.")
_BAD_NAME = N_("%(file)s is neither an Excel workbook (.xlsx) nor a zip archive (.zip). Upload "
               "the survey export as an .xlsx workbook or as a .zip archive of the CSV files.")
_SINGLE_CSV = N_("%(file)s is a single CSV file. Put all the CSV files of the survey export "
                 "into one .zip archive and upload that.")
_TOO_LARGE = N_("%(file)s is larger than the limit of %(limit)s MB. Upload only the survey "
                "export, without other files.")
_EMPTY = N_("%(file)s is empty. Export the survey again and upload the new file.")
_OLD_XLS = N_("%(file)s is an old Excel 97–2003 workbook (.xls) or one protected with a "
              "password. Open it in the spreadsheet program, remove any password and save it "
              "as an Excel workbook (.xlsx).")
_ODS = N_("%(file)s is an OpenDocument spreadsheet (.ods). Open it in the spreadsheet program "
          "and save it as an Excel workbook (.xlsx).")
_OFFICE = N_("%(file)s is an Office document but not an Excel workbook. Save the survey export "
             "as an Excel workbook (.xlsx).")
_OTHER_ARCHIVE = N_("%(file)s is a %(kind)s archive. Pack the CSV files into a .zip archive "
                    "instead.")
_NOT_ZIP = N_("%(file)s is not an Excel workbook or a zip archive, whatever its name says (it "
              "may be a PDF, a text file or a picture). Upload the survey export as an .xlsx "
              "workbook or as a .zip archive of the CSV files.")
_EMPTY_ZIP = N_("%(file)s is an empty zip archive. Put the CSV files of the survey export into "
                "it and upload it again.")
_DAMAGED = N_("%(file)s is damaged and cannot be opened. Export or pack it again and upload the "
              "new file.")
_TOO_MANY = N_("%(file)s holds more than %(limit)s files. Upload only the survey export.")
_UNSAFE_NAME = N_("%(file)s contains a file with an unsafe name (%(member)s). Save or pack the "
                  "survey export again from an ordinary folder and upload the new file.")
_SYMLINK = N_("%(file)s contains a symbolic link (%(member)s). Pack the CSV files themselves, "
              "not links to them.")
_ENCRYPTED = N_("%(file)s is protected with a password (%(member)s). Save or pack it again "
                "without a password.")
_METHOD = N_("%(file)s is compressed in a way that cannot be read (%(member)s). Pack it again "
             "as an ordinary zip archive.")
_UNPACKED = N_("%(file)s unpacks to more than the limit of %(limit)s MB. Upload only the "
               "survey export, without other files.")
_RATIO = N_("%(file)s contains %(member)s, which unpacks to more than %(limit)s times its "
            "packed size, as archives built to overload servers do. Upload the survey export "
            "as the survey tool or the spreadsheet program wrote it.")
_MACROS = N_("%(file)s contains macros. Save it as an Excel workbook (.xlsx) without macros "
             "and upload it again.")
_EXTERNAL = N_("%(file)s links to other workbooks. Break the links (Data › Edit Links › Break "
               "Link) so that only values remain, save it and upload it again.")
_ODD_XML = N_("%(file)s contains XML that spreadsheet programs do not write (%(member)s). Save "
              "the workbook again from the spreadsheet program and upload the new file.")
_SHEET_ROWS = N_("Sheet “%(sheet)s” of %(file)s has more than %(limit)s data rows. Remove what "
                 "is not survey data, or ask for the limit to be raised.")
_NESTED = N_("%(file)s contains another archive (%(member)s). Unpack it and put its CSV files "
             "directly into the .zip archive.")
_OTHER_FILE = N_("%(file)s contains %(member)s, which is not a CSV file. The archive may hold "
                 "only the CSV files of the survey export.")
_LAYOUT = N_("The CSV files in %(file)s are spread over several folders. Put them all at the "
             "top of the archive, or all in one folder, and pack them again.")
_DUPLICATE = N_("%(file)s contains %(member)s twice (names that differ only in capital letters "
                "count as the same). Keep one of them and pack the files again.")
_NO_CSV = N_("%(file)s contains no CSV files. Put the CSV files of the survey export into the "
             ".zip archive.")
_CSV_ROWS = N_("%(member)s in %(file)s has more than %(limit)s data rows. Remove what is not "
               "survey data, or ask for the limit to be raised.")


class IntakeError(Exception):
    """An upload refused before the ETL reads it."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def text(self) -> str:
        """The message in the current request's language."""
        return i18n._(self.message, **self.params)


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 50 * 2**20      # the upload itself
    unpacked_bytes: int = 200 * 2**20   # everything it decompresses to
    ratio: int = 100                    # largest uncompressed/compressed ratio of one member
    entries: int = 200                  # members in the zip
    rows: int = 200_000                 # data rows per sheet or CSV file


def receive(stream: typing.BinaryIO, filename: str, folder: Path,
            limits: Limits = Limits()) -> Path:
    """Store the upload under `folder` (which must not exist yet; created 0700) and return the
    path the ETL reads: `folder/"workbook.xlsx"` or the folder of CSV files `folder/"csv"`. On
    refusal raise IntakeError and leave `folder` absent."""
    name = _shown(filename)
    _check_name(name)
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.mkdir(folder, 0o700)  # an existing folder is the caller's mistake: raised, left alone
    try:
        part = folder / _PART
        _copy(stream, part, name, limits)
        _check_magic(part, name)
        return _unpack(part, name, folder, limits)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


# --- the upload as a file ------------------------------------------------------------------


def _shown(filename: str) -> str:
    """The file's own name (browsers may send a whole path), printable and short."""
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    return _printable(base, 100)


def _printable(text: str, width: int) -> str:
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return shown if len(shown) <= width else shown[:width - 1] + "…"


def _check_name(name: str) -> None:
    lower = name.lower()
    if not name:
        raise IntakeError(_NO_NAME)
    if lower.endswith(".csv"):
        raise IntakeError(_SINGLE_CSV, file=name)
    if lower.endswith(".xls"):
        raise IntakeError(_OLD_XLS, file=name)
    if lower.endswith(".ods"):
        raise IntakeError(_ODS, file=name)
    if not lower.endswith((".xlsx", ".zip")):
        raise IntakeError(_BAD_NAME, file=name)


def _megabytes(size: int) -> str:
    value = size / 2**20
    return str(round(value)) if value >= 10 else f"{value:.2g}"


def _copy(stream: typing.BinaryIO, part: Path, name: str, limits: Limits) -> None:
    """Copy in chunks, stopping as soon as the upload passes its limit."""
    total = 0
    with os.fdopen(os.open(part, _OPEN, 0o600), "wb") as out:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > limits.upload_bytes:
                raise IntakeError(_TOO_LARGE, file=name, limit=_megabytes(limits.upload_bytes))
            out.write(chunk)
    if total == 0:
        raise IntakeError(_EMPTY, file=name)


def _check_magic(part: Path, name: str) -> None:
    """Both kinds are zip archives; say what anything else is, when that helps."""
    with part.open("rb") as fh:
        head = fh.read(512)
    if head.startswith(_ZIP_MAGIC):
        return
    if head.startswith(_EMPTY_ZIP_MAGIC):
        raise IntakeError(_EMPTY_ZIP, file=name)
    if head.startswith(_OLE_MAGIC):
        raise IntakeError(_OLD_XLS, file=name)
    for magic, kind in _OTHER_ARCHIVES:
        if head.startswith(magic):
            raise IntakeError(_OTHER_ARCHIVE, file=name, kind=kind)
    if head[257:262] == b"ustar":
        raise IntakeError(_OTHER_ARCHIVE, file=name, kind="tar")
    raise IntakeError(_NOT_ZIP, file=name)


# --- the zip archive -----------------------------------------------------------------------


def _unpack(part: Path, name: str, folder: Path, limits: Limits) -> Path:
    _check_end_record(part, name, limits)
    try:
        archive = zipfile.ZipFile(part)
    except _UNREADABLE:
        raise IntakeError(_DAMAGED, file=name) from None
    with archive:
        infos = archive.infolist()
        _check_directory(infos, name, limits)
        meter = _Meter(name, limits)
        names = {info.filename.lower() for info in infos}
        if "[content_types].xml" in names and "xl/workbook.xml" in names:
            _check_workbook(archive, infos, name, limits, meter)
        elif "mimetype" in names and "content.xml" in names:
            raise IntakeError(_ODS, file=name)
        elif "[content_types].xml" in names:
            raise IntakeError(_OFFICE, file=name)
        else:
            target = folder / CSV_FOLDER
            _extract_csv(archive, infos, name, target, limits, meter)
            part.unlink()
            return target
    target = folder / WORKBOOK
    part.rename(target)  # the original bytes, only now that they passed
    return target


def _check_end_record(part: Path, name: str, limits: Limits) -> None:
    """Refuse too many entries from the end record, before zipfile parses the whole directory
    into memory (it reads as many bytes as the record's directory size says, whatever the
    count)."""
    size = part.stat().st_size
    with part.open("rb") as fh:
        start = max(0, size - (22 + 0xFFFF))
        fh.seek(start)
        tail = fh.read()
        at = tail.rfind(_EMPTY_ZIP_MAGIC)  # as zipfile does: the last end record
        if at < 0 or len(tail) - at < 22:
            raise IntakeError(_DAMAGED, file=name)
        _, _, _, on_disk, total, directory, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
        end = start + at
        if end >= 20 + 56:  # a zip64 locator right before it wins, as in zipfile
            fh.seek(end - 20 - 56)
            record, locator = fh.read(56), fh.read(20)
            if locator.startswith(b"PK\x06\x07"):
                if not record.startswith(b"PK\x06\x06"):
                    raise IntakeError(_DAMAGED, file=name)
                on_disk, total, directory = struct.unpack("<3Q", record[24:48])
    if max(on_disk, total) > limits.entries:
        raise IntakeError(_TOO_MANY, file=name, limit=limits.entries)
    if directory > limits.entries * _DIRECTORY_BYTES_PER_ENTRY:
        raise IntakeError(_DAMAGED, file=name)


def _unsafe(raw: str) -> bool:
    """A member name that could land outside the folder, or that no file system takes."""
    if not raw or raw.startswith("/") or _DRIVE.match(raw) or "\\" in raw:
        return True
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):  # NUL included
        return True
    parts = raw.removesuffix("/").split("/")
    return any(p in ("", ".", "..") or len(p.encode("utf-8")) > 255 for p in parts)


def _check_directory(infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    """Everything the central directory tells, before a byte is unpacked."""
    if len(infos) > limits.entries:
        raise IntakeError(_TOO_MANY, file=name, limit=limits.entries)
    declared = 0
    for info in infos:
        member = _printable(info.orig_filename, 120)  # orig_filename keeps a NUL zipfile cuts
        if _unsafe(info.orig_filename):
            raise IntakeError(_UNSAFE_NAME, file=name, member=member)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise IntakeError(_SYMLINK, file=name, member=member)
        if info.flag_bits & 0x41:  # encrypted, or strongly encrypted
            raise IntakeError(_ENCRYPTED, file=name, member=member)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise IntakeError(_METHOD, file=name, member=member)
        declared += info.file_size
        if declared > limits.unpacked_bytes:
            raise IntakeError(_UNPACKED, file=name, limit=_megabytes(limits.unpacked_bytes))
        if info.file_size > _allowed(info, limits):
            raise IntakeError(_RATIO, file=name, member=member, limit=limits.ratio)


def _allowed(info: zipfile.ZipInfo, limits: Limits) -> int:
    return max(limits.ratio * max(info.compress_size, 1), _RATIO_FLOOR)


class _Meter:
    """Reads members while counting their real decompressed bytes against the limits."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits, self.total = name, limits, 0

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        real, allowed = 0, _allowed(info, self.limits)
        try:
            member = archive.open(info)
        except _UNREADABLE:
            raise IntakeError(_DAMAGED, file=self.name) from None
        with member:
            while chunk := self._next(member):
                real += len(chunk)
                self.total += len(chunk)
                if self.total > self.limits.unpacked_bytes:
                    raise IntakeError(_UNPACKED, file=self.name,
                                      limit=_megabytes(self.limits.unpacked_bytes))
                if real > allowed:
                    raise IntakeError(_RATIO, file=self.name, limit=self.limits.ratio,
                                      member=_printable(info.filename, 120))
                if real > info.file_size:  # zipfile stops there; no need to rely on it
                    raise IntakeError(_DAMAGED, file=self.name)
                yield chunk

    def _next(self, member: typing.IO[bytes]) -> bytes:
        try:
            return member.read(_CHUNK)
        except _UNREADABLE:  # CRC errors, truncated or invalid deflate data
            raise IntakeError(_DAMAGED, file=self.name) from None


# --- workbook ------------------------------------------------------------------------------


def _check_workbook(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str,
                    limits: Limits, meter: _Meter) -> None:
    for info in infos:
        lower = info.filename.lower()
        if lower.endswith("vbaproject.bin") or lower.startswith(("xl/macrosheets/",
                                                                  "xl/activex/")):
            raise IntakeError(_MACROS, file=name)
        if lower.startswith("xl/externallinks/"):
            raise IntakeError(_EXTERNAL, file=name)
    sheets = _sheet_names(archive)
    for info in infos:
        _scan_part(archive, info, name, limits, meter, sheets)


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits,
               meter: _Meter, sheets: dict[str, str]) -> None:
    """Stream one part: no DTD (entity expansion), no macros or external links declared, and
    the rows counted as they come, stopping at the first one over the limit.

    Every part is scanned, whatever its name: a worksheet may be stored under any name."""
    lower = info.filename.lower()
    xml = lower.endswith((".xml", ".rels")) or lower in sheets
    rows, carry, first = 0, b"", True
    for chunk in meter.read(archive, info):
        if first and xml and (chunk.startswith((b"\xff\xfe", b"\xfe\xff"))
                              or b"\x00" in chunk[:4]):  # UTF-16/32 would hide from the scan
            raise IntakeError(_ODD_XML, file=name, member=_printable(info.filename, 120))
        first = False
        buffer = carry + chunk
        if _DTD.search(buffer):
            raise IntakeError(_ODD_XML, file=name, member=_printable(info.filename, 120))
        if lower == "[content_types].xml" and _MACRO_TYPES.search(buffer):
            raise IntakeError(_MACROS, file=name)
        if lower.endswith(".rels") and _EXTERNAL_LINK.search(buffer):
            raise IntakeError(_EXTERNAL, file=name)
        rows += sum(1 for m in _ROW.finditer(buffer) if m.end() > len(carry))
        if rows > limits.rows + 1:  # the header row and `rows` data rows
            sheet = sheets.get(lower) or info.filename
            raise IntakeError(_SHEET_ROWS, file=name, sheet=_printable(sheet, 60),
                              limit=limits.rows)
        carry = buffer[-_CARRY:]


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part (lower case) → the sheet's name, to name it in a refusal; best effort."""
    book = _small_part(archive, "xl/workbook.xml")
    rels = _small_part(archive, "xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return {}
    try:  # without a DTD there are no entities to expand
        book_root, rels_root = ET.fromstring(book), ET.fromstring(rels)
    except ET.ParseError:
        return {}
    targets = {}
    for rel in rels_root.iter():
        if str(rel.tag).endswith("Relationship"):
            target = rel.get("Target", "")
            path = (target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target)))
            targets[rel.get("Id")] = path.lower()
    names = {}
    for sheet in book_root.iter():
        if str(sheet.tag).endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            if rid in targets:
                names[targets[rid]] = sheet.get("name", "")
    return names


def _small_part(archive: zipfile.ZipFile, part: str, cap: int = 1 << 20) -> bytes | None:
    try:
        info = archive.getinfo(part)
        if info.file_size > cap:
            return None
        with archive.open(info) as fh:
            data = fh.read(cap + 1)
    except (KeyError, *_UNREADABLE):
        return None  # the full scan refuses what cannot be read
    return None if len(data) > cap or _DTD.search(data) else data


# --- CSV archive ---------------------------------------------------------------------------


def _extract_csv(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str,
                 target: Path, limits: Limits, meter: _Meter) -> None:
    files: list[tuple[zipfile.ZipInfo, list[str]]] = []
    for info in infos:
        parts = info.filename.removesuffix("/").split("/")
        if (info.is_dir() or parts[0].lower() in _LITTER_FOLDERS
                or parts[-1].lower() in _LITTER_FILES):
            continue
        base = parts[-1].lower()
        member = _printable(info.filename, 120)
        if base.endswith(_ARCHIVE_SUFFIXES):
            raise IntakeError(_NESTED, file=name, member=member)
        if not (base.endswith(".csv") or base == DEMO_MARKER):
            raise IntakeError(_OTHER_FILE, file=name, member=member)
        files.append((info, parts))
    depths = {len(parts) for _, parts in files}
    tops = {parts[0] for _, parts in files}
    if not (depths <= {1} or (depths == {2} and len(tops) == 1)):
        raise IntakeError(_LAYOUT, file=name)
    seen: set[str] = set()
    for _, parts in files:
        if parts[-1].lower() in seen:
            raise IntakeError(_DUPLICATE, file=name, member=_printable(parts[-1], 120))
        seen.add(parts[-1].lower())
    if not any(base.endswith(".csv") for base in seen):
        raise IntakeError(_NO_CSV, file=name)
    os.mkdir(target, 0o700)
    for info, parts in files:
        _write_member(archive, info, target / parts[-1], name, limits, meter)


def _write_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, name: str,
                  limits: Limits, meter: _Meter) -> None:
    """Unpack one file, counting its lines as they come (a quoted line break counts too)."""
    counted = path.name.lower().endswith(".csv")
    member = _printable(path.name, 120)
    lines, last, first = 0, b"", True
    with os.fdopen(os.open(path, _OPEN, 0o600), "wb") as out:
        for chunk in meter.read(archive, info):
            if first and chunk.startswith(_ZIP_MAGIC):  # an archive renamed .csv
                raise IntakeError(_NESTED, file=name, member=member)
            first = False
            lines += chunk.count(b"\n")
            if counted and lines > limits.rows + 1:  # the header and `rows` data lines
                raise IntakeError(_CSV_ROWS, file=name, member=member, limit=limits.rows)
            out.write(chunk)
            last = chunk[-1:]
    if counted and last not in (b"", b"\n") and lines + 1 > limits.rows + 1:
        raise IntakeError(_CSV_ROWS, file=name, member=member, limit=limits.rows)
