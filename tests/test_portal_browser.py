"""The portal in a real headless Chromium (dash[testing]'s ``dash_duo``).

Run with ``pytest --headless``. These tests never skip: without Chromium and
chromedriver they fail, naming the packages to install (see conftest.py).
"""

from __future__ import annotations

import dash
import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.keys import Keys

from portal import layout

pytestmark = pytest.mark.browser

SITE = "North of Kosovo Product Map"
HEADING = f"#{layout.MAIN_ID} h1"


def nav_link(dash_duo: DashComposite, path: str):
    return dash_duo.find_element(f"#{layout.NAVBAR_ID} a.nav-link[href='{path}']")


def wait_for_page(dash_duo: DashComposite, name: str, path: str) -> None:
    """The page's heading (which may say more than the short nav name) is shown, and the
    address bar and tab title follow."""
    def shown() -> bool:
        try:
            return dash_duo.driver.find_element("css selector", HEADING).text.startswith(name)
        except (NoSuchElementException, StaleElementReferenceException):
            return False  # the page is being replaced

    until(shown, timeout=10, msg=f"no heading starting with {name!r}")
    url = dash_duo.server_url.rstrip("/") + path
    until(lambda: dash_duo.driver.current_url == url, timeout=4, msg=f"URL is not {url}")
    title = f"{name} | {SITE}"
    until(lambda: dash_duo.driver.title == title, timeout=4, msg=f"title is not {title!r}")


def test_navbar_reaches_every_page(dash_duo: DashComposite, app: dash.Dash) -> None:
    dash_duo.start_server(app)
    dash_duo.wait_for_element(f"#{layout.NAVBAR_ID}")
    dash_duo.wait_for_text_to_equal(".navbar-brand", SITE)
    wait_for_page(dash_duo, "Overview", "/")

    pages = layout.nav_pages()
    links = dash_duo.find_elements(f"#{layout.NAVBAR_ID} a.nav-link")
    assert [link.text for link in links] == [page["name"] for page in pages]

    for page in [*pages[1:], pages[0]]:  # end back on the overview
        nav_link(dash_duo, page["relative_path"]).click()
        wait_for_page(dash_duo, page["name"], page["relative_path"])
        assert "active" in nav_link(dash_duo, page["relative_path"]).get_attribute("class")
        assert dash_duo.find_element(f"#{layout.MAIN_ID} .alert").is_displayed()

    assert dash_duo.get_logs() == []


def test_unknown_path_shows_the_404_page(dash_duo: DashComposite, app: dash.Dash) -> None:
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url.rstrip("/") + "/no-such-page")
    dash_duo.wait_for_text_to_equal(HEADING, "Page not found")
    until(lambda: dash_duo.driver.title == f"Page not found | {SITE}", timeout=4)
    assert dash_duo.find_element(".portal-footer").is_displayed()

    dash_duo.find_element(f"#{layout.MAIN_ID} a.btn").click()
    wait_for_page(dash_duo, "Overview", "/")
    assert dash_duo.get_logs() == []


def test_works_without_internet(dash_duo: DashComposite, app: dash.Dash) -> None:
    """Everything comes from this server: Bootstrap styles apply and the icon font loads."""
    dash_duo.start_server(app)
    wait_for_page(dash_duo, "Overview", "/")
    driver = dash_duo.driver

    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name);"
    )
    origin = dash_duo.server_url.rstrip("/")
    assert resources
    assert [url for url in resources if not url.startswith(origin + "/")] == []

    navbar = dash_duo.find_element(f"#{layout.NAVBAR_ID}")
    assert navbar.value_of_css_property("display") == "flex"  # Bootstrap's .navbar
    # Icons are drawn from the served stylesheet's SVG masks: 1em boxes, no font to fetch.
    glyph = dash_duo.find_element(f"#{layout.NAVBAR_ID} .bi")
    assert glyph.value_of_css_property("mask-image").startswith('url("data:image/svg+xml')
    assert glyph.size["width"] > 8
    assert not driver.execute_script("return [...document.fonts].length")
    assert driver.execute_script("return document.documentElement.lang") == "en"
    assert dash_duo.get_logs() == []


def test_skip_link_and_main_landmark(dash_duo: DashComposite, app: dash.Dash) -> None:
    dash_duo.start_server(app)
    wait_for_page(dash_duo, "Overview", "/")
    assert len(dash_duo.find_elements("main")) == 1

    dash_duo.find_element("body").send_keys(Keys.TAB)
    skip = dash_duo.driver.switch_to.active_element
    assert skip.text == "Skip to main content"
    assert skip.get_attribute("href").endswith(f"#{layout.MAIN_ID}")
    skip.send_keys(Keys.ENTER)
    until(
        lambda: dash_duo.driver.switch_to.active_element.get_attribute("id") == layout.MAIN_ID,
        timeout=4,
    )
    assert dash_duo.get_logs() == []


def test_navbar_collapses_on_a_phone(dash_duo: DashComposite, app: dash.Dash) -> None:
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(400, 800)
    wait_for_page(dash_duo, "Overview", "/")

    toggler = dash_duo.find_element(".navbar-toggler")
    link = nav_link(dash_duo, "/training")
    assert toggler.is_displayed()
    assert not link.is_displayed()
    assert toggler.get_attribute("aria-expanded") == "false"

    toggler.click()
    until(link.is_displayed, timeout=4)
    assert toggler.get_attribute("aria-expanded") == "true"

    link.click()
    wait_for_page(dash_duo, "Training", "/training")
    until(lambda: not nav_link(dash_duo, "/training").is_displayed(), timeout=4)
    assert toggler.get_attribute("aria-expanded") == "false"
    assert dash_duo.get_logs() == []


def test_no_horizontal_scroll_on_a_phone(dash_duo: DashComposite, app: dash.Dash) -> None:
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 740)
    wait_for_page(dash_duo, "Overview", "/")
    overflow = dash_duo.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    assert overflow <= 0
    brand, toggler = (
        dash_duo.find_element(".navbar-brand"),
        dash_duo.find_element(".navbar-toggler"),
    )
    assert brand.location["y"] == pytest.approx(toggler.location["y"], abs=12)  # one row
    assert dash_duo.get_logs() == []
