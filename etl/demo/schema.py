"""The raw-format contract as the generator needs it: table names, column order, code lists.

Kept in one place so every builder and the writer emit exactly the columns of
``shared/raw-format.md`` in the contract's order, and a test can compare against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": (
        "enterprise_id", "business_name", "owner_name", "registration_number", "fiscal_number",
        "phone", "email", "address", "latitude", "longitude", "municipality", "settlement",
        "nace_code", "legal_form", "founded_year", "employees_full_time", "employees_part_time",
        "employees_female", "owner_gender", "owner_ethnicity", "owner_age",
        "annual_turnover_eur", "reg_kosovo_business", "reg_serbian_apr", "fiscal_registered",
        "vat_registered", "pension_contributions", "written_contracts", "fva_registration",
        "haccp", "bilingual_labels", "product_certification", "environmental_permit",
        "sector_licence", "sells_rest_of_kosovo", "sells_serbia", "exports_other",
        "growth_potential", "growth_constraints", "training_needs", "interview_date", "comments",
    ),
    "products": (
        "enterprise_id", "product_name", "hs_code", "annual_volume", "unit",
        "share_of_sales_pct", "certified", "sold_in",
    ),
    "trainings": (
        "training_id", "title", "topic", "format", "municipality", "start_date", "end_date",
        "hours", "provider",
    ),
    "attendance": (
        "training_id", "participant_name", "enterprise_id", "gender", "ethnicity", "age",
        "municipality", "pre_score", "post_score", "satisfaction", "completed",
    ),
    "b2b_meetings": (
        "meeting_id", "date", "phase", "north_enterprise_id", "counterpart_name",
        "counterpart_municipality", "counterpart_nace_code", "language", "interpretation",
        "outcome", "deal_value_eur", "obstacles", "follow_up_date", "notes",
    ),
    "indicators": (
        "indicator_id", "level", "title_en", "title_sq", "title_sr", "unit", "metric",
        "baseline", "baseline_year", "target", "target_date", "ascending",
    ),
    "indicator_reports": ("indicator_id", "period_start", "period_end", "actual", "note"),
}
"""Every table of the contract, in the order files and sheets are written."""

LEGAL_FORMS = (
    "individual_business", "general_partnership", "limited_partnership", "llc", "jsc",
    "agricultural_cooperative", "foreign_branch", "other",
)
OWNER_GENDERS = ("female", "male", "mixed", "undisclosed")
GENDERS = ("female", "male", "other", "undisclosed")
ETHNICITIES = (
    "serb", "albanian", "bosniak", "gorani", "roma", "ashkali", "egyptian", "turkish",
    "montenegrin", "other", "undisclosed",
)
GROWTH_CONSTRAINTS = (
    "finance", "skills", "certification", "market_access", "language", "political_uncertainty",
    "transport", "payment_systems", "registration", "competition", "labour",
)
TOPICS = (
    "registration", "tax_vat", "food_safety", "standards_certification", "labelling",
    "marketing", "finance_access", "bookkeeping", "digital", "export", "public_procurement",
    "business_language",
)
FORMATS = ("workshop", "training", "coaching", "study_visit")
SOLD_IN = ("local", "rest_of_kosovo", "serbia", "region", "eu", "other")
OBSTACLES = (
    "language", "payment_systems", "certification", "transport", "registration",
    "taxation_customs", "political", "trust", "pricing", "quality",
)
OUTCOMES = ("agreement_signed", "follow_up_planned", "no_agreement", "cancelled")
B2B_LANGUAGES = ("albanian", "serbian", "english", "mixed")
YES_NO_NA = ("yes", "no", "na")
"""Index 0/1/2 of the integer-coded compliance columns."""


@dataclass
class Table:
    """One generated table: the cells as the CSV carries them, and the true dates behind some.

    ``dates`` maps a column to its datetime64[D] values; the XLSX writer turns those columns
    into real date cells, the way a spreadsheet user would have typed them.
    """

    name: str
    frame: pd.DataFrame
    dates: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        expected = list(COLUMNS[self.name])
        if list(self.frame.columns) != expected:
            raise ValueError(f"{self.name}: columns {list(self.frame.columns)} != {expected}")
