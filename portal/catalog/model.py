"""Packages and resources of the loaded release, with their files, facets and history.

Built once per release from the published descriptors, the files on disk (sizes, row
counts) and the loaded tables (which municipalities and sectors a table covers), then
shared by every view: a page, an API answer and the DCAT-AP graph never disagree.
Texts stay multilingual here (``x-title`` dicts); views pick the visitor's language.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask

from portal import downloads, query
from portal.downloads import Published, PublishedFile
from portal.i18n import N_
from portal.load import history
from portal.load.database import LoadedRelease

#: Themes of the catalogue: id → (name, EU data theme of the Publications Office, used by
#: DCAT-AP). Resources are grouped by the programme component they describe.
THEMES: dict[str, tuple[str, str]] = {
    "businesses": (N_("Businesses and products"), "ECON"),
    "compliance": (N_("Compliance with the law"), "JUST"),
    "growth": (N_("Growth potential"), "ECON"),
    "training": (N_("Training"), "EDUC"),
    "b2b": (N_("Business-to-business meetings"), "ECON"),
    "indicators": (N_("Programme indicators"), "GOVE"),
    "handbook": (N_("Legal requirements"), "JUST"),
}
#: Resource name prefix → theme (first match wins).
_THEME_BY_PREFIX = (
    ("requirements", "handbook"), ("businesses", "businesses"), ("compliance", "compliance"),
    ("dual_registration", "compliance"), ("growth", "growth"), ("training_needs", "growth"),
    ("turnover", "growth"), ("employment", "growth"), ("sessions", "training"),
    ("participants", "training"), ("completion", "training"), ("satisfaction", "training"),
    ("pre_scores", "training"), ("post_scores", "training"), ("meetings", "b2b"),
    ("deal_value", "b2b"), ("public_totals", "indicators"), ("indicators", "indicators"),
)
#: Facets read from the data: facet → columns whose codes it collects.
DATA_FACETS = {"municipality": ("municipality",), "sector": ("broad_sector", "north_sector")}
#: Download formats of a table, in the order offered: label, descriptor key, media type.
TABLE_FORMATS = (
    ("CSV", "path", "text/csv"),
    ("JSON", "json", "application/json"),
    ("XLSX", "xlsx", downloads.MIMETYPES[".xlsx"]),
)
_CACHE_KEY = "portal_catalogue"


def theme_of(resource: str) -> str:
    for prefix, theme in _THEME_BY_PREFIX:
        if resource.startswith(prefix):
            return theme
    return "indicators"


@dataclass(frozen=True)
class Download:
    """One downloadable file: its format label, media type and published file."""

    format: str
    mediatype: str
    file: PublishedFile
    #: What the file is: "data" (a table), "archive" (whole package), "descriptor"
    #: (datapackage.json), "disclosure" (disclosure-risk report) or "attachment".
    kind: str = "data"

    @property
    def url(self) -> str:
        return self.file.url

    @property
    def size(self) -> int:
        return self.file.size


@dataclass(frozen=True)
class Resource:
    """A published table (or other file) of a package."""

    package: str
    position: int
    descriptor: dict[str, Any] = field(repr=False)
    downloads: tuple[Download, ...] = field(repr=False)
    rows: int | None
    #: Codes the table has in its municipality / sector columns (facets).
    codes: dict[str, tuple[str, ...]] = field(repr=False)

    @property
    def name(self) -> str:
        return self.descriptor["name"]

    @property
    def theme(self) -> str:
        return theme_of(self.name)

    @property
    def fields(self) -> list[dict[str, Any]]:
        return self.descriptor.get("schema", {}).get("fields", [])

    @property
    def tabular(self) -> bool:
        return "schema" in self.descriptor

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(d.format for d in self.downloads)

    def download(self, label: str) -> Download | None:
        return next((d for d in self.downloads if d.format == label), None)


@dataclass(frozen=True)
class Version:
    """A release listed in ``releases.json``: published (its files downloadable while on
    disk) or withdrawn (a tombstone: its dates and the reason, never a file)."""

    version: str
    released: str
    summary: str
    #: Package name → its zip in that release, when the folder is still published.
    archives: dict[str, PublishedFile] = field(repr=False)
    withdrawn: bool = False
    #: The day it was withdrawn and why, as published (in English).
    withdrawn_on: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Package:
    """A data package of the release: descriptor, resources, package-level files."""

    name: str
    descriptor: dict[str, Any] = field(repr=False)
    resources: tuple[Resource, ...]
    #: ZIP, datapackage.json, disclosure-risk reports and attachments, in that order.
    downloads: tuple[Download, ...] = field(repr=False)
    #: The package's disclosure-risk report (``disclosure-risk.json``), if published.
    disclosure: dict[str, Any] | None = field(repr=False)

    @property
    def id(self) -> str:
        return self.descriptor.get("id") or self.name

    @property
    def version(self) -> str:
        return self.descriptor.get("version", "")

    @property
    def created(self) -> str:
        return self.descriptor.get("created", "")

    @property
    def themes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.theme for r in self.resources))

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for r in self.resources for f in r.formats))

    def codes(self, facet: str) -> tuple[str, ...]:
        return tuple(sorted({c for r in self.resources for c in r.codes.get(facet, ())}))

    def resource(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.name == name), None)

    def download(self, kind: str, label: str | None = None) -> Download | None:
        return next((d for d in self.downloads
                     if d.kind == kind and label in (None, d.format)), None)


@dataclass(frozen=True)
class Catalogue:
    """Everything the current release publishes, for one request (never mixes releases)."""

    release: LoadedRelease
    published: Published = field(repr=False)
    packages: tuple[Package, ...]
    #: Every listed release, newest first, withdrawn ones as tombstones.
    history: tuple[Version, ...]
    #: When the release list last changed, if it lists a withdrawal (see :attr:`modified`).
    history_changed: datetime.datetime | None = None

    @property
    def modified(self) -> datetime.datetime:
        """Last-Modified of every answer about the release: when it was created (UTC), or
        when a release was withdrawn since, which changes the history the answers show."""
        created = parse_time(self.release.created)
        return max(created, self.history_changed) if self.history_changed else created

    @property
    def live_history(self) -> tuple[Version, ...]:
        """The releases still published (what metadata may date or describe as available)."""
        return tuple(v for v in self.history if not v.withdrawn)

    def package(self, key: str) -> Package | None:
        """A package by name or id."""
        return next((p for p in self.packages if key in (p.name, p.id)), None)

    def resource(self, key: str) -> Resource | None:
        """A resource by name (unique in a release) or ``package/resource``."""
        package, _, name = key.rpartition("/")
        for candidate in self.packages:
            if package and package not in (candidate.name, candidate.id):
                continue
            found = candidate.resource(name)
            if found is not None:
                return found
        return None

    def resources(self) -> list[Resource]:
        return [r for p in self.packages for r in p.resources]


def parse_time(value: str) -> datetime.datetime:
    """An ISO 8601 date or time as an aware UTC datetime (the epoch if unreadable)."""
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _table_codes(release: LoadedRelease, resource: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    names = {f["name"] for f in resource.get("schema", {}).get("fields", [])}
    found: dict[str, tuple[str, ...]] = {}
    for facet, columns in DATA_FACETS.items():
        present = [c for c in columns if c in names]
        if not present:
            continue
        frame = query.table(release, resource["name"], columns=tuple(present))
        codes = {str(v) for c in present for v in frame[c].dropna().unique()}
        found[facet] = tuple(sorted(codes - {query.TOTAL, "[c]", ""}))
    return found


def _resource(published: Published, package: str, position: int,
              descriptor: dict[str, Any]) -> Resource:
    extra = descriptor.get("x-downloads") or {}
    files = []
    for label, key, mediatype in TABLE_FORMATS:
        path = descriptor.get("path") if key == "path" else extra.get(key)
        file = published.package_file(package, path) if isinstance(path, str) else None
        if file is not None and (key != "path" or path.endswith(".csv")):
            files.append(Download(label, mediatype, file))
    csv_file = files[0].file if files and files[0].format == "CSV" else None
    rows = (downloads.row_count(csv_file.path, published.release.fingerprint)
            if csv_file is not None else None)
    codes = _table_codes(published.release, descriptor) if csv_file is not None else {}
    return Resource(package, position, descriptor, tuple(files), rows, codes)


def _package(published: Published, name: str, descriptor: dict[str, Any]) -> Package:
    files: list[Download] = []
    archive = published.folder.file(f"{name}.zip")
    if archive is not None:
        files.append(Download("ZIP", downloads.MIMETYPES[".zip"], archive, "archive"))
    meta = published.package_file(name, "datapackage.json")
    if meta is not None:
        files.append(Download("JSON", "application/json", meta, "descriptor"))
    report = descriptor.get("x-disclosureRiskReport") or {}
    disclosure = None
    for key, label in (("markdown", "Markdown"), ("json", "JSON")):
        file = published.package_file(name, report[key]) if report.get(key) else None
        if file is not None:
            files.append(Download(label, downloads.MIMETYPES[file.path.suffix], file,
                                  "disclosure"))
            if key == "json":
                disclosure = downloads.read_json(file.path, published.release.fingerprint)
    for attachment in descriptor.get("x-attachments") or []:
        file = published.package_file(name, attachment)
        if file is not None:
            files.append(Download(file.path.suffix.lstrip(".").upper(), downloads.MIMETYPES.get(
                file.path.suffix, "application/octet-stream"), file, "attachment"))
    resources = tuple(_resource(published, name, i, r)
                      for i, r in enumerate(descriptor.get("resources", [])))
    return Package(name, descriptor, resources, tuple(files), disclosure)


def _history(published: Published, names: list[str]) -> tuple[Version, ...]:
    """The release list, newest first (the same day: the higher version first), with each
    published release's archives; a withdrawn one never links a file, even one an
    interrupted withdrawal left on disk."""
    versions = []
    for entry in reversed(history.read(published.packages_dir)):  # listed oldest first
        archives = {}
        for name in names if not entry.withdrawn else ():
            path = published.packages_dir / entry.version / f"{name}.zip"
            if path.is_file():
                archives[name] = PublishedFile(
                    path, downloads.download_url(entry.version, f"{name}.zip"))
        versions.append(Version(entry.version, entry.released, entry.summary, archives,
                                entry.withdrawn, entry.withdrawn_on, entry.reason))
    return tuple(sorted(versions, key=lambda v: v.released, reverse=True))


_lock = threading.Lock()


def current() -> Catalogue | None:
    """The catalogue of the release this request shows (built once per release)."""
    published = downloads.current()
    if published is None:
        return None
    built: dict[str, Catalogue] = flask.current_app.extensions.setdefault(_CACHE_KEY, {})
    # The release list is part of the key: a withdrawal changes what the catalogue shows.
    revision = published.release.revision
    found = built.get(revision)
    if found is None:
        with _lock:
            found = built.get(revision)
            if found is None:
                release = published.release
                packages = tuple(_package(published, n, d) for n, d in release.packages.items())
                found = Catalogue(release, published, packages,
                                  _history(published, list(release.packages)),
                                  history.changed(published.packages_dir))
                built.clear()  # only the current release is ever served
                built[revision] = found
    return found


def packages_dir() -> Path:
    return query.store().packages_dir
