"""The synthetic demo generator: reproducible to the byte, faithful to the raw format, realistic.

Column lists are checked against ``etl/reference/raw_format.json`` (the machine-readable
contract), not against the generator's own schema, so a drift on either side shows up here.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from etl.cli import main
from etl.demo import generate, marker
from etl.validate import check_path

REFERENCE = Path(__file__).resolve().parent.parent / "etl" / "reference"
CONTRACT = json.loads((REFERENCE / "raw_format.json").read_text(encoding="utf-8"))
TABLES = [f["name"] for f in CONTRACT["files"]]
FIELDS = {f["name"]: [c["name"] for c in f["fields"]] for f in CONTRACT["files"]}
NORTH = {"12", "28", "29", "38"}
FOOD_DIVISIONS = {"01", "10", "11", "56"}


def _municipality_codes() -> dict[str, str]:
    """Every written form of every municipality (lower case) → zero-padded KAS code."""
    forms: dict[str, str] = {}
    with (REFERENCE / "municipalities.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["kas_code"]
            for key in ("kas_code", "name_en", "name_sq", "name_sr_latn", "name_sr_cyrl"):
                forms[row[key].strip().lower()] = code
    return forms


MUNICIPALITY = _municipality_codes()


def _read(folder: Path, table: str) -> pd.DataFrame:
    """A table as text, stripped and with codes folded the way the contract allows."""
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    return frame.apply(lambda s: s.str.strip())


def _code(series: pd.Series) -> pd.Series:
    return series.str.lower()


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace("", np.nan))


def _date(series: pd.Series) -> pd.Series:
    iso = pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
    dotted = pd.to_datetime(series, format="%d.%m.%Y", errors="coerce")
    return iso.fillna(dotted)


def _kas(series: pd.Series) -> pd.Series:
    return series.str.lower().map(MUNICIPALITY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    messages: list[str] = []
    out = generate(tmp_path_factory.mktemp("a") / "raw", progress=messages.append)
    assert "enterprises" in messages and "attendance" in messages
    return out


@pytest.fixture(scope="module")
def tables(demo: Path) -> dict[str, pd.DataFrame]:
    return {name: _read(demo, name) for name in TABLES}


# Determinism ------------------------------------------------------------------------------

def test_same_seed_same_bytes(demo: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again")
    names = sorted(p.name for p in demo.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (demo / name).read_bytes() == (again / name).read_bytes(), name


def test_other_seed_other_data(demo: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", seed=1)
    assert (other / "enterprises.csv").read_bytes() != (demo / "enterprises.csv").read_bytes()


def test_xlsx_same_bytes_and_sheets(tmp_path: Path) -> None:
    first = generate(tmp_path / "one" / "demo.xlsx", fmt="xlsx", enterprises=120, seed=3)
    second = generate(tmp_path / "two", fmt="xlsx", enterprises=120, seed=3)
    assert first == tmp_path / "one" / "demo.xlsx"
    assert second == tmp_path / "two" / "survey.xlsx"
    assert first.read_bytes() == second.read_bytes()
    book = openpyxl.load_workbook(first, read_only=True)
    assert book.sheetnames == [*TABLES, "_demo"]
    for name in TABLES:
        header = next(book[name].iter_rows(max_row=1, values_only=True))
        assert list(header) == FIELDS[name], name
    marker = dict(book["_demo"].iter_rows(min_row=2, values_only=True))
    assert marker == {"enterprises": 120, "generator": "python -m etl demo",
                      "marker_version": 1, "seed": 3, "synthetic": True}
    assert next(book["_demo"].iter_rows(max_row=1, values_only=True)) == ("key", "value")
    book.close()


# Shape of the input -----------------------------------------------------------------------

def test_every_file_with_the_contract_columns(demo: Path) -> None:
    assert {p.name for p in demo.iterdir()} == {f"{t}.csv" for t in TABLES} | {"_demo.json"}
    for name in TABLES:
        raw = (demo / f"{name}.csv").read_bytes()
        assert b"\r\n" not in raw and not raw.startswith(b"\xef\xbb\xbf"), name
        header = next(csv.reader([raw.decode("utf-8").split("\n", 1)[0]]))
        assert header == FIELDS[name], name


def test_marker(demo: Path) -> None:
    text = (demo / "_demo.json").read_text(encoding="utf-8")
    assert json.loads(text) == {"synthetic": True, "generator": "python -m etl demo",
                                "seed": 0, "enterprises": 400, "marker_version": 1}
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_default_size_and_places(tables: dict[str, pd.DataFrame]) -> None:
    e = tables["enterprises"]
    assert len(e) == 400
    assert e["enterprise_id"].is_unique and e["enterprise_id"].iloc[0] == "PM-0001"
    kas = _kas(e["municipality"])
    assert kas.notna().all()
    assert set(kas) == NORTH
    assert kas.value_counts().idxmax() == "38"  # North Mitrovica has most businesses
    assert len(tables["trainings"]) >= 24
    assert 350 <= len(tables["attendance"]) <= 450


def test_municipalities_written_in_several_forms(tables: dict[str, pd.DataFrame]) -> None:
    written = set(tables["enterprises"]["municipality"])
    assert {"Severna Mitrovica", "North Mitrovica", "38"} & written
    assert any(any("\u0400" <= ch <= "\u04ff" for ch in w) for w in written)  # Cyrillic


# Realism and the contract's cross-field rules ---------------------------------------------

def test_legal_forms_and_informality(tables: dict[str, pd.DataFrame]) -> None:
    e = tables["enterprises"]
    share = (_code(e["legal_form"]) == "individual_business").mean()
    assert 0.7 <= share <= 0.95
    informal = _code(e["reg_kosovo_business"]) == "no"
    assert 0.2 <= informal.mean() <= 0.4
    assert (_code(e.loc[informal, "vat_registered"]) == "no").all()
    assert (_code(e.loc[informal, "fiscal_registered"]) == "no").all()
    assert (e.loc[informal, "registration_number"] == "").all()


def test_food_rules(tables: dict[str, pd.DataFrame]) -> None:
    e = tables["enterprises"]
    food = e["nace_code"].str[:2].isin(FOOD_DIVISIONS)
    for column in ("fva_registration", "haccp"):
        assert (_code(e.loc[~food, column]) == "na").all(), column
        assert (_code(e.loc[food, column]).isin(["yes", "no"])).all(), column
    assert (_code(e["haccp"]) == "yes").sum() < (_code(e["fva_registration"]) == "yes").sum()


def test_staff_rules(tables: dict[str, pd.DataFrame]) -> None:
    e = tables["enterprises"]
    full, part = _num(e["employees_full_time"]), _num(e["employees_part_time"]).fillna(0)
    female = _num(e["employees_female"])
    assert (female.dropna() <= (full + part)[female.notna()]).all()
    assert ((full + part) <= 9).mean() > 0.9  # almost all micro
    founded = _num(e["founded_year"]).dropna()
    assert founded.between(1900, 2019).all()
    assert _date(e["interview_date"]).dt.year.eq(2019).all()


def test_products(tables: dict[str, pd.DataFrame]) -> None:
    p, e = tables["products"], tables["enterprises"]
    assert p["enterprise_id"].isin(e["enterprise_id"]).all()
    per_business = p.groupby("enterprise_id").size()
    assert per_business.between(1, 4).all() and len(per_business) == len(e)
    assert _num(p["share_of_sales_pct"]).groupby(p["enterprise_id"]).sum().max() <= 100
    assert p["hs_code"].str.len().isin([0, 2, 4, 6]).all()


def test_attendance(tables: dict[str, pd.DataFrame]) -> None:
    a, t, e = tables["attendance"], tables["trainings"], tables["enterprises"]
    assert a["training_id"].isin(t["training_id"]).all()
    linked = a["enterprise_id"] != ""
    assert a.loc[linked, "enterprise_id"].isin(e["enterprise_id"]).all()
    assert 0.5 < linked.mean() < 1
    assert not a.duplicated(["training_id", "participant_name"]).any()
    women = (_code(a["gender"]) == "female").mean()
    assert 0.3 <= women <= 0.5
    gain = (_num(a["post_score"]) - _num(a["pre_score"])).dropna()
    assert gain.mean() > 5
    assert (_date(t["end_date"]) >= _date(t["start_date"])).all()


def test_b2b(tables: dict[str, pd.DataFrame]) -> None:
    b, e = tables["b2b_meetings"], tables["enterprises"]
    phase = _code(b["phase"])
    assert (phase == "pilot").sum() == 5
    assert (phase == "scale_up").sum() >= 10
    assert b["north_enterprise_id"].isin(e["enterprise_id"]).all()
    kas = _kas(b["counterpart_municipality"])
    assert kas.notna().all() and not kas.isin(NORTH).any()
    follow = b["follow_up_date"] != ""
    assert (_date(b.loc[follow, "follow_up_date"]) > _date(b.loc[follow, "date"])).all()
    assert "cancelled" in set(_code(b["outcome"]))


def test_indicators(tables: dict[str, pd.DataFrame]) -> None:
    i, r = tables["indicators"], tables["indicator_reports"]
    assert i["indicator_id"].is_unique
    assert "b2b_pilot_meetings_held" in set(i["metric"])
    pilot = i.loc[i["metric"] == "b2b_pilot_meetings_held", "target"]
    assert _num(pilot).tolist() == [5]
    manual = set(i.loc[i["metric"] == "", "indicator_id"])
    assert manual and set(r["indicator_id"]) <= manual


def test_attendance_rows_honoured(tmp_path: Path) -> None:
    out = generate(tmp_path / "big", enterprises=2000, attendance=20_000, seed=7)
    a = pd.read_csv(out / "attendance.csv", dtype=str, keep_default_na=False)
    assert len(a) == 20_000
    e = pd.read_csv(out / "enterprises.csv", dtype=str, keep_default_na=False)
    assert e["enterprise_id"].iloc[-1] == "PM-2000"
    linked = a["enterprise_id"] != ""
    assert a.loc[linked, "enterprise_id"].isin(e["enterprise_id"]).all()
    assert not a.assign(p=a["participant_name"].str.strip()).duplicated(
        ["training_id", "p"]).any()


def test_id_width_grows(tmp_path: Path) -> None:
    out = generate(tmp_path / "w", enterprises=10_000, attendance=10)
    ids = pd.read_csv(out / "enterprises.csv", usecols=["enterprise_id"], dtype=str)
    assert ids["enterprise_id"].iloc[[0, -1]].tolist() == ["PM-00001", "PM-10000"]


def test_valid_for_the_etl(demo: Path, tmp_path: Path) -> None:
    """The ETL's own checker accepts the demo input, as CSV and as XLSX."""
    for path in (demo, generate(tmp_path / "v.xlsx", fmt="xlsx")):
        result = check_path(path)
        assert [p.as_dict() for p in result.problems] == [], path
        assert result.ok
        assert result.raw.demo_marker == marker(0, 400)


def test_cli_demo_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The commands a user types: `etl demo` writes an input that `etl check` passes."""
    for fmt, out in (("csv", tmp_path / "raw"), ("xlsx", tmp_path / "raw.xlsx")):
        assert main(["demo", "--out", str(out), "--enterprises", "60", "--seed", "7",
                     "--format", fmt, "--quiet"]) == 0
        assert main(["check", str(out), "--quiet"]) == 0
        assert "No errors" in capsys.readouterr().out


# Survey waves -----------------------------------------------------------------------------

WINDOW_2 = (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-03-31"))
WINDOW_3 = (pd.Timestamp("2021-04-01"), pd.Timestamp("2021-06-30"))
ANSWERS = [c for c in FIELDS["enterprises"]
           if c not in ("enterprise_id", "interview_date", "comments")]


@pytest.fixture(scope="module")
def wave2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("w2") / "raw", wave=2)


@pytest.fixture(scope="module")
def wave3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("w3") / "raw", wave=3)


@pytest.fixture(scope="module")
def tables2(wave2: Path) -> dict[str, pd.DataFrame]:
    return {name: _read(wave2, name) for name in TABLES}


def _added(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The rows a wave appended (earlier rows must come first, unchanged)."""
    assert after.iloc[: len(before)].equals(before)
    return after.iloc[len(before):]


def _within(dates: pd.Series, window: tuple[pd.Timestamp, pd.Timestamp]) -> bool:
    return bool(_date(dates).between(*window).all())


def test_wave_one_is_the_first_export(demo: Path, tmp_path: Path) -> None:
    first = generate(tmp_path / "w1", wave=1)
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in demo.iterdir())
    for path in demo.iterdir():
        assert (first / path.name).read_bytes() == path.read_bytes(), path.name


def test_waves_check_clean(wave2: Path, wave3: Path) -> None:
    for number, path in ((2, wave2), (3, wave3)):
        result = check_path(path)
        assert [p.as_dict() for p in result.problems] == [], number
        assert result.raw.demo_marker == {**marker(0, 400), "wave": number}


def test_wave_same_bytes(wave2: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", wave=2)
    names = sorted(p.name for p in wave2.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (wave2 / name).read_bytes() == (again / name).read_bytes(), name


@pytest.mark.parametrize("seed", range(6))
def test_small_waves_check_clean(seed: int, tmp_path: Path) -> None:
    out = generate(tmp_path / "small", enterprises=60, seed=seed, wave=4)
    assert [p.as_dict() for p in check_path(out).problems] == []


def test_wave_xlsx(tmp_path: Path) -> None:
    first = generate(tmp_path / "a.xlsx", fmt="xlsx", enterprises=120, seed=3, wave=2)
    second = generate(tmp_path / "b.xlsx", fmt="xlsx", enterprises=120, seed=3, wave=2)
    assert first.read_bytes() == second.read_bytes()
    result = check_path(first)
    assert [p.as_dict() for p in result.problems] == []
    assert result.raw.demo_marker["wave"] == 2


def test_wave_needs_a_positive_number(tmp_path: Path) -> None:
    for wave in (0, -1, 1.5):
        with pytest.raises(ValueError, match="wave"):
            generate(tmp_path / "bad", wave=wave)  # type: ignore[arg-type]


def test_wave_businesses(tables: dict[str, pd.DataFrame],
                         tables2: dict[str, pd.DataFrame]) -> None:
    e1, e2 = tables["enterprises"], tables2["enterprises"]
    gone = set(e1["enterprise_id"]) - set(e2["enterprise_id"])
    assert len(gone) == 1  # one business closed ...
    assert not gone & set(tables["attendance"]["enterprise_id"])  # ... that nothing names
    assert not gone & set(tables["b2b_meetings"]["north_enterprise_id"])
    assert not gone & set(tables2["products"]["enterprise_id"])
    new = e2[~e2["enterprise_id"].isin(e1["enterprise_id"])]
    assert new["enterprise_id"].tolist() == [f"PM-{i:04d}" for i in range(401, 441)]
    assert _within(new["interview_date"], WINDOW_2)
    assert set(new["enterprise_id"]) <= set(tables2["products"]["enterprise_id"])
    assert len(e2) == len(e1) - 1 + 40


def test_wave_changed_businesses(tables: dict[str, pd.DataFrame],
                                 tables2: dict[str, pd.DataFrame]) -> None:
    both = tables["enterprises"].merge(tables2["enterprises"], on="enterprise_id",
                                       suffixes=("_1", "_2"))
    moved = both["interview_date_1"] != both["interview_date_2"]
    assert moved.sum() == 6
    assert _within(both.loc[moved, "interview_date_2"], WINDOW_2)
    answers = pd.concat([_code(both[f"{c}_1"]) != _code(both[f"{c}_2"]) for c in ANSWERS],
                        axis=1)
    assert answers[moved].any(axis=1).all()  # every re-interview changed an answer
    assert not answers[~moved].any(axis=None)  # nobody else's answers changed
    full = _num(both["employees_full_time_2"]) + _num(both["employees_part_time_2"]).fillna(0)
    female = _num(both["employees_female_2"])
    assert (female[female.notna()] <= full[female.notna()]).all()


def test_wave_sessions_and_attendance(tables: dict[str, pd.DataFrame],
                                      tables2: dict[str, pd.DataFrame]) -> None:
    sessions = _added(tables["trainings"], tables2["trainings"])
    assert sessions["training_id"].tolist() == [f"TR-{i:03d}" for i in range(25, 31)]
    assert _within(sessions["start_date"], WINDOW_2) and _within(sessions["end_date"], WINDOW_2)
    rows = _added(tables["attendance"], tables2["attendance"])
    assert set(rows["training_id"]) == set(sessions["training_id"])
    assert 90 <= len(rows) <= 150  # about 20 per new session
    assert not rows.duplicated(["training_id", "participant_name"]).any()
    before = tables["attendance"][["participant_name", "enterprise_id"]].drop_duplicates()
    again = rows.merge(before, on=["participant_name", "enterprise_id"])
    assert 0.2 <= len(again) / len(rows) <= 0.6  # people attending again
    new = set(tables2["enterprises"]["enterprise_id"]) - set(tables["enterprises"]["enterprise_id"])
    assert rows["enterprise_id"].isin(new).sum() >= 10  # owners and staff of new businesses


def test_wave_meetings(tables: dict[str, pd.DataFrame],
                       tables2: dict[str, pd.DataFrame]) -> None:
    meetings = _added(tables["b2b_meetings"], tables2["b2b_meetings"])
    assert meetings["meeting_id"].tolist() == [f"B2B-{i:03d}" for i in range(36, 44)]
    assert _within(meetings["date"], WINDOW_2)
    assert (_code(meetings["phase"]) == "scale_up").all()
    assert not _kas(meetings["counterpart_municipality"]).isin(NORTH).any()
    signed = meetings[_code(meetings["outcome"]) == "agreement_signed"]
    assert signed["north_enterprise_id"].nunique() >= 5
    new = set(tables2["enterprises"]["enterprise_id"]) - set(tables["enterprises"]["enterprise_id"])
    north = set(meetings["north_enterprise_id"])
    assert north & new and north - new  # existing and new businesses meet


def test_wave_reports(demo: Path, wave2: Path, tables: dict[str, pd.DataFrame],
                      tables2: dict[str, pd.DataFrame]) -> None:
    assert (wave2 / "indicators.csv").read_bytes() == (demo / "indicators.csv").read_bytes()
    reports = _added(tables["indicator_reports"], tables2["indicator_reports"])
    i = tables2["indicators"]
    assert sorted(reports["indicator_id"]) == sorted(i.loc[i["metric"] == "", "indicator_id"])
    assert _within(reports["period_start"], WINDOW_2) and _within(reports["period_end"],
                                                                  WINDOW_2)
    last = _num(tables["indicator_reports"].groupby("indicator_id")["actual"].last())
    now = _num(reports.set_index("indicator_id")["actual"])
    assert now["OUT1.2"] > last["OUT1.2"] and now["OC2.3"] < last["OC2.3"]


def test_wave_three_follows_wave_two(tables2: dict[str, pd.DataFrame], wave3: Path) -> None:
    e2, e3 = tables2["enterprises"], _read(wave3, "enterprises")
    assert len(set(e2["enterprise_id"]) - set(e3["enterprise_id"])) == 1
    new = e3[~e3["enterprise_id"].isin(e2["enterprise_id"])]
    assert new["enterprise_id"].iloc[[0, -1]].tolist() == ["PM-0441", "PM-0480"]
    assert _within(new["interview_date"], WINDOW_3)
    sessions = _added(tables2["trainings"], _read(wave3, "trainings"))
    assert sessions["training_id"].iloc[0] == "TR-031"
    assert _within(sessions["end_date"], WINDOW_3)
    meetings = _added(tables2["b2b_meetings"], _read(wave3, "b2b_meetings"))
    assert meetings["meeting_id"].iloc[0] == "B2B-044"
