"""The catalogue model, row queries and HTTP validators that every data page and API share.

Expected values are read independently from the published files (descriptors, CSVs,
releases.json), never from the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import dash
import pandas as pd
import pytest
from werkzeug.http import http_date

from portal.catalog import http, model, rows
from tests.conftest import DEMO_PACKAGES

RELEASE = (DEMO_PACKAGES / "latest").resolve()
DESCRIPTORS = {p.parent.name: json.loads(p.read_text()) for p in RELEASE.glob("*/datapackage.json")}


@pytest.fixture
def catalogue(demo_app: dash.Dash) -> Iterator[model.Catalogue]:
    with demo_app.server.test_request_context("/"):
        found = model.current()
        assert found is not None
        yield found


def published(resource: str) -> tuple[dict, pd.DataFrame]:
    for package, descriptor in DESCRIPTORS.items():
        for spec in descriptor["resources"]:
            if spec["name"] == resource:
                frame = pd.read_csv(RELEASE / package / spec["path"], dtype=str,
                                    keep_default_na=False)
                return spec, frame
    raise KeyError(resource)


def test_the_catalogue_lists_every_published_package_and_resource(
        catalogue: model.Catalogue) -> None:
    assert {p.name: p.id for p in catalogue.packages} == {
        name: d["id"] for name, d in DESCRIPTORS.items()}
    for package in catalogue.packages:
        names = [r["name"] for r in DESCRIPTORS[package.name]["resources"]]
        assert [r.name for r in package.resources] == names
        assert package.version == DESCRIPTORS[package.name]["version"]
        assert catalogue.package(package.id) is catalogue.package(package.name) is package


def test_every_download_is_the_published_file_with_its_size(catalogue: model.Catalogue) -> None:
    for package in catalogue.packages:
        folder = RELEASE / package.name
        for resource in package.resources:
            spec = resource.descriptor
            expected = {"CSV": spec["path"], **{k.upper(): v for k, v in
                                               (spec.get("x-downloads") or {}).items()}}
            got = {d.format: d.file.path.relative_to(folder).as_posix()
                   for d in resource.downloads}
            assert got == expected
            for download in resource.downloads:
                assert download.size == (folder / expected[download.format]).stat().st_size
                assert download.url.endswith(f"/{package.name}/{expected[download.format]}")
        archive = package.download("archive")
        assert archive is not None and archive.file.path == RELEASE / f"{package.name}.zip"
        assert package.download("descriptor").file.path == folder / "datapackage.json"


def test_row_counts_and_facet_codes_come_from_the_tables(catalogue: model.Catalogue) -> None:
    resource = catalogue.resource("businesses_by_sector_municipality")
    assert resource is not None
    _spec, frame = published(resource.name)
    assert resource.rows == len(frame)
    assert set(resource.codes["municipality"]) == set(frame["municipality"]) - {"_total"}
    assert set(resource.codes["sector"]) == set(frame["broad_sector"]) - {"_total"}
    assert "municipality" not in catalogue.resource("sessions_by_format").codes


def test_history_lists_every_release_with_its_archives(catalogue: model.Catalogue) -> None:
    listed = json.loads((DEMO_PACKAGES / "releases.json").read_text())
    newest_first = sorted(listed, key=lambda e: e["released"], reverse=True)
    assert [v.version for v in catalogue.history] == [e["version"] for e in newest_first]
    for version, entry in zip(catalogue.history, newest_first, strict=True):
        assert version.withdrawn == bool(entry.get("withdrawn"))
        assert version.summary == entry.get("summary", "")
        expected = {p.stem for p in (DEMO_PACKAGES / version.version).glob("*.zip")}
        assert set(version.archives) == (set() if version.withdrawn else expected)
        for name, file in version.archives.items():
            assert file.path == DEMO_PACKAGES / version.version / f"{name}.zip"


def test_resources_are_found_by_name_or_package_path(catalogue: model.Catalogue) -> None:
    assert catalogue.resource("north-kosovo-product-map/businesses").name == "businesses"
    assert catalogue.resource("north-kosovo-programme-metrics/businesses") is None
    assert catalogue.resource("../businesses") is None
    assert catalogue.resource("nothing") is None


def test_row_queries_match_pandas_on_the_published_csv(catalogue: model.Catalogue) -> None:
    spec, frame = published("businesses_by_sector_municipality")
    frame["value"] = pd.to_numeric(frame["value"].where(frame["value"] != "[c]"))
    query = rows.build(catalogue.release, spec["name"],
                       filters={"municipality": ["12", "28"], "status": "published"},
                       q="AGRI", fields=["municipality", "value"],
                       sort=rows.parse_sort("value desc"), limit=2, offset=1)
    page = rows.fetch(catalogue.release, query)
    expected = frame[frame["municipality"].isin(["12", "28"]) & (frame["status"] == "published")
                     & frame["broad_sector"].str.lower().str.contains("agri")]
    expected = expected.sort_values("value", ascending=False, kind="stable")
    assert page.total == len(expected)
    assert [f["name"] for f in page.fields] == ["municipality", "value"]
    assert [(r["municipality"], r["value"]) for r in page.records] == list(
        expected[["municipality", "value"]].itertuples(index=False, name=None))[1:3]
    assert [r["_row"] for r in page.records] == list(expected.index[1:3])


def test_suppressed_values_are_written_back_as_published(catalogue: model.Catalogue) -> None:
    spec, frame = published("completion_by_topic")
    resource = catalogue.release.resource(spec["name"])
    suppressible = set(resource.get("x-portal-suppressible", ()))
    page = rows.fetch(catalogue.release, rows.build(catalogue.release, spec["name"],
                                                    limit=rows.MAX_LIMIT))
    written = [[rows.published_value(r, f, f["name"] in suppressible) for f in page.fields]
               for r in page.records]
    assert written == frame.values.tolist()
    assert any("[c]" in row for row in written)


@pytest.mark.parametrize(("arguments", "parameter"), [
    ({"filters": {"nope": "1"}}, "filters[nope]"),
    ({"filters": {"value": "abc"}}, "filters[value]"),
    ({"filters": {"value": "nan"}}, "filters[value]"),
    ({"filters": {"municipality": {"a": 1}}}, "filters[municipality]"),
    ({"filters": {"municipality": []}}, "filters[municipality]"),
    ({"filters": {"municipality": "a\x00b"}}, "filters[municipality]"),
    ({"fields": ["municipality", "x"]}, "fields"),
    ({"sort": [("'; drop table x", False)]}, "sort"),
    ({"limit": "ten"}, "limit"),
    ({"limit": rows.MAX_LIMIT + 1}, "limit"),
    ({"limit": True}, "limit"),
    ({"offset": -1}, "offset"),
    ({"q": ["a"]}, "q"),
])
def test_bad_parameters_are_refused_by_name(catalogue: model.Catalogue, arguments: dict,
                                            parameter: str) -> None:
    with pytest.raises(rows.BadRequest) as refused:
        rows.build(catalogue.release, "businesses_by_sector_municipality", **arguments)
    assert refused.value.parameter == parameter
    assert parameter.split("[")[0] in str(refused.value)


def test_unknown_resources_are_refused(catalogue: model.Catalogue) -> None:
    with pytest.raises(rows.BadRequest, match="unknown resource"):
        rows.build(catalogue.release, "../../etc/passwd")


@pytest.mark.parametrize(("text", "expected"), [
    ("a, b desc", [("a", False), ("b", True)]),
    ("a,-b", [("a", False), ("b", True)]),
    ("a ASC", [("a", False)]),
    ("", []),
])
def test_sort_is_read_in_ckan_and_rest_styles(text: str, expected: list) -> None:
    assert rows.parse_sort(text) == expected


def test_sort_refuses_what_it_cannot_read() -> None:
    with pytest.raises(rows.BadRequest, match="cannot read"):
        rows.parse_sort("a b c")


def test_answers_carry_validators_and_revalidate_with_304(demo_app: dash.Dash) -> None:
    calls = []

    def answer() -> object:
        calls.append(1)
        return demo_app.server.response_class("body")

    with demo_app.server.test_request_context("/x?a=1"):
        catalogue = model.current()
        first = http.conditional(catalogue, answer)
    assert first.status_code == 200 and first.get_etag()[0] and first.last_modified
    with demo_app.server.test_request_context(
            "/x?a=1", headers={"If-None-Match": f'"{first.get_etag()[0]}"'}):
        again = http.conditional(model.current(), answer)
    assert again.status_code == 304 and len(calls) == 1
    with demo_app.server.test_request_context(
            "/x?a=2", headers={"If-None-Match": f'"{first.get_etag()[0]}"'}):
        other = http.conditional(model.current(), answer)
    assert other.status_code == 200 and other.get_etag()[0] != first.get_etag()[0]
    created = DESCRIPTORS["north-kosovo-product-map"]["created"]
    with demo_app.server.test_request_context(
            "/x?a=1", headers={"If-Modified-Since": http_date(model.parse_time(created))}):
        assert http.conditional(model.current(), answer).status_code == 304


def test_nothing_published_means_no_catalogue(app: dash.Dash) -> None:
    with app.server.test_request_context("/"):
        assert model.current() is None
