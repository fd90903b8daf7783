"""Reference data of the ETL: municipalities, NACE, HS and the survey's code lists.

The data live as plain UTF-8 CSV files in ``etl/reference/`` (see ``SOURCES.md`` there) and are
read with the standard library ``csv`` module. Parsing is done once per process
(``functools.lru_cache``); the public functions return fresh containers, so callers may modify
what they get without corrupting the cache.

Serbian Cyrillic is never read as typed text: it is derived from Serbian Latin with
:func:`etl.translit.latin_to_cyrillic` (the ``name_sr_cyrl`` column of ``municipalities.csv`` is
checked against it at load time).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .translit import latin_to_cyrillic

__all__ = [
    "REFERENCE_DIR",
    "HsChapter",
    "Municipality",
    "NaceDivision",
    "codelist",
    "codelist_names",
    "hs_chapters",
    "municipalities",
    "municipalities_by_code",
    "municipality_lookup",
    "nace_divisions",
    "nace_section_labels",
    "nace_sections",
    "normalise_name",
    "read_reference",
    "northern_codes",
]

REFERENCE_DIR = Path(__file__).parent / "reference"

_MUNICIPALITY_COLUMNS = (
    "kas_code",
    "name_en",
    "name_sq",
    "name_sr_latn",
    "name_sr_cyrl",
    "district",
    "latitude",
    "longitude",
    "northern",
)
_ALIAS_COLUMNS = ("alias", "kas_code", "note")
_NACE_SECTION_COLUMNS = ("code", "label_en", "label_sq", "label_sr_latn")
_NACE_DIVISION_COLUMNS = ("code", "section", "label_en", "label_sq", "label_sr_latn")
_HS_CHAPTER_COLUMNS = ("code", "section", "label_en", "label_sq", "label_sr_latn")
_CODELIST_COLUMNS = ("list", "code", "label_en", "label_sq", "label_sr_latn")

# Characters treated like a space by normalise_name: hyphen-minus, Unicode hyphen,
# non-breaking hyphen, figure dash, en dash.
_DASHES = str.maketrans({c: " " for c in "-\u2010\u2011\u2012\u2013"})


@dataclass(frozen=True)
class Municipality:
    """One of Kosovo's 38 municipalities (Kosovo Agency of Statistics code and names)."""

    kas_code: str
    name_en: str
    name_sq: str
    name_sr_latn: str
    district: str
    latitude: float
    longitude: float
    northern: bool

    @property
    def name_sr_cyrl(self) -> str:
        """Serbian name in Cyrillic, transliterated from :attr:`name_sr_latn`."""
        return latin_to_cyrillic(self.name_sr_latn)

    @property
    def names(self) -> tuple[str, str, str, str]:
        """The names in English, Albanian, Serbian Latin and Serbian Cyrillic."""
        return (self.name_en, self.name_sq, self.name_sr_latn, self.name_sr_cyrl)


@dataclass(frozen=True)
class NaceDivision:
    """A NACE Rev. 2 division (two-digit code) and the section it belongs to."""

    code: str
    section: str
    label_en: str
    label_sq: str
    label_sr_latn: str


@dataclass(frozen=True)
class HsChapter:
    """A Harmonized System (HS 2022) chapter and its section (Roman numeral)."""

    code: str
    section: str
    label_en: str
    label_sq: str
    label_sr_latn: str


def normalise_name(s: str) -> str:
    """Normalise a place name for lookup.

    Unicode NFC, case folding, hyphens and en dashes read as spaces, runs of white space collapsed
    to one space, surrounding white space removed. Diacritics are kept: spellings without them
    are listed as aliases in ``municipality_aliases.csv``.
    """
    s = unicodedata.normalize("NFC", s).casefold()
    s = unicodedata.normalize("NFC", s).translate(_DASHES)
    return " ".join(s.split())


def read_reference(filename: str, columns: tuple[str, ...],
                   folder: Path = REFERENCE_DIR) -> list[dict[str, str]]:
    """Rows of a reference CSV, NFC-normalised, refusing a wrong header or field count."""
    path = folder / filename
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != columns:
            raise ValueError(f"{path}: expected columns {columns}, found {header}")
        rows: list[dict[str, str]] = []
        for line, row in enumerate(reader, start=2):
            if None in row or any(value is None for value in row.values()):
                raise ValueError(f"{path}, line {line}: wrong number of fields")
            rows.append({key: unicodedata.normalize("NFC", value) for key, value in row.items()})
    return rows


def _parse_bool(value: str, where: str) -> bool:
    if value == "yes":
        return True
    if value == "no":
        return False
    raise ValueError(f"{where}: expected 'yes' or 'no', found {value!r}")


@lru_cache(maxsize=1)
def _municipalities() -> tuple[Municipality, ...]:
    result: list[Municipality] = []
    for row in read_reference("municipalities.csv", _MUNICIPALITY_COLUMNS):
        where = f"municipalities.csv, code {row['kas_code']!r}"
        item = Municipality(
            kas_code=row["kas_code"],
            name_en=row["name_en"],
            name_sq=row["name_sq"],
            name_sr_latn=row["name_sr_latn"],
            district=row["district"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            northern=_parse_bool(row["northern"], where),
        )
        if row["name_sr_cyrl"] != item.name_sr_cyrl:
            raise ValueError(
                f"{where}: name_sr_cyrl {row['name_sr_cyrl']!r} is not the transliteration "
                f"of {item.name_sr_latn!r} ({item.name_sr_cyrl!r})"
            )
        result.append(item)
    codes = [m.kas_code for m in result]
    if len(set(codes)) != len(codes):
        raise ValueError("municipalities.csv: duplicate KAS codes")
    return tuple(result)


def municipalities() -> list[Municipality]:
    """All 38 municipalities, sorted by KAS code."""
    return list(_municipalities())


def municipalities_by_code() -> dict[str, Municipality]:
    """The municipalities keyed by their two-digit KAS code."""
    return {m.kas_code: m for m in _municipalities()}


@lru_cache(maxsize=1)
def _municipality_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    sources: dict[str, str] = {}

    def add(key_text: str, code: str, source: str) -> None:
        key = normalise_name(key_text)
        if not key:
            raise ValueError(f"{source}: empty name")
        known = lookup.get(key)
        if known is not None and known != code:
            raise ValueError(
                f"municipality name {key_text!r} ({source}) maps to {code} "
                f"but already maps to {known} ({sources[key]})"
            )
        lookup[key] = code
        sources.setdefault(key, source)

    for m in _municipalities():
        where = f"municipalities.csv, code {m.kas_code}"
        add(m.kas_code, m.kas_code, where)
        add(str(int(m.kas_code)), m.kas_code, where)
        for name in m.names:
            add(name, m.kas_code, where)
    known_codes = {m.kas_code for m in _municipalities()}
    for line, row in enumerate(read_reference("municipality_aliases.csv", _ALIAS_COLUMNS), start=2):
        where = f"municipality_aliases.csv, line {line}"
        if row["kas_code"] not in known_codes:
            raise ValueError(f"{where}: unknown KAS code {row['kas_code']!r}")
        add(row["alias"], row["kas_code"], where)
    return lookup


def municipality_lookup() -> dict[str, str]:
    """Map :func:`normalise_name` keys to two-digit KAS codes.

    Keys cover the English, Albanian, Serbian Latin and Serbian Cyrillic names, every alias,
    and the KAS code itself in both ``"3"`` and ``"03"`` forms. Look a raw value up with
    ``municipality_lookup().get(normalise_name(value))``.

    Raises ValueError if the reference files give one key two different codes.
    """
    return dict(_municipality_lookup())


def northern_codes() -> frozenset[str]:
    """KAS codes of the four northern municipalities."""
    return frozenset(m.kas_code for m in _municipalities() if m.northern)


def _labels(en: str, sq: str, sr_latn: str) -> dict[str, str]:
    """The labels of a code in English, Albanian and Serbian (Latin; Cyrillic derived)."""
    return {"en": en, "sq": sq, "sr-Latn": sr_latn, "sr-Cyrl": latin_to_cyrillic(sr_latn)}


@lru_cache(maxsize=1)
def _nace_section_labels() -> dict[str, dict[str, str]]:
    return {
        row["code"]: _labels(row["label_en"], row["label_sq"], row["label_sr_latn"])
        for row in read_reference("nace_sections.csv", _NACE_SECTION_COLUMNS)
    }


@lru_cache(maxsize=1)
def _nace_sections() -> dict[str, str]:
    return {code: labels["en"] for code, labels in _nace_section_labels().items()}


def nace_sections() -> dict[str, str]:
    """NACE Rev. 2 sections: letter → English title."""
    return dict(_nace_sections())


def nace_section_labels() -> dict[str, dict[str, str]]:
    """NACE Rev. 2 sections: letter → {"en", "sq", "sr-Latn", "sr-Cyrl"} titles."""
    return {code: dict(labels) for code, labels in _nace_section_labels().items()}


@lru_cache(maxsize=1)
def _nace_divisions() -> dict[str, NaceDivision]:
    sections = _nace_sections()
    result: dict[str, NaceDivision] = {}
    for row in read_reference("nace_divisions.csv", _NACE_DIVISION_COLUMNS):
        if row["section"] not in sections:
            raise ValueError(f"nace_divisions.csv: unknown section {row['section']!r}")
        result[row["code"]] = NaceDivision(
            row["code"], row["section"], row["label_en"], row["label_sq"], row["label_sr_latn"]
        )
    return result


def nace_divisions() -> dict[str, NaceDivision]:
    """NACE Rev. 2 divisions: two-digit code → :class:`NaceDivision`."""
    return dict(_nace_divisions())


@lru_cache(maxsize=1)
def _hs_chapters() -> dict[str, HsChapter]:
    return {
        row["code"]: HsChapter(
            row["code"], row["section"], row["label_en"], row["label_sq"], row["label_sr_latn"]
        )
        for row in read_reference("hs_chapters.csv", _HS_CHAPTER_COLUMNS)
    }


def hs_chapters() -> dict[str, HsChapter]:
    """HS 2022 chapters: two-digit code → :class:`HsChapter` (chapter 77 is reserved)."""
    return dict(_hs_chapters())


@lru_cache(maxsize=1)
def _codelists() -> dict[str, dict[str, dict[str, str]]]:
    lists: dict[str, dict[str, dict[str, str]]] = {}
    for line, row in enumerate(read_reference("codelists.csv", _CODELIST_COLUMNS), start=2):
        codes = lists.setdefault(row["list"], {})
        if row["code"] in codes:
            raise ValueError(f"codelists.csv, line {line}: duplicate code {row['code']!r}")
        codes[row["code"]] = {
            "en": row["label_en"],
            "sq": row["label_sq"],
            "sr-Latn": row["label_sr_latn"],
            "sr-Cyrl": latin_to_cyrillic(row["label_sr_latn"]),
        }
    return lists


def codelist_names() -> list[str]:
    """Names of the code lists, in file order."""
    return list(_codelists())


def codelist(name: str) -> dict[str, dict[str, str]]:
    """A code list: code → labels keyed ``"en"``, ``"sq"``, ``"sr-Latn"``, ``"sr-Cyrl"``.

    Codes keep the order of ``codelists.csv`` (the order of raw-format.md). An unknown list name
    raises KeyError.
    """
    lists = _codelists()
    if name not in lists:
        raise KeyError(f"unknown code list {name!r}; known lists: {', '.join(lists)}")
    return {code: dict(labels) for code, labels in lists[name].items()}
