"""The scripts the portal builds itself, served under their content hash.

- **plotly.js with only the traces the portal draws.** The full plotly.js is 4.7 MB (1.2 MB
  compressed) and a phone parses all of it before the first chart; the portal draws scatter,
  bar, heatmap and treemap traces only, a quarter of it.
- **The regenerator runtime instead of Dash's polyfill.** Dash's renderer needs the global
  ``regeneratorRuntime`` and gets it from a 99 KB babel-polyfill whose core-js shims also
  slow every promise; the browsers the portal supports have the rest natively, so the 7 KB
  runtime takes its place (:func:`trimmed`, which also drops dash_table's bundle: the portal
  has no DataTable).
- **Scripts after the first paint.** The page arrives server-rendered
  (:mod:`portal.first_paint`), so the browser has something to show before any script runs.
  :func:`trimmed` puts Dash's script tags in a ``<template>`` (inert: nothing in it is
  fetched or run); ``portal-loader.js`` loads them once that copy has been painted, in
  order, and the last of them starts Dash's renderer (:data:`RENDERER`). Plain ``defer``
  was not enough: the scripts then arrived and ran before the browser's first frame, and a
  phone waited for ~330 KB of them before seeing the page.

``portal/bundle`` holds the recipe (``index.js``, the ``build`` script of ``package.json``)
and the exact dependencies (``package-lock.json``); ``make scripts`` builds them with esbuild
into :data:`STATIC_DIR`, committed so that ``make run`` needs no Node.
``tests/test_scripts.py`` rebuilds them from the lockfile and checks that the served bytes
are the built ones and that every trace the portal draws is in the bundle. The loader is
written by hand, beside them.

Each file is served as ``/vendor/scripts/<name>.<hash>.js``, so browsers may keep it for a
year; Brotli at its best level is paid once per process and file (about 2 s for plotly.js)
instead of per request, which saves 45 KB on every first visit.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from functools import cache
from pathlib import Path

import brotli
import dash
import flask

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Served name → file built from ``portal/bundle``.
BUILT = {"plotly": "plotly-portal.min.js", "regenerator-runtime": "regenerator-runtime.min.js"}
#: Served name → file (the loader is not built).
FILES = {**BUILT, "loader": "portal-loader.js"}
LIST_ID = "portal-scripts"
URL_PREFIX = "/vendor/scripts"
_MAX_AGE = 365 * 24 * 3600
_LOCK = threading.Lock()
_POLYFILL = re.compile(r'<script src="[^"]*/dash/deps/polyfill@[^"]*"></script>')
#: dash_table's bundle, which Dash links on every page although the portal has no DataTable.
_DASH_TABLE = re.compile(r'\s*<script src="[^"]*/dash/dash_table/bundle[^"]*"></script>')
_SOURCE = re.compile(r'<script src="([^"]+)"></script>\s*')
#: Dash's renderer bootstrap (an inline script, which the CSP hashes as ``app.renderer``): a
#: function the loader calls when Dash's scripts have run.
RENDERER = ("window.portal = window.portal || {}; "
            "window.portal.start = function () { window.renderer = new DashRenderer(); };")

blueprint = flask.Blueprint("scripts", __name__)


@cache
def digest(name: str) -> str:
    """The first 16 hex digits of the file's SHA-256: its version in URLs."""
    return hashlib.sha256((STATIC_DIR / FILES[name]).read_bytes()).hexdigest()[:16]


def url(name: str) -> str:
    """Where the browser asks for ``name`` (behind a proxy prefix too)."""
    return dash.get_relative_path(f"{URL_PREFIX}/{name}.{digest(name)}.js")


def trimmed(scripts: str) -> str:
    """Dash's script tags with its babel-polyfill swapped for the regenerator runtime, in the
    same place (it must run before the renderer), without dash_table's bundle, in the
    loader's template; the inline scripts (clientside callbacks, hashed by the CSP) stay."""
    tag = f'<script src="{url("regenerator-runtime")}"></script>'
    replaced, found = _POLYFILL.subn(tag, scripts)
    if found != 1:
        raise RuntimeError("Dash's polyfill script tag was not found: has Dash changed?")
    replaced = _DASH_TABLE.sub("", replaced)
    listed = "".join(match.group(0) for match in _SOURCE.finditer(replaced))
    return (f'<template id="{LIST_ID}">{listed}</template>\n'
            f'{_SOURCE.sub("", replaced)}<script defer src="{url("loader")}"></script>')


@cache
def _encoded(name: str, encoding: str) -> bytes:
    body = (STATIC_DIR / FILES[name]).read_bytes()
    if encoding == "br":
        return brotli.compress(body, quality=11)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=9, mtime=0)
    return body


def _body(name: str, encoding: str) -> bytes:
    with _LOCK:  # one worker thread compresses, the others wait for its result
        return _encoded(name, encoding)


@blueprint.get("/<name>.<version>.js")
def script(name: str, version: str) -> flask.Response:
    """A built file, compressed once; an old hash (a cached page of an older install) 404s."""
    if name not in FILES or version != digest(name):
        flask.abort(404)
    accepted = flask.request.accept_encodings
    encoding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else "identity"
    response = flask.Response(_body(name, encoding), mimetype="text/javascript")
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding  # flask-compress leaves it alone
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    response.cache_control.max_age = _MAX_AGE
    response.cache_control.immutable = True
    response.set_etag(f"{version}-{encoding}")
    return response.make_conditional(flask.request)


def init_app(app: dash.Dash) -> None:
    app.renderer = RENDERER
    prefix = app.config.routes_pathname_prefix.rstrip("/")
    app.server.register_blueprint(blueprint, url_prefix=prefix + URL_PREFIX)
