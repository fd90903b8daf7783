"""What a new release changes against the current one, as the publisher sees it before
publishing: units added or gone (counts only) and, table by table, rows and cells that changed
and cells newly suppressed.

Only published files and the two releases' private ledgers' unit ids are read; no value of a
unit, so the comparison can be shown to staff without showing raw data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from etl.anonymise.params import SUPPRESSED
from etl.anonymise.release import AnonymisedRelease
from etl.history.earlier import Earlier


@dataclass(frozen=True)
class UnitChange:
    """One kind of unit (businesses, people, sessions, meetings) between the two releases."""

    kind: str
    before: int
    after: int
    added: int
    gone: int
    changed: int


@dataclass(frozen=True)
class TableChange:
    """One published table: ``status`` is added, removed, changed or same."""

    package: str
    name: str
    status: str
    rows_added: int = 0
    rows_removed: int = 0
    cells_changed: int = 0
    newly_suppressed: int = 0


def units(release: AnonymisedRelease, current: Earlier | None) -> list[UnitChange]:
    """Units added and gone by their private ids; changed = in both with any record changed
    (the count the cross-release audit reports)."""
    audited = {t["version"]: t for t in release.report.get("history", {}).get("tables", [])}
    changed_all = (audited.get(current.version, {}).get("changed_units", {})
                   if current is not None else {})
    found = []
    for kind, frame in sorted(release.ledger_frames.items()):
        after = set(np.unique(frame["_unit"].to_numpy()).tolist())
        before: set = set()
        if current is not None and kind in current.ledger.kinds:
            old = current.ledger.frame(kind, ["_unit"])
            before = set(np.unique(old["_unit"].to_numpy()).tolist())
        added, gone = len(after - before), len(before - after)
        changed = max(int(changed_all.get(kind, 0)) - added - gone, 0)
        found.append(UnitChange(kind, len(before), len(after), added, gone, changed))
    return found


def _resources(release: Path) -> dict[tuple[str, str], tuple[Path, list[str]]]:
    found = {}
    for descriptor in sorted(release.glob("*/datapackage.json")):
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        for resource in package.get("resources", []):
            path = resource.get("path")
            if isinstance(path, str) and path.endswith(".csv"):
                key = resource.get("schema", {}).get("primaryKey") or []
                found[(package["name"], resource["name"])] = (
                    descriptor.parent / path, [key] if isinstance(key, str) else list(key))
    return found


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def table(package: str, name: str, new: pd.DataFrame, old: pd.DataFrame,
          key: list[str]) -> TableChange:
    """Rows matched on the primary key (row order when there is none)."""
    if not key or not set(key) <= set(new.columns) & set(old.columns):
        new = new.assign(_row=np.arange(len(new)).astype(str))
        old = old.assign(_row=np.arange(len(old)).astype(str))
        key = ["_row"]
    new_i, old_i = new.set_index(key), old.set_index(key)
    new_i = new_i[~new_i.index.duplicated()]
    old_i = old_i[~old_i.index.duplicated()]
    both = new_i.index.intersection(old_i.index)
    columns = [c for c in new_i.columns if c in old_i.columns]
    a, b = new_i.loc[both, columns], old_i.loc[both, columns]
    differ = int((a.to_numpy() != b.to_numpy()).sum()) if len(both) else 0
    newly = int(((a.to_numpy() == SUPPRESSED) & (b.to_numpy() != SUPPRESSED)).sum()) \
        if len(both) else 0
    added = len(new_i.index.difference(old_i.index))
    removed = len(old_i.index.difference(new_i.index))
    changed = differ or added or removed or set(new_i.columns) != set(old_i.columns)
    return TableChange(package, name, "changed" if changed else "same", added, removed,
                       differ, newly)


def tables(new_release: Path, current_release: Path | None) -> list[TableChange]:
    """Every published CSV table of the new release against the current one."""
    new = _resources(new_release)
    old = _resources(current_release) if current_release is not None else {}
    found = []
    for (package, name), (path, key) in new.items():
        if (package, name) not in old:
            found.append(TableChange(package, name, "added", rows_added=len(_read(path))))
            continue
        found.append(table(package, name, _read(path), _read(old[(package, name)][0]), key))
    for (package, name), (path, _key) in old.items():
        if (package, name) not in new:
            found.append(TableChange(package, name, "removed", rows_removed=len(_read(path))))
    return found
