"""Where things are: the municipality reference, settlements, streets and coordinates.

Municipality names come from ``etl/reference/municipalities.csv`` so the demo data spells
them exactly as the ETL's reference data does; settlements and streets are hand-picked real
places of each northern municipality so maps and tables look like the real survey.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .style import choose

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "municipalities.csv"

NORTH = (38, 29, 12, 28)
"""KAS codes of the four northern municipalities, largest business population first."""

NORTH_WEIGHTS = (0.46, 0.21, 0.19, 0.14)
"""Share of surveyed businesses: North Mitrovica, Zvečan, Leposavić, Zubin Potok."""

NAME_FORMS = ("name_sr_latn", "name_en", "name_sq", "name_sr_cyrl", "kas_code")
NAME_FORM_WEIGHTS = (0.74, 0.09, 0.07, 0.06, 0.04)
"""How often field officers wrote each form (Serbian Latin dominates in the north)."""


@dataclass(frozen=True)
class Municipality:
    """One row of the municipality reference."""

    kas: int
    kas_code: str
    name_en: str
    name_sq: str
    name_sr_latn: str
    name_sr_cyrl: str
    latitude: float
    longitude: float
    northern: bool

    def forms(self) -> tuple[str, ...]:
        """The written forms, in the order of ``NAME_FORMS``."""
        return tuple(getattr(self, f) for f in NAME_FORMS)


def load_municipalities(path: Path = REFERENCE) -> dict[int, Municipality]:
    """Read the reference table, keyed by integer KAS code."""
    if not path.exists():
        raise FileNotFoundError(f"municipality reference not found: {path}")
    out: dict[int, Municipality] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            kas = int(row["kas_code"])
            out[kas] = Municipality(
                kas=kas,
                kas_code=row["kas_code"].strip(),
                name_en=row["name_en"].strip(),
                name_sq=row["name_sq"].strip(),
                name_sr_latn=row["name_sr_latn"].strip(),
                name_sr_cyrl=row["name_sr_cyrl"].strip(),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                northern=row["northern"].strip().lower() in {"yes", "true", "1", "y"},
            )
    missing = [k for k in NORTH if k not in out or not out[k].northern]
    if missing:
        raise ValueError(f"municipality reference lacks northern KAS codes {missing}")
    return out


def written(rng: np.random.Generator, munis: dict[int, Municipality], kas: np.ndarray,
            weights: tuple[float, ...] = NAME_FORM_WEIGHTS) -> np.ndarray:
    """Municipality names as field officers wrote them, for an array of KAS codes."""
    codes = sorted(munis)
    table = np.array([munis[c].forms() for c in codes], dtype=object)
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
