"""The metrics the ETL computes for the results framework, and how each reads the release.

DISCLOSURE RULE: an actual is computed only from what the release publishes — its public totals
and the *published* cells of its protected tables — never from raw data. Anything computed
from published numbers is something any reader could compute, so an indicator can never reveal
a suppressed cell. A needed cell that is suppressed makes the actual missing, with status
``suppressed``; a cell the release does not carry (no such table or category) makes it
``no_data``: reading an absent category as zero could reveal what a suppressed zero hides.

One entry per code of the ``metric`` code list; a metric without a published source is kept,
marked ``unavailable`` with the reason, so indicators.csv may name it and get ``no_data``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

from etl import refdata
from etl.anonymise.tables import TOTAL

if TYPE_CHECKING:
    from etl.anonymise.release import AnonymisedRelease

Unit = Literal["count", "percent", "eur"]
"""``count``: a plain number (IATI measure 1, "unit"); ``percent``: 0-100 (IATI measure 2);
``eur``: euro (IATI measure 1)."""
Domain = Literal["businesses", "training", "b2b"]
"""Which activity a metric measures; it decides the period an actual is reported for."""
ActualStatus = Literal["computed", "suppressed", "no_data", "unavailable"]

#: What the actual of a suppressed source says (also IATI's comment: it has no marker).
SUPPRESSED_NOTE = "suppressed for confidentiality"


@dataclass(frozen=True)
class CellRef:
    """One cell of a protected table, by its coordinates in the table's dim order."""

    table: str
    coords: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.table}[{', '.join(self.coords)}]"


@dataclass(frozen=True)
class TotalRef:
    """A programme-wide public total of the release (``release.public_totals``)."""

    name: str

    def __str__(self) -> str:
        return f"public total {self.name}"


Ref = CellRef | TotalRef


@dataclass(frozen=True)
class Metric:
    """A documented metric: what it means, and the published numbers it is a function of."""

    code: str
    unit: Unit
    domain: Domain
    definition: str
    computation: str
    inputs: tuple[Ref, ...] = ()
    formula: Callable[..., float | None] | None = None
    unavailable: str | None = None

    @property
    def label_en(self) -> str:
        """The English label, from the code list (one source of truth for labels)."""
        return refdata.codelist("metric")[self.code]["en"]

    @property
    def available(self) -> bool:
        return self.unavailable is None


@dataclass(frozen=True)
class Actual:
    """A metric's value on one release; ``value`` is None unless ``status`` is computed."""

    value: float | None
    status: ActualStatus
    note: str = ""


# --- formulas (each takes the input values in the order of ``Metric.inputs``) ----------------


def _value(x: float) -> float:
    return x


def _share(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def _share_met(met: float, gap: float) -> float | None:
    """Share meeting a requirement among those it applies to (not_applicable left out)."""
    return _share(met, met + gap)


def _gain(pre_sum: float, post_sum: float, participations: float) -> float | None:
    return (post_sum - pre_sum) / participations if participations else None


def _mean_rating(*counts: float) -> float | None:
    total = sum(counts)
    return sum(i * n for i, n in enumerate(counts, start=1)) / total if total else None


def _cell(table: str, *coords: str) -> CellRef:
    return CellRef(table, coords)


def _margin(table: str, value: str) -> CellRef:
    """The all-rows margin of a two-dim table at ``value`` of its second dim."""
    return CellRef(table, (TOTAL, value))


def _requirement_share(code: str, item: str, what: str, among: str | None) -> Metric:
    table = f"compliance_{item}_by_sector"
    if among is None:
        return Metric(
            code, "percent", "businesses",
            f"Share of all mapped businesses that {what}, as the survey recorded it.",
            f"100 × {table}[_total, met] / {table}[_total, _total]",
            (_margin(table, "met"), _margin(table, TOTAL)), _share)
    return Metric(
        code, "percent", "businesses",
        f"Share of {among} that {what}; businesses the requirement does not apply to "
        "(recorded `na`) are left out of the denominator.",
        f"100 × {table}[_total, met] / ({table}[_total, met] + {table}[_total, gap])",
        (_margin(table, "met"), _margin(table, "gap")), _share_met)


_PTG = "participants_by_topic_gender"
_MPO = "meetings_by_phase_outcome"
_MLI = "meetings_by_language_interpretation"
_SAT = "satisfaction_by_topic"

_METRICS: tuple[Metric, ...] = (
    Metric("businesses_mapped", "count", "businesses",
           "Number of businesses surveyed for the Product Map.",
           "public total businesses_mapped", (TotalRef("businesses_mapped"),), _value),
    _requirement_share("businesses_registered_share", "reg_kosovo_business",
                       "are registered with the Kosovo Business Registration Agency", None),
    _requirement_share("businesses_fiscal_share", "fiscal_registered",
                       "have a fiscal number with the Tax Administration of Kosovo", None),
    # compliance "met" for VAT is exactly "registered for VAT" (a registered business meets it
    # whether or not it is above the threshold), so met over all businesses is the share.
    _requirement_share("businesses_vat_share", "vat_registered", "are registered for VAT",
                       None),
    Metric("businesses_dual_registered_share", "percent", "businesses",
           "Share of mapped businesses registered both with the Kosovo Business Registration "
           "Agency and in Serbia's business register (APR).",
           "not computed",
           unavailable="no published table crosses KBRA registration with Serbian (APR) "
                       "registration: dual_registration_by_municipality counts APR "
                       "registration whatever the KBRA status, which would overstate the share"),
    _requirement_share("food_businesses_fva_share", "fva_registration",
                       "are registered or approved by the Food and Veterinary Agency",
                       "food businesses"),
    _requirement_share("food_businesses_haccp_share", "haccp",
                       "have a HACCP-based food-safety system in place", "food businesses"),
    _requirement_share("bilingual_labels_share", "bilingual_labels",
                       "label their products in both Albanian and Serbian",
                       "businesses with labelled goods"),
    Metric("businesses_selling_rest_of_kosovo_share", "percent", "businesses",
           "Share of all mapped businesses that sell to customers in Kosovo outside the four "
           "northern municipalities.",
           "100 × businesses_by_sector_market[_total, rest_of_kosovo] / "
           "businesses_by_sector_market[_total, _total]",
           (_margin("businesses_by_sector_market", "rest_of_kosovo"),
            _margin("businesses_by_sector_market", TOTAL)), _share),
    Metric("sessions_held", "count", "training",
           "Number of training and workshop sessions held.",
           "public total sessions_held", (TotalRef("sessions_held"),), _value),
    Metric("training_hours", "count", "training",
           "Hours of training delivered, summed over sessions.",
           "not computed",
           unavailable="no published table sums session hours (the sessions tables are "
                       "counts only)"),
    Metric("people_trained", "count", "training",
           "Number of distinct people who attended at least one session (a person is a name "
           "within a business, or a name alone).",
           "public total people_trained", (TotalRef("people_trained"),), _value),
    Metric("women_trained", "count", "training",
           "Participations by women: a woman attending three sessions counts three times "
           "(the release publishes participations by gender, not people).",
           f"{_PTG}[_total, female]", (_margin(_PTG, "female"),), _value),
    Metric("women_trained_share", "percent", "training",
           "Share of participations by women among all participations (one per participant "
           "per session; gender other or undisclosed stays in the denominator).",
           f"100 × {_PTG}[_total, female] / {_PTG}[_total, _total]",
           (_margin(_PTG, "female"), _margin(_PTG, TOTAL)), _share),
    Metric("participants_completed_share", "percent", "training",
           "Share of participations in which the participant attended the whole session.",
           "100 × completion_by_topic[_total, yes] / completion_by_topic[_total, _total]",
           (_margin("completion_by_topic", "yes"), _margin("completion_by_topic", TOTAL)),
           _share),
    Metric("mean_knowledge_gain", "percent", "training",
           "Post-test minus pre-test score (0-100 scale, so percentage points) per "
           "participation. The score sums include only participations with that score while "
           "the divisor counts all participations, so missing scores bias it (exact only when "
           "every participation has both scores).",
           "(post_scores_by_topic[_total] − pre_scores_by_topic[_total]) / "
           "participants_by_quarter[_total]",
           (_cell("pre_scores_by_topic", TOTAL), _cell("post_scores_by_topic", TOTAL),
            _cell("participants_by_quarter", TOTAL)), _gain),
    Metric("mean_satisfaction", "count", "training",
           "Mean satisfaction rating (1-5) over the participations that gave one.",
           f"Σ s × {_SAT}[_total, s] / Σ {_SAT}[_total, s], s = 1..5",
           tuple(_margin(_SAT, str(s)) for s in range(1, 6)), _mean_rating),
    Metric("businesses_trained", "count", "training",
           "Number of mapped businesses with at least one person trained.",
           "not computed",
           unavailable="no published table counts distinct mapped businesses among "
                       "participants"),
    Metric("b2b_meetings_held", "count", "b2b",
           "Number of B2B meetings held (cancelled meetings are not counted).",
           "public total meetings_held", (TotalRef("meetings_held"),), _value),
    Metric("b2b_pilot_meetings_held", "count", "b2b",
           "Number of B2B meetings held in the pilot phase.",
           f"{_MPO}[pilot, _total]", (_cell(_MPO, "pilot", TOTAL),), _value),
    Metric("b2b_agreements_signed", "count", "b2b",
           "Number of B2B meetings that ended with a signed agreement.",
           f"{_MPO}[_total, agreement_signed]", (_margin(_MPO, "agreement_signed"),), _value),
    Metric("b2b_deal_value_eur", "eur", "b2b",
           "Value in euro of what was agreed at B2B meetings held, where a value was recorded.",
           "deal_value_by_phase[_total]", (_cell("deal_value_by_phase", TOTAL),), _value),
    Metric("b2b_meetings_with_interpretation", "count", "b2b",
           "Number of B2B meetings held with an interpreter.",
           f"{_MLI}[_total, yes]", (_margin(_MLI, "yes"),), _value),
)

#: Every metric of the ``metric`` code list, in code-list order.
METRICS: dict[str, Metric] = {m.code: m for m in _METRICS}


def registry() -> pd.DataFrame:
    """The registry as a table, for documentation and the data package."""
    return pd.DataFrame([{
        "code": m.code, "label_en": m.label_en, "unit": m.unit, "domain": m.domain,
        "definition": m.definition, "computation": m.computation,
        "sources": "; ".join(map(str, m.inputs)),
        "available": m.available, "unavailable_reason": m.unavailable or "",
    } for m in METRICS.values()])


def _read(ref: Ref, release: AnonymisedRelease) -> tuple[float | None, str]:
    """A published number and "ok", or None and "suppressed" / "missing". The value of a cell
    that is not published is never read."""
    if isinstance(ref, TotalRef):
        total = release.public_totals.get(ref.name)
        return (None, "missing") if total is None else (float(total), "ok")
    frame = release.tables.tables.get(ref.table)
    if frame is None:
        return None, "missing"
    dims = release.tables.specs[ref.table].dims
    if len(dims) != len(ref.coords):
        raise ValueError(f"{ref}: the table has dims {dims}")
    match = pd.Series(True, index=frame.index)
    for dim, coord in zip(dims, ref.coords, strict=True):
        match &= frame[dim].astype(str) == coord
    rows = frame[match]
    if rows.empty:
        return None, "missing"
    row = rows.iloc[0]
    if row["status"] != "published":
        return None, "suppressed"
    return float(row["value"]), "ok"


def compute(metric: Metric, release: AnonymisedRelease) -> Actual:
    """The metric's actual on ``release``, following the disclosure rule (module docstring)."""
    if metric.unavailable is not None or metric.formula is None:
        return Actual(None, "unavailable", f"not computed: {metric.unavailable}")
    values: list[float] = []
    suppressed: list[str] = []
    missing: list[str] = []
    for ref in metric.inputs:
        value, state = _read(ref, release)
        if state == "suppressed":
            suppressed.append(str(ref))
        elif state == "missing":
            missing.append(str(ref))
        else:
            values.append(value)  # type: ignore[arg-type]
    if suppressed:
        return Actual(None, "suppressed", f"{SUPPRESSED_NOTE}: {', '.join(suppressed)}")
    if missing:
        return Actual(None, "no_data", f"not in the release: {', '.join(missing)}")
    result = metric.formula(*values)
    if result is None:
        return Actual(None, "no_data", "the denominator is zero")
    return Actual(float(result), "computed")
