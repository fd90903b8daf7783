"""Production serving: the portal under gunicorn (``python -m portal serve --production``).

gunicorn runs as a library (:class:`gunicorn.app.base.BaseApplication`) so the portal keeps one
command line and one way of finding its packages and settings, instead of a separate
``gunicorn portal.wsgi:app`` invocation with its own flags.

Design choices:

- **Workers build their own app after the fork** (``preload_app`` off). Each worker calls
  the app factory itself, so its SQLAlchemy engine, connection pool, cache client and
  health-check threads belong to that process alone: a database connection (SQLite file
  handle or PostgreSQL socket) inherited across ``fork`` and used by two processes corrupts
  the protocol stream. The cost is a second or so of start-up per worker.
- **The master loads the release once before forking** (:func:`prepare`), then throws that
  app away and closes its connections, so workers start with the release ready in the
  database instead of all finding it missing at their first request (and a broken database
  URL stops the start with one line, before any worker exists).
- **gthread workers**: requests are mostly short SQL reads and Dash callbacks; threads
  share a worker's memory (its app, cached figures) and keep slow clients from blocking a
  whole process.
- **Limits**: gunicorn refuses request lines longer than :data:`LIMIT_REQUEST_LINE` bytes and
  headers longer than :data:`LIMIT_REQUEST_FIELD_SIZE` (the longest legitimate URL is an API
  query with a few filters); bodies are limited by Flask (:mod:`portal.security`).
- **Graceful stop**: on SIGTERM workers finish their requests for up to
  :data:`GRACEFUL_TIMEOUT` seconds. No access log (a reverse proxy keeps one, and it would
  dominate load tests); errors go to standard error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import flask
from gunicorn.app.base import BaseApplication
from sqlalchemy.exc import SQLAlchemyError

from portal import config as portal_config
from portal import query
from portal.app import create_app

DEFAULT_WORKERS = portal_config.DEFAULT_WORKERS
DEFAULT_THREADS = 4
WORKERS_ENV = portal_config.WORKERS
GRACEFUL_TIMEOUT = 20
#: A worker silent for this long (stuck in a query) is killed and replaced.
WORKER_TIMEOUT = 60
LIMIT_REQUEST_LINE = 4094
LIMIT_REQUEST_FIELD_SIZE = 8190

#: Settings forced in production whatever else is configured: no debugger, no exception
#: propagated to the WSGI server (clients get :mod:`portal.security`'s generic 500).
PRODUCTION_SETTINGS: dict[str, object] = {
    "DEBUG": False,
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": False,
}


def default_workers(environ: Mapping[str, str] = os.environ) -> int:
    """Workers when ``--workers`` is not given: ``$PORTAL_WORKERS``, else 2.

    Raises:
        portal.config.ConfigError: (a ValueError) if ``$PORTAL_WORKERS`` is unusable.
    """
    return portal_config.workers(environ.get(WORKERS_ENV))


def production_factory(packages_dir: Path) -> Callable[[], flask.Flask]:
    """A callable building the portal's Flask server with :data:`PRODUCTION_SETTINGS`."""
    def factory() -> flask.Flask:
        return create_app(packages_dir, PRODUCTION_SETTINGS).server
    return factory


class StartupError(RuntimeError):
    """The master could not build the app or load the release; the message is one line."""


def prepare(factory: Callable[[], flask.Flask]) -> None:
    """Build the app once in the master, load the current release, close every connection.

    Also fails early, before any worker exists, on a database that cannot be reached or a
    bad ``PORTAL_*`` variable, and warns once (not once per worker) about a missing secret key.
    """
    server = factory()
    portal_config.warn_if_insecure(server.config)
    with server.app_context():
        store = query.store()
        store.current()
        store.engine.dispose()


class PortalApplication(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn running the portal: ``load`` is called in each worker, after the fork."""

    def __init__(self, factory: Callable[[], flask.Flask], options: Mapping[str, Any]) -> None:
        self.factory = factory
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> flask.Flask:
        return self.factory()


def options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn settings for the portal (see the module docstring for why)."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "preload_app": False,
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": 5,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
        # Forwarded headers are the app's to judge (PORTAL_TRUSTED_PROXIES, portal/site.py);
        # gunicorn would otherwise trust X-Forwarded-Proto from any local process.
        "secure_scheme_headers": {},
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "nkpm-portal",
    }


def run(packages_dir: Path, host: str, port: int, workers: int, threads: int) -> int:
    """Serve until stopped (SIGTERM or SIGINT); returns the exit status."""
    factory = production_factory(packages_dir)
    try:
        prepare(factory)
    except (SQLAlchemyError, OSError) as error:
        # The class only: a database error's message may hold the URL and its password.
        raise StartupError(f"cannot open the database ({type(error).__name__}); "
                           f"check {portal_config.DATABASE_URL}") from error
    PortalApplication(factory, options(host, port, workers, threads)).run()
    return 0
