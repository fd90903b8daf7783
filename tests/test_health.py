"""``/healthz``: the release, the database and the cache, without leaking how they are reached."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import dash
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal import config, health, query
from portal.app import create_app
from portal.cache import cache
from tests.conftest import DEMO_PACKAGES, portal_config


def _health(client: FlaskClient) -> tuple[int, dict]:
    response = client.get(health.PATH)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def test_ok_names_the_release(demo_client: FlaskClient) -> None:
    code, document = _health(demo_client)
    assert code == 200
    assert document["status"] == "ok"
    latest = (DEMO_PACKAGES / "latest").resolve().name
    listed = json.loads((DEMO_PACKAGES / "releases.json").read_text(encoding="utf-8"))
    assert document["release"]["version"] == latest
    # The fingerprint the ETL lists for that release (the portal's is the same hash).
    assert document["release"]["fingerprint"] == next(
        e["fingerprint"] for e in listed if e["version"] == latest)
    assert document["database"] == {"ok": True}
    assert document["cache"] == {"ok": True}
    assert isinstance(document["pid"], int)


def test_nothing_published_is_unavailable(client: FlaskClient) -> None:
    code, document = _health(client)
    assert code == 503
    assert document["status"] == "unavailable"
    assert document["release"] is None
    assert document["database"] == {"ok": True}


def test_a_dead_database_is_unavailable_and_not_described(demo_app: dash.Dash,
                                                          tmp_path: Path) -> None:
    secret_url = f"sqlite:///{tmp_path}/no/such/dir/secret-password.sqlite"
    with demo_app.server.app_context():
        query.store().engine = sa.create_engine(secret_url)
    response = demo_app.server.test_client().get(health.PATH)
    assert response.status_code == 503
    document = response.get_json()
    assert document["status"] == "unavailable"
    assert document["database"] == {"ok": False, "error": "OperationalError"}
    assert "secret" not in response.get_data(as_text=True)


def test_a_failing_cache_is_degraded_but_serving(demo_app: dash.Dash,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_app.server.app_context():
        backend = cache.cache

    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis://:secret@cache:6379 refused")

    monkeypatch.setattr(backend, "set", refuse)
    monkeypatch.setattr(backend, "get", refuse)
    client = demo_app.server.test_client()
    code, document = _health(client)
    assert code == 200
    assert document["status"] == "degraded"
    assert document["cache"] == {"ok": False, "error": "ConnectionError"}
    assert "secret" not in json.dumps(document)
    # The claim behind "degraded, not unavailable": pages still answer with the cache down.
    assert client.get("/charts/businesses-by-sector.csv").status_code == 200


def test_an_unreachable_redis_is_degraded(tmp_path: Path) -> None:
    """Through the production backend, which hides Redis errors as cache misses."""
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = {**portal_config(tmp_path),
                **config.cache_settings(f"redis://:secret@127.0.0.1:{port}/0")}
    client = create_app(DEMO_PACKAGES, settings).server.test_client()
    code, document = _health(client)
    assert (code, document["status"]) == (200, "degraded")
    assert document["cache"] == {"ok": False, "error": "CacheUnavailable"}
    assert "secret" not in json.dumps(document)


@pytest.mark.filterwarnings("ignore:Flask-Caching.*NullCache:UserWarning")
def test_a_switched_off_cache_is_ok(tmp_path: Path) -> None:
    settings = {**portal_config(tmp_path), **config.cache_settings("null")}
    code, document = _health(create_app(DEMO_PACKAGES, settings).server.test_client())
    assert (code, document["status"], document["cache"]) == (200, "ok", {"ok": True})


def test_a_hung_database_times_out_without_piling_up(demo_app: dash.Dash,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hung(engine: sa.Engine) -> Callable[[], None]:
        def check() -> None:
            release.wait(5)  # a connection that never answers (until the test lets it go)
        return check

    monkeypatch.setattr(health, "_database_check", hung)
    checks = health._Checks()
    try:
        with demo_app.server.app_context():
            started = time.monotonic()
            document, code = health.report(checks, timeout=0.2)
            assert time.monotonic() - started < 2
            assert (code, document["database"]) == (503, {"ok": False, "error": "TimeoutError"})
            # Still hung: answered at once, no second thread started.
            started = time.monotonic()
            document, code = health.report(checks, timeout=2)
            assert time.monotonic() - started < 1
            assert document["database"]["error"] == "TimeoutError"
            release.set()
            time.sleep(0.1)
            monkeypatch.undo()
            document, code = health.report(checks)
            assert (code, document["status"]) == (200, "ok")
    finally:
        release.set()
