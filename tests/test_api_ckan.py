"""The CKAN-compatible action API, checked with the real ``ckanapi`` client over HTTP and
against the published files read independently (JSON descriptors, pandas on the CSVs)."""

from __future__ import annotations

import datetime
import json
import math
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import dash
import pandas as pd
import pytest
import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import CKANAPIError, NotFound, SearchQueryError, ValidationError
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from portal.api.ckan import ACTIONS
from portal.app import create_app
from tests.conftest import DEMO_PACKAGES, portal_config

LATEST = DEMO_PACKAGES / "latest"
DESCRIPTORS = {p.parent.name: json.loads(p.read_text(encoding="utf-8"))
               for p in sorted(LATEST.glob("*/datapackage.json"))}
ACTION = "/api/3/action/"


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> dash.Dash:
    """One demo portal for the module (read only), so the HTTP server starts once."""
    return create_app(DEMO_PACKAGES, portal_config(tmp_path_factory.mktemp("ckan")))


@pytest.fixture(scope="module")
def server_url(shared_app: dash.Dash) -> Iterator[str]:
    """The portal served over real HTTP on a free port (ckanapi's RemoteCKAN needs one)."""
    server = make_server("127.0.0.1", 0, shared_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(params=["post", "get"])
def ckan(request: pytest.FixtureRequest, server_url: str) -> Iterator[RemoteCKAN]:
    """ckanapi as users run it: POSTing JSON (its default) or GET only."""
    with RemoteCKAN(server_url, get_only=request.param == "get") as remote:
        yield remote


@pytest.fixture
def api(shared_app: dash.Dash) -> FlaskClient:
    return shared_app.server.test_client()


def _structured(ckan: RemoteCKAN, value: Any) -> Any:
    """GET sends arguments as text, so structures go JSON-encoded (CKAN's convention)."""
    return json.dumps(value) if ckan.get_only else value


def _error(response: Any, status: int, kind: str) -> dict[str, Any]:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["success"] is False and "result" not in body
    assert body["error"]["__type"] == kind
    assert body["help"].endswith("/api/3/action/help_show?name=" + body["help"].split("=")[-1])
    return body["error"]


def _published(resource: str) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """A table as published: the CSV read as text, with CKAN's ``_id`` (row number + 1)."""
    for package, descriptor in DESCRIPTORS.items():
        for spec in descriptor["resources"]:
            if spec["name"] == resource:
                frame = pd.read_csv(LATEST / package / spec["path"], dtype=str,
                                    keep_default_na=False, encoding="utf-8")
                frame.insert(0, "_id", range(1, len(frame) + 1))
                return frame, spec["schema"]["fields"]
    raise KeyError(resource)


def _typed(text: str, kind: str) -> Any:
    if kind in ("integer", "number", "boolean") and text in ("", "[c]"):
        return None
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return text.lower() == "true"
    return text


def _records(frame: pd.DataFrame, fields: list[dict[str, Any]], names: list[str], *,
             with_id: bool = True) -> list[dict[str, Any]]:
    kinds = {f["name"]: f.get("type", "string") for f in fields}
    return [{**({"_id": int(row["_id"])} if with_id else {}),
             **{n: _typed(row[n], kinds[n]) for n in names}} for _, row in frame.iterrows()]


# --- The ckanapi client, end to end -------------------------------------------------------

def test_package_list_is_the_published_packages(ckan: RemoteCKAN) -> None:
    assert ckan.action.package_list() == sorted(DESCRIPTORS)
    assert ckan.action.package_list(limit=1, offset=1) == sorted(DESCRIPTORS)[1:2]


def test_package_show_matches_the_descriptor(ckan: RemoteCKAN) -> None:
    for name, descriptor in DESCRIPTORS.items():
        shown = ckan.action.package_show(id=name)
        assert shown == ckan.action.package_show(id=descriptor["id"])  # by id too
        assert (shown["id"], shown["name"], shown["version"]) == (
            descriptor["id"], name, descriptor["version"])
        assert shown["title"] == descriptor["x-title"]["en"]
        assert shown["notes"] == descriptor["description"]
        assert shown["title_translated"] == descriptor["x-title"]
        assert shown["license_id"] == descriptor["licenses"][0]["name"]
        assert shown["license_url"] == descriptor["licenses"][0]["path"]
        assert [t["name"] for t in shown["tags"]] == descriptor["keywords"]
        assert shown["num_tags"] == len(descriptor["keywords"])
        publisher = next(c for c in descriptor["contributors"] if "publisher" in c["roles"])
        assert shown["organization"]["title"] == publisher["title"]
        assert shown["owner_org"] == shown["organization"]["id"]
        tables = [r for r in shown["resources"] if r["datastore_active"]]
        assert [r["id"] for r in tables] == [r["name"] for r in descriptor["resources"]]
        assert [r["position"] for r in shown["resources"]] == list(range(len(shown["resources"])))
        assert shown["num_resources"] == len(shown["resources"])
        extras = {e["key"]: e["value"] for e in shown["extras"]}
        assert extras["temporal_start"] == descriptor["x-temporal"]["start"]
        assert json.loads(extras["spatial"])["type"] == "Polygon"
        assert (shown["state"], shown["type"], shown["private"]) == ("active", "dataset", False)


def test_resource_urls_download_the_published_bytes(ckan: RemoteCKAN) -> None:
    package = ckan.action.package_show(id="north-kosovo-programme-metrics")
    by_id = {r["id"]: r for r in package["resources"]}
    spec = next(r for r in DESCRIPTORS[package["name"]]["resources"] if r["name"] == "indicators")
    chosen = [("indicators", LATEST / package["name"] / spec["path"]),
              (f"{package['name']}/{package['name']}.zip", LATEST / f"{package['name']}.zip"),
              (f"{package['name']}/datapackage.json",
               LATEST / package["name"] / "datapackage.json")]
    for resource_id, path in chosen:
        shown = ckan.action.resource_show(id=resource_id)
        assert shown == by_id[resource_id]
        download = requests.get(shown["url"], timeout=30)
        assert download.status_code == 200
        assert download.content == path.read_bytes()
        assert shown["size"] == path.stat().st_size
    table = by_id["indicators"]
    assert (table["format"], table["mimetype"], table["hash"]) == ("CSV", "text/csv",
                                                                  spec["hash"])
    assert {d["format"] for d in table["downloads"]} >= {"CSV", "JSON", "XLSX"}
    assert ckan.action.resource_show(id=f"{package['name']}/indicators") == table


def test_datastore_search_equals_pandas_on_the_published_csv(ckan: RemoteCKAN) -> None:
    filters = {"compliance_level": ["informal", "partly_formal"], "haccp": "no"}
    names = ["nace", "turnover_band", "compliance_level", "haccp", "growth_potential"]
    result = ckan.action.datastore_search(
        resource_id="businesses", filters=_structured(ckan, filters), q="Yes",
        fields=names, sort="turnover_band desc, nace", limit=7, offset=5)

    frame, fields = _published("businesses")
    texts = [f["name"] for f in fields if f.get("type", "string") == "string"]
    chosen = frame[frame["compliance_level"].isin(filters["compliance_level"])
                   & (frame["haccp"] == "no")]
    chosen = chosen[chosen[texts].apply(lambda c: c.str.lower().str.contains("yes")).any(axis=1)]
    chosen = chosen.sort_values(["turnover_band", "nace", "_id"], ascending=[False, True, True],
                                kind="mergesort")
    assert result["total"] == len(chosen) > 12
    assert result["records"] == _records(chosen.iloc[5:12], fields, names, with_id=False)
    assert [f["id"] for f in result["fields"]] == names  # no _id unless asked for
    assert (result["limit"], result["offset"]) == (7, 5)


def test_datastore_values_are_typed_and_suppressed_numbers_null(ckan: RemoteCKAN) -> None:
    result = ckan.action.datastore_search(resource_id="businesses_by_sector_municipality",
                                          limit=1000)
    frame, fields = _published("businesses_by_sector_municipality")
    assert result["records"] == _records(frame, fields, [f["name"] for f in fields])
    assert any(r["value"] is None and r["status"] == "suppressed" for r in result["records"])
    assert {type(r["value"]) for r in result["records"]} == {int, type(None)}  # not 5.0
    types = {f["id"]: f["type"] for f in result["fields"]}
    assert types == {"_id": "int", "broad_sector": "text", "municipality": "text",
                     "value": "int", "status": "text", "rule": "text"}

    indicators = ckan.action.datastore_search(resource_id="indicators", limit=1000)
    frame, fields = _published("indicators")
    assert indicators["records"] == _records(frame, fields, [f["name"] for f in fields])
    assert {f["id"]: f["type"] for f in indicators["fields"]}["ascending"] == "bool"
    for column, kind in (("baseline_year", int), ("target", float), ("ascending", bool)):
        assert {type(r[column]) for r in indicators["records"]} - {type(None)} == {kind}


def test_datastore_sort_by_number_and_only_id(ckan: RemoteCKAN) -> None:
    filters = {"status": "published", "municipality": ["12", "38"]}
    result = ckan.action.datastore_search(
        id="businesses_by_sector_municipality", filters=_structured(ckan, filters),
        sort="value desc", fields="_id,value")
    frame, fields = _published("businesses_by_sector_municipality")
    frame = frame[(frame["status"] == "published") & frame["municipality"].isin(["12", "38"])]
    frame = frame.assign(number=frame["value"].astype(int)).sort_values(
        ["number", "_id"], ascending=[False, True], kind="mergesort")
    assert result["records"] == _records(frame, fields, ["value"])
    only_ids = ckan.action.datastore_search(resource_id="businesses", fields=["_id"], limit=3)
    assert only_ids["records"] == [{"_id": 1}, {"_id": 2}, {"_id": 3}]
    assert only_ids["fields"] == [{"id": "_id", "type": "int"}]


def test_links_next_pages_through_all_rows_once(server_url: str) -> None:
    address = (f"{server_url}{ACTION}datastore_search?resource_id=businesses&limit=37"
               '&filters={"compliance_level":"partly_formal"}&sort=nace desc')
    seen: list[int] = []
    pages = 0
    while True:
        body = requests.get(address, timeout=30).json()
        assert body["success"], body
        if not body["result"]["records"]:
            break
        seen += [r["_id"] for r in body["result"]["records"]]
        address = urljoin(server_url, body["result"]["_links"]["next"])
        pages += 1
        assert pages < 50
    frame, _fields = _published("businesses")
    expected = frame[frame["compliance_level"] == "partly_formal"].sort_values(
        ["nace", "_id"], ascending=[False, True], kind="mergesort")["_id"].tolist()
    assert seen == expected
    assert len(set(seen)) == body["result"]["total"] == len(expected) > 37
    assert pages == math.ceil(len(expected) / 37)  # every page full but the last
    start = requests.get(urljoin(server_url, body["result"]["_links"]["start"]), timeout=30)
    assert [r["_id"] for r in start.json()["result"]["records"]] == expected[:37]


def test_include_total_and_records_format(api: FlaskClient) -> None:
    body = api.get(f"{ACTION}datastore_search?resource_id=indicators&include_total=false"
                   "&records_format=objects&limit=2").get_json()
    assert body["success"] and "total" not in body["result"] and len(body["result"]["records"]) == 2
    assert "include_total=false" in body["result"]["_links"]["next"]
    error = _error(api.get(f"{ACTION}datastore_search?resource_id=indicators"
                           "&records_format=csv"), 400, "Validation Error")
    assert "records_format" in error


def test_package_search(ckan: RemoteCKAN) -> None:
    everything = ckan.action.package_search()
    assert everything["count"] == len(DESCRIPTORS)
    assert everything["sort"] == "score desc, metadata_modified desc"
    assert {p["name"] for p in everything["results"]} == set(DESCRIPTORS)

    metrics = "north-kosovo-programme-metrics"
    assert [p["name"] for p in ckan.action.package_search(q="IATI")["results"]] == [metrics]
    assert ckan.action.package_search(q="iati")["count"] == 1  # any case
    assert ckan.action.package_search(q="tags:IATI")["results"][0]["name"] == metrics
    assert ckan.action.package_search(q="IATI survey")["count"] == 0  # every word required
    assert ckan.action.package_search(fq="tags:IATI")["count"] == 1
    assert ckan.action.package_search(fq="-tags:IATI")["results"][0]["name"] != metrics
    assert ckan.action.package_search(fq="res_format:CSV +organization:ngo-aktiv")["count"] == 2
    assert ckan.action.package_search(fq="res_format:PDF")["count"] == 0
    assert ckan.action.package_search(fq="res_name:indicators")["count"] == 1
    both = ckan.action.package_search(q="kosovo", sort="name desc", rows=1, start=1)
    assert both["count"] == 2 and [p["name"] for p in both["results"]] == sorted(DESCRIPTORS)[:1]
    assert both["results"][0] == ckan.action.package_show(id=sorted(DESCRIPTORS)[0])

    # What ckanext-harvest's CKAN harvester asks: its organizations, changes since a date.
    created = min(datetime.date.fromisoformat(d["created"][:10]) for d in DESCRIPTORS.values())
    since = (created - datetime.timedelta(days=6)).isoformat()
    after = (created + datetime.timedelta(days=1)).isoformat()
    harvest = {"fq": "organization:ngo-aktiv OR organization:elsewhere "
                     f"metadata_modified:[{since}T00:00:00Z TO *]",
               "sort": "id asc", "rows": 100, "start": 0}
    harvested = ckan.action.package_search(**harvest)["results"]
    assert [p["id"] for p in harvested] == sorted(d["id"] for d in DESCRIPTORS.values())
    later = {**harvest, "fq": f"metadata_modified:[{after}T00:00:00Z TO NOW]"}
    assert ckan.action.package_search(**later)["count"] == 0
    assert ckan.action.package_search(fq="tags:IATI OR tags:SME")["count"] == 2
    assert ckan.action.package_search(fq="NOT tags:IATI")["count"] == 1

    faceted = ckan.action.package_search(
        **{"facet.field": _structured(ckan, ["tags", "organization", "res_format"])})
    tags = Counter(t for d in DESCRIPTORS.values() for t in d["keywords"])
    assert faceted["facets"]["tags"] == dict(tags)
    assert faceted["facets"]["organization"] == {"ngo-aktiv": 2}
    items = faceted["search_facets"]["organization"]["items"]
    assert items == [{"name": "ngo-aktiv", "display_name": "NGO AKTIV", "count": 2}]
    limited = ckan.action.package_search(
        **{"facet.field": _structured(ckan, ["tags"]), "facet.limit": 2})
    assert list(limited["facets"]["tags"]) == [t for t, _ in sorted(
        tags.items(), key=lambda item: (-item[1], item[0]))][:2]


def test_organization_status_and_help(ckan: RemoteCKAN) -> None:
    assert ckan.action.organization_list() == ["ngo-aktiv"]
    (organization,) = ckan.action.organization_list(all_fields=True, include_dataset_count=True)
    assert (organization["title"], organization["package_count"]) == ("NGO AKTIV", 2)
    status = ckan.action.status_show()
    assert status["ckan_version"].startswith("2.")
    assert status["site_title"] == "North of Kosovo Product Map"
    assert ":param resource_id:" in ckan.action.help_show(name="datastore_search")


# --- Refusals -----------------------------------------------------------------------------

ERRORS = [
    # action, parameters, HTTP status, CKAN __type, ckanapi exception, field named
    ("package_purge", {"id": "x"}, 400, "Bad Request", CKANAPIError, None),
    ("package_show", {"id": "north-kosovo-product-map", "bogus": "1"}, 400,
     "Validation Error", ValidationError, "__junk"),
    ("package_show", {}, 400, "Validation Error", ValidationError, "id"),
    ("package_show", {"id": "no-such-package"}, 404, "Not Found Error", NotFound, None),
    ("resource_show", {"id": "no_such_table"}, 404, "Not Found Error", NotFound, None),
    ("datastore_search", {"resource_id": "no_such_table"}, 404, "Not Found Error", NotFound,
     None),
    ("datastore_search", {"resource_id": "businesses", "filters": {"no_column": "x"}}, 400,
     "Validation Error", ValidationError, "filters"),
    ("datastore_search", {"resource_id": "businesses", "limit": "ten"}, 400,
     "Validation Error", ValidationError, "limit"),
    ("datastore_search", {"resource_id": "businesses", "offset": -1}, 400,
     "Validation Error", ValidationError, "offset"),
    ("datastore_search", {"resource_id": "businesses", "limit": 10**9}, 400,
     "Validation Error", ValidationError, "limit"),
    ("datastore_search", {"resource_id": "businesses", "sort": "no_column desc"}, 400,
     "Validation Error", ValidationError, "sort"),
    ("datastore_search", {"resource_id": "businesses", "fields": ["nace", "nope"]}, 400,
     "Validation Error", ValidationError, "fields"),
    ("package_search", {"rows": 5000}, 400, "Validation Error", ValidationError, "rows"),
    ("package_search", {"sort": "popularity desc"}, 400, "Validation Error", ValidationError,
     "sort"),
    ("package_search", {"fq": "secret_field:x"}, 400, "Search Query Error", SearchQueryError,
     None),
    ("package_search", {"q": 'tags:"open data'}, 400, "Search Query Error", SearchQueryError,
     None),
    ("package_search", {"fq": "metadata_modified:[yesterday TO *]"}, 400,
     "Search Query Error", SearchQueryError, None),
    ("package_search", {"fq": "tags:IATI OR"}, 400, "Search Query Error", SearchQueryError,
     None),
]


@pytest.mark.parametrize(("name", "params", "status", "kind", "exception", "field"), ERRORS)
def test_refusals_over_http_and_in_ckanapi(
        api: FlaskClient, server_url: str, name: str, params: dict[str, Any], status: int,
        kind: str, exception: type[Exception], field: str | None) -> None:
    error = _error(api.post(ACTION + name, json=params), status, kind)
    assert error["message"]
    if field:
        assert error[field]
        assert field in error["message"] or field == "__junk"
    for get_only in (False, True):
        sent = {k: json.dumps(v) if get_only and isinstance(v, dict) else v
                for k, v in params.items()}
        with RemoteCKAN(server_url, get_only=get_only) as remote, \
                pytest.raises(exception) as raised:
            remote.call_action(name, sent)
        for narrower in (ValidationError, NotFound, SearchQueryError):
            if narrower is not exception:
                assert not isinstance(raised.value, narrower)
        if field:
            assert field in raised.value.error_dict  # type: ignore[attr-defined]


def test_bad_requests(api: FlaskClient) -> None:
    error = _error(api.post(ACTION + "package_list", data="{not json",
                            content_type="application/json"), 400, "Bad Request")
    assert "JSON" in error["message"]
    _error(api.post(ACTION + "package_list", data="[1, 2]", content_type="application/json"),
           400, "Bad Request")
    error = _error(api.get(ACTION + "package_delete?id=x"), 400, "Bad Request")
    assert error["message"] == "Bad request - Action name not known: package_delete"
    for bare in ("/api/3/action", "/api/action/", "/api/3/action/a/b"):
        _error(api.get(bare), 400, "Bad Request")
    _error(api.post(ACTION + "package_list", data="x" * 70_000), 413, "Bad Request")


def test_unknown_parameters_are_named(api: FlaskClient) -> None:
    error = _error(api.get(ACTION + "datastore_search?resource_id=businesses&lmit=5&callback=f"),
                   400, "Validation Error")
    assert "'callback'" in error["message"] and "'lmit'" in error["message"]
    assert "limit" in error["message"]  # what it accepts


# --- HTTP: aliases, validators, caching -------------------------------------------------

def test_both_addresses_and_both_methods_agree(api: FlaskClient) -> None:
    query = {"resource_id": "indicators", "fields": "indicator_id,actual", "limit": "3"}
    answers = [api.get("/api/3/action/datastore_search", query_string=query),
               api.get("/api/action/datastore_search", query_string=query),
               api.post("/api/3/action/datastore_search", json=query),
               api.post("/api/action/datastore_search", data=query)]
    results = [a.get_json()["result"] for a in answers]
    assert all(a.status_code == 200 for a in answers)
    assert all(r["records"] == results[0]["records"] for r in results)
    assert answers[0].headers["Access-Control-Allow-Origin"] == "*"


def test_etag_last_modified_and_304(api: FlaskClient) -> None:
    address = ACTION + "package_show?id=north-kosovo-product-map"
    first = api.get(address)
    assert first.status_code == 200 and first.headers["ETag"] and first.last_modified
    assert first.last_modified.date().isoformat() == DESCRIPTORS[
        "north-kosovo-product-map"]["created"][:10]
    assert "max-age" in first.headers["Cache-Control"]
    again = api.get(address, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = api.get(address, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = api.get(ACTION + "package_show?id=north-kosovo-programme-metrics",
                    headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]
    posted = api.post(ACTION + "package_list", json={})
    assert api.post(ACTION + "package_list", json={}, headers={
        "If-None-Match": posted.headers["ETag"]}).status_code == 304
    refused = api.get(ACTION + "package_show?id=nothing")
    assert refused.status_code == 404 and "ETag" not in refused.headers


def test_304_through_the_compressing_server(server_url: str) -> None:
    """Over real HTTP the answer is compressed and its ETag marked so; it still revalidates."""
    address = f"{server_url}{ACTION}package_search"
    first = requests.get(address, timeout=30)
    assert first.status_code == 200 and first.headers.get("Content-Encoding")
    again = requests.get(address, headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    assert again.status_code == 304


HOSTILE = [
    "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "latest/../../../etc/passwd",
    "north-kosovo-product-map/../../../../etc/passwd", "north-kosovo-product-map/data/x.csv",
    "'; DROP TABLE portal_release; --", "\" OR 1=1 --", "businesses\x00", "\x00",
    "x" * 100_000, "[" * 5_000, "{" * 5_000, '{"a": ' * 3_000, "%s%s%n", "${jndi:ldap://x}",
    "<script>alert(1)</script>", "☃" * 1000, "",
]
TARGETS = [
    ("package_show", "id"), ("resource_show", "id"), ("datastore_search", "resource_id"),
    ("datastore_search", "q"), ("datastore_search", "filters"), ("datastore_search", "fields"),
    ("datastore_search", "sort"), ("datastore_search", "limit"), ("package_search", "q"),
    ("package_search", "fq"), ("package_search", "facet.field"), ("package_search", "sort"),
    ("package_search", "rows"), ("organization_list", "organizations"), ("help_show", "name"),
]


def test_hostile_input_never_500_never_leaks(api: FlaskClient) -> None:
    secret = Path("/etc/passwd").read_text(encoding="utf-8")[:20] if Path(
        "/etc/passwd").is_file() else "root:x:0:0"
    for name, parameter in TARGETS:
        for value in HOSTILE:
            params = {"resource_id": "businesses"} if name == "datastore_search" else {}
            params[parameter] = value
            for response in (api.get(ACTION + name, query_string=params),
                             api.post(ACTION + name, json=params)):
                assert response.status_code < 500, (name, parameter, value[:40])
                body = response.get_json()
                assert isinstance(body, dict) and isinstance(body["success"], bool)
                assert secret not in response.get_data(as_text=True)
                if parameter in ("id", "resource_id") and value:
                    assert body["success"] is False
    for name, action in ACTIONS.items():  # every parameter, every JSON type
        for parameter in action.parameters:
            for value in (5, -1.5, True, None, [], {}, ["a", 1], {"a": {"b": []}}, [[["x"]]]):
                response = api.post(ACTION + name, json={parameter: value})
                assert response.status_code < 500, (name, parameter, value)
                assert isinstance(response.get_json()["success"], bool)
    deep = "[" * 60_000  # under the body limit, deeper than Python's JSON parser goes
    _error(api.post(ACTION + "package_list", data=deep, content_type="application/json"),
           400, "Bad Request")
    nested = {"resource_id": "businesses", "filters": {"nace": [[["01"]]]}}
    _error(api.post(ACTION + "datastore_search", json=nested), 400, "Validation Error")
    for odd in ({"resource_id": ["businesses", "indicators"]}, {"resource_id": 7},
                {"resource_id": {"a": 1}}, {"resource_id": None}, {"resource_id": True}):
        response = api.post(ACTION + "datastore_search", json=odd)
        assert response.status_code in (400, 404) and not response.get_json()["success"]


# --- Nothing published --------------------------------------------------------------------

def test_empty_portal(client: FlaskClient) -> None:
    assert client.get(ACTION + "package_list").get_json()["result"] == []
    assert client.get(ACTION + "organization_list").get_json()["result"] == []
    assert client.get(ACTION + "package_search").get_json()["result"]["count"] == 0
    assert client.get(ACTION + "status_show").get_json()["success"] is True
    _error(client.get(ACTION + "package_show?id=north-kosovo-product-map"), 404,
           "Not Found Error")
    _error(client.get(ACTION + "resource_show?id=businesses"), 404, "Not Found Error")
    _error(client.get(ACTION + "datastore_search?resource_id=businesses"), 404,
           "Not Found Error")
    _error(client.get(ACTION + "package_list?limit=x"), 400, "Validation Error")
