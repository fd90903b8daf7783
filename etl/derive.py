"""Derived variables, documented once and used by the anonymiser, the tables and the portal.

They turn the checked survey into the measures the programme reports on: a compliance level
for each business, broad sectors, bands. Each is a plain function of typed tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Requirements a business meets when the item is `yes` or does not apply (`na`); together with
#: KBRA registration and a fiscal number they define "formal".
REQUIREMENTS = (
    "vat_registered", "pension_contributions", "written_contracts", "fva_registration", "haccp",
    "bilingual_labels", "product_certification", "environmental_permit", "sector_licence",
)

#: Turnover above which VAT registration is mandatory (Law No. 05/L-037, see domain facts).
VAT_THRESHOLD_EUR = 30_000

COMPLIANCE_LEVELS = ("informal", "partly_formal", "formal")


def vat_applies(e: pd.DataFrame) -> np.ndarray:
    """VAT is required above the threshold; where turnover is unknown, assume it applies only if
    the business says it is registered (no evidence of a gap)."""
    turnover = e["annual_turnover_eur"].to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(turnover), False, turnover > VAT_THRESHOLD_EUR)


def requirement_status(e: pd.DataFrame) -> pd.DataFrame:
    """Per business and requirement: True met, False unmet, NA not applicable or unknown.

    Registration and fiscal number apply to every business; VAT above the threshold; the
    yes/no/na items as the assessor recorded them.
    """
    out = {}
    for item in ("reg_kosovo_business", "fiscal_registered"):
        out[item] = e[item].astype("boolean")
    vat = e["vat_registered"].astype("boolean")
    out["vat_registered"] = vat.where(vat | pd.array(vat_applies(e), dtype="boolean"))
    for item in REQUIREMENTS[1:]:
        codes = e[item].astype("string")
        out[item] = pd.array(np.where(codes == "yes", True, np.where(codes == "no", False, None)),
                             dtype="boolean")
    return pd.DataFrame(out, index=e.index)


def compliance_level(e: pd.DataFrame) -> pd.Categorical:
    """informal: not registered with KBRA; formal: registered, fiscal number, and every
    applicable requirement met; partly_formal: registered but with at least one gap."""
    status = requirement_status(e)
    registered = status["reg_kosovo_business"].fillna(False).to_numpy(dtype=bool)
    gaps = (status == False).to_numpy(dtype=bool, na_value=False).any(axis=1)  # noqa: E712
    level = np.where(~registered, 0, np.where(gaps, 1, 2))
    return pd.Categorical.from_codes(level, categories=list(COMPLIANCE_LEVELS))


def total_employees(e: pd.DataFrame) -> pd.array:
    full = e["employees_full_time"].astype("Int64")
    return full + e["employees_part_time"].astype("Int64").fillna(0)


AGE_BANDS = ((15, 24, "15-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"),
             (55, 64, "55-64"), (65, 100, "65+"))


def age_band(age: pd.Series) -> pd.Series:
    values = age.to_numpy(dtype="float64", na_value=np.nan)
    out = np.full(len(values), "unknown", dtype=object)
    for lo, hi, label in AGE_BANDS:
        out[(values >= lo) & (values <= hi)] = label
    return pd.Series(out, index=age.index)
