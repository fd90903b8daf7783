"""The REST API (``/api/v1``), its OpenAPI document and its docs page.

Expected values are read from the published files with json and pandas, never through the
portal's catalogue or row queries, so a wrong filter, order or rendering shows up. The app
is shared by the module's HTTP tests (they only read); schemathesis runs against it served
over real HTTP by a werkzeug server in a thread, generating requests from the document.
"""

from __future__ import annotations

import datetime
import html.parser
import io
import json
import shutil
import threading
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import dash
import pandas as pd
import pytest
import schemathesis
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from werkzeug.serving import WSGIRequestHandler, make_server

from portal.app import create_app
from tests.conftest import DEMO_PACKAGES, portal_config

RELEASE = (DEMO_PACKAGES / "latest").resolve()
DESCRIPTORS = {p.parent.name: json.loads(p.read_text(encoding="utf-8"))
               for p in sorted(RELEASE.glob("*/datapackage.json"))}
TABLES = [(package, spec["name"]) for package, d in DESCRIPTORS.items()
          for spec in d["resources"]]
PRODUCT_MAP = "north-kosovo-product-map"
PROGRAMME = "north-kosovo-programme-metrics"
MAX_LIMIT = 32_000
MISSING = ("", "[c]")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dash.Dash]:
    """One demo portal for the module: the tests only read, and loading the release into a
    database for each of them would double the module's run time."""
    yield create_app(DEMO_PACKAGES, portal_config(tmp_path_factory.mktemp("rest")))


@pytest.fixture(scope="module")
def http(api: dash.Dash) -> FlaskClient:
    return api.server.test_client()


@pytest.fixture(scope="module")
def document(http: FlaskClient) -> dict[str, Any]:
    response = http.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def spec_of(package: str, resource: str) -> dict[str, Any]:
    return next(r for r in DESCRIPTORS[package]["resources"] if r["name"] == resource)


@cache
def published(package: str, resource: str) -> pd.DataFrame:
    """The published CSV, every cell a string as written (``[c]`` where suppressed)."""
    return pd.read_csv(RELEASE / package / spec_of(package, resource)["path"], dtype=str,
                       keep_default_na=False)


def typed(cell: str, kind: str) -> Any:
    """A published cell as the JSON answer should type it."""
    if kind in ("integer", "number", "boolean") and cell in MISSING:
        return None
    if kind == "integer":
        return int(cell)
    if kind == "number":
        return float(cell)
    if kind == "boolean":
        return {"true": True, "false": False}[cell.lower()]
    return cell


def url(package: str, resource: str, extension: str, **query: Any) -> str:
    pairs = [(k, v) for k, values in query.items()
             for v in (values if isinstance(values, list) else [values])]
    encoded = "&".join(f"{k}={v}" for k, v in pairs)
    return f"/api/v1/{package}/{resource}.{extension}" + (f"?{encoded}" if encoded else "")


def csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


# --- The document ----------------------------------------------------------------------------


def test_the_openapi_document_is_valid_and_describes_every_table(
        document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/"}]
    expected = {"/api/v1/packages", "/api/v1/packages/{package}",
                f"/api/v1/{PROGRAMME}/indicators.xml"}
    expected |= {f"/api/v1/{p}/{r}.{ext}" for p, r in TABLES for ext in ("json", "csv")}
    assert set(document["paths"]) == expected

    # Each column is a filter with its type and, where the schema lists codes, those codes.
    operation = document["paths"][f"/api/v1/{PRODUCT_MAP}/businesses_by_sector_municipality.json"]
    names = [p["$ref"].rpartition("/")[2] for p in operation["get"]["parameters"]]
    parameters = {p["name"]: p for p in (document["components"]["parameters"][n] for n in names)}
    for spec in spec_of(PRODUCT_MAP, "businesses_by_sector_municipality")["schema"]["fields"]:
        items = parameters[spec["name"]]["schema"]["items"]
        assert items["type"] == spec["type"]
        if "enum" in spec.get("constraints", {}):
            assert set(spec["constraints"]["enum"]) <= set(items["enum"])
    assert {"_q", "_sort", "_fields", "_limit", "_offset"} <= set(parameters)
    assert parameters["_limit"]["schema"]["maximum"] == MAX_LIMIT
    responses = operation["get"]["responses"]
    assert {"200", "304", "400", "404"} <= set(responses)


# --- Whole tables ------------------------------------------------------------------------------


@pytest.mark.parametrize(("package", "resource"), TABLES, ids=[r for _, r in TABLES])
def test_an_unfiltered_table_is_the_published_csv(http: FlaskClient, package: str,
                                                  resource: str) -> None:
    raw = (RELEASE / package / spec_of(package, resource)["path"]).read_bytes()
    frame = published(package, resource)

    answer = http.get(url(package, resource, "csv", _limit=MAX_LIMIT))
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.data == raw  # the published file writes "\n" line ends, as the API does
    assert answer.headers["X-Total-Count"] == str(len(frame))

    answer = http.get(url(package, resource, "json", _limit=MAX_LIMIT))
    assert answer.status_code == 200
    body = answer.get_json()
    kinds = {f["name"]: f.get("type", "string")
             for f in spec_of(package, resource)["schema"]["fields"]}
    assert [f["name"] for f in body["fields"]] == list(frame.columns)
    assert [f["type"] for f in body["fields"]] == list(kinds.values())
    assert body["total"] == len(frame) and body["links"]["next"] is None
    assert body["rows"] == [{c: typed(row[c], kinds[c]) for c in frame.columns}
                            for row in frame.to_dict("records")]


def test_suppressed_numbers_are_null_in_json_and_written_as_published_in_csv(
        http: FlaskClient) -> None:
    frame = published(PROGRAMME, "completion_by_topic")
    suppressed = frame.index[frame["value"] == "[c]"].tolist()
    assert suppressed, "the demo release should suppress some cells"
    rows = http.get(url(PROGRAMME, "completion_by_topic", "json", _limit=1000)).get_json()["rows"]
    assert [i for i, row in enumerate(rows) if row["value"] is None] == suppressed
    text = http.get(url(PROGRAMME, "completion_by_topic", "csv", _limit=1000)).get_data(
        as_text=True)
    written = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert written["value"].tolist() == frame["value"].tolist()


def test_a_chosen_number_column_tells_suppressed_from_empty(tmp_path: Path) -> None:
    """Without ``status`` among the fields, an empty (not applicable) share stays empty and a
    suppressed one stays ``[c]``, as published."""
    root = tmp_path / "release"
    shutil.copytree(RELEASE, root)
    path = root / PRODUCT_MAP / spec_of(PRODUCT_MAP, "requirements")["path"]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "" not in set(frame["share_meeting_pct"]):  # a release may have no share that is n/a
        frame.loc[frame.index[frame["share_meeting_pct"] != "[c]"][0], "share_meeting_pct"] = ""
        frame.to_csv(path, index=False, lineterminator="\n")
    assert {"", "[c]"} <= set(frame["share_meeting_pct"])
    http = create_app(root, portal_config(tmp_path)).server.test_client()
    answer = http.get(url(PRODUCT_MAP, "requirements", "csv", _fields="share_meeting_pct",
                          _limit=1000))
    assert answer.get_data(as_text=True) == csv_text(frame[["share_meeting_pct"]])
    body = http.get(url(PRODUCT_MAP, "requirements", "json", _fields="share_meeting_pct",
                        _limit=1000)).get_json()
    assert [f["name"] for f in body["fields"]] == ["share_meeting_pct"]
    assert [list(r) for r in body["rows"]] == [["share_meeting_pct"]] * len(frame)


# --- Filters, search, sort, fields, paging ------------------------------------------------------


def text_match(frame: pd.DataFrame, spec: dict[str, Any], words: str) -> pd.Series:
    """Rows where every word appears (ignoring case) in some text column."""
    text = [f["name"] for f in spec["schema"]["fields"] if f.get("type", "string") == "string"]
    keep = pd.Series(True, index=frame.index)
    for word in words.lower().split():
        keep &= frame[text].apply(lambda column, w=word: column.str.lower().str.contains(
            w, regex=False)).any(axis=1)
    return keep


def test_filters_search_sort_fields_and_paging_match_pandas(http: FlaskClient) -> None:
    resource = "businesses_by_sector_municipality"
    frame = published(PRODUCT_MAP, resource).copy()
    frame["number"] = pd.to_numeric(frame["value"].where(frame["value"] != "[c]"))
    keep = (frame["municipality"].isin(["12", "28"]) & (frame["status"] == "published")
            & text_match(frame, spec_of(PRODUCT_MAP, resource), "R U"))
    expected = frame[keep].sort_values(["number", "broad_sector"], ascending=[False, True],
                                       kind="stable")
    assert len(expected) > 4  # the query really selects and pages

    query = {"municipality": ["12", "28"], "status": "published", "_q": "R+U",
             "_sort": "-value,broad_sector", "_fields": "value,broad_sector,municipality",
             "_limit": 3, "_offset": 1}
    body = http.get(url(PRODUCT_MAP, resource, "json", **query)).get_json()
    assert body["total"] == len(expected)
    assert [f["name"] for f in body["fields"]] == ["value", "broad_sector", "municipality"]
    assert [tuple(r.values()) for r in body["rows"]] == [
        (int(r.value), r.broad_sector, r.municipality) for r in expected.iloc[1:4].itertuples()]

    answer = http.get(url(PRODUCT_MAP, resource, "csv", **query))
    assert answer.get_data(as_text=True) == csv_text(
        expected[["value", "broad_sector", "municipality"]].iloc[1:4])


def test_microdata_filters_and_text_sort_match_pandas(http: FlaskClient) -> None:
    frame = published(PRODUCT_MAP, "businesses")
    keep = frame["nace"].isin(["47", "10"]) & (frame["compliance_level"] == "informal")
    expected = frame[keep].sort_values(["turnover_band", "business_key"],
                                       ascending=[True, False], kind="stable")
    columns = ["business_key", "nace", "turnover_band"]
    query = {"nace": ["47", "10"], "compliance_level": "informal",
             "_sort": "turnover_band,-business_key", "_fields": ",".join(columns),
             "_limit": 7, "_offset": 2}
    answer = http.get(url(PRODUCT_MAP, "businesses", "csv", **query))
    assert answer.headers["X-Total-Count"] == str(len(expected)) and len(expected) > 9
    assert answer.get_data(as_text=True) == csv_text(expected[columns].iloc[2:9])


@pytest.mark.parametrize(("package", "resource", "column", "kind"), [
    (PRODUCT_MAP, "businesses_by_sector_municipality", "value", "integer"),
    (PRODUCT_MAP, "turnover_by_sector_municipality", "value", "number"),
    (PROGRAMME, "indicators", "ascending", "boolean"),
    (PROGRAMME, "indicators", "period_start", "date"),
])
def test_typed_filters_match_pandas(http: FlaskClient, package: str, resource: str,
                                    column: str, kind: str) -> None:
    frame = published(package, resource)
    cells = [c for c in frame[column].unique() if c not in MISSING][:2]
    wanted = [typed(c, kind) for c in cells]
    asked = [str(w).lower() if kind == "boolean" else str(w) for w in wanted]
    body = http.get(url(package, resource, "json", _limit=1000, **{column: asked})).get_json()
    expected = frame[frame[column].map(lambda c: c not in MISSING and typed(c, kind) in wanted)]
    assert 0 < body["total"] == len(expected)
    assert [r[column] for r in body["rows"]] == [typed(c, kind) for c in expected[column]]


def test_following_next_links_visits_every_row_once(http: FlaskClient) -> None:
    frame = published(PRODUCT_MAP, "businesses")
    seen: list[str] = []
    address: str | None = url(PRODUCT_MAP, "businesses", "json", _limit=37,
                              _fields="business_key")
    previous = None
    while address is not None:
        answer = http.get(address)
        body = answer.get_json()
        assert body["total"] == len(frame) and body["limit"] == 37
        assert body["links"]["prev"] == previous
        if body["links"]["next"]:
            assert f'<{body["links"]["next"]}>; rel="next"' in answer.headers["Link"]
        seen += [r["business_key"] for r in body["rows"]]
        previous, address = body["links"]["self"], body["links"]["next"]
    assert seen == frame["business_key"].tolist()

    # CSV pages, followed through the Link header, add up to the published file.
    pages, address = [], url(PRODUCT_MAP, "businesses", "csv", _limit=150)
    while address is not None:
        answer = http.get(address)
        pages.append(answer.get_data(as_text=True))
        links = {part.split(";")[1].strip(): part.split(";")[0].strip(" <>")
                 for part in answer.headers.get("Link", "").split(",") if part}
        address = links.get('rel="next"')
    header, *_ = pages[0].split("\n", 1)
    assert len(pages) == 3
    assert header + "\n" + "".join(p.split("\n", 1)[1] for p in pages) == (
        RELEASE / PRODUCT_MAP / "data" / "businesses.csv").read_text(encoding="utf-8")


def test_query_strings_of_the_links_keep_the_request_order(http: FlaskClient) -> None:
    body = http.get(url(PRODUCT_MAP, "businesses", "json", nace="47", _limit=2,
                        _offset=4)).get_json()
    assert parse_qsl(urlsplit(body["links"]["next"]).query) == [
        ("nace", "47"), ("_limit", "2"), ("_offset", "6")]
    assert parse_qsl(urlsplit(body["links"]["prev"]).query) == [
        ("nace", "47"), ("_limit", "2"), ("_offset", "2")]
    first = http.get(body["links"]["prev"].replace("_offset=2", "_offset=1")).get_json()
    assert "_offset" not in first["links"]["prev"]


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "parameter"), [
    ("colour=red", "colour"),
    ("lang=sq", "lang"),
    ("_limit=ten", "_limit"),
    ("_limit=-1", "_limit"),
    (f"_limit={MAX_LIMIT + 1}", "_limit"),
    ("_offset=-1", "_offset"),
    ("_offset=1.5", "_offset"),
    ("_limit=1&_limit=2", "_limit"),
    ("_sort=nope", "_sort"),
    ("_sort=value;drop", "_sort"),
    ("_fields=value,nope", "_fields"),
    ("_fields=", "_fields"),
    ("_sort=value,,broad_sector", "_sort"),
    ("value=abc", "value"),
    ("value=1.5", "value"),
    ("value=99999999999999999999", "value"),
    ("municipality=99", "municipality"),
    ("municipality=12&broad_sector=farming", "broad_sector"),
    ("status=a%00b", "status"),
    ("_q=a%00b", "_q"),
])
def test_unknown_parameters_and_bad_values_are_refused_by_name(
        http: FlaskClient, query: str, parameter: str) -> None:
    for extension in ("json", "csv"):
        answer = http.get(f"/api/v1/{PRODUCT_MAP}/businesses_by_sector_municipality."
                          f"{extension}?{query}")
        assert answer.status_code == 400, answer.data
        assert answer.mimetype == "application/json"
        error = answer.get_json()["error"]
        assert error["status"] == 400 and error["parameter"] == parameter
        assert parameter in error["message"]


@pytest.mark.parametrize("address", [
    "/api/v1/packages?x=1", f"/api/v1/packages/{PRODUCT_MAP}?x=1",
    f"/api/v1/{PROGRAMME}/indicators.xml?_limit=5",
])
def test_addresses_without_parameters_refuse_any(http: FlaskClient, address: str) -> None:
    answer = http.get(address)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["parameter"] in ("x", "_limit")


@pytest.mark.parametrize("address", [
    "/api/v1/..%2F..%2Fetc/passwd.json",
    "/api/v1/../../etc/passwd.json",
    f"/api/v1/{PRODUCT_MAP}/..%2F..%2F..%2F..%2Fetc%2Fpasswd.json",
    f"/api/v1/{PRODUCT_MAP}/..%2Fdatapackage.json",
    f"/api/v1/{PRODUCT_MAP}/%2e%2e%2f%2e%2e%2fREADME.md",
    f"/api/v1/{PRODUCT_MAP}/datapackage.json",
    f"/api/v1/{PROGRAMME}/disclosure-risk.json",
    f"/api/v1/{PROGRAMME}/indicators-iati.xml",
    f"/api/v1/{PRODUCT_MAP}/data/businesses.csv",
    f"/api/v1/{PRODUCT_MAP}/businesses",
    f"/api/v1/{PRODUCT_MAP}/businesses.xlsx",
    f"/api/v1/{PRODUCT_MAP}/businesses.xml",
    f"/api/v1/{PRODUCT_MAP}/.businesses.json",
    f"/api/v1/{PRODUCT_MAP}/nope.json",
    f"/api/v1/{DESCRIPTORS[PRODUCT_MAP]['id']}/businesses.json",  # tables by name only
    f"/api/v1/{PROGRAMME}/businesses.json",  # a table of the other package
    "/api/v1/nope/businesses.json",
    "/api/v1/packages/nope",
    "/api/v1/packages/..%2F1.0.0",
    f"/api/v1/packages/{PRODUCT_MAP}/resources",
    "/api/v1/packages/",
    "/api/v1/",
    "/api/v1",
    "/api/v1/latest/north-kosovo-product-map/data/businesses.csv",
])
def test_anything_else_under_the_api_is_a_json_404(http: FlaskClient, address: str) -> None:
    answer = http.get(address)
    assert answer.status_code == 404, address
    assert answer.mimetype == "application/json"
    assert answer.get_json()["error"]["status"] == 404
    assert b"root:" not in answer.data and b"business_key" not in answer.data


def test_other_methods_are_a_json_405(http: FlaskClient) -> None:
    for address in ("/api/v1/packages", url(PRODUCT_MAP, "businesses", "json")):
        answer = http.post(address, data=b"{}")
        assert answer.status_code == 405
        assert answer.get_json()["error"]["status"] == 405
        assert "GET" in answer.headers["Allow"]


def test_malformed_and_oversized_requests_never_fail_the_server(http: FlaskClient) -> None:
    base = f"/api/v1/{PRODUCT_MAP}/businesses.json"
    # Broken percent-encoding decodes leniently: an ordinary value that matches nothing.
    answer = http.get(f"{base}?founded=%ff%zz%&business_key=%E2%82")
    assert answer.status_code == 200 and answer.get_json()["total"] == 0
    assert http.get(f"{base}?%ff=1").status_code == 400
    answer = http.get(f"{base}?_q={'a' * 9000}")
    assert answer.status_code == 414 and answer.get_json()["error"]["status"] == 414
    many = "&".join(["nace=47"] * 101)
    assert http.get(f"{base}?{many}").status_code == 400
    assert http.get(f"{base}?_q={'+'.join(f'w{i}' for i in range(21))}").status_code == 400
    answer = http.get(base, data=b"x" * (70 * 1024))
    assert answer.status_code == 413 and answer.get_json()["error"]["status"] == 413


# --- Caching ----------------------------------------------------------------------------------


def test_answers_carry_validators_and_answer_304(http: FlaskClient) -> None:
    created = datetime.datetime.fromisoformat(
        max(d["created"] for d in DESCRIPTORS.values()).replace("Z", "+00:00"))
    for address in ("/api/v1/packages", f"/api/v1/packages/{PRODUCT_MAP}",
                    url(PRODUCT_MAP, "businesses", "json", nace="47"),
                    url(PRODUCT_MAP, "businesses", "csv"),
                    f"/api/v1/{PROGRAMME}/indicators.xml", "/api/openapi.json", "/api/docs"):
        answer = http.get(address)
        assert answer.status_code == 200, address
        etag = answer.headers["ETag"]
        assert answer.last_modified == created
        assert "max-age=" in answer.headers["Cache-Control"]
        again = http.get(address, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert http.get(address, headers={
            "If-Modified-Since": answer.headers["Last-Modified"]}).status_code == 304
        assert http.get(address, headers={"If-None-Match": '"other"'}).status_code == 200

    # Compressed answers have their own validator, which revalidates too.
    address = url(PRODUCT_MAP, "businesses", "json")
    compressed = http.get(address, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert http.get(address, headers={"Accept-Encoding": "gzip",
                                      "If-None-Match": compressed.headers["ETag"]}
                    ).status_code == 304
    # Each query is its own answer.
    assert (http.get(url(PRODUCT_MAP, "businesses", "json", nace="47")).headers["ETag"]
            != http.get(url(PRODUCT_MAP, "businesses", "json", nace="10")).headers["ETag"])


def test_a_bad_request_is_refused_even_when_the_client_has_a_copy(http: FlaskClient) -> None:
    answer = http.get(url(PRODUCT_MAP, "businesses", "json", nace="99"), headers={
        "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert answer.status_code == 400


# --- Packages and IATI -------------------------------------------------------------------------


def test_packages_list_every_published_package_and_table(http: FlaskClient) -> None:
    body = http.get("/api/v1/packages").get_json()
    assert body["release"] == DESCRIPTORS[PRODUCT_MAP]["version"]
    assert [p["name"] for p in body["packages"]] == list(DESCRIPTORS)
    for package in body["packages"]:
        descriptor = DESCRIPTORS[package["name"]]
        assert (package["id"], package["title"], package["version"]) == (
            descriptor["id"], descriptor["title"], descriptor["version"])
        assert [r["name"] for r in package["resources"]] == [
            r["name"] for r in descriptor["resources"]]
        for resource in package["resources"]:
            assert resource["rows"] == len(published(package["name"], resource["name"]))
            assert http.get(resource["links"]["csv"] + "?_limit=1").status_code == 200
        assert http.get(package["links"]["descriptor"]).get_json() == descriptor

    detail = http.get(f"/api/v1/packages/{PRODUCT_MAP}").get_json()
    assert detail["package"] == DESCRIPTORS[PRODUCT_MAP]
    by_id = http.get(f"/api/v1/packages/{DESCRIPTORS[PRODUCT_MAP]['id']}").get_json()
    assert by_id["package"] == DESCRIPTORS[PRODUCT_MAP]


def test_indicators_are_served_as_the_published_iati_xml(http: FlaskClient) -> None:
    answer = http.get(f"/api/v1/{PROGRAMME}/indicators.xml")
    assert answer.status_code == 200
    assert answer.mimetype == "application/xml"
    assert answer.data == (RELEASE / PROGRAMME / "indicators-iati.xml").read_bytes()
    listed = http.get("/api/v1/packages").get_json()["packages"]
    links = {r["name"]: r["links"] for p in listed for r in p["resources"]}
    assert links["indicators"]["xml"] == f"/api/v1/{PROGRAMME}/indicators.xml"
    assert "xml" not in links["businesses"]


# --- Nothing published -------------------------------------------------------------------------


def test_before_anything_is_published_the_api_says_so(client: FlaskClient) -> None:
    assert client.get("/api/v1/packages").get_json()["packages"] == []
    assert client.get(url(PRODUCT_MAP, "businesses", "json")).status_code == 404
    document = client.get("/api/openapi.json").get_json()
    validate(document)
    assert set(document["paths"]) == {"/api/v1/packages", "/api/v1/packages/{package}"}
    assert client.get("/api/docs").status_code == 200


# --- The docs page -----------------------------------------------------------------------------


class Page(html.parser.HTMLParser):
    """What the tests look at in a page: headings, links, resources loaded, text."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.links: list[str] = []
        self.loads: list[str] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "link" and found.get("href"):
            self.loads.append(found["href"] or "")
        if tag in ("script", "img", "iframe"):
            self.scripts += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_docs_page_lists_every_path_of_the_document(
        http: FlaskClient, document: dict[str, Any]) -> None:
    answer = http.get("/api/docs")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    page = Page()
    page.feed(answer.get_data(as_text=True))
    text = " ".join(page.text)
    assert page.lang == "en"
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    for path in document["paths"]:
        assert f"GET {path}" in text, path
    # Everything it loads comes from this server; nothing runs.
    assert page.loads and all(urlsplit(href).netloc == "" for href in page.loads)
    assert "/vendor/bootstrap/css/bootstrap.min.css" in page.loads
    assert page.scripts == 0
    for address in ("/api/openapi.json", "/api/3/action/package_list", "/catalog.ttl",
                    "/catalog.jsonld", "/catalog.rdf"):
        assert address in page.links
    # Every example works.
    examples = [href for href in page.links if href.startswith("/api/v1/")]
    assert len(examples) == len(document["paths"])
    for href in examples:
        assert http.get(href).status_code == 200, href
    assert http.get(page.loads[-1]).status_code == 200


@pytest.mark.browser
def test_the_docs_page_in_a_browser(dash_duo: DashComposite, demo_app: dash.Dash) -> None:
    """No console errors, and no WCAG 2.1 A/AA violation found by axe-core."""
    from tests.test_accessibility import AXE_TAGS, RUN_AXE, axe_source, describe

    dash_duo.start_server(demo_app)
    driver = dash_duo.driver
    driver.get(dash_duo.server_url.rstrip("/") + "/api/docs")
    until(lambda: driver.find_element("css selector", "h1").text == "REST API", timeout=10)
    # Bootstrap's styles are applied (served by the portal itself).
    assert driver.execute_script(
        "return getComputedStyle(document.body).fontFamily").startswith("system-ui")
    driver.execute_script(axe_source())
    result = driver.execute_async_script(RUN_AXE, AXE_TAGS)
    assert "error" not in result, result.get("error")
    assert not result["violations"], describe(result["violations"])
    assert dash_duo.get_logs() == []


# --- Schemathesis ------------------------------------------------------------------------------

#: Every check that holds for this API: no server error, status codes, media types, bodies
#: and headers as documented, and requests that break the document refused.
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance",
          "negative_data_rejection")
#: Examples per operation and generation mode: about a minute on two slow cores.
EXAMPLES = 20


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        del args, kwargs


@pytest.fixture(scope="module")
def live_url(api: dash.Dash) -> Iterator[str]:
    """The app served over real HTTP (compression, percent-decoding and all)."""
    server = make_server("127.0.0.1", 0, api.server, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def fuzz(operation: Any, mode: GenerationMode, checks: list[Any]) -> tuple[int, str | None]:
    """Run ``operation``'s generated cases; how many ran, and what failed (None: nothing)."""
    counted = 0

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        nonlocal counted
        counted += 1
        case.call_and_validate(checks=checks)

    try:
        run()
    except Unsatisfiable:
        pass  # no parameters: nothing can break the document (no negative case)
    except (AssertionError, BaseExceptionGroup) as error:
        return counted, f"{operation.label} ({mode}):\n{error}"
    return counted, None


def test_schemathesis_finds_no_server_error_and_no_departure_from_the_document(
        live_url: str, document: dict[str, Any]) -> None:
    config = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
        # A query longer than the limit (too many values of a filter) is refused with 414.
        "expected-statuses": [400, 404, 414]}}})
    schema = schemathesis.openapi.from_url(f"{live_url}/api/openapi.json", config=config)
    checks = [getattr(schemathesis.checks, name) for name in CHECKS]
    started, operations, cases, failures = time.monotonic(), 0, 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            counted, failure = fuzz(operation, mode, checks)
            cases += counted
            if failure is not None:
                failures.append(failure)
    elapsed = time.monotonic() - started
    print(f"schemathesis: {operations} operations, {cases} cases, {len(failures)} failures, "
          f"{elapsed:.0f} s")
    assert operations == len(document["paths"])
    assert cases > operations * EXAMPLES
    assert not failures, "\n\n".join(failures)
