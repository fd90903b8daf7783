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
