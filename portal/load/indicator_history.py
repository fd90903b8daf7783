"""Each indicator's values as every published release reported them: its trajectory.

A release's results framework holds the actuals as of that release, and the portal loads one
release; so when it loads one, the indicators of the releases listed before it in the release
list (``releases.json``) are loaded beside it, withdrawn ones never (their tombstone is what
counts: an interrupted withdrawal may have left the files). Later releases are not read, so
the history of 1.0.0 is the same whichever release is served. Values are read from each
release's published CSV as published: ``[c]`` stays suppressed (NULL, status ``suppressed``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from portal.load import history

log = logging.getLogger(__name__)

RESOURCE = "indicators"
#: The table's name after the release's prefix: no published resource's name starts with "_".
TABLE = "_indicator_history"
MARK = "[c]"
DESCRIPTOR = "datapackage.json"
#: The columns kept (and their Table Schema types): what a trajectory needs and shows.
FIELDS: tuple[tuple[str, str], ...] = (
    ("release_version", "string"), ("release_date", "date"),
    ("indicator_id", "string"), ("title_en", "string"), ("title_sq", "string"),
    ("title_sr", "string"), ("unit", "string"), ("ascending", "boolean"),
    ("baseline", "number"), ("baseline_year", "integer"), ("target", "number"),
    ("target_date", "date"), ("period_start", "date"), ("period_end", "date"),
    ("actual", "number"), ("status", "string"),
)
SCHEMA: dict[str, Any] = {"fields": [{"name": n, "type": t} for n, t in FIELDS],
                          "primaryKey": ["release_version", "indicator_id", "period_start"]}
#: Columns a suppressed row published as ``[c]``.
SUPPRESSIBLE = ("actual",)


@dataclass(frozen=True)
class Source:
    """A release whose indicators the history holds: its version, day and folder."""

    version: str
    released: str
    root: Path


def sources(releases_dir: Path, version: str, root: Path) -> list[Source]:
    """The releases in the history of release ``version`` (in ``root``), oldest first: the
    published ones listed before it, then itself (alone when the list does not name it)."""
    entries = history.read(releases_dir)
    position = next((i for i, e in enumerate(entries) if e.version == version), None)
    if position is None:
        return [Source(version, "", root)]
    earlier = [Source(e.version, e.released[:10], releases_dir / e.version)
               for e in entries[:position] if not e.withdrawn]
    return [*earlier, Source(version, entries[position].released[:10], root)]


def digest(found: Sequence[Source]) -> str:
    """What the history is made of (versions and days), for keys of what shows it."""
    text = "\n".join(f"{s.version} {s.released}" for s in found)
    return hashlib.sha256(text.encode()).hexdigest()


def _csv(root: Path) -> Path | None:
    """The indicators CSV of the release in ``root`` (None if it publishes none)."""
    for path in sorted(root.glob(f"*/{DESCRIPTOR}")):
        descriptor = json.loads(path.read_bytes())
        for resource in descriptor.get("resources", []):
            if resource.get("name") == RESOURCE and str(resource.get("path", "")).endswith(".csv"):
                return path.parent / resource["path"]
    return None


def _typed(text: pd.Series, kind: str) -> pd.Series:
    missing = text.isin(("", MARK))
    if kind in ("number", "integer"):
        return pd.to_numeric(text.where(~missing))
    if kind == "boolean":
        return text.str.lower().map({"true": True, "false": False})
    return text.where(text != "")


def _rows(source: Source) -> pd.DataFrame:
    path = _csv(source.root)
    if path is None:
        return pd.DataFrame(columns=[n for n, _kind in FIELDS])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    blank = pd.Series("", index=frame.index, dtype=object)
    out = pd.DataFrame({"release_version": source.version, "release_date": source.released or None},
                       index=frame.index)
    for name, kind in FIELDS[2:]:
        out[name] = _typed(frame.get(name, blank), kind)
    # A suppressed actual is suppressed whatever else the row says.
    out.loc[frame.get("actual", blank) == MARK, "status"] = "suppressed"
    return out


def read(found: Sequence[Source]) -> pd.DataFrame:
    """Every row of each release's indicators CSV (columns :data:`FIELDS`), oldest first.

    An earlier release that cannot be read is left out with a warning: the release being
    loaded must not fail for it. The release itself (last) must be readable.
    """
    frames = []
    for number, source in enumerate(found):
        try:
            frames.append(_rows(source))
        except (OSError, ValueError, KeyError) as error:
            if number == len(found) - 1:
                raise
            log.warning("indicator history: release %s left out: %s", source.version, error)
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[n for n, _kind in FIELDS])
    frame = pd.concat(frames, ignore_index=True)[[n for n, _kind in FIELDS]]
    return frame.astype(object).where(frame.notna(), None)
