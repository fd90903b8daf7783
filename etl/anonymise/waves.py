"""Business microdata published per survey wave, and never re-published with additions.

Re-publishing the whole population with one business added lets anyone who holds both
releases subtract one from the other and read the newcomer's record. So, as statistical
offices do with panel surveys, records are published in *waves*: each release re-publishes
every earlier wave's rows unchanged (new keys, same content) and adds one new wave holding the
records not published before — businesses surveyed for the first time, and new answers of
businesses surveyed again. A wave is made k-anonymous and l-diverse among its own records,
because that is exactly what comparing two releases isolates. A wave too small to be
k-anonymous is not published: its records wait for the next one. A business that leaves keeps
its rows in the waves it was published in (they describe that wave), so nothing disappears
either; only a withdrawn release's wave is not carried on, and its records are not published
again unless they change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .background import CERTIFICATIONS, Known
from .bg_microdata import Extra, protect_carried
from .changes import extra, record_digests
from .hierarchies import QI_HIERARCHIES
from .microdata import USED_COLUMNS, Microdata, anonymise_businesses, business_key
from .params import SUPPRESSED, Params

WAVE = "survey_wave"
KEY = "business_key"


@dataclass(frozen=True)
class EarlierMicrodata:
    """What an earlier release published of the microdata, with its ledger's index."""

    version: str
    withdrawn: bool
    #: Reads the published rows (text, as in the release's file).
    rows: Callable[[], pd.DataFrame]
    #: The ledger's index: ``_unit``, ``digest``, ``wave``, ``key`` (see ``ledger.Ledger``).
    index: pd.DataFrame
    #: The waves its disclosure-risk report describes.
    waves: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Waves:
    """This release's microdata: the earlier waves carried on and the new wave, if any."""

    frame: pd.DataFrame
    #: The wave first published in this release (None: nothing new, or too few records).
    number: int | None
    deferred: int
    #: For the ledger: per published row and per current record (see ``ledger.Ledger``).
    index: pd.DataFrame
    #: Each published wave, for the disclosure-risk report.
    waves: list[dict[str, Any]]
    #: What the supplier directory made the carried waves suppress (None: no directory).
    carried_directory: Extra | None = None


def digests(e: pd.DataFrame) -> np.ndarray:
    """A hash of each business's record as the microdata is built from it."""
    return np.array([f"{d:016x}" for d in record_digests(e, USED_COLUMNS[1:])], dtype=object)


def _realigned(index: pd.DataFrame, key: bytes, version: str) -> pd.DataFrame:
    """The published entries of a ledger's index, each key with its own unit.

    Ledgers written before this was fixed stored a release's new wave's keys in published
    (key-sorted) order, not with their units: the rows were carried on correctly, but which
    business a row is did not follow. Each key is recomputed from its unit as that release
    computed it, when that gives back the same keys (the same pseudonym key), which repairs
    such a ledger and leaves a correct one as it is."""
    shown = index.dropna(subset=["key"]).copy()
    units = shown["_unit"].to_numpy(dtype=np.uint64)
    waves = shown["wave"].astype(int).to_numpy()
    keys = np.empty(len(shown), dtype=object)
    for wave in np.unique(waves):
        at = waves == wave
        keys[at] = business_key(units[at], key, version, int(wave))
    if set(keys) == set(shown["key"]):
        shown["key"] = keys
    return shown


def _carried(latest: EarlierMicrodata, key: bytes, version: str) -> tuple[pd.DataFrame,
                                                                          pd.DataFrame]:
    """The rows of ``latest`` to publish again (re-keyed) and their ledger index."""
    index = _realigned(latest.index, key, latest.version).set_index("key")
    rows = latest.rows()
    missing = sorted(set(rows[KEY]) - set(index.index))
    if missing:
        raise ValueError(f"the ledger of release {latest.version} does not list its microdata "
                         f"row {missing[0]} ({len(missing)} rows missing)")
    found = index.loc[rows[KEY]]
    waves = found["wave"].astype(int).to_numpy()
    units = found["_unit"].to_numpy(dtype=np.uint64)
    keys = np.empty(len(rows), dtype=object)
    for wave in np.unique(waves):
        at = waves == wave
        keys[at] = business_key(units[at], key, version, int(wave))
    rows[KEY] = keys
    rows[WAVE] = waves
    return rows, pd.DataFrame({"_unit": units, "digest": found["digest"].to_numpy(dtype=object),
                               "wave": pd.array(waves, dtype="Int64"), "key": keys})


def _wave_report(m: Microdata, number: int, version: str) -> dict[str, Any]:
    g, d = m.generalisation, m.diversity
    per_var = g.suppressions_per_variable
    return {
        "wave": number,
        "first_published": version,
        "records": int(len(m.frame)),
        "records_suppressed": int(g.suppressed.sum()),
        "suppressed_share": round(g.suppressed_share, 4),
        "achieved_k": g.achieved_k,
        "uniques_before": g.sample_uniques_before,
        "uniques_after": g.sample_uniques_after,
        "high_risk_before": g.at_risk_before,
        "high_risk_after": g.at_risk_after,
        "lattice_nodes_evaluated": g.nodes_evaluated,
        "lattice_size": g.lattice_size,
        "quasi_identifiers": [
            {"variable": h.name, "level": g.levels[h.name], "level_name": g.level_names[h.name],
             "levels": list(h.levels), "suppressed": per_var[h.name]}
            for h in QI_HIERARCHIES],
        "class_sizes": {str(k): v for k, v in sorted(g.size_distribution().items())},
        "class_sizes_before": {str(k): v for k, v in
                               sorted(g.size_distribution(before=True).items())},
        "sensitive": [{"variable": name, "smallest_l": d.achieved_l[name],
                       "suppressed": d.suppressed[name]} for name in d.frame.columns],
        **({} if m.directory is None else {"directory": {
            "listed_records": m.directory.listed, "classes": m.directory.classes,
            "records": m.directory.records, "cells_suppressed": m.directory.cells}}),
    }


def publish_waves(e: pd.DataFrame, units: np.ndarray, key: bytes, version: str,
                  params: Params, earlier: Sequence[EarlierMicrodata] = (),
                  known: Known | None = None) -> Waves:
    """The microdata of this release over the current records ``e`` (units ``units``), given
    what the earlier releases (oldest first) published and the supplier directory (``known``,
    aligned with ``e``): the new wave and the carried ones are protected against it (see
    :mod:`.bg_microdata`)."""
    units = np.asarray(units, dtype=np.uint64)
    digest = digests(e)
    published: dict[tuple[int, str], int] = {}
    for before in earlier:
        shown = before.index.dropna(subset=["wave"])
        published.update(zip(zip(shown["_unit"], shown["digest"], strict=True),
                             shown["wave"].astype(int), strict=True))
    number = max(published.values(), default=0) + 1
    live = [b for b in earlier if not b.withdrawn]
    latest = live[-1] if live else None
    if latest is not None:
        carried, index = _carried(latest, key, version)
        waves = [w for w in latest.waves if w["wave"] in set(carried[WAVE])]
    else:
        carried, index, waves = pd.DataFrame(), pd.DataFrame(), []
    carried_directory = None
    if known is not None and len(carried):
        carried, carried_directory = _protect_carried(carried, index, units, known, params)
    pairs = list(zip(units, digest, strict=True))
    new = np.array([p not in published for p in pairs], dtype=bool)
    rows = pd.DataFrame()
    if new.sum() >= params.k or (not earlier and new.any()):
        micro = anonymise_businesses(e if new.all() else e[new], units[new], key, version,
                                     number, params,
                                     None if known is None else known.subset(new))
        waves.append(_wave_report(micro, number, version))
        rows = micro.frame
        index = pd.concat([index, pd.DataFrame({
            "_unit": units[new], "digest": digest[new],
            "wave": pd.array([number] * int(new.sum()), dtype="Int64"),
            # aligned with the units (the wave's rows are sorted by key, not by unit)
            "key": business_key(units[new], key, version, number)})], ignore_index=True)
        del micro  # the report has what it had to say; its frames are large
    else:
        number = None
    if len(carried):
        frame = pd.concat([carried.astype(object), rows.astype(object)], ignore_index=True)
        frame = frame.where(frame.notna(), None)
    else:
        frame = rows
    frame = frame.sort_values(KEY, kind="stable").reset_index(drop=True)
    if len(set(frame[KEY])) != len(frame):
        raise RuntimeError("two records got the same published key; rebuild with another key")
    shown = set(zip(index["_unit"], index["digest"], strict=True)) if len(index) else set()
    rest = [(u, d, published.get((u, d))) for u, d in pairs if (u, d) not in shown]
    if rest:
        index = pd.concat([index, pd.DataFrame({
            "_unit": np.array([u for u, _, _ in rest], dtype=np.uint64),
            "digest": [d for _, d, _ in rest],
            "wave": pd.array([w for _, _, w in rest], dtype="Int64"),
            "key": [None] * len(rest)})], ignore_index=True)
    deferred = int(sum(w is None for _, _, w in rest))
    return Waves(frame, number, deferred, index.reset_index(drop=True), waves,
                 carried_directory)


def _protect_carried(carried: pd.DataFrame, index: pd.DataFrame, units: np.ndarray,
                     known: Known, params: Params) -> tuple[pd.DataFrame, Extra]:
    """Carried rows safe with the directory as it is now (see ``protect_carried``)."""
    position = {int(u): i for i, u in enumerate(units)}
    at = np.array([position.get(int(u), -1) for u in index["_unit"]], dtype=np.int64)
    qi = {h.name for h in QI_HIERARCHIES}
    telling = [c for c in carried.columns if c not in {KEY, WAVE, *qi, *CERTIFICATIONS}]
    frame, extra = protect_carried(carried, carried[WAVE].to_numpy(), known.take(at),
                                   telling, params)
    return frame, extra


def compared(frame: pd.DataFrame) -> list[str]:
    """The columns an attacker compares two releases' rows on: every one but the key."""
    return [c for c in frame.columns if c != KEY]


def row_digests(rows: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """A hash of each published row over ``columns`` (missing read as empty, as files say)."""
    text = pd.DataFrame({c: rows[c].astype(object).where(rows[c].notna(), "").astype(str)
                         if c in rows else "" for c in columns}, index=rows.index)
    return record_digests(text)


def check_differences(frame: pd.DataFrame, before: pd.DataFrame, params: Params,
                      digests: np.ndarray | None = None) -> tuple[int, int | None]:
    """An attacker's microdata attack on two releases: the rows of one that the other lacks
    (a multiset difference over every column but the key) must be k-anonymous among
    themselves, wildcards matching anything, both ways. Returns (rows differing, the smallest
    number of differing rows one of them matches; None when none differ). ``digests`` are
    ``frame``'s row digests, when already computed."""
    columns = compared(frame)
    qi = [h.name for h in QI_HIERARCHIES]
    mine = row_digests(frame, columns) if digests is None else digests
    theirs = row_digests(before, columns)
    smallest: int | None = None
    differing = 0
    for rows, this, that in ((frame, mine, theirs), (before, theirs, mine)):
        rest = rows[extra(this, that)]
        differing += len(rest)
        values = rest[qi].astype(object).where(rest[qi].notna(), "").astype(str) \
            .to_numpy(dtype=object)
        for pattern in {tuple(r) for r in values}:
            matched = np.ones(len(values), dtype=bool)
            for j, value in enumerate(pattern):
                if value != SUPPRESSED:
                    matched &= (values[:, j] == value) | (values[:, j] == SUPPRESSED)
            size = int(matched.sum())
            smallest = size if smallest is None else min(smallest, size)
    return differing, smallest
