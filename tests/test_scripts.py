"""The scripts the portal builds itself (portal/scripts.py): what is served is what the lockfile
builds, the plotly.js bundle has every trace the portal draws and matches the plotly package
the figures come from, and Dash's polyfill is replaced."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import dash
import plotly.offline
import pytest
from flask.testing import FlaskClient

from portal import scripts
from portal.components import chart as chart_module
from tests.pages_helpers import draw

BUNDLE = Path(scripts.__file__).resolve().parent / "bundle"


def _served(client: FlaskClient, name: str, encoding: str = "identity") -> bytes:
    with client.application.test_request_context("/"):
        url = scripts.url(name)
    response = client.get(url, headers={"Accept-Encoding": encoding})
    assert response.status_code == 200, url
    return response.get_data()


def test_served_scripts_are_what_the_lockfile_builds(tmp_path: Path, client: FlaskClient) -> None:
    """``npm ci`` + the package's build script, as ``make scripts`` runs them, byte for byte."""
    npm = shutil.which("npm")
    assert npm, "npm is missing: make npm (the Makefile's test target installs it)"
    for name in ("package.json", "package-lock.json", "index.js"):
        shutil.copy(BUNDLE / name, tmp_path / name)
    for argv in ([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                 [npm, "run", "--silent", "build"]):
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr[-2000:]}"
    for name, file in scripts.BUILT.items():
        built = (tmp_path / "dist" / file).read_bytes()
        assert _served(client, name) == built, f"{file} is not what portal/bundle builds: " \
                                               "run make scripts"


def test_bundle_is_the_plotly_js_of_the_python_package() -> None:
    """Figures are made by the ``plotly`` package for its plotly.js: the bundle must be that."""
    version = plotly.offline.get_plotlyjs_version()
    pinned = json.loads((BUNDLE / "package.json").read_text())["devDependencies"]["plotly.js"]
    banner = (scripts.STATIC_DIR / scripts.FILES["plotly"]).read_text()[:200]
    assert pinned == version, f"portal/bundle pins plotly.js {pinned}, plotly has {version}"
    assert f"plotly.js v{version}" in banner
    lock = json.loads((BUNDLE / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/plotly.js"]["version"] == version


def _bundled_traces() -> set[str]:
    """The trace types index.js registers, and scatter, which plotly's core always has."""
    source = (BUNDLE / "index.js").read_text()
    return {"scatter", *re.findall(r"require\('plotly\.js/lib/([a-z0-9]+)'\)", source)}


def test_every_trace_the_portal_draws_is_in_the_bundle(demo_app: dash.Dash) -> None:
    drawn = {trace.type for chart_id in chart_module.CHARTS
             for trace in draw(demo_app, chart_id)[1].figure.data}
    assert {"bar", "heatmap", "treemap", "scatter"} <= drawn  # the test sees every kind
    missing = drawn - _bundled_traces()
    assert not missing, f"add {sorted(missing)} to portal/bundle/index.js, then make scripts"


def test_files_are_immutable_compressed_and_versioned(client: FlaskClient) -> None:
    with client.application.test_request_context("/"):
        url = scripts.url("plotly")
    identity = _served(client, "plotly")
    response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert len(response.get_data()) < len(identity) / 3
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"],
                                    "Accept-Encoding": "br"}).status_code == 304
    gzip = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.headers["Content-Encoding"] == "gzip"
    stale = re.sub(r"\.[0-9a-f]{16}\.js$", ".0000000000000000.js", url)
    assert client.get(stale).status_code == 404
    assert client.get("/vendor/scripts/unknown.0000000000000000.js").status_code == 404


def test_pages_load_the_runtime_instead_of_dash_polyfill(client: FlaskClient) -> None:
    """…and not dash_table's bundle: no page may use a DataTable (the browser tests would see
    the missing component)."""
    page = client.get("/").get_data(as_text=True)
    assert "polyfill@" not in page
    assert "dash_table/bundle" not in page
    runtime = page.index("/vendor/scripts/regenerator-runtime.")
    assert runtime < page.index("dash_renderer"), "the runtime must run before the renderer"
    # The full plotly.js is never linked: the bundle is loaded by portal/assets/charts.js.
    assert "package_data/plotly.min.js" not in page


@pytest.mark.parametrize("scripts_html", ["", "<script src=\"/x.js\"></script>"])
def test_a_dash_without_its_polyfill_tag_is_reported(scripts_html: str) -> None:
    with pytest.raises(RuntimeError, match="polyfill"):
        scripts.trimmed(scripts_html)


def test_dash_scripts_wait_for_the_first_paint(client: FlaskClient) -> None:
    """Only the loader is a live script tag; Dash's wait in the inert template, in order."""
    page = client.get("/training").get_data(as_text=True)
    start = page.index(f'<template id="{scripts.LIST_ID}">')
    end = page.index("</template>", start)
    with client.application.test_request_context("/"):
        loader, runtime = scripts.url("loader"), scripts.url("regenerator-runtime")
    outside = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page[:start] + page[end:])
    assert outside == [loader]
    listed = re.findall(r'<script src="([^"]+)"', page[start:end])
    assert listed[0] == runtime and any("dash_renderer" in src for src in listed)
    assert _served(client, "loader") == (scripts.STATIC_DIR / scripts.FILES["loader"]).read_bytes()
