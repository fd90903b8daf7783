"""The handbook's `requirements` resource: what a business needs to trade formally, by sector.

The reference half (authority, legal basis, steps and the documents asked for, in English,
Albanian and Serbian) is read from ``etl/reference/requirements.csv`` and
``requirement_scopes.csv`` (see ``SOURCES.md``). The numbers beside it come only from
published cells of the protected tables ``compliance_<requirement>_by_sector``, never from the
survey, so the handbook cannot reveal anything disclosure control has suppressed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from etl import derive
from etl.anonymise.hierarchies import broad_sector_labels
from etl.refdata import REFERENCE_DIR, read_reference

if TYPE_CHECKING:
    from etl.anonymise.release import AnonymisedRelease

__all__ = [
    "DOCUMENT_SEPARATOR",
    "LANGUAGES",
    "REQUIREMENT_CODES",
    "STEP_SEPARATOR",
    "TABLE_COLUMNS",
    "Requirement",
    "requirement_scopes",
    "requirements_reference",
    "requirements_table",
]

#: Every requirement the survey measures, in the order of the protected tables.
REQUIREMENT_CODES: tuple[str, ...] = ("reg_kosovo_business", "fiscal_registered",
                                      *derive.REQUIREMENTS)
LANGUAGES = ("en", "sq", "sr")
"""Languages of the reference texts; Serbian is Latin script (Cyrillic is derived, never typed)."""
STEP_SEPARATOR = " | "
"""Separates the steps inside a ``steps_<lang>`` field (sentences may contain ';' and '.')."""
DOCUMENT_SEPARATOR = STEP_SEPARATOR
"""Separates the documents inside a ``documents_<lang>`` field, as the steps."""

_REQUIREMENT_COLUMNS = ("requirement", "applies_to", "authority_en", "authority_sq",
                        "authority_sr", "legal_basis", "steps_en", "steps_sq", "steps_sr",
                        "documents_en", "documents_sq", "documents_sr", "unconfirmed", "source")
_SCOPE_COLUMNS = ("code", "label_en", "label_sq", "label_sr")
#: Fields that may be empty: domain-facts gives no legal basis for some requirements.
_OPTIONAL = frozenset({"legal_basis"})

TABLE_COLUMNS = ("broad_sector", "requirement", "applies_to", "authority_en", "authority_sq",
                 "authority_sr", "legal_basis", "steps_en", "steps_sq", "steps_sr",
                 "documents_en", "documents_sq", "documents_sr", "businesses_applicable",
                 "businesses_meeting", "share_meeting_pct", "status")
MET, GAP = "met", "gap"
PUBLISHED, SUPPRESSED, NOT_APPLICABLE = "published", "suppressed", "not_applicable"


@dataclass(frozen=True)
class Requirement:
    """One requirement for trading formally: who must meet it, who enforces it, on what basis
    and how (2-3 steps per language), with the documents the authority asks for (1-4 per
    language); ``unconfirmed`` flags facts the sources leave open."""

    requirement: str
    applies_to: str
    authority_en: str
    authority_sq: str
    authority_sr: str
    legal_basis: str
    steps_en: tuple[str, ...]
    steps_sq: tuple[str, ...]
    steps_sr: tuple[str, ...]
    documents_en: tuple[str, ...]
    documents_sq: tuple[str, ...]
    documents_sr: tuple[str, ...]
    unconfirmed: bool
    source: str

    def authority(self, lang: str) -> str:
        return getattr(self, f"authority_{_lang(lang)}")

    def steps(self, lang: str) -> tuple[str, ...]:
        return getattr(self, f"steps_{_lang(lang)}")

    def documents(self, lang: str) -> tuple[str, ...]:
        return getattr(self, f"documents_{_lang(lang)}")


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    return lang


def _read(filename: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows = read_reference(filename, columns, REFERENCE_DIR)
    return [{k: v.strip() for k, v in row.items()} for row in rows]


@lru_cache(maxsize=1)
def _scopes() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for line, row in enumerate(_read("requirement_scopes.csv", _SCOPE_COLUMNS), start=2):
        where = f"requirement_scopes.csv, line {line}"
        if row["code"] in out:
            raise ValueError(f"{where}: duplicate code {row['code']!r}")
        if not all(row.values()):
            raise ValueError(f"{where}: empty field")
        out[row["code"]] = {lang: row[f"label_{lang}"] for lang in LANGUAGES}
    return out


def requirement_scopes() -> dict[str, dict[str, str]]:
    """Labels of the ``applies_to`` codes: code → {"en", "sq", "sr"} (Serbian Latin)."""
    return {code: dict(labels) for code, labels in _scopes().items()}


def _items(text: str, where: str, what: str, fewest: int, most: int,
           separator: str) -> tuple[str, ...]:
    items = tuple(s.strip() for s in text.split(separator.strip())) if text.strip() else ()
    blank = sum(not item for item in items)
    if not fewest <= len(items) <= most or blank:
        raise ValueError(f"{where}: expected {fewest}-{most} non-empty {what} separated by "
                         f"{separator!r}, found {len(items)}"
                         + (f" ({blank} empty)" if blank else ""))
    return items


def _steps(text: str, where: str) -> tuple[str, ...]:
    return _items(text, where, "steps", 2, 3, STEP_SEPARATOR)


def _documents(text: str, where: str) -> tuple[str, ...]:
    return _items(text, where, "documents", 1, 4, DOCUMENT_SEPARATOR)


def _per_language(row: dict[str, str], where: str, column: str,
                  parse: Callable[[str, str], tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    out = {lang: parse(row[f"{column}_{lang}"], f"{where}, column {column}_{lang}")
           for lang in LANGUAGES}
    counts = {f"{column}_{lang}": len(items) for lang, items in out.items()}
    if len(set(counts.values())) != 1:
        found = ", ".join(f"{name}: {n}" for name, n in counts.items())
        raise ValueError(f"{where}, columns {', '.join(counts)}: the languages give different "
                         f"numbers of {column} ({found})")
    return out


def _requirement(row: dict[str, str], where: str) -> Requirement:
    empty = [k for k, v in row.items() if not v and k not in _OPTIONAL]
    if empty:
        raise ValueError(f"{where}, {'column' if len(empty) == 1 else 'columns'} "
                         f"{', '.join(empty)}: empty")
    if row["unconfirmed"] not in ("yes", "no"):
        raise ValueError(f"{where}: unconfirmed must be 'yes' or 'no', not {row['unconfirmed']!r}")
    steps = _per_language(row, where, "steps", _steps)
    documents = _per_language(row, where, "documents", _documents)
    return Requirement(
        requirement=row["requirement"], applies_to=row["applies_to"],
        authority_en=row["authority_en"], authority_sq=row["authority_sq"],
        authority_sr=row["authority_sr"], legal_basis=row["legal_basis"],
        steps_en=steps["en"], steps_sq=steps["sq"], steps_sr=steps["sr"],
        documents_en=documents["en"], documents_sq=documents["sq"],
        documents_sr=documents["sr"],
        unconfirmed=row["unconfirmed"] == "yes", source=row["source"])


@lru_cache(maxsize=1)
def _requirements() -> tuple[Requirement, ...]:
    scopes = _scopes()
    out = []
    for line, row in enumerate(_read("requirements.csv", _REQUIREMENT_COLUMNS), start=2):
        where = f"requirements.csv, line {line}"
        item = _requirement(row, where)
        if item.applies_to not in scopes:
            raise ValueError(f"{where}: applies_to {item.applies_to!r} has no label in "
                             "requirement_scopes.csv")
        out.append(item)
    codes = [r.requirement for r in out]
    unknown = sorted(set(codes) - set(REQUIREMENT_CODES))
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    missing = [c for c in REQUIREMENT_CODES if c not in codes]
    if unknown or duplicated or missing:
        raise ValueError(f"requirements.csv must list each requirement of etl.derive once: "
                         f"missing {missing}, duplicated {duplicated}, unknown {unknown}")
    order = {c: i for i, c in enumerate(REQUIREMENT_CODES)}
    return tuple(sorted(out, key=lambda r: order[r.requirement]))


def requirements_reference() -> list[Requirement]:
    """Every requirement once, in the order of :data:`REQUIREMENT_CODES` (validated on load)."""
    return list(_requirements())


def _broad_sectors() -> tuple[str, ...]:
    return tuple(broad_sector_labels())  # file order


def _cell(table: pd.DataFrame, dim: str, sector: str, code: str) -> int | None:
    """A published interior cell's value, None when suppressed. A code absent from the whole
    table is a published zero: no business anywhere has it, and the table shows that."""
    if code not in set(table[dim]):
        return 0
    hit = table[(table["broad_sector"] == sector) & (table[dim] == code)]
    if len(hit) != 1:
        raise ValueError(f"expected one cell broad_sector={sector}, {dim}={code}; found {len(hit)}")
    row = hit.iloc[0]
    if row["status"] != PUBLISHED or pd.isna(row["value"]):
        return None
    return int(row["value"])


def _numbers(table: pd.DataFrame, dim: str, sector: str) -> dict[str, object]:
    met = _cell(table, dim, sector, MET)
    gap = _cell(table, dim, sector, GAP)
    if met is None or gap is None:
        return {"businesses_applicable": pd.NA, "businesses_meeting": pd.NA,
                "share_meeting_pct": pd.NA, "status": SUPPRESSED}
    if met + gap == 0:
        return {"businesses_applicable": 0, "businesses_meeting": 0,
                "share_meeting_pct": pd.NA, "status": NOT_APPLICABLE}
    return {"businesses_applicable": met + gap, "businesses_meeting": met,
            "share_meeting_pct": round(100 * met / (met + gap), 1), "status": PUBLISHED}


def requirements_table(release: AnonymisedRelease) -> pd.DataFrame:
    """One row per broad sector × requirement: the reference beside the share of mapped
    businesses meeting it. Sectors in ``nace_broad_sectors.csv`` order (those in the release's
    tables only), requirements in :data:`REQUIREMENT_CODES` order.

    ``status`` is ``suppressed`` (no numbers) when the met or gap cell is suppressed,
    ``not_applicable`` when the requirement applies to none of the sector's businesses (share
    missing), else ``published``.
    """
    tables = {r.requirement: release.tables.tables[f"compliance_{r.requirement}_by_sector"]
              for r in _requirements()}
    present = set().union(*(set(t["broad_sector"]) for t in tables.values()))
    rows = []
    for sector in (s for s in _broad_sectors() if s in present):
        for ref in _requirements():
            table = tables[ref.requirement]
            if sector not in set(table["broad_sector"]):
                raise ValueError(f"compliance_{ref.requirement}_by_sector has no row {sector!r}")
            rows.append({
                "broad_sector": sector, "requirement": ref.requirement,
                "applies_to": ref.applies_to, "authority_en": ref.authority_en,
                "authority_sq": ref.authority_sq, "authority_sr": ref.authority_sr,
                "legal_basis": ref.legal_basis,
                **{f"steps_{lang}": STEP_SEPARATOR.join(ref.steps(lang)) for lang in LANGUAGES},
                **{f"documents_{lang}": DOCUMENT_SEPARATOR.join(ref.documents(lang))
                   for lang in LANGUAGES},
                **_numbers(table, f"req_{ref.requirement}", sector),
            })
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    for column in ("businesses_applicable", "businesses_meeting"):
        frame[column] = frame[column].astype("Int64")
    frame["share_meeting_pct"] = frame["share_meeting_pct"].astype("Float64")
    return frame
