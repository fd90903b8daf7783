"""The staff workspace in a real headless Chromium: the whole way from a broken upload to a
release on the public portal and a withdrawal, and axe-core on every page in every language.

The workspace is served on 127.0.0.1 by werkzeug in a thread (its session cookie is
``Secure``: Chromium keeps Secure cookies of http://127.0.0.1, a potentially trustworthy
origin); the public portal is served by ``dash_duo`` on localhost, over the same packages.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from pathlib import Path

import pytest
import requests
import workspace_helpers
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from openpyxl import load_workbook
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from workspace_helpers import PASSWORD, Workspace, zipped

from portal.app import create_app
from portal.i18n import LOCALES
from tests.conftest import served
from tests.test_accessibility import AXE_TAGS, RUN_AXE, axe_source, describe

pytestmark = pytest.mark.browser

# The workspace's fixtures, registered for this module by being bound in it.
demo_exports = workspace_helpers.demo_exports
published_template = workspace_helpers.published_template
workspace = workspace_helpers.workspace

COOKIE = "nkpm_workspace"
#: Building a preview or a release runs the whole ETL.
BUILD_TIMEOUT = 180
#: The broken cells of the broken export: (data row index, column, value).
BROKEN = [(4, "municipality", "Atlantis"), (9, "founded_year", "abc")]


# --- helpers -------------------------------------------------------------------------------


def heading(driver: WebDriver) -> str:
    try:
        return driver.find_element(By.CSS_SELECTOR, "main h1").text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def open_page(driver: WebDriver, url: str) -> None:
    driver.get(url)
    until(lambda: heading(driver), timeout=10, msg=f"no heading on {url}")


def click(driver: WebDriver, element: WebElement) -> None:
    """Click ``element`` once it is scrolled into view (at once: Bootstrap makes scrolling
    smooth, and chromedriver would click where the element was before the scroll ended)."""
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def submit(driver: WebDriver, button: WebElement, timeout: float = 20) -> None:
    """Click a form's submit button and wait for the page the form leads to (a mark on the
    old page's window is gone: asking for a node of a page being replaced makes chromedriver
    fail now and then)."""
    driver.execute_script("window.__leaving = true")
    click(driver, button)

    def arrived(d: WebDriver) -> bool:
        try:
            return d.execute_script("return document.readyState === 'complete' "
                                    "&& window.__leaving === undefined")
        except WebDriverException:
            return False

    WebDriverWait(driver, timeout).until(arrived)
    until(lambda: heading(driver), timeout=10, msg="no heading after the form was sent")


def upload(driver: WebDriver, base: str, path: Path) -> str:
    """Upload ``path`` through the form of /uploads/; the URL of the upload's page."""
    open_page(driver, f"{base}/uploads/")
    driver.find_element(By.ID, "file").send_keys(str(path))
    submit(driver, driver.find_element(By.ID, "upload"), timeout=60)
    assert "/uploads/" in driver.current_url and driver.current_url != f"{base}/uploads/", (
        driver.find_element(By.TAG_NAME, "main").text)
    return driver.current_url.split("?")[0]


def sign_in(driver: WebDriver, base: str, name: str) -> None:
    open_page(driver, f"{base}/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(driver, driver.find_element(By.ID, "sign-in"))
    assert driver.current_url == f"{base}/", driver.find_element(By.TAG_NAME, "main").text
    cookie = driver.get_cookie(COOKIE)
    assert cookie is not None and cookie["secure"] and cookie["httpOnly"]


def preview(driver: WebDriver, url: str) -> WebElement:
    """Preview the release of a clean upload; its section."""
    open_page(driver, url)
    submit(driver, driver.find_element(By.ID, "preview"), timeout=BUILD_TIMEOUT)
    return driver.find_element(By.ID, "preview-section")


def table_rows(driver: WebDriver, table_id: str) -> list[list[str]]:
    """The body rows of a table, each a list of its cells' text."""
    rows = driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")
    return [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
            for row in rows]


def broken_export(source: Path, tmp_path: Path) -> Path:
    """The demo's CSV export with ``BROKEN`` cells in enterprises.csv, zipped."""
    folder = tmp_path / "broken"
    shutil.copytree(source, folder)
    path = folder / "enterprises.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    for index, column, value in BROKEN:
        rows[index][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return zipped(folder, tmp_path / "broken.zip")


def release_row(driver: WebDriver, version: str) -> list[str]:
    row = driver.find_element(By.ID, f"release-{version}")
    return [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]


# --- the whole flow --------------------------------------------------------------------------


def test_from_a_broken_upload_to_a_public_release_and_a_withdrawal(
        dash_duo: DashComposite, workspace: Workspace, demo_exports: dict[str, Path],
        tmp_path: Path) -> None:
    dash_duo.start_server(create_app(workspace.packages))
    driver = dash_duo.driver
    portal = dash_duo.server_url.rstrip("/")
    open_page(driver, f"{portal}/?lang=en")
    until(lambda: "Release 1.1.0" in driver.find_element(By.CSS_SELECTOR, ".portal-release").text,
          timeout=15, msg="the public portal does not show release 1.1.0 at first")

    with served(workspace.app) as base:
        sign_in(driver, base, "publisher")

        # A broken export: the problems are listed where they are, and downloadable.
        url = upload(driver, base, broken_export(demo_exports["wave3"], tmp_path))
        summary = driver.find_element(By.ID, "check-summary").text
        assert summary.startswith("Found ") and "Nothing will be published" in summary
        problems = table_rows(driver, "problems")
        for index, column, value in BROKEN:
            assert any(row[0] == "Error" and row[1] == "enterprises.csv"
                       and row[2] == str(index + 2) and row[3] == column and row[4] == value
                       for row in problems), (column, value, problems)
        assert not driver.find_elements(By.ID, "preview")  # nothing to preview
        report = driver.find_element(By.ID, "report-xlsx").get_attribute("href")
        assert report == f"{url}/report.xlsx"
        answer = requests.get(report, cookies={COOKIE: driver.get_cookie(COOKIE)["value"]},
                              timeout=30)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        cells = {str(c) for row in load_workbook(io.BytesIO(answer.content)).active.values
                 for c in row}
        assert {"Atlantis", "abc", "municipality", "founded_year"} <= cells
        # Without the session the report is not given out.
        assert requests.get(report, timeout=30, allow_redirects=False).status_code == 302

        # The good workbook: no errors, a preview of release 1.2.0, then published.
        url = upload(driver, base, demo_exports["wave3.xlsx"])
        assert driver.find_element(By.ID, "check-summary").text.startswith("No errors")
        assert not driver.find_elements(By.ID, "problems")
        section = preview(driver, url)
        assert "Release 1.2.0 as it would be published" in section.text
        assert "Compared with the current release 1.1.0." in section.text
        figures = table_rows(driver, "preview-figures")
        assert figures and all(len(row) == 4 and row[0] and row[2] for row in figures)
        units = {row[0]: row[1:] for row in table_rows(driver, "preview-units")}
        assert "Businesses" in units
        assert all(value.replace(",", "").isdigit() for value in units["Businesses"])
        submit(driver, driver.find_element(By.ID, "publish"), timeout=BUILD_TIMEOUT)
        assert driver.current_url == f"{base}/releases/"
        assert "Release 1.2.0 is published." in driver.find_element(By.TAG_NAME, "main").text
        assert release_row(driver, "1.2.0")[2] == "Current"
        assert release_row(driver, "1.1.0")[2] == "Published"

        # The public portal shows the new release without a restart (it polls the folder).
        deadline = time.monotonic() + 30
        while True:
            open_page(driver, f"{portal}/?lang=en")
            until(lambda: driver.find_elements(By.CSS_SELECTOR, ".portal-release"), timeout=15)
            line = driver.find_element(By.CSS_SELECTOR, ".portal-release").text
            if "Release 1.2.0" in line or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert "Release 1.2.0" in line

        # Withdrawing 1.0.0: the version typed to confirm, a reason that is published.
        reason = "Wave 1 counted one business twice."
        open_page(driver, f"{base}/releases/")
        details = driver.find_element(
            By.XPATH, "//details[summary[normalize-space()='Withdraw release 1.0.0']]")
        click(driver, details.find_element(By.TAG_NAME, "summary"))
        details.find_element(By.NAME, "reason").send_keys(reason)
        details.find_element(By.NAME, "confirm").send_keys("1.0.0")
        submit(driver, details.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert driver.current_url == f"{base}/releases/"
        state = release_row(driver, "1.0.0")[2]
        assert state.startswith("withdrawn on ") and state.endswith(f": {reason}")
        assert release_row(driver, "1.2.0")[2] == "Current"
        assert not driver.find_elements(
            By.XPATH, "//summary[normalize-space()='Withdraw release 1.0.0']")

    listed = json.loads((workspace.packages / "releases.json").read_text(encoding="utf-8"))
    tomb = next(e for e in listed if e["version"] == "1.0.0")
    assert tomb["withdrawn"] and tomb["reason"] == reason
    assert not (workspace.packages / "1.0.0").exists()
    assert [e["version"] for e in listed if not e.get("withdrawn")] == ["1.1.0", "1.2.0"]
    assert dash_duo.get_logs() == []


# --- axe-core on every page in every language ------------------------------------------------


def check_page(driver: WebDriver, source: str, where: str, code: str) -> list[str]:
    """axe, ``<html lang>`` and horizontal overflow on the page shown; what is wrong."""
    wrong = []
    lang = driver.execute_script("return document.documentElement.lang")
    if lang != code:
        wrong.append(f"  {where}: <html lang={lang!r}>")
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        wrong.append(f"  {where}: the page is {overflow}px wider than the window")
    driver.execute_script(source)
    result = driver.execute_async_script(RUN_AXE, AXE_TAGS)
    assert "error" not in result, f"axe failed on {where}: {result.get('error')}"
    assert "color-contrast" in result["rules"]
    if result["violations"]:
        wrong.append(f"  {where}:\n{describe(result['violations'])}")
    return wrong


def test_no_axe_violations_on_any_workspace_page(
        dash_duo: DashComposite, workspace: Workspace, demo_exports: dict[str, Path],
        tmp_path: Path) -> None:
    source = axe_source()
    driver = dash_duo.driver
    failures: list[str] = []
    logs: dict[str, list] = {}

    def check(where: str, code: str) -> None:
        failures.extend(check_page(driver, source, where, code))
        found = dash_duo.get_logs()
        if found:
            logs[where] = found

    with served(workspace.app) as base:
        for code in LOCALES:
            open_page(driver, f"{base}/login?lang={code}")
            check(f"/login?lang={code}", code)

        sign_in(driver, base, "admin")
        broken = upload(driver, base, broken_export(demo_exports["wave3"], tmp_path))
        assert driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr")
        good = upload(driver, base, demo_exports["wave3.xlsx"])
        preview(driver, good)
        open_page(driver, f"{base}/indicators/")
        driver.find_element(By.ID, "period_start").send_keys("2025-01-01")
        driver.find_element(By.ID, "period_end").send_keys("2025-06-30")
        driver.find_element(By.ID, "actual").send_keys("12")
        driver.find_element(By.ID, "note").send_keys("From the partner's spreadsheet.")
        submit(driver, driver.find_element(By.ID, "save-report"))
        assert len(table_rows(driver, "entered-reports")) == 1
        assert dash_duo.get_logs() == []

        pages = ["/", "/uploads/", broken.removeprefix(base), good.removeprefix(base),
                 "/releases/", "/indicators/", "/users", "/audit"]
        for code in LOCALES:
            for path in pages:
                open_page(driver, f"{base}{path}?lang={code}")
                check(f"{path}?lang={code}", code)
                if path == good.removeprefix(base):
                    assert driver.find_elements(By.ID, "preview-section")
                if path == broken.removeprefix(base):
                    assert driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr")
                if path == "/indicators/":  # and the same page showing a refused value
                    driver.find_element(By.ID, "period_start").send_keys("2025-02-30")
                    driver.find_element(By.ID, "period_end").send_keys("2025-06-30")
                    driver.find_element(By.ID, "actual").send_keys("3")
                    submit(driver, driver.find_element(By.ID, "save-report"))
                    assert driver.find_element(By.ID, "report-errors").text
                    assert dash_duo.get_logs() == []
                    check(f"/indicators/ (refused value) in {code}", code)

    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)
    assert logs == {}
