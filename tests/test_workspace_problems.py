"""The check report in the staff workspace: every message the checker can emit, translated;
the verdict with each language's plural forms; the XLSX export, safe from hostile values."""

from __future__ import annotations

import copy
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import flask
import numpy as np
import pytest
from openpyxl import Workbook, load_workbook
from raw_samples import LISTING, sample, write_csv, write_xlsx

from etl.problems import ERROR, WARNING
from etl.rawformat import Field, tables
from etl.read import RawInput
from etl.report import render_text
from etl.validate import CheckResult, check_path
from etl.validate.columns import _range_phrase
from portal.workspace import problems as wp

ROOT = Path(__file__).resolve().parent.parent
Tables = dict[str, list[dict[str, str]]]
Make = Callable[[Path], Path]


@pytest.fixture
def in_locale() -> Callable[[str], flask.ctx.RequestContext]:
    app = flask.Flask(__name__)
    return lambda locale: app.test_request_context(f"/?lang={locale}")


# --- inputs that break each rule, in each shape its message takes -------------------------------


def _csv(**changes: dict[int, dict[str, str]] | list) -> Make:
    """A CSV folder of the sample with rows of tables changed (or a table replaced by a list)."""
    def make(tmp: Path) -> Path:
        data = copy.deepcopy(sample())
        for table, change in changes.items():
            if isinstance(change, list):
                data[table] = change
            else:
                for index, values in change.items():
                    data[table][index].update(values)
        return write_csv(tmp / "raw", data)
    return make


def _csv_file(table: str, edit: Callable[[bytes], bytes]) -> Make:
    """A CSV folder of the sample with one file's bytes edited (``b""`` removes it)."""
    def make(tmp: Path) -> Path:
        raw = write_csv(tmp / "raw", sample())
        path = raw / f"{table}.csv"
        content = edit(path.read_bytes())
        if content:
            path.write_bytes(content)
        else:
            path.unlink()
        return raw
    return make


def _without_column(column: str) -> Callable[[bytes], bytes]:
    def edit(content: bytes) -> bytes:
        rows = list(csv.reader(io.StringIO(content.decode())))
        drop = rows[0].index(column)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([r[:drop] + r[drop + 1:] for r in rows])
        return out.getvalue().encode()
    return edit


def _twice(column: str) -> Callable[[bytes], bytes]:
    def edit(content: bytes) -> bytes:
        lines = content.decode().splitlines()
        return "\n".join([lines[0] + f",{column}"] + [line + ",x" for line in lines[1:]]).encode()
    return edit


def _marker(tmp: Path) -> Path:
    raw = write_csv(tmp / "raw", sample())
    (raw / "_demo.json").write_bytes(b"\xff not json")
    return raw


def _workbook(edit: Callable[[Workbook], None] | None = None,
              tables_: Callable[[Tables], Tables] | None = None) -> Make:
    def make(tmp: Path) -> Path:
        data = sample()
        path = write_xlsx(tmp / "raw.xlsx", tables_(data) if tables_ else data)
        if edit:
            book = load_workbook(path)
            edit(book)
            book.save(path)
        return path
    return make


def _empty_sheet(book: Workbook) -> None:
    book.remove(book["products"])
    book.create_sheet("products")


def _bytes(content: bytes) -> Make:
    def make(tmp: Path) -> Path:
        path = tmp / "raw.xlsx"
        path.write_bytes(content)
        return path
    return make


def _damaged(tmp: Path) -> Path:
    path = tmp / "raw.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return path


#: name → an input; together they make every message the checker can emit today.
BROKEN: dict[str, Make] = {
    # columns: type, range, code list
    "required": _csv(enterprises={1: {"business_name": ""}}),
    "integer": _csv(enterprises={2: {"employees_full_time": "three"}}),
    "number": _csv(enterprises={0: {"annual_turnover_eur": "42,000"}}),
    "range more than": _csv(trainings={0: {"hours": "0"}}),
    "range between": _csv(enterprises={3: {"growth_potential": "6"}}),
    "range at least": _csv(enterprises={0: {"employees_part_time": "-1"}}),
    "date": _csv(enterprises={1: {"interview_date": "2019/05/15"}}),
    "code": _csv(attendance={0: {"gender": "woman"}}),
    "multi": _csv(products={0: {"sold_in": "local,serbia"}}),
    "municipality": _csv(enterprises={0: {"municipality": "Gotham"}}),
    "nace": _csv(enterprises={0: {"nace_code": "10.511"}}),
    "nace division": _csv(enterprises={0: {"nace_code": "04.1"}}),
    "hs": _csv(products={0: {"hs_code": "04061"}}),
    "hs chapter": _csv(products={0: {"hs_code": "7701"}}),
    # rules across rows, columns and files
    "unique": _csv(enterprises={2: {"enterprise_id": "PM-001"}}),
    "foreign key": _csv(products={1: {"enterprise_id": "PM-999"}}),
    "female employees": _csv(enterprises={0: {"employees_female": "7"}}),
    "founded after interview": _csv(enterprises={1: {"founded_year": "2020"}}),
    "end before start": _csv(trainings={0: {"end_date": "2019-09-09"}}),
    "counterpart in the north": _csv(b2b_meetings={0: {"counterpart_municipality": "Zvečan"}}),
    "e-mail": _csv(directory_listings=[{**LISTING, "public_email": "marko@example"}]),
    "website": _csv(directory_listings=[{**LISTING, "website": "javascript:alert(1)"}]),
    "too long": _csv(directory_listings=[{**LISTING, "description_en": "x" * 501}]),
    "markup": _csv(directory_listings=[{**LISTING, "description_sr": "<b>Sir</b>"}]),
    "formula in text": _csv(directory_listings=[{**LISTING, "listed_name": "=1+1"}]),
    # containers: folders and CSV files
    "no such folder": lambda tmp: tmp / "nowhere",
    "file missing": _csv_file("products", lambda content: b""),
    "file requires": _csv_file("trainings", lambda content: b""),
    "demo marker": _marker,
    "file empty": _csv_file("products", lambda content: b"\n"),
    "not UTF-8": _csv_file("enterprises", lambda c: c.decode().encode("cp1250", "replace")),
    "header one row down": _csv_file("trainings", lambda c: b"Trainings 2019,,\n" + c),
    "header two rows down": _csv_file("trainings", lambda c: b"Trainings,,\n2019,,\n" + c),
    "stray cells": _csv_file("indicator_reports",
                             lambda c: c + b"OC1.1,2020-07-01,2020-12-31,5,a,b,c\n"),
    "column twice": _csv_file("enterprises", _twice("settlement")),
    "unknown column": _csv(attendance={0: {"shoe_size": "42"}}),
    "column missing": _csv_file("enterprises", _without_column("legal_form")),
    "no rows": _csv(products=[]),
    # containers: workbooks
    "sheet missing": _workbook(tables_=lambda d: {k: v for k, v in d.items() if k != "products"}),
    "sheet empty": _workbook(_empty_sheet),
    "formula": _workbook(lambda book: book["products"].__setitem__("F2", "=40+40")),
    "error cell": _workbook(lambda book: book["products"].__setitem__("D3", "#DIV/0!")),
    "password": _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)),
    "not a workbook": _bytes(b"hello"),
    "damaged workbook": _damaged,
}


@pytest.fixture(scope="module")
def emitted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckResult]:
    """Each broken input, checked."""
    return {name: check_path(make(tmp_path_factory.mktemp("raw")))
            for name, make in BROKEN.items()}


def _messages(results: dict[str, CheckResult]) -> dict[tuple[str, str], str]:
    """Each distinct (rule, message) emitted, with the input that emitted it."""
    found: dict[tuple[str, str], str] = {}
    for name, result in results.items():
        assert not result.ok or result.problems.count(WARNING), name
        for batch in result.problems.batches:
            found.setdefault((batch.rule, batch.message), name)
    return found


def test_every_emitted_message_has_its_template(emitted):
    messages = _messages(emitted)
    unknown = sorted(m for m in messages if wp.template(*m) is None)
    assert unknown == []
    # and every template is emitted by some input (the one range shape no field of today's
    # format has, "at most", is checked against the ETL's phrase below)
    used = {wp.template(*m) for m in messages}
    unused = [t for ts in wp.TEMPLATES.values() for t in ts if t not in used]
    assert unused == ["must be at most %(maximum)s"]


def test_every_range_and_code_list_of_the_format_is_known():
    fields = [f for spec in tables().values() for f in spec.fields]
    phrases = {f"must be {_range_phrase(f)}" for f in fields if _range_phrase(f)}
    phrases.add(f"must be {_range_phrase(Field('x', 'integer', maximum=5))}")
    assert all(wp.template("range", p) for p in phrases), phrases
    assert len({wp.template("range", p) for p in phrases}) == 4


@pytest.mark.parametrize("locale", ["sq", "sr-Latn", "sr-Cyrl"])
def test_every_emitted_message_is_translated_keeping_its_data(emitted, in_locale, locale):
    for (rule, message), name in _messages(emitted).items():
        with in_locale(locale):
            said = wp.expected(rule, message)
        assert said != message, (name, message)
        english = wp.template(rule, message)
        assert english is not None, (name, message)
        match = wp._pattern(english).fullmatch(message)
        assert match is not None
        for value in match.groupdict().values():  # parameters are data: they pass through
            assert value in said, (name, value, said)


def test_a_code_list_and_a_range_in_albanian_and_serbian(in_locale):
    codes = "must be one of: female, male, other, undisclosed"
    with in_locale("sq"):
        assert wp.expected("code", codes) == ("duhet të jetë një nga: "
                                              "female, male, other, undisclosed")
        assert wp.expected("range", "must be between 1 and 5") == "duhet të jetë nga 1 deri në 5"
    with in_locale("sr-Latn"):
        assert wp.expected("range", "must be between 1 and 5") == "mora biti od 1 do 5"
        assert wp.expected("foreign_key", "must be one of the enterprise_id values in "
                           "raw.xlsx › enterprises") == ("mora biti jedna od vrednosti kolone "
                                                         "enterprise_id u raw.xlsx › enterprises")
    with in_locale("sr-Cyrl"):
        assert wp.expected("code", codes) == "мора бити једно од: female, male, other, undisclosed"


def test_english_passes_through_unchanged(emitted, in_locale):
    for rule, message in _messages(emitted):
        with in_locale("en"):
            assert wp.expected(rule, message) == message
        assert wp.expected(rule, message) == message  # outside a request: English


def test_an_unknown_message_stays_english(in_locale):
    with in_locale("sq"):
        assert wp.expected("code", "must be something new") == "must be something new"
        assert wp.expected("new.rule", "a rule added later") == "a rule added later"
        assert wp.expected("range", "must be") == "must be"


# --- the table follows the ETL's sources -------------------------------------------------------

#: A message literal: words, so it has a space (a rule or column name has none).
_STRING = r'f?"(?=[^"\n]*\s)(?:[^"\\\n]|\\.)*"'
#: Where the checker names a rule and its message: Problems.add / file_error calls (the rule
#: is the string before the message; a column may be named before it), Finding(rule,
#: message), and the classification rules' tuples.
_SITES = [re.compile(r'(?:file_error|\.add)\([^"]*?(?:"[\w.]+",\s*)?"(?P<rule>[\w.]+)",\s*'
                     r'(?P<msg>' + _STRING + ")"),
          re.compile(r'Finding\(\s*"(?P<rule>[\w.]+)",\s*(?P<msg>' + _STRING + ")"),
          re.compile(r':\s*\(\s*"(?P<rule>[\w.]+)",\s*(?P<msg>' + _STRING + ")")]
_SOURCES = ["etl/read.py", "etl/validate/__init__.py", "etl/validate/columns.py",
            "etl/validate/rules.py"]


def _sites() -> Iterator[tuple[str, str]]:
    """(rule, the message's literal start) of every place the checker emits a problem."""
    for source in _SOURCES:
        text = (ROOT / source).read_text(encoding="utf-8")
        for pattern in _SITES:
            for match in pattern.finditer(text):
                literal = match.group("msg")
                start = literal[2:-1].split("{")[0] if literal.startswith("f") else literal[1:-1]
                yield match.group("rule"), start.replace('\\"', '"')


def test_every_rule_the_etl_names_has_its_templates():
    sites = set(_sites())
    assert len(sites) >= 35
    assert {rule for rule, _start in sites} == set(wp.TEMPLATES)
    for rule, start in sites:
        literal_starts = [t.split("%(")[0] for t in wp.TEMPLATES[rule]]
        assert any(t.startswith(start) or start.startswith(s)
                   for t, s in zip(wp.TEMPLATES[rule], literal_starts, strict=True)), (rule, start)


# --- rows, counts and the verdict --------------------------------------------------------------


def _result(errors: int = 0, files: int = 1, warnings: int = 0) -> CheckResult:
    """A check result with ``errors`` errors spread over ``files`` files, and warnings."""
    result = CheckResult(RawInput(Path("raw"), "csv"))
    for i in range(files):
        share = errors // files + (1 if i < errors % files else 0)
        result.problems.add(f"file{i}.csv", "business_name", "required",
                            "a value is required here", np.arange(2, 2 + share), [None] * share)
    result.problems.add("enterprises.csv", "shoe_size", "column.unknown",
                        "not part of the format; it will be ignored", [1] * warnings,
                        [None] * warnings, severity=WARNING)
    return result


@pytest.mark.parametrize(("errors", "files", "warnings"), [
    (0, 1, 0), (0, 1, 1), (0, 1, 3), (1, 1, 0), (2, 1, 1), (5, 3, 2), (1234, 2, 0)])
def test_the_english_verdict_is_the_text_reports(in_locale, errors, files, warnings):
    result = _result(errors, files, warnings)
    with in_locale("en"):
        verdict = wp.summary(result)
    assert verdict in render_text(result).splitlines()


@pytest.mark.parametrize(("locale", "errors", "files", "warnings", "verdict"), [
    ("sq", 1, 1, 0, "U gjet 1 gabim në 1 skedar. Asgjë nuk do të publikohet derisa të "
                    "korrigjohen të gjitha gabimet."),
    ("sq", 2, 2, 1, "U gjetën 2 gabime në 2 skedarë dhe 1 paralajmërim. Asgjë nuk do të "
                    "publikohet derisa të korrigjohen të gjitha gabimet."),
    ("sq", 0, 1, 2, "Asnjë gabim, 2 paralajmërime: të dhënat janë sipas formatit."),
    ("sq", 0, 1, 0, "Asnjë gabim: të dhënat janë sipas formatit."),
    ("sr-Latn", 1, 1, 0, "Pronađena je 1 greška u 1 datoteci. Ništa neće biti objavljeno dok "
                         "se ne isprave sve greške."),
    ("sr-Latn", 3, 3, 1, "Pronađene su 3 greške u 3 datoteke i 1 upozorenje. Ništa neće biti "
                         "objavljeno dok se ne isprave sve greške."),
    ("sr-Latn", 5, 5, 12, "Pronađeno je 5 grešaka u 5 datoteka i 12 upozorenja. Ništa neće "
                          "biti objavljeno dok se ne isprave sve greške."),
    ("sr-Latn", 21, 21, 0, "Pronađena je 21 greška u 21 datoteci. Ništa neće biti objavljeno "
                           "dok se ne isprave sve greške."),
    ("sr-Latn", 0, 1, 1, "Nema grešaka, 1 upozorenje: podaci su u skladu sa formatom."),
    ("sr-Cyrl", 2, 1, 0, "Пронађене су 2 грешке у 1 датотеци. Ништа неће бити објављено док "
                         "се не исправе све грешке."),
])
def test_the_verdict_has_each_languages_plural_forms(in_locale, locale, errors, files,
                                                     warnings, verdict):
    with in_locale(locale):
        assert wp.summary(_result(errors, files, warnings)) == verdict


def test_rows_errors_first_translated_and_cut_for_a_page(tmp_path, in_locale):
    data = copy.deepcopy(sample())
    data["attendance"][0]["shoe_size"] = "42"  # a warning, found before the errors below
    data["enterprises"][0]["legal_form"] = "x" * 500
    data["trainings"][0]["hours"] = "0"
    result = check_path(write_csv(tmp_path / "raw", data))
    with in_locale("sq"):
        shown = wp.rows(result)
        assert wp.rows(result, limit=2) == shown[:2]
    assert [r.severity for r in shown] == [ERROR, ERROR, WARNING]
    first = shown[0]
    assert (first.file, first.row, first.column) == ("enterprises.csv", 2, "legal_form")
    assert len(first.value) == wp.VALUE_SHOWN and first.value.endswith("…")
    assert first.expected.startswith("duhet të jetë një nga: individual_business")
    assert shown[2].row == 1
    assert shown[2].expected == "nuk është pjesë e formatit; do të shpërfillet"
    assert wp.counts(result) == wp.Counts(errors=2, warnings=1, files=2)
    with in_locale("sq"):
        assert wp.severity_label(ERROR) == "Gabim"


# --- the workbook -------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


def _sheet(content: bytes) -> list[list[object]]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_workbook_lists_every_problem_in_albanian(tmp_path, in_locale):
    data = copy.deepcopy(sample())
    data["enterprises"][0].update(legal_form=FORMULA, owner_gender="@SUM(A1)",
                                  employees_part_time="-1", business_name="")
    data["attendance"][1]["=1+1"] = "x"  # a hostile column name: a warning naming it
    data["products"][0]["hs_code"] = "+7701"
    result = check_path(write_csv(tmp_path / "raw", data))
    with in_locale("sq"):
        content = wp.xlsx(result)
        labels = {ERROR: "Gabim", WARNING: "Paralajmërim"}
        expected = [[labels[r.severity], r.file, r.row, r.column, r.value or None, r.expected]
                    for r in wp.rows(result)]
    book = load_workbook(io.BytesIO(content))
    ws = book.active
    assert ws.title == "Problemet"
    rows = _sheet(content)
    assert rows[0] == ["Lloji", "Skedari", "Rreshti", "Kolona", "Vlera", "Çfarë pritej"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:F{len(rows)}"
    assert 10 <= ws.column_dimensions["F"].width <= 90
    # one row per problem, as the checker found them (errors first), values whole
    listed = list(result.problems)
    assert len(rows) - 1 == len(listed)
    assert sorted(map(repr, ((r[1], r[2], r[3], r[4]) for r in rows[1:]))) == sorted(
        map(repr, ((p.file, p.row, p.column, p.value) for p in listed)))
    assert rows[1:] == expected
    assert [r[0] for r in rows[1:]] == ["Gabim"] * (len(listed) - 1) + ["Paralajmërim"]
    # formula-like values stay text, exactly as written
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row}
    for value in (FORMULA, "@SUM(A1)", "-1", "+7701", "=1+1"):
        assert cells[value].data_type == "s", value


def test_hostile_values_cannot_break_or_run_in_the_workbook(in_locale):
    result = CheckResult(RawInput(Path("raw"), "csv"))
    values = [FORMULA, "@SUM(A1)", "+1", "-1", "\tx", "\rx", "#N/A", "a\x00b\x07c",
              "y" * 40_000]
    result.problems.add("bad\x01.csv", "=col", "code", "must be one of: a, b",
                        range(2, 2 + len(values)), values)
    with in_locale("sr-Latn"):
        content = wp.xlsx(result)
    rows = _sheet(content)
    shown = [r[4] for r in rows[1:]]
    assert shown[:7] == values[:7]
    assert shown[7] == "a\ufffdb\ufffdc"
    assert len(shown[8]) == 32_767
    assert rows[1][1] == "bad\ufffd.csv" and rows[1][3] == "=col"
    ws = load_workbook(io.BytesIO(content)).active
    for row in ws.iter_rows(min_row=2):
        assert all(c.data_type == "s" for c in row if c.column != 3)
    assert {ws.cell(r, 5).quotePrefix for r in range(2, 9)} == {True}
    # nothing in the file is a formula
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_a_huge_report_is_capped_with_a_note(monkeypatch, in_locale):
    monkeypatch.setattr(wp, "XLSX_MAX_ROWS", 3)
    with in_locale("sq"):
        rows = _sheet(wp.xlsx(_result(errors=5)))
    assert len(rows) == 1 + 3 + 1
    assert rows[-1][0] == ("Këtu renditen vetëm 3 problemet e para nga 5 gjithsej. "
                           "Korrigjojini dhe kontrolloni përsëri skedarin për të parë të tjerat.")


def test_a_clean_input_gives_a_header_only_workbook(tmp_path, in_locale):
    result = check_path(write_csv(tmp_path / "raw", sample()))
    with in_locale("en"):
        assert wp.summary(result) == "No errors: the input follows the format."
        rows = _sheet(wp.xlsx(result))
    assert rows == [["Severity", "File", "Row", "Column", "Value", "What was expected"]]
