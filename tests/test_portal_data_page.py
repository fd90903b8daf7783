"""The Data and About pages, and the download route they link to.

Pages are rendered by calling their registered ``layout()`` inside a request of the
app under test, then read like a visitor would: texts, links, headings, tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import dash
import pytest
from dash.development.base_component import Component
from dash.testing.composite import DashComposite
from flask.testing import FlaskClient

from portal import downloads, layout
from portal.app import create_app
from portal.downloads import format_size
from portal.i18n import format_date
from tests.conftest import DEMO_PACKAGES, portal_config
from tests.pages_helpers import nodes, render, text, visible_text
from tests.test_catalogue_pages import render_at

NO_DATA = "No data has been published yet"
PREFIX = "/datapackages/"
RELEASE = DEMO_PACKAGES / "latest"
REPORT = json.loads((RELEASE / "north-kosovo-product-map" / "disclosure-risk.json").read_text())


# --- reading a rendered page -----------------------------------------------------------------


def links(tree: Component) -> list[Component]:
    return [n for n in nodes(tree) if n._type == "A"]


def download_links(tree: Component) -> list[Component]:
    return [a for a in links(tree) if a.href.startswith(PREFIX)]


def on_disk(href: str) -> Path:
    return DEMO_PACKAGES / unquote(href.removeprefix(PREFIX))


TEXT_TYPES = ("P", "Li", "Td", "Th", "Div", "Alert")


def page_text(tree: Component) -> str:
    return " ".join(text(n) for n in nodes(tree) if n._type in TEXT_TYPES)


@pytest.fixture
def data_page(demo_app: dash.Dash) -> Component:
    return render(demo_app, "/data")


@pytest.fixture
def about_page(demo_app: dash.Dash) -> Component:
    return render(demo_app, "/about")


# --- Data page: every link downloads the published bytes -------------------------------------


def expected_files() -> Iterator[Path]:
    """Every file the Data page must offer for the demo release."""
    yield DEMO_PACKAGES / "releases.json"
    yield DEMO_PACKAGES / "CHANGELOG.md"
    for entry in json.loads((DEMO_PACKAGES / "releases.json").read_text()):
        if not entry.get("withdrawn"):  # each package page lists every release's archive
            yield from (DEMO_PACKAGES / entry["version"]).glob("*.zip")
    for folder in sorted(p for p in RELEASE.iterdir() if p.is_dir()):
        yield RELEASE / f"{folder.name}.zip"
        yield folder / "datapackage.json"
        yield folder / "disclosure-risk.md"
        descriptor = json.loads((folder / "datapackage.json").read_text())
        for attachment in descriptor.get("x-attachments", []):
            yield folder / attachment
        for resource in descriptor["resources"]:
            yield folder / resource["path"]
            for path in resource.get("x-downloads", {}).values():
                yield folder / path


def data_pages(app: dash.Dash) -> Iterator[Component]:
    """The catalogue, then every package's page and every table's page."""
    yield render(app, "/data")
    for folder in sorted(p for p in RELEASE.iterdir() if p.is_dir()):
        yield render_at(app, f"/data/{folder.name}")
        for resource in json.loads((folder / "datapackage.json").read_text())["resources"]:
            yield render_at(app, f"/data/{folder.name}/{resource['name']}")


def test_data_pages_link_every_published_file_and_serve_its_bytes(
    demo_app: dash.Dash, demo_client: FlaskClient
) -> None:
    hrefs = {a.href for tree in data_pages(demo_app) for a in download_links(tree)}
    linked = {on_disk(href).resolve() for href in hrefs}
    expected = {path.resolve() for path in expected_files()}
    assert expected - linked == set()
    reports = {p.resolve() for p in RELEASE.glob("*/disclosure-risk.json")}
    assert linked - expected - reports == set()
    assert len(hrefs) > 100
    for href in hrefs:
        response = demo_client.get(href)
        assert response.status_code == 200, href
        assert response.data == on_disk(href).read_bytes(), href


@pytest.mark.parametrize(
    ("name", "mimetype", "attachment"),
    [
        ("1.0.0/north-kosovo-product-map/data/businesses.csv", "text/csv; charset=utf-8", True),
        ("1.0.0/north-kosovo-product-map/data/businesses.json", "application/json", True),
        (
            "1.0.0/north-kosovo-product-map/data/businesses.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            True,
        ),
        ("1.0.0/north-kosovo-product-map.zip", "application/zip", True),
        ("1.0.0/north-kosovo-product-map/datapackage.json", "application/json", False),
        ("1.0.0/north-kosovo-product-map/disclosure-risk.md", "text/markdown; charset=utf-8",
         False),
        ("1.0.0/north-kosovo-programme-metrics/indicators-iati.xml",
         "application/xml; charset=utf-8", False),
        ("latest/north-kosovo-product-map/data/businesses.csv", "text/csv; charset=utf-8", True),
        ("releases.json", "application/json", False),
        ("CHANGELOG.md", "text/markdown; charset=utf-8", False),
    ],
)
def test_downloads_have_the_right_type(
    demo_client: FlaskClient, name: str, mimetype: str, attachment: bool
) -> None:
    response = demo_client.get(PREFIX + name)
    assert response.status_code == 200
    assert response.content_type == mimetype
    assert response.data == (DEMO_PACKAGES / name).read_bytes()
    disposition = response.headers.get("Content-Disposition", "")
    assert disposition.startswith("attachment") == attachment
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_downloads_answer_conditional_requests(demo_client: FlaskClient) -> None:
    for url in (PREFIX + "releases.json", PREFIX + "1.0.0/north-kosovo-product-map.zip"):
        first = demo_client.get(url)
        assert first.headers["ETag"]
        again = demo_client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert again.data == b""


@pytest.mark.parametrize("path", ["/data", "/data/north-kosovo-programme-metrics"])
def test_link_texts_name_format_and_true_size(demo_app: dash.Dash, path: str) -> None:
    sized = re.compile(r"\b(CSV|JSON|XLSX|ZIP|Markdown|datapackage\.json|indicators-iati\.xml)"
                       r"(\)|,)? ·? ?([\d,.]+) (B|kB|MB)\)?$")
    tree = render_at(demo_app, path)
    links = download_links(tree)
    assert links
    for link in links:
        shown = visible_text(link)
        match = sized.search(shown)
        assert match, shown
        size = on_disk(link.href).stat().st_size
        assert shown.endswith(format_size(size) + (")" if shown.endswith(")") else ""))
        value, unit = float(match[3].replace(",", "")), match[4]
        scale = {"B": 1, "kB": 1000, "MB": 1000**2}[unit]
        assert abs(value * scale - size) <= 0.05 * scale, (shown, size)


def test_link_texts_make_sense_out_of_context(demo_app: dash.Dash) -> None:
    """Screen readers list links on their own: each names its table or package."""
    for path in ("/data", "/data/north-kosovo-product-map"):
        texts = [text(a) for a in links(render_at(demo_app, path))]
        assert all(t.strip() for t in texts)
        assert len(texts) == len(set(texts)), path
    package = [text(a) for a in links(render_at(demo_app, "/data/north-kosovo-product-map"))]
    with demo_app.server.test_request_context("/?lang=en"):
        size = format_size((RELEASE / "north-kosovo-product-map.zip").stat().st_size)
    assert f"North of Kosovo Product Map: Whole package (ZIP) · {size}" in package


def test_data_page_shows_release_and_demo_warning(demo_app: dash.Dash) -> None:
    data_page = render(demo_app, "/data")
    content = page_text(data_page)
    meta = json.loads((RELEASE / "north-kosovo-product-map" / "datapackage.json").read_text())
    with demo_app.server.test_request_context("/?lang=en"):
        created = format_date(meta["created"])
    assert f"Release {meta['version']}, published on {created}." in content
    alerts = [n for n in nodes(data_page) if n._type == "Alert"]
    assert any("Synthetic demo data" in text(a) and a.color == "warning" for a in alerts)
    assert "API" in content
    assert "coming soon" not in content
    package = render_at(demo_app, "/data/north-kosovo-product-map")
    licence = [a for a in links(package) if getattr(a, "rel", None) == "license"]
    assert {a.href for a in licence} == {"https://creativecommons.org/licenses/by/4.0/"}


def test_row_count_is_cached_per_release(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text('a,b\n1,"two\nlines"\n3,x\n', encoding="utf-8")
    assert downloads.row_count(table, "one") == 2
    table.write_text("a,b\n1,x\n2,x\n3,x\n", encoding="utf-8")
    assert downloads.row_count(table, "one") == 2  # same release: not read again
    assert downloads.row_count(table, "two") == 3


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (1536, "1.5 kB"), (999_949, "999.9 kB"),
     (999_950, "1.0 MB"), (2_345_678, "2.3 MB")],
)
def test_format_size(size: int, shown: str) -> None:
    assert format_size(size) == shown


# --- the download route refuses everything else -----------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/datapackages/1.0.0/north-kosovo-product-map/data/no-such-table.csv",
        "/datapackages/no-such-file.json",
        "/datapackages/2.0.0/north-kosovo-product-map/datapackage.json",
        "/datapackages/1.0.0/north-kosovo-product-map",  # a folder
        "/datapackages/latest",
        "/datapackages/",
        "/datapackages",
        "/datapackages/README",  # no published suffix
        "/datapackages//etc/passwd",
    ],
)
def test_unknown_files_are_404(demo_client: FlaskClient, url: str) -> None:
    assert demo_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/datapackages/../pyproject.toml",
        "/datapackages/../README.md",
        "/datapackages/%2e%2e/pyproject.toml",
        "/datapackages/%2E%2E/README.md",
        "/datapackages/%2e%2e%2fREADME.md",
        "/datapackages/..%2fREADME.md",
        "/datapackages/1.0.0/%2e%2e/%2e%2e/README.md",
        "/datapackages/latest/%2e%2e/%2e%2e/README.md",
        "/datapackages/latest/../../pyproject.toml",
        "/datapackages/%2fetc%2fpasswd.json",
    ],
)
def test_paths_outside_the_directory_are_404(demo_client: FlaskClient, url: str) -> None:
    assert demo_client.get(url).status_code == 404


def test_hidden_files_and_outside_symlinks_are_404(
    client: FlaskClient, packages_dir: Path, tmp_path: Path
) -> None:
    data = packages_dir / "1.0.0" / "pkg" / "data"
    data.mkdir(parents=True)
    (data / "table.csv").write_text("a\n1\n", encoding="utf-8")
    (data / ".table.csv.tmp.csv").write_text("a\n", encoding="utf-8")
    staging = packages_dir / ".staging-1.1.0-42" / "pkg" / "data"
    staging.mkdir(parents=True)
    (staging / "table.csv").write_text("a\n2\n", encoding="utf-8")
    (packages_dir / ".releases.json.tmp.json").write_text("[]", encoding="utf-8")
    secret = tmp_path / "secret.json"
    secret.write_text("{}", encoding="utf-8")
    (packages_dir / "leak.json").symlink_to(secret)

    ok = client.get("/datapackages/1.0.0/pkg/data/table.csv")
    assert ok.status_code == 200
    assert ok.data == b"a\n1\n"
    for url in (
        "/datapackages/1.0.0/pkg/data/.table.csv.tmp.csv",
        "/datapackages/.staging-1.1.0-42/pkg/data/table.csv",
        "/datapackages/.releases.json.tmp.json",
        "/datapackages/leak.json",
    ):
        assert client.get(url).status_code == 404, url


def test_links_and_route_honour_dash_prefixes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DASH_ROUTES_PATHNAME_PREFIX", "/portal/")
    monkeypatch.setenv("DASH_REQUESTS_PATHNAME_PREFIX", "/portal/")
    app = create_app(DEMO_PACKAGES, portal_config(tmp_path))
    try:
        hrefs = [a.href for a in links(render(app, "/data")) if "datapackages" in a.href]
        assert hrefs
        assert all(h.startswith("/portal/datapackages/") for h in hrefs)
        client = app.server.test_client()
        assert client.get(hrefs[0]).status_code == 200
        assert client.get("/datapackages/releases.json").status_code == 404
    finally:
        monkeypatch.undo()
        # Dash keeps the last app's config globally
        create_app(DEMO_PACKAGES, portal_config(tmp_path))


# --- About page: the numbers come from the release's own report -------------------------------


def test_about_shows_parameters_from_the_report(about_page: Component) -> None:
    params = REPORT["parameters"]
    content = page_text(about_page)
    assert f"shared by at least {params['k']:g} businesses" in content
    assert f"with p = {params['p_percent']:g})" in content
    assert f"less than {params['p_percent']:g}% of the largest" in content
    assert f"fewer than {params['min_count']:g} businesses or people" in content
    assert f"shown as {params['suppressed_marker']}" in content
    table = {
        text(row.children[0]): text(row.children[1])
        for row in (n for n in nodes(about_page) if n._type == "Tr")
        if row.children[0]._type == "Th" and getattr(row.children[0], "scope", None) == "row"
    }
    for name, value in params.items():
        shown = f"{value:g}" if isinstance(value, int | float) else str(value)
        assert table.get(name) == shown, name


def test_about_lists_every_rule_with_its_result(about_page: Component) -> None:
    rows = [
        row for row in (n for n in nodes(about_page) if n._type == "Tr")
        if row.children[0]._type == "Th" and "_" in text(row.children[0])
        and len(row.children) == 4
    ]
    shown = {text(row.children[0].children[1]): row for row in rows}
    assert set(shown) == {rule["rule"] for rule in REPORT["rules"]}
    for rule in REPORT["rules"]:
        row = shown[rule["rule"]]
        assert text(row.children[3]) == rule["detail"]
        assert text(row.children[2]) == ("Yes" if rule["passed"] else "No")


def test_about_describes_the_programme_and_compliance(about_page: Component) -> None:
    content = page_text(about_page)
    for words in ("UK Foreign and Commonwealth Office", "GIZ", "NGO AKTIV", "North Mitrovica",
                  "Zvečan", "Zubin Potok", "Leposavić", "pilot of five meetings",
                  "Kosovo Business Registration Agency", "Synthetic demo data"):
        assert words in content, words


def test_about_links_the_disclosure_risk_reports(
    about_page: Component, demo_client: FlaskClient
) -> None:
    reports = [a for a in download_links(about_page) if "disclosure-risk" in a.href]
    assert {Path(a.href).name for a in reports} == {"disclosure-risk.md", "disclosure-risk.json"}
    assert len(reports) == 2 * len([p for p in RELEASE.iterdir() if p.is_dir()])
    for link in reports:
        response = demo_client.get(link.href)
        assert response.status_code == 200
        assert response.data == on_disk(link.href).read_bytes()


# --- both pages: structure and the empty state ------------------------------------------------


@pytest.mark.parametrize("path", ["/data", "/about"])
def test_headings_in_order_and_tables_have_headers(demo_app: dash.Dash, path: str) -> None:
    tree = render(demo_app, path)
    levels = [int(n._type[1]) for n in nodes(tree) if re.fullmatch(r"H[1-6]", n._type)]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    for header in (n for n in nodes(tree) if n._type == "Th"):
        assert getattr(header, "scope", None) in ("col", "row"), text(header)
    assert all(text(a).strip() and getattr(a, "href", None) for a in links(tree))


@pytest.mark.parametrize(("path", "heading"), [("/data", "Data"), ("/about", "About")])
def test_pages_without_data_say_so(app: dash.Dash, path: str, heading: str) -> None:
    tree = render(app, path)
    assert text(next(n for n in nodes(tree) if n._type == "H1")) == heading
    alerts = [text(n) for n in nodes(tree) if n._type == "Alert"]
    assert any(NO_DATA in alert for alert in alerts)
    assert download_links(tree) == []


@pytest.mark.parametrize("path", ["/data", "/about"])
def test_pages_render_outside_a_request(app: dash.Dash, path: str) -> None:
    """Layouts built with no app context (as the translation test does) show no data."""
    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    assert NO_DATA in text(page["layout"]())


# --- in a browser -----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize(("path", "heading"), [("/data", "Data"), ("/about", "About")])
def test_pages_in_a_browser(
    dash_duo: DashComposite, demo_app: dash.Dash, path: str, heading: str
) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url.rstrip("/") + path)
    dash_duo.wait_for_text_to_equal(f"#{layout.MAIN_ID} h1", heading)
    hrefs = [a.get_attribute("href") for a in dash_duo.find_elements(f"#{layout.MAIN_ID} a")]
    assert any("/datapackages/" in href for href in hrefs)
    assert dash_duo.get_logs() == []
