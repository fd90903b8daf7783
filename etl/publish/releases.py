"""Immutable, versioned releases that switch atomically.

Layout of the packages folder::

    DIR/<version>/...        one complete release (every package), never changed once there
    DIR/latest -> <version>  the current release (a symbolic link, replaced atomically)
    DIR/releases.json        every release: version, date, summary
    DIR/CHANGELOG.md         the same, for people

A build writes into a hidden staging folder beside the releases, flushes it to disk, and only
then renames it to `DIR/<version>` (one atomic rename) and repoints `latest` (one atomic
replace). Killed at any moment, it leaves the previous release, and what `latest` points at,
exactly as they were; a stale staging folder is removed by the next build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

LATEST = "latest"
INDEX = "releases.json"
CHANGELOG = "CHANGELOG.md"
STAGING_PREFIX = ".staging-"

#: Versions are path segments and citation labels: keep them to semantic-version characters.
VERSION_PATTERN = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")


class ReleaseError(RuntimeError):
    """A release cannot be published as asked (bad version, or the version exists already)."""


def _fsync_tree(root: Path) -> None:
    """Flush every file and folder under `root`, so a rename never exposes unwritten data."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
    for folder in [*sorted(p for p in root.rglob("*") if p.is_dir()), root]:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _same_tree(a: Path, b: Path) -> bool:
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    return files_a == files_b and all((a / f).read_bytes() == (b / f).read_bytes()
                                      for f in files_a)


def _replace_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _point_latest(out: Path, version: str) -> None:
    tmp = out / f".{LATEST}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(version, tmp)
    os.replace(tmp, out / LATEST)


def read_index(out: Path) -> list[dict]:
    path = out / INDEX
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def latest(out: Path) -> Path | None:
    """The current release folder, or None before the first release."""
    link = out / LATEST
    return (out / os.readlink(link)) if link.is_symlink() else None


def _changelog(entries: list[dict]) -> str:
    lines = ["# Changelog", "", "Every published release, newest first. Releases never change; "
             "cite them by version.", ""]
    for e in reversed(entries):
        lines += [f"## {e['version']} — {e['released']}", "", e["summary"], ""]
    return "\n".join(lines)


def publish(out: Path, version: str, write: Callable[[Path], None], *, released: str,
            summary: str) -> Path:
    """Publish a release: `write(folder)` fills a fresh folder; it becomes `out/<version>`.

    Re-publishing a version with byte-identical content is a no-op (a rebuild is allowed);
    with different content it is refused — a published version never changes.
    """
    if not VERSION_PATTERN.fullmatch(version):
        raise ReleaseError(f"version {version!r} is not a semantic version like 1.2.0")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = out / f"{STAGING_PREFIX}{version}-{os.getpid()}"
    staging.mkdir()
    try:
        write(staging)
        _fsync_tree(staging)
        target = out / version
        if target.exists():
            if not _same_tree(staging, target):
                raise ReleaseError(f"version {version} is already published with other "
                                   "content; releases never change: choose a new version")
            shutil.rmtree(staging)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    entries = [e for e in read_index(out) if e["version"] != version]
    entries.append({"version": version, "released": released, "summary": summary})
    entries.sort(key=lambda e: _version_key(e["version"]))
    _replace_text(out / INDEX, json.dumps(entries, indent=1, ensure_ascii=False) + "\n")
    _replace_text(out / CHANGELOG, _changelog(entries))
    _point_latest(out, entries[-1]["version"])  # the highest version, whatever was rebuilt
    return target


def _version_key(version: str) -> tuple:
    """Semantic-version order: 1.10.0 after 1.9.0; a pre-release before its release."""
    core, _, pre = version.partition("-")
    return (*(int(p) for p in core.split("+")[0].split(".")), pre == "", pre)
