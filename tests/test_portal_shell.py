"""The portal shell over HTTP (Flask test client, no browser)."""

from __future__ import annotations

import csv
import gettext
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import dash
import pytest
from dash import html
from dash._pages import _path_to_page
from dash.development.base_component import Component
from flask.testing import FlaskClient

from etl import refdata
from portal import app as app_module
from portal import cli, i18n, layout, vendor
from portal.app import DEFAULT_PACKAGES_DIR, create_app
from portal.cache import cache
from tests.conftest import DEMO_PACKAGES, portal_config
from tests.pages_helpers import nodes

#: Every page and its path; the navbar must link to them in this order.
PAGES = [
    ("Overview", "/"),
    ("Product map", "/product-map"),
    ("Compliance", "/compliance"),
    ("Growth", "/growth"),
    ("Training", "/training"),
    ("B2B", "/b2b"),
    ("Suppliers", "/directory"),
    ("Indicators", "/indicators"),
    ("Handbook", "/handbook"),
    ("Data", "/data"),
    ("Publications", "/publications"),
    ("About", "/about"),
]

VENDOR = [
    ("/vendor/bootstrap/css/bootstrap.min.css", "text/css"),
    ("/vendor/bootstrap/portal-icons.css", "text/css"),
]

#: XML namespace in inline SVG data URIs: an identifier, never fetched.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
ABSOLUTE_URL = re.compile(r"""https?://[^\s"'()<>]+""")
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def linked_resources(html: str) -> list[str]:
    """The stylesheet and script URLs an HTML page loads."""
    return re.findall(r'<link[^>]*\shref="([^"]+)"', html) + re.findall(
        r'<script[^>]*\ssrc="([^"]+)"', html
    )


def foreign_urls(text: str, own_host: str = "localhost") -> list[str]:
    """Absolute URLs in ``text`` that point anywhere but this server."""
    return [
        url
        for url in ABSOLUTE_URL.findall(text)
        if url != SVG_NAMESPACE and urlsplit(url).hostname != own_host
    ]


def get_text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_index_is_html(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert "<title>North of Kosovo Product Map</title>" in html
    assert 'id="react-entry-point"' in html


@pytest.mark.parametrize(("name", "path"), PAGES + [("404", "/no-such-page")])
def test_every_page_path_serves_the_app(client: FlaskClient, name: str, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_registry_matches_the_page_list(app: dash.Dash) -> None:
    assert [(page["name"], page["path"]) for page in layout.nav_pages()] == PAGES
    not_found = [p for p in dash.page_registry.values() if p["module"].endswith("not_found_404")]
    assert len(not_found) == 1
    assert not_found[0]["nav"] is False


def test_navbar_links_every_page_in_order(app: dash.Dash) -> None:
    links = [
        (link.children, link.href)
        for link in layout.navbar()._traverse()
        if isinstance(link, Component) and link._type == "NavLink"
    ]
    assert links == PAGES


@pytest.mark.parametrize(("url", "mimetype"), VENDOR)
def test_vendor_files_are_served_locally(client: FlaskClient, url: str, mimetype: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert len(response.data) > 1000


def test_vendor_route_refuses_paths_outside_the_package(client: FlaskClient) -> None:
    assert client.get("/vendor/bootstrap/../../../../etc/passwd").status_code == 404
    assert client.get("/vendor/bootstrap/%2e%2e/%2e%2e/__init__.py").status_code == 404


def test_every_linked_resource_is_served(client: FlaskClient) -> None:
    html = get_text(client, "/")
    resources = linked_resources(html)
    assert "/vendor/bootstrap/css/bootstrap.min.css" in resources
    assert "/vendor/bootstrap/portal-icons.css" in resources
    assert not any("bootstrap.min.js" in url or "popper" in url for url in resources)
    assert any(url.startswith("/assets/portal.css") for url in resources)
    for url in resources:
        assert client.get(url).status_code == 200, url


def test_icons_are_inline_svg_masks_of_the_listed_glyphs(client: FlaskClient) -> None:
    """One small stylesheet instead of the 134 KB icon font: each listed glyph, nothing else."""
    css = get_text(client, "/vendor/bootstrap/portal-icons.css")
    drawn = set(re.findall(r"^\.bi-([a-z0-9-]+)\{--bi:url\(\"data:image/svg\+xml,", css, re.M))
    assert drawn == vendor.ICONS
    assert "font-face" not in css and len(css) < 40_000
    with pytest.raises(ValueError, match="not in portal.vendor.ICONS"):
        layout.icon("no-such-glyph")


def test_index_loads_nothing_from_other_hosts(client: FlaskClient) -> None:
    html = get_text(client, "/")
    assert foreign_urls(html) == []
    assert all(not url.startswith("//") for url in linked_resources(html))


def test_stylesheets_load_nothing_from_other_hosts(client: FlaskClient) -> None:
    stylesheets = re.findall(
        r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', get_text(client, "/")
    )
    assert len(stylesheets) >= 3
    for url in stylesheets:
        css = get_text(client, url)
        code = CSS_COMMENT.sub("", css)  # licence banners name their homepages
        assert foreign_urls(code) == [], url
        assert "fonts.googleapis" not in css, url
        for target in re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", code):
            assert not re.match(r"(https?:)?//", target), (url, target)


def test_packages_dir_and_cache_are_configured(app: dash.Dash, packages_dir: Path) -> None:
    assert app.server.config["PACKAGES_DIR"] == packages_dir.resolve()
    assert app.server.config["CACHE_TYPE"] == "SimpleCache"
    with app.server.app_context():
        cache.set("answer", 42)
        assert cache.get("answer") == 42


@pytest.mark.filterwarnings("ignore:Flask-Caching. CACHE_TYPE is set to NullCache")
def test_config_overrides_defaults(packages_dir: Path) -> None:
    app = create_app(packages_dir, {"CACHE_TYPE": "NullCache"})
    assert app.server.config["CACHE_TYPE"] == "NullCache"
    with app.server.app_context():
        cache.set("answer", 42)
        assert cache.get("answer") is None


def test_default_packages_dir_is_the_repos() -> None:
    repo = Path(__file__).resolve().parent.parent
    assert repo / "datapackages" == DEFAULT_PACKAGES_DIR


def test_missing_packages_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="not found"):
        create_app(tmp_path / "missing")


def test_missing_default_packages_dir_is_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh clone has no datapackages/ until the ETL publishes; the portal still starts."""
    monkeypatch.setattr(app_module, "DEFAULT_PACKAGES_DIR", Path("/nonexistent/datapackages"))
    assert create_app().server.config["PACKAGES_DIR"] == Path("/nonexistent/datapackages")


# --- translations -----------------------------------------------------------------------


def test_translate_formats_params_after_translation() -> None:
    assert i18n._("Plain") == "Plain"
    assert i18n._("100% local") == "100% local"  # no params: no %-formatting
    assert i18n._("%(count)d producers", count=3) == "3 producers"


class PseudoLocale(gettext.NullTranslations):
    """Marks every translated message, so unmarked text stands out."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"


def visible_text(component: Component) -> Iterator[str]:
    """Strings a visitor sees or hears: text children and ARIA labels (not ``<code>``
    identifiers, which are the same in every language)."""
    for node in nodes(component):
        if not isinstance(node, Component) or isinstance(node, html.Code):
            continue
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if isinstance(child, str) and child.strip():
                yield child
        label = getattr(node, "aria-label", None)
        if label:
            yield label


@pytest.fixture(params=["empty", "demo"])
def pseudo_app(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
               packages_dir: Path, tmp_path: Path) -> Iterator[dash.Dash]:
    """The portal in a pseudo-locale, with nothing published or with the demo release."""
    packages = DEMO_PACKAGES if request.param == "demo" else packages_dir
    monkeypatch.setattr(i18n, "catalogue", PseudoLocale())
    yield create_app(packages, portal_config(tmp_path))
    monkeypatch.undo()
    create_app(packages_dir, portal_config(tmp_path))  # re-register pages with plain names


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _published_text() -> str:
    """Everything the release itself says (labels, titles, authorities, the summaries of the
    release list…): data, not interface."""
    texts: list[str] = list(_strings(json.loads((DEMO_PACKAGES / "releases.json").read_text(
        encoding="utf-8"))))
    # The supplier directory's code lists: labels published with their own translations.
    for name in ("directory_certification", "directory_language"):
        texts += [label for labels in refdata.codelist(name).values()
                  for label in labels.values()]
    for path in sorted((DEMO_PACKAGES / "latest").rglob("*")):
        if path.suffix == ".json":
            texts += _strings(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                texts += [cell for row in csv.reader(handle) for cell in row]
    return "\n".join(texts)


_NUMERIC = re.compile(r"^[\d\s.,%:+\-–—/()€]*$")


#: Data pages at addresses with variables (a package, a table of it), drawn for real ones.
DATA_PAGES = ["/data/north-kosovo-product-map", "/data/north-kosovo-product-map/businesses"]


def test_every_visible_string_goes_through_translation(pseudo_app: dash.Dash) -> None:
    with pseudo_app.server.test_request_context("/"):
        trees = [layout.shell()] + [page["layout"]() for page in dash.page_registry.values()]
        for path in DATA_PAGES:
            page, variables = _path_to_page(path.strip("/"))
            if page:
                trees.append(page["layout"](**variables))
    published = _published_text()
    unmarked = {text for tree in trees for text in visible_text(tree)
                if not text.startswith("⟦") and not _NUMERIC.match(text)
                and text.strip() not in published}
    assert unmarked == set()
    with pseudo_app.server.test_request_context("/"):
        for page in dash.page_registry.values():
            assert i18n._(page["name"]).startswith("⟦"), page["module"]
            assert page["title"]().startswith("⟦"), page["module"]
    assert "⟦" in layout.app_entry()
    with pseudo_app.server.test_request_context("/"):
        assert "<title>⟦" in pseudo_app.index()


# --- command line -------------------------------------------------------------------------


def test_cli_rejects_a_missing_packages_dir(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--packages", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert "packages directory not found: /nonexistent" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_rejects_a_file_as_packages_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "not-a-dir"
    file.write_text("")
    assert cli.main(["serve", "--packages", str(file)]) == 2
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["bogus"], [], ["serve", "--port", "http"], ["serve", "--port", "0"], ["serve", "extra"]],
)
def test_cli_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        cli.main(argv)
    assert excinfo.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_cli_serve_runs_the_dev_server(monkeypatch: pytest.MonkeyPatch, packages_dir: Path) -> None:
    calls: list[tuple[dash.Dash, dict]] = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kwargs: calls.append((self, kwargs)))
    argv = ["serve", "--packages", str(packages_dir), "--host", "0.0.0.0", "--port", "8123"]
    assert cli.main([*argv, "--debug"]) == 0
    [(app, kwargs)] = calls
    assert kwargs == {
        "host": "0.0.0.0",
        "port": 8123,
        "debug": True,
        "dev_tools_disable_version_check": True,  # no call to plotly.com from the browser
    }
    assert app.server.config["PACKAGES_DIR"] == packages_dir.resolve()


def test_cli_serve_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[dash.Dash, dict]] = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kwargs: calls.append((self, kwargs)))
    assert cli.main(["serve"]) == 0
    [(app, kwargs)] = calls
    assert kwargs["host"] == "127.0.0.1"
    assert kwargs["port"] == 8050
    assert kwargs["debug"] is False
    assert app.server.config["PACKAGES_DIR"] == DEFAULT_PACKAGES_DIR
