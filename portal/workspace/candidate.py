"""An upload's way to a release: received and checked, previewed, then published or discarded;
and the sweep that deletes uploads past their retention.

Everything an upload holds stays in ``WORKSPACE_DIR/uploads/<id>/``: the file as received, and
the preview's release folder. Publishing runs the same build as ``python -m etl build``
(:mod:`etl.publish.run`) into the public packages folder, under a lock, and only if the release
the preview was compared with is still the current one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import pickle
import secrets
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import flask
import sqlalchemy as sa
from sqlalchemy.orm import Session

from etl.indicators.reports import supplement
from etl.publish import compare, releases, run
from etl.read import RawInput, read_raw
from etl.validate import CheckResult, check_path
from portal.workspace.intake import Limits, receive
from portal.workspace.models import Database, IndicatorReport, Upload, now

UPLOADS = "uploads"
PREVIEW = "preview"
PROBLEMS = "problems.pickle"
PUBLISH_LOCK = "publish.lock"


class Refused(Exception):
    """A step that cannot be taken now; ``message`` is an English template for
    :func:`portal.i18n._` with ``params``. Nothing was changed."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


@dataclass(frozen=True)
class Place:
    """Where the workspace keeps uploads and where it publishes."""

    root: Path
    packages: Path
    history: Path | None
    limits: Limits
    retention: dt.timedelta

    def folder(self, upload_id: str) -> Path:
        return self.root / UPLOADS / upload_id

    def raw(self, upload: Upload) -> Path:
        folder = self.folder(upload.id)
        return folder / "workbook.xlsx" if upload.kind == "xlsx" else folder / "csv"


def current(packages: Path) -> tuple[str, str] | None:
    """The current release (version, fingerprint), or None before the first one."""
    target = releases.latest(packages) if packages.is_dir() else None
    if target is None:
        return None
    entry = next((e for e in releases.read_index(packages) if e["version"] == target.name), {})
    return target.name, entry.get("fingerprint") or releases.fingerprint(target)


def _base(packages: Path) -> str:
    found = current(packages)
    return f"{found[0]}@{found[1]}" if found else "-"


def entries(session: Session) -> list[dict[str, str]]:
    """The hand-reported indicator values to include (never their notes)."""
    return [{"indicator_id": r.indicator_id, "period_start": r.period_start,
             "period_end": r.period_end, "actual": r.actual}
            for r in session.scalars(sa.select(IndicatorReport).order_by(
                IndicatorReport.indicator_id, IndicatorReport.period_start))]


def _digest(reports: Sequence[dict[str, str]]) -> str:
    return hashlib.sha256(json.dumps(reports, sort_keys=True).encode()).hexdigest()


# --- receive and check -----------------------------------------------------------------------


def take(place: Place, db: Database, stream: BinaryIO, filename: str, user: str
         ) -> tuple[Upload, CheckResult]:
    """Store an upload (refused uploads leave nothing: :class:`intake.IntakeError`) and check
    it as ``etl check`` would."""
    upload_id = secrets.token_hex(16)
    folder = place.folder(upload_id)
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = receive(stream, filename, folder, place.limits)
    try:
        result = check_path(path)
        # The report is shown and downloaded again later: kept beside the upload (private).
        with (folder / PROBLEMS).open("wb") as handle:
            pickle.dump(result.problems, handle)
        upload = Upload(id=upload_id, user=user, kind="xlsx" if path.suffix else "zip",
                        errors=result.problems.count("error"),
                        warnings=result.problems.count("warning"))
        with db.session() as s:
            s.add(upload)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return upload, result


def report(place: Place, upload: Upload) -> CheckResult:
    """The upload's check report as it was made when it arrived (problems only)."""
    path = place.raw(upload)
    with (place.folder(upload.id) / PROBLEMS).open("rb") as handle:
        found = pickle.load(handle)  # noqa: S301 - written by take() above, never uploaded
    return CheckResult(RawInput(path, "xlsx" if path.suffix else "csv"), problems=found)


# --- preview ---------------------------------------------------------------------------------


def _figures(root: Path, version: str, locales: Sequence[str]) -> dict[str, list[list[str]]]:
    """The overview's key figures of a release folder, in each language."""
    from portal.components.key_figures import key_figure_values
    from portal.i18n import in_locale
    from portal.publications.release import Version, opened

    app = flask.Flask("workspace-figures", static_folder=None)
    app.config.update(PACKAGES_DIR=str(root.parent))
    found = {}
    with opened(app, Version(version, "", root), locales[0]) as (loaded, _published):
        for locale in locales:
            with in_locale(locale):
                found[locale] = [[f.value, f.label, f.note] for f in key_figure_values(loaded)]
    return found


def preview(place: Place, db: Database, upload_id: str, locales: Sequence[str]) -> dict:
    """Build the release the upload would publish into its folder and describe it."""
    with db.session() as s:
        upload = _open(s, upload_id)
        if upload.errors:
            raise Refused("This upload has errors: fix them and upload it again.")
        reports = entries(s)
    folder = place.folder(upload_id) / PREVIEW
    shutil.rmtree(folder, ignore_errors=True)
    base = current(place.packages)
    raw = read_raw(place.raw(upload))
    supplement(raw, reports)
    try:
        built = run.anonymised(raw, place.packages, history=place.history)
        target = run.preview(built, folder)
        earlier = next((e for e in built.earlier if base and e.version == base[0]), None)
        old = place.packages / base[0] if base else None
        report = built.release.report
        described = {
            "version": built.version,
            "base": base[0] if base else None,
            "reports": len(reports),
            "reports_digest": _digest(reports),
            "microdata": {k: report["microdata"].get(k) for k in (
                "records_in", "records_out", "records_suppressed", "suppressed_share",
                "achieved_k")},
            "tables": report["tables_summary"],
            "rules": report.get("rules", []),
            "history": report.get("history", {}),
            "units": [asdict(u) for u in compare.units(built.release, earlier)],
            "changes": [asdict(c) for c in compare.tables(target, old)],
            "figures": _figures(target, built.version, locales),
            "current_figures": _figures(old, base[0], locales) if old else {},
        }
    except run.Stopped as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise Refused("The release cannot be built: %(why)s. Nothing was published.",
                      why=_why(exc)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    with db.session() as s:
        upload = _open(s, upload_id)
        upload.state, upload.version = "previewed", built.version
        upload.base = _base(place.packages) if base else "-"
        upload.fingerprint = releases.fingerprint(target)
        upload.preview = json.dumps(described)
    return described


def _why(stopped: run.Stopped) -> str:
    """Why a build stopped; with the problems when the input (with the indicator values
    entered here) breaks a rule, e.g. a value for an indicator the export no longer has."""
    if stopped.result is None:
        return str(stopped)
    found = [f"{p.file} row {p.row}, {p.column}: {p.message} ({p.value})"
             for p in stopped.result.problems if p.severity == "error"][:3]
    return f"{stopped}: " + "; ".join(found)


def _open(s: Session, upload_id: str) -> Upload:
    upload = s.get(Upload, upload_id)
    if upload is None:
        raise Refused("There is no such upload.")
    if not upload.open:
        raise Refused("This upload was already %(state)s; nothing was changed.",
                      state=upload.state)
    return upload


# --- publish and discard ---------------------------------------------------------------------


@contextlib.contextmanager
def _publishing(place: Place) -> Iterator[None]:
    """One publication at a time; a second is told at once rather than queued."""
    place.root.mkdir(parents=True, exist_ok=True)
    with (place.root / PUBLISH_LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Refused("Another release is being published right now. Wait a minute, "
                          "then look at the releases before trying again.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(place: Place, db: Database, upload_id: str) -> str:
    """Publish a previewed upload exactly as previewed; returns the version."""
    with _publishing(place):
        with db.session() as s:
            upload = _open(s, upload_id)
            if upload.state != "previewed" or not upload.preview:
                raise Refused("Preview this upload before publishing it.")
            reports = entries(s)
            described = json.loads(upload.preview)
        now_current = _base(place.packages)
        if upload.base != now_current:
            raise Refused("Release %(version)s was published after this preview was made. "
                          "Preview again to see what would change now.",
                          version=now_current.split("@")[0])
        if described["reports_digest"] != _digest(reports):
            raise Refused("Indicator reports changed after this preview was made. Preview "
                          "again to see what would be published.")
        raw = read_raw(place.raw(upload))
        supplement(raw, reports)
        try:
            built = run.anonymised(raw, place.packages, version=upload.version,
                                   history=place.history)
            folder = run.publish(built, place.packages)
        except run.Stopped as exc:
            raise Refused("The release cannot be built: %(why)s. Nothing was published.",
                          why=_why(exc)) from None
        with db.session() as s:
            upload = s.get(Upload, upload_id)
            assert upload is not None
            upload.state, upload.finished = "published", now()
            upload.fingerprint = releases.fingerprint(folder)
        shutil.rmtree(place.folder(upload_id), ignore_errors=True)
        return built.version


def discard(place: Place, db: Database, upload_id: str) -> None:
    with db.session() as s:
        upload = _open(s, upload_id)
        upload.state, upload.finished = "discarded", now()
    shutil.rmtree(place.folder(upload_id), ignore_errors=True)


def withdraw(place: Place, version: str, reason: str) -> dict[str, Any]:
    with _publishing(place):
        try:
            return run.withdraw(place.packages, version, reason, place.history)
        except run.Stopped as exc:
            raise Refused("The release was not withdrawn: %(why)s.", why=str(exc)) from None


def sweep(place: Place, db: Database) -> int:
    """Delete the files of uploads past their retention, finished ones, and folders no upload
    owns (a crash mid-upload); returns how many folders went."""
    gone, expired = 0, set()
    cutoff = now() - place.retention
    with db.session() as s:
        for upload in s.scalars(sa.select(Upload).where(Upload.state.in_(("checked",
                                                                           "previewed")))):
            if upload.created < cutoff:
                upload.state, upload.finished = "expired", now()
                expired.add(upload.id)
        owned = {u for (u,) in s.execute(sa.select(Upload.id).where(
            Upload.state.in_(("checked", "previewed"))))}
    folder = place.root / UPLOADS
    settling = now().timestamp() - 3600  # a folder being received has no upload row yet
    for child in folder.iterdir() if folder.is_dir() else ():
        if child.name not in owned and child.stat().st_mtime < settling or \
                child.name in expired:
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()
            gone += 1
    return gone
