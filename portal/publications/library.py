"""Which documents a release has, making them, and keeping them.

Documents are made by the portal from a published release, not by ``etl build``: their charts
are the dashboard's own figures (portal code, which the ETL never imports) drawn by plotly.js
in Chromium, which the machine that publishes need not have. A document is a pure function of
its release folder (and the releases before it, whose indicators it shows), language and the
portal's base URL, so it is kept once made, under the release's fingerprint, those releases
and that URL (``PORTAL_PUBLICATIONS_DIR``, else ``publications`` in the
instance folder), and never goes stale: a new release has a new fingerprint. Each is written to a
temporary file and renamed into place, under a lock per document, so two workers asking at
once make it once and nobody ever reads half a file; a document that cannot be made leaves
nothing behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import flask

from etl.publish.releases import fingerprint
from portal import site
from portal.i18n import LOCALES, _, in_locale
from portal.labels import localised_text
from portal.load import indicator_history
from portal.load.release import DESCRIPTOR
from portal.publications import charts, document, handbook, report
from portal.publications.charts import ChartsUnavailable
from portal.publications.document import Document, DocumentError, Stamp
from portal.publications.parts import released, stamp_line
from portal.publications.release import Version, base_url, opened

SETTING = "PUBLICATIONS_DIR"
#: The ``requirements`` table's sector column: one handbook edition per sector code.
_SECTORS = ("requirements", "broad_sector")
_ROOT_LINK = re.compile(r'href="/(?!/)')
#: One document made at a time per process: a burst of requests for documents not made yet
#: queues instead of starting a Chromium and a layout each (two cores here).
_making = threading.Lock()


def _stamped(root: Path) -> tuple[tuple[Path, int], ...]:
    """The release's descriptors and their modification times: what the caches key on (the
    ETL replaces a release's files, never edits them)."""
    return tuple((p, p.stat().st_mtime_ns) for p in sorted(root.glob(f"*/{DESCRIPTOR}")))


def _descriptors(root: Path) -> tuple[dict, ...]:
    return _parsed(_stamped(root))


@functools.lru_cache(maxsize=16)
def _parsed(stamped: tuple[tuple[Path, int], ...]) -> tuple[dict, ...]:
    return tuple(json.loads(path.read_bytes()) for path, _mtime in stamped)


@functools.lru_cache(maxsize=16)
def _fingerprint(root: Path, stamped: tuple[tuple[Path, int], ...]) -> str:
    """The release's fingerprint, hashed once (every document link of a page asks for it)."""
    del stamped
    return fingerprint(root)


def sector_labels(root: Path) -> dict[str, dict[str, str]]:
    """Sector code → its labels ({"en": …}) from the release's ``requirements`` schema."""
    resource, column = _SECTORS
    for descriptor in _descriptors(root):
        for item in descriptor.get("resources", []):
            if item.get("name") != resource:
                continue
            for field in item.get("schema", {}).get("fields", []):
                if field.get("name") == column:
                    labels = field.get("x-labels") or {}
                    codes = field.get("constraints", {}).get("enum") or list(labels)
                    return {c: labels.get(c) or {"en": c} for c in codes if c != "_total"}
    return {}


def documents(root: Path) -> list[Document]:
    """Every document of the release in ``root``: the report, the complete handbook, and the
    handbook of each broad sector."""
    return [Document("report"), Document("handbook"),
            *(Document("handbook", code) for code in sector_labels(root))]


def title(doc: Document, root: Path) -> str:
    """The document's title in the request's language."""
    if doc.kind == "report":
        return _("The North of Kosovo Product Map: report")
    if not doc.sector:
        return _("Handbook: trading in the formal market")
    labels = sector_labels(root).get(doc.sector)
    return _("Handbook for %(sector)s: trading in the formal market",
             sector=localised_text(labels, doc.sector))


def titles(doc: Document, root: Path) -> dict[str, str]:
    """The document's title in each language (a request context is needed)."""
    out = {}
    for locale in LOCALES:
        with in_locale(locale):
            out[locale] = title(doc, root)
    return out


def directory(server: flask.Flask) -> Path:
    configured = server.config.get(SETTING)
    return Path(configured) if configured else Path(server.instance_path) / "publications"


def make(server: flask.Flask, version: Version, locale: str, doc: Document
         ) -> dict[str, bytes]:
    """The document's HTML and PDF editions, made now.

    Raises:
        DocumentError: it cannot be made (which, and why, in one line).
    """
    where = f"{doc.filename(version.version, locale, 'pdf')}"
    try:
        with charts.session(), opened(server, version, locale) as (release, published):
            name = title(doc, version.root)
            if doc.kind == "report":
                body = report.body(release, published, name)
            else:
                body = handbook.body(release, doc.sector, name)
            body = _ROOT_LINK.sub(f'href="{site.origin()}', body)
            stamp = Stamp(released(release), release.fingerprint, stamp_line(release))
            page = document.page(name, locale, stamp, body, _("Page"))
    except (ChartsUnavailable, LookupError, OSError, ValueError) as error:
        raise DocumentError(f"{where}: cannot be made: {error}") from error
    try:
        pdf = document.pdf(page, f"{stamp.fingerprint}/{doc.slug}/{locale}")
    except Exception as error:  # noqa: BLE001 - the engine's errors, named in one line
        raise DocumentError(f"{where}: the PDF engine failed: {error}") from error
    return {"html": page.encode("utf-8"), "pdf": pdf}


def write(folder: Path, files: dict[str, bytes]) -> None:
    """Each file written beside its final name and renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.chmod(temporary, 0o644)  # a published document: readable by a proxy too
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


@contextlib.contextmanager
def _locked(folder: Path, name: str) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def kept(server: flask.Flask, version: Version, filename: str) -> Path:
    """Where a document of ``version`` is kept (it may not be made yet): by the release's
    fingerprint, the releases its indicators' history shows (withdrawing an earlier one
    gets new documents) and the base URL its permalinks carry (so does a new address)."""
    base = hashlib.sha256(base_url(server.config).encode()).hexdigest()[:8]
    earlier = indicator_history.digest(indicator_history.sources(
        Path(server.config["PACKAGES_DIR"]), version.version, version.root))[:8]
    release = _fingerprint(version.root, _stamped(version.root))
    return directory(server) / f"{release}-{earlier}-{base}" / filename


def fetch(server: flask.Flask, version: Version, locale: str, doc: Document,
          extension: str) -> Path:
    """The kept document, made first if it is not yet (both editions at once)."""
    names = {ext: doc.filename(version.version, locale, ext) for ext in document.FORMATS}
    path = kept(server, version, names[extension])
    if path.is_file():
        return path
    with _locked(path.parent, names["pdf"]), _making:
        if not path.is_file():  # another worker may have made it meanwhile
            made = make(server, version, locale, doc)
            write(path.parent, {names[ext]: made[ext] for ext in document.FORMATS})
    return path


__all__ = ["DocumentError", "documents", "fetch", "kept", "make", "title", "titles", "write"]
