"""Published files as downloads: a read-only route under ``/datapackages`` and links to it.

The ETL's output directory is the single source of every download (zips, descriptors,
CSV/JSON/XLSX, disclosure-risk reports, ``releases.json``, ``CHANGELOG.md``), so the
portal serves those bytes unchanged instead of re-exporting from its database: what a
visitor downloads is exactly what the release's hashes describe. Only published file
types are served; hidden paths (the ETL's ``.staging-*`` folders, temporary files), the
folder of a withdrawn release (should an interrupted withdrawal have left it) and anything
resolving outside the directory answer 404.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import dash
import flask
from flask import Blueprint, Response, abort, send_from_directory

from portal import query
from portal.i18n import _
from portal.load import directory, history
from portal.load.database import LoadedRelease
from portal.load.release import locate

#: URL prefix of the route, relative to Dash's routes prefix.
URL_PREFIX = "/datapackages"

#: The file types a release publishes, with explicit types (the system's mimetypes table
#: varies between hosts, e.g. ``text/xml`` or no entry for ``.md``).
MIMETYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".md": "text/markdown",
    ".xml": "application/xml",
}

#: Saved rather than shown by browsers: tables and archives.
_ATTACHMENT_SUFFIXES = {".csv", ".xlsx", ".zip"}
_DATA_FOLDER = "data"
#: Released versions never change; ``latest/`` and the release list do.
_IMMUTABLE_MAX_AGE = 24 * 3600
_MUTABLE = {"latest"}

blueprint = Blueprint("downloads", __name__)


def _packages_dir() -> Path:
    return Path(flask.current_app.config["PACKAGES_DIR"])


def _max_age(parts: tuple[str, ...]) -> int | None:
    """Versioned files may be cached for a day; others revalidate (ETag) every time."""
    if len(parts) > 1 and parts[0] not in _MUTABLE:
        return _IMMUTABLE_MAX_AGE
    return None


@blueprint.get("/<path:filename>")
def published_file(filename: str) -> Response:
    """Send one published file; 404 for hidden, unknown-type, withdrawn or outside paths."""
    parts = PurePosixPath(filename).parts
    suffix = PurePosixPath(filename).suffix.lower()
    if not parts or any(p.startswith(".") for p in parts) or suffix not in MIMETYPES:
        abort(404)
    if parts[-1] == directory.FILE:
        abort(404)  # published by consent for its pages only: never a bulk download
    base = _packages_dir().resolve()
    target = (base / filename).resolve()
    # send_from_directory refuses "..", but a symlink could still lead elsewhere.
    if not target.is_relative_to(base) or not target.is_file():
        abort(404)
    if target.relative_to(base).parts[0] in history.withdrawn_versions(base):
        abort(404)  # through latest/ too: the folder it resolves to is what counts
    as_attachment = suffix in _ATTACHMENT_SUFFIXES or _DATA_FOLDER in parts[:-1]
    accel = flask.current_app.config.get("ACCEL_REDIRECT")
    if accel:
        return _accelerated(accel, target.relative_to(base), suffix, as_attachment,
                            _max_age(parts))
    response = send_from_directory(
        base,
        filename,
        mimetype=MIMETYPES[suffix],
        as_attachment=as_attachment,
        max_age=_max_age(parts),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _accelerated(location: str, relative: PurePosixPath | Path, suffix: str,
                 as_attachment: bool, max_age: int | None) -> Response:
    """The file left to nginx (``PORTAL_ACCEL_REDIRECT``, its internal location over the
    published folder): sent from disk, with ranges and its own validators, once the checks
    above have passed; the portal's headers travel with it."""
    response = Response(mimetype=MIMETYPES[suffix])
    response.headers["X-Accel-Redirect"] = location.rstrip("/") + "/" + quote(
        PurePosixPath(relative).as_posix())
    if as_attachment:
        response.headers.set("Content-Disposition", "attachment", filename=relative.name)
    if max_age is None:
        response.cache_control.no_cache = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = max_age
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: dash.Dash) -> None:
    """Mount the route on ``app.server``, honouring Dash's routes prefix.

    Any other address under the prefix (``/datapackages//etc/x.json``, the bare prefix)
    would otherwise reach Dash's catch-all page route and answer 200; it gets a 404.
    """
    prefix = app.config.routes_pathname_prefix.rstrip("/") + URL_PREFIX
    app.server.register_blueprint(blueprint, url_prefix=prefix)
    endpoint = f"{blueprint.name}.{published_file.__name__}"

    def refuse_other_paths_under_prefix() -> None:
        path = flask.request.path
        if (path == prefix or path.startswith(prefix + "/")) and (
            flask.request.endpoint != endpoint
        ):
            abort(404)

    app.server.before_request(refuse_other_paths_under_prefix)


def download_url(version: str, *parts: str) -> str:
    """Address of a published file, e.g. ``download_url("1.0.0", "pkg", "data", "x.csv")``.

    ``version`` is the release folder (``"1.0.0"``, ``"latest"``) or ``""`` for files at
    the top of the directory (``download_url("", "releases.json")``). Honours Dash's
    requests prefix so links work behind a proxy path.
    """
    path = "/".join(quote(p) for p in (version, *parts) if p)
    return dash.get_relative_path(f"{URL_PREFIX}/{path}")


def format_size(size: int) -> str:
    """A file size for link texts: "512 B", "1.5 kB", "2.3 MB" (SI units, as browsers show)."""
    if size < 1000:
        return _("%(size)s B", size=f"{size:,}")
    if size < 999_950:  # what would round to "1,000.0 kB" is shown as "1.0 MB"
        return _("%(size)s kB", size=f"{size / 1000:,.1f}")
    return _("%(size)s MB", size=f"{size / 1000**2:,.1f}")


@dataclass(frozen=True)
class PublishedFile:
    """A file of the current release: where it is on disk and how to download it."""

    path: Path
    url: str

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass(frozen=True)
class ReleaseFolder:
    """The folder of the release being shown, and its name in download addresses."""

    path: Path
    #: "1.0.0"; "latest" when the link target lies elsewhere; "" when the packages
    #: directory itself holds the package folders.
    url_name: str

    def file(self, *parts: str) -> PublishedFile | None:
        """``parts`` below the folder, or None when that file was not published."""
        path = self.path.joinpath(*parts)
        if not path.is_file():
            return None
        return PublishedFile(path, download_url(self.url_name, *parts))


def release_folder(packages_dir: Path) -> ReleaseFolder | None:
    """The current release's folder (see :func:`portal.load.release.locate`), if any.

    Links name the version folder rather than ``latest/`` so that a page and the files
    it links stay of one release even if a new one is published meanwhile.
    """
    root = locate(packages_dir)
    if root is None:
        return None
    try:
        name = root.relative_to(packages_dir.resolve()).as_posix()
    except ValueError:
        name = "latest"
    return ReleaseFolder(root, "" if name == "." else name)


def top_level_file(packages_dir: Path, name: str) -> PublishedFile | None:
    """A file beside the releases (``releases.json``, ``CHANGELOG.md``), if present."""
    path = packages_dir / name
    return PublishedFile(path, download_url("", name)) if path.is_file() else None


@dataclass(frozen=True)
class Published:
    """The release a request shows, with its files on disk."""

    release: LoadedRelease
    folder: ReleaseFolder
    packages_dir: Path

    def package_file(self, package: str, *parts: str) -> PublishedFile | None:
        return self.folder.file(package, *parts)

    def top_level_file(self, name: str) -> PublishedFile | None:
        return top_level_file(self.packages_dir, name)


def current() -> Published | None:
    """What this request shows; None before anything is published.

    Also None outside an app context (a test rendering a layout bare), so layouts
    degrade to their "no data" state instead of raising.
    """
    if not flask.has_app_context():
        return None
    release = query.current_release()
    if release is None:
        return None
    packages_dir = query.store().packages_dir
    folder = release_folder(packages_dir)
    if folder is None:
        return None
    return Published(release, folder, packages_dir)


@functools.lru_cache(maxsize=512)
def row_count(path: Path, fingerprint: str) -> int:
    """Data rows of a published CSV (quoted line breaks allowed), read once per release.

    ``fingerprint`` is part of the cache key only: a new release never reuses a count.
    """
    del fingerprint
    with path.open(encoding="utf-8", newline="") as handle:
        return max(sum(1 for _row in csv.reader(handle)) - 1, 0)


@functools.lru_cache(maxsize=64)
def read_json(path: Path, fingerprint: str) -> Any:
    """A published JSON file (e.g. a disclosure-risk report), parsed once per release.

    Callers must not modify the result: it is shared between requests.
    """
    del fingerprint
    return json.loads(path.read_text(encoding="utf-8"))
