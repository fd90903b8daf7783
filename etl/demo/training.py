"""Trainings chosen from the needs found (trainings.csv) and who attended them (attendance.csv).

Attendance is the table that grows to a million rows, so it is built without row loops:
participants come from a pool of distinct people (owners and staff of mapped businesses plus
people from outside the survey), and each session takes a block of that pool, which rules
out anyone attending the same session twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import names, style
from .enterprises import ETHNIC_MIX, Enterprises
from .places import COUNTERPART_WEIGHTS, NORTH, NORTH_WEIGHTS, Municipality, written
from .schema import ETHNICITIES, FORMATS, GENDERS, TOPICS, Table

TRAININGS_PER_400 = 24
ATTENDANCE_PER_BUSINESS = (0.88, 1.12)
"""Default attendance rows per mapped business (about 350–450 at 400 businesses)."""

_MONTHS = {  # start months Sept 2019 – June 2020; spring 2020 thin (COVID-19 measures)
    "2019-09": 1.0, "2019-10": 1.2, "2019-11": 1.2, "2019-12": 0.7, "2020-01": 0.6,
    "2020-02": 1.1, "2020-03": 0.5, "2020-04": 0.15, "2020-05": 0.4, "2020-06": 0.9,
}
_TITLES = {
    "registration": ("Registering your business with KBRA, step by step",
                     "Registracija biznisa u KBRA – korak po korak"),
    "tax_vat": ("Taxes and VAT for small businesses", "Porezi i PDV za mala preduzeća"),
    "food_safety": ("Food hygiene and HACCP basics", "Higijena hrane i osnove HACCP sistema"),
    "standards_certification": ("Standards and product certification",
                                "Standardi i sertifikacija proizvoda"),
    "labelling": ("Bilingual labelling of food and goods",
                  "Dvojezično označavanje hrane i proizvoda"),
    "marketing": ("Marketing and sales for micro businesses", "Marketing i prodaja"),
    "finance_access": ("Access to finance: loans and grants",
                       "Pristup finansijama: krediti i grantovi"),
    "bookkeeping": ("Simple bookkeeping", "Osnove knjigovodstva"),
    "digital": ("Selling online and digital tools", "Digitalni alati i online prodaja"),
    "export": ("Selling beyond the north: CEFTA and trade rules",
               "Prodaja van severa: CEFTA i pravila trgovine"),
    "public_procurement": ("Public procurement for SMEs", "Javne nabavke za mala preduzeća"),
    "business_language": ("Albanian for business", "Albanski jezik za poslovne ljude"),
}
_PROVIDERS = {
    "registration": ("NGO AKTIV", "KBRA municipal registration centre"),
    "tax_vat": ("Tax Administration of Kosovo", "NGO AKTIV", "Local consultant"),
    "food_safety": ("Food and Veterinary Agency", "GIZ", "Local consultant"),
    "standards_certification": ("Kosovo Standardization Agency", "GIZ"),
    "labelling": ("Food and Veterinary Agency", "NGO AKTIV"),
    "marketing": ("NGO AKTIV", "Local consultant", "Innovation Centre Kosovo"),
    "finance_access": ("NGO AKTIV", "Local bank", "GIZ"),
    "bookkeeping": ("Local consultant", "NGO AKTIV"),
    "digital": ("Innovation Centre Kosovo", "Local consultant"),
    "export": ("Kosovo Chamber of Commerce", "GIZ"),
    "public_procurement": ("NGO AKTIV", "Local consultant"),
    "business_language": ("NGO AKTIV", "Local language school"),
}
_FORMAT_WEIGHTS = (0.45, 0.33, 0.14, 0.08)
SIZE_WEIGHT = np.array([1.2, 1.0, 0.35, 0.6])
"""Relative session size by format: workshops largest, coaching smallest."""
_TESTED = np.array([0.85, 0.9, 0.3, 0.0])
"""Chance that a session of each format ran knowledge tests."""


def training_count(enterprises: int) -> int:
    """About 24 sessions per 400 businesses, never fewer than 24."""
    return max(TRAININGS_PER_400, round(enterprises * TRAININGS_PER_400 / 400))


def _weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays back to Friday and Sundays on to Monday."""
    wd = (days.astype(np.int64) + 3) % 7
    return days + np.select([wd == 5, wd == 6], [-1, 1], 0).astype("m8[D]")


@dataclass
class Sessions:
    """The trainings table and what attendance needs of it."""

    table: Table
    ids: np.ndarray
    fmt: np.ndarray
    venue_kas: np.ndarray


def _programme_starts(rng: np.random.Generator, t: int) -> np.ndarray:
    """Start days of the first programme year, month by month as ``_MONTHS`` weighs them."""
    months = list(_MONTHS)
    month = np.array(months, dtype="datetime64[M]")[style.choose(rng, list(_MONTHS.values()),
                                                                  t)]
    first = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    return _weekday(first + (rng.random(t) * length).astype(np.int64).astype("m8[D]"))


def workdays(rng: np.random.Generator, first: np.datetime64, last: np.datetime64, k: int
             ) -> np.ndarray:
    """``k`` sorted Monday–Friday dates drawn uniformly from ``first``..``last``."""
    count = int(np.busday_count(first, last + np.timedelta64(1, "D")))
    if count < 1:
        raise ValueError(f"no working day between {first} and {last}")
    offsets = np.sort(rng.integers(0, count, k))
    return np.busday_offset(first, offsets, roll="forward").astype("datetime64[D]")


def build_trainings(rng: np.random.Generator, ent: Enterprises,
                    munis: dict[int, Municipality], *, count: int | None = None,
                    window: tuple[np.datetime64, np.datetime64] | None = None,
                    first: int = 1) -> Sessions:
    """Sessions whose topics follow the training needs the mapping found.

    By default the first programme year's ``training_count`` sessions; a later survey wave
    passes ``count`` sessions held inside ``window`` (first and last day, both ends kept
    inside it), numbered from ``first``.
    """
    t = training_count(len(ent)) if count is None else count
    demand = ent.needs.mean(axis=0) + 0.02
    topic = style.choose(rng, demand, t)
    fmt = style.choose(rng, _FORMAT_WEIGHTS, t)
    fmt = np.where((topic == TOPICS.index("business_language")) & (fmt == 3), 1, fmt)

    start = (_programme_starts(rng, t) if window is None
             else workdays(rng, window[0], window[1], t))
    order = np.argsort(start, kind="stable")
    topic, fmt, start = topic[order], fmt[order], start[order]

    days = np.select([fmt == 1, fmt == 2, fmt == 3],
                     [rng.integers(1, 4, t), rng.integers(14, 43, t), rng.integers(2, 4, t)], 1)
    if window is not None:  # a session late in the quarter is cut short, not carried over
        days = np.minimum(days, (window[1] - start).astype(np.int64) + 1)
    end = start + (days - 1).astype("m8[D]")
    hours = np.select(
        [fmt == 0, fmt == 1, fmt == 2],
        [np.array([3.0, 3.5, 4.0])[rng.integers(0, 3, t)], 6.0 * np.minimum(days, 3),
         rng.integers(4, 11, t) * 2.0], rng.integers(12, 21, t).astype(float))

    north_venue = np.asarray(NORTH)[style.choose(rng, (0.5, 0.2, 0.17, 0.13), t)]
    south = list(COUNTERPART_WEIGHTS)
    away = np.asarray(south)[style.choose(rng, list(COUNTERPART_WEIGHTS.values()), t)]
    venue = np.where(fmt == 3, away, north_venue)
    municipality = written(rng, munis, venue)

    topic_codes = np.array(TOPICS)[topic]
    english = rng.random(t) < 0.5
    title = np.array([_TITLES[c][0 if e else 1] for c, e in zip(topic_codes, english,
                                                                 strict=True)], dtype=object)
    visit = np.where(english, "Study visit: ", "Studijska poseta: ")
    title = np.where(fmt == 3, visit + title, title)
    coach = np.where(english, "Coaching: ", "Mentorstvo: ")
    title = np.where(fmt == 2, coach + title, title)
    provider = np.array([_PROVIDERS[c][rng.integers(0, len(_PROVIDERS[c]))]
                         for c in topic_codes], dtype=object)

    width = max(3, len(str(first + t - 1)))
    ids = style.zero_pad("TR-", np.arange(first, first + t), width)
    frame = pd.DataFrame({
        "training_id": ids,
        "title": title,
        "topic": style.codes(rng, topic, TOPICS),
        "format": style.codes(rng, fmt, FORMATS),
        "municipality": style.pad(rng, municipality),
        "start_date": style.dates(rng, start),
        "end_date": style.dates(rng, end),
        "hours": hours,
        "provider": np.where(rng.random(t) < 0.05, None, provider),
    })
    return Sessions(Table("trainings", frame, {"start_date": start, "end_date": end}),
                    ids, fmt, venue)


@dataclass
class Pool:
    """People who may attend, one per entry; ``enterprise`` is None for outsiders."""

    name: np.ndarray
    enterprise: np.ndarray
    gender: np.ndarray
    ethnicity: np.ndarray
    age: np.ndarray
    kas: np.ndarray


def _outsiders(rng: np.random.Generator, k: int, initials: bool) -> Pool:
    """People who came without a mapped business (mostly northern, a few from the south)."""
    kas_n = np.asarray(NORTH)[style.choose(rng, NORTH_WEIGHTS, k)]
    eth = np.zeros(k, dtype=np.int64)
    for code in NORTH:
        rows = kas_n == code
        eth[rows] = style.choose(rng, ETHNIC_MIX[code], int(rows.sum()))
    south = rng.random(k) < 0.08
    kas = np.where(south, np.asarray([11, 27, 19])[rng.integers(0, 3, k)], kas_n)
    eth = np.where(south, ETHNICITIES.index("albanian"), eth)
    female = rng.random(k) < 0.55
    pool_of = np.array([names.POOLS.index(names.ETHNIC_POOL[e]) for e in ETHNICITIES])
    first, last = names.person_names(rng, pool_of[eth], female)
    if initials:
        letters = np.array(list("ABDGJLMNPRSTVZ"), dtype=object)
        first = first + " " + letters[rng.integers(0, len(letters), k)] + "."
    gender = np.where(female, 0, 1)
    gender = np.where(rng.random(k) < 0.01, 3, gender)
    return Pool(first + " " + last, np.full(k, None, dtype=object), gender, eth,
                 rng.integers(18, 66, k), kas)


def participant_pool(rng: np.random.Generator, ent: Enterprises, wanted: int, needed: int) -> Pool:
    """Distinct people who could attend: owners, staff and outsiders, unique by name.

    Grows with outsiders (later ones with a middle initial, as sign-in sheets do) until it
    holds ``wanted`` people; fails only below ``needed``, the fewest that fit all rows.
    """
    n = len(ent)
    keen = rng.random(n) < np.where(ent.needs.any(axis=1), 0.6, 0.35)
    owners = Pool(ent.owner_name[keen], ent.ids[keen],
                   np.where(ent.owner_female[keen], 0, 1), ent.ethnicity[keen],
                   ent.owner_age[keen], ent.kas[keen])
    hired = np.flatnonzero((ent.staff > 0) & (rng.random(n) < 0.5))
    female = rng.random(len(hired)) < 0.5
    first, last = names.person_names(rng, ent.pool[hired], female)
    staff = Pool(first + " " + last, ent.ids[hired], np.where(female, 0, 1),
                  ent.ethnicity[hired], rng.integers(19, 61, len(hired)), ent.kas[hired])
    parts = [owners, staff, _outsiders(rng, int(0.45 * (len(owners.name) + len(hired))) + 1,
                                       False)]
    pool = merge_pools(parts)
    for attempt in range(12):
        if len(pool.name) >= wanted:
            break
        parts.append(_outsiders(rng, 2 * wanted, initials=attempt >= 2))
        pool = merge_pools(parts)
    if len(pool.name) < needed:
        raise ValueError(f"cannot find {needed} distinct participant names; "
                         "ask for fewer attendance rows or more businesses")
    shuffle = rng.permutation(len(pool.name))
    pool = take_people(pool, shuffle)
    by_place = np.argsort(pool.kas, kind="stable")
    return take_people(pool, by_place)


def merge_pools(parts: list[Pool]) -> Pool:
    """The parts' people in order, keeping the first of each name (names identify people)."""
    merged = Pool(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                     ("name", "enterprise", "gender", "ethnicity", "age", "kas")))
    _, first = np.unique(merged.name.astype(str), return_index=True)
    return take_people(merged, np.sort(first))


def take_people(pool: Pool, idx: np.ndarray) -> Pool:
    """The people at ``idx`` (positions or a boolean mask)."""
    return Pool(*(getattr(pool, f)[idx] for f in
                   ("name", "enterprise", "gender", "ethnicity", "age", "kas")))


def allocate(total: int, weights: np.ndarray, cap: int) -> np.ndarray:
    """Split ``total`` rows across sessions in proportion to ``weights``, none above ``cap``."""
    sizes = np.zeros(len(weights), dtype=np.int64)
    free = np.ones(len(weights), dtype=bool)
    left = total
    if total > cap * len(weights):
        raise ValueError(f"{total} rows do not fit {len(weights)} sessions of at most {cap}")
    while left > 0:
        w = np.where(free, weights, 0.0)
        share = left * w / w.sum()
        add = np.floor(share).astype(np.int64)
        rest = left - add.sum()
        if rest:
            add[np.argsort(-(share - add), kind="stable")[:rest]] += 1
        sizes += add
        over = np.maximum(sizes - cap, 0)
        sizes -= over
        left = int(over.sum())
        free &= sizes < cap
    return sizes


def build_attendance(rng: np.random.Generator, ent: Enterprises, sessions: Sessions,
                     munis: dict[int, Municipality], rows: int | None) -> Table:
    """``rows`` participant-session rows (default ~1 per mapped business)."""
    if rows is None:
        rows = round(len(ent) * rng.uniform(*ATTENDANCE_PER_BUSINESS))
    t = len(sessions.ids)
    weight = SIZE_WEIGHT[sessions.fmt] * rng.uniform(0.7, 1.3, t)
    largest = math.ceil(rows * weight.max() / weight.sum()) if rows else 0
    fewest = math.ceil(rows / t)
    pool = participant_pool(rng, ent, max(fewest, min(largest, 2 * fewest)), fewest)
    sizes = allocate(rows, weight, len(pool.name))
    session, person = seat(rng, pool.kas, sessions.venue_kas, sizes)
    return Table("attendance", attendance_rows(rng, sessions, session, pool, person, munis))


def seat(rng: np.random.Generator, kas: np.ndarray, venue_kas: np.ndarray, sizes: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """(session, person) per attendance row, for sessions of ``sizes`` from a pool.

    Each session takes an arithmetic run through the pool (sorted by place, ``kas``),
    starting among people of its venue's municipality: distinct people, mostly local. No
    size may exceed the pool.
    """
    t, p, rows = len(sizes), len(kas), int(sizes.sum())
    block_start = np.searchsorted(kas, venue_kas)
    block_len = np.searchsorted(kas, venue_kas, side="right") - block_start
    offset = np.where(block_len > 0, block_start + (rng.random(t) * np.maximum(block_len, 1))
                      .astype(np.int64), rng.integers(0, p, t))
    steps = np.array([s for s in (1, 2, 3, 5, 7) if math.gcd(s, p) == 1])
    step = steps[style.choose(rng, (0.6, 0.1, 0.1, 0.1, 0.1)[: len(steps)], t)]
    session = np.repeat(np.arange(t), sizes)
    k = np.arange(rows) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return session, (offset[session] + k * step[session]) % p


def attendance_rows(rng: np.random.Generator, sessions: Sessions, session: np.ndarray,
                    pool: Pool, person: np.ndarray, munis: dict[int, Municipality]
                    ) -> pd.DataFrame:
    """The attendance cells of ``person`` (pool index) at ``session`` (index into sessions)."""
    rows = len(session)
    t = len(sessions.ids)
    tested = (rng.random(t) < _TESTED[sessions.fmt])[session]
    completed = rng.random(rows) < 0.9
    pre = np.clip(np.rint(rng.normal(48, 15, rows)), 0, 100)
    post = np.clip(pre + np.rint(rng.normal(18, 9, rows)), 0, 100)
    satisfaction = style.choose(rng, (0.01, 0.03, 0.1, 0.36, 0.5), rows) + 1

    where = written(rng, munis, pool.kas[person])
    return pd.DataFrame({
        "training_id": sessions.ids[session],
        "participant_name": style.pad(rng, pool.name[person]),
        "enterprise_id": np.where(rng.random(rows) < 0.03, None, pool.enterprise[person]),
        "gender": style.codes(rng, pool.gender[person], GENDERS),
        "ethnicity": style.codes(rng, np.where(rng.random(rows) < 0.08, -1,
                                               pool.ethnicity[person]), ETHNICITIES),
        "age": style.nullable_int(pool.age[person], rng.random(rows) < 0.05),
        "municipality": np.where(rng.random(rows) < 0.04, None, where),
        "pre_score": style.nullable_int(pre, ~tested),
        "post_score": style.nullable_int(post, ~tested | ~completed),
        "satisfaction": style.nullable_int(satisfaction, rng.random(rows) < 0.08),
        "completed": style.yes_no(rng, completed),
    })
