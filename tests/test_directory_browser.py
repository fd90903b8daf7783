"""The supplier directory in a real headless Chromium: a buyer searches, opens a listing and
sends a request through the programme, with no console error. (axe-core checks the directory,
a listing, its contact form and a missing listing in every language with the other pages:
tests/test_accessibility.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dash
import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from portal.app import create_app
from portal.contact import store
from portal.contact.models import EXTENSION
from tests.conftest import portal_config
from tests.directory_helpers import listings, release_with_directory

pytestmark = pytest.mark.browser

CARD_TITLES = "#directory-results .portal-listing .card-title"


@pytest.fixture
def directory_app(tmp_path: Path) -> Iterator[dash.Dash]:
    packages = release_with_directory(tmp_path / "datapackages")
    yield create_app(packages, portal_config(tmp_path))


def names_shown(dash_duo: DashComposite) -> list[str]:
    try:
        return sorted(e.text for e in dash_duo.driver.find_elements(By.CSS_SELECTOR, CARD_TITLES))
    except StaleElementReferenceException:
        return []


def heading(dash_duo: DashComposite) -> str:
    try:
        return dash_duo.driver.find_element(By.CSS_SELECTOR, "main h1").text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def test_a_buyer_searches_and_opens_a_listing(dash_duo: DashComposite,
                                              directory_app: dash.Dash) -> None:
    dash_duo.start_server(directory_app)
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url}/directory")
    everyone = sorted(x["name"] for x in listings())
    until(lambda: names_shown(dash_duo) == everyone, timeout=15)
    # Typing a product narrows the results and writes the search into the address.
    box = driver.find_element(By.CSS_SELECTOR, "input[type=search]")
    box.send_keys("honey", Keys.ENTER)
    honey = sorted(x["name"] for x in listings()
                   if any("honey" in p["name"].lower() for p in x["products"] or []))
    until(lambda: names_shown(dash_duo) == honey, timeout=10)
    assert "product=honey" in driver.current_url
    # The shared address gives the same results on a fresh load.
    driver.get(driver.current_url)
    until(lambda: names_shown(dash_duo) == honey, timeout=15)
    # Open the listing: its page, then the brokered contact form.
    driver.find_element(By.CSS_SELECTOR, f"{CARD_TITLES} a").click()
    item = next(x for x in listings() if x["name"] == honey[0])
    until(lambda: heading(dash_duo) == item["name"], timeout=10)
    assert driver.current_url.endswith(f"/directory/{item['id']}")
    assert item["email"] in driver.find_element(By.TAG_NAME, "main").text
    assert dash_duo.get_logs() == []
    # Ask the programme to put us in touch: the server-rendered form, sent once.
    driver.find_element(By.CSS_SELECTOR, "main a.btn-primary").click()
    until(lambda: item["name"] in heading(dash_duo), timeout=10)
    for name, value in (("name", "Arta Buyer"), ("organisation", "Prishtina Foods"),
                        ("email", "arta@example.org"),
                        ("message", "20 kg of chestnut honey a month, from May.")):
        driver.find_element(By.ID, name).send_keys(value)
    send = driver.find_element(By.CSS_SELECTOR, "form button[type=submit]")
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", send)
    send.click()
    until(lambda: driver.current_url.endswith(f"/directory/{item['id']}/contact/sent"),
          timeout=10)
    stored = store.listed(directory_app.server.extensions[EXTENSION])
    assert [(r.listing_id, r.name, r.email) for r in stored] == [
        (item["id"], "Arta Buyer", "arta@example.org")]
    assert dash_duo.get_logs() == []
