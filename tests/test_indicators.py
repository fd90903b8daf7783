"""Results framework: metric registry, actuals from the release only, status, IATI export."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from etl import refdata
from etl.anonymise.release import AnonymisedRelease, anonymise
from etl.anonymise.tables import TOTAL
from etl.demo import generate
from etl.indicators import (
    AMBER_AT,
    COLUMNS,
    GREEN_AT,
    METRICS,
    achieved_pct,
    compute,
    elapsed_share,
    judge,
    registry,
    results_framework,
    to_iati_xml,
)
from etl.indicators.iati import LANGUAGES, MEASURE, RESULT_TYPE
from etl.validate import CheckResult, check_path

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
IATI_ARGS = {"activity_identifier": "XK-TEST-NKPM", "reporting_org_ref": "XK-TEST",
             "generated": "2024-01-01T00:00:00Z"}


@dataclass
class Demo:
    raw: Path
    result: CheckResult
    release: AnonymisedRelease
    framework: pd.DataFrame


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    raw = generate(tmp_path_factory.mktemp("indicators") / "raw", enterprises=400, seed=0)
    result = check_path(raw)
    assert result.ok
    release = anonymise(result, version="1.0.0")
    return Demo(raw, result, release, results_framework(result, release))


def published(release: AnonymisedRelease, table: str, *coords: str) -> float | None:
    """A cell read straight from the release's table: its value if published, else None."""
    frame = release.tables.tables[table]
    dims = release.tables.specs[table].dims
    match = pd.Series(True, index=frame.index)
    for dim, coord in zip(dims, coords, strict=True):
        match &= frame[dim].astype(str) == coord
    row = frame[match].iloc[0]
    return float(row["value"]) if row["status"] == "published" else None


def expected_actuals(release: AnonymisedRelease) -> dict[str, float | None]:
    """Every computable metric recomputed by hand from the published cells (None: a source
    cell is suppressed)."""
    t = release.public_totals

    def cell(table: str, *coords: str) -> float | None:
        return published(release, table, *coords)

    def share(part: float | None, whole: float | None) -> float | None:
        return None if part is None or whole is None else 100 * part / whole

    def among(table: str) -> float | None:
        met, gap = cell(table, TOTAL, "met"), cell(table, TOTAL, "gap")
        return None if met is None or gap is None else 100 * met / (met + gap)

    def of_all(table: str) -> float | None:
        return share(cell(table, TOTAL, "met"), cell(table, TOTAL, TOTAL))

    pre, post = cell("pre_scores_by_topic", TOTAL), cell("post_scores_by_topic", TOTAL)
    n = cell("participants_by_quarter", TOTAL)
    rated = [cell("satisfaction_by_topic", TOTAL, str(s)) for s in range(1, 6)]
    ptg = "participants_by_topic_gender"
    return {
        "businesses_mapped": t["businesses_mapped"],
        "businesses_registered_share": of_all("compliance_reg_kosovo_business_by_sector"),
        "businesses_fiscal_share": of_all("compliance_fiscal_registered_by_sector"),
        "businesses_vat_share": of_all("compliance_vat_registered_by_sector"),
        "food_businesses_fva_share": among("compliance_fva_registration_by_sector"),
        "food_businesses_haccp_share": among("compliance_haccp_by_sector"),
        "bilingual_labels_share": among("compliance_bilingual_labels_by_sector"),
        "businesses_selling_rest_of_kosovo_share": share(
            cell("businesses_by_sector_market", TOTAL, "rest_of_kosovo"),
            cell("businesses_by_sector_market", TOTAL, TOTAL)),
        "sessions_held": t["sessions_held"],
        "people_trained": t["people_trained"],
        "women_trained": cell(ptg, TOTAL, "female"),
        "women_trained_share": share(cell(ptg, TOTAL, "female"), cell(ptg, TOTAL, TOTAL)),
        "participants_completed_share": share(cell("completion_by_topic", TOTAL, "yes"),
                                              cell("completion_by_topic", TOTAL, TOTAL)),
        "mean_knowledge_gain": None if None in (pre, post, n) else (post - pre) / n,
        "mean_satisfaction": None if None in rated
        else sum(i * v for i, v in enumerate(rated, 1)) / sum(rated),
        "b2b_meetings_held": t["meetings_held"],
        "b2b_pilot_meetings_held": cell("meetings_by_phase_outcome", "pilot", TOTAL),
        "b2b_agreements_signed": cell("meetings_by_phase_outcome", TOTAL, "agreement_signed"),
        "b2b_deal_value_eur": cell("deal_value_by_phase", TOTAL),
        "b2b_meetings_with_interpretation": cell("meetings_by_language_interpretation",
                                                 TOTAL, "yes"),
    }


def row(framework: pd.DataFrame, indicator_id: str) -> pd.Series:
    rows = framework[framework["indicator_id"] == indicator_id]
    assert len(rows) == 1
    return rows.iloc[0]


# --- registry --------------------------------------------------------------------------------


def test_registry_has_every_metric_of_the_code_list() -> None:
    codes = list(refdata.codelist("metric"))
    assert list(METRICS) == codes
    frame = registry()
    assert list(frame["code"]) == codes
    for m in METRICS.values():
        assert m.unit in ("count", "percent", "eur")
        assert m.label_en and m.definition.endswith(".") and m.computation
        if m.available:
            assert m.inputs and m.formula is not None
        else:
            assert m.unavailable and not m.inputs


def test_computed_actuals_equal_the_published_cells(demo: Demo) -> None:
    expected = expected_actuals(demo.release)
    available = {code for code, m in METRICS.items() if m.available}
    assert set(expected) == available
    for code, value in expected.items():
        actual = compute(METRICS[code], demo.release)
        if value is None:
            assert (actual.status, actual.value) == ("suppressed", None), code
        else:
            assert actual.status == "computed", code
            assert actual.value == pytest.approx(value, rel=1e-12), code
    for code in set(METRICS) - available:
        assert compute(METRICS[code], demo.release).status == "unavailable"


def test_framework_rows_carry_the_computed_actuals_and_periods(demo: Demo) -> None:
    f = demo.framework
    computed = f[f["source"] == "computed"]
    e = demo.result.frame("enterprises")["interview_date"]
    t = demo.result.frame("trainings")
    periods = {"businesses": (e.min(), e.max()),
               "training": (t["start_date"].min(), t["end_date"].max())}
    for r in computed.itertuples():
        actual = compute(METRICS[r.metric], demo.release)
        assert (None if pd.isna(r.actual) else r.actual) == actual.value
        domain = METRICS[r.metric].domain
        if domain in periods:
            assert (r.period_start, r.period_end) == periods[domain]
    indicators = demo.result.frame("indicators")
    assert set(computed["indicator_id"]) == set(
        indicators.loc[indicators["metric"].notna(), "indicator_id"].astype(str))
    keys = list(zip(f["indicator_id"], f["period_start"], strict=True))
    assert keys == sorted(keys)
    assert list(f.columns) == list(COLUMNS)


# --- disclosure ------------------------------------------------------------------------------


def test_a_suppressed_source_cell_gives_status_suppressed(
        demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "compliance_reg_kosovo_business_by_sector"
    frame = demo.release.tables.tables[name].copy()
    at = (frame["broad_sector"] == TOTAL) & (frame["req_reg_kosovo_business"] == "met")
    assert frame.loc[at, "status"].eq("published").all()
    frame.loc[at, "status"] = "suppressed"
    frame.loc[at, "value"] = pd.NA
    monkeypatch.setitem(demo.release.tables.tables, name, frame)

    f = results_framework(demo.result, demo.release)
    r = row(f, "OC1.1")
    assert r["status"] == "suppressed"
    assert pd.isna(r["actual"]) and pd.isna(r["achieved_pct"])
    assert "suppressed for confidentiality" in r["note"]
    xml = ET.fromstring(to_iati_xml(f, **IATI_ARGS))
    period = next(res for res in xml.iter("result")
                  if res.find("title/narrative").text == r["title_en"]).find("indicator/period")
    assert period.find("actual") is None
    assert "suppressed for confidentiality" in period.find("target/comment/narrative").text


def test_suppressed_values_are_never_read(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Poison every suppressed cell with a value: no actual may change or show it."""
    poison = 987_654.0
    for name, frame in demo.release.tables.tables.items():
        frame = frame.copy()
        hidden = frame["status"] != "published"
        frame.loc[hidden, "value"] = poison
        monkeypatch.setitem(demo.release.tables.tables, name, frame)
    f = results_framework(demo.result, demo.release)
    pd.testing.assert_series_equal(f["actual"], demo.framework["actual"])
    assert not f["actual"].eq(poison).any()


def test_no_actual_equals_a_suppressed_value(demo: Demo) -> None:
    """Scan: an actual equal to a suppressed cell's true value is allowed only where the same
    number is published anyway (a coincidence, not a leak)."""
    hidden = {c.value for c in demo.release.tables.lp.cells}
    shown = set(demo.release.public_totals.values())
    for frame in demo.release.tables.tables.values():
        shown |= set(frame.loc[frame["status"] == "published", "value"].astype(float))
    computed = demo.framework[demo.framework["source"] == "computed"]
    actuals = computed["actual"].dropna().astype(float)
    assert len(actuals) >= 5
    for value in actuals:
        assert value not in hidden or value in shown, value
    suppressed = computed[computed["status"] == "suppressed"]
    assert suppressed["actual"].isna().all()


# --- progress and status -----------------------------------------------------------------------


def test_achieved_pct_and_status_ascending() -> None:
    assert achieved_pct(35, 20, 40) == pytest.approx(75)
    assert achieved_pct(30, None, 40) == pytest.approx(75)  # baseline 0 when missing
    assert judge(35, 75, target=40, ascending=True) == "at_risk"
    assert judge(39, achieved_pct(39, 20, 40), target=40, ascending=True) == "on_track"
    assert judge(25, achieved_pct(25, 20, 40), target=40, ascending=True) == "off_track"
    assert GREEN_AT > AMBER_AT
    assert judge(1, GREEN_AT, target=2, ascending=True) == "on_track"
    assert judge(1, AMBER_AT, target=2, ascending=True) == "at_risk"


def test_achieved_pct_and_status_descending() -> None:
    assert achieved_pct(10, 21, 7) == pytest.approx(11 / 14 * 100)
    assert judge(10, achieved_pct(10, 21, 7), target=7, ascending=False) == "at_risk"
    assert achieved_pct(7, 21, 7) == pytest.approx(100)
    assert judge(6, achieved_pct(6, 21, 7), target=7, ascending=False) == "on_track"
    assert achieved_pct(25, 21, 7) < 0
    assert judge(25, achieved_pct(25, 21, 7), target=7, ascending=False) == "off_track"


def test_missing_equal_and_suppressed_cases() -> None:
    assert achieved_pct(None, 1, 2) is None
    assert achieved_pct(5, 5, 5) is None
    assert judge(None, None, target=2, ascending=True) == "no_data"
    assert judge(None, None, target=2, ascending=True, suppressed=True) == "suppressed"
    assert judge(5, None, target=5, ascending=True) == "on_track"  # holding the level
    assert judge(6, None, target=5, ascending=False) == "off_track"


def test_status_is_judged_against_the_time_elapsed() -> None:
    start, mid, end = (pd.Timestamp(d) for d in ("2019-01-01", "2020-01-01", "2021-01-01"))
    half = elapsed_share(start, mid, end)
    assert half == pytest.approx(365 / 731)
    assert elapsed_share(start, end, end) == 1.0
    assert elapsed_share(start, pd.Timestamp("2022-01-01"), end) == 1.0
    assert judge(1, 50, target=2, ascending=True, elapsed=half) == "on_track"
    assert judge(1, 35, target=2, ascending=True, elapsed=half) == "at_risk"
    assert judge(1, 25, target=2, ascending=True, elapsed=half) == "off_track"
    assert judge(1, 50, target=2, ascending=True) == "off_track"  # at the target date


# --- hand-made framework ---------------------------------------------------------------------

INDICATORS = """\
indicator_id,level,title_en,title_sq,title_sr,unit,metric,baseline,baseline_year,target,target_date,ascending
A1,output,Businesses mapped,Biznese,Preduzeća,count,businesses_mapped,100,2019,500,2019-06-01,yes
D1,outcome,Days to register,Ditë,Dani,count,,21,2019,7,2020-12-31,no
M1,output,Sessions,Sesione,Sesije,count,sessions_held,0,2019,24,2021-06-30,
N1,output,Handbook,Doracak,Priručnik,count,,0,2019,3,2021-06-30,yes
U1,output,Hours,Orë,Sati,count,training_hours,0,2019,100,2021-06-30,yes
"""
REPORTS = """\
indicator_id,period_start,period_end,actual,note
D1,2020-01-01,2020-06-30,14,second
D1,2019-07-01,2019-12-31,18,first
D1,2020-07-01,2020-12-31,10,
D1,2021-01-01,2021-06-30,10,
M1,2020-01-01,2020-06-30,99,should be ignored
"""


@pytest.fixture(scope="module")
def hand_made(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    raw = tmp_path_factory.mktemp("hand") / "raw"
    shutil.copytree(demo.raw, raw)
    (raw / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    (raw / "indicator_reports.csv").write_text(REPORTS, encoding="utf-8")
    result = check_path(raw)
    assert result.ok, result.problems
    return results_framework(result, demo.release)


def test_hand_made_computed_indicator(hand_made: pd.DataFrame) -> None:
    a1 = row(hand_made, "A1")  # 400 mapped, baseline 100, target 500, target date passed
    assert a1["actual"] == 400
    assert a1["achieved_pct"] == pytest.approx(75)
    assert a1["status"] == "at_risk"
    u1 = row(hand_made, "U1")
    assert u1["status"] == "no_data" and "not computed" in u1["note"]


def test_hand_reported_rows_come_through_with_trend(hand_made: pd.DataFrame) -> None:
    d1 = hand_made[hand_made["indicator_id"] == "D1"]
    assert list(d1["source"]) == ["reported"] * 4
    assert list(d1["actual"]) == [18, 14, 10, 10]
    assert list(d1["note"]) == ["first", "second", None, None]
    assert list(d1["trend"]) == [None, "down", "down", "flat"]
    assert not d1["ascending"].any()
    assert list(d1["achieved_pct"].round(2)) == [21.43, 50.0, 78.57, 78.57]
    # judged against the time elapsed since 2019-01-01 until the target date 2020-12-31
    assert list(d1["status"]) == ["off_track", "at_risk", "at_risk", "at_risk"]


def test_reports_for_metric_indicators_are_ignored_and_noted(hand_made: pd.DataFrame) -> None:
    m1 = row(hand_made, "M1")
    assert m1["source"] == "computed" and m1["actual"] != 99
    assert bool(m1["ascending"])  # default yes
    assert any(n.startswith("M1: 1 hand report") for n in hand_made.attrs["notes"])
    n1 = row(hand_made, "N1")
    assert n1["status"] == "no_data" and n1["source"] == "reported"
    assert list(hand_made["indicator_id"].unique()) == ["A1", "D1", "M1", "N1", "U1"]


def test_no_indicators_gives_an_empty_frame(demo: Demo, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(demo.raw, raw)
    (raw / "indicators.csv").unlink()
    (raw / "indicator_reports.csv").unlink()
    result = check_path(raw)
    f = results_framework(result, demo.release)
    assert f.empty and list(f.columns) == list(COLUMNS)
    root = ET.fromstring(to_iati_xml(f, **IATI_ARGS))
    assert root.find("iati-activity/result") is None


# --- IATI ------------------------------------------------------------------------------------


def test_iati_xml(demo: Demo, hand_made: pd.DataFrame) -> None:
    f = demo.framework
    data = to_iati_xml(f, **IATI_ARGS)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert data == to_iati_xml(f.sample(frac=1, random_state=1), **IATI_ARGS)
    root = ET.fromstring(data)
    assert root.tag == "iati-activities"
    assert root.get("version") == "2.03"
    assert root.get("generated-datetime") == IATI_ARGS["generated"]
    activity = root.find("iati-activity")
    assert activity.findtext("iati-identifier") == "XK-TEST-NKPM"
    results = activity.findall("result")
    firsts = f.drop_duplicates("indicator_id")
    assert len(results) == len(firsts)
    for res, ind in zip(results, firsts.itertuples(), strict=True):
        assert res.get("type") == RESULT_TYPE[ind.level]
        langs = [n.get(XML_LANG) for n in res.findall("title/narrative")]
        assert langs == [lang for lang, _ in LANGUAGES]
        assert res.find("title/narrative").text == ind.title_en
        indicator = res.find("indicator")
        assert indicator.get("measure") == MEASURE[ind.unit]
        assert indicator.get("ascending") == ("1" if ind.ascending else "0")
        periods = indicator.findall("period")
        rows = f[f["indicator_id"] == ind.indicator_id]
        assert len(periods) == len(rows)
        for period, r in zip(periods, rows.itertuples(), strict=True):
            actual = period.find("actual")
            if pd.isna(r.actual):
                assert actual is None
            else:
                assert float(actual.get("value")) == pytest.approx(r.actual, abs=1e-4)
    measures = {r.find("indicator").get("measure") for r in results}
    assert measures == {"1", "2"}
    hand = ET.fromstring(to_iati_xml(hand_made, **IATI_ARGS))
    ascending = [r.find("indicator").get("ascending") for r in hand.iter("result")]
    assert ascending == ["1", "0", "1", "1", "1"]
    assert len(hand.findall(".//result/indicator/period")) == 8
