"""Container-level trouble: every kind of bad file gets a clear problem, never a traceback."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from raw_samples import sample, write_csv, write_xlsx

from etl.cli import main
from etl.problems import WARNING
from etl.validate import check_path


def _rules(path: Path) -> list[tuple[str, str, str | None, int | None]]:
    return [(p.file, p.rule, p.column, p.row) for p in check_path(path).problems]


def _exit_code(path: Path, capsys) -> tuple[int, str]:
    code = main(["check", str(path), "--quiet"])
    return code, capsys.readouterr().out


def test_missing_required_file(tmp_path, capsys):
    raw = write_csv(tmp_path / "raw", sample())
    (raw / "products.csv").unlink()
    assert _rules(raw) == [("products.csv", "file.missing", None, None)]
    code, out = _exit_code(raw, capsys)
    assert code == 1 and "products.csv" in out and "required file is missing" in out


def test_optional_files_may_be_absent(tmp_path):
    data = sample()
    raw = write_csv(tmp_path / "raw", {k: data[k] for k in ("enterprises", "products")})
    assert check_path(raw).ok


def test_attendance_needs_trainings(tmp_path):
    raw = write_csv(tmp_path / "raw", sample())
    (raw / "trainings.csv").unlink()
    assert _rules(raw) == [("attendance.csv", "file.requires", None, None)]


def test_missing_required_column(tmp_path, capsys):
    raw = write_csv(tmp_path / "raw", sample())
    path = raw / "enterprises.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("legal_form")
    import csv
    import io
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:drop] + r[drop + 1:] for r in rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    assert _rules(raw) == [("enterprises.csv", "column.missing", "legal_form", 1)]
    code, out = _exit_code(raw, capsys)
    assert code == 1 and "column legal_form: this required column is missing" in out


def test_missing_optional_column_reads_as_empty(tmp_path):
    data = copy.deepcopy(sample())
    for row in data["enterprises"]:
        del row["comments"]
    raw = tmp_path / "raw"
    write_csv(raw, data)
    text = (raw / "enterprises.csv").read_text(encoding="utf-8").splitlines()
    assert text[0].endswith(",comments")
    (raw / "enterprises.csv").write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in text) + "\n", encoding="utf-8")
    result = check_path(raw)
    assert result.ok
    assert result.frame("enterprises")["comments"].isna().all()


def test_unknown_column_is_a_warning(tmp_path, capsys):
    data = copy.deepcopy(sample())
    for row in data["products"]:
        row["Colour"] = "red"
    raw = write_csv(tmp_path / "raw", data)
    result = check_path(raw)
    assert result.ok
    [problem] = list(result.problems)
    assert (problem.severity, problem.rule, problem.column) == (WARNING, "column.unknown",
                                                                 "colour")
    assert "colour" not in result.frame("products")
    code, out = _exit_code(raw, capsys)
    assert code == 0 and "1 warning" in out


def test_not_utf8(tmp_path, capsys):
    raw = write_csv(tmp_path / "raw", sample())
    path = raw / "enterprises.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1250", errors="replace"))
    problems = _rules(raw)
    assert problems == [("enterprises.csv", "file.encoding", None, 2)]
    code, out = _exit_code(raw, capsys)
    assert code == 1 and "not UTF-8" in out and "CSV UTF-8" in out


def test_bom_and_crlf_are_accepted(tmp_path):
    raw = write_csv(tmp_path / "raw", sample())
    path = raw / "enterprises.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = check_path(raw)
    assert result.ok
    assert result.frame("enterprises")["enterprise_id"].tolist()[0] == "PM-001"


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_empty_file(tmp_path, capsys, content):
    raw = write_csv(tmp_path / "raw", sample())
    (raw / "products.csv").write_bytes(content)
    assert _rules(raw) == [("products.csv", "file.empty", None, None)]
    code, out = _exit_code(raw, capsys)
    assert code == 1 and "empty" in out


def test_header_without_rows_in_required_file(tmp_path):
    data = copy.deepcopy(sample())
    data["products"] = []
    raw = write_csv(tmp_path / "raw", data)
    assert _rules(raw) == [("products.csv", "file.no_rows", None, None)]


def test_extra_header_row(tmp_path, capsys):
    raw = write_csv(tmp_path / "raw", sample())
    path = raw / "trainings.csv"
    path.write_text("Trainings 2019/2020,,\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    result = check_path(raw)
    assert [(p.rule, p.row) for p in result.problems] == [("file.header", 1)]
    # the rest is still checked, with rows numbered as the spreadsheet shows them
    assert result.tables["trainings"].rows.tolist() == [3, 4]
    code, out = _exit_code(raw, capsys)
    assert code == 1 and "the header must be on row 1, but it is on row 2" in out


def test_ragged_rows(tmp_path, capsys):
    raw = write_csv(tmp_path / "raw", sample())
    path = raw / "indicator_reports.csv"
    path.write_text(path.read_text(encoding="utf-8") + "OC1.1,2020-07-01,2020-12-31,5,a,b,c\n",
                    encoding="utf-8")
    assert _rules(raw) == [("indicator_reports.csv", "file.cells", None, 3)]
    code, out = _exit_code(raw, capsys)
    assert code == 1 and "stray comma" in out and "row 3: b | c" in out


def test_blank_lines_keep_row_numbers(tmp_path):
    data = copy.deepcopy(sample())
    data["trainings"][1]["hours"] = "many"
    raw = write_csv(tmp_path / "raw", data)
    path = raw / "trainings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1], ",,,,,,,,", lines[2]]) + "\n",
                    encoding="utf-8")
    assert _rules(raw) == [("trainings.csv", "type.number", "hours", 4)]


def test_surrounding_space_and_case(tmp_path):
    data = copy.deepcopy(sample())
    data["enterprises"][0].update(legal_form="  LLC ", vat_registered=" Yes",
                                  municipality="  north   MITROVICA ")
    result = check_path(write_csv(tmp_path / "raw", data))
    assert result.ok
    e = result.frame("enterprises")
    assert (e["legal_form"][0], e["municipality"][0]) == ("llc", "38")


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_missing_sheet(tmp_path):
    data = sample()
    path = write_xlsx(tmp_path / "raw.xlsx", {k: v for k, v in data.items() if k != "products"})
    assert _rules(path) == [("raw.xlsx › products", "file.missing", None, None)]


def test_xlsx_real_types(tmp_path):
    """Date cells, numbers and booleans, as a spreadsheet stores them, read like their text."""
    import datetime as dt

    path = write_xlsx(tmp_path / "raw.xlsx", sample())
    book = load_workbook(path)
    ws = book["enterprises"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("interview_date") + 1).value = dt.datetime(2019, 4, 12)
    ws.cell(2, header.index("employees_full_time") + 1).value = 3.0
    ws.cell(2, header.index("annual_turnover_eur") + 1).value = 42000.5
    ws.cell(2, header.index("sells_serbia") + 1).value = True
    book.save(path)
    result = check_path(path)
    assert result.ok, list(result.problems)
    e = result.frame("enterprises")
    assert e["interview_date"][0].strftime("%Y-%m-%d") == "2019-04-12"
    assert e["employees_full_time"][0] == 3
    assert e["annual_turnover_eur"][0] == 42000.5
    assert e["sells_serbia"][0]


def test_xlsx_formulas(tmp_path, capsys):
    path = write_xlsx(tmp_path / "raw.xlsx", sample())
    book = load_workbook(path)
    book["products"]["F2"] = "=40+40"
    book.save(path)
    assert _rules(path) == [("raw.xlsx › products", "xlsx.formula", None, 2)]
    code, out = _exit_code(path, capsys)
    assert code == 1 and "F2: =40+40" in out and "paste values only" in out


def test_xlsx_extra_header_row(tmp_path):
    path = write_xlsx(tmp_path / "raw.xlsx", sample())
    book = load_workbook(path)
    book["indicators"].insert_rows(1)
    book["indicators"]["A1"] = "Results framework"
    book.save(path)
    assert _rules(path) == [("raw.xlsx › indicators", "file.header", None, 1)]


def test_xlsx_empty_sheet(tmp_path):
    data = sample()
    path = write_xlsx(tmp_path / "raw.xlsx", data)
    book = load_workbook(path)
    book.remove(book["enterprises"])
    book.create_sheet("enterprises")
    book.save(path)
    assert ("raw.xlsx › enterprises", "file.empty", None, None) in _rules(path)


def test_xlsx_corrupt(tmp_path, capsys):
    path = write_xlsx(tmp_path / "raw.xlsx", sample())
    path.write_bytes(path.read_bytes()[:2000])
    assert _rules(path)[0][:2] == ("raw.xlsx", "xlsx.corrupt")
    code, out = _exit_code(path, capsys)
    assert code == 1 and "damaged" in out


def test_xlsx_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "raw.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert [r[:2] for r in _rules(path)] == [("raw.xlsx", "xlsx.corrupt")]


def test_xlsx_password_protected(tmp_path, capsys):
    # An encrypted workbook is an OLE compound file, not a zip: its signature is what we see.
    path = tmp_path / "raw.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    assert _rules(path) == [("raw.xlsx", "xlsx.encrypted", None, None)]
    code, out = _exit_code(path, capsys)
    assert code == 1 and "password-protected" in out


def test_not_a_workbook_at_all(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    code, out = _exit_code(path, capsys)
    assert code == 1 and "neither a folder of CSV files nor an .xlsx workbook" in out


def test_xlsx_error_cells(tmp_path):
    path = write_xlsx(tmp_path / "raw.xlsx", sample())
    book = load_workbook(path)
    book["products"]["D3"] = "#DIV/0!"
    book.save(path)
    rules = _rules(path)
    assert ("raw.xlsx › products", "xlsx.error_cell", None, 3) in rules


def test_empty_workbook_sheetless(tmp_path):
    path = tmp_path / "raw.xlsx"
    book = Workbook()
    book.save(path)
    rules = {r[1] for r in _rules(path)}
    assert rules == {"file.missing"}
