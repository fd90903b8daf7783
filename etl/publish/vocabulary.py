"""What every published column means: titles, descriptions and code labels.

Labels come from the reference data (`etl/reference/`), never from literals here, in English,
Albanian and Serbian (Latin and Cyrillic; Cyrillic is derived from Latin). The same holds for
the titles of resources and fields and for units (`metadata_labels.csv`, read by
:func:`metadata_label`): nothing is published without its translations.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from etl import refdata
from etl.anonymise.hierarchies import broad_sector_labels_all
from etl.publish.releases import ReleaseError
from etl.translit import latin_to_cyrillic

Labels = dict[str, dict[str, str]]


def _trilingual(en: str, sq: str = "", sr: str = "") -> dict[str, str]:
    out = {"en": en}
    if sq:
        out["sq"] = sq
    if sr:
        out["sr-Latn"] = sr
        out["sr-Cyrl"] = latin_to_cyrillic(sr)
    return out


@lru_cache(maxsize=1)
def _publication_labels() -> dict[str, Labels]:
    out: dict[str, Labels] = {}
    with (refdata.REFERENCE_DIR / "publication_labels.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["vocabulary"], {})[row["code"]] = _trilingual(
                row["label_en"], row["label_sq"], row["label_sr_latn"])
    return out


METADATA_LABELS = "metadata_labels.csv"
_METADATA_COLUMNS = ("kind", "key", "label_en", "label_sq", "label_sr_latn")
#: What `metadata_labels.csv` labels: a resource (by name), a field (by name), a unit.
METADATA_KINDS = ("resource", "field", "unit")
_METADATA_FILE = f"etl/reference/{METADATA_LABELS}"


class MissingTranslation(ReleaseError):
    """A published title or unit without its row in `metadata_labels.csv`, or with a row
    whose English no longer matches what is published (its translations would be stale): the
    build stops and publishes nothing."""


@lru_cache(maxsize=1)
def _metadata_labels() -> dict[tuple[str, str], dict[str, str]]:
    out: dict[tuple[str, str], dict[str, str]] = {}
    rows = refdata.read_reference(METADATA_LABELS, _METADATA_COLUMNS)
    for line, row in enumerate(rows, start=2):
        where = f"{_METADATA_FILE}, line {line}"
        kind, key = row["kind"], row["key"]
        if kind not in METADATA_KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r} (one of {', '.join(METADATA_KINDS)})")
        if (kind, key) in out:
            raise ValueError(f"{where}: duplicate {kind} {key!r}")
        empty = [c for c in _METADATA_COLUMNS if not row[c].strip()]
        if empty:
            raise ValueError(f"{where}: empty {', '.join(empty)}")
        out[(kind, key)] = _trilingual(row["label_en"], row["label_sq"], row["label_sr_latn"])
    return out


def metadata_labels() -> dict[tuple[str, str], dict[str, str]]:
    """Every row of `metadata_labels.csv`: (kind, key) → {en, sq, sr-Latn, sr-Cyrl}."""
    return {k: dict(v) for k, v in _metadata_labels().items()}


def metadata_label(kind: str, key: str, english: str) -> dict[str, str]:
    """The published title of a resource or field (`key` is its name), or a unit (`key` is the
    unit), as {en, sq, sr-Latn, sr-Cyrl}; Cyrillic is transliterated from Serbian Latin.

    Raises :class:`MissingTranslation`, naming the file and the key, when the reference file
    has no row for it or its English label is not `english` (the text actually published).
    """
    labels = _metadata_labels().get((kind, key))
    if labels is None:
        raise MissingTranslation(
            f"{_METADATA_FILE}: no row for {kind} {key!r} (published as {english!r}); add "
            f"'{kind},{key},<English>,<Albanian>,<Serbian Latin>' before publishing it")
    if labels["en"] != english:
        raise MissingTranslation(
            f"{_METADATA_FILE}: {kind} {key!r} is published as {english!r} but labelled "
            f"{labels['en']!r}; update its English and its translations")
    return dict(labels)


def vocabulary(name: str) -> Labels:
    """Code → labels for a vocabulary: a code list of the format, or a derived one."""
    derived = _publication_labels()
    if name in derived:
        return dict(derived[name])
    if name == "municipality":
        return {m.kas_code: _trilingual(m.name_en, m.name_sq, m.name_sr_latn)
                for m in refdata.municipalities()}
    if name == "broad_sector":
        return {code: _trilingual(lab["en"], lab["sq"], lab["sr-Latn"])
                for code, lab in broad_sector_labels_all().items()}
    if name == "nace_section":
        return {code: _trilingual(lab["en"], lab["sq"], lab["sr-Latn"])
                for code, lab in refdata.nace_section_labels().items()}
    if name == "nace_division":
        return {code: _trilingual(d.label_en, d.label_sq, d.label_sr_latn)
                for code, d in refdata.nace_divisions().items()}
    if name == "requirement_scope":
        from etl.handbook import requirement_scopes

        return {code: _trilingual(lab["en"], lab["sq"], lab["sr"])
                for code, lab in requirement_scopes().items()}
    if name == "hs_chapter":
        return {code: _trilingual(c.label_en, c.label_sq, c.label_sr_latn)
                for code, c in refdata.hs_chapters().items()}
    return refdata.codelist(name)


@dataclass(frozen=True)
class Column:
    """A published column: its description and, for codes, the vocabulary of its values."""

    description: str
    vocabulary: str | None = None


#: Dimensions of the protected tables and columns of the microdata, by name.
COLUMNS: dict[str, Column] = {
    "municipality": Column("Municipality (KAS code).", "municipality"),
    "broad_sector": Column("Broad sector of activity (groups of NACE Rev. 2 sections).",
                           "broad_sector"),
    "north_sector": Column("Broad sector of the northern business.", "broad_sector"),
    "counterpart_sector": Column("Broad sector of the business from the rest of Kosovo.",
                                 "broad_sector"),
    "counterpart_municipality": Column("Municipality of the business from the rest of Kosovo.",
                                       "municipality"),
    "section": Column("NACE Rev. 2 section.", "nace_section"),
    "division": Column("NACE Rev. 2 division.", "nace_division"),
    "size": Column("Employees (full-time plus part-time), in bands.", "size"),
    "legal_form": Column("Legal form, grouped.", "legal_form_group"),
    "compliance_level": Column("Compliance level: informal (not registered with KBRA), "
                               "partly formal (registered, with at least one unmet applicable "
                               "requirement), formal (every applicable requirement met).",
                               "compliance_level"),
    "growth_potential": Column("The assessor's rating of growth potential, 1 (very low) to 5.",
                               "growth_potential"),
    "dual_registration": Column("Also registered with Serbia's business registers agency.",
                                "yes_no"),
    "owner_gender": Column("Owner's gender.", "owner_gender"),
    "owner_ethnicity": Column("Owner's community (pooled tables only).", "ethnicity"),
    "growth_constraints": Column("A growth constraint the business cited (several per "
                                 "business possible).", "growth_constraint"),
    "training_needs": Column("A training need found in the survey (several per business "
                             "possible).", "training_topic"),
    "markets": Column("A market outside the four northern municipalities the business sells "
                      "to (several possible).", "market"),
    "hs_chapters": Column("Harmonized System chapter of a product (several per business "
                          "possible); services have none.", "hs_chapter"),
    "quarter": Column("Calendar quarter of the session's start, e.g. 2019Q4."),
    "topic": Column("Training topic.", "training_topic"),
    "format": Column("Training format.", "training_format"),
    "gender": Column("Participant's gender.", "gender"),
    "ethnicity": Column("Participant's community.", "ethnicity"),
    "age_band": Column("Participant's age, in bands.", "age_band"),
    "completed": Column("Attended the whole session.", "yes_no"),
    "satisfaction": Column("Satisfaction with the session, 1 to 5.", "growth_potential"),
    "phase": Column("B2B phase: the pilot of five meetings, or the scale-up.", "b2b_phase"),
    "outcome": Column("Outcome of the meeting.", "b2b_outcome"),
    "language": Column("Language of the meeting.", "b2b_language"),
    "interpretation": Column("An interpreter was provided.", "yes_no"),
    "obstacles": Column("An obstacle found in the meeting (several possible).", "b2b_obstacle"),
}


def column(name: str) -> Column:
    if name in COLUMNS:
        return COLUMNS[name]
    if name.startswith("req_"):
        return Column(f"Whether the business meets the requirement {name[4:]}.",
                      "requirement_status")
    raise KeyError(f"no description for the published column {name!r}")
