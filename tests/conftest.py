"""Shared fixtures: a portal app per test (Flask-tutorial style) and browser options."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dash
import pytest
from flask.testing import FlaskClient

from portal.app import create_app

if TYPE_CHECKING:
    from selenium.webdriver.chrome.options import Options

INSTALL_HINT = "apt-get install chromium chromium-driver"


@pytest.fixture
def packages_dir(tmp_path: Path) -> Path:
    """An empty data-packages directory, so tests never read the repo's real data."""
    path = tmp_path / "datapackages"
    path.mkdir()
    return path


#: The committed demo release (read only: tests never write into it).
DEMO_PACKAGES = Path(__file__).resolve().parent.parent / "datapackages"


def portal_config(tmp_path: Path) -> dict[str, object]:
    """Settings of a test portal: its own SQLite file and a cache of its own."""
    return {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite'}"}


@pytest.fixture
def app(packages_dir: Path, tmp_path: Path) -> Iterator[dash.Dash]:
    """A fresh portal with nothing published."""
    yield create_app(packages_dir, portal_config(tmp_path))


@pytest.fixture
def demo_app(tmp_path: Path) -> Iterator[dash.Dash]:
    """A fresh portal serving the committed demo release."""
    yield create_app(DEMO_PACKAGES, portal_config(tmp_path))


@pytest.fixture
def demo_client(demo_app: dash.Dash) -> FlaskClient:
    return demo_app.server.test_client()


@pytest.fixture
def client(app: dash.Dash) -> FlaskClient:
    """HTTP client for the portal's Flask server (no browser, no network)."""
    return app.server.test_client()


def pytest_configure(config: pytest.Config) -> None:
    """Silence selenium 4.2's urllib3 deprecation noise (hundreds per browser test)."""
    config.addinivalue_line(
        "filterwarnings", "ignore:HTTPResponse.getheader:DeprecationWarning:selenium"
    )


def _chromium_binary() -> str | None:
    explicit = os.environ.get("DASH_TEST_CHROMEPATH")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_setup_options() -> Options:
    """Chrome options for ``dash_duo``: headless, and quiet on a machine without internet.

    Missing Chromium or chromedriver fails the test loudly instead of skipping it,
    so a green run always means the browser tests really ran.
    """
    from selenium.webdriver.chrome.options import Options

    binary = _chromium_binary()
    missing = [
        name
        for name, found in (("chromium", binary), ("chromedriver", shutil.which("chromedriver")))
        if not found
    ]
    if missing:
        pytest.fail(
            f"browser tests need {' and '.join(missing)} on PATH; install with: {INSTALL_HINT}",
            pytrace=False,
        )

    options = Options()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        # Without these Chromium phones home, fails (no internet) and logs errors.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    return options
