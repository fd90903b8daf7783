"""Anonymised business microdata: one row per business, keyed by a pseudonym.

Quasi-identifiers (what the public register tells about a firm) are generalised to
k-anonymity with local suppression; sensitive attributes (compliance, growth, constraints,
turnover band) are then made l-diverse per equivalence class. Everything else — names,
numbers, contacts, places, free text, owner ethnicity and age — is not carried over at all:
the published frame is built column by column from an allow-list, never by dropping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl import derive, refdata
from etl.anonymise.background import CERTIFICATIONS, Known
from etl.anonymise.bg_microdata import Extra, protect_candidates
from etl.anonymise.hierarchies import QI_HIERARCHIES, WILDCARD, turnover_band
from etl.anonymise.kanon import Generalisation, LDiversity, generalise, l_diverse
from etl.anonymise.params import SUPPRESSED, Params
from etl.anonymise.pseudonym import pseudonyms

#: Survey items published as recorded (yes / no / na), each a sensitive attribute.
ITEMS = (
    "reg_kosovo_business", "reg_serbian_apr", "fiscal_registered", "vat_registered",
    "pension_contributions", "written_contracts", "fva_registration", "haccp",
    "bilingual_labels", "product_certification", "environmental_permit", "sector_licence",
    "sells_rest_of_kosovo", "sells_serbia", "exports_other",
)

#: Raw enterprise columns the microdata is built from; every other raw column is dropped.
USED_COLUMNS = (
    "enterprise_id", "municipality", "nace_code", "founded_year", "employees_full_time",
    "employees_part_time", "owner_gender", "legal_form", "annual_turnover_eur",
    "growth_potential", "growth_constraints", "training_needs", *ITEMS,
)


@dataclass
class Microdata:
    frame: pd.DataFrame
    generalisation: Generalisation
    diversity: LDiversity
    #: What the supplier directory made this wave suppress on top.
    directory: Extra | None = None


def _text(s: pd.Series) -> pd.Series:
    if str(s.dtype) == "boolean":
        s = s.map({True: "yes", False: "no"})
    return s.astype(object).where(s.notna(), None)


def quasi_identifiers(e: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "municipality": e["municipality"].astype(object),
        "nace": e["nace_code"].astype(object),
        "founded": e["founded_year"].astype("Int64"),
        "employees": derive.total_employees(e).astype("Int64"),
        "owner_gender": e["owner_gender"].astype(object),
        "legal_form": e["legal_form"].astype(object),
    }, index=e.index)


def sensitive_attributes(e: pd.DataFrame) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {
        "compliance_level": pd.Series(derive.compliance_level(e).astype(str), index=e.index),
        "turnover_band": turnover_band(e["annual_turnover_eur"]).astype(object),
        "growth_potential": _text(e["growth_potential"].astype("string")),
    }
    for item in ITEMS:
        columns[item] = _text(e[item])
    for field, prefix, codes in (("growth_constraints", "constraint", "growth_constraint"),
                                 ("training_needs", "need", "training_topic")):
        answered = e[field].notna().to_numpy()
        for code in refdata.codelist(codes):
            has = e[field].map(lambda v, c=code: c in v, na_action="ignore")
            columns[f"{prefix}_{code}"] = pd.Series(
                np.where(answered, np.where(has.fillna(False), "yes", "no"), None),
                index=e.index, dtype=object)
    return pd.DataFrame(columns, index=e.index)


def business_key(units: np.ndarray, key: bytes, version: str, wave: int) -> np.ndarray:
    """Published keys: a record's key differs in every release and wave, so nothing links a
    business across releases, nor its records of two waves."""
    return pseudonyms(units, key, f"{version}\x1f{wave}", "business")


def anonymise_businesses(e: pd.DataFrame, units: np.ndarray, key: bytes, version: str,
                         wave: int, params: Params, known: Known | None = None) -> Microdata:
    """The microdata of one survey wave: the records ``e`` (of units ``units``), k-anonymous
    and l-diverse among themselves, also for an attacker who reads the supplier directory
    (``known``, aligned with ``e``; see :mod:`.bg_microdata`)."""
    e = e.reset_index(drop=True)
    gen = generalise(quasi_identifiers(e), QI_HIERARCHIES, params)
    sensitive = sensitive_attributes(e)
    # "na" (not applicable) says nothing sensitive — it follows from the sector — so diversity
    # is judged on the applicable answers only: a class whose food businesses all lack HACCP
    # is disclosive however many non-food businesses share it.
    div = l_diverse(gen.classes, sensitive.mask(sensitive == "na"), params)
    published_qi = gen.frame.astype(object).where(gen.frame != WILDCARD, SUPPRESSED)
    for name, mask in div.masks.items():
        if mask.any():
            column = sensitive[name].astype(object).to_numpy(copy=True)
            column[mask] = SUPPRESSED
            sensitive[name] = column
    frame = pd.concat([published_qi.reset_index(drop=True),
                       sensitive.reset_index(drop=True)], axis=1)
    extra = None
    if known is not None:
        telling = [c for c in sensitive.columns if c not in CERTIFICATIONS]
        frame, extra = protect_candidates(frame, gen.classes, known, telling, params)
    frame.insert(0, "survey_wave", wave)
    frame.insert(0, "business_key", business_key(units, key, version, wave))
    # Published order follows the keys, which follow nothing in the raw input.
    frame = frame.sort_values("business_key", kind="stable").reset_index(drop=True)
    return Microdata(frame, gen, div, extra)
