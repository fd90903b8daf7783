"""Parse one column into its typed form, checking every cell at once.

Columns arrive as categoricals over their distinct stripped spellings (see `etl.read`), so each
parser works on the distinct values and broadcasts the answer to the rows with NumPy: a million
rows cost about as much as the spellings they contain.
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
    values: np.ndarray | None = None  # what to show; defaults to the cell as written


Parsed = tuple[pd.Series | pd.Categorical | np.ndarray, list[Finding]]


def _codes(s: pd.Series) -> np.ndarray:
    return s.cat.codes.to_numpy()


def _per_value(s: pd.Series, fn: Callable[[str], object], missing: object = None,
               dtype: object = object) -> np.ndarray:
    """`fn` of each distinct spelling, broadcast to the rows (missing cells get `missing`)."""
    values = np.empty(len(s.cat.categories) + 1, dtype=dtype)
    values[:-1] = [fn(v) for v in s.cat.categories]
    values[-1] = missing
    return values[_codes(s)]  # code -1 picks the last slot


def _recode(s: pd.Series, fn: Callable[[str], int], categories: list[str]) -> np.ndarray:
    """New categorical codes: `fn` gives each spelling's position in `categories`, or -1."""
    index = np.array([fn(v) for v in s.cat.categories] + [-1], dtype=np.int64)
    return index[_codes(s)]


def _range_phrase(f: Field) -> str:
    fmt = "{:g}".format
    if f.exclusive_minimum is not None:
        return f"more than {fmt(f.exclusive_minimum)}"
    if f.minimum is not None and f.maximum is not None:
        return f"between {fmt(f.minimum)} and {fmt(f.maximum)}"
    if f.minimum is not None:
        return f"at least {fmt(f.minimum)}"
    return f"at most {fmt(f.maximum)}" if f.maximum is not None else ""


def _range_findings(f: Field, arr: np.ndarray) -> list[Finding]:
    bad = np.zeros(len(arr), dtype=bool)
    with np.errstate(invalid="ignore"):
        if f.minimum is not None:
            bad |= arr < f.minimum
        if f.maximum is not None:
            bad |= arr > f.maximum
        if f.exclusive_minimum is not None:
            bad |= arr <= f.exclusive_minimum
    return [Finding("range", f"must be {_range_phrase(f)}", bad)] if bad.any() else []


def parse_number(s: pd.Series, f: Field, *, integer: bool = False) -> Parsed:
    distinct = pd.to_numeric(pd.Series(s.cat.categories, dtype=object), errors="coerce")
    per_value = np.append(distinct.to_numpy(dtype="float64", na_value=np.nan), np.nan)
    arr = per_value[_codes(s)]
    present = _codes(s) >= 0
    bad = present & ~np.isfinite(arr)
    if integer:
        with np.errstate(invalid="ignore"):
            bad |= present & np.isfinite(arr) & (np.floor(arr) != arr)
    findings: list[Finding] = []
    if bad.any():
        findings.append(
            Finding("type.integer", "must be a whole number, like 12", bad) if integer else
            Finding("type.number",
                    "must be a number, with . as the decimal point and no thousands separator",
                    bad))
    arr = np.where(bad, np.nan, arr)
    findings += _range_findings(f, arr)
    return pd.array(arr, dtype="Int64" if integer else "Float64"), findings


_DATE_FORMS = ((re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), "%Y-%m-%d"),
               (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}\.?"), "%d.%m.%Y"))


def _parse_date(text: str) -> np.datetime64:
    """Both forms of the contract; a trailing dot (05.03.2019.) is how Serbian writes dates."""
    for pattern, fmt in _DATE_FORMS:
        if pattern.fullmatch(text):
            try:
                return np.datetime64(dt.datetime.strptime(text.rstrip("."), fmt), "s")
            except ValueError:
                break
    return np.datetime64("NaT", "s")


def parse_date(s: pd.Series, f: Field) -> Parsed:
    arr = _per_value(s, _parse_date, np.datetime64("NaT", "s"), dtype="datetime64[s]")
    bad = (_codes(s) >= 0) & np.isnat(arr)
    findings = []
    if bad.any():
        findings.append(Finding("type.date",
                                "must be a real date written YYYY-MM-DD or DD.MM.YYYY", bad))
    return pd.Series(arr), findings


def _position(codes: list[str]) -> Callable[[str], int]:
    where = {c: i for i, c in enumerate(codes)}
    return lambda v: where.get(v.casefold(), -1)


def parse_code(s: pd.Series, f: Field) -> Parsed:
    assert f.codelist
    codes = list(refdata.codelist(f.codelist))
    new = _recode(s, _position(codes), codes)
    bad = (_codes(s) >= 0) & (new < 0)
    findings = []
    if bad.any():
        findings.append(Finding("code", f"must be one of: {', '.join(codes)}", bad))
    if f.codelist == "yes_no":
        return pd.array(np.where(new < 0, None, new == codes.index("yes")),
                        dtype="boolean"), findings
    return pd.Categorical.from_codes(new, categories=codes), findings


def parse_multi(s: pd.Series, f: Field) -> Parsed:
    assert f.codelist
    codes = list(refdata.codelist(f.codelist))
    known = set(codes)

    def chosen(text: str) -> tuple[str, ...]:
        tokens = set(text.casefold().split())
        return tuple(c for c in codes if c in tokens)

    def unknown(text: str) -> str:
        return " ".join(t for t in text.casefold().split() if t not in known)

    wrong = _per_value(s, unknown, "")
    bad = wrong != ""
    findings = []
    if bad.any():
        findings.append(Finding(
            "multi", f"must be codes separated by spaces, each one of: {', '.join(codes)}",
            bad, values=wrong))
    typed = _per_value(s, chosen, None)
    typed[bad] = None
    return pd.Series(typed, dtype=object), findings


def parse_municipality(s: pd.Series, f: Field) -> Parsed:
    lookup = refdata.municipality_lookup()
    kas = [m.kas_code for m in refdata.municipalities()]
    where = {c: i for i, c in enumerate(kas)}
    new = _recode(s, lambda v: where.get(lookup.get(refdata.normalise_name(v), ""), -1), kas)
    bad = (_codes(s) >= 0) & (new < 0)
    findings = []
    if bad.any():
        findings.append(Finding(
            "municipality",
            "must be a municipality of Kosovo: its name in English, Albanian or Serbian "
            "(Latin or Cyrillic script), or its KAS code",
            bad))
    return pd.Categorical.from_codes(new, categories=kas), findings


_NACE = re.compile(r"(\d{2})(?:\.\d{1,2})?")


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


def _hs(text: str) -> tuple[str | None, str]:
    compact = re.sub(r"[ .]", "", text)
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", compact):
        return None, "form"
    if compact[:2] not in refdata.hs_chapters() or compact[:2] == "77":
        return None, "chapter"
    return compact, ""


def _classification(s: pd.Series, normalise: Callable[[str], tuple[str | None, str]],
                    rules: dict[str, tuple[str, str]]) -> Parsed:
    """A code of a nested classification: normalised spelling, or which rule it breaks."""
    pairs = {v: normalise(v) for v in s.cat.categories}
    findings = []
    for why, (rule, message) in rules.items():
        bad = _per_value(s, lambda v, w=why: pairs[v][1] == w, False, dtype=bool)
        if bad.any():
            findings.append(Finding(rule, message, bad))
    typed = _per_value(s, lambda v: pairs[v][0], None)
    return pd.Series(typed, dtype=object).astype("category"), findings


def parse_nace(s: pd.Series, f: Field) -> Parsed:
    return _classification(s, _nace, {
        "form": ("nace", "must be a NACE Rev. 2 code: a division (10), group (10.5) or "
                         "class (10.51)"),
        "division": ("nace.division",
                     "the first two digits must be a NACE Rev. 2 division that exists"),
    })


def parse_hs(s: pd.Series, f: Field) -> Parsed:
    return _classification(s, _hs, {
        "form": ("hs", "must be a Harmonized System code of 2, 4 or 6 digits "
                       "(chapter, heading or subheading)"),
        "chapter": ("hs.chapter",
                    "the first two digits must be an HS chapter that exists (01–97, not 77)"),
    })


def parse_text(s: pd.Series, f: Field) -> Parsed:
    return s, []


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
        missing = _codes(s) < 0
        if missing.any():
            findings.insert(0, Finding("required", "a value is required here", missing))
    return typed, findings
