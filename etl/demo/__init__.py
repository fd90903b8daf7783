"""Synthetic demo input for the North of Kosovo Product Map (``python -m etl demo``).

Produces a raw input that follows ``shared/raw-format.md`` exactly and looks like the real
survey — real places, plausible names, phones and registration numbers — so the portal can
be shown, and any leak of direct identifiers past the ETL is visible. The ``_demo`` marker
lets the ETL recognise such inputs. Same arguments, same bytes: nothing reads the clock.
``wave=N`` writes the export as of the N-th survey wave (`etl.demo.waves`), so repeated
publications can be shown too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import b2b, directory, indicators, products, training, waves, write
from .enterprises import build as build_enterprises
from .places import load_municipalities
from .schema import COLUMNS

__all__ = ["COLUMNS", "GENERATOR", "MARKER_VERSION", "generate", "marker"]

GENERATOR = "python -m etl demo"
MARKER_VERSION = 1
_STREAMS = ("enterprises", "products", "trainings", "attendance", "b2b", "indicators",
            "directory")
"""Independent random streams, so e.g. ``attendance=`` never changes enterprises.csv (a new
stream goes last: the earlier ones stay as they were)."""


def marker(seed: int, enterprises: int, wave: int = 1) -> dict[str, object]:
    """The content of ``_demo.json`` / the ``_demo`` sheet (``wave`` only from wave 2 on)."""
    out: dict[str, object] = {
        "enterprises": enterprises,
        "generator": GENERATOR,
        "marker_version": MARKER_VERSION,
        "seed": seed,
        "synthetic": True,
    }
    if wave > 1:
        out["wave"] = wave
    return out


def generate(out: Path, *, enterprises: int = 400, seed: int = 0, fmt: str = "csv",
             attendance: int | None = None,
             progress: Callable[[str], None] | None = None, wave: int = 1) -> Path:
    """Write a synthetic raw input and return the folder (CSV) or workbook path (XLSX).

    ``enterprises`` sets the number of businesses (trainings, B2B meetings and default
    attendance scale with it); ``attendance`` fixes the number of attendance rows (of the
    first wave). ``wave`` N > 1 writes the cumulative export after N survey waves, each
    adding a quarter to the one before (see `etl.demo.waves`); wave 1 is the first export.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
    if enterprises < 1:
        raise ValueError("enterprises must be at least 1")
    if attendance is not None and attendance < 0:
        raise ValueError("attendance must not be negative")
    if isinstance(wave, bool) or int(wave) != wave or wave < 1:
        raise ValueError("wave must be a whole number, at least 1")
    say = progress or (lambda _message: None)
    out = Path(out)
    streams = dict(zip(_STREAMS, np.random.default_rng(seed).spawn(len(_STREAMS)),
                       strict=True))
    munis = load_municipalities()

    say("enterprises")
    ent = build_enterprises(streams["enterprises"], enterprises, munis)
    say("products")
    prods = products.build(streams["products"], ent)
    say("trainings")
    sessions = training.build_trainings(streams["trainings"], ent, munis)
    say("attendance")
    att = training.build_attendance(streams["attendance"], ent, sessions, munis, attendance)
    say("b2b_meetings")
    meetings = b2b.build(streams["b2b"], ent, products.first_products(prods), munis)
    say("indicators")
    inds, reports = indicators.build(streams["indicators"], ent, sessions=len(sessions.ids),
                                     attendance=len(att.frame), meetings=len(meetings.frame))
    say("directory_listings")
    listings = directory.build(streams["directory"], ent, prods)
    export = waves.Export(ent, prods, sessions, att, meetings, inds, reports,
                          issued=enterprises, directory=listings)
    for number in range(2, wave + 1):
        export = waves.advance(export, number, seed=seed, enterprises=enterprises,
                               first_attendance=len(att.frame), munis=munis, progress=say)
    tables = export.tables()
    mark = marker(seed, enterprises, wave)

    if fmt == "csv":
        return write.write_csv(out, tables, mark, say)
    path = out if out.suffix.lower() == ".xlsx" else out / "survey.xlsx"
    # The workbook is saved as of its last entry: the first wave's last interview, or the
    # last date a later wave's quarter holds.
    last_day = ent.interview.max() if wave == 1 else waves.latest(export)
    last = np.datetime64(last_day, "D").astype(object)
    stamp = dt.datetime.combine(last, dt.time(18, 0))
    say("writing xlsx")
    return write.write_xlsx(path, tables, mark, stamp)
