"""How the portal's bytes go out: compressed, and cached by browsers where they can be.

The scripts and styles are a few MB (plotly.js alone is 4.6 MB) and never change for a given
package version, so their compressed bodies are kept in memory and compressed once
(flask-compress, through Dash's ``compress=True``); callback and layout answers are compressed
per response. Dash marks its fingerprinted bundles cacheable but not plotly.js and its lazy
chunks, which browsers would then fetch again on every visit.
"""

from __future__ import annotations

import threading

import flask

#: URL prefixes whose files are versioned or immutable for an installed package.
IMMUTABLE_PREFIXES = ("/_dash-component-suites/", "/vendor/bootstrap/", "/assets/")


def cache_key(request: flask.Request) -> str:
    """The compressed-body key of a request: its path for immutable files, else "" (no cache)."""
    path = request.path
    if request.method == "GET" and any(prefix in path for prefix in IMMUTABLE_PREFIXES):
        return request.full_path
    return ""


class ImmutableFiles:
    """The flask-compress cache backend: keeps the bodies of immutable files only."""

    def __init__(self) -> None:
        self._bodies: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.partition(";")[2]:
            with self._lock:
                self._bodies[key] = value


#: How long browsers may keep unversioned bundle files (a package upgrade shows within a day).
BUNDLE_MAX_AGE = 24 * 3600


def cache_bundles(response: flask.Response) -> flask.Response:
    """Let browsers keep component-suite files Dash sent without a cache lifetime."""
    if (flask.request.path.startswith("/_dash-component-suites/") and response.status_code == 200
            and "max-age" not in response.headers.get("Cache-Control", "")):
        response.cache_control.public = True
        response.cache_control.max_age = BUNDLE_MAX_AGE
    return response


def init_app(server: flask.Flask) -> None:
    server.after_request(cache_bundles)


SETTINGS: dict[str, object] = {
    "COMPRESS_CACHE_KEY": cache_key,
    "COMPRESS_CACHE_BACKEND": ImmutableFiles,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 5,
    # Streamed file downloads (packages, zips) go out as they are.
    "COMPRESS_STREAMS": False,
}
