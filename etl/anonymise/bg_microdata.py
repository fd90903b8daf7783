"""Microdata safe with the supplier directory known: no listing narrows a class below k.

An attacker finds a listed business's equivalence class from the register, then keeps only
the rows whose certification items agree with what the listing shows. That *candidate set*
must hold at least k rows and leave every other sensitive attribute l-diverse, or the listing
singles the record out. Where it does not, some of the four certification items are
suppressed for the **whole class** — the smallest set of items (fewest cells) that restores
both rules; suppressing all four always does, since the class itself is k-anonymous and
l-diverse. Never per record: hiding only the rows that disagree with a listing would mark
exactly them, and so give their values away.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .background import CERTIFICATIONS, Known
from .hierarchies import QI_HIERARCHIES
from .params import SUPPRESSED, Params

#: Values that say nothing sensitive (suppressed, not applicable, and missing: a carried
#: wave read back from its published file has "" where the answer is missing).
SILENT = (SUPPRESSED, "na", "")


@dataclass(frozen=True)
class Extra:
    """What the directory made this wave suppress."""

    listed: int
    classes: int
    records: int
    cells: int


def compatible(values: np.ndarray, holds: bool) -> np.ndarray:
    """Published values of one item that agree with a listing (``[c]`` agrees with anything)."""
    text = np.array(["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                     for v in values], dtype=object)
    suppressed = text == SUPPRESSED
    return suppressed | ((text == "yes") if holds else (text != "yes"))


def diverse(frame: pd.DataFrame, columns: list[str], params: Params) -> bool:
    """Each column has at least l distinct telling values among the rows, or none."""
    for column in columns:
        values = {str(v) for v in frame[column] if v is not None and not pd.isna(v)
                  and str(v) not in SILENT}
        if 0 < len(values) < params.l_diversity:
            return False
    return True


def safe(frame: pd.DataFrame, rows: np.ndarray, listed: list[tuple[int, dict[str, bool]]],
         items: tuple[str, ...], sensitive: list[str], params: Params) -> bool:
    """Every listed record's candidate set among ``rows``, matching on ``items``, is at least
    k rows and l-diverse on ``sensitive``."""
    for _, holds in listed:
        match = np.ones(len(rows), dtype=bool)
        for item in items:
            match &= compatible(frame[item].to_numpy(dtype=object)[rows], holds[item])
        found = rows[match]
        if len(found) < params.k or not diverse(frame.iloc[found], sensitive, params):
            return False
    return True


def protect_candidates(frame: pd.DataFrame, classes: np.ndarray, known: Known | None,
                       sensitive: list[str], params: Params) -> tuple[pd.DataFrame, Extra]:
    """Suppress certification items class-wide until every listing's candidate set is safe.

    ``frame`` is the wave's published rows aligned with ``classes`` and ``known``;
    ``sensitive`` the columns l-diversity applies to, the four items left out (their values
    are what the listing shows, "na" following from the sector)."""
    if known is None or not known.certifications.any():
        return frame, Extra(int(known.listed.sum()) if known is not None else 0, 0, 0, 0)
    frame = frame.copy()
    classes = np.asarray(classes)
    shown = np.flatnonzero(known.certifications)
    affected_classes = affected_records = cells = 0
    for cls in np.unique(classes[shown]):
        rows = np.flatnonzero(classes == cls)
        listed = [(r, {item: bool(known.holds[item][r]) for item in CERTIFICATIONS})
                  for r in shown if classes[r] == cls]
        if safe(frame, rows, listed, CERTIFICATIONS, sensitive, params):
            continue
        hidden = {item: int((frame[item].to_numpy(dtype=object)[rows] != SUPPRESSED).sum())
                  for item in CERTIFICATIONS}
        options = [s for n in range(1, len(CERTIFICATIONS) + 1)
                   for s in itertools.combinations(CERTIFICATIONS, n)]
        options.sort(key=lambda s: (sum(hidden[i] for i in s), len(s)))
        for suppress in options:
            rest = tuple(i for i in CERTIFICATIONS if i not in suppress)
            if safe(frame, rows, listed, rest, sensitive, params):
                break
        else:  # unreachable: with all four hidden the candidate set is the class itself
            suppress = CERTIFICATIONS
        for item in suppress:
            column = frame[item].to_numpy(dtype=object, copy=True)
            column[rows] = SUPPRESSED
            frame[item] = column
        affected_classes += 1
        affected_records += len(rows)
        cells += sum(hidden[i] for i in suppress)
    return frame, Extra(known.listings, affected_classes, affected_records, cells)


def protect_carried(frame: pd.DataFrame, waves: np.ndarray, known: Known,
                    sensitive: list[str], params: Params) -> tuple[pd.DataFrame, Extra]:
    """The same protection for rows of waves published before (``known`` aligned with the
    rows): a business may be listed after its wave was published. The release that first
    published the wave stays as it was, so this protects readers of this release only; the
    risk report says how many records that concerned."""
    frame = frame.reset_index(drop=True)
    waves = np.asarray(waves)
    qi = [h.name for h in QI_HIERARCHIES]
    classes_affected = records = cells = 0
    for wave in np.unique(waves):
        mask = waves == wave
        part = frame[mask].reset_index(drop=True)
        classes = pd.MultiIndex.from_frame(
            part[qi].astype(object).where(part[qi].notna(), "").astype(str)).factorize()[0]
        done, extra = protect_candidates(part, classes, known.subset(mask), sensitive, params)
        if extra.cells:
            for column in CERTIFICATIONS:
                values = frame[column].to_numpy(dtype=object, copy=True)
                values[mask] = done[column].to_numpy(dtype=object)
                frame[column] = values
        classes_affected += extra.classes
        records += extra.records
        cells += extra.cells
    return frame, Extra(int(known.certifications.sum()), classes_affected, records, cells)
