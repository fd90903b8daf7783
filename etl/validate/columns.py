"""Parse one column of strings into its typed form, checking every cell at once.

Each parser returns the typed column and the problems found in it. Parsers work on the distinct
values where the vocabulary is small (codes, municipalities, dates), so a million rows cost about
as much as the few hundred spellings they contain.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl import refdata
from etl.rawformat import Field


@dataclass
class Finding:
    """Rows (positions in the table) where one rule fails, with what was expected."""

    rule: str
    message: str
    mask: np.ndarray
    values: pd.Series | None = None  # what to show; defaults to the raw cell


Parsed = tuple[pd.Series, list[Finding]]


def _map_distinct(s: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """Apply `fn` to each distinct non-missing value, then broadcast: small vocabularies are
    cheap however many rows repeat them."""
    present = s.dropna()
    mapping = {value: fn(value) for value in present.unique()}
    return s.map(mapping, na_action="ignore")


def _range_phrase(f: Field) -> str:
    lo, hi, xlo = f.minimum, f.maximum, f.exclusive_minimum
    fmt = lambda v: f"{v:g}"  # noqa: E731
    if xlo is not None:
        return f"more than {fmt(xlo)}"
    if lo is not None and hi is not None:
        return f"between {fmt(lo)} and {fmt(hi)}"
    if lo is not None:
        return f"at least {fmt(lo)}"
    if hi is not None:
        return f"at most {fmt(hi)}"
    return ""


def _range_findings(f: Field, values: pd.Series, present: np.ndarray) -> list[Finding]:
    arr = values.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.zeros(len(arr), dtype=bool)
    if f.minimum is not None:
        bad |= arr < f.minimum
    if f.maximum is not None:
        bad |= arr > f.maximum
    if f.exclusive_minimum is not None:
        bad |= arr <= f.exclusive_minimum
    bad &= present
    if not bad.any():
        return []
    return [Finding("range", f"must be {_range_phrase(f)}", bad)]


def parse_number(s: pd.Series, f: Field, *, integer: bool = False) -> Parsed:
    present = s.notna().to_numpy()
    numbers = pd.to_numeric(s, errors="coerce")  # strings it cannot read become NaN
    arr = numbers.to_numpy(dtype="float64", na_value=np.nan)
    bad = present & ~np.isfinite(arr)
    if integer:
        with np.errstate(invalid="ignore"):
            bad |= present & np.isfinite(arr) & (np.floor(arr) != arr)
    findings: list[Finding] = []
    if bad.any():
        if integer:
            findings.append(Finding("type.integer", "must be a whole number, like 12", bad))
        else:
            findings.append(Finding(
                "type.number",
                "must be a number, with . as the decimal point and no thousands separator",
                bad))
    arr = np.where(bad, np.nan, arr)
    ok = present & ~bad
    typed = pd.Series(arr).astype("Int64" if integer else "Float64")
    findings += _range_findings(f, typed, ok)
    return typed, findings


_DATE_FORMS = ((re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), "%Y-%m-%d"),
               (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}\.?"), "%d.%m.%Y"))


def _parse_date(text: str) -> dt.datetime | None:
    """Both forms of the contract; a trailing dot (05.03.2019.) is how Serbian writes dates."""
    for pattern, fmt in _DATE_FORMS:
        if pattern.fullmatch(text):
            try:
                return dt.datetime.strptime(text.rstrip("."), fmt)
            except ValueError:
                return None
    return None


def parse_date(s: pd.Series, f: Field) -> Parsed:
    typed = _map_distinct(s, _parse_date)
    typed = pd.to_datetime(typed).astype("datetime64[s]")
    bad = (s.notna() & typed.isna()).to_numpy()
    findings = []
    if bad.any():
        findings.append(Finding("type.date",
                                "must be a real date written YYYY-MM-DD or DD.MM.YYYY", bad))
    return typed, findings


def _codes(name: str) -> dict[str, dict[str, str]]:
    return refdata.codelist(name)


def _choices_phrase(codes: list[str]) -> str:
    return ", ".join(codes)


def parse_code(s: pd.Series, f: Field) -> Parsed:
    assert f.codelist
    codes = list(_codes(f.codelist))
    folded = _map_distinct(s, str.casefold)
    bad = (folded.notna() & ~folded.isin(codes)).to_numpy()
    findings = []
    if bad.any():
        findings.append(Finding("code", f"must be one of: {_choices_phrase(codes)}", bad))
    folded = folded.mask(bad)
    if f.codelist == "yes_no":
        return folded.map({"yes": True, "no": False}).astype("boolean"), findings
    return pd.Categorical(folded, categories=codes), findings


def parse_multi(s: pd.Series, f: Field) -> Parsed:
    assert f.codelist
    codes = list(_codes(f.codelist))
    known = set(codes)

    def split(text: str) -> tuple[tuple[str, ...], str]:
        tokens = text.casefold().split()
        unknown = [t for t in tokens if t not in known]
        chosen = tuple(c for c in codes if c in tokens)
        return chosen, " ".join(unknown)

    pairs = _map_distinct(s, split)
    unknown = pairs.map(lambda p: p[1], na_action="ignore")
    bad = (unknown.notna() & (unknown != "")).to_numpy()
    findings = []
    if bad.any():
        findings.append(Finding(
            "multi", f"must be codes separated by spaces, each one of: {_choices_phrase(codes)}",
            bad, values=unknown))
    typed = pairs.map(lambda p: p[0], na_action="ignore").astype(object)
    typed[bad] = None
    return typed, findings


def parse_municipality(s: pd.Series, f: Field) -> Parsed:
    lookup = refdata.municipality_lookup()
    typed = _map_distinct(s, lambda v: lookup.get(refdata.normalise_name(v)))
    bad = (s.notna() & typed.isna()).to_numpy()
    findings = []
    if bad.any():
        findings.append(Finding(
            "municipality",
            "must be a municipality of Kosovo: its name in English, Albanian or Serbian "
            "(Latin or Cyrillic script), or its KAS code",
            bad))
    codes = [m.kas_code for m in refdata.municipalities()]
    return pd.Categorical(typed, categories=codes), findings


_NACE = re.compile(r"(\d{2})(?:\.(\d)(\d)?)?")


def _nace(text: str) -> tuple[str | None, str]:
    """Normalised code and, if wrong, why."""
    compact = text.replace(" ", "")
    if re.fullmatch(r"\d{3,4}", compact):  # written without the dot: 1051 -> 10.51
        compact = f"{compact[:2]}.{compact[2:]}"
    m = _NACE.fullmatch(compact)
    if not m:
        return None, "form"
    if m.group(1) not in refdata.nace_divisions():
        return None, "division"
    return compact, ""


def parse_nace(s: pd.Series, f: Field) -> Parsed:
    pairs = _map_distinct(s, _nace)
    why = pairs.map(lambda p: p[1], na_action="ignore")
    typed = pairs.map(lambda p: p[0], na_action="ignore").astype("string")
    findings = []
    form = (why == "form").fillna(False).to_numpy(dtype=bool)
    if form.any():
        findings.append(Finding(
            "nace", "must be a NACE Rev. 2 code: a division (10), group (10.5) or class (10.51)",
            form))
    division = (why == "division").fillna(False).to_numpy(dtype=bool)
    if division.any():
        findings.append(Finding(
            "nace.division", "the first two digits must be a NACE Rev. 2 division that exists",
            division))
    return typed, findings


def _hs(text: str) -> tuple[str | None, str]:
    compact = re.sub(r"[ .]", "", text)
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", compact):
        return None, "form"
    if compact[:2] not in refdata.hs_chapters() or compact[:2] == "77":
        return None, "chapter"
    return compact, ""


def parse_hs(s: pd.Series, f: Field) -> Parsed:
    pairs = _map_distinct(s, _hs)
    why = pairs.map(lambda p: p[1], na_action="ignore")
    typed = pairs.map(lambda p: p[0], na_action="ignore").astype("string")
    findings = []
    form = (why == "form").fillna(False).to_numpy(dtype=bool)
    if form.any():
        findings.append(Finding(
            "hs", "must be a Harmonized System code of 2, 4 or 6 digits "
            "(chapter, heading or subheading)", form))
    chapter = (why == "chapter").fillna(False).to_numpy(dtype=bool)
    if chapter.any():
        findings.append(Finding(
            "hs.chapter", "the first two digits must be an HS chapter that exists (01–97, not 77)",
            chapter))
    return typed, findings


def parse_text(s: pd.Series, f: Field) -> Parsed:
    return s.astype("string"), []


PARSERS: dict[str, Callable[[pd.Series, Field], Parsed]] = {
    "text": parse_text,
    "integer": lambda s, f: parse_number(s, f, integer=True),
    "number": parse_number,
    "date": parse_date,
    "code": parse_code,
    "multi": parse_multi,
    "municipality": parse_municipality,
    "nace": parse_nace,
    "hs": parse_hs,
}


def parse_column(s: pd.Series, f: Field) -> Parsed:
    """The typed column, and every problem in it including missing required values."""
    typed, findings = PARSERS[f.type](s, f)
    if f.required:
        missing = s.isna().to_numpy()
        if missing.any():
            findings.insert(0, Finding("required", "a value is required here", missing))
    return typed, findings
