"""The data pages: the catalogue at /data, a page per package and a page per table.

Pages are rendered the way the router renders them (its own path matching) inside a request,
then read like a visitor would; the callbacks are driven by POSTing what the browser posts.
Every expected number, size, label and row comes from the published files, read with plain
``json`` and ``csv``.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import dash
import pytest
from dash._pages import _path_to_page
from dash.development.base_component import Component
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from flask.testing import FlaskClient
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from portal import layout
from portal.app import create_app
from portal.catalog import search
from portal.components import catalogue, preview
from portal.downloads import format_size
from portal.i18n import format_date
from tests.conftest import DEMO_PACKAGES, portal_config
from tests.pages_helpers import nodes, text, visible_text
from tests.test_catalogue_search import fold, published, texts_of

LATEST = DEMO_PACKAGES / "latest"
PRODUCT_MAP = "north-kosovo-product-map"
METRICS = "north-kosovo-programme-metrics"
PREFIX = "/datapackages/"
SMALL = "businesses_by_sector_municipality"  # 45 rows: three pages of preview
#: What the dictionary says of each code of the tables' ``rule`` column (published unlabelled).
RULE_CODES = {
    "threshold": "too few businesses or people behind it",
    "p_percent": "one contributor dominates it",
    "group_attribute": "it would say that none or all of a small group share an attribute",
    "secondary": "hidden to protect another suppressed cell",
    "history": "hidden because of the release history: read with an earlier release, it would "
               "give away a hidden cell or what changed",
}


# --- reading pages ----------------------------------------------------------------------------


def render_at(app: dash.Dash, path: str, **params: Any) -> Component:
    """The page at ``path`` (path variables included) as the router would draw it."""
    page, variables = _path_to_page(path.strip("/"))
    assert page, path
    with app.server.test_request_context(path):
        return page["layout"](**(variables or {}), **params)


def by_id(tree: Component, component_id: str) -> Component:
    return next(n for n in nodes(tree) if getattr(n, "id", None) == component_id)


def downloads_in(tree: Component) -> dict[str, str]:
    """href → visible text of every link to a published file."""
    return {a.href: visible_text(a) for a in nodes(tree)
            if a._type == "A" and (getattr(a, "href", "") or "").startswith(PREFIX)}


def on_disk(href: str) -> Path:
    return DEMO_PACKAGES / unquote(href.removeprefix(PREFIX))


def csv_rows(package: str, resource: str) -> list[list[str]]:
    with (LATEST / package / "data" / f"{resource}.csv").open(encoding="utf-8",
                                                              newline="") as handle:
        return list(csv.reader(handle))


def descriptor(package: str) -> dict[str, Any]:
    return json.loads((LATEST / package / "datapackage.json").read_text(encoding="utf-8"))


def section(tree: Component, heading: str) -> Component:
    """The section the H2 ``heading`` opens (not the page's, which holds every other)."""
    return next(n for n in nodes(tree) if n._type == "Section" and n.children
                and getattr(n.children[0], "_type", "") == "H2"
                and text(n.children[0]) == heading)


def table_rows(table: Component) -> list[list[Component]]:
    body = next(n for n in nodes(table) if n._type == "Tbody")
    return [row.children for row in body.children]


# --- routing ----------------------------------------------------------------------------------


def test_addresses_reach_their_pages_and_stay_out_of_the_navbar(demo_app: dash.Dash) -> None:
    assert _path_to_page("data")[0]["module"] == "portal.pages.data"
    page, variables = _path_to_page(f"data/{PRODUCT_MAP}")
    assert (page["module"], variables) == ("portal.pages.dataset", {"package": PRODUCT_MAP})
    page, variables = _path_to_page(f"data/{PRODUCT_MAP}/businesses")
    assert (page["module"], variables) == ("portal.pages.table",
                                           {"package": PRODUCT_MAP, "resource": "businesses"})
    shown = {p["module"] for p in layout.nav_pages()}
    assert not shown & {"portal.pages.dataset", "portal.pages.table"}


@pytest.mark.parametrize("path", ["/data/no-such-package", f"/data/{PRODUCT_MAP}/no-such-table",
                                  "/data/no-such-package/businesses",
                                  f"/data/{METRICS}/businesses"])
def test_unknown_packages_and_tables_say_so(demo_app: dash.Dash, demo_client: FlaskClient,
                                            path: str) -> None:
    tree = render_at(demo_app, path)
    assert text(next(n for n in nodes(tree) if n._type == "H1")) == "Data not found"
    assert "in the current release" in text(tree)
    assert any(getattr(n, "href", None) == "/data" for n in nodes(tree) if n._type == "Link")
    assert demo_client.get(path).status_code == 200  # Dash pages: the browser draws the page


@pytest.mark.parametrize("path", [f"/data/{PRODUCT_MAP}", f"/data/{PRODUCT_MAP}/businesses"])
def test_pages_without_data_say_so(app: dash.Dash, path: str) -> None:
    assert "No data has been published yet" in text(render_at(app, path))


def test_tab_titles_name_the_package_or_table(demo_app: dash.Dash) -> None:
    with demo_app.server.test_request_context("/"):
        package, variables = _path_to_page(f"data/{PRODUCT_MAP}")
        assert package["title"](**variables) == (
            "North of Kosovo Product Map | North of Kosovo Product Map")
        table, variables = _path_to_page(f"data/{METRICS}/public_totals")
        assert table["title"](**variables).startswith("Programme-wide totals")
        assert table["title"]() == "Data table | North of Kosovo Product Map"


# --- the catalogue ----------------------------------------------------------------------------


def result_links(tree: Component) -> list[str]:
    results = by_id(tree, catalogue.RESULTS)
    return [n.href for n in nodes(results) if n._type == "Link"]


def test_the_catalogue_restores_a_search_from_its_url(demo_app: dash.Dash) -> None:
    tree = render_at(demo_app, "/data", q="sector", theme="growth,compliance",
                     municipality=["38"], lang="sq")
    assert by_id(tree, catalogue.SEARCH).value == "sector"
    assert by_id(tree, catalogue.facet_id("theme")).value == ["growth", "compliance"]
    assert by_id(tree, catalogue.facet_id("municipality")).value == ["38"]
    assert by_id(tree, catalogue.facet_id("sector")).value == []
    expected = [f"/data/{p}/{r['name']}" for p, pd, r, path in published()
                if "sector" in texts_of(pd, r)
                and (r["name"].startswith(("growth", "training_needs", "turnover", "employment",
                                           "compliance", "dual_registration")))
                and "municipality" in [f["name"] for f in r["schema"]["fields"]]
                and "38" in {row[0] for row in _column(p, r, "municipality")}]
    assert result_links(tree) == expected
    assert text(by_id(tree, catalogue.STATUS)) == f"{len(expected)} tables match."
    assert by_id(tree, catalogue.URL).data == {"q": "sector", "theme": "growth,compliance",
                                               "municipality": "38"}


def _column(package: str, resource: dict[str, Any], column: str) -> list[list[str]]:
    rows = csv_rows(package, resource["name"])
    index = rows[0].index(column)
    return [[row[index]] for row in rows[1:]]


def test_every_facet_value_shows_its_count(demo_app: dash.Dash) -> None:
    tree = render_at(demo_app, "/data", q="by")
    with demo_app.server.test_request_context("/data"):
        from portal.catalog import model

        counts = search.facet_counts(model.current(), search.Query("by"))  # type: ignore[arg-type]
    labels = {"package": {PRODUCT_MAP: "North of Kosovo Product Map"},
              "theme": {"growth": "Growth potential"}, "municipality": {"38": "North Mitrovica"},
              "sector": {"trade": "Wholesale and retail trade; repair of motor vehicles"},
              "format": {"CSV": "CSV"}}
    for facet in search.FACETS:
        options = by_id(tree, catalogue.facet_id(facet)).options
        assert [o["value"] for o in options] == list(counts[facet])
        for option in options:
            assert text(option["label"]).endswith(f"({counts[facet][option['value']]})")
            assert option["disabled"] == (counts[facet][option["value"]] == 0)
        for value, label in labels[facet].items():
            shown = next(o for o in options if o["value"] == value)
            assert text(shown["label"]).startswith(label + " ")
    tables = len(list(published()))
    everything = {n for p, pd, r, _path in published() if "by" in texts_of(pd, r)
                  for n in [r["name"]]}
    assert sum(counts["package"].values()) == len(everything) <= tables


def test_a_search_that_finds_nothing_says_what_to_do(demo_app: dash.Dash) -> None:
    tree = render_at(demo_app, "/data", q="no such words anywhere")
    assert result_links(tree) == []
    assert "No table matches this search" in text(by_id(tree, catalogue.RESULTS))
    assert text(by_id(tree, catalogue.STATUS)) == "No table matches."


def _post(client: FlaskClient, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]],
          changed: str, state: list[tuple[str, str, Any]] = ()) -> dict[str, Any]:
    """POST what the browser posts when ``changed`` (``id.prop``) changes."""
    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [changed],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


def _json_text(node: Any) -> str:
    if isinstance(node, dict):
        return _json_text(node.get("props", {}).get("children"))
    if isinstance(node, list):
        return "".join(_json_text(child) for child in node)
    return "" if node is None else str(node)


def _json_nodes(node: Any, kind: str) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        found += _json_nodes(node.get("props", {}).get("children"), kind)
    elif isinstance(node, list):
        for child in node:
            found += _json_nodes(child, kind)
    return found


def test_the_search_callback_redraws_results_counts_and_url(demo_client: FlaskClient) -> None:
    facets = {facet: [] for facet in search.FACETS} | {"sector": ["manufacturing"]}
    answer = _post(
        demo_client,
        [(catalogue.RESULTS, "children"), (catalogue.STATUS, "children"),
         (catalogue.URL, "data"), *((catalogue.facet_id(f), "options") for f in search.FACETS)],
        [(catalogue.SEARCH, "value", "meetings"), (catalogue.SUBMIT, "n_clicks", 0),
         *((catalogue.facet_id(f), "value", facets[f]) for f in search.FACETS)],
        f"{catalogue.facet_id('sector')}.value")
    assert answer[catalogue.URL]["data"] == {"q": "meetings", "sector": "manufacturing"}
    links = [n["props"]["href"] for n in _json_nodes(answer[catalogue.RESULTS]["children"],
                                                     "Link")]
    assert links == [f"/data/{METRICS}/meetings_by_sector_pair"]
    assert answer[catalogue.STATUS]["children"] == "1 table matches."
    themes = answer[catalogue.facet_id("theme")]["options"]
    assert {o["value"]: _json_text(o["label"]) for o in themes}["b2b"].endswith("(1)")


def test_clear_empties_the_search_and_every_facet(demo_client: FlaskClient) -> None:
    answer = _post(demo_client, [(catalogue.SEARCH, "value"),
                                 *((catalogue.facet_id(f), "value") for f in search.FACETS)],
                   [(catalogue.CLEAR, "n_clicks", 1)], f"{catalogue.CLEAR}.n_clicks")
    assert answer[catalogue.SEARCH]["value"] == ""
    assert all(answer[catalogue.facet_id(f)]["value"] == [] for f in search.FACETS)


# --- package pages ----------------------------------------------------------------------------


def package_files(package: str) -> set[Path]:
    """What a package page must offer: zip, descriptor, disclosure reports, attachments."""
    meta = descriptor(package)
    report = meta.get("x-disclosureRiskReport", {})
    return {LATEST / f"{package}.zip", LATEST / package / "datapackage.json",
            *(LATEST / package / path for path in report.values()),
            *(LATEST / package / path for path in meta.get("x-attachments", []))}


@pytest.mark.parametrize("package", [PRODUCT_MAP, METRICS])
def test_package_pages_offer_every_package_file_with_its_size(
        demo_app: dash.Dash, demo_client: FlaskClient, package: str) -> None:
    links = downloads_in(section(render_at(demo_app, f"/data/{package}"), "Downloads"))
    assert {on_disk(h).resolve() for h in links} == {p.resolve() for p in package_files(package)}
    for href, shown in links.items():
        assert shown.endswith(f" · {format_size(on_disk(href).stat().st_size)}"), shown
        response = demo_client.get(href)
        assert response.status_code == 200 and response.data == on_disk(href).read_bytes()
    zipped = next(t for h, t in links.items() if h.endswith(".zip"))
    assert zipped.startswith("Whole package (ZIP) · ")


@pytest.mark.parametrize("package", [PRODUCT_MAP, METRICS])
def test_package_pages_list_every_table_with_its_rows(demo_app: dash.Dash, package: str) -> None:
    tree = render_at(demo_app, f"/data/{package}")
    table = next(n for n in nodes(tree) if n._type == "Table"
                 and text(n.children[0]).startswith("Tables in"))
    listed = {text(row[0].children[1]): (row[0].children[0].href, text(row[2]), text(row[3]))
              for row in table_rows(table)}
    resources = descriptor(package)["resources"]
    assert list(listed) == [r["name"] for r in resources]
    for resource in resources:
        href, rows, formats = listed[resource["name"]]
        assert href == f"/data/{package}/{resource['name']}"
        assert rows == f"{len(csv_rows(package, resource['name'])) - 1:,}"
        assert formats == ", ".join(["CSV", *(k.upper() for k in resource["x-downloads"])])


def test_package_page_states_licence_coverage_version_and_citation(demo_app: dash.Dash) -> None:
    meta = descriptor(PRODUCT_MAP)
    tree = render_at(demo_app, f"/data/{PRODUCT_MAP}")
    terms = {text(dt): dd for dt, dd in zip(
        [n for n in nodes(tree) if n._type == "Dt"], [n for n in nodes(tree) if n._type == "Dd"],
        strict=True)}
    version, temporal = meta["version"], meta["x-temporal"]
    with demo_app.server.test_request_context("/?lang=en"):
        created = format_date(meta["created"])
        period = f"{format_date(temporal['start'])} to {format_date(temporal['end'])}"
    assert text(terms["Version"]) == version
    assert text(terms["Last updated"]) == f"{created} (release {version})"
    assert text(terms["Period covered"]) == period
    assert text(terms["Municipalities covered"]) == (
        "Leposavić, Zubin Potok, Zvečan, North Mitrovica")
    licence = next(n for n in nodes(terms["Licence"]) if n._type == "A")
    assert (licence.href, licence.rel) == (meta["licenses"][0]["path"], "license")
    themes = [n.href for n in nodes(terms["Themes"]) if n._type == "Link"]
    assert themes == ["/data?theme=businesses", "/data?theme=compliance", "/data?theme=growth",
                      "/data?theme=handbook"]
    quote = next(n for n in nodes(tree) if n._type == "Blockquote")
    assert text(quote) == (f"NGO AKTIV ({meta['created'][:4]}). North of Kosovo Product Map, "
                           f"version {version} [data set]. "
                           "http://localhost/data/north-kosovo-product-map. Licence: CC BY 4.0.")


def test_package_page_summarises_its_disclosure_report(demo_app: dash.Dash) -> None:
    report = json.loads((LATEST / PRODUCT_MAP / "disclosure-risk.json").read_text())
    tree = render_at(demo_app, f"/data/{PRODUCT_MAP}")
    content = text(tree)
    assert (f"{report['microdata']['achieved_k']} (at least {report['parameters']['k']} "
            "required)") in content
    cells = report["tables_summary"]
    assert f"{cells['suppressed_share'] * 100:.1f}% of {cells['cells']:,}" in content
    passed = sum(r["passed"] for r in report["rules"])
    assert f"{passed} of {len(report['rules'])}" in content
    for rule in report["rules"]:
        assert rule["detail"] in content


def _releases_copy(tmp_path: Path, gone: bool = False) -> Path:
    """The demo release and an older one (the same files as 0.9.0), as a new publisher
    directory; with ``gone``, a third release listed whose folder was removed."""
    root = tmp_path / "packages"
    shutil.copytree(DEMO_PACKAGES / "1.0.0", root / "1.0.0")
    shutil.copytree(DEMO_PACKAGES / "1.0.0", root / "0.9.0")
    (root / "latest").symlink_to("1.0.0")
    releases = [e for e in json.loads((DEMO_PACKAGES / "releases.json").read_text())
                if e["version"] == "1.0.0"]
    releases.append({"version": "0.9.0", "released": "2020-06-01", "summary": "First pilot."})
    if gone:
        releases.append({"version": "0.1.0", "released": "2020-01-15", "summary": "Withdrawn."})
    (root / "releases.json").write_text(json.dumps(releases))
    return root


def changelog_rows(tree: Component) -> dict[str, list[Component]]:
    table = next(n for n in nodes(tree) if n._type == "Table"
                 and text(n.children[0]).startswith("Releases of"))
    return {text(row[0].children[0]): row for row in table_rows(table)}


def test_the_changelog_lists_every_release_still_downloadable(demo_app: dash.Dash,
                                                              demo_client: FlaskClient) -> None:
    releases = json.loads((DEMO_PACKAGES / "releases.json").read_text())
    releases.sort(key=lambda r: r["released"], reverse=True)
    rows = changelog_rows(render_at(demo_app, f"/data/{PRODUCT_MAP}"))
    assert list(rows) == [r["version"] for r in releases]  # newest first
    for release in releases:
        row = rows[release["version"]]
        with demo_app.server.test_request_context("/?lang=en"):
            released = format_date(release["released"])
        assert text(row[0]).endswith(f"released on {released}")
        if release.get("withdrawn"):
            assert release["reason"] in text(row[1]) and not downloads_in(row[2])
            continue
        assert text(row[1]) == release["summary"]
        [href] = downloads_in(row[2])
        assert href == f"/datapackages/{release['version']}/{PRODUCT_MAP}.zip"
        response = demo_client.get(href)
        assert response.status_code == 200
        assert response.data == (DEMO_PACKAGES / release["version"] /
                                 f"{PRODUCT_MAP}.zip").read_bytes()


def test_past_releases_stay_downloadable(tmp_path: Path) -> None:
    app = create_app(_releases_copy(tmp_path, gone=True), portal_config(tmp_path))
    client = app.server.test_client()
    rows = changelog_rows(render_at(app, f"/data/{METRICS}"))
    assert list(rows) == ["1.0.0", "0.9.0", "0.1.0"]  # newest first
    assert "current" in text(rows["1.0.0"][0]) and "current" not in text(rows["0.9.0"][0])
    [old] = downloads_in(rows["0.9.0"][2])
    assert old == f"/datapackages/0.9.0/{METRICS}.zip"
    response = client.get(old)
    assert response.status_code == 200
    assert response.data == (tmp_path / "packages" / "0.9.0" / f"{METRICS}.zip").read_bytes()
    assert text(rows["0.1.0"][2]) == "No longer available"
    assert text(rows["0.9.0"][1]) == "First pilot."


# --- table pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("package", [PRODUCT_MAP, METRICS])
def test_table_downloads_name_format_size_and_rows(demo_app: dash.Dash, demo_client: FlaskClient,
                                                   package: str) -> None:
    for resource in descriptor(package)["resources"]:
        tree = render_at(demo_app, f"/data/{package}/{resource['name']}")
        downloads = section(tree, "Downloads")
        links = downloads_in(downloads)
        paths = [resource["path"], *resource["x-downloads"].values()]
        assert [on_disk(h).resolve() for h in links] == [(LATEST / package / p).resolve()
                                                         for p in paths]
        rows = len(csv_rows(package, resource["name"])) - 1
        for (href, shown), label in zip(links.items(), ["CSV", "JSON", "XLSX"], strict=True):
            size = format_size(on_disk(href).stat().st_size)
            assert shown == f"{label} · {size} · {rows:,} rows", shown
        if resource["name"] == "businesses":
            texts = [text(a) for a in nodes(downloads) if a._type == "A"]
            with demo_app.server.test_request_context("/?lang=en"):
                size = format_size((LATEST / package / resource["path"]).stat().st_size)
            assert f"{resource['title']}: CSV · {size} · {rows:,} rows" in texts
    for href in links:
        assert demo_client.get(href).data == on_disk(href).read_bytes()


def test_the_dictionary_lists_every_column_with_its_codes(demo_app: dash.Dash) -> None:
    for package in (PRODUCT_MAP, METRICS):
        for resource in descriptor(package)["resources"]:
            tree = render_at(demo_app, f"/data/{package}/{resource['name']}")
            table = next(n for n in nodes(tree) if n._type == "Table"
                         and text(n.children[0]).startswith("Columns of"))
            rows = table_rows(table)
            fields = resource["schema"]["fields"]
            assert [text(row[0]) for row in rows] == [f["name"] for f in fields]
            for row, spec in zip(rows, fields, strict=True):
                assert text(row[1]) == spec.get("x-title", {}).get("en", spec.get("title", ""))
                assert text(row[2]) == spec.get("description", "")
                assert text(row[4]) == spec.get("x-unit", {}).get("en", spec.get("unit", ""))
                items = [li for li in nodes(row[5]) if li._type == "Li"]
                listed = [text(li) for li in items]
                codes = list(dict.fromkeys([*spec.get("constraints", {}).get("enum", []),
                                            *spec.get("x-labels", {})]))
                assert [text(li.children[0]) for li in items] == codes, spec["name"]
                for code, shown in zip(codes, listed, strict=True):
                    label = spec.get("x-labels", {}).get(code, {}).get("en")
                    if spec["name"] == "rule" and not label:
                        label = RULE_CODES[code]
                    expected = code + (f" {label}" if label else "")
                    if code == "_total":
                        expected += " (total of all categories)"
                    assert shown == expected


class _Cells(HTMLParser):
    """The text of each ``<td>``, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _html_cells(markup: str) -> list[list[str]]:
    parser = _Cells()
    parser.feed(markup)
    return [row for row in parser.rows if row]


def test_the_preview_pages_through_every_row_in_published_order(
        demo_app: dash.Dash, demo_client: FlaskClient) -> None:
    expected = csv_rows(PRODUCT_MAP, SMALL)
    tree = render_at(demo_app, f"/data/{PRODUCT_MAP}/{SMALL}")
    first = by_id(tree, preview.TABLE)
    header = [text(th.children[1]) for th in nodes(first) if th._type == "Th"]
    assert header == expected[0]
    seen = [[text(td) for td in row] for row in table_rows(first)]
    assert by_id(tree, preview.PREVIOUS).disabled is True
    assert text(by_id(tree, preview.STATUS)) == "Page 1 of 3"
    state = by_id(tree, preview.STATE).data
    outputs = [(preview.TABLE, "children"), (preview.STATUS, "children"),
               (preview.PREVIOUS, "disabled"), (preview.NEXT, "disabled"),
               (preview.STATE, "data")]
    pages = [(seen, False)]
    for _step in range(2):
        answer = _post(demo_client, outputs,
                       [(preview.PREVIOUS, "n_clicks", 0), (preview.NEXT, "n_clicks", 1)],
                       f"{preview.NEXT}.n_clicks", [(preview.STATE, "data", state)])
        state = answer[preview.STATE]["data"]
        sent = answer[preview.TABLE]["children"]  # the page of rows, rendered on the server
        assert sent["type"] == "StaticHtml"
        rows = _html_cells(sent["props"]["html"])
        pages.append(([r for r in rows if r], answer[preview.NEXT]["disabled"]))
    assert [row for page, _last in pages for row in page] == expected[1:]
    assert [last for _page, last in pages] == [False, False, True]
    assert answer[preview.STATUS]["children"] == "Page 3 of 3"
    assert sum(row.count("[c]") for row in expected[1:]) == sum(
        row.count("[c]") for page, _last in pages for row in page) > 0
    back = _post(demo_client, outputs,
                 [(preview.PREVIOUS, "n_clicks", 1), (preview.NEXT, "n_clicks", 2)],
                 f"{preview.PREVIOUS}.n_clicks", [(preview.STATE, "data", state)])
    assert back[preview.STATE]["data"]["page"] == 1
    assert back[preview.STATUS]["children"] == "Page 2 of 3"


def test_the_preview_opens_at_the_page_in_the_url(demo_app: dash.Dash) -> None:
    expected = csv_rows(PRODUCT_MAP, SMALL)[1:]
    tree = render_at(demo_app, f"/data/{PRODUCT_MAP}/{SMALL}", page="2")
    shown = [[text(td) for td in row] for row in table_rows(by_id(tree, preview.TABLE))]
    assert shown == expected[20:40]
    last = render_at(demo_app, f"/data/{PRODUCT_MAP}/{SMALL}", page="99")
    assert text(by_id(last, preview.STATUS)) == "Page 3 of 3"
    assert by_id(last, preview.NEXT).disabled is True


@pytest.mark.parametrize("package", [PRODUCT_MAP, METRICS])
def test_every_preview_starts_with_the_first_rows_as_published(demo_app: dash.Dash,
                                                                package: str) -> None:
    for resource in descriptor(package)["resources"]:
        tree = render_at(demo_app, f"/data/{package}/{resource['name']}")
        shown = [[text(td) for td in row] for row in table_rows(by_id(tree, preview.TABLE))]
        assert shown == csv_rows(package, resource["name"])[1:21], resource["name"]


def test_table_page_cites_the_version_and_links_the_apis(demo_app: dash.Dash) -> None:
    meta = descriptor(PRODUCT_MAP)
    tree = render_at(demo_app, f"/data/{PRODUCT_MAP}/businesses")
    quote = text(next(n for n in nodes(tree) if n._type == "Blockquote"))
    assert quote == (f"NGO AKTIV ({meta['created'][:4]}). North of Kosovo Product Map, version "
                     f"{meta['version']} [data set], table “Businesses (anonymised microdata)”. "
                     "http://localhost/data/north-kosovo-product-map/businesses. "
                     "Licence: CC BY 4.0.")
    hrefs = {n.href for n in nodes(tree) if n._type == "A"}
    assert "/api/3/action/datastore_search?resource_id=businesses" in hrefs
    assert f"/api/v1/{PRODUCT_MAP}/businesses.json" in hrefs
    links = {n.href for n in nodes(tree) if n._type == "Link"}
    assert {f"/data/{PRODUCT_MAP}", "/data?theme=businesses", "/data"} <= links


def test_table_page_summarises_its_cells_protection(demo_app: dash.Dash) -> None:
    report = json.loads((LATEST / PRODUCT_MAP / "disclosure-risk.json").read_text())
    entry = next(t for t in report["tables"] if t["name"] == SMALL)
    tree = render_at(demo_app, f"/data/{PRODUCT_MAP}/{SMALL}")
    table = next(n for n in nodes(tree) if n._type == "Table"
                 and text(n.children[0]).startswith("Disclosure control of"))
    facts = {text(row[0]): text(row[1]) for row in table_rows(table)}
    assert facts == {"Cells": str(entry["cells"]),
                     "Suppressed by a rule (primary)": str(entry["primary"]),
                     "Suppressed to protect those (secondary)": str(entry["secondary"]),
                     "Suppressed because of the release history": str(entry["history"]),
                     "Share suppressed": f"{entry['suppressed_share'] * 100:.1f}%"}
    published = csv_rows(PRODUCT_MAP, SMALL)
    rule = published[0].index("rule")
    hidden = sum(row.count("[c]") for row in published[1:])
    assert hidden == entry["primary"] + entry["secondary"] + entry["history"]
    assert sum(row[rule] == "history" for row in published[1:]) == entry["history"]


@pytest.mark.parametrize("path", ["/data", f"/data/{PRODUCT_MAP}", f"/data/{METRICS}",
                                  f"/data/{PRODUCT_MAP}/businesses",
                                  f"/data/{METRICS}/indicators"])
def test_headings_in_order_and_tables_captioned_with_scoped_headers(demo_app: dash.Dash,
                                                                    path: str) -> None:
    tree = render_at(demo_app, path)
    levels = [int(n._type[1]) for n in nodes(tree) if re.fullmatch(r"H[1-6]", n._type)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    for header in (n for n in nodes(tree) if n._type == "Th"):
        assert getattr(header, "scope", None) in ("col", "row"), text(header)
    for table in (n for n in nodes(tree) if n._type == "Table"):
        assert table.children[0]._type == "Caption" and text(table.children[0]).strip()
    for link in (n for n in nodes(tree) if n._type in ("A", "Link")):
        assert visible_text(link).strip() and link.href, link


def test_search_words_are_folded_like_the_pages_text() -> None:
    assert fold("Zvečan ĐAKOVICA Përputhshmëri") == "zvecan dakovica perputhshmeri"


# --- in a browser -----------------------------------------------------------------------------


def click(dash_duo: DashComposite, element: WebElement) -> None:
    """Scroll ``element`` into view at once (Bootstrap scrolls smoothly, and a click during
    the scroll lands elsewhere), then click it."""
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


@pytest.mark.browser
def test_search_filter_open_a_table_and_page_its_preview(dash_duo: DashComposite,
                                                         demo_app: dash.Dash) -> None:
    dash_duo.start_server(demo_app)
    driver = dash_duo.driver
    driver.get(dash_duo.server_url.rstrip("/") + "/data?lang=en")
    dash_duo.wait_for_text_to_equal(f"#{layout.MAIN_ID} h1", "Data")
    box = dash_duo.find_element(f"#{catalogue.SEARCH}")
    box.send_keys("sector", Keys.ENTER)
    until(lambda: "q=sector" in driver.current_url, timeout=10,
          msg="the search is not written into the URL")
    status = f"#{catalogue.STATUS}"
    until(lambda: dash_duo.find_element(status).text.endswith("tables match."), timeout=10)
    click(dash_duo, dash_duo.find_element(f"label[for='{catalogue.facet_id('theme')}-growth']"))
    expected = [f"/data/{p}/{r['name']}" for p, pd, r, _path in published()
                if "sector" in fold(texts_of(pd, r)) and r["name"].startswith(
                    ("growth", "training_needs", "turnover", "employment"))]
    dash_duo.wait_for_text_to_equal(status, f"{len(expected)} tables match.", timeout=10)
    until(lambda: "theme=growth" in driver.current_url, timeout=10,
          msg="the facet is not written into the URL")
    links = dash_duo.find_elements(f"#{catalogue.RESULTS} a")
    assert [a.get_attribute("pathname") for a in links] == expected
    target = next(a for a in links if a.get_attribute("pathname").endswith(
        "/growth_potential_by_sector"))
    click(dash_duo, target)
    dash_duo.wait_for_text_to_equal(f"#{layout.MAIN_ID} h1", "Growth potential by sector",
                                    timeout=10)
    dash_duo.wait_for_text_to_equal(f"#{preview.STATUS}", "Page 1 of 3")
    click(dash_duo, dash_duo.find_element(f"#{preview.NEXT}"))
    dash_duo.wait_for_text_to_equal(f"#{preview.STATUS}", "Page 2 of 3", timeout=10)
    rows = csv_rows(PRODUCT_MAP, "growth_potential_by_sector")[21:41]
    cells = dash_duo.find_elements(f"#{preview.TABLE} tbody tr:first-child td")
    assert [c.text for c in cells] == rows[0]
    until(lambda: "page=2" in driver.current_url, timeout=10,
          msg="the preview page is not written into the URL")
    driver.back()  # back to the search, restored from the address
    dash_duo.wait_for_text_to_equal(status, f"{len(expected)} tables match.", timeout=10)
    assert dash_duo.find_element(f"#{catalogue.SEARCH}").get_attribute("value") == "sector"
    assert dash_duo.get_logs() == []
