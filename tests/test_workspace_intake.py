"""The workspace's intake of uploads: hostile files are refused with a clear message and leave
nothing on disk; valid survey exports are stored for the ETL and check clean."""

from __future__ import annotations

import io
import stat
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from raw_samples import sample, write_csv, write_xlsx

from etl.validate import check_path
from portal.workspace import intake
from portal.workspace.intake import IntakeError, Limits, receive

MB = 2**20
DEFAULT = Limits()

# --- helpers -------------------------------------------------------------------------------


def refuse(tmp_path: Path, blob: bytes, name: str, limits: Limits = DEFAULT) -> str:
    """Upload `blob`; assert it is refused and nothing is left; return the English message."""
    folder = tmp_path / "upload"
    with pytest.raises(IntakeError) as caught:
        receive(io.BytesIO(blob), name, folder, limits)
    assert not folder.exists()
    return str(caught.value)


def accept(tmp_path: Path, blob: bytes, name: str, limits: Limits = DEFAULT) -> Path:
    """Upload `blob`; assert it is stored privately with nothing else beside it."""
    folder = tmp_path / "upload"
    path = receive(io.BytesIO(blob), name, folder, limits)
    assert [p.name for p in folder.iterdir()] == [path.name]
    for item in [folder, *folder.rglob("*")]:
        assert stat.S_IMODE(item.stat().st_mode) == (0o700 if item.is_dir() else 0o600), item
    return path


def workbook(tmp_path: Path, data: dict | None = None) -> bytes:
    return write_xlsx(tmp_path / "source.xlsx", data or sample()).read_bytes()


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), content,
                             compress_type=method)
    return buffer.getvalue()


def csv_members(tmp_path: Path, prefix: str = "") -> dict[str, bytes]:
    folder = write_csv(tmp_path / "source-csv", sample())
    return {prefix + p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def rezip(blob: bytes, add: dict[str, bytes] | None = None,
          replace: dict[str, bytes] | None = None) -> bytes:
    """A copy of the zip `blob` with members added or replaced."""
    members = {}
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    members.update(replace or {})
    members.update(add or {})
    return zip_bytes(members)


@dataclass
class Entry:
    """One member of a zip written byte by byte, so that its headers can say anything."""

    name: bytes
    data: bytes  # as stored (deflated or not)
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0
    attr: int = 0


def deflated(name: str | bytes, content: bytes) -> Entry:
    raw = name.encode() if isinstance(name, str) else name
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return Entry(raw, packer.compress(content) + packer.flush(), len(content),
                 zlib.crc32(content))


def zeros(name: str, megabytes: int) -> Entry:
    """A member of `megabytes` MiB of zeros, deflated without building it: after a full flush
    the compressor starts afresh, so every mebibyte deflates to the same bytes."""
    block = bytes(MB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    assert first == again
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    return Entry(name.encode(), first * megabytes + packer.flush(), megabytes * MB, crc)


def raw_zip(entries: list[Entry], sizes: dict[bytes, int] | None = None) -> bytes:
    """The zip of `entries`, with each member's declared uncompressed size from `sizes`."""
    out, directory = bytearray(), bytearray()
    for e in entries:
        size = (sizes or {}).get(e.name, e.size)
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, e.flags, e.method, 0, 0x21, e.crc,
                           len(e.data), size, len(e.name), 0) + e.name + e.data
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x0314, 20, e.flags, e.method,
                                 0, 0x21, e.crc, len(e.data), size, len(e.name), 0, 0, 0, 0,
                                 e.attr, offset) + e.name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(directory), len(out), 0)
    return bytes(out + directory + end)


# --- accepted ------------------------------------------------------------------------------


def test_a_valid_workbook_is_stored_as_uploaded_and_checks_clean(tmp_path: Path) -> None:
    blob = workbook(tmp_path)
    path = accept(tmp_path, blob, "Survey export.XLSX")
    assert path == tmp_path / "upload" / "workbook.xlsx"
    assert path.read_bytes() == blob
    assert check_path(path).ok


@pytest.mark.parametrize("prefix", ["", "survey 2019/"], ids=["flat", "in-one-folder"])
def test_a_valid_zip_of_csv_files_is_unpacked_and_checks_clean(tmp_path: Path,
                                                                prefix: str) -> None:
    members = csv_members(tmp_path, prefix)
    blob = zip_bytes({**({prefix: b""} if prefix else {}), **members})
    path = accept(tmp_path, blob, "export.zip")
    assert path == tmp_path / "upload" / "csv"
    assert {p.name: p.read_bytes() for p in path.iterdir()} == {
        name.removeprefix(prefix): content for name, content in members.items()}
    assert check_path(path).ok


def test_the_kind_is_decided_by_content_not_by_the_name(tmp_path: Path) -> None:
    book = accept(tmp_path / "a", workbook(tmp_path), "export.zip")
    assert book.name == "workbook.xlsx" and check_path(book).ok
    folder = accept(tmp_path / "b", zip_bytes(csv_members(tmp_path)), "export.xlsx")
    assert folder.name == "csv" and check_path(folder).ok


def test_the_demo_marker_and_what_a_mac_adds_to_a_zip_are_fine(tmp_path: Path) -> None:
    members = csv_members(tmp_path, "export/")
    litter = {"__MACOSX/export/._enterprises.csv": b"\x00\x05\x16\x07",
              "export/.DS_Store": b"\x00\x00\x00\x01Bud1"}
    blob = zip_bytes({**members, "export/_demo.json": b'{"seed": 1}', **litter})
    path = accept(tmp_path, blob, "export.zip")
    assert sorted(p.name for p in path.iterdir()) == sorted(
        [n.removeprefix("export/") for n in members] + ["_demo.json"])


def test_formulas_pass_intake_and_the_etl_reports_them(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "source.xlsx", sample())
    book = load_workbook(source)
    book["products"]["D2"] = "=1000+200"
    book.save(source)
    path = accept(tmp_path, source.read_bytes(), "export.xlsx")
    result = check_path(path)
    assert not result.ok
    assert [p.rule for p in result.problems if p.severity == "error"] == ["xlsx.formula"]


def test_rows_and_lines_up_to_the_limit_are_accepted(tmp_path: Path) -> None:
    data = sample()
    limits = Limits(rows=len(data["enterprises"]))
    assert check_path(accept(tmp_path / "a", workbook(tmp_path, data), "a.xlsx", limits)).ok
    members = csv_members(tmp_path)
    members["enterprises.csv"] = members["enterprises.csv"].rstrip(b"\n")  # no final newline
    assert check_path(accept(tmp_path / "b", zip_bytes(members), "b.zip", limits)).ok


# --- the upload as a file ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("", "has no file name"),
    ("export.pdf", "export.pdf is neither an Excel workbook (.xlsx) nor a zip archive (.zip)"),
    ("C:\\Users\\staff\\export.xlsm", "export.xlsm is neither an Excel workbook"),
    ("enterprises.csv", "enterprises.csv is a single CSV file. Put all the CSV files"),
    ("export.xls", "old Excel 97–2003 workbook (.xls)"),
    ("export.ods", "OpenDocument spreadsheet (.ods)"),
])
def test_the_file_name_must_end_in_xlsx_or_zip(tmp_path: Path, name: str,
                                               expected: str) -> None:
    assert expected in refuse(tmp_path, workbook(tmp_path), name)


class Endless(io.RawIOBase):
    """A stream that never ends, and remembers how much was read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        buffer[:] = b"\x00" * len(buffer)
        self.served += len(buffer)
        return len(buffer)


def test_an_upload_over_the_limit_is_refused_as_soon_as_it_passes_it(tmp_path: Path) -> None:
    stream = Endless()
    folder = tmp_path / "upload"
    with pytest.raises(IntakeError) as caught:
        receive(stream, "export.xlsx", folder, Limits(upload_bytes=3 * MB))
    assert str(caught.value).startswith(
        "export.xlsx is larger than the limit of 3 MB. Upload only the survey export")
    assert stream.served <= 5 * MB
    assert not folder.exists()
    message = refuse(tmp_path, workbook(tmp_path), "export.xlsx", Limits(upload_bytes=1000))
    assert "larger than the limit of 0.00095 MB" in message


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert refuse(tmp_path, b"", "export.xlsx") == (
        "export.xlsx is empty. Export the survey again and upload the new file.")


@pytest.mark.parametrize(("blob", "expected"), [
    (b"enterprise_id,business_name\nPM-001,Mlekara\n", "is not an Excel workbook or a zip"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is not an Excel workbook or a zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "old Excel 97–2003 workbook (.xls) "
     "or one protected with a password. Open it in the spreadsheet program, remove any "
     "password and save it as an Excel workbook (.xlsx)."),
    (b"Rar!\x1a\x07\x01\x00" + bytes(100), "is a RAR archive. Pack the CSV files into a .zip"),
    (b"PK\x05\x06" + bytes(18), "is an empty zip archive"),
], ids=["text", "pdf", "ole", "rar", "empty-zip"])
def test_content_that_is_no_zip_is_refused_whatever_its_name(tmp_path: Path, blob: bytes,
                                                             expected: str) -> None:
    assert expected in refuse(tmp_path, blob, "export.xlsx")


def test_other_office_documents_are_refused(tmp_path: Path) -> None:
    ods = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                     "content.xml": b"<office:document-content/>"})
    assert "OpenDocument spreadsheet (.ods)" in refuse(tmp_path, ods, "export.xlsx")
    docx = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert "is an Office document but not an Excel workbook" in refuse(tmp_path, docx,
                                                                       "export.xlsx")


def test_an_existing_folder_is_the_callers_mistake_and_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "earlier.xlsx").write_bytes(b"kept")
    with pytest.raises(FileExistsError):
        receive(io.BytesIO(workbook(tmp_path)), "export.xlsx", folder)
    assert (folder / "earlier.xlsx").read_bytes() == b"kept"


# --- zip safety ----------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    bomb = raw_zip([zeros("enterprises.csv", 300)])  # 300 MB of zeros in about 300 KB
    assert len(bomb) < MB
    assert refuse(tmp_path, bomb, "export.zip") == (
        "export.zip unpacks to more than the limit of 200 MB. Upload only the survey export, "
        "without other files.")


def test_a_member_packed_too_well_is_refused(tmp_path: Path) -> None:
    blob = raw_zip([zeros("enterprises.csv", 20)])  # within every size limit, ratio ~1000
    assert refuse(tmp_path, blob, "export.zip").startswith(
        "export.zip contains enterprises.csv, which unpacks to more than 100 times its packed "
        "size")


def test_small_limits_on_unpacked_size_and_ratio(tmp_path: Path) -> None:
    members = csv_members(tmp_path)
    total = sum(len(c) for c in members.values())
    blob = zip_bytes(members)
    assert "unpacks to more than the limit" in refuse(
        tmp_path, blob, "export.zip", Limits(unpacked_bytes=total - 1))
    assert accept(tmp_path, blob, "export.zip", Limits(unpacked_bytes=total)).is_dir()


def test_a_member_whose_declared_size_lies_is_refused(tmp_path: Path) -> None:
    """The directory says 1 KB, the data inflates to 50 MB: the reader stops at the declared
    size and the checksum of the whole member does not match what was read."""
    bomb = zeros("enterprises.csv", 50)
    blob = raw_zip([bomb], sizes={bomb.name: 1000})
    assert refuse(tmp_path, blob, "export.zip") == (
        "export.zip is damaged and cannot be opened. Export or pack it again and upload the "
        "new file.")


def test_no_more_than_the_declared_size_ever_reaches_the_disk(tmp_path: Path) -> None:
    """Even with a checksum forged for the declared part, only that part is unpacked."""
    bomb = zeros("enterprises.csv", 50)
    bomb.crc = zlib.crc32(bytes(1000))
    path = accept(tmp_path, raw_zip([bomb], sizes={bomb.name: 1000}), "export.zip")
    assert (path / "enterprises.csv").stat().st_size == 1000


def test_a_reader_yielding_more_than_declared_is_stopped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """zipfile stops at the declared size; intake does not rely on it."""
    blob = zip_bytes(csv_members(tmp_path))
    real_open = zipfile.ZipFile.open

    def inflating(self: zipfile.ZipFile, info: zipfile.ZipInfo, *args: object) -> io.BytesIO:
        real_open(self, info).close()
        return io.BytesIO(bytes(info.file_size + 3 * MB))

    monkeypatch.setattr(zipfile.ZipFile, "open", inflating)
    assert "is damaged and cannot be opened" in refuse(tmp_path, blob, "export.zip")


def test_the_real_bytes_alone_enforce_the_limits(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the directory's checks passed (or fooled), counting while unpacking refuses."""
    monkeypatch.setattr(intake, "_check_directory", lambda *args: None)
    bomb = raw_zip([zeros("enterprises.csv", 20)])
    assert "which unpacks to more than 100 times its packed size" in refuse(
        tmp_path, bomb, "export.zip")
    assert "unpacks to more than the limit of 4 MB" in refuse(
        tmp_path, bomb, "export.zip", Limits(unpacked_bytes=4 * MB, ratio=10**6))


@pytest.mark.parametrize(("member", "shown"), [
    (b"../evil.csv", "../evil.csv"),
    (b"/etc/evil.csv", "/etc/evil.csv"),
    (b"a\\..\\b.csv", "a\\..\\b.csv"),
    (b"C:/evil.csv", "C:/evil.csv"),
    (b"export/../../evil.csv", "export/../../evil.csv"),
    (b"evil.csv\x00.txt", "evil.csv\\x00.txt"),
])
def test_member_names_that_leave_the_folder_are_refused(tmp_path: Path, member: bytes,
                                                        shown: str) -> None:
    entries = [deflated("enterprises.csv", b"enterprise_id\n"), deflated(member, b"x\n")]
    for name in ("export.zip", "export.xlsx"):
        assert refuse(tmp_path, raw_zip(entries), name) == (
            f"{name} contains a file with an unsafe name ({shown}). Save or pack the survey "
            "export again from an ordinary folder and upload the new file.")


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    link = deflated("enterprises.csv", b"/etc/passwd")
    link.attr = (stat.S_IFLNK | 0o777) << 16
    assert refuse(tmp_path, raw_zip([link]), "export.zip") == (
        "export.zip contains a symbolic link (enterprises.csv). Pack the CSV files themselves, "
        "not links to them.")


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    secret = deflated("enterprises.csv", b"enterprise_id\n")
    secret.flags = 0x1
    assert "is protected with a password (enterprises.csv)" in refuse(
        tmp_path, raw_zip([secret]), "export.zip")


def test_an_unusual_compression_method_is_refused(tmp_path: Path) -> None:
    blob = zip_bytes(csv_members(tmp_path), zipfile.ZIP_BZIP2)
    assert "is compressed in a way that cannot be read" in refuse(tmp_path, blob, "export.zip")


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    many = {f"t{i:03}.csv": b"a\n" for i in range(201)}
    expected = "export.zip holds more than 200 files. Upload only the survey export."
    assert refuse(tmp_path, zip_bytes(many), "export.zip") == expected
    assert "holds more than 5 files" in refuse(
        tmp_path, zip_bytes(csv_members(tmp_path)), "export.zip", Limits(entries=5))
    # an end record that understates the count: the directory itself is counted
    lying = raw_zip([deflated(name, c) for name, c in many.items()])
    lying = lying[:-14] + struct.pack("<2H", 1, 1) + lying[-10:]
    assert refuse(tmp_path, lying, "export.zip") == expected


@pytest.mark.parametrize("damage", ["truncated", "checksum"])
def test_a_damaged_zip_is_refused_cleanly(tmp_path: Path, damage: str) -> None:
    entry = deflated("enterprises.csv", b"enterprise_id,business_name\nPM-001,Mlekara\n" * 50)
    blob = raw_zip([entry])
    if damage == "truncated":
        blob = blob[:len(blob) // 2]
    else:
        entry.crc ^= 1
        blob = raw_zip([entry])
    assert refuse(tmp_path, blob, "export.zip") == (
        "export.zip is damaged and cannot be opened. Export or pack it again and upload the "
        "new file.")


# --- workbooks -----------------------------------------------------------------------------


def test_macros_are_refused(tmp_path: Path) -> None:
    expected = ("export.xlsx contains macros. Save it as an Excel workbook (.xlsx) without "
                "macros and upload it again.")
    book = workbook(tmp_path)
    xlsm = rezip(book, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    assert refuse(tmp_path, xlsm, "export.xlsx") == expected
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        types = archive.read("[Content_Types].xml")
    enabled = types.replace(b"spreadsheetml.sheet.main+xml",
                            b"sheet.macroEnabled.main+xml")
    assert enabled != types
    macro_type = rezip(book, replace={"[Content_Types].xml": enabled})
    assert refuse(tmp_path, macro_type, "export.xlsx") == expected


def test_external_links_are_refused(tmp_path: Path) -> None:
    expected = "export.xlsx links to other workbooks. Break the links"
    book = workbook(tmp_path)
    member = rezip(book, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    assert refuse(tmp_path, member, "export.xlsx").startswith(expected)
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    linked = rels.replace(b"</Relationships>", (
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLink" Target="externalLinks/x.xml"/></Relationships>'))
    relation = rezip(book, replace={"xl/_rels/workbook.xml.rels": linked})
    assert refuse(tmp_path, relation, "export.xlsx").startswith(expected)


def test_xml_with_a_dtd_is_refused(tmp_path: Path) -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    blob = rezip(workbook(tmp_path), add={"xl/sharedStrings.xml": laughs})
    assert refuse(tmp_path, blob, "export.xlsx").startswith(
        "export.xlsx contains XML that spreadsheet programs do not write (xl/sharedStrings.xml)")


def test_a_sheet_over_the_row_limit_is_refused(tmp_path: Path) -> None:
    data = sample()
    limits = Limits(rows=len(data["enterprises"]) - 1)
    assert refuse(tmp_path, workbook(tmp_path, data), "export.xlsx", limits) == (
        f"Sheet “enterprises” of export.xlsx has more than {limits.rows} data rows. Remove what "
        "is not survey data, or ask for the limit to be raised.")


def test_a_sheet_of_a_million_rows_is_refused_quickly(tmp_path: Path) -> None:
    """Its <dimension> says A1 only; the rows are counted as the XML streams by."""
    source = workbook(tmp_path)
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxml'
            b'formats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as new:
        for info in old.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":  # products
                new.writestr(info, old.read(info))
                continue
            with new.open(info.filename, "w") as sheet:
                sheet.write(head)
                for start in range(1, 1_000_002, 50_000):
                    sheet.write(b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r)
                                         for r in range(start, min(start + 50_000, 1_000_002))))
                sheet.write(b"</sheetData></worksheet>")
    began = time.monotonic()
    message = refuse(tmp_path, buffer.getvalue(), "export.xlsx")
    assert time.monotonic() - began < 5
    assert message.startswith("Sheet “products” of export.xlsx has more than 200000 data rows")


# --- CSV archives --------------------------------------------------------------------------


def test_a_nested_archive_is_refused(tmp_path: Path) -> None:
    members = csv_members(tmp_path)
    inner = zip_bytes(members)
    assert refuse(tmp_path, zip_bytes({"inner.zip": inner}), "export.zip") == (
        "export.zip contains another archive (inner.zip). Unpack it and put its CSV files "
        "directly into the .zip archive.")
    disguised = zip_bytes({**members, "products.csv": inner})
    assert "contains another archive (products.csv)" in refuse(tmp_path, disguised,
                                                               "export.zip")


def test_files_other_than_csv_are_refused(tmp_path: Path) -> None:
    blob = zip_bytes({**csv_members(tmp_path), "notes.docx": b"PK"})
    assert refuse(tmp_path, blob, "export.zip") == (
        "export.zip contains notes.docx, which is not a CSV file. The archive may hold only the "
        "CSV files of the survey export.")


@pytest.mark.parametrize("prefixes", [("", "more/"), ("a/", "b/"), ("a/b/", "a/b/")],
                         ids=["top-and-folder", "two-folders", "too-deep"])
def test_csv_files_must_be_at_the_top_or_in_one_folder(tmp_path: Path,
                                                       prefixes: tuple[str, str]) -> None:
    members = csv_members(tmp_path)
    names = sorted(members)
    blob = zip_bytes({(prefixes[i % 2]) + n: members[n] for i, n in enumerate(names)})
    assert refuse(tmp_path, blob, "export.zip") == (
        "The CSV files in export.zip are spread over several folders. Put them all at the top "
        "of the archive, or all in one folder, and pack them again.")


def test_duplicate_names_are_refused_whatever_their_case(tmp_path: Path) -> None:
    members = csv_members(tmp_path)
    blob = zip_bytes({**members, "ENTERPRISES.csv": members["enterprises.csv"]})
    assert "contains ENTERPRISES.csv twice" in refuse(tmp_path, blob, "export.zip")


def test_an_archive_without_csv_files_is_refused(tmp_path: Path) -> None:
    blob = zip_bytes({"export/": b"", "_demo.json": b"{}"})
    assert refuse(tmp_path, blob, "export.zip") == (
        "export.zip contains no CSV files. Put the CSV files of the survey export into the .zip "
        "archive.")


def test_a_csv_file_over_the_line_limit_is_refused(tmp_path: Path) -> None:
    members = csv_members(tmp_path)
    rows = len(sample()["enterprises"])
    assert refuse(tmp_path, zip_bytes(members), "export.zip", Limits(rows=rows - 1)) == (
        f"enterprises.csv in export.zip has more than {rows - 1} data rows. Remove what is not "
        "survey data, or ask for the limit to be raised.")
    members["enterprises.csv"] = members["enterprises.csv"].rstrip(b"\n")  # no final newline
    assert "has more than" in refuse(tmp_path, zip_bytes(members), "export.zip",
                                     Limits(rows=rows - 1))


# --- the error ------------------------------------------------------------------------------


def test_the_error_keeps_its_template_for_translation() -> None:
    error = IntakeError(intake._TOO_MANY, file="export.zip", limit=200)
    assert str(error) == "export.zip holds more than 200 files. Upload only the survey export."
    assert error.message == "%(file)s holds more than %(limit)s files. Upload only the survey " \
        "export."
    assert error.params == {"file": "export.zip", "limit": 200}
    assert error.text() == str(error)  # English outside a request
