"""Generalisation hierarchies of the quasi-identifiers, and the fixed turnover bands.

The public business register lets anyone look up a firm's municipality, activity, legal form,
founding year and size, so these six variables are the quasi-identifiers (QIs) an attacker can
link on. Each hierarchy lists, from the value as recorded (level 0) to the wildcard ``"*"`` (top
level), the coarser and coarser forms the k-anonymity search (:mod:`etl.anonymise.kanon`) may
publish. A missing value becomes the string ``"unknown"`` below the top: it is a value an attacker
can see, not a wildcard. Columns are mapped over their distinct values, so a column of 100,000
records costs as much as its few hundred distinct values.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from etl.refdata import REFERENCE_DIR, codelist, nace_divisions, nace_sections, northern_codes
from etl.translit import latin_to_cyrillic

__all__ = [
    "EMPLOYEE_BANDS",
    "FOUNDED_SPLIT_YEAR",
    "NORTH_MITROVICA",
    "QI_HIERARCHIES",
    "TURNOVER_BAND_EDGES",
    "TURNOVER_BAND_LABELS",
    "UNKNOWN",
    "WILDCARD",
    "Hierarchy",
    "broad_sector_labels",
    "broad_sector_labels_all",
    "describe",
    "nace_broad_sectors",
    "turnover_band",
]

#: A fully generalised (or locally suppressed) quasi-identifier: matches any value.
WILDCARD = "*"
#: A missing value below the top level: a value of its own, not a wildcard.
UNKNOWN = "unknown"

#: KAS code of North Mitrovica, the one northern town large enough to stand alone.
NORTH_MITROVICA = "38"
#: Founding years split here at level 3 ("before 2000" / "2000 or later").
FOUNDED_SPLIT_YEAR = 2000
#: Lower edges of the employee bands at levels 1 and 2 (the last band is open: "10+").
EMPLOYEE_BANDS: dict[int, tuple[int, ...]] = {1: (0, 2, 5, 10), 2: (0, 2, 10)}
#: Lower edges (euro) of the turnover bands above the first; the last band is top-coded.
#: 30,000 is Kosovo's VAT registration threshold, so the bands never straddle it.
TURNOVER_BAND_EDGES: tuple[int, ...] = (5_000, 10_000, 30_000, 100_000)
TURNOVER_BAND_LABELS: tuple[str, ...] = (
    f"under {TURNOVER_BAND_EDGES[0]:,}",
    *(f"{lo:,}-{hi - 1:,}" for lo, hi in pairwise(TURNOVER_BAND_EDGES)),
    f"{TURNOVER_BAND_EDGES[-1]:,} or more",
)

_BROAD_SECTOR_COLUMNS = ("section", "broad_sector", "label_en", "label_sq", "label_sr_latn")
_NACE_CODE = re.compile(r"\d{2}(\.\d{1,2})?")
#: Legal form → level-1 group; partnerships and companies answer to the same register rules.
_LEGAL_FORM_GROUPS = {
    "individual_business": "individual_business",
    "general_partnership": "company",
    "limited_partnership": "company",
    "llc": "company",
    "jsc": "company",
    "foreign_branch": "company",
    "agricultural_cooperative": "other",
    "other": "other",
}


@dataclass(frozen=True)
class Hierarchy:
    """One QI's generalisation levels: ``levels`` names them, level 0 first, ``"*"`` last.

    ``rule(value, level)`` labels one non-missing value at a level below the top; the
    hierarchy applies it once per distinct value of a column.
    """

    name: str
    levels: tuple[str, ...]
    rule: Callable[[Any, int], str]
    #: What a level of this QI is worth to users, relative to the others: the search for the
    #: least generalisation weighs each QI's share of its levels by it, so it gives up owner
    #: gender or founding year before it gives up the sector, which is what a product map is for.
    importance: int = 1

    @property
    def top(self) -> int:
        """The fully generalised level (every value becomes ``"*"``)."""
        return len(self.levels) - 1

    def generalise(self, s: pd.Series, level: int) -> pd.Series:
        """The column ``s`` at ``level``, as strings; missing values become ``"unknown"``."""
        if not 0 <= level <= self.top:
            raise ValueError(f"{self.name}: level {level} outside 0..{self.top}")
        if level == self.top:
            return pd.Series(WILDCARD, index=s.index, name=s.name, dtype="str")
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        labels = np.array([self.rule(u, level) for u in uniques] + [UNKNOWN], dtype=object)
        return pd.Series(labels[codes], index=s.index, name=s.name, dtype="str")


@lru_cache(maxsize=1)
def _broad_sectors() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    path = REFERENCE_DIR / "nace_broad_sectors.csv"
    sectors: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != _BROAD_SECTOR_COLUMNS:
            raise ValueError(f"{path}: expected columns {_BROAD_SECTOR_COLUMNS}")
        for line, row in enumerate(reader, start=2):
            section, sector = row["section"], row["broad_sector"]
            sr_latn = row["label_sr_latn"]
            label = {"en": row["label_en"], "sq": row["label_sq"], "sr-Latn": sr_latn,
                     "sr-Cyrl": latin_to_cyrillic(sr_latn)}
            if section in sectors:
                raise ValueError(f"{path}, line {line}: section {section!r} listed twice")
            if labels.setdefault(sector, label) != label:
                raise ValueError(f"{path}, line {line}: {sector!r} has two labels")
            sectors[section] = sector
    if set(sectors) != set(nace_sections()):
        raise ValueError(f"{path}: sections differ from nace_sections.csv")
    return sectors, labels


def nace_broad_sectors() -> dict[str, str]:
    """NACE Rev. 2 section letter → broad sector code (``nace_broad_sectors.csv``)."""
    return dict(_broad_sectors()[0])


def broad_sector_labels() -> dict[str, str]:
    """Broad sector code → English label, in file order."""
    return {sector: labels["en"] for sector, labels in _broad_sectors()[1].items()}


def broad_sector_labels_all() -> dict[str, dict[str, str]]:
    """Broad sector code → {"en", "sq", "sr-Latn", "sr-Cyrl"} labels, in file order."""
    return {sector: dict(labels) for sector, labels in _broad_sectors()[1].items()}


@lru_cache(maxsize=1)
def _section_of_division() -> dict[str, str]:
    return {code: d.section for code, d in nace_divisions().items()}


@lru_cache(maxsize=1)
def _known_codes() -> dict[str, frozenset[str]]:
    known = {name: frozenset(codelist(name)) for name in ("legal_form", "owner_gender")}
    if known["legal_form"] != set(_LEGAL_FORM_GROUPS):
        raise ValueError("legal-form groups do not cover the legal_form code list")
    return known


def _municipality(value: Any, level: int) -> str:
    code = str(value)
    if level == 0:
        return code
    if code == NORTH_MITROVICA:
        return "north_mitrovica"
    return "other_north" if code in northern_codes() else "other"


def _nace(value: Any, level: int) -> str:
    code = str(value)
    section = _section_of_division().get(code[:2])
    if not _NACE_CODE.fullmatch(code) or section is None:
        raise ValueError(f"nace: {code!r} is not a normalised NACE Rev. 2 code")
    return (code, code[:2], section, nace_broad_sectors()[section])[level]


def _founded(value: Any, level: int) -> str:
    year = int(value)
    if level == 0:
        return str(year)
    if level in (1, 2):
        width = 5 if level == 1 else 10
        start = year - year % width
        return f"{start}-{start + width - 1}"
    return f"before {FOUNDED_SPLIT_YEAR}" if year < FOUNDED_SPLIT_YEAR else (
        f"{FOUNDED_SPLIT_YEAR} or later")


def _employees(value: Any, level: int) -> str:
    count = int(value)
    if count < 0:
        raise ValueError(f"employees: negative count {count}")
    if level == 0:
        return str(count)
    edges = EMPLOYEE_BANDS[level]
    i = int(np.searchsorted(edges, count, side="right")) - 1
    return f"{edges[i]}+" if i == len(edges) - 1 else f"{edges[i]}-{edges[i + 1] - 1}"


def _coded(list_name: str, group: Callable[[str], str] | None = None) -> Callable[[Any, int], str]:
    def rule(value: Any, level: int) -> str:
        code = str(value)
        if code not in _known_codes()[list_name]:
            raise ValueError(f"{list_name}: unknown code {code!r}")
        return code if level == 0 or group is None else group(code)

    return rule


QI_HIERARCHIES: tuple[Hierarchy, ...] = (
    Hierarchy("municipality", ("municipality", "North Mitrovica / other north", "*"),
              _municipality, importance=4),
    Hierarchy("nace", ("class", "division", "section", "broad sector", "*"), _nace,
              importance=10),
    Hierarchy("founded", ("year", "5-year band", "10-year band",
                          f"before/since {FOUNDED_SPLIT_YEAR}", "*"), _founded, importance=2),
    Hierarchy("employees", ("number", "4 size bands", "3 size bands", "*"), _employees,
              importance=3),
    Hierarchy("owner_gender", ("code", "*"), _coded("owner_gender"), importance=1),
    Hierarchy("legal_form", ("code", "individual / company / other", "*"),
              _coded("legal_form", _LEGAL_FORM_GROUPS.__getitem__), importance=2),
)
"""The six QIs, in the order the search breaks ties on (lexicographic level vectors)."""


def describe(hierarchies: Sequence[Hierarchy] = QI_HIERARCHIES) -> list[dict[str, object]]:
    """Name, top level and level labels of each hierarchy, for the disclosure-risk report."""
    return [{"name": h.name, "top": h.top, "levels": list(h.levels)} for h in hierarchies]


def turnover_band(s: pd.Series) -> pd.Series:
    """Annual turnover (euro) as fixed top-coded bands; missing → ``"unknown"``.

    Fixed bands rather than a hierarchy: turnover is sensitive, not a QI, and bands that never
    move let users compare packages.
    """
    values = pd.to_numeric(s, errors="raise").astype("Float64").to_numpy(float, na_value=np.nan)
    missing = np.isnan(values)
    if (values[~missing] < 0).any():
        raise ValueError("turnover: negative values")
    labels = np.array([*TURNOVER_BAND_LABELS, UNKNOWN], dtype=object)
    index = np.searchsorted(TURNOVER_BAND_EDGES, np.where(missing, 0, values), side="right")
    return pd.Series(labels[np.where(missing, len(labels) - 1, index)], index=s.index,
                     name=s.name, dtype="str")
