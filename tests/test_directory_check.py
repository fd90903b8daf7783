"""The supplier-directory file under `etl check`: every bad listing the issue names is reported
with file, row, column and value, in both containers; valid listings and the demo pass; a bad
listing publishes nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest
import raw_samples
from raw_samples import LISTING, sample, with_directory, write_csv

from etl.cli import main
from etl.demo import generate
from etl.validate import check_path
from etl.validate.rules import DESCRIPTION_MAX, SHOWN_MAX

# The CSV-and-XLSX fixture, bound in this module to be used here.
write = raw_samples.write

Tables = dict[str, list[dict[str, str]]]
TABLE = "directory_listings"
LONG = ("Lorem ipsum dolor sit amet, " * 200)[:4999] + "."  # 5,000 characters


def _file(path: Path) -> str:
    return f"{TABLE}.csv" if path.is_dir() else f"{path.name} › {TABLE}"


def _second(**values: str) -> Tables:
    """The sample with two valid listings, the second (spreadsheet row 3) changed."""
    data = with_directory(copy.deepcopy(sample()))
    data[TABLE][1].update(values)
    return data


def test_valid_listings_pass(write):
    path = write(with_directory(copy.deepcopy(sample())))
    result = check_path(path)
    assert [p.as_dict() for p in result.problems] == []
    listings = result.frame(TABLE)
    assert listings["enterprise_id"].tolist() == ["PM-001", "PM-003"]
    assert listings["show_products"].tolist() == [True, False]
    assert listings["languages"].tolist()[0] == ("sr", "en")
    assert listings["consent_withdrawn"].isna().tolist() == [True, False]


def test_the_file_is_optional(write):
    data = copy.deepcopy(sample())
    assert TABLE not in data
    result = check_path(write(data))
    assert result.ok and TABLE not in result.tables


# (what, the second listing's changes, rule, column, the value the report shows)
CASES: list[tuple[str, dict[str, str], str, str, str]] = [
    ("business not in the survey", {"enterprise_id": "PM-999"},
     "foreign_key", "enterprise_id", "PM-999"),
    ("withdrawal before consent", {"consent_withdrawn": "31.05.2019"},
     "cross.end_before_start", "consent_withdrawn", "2019-05-31 (consent_date 2019-06-01)"),
    ("e-mail without a dot in the domain", {"public_email": "agro@leposaviq"},
     "cross.email", "public_email", "agro@leposaviq"),
    ("e-mail with a space", {"public_email": "agro leposaviq@example.com"},
     "cross.email", "public_email", "agro leposaviq@example.com"),
    ("e-mail with two @", {"public_email": "agro@@example.com"},
     "cross.email", "public_email", "agro@@example.com"),
    ("website with a script", {"website": "javascript:alert(document.cookie)"},
     "cross.website", "website", "javascript:alert(document.cookie)"),
    ("website of another scheme", {"website": "ftp://files.example.com"},
     "cross.website", "website", "ftp://files.example.com"),
    ("website without a dot", {"website": "https://localhost/shop"},
     "cross.website", "website", "https://localhost/shop"),
    ("website with a space", {"website": "www.agro leposaviq.example"},
     "cross.website", "website", "www.agro leposaviq.example"),
    ("5,000-character description", {"description_sq": LONG},
     "cross.too_long", "description_sq", f"{LONG[:SHOWN_MAX]}… ({len(LONG):,} characters)"),
    ("HTML in a description", {"description_sr": "Med <script>alert(1)</script>"},
     "cross.markup", "description_sr", "Med <script>alert(1)</script>"),
    ("closing tag", {"description_en": "Honey</p>"},
     "cross.markup", "description_en", "Honey</p>"),
    ("HTML in the listed name", {"listed_name": "<b>Agro</b> Leposaviq"},
     "cross.markup", "listed_name", "<b>Agro</b> Leposaviq"),
    ("formula in a description", {"description_en": "@SUM(A1:A9)"},
     "cross.formula", "description_en", "@SUM(A1:A9)"),
    ("formula in the listed name", {"listed_name": "+1+cmd|'/C calc'!A0"},
     "cross.formula", "listed_name", "+1+cmd|'/C calc'!A0"),
    ("formula in the contact person", {"contact_person": "-2+3"},
     "cross.formula", "contact_person", "-2+3"),
    ("bad yes/no flag", {"show_municipality": "maybe"},
     "code", "show_municipality", "maybe"),
    ("unknown language", {"languages": "sq fr"}, "multi", "languages", "fr"),
    ("missing consent date", {"consent_date": ""}, "required", "consent_date", ""),
]


@pytest.mark.parametrize(("what", "change", "rule", "column", "shown"), CASES,
                         ids=[c[0] for c in CASES])
def test_each_bad_listing_is_reported(write, capsys, what, change, rule, column, shown):
    path = write(_second(**change))
    assert main(["check", str(path), "--json", "--quiet"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is False
    found = [(p["file"], p["row"], p["column"], p["value"] or "", p["rule"])
             for p in doc["problems"]]
    assert found == [(_file(path), 3, column, shown, rule)]


def test_an_equals_formula_in_a_csv_description(tmp_path):
    """(A workbook cell starting with = is a formula cell, reported by the reader.)"""
    formula = '=HYPERLINK("http://evil.example","Click")'
    result = check_path(write_csv(tmp_path / "raw", _second(description_en=formula)))
    assert [(p.file, p.row, p.column, p.value, p.rule) for p in result.problems] == [
        (f"{TABLE}.csv", 3, "description_en", formula, "cross.formula")]


def test_plain_text_that_only_looks_suspicious_passes(write):
    path = write(_second(description_en="Honey (< 5 kg) & jam; 2 < 3, e-mail us",
                         description_sr="x" * DESCRIPTION_MAX, public_phone="+383 44 123 456",
                         listed_name="Agro-Leposaviq", website="HTTPS://Www.Agro.Example:8080/"
                         "med?lang=sr#top", public_email="a.b+c@med-ibar.example.com"))
    result = check_path(path)
    assert [p.as_dict() for p in result.problems] == []


def test_a_duplicate_business_names_both_rows(write):
    data = with_directory(copy.deepcopy(sample()))
    data[TABLE][1]["enterprise_id"] = LISTING["enterprise_id"]
    path = write(data)
    result = check_path(path)
    found = [(p.file, p.row, p.column, p.value, p.rule) for p in result.problems]
    assert found == [(_file(path), 2, "enterprise_id", "PM-001 (also on row 3)", "unique"),
                     (_file(path), 3, "enterprise_id", "PM-001 (also on row 2)", "unique")]


def test_every_problem_at_once(tmp_path, capsys):
    bad = {**LISTING, "enterprise_id": "PM-004", "public_email": "x@y", "website": "javascript:x",
           "description_en": LONG, "description_sr": "<i>x</i>", "show_products": "ja"}
    data = with_directory(copy.deepcopy(sample()), LISTING, bad)
    raw = write_csv(tmp_path / "raw", data)
    assert main(["check", str(raw), "--quiet"]) == 1
    text = capsys.readouterr().out
    for column in ("public_email", "website", "description_en", "description_sr",
                   "show_products"):
        assert f"column {column}" in text
    assert LONG not in text  # the report shows a long value cut


def test_a_bad_listing_publishes_nothing(tmp_path, capsys):
    raw = write_csv(tmp_path / "raw", _second(public_email="nobody"))
    out = tmp_path / "packages"
    (out / "1.0.0").mkdir(parents=True)
    (out / "1.0.0" / "supplier-directory.json").write_text('{"listings": []}\n')
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(["build", "--raw", str(raw), "--out", str(out), "--version", "1.1.0",
                 "--quiet"]) == 1
    assert "nobody" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in out.iterdir()) == ["1.0.0"]


# --- the demo ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_waves(tmp_path_factory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("demo")
    return {wave: generate(root / f"wave{wave}", wave=wave) for wave in (1, 2)}


@pytest.mark.parametrize("wave", [1, 2])
def test_the_demo_listings_pass_and_show_each_choice_both_ways(demo_waves, wave):
    result = check_path(demo_waves[wave])
    assert result.ok, [p.as_dict() for p in result.problems][:5]
    listings = result.frame(TABLE)
    businesses = result.frame("enterprises")["enterprise_id"]
    assert listings["enterprise_id"].isin(businesses).all()
    assert 0.15 <= len(listings) / len(businesses) <= 0.2
    for flag in ("show_products", "show_certifications", "show_municipality"):
        assert set(listings[flag]) == {True, False}, flag
    for column in ("contact_person", "public_phone", "public_email", "website",
                   "description_en", "description_sq", "description_sr"):
        assert 0 < listings[column].notna().sum() < len(listings), column
    described = listings[["description_en", "description_sq", "description_sr"]]
    assert described.apply(lambda s: s.str.len()).max().max() < 300
    assert listings["languages"].dropna().map(len).max() >= 2
    names = result.frame("enterprises").set_index("enterprise_id")["business_name"]
    same = listings["listed_name"].astype(str).to_numpy() == names[
        listings["enterprise_id"]].astype(str).str.strip().to_numpy()
    assert 0 < same.sum() < len(listings)  # mostly the business name, some trade names


def test_wave_2_withdraws_some_and_adds_new_listings(demo_waves):
    first, second = (check_path(demo_waves[w]).frame(TABLE) for w in (1, 2))
    first, second = (f.set_index(f["enterprise_id"].astype(str)) for f in (first, second))
    assert first["consent_withdrawn"].isna().all()
    withdrawn = second.index[second["consent_withdrawn"].notna()]
    assert 1 <= len(withdrawn) <= 2 and withdrawn.isin(first.index).all()
    assert (second.loc[withdrawn, "consent_withdrawn"]
            >= second.loc[withdrawn, "consent_date"]).all()
    new = second.index.difference(first.index)
    assert len(new) >= 1
    assert second.loc[new, "consent_date"].min() > first["consent_date"].max()
    # the other listings of wave 1 are written as they were
    written = {w: pd.read_csv(demo_waves[w] / f"{TABLE}.csv", dtype=str,
                              keep_default_na=False).set_index("enterprise_id")
               for w in (1, 2)}
    kept = first.index.intersection(second.index).difference(withdrawn)
    assert len(kept) > 0.9 * len(first)
    pd.testing.assert_frame_equal(written[1].loc[kept], written[2].loc[kept])


def test_the_demo_workbook_has_the_listings(tmp_path):
    path = generate(tmp_path / "raw.xlsx", fmt="xlsx", enterprises=120, seed=3, wave=2)
    result = check_path(path)
    assert result.ok, [p.as_dict() for p in result.problems][:5]
    assert len(result.frame(TABLE)) > 0
    assert result.frame(TABLE)["consent_withdrawn"].notna().any()
