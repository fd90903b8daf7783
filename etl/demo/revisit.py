"""Re-interviewed businesses: what changed since a business's last interview.

A later survey wave goes back to a few businesses. Their answers change the way the programme
hopes and the baseline saw: an informal business registers with KBRA and gets a fiscal number,
a food business puts HACCP in place, the assessor moves growth potential by one, one more
employee is hired, last year's turnover differs. Every change keeps the contract's rules
(female employees never exceed the total, the founding year stays before the interview) and
the drawn facts later waves build on follow the table.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from . import style
from .enterprises import FISCAL_NUMBERS, REGISTRATION_NUMBERS, Enterprises, fresh_numbers
from .schema import Table

CHANGES = ("registered", "haccp", "growth", "employee", "turnover")
"""What a re-interview can change; every business gets at least one."""
_MAIN_WEIGHT = np.array([3.0, 2.0, 1.0, 1.0, 1.0])
"""How likely each change is to be the main one, where it applies (registering first)."""
EXTRA_SHARE = 0.3
"""Chance of each further change that applies, beside the main one."""
_NOTES = {  # the assessor's note on the main change: (Serbian, Albanian)
    "registered": ("Ponovni intervju: radnja se registrovala u KBRA i dobila fiskalni broj.",
                   "Intervistë e përsëritur: biznesi u regjistrua në ARBK dhe mori numër "
                   "fiskal."),
    "haccp": ("Ponovni intervju: uveden HACCP sistem, registrovan u Agenciji za hranu i "
              "veterinu.", "Intervistë e përsëritur: u vendos sistemi HACCP."),
    "growth": ("Ponovni intervju: procena potencijala rasta izmenjena.",
               "Intervistë e përsëritur: vlerësimi i potencialit të rritjes u ndryshua."),
    "employee": ("Ponovni intervju: zaposlen još jedan radnik.",
                 "Intervistë e përsëritur: u punësua edhe një punëtor."),
    "turnover": ("Ponovni intervju: promet ažuriran za prošlu godinu.",
                 "Intervistë e përsëritur: qarkullimi u përditësua për vitin e kaluar."),
}


def _put(frame: pd.DataFrame, column: str, rows: np.ndarray, values: object) -> None:
    """Overwrite cells of one column at row positions (keeps the column's dtype)."""
    if len(rows):
        frame.iloc[rows, frame.columns.get_loc(column)] = values


def _changes(rng: np.random.Generator, ent: Enterprises, rows: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """(main change index, matrix of changes made) for the businesses at ``rows``."""
    k = len(rows)
    applies = np.column_stack([
        ~ent.formal[rows],
        ent.food[rows] & ~ent.haccp[rows],
        np.ones(k, dtype=bool),
        np.ones(k, dtype=bool),
        ~np.isnan(ent.turnover[rows]),
    ])
    score = np.where(applies, rng.random((k, len(CHANGES))) * _MAIN_WEIGHT, -1.0)
    main = score.argmax(axis=1)
    made = applies & ((rng.random((k, len(CHANGES))) < EXTRA_SHARE)
                      | (np.arange(len(CHANGES)) == main[:, None]))
    return main, made


def reinterview(rng: np.random.Generator, ent: Enterprises, rows: np.ndarray,
                interview: np.ndarray) -> Enterprises:
    """``ent`` with the businesses at positions ``rows`` re-interviewed on ``interview``."""
    main, made = _changes(rng, ent, rows)
    frame = ent.table.frame.copy()
    formal, fva, haccp = ent.formal.copy(), ent.fva.copy(), ent.haccp.copy()
    growth, staff, turnover = ent.growth.copy(), ent.staff.copy(), ent.turnover.copy()

    def did(change: str) -> np.ndarray:
        return rows[made[:, CHANGES.index(change)]]

    reg = did("registered")  # register with KBRA and the tax administration together
    formal[reg] = True
    for column in ("reg_kosovo_business", "fiscal_registered"):
        _put(frame, column, reg, style.yes_no(rng, np.ones(len(reg), dtype=bool)))
    for column, numbers in (("registration_number", REGISTRATION_NUMBERS),
                            ("fiscal_number", FISCAL_NUMBERS)):
        _put(frame, column, reg, fresh_numbers(rng, frame[column].to_numpy(), len(reg),
                                               numbers))

    food = did("haccp")  # HACCP comes with the Food and Veterinary Agency's registration
    fva[food] = haccp[food] = True
    for column in ("fva_registration", "haccp"):
        _put(frame, column, food, style.yes_no(rng, np.ones(len(food), dtype=bool)))

    rated = did("growth")
    old = growth[rated]
    up = (old == 1) | ((old < 5) & (rng.random(len(rated)) < 0.6))
    growth[rated] = old + np.where(up, 1, -1)
    _put(frame, "growth_potential", rated, growth[rated])

    hired = did("employee")  # female employees stay within the larger total
    full_time = frame["employees_full_time"].to_numpy(np.int64)
    _put(frame, "employees_full_time", hired, full_time[hired] + 1)
    first = hired[staff[hired] == 0]  # staff questions now apply: no longer ``na``
    for column in ("pension_contributions", "written_contracts"):
        _put(frame, column, first, style.yes_no(rng, formal[first]
                                                & (rng.random(len(first)) < 0.6)))
    staff[hired] += 1

    told = did("turnover")  # rounded as first reported, and never back to the same figure
    old_value = turnover[told]
    value = old_value * rng.lognormal(0.05, 0.2, len(told))
    step = np.where(value < 10_000, 100.0, 1000.0)
    value = np.round(value / step) * step
    turnover[told] = np.where(value == old_value, old_value + step, value)
    _put(frame, "annual_turnover_eur", told, turnover[told].astype(np.int64))

    when = ent.interview.copy()
    when[rows] = interview
    _put(frame, "interview_date", rows, style.dates(rng, interview))
    notes = np.array([_NOTES[c] for c in CHANGES], dtype=object)[main]
    _put(frame, "comments", rows, np.where(ent.albanian[rows], notes[:, 1], notes[:, 0]))
    return dataclasses.replace(
        ent, table=Table("enterprises", frame, {"interview_date": when}), formal=formal,
        fva=fva, haccp=haccp, growth=growth, staff=staff, turnover=turnover, interview=when)
