"""The ``etl check`` report in the staff's language: rows for a page, a verdict, an XLSX file.

The checker writes its messages in English (``etl/read.py``, ``etl/validate``) and the ETL must
not depend on the portal, so the translation happens here: each English message shape is an
``N_`` template whose ``%(name)s`` parameters are data (code lists, numbers, column and file
names) and pass through untranslated. The English pattern that recognises a message is made
from the same template, so the two cannot drift apart; a message no template knows is shown in
English rather than lost (``tests/test_workspace_problems.py`` makes every message the ETL can
emit known).

Values come from uploads and may be hostile: in the workbook every cell is written as literal
text (never a formula) without the characters XML cannot carry, so no value can make the
export fail or run in the field officer's spreadsheet program.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from etl.problems import ERROR, WARNING, Batch, Problem
from etl.validate import CheckResult
from etl.validate.rules import FORMULA_START
from portal.i18n import N_, _, format_number, ngettext

#: Every message shape of the checker, by rule: English templates, first match wins.
TEMPLATES: dict[str, tuple[str, ...]] = {
    # etl/read.py: containers, files, headers
    "file.missing": (N_("this required file is missing from the folder"),
                     N_("this required sheet is missing from the workbook"),
                     N_("no such file or folder")),
    "file.requires": (N_("needs %(file)s as well, which is missing"),),
    "file.marker": (N_("is not the JSON marker that `etl demo` writes"),),
    "file.empty": (N_("the file is empty: it needs a header row and at least one data row"),
                   N_("the sheet is empty: it needs a header row and at least one data row")),
    "file.encoding": (N_("the file is not UTF-8 text (byte 0x%(byte)s cannot be read); save it "
                         "again as \"CSV UTF-8\""),),
    "xlsx.encrypted": (N_("the workbook is password-protected (or in the old .xls format); "
                          "remove the password and save it as an .xlsx workbook"),),
    "xlsx.corrupt": (N_("this is neither a folder of CSV files nor an .xlsx workbook that can be "
                        "opened"),
                     N_("the workbook is damaged and cannot be opened (%(error)s); save it "
                        "again from the spreadsheet program")),
    "xlsx.formula": (N_("the cell holds a formula; copy the sheet and paste values only"),),
    "xlsx.error_cell": (N_("the cell shows a spreadsheet error; correct or clear it"),),
    "file.header": (N_("the header must be on row 1, but it is on row %(row)s; delete the row "
                       "above it"),
                    N_("the header must be on row 1, but it is on row %(row)s; delete the rows "
                       "above it")),
    "file.cells": (N_("the row has values in a column without a name in the header; check for "
                      "a stray comma or an unclosed quote, or name the column"),),
    "column.duplicate": (N_("the column appears twice in the header"),),
    "column.unknown": (N_("not part of the format; it will be ignored"),),
    "column.missing": (N_("this required column is missing"),),
    "file.no_rows": (N_("there are no data rows under the header"),),
    # etl/validate/columns.py: each cell against its type, range and code list
    "required": (N_("a value is required here"),),
    "type.integer": (N_("must be a whole number, like 12"),),
    "type.number": (N_("must be a number, with . as the decimal point and no thousands "
                       "separator"),),
    "range": (N_("must be more than %(minimum)s"),
              N_("must be between %(minimum)s and %(maximum)s"),
              N_("must be at least %(minimum)s"),
              N_("must be at most %(maximum)s")),
    "type.date": (N_("must be a real date written YYYY-MM-DD or DD.MM.YYYY"),),
    "code": (N_("must be one of: %(codes)s"),),
    "multi": (N_("must be codes separated by spaces, each one of: %(codes)s"),),
    "municipality": (N_("must be a municipality of Kosovo: its name in English, Albanian or "
                        "Serbian (Latin or Cyrillic script), or its KAS code"),),
    "nace": (N_("must be a NACE Rev. 2 code: a division (10), group (10.5) or class (10.51)"),),
    "nace.division": (N_("the first two digits must be a NACE Rev. 2 division that exists"),),
    "hs": (N_("must be a Harmonized System code of 2, 4 or 6 digits (chapter, heading or "
              "subheading)"),),
    "hs.chapter": (N_("the first two digits must be an HS chapter that exists (01–97, not 77)"),),
    # etl/validate/rules.py: across rows, columns and files
    "unique": (N_("must be unique: the same key appears on another row"),),
    "foreign_key": (N_("must be one of the %(field)s values in %(file)s"),),
    "cross.female_employees": (N_("must not be more than full-time plus part-time employees"),),
    "cross.founded_after_interview": (N_("must not be later than the year of the interview"),),
    "cross.end_before_start": (N_("must not be before %(column)s"),),
    "cross.counterpart_northern": (N_("the counterpart must come from outside the four "
                                      "northern municipalities (North Mitrovica, Zvečan, "
                                      "Zubin Potok, Leposavić)"),),
    "cross.email": (N_("must be one e-mail address like name@example.com: one @, no spaces, "
                       "and a domain with a dot"),),
    "cross.website": (N_("must be a web address like https://www.example.com or "
                         "www.example.com (http or https only, no spaces)"),),
    "cross.too_long": (N_("must be at most %(limit)s characters long"),),
    "cross.markup": (N_("must be plain text: no HTML tags such as <b> or <a href=...>"),),
    "cross.formula": (N_("must not start with =, +, -, @ or a tab: a spreadsheet would read it "
                         "as a formula"),),
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: Characters shown of a value on a page (the workbook has it whole).
VALUE_SHOWN = 200
#: Problems written to the workbook; a note row says when there were more.
XLSX_MAX_ROWS = 100_000
#: Excel refuses a cell longer than this.
_CELL_MAX = 32_767
_SEVERITIES = {ERROR: N_("Error"), WARNING: N_("Warning")}
_HEADER = (N_("Severity"), N_("File"), N_("Row"), N_("Column"), N_("Value"),
           N_("What was expected"))
#: Widths (characters) of the workbook's columns: at least, at most.
_WIDTHS = ((10, 14), (14, 40), (6, 8), (10, 30), (12, 50), (30, 90))


def _pattern(template: str) -> re.Pattern[str]:
    """The English message ``template`` makes, its parameters as named groups."""
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts += [re.escape(template[last:match.start()]), f"(?P<{match.group(1)}>.+?)"]
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL)


@cache
def _patterns(rule: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((_pattern(t), t) for t in TEMPLATES.get(rule, ()))


def template(rule: str, message: str) -> str | None:
    """The template that ``message`` of ``rule`` was made from, or None for an unknown one."""
    return next((t for p, t in _patterns(rule) if p.fullmatch(message)), None)


def expected(rule: str, message: str) -> str:
    """What the checker expected (``message``, English) in the request's language.

    An unknown message, or a translation that does not fit its parameters, stays English:
    the field officer still learns what to fix.
    """
    for pattern, english in _patterns(rule):
        match = pattern.fullmatch(message)
        if match:
            try:
                return _(english, **match.groupdict())
            except (KeyError, ValueError, TypeError):
                return message
    return message


def severity_label(severity: str) -> str:
    """"Error" or "Warning" in the request's language."""
    return _(_SEVERITIES[severity]) if severity in _SEVERITIES else severity


@dataclass(frozen=True)
class Row:
    """One problem as a table row shows it: where it is, the value, what was expected."""

    severity: str  # ERROR or WARNING (a code: label it with severity_label)
    file: str
    row: int | None  # spreadsheet numbering (header = 1); None for a whole file
    column: str | None
    value: str  # empty for an empty cell
    expected: str


@dataclass(frozen=True)
class Counts:
    """How many problems of each kind, and how many files have errors (for the verdict)."""

    errors: int
    warnings: int
    files: int

    @property
    def total(self) -> int:
        return self.errors + self.warnings


def _ordered(result: CheckResult) -> Iterator[Batch]:
    """Batches in the text report's order: errors, then warnings, each grouped by file."""
    for severity in (ERROR, WARNING):
        by_file: dict[str, list[Batch]] = {}
        for batch in result.problems.batches:
            if batch.severity == severity:
                by_file.setdefault(batch.file, []).append(batch)
        for batches in by_file.values():
            yield from batches


def problems(result: CheckResult) -> Iterator[tuple[Problem, str]]:
    """Every problem in report order with what was expected, in the request's language (made
    lazily, and translated once per batch: a failed column may have a million rows)."""
    for batch in _ordered(result):
        said = expected(batch.rule, batch.message)
        for problem in batch.problems():
            yield problem, said


def _shown(value: str | None, limit: int) -> str:
    text = "" if value is None else value
    return text if len(text) <= limit else text[:limit - 1] + "…"


def rows(result: CheckResult, limit: int | None = None) -> list[Row]:
    """The first ``limit`` problems (all when None), errors first, values cut for a page."""
    out: list[Row] = []
    for problem, said in problems(result):
        if limit is not None and len(out) >= limit:
            break
        out.append(Row(problem.severity, problem.file, problem.row, problem.column,
                       _shown(problem.value, VALUE_SHOWN), said))
    return out


def counts(result: CheckResult) -> Counts:
    """The numbers a page shows beside the first rows, and the verdict is made of."""
    found = result.problems
    files = {b.file for b in found.batches if b.severity == ERROR}
    return Counts(found.count(ERROR), found.count(WARNING), len(files))


def summary(result: CheckResult) -> str:
    """The one-line verdict of ``etl check``, in the request's language."""
    c = counts(result)
    if not c.errors:
        if not c.warnings:
            return _("No errors: the input follows the format.")
        return ngettext("No errors, %(n)s warning: the input follows the format.",
                        "No errors, %(n)s warnings: the input follows the format.",
                        c.warnings, n=format_number(c.warnings))
    found = ngettext("Found %(n)s error", "Found %(n)s errors", c.errors,
                     n=format_number(c.errors))
    files = ngettext("in %(n)s file", "in %(n)s files", c.files, n=format_number(c.files))
    if not c.warnings:
        return _("%(found)s %(files)s. Nothing will be published until every error is fixed.",
                 found=found, files=files)
    warnings = ngettext("and %(n)s warning", "and %(n)s warnings", c.warnings,
                        n=format_number(c.warnings))
    return _("%(found)s %(files)s %(warnings)s. Nothing will be published until every error "
             "is fixed.", found=found, files=files, warnings=warnings)


def _text(value: object) -> str:
    """``value`` as text a workbook can hold: no characters XML forbids, not too long."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", "" if value is None else str(value))
    return text[:_CELL_MAX]


def _cell(ws: object, value: object) -> object:
    """``value`` for a cell, exactly as data: text is always text, never a formula.

    openpyxl takes text starting with "=" for a formula and "#N/A"-like text for an error
    value, so such text gets a cell typed as text (plain values are much faster to write).
    """
    if value is None or isinstance(value, int):
        return value
    text = _text(value)
    if not text.startswith(FORMULA_START) and text not in ERROR_CODES:
        return text
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True  # and editing it in a spreadsheet program keeps it text
    return cell


def xlsx(result: CheckResult) -> bytes:
    """The whole report as a workbook a field officer can filter and fix rows from."""
    header = [_(h) for h in _HEADER]
    lines: list[list[object]] = []
    total = counts(result).total
    labels = {severity: severity_label(severity) for severity in (ERROR, WARNING)}
    for problem, said in problems(result):
        if len(lines) >= XLSX_MAX_ROWS:
            break
        lines.append([labels.get(problem.severity, problem.severity), problem.file,
                      problem.row, problem.column, problem.value, said])
    book = Workbook(write_only=True)
    ws = book.create_sheet(_text(_("Problems"))[:31])
    ws.freeze_panes = "A2"
    for i, (least, most) in enumerate(_WIDTHS):
        longest = max((len(str(line[i] or "")) for line in lines[:2000]), default=0)
        width = min(max(least, len(header[i]) + 2, longest + 2), most)
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(lines) + 1}"
    bold = Font(bold=True)
    titles = []
    for title in header:
        cell = WriteOnlyCell(ws, value=_text(title))
        cell.font = bold
        titles.append(cell)
    ws.append(titles)
    for line in lines:
        ws.append([_cell(ws, v) for v in line])
    if total > len(lines):
        ws.append([_cell(ws, _("Only the first %(shown)s of %(total)s problems are listed here. "
                               "Fix them and check the file again to see the rest.",
                               shown=format_number(len(lines)),
                               total=format_number(total)))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
