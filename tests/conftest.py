"""Shared fixtures: a portal app per test (Flask-tutorial style) and browser options.

``PORTAL_TEST_BACKEND=production`` runs the same tests on the production backends of this
machine: every test portal gets a fresh PostgreSQL schema (``t_<uuid>``, through the
URL's ``search_path``) and its own Redis key prefix, both removed when the process ends.
``make test`` runs the data-layer and API tests that way after the full SQLite run.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import threading
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dash
import flask
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.app import create_app
from portal.config import SAFE_REDIS_CACHE

if TYPE_CHECKING:
    from selenium.webdriver.chrome.options import Options

INSTALL_HINT = "apt-get install chromium chromium-driver"


@pytest.fixture(autouse=True, scope="session")
def _history_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Ledgers of the releases tests build go to a temporary folder, never the checkout's
    (builds in subprocesses inherit it)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PORTAL_HISTORY_DIR", str(tmp_path_factory.mktemp("etl-history")))
    yield
    patch.undo()


@pytest.fixture
def packages_dir(tmp_path: Path) -> Path:
    """An empty data-packages directory, so tests never read the repo's real data."""
    path = tmp_path / "datapackages"
    path.mkdir()
    return path


#: The committed demo release (read only: tests never write into it).
DEMO_PACKAGES = Path(__file__).resolve().parent.parent / "datapackages"


#: "sqlite" (the default: a SQLite file and an in-process cache per test portal) or
#: "production" (PostgreSQL and Redis, see the module docstring).
#: No portal a test starts (``serve`` in a subprocess) makes documents ahead beside it: its
#: child would take the CPU from the tests (portal.publications.ahead; tested on its own).
os.environ.setdefault("PORTAL_PUBLICATIONS_AHEAD", "0")
BACKEND = os.environ.get("PORTAL_TEST_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "production"):
    raise pytest.UsageError(f"PORTAL_TEST_BACKEND must be sqlite or production, got {BACKEND!r}")
PRODUCTION = BACKEND == "production"
#: The servers of the production run (``tests/services.sh`` starts them).
TEST_POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL",
                                   "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

_schemas: list[str] = []
_prefixes: list[str] = []
_engines: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _admin() -> sa.Engine:
    return sa.create_engine(TEST_POSTGRES_URL, poolclass=sa.pool.NullPool)


def database_url(tmp_path: Path, name: str = "portal.sqlite") -> str:
    """A database of the test's own: a SQLite file in ``tmp_path``, or a new PostgreSQL schema."""
    if not PRODUCTION:
        return f"sqlite:///{tmp_path / name}"
    schema = f"t_{uuid.uuid4().hex}"
    with _admin().begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    _schemas.append(schema)
    return f"{TEST_POSTGRES_URL}?options=-csearch_path%3D{schema}"


def portal_config(tmp_path: Path) -> dict[str, object]:
    """Settings of a test portal: its own databases and a cache of its own."""
    config: dict[str, object] = {
        "TESTING": True, "DATABASE_URL": database_url(tmp_path),
        "CONTACT_DATABASE_URL": database_url(tmp_path, "contact-requests.sqlite")}
    if PRODUCTION:
        prefix = f"nkpm-test-{uuid.uuid4().hex}:"
        _prefixes.append(prefix)
        config.update(CACHE_TYPE=SAFE_REDIS_CACHE, CACHE_REDIS_URL=TEST_REDIS_URL,
                      CACHE_KEY_PREFIX=prefix)
    return config


@atexit.register
def _remove_production_data() -> None:
    """Drop the test schemas and Redis keys (at exit: module-scoped apps use them to the end).

    At exit rather than in a session fixture, so that the subprocesses some tests start
    clean up after themselves too.
    """
    for engine in list(_engines):
        engine.dispose()
    if _schemas:  # one transaction each: dropping them all in one runs out of lock slots
        with _admin().connect() as conn:
            for schema in _schemas:
                with conn.begin():
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    if _prefixes:
        import redis

        client = redis.Redis.from_url(TEST_REDIS_URL)
        for prefix in _prefixes:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    """Return each test's PostgreSQL connections, so hundreds of test portals stay within
    ``max_connections`` (an engine used again later simply reconnects)."""
    if not PRODUCTION:
        yield
        return

    def remember(conn: sa.Connection) -> None:
        _engines.add(conn.engine)

    sa.event.listen(sa.Engine, "engine_connect", remember)
    try:
        yield
    finally:
        sa.event.remove(sa.Engine, "engine_connect", remember)
        for engine in list(_engines):
            engine.dispose()


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


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(app: flask.Flask) -> Iterator[str]:
    """``app`` served on the loopback interface while the block runs: its base URL (no slash
    at the end), for a browser test that needs a second site beside ``dash_duo``'s."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
