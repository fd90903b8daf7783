"""The private ledger of a release: what it was built from, kept to audit later releases.

Differencing two releases is an attack on the units that changed between them, so the next
build must know exactly which units joined, left or changed and what they contributed to
each cell then. The published files cannot say (that is the point of protecting them), so each
build keeps a ledger beside — never inside — the published folder: the unit frames the tables
were built from (one row per business, session, participation or meeting, with no name,
number, contact or free text, and every raw id replaced by a keyed hash) and which business
records the microdata published, in which survey wave.

A ledger is as confidential as the raw input. It lives in the history folder (see
:func:`history_dir`), is addressed by the fingerprint of the release it describes, and carries
an HMAC under the pseudonym key: a ledger written by hand, for another release or under
another key is refused, never silently used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: Where ledgers live unless ``--history`` or this variable says otherwise.
HISTORY_ENV = "PORTAL_HISTORY_DIR"
DEFAULT_HISTORY = Path(__file__).resolve().parent.parent.parent / "instance" / "etl-history"
MANIFEST = "ledger.json"
MICRODATA = "microdata"
FORMAT = 2


class LedgerError(RuntimeError):
    """A ledger is missing, altered, or belongs to another release or key."""


def history_dir(given: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """``given``, else ``$PORTAL_HISTORY_DIR``, else ``instance/etl-history`` of the checkout."""
    env = os.environ if environ is None else environ
    if given is not None:
        return Path(given)
    return Path(env[HISTORY_ENV]) if env.get(HISTORY_ENV) else DEFAULT_HISTORY


@dataclass
class Ledger:
    """One release's private ledger, as read back: the microdata index at once, the unit
    frames on demand (they are large; a build reads one earlier release's at a time)."""

    version: str
    fingerprint: str
    #: One row per current business: ``_unit``, ``digest`` (of its microdata record),
    #: ``wave`` (the survey wave whose microdata holds this record; missing: not published)
    #: and ``key`` (its row's key in this release's microdata; missing: not in it). Rows of
    #: businesses no longer surveyed whose records this release still publishes come too.
    microdata: pd.DataFrame
    #: The unit kinds it holds a frame for.
    kinds: tuple[str, ...]
    #: Reads a unit kind's frame (some columns, some rows), see :meth:`frame`.
    load: Callable[[str, Sequence[str] | None, np.ndarray | None], pd.DataFrame] = \
        field(repr=False)
    #: Reads a unit kind's columns and their types as stored, see :meth:`columns`.
    schema: Callable[[str], pa.Schema] = field(repr=False)

    def columns(self, kind: str) -> dict[str, pa.DataType]:
        """One unit kind's columns (``_unit`` and ``_digest`` too) and the types they are
        stored as, without reading a row: what the ETL that wrote the ledger built the
        tables from (an older ETL may have had fewer columns)."""
        return {f.name: f.type for f in self.schema(kind)}

    def frame(self, kind: str, columns: Sequence[str] | None = None,
              rows: np.ndarray | None = None) -> pd.DataFrame:
        """One unit kind's frame as the tables were built from it, with ``_unit`` and
        ``_digest``: only ``columns`` and the ``rows`` (a mask) asked for, when given."""
        return self.load(kind, columns, rows)


def _mac(key: bytes, manifest: dict) -> str:
    body = json.dumps({k: v for k, v in manifest.items() if k != "mac"}, sort_keys=True)
    return hmac.new(key, b"nkpm-ledger\x1f" + body.encode("utf-8"), hashlib.sha256).hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tuples(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if frame[c].dtype == object
            and frame[c].map(lambda v: isinstance(v, tuple)).any()]


def write(root: Path, *, version: str, fingerprint: str, frames: Mapping[str, pd.DataFrame],
          microdata: pd.DataFrame, key: bytes) -> Path:
    """Write a release's ledger to ``root/<fingerprint>/`` atomically (a folder renamed into
    place): each unit kind's frame (with ``_unit``) and the microdata index."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / fingerprint
    staging = root / f".tmp-{fingerprint}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        files: dict[str, str] = {}
        tuples: dict[str, list[str]] = {}
        for name, frame in {**frames, MICRODATA: microdata}.items():
            columns = _tuples(frame)
            tuples[name] = columns
            out = frame.assign(**{c: frame[c].map(list) for c in columns}).reset_index(drop=True)
            path = staging / f"{name}.parquet"
            out.to_parquet(path, index=False)
            files[path.name] = _sha256(path)
        manifest = {"format": FORMAT, "version": version, "fingerprint": fingerprint,
                    "files": files, "tuples": tuples}
        manifest["mac"] = _mac(key, manifest)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
        for path in staging.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def read(root: Path, fingerprint: str, key: bytes, version: str) -> Ledger:
    """The ledger of the release with ``fingerprint``; :class:`LedgerError` naming what is wrong
    when it is missing, altered, or not this release's."""
    folder = root / fingerprint
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise LedgerError(
            f"release {version} has no ledger in {root} (looked for {manifest_path}): the "
            "build that published it keeps one there. Restore the history folder from your "
            f"backup, or rebuild {version} from its own raw input with `--version {version}` "
            "(the files must come out byte-identical), which writes it again")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise LedgerError(f"{manifest_path}: not a valid ledger ({error})") from None
    if not hmac.compare_digest(str(manifest.get("mac", "")), _mac(key, manifest)):
        raise LedgerError(f"{manifest_path}: the ledger's signature does not match (altered, "
                          "or written under another pseudonym key)")
    if manifest.get("fingerprint") != fingerprint or manifest.get("version") != version:
        raise LedgerError(f"{manifest_path}: the ledger belongs to release "
                          f"{manifest.get('version')}, not to {version}")
    for name, digest in sorted(manifest["files"].items()):
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            raise LedgerError(f"{path}: missing or altered (its hash differs from {MANIFEST})")

    def frame(name: str, columns: Sequence[str] | None = None,
              rows: np.ndarray | None = None) -> pd.DataFrame:
        path = folder / f"{name}.parquet"
        names = list(columns) if columns is not None else pq.read_schema(path).names
        keep = None if rows is None else pa.array(np.asarray(rows, dtype=bool))
        parts = {}
        for column in names:  # a column at a time: only the rows asked for stay in memory
            table = pq.read_table(path, columns=[column])
            parts[column] = (table if keep is None else table.filter(keep)).to_pandas()[column]
        found = pd.DataFrame(parts)
        for column in manifest["tuples"].get(name, []):
            if column in found:
                found[column] = pd.Series([tuple(v) for v in found[column]], dtype=object,
                                          index=found.index)
        return found

    if manifest.get("format") != FORMAT:
        raise LedgerError(f"{manifest_path}: a ledger of format {manifest.get('format')}, "
                          f"this ETL reads format {FORMAT}: rebuild release {version} from its "
                          "raw input to write it again")
    micro = frame(MICRODATA)
    micro["wave"] = micro["wave"].astype("Int64")
    kinds = tuple(sorted(Path(n).stem for n in manifest["files"] if Path(n).stem != MICRODATA))
    return Ledger(version, fingerprint, micro, kinds, frame,
                  lambda name: pq.read_schema(folder / f"{name}.parquet"))

#: Inside a release's history entry: its published files, once withdrawn from the portal.
WITHDRAWN_FILES = "published"


def withdrawn_files(root: Path, fingerprint: str) -> Path:
    """Where the files of a withdrawn release are kept: attackers may have downloaded them,
    so later builds still audit against them."""
    return root / fingerprint / WITHDRAWN_FILES


def keep_withdrawn(root: Path, fingerprint: str, folder: Path) -> Path:
    """Copy a release folder being withdrawn into its history entry (atomically: a copy
    renamed into place; an earlier complete copy is kept)."""
    target = withdrawn_files(root, fingerprint)
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".tmp-{WITHDRAWN_FILES}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        shutil.copytree(folder, staging, symlinks=True)
        for path in staging.rglob("*"):
            if path.is_file():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
