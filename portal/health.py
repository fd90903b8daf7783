"""``/healthz``: is this worker able to serve, and which release does it serve?

For load balancers, ``systemd``/container health checks and the load tests. The answer is
JSON, never cached (``Cache-Control: no-store``)::

    {"status": "ok" | "degraded" | "unavailable",
     "release": {"version": "1.0.0", "fingerprint": "…"} | null,
     "database": {"ok": true} | {"ok": false, "error": "OperationalError"},
     "cache": {"ok": true} | {"ok": false, "error": "ConnectionError"},
     "pid": 1234}

- **ok** (HTTP 200): the database answers ``SELECT 1``, the cache stores and returns a
  value (or is switched off, ``PORTAL_CACHE_URL=null``), and a release is loaded.
- **degraded** (HTTP 200): only the cache fails. Pages and the API still answer: outside
  debug mode flask-caching logs cache errors and computes the value instead, so the worker
  is slower but correct, and taking it out of a load balancer would not help (a shared
  cache fails for every worker alike).
- **unavailable** (HTTP 503): the database does not answer in :data:`CHECK_TIMEOUT`
  seconds, or nothing has been published: no page could show data.

Errors are reported by exception class name only: a message could hold a connection string
with a password, and a traceback tells an attacker too much. ``pid`` tells which worker
answered (useful when several run behind one port).
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

import dash
import flask
import sqlalchemy as sa
from flask_caching.backends import NullCache

from portal import query
from portal.cache import cache

PATH = "/healthz"
#: Seconds a check may take before it counts as failed (a hung database must not hang
#: the health check, which load balancers call with a short timeout of their own).
CHECK_TIMEOUT = 2.0

_KEY = "portal_health"


class _Checks:
    """Runs each check in a worker thread with a timeout, at most one at a time per kind.

    A check still running from an earlier call (a hung connection) is reported as a
    timeout at once instead of queueing another, so a dead backend never piles up threads.
    """

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=2,
                                                           thread_name_prefix="healthz")
        self._running: dict[str, concurrent.futures.Future[None]] = {}
        self._lock = threading.Lock()

    def run(self, name: str, check: Callable[[], None], timeout: float) -> dict[str, Any]:
        with self._lock:
            running = self._running.get(name)
            if running is not None and not running.done():
                return {"ok": False, "error": "TimeoutError"}
            future = self._pool.submit(check)
            self._running[name] = future
        try:
            future.result(timeout=timeout)
        except TimeoutError:
            return {"ok": False, "error": "TimeoutError"}
        except Exception as error:  # noqa: BLE001 - any failure means "not ok"; name it only
            return {"ok": False, "error": type(error).__name__}
        return {"ok": True}


def _database_check(engine: sa.Engine) -> Callable[[], None]:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1")).scalar_one()
    return check


class CacheUnavailable(RuntimeError):
    """The cache refused a value or did not give it back (a backend that hides its errors,
    like :class:`portal.cache.SafeRedisCache`, answers a failed call as a miss)."""


def _cache_check(backend: Any) -> Callable[[], None]:
    def check() -> None:
        if isinstance(backend, NullCache):  # caching switched off on purpose: nothing to fail
            return
        key = f"portal-healthz-{uuid.uuid4().hex}"
        token = uuid.uuid4().hex
        if not backend.set(key, token, timeout=30):
            raise CacheUnavailable
        try:
            if backend.get(key) != token:
                raise CacheUnavailable
        finally:
            backend.delete(key)
    return check


def report(checks: _Checks, timeout: float = CHECK_TIMEOUT) -> tuple[dict[str, Any], int]:
    """The health document and HTTP status for the current app (needs an app context)."""
    store = query.store()
    database = checks.run("database", _database_check(store.engine), timeout)
    try:
        backend = cache.cache
    except Exception as error:  # noqa: BLE001 - a cache that cannot even be built
        cache_state: dict[str, Any] = {"ok": False, "error": type(error).__name__}
    else:
        cache_state = checks.run("cache", _cache_check(backend), timeout)

    release: dict[str, str] | None = None
    if database["ok"]:
        try:
            loaded = store.current()
        except Exception as error:  # noqa: BLE001 - reported as the database failing
            database = {"ok": False, "error": type(error).__name__}
        else:
            if loaded is not None:
                release = {"version": loaded.version, "fingerprint": loaded.fingerprint}

    if not database["ok"] or release is None:
        status, code = "unavailable", 503
    elif not cache_state["ok"]:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    document = {"status": status, "release": release, "database": database,
                "cache": cache_state, "pid": os.getpid()}
    return document, code


def init_app(app: dash.Dash) -> None:
    """Mount :data:`PATH` on ``app.server`` (below Dash's routes prefix, like every route)."""
    server = app.server
    checks = _Checks()
    server.extensions[_KEY] = checks

    def healthz() -> flask.Response:
        document, code = report(checks)
        response = flask.jsonify(document)
        response.status_code = code
        response.headers["Cache-Control"] = "no-store"
        return response

    prefix = app.config.routes_pathname_prefix.rstrip("/")
    server.add_url_rule(prefix + PATH, "healthz", healthz, methods=["GET", "HEAD"])
