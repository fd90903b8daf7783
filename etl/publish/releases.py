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

A withdrawn release leaves a tombstone in `releases.json` and `CHANGELOG.md` (version, dates,
reason, fingerprint: no data) and its files leave the folder; its version is never used again.
Builds and withdrawals take a lock on `DIR/.lock`, so two never interleave.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LATEST = "latest"
INDEX = "releases.json"
CHANGELOG = "CHANGELOG.md"
STAGING_PREFIX = ".staging-"
WITHDRAWING_PREFIX = ".withdrawing-"
LOCK = ".lock"
DESCRIPTOR = "datapackage.json"
#: The supplier directory beside the packages (see ``etl.publish.directory``): in no package.
DIRECTORY = "supplier-directory.json"

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


def withdrawn(entry: dict) -> bool:
    """Whether a `releases.json` entry is a tombstone."""
    return bool(entry.get("withdrawn"))


def _changelog(entries: list[dict]) -> str:
    lines = ["# Changelog", "", "Every release, newest first. Releases never change; cite them "
             "by version. A withdrawn release keeps its entry; its files are gone.", ""]
    for e in reversed(entries):
        if withdrawn(e):
            lines += [f"## {e['version']} — {e['released']} (withdrawn on {e['withdrawn']})", "",
                      f"Withdrawn: {e['reason']}", ""]
        else:
            lines += [f"## {e['version']} — {e['released']}", "", e["summary"], ""]
    return "\n".join(lines)


def fingerprint(folder: Path) -> str:
    """SHA-256 over every package descriptor of a release folder, and its supplier directory
    if it has one. Descriptors carry the hash of each of their tables, so any changed published
    table or listing changes it (the portal reloads on it; the history ledger is addressed
    by it)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob(f"*/{DESCRIPTOR}")):
        digest.update(path.parent.name.encode() + b"\0" + path.read_bytes() + b"\0")
    directory = folder / DIRECTORY
    if directory.is_file():  # a release without one keeps the fingerprint it always had
        digest.update(DIRECTORY.encode() + b"\0" + directory.read_bytes() + b"\0")
    return digest.hexdigest()


def verify(folder: Path) -> dict[str, dict]:
    """The descriptors of a release folder, after checking that every file they list still has
    its published size and hash (and that a supplier directory beside them is readable);
    :class:`ReleaseError` names the first file that does not."""
    descriptors = {}
    paths = sorted(folder.glob(f"*/{DESCRIPTOR}"))
    if not paths:
        raise ReleaseError(f"{folder}: no data package ({DESCRIPTOR}) in this release folder")
    for path in paths:
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise ReleaseError(f"{path}: not a valid data package descriptor ({error})") from None
        for resource in descriptor.get("resources", []):
            file = path.parent / str(resource.get("path", ""))
            if not file.is_file():
                raise ReleaseError(f"{file}: listed in {path} but missing")
            data = file.read_bytes()
            expected = str(resource.get("hash", "")).removeprefix("sha256:")
            if (expected and hashlib.sha256(data).hexdigest() != expected) or (
                    "bytes" in resource and len(data) != resource["bytes"]):
                raise ReleaseError(f"{file}: its hash no longer matches {path} (the file was "
                                   "changed after publication)")
        descriptors[path.parent.name] = descriptor
    _verify_directory(folder / DIRECTORY)
    return descriptors


def _verify_directory(path: Path) -> None:
    """The supplier directory, if any, is no package (no hash of its own; the release's
    fingerprint covers it) but must still be a readable listing file."""
    if not path.is_file():
        return
    try:
        listings = json.loads(path.read_text(encoding="utf-8")).get("listings")
    except (ValueError, UnicodeDecodeError, AttributeError) as error:
        raise ReleaseError(f"{path}: not a valid supplier directory ({error})") from None
    if not isinstance(listings, list):
        raise ReleaseError(f"{path}: not a valid supplier directory (no list of listings)")


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold `out/.lock`: builds and withdrawals of one folder run one at a time."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tidy(out: Path, entries: list[dict]) -> None:
    """Remove what an interrupted build or withdrawal left: staging folders, and the files of
    a release the index already marks withdrawn."""
    for stale in [*out.glob(f"{STAGING_PREFIX}*"), *out.glob(f"{WITHDRAWING_PREFIX}*")]:
        shutil.rmtree(stale, ignore_errors=True)
    for entry in entries:
        folder = out / entry["version"]
        if withdrawn(entry) and folder.is_dir() and not folder.is_symlink():
            hidden = out / f"{WITHDRAWING_PREFIX}{entry['version']}"
            os.rename(folder, hidden)
            shutil.rmtree(hidden)


def _write_index(out: Path, entries: list[dict]) -> None:
    entries.sort(key=lambda e: version_key(e["version"]))
    _replace_text(out / INDEX, json.dumps(entries, indent=1, ensure_ascii=False) + "\n")
    _replace_text(out / CHANGELOG, _changelog(entries))
    live = [e["version"] for e in entries if not withdrawn(e)]
    if live:
        _point_latest(out, live[-1])  # the highest version, whatever was rebuilt
    elif (out / LATEST).is_symlink():
        (out / LATEST).unlink()


def publish(out: Path, version: str, write: Callable[[Path], None], *, released: str,
            summary: str) -> Path:
    """Publish a release: `write(folder)` fills a fresh folder; it becomes `out/<version>`.

    Re-publishing a version with byte-identical content is a no-op (a rebuild is allowed);
    with different content it is refused — a published version never changes.
    """
    check_version(version)
    with locked(out):
        return _publish(out, version, write, released=released, summary=summary)


def check_version(version: str, out: Path | None = None) -> None:
    """Refuse a version that is not semantic, or (given `out`) that was withdrawn there."""
    if not VERSION_PATTERN.fullmatch(version):
        raise ReleaseError(f"version {version!r} is not a semantic version like 1.2.0")
    if out is not None and any(e["version"] == version and withdrawn(e)
                               for e in read_index(out)):
        raise ReleaseError(f"version {version} was withdrawn; a version is never used again: "
                           "choose a new one")


def _publish(out: Path, version: str, write: Callable[[Path], None], *, released: str,
             summary: str) -> Path:
    entries = read_index(out)
    check_version(version, out)
    _tidy(out, entries)
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
    entries = [e for e in entries if e["version"] != version]
    entries.append({"version": version, "released": released, "summary": summary,
                    "fingerprint": fingerprint(target)})
    _write_index(out, entries)
    return target


def withdraw(out: Path, version: str, *, reason: str, when: str,
             keep: Callable[[Path, str], None]) -> dict:
    """Withdraw a published release: `keep(folder, fingerprint)` saves its files where later
    builds still audit against them (never in `out`), then the index gets a tombstone,
    `latest` falls back to the newest remaining release and the files leave `out`.

    Each step is atomic; killed between two, the next build or withdrawal finishes the job
    (a tombstoned version's folder is removed), and before the tombstone nothing changed.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise ReleaseError("say why the release is withdrawn (--reason)")
    with locked(out):
        entries = read_index(out)
        entry = next((e for e in entries if e["version"] == version), None)
        folder = out / version
        if entry is not None and withdrawn(entry):
            raise ReleaseError(f"version {version} was already withdrawn on "
                               f"{entry['withdrawn']}")
        if entry is None or not folder.is_dir():
            known = ", ".join(e["version"] for e in entries if not withdrawn(e)) or "none"
            raise ReleaseError(f"version {version} is not published in {out} (published: "
                               f"{known})")
        verify(folder)
        digest = fingerprint(folder)
        keep(folder, digest)
        tomb = {"version": version, "released": entry["released"], "fingerprint": digest,
                "withdrawn": when, "reason": reason}
        entries = [tomb if e is entry else e for e in entries]
        _write_index(out, entries)
        _tidy(out, entries)
        return tomb


def version_key(version: str) -> tuple:
    """Semantic-version order: 1.10.0 after 1.9.0; a pre-release before its release."""
    core, _, pre = version.partition("-")
    return (*(int(p) for p in core.split("+")[0].split(".")), pre == "", pre)
