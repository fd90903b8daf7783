"""The supplier directory pages: search against the listings, a page per listing showing
exactly what the business chose, and nothing of it anywhere open data is served."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import dash
import flask
import pytest
from flask.testing import FlaskClient

from portal.app import create_app
from portal.load.directory import Directory, Query, folded, read
from tests.conftest import DEMO_PACKAGES, portal_config
from tests.directory_helpers import FILE, listings, release_with_directory
from tests.pages_helpers import nodes, page, text


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release_with_directory(tmp_path_factory.mktemp("directory") / "datapackages")


@pytest.fixture(scope="module")
def directory_app(packages: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[dash.Dash]:
    yield create_app(packages, portal_config(tmp_path_factory.mktemp("portal")))


@pytest.fixture
def directory_client(directory_app: dash.Dash) -> FlaskClient:
    return directory_app.server.test_client()


def render(app: dash.Dash, module: str, url: str = "/directory", **params: str) -> object:
    with app.server.test_request_context(url):
        return page(module).layout(**params)


def expected(**wanted: str) -> list[str]:
    """Names of the input listings matching ``wanted``, worked out from the input itself."""
    found = []
    for x in listings():
        products = x["products"]
        if wanted.get("product") and (products is None or not any(
                all(w in folded(p["name"]) for w in folded(wanted["product"]).split())
                for p in products)):
            continue
        if wanted.get("chapter") and wanted["chapter"] not in {
                p["hs_chapter"] for p in products or []}:
            continue
        if wanted.get("certification") and wanted["certification"] not in (
                x["certifications"] or []):
            continue
        if any(wanted.get(k) and x[k] != wanted[k] for k in ("sector", "municipality")):
            continue
        if wanted.get("language") and wanted["language"] not in x["languages"]:
            continue
        found.append(x["name"])
    return sorted(found)


def result_names(app: dash.Dash, **params: str) -> list[str]:
    tree = render(app, "directory", **params)
    cards = [n for n in nodes(tree) if "portal-listing" in (getattr(n, "className", "") or "")]
    return sorted(text(n.children.children[0]) for n in cards)


# --- search -------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {}, {"product": "honey"}, {"product": "HONEY chestnut"}, {"product": "cheese"},
    {"product": "timber"}, {"chapter": "04"}, {"chapter": "30"}, {"sector": "manufacturing"},
    {"certification": "haccp"}, {"certification": "fva_registration"}, {"language": "sq"},
    {"language": "en", "chapter": "04"}, {"sector": "agriculture", "language": "sq"},
    {"product": "kajmak"},
])
def test_search_finds_what_the_input_says(directory_app: dash.Dash,
                                          params: dict[str, str]) -> None:
    assert result_names(directory_app, **params) == expected(**params)


def test_search_by_municipality_only_finds_businesses_that_show_it(
        directory_app: dash.Dash) -> None:
    shown = {x["municipality"] for x in listings() if x["municipality"]}
    for code in shown:
        assert result_names(directory_app, municipality=code) == expected(municipality=code)
    # The listing that hides its municipality is found by no municipality at all.
    hidden = [x["name"] for x in listings() if x["municipality"] is None]
    assert hidden and not any(
        name in result_names(directory_app, municipality=code)
        for code in shown for name in hidden)


def test_a_hidden_field_is_never_searched(tmp_path: Path) -> None:
    """Products, certifications and municipality that a business hides cannot be found
    through the search either (the published file has none to find)."""
    directory = read(release_with_directory(tmp_path / "p") / "latest")
    hidden_products = {x.id for x in directory.listings if x.products is None}
    hidden_certs = {x.id for x in directory.listings if x.certifications is None}
    assert hidden_products and hidden_certs

    def found(search: Query) -> set[str]:
        return {x.id for x in directory.search(search)}

    for chapter in directory.values("chapter"):
        assert not hidden_products & found(Query(chapter=chapter))
    assert not hidden_products & found(Query(product="e"))
    for code in directory.values("certification"):
        assert not hidden_certs & found(Query(certification=code))


def test_unknown_search_values_are_ignored(directory_app: dash.Dash) -> None:
    everyone = sorted(x["name"] for x in listings())
    assert result_names(directory_app, sector="no-such", chapter="99", language="xx") == everyone


def test_the_search_is_redrawn_by_its_callback(directory_app: dash.Dash) -> None:
    with directory_app.server.test_request_context("/directory"):
        tree = page("directory").redraw({"product": "cheese"})
    cards = [n for n in nodes(tree) if "portal-listing" in (getattr(n, "className", "") or "")]
    assert [text(c.children.children[0]) for c in cards] == expected(product="cheese")


# --- a listing's page ----------------------------------------------------------------------


def listing_text(app: dash.Dash, listing_id: str, lang: str = "en") -> str:
    return text(render(app, "directory_listing", f"/directory/{listing_id}?lang={lang}",
                       listing_id=listing_id))


@pytest.mark.parametrize("item", listings(), ids=lambda x: x["id"])
def test_a_listing_shows_exactly_its_consented_fields(directory_app: dash.Dash,
                                                      item: dict) -> None:
    shown = listing_text(directory_app, item["id"])
    assert item["name"] in shown
    for product in item["products"] or []:
        assert product["name"] in shown
    assert ("Products" in shown) == (item["products"] is not None)
    assert ("Certifications and registrations" in shown) == (item["certifications"] is not None)
    for code, label in (("haccp", "HACCP food safety system"), ("vat_registered", "VAT registered"),
                        ("fva_registration", "Registered with the Food and Veterinary Agency")):
        assert (label in shown) == (code in (item["certifications"] or []))
    assert ("North of Kosovo" in shown) == (item["municipality"] is None)
    for field in ("contact_person", "phone", "email", "website"):
        if item[field]:
            assert item[field] in shown
    # Nothing about the business beyond its listing: no other listing's details either.
    for other in listings():
        if other["id"] != item["id"]:
            for field in ("contact_person", "phone", "email", "website"):
                if other[field]:
                    assert other[field] not in shown


def test_each_show_flag_changes_only_its_own_field(tmp_path: Path) -> None:
    # Every field shown, then each hidden in turn.
    base = {**listings()[0], "municipality": listings()[1]["municipality"]}

    def shown(name: str, item: dict) -> str:
        packages = release_with_directory(tmp_path / name, [item])
        (tmp_path / f"{name}-db").mkdir()
        return listing_text(create_app(packages, portal_config(tmp_path / f"{name}-db")),
                            item["id"])

    with_all = shown("all", base)
    place = listings()[1]["municipality"]
    for field in ("products", "certifications", "municipality"):
        without = shown(field, {**base, field: None})
        assert with_all != without
        if field == "products":
            assert all(p["name"] in with_all and p["name"] not in without
                       for p in base["products"])
        elif field == "certifications":
            assert "Food and Veterinary Agency" in with_all
            assert "Food and Veterinary Agency" not in without
        else:
            assert "North of Kosovo" in without and "North of Kosovo" not in with_all
            assert place and "Zve" in with_all and "Zve" not in without
        # Every other field is still there.
        for value in (base["contact_person"], base["phone"], base["email"], base["website"]):
            assert value in without


def test_the_description_is_text_in_its_own_language(directory_app: dash.Dash) -> None:
    item = listings()[0]
    with directory_app.server.test_request_context(f"/directory/{item['id']}?lang=sr-Latn"):
        tree = page("directory_listing").layout(listing_id=item["id"])
    described = [n for n in nodes(tree)
                 if "portal-listing-description" in (getattr(n, "className", "") or "")]
    assert len(described) == 1
    assert described[0].lang == "sr" and described[0].children == item["description"]["sr"]
    # English page, markup in the text: shown as the characters typed, never as HTML.
    with directory_app.server.test_request_context(f"/directory/{item['id']}"):
        tree = page("directory_listing").layout(listing_id=item["id"])
    described = [n for n in nodes(tree)
                 if "portal-listing-description" in (getattr(n, "className", "") or "")]
    assert described[0].children == item["description"]["en"]


def test_the_served_page_escapes_the_description(directory_client: FlaskClient) -> None:
    item = listings()[0]
    html = directory_client.get(f"/directory/{item['id']}").get_data(as_text=True)
    assert "<b>not bold</b>" not in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


def test_a_listing_no_longer_published_is_not_shown(tmp_path: Path) -> None:
    """Consent withdrawn: the ETL leaves the listing out, and its address shows nothing of it."""
    kept, gone = listings()[1:], listings()[0]
    packages = release_with_directory(tmp_path / "p", kept)
    app = create_app(packages, portal_config(tmp_path))
    shown = listing_text(app, gone["id"])
    assert "Business not listed" in shown and gone["name"] not in shown
    assert gone["name"] not in result_names(app) and result_names(app) == sorted(
        x["name"] for x in kept)


def test_the_directory_is_in_the_navigation_and_has_its_terms(
        directory_client: FlaskClient) -> None:
    with directory_client.application.test_request_context("/"):
        from portal import layout

        hrefs = [getattr(n, "href", None) for n in nodes(layout.navbar())]
    assert "/directory" in hrefs
    html = directory_client.get("/directory?lang=sq").get_data(as_text=True)
    assert 'lang="sq"' in html and "portal-directory-terms" in html


def test_without_a_directory_the_page_says_so(client: FlaskClient) -> None:
    assert client.get("/directory").status_code == 200


# --- not open data -------------------------------------------------------------------------


def directory_values() -> set[str]:
    """What only the directory publishes: names, contacts, descriptions, ids."""
    values: set[str] = set()
    for x in listings():
        values |= {x["name"], x["id"], *(x[f] for f in ("contact_person", "phone", "email",
                                                        "website") if x[f])}
        values |= {v for v in x["description"].values() if v}
    return values


def public_urls(client: FlaskClient) -> list[str]:
    """Every open-data address: the REST API and its tables, CKAN actions and DataStore,
    DCAT in each syntax, the sitemap, the published files the portal lists."""
    urls = ["/api/v1/packages", "/api/openapi.json", "/catalog.jsonld", "/catalog.ttl",
            "/catalog.rdf", "/sitemap.xml", "/robots.txt", "/api/3/action/package_list",
            "/api/3/action/package_search?rows=1000", "/api/3/action/status_show",
            "/api/3/action/organization_list", "/healthz"]
    packages = client.get("/api/v1/packages").get_json()
    for item in packages.get("packages", packages if isinstance(packages, list) else []):
        key = item.get("key") or item.get("name")
        urls.append(f"/api/v1/packages/{key}")
        urls.append(f"/api/3/action/package_show?id={item.get('name', key)}")
        for resource in client.get(f"/api/v1/packages/{key}").get_json().get("resources", []):
            if resource.get("path", "").endswith(".csv"):
                urls.append(f"/api/v1/{item.get('name', key)}/{Path(resource['path']).name}")
    return urls


def test_no_directory_value_in_any_open_data_answer(directory_client: FlaskClient,
                                                    packages: Path) -> None:
    secrets = {s.casefold() for s in directory_values()}
    urls = public_urls(directory_client)
    assert len(urls) > 15
    for url in urls:
        answer = directory_client.get(url)
        assert answer.status_code == 200, url
        body = answer.get_data(as_text=True).casefold()
        assert not [s for s in secrets if s in body], url
    # The file itself is never served, under its version or latest/.
    version = (packages / "latest").resolve().name
    for path in (f"/datapackages/{version}/{FILE}", f"/datapackages/latest/{FILE}"):
        assert directory_client.get(path).status_code == 404
    assert json.loads((packages / "latest" / FILE).read_text())["listings"]


def test_no_listing_address_in_the_sitemap(directory_client: FlaskClient) -> None:
    sitemap = directory_client.get("/sitemap.xml").get_data(as_text=True)
    assert not re.search(r"/directory/\w", sitemap)


def test_directory_model_reads_what_was_published(packages: Path) -> None:
    directory: Directory = read(packages / "latest")
    assert [x.id for x in directory.listings] == [x["id"] for x in listings()]


# --- scraping -----------------------------------------------------------------------------


def test_directory_pages_are_rate_limited_per_address(
        directory_client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from portal import scraping
    from portal.contact.limits import Rule

    monkeypatch.setattr(scraping, "RULES", (Rule("directory-test", 4, 60),))
    crawler = {"REMOTE_ADDR": "203.0.113.7"}
    item = listings()[0]
    callback = {"output": "directory-results.children", "outputs": {
        "id": "directory-results", "property": "children"},
        "inputs": [{"id": "directory-query", "property": "data", "value": {"product": "h"}}],
        "changedPropIds": ["directory-query.data"]}
    answers = [directory_client.get("/directory", environ_base=crawler).status_code,
               directory_client.get(f"/directory/{item['id']}",
                                    environ_base=crawler).status_code,
               directory_client.post("/_dash-update-component", json=callback,
                                     environ_base=crawler).status_code,
               directory_client.get("/directory?product=x", environ_base=crawler).status_code]
    assert answers == [200] * 4
    refused = directory_client.get(f"/directory/{item['id']}", environ_base=crawler)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert item["email"] not in refused.get_data(as_text=True)
    assert directory_client.post("/_dash-update-component", json=callback,
                                 environ_base=crawler).status_code == 429
    # The page router drawing a listing counts too.
    router = {"output": "_pages_content.children", "outputs": [],
              "inputs": [{"id": "_pages_location", "property": "pathname",
                          "value": f"/directory/{item['id']}"}]}
    assert directory_client.post("/_dash-update-component", json=router,
                                 environ_base=crawler).status_code == 429
    # Other pages, and other addresses, are not affected.
    assert directory_client.get("/about", environ_base=crawler).status_code == 200
    assert directory_client.get("/directory", environ_base={
        "REMOTE_ADDR": "198.51.100.2"}).status_code == 200


def test_only_directory_requests_count() -> None:
    from portal import scraping

    app = dash.Dash(__name__)
    with app.server.test_request_context("/directory/abc"):
        assert scraping.counted(flask.request)
    for path in ("/directory/abc/contact", "/data", "/directoryx", "/"):
        with app.server.test_request_context(path):
            assert not scraping.counted(flask.request), path
    # Behind a proxy that strips a path prefix: the browser's addresses carry it, Flask's not.
    proxied = dash.Dash(__name__, requests_pathname_prefix="/portal/",
                        routes_pathname_prefix="/")
    scraping.init_app(proxied)
    router = {"inputs": [{"property": "pathname", "value": "/portal/directory/abc"}]}
    with proxied.server.test_request_context("/directory/abc"):
        assert scraping.counted(flask.request)
    with proxied.server.test_request_context("/_dash-update-component", method="POST",
                                             json=router):
        assert scraping.counted(flask.request)
    for path in ("/catalog.ttl", "/portal/directory"):
        with proxied.server.test_request_context(path):
            assert not scraping.counted(flask.request), path


# --- the committed demo release -------------------------------------------------------------


def test_no_unlisted_business_is_named_anywhere_on_the_portal(
        demo_client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's second wave (what the committed latest release was built from): the names
    of the businesses it does not list appear on no directory page and in no open-data
    answer; the listed ones appear on their own pages only."""
    from etl.demo import generate
    from etl.validate import check_path
    from portal import scraping
    from portal.contact.limits import Rule

    # Every listing's page from one address: more than a buyer's share.
    monkeypatch.setattr(scraping, "RULES", (Rule("directory-test", 1000, 60),))
    checked = check_path(generate(tmp_path / "raw", wave=2))
    listed = checked.frame("directory_listings")
    listed = listed[listed["consent_withdrawn"].isna()]
    shown = {str(n).casefold() for n in listed["listed_name"]}
    names = {str(n) for n in checked.frame("enterprises")["business_name"]}
    unlisted = {n.casefold() for n in names if len(n) >= 6
                and not any(n.casefold() in s or s in n.casefold() for s in shown)}
    assert len(unlisted) > 100 and shown
    published = read(DEMO_PACKAGES / "latest")
    assert {x.name.casefold() for x in published.listings} == shown
    urls = ["/directory", *(f"/directory/{x.id}" for x in published.listings),
            *public_urls(demo_client)]
    for url in urls:
        answer = demo_client.get(url)
        assert answer.status_code == 200, url
        body = answer.get_data(as_text=True).casefold()
        assert not [n for n in unlisted if n in body], url
    for url in public_urls(demo_client):
        body = demo_client.get(url).get_data(as_text=True).casefold()
        assert not [n for n in shown if len(n) >= 6 and n in body], url
