"""What the programme publishes as protected tables: the unit frames and the table specs.

Every chart and API answer reads one of these tables, never the microdata. Units are the things
that contribute to a cell and must number at least `min_count`: businesses, people (for
training) and meetings (whose contributors are the northern businesses that met).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl import derive
from etl.anonymise.hierarchies import QI_HIERARCHIES
from etl.anonymise.microdata import quasi_identifiers
from etl.anonymise.tables import TableSpec
from etl.validate import CheckResult

HIERARCHIES = {h.name: h for h in QI_HIERARCHIES}

#: Raw columns that reach a publication only through the protected tables, by raw table.
AGGREGATED = {
    "enterprises": ("owner_ethnicity",),
    "products": ("enterprise_id", "hs_code"),
    "trainings": ("training_id", "topic", "format", "municipality", "start_date", "hours"),
    "attendance": ("training_id", "enterprise_id", "gender", "ethnicity", "age", "municipality",
                   "pre_score", "post_score", "satisfaction", "completed"),
    "b2b_meetings": ("phase", "north_enterprise_id", "counterpart_municipality",
                     "counterpart_nace_code", "language", "interpretation", "outcome",
                     "deal_value_eur", "obstacles"),
}

#: Dims of each unit frame that an attacker reads off public knowledge, not off our tables: the
#: business register (place, activity, size, legal form, owner's gender), the programme's own
#: lists of sessions, and who met whom. The audit across releases assumes the attacker knows
#: them for every unit that joined, left or changed; a count over these dims alone says
#: nothing new, while a cell with any other dim (compliance, ethnicity, outcome, …) must not
#: give away what the changed units answered.
BACKGROUND: dict[str, frozenset[str]] = {
    "businesses": frozenset({"municipality", "broad_sector", "section", "division", "size",
                             "legal_form", "owner_gender"}),
    "sessions": frozenset({"topic", "format", "quarter", "municipality"}),
    "people": frozenset({"topic", "quarter"}),
    "meetings": frozenset({"phase", "north_sector", "counterpart_sector",
                           "counterpart_municipality"}),
}

#: Market reach columns and the code each contributes to the multi-valued `markets` dim.
MARKETS = {"sells_rest_of_kosovo": "rest_of_kosovo", "sells_serbia": "serbia",
           "exports_other": "abroad"}


def _codes(s: pd.Series) -> pd.Series:
    """A categorical or boolean column as plain strings, missing as "unknown"."""
    if str(s.dtype) == "boolean":
        s = s.map({True: "yes", False: "no"})
    return s.astype(object).where(s.notna(), "unknown").astype(str)


def _tuples(s: pd.Series) -> pd.Series:
    return s.map(lambda v: tuple(v) if isinstance(v, tuple) else ())


def _status(s: pd.Series) -> pd.Series:
    return s.map({True: "met", False: "gap"}).astype(object).where(s.notna(), "not_applicable")


def _chapters_by_business(e: pd.DataFrame, products: pd.DataFrame) -> np.ndarray:
    """Each business's HS chapters (services as "services"), as sorted tuples, vectorised:
    national inputs have hundreds of thousands of products."""
    position = pd.Series(np.arange(len(e)), index=e["enterprise_id"].astype(str).to_numpy())
    owner = products["enterprise_id"].astype(str).map(position).to_numpy()
    chapter = (products["hs_code"].astype(object).str[:2].fillna("services")).to_numpy()
    pairs = pd.DataFrame({"owner": owner, "chapter": chapter}).drop_duplicates()
    pairs = pairs.sort_values(["owner", "chapter"], kind="stable")
    out = np.empty(len(e), dtype=object)
    out[:] = [()] * len(e)
    if pairs.empty:
        return out
    owners = pairs["owner"].to_numpy()
    cuts = np.flatnonzero(np.diff(owners)) + 1
    for owner_at, group in zip(owners[np.r_[0, cuts]], np.split(pairs["chapter"].to_numpy(),
                                                               cuts), strict=True):
        out[owner_at] = tuple(group.tolist())
    return out


def _level(qi: pd.DataFrame, name: str, level: str) -> pd.Series:
    h = HIERARCHIES[name]
    return h.generalise(qi[name], h.levels.index(level)).astype(object)


def businesses(result: CheckResult) -> pd.DataFrame:
    """One row per business, with the published dims and measures (raw ids kept only as the
    frame's own row positions)."""
    e = result.frame("enterprises")
    qi = quasi_identifiers(e)
    # Table dims reuse the microdata's hierarchies, so "trade" or "2-9" mean the same in both.
    frame = pd.DataFrame({
        "municipality": _codes(e["municipality"]),
        "broad_sector": _level(qi, "nace", "broad sector"),
        "section": _level(qi, "nace", "section"),
        "division": _level(qi, "nace", "division"),
        "size": _level(qi, "employees", "3 size bands"),
        "legal_form": _level(qi, "legal_form", "individual / company / other"),
        "compliance_level": derive.compliance_level(e).astype(str),
        "growth_potential": _codes(e["growth_potential"].astype("string")),
        "dual_registration": _codes(e["reg_serbian_apr"]),
        "owner_gender": _codes(e["owner_gender"]),
        "owner_ethnicity": _codes(e["owner_ethnicity"]),
        "growth_constraints": _tuples(e["growth_constraints"]),
        "training_needs": _tuples(e["training_needs"]),
        "markets": pd.Series([tuple(code for col, code in MARKETS.items() if row[col] is True)
                              for row in e[list(MARKETS)].to_dict("records")], dtype=object),
        "turnover_eur": e["annual_turnover_eur"].astype("Float64"),
        "employees": qi["employees"].astype("Float64"),
    })
    for item, status in derive.requirement_status(e).items():
        frame[f"req_{item}"] = _status(status)
    frame["hs_chapters"] = _chapters_by_business(e, result.frame("products"))
    return frame


def _people(a: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Who attended: a name within a business, or alone. Each row's person as a code, and
    each person's raw id (built for the people, not for the million rows)."""
    pairs = pd.MultiIndex.from_arrays([a["participant_name"].astype(object).fillna(""),
                                       a["enterprise_id"].astype(object).fillna("")])
    codes, people = pairs.factorize()
    names = np.array([f"{name}\x1f{firm}" for name, firm in people], dtype=object)
    return codes, names


def _held(result: CheckResult) -> pd.DataFrame:
    m = result.frame("b2b_meetings")
    return m[m["outcome"].astype(str) != "cancelled"].reset_index(drop=True)


def unit_names(result: CheckResult) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each record's contributing unit, per unit frame (aligned with the frames above), as a
    code into the units' raw ids: what stays the same unit from one release to the next.
    Private: the history ledger keeps units only as keyed hashes."""
    def ids(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        codes, uniques = pd.factorize(s.astype(object).fillna("").astype(str))
        return codes, np.asarray(uniques, dtype=object)

    names = {"businesses": ids(result.frame("enterprises")["enterprise_id"])}
    if "trainings" in result.tables:
        names["sessions"] = ids(result.frame("trainings")["training_id"])
    if "attendance" in result.tables:
        names["people"] = _people(result.frame("attendance"))
    if "b2b_meetings" in result.tables:
        names["meetings"] = ids(_held(result)["north_enterprise_id"])
    return names


def participations(result: CheckResult) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per participant per session; contributors are people (a name within a business
    or alone), so one person attending three sessions is one unit."""
    a = result.frame("attendance")
    t = result.frame("trainings").set_index("training_id")
    person, _ = _people(a)
    start = a["training_id"].map(t["start_date"])
    frame = pd.DataFrame({
        "topic": _codes(a["training_id"].map(t["topic"])),
        "quarter": pd.PeriodIndex(start, freq="Q").astype(str),
        "gender": _codes(a["gender"]),
        "ethnicity": _codes(a["ethnicity"]),
        "age_band": derive.age_band(a["age"]).to_numpy(),
        "municipality": _codes(a["municipality"]),
        "completed": _codes(a["completed"]),
        "satisfaction": _codes(a["satisfaction"].astype("string")),
        "pre_score": a["pre_score"].astype("Float64"),
        "post_score": a["post_score"].astype("Float64"),
    })
    return frame, person


def sessions(result: CheckResult) -> pd.DataFrame:
    t = result.frame("trainings")
    return pd.DataFrame({
        "topic": _codes(t["topic"]),
        "format": _codes(t["format"]),
        "quarter": pd.PeriodIndex(t["start_date"], freq="Q").astype(str),
        "municipality": _codes(t["municipality"]),
        "hours": t["hours"].astype("Float64"),
    })


def meetings(result: CheckResult, business: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per B2B meeting held (cancelled ones were not); contributors are the northern
    businesses that met."""
    m = _held(result)
    ids = result.frame("enterprises")["enterprise_id"].astype(str)
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    north = m["north_enterprise_id"].astype(str).map(position).to_numpy()
    nace = HIERARCHIES["nace"]
    counterpart = nace.generalise(m["counterpart_nace_code"].astype(object),
                                  nace.levels.index("broad sector"))
    frame = pd.DataFrame({
        "phase": _codes(m["phase"]),
        "outcome": _codes(m["outcome"]),
        "language": _codes(m["language"]),
        "interpretation": _codes(m["interpretation"]),
        "obstacles": _tuples(m["obstacles"]),
        "north_sector": business["broad_sector"].to_numpy()[north],
        "counterpart_sector": counterpart.to_numpy(),
        "counterpart_municipality": _codes(m["counterpart_municipality"]).to_numpy(),
        "deal_value_eur": m["deal_value_eur"].astype("Float64"),
    })
    return frame, north


def _requirement_tables() -> list[TableSpec]:
    return [TableSpec(f"compliance_{item}_by_sector", "businesses",
                      ("broad_sector", f"req_{item}"), sensitive=True,
                      title=f"Businesses meeting the requirement {item} by sector")
            for item in ("reg_kosovo_business", "fiscal_registered", *derive.REQUIREMENTS)]


def table_specs() -> list[TableSpec]:
    """Every protected table, in the order the package lists them."""
    b, p, s, m = "businesses", "people", "sessions", "meetings"
    return [
        TableSpec("businesses_by_sector_municipality", b, ("broad_sector", "municipality"),
                  title="Businesses by broad sector and municipality"),
        TableSpec("businesses_by_section_division", b, ("section", "division"),
                  title="Businesses by NACE section and division"),
        TableSpec("businesses_by_size_legal_form", b, ("size", "legal_form"),
                  title="Businesses by number of employees and legal form"),
        TableSpec("businesses_by_hs_chapter", b, ("hs_chapters",),
                  title="Businesses by HS chapter of their products"),
        TableSpec("businesses_by_sector_market", b, ("broad_sector", "markets"),
                  sensitive=True, title="Businesses selling outside the north, by sector"),
        TableSpec("businesses_by_owner_gender", b, ("municipality", "owner_gender"),
                  title="Businesses by owner's gender"),
        TableSpec("businesses_by_owner_ethnicity", b, ("owner_ethnicity",),
                  title="Businesses by owner's community (pooled)"),
        TableSpec("compliance_level_by_sector", b, ("broad_sector", "compliance_level"),
                  sensitive=True, title="Compliance level by sector"),
        *_requirement_tables(),
        TableSpec("dual_registration_by_municipality", b, ("municipality", "dual_registration"),
                  sensitive=True, title="Businesses also registered in Serbia's register"),
        TableSpec("growth_potential_by_sector", b, ("broad_sector", "growth_potential"),
                  sensitive=True, title="Growth potential by sector"),
        TableSpec("growth_potential_by_compliance", b, ("compliance_level", "growth_potential"),
                  sensitive=True, title="Growth potential by compliance level"),
        TableSpec("growth_constraints_by_sector", b, ("broad_sector", "growth_constraints"),
                  sensitive=True, title="Growth constraints cited, by sector"),
        TableSpec("training_needs_by_sector", b, ("broad_sector", "training_needs"),
                  title="Training needs found in the survey, by sector"),
        TableSpec("turnover_by_sector_municipality", b, ("broad_sector", "municipality"),
                  measure="turnover_eur", title="Annual turnover (EUR) by sector"),
        TableSpec("employment_by_sector_municipality", b, ("broad_sector", "municipality"),
                  measure="employees", title="Employment by sector and municipality"),
        TableSpec("sessions_by_quarter_topic", s, ("quarter", "topic"),
                  title="Training sessions by quarter and topic"),
        TableSpec("sessions_by_format", s, ("format",), title="Training sessions by format"),
        TableSpec("participants_by_topic_gender", p, ("topic", "gender"),
                  title="Participants by topic and gender"),
        TableSpec("participants_by_quarter", p, ("quarter",),
                  title="Participants by quarter"),
        TableSpec("participants_by_ethnicity", p, ("ethnicity",),
                  title="Participants by community"),
        TableSpec("participants_by_municipality", p, ("municipality",),
                  title="Participants by municipality"),
        TableSpec("participants_by_age_band", p, ("age_band",), title="Participants by age"),
        TableSpec("completion_by_topic", p, ("topic", "completed"), sensitive=True,
                  title="Participants who completed the session, by topic"),
        TableSpec("satisfaction_by_topic", p, ("topic", "satisfaction"), sensitive=True,
                  title="Satisfaction (1-5) by topic"),
        TableSpec("pre_scores_by_topic", p, ("topic",), measure="pre_score",
                  title="Knowledge test before training (sum of scores) by topic"),
        TableSpec("post_scores_by_topic", p, ("topic",), measure="post_score",
                  title="Knowledge test after training (sum of scores) by topic"),
        TableSpec("meetings_by_phase_outcome", m, ("phase", "outcome"),
                  title="B2B meetings by phase and outcome"),
        TableSpec("meetings_by_language_interpretation", m, ("language", "interpretation"),
                  title="B2B meetings by language and interpretation"),
        TableSpec("meetings_by_obstacle", m, ("phase", "obstacles"),
                  title="Obstacles found in B2B meetings"),
        TableSpec("meetings_by_sector_pair", m, ("north_sector", "counterpart_sector"),
                  title="B2B meetings by the sectors of the two parties"),
        TableSpec("meetings_by_counterpart_municipality", m, ("counterpart_municipality",),
                  title="B2B meetings by the municipality of the business from the rest of "
                        "Kosovo"),
        TableSpec("deal_value_by_phase", m, ("phase",), measure="deal_value_eur",
                  title="Value of agreements (EUR) by phase"),
    ]
