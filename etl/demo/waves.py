"""Later survey waves: the export as of wave N, built in memory from wave N−1's tables.

The programme publishes again after each survey wave, and the raw format is cumulative (one
row per business as it is now; every training, attendance and meeting so far), so wave N is
wave N−1 plus one calendar quarter — the quarter after the latest date wave N−1 holds:

- new businesses (``NEW_SHARE`` of the initial count), ids continuing, interviewed in it;
- a few businesses re-interviewed with changed answers (`etl.demo.revisit`);
- one business gone — one without attendance or meetings, so every key stays valid;
- a quarter's training sessions and their attendance: people coming back, owners and staff
  of the new businesses, and newcomers from outside the survey;
- scale-up B2B meetings, with agreements signed by several distinct businesses;
- one more hand-reported actual per indicator without a metric;
- one or two directory listings withdrawn and a couple of new ones (`etl.demo.directory`).

Each wave draws from its own random streams, derived from the seed and the wave number, so
wave N depends only on (seed, enterprises, attendance, N) and wave 1 is left as it was. All
steps are vectorised: a wave of a 100,000-business input takes seconds.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import b2b, directory, indicators, products, revisit, style, training
from .enterprises import (
    FISCAL_NUMBERS,
    REGISTRATION_NUMBERS,
    Enterprises,
    fresh_numbers,
    id_width,
)
from .enterprises import build as build_enterprises
from .places import Municipality, forms
from .schema import Table
from .training import Pool, Sessions

NEW_SHARE, NEW_MIN = 0.10, 5
"""New businesses per wave: 10% of the initial count, at least 5."""
CHANGED_SHARE, CHANGED_MIN = 0.015, 2
"""Re-interviewed businesses per wave: 1.5% of the initial count, at least 2."""
GONE_SHARE, GONE_MIN = 0.0025, 1
"""Businesses gone per wave: 0.25% of the initial count, at least 1."""
SESSIONS_SHARE = 0.25
"""New sessions per wave, as a share of the first year's ``training_count``."""
SEATS_PER_SESSION = 20
"""Attendance rows per new session when the first wave had one row per business."""
RETURNING_SHARE = 0.4
"""Share of a new session's seats taken by people who attended before."""
MEETINGS_PER_SCALE_UP = 8 / b2b.SCALE_UP_PER_400
"""New scale-up meetings per wave: 8 at 400 businesses, scaled like ``scale_up_count``."""
MIN_AGREEMENTS, AGREEMENT_SHARE = 5, 0.6
"""Each wave, at least min(5, 60% of its meetings) distinct businesses sign an agreement."""
NEW_BUSINESS_MEETINGS = 0.25
"""Share of a wave's meetings held by businesses new in that wave (at least one)."""
_STREAMS = ("gone", "changed", "enterprises", "products", "trainings", "attendance", "b2b",
            "indicators", "directory")
_WAVE_KEY = 0x77617665
"""Spawn key ("wave") that keeps the waves' random streams apart from the first wave's."""


@dataclass
class Export:
    """Every table of one wave's export, with the drawn facts the next wave builds on.

    ``issued`` is the highest business number handed out so far: a gone business's id is
    never given to another one.
    """

    ent: Enterprises
    products: Table
    sessions: Sessions
    attendance: Table
    meetings: Table
    indicators: Table
    reports: Table
    issued: int
    directory: Table

    def tables(self) -> list[Table]:
        """The tables in the order files and sheets are written."""
        return [self.ent.table, self.products, self.sessions.table, self.attendance,
                self.meetings, self.indicators, self.reports, self.directory]


def latest(export: Export) -> np.datetime64:
    """The last interview, session end or meeting date of an export."""
    return max(export.ent.interview.max(), export.sessions.table.dates["end_date"].max(),
               export.meetings.dates["date"].max())


def next_quarter(day: np.datetime64) -> tuple[np.datetime64, np.datetime64]:
    """First and last day of the calendar quarter after the one holding ``day``."""
    month = day.astype("datetime64[M]").astype(np.int64)
    start = np.datetime64(int(month - month % 3 + 3), "M")
    return start.astype("datetime64[D]"), (start + 3).astype("datetime64[D]") - 1


def streams(seed: int, wave: int) -> dict[str, np.random.Generator]:
    """The independent random streams of one wave."""
    root = np.random.SeedSequence(seed, spawn_key=(_WAVE_KEY, wave))
    return {name: np.random.default_rng(child)
            for name, child in zip(_STREAMS, root.spawn(len(_STREAMS)), strict=True)}


def _count(share: float, least: int, initial: int) -> int:
    return max(least, round(share * initial))


def _gone(rng: np.random.Generator, export: Export, k: int) -> np.ndarray:
    """Positions of ``k`` businesses (or all there are) that no attendance row or meeting
    names, so removing them leaves every key across files valid."""
    ids = pd.Series(export.ent.ids)
    busy = ids.isin(export.attendance.frame["enterprise_id"].dropna().unique())
    busy |= ids.isin(export.meetings.frame["north_enterprise_id"].unique())
    free = np.flatnonzero(~busy.to_numpy())
    return np.sort(rng.choice(free, size=min(k, len(free)), replace=False))


def _newcomers(rngs: dict[str, np.random.Generator], ent: Enterprises, issued: int, k: int,
               window: tuple[np.datetime64, np.datetime64], munis: dict[int, Municipality]
               ) -> tuple[Enterprises, Table]:
    """``k`` new businesses interviewed in ``window``, with their products.

    A separate batch drawn like the first wave's, numbered after the last id ``issued``;
    some were founded only lately; their registration and fiscal numbers are none of
    ``ent``'s.
    """
    rng = rngs["enterprises"]
    batch = build_enterprises(rng, k, munis)
    last = issued + k
    ids = style.zero_pad("PM-", np.arange(issued + 1, last + 1), id_width(last))
    interview = training.workdays(rng, *window, k)
    frame = batch.table.frame.copy()
    frame["enterprise_id"] = ids
    frame["interview_date"] = style.dates(rng, interview)
    founded = frame["founded_year"]
    year = int(str(window[0])[:4])
    recent = rng.random(k) < 0.3
    frame["founded_year"] = style.nullable_int(
        np.where(recent, year - rng.integers(0, 2, k), founded.fillna(0).to_numpy(np.int64)),
        founded.isna().to_numpy())
    for column, numbers in (("registration_number", REGISTRATION_NUMBERS),
                            ("fiscal_number", FISCAL_NUMBERS)):
        has = frame[column].notna().to_numpy()
        frame.loc[has, column] = fresh_numbers(
            rng, ent.table.frame[column].to_numpy(), int(has.sum()), numbers)
    batch = dataclasses.replace(batch, ids=ids, interview=interview,
                                table=Table("enterprises", frame, {"interview_date": interview}))
    return batch, products.build(rngs["products"], batch)


def _returning(before: pd.DataFrame, munis: dict[int, Municipality]
               ) -> tuple[Pool, np.ndarray]:
    """Everyone who attended before, once each (by name), sorted by where they live.

    Returns the pool and, per person, the earlier row whose cells (name, business, gender,
    community, age, municipality) they repeat; the pool carries only what seating needs.
    """
    key = before["participant_name"].str.strip()
    rows = np.flatnonzero(~key.duplicated().to_numpy())
    code = {str(f).lower(): kas for kas, m in munis.items() for f in forms(m)}
    kas = (before["municipality"].iloc[rows].str.strip().str.lower().map(code)
           .fillna(-1).to_numpy(np.int64))
    order = np.argsort(kas, kind="stable")
    rows, kas = rows[order], kas[order]
    k = len(rows)
    zero = np.zeros(k, dtype=np.int64)
    return Pool(key.iloc[rows].to_numpy(dtype=object),
                before["enterprise_id"].iloc[rows].to_numpy(dtype=object),
                zero, zero, zero + 40, kas), rows


def _attendance(rng: np.random.Generator, before: Table, newcomers: Enterprises,
                sessions: Sessions, rows: int, munis: dict[int, Municipality]) -> Table:
    """``rows`` attendance rows for the wave's new ``sessions``.

    About ``RETURNING_SHARE`` of each session are people who came before — with exactly
    their earlier name, business and details — the rest owners and staff of the new
    businesses and newcomers from outside the survey. Each session takes distinct people
    from each group, and the groups never share a name (an earlier participant whose name a
    newcomer bears sits this quarter out), so nobody sits twice in one session.
    """
    back, source = _returning(before.frame, munis)
    weight = training.SIZE_WEIGHT[sessions.fmt] * rng.uniform(0.7, 1.3, len(sessions.ids))
    fresh = training.participant_pool(rng, newcomers, math.ceil(rows / len(sessions.ids)), 0)
    free = ~pd.Index(back.name).isin(fresh.name)
    back, source = training.take_people(back, free), source[free]
    nb, nf = len(back.name), len(fresh.name)
    sizes = training.allocate(rows, weight, nb + nf)
    n_back = np.clip(np.rint(RETURNING_SHARE * sizes).astype(np.int64), sizes - nf, nb)
    session = person = np.zeros(0, dtype=np.int64)
    for seats, group, shift in ((n_back, back, 0), (sizes - n_back, fresh, nb)):
        if seats.sum():  # seating needs people to seat
            at, who = training.seat(rng, group.kas, sessions.venue_kas, seats)
            session, person = np.concatenate([session, at]), np.concatenate([person, who + shift])
    order = np.lexsort((rng.random(len(session)), session))  # arrival order in each session
    session, person = session[order], person[order]

    pool = Pool(*(np.concatenate([getattr(back, f), getattr(fresh, f)])
                  for f in ("name", "enterprise", "gender", "ethnicity", "age", "kas")))
    frame = training.attendance_rows(rng, sessions, session, pool, person, munis)
    again = pd.Series(person < nb)
    earlier = before.frame.iloc[source[np.where(again, person, 0)]].reset_index(drop=True)
    for column in ("participant_name", "enterprise_id", "gender", "ethnicity", "age",
                   "municipality"):
        frame[column] = earlier[column].where(again, frame[column])
    return Table("attendance", frame)


def _meetings(rngs: dict[str, np.random.Generator], ent: Enterprises, new: np.ndarray,
              prods: Table, k: int, window: tuple[np.datetime64, np.datetime64],
              first: int, munis: dict[int, Municipality]) -> Table:
    """``k`` scale-up meetings in ``window`` of existing and new northern businesses."""
    rng = rngs["b2b"]
    from_new = min(max(1, round(NEW_BUSINESS_MEETINGS * k)), int(new.sum()), k)
    north = np.concatenate([b2b.pick_north(rng, ent, from_new, False, among=new),
                            b2b.pick_north(rng, ent, k - from_new, False, among=~new)])
    return b2b.meetings(rng, ent, products.first_products(prods), munis,
                        date=training.workdays(rng, *window, k), north=rng.permutation(north),
                        first=first,
                        min_signed=min(MIN_AGREEMENTS, math.ceil(AGREEMENT_SHARE * k)))


def advance(export: Export, wave: int, *, seed: int, enterprises: int,
            first_attendance: int, munis: dict[int, Municipality],
            progress: Callable[[str], None] | None = None) -> Export:
    """Wave ``wave``'s export from wave ``wave - 1``'s.

    ``enterprises`` and ``first_attendance`` are the first wave's sizes, which every later
    wave's additions scale with.
    """
    say = progress or (lambda _message: None)
    rngs = streams(seed, wave)
    window = next_quarter(latest(export))
    ent = export.ent

    say(f"wave {wave}: businesses")
    gone = np.zeros(len(ent), dtype=bool)
    gone[_gone(rngs["gone"], export, _count(GONE_SHARE, GONE_MIN, enterprises))] = True
    ent = ent.take(~gone)
    prods = export.products.take(
        ~export.products.frame["enterprise_id"].isin(export.ent.ids[gone]).to_numpy())
    k = min(_count(CHANGED_SHARE, CHANGED_MIN, enterprises), len(ent))
    rng = rngs["changed"]
    changed = np.sort(rng.choice(len(ent), size=k, replace=False))
    ent = revisit.reinterview(rng, ent, changed, training.workdays(rng, *window, k))
    newcomers, new_prods = _newcomers(rngs, ent, export.issued,
                                      _count(NEW_SHARE, NEW_MIN, enterprises), window, munis)
    new = np.arange(len(ent) + len(newcomers)) >= len(ent)
    ent, prods = ent.append(newcomers), prods.append(new_prods)

    say(f"wave {wave}: trainings")
    count = max(1, round(SESSIONS_SHARE * training.training_count(enterprises)))
    sessions = training.build_trainings(rngs["trainings"], ent, munis, count=count,
                                        window=window, first=len(export.sessions.ids) + 1)
    rows = round(count * SEATS_PER_SESSION * first_attendance / enterprises)
    att = _attendance(rngs["attendance"], export.attendance, newcomers, sessions, rows, munis)

    say(f"wave {wave}: b2b_meetings")
    k = max(1, round(MEETINGS_PER_SCALE_UP * b2b.scale_up_count(enterprises)))
    meetings = _meetings(rngs, ent, new, prods, k, window, len(export.meetings.frame) + 1,
                         munis)
    reports = indicators.later_report(rngs["indicators"], export.indicators, export.reports,
                                      window)
    say(f"wave {wave}: directory_listings")
    listings = directory.advance(rngs["directory"], export.directory, ent, prods, window)
    return Export(
        ent=ent, products=prods,
        sessions=Sessions(export.sessions.table.append(sessions.table),
                          np.concatenate([export.sessions.ids, sessions.ids]),
                          np.concatenate([export.sessions.fmt, sessions.fmt]),
                          np.concatenate([export.sessions.venue_kas, sessions.venue_kas])),
        attendance=export.attendance.append(att), meetings=export.meetings.append(meetings),
        indicators=export.indicators, reports=export.reports.append(reports),
        issued=export.issued + len(newcomers), directory=listings)
