"""Filters in a real browser: they redraw charts, land in the URL, a shared URL restores them."""

from __future__ import annotations

import dash
import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.support.ui import Select

from portal import query
from portal.components import chart as chart_module

pytestmark = pytest.mark.browser

CHART = "businesses-by-sector"
TITLE = f"#chart-{CHART} h2"
CSV = f"#chart-{CHART} a[download]"


def _select(dash_duo: DashComposite, name: str) -> Select:
    return Select(dash_duo.find_element(f'select[id*=\'"name":"{name}"\']'))


def _expected_title(app: dash.Dash, active: dict[str, str]) -> str:
    with app.server.test_request_context("/"):
        assert query.current_release() is not None
        return chart_module.draw(CHART, active)[1].title  # type: ignore[index]


def test_filters_redraw_charts_and_follow_the_url(dash_duo: DashComposite,
                                                  demo_app: dash.Dash) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + "/product-map")
    dash_duo.wait_for_text_to_equal(TITLE, _expected_title(demo_app, {}), timeout=10)

    _select(dash_duo, "municipality").select_by_value("12")
    dash_duo.wait_for_text_to_equal(TITLE, _expected_title(demo_app, {"municipality": "12"}))
    until(lambda: dash_duo.driver.current_url.endswith("/product-map?municipality=12"), 4)
    until(lambda: dash_duo.find_element(CSV).get_attribute("href").endswith(
        f"/charts/{CHART}.csv?municipality=12"), 4)

    _select(dash_duo, "municipality").select_by_value("*")
    dash_duo.wait_for_text_to_equal(TITLE, _expected_title(demo_app, {}))
    until(lambda: dash_duo.driver.current_url.endswith("/product-map"), 4)
    assert dash_duo.get_logs() == []


def test_a_shared_url_restores_the_view(dash_duo: DashComposite, demo_app: dash.Dash) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + "/product-map?municipality=29&sector=trade")
    active = {"municipality": "29", "sector": "trade"}
    dash_duo.wait_for_text_to_equal(TITLE, _expected_title(demo_app, active), timeout=10)
    assert _select(dash_duo, "municipality").first_selected_option.get_attribute("value") == "29"
    assert _select(dash_duo, "sector").first_selected_option.get_attribute("value") == "trade"
    assert dash_duo.find_element(CSV).get_attribute("href").endswith(
        f"/charts/{CHART}.csv?municipality=29&sector=trade")
    assert dash_duo.get_logs() == []


def test_bad_url_parameters_are_ignored(dash_duo: DashComposite, demo_app: dash.Dash) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + "/product-map?municipality=<b>x</b>&sector=nope")
    dash_duo.wait_for_text_to_equal(TITLE, _expected_title(demo_app, {}), timeout=10)
    assert _select(dash_duo, "municipality").first_selected_option.get_attribute("value") == "*"
    assert dash_duo.get_logs() == []


def test_a_heatmap_is_drawn_one_pixel_per_cell(dash_duo: DashComposite,
                                               demo_app: dash.Dash) -> None:
    """plotly.js's fast path (figures.cell_borders): a tiny image scaled up crisp, not one
    the size of the plot, so that it is not the page's largest paint."""
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + "/training")
    card = "#chart-training-sessions-by-quarter-topic"
    dash_duo.wait_for_element(card, timeout=10)
    dash_duo.driver.execute_script(  # charts are drawn when in view
        "document.querySelector(arguments[0]).scrollIntoView()", card)
    image = f"{card} .js-plotly-plot image"
    dash_duo.wait_for_element(image, timeout=15)
    size = dash_duo.driver.execute_script(
        "const image = document.querySelector(arguments[0]); const decoded = new Image();"
        "decoded.src = image.getAttribute('href'); await decoded.decode();"
        "return [decoded.naturalWidth, decoded.naturalHeight, image.getAttribute('width'),"
        " image.style.imageRendering];", image)
    with demo_app.server.test_request_context("/"):
        view = chart_module.draw("training-sessions-by-quarter-topic", {})[1]  # type: ignore[index]
    grid = next(trace for trace in view.figure.data if trace.type == "heatmap")
    assert size[:2] == [len(grid.x), len(grid.y)]
    assert float(size[2]) > 10 * len(grid.x) and size[3] == "pixelated"
    assert dash_duo.get_logs() == []
