"""Rules that span rows, columns or files: unique keys, keys across files, cross-field rules.

They run on typed tables, after each column has been parsed, and skip cells that already failed
their own column check so that one mistake is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl import refdata
from etl.problems import Problems
from etl.rawformat import TableSpec, tables


@dataclass
class Typed:
    """A parsed table: typed columns, spreadsheet row numbers, and where the file came from."""

    spec: TableSpec
    file: str
    data: pd.DataFrame
    rows: np.ndarray


def check_unique(t: Typed, problems: Problems) -> None:
    if not t.spec.primary_key:
        return
    key = t.spec.primary_key[0]
    values = t.data[key]
    dup = (values.duplicated(keep=False) & values.notna()).to_numpy()
    if not dup.any():
        return
    rows_by_value = pd.Series(t.rows[dup]).groupby(values[dup].to_numpy()).agg(list)
    shown = [
        f"{v} (also on row{'s' if len(rows_by_value[v]) > 2 else ''} "
        f"{', '.join(str(r) for r in rows_by_value[v] if r != row)})"
        for v, row in zip(values[dup].tolist(), t.rows[dup].tolist(), strict=True)
    ]
    problems.add(t.file, key, "unique", "must be unique: the same key appears on another row",
                 t.rows[dup], shown)


def check_foreign_keys(t: Typed, typed: dict[str, Typed], problems: Problems) -> None:
    for fk in t.spec.foreign_keys:
        parent = typed.get(fk.resource)
        if parent is None:
            continue  # a missing parent file is reported once, by the reader
        column = fk.fields[0]
        values = t.data[column]
        known = parent.data[fk.reference_fields[0]].dropna().unique()
        bad = (values.notna() & ~values.isin(known)).to_numpy()
        problems.add(
            t.file, column, "foreign_key",
            f"must be one of the {fk.reference_fields[0]} values in {parent.file}",
            t.rows[bad], values[bad].astype(object).to_numpy())


def _num(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _female_employees(t: Typed, problems: Problems) -> None:
    d = t.data
    full, part = _num(d["employees_full_time"]), _num(d["employees_part_time"])
    female = _num(d["employees_female"])
    total = full + np.nan_to_num(part)
    with np.errstate(invalid="ignore"):
        bad = female > total  # NaN on either side compares False: nothing to check
    shown = [f"{f:g} (full-time {a:g} + part-time {b:g} = {a + b:g})"
             for f, a, b in zip(female[bad], full[bad], np.nan_to_num(part[bad]), strict=True)]
    problems.add(t.file, "employees_female", "cross.female_employees",
                 "must not be more than full-time plus part-time employees", t.rows[bad], shown)


def _founded_after_interview(t: Typed, problems: Problems) -> None:
    founded = _num(t.data["founded_year"])
    interview = t.data["interview_date"].dt.year.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = founded > interview
    shown = [f"{f:g} (interview in {i:g})" for f, i in zip(founded[bad], interview[bad],
                                                          strict=True)]
    problems.add(t.file, "founded_year", "cross.founded_after_interview",
                 "must not be later than the year of the interview", t.rows[bad], shown)


def _end_not_before_start(start: str, end: str) -> Callable[[Typed, Problems], None]:
    def rule(t: Typed, problems: Problems) -> None:
        s, e = t.data[start], t.data[end]
        bad = (e < s).fillna(False).to_numpy(dtype=bool)
        shown = [f"{b:%Y-%m-%d} ({start} {a:%Y-%m-%d})" for a, b in zip(s[bad], e[bad],
                                                                         strict=True)]
        problems.add(t.file, end, "cross.end_before_start", f"must not be before {start}",
                     t.rows[bad], shown)
    return rule


def _counterpart_outside_north(t: Typed, problems: Problems) -> None:
    codes = t.data["counterpart_municipality"]
    bad = codes.isin(refdata.northern_codes()).to_numpy(dtype=bool)
    names = {m.kas_code: m.name_en for m in refdata.municipalities()}
    shown = [f"{names[c]} ({c})" for c in codes[bad].tolist()]
    problems.add(t.file, "counterpart_municipality", "cross.counterpart_northern",
                 "the counterpart must come from outside the four northern municipalities "
                 "(North Mitrovica, Zvečan, Zubin Potok, Leposavić)", t.rows[bad], shown)


# --- the supplier directory: public free text and contact details ---------------------------

#: Longest description the contract allows, in characters.
DESCRIPTION_MAX = 500
#: Characters of a long value shown in a report; its length is given beside them.
SHOWN_MAX = 60
#: Public free text: shown on the portal (so no markup) and exported (so no formula).
PUBLIC_TEXT = ("listed_name", "contact_person", "description_en", "description_sq",
               "description_sr")
DESCRIPTIONS = ("description_en", "description_sq", "description_sr")
#: A host name: labels of letters, digits and inner hyphens, ending in a top-level domain of
#: letters (so ``www.med-ibar.example``; not ``localhost`` and not a bare IP address).
_HOST = r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}"
#: Deliberately simple: one @, no spaces or characters that quote or bracket, and a domain
#: with a dot. It rejects what is clearly not an address, not every exotic legal one.
_EMAIL = re.compile(rf"[^\s@<>()\[\],;:\"'\\]+@{_HOST}")
#: An http(s) address, or a bare host as people write it (``www.x.com``, ``x.com/shop``);
#: any other scheme (``javascript:``, ``ftp:``, ``mailto:``) does not match.
_WEBSITE = re.compile(rf"(?:https?://)?{_HOST}(?::\d{{1,5}})?(?:[/?#][^\s<>\"]*)?",
                      re.IGNORECASE)
#: A tag: < directly followed by a letter, / or ! (``<b>``, ``</p>``, ``<!--``); "a < b" is text.
_TAG = re.compile(r"<(?:[^\W\d_]|[/!])")
#: Text a spreadsheet program would run as a formula when the export is opened (the
#: workspace's exports neutralise the same starts).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def shown_text(text: str, at: int = 0) -> str:
    """``text`` for a report: whole when short, else its start and length — and, when the
    offending part (at ``at``) lies beyond the start, a few characters from there."""
    if len(text) <= SHOWN_MAX:
        return text
    part = text[at:at + 20] + ("…" if len(text) > at + 20 else "")
    where = "" if at < SHOWN_MAX - 10 else f"; at character {at + 1:,}: “{part}”"
    return f"{text[:SHOWN_MAX]}… ({len(text):,} characters{where})"


def _broken(s: pd.Series, where: Callable[[str], int | None]) -> tuple[np.ndarray, list[str]]:
    """Rows whose text breaks a rule and the value to show; ``where`` gives the offending
    position in a text (None when it is fine), each distinct spelling tested once."""
    if not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("category")
    spellings, codes = list(s.cat.categories), s.cat.codes.to_numpy()
    found = [where(str(v)) for v in spellings]
    per = np.array([f is not None for f in found] + [False], dtype=bool)
    bad = per[codes]
    shown = [shown_text(str(spellings[c]), found[c] or 0) for c in codes[bad].tolist()]
    return bad, shown


def _mismatch(pattern: re.Pattern[str]) -> Callable[[str], int | None]:
    return lambda text: None if pattern.fullmatch(text) else 0


def _public_email(t: Typed, problems: Problems) -> None:
    bad, shown = _broken(t.data["public_email"], _mismatch(_EMAIL))
    problems.add(t.file, "public_email", "cross.email",
                 "must be one e-mail address like name@example.com: one @, no spaces, and a "
                 "domain with a dot", t.rows[bad], shown)


def _website(t: Typed, problems: Problems) -> None:
    bad, shown = _broken(t.data["website"], _mismatch(_WEBSITE))
    problems.add(t.file, "website", "cross.website",
                 "must be a web address like https://www.example.com or www.example.com "
                 "(http or https only, no spaces)", t.rows[bad], shown)


def _descriptions_not_too_long(t: Typed, problems: Problems) -> None:
    for column in DESCRIPTIONS:
        bad, shown = _broken(t.data[column],
                             lambda text: 0 if len(text) > DESCRIPTION_MAX else None)
        problems.add(t.file, column, "cross.too_long",
                     f"must be at most {DESCRIPTION_MAX} characters long", t.rows[bad], shown)


def _plain_public_text(t: Typed, problems: Problems) -> None:
    """No markup (shown publicly) and no formula (exported) in what a listing displays; a
    phone number such as +383 44 … is not checked for formulas."""
    for column in PUBLIC_TEXT:
        def tag(text: str) -> int | None:
            m = _TAG.search(text)
            return m.start() if m else None

        bad, shown = _broken(t.data[column], tag)
        problems.add(t.file, column, "cross.markup",
                     "must be plain text: no HTML tags such as <b> or <a href=...>",
                     t.rows[bad], shown)
        bad, shown = _broken(t.data[column],
                             lambda text: 0 if text.startswith(FORMULA_START) else None)
        problems.add(t.file, column, "cross.formula",
                     "must not start with =, +, -, @ or a tab: a spreadsheet would read it as "
                     "a formula", t.rows[bad], shown)


#: Cross-field rules of the contract, by table.
CROSS_FIELD_RULES: dict[str, list[Callable[[Typed, Problems], None]]] = {
    "enterprises": [_female_employees, _founded_after_interview],
    "trainings": [_end_not_before_start("start_date", "end_date")],
    "b2b_meetings": [_counterpart_outside_north],
    "indicator_reports": [_end_not_before_start("period_start", "period_end")],
    "directory_listings": [_end_not_before_start("consent_date", "consent_withdrawn"),
                           _public_email, _website, _descriptions_not_too_long,
                           _plain_public_text],
}


def check_tables(typed: dict[str, Typed], problems: Problems) -> None:
    for name in tables():
        t = typed.get(name)
        if t is None:
            continue
        check_unique(t, problems)
        check_foreign_keys(t, typed, problems)
        for rule in CROSS_FIELD_RULES.get(name, []):
            rule(t, problems)
