"""Every rule of the raw format, each with an input that breaks it and the valid sample that
passes it (`test_sample_is_valid`), in both containers."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import raw_samples
from raw_samples import sample, write_csv

from etl.cli import main
from etl.validate import check_path

# The CSV-and-XLSX fixture, bound in this module to be used here.
write = raw_samples.write

Tables = dict[str, list[dict[str, str]]]


def _set(table: str, index: int, **values: str) -> Callable[[Tables], None]:
    def mutate(data: Tables) -> None:
        data[table][index].update(values)
    return mutate


def _file(path: Path, table: str) -> str:
    return f"{table}.csv" if path.is_dir() else f"{path.name} › {table}"


def test_sample_is_valid(write):
    result = check_path(write(sample()))
    assert [p.as_dict() for p in result.problems] == []
    assert result.ok


def test_typed_and_normalised(write):
    result = check_path(write(sample()))
    e = result.frame("enterprises")
    # municipality names in Serbian Latin, Cyrillic, Albanian and a KAS code → one code
    assert e["municipality"].tolist() == ["38", "29", "12", "28"]
    assert str(e["founded_year"].dtype) == "Int64"
    assert e["interview_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-04-12", "2019-05-15", "2019-06-01", "2019-04-12"]
    assert e["legal_form"].tolist()[:2] == ["individual_business", "llc"]  # folded from LLC
    assert e["haccp"].tolist()[:2] == ["no", "na"]  # NA folded to na
    assert e["reg_kosovo_business"].tolist()[0] is True
    assert e["growth_constraints"].tolist()[0] == ("finance", "certification")
    assert e["employees_female"].isna().tolist()[1]
    t = result.frame("trainings")
    assert t["municipality"].tolist() == ["38", "28"]
    assert t["start_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-09-10", "2019-10-01"]
    assert result.frame("b2b_meetings")["counterpart_municipality"].tolist() == ["19", "11"]
    assert result.frame("products")["hs_code"].tolist()[0] == "0406"


# (what to break, file, rule, column, spreadsheet row)
CASES: list[tuple[str, Callable[[Tables], None], str, str, str | None, int | tuple[int, ...]]] = [
    ("required value", _set("enterprises", 1, business_name=""),
     "enterprises", "required", "business_name", 3),
    ("required code", _set("enterprises", 0, haccp=" "),
     "enterprises", "required", "haccp", 2),
    ("integer type", _set("enterprises", 2, employees_full_time="three"),
     "enterprises", "type.integer", "employees_full_time", 4),
    ("integer not whole", _set("attendance", 0, age="35.5"),
     "attendance", "type.integer", "age", 2),
    ("number type", _set("enterprises", 0, annual_turnover_eur="42,000"),
     "enterprises", "type.number", "annual_turnover_eur", 2),
    ("number nan", _set("products", 0, annual_volume="nan"),
     "products", "type.number", "annual_volume", 2),
    ("minimum", _set("enterprises", 0, employees_part_time="-1"),
     "enterprises", "range", "employees_part_time", 2),
    ("maximum", _set("products", 1, share_of_sales_pct="120"),
     "products", "range", "share_of_sales_pct", 3),
    ("growth 1-5", _set("enterprises", 3, growth_potential="6"),
     "enterprises", "range", "growth_potential", 5),
    ("age range", _set("enterprises", 0, owner_age="12"),
     "enterprises", "range", "owner_age", 2),
    ("founded from 1900", _set("enterprises", 0, founded_year="1850"),
     "enterprises", "range", "founded_year", 2),
    ("hours > 0", _set("trainings", 0, hours="0"),
     "trainings", "range", "hours", 2),
    ("scores 0-100", _set("attendance", 1, post_score="101"),
     "attendance", "range", "post_score", 3),
    ("satisfaction 1-5", _set("attendance", 0, satisfaction="0"),
     "attendance", "range", "satisfaction", 2),
    ("latitude", _set("enterprises", 0, latitude="142.9"),
     "enterprises", "range", "latitude", 2),
    ("date form", _set("enterprises", 1, interview_date="2019/05/15"),
     "enterprises", "type.date", "interview_date", 3),
    ("date not real", _set("trainings", 0, start_date="2019-02-30"),
     "trainings", "type.date", "start_date", 2),
    ("dotted date not real", _set("b2b_meetings", 0, date="31.11.2019"),
     "b2b_meetings", "type.date", "date", 2),
    ("code list", _set("enterprises", 0, legal_form="doo"),
     "enterprises", "code", "legal_form", 2),
    ("yes/no refuses na", _set("enterprises", 0, vat_registered="na"),
     "enterprises", "code", "vat_registered", 2),
    ("yes/no/na", _set("enterprises", 0, pension_contributions="maybe"),
     "enterprises", "code", "pension_contributions", 2),
    ("gender", _set("attendance", 0, gender="f"),
     "attendance", "code", "gender", 2),
    ("ethnicity", _set("enterprises", 0, owner_ethnicity="serbian"),
     "enterprises", "code", "owner_ethnicity", 2),
    ("phase", _set("b2b_meetings", 0, phase="trial"),
     "b2b_meetings", "code", "phase", 2),
    ("outcome", _set("b2b_meetings", 0, outcome="signed"),
     "b2b_meetings", "code", "outcome", 2),
    ("indicator unit", _set("indicators", 0, unit="usd"),
     "indicators", "code", "unit", 2),
    ("metric", _set("indicators", 0, metric="happiness"),
     "indicators", "code", "metric", 2),
    ("multi-choice", _set("enterprises", 0, growth_constraints="finance money"),
     "enterprises", "multi", "growth_constraints", 2),
    ("multi-choice comma", _set("products", 0, sold_in="local,serbia"),
     "products", "multi", "sold_in", 2),
    ("obstacles", _set("b2b_meetings", 1, obstacles="weather"),
     "b2b_meetings", "multi", "obstacles", 3),
    ("municipality", _set("enterprises", 0, municipality="Mitrovca"),
     "enterprises", "municipality", "municipality", 2),
    ("municipality code", _set("trainings", 1, municipality="99"),
     "trainings", "municipality", "municipality", 3),
    ("nace form", _set("enterprises", 0, nace_code="10.511"),
     "enterprises", "nace", "nace_code", 2),
    ("nace division", _set("enterprises", 0, nace_code="04.1"),
     "enterprises", "nace.division", "nace_code", 2),
    ("hs form", _set("products", 0, hs_code="04061"),
     "products", "hs", "hs_code", 2),
    ("hs chapter", _set("products", 0, hs_code="7701"),
     "products", "hs.chapter", "hs_code", 2),
    # a duplicated key is reported on every row that holds it
    ("unique enterprise", _set("enterprises", 2, enterprise_id="PM-001"),
     "enterprises", "unique", "enterprise_id", (2, 4)),
    ("unique training", lambda d: (_set("trainings", 1, training_id="T01")(d),
                                   _set("attendance", 1, training_id="T01")(d)),
     "trainings", "unique", "training_id", (2, 3)),
    ("unique meeting", _set("b2b_meetings", 1, meeting_id="B01"),
     "b2b_meetings", "unique", "meeting_id", (2, 3)),
    ("unique indicator", _set("indicators", 0, indicator_id="OC1.1"),
     "indicators", "unique", "indicator_id", (2, 3)),
    ("product → enterprise", _set("products", 1, enterprise_id="PM-999"),
     "products", "foreign_key", "enterprise_id", 3),
    ("attendance → training", _set("attendance", 1, training_id="T99"),
     "attendance", "foreign_key", "training_id", 3),
    ("attendance → enterprise", _set("attendance", 0, enterprise_id="PM-404"),
     "attendance", "foreign_key", "enterprise_id", 2),
    ("meeting → enterprise", _set("b2b_meetings", 0, north_enterprise_id="PM-777"),
     "b2b_meetings", "foreign_key", "north_enterprise_id", 2),
    ("report → indicator", _set("indicator_reports", 0, indicator_id="X9"),
     "indicator_reports", "foreign_key", "indicator_id", 2),
    ("female ≤ employees", _set("enterprises", 0, employees_female="5"),
     "enterprises", "cross.female_employees", "employees_female", 2),
    ("female ≤ full-time when part-time empty", _set("enterprises", 2, employees_full_time="1",
                                                      employees_female="2"),
     "enterprises", "cross.female_employees", "employees_female", 4),
    ("end ≥ start", _set("trainings", 0, end_date="2019-09-09"),
     "trainings", "cross.end_before_start", "end_date", 2),
    ("period end ≥ start", _set("indicator_reports", 0, period_end="2019-12-31"),
     "indicator_reports", "cross.end_before_start", "period_end", 2),
    ("counterpart outside north", _set("b2b_meetings", 0, counterpart_municipality="Звечан"),
     "b2b_meetings", "cross.counterpart_northern", "counterpart_municipality", 2),
    ("founded ≤ interview year", _set("enterprises", 1, founded_year="2020"),
     "enterprises", "cross.founded_after_interview", "founded_year", 3),
]


@pytest.mark.parametrize(("mutate", "table", "rule", "column", "row"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_is_enforced(write, mutate, table, rule, column, row):
    data = copy.deepcopy(sample())
    mutate(data)
    path = write(data)
    result = check_path(path)
    assert not result.ok
    found = [(p.file, p.rule, p.column, p.row) for p in result.problems]
    rows = row if isinstance(row, tuple) else (row,)
    assert found == [(_file(path, table), rule, column, r) for r in rows]


def test_all_problems_are_reported_not_the_first(write):
    data = copy.deepcopy(sample())
    for i in range(4):
        data["enterprises"][i]["growth_potential"] = "9"
    data["products"][0]["hs_code"] = "x"
    data["trainings"][0]["hours"] = "-2"
    result = check_path(write(data))
    assert sorted((p.rule, p.column, p.row) for p in result.problems) == [
        ("hs", "hs_code", 2), ("range", "growth_potential", 2), ("range", "growth_potential", 3),
        ("range", "growth_potential", 4), ("range", "growth_potential", 5),
        ("range", "hours", 2)]


def test_report_names_value_and_expectation(tmp_path, capsys):
    data = copy.deepcopy(sample())
    data["enterprises"][1]["municipality"] = "Gotham"
    data["enterprises"][0]["employees_female"] = "7"
    path = write_csv(tmp_path / "raw", data)
    assert main(["check", str(path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "Found 2 errors in 1 file" in out
    assert "enterprises.csv" in out
    assert "column municipality: must be a municipality of Kosovo" in out
    assert "row 3: Gotham" in out
    assert "row 2: 7 (full-time 3 + part-time 1 = 4)" in out


def test_json_report(tmp_path, capsys):
    data = copy.deepcopy(sample())
    data["attendance"][0]["gender"] = "woman"
    path = write_csv(tmp_path / "raw", data)
    assert main(["check", str(path), "--json", "--quiet"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is False and doc["errors"] == 1
    assert doc["problems"] == [{
        "severity": "error", "file": "attendance.csv", "row": 2, "column": "gender",
        "value": "woman", "rule": "code",
        "message": "must be one of: female, male, other, undisclosed"}]
    assert doc["rows"]["enterprises.csv"] == 4


def test_clean_input_exits_zero(tmp_path, capsys):
    path = write_csv(tmp_path / "raw", sample())
    assert main(["check", str(path), "--quiet"]) == 0
    assert "No errors" in capsys.readouterr().out


def test_usage_errors_exit_two(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", str(tmp_path / "nowhere")])
    assert exc.value.code == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_build_refuses_bad_input(tmp_path, capsys):
    data = copy.deepcopy(sample())
    data["enterprises"][0]["enterprise_id"] = ""
    raw = write_csv(tmp_path / "raw", data)
    out = tmp_path / "packages"
    assert main(["build", "--raw", str(raw), "--out", str(out), "--quiet"]) == 1
    assert not out.exists()
    assert "column enterprise_id: a value is required here" in capsys.readouterr().out


def test_every_municipality_in_every_language_and_script(tmp_path):
    """All 38 municipalities, by each name column (English, Albanian, Serbian Latin and
    Cyrillic) and by KAS code, as a field officer would type them, map to one code."""
    from etl import refdata

    data = copy.deepcopy(sample())
    base = data["attendance"][1]
    spellings, expected = [], []
    for m in refdata.municipalities():
        for name in (m.name_en, m.name_sq, m.name_sr_latn, m.name_sr_cyrl, m.kas_code,
                     str(int(m.kas_code)), m.name_sr_latn.upper(), f"  {m.name_sq.lower()} "):
            spellings.append(name)
            expected.append(m.kas_code)
    data["attendance"] = [{**base, "participant_name": f"P{i}", "municipality": name}
                          for i, name in enumerate(spellings)]
    result = check_path(write_csv(tmp_path / "raw", data))
    assert result.ok, [p.as_dict() for p in result.problems][:5]
    assert result.frame("attendance")["municipality"].tolist() == expected
