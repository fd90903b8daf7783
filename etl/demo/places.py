"""Where things are: the municipality reference, settlements, streets and coordinates.

Municipality names come from the ETL's reference data (`etl.refdata`) so the demo data spells
them exactly as the ETL's reference data does; settlements and streets are hand-picked real
places of each northern municipality so maps and tables look like the real survey.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl import refdata
from etl.refdata import Municipality

from .style import choose

NORTH = (38, 29, 12, 28)
"""KAS codes of the four northern municipalities, largest business population first."""

NORTH_WEIGHTS = (0.46, 0.21, 0.19, 0.14)
"""Share of surveyed businesses: North Mitrovica, Zvečan, Leposavić, Zubin Potok."""

NAME_FORMS = ("name_sr_latn", "name_en", "name_sq", "name_sr_cyrl", "kas_code")
NAME_FORM_WEIGHTS = (0.74, 0.09, 0.07, 0.06, 0.04)
"""How often field officers wrote each form (Serbian Latin dominates in the north)."""


def forms(m: Municipality) -> tuple[str, ...]:
    """The written forms of a municipality, in the order of ``NAME_FORMS``."""
    return tuple(getattr(m, f) for f in NAME_FORMS)


def load_municipalities() -> dict[int, Municipality]:
    """The ETL's municipality reference, keyed by integer KAS code."""
    out = {int(m.kas_code): m for m in refdata.municipalities()}
    missing = [k for k in NORTH if k not in out or not out[k].northern]
    if missing:
        raise ValueError(f"municipality reference lacks northern KAS codes {missing}")
    return out


def written(rng: np.random.Generator, munis: dict[int, Municipality], kas: np.ndarray,
            weights: tuple[float, ...] = NAME_FORM_WEIGHTS) -> np.ndarray:
    """Municipality names as field officers wrote them, for an array of KAS codes."""
    codes = sorted(munis)
    table = np.array([forms(munis[c]) for c in codes], dtype=object)
    return table[np.searchsorted(codes, kas), choose(rng, weights, len(kas))]


@dataclass(frozen=True)
class Settlement:
    """A village or town; ``sq`` is set where the place is Albanian-inhabited."""

    name: str
    lat: float
    lon: float
    weight: float
    sq: str | None = None
    town: bool = False


SETTLEMENTS: dict[int, tuple[Settlement, ...]] = {
    38: (
        Settlement("Severna Mitrovica", 42.8830, 20.8670, 0.66, town=True),
        Settlement("Sunčani Breg", 42.8930, 20.8610, 0.07),
        Settlement("Brđani", 42.8880, 20.8560, 0.05, sq="Kroi i Vitakut"),
        Settlement("Bošnjačka mahala", 42.8900, 20.8700, 0.06, sq="Lagja e Boshnjakëve"),
        Settlement("Mikronaselje", 42.8880, 20.8770, 0.05),
        Settlement("Suvi Do", 42.9020, 20.8450, 0.06, sq="Suhodoll"),
        Settlement("Gornje Žabare", 42.8700, 20.8400, 0.05, sq="Zhabar i Epërm"),
    ),
    29: (
        Settlement("Zvečan", 42.9000, 20.8330, 0.58, town=True),
        Settlement("Žitkovac", 42.9330, 20.8630, 0.10),
        Settlement("Banjska", 42.9760, 20.7840, 0.08),
        Settlement("Grabovac", 42.9140, 20.8050, 0.06),
        Settlement("Valač", 42.9250, 20.8490, 0.06),
        Settlement("Boljetin", 42.9420, 20.8420, 0.06, sq="Boletin"),
        Settlement("Lipa", 42.9180, 20.8160, 0.06, sq="Lipë"),
    ),
    12: (
        Settlement("Leposavić", 43.1000, 20.8000, 0.52, town=True),
        Settlement("Lešak", 43.1590, 20.7330, 0.11),
        Settlement("Sočanica", 43.0380, 20.8390, 0.08),
        Settlement("Dren", 43.1200, 20.7720, 0.06),
        Settlement("Belo Brdo", 43.0430, 20.7400, 0.05),
        Settlement("Vračevo", 43.1320, 20.7560, 0.06),
        Settlement("Košutovo", 43.0250, 20.8810, 0.06, sq="Koshtovë"),
        Settlement("Bistrica", 43.0080, 20.9050, 0.06, sq="Bistricë e Shalës"),
    ),
    28: (
        Settlement("Zubin Potok", 42.9170, 20.6830, 0.48, town=True),
        Settlement("Gazivode", 42.9510, 20.6210, 0.11),
        Settlement("Brnjak", 42.8470, 20.5960, 0.08),
        Settlement("Zupče", 42.9070, 20.7200, 0.08),
        Settlement("Jagnjenica", 42.8960, 20.6460, 0.06),
        Settlement("Velji Breg", 42.9290, 20.6620, 0.06),
        Settlement("Čabra", 42.8950, 20.7010, 0.07, sq="Çabër"),
        Settlement("Donje Varage", 42.9390, 20.7030, 0.06),
    ),
}
"""Real settlements of each northern municipality with approximate coordinates."""

STREETS: dict[int, tuple[str, ...]] = {
    38: (
        "Kralja Petra I", "Knjaza Miloša", "Vuka Karadžića", "Čika Jovina", "Kneza Lazara",
        "Ivana Milutinovića", "Filipa Višnjića", "Sutjeska", "Kolašinska", "Braće Milić",
        "Svetog Save", "Njegoševa", "Cara Dušana", "Nušićeva", "Jadranska",
    ),
    29: (
        "Kralja Milutina", "Miloša Obilića", "Ibarska", "Svetog Save", "Trepčanska",
        "Kneza Lazara", "Vidovdanska", "Cara Lazara",
    ),
    12: (
        "Kopaonička", "Ibarska", "Svetog Save", "Cara Dušana", "Njegoševa", "Kneza Miloša",
        "Dušana Tomovića", "Jovana Cvijića",
    ),
    28: (
        "Kolašinskih kneževa", "Ibarska", "Gazivodska", "Svetog Save", "Karađorđeva",
        "Vuka Karadžića", "Njegoševa",
    ),
}
"""Plausible street names in the town seats (villages use ``bb``, no number)."""

COUNTERPART_WEIGHTS: dict[int, float] = {
    11: 0.30, 19: 0.24, 27: 0.10, 35: 0.07, 17: 0.06, 20: 0.05, 25: 0.04, 4: 0.04,
    21: 0.03, 18: 0.02, 9: 0.03, 13: 0.02,
}
"""Where B2B counterparts come from: South Mitrovica and Prishtina first, none northern."""

PILOT_COUNTERPARTS = (11, 19, 27, 35, 17)
"""One pilot meeting each with South Mitrovica, Prishtina, Vushtrri, Gračanica and Peja."""

SERB_MAJORITY_SOUTH = frozenset({35, 23, 34, 36, 37, 14})
"""Serb-majority municipalities south of the Ibar, whose firms carry Serbian names."""
