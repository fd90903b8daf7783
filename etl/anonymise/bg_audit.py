"""The directory attack, run on the published output: an independent check.

It re-does what an attacker holding every listing would do, from the files as published
(not from what the protection step believes it did): narrow each listed business's
equivalence class in every wave by the certifications its listing shows, and subtract the
listed members' known values from every published cell of the tables whose attribute the
directory reveals. A failure stops the build (:class:`DisclosureError`, rule
``directory_background``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .background import CERTIFICATIONS, REVEALED_TABLES, Known
from .hierarchies import QI_HIERARCHIES
from .params import SUPPRESSED, Params
from .tables import TOTAL

RULE = "directory_background"
QI = [h.name for h in QI_HIERARCHIES]
KEY, WAVE = "business_key", "survey_wave"


@dataclass
class Findings:
    """What the audit checked and what failed (one sentence per failure)."""

    records_checked: int = 0
    smallest_candidates: int | None = None
    cells_checked: int = 0
    failures: list[str] = field(default_factory=list)


def _text(values: pd.Series) -> np.ndarray:
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object)


def candidates(frame: pd.DataFrame, row: int, holds: Mapping[str, bool]) -> np.ndarray:
    """Rows of ``row``'s published class (same wave and QIs) whose certification items agree
    with the listing (a suppressed value agrees with anything)."""
    same = np.ones(len(frame), dtype=bool)
    for column in [WAVE, *QI]:
        text = _text(frame[column])
        same &= text == text[row]
    for item in CERTIFICATIONS:
        text = _text(frame[item])
        same &= (text == SUPPRESSED) | ((text == "yes") if holds[item] else (text != "yes"))
    return np.flatnonzero(same)


def audit_microdata(frame: pd.DataFrame, index: pd.DataFrame, units: np.ndarray,
                    known: Known, params: Params, found: Findings) -> None:
    """Every published row of a listed business: a candidate set of at least k rows, each
    other sensitive attribute l-diverse in it."""
    telling = [c for c in frame.columns if c not in {KEY, WAVE, *QI, *CERTIFICATIONS}]
    shown = index.dropna(subset=["key"])
    unit_of = dict(zip(shown["key"], shown["_unit"], strict=True))
    rows_of: dict[int, list[int]] = {}
    for row, key in enumerate(frame[KEY]):
        rows_of.setdefault(int(unit_of[key]), []).append(row)
    for i in np.flatnonzero(known.certifications):
        holds = {item: bool(known.holds[item][i]) for item in CERTIFICATIONS}
        for row in rows_of.get(int(units[i]), []):
            found.records_checked += 1
            rows = candidates(frame, row, holds)
            size = len(rows)
            found.smallest_candidates = size if found.smallest_candidates is None else min(
                found.smallest_candidates, size)
            wave = frame[WAVE].iloc[row]
            if size < params.k:
                found.failures.append(f"a listing narrows its business's class in wave {wave} "
                                      f"to {size} records (k = {params.k})")
                continue
            for column in telling:
                text = set(_text(frame[column].iloc[rows])) - {"", "na", SUPPRESSED}
                if 0 < len(text) < params.l_diversity:
                    found.failures.append(f"a listing narrows its business's class in wave "
                                          f"{wave} to records that all have the same "
                                          f"{column} (l = {params.l_diversity})")


def audit_tables(published: Mapping[str, pd.DataFrame], businesses: pd.DataFrame,
                 known: Known, params: Params, found: Findings) -> None:
    """Every published cell of a table whose attribute the directory reveals, judged on the
    members the attacker does not know (threshold and 0%/100% rules)."""
    shows = known.certifications
    for name, (item, met) in REVEALED_TABLES.items():
        if name not in published:
            continue
        table = published[name]
        row_dim, column_dim = table.columns[0], table.columns[1]
        holds = known.holds[item]
        for cell in table.to_dict("records"):
            if cell["value"] == SUPPRESSED or cell[column_dim] == TOTAL:
                continue
            found.cells_checked += 1
            group = (np.ones(len(businesses), dtype=bool) if cell[row_dim] == TOTAL
                     else (businesses[row_dim] == cell[row_dim]).to_numpy())
            inside = group & (businesses[column_dim] == cell[column_dim]).to_numpy()
            if int(inside.sum()) != int(float(cell["value"])):
                found.failures.append(f"{name}: published cell {cell[row_dim]}, "
                                      f"{cell[column_dim]} does not match the input")
                continue
            is_met = cell[column_dim] == met
            known_in = group & shows & holds if is_met else np.zeros(len(group), dtype=bool)
            known_out = group & shows & (~holds if is_met else holds)
            if not (known_in.any() or known_out.any()):
                continue
            rest = int(group.sum() - known_in.sum() - known_out.sum())
            unknown = int(inside.sum() - known_in.sum())
            if 0 < unknown < params.min_count or (0 < rest < params.small_group
                                                  and unknown in (0, rest)):
                found.failures.append(
                    f"{name}: cell {cell[row_dim]}, {cell[column_dim]} minus the listed "
                    f"businesses' known values leaves {unknown} of {rest} unlisted businesses")
