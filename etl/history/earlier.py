"""Every earlier release of a packages folder, as an attacker holds it, with its ledger.

The attacker keeps every release ever published — withdrawn ones too: they may have been
downloaded — so each is read from its published files (from the history folder once
withdrawn), and every file is checked against the hashes its descriptor lists: an earlier
release that cannot be read, or was edited after publication, stops the build. Auditing
against part of the history would be silent and wrong.
"""

from __future__ import annotations

import io
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl.history import ledger as ledgers
from etl.history.ledger import Ledger, LedgerError
from etl.publish.releases import (
    VERSION_PATTERN,
    ReleaseError,
    fingerprint,
    read_index,
    verify,
    version_key,
    withdrawn,
)

#: Columns that make a published table a protected table (dims come before them).
TABLE_COLUMNS = ("value", "status", "rule")
MICRODATA = "businesses"


class HistoryError(RuntimeError):
    """An earlier release cannot be read as published, or its ledger is missing."""


@dataclass
class Earlier:
    """One earlier release: its published tables and microdata, report and ledger."""

    version: str
    released: str
    #: Date of withdrawal, or None while published.
    withdrawn: str | None
    folder: Path
    fingerprint: str
    #: Table name → as published: dims and ``status`` as text, ``value`` a number (NaN where
    #: suppressed).
    tables: dict[str, pd.DataFrame]
    #: The disclosure-risk report it published.
    report: dict[str, Any]
    ledger: Ledger = field(repr=False)

    @property
    def status(self) -> str:
        return "withdrawn" if self.withdrawn else "published"

    def microdata(self) -> pd.DataFrame:
        """The business microdata as published (text; ``[c]`` kept), read when asked: it
        can be large, and only one earlier release's is needed at a time."""
        for package in sorted(p for p in self.folder.iterdir() if p.is_dir()):
            path = package / "data" / f"{MICRODATA}.csv"
            if path.is_file():
                return _read_csv(path)
        return pd.DataFrame()


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False)


def _tables(folder: Path, descriptors: dict[str, dict]) -> tuple[dict, dict]:
    tables: dict[str, pd.DataFrame] = {}
    report: dict[str, Any] = {}
    for package, descriptor in descriptors.items():
        risk = (descriptor.get("x-disclosureRiskReport") or {}).get("json")
        if risk and not report and (folder / package / risk).is_file():
            report = json.loads((folder / package / risk).read_text(encoding="utf-8"))
        for resource in descriptor.get("resources", []):
            names = [f["name"] for f in resource.get("schema", {}).get("fields", [])]
            path = folder / package / resource["path"]
            if resource["name"] != MICRODATA and names[-len(TABLE_COLUMNS):] == list(
                    TABLE_COLUMNS):
                frame = _read_csv(path)
                frame["value"] = pd.to_numeric(frame["value"].where(
                    frame["status"] == "published"), errors="raise")
                tables[resource["name"]] = frame
    return tables, report


def _folder(out: Path, root: Path, entry: dict) -> Path:
    if not withdrawn(entry):
        return out / entry["version"]
    kept = ledgers.withdrawn_files(root, str(entry.get("fingerprint", "")))
    if not kept.is_dir():
        raise HistoryError(
            f"release {entry['version']} was withdrawn, but its files are not in the history "
            f"folder ({kept}): later releases must still be audited against it (it may have "
            "been downloaded). Restore the history folder from your backup")
    return kept


def entries(out: Path) -> list[dict]:
    """Every release of ``out``: the index's entries, and any version folder it lacks."""
    listed = read_index(out)
    known = {e["version"] for e in listed}
    extra = [{"version": p.name, "released": ""} for p in out.iterdir()
             if p.is_dir() and not p.is_symlink() and VERSION_PATTERN.fullmatch(p.name)
             and p.name not in known] if out.is_dir() else []
    return sorted(listed + extra, key=lambda e: version_key(e["version"]))


def load(out: Path, root: Path, key: bytes, *, exclude: str | None = None,
         only: Collection[str] | None = None) -> list[Earlier]:
    """The releases of ``out`` other than ``exclude`` (limited to ``only`` when given), oldest
    first, each verified against its descriptors and paired with its ledger."""
    found = []
    for entry in entries(out):
        version = entry["version"]
        if version == exclude or (only is not None and version not in only):
            continue
        folder = _folder(out, root, entry)
        try:
            descriptors = verify(folder)
            digest = fingerprint(folder)
            if entry.get("fingerprint") and entry["fingerprint"] != digest:
                raise ReleaseError(f"{folder}: its descriptors no longer match the fingerprint "
                                   f"releases.json recorded for {version}")
            tables, report = _tables(folder, descriptors)
            ledger = ledgers.read(root, digest, key, version)
        except (ReleaseError, LedgerError, OSError, ValueError, KeyError) as error:
            raise HistoryError(f"earlier release {version} cannot be audited against: "
                               f"{error}") from None
        found.append(Earlier(version, str(entry.get("released", "")),
                             entry.get("withdrawn") if withdrawn(entry) else None, folder,
                             digest, tables, report, ledger))
    return found
