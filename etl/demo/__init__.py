"""Synthetic demo input for the North of Kosovo Product Map (``python -m etl demo``).

Produces a raw input that follows ``shared/raw-format.md`` exactly and looks like the real
survey — real places, plausible names, phones and registration numbers — so the portal can
be shown, and any leak of direct identifiers past the ETL is visible. The ``_demo`` marker
lets the ETL recognise such inputs. Same arguments, same bytes: nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from . import b2b, indicators, products, training, write
from .enterprises import build as build_enterprises
from .places import load_municipalities
from .schema import COLUMNS, Table

__all__ = ["COLUMNS", "GENERATOR", "MARKER_VERSION", "generate", "marker"]

GENERATOR = "python -m etl demo"
MARKER_VERSION = 1
_STREAMS = ("enterprises", "products", "trainings", "attendance", "b2b", "indicators")
"""Independent random streams, so e.g. ``attendance=`` never changes enterprises.csv."""


def marker(seed: int, enterprises: int) -> dict[str, object]:
    """The content of ``_demo.json`` / the ``_demo`` sheet."""
    return {
        "enterprises": enterprises,
        "generator": GENERATOR,
        "marker_version": MARKER_VERSION,
        "seed": seed,
        "synthetic": True,
    }


def _first_products(table: Table) -> pd.Series:
    """Each business's main product name, for B2B meeting notes."""
    frame = table.frame.drop_duplicates("enterprise_id")
    return pd.Series(frame["product_name"].str.strip().to_numpy(),
                     index=frame["enterprise_id"].to_numpy())


def generate(out: Path, *, enterprises: int = 400, seed: int = 0, fmt: str = "csv",
             attendance: int | None = None,
             progress: Callable[[str], None] | None = None) -> Path:
    """Write a synthetic raw input and return the folder (CSV) or workbook path (XLSX).

    ``enterprises`` sets the number of businesses (trainings, B2B meetings and default
    attendance scale with it); ``attendance`` fixes the number of attendance rows.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
    if enterprises < 1:
        raise ValueError("enterprises must be at least 1")
    if attendance is not None and attendance < 0:
        raise ValueError("attendance must not be negative")
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
    meetings = b2b.build(streams["b2b"], ent, _first_products(prods), munis)
    say("indicators")
    inds, reports = indicators.build(streams["indicators"], ent, sessions=len(sessions.ids),
                                     attendance=len(att.frame), meetings=len(meetings.frame))
    tables = [ent.table, prods, sessions.table, att, meetings, inds, reports]
    mark = marker(seed, enterprises)

    if fmt == "csv":
        return write.write_csv(out, tables, mark, say)
    path = out if out.suffix.lower() == ".xlsx" else out / "survey.xlsx"
    last = np.datetime64(ent.interview.max(), "D").astype(object)
    stamp = dt.datetime.combine(last, dt.time(18, 0))
    say("writing xlsx")
    return write.write_xlsx(path, tables, mark, stamp)

