"""B2B meetings (b2b_meetings.csv): the five-meeting pilot of autumn 2019, then the scale-up.

Every meeting pairs a mapped northern business with one from a municipality outside the
north; outcomes, obstacles and notes follow what the pilot was meant to reveal (language,
payment systems, certification, trust).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import names, style
from .catalogue import SECTORS
from .enterprises import Enterprises
from .places import (
    COUNTERPART_WEIGHTS,
    PILOT_COUNTERPARTS,
    SERB_MAJORITY_SOUTH,
    Municipality,
    written,
)
from .schema import B2B_LANGUAGES, OBSTACLES, OUTCOMES, Table

PILOT_MEETINGS = 5
SCALE_UP_PER_400 = 30
PILOT_OUTCOMES = ("agreement_signed", "follow_up_planned", "follow_up_planned",
                  "no_agreement", "no_agreement")
_BUYERS_SQ = np.array(("Market", "Distribucion", "Tregti", "Fabrika", "Depo"), dtype=object)
_BUYERS_SR = np.array(("Market", "Distribucija", "Prodavnica", "Trgovina"), dtype=object)
_NOTES: dict[str, tuple[tuple[str, str], ...]] = {
    # (applies to: any / goods / food, text); {p} is the northern business's main product
    "agreement_signed": (
        ("goods", "Supply agreement for {p}; payment to a Kosovo bank account."),
        ("goods", "Buyer will take {p} monthly; first delivery agreed."),
        ("food", "Trial order of {p} signed; labels to be translated into Albanian."),
        ("any", "Framework agreement signed; invoices in euro."),
    ),
    "follow_up_planned": (
        ("goods", "Counterpart asked for samples of {p} and a price list in euro."),
        ("any", "Second meeting planned at the counterpart's premises."),
        ("food", "Interested in {p}; waiting for the FVA certificate."),
    ),
    "no_agreement": (
        ("goods", "Price expectations for {p} too far apart."),
        ("goods", "Counterpart needs bilingual labels and certification first."),
        ("any", "No agreement: buyer works only with registered VAT payers."),
    ),
    "cancelled": (
        ("any", "Cancelled: counterpart did not come."),
        ("any", "Cancelled after road blockades in the north."),
    ),
}


def scale_up_count(enterprises: int) -> int:
    """About 30 scale-up meetings per 400 businesses, at least 10."""
    return max(10, round(enterprises * SCALE_UP_PER_400 / 400))


def _dates(rng: np.random.Generator, start: str, end: str, k: int) -> np.ndarray:
    span = int((np.datetime64(end) - np.datetime64(start)).astype(int)) + 1
    days = np.datetime64(start) + np.sort(rng.integers(0, span, k)).astype("m8[D]")
    wd = (days.astype(np.int64) + 3) % 7
    return days + np.select([wd == 5, wd == 6], [2, 1], 0).astype("m8[D]")


def pick_north(rng: np.random.Generator, ent: Enterprises, k: int, strict: bool,
               among: np.ndarray | None = None) -> np.ndarray:
    """Northern businesses likely to be matched: formal goods producers with potential.

    ``among`` (a mask) limits the choice, e.g. to the businesses a survey wave added.
    """
    goods = np.array([s.goods for s in SECTORS])[ent.sector]
    allowed = np.ones(len(ent), dtype=bool) if among is None else among
    good = (ent.growth >= 3) & goods & (ent.formal if strict else True) & allowed
    candidates = np.flatnonzero(good)
    if len(candidates) < k:
        candidates = np.flatnonzero(allowed)
    replace = len(candidates) < k
    return np.sort(rng.choice(candidates, size=k, replace=replace))


def build(rng: np.random.Generator, ent: Enterprises, first_product: pd.Series,
          munis: dict[int, Municipality]) -> Table:
    """The pilot meetings followed by the scale-up meetings, in date order."""
    s = scale_up_count(len(ent))
    date = np.concatenate([
        _dates(rng, "2019-10-07", "2019-11-29", PILOT_MEETINGS),
        np.sort(np.concatenate([
            _dates(rng, "2020-01-20", "2020-03-10", s // 3),
            _dates(rng, "2020-06-15", "2020-12-11", s - s // 3),
        ])),
    ])
    north = np.concatenate([rng.permutation(pick_north(rng, ent, PILOT_MEETINGS, True)),
                            pick_north(rng, ent, s, False)])
    north = np.concatenate([north[:PILOT_MEETINGS], rng.permutation(north[PILOT_MEETINGS:])])
    return meetings(rng, ent, first_product, munis, date=date, north=north, with_pilot=True)


def _ensure_signed(rng: np.random.Generator, outcome: np.ndarray, north: np.ndarray,
                   wanted: int) -> np.ndarray:
    """Turn meetings into agreements until ``wanted`` distinct businesses signed one.

    Takes each remaining business's first meeting, in random order, cancelled ones last;
    stops short only when fewer businesses met.
    """
    signed = OUTCOMES.index("agreement_signed")
    have = np.unique(north[outcome == signed])
    need = wanted - len(have)
    if need <= 0:
        return outcome
    first = np.unique(north, return_index=True)[1]
    candidates = rng.permutation(first[~np.isin(north[first], have)])
    late = outcome[candidates] == OUTCOMES.index("cancelled")
    candidates = candidates[np.argsort(late, kind="stable")]
    out = outcome.copy()
    out[candidates[:need]] = signed
    return out


def meetings(rng: np.random.Generator, ent: Enterprises, first_product: pd.Series,
             munis: dict[int, Municipality], *, date: np.ndarray, north: np.ndarray,
             with_pilot: bool = False, first: int = 1, min_signed: int = 0) -> Table:
    """Meetings on ``date`` (sorted) of the businesses at rows ``north`` of ``ent``.

    With ``with_pilot`` the first ``PILOT_MEETINGS`` are the pilot's, the rest scale-up; ids are
    numbered from ``first``; ``min_signed`` distinct businesses at least sign an agreement.
    """
    k = len(date)
    n_pilot = PILOT_MEETINGS if with_pilot else 0
    s = k - n_pilot
    pilot = np.arange(k) < n_pilot

    south = list(COUNTERPART_WEIGHTS)
    where = np.concatenate([
        *([rng.permutation(np.asarray(PILOT_COUNTERPARTS))] if n_pilot else []),
        np.asarray(south)[style.choose(rng, list(COUNTERPART_WEIGHTS.values()), s)],
    ])
    serbian = np.isin(where, list(SERB_MAJORITY_SOUTH)) & ~pilot
    counterpart = names.counterpart_names(
        rng, serbian, _BUYERS_SQ[rng.integers(0, len(_BUYERS_SQ), k)],
        _BUYERS_SR[rng.integers(0, len(_BUYERS_SR), k)])
    # Counterparts' towns are written in Albanian far more often than northern ones.
    municipality = written(rng, munis, where, (0.35, 0.25, 0.3, 0.05, 0.05))

    nace = np.array([SECTORS[i].nace for i in ent.sector[north]], dtype=object)
    buyer = np.array(("46.39", "47.11", "46.31", "56.10"), dtype=object)[rng.integers(0, 4, k)]
    counterpart_nace = np.where(rng.random(k) < 0.4, nace, buyer)
    counterpart_nace = np.where(rng.random(k) < 0.15, None, counterpart_nace)

    north_albanian = ent.albanian[north]
    language = np.where(pilot, style.choose(rng, (0.1, 0.2, 0.15, 0.55), k),
                        style.choose(rng, (0.2, 0.25, 0.1, 0.45), k))
    language = np.where(north_albanian & (language == 1), 0, language)
    p_interp = np.array([0.5, 0.1, 0.05, 0.85])[language] * np.where(north_albanian, 0.2, 1.0)
    interpretation = rng.random(k) < p_interp

    outcome = np.where(pilot, 0, style.choose(rng, (0.3, 0.35, 0.28, 0.07), k))
    if n_pilot:
        outcome[:n_pilot] = [OUTCOMES.index(o) for o in rng.permutation(PILOT_OUTCOMES)]
    cancelled = OUTCOMES.index("cancelled")
    if s and not (outcome[n_pilot:] == cancelled).any():
        outcome[n_pilot + rng.integers(0, s)] = cancelled
    if min_signed:
        outcome = _ensure_signed(rng, outcome, north, min_signed)
    signed = outcome == OUTCOMES.index("agreement_signed")
    deal = np.round(rng.lognormal(np.log(6000), 0.9, k), -2)
    deal_missing = ~signed | (rng.random(k) < 0.15)

    formal = ent.formal[north]
    food = ent.food[north]
    p_obst = np.column_stack([
        np.where(interpretation, 0.15, 0.45),                          # language
        np.full(k, 0.4),                                               # payment_systems
        0.15 + 0.3 * food,                                             # certification
        np.full(k, 0.2),                                               # transport
        np.where(formal, 0.05, 0.8),                                   # registration
        np.full(k, 0.25),                                              # taxation_customs
        np.full(k, 0.2),                                               # political
        np.full(k, 0.25),                                              # trust
        0.2 + 0.3 * (outcome == OUTCOMES.index("no_agreement")),       # pricing
        np.full(k, 0.1),                                               # quality
    ])
    obstacles = rng.random((k, len(OBSTACLES))) < p_obst
    obstacles[outcome == cancelled] = False
    obstacles[outcome == cancelled, OBSTACLES.index("political")] = rng.random(
        int((outcome == cancelled).sum())) < 0.5

    follow = (outcome == OUTCOMES.index("follow_up_planned")) | (signed & (rng.random(k) < 0.5))
    follow_up = date + np.where(follow, rng.integers(14, 61, k), 0).astype("m8[D]")
    follow_up = np.where(follow, follow_up, np.datetime64("NaT"))

    product = first_product.reindex(ent.ids[north]).to_numpy(dtype=object)
    product = np.where(pd.isna(product), "their products", product)
    north_goods = np.array([s.goods for s in SECTORS])[ent.sector[north]]
    notes = np.empty(k, dtype=object)
    for r in range(k):  # at most a few thousand meetings
        fits = [text for kind, text in _NOTES[OUTCOMES[outcome[r]]]
                if kind == "any" or (kind == "goods" and north_goods[r])
                or (kind == "food" and food[r])]
        notes[r] = fits[rng.integers(0, len(fits))].format(p=f'"{product[r]}"')
    notes = np.where(rng.random(k) < 0.1, None, notes)

    width = max(3, len(str(first + k - 1)))
    frame = pd.DataFrame({
        "meeting_id": style.zero_pad("B2B-", np.arange(first, first + k), width),
        "date": style.dates(rng, date),
        "phase": style.codes(rng, np.where(pilot, 0, 1), ("pilot", "scale_up")),
        "north_enterprise_id": ent.ids[north],
        "counterpart_name": counterpart,
        "counterpart_municipality": style.pad(rng, municipality),
        "counterpart_nace_code": counterpart_nace,
        "language": style.codes(rng, language, B2B_LANGUAGES),
        "interpretation": style.yes_no(rng, interpretation),
        "outcome": style.codes(rng, outcome, OUTCOMES),
        "deal_value_eur": style.nullable_int(deal, deal_missing),
        "obstacles": style.multi(obstacles, OBSTACLES),
        "follow_up_date": style.dates(rng, follow_up),
        "notes": notes,
    })
    return Table("b2b_meetings", frame, {"date": date})
