"""One build, as the CLI and the staff workspace run it: check, anonymise against every earlier
release, then either publish or write a private preview; and a withdrawal.

Both front ends go through here so that a release published from the workspace is exactly the
one ``python -m etl build`` would publish from the same input.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etl.anonymise.release import AnonymisedRelease
from etl.history.earlier import Earlier
from etl.read import RawInput
from etl.validate import CheckResult

Progress = Callable[[str], None]
DEFAULT_VERSION = "1.0.0"


class Stopped(Exception):
    """A build that publishes nothing; ``str()`` says why in one sentence, ``result`` holds the
    check's report when the input has errors."""

    def __init__(self, why: str, result: CheckResult | None = None) -> None:
        super().__init__(why)
        self.result = result


@dataclass
class Built:
    """A checked, anonymised release not published yet."""

    result: CheckResult
    release: AnonymisedRelease
    earlier: list[Earlier]
    key: bytes
    history: Path
    notes: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.release.version


def next_version(out: Path) -> str:
    """The minor version after the highest in ``out`` (withdrawn ones count: never reused)."""
    from etl.history.earlier import entries
    from etl.publish.releases import version_key

    known = [e["version"] for e in entries(out)] if out.is_dir() else []
    if not known:
        return DEFAULT_VERSION
    major, minor, *_ = version_key(max(known, key=version_key))
    return f"{major}.{minor + 1}.0"


def _audited_before(out: Path, version: str) -> set[str] | None:
    """The releases a published version was audited against (a rebuild must audit against
    the same to come out identical); None for a new version."""
    from etl.publish.package import PRODUCT_MAP

    report = out / version / PRODUCT_MAP / "disclosure-risk.json"
    if not report.is_file():
        return None
    earlier = json.loads(report.read_text(encoding="utf-8")).get("history", {})
    return {e["version"] for e in earlier.get("earlier_releases", [])}


def anonymised(raw: Path | RawInput, out: Path, *, version: str | None = None,
               history: Path | None = None, progress: Progress | None = None) -> Built:
    """Check ``raw`` (a path, or an input already read and supplemented) and anonymise it
    against the releases of ``out``; raises :class:`Stopped`."""
    from etl.anonymise.errors import DisclosureError, HistoryMismatch
    from etl.anonymise.pseudonym import MissingKeyError, release_key
    from etl.anonymise.release import anonymise
    from etl.history.earlier import HistoryError, load
    from etl.history.ledger import history_dir
    from etl.publish.releases import ReleaseError, check_version
    from etl.validate import check, check_path

    result = (check(raw, progress) if isinstance(raw, RawInput)
              else check_path(raw, progress))
    if not result.ok:
        raise Stopped("the input has errors", result)
    result.raw.tables.clear()  # the typed tables are what the build reads: free the text
    version = version or next_version(out)
    root = history_dir(history)
    try:
        check_version(version, out if out.is_dir() else None)
        key = release_key(bool(result.raw.demo_marker))
        if progress:
            progress(f"reading the earlier releases in {out} and their ledgers")
        earlier = load(out, root, key, exclude=version,
                       only=_audited_before(out, version)) if out.is_dir() else []
        if progress:
            progress("anonymising (k-anonymity, l-diversity, protected tables, audits"
                     + (f", against {len(earlier)} earlier release"
                        f"{'s' if len(earlier) > 1 else ''})" if earlier else ")"))
        release = anonymise(result, version=version, key=key, earlier=earlier)
    except (MissingKeyError, ReleaseError, HistoryError, HistoryMismatch) as exc:
        raise Stopped(str(exc)) from None
    except DisclosureError as exc:
        raise Stopped(f"disclosure rule {exc.rule} fails in {exc.table}: {exc.detail}") from None
    return Built(result, release, earlier, key, root)


def summary(built: Built) -> str:
    """The one line the CLI prints once a release is anonymised."""
    from etl.publish.directory import listings

    m, t = built.release.report["microdata"], built.release.report["tables_summary"]
    n = len(built.earlier)
    listed = listings(built.result, built.key)
    return (f"Anonymised: k = {m['achieved_k']}, {m['records_suppressed']} of "
            f"{m['records_out']} records locally suppressed; "
            f"{t['primary'] + t['secondary'] + t['history']} of {t['cells']} table cells "
            "suppressed"
            + (f" ({t['history']} because of the {n} earlier release{'s' if n > 1 else ''})"
               if n else "") + "; every rule passed."
            + (f" Supplier directory: {len(listed)} listing{'s' if len(listed) != 1 else ''}."
               if listed is not None else ""))


def publish(built: Built, out: Path, progress: Progress | None = None) -> Path:
    """Publish ``built`` into ``out`` atomically, its ledger kept in the history folder."""
    from etl.publish.build import extras, publish_release
    from etl.publish.releases import ReleaseError

    try:
        return publish_release(built.result, built.release, out,
                               extras(built.result, built.release), progress,
                               history=(built.history, built.key))
    except ReleaseError as exc:
        raise Stopped(str(exc)) from None


def preview(built: Built, folder: Path, progress: Progress | None = None) -> Path:
    """Write ``built`` as ``folder/<version>`` — every package, no ledger, nothing published —
    with ``folder/latest`` pointing at it, so it reads like a packages folder."""
    from etl.publish.build import extras, release_writer
    from etl.publish.releases import LATEST

    target = folder / built.version
    target.mkdir(parents=True)
    release_writer(built.result, built.release, extras(built.result, built.release),
                   progress)(target)
    os.symlink(built.version, folder / LATEST)
    return target


def withdraw(out: Path, version: str, reason: str, history: Path | None = None,
             environ: dict[str, str] | None = None) -> dict:
    """Withdraw a published release (tombstone kept; its files kept in the history folder for
    auditing later releases); raises :class:`Stopped`."""
    from etl.history.ledger import history_dir, keep_withdrawn
    from etl.publish.releases import ReleaseError
    from etl.publish.releases import withdraw as tombstone

    env = os.environ if environ is None else environ
    root = history_dir(history)
    epoch = env.get("SOURCE_DATE_EPOCH")
    when = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch
            else dt.datetime.now(dt.UTC)).date().isoformat()
    try:
        return tombstone(out, version, reason=reason, when=when,
                         keep=lambda folder, digest: keep_withdrawn(root, digest, folder))
    except (ReleaseError, OSError) as exc:
        raise Stopped(str(exc)) from None
