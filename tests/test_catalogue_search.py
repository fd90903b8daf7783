"""Catalogue search (:mod:`portal.catalog.search`): words and facets over the release's tables.

Two kinds of check: a small hand-made catalogue pins down the rules (every word must match,
any value of a facet, every facet; accents and scripts ignored; counts per value), and the
demo release is searched with the expected tables worked out from its descriptors and CSVs
with plain ``json`` and ``csv``, never through the portal's model.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest

from portal.catalog import model, search
from portal.catalog.model import Catalogue, Package, Resource
from portal.catalog.search import Query
from tests.conftest import DEMO_PACKAGES

LATEST = DEMO_PACKAGES / "latest"


# --- a catalogue made by hand -----------------------------------------------------------------


def _resource(package: str, name: str, title: dict[str, str], fields: list[dict[str, Any]],
              codes: dict[str, tuple[str, ...]] | None = None, description: str = "",
              formats: tuple[str, ...] = ("CSV",)) -> Resource:
    descriptor = {"name": name, "title": title["en"], "x-title": title, "schema": {
        "fields": fields}, **({"description": description} if description else {})}
    downloads = tuple(model.Download(f, "text/plain", None, "data")  # type: ignore[arg-type]
                      for f in formats)
    return Resource(package, 0, descriptor, downloads, 10, codes or {})


def _catalogue() -> Catalogue:
    turnover = _resource(
        "survey", "turnover_by_sector_municipality",
        {"en": "Annual turnover by sector", "sq": "Qarkullimi vjetor sipas sektorit",
         "sr-Latn": "Godišnji promet po sektoru"},
        [{"name": "broad_sector", "title": "Broad sector",
          "x-labels": {"trade": {"en": "Trade"}, "agriculture": {"en": "Agriculture"}}},
         {"name": "municipality", "title": "Municipality",
          "x-labels": {"38": {"en": "North Mitrovica"}, "29": {"en": "Zvečan"}}},
         {"name": "value", "title": "Value"}],
        {"sector": ("trade", "agriculture"), "municipality": ("29", "38")},
        formats=("CSV", "JSON"))
    compliance = _resource(
        "survey", "compliance_level_by_sector",
        {"en": "Compliance level by sector", "sq": "Niveli i përputhshmërisë sipas sektorit"},
        [{"name": "broad_sector", "title": "Broad sector"},
         {"name": "compliance_level", "title": "Compliance level"}],
        {"sector": ("trade",)}, description="Formal, partly formal or informal.")
    meetings = _resource(
        "programme", "meetings_by_sector_pair",
        {"en": "Meetings by sector pair", "sr-Latn": "Sastanci po paru sektora"},
        [{"name": "north_sector", "title": "North sector",
          "x-labels": {"trade": {"en": "Trade"}, "manufacturing": {"en": "Manufacturing"}}}],
        {"sector": ("manufacturing", "trade")})
    participants = _resource(
        "programme", "participants_by_municipality",
        {"en": "Participants by municipality"},
        [{"name": "municipality", "title": "Municipality",
          "x-labels": {"12": {"en": "Leposavić"}, "38": {"en": "North Mitrovica"}}}],
        {"municipality": ("12", "38")}, formats=("CSV", "JSON"))
    packages = (
        Package("survey", {"name": "survey", "title": "Product map survey"},
                (turnover, compliance), (), None),
        Package("programme", {"name": "programme", "title": "Programme metrics",
                              "x-title": {"en": "Programme metrics",
                                          "sr-Latn": "Pokazatelji programa"}},
                (meetings, participants), (), None),
    )
    return Catalogue(None, None, packages, ())  # type: ignore[arg-type]


def names(found: list[Resource]) -> list[str]:
    return [r.name for r in found]


@pytest.mark.parametrize(("text", "expected"), [
    ("", ["turnover_by_sector_municipality", "compliance_level_by_sector",
          "meetings_by_sector_pair", "participants_by_municipality"]),
    ("TURNOVER", ["turnover_by_sector_municipality"]),
    ("sector municipality", ["turnover_by_sector_municipality"]),  # every word must occur
    ("perputhshmerise", ["compliance_level_by_sector"]),  # Albanian, accents ignored
    ("godisnji", ["turnover_by_sector_municipality"]),  # Serbian Latin, accents ignored
    ("годишњи", ["turnover_by_sector_municipality"]),  # ... and in Cyrillic
    ("informal", ["compliance_level_by_sector"]),  # descriptions
    ("compliance_level", ["compliance_level_by_sector"]),  # column names
    ("north sector", ["meetings_by_sector_pair"]),  # column titles
    ("pokazatelji", ["meetings_by_sector_pair", "participants_by_municipality"]),  # package
    ("nothing-like-this", []),
])
def test_words_must_all_occur_in_some_text(text: str, expected: list[str]) -> None:
    assert names(search.search(_catalogue(), Query(text))) == expected


def test_facets_any_value_of_each_and_every_facet() -> None:
    catalogue = _catalogue()
    by = lambda **selected: names(search.search(catalogue, Query("", selected)))  # noqa: E731
    assert by(package=("programme",)) == ["meetings_by_sector_pair",
                                          "participants_by_municipality"]
    assert by(sector=("manufacturing",)) == ["meetings_by_sector_pair"]
    assert by(sector=("manufacturing", "agriculture")) == [
        "turnover_by_sector_municipality", "meetings_by_sector_pair"]
    assert by(sector=("trade",), municipality=("38",)) == ["turnover_by_sector_municipality"]
    assert by(format=("JSON",), package=("programme",)) == ["participants_by_municipality"]
    assert by(theme=("growth",)) == ["turnover_by_sector_municipality"]
    assert by(municipality=("12",), sector=("trade",)) == []


def test_counts_say_what_choosing_a_value_would_find() -> None:
    catalogue = _catalogue()
    query = Query("sector", {"sector": ("trade",), "package": ("survey",)})
    counts = search.facet_counts(catalogue, query)
    # package: text and sector apply, the package choice does not
    assert counts["package"] == {"survey": 2, "programme": 1}
    # sector: text and package apply, the sector choice does not
    assert counts["sector"] == {"trade": 2, "agriculture": 1, "manufacturing": 0}
    # others: everything applies
    assert counts["municipality"] == {"29": 1, "38": 1, "12": 0}
    assert counts["format"] == {"CSV": 2, "JSON": 1}
    for facet, values in counts.items():  # each count is what that choice alone would find
        for value, count in values.items():
            alone = Query(query.text, {**query.selected, facet: (value,)})
            assert len(search.search(catalogue, alone)) == count, (facet, value)


def test_codes_are_in_schema_order_and_labelled() -> None:
    catalogue = _catalogue()
    assert search.facet_values(catalogue, "municipality") == ("38", "29", "12")
    assert search.facet_values(catalogue, "sector") == ("trade", "agriculture", "manufacturing")
    assert search.code_texts(catalogue, "municipality")["29"] == {"en": "Zvečan"}
    assert search.facet_values(catalogue, "package") == ("survey", "programme")
    assert search.facet_values(catalogue, "format") == ("CSV", "JSON")


@pytest.mark.parametrize(("params", "text", "selected"), [
    ({}, "", {}),
    ({"q": "  annual   turnover "}, "annual turnover", {}),
    ({"theme": "growth,training"}, "", {"theme": ("growth", "training")}),
    ({"theme": ["growth", "training", "growth"]}, "", {"theme": ("growth", "training")}),
    ({"municipality": "38,99", "sector": ""}, "", {"municipality": ("38",)}),  # 99: unknown
    ({"format": "CSV", "lang": "sq", "colour": "red"}, "", {"format": ("CSV",)}),
    ({"q": ["a", "b"]}, "", {}),  # a repeated q is not text
])
def test_the_url_is_read_leniently(params: dict[str, object], text: str,
                                   selected: dict[str, tuple[str, ...]]) -> None:
    query = search.parse(params, _catalogue())
    assert query.text == text
    assert dict(query.selected) == selected


def test_a_query_round_trips_through_its_url_parameters() -> None:
    catalogue = _catalogue()
    query = Query("turnover", {"sector": ("trade", "agriculture"), "theme": ("growth",)})
    params = query.params()
    assert params == {"q": "turnover", "theme": "growth", "sector": "trade,agriculture"}
    assert search.parse(params, catalogue) == query
    assert len(search.parse({"q": "x" * 500}).text) == search.MAX_TEXT


# --- the demo release, expected from its files -------------------------------------------------


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
                   if not unicodedata.combining(c))


def published() -> Iterator[tuple[str, dict[str, Any], dict[str, Any], Path]]:
    """(package name, package descriptor, resource descriptor, CSV path) of every table."""
    for folder in sorted(p for p in LATEST.iterdir() if p.is_dir()):
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        for resource in descriptor["resources"]:
            yield folder.name, descriptor, resource, folder / resource["path"]


def texts_of(package: dict[str, Any], resource: dict[str, Any]) -> str:
    parts = [resource["name"], resource.get("title", ""), resource.get("description", ""),
             *resource.get("x-title", {}).values(), package["name"], package["title"],
             *package.get("x-title", {}).values()]
    for spec in resource["schema"]["fields"]:
        parts += [spec["name"], spec.get("title", ""), *spec.get("x-title", {}).values()]
    return fold(" ".join(parts))


def column_codes(path: Path, columns: tuple[str, ...]) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[c] for row in csv.DictReader(handle) for c in columns if c in row} - {
            "_total", "[c]", ""}


@pytest.fixture
def demo_catalogue(demo_app: dash.Dash) -> Iterator[Catalogue]:
    with demo_app.server.test_request_context("/data"):
        catalogue = model.current()
        assert catalogue is not None
        yield catalogue


@pytest.mark.parametrize("text", ["turnover", "Sektor", "opština", "Komuna", "status",
                                  "programme metrics", "ПРЕДУЗЕЋА"])
def test_demo_text_search_finds_the_tables_whose_texts_hold_every_word(
        demo_catalogue: Catalogue, text: str) -> None:
    words = fold(text).split()
    expected = [r["name"] for p, pd, r, _path in published()
                if all(w in texts_of(pd, r) for w in words)]
    found = names(search.search(demo_catalogue, Query(text)))
    assert sorted(found) == sorted(expected)
    assert found, text


@pytest.mark.parametrize(("facet", "value", "columns"), [
    ("municipality", "38", ("municipality",)),
    ("municipality", "11", ("municipality",)),
    ("sector", "trade", ("broad_sector", "north_sector")),
    ("sector", "manufacturing", ("broad_sector", "north_sector")),
])
def test_demo_code_facets_follow_the_data(demo_catalogue: Catalogue, facet: str, value: str,
                                          columns: tuple[str, ...]) -> None:
    expected = sorted(r["name"] for _p, _pd, r, path in published()
                      if value in column_codes(path, columns))
    found = sorted(names(search.search(demo_catalogue, Query("", {facet: (value,)}))))
    assert found == expected
    assert found


def test_demo_package_and_format_facets(demo_catalogue: Catalogue) -> None:
    tables = list(published())
    for package in {p for p, *_rest in tables}:
        found = names(search.search(demo_catalogue, Query("", {"package": (package,)})))
        assert found == [r["name"] for p, _pd, r, _path in tables if p == package]
    xlsx = names(search.search(demo_catalogue, Query("", {"format": ("XLSX",)})))
    assert xlsx == [r["name"] for _p, _pd, r, _path in tables
                    if "xlsx" in r.get("x-downloads", {})]
    counts = search.facet_counts(demo_catalogue, Query())
    assert sum(counts["package"].values()) == len(tables)
    assert sum(counts["theme"].values()) == len(tables)  # one theme per table


def test_demo_facet_counts_match_searches(demo_catalogue: Catalogue) -> None:
    query = Query("sector", {"theme": ("compliance", "growth"), "municipality": ("38",)})
    counts = search.facet_counts(demo_catalogue, query)
    for facet, values in counts.items():
        assert list(values) == list(search.facet_values(demo_catalogue, facet))
        for value, count in values.items():
            alone = Query(query.text, {**query.selected, facet: (value,)})
            assert len(search.search(demo_catalogue, alone)) == count, (facet, value)
