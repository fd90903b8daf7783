"""The embeddable chart view ``/embed/<chart_id>``: the only answer other sites may frame, the
same figure and rows as the chart pages, and a card that draws cleanly inside a foreign page."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import dash
import flask
import numpy as np
import pandas as pd
import plotly.io
import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from flask.testing import FlaskClient

from portal import embed, security
from portal.components import chart as chart_module
from portal.labels import TOTAL
from tests.conftest import served
from tests.test_accessibility import AXE_TAGS, RUN_AXE, axe_source, describe

CHART = "businesses-by-sector"
_DATA = re.compile(r'<script type="application/json" id="portal-embed-data">(.*?)</script>', re.S)


def _csp(response: Any) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in policy.split("; ")}


def _embedded(response: Any) -> dict[str, Any]:
    """The figure and config the embed hands to plotly.js (its JSON data block)."""
    match = _DATA.search(response.get_data(as_text=True))
    assert match, "no figure data block"
    return json.loads(match.group(1))


def _numbers(values: Any) -> list[float]:
    """A plotly array as floats, whether a list or plotly 6's base64 typed array."""
    if isinstance(values, dict):
        raw = base64.b64decode(values["bdata"])
        return [float(v) for v in np.frombuffer(raw, dtype=np.dtype(values["dtype"]))]
    return [float(v) for v in values]


def test_only_the_embed_may_be_framed(demo_client: FlaskClient) -> None:
    assert embed.ENDPOINT in security.FRAMEABLE_ENDPOINTS
    response = demo_client.get(f"/embed/{CHART}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert _csp(response)["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in response.headers
    assert "'unsafe-inline'" not in _csp(response)["script-src"]
    text = response.get_data(as_text=True)
    # No navbar or footer, no inline script: only the data block and served files.
    assert "portal-navbar" not in text and "<footer" not in text
    assert re.findall(r"<script(?![^>]*\b(src=|type=\"application/json\"))", text) == []
    assert "//cdn" not in text
    plotly_js = re.search(r'<script src="(/vendor/scripts/plotly\.[0-9a-f]{16}\.js)"', text)
    assert plotly_js, "the embed draws with the portal's plotly.js bundle"
    for url in ("/", "/product-map", f"/charts/{CHART}.csv", "/embed/_/embed.js",
                plotly_js.group(1), "/embed/no-such-chart"):
        other = demo_client.get(url)
        assert other.status_code in (200, 404), url
        assert _csp(other)["frame-ancestors"] == "'none'", url
        assert other.headers["X-Frame-Options"] == "DENY", url


def test_unknown_chart_is_404(demo_client: FlaskClient) -> None:
    assert demo_client.get("/embed/no-such-chart").status_code == 404


def test_the_card_links_back_and_speaks_the_language(demo_client: FlaskClient) -> None:
    response = demo_client.get(f"/embed/{CHART}?municipality=12&lang=sq")
    text = response.get_data(as_text=True)
    assert '<html lang="sq">' in text
    link = re.search(r'<a [^>]*href="([^"]+)"[^>]*target="_blank"\s+rel="noopener">Shiko', text)
    assert link, "no 'View on the portal' link"
    assert link.group(1) == (
        f"http://localhost/product-map?municipality=12&amp;lang=sq#chart-{CHART}")


def test_every_chart_embeds_the_pages_figure(demo_app: dash.Dash,
                                             demo_client: FlaskClient) -> None:
    """Each embed draws exactly the figure its card on the page draws (bad filters ignored)."""
    for chart_id in chart_module.CHARTS:
        response = demo_client.get(f"/embed/{chart_id}?municipality=nope&color=red")
        assert response.status_code == 200, chart_id
        with demo_app.server.test_request_context("/"):
            expected = chart_module.rendered(chart_id, {})
            assert expected is not None
            figure = json.loads(plotly.io.json.to_json_plotly(expected.figure))
        assert _embedded(response)["figure"] == figure, chart_id


def test_the_figure_draws_the_csv_rows(demo_client: FlaskClient) -> None:
    """Same filters, same rows: every published value is a bar, every suppressed one is
    marked [c]."""
    params = {"municipality": "12"}
    csv = pd.read_csv(io.StringIO(demo_client.get(
        f"/charts/{CHART}.csv", query_string=params).get_data(as_text=True)),
        dtype=str, keep_default_na=False)
    rows = csv[csv["broad_sector"] != TOTAL]
    published = {row.broad_sector_label: float(row.value)
                 for row in rows.itertuples() if row.status == "published"}
    suppressed = {row.broad_sector_label for row in rows.itertuples()
                  if row.status == "suppressed"}
    assert published and suppressed

    traces = _embedded(demo_client.get(f"/embed/{CHART}", query_string=params))["figure"]["data"]
    drawn: dict[str, float] = {}
    hidden: set[str] = set()
    for trace in traces:
        labels = [label.replace("<br>", " ") for label in trace["y"]]
        if trace.get("legendgroup") == "suppressed":
            hidden.update(labels)
            assert set(trace["text"]) == {"[c]"}
        else:
            drawn.update(zip(labels, _numbers(trace["x"]), strict=True))
    assert drawn == published
    assert hidden == suppressed


@pytest.fixture
def foreign_site(dash_duo: DashComposite, demo_app: dash.Dash) -> Iterator[str]:
    """The portal under dash_duo, and another site (another port) framing its embed."""
    dash_duo.start_server(demo_app)
    portal = dash_duo.server_url.rstrip("/")
    site = flask.Flask("foreign")

    @site.get("/")
    def page() -> str:
        return ('<!DOCTYPE html><html lang="en"><head><title>Elsewhere</title>'
                '<link rel="icon" href="data:,"></head><body>'
                f'<iframe id="embed" title="chart" width="700" height="620" '
                f'src="{portal}/embed/{CHART}?municipality=12"></iframe></body></html>')

    with served(site) as base:
        yield f"{base}/"


def _drawn(driver: Any) -> bool:
    return bool(driver.find_elements("css selector", "#portal-embed-figure .main-svg"))


@pytest.mark.browser
def test_the_embed_draws_inside_another_sites_page(dash_duo: DashComposite,
                                                   foreign_site: str) -> None:
    driver = dash_duo.driver
    driver.get(foreign_site)
    driver.switch_to.frame(driver.find_element("css selector", "#embed"))
    until(lambda: _drawn(driver), 15, msg="the embedded chart was not drawn")
    bars = driver.find_elements("css selector", "#portal-embed-figure .bars .point")
    assert bars
    driver.switch_to.default_content()
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_no_axe_violations_on_the_embed(dash_duo: DashComposite, demo_app: dash.Dash) -> None:
    source = axe_source()
    dash_duo.start_server(demo_app)
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url.rstrip('/')}/embed/{CHART}?lang=sr-Cyrl")
    until(lambda: _drawn(driver), 15, msg="the embedded chart was not drawn")
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.ready.then(() => requestAnimationFrame(() => done(true)));")
    driver.execute_script(source)
    result = driver.execute_async_script(RUN_AXE, AXE_TAGS)
    assert "error" not in result, result.get("error")
    assert "color-contrast" in result["rules"]
    assert not result["violations"], describe(result["violations"])
    assert dash_duo.get_logs() == []
