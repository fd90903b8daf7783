"""A published release opened on its own, for making its documents.

Documents are a function of one release folder, whichever release the portal is serving: the
release is loaded into a private SQLite database (half a second for the demo) in an
application of its own, beside the portal, and the page and chart code runs against it in a
request context of the document's language. The portal's own database and cache are never
touched, and a document of 1.0.0 is the same whether made while 1.0.0 or 1.2.0 is served (the
indicators' history it shows reads the releases before it, never later ones).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import flask

from portal import downloads, query
from portal.cache import cache
from portal.i18n import PARAM
from portal.load import history
from portal.load.database import LoadedRelease, Store
from portal.load.release import DESCRIPTOR, locate

#: Where permalinks point when no ``PORTAL_BASE_URL`` is set: the address ``make run``
#: serves. Never the request's Host header, which a visitor controls and a cached document
#: would keep.
LOCAL_BASE_URL = "http://127.0.0.1:8050/"


class UnknownRelease(LookupError):
    """No published (and not withdrawn) release of that version."""


@dataclass(frozen=True)
class Version:
    """A published release: its version, day of publication and folder."""

    version: str
    released: str
    root: Path


def published(packages_dir: Path) -> list[Version]:
    """Every release that can be read now, newest first (withdrawn ones are left out)."""
    found = []
    for entry in history.read(packages_dir):
        root = packages_dir / entry.version
        if not entry.withdrawn and (root.is_dir() and any(root.glob(f"*/{DESCRIPTOR}"))):
            found.append(Version(entry.version, entry.released[:10], root.resolve()))
    if not found:  # a single release copied somewhere, with no release list
        root = locate(packages_dir)
        if root is not None:
            found.append(Version(root.name, "", root))
    return found[::-1]


def find(packages_dir: Path, version: str) -> Version:
    for candidate in published(packages_dir):
        if candidate.version == version:
            return candidate
    raise UnknownRelease(f"no published release {version!r} in {packages_dir}")


def base_url(config: flask.Config) -> str:
    return config.get("BASE_URL") or LOCAL_BASE_URL


@contextlib.contextmanager
def opened(server: flask.Flask, version: Version, locale: str
           ) -> Iterator[tuple[LoadedRelease, downloads.Published]]:
    """``version`` loaded on its own, inside a request in ``locale`` of an app configured
    like ``server`` (its base URL, so links are the canonical ones)."""
    packages_dir = Path(server.config["PACKAGES_DIR"])
    with tempfile.TemporaryDirectory(prefix="nkpm-publication-") as scratch:
        app = flask.Flask("portal-publications", static_folder=None)
        app.config.from_mapping({**server.config, "CACHE_TYPE": "SimpleCache",
                                 "CACHE_THRESHOLD": 5000})
        cache.init_app(app)
        # The releases before it too: its indicators' history (never later ones).
        store = Store(f"sqlite:///{Path(scratch) / 'release.sqlite'}", version.root,
                      check_interval=float("inf"), releases_dir=packages_dir)
        app.extensions[query.STORE_KEY] = store
        base = base_url(server.config)
        with app.test_request_context(f"/?{PARAM}={locale}", base_url=base):
            release = store.current()
            if release is None:
                raise UnknownRelease(f"nothing published in {version.root}")
            folder = downloads.ReleaseFolder(version.root, version.version)
            yield release, downloads.Published(release, folder, packages_dir)
        store.engine.dispose()

