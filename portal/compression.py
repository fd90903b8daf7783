"""Compressed responses (flask-compress, through Dash's ``compress=True``).

The scripts and styles are a few MB (plotly.js alone is 4.6 MB) and never change for a given
package version, so their compressed bodies are kept in memory and compressed once; callback
and layout answers are compressed per response.
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


SETTINGS: dict[str, object] = {
    "COMPRESS_CACHE_KEY": cache_key,
    "COMPRESS_CACHE_BACKEND": ImmutableFiles,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 5,
    # Streamed file downloads (packages, zips) go out as they are.
    "COMPRESS_STREAMS": False,
}
