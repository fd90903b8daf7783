"""The release list (``releases.json``): published releases and tombstones of withdrawn ones.

The ETL lists every release it ever published there; withdrawing one replaces its entry by a
tombstone (``withdrawn`` date and ``reason``, no summary) and removes its files. Withdrawing
an older release changes nothing else, so the portal watches this file too (its digest) and
refuses a withdrawn version's files even while an interrupted withdrawal left them on disk.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

INDEX = "releases.json"


@dataclass(frozen=True)
class Entry:
    """One release of the list, as published (texts in English, dates ISO 8601)."""

    version: str
    released: str
    summary: str = ""
    withdrawn: bool = False
    #: The day it was withdrawn, and why ("" for a published release).
    withdrawn_on: str = ""
    reason: str = ""


def digest(packages_dir: Path) -> str:
    """SHA-256 of the release list ("" when there is none): changes with every withdrawal."""
    try:
        return hashlib.sha256((packages_dir / INDEX).read_bytes()).hexdigest()
    except OSError:
        return ""


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _entry(raw: object) -> Entry | None:
    """An entry, or None for one no link may be built from (no version, or a path in it)."""
    if not isinstance(raw, dict):
        return None
    version = _text(raw.get("version"))
    if not version or version.startswith(".") or "/" in version or "\\" in version:
        return None
    withdrawn = bool(raw.get("withdrawn"))
    return Entry(version, _text(raw.get("released")),
                 "" if withdrawn else _text(raw.get("summary")), withdrawn,
                 _text(raw.get("withdrawn")), _text(raw.get("reason")))


@functools.lru_cache(maxsize=8)
def _parse(path: Path, stamp: tuple[int, int, int]) -> tuple[Entry, ...]:
    """The entries of ``path`` as it was at ``stamp`` (inode, size, mtime: the ETL replaces
    the file, never edits it in place), parsed once."""
    del stamp
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    entries = raw if isinstance(raw, list) else []
    return tuple(e for e in map(_entry, entries) if e is not None)


def read(packages_dir: Path) -> tuple[Entry, ...]:
    """Every listed release in the list's order (oldest first); () without a readable list."""
    path = packages_dir / INDEX
    try:
        stat = path.stat()
    except OSError:
        return ()
    return _parse(path, (stat.st_ino, stat.st_size, stat.st_mtime_ns))


def withdrawn_versions(packages_dir: Path) -> frozenset[str]:
    """Versions whose files must never be served."""
    return frozenset(e.version for e in read(packages_dir) if e.withdrawn)


def changed(packages_dir: Path) -> datetime.datetime | None:
    """When the list last changed (UTC), if it lists a withdrawal: the only change of the list
    that leaves the current release as it was, so answers showing the history need it as
    their Last-Modified."""
    if not withdrawn_versions(packages_dir):
        return None
    try:
        mtime = (packages_dir / INDEX).stat().st_mtime
    except OSError:
        return None
    return datetime.datetime.fromtimestamp(int(mtime), datetime.UTC)
