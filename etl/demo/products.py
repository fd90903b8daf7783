"""Products and services of each business (products.csv): 1–4 per business, fitting its sector.

Names are in the owner's language, HS codes at heading or subheading level for goods (empty
for services), and each business's shares of sales add up to at most 100%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import style
from .catalogue import SECTORS
from .enterprises import Enterprises
from .schema import SOLD_IN, Table

UNITS = ("kg", "t", "l", "piece", "m2", "m3", "hour", "other")
COUNT_WEIGHTS = (0.35, 0.35, 0.2, 0.1)
"""How many products a business named: one to four."""


def _catalogue() -> dict[str, np.ndarray]:
    """All sectors' products flattened into arrays, with each sector's offset."""
    rows = [(i, p) for i, s in enumerate(SECTORS) for p in s.products]
    offsets = np.cumsum([0] + [len(s.products) for s in SECTORS])[:-1]
    return {
        "offset": offsets,
        "sr": np.array([p.sr for _, p in rows], dtype=object),
        "sq": np.array([p.sq for _, p in rows], dtype=object),
        "hs": np.array([p.hs for _, p in rows], dtype=object),
        "unit": np.array([UNITS.index(p.unit) for _, p in rows]),
        "volume": np.array([p.volume for _, p in rows], dtype=float),
    }


def _choose_products(rng: np.random.Generator, ent: Enterprises
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(business row, catalogue index, rank) per product line, grouped by business.

    Weighted sampling without replacement (Efraimidis–Spirakis keys) per sector, so the
    first products of a sector's list are the commonest and none repeats within a business.
    """
    cat = _catalogue()
    count = style.choose(rng, COUNT_WEIGHTS, len(ent)) + 1
    ents, prods, ranks = [], [], []
    for s_i, sector in enumerate(SECTORS):
        rows = np.flatnonzero(ent.sector == s_i)
        if not len(rows):
            continue
        n_p = len(sector.products)
        weight = 1.0 / np.arange(1, n_p + 1) ** 0.7
        keys = rng.random((len(rows), n_p)) ** (1.0 / weight)
        order = np.argsort(-keys, axis=1, kind="stable")
        k = np.minimum(count[rows], n_p)
        take = np.arange(n_p) < k[:, None]
        ents.append(np.repeat(rows, k))
        prods.append(cat["offset"][s_i] + order[take])
        ranks.append(np.nonzero(take)[1])
    ent_row, prod, rank = (np.concatenate(a) for a in (ents, prods, ranks))
    order = np.lexsort((rank, ent_row))
    return ent_row[order], prod[order], rank[order]


def build(rng: np.random.Generator, ent: Enterprises) -> Table:
    """One row per product line of every business."""
    cat = _catalogue()
    row, prod, rank = _choose_products(rng, ent)
    m = len(row)
    sector = ent.sector[row]
    goods = np.array([s.goods for s in SECTORS])[sector]
    exporter = np.array([s.exporter for s in SECTORS])[sector]

    name = np.where(ent.albanian[row], cat["sq"][prod], cat["sr"][prod])
    hs = cat["hs"][prod].copy()
    shorten = (np.char.str_len(hs.astype(str)) == 6) & (rng.random(m) < 0.15)
    hs[shorten] = hs[shorten].astype("U4").astype(object)
    hs = np.where((hs == "") | (rng.random(m) < 0.08), None, hs)

    unit = np.where(rng.random(m) < 0.05, -1, cat["unit"][prod])
    base = cat["volume"][prod]
    volume = base * (1 + ent.staff[row]) ** 0.7 * rng.lognormal(0, 0.6, m) / np.sqrt(rank + 1)
    volume = np.where(volume > 1000, np.round(volume, -1), np.maximum(np.round(volume), 1))
    no_volume = (base <= 1) | (unit < 0) | (rng.random(m) < 0.1)

    weight = rng.gamma(2.0, 1.0, m) / (rank + 1)
    total = np.where(rng.random(len(ent)) < 0.7, 100.0, rng.uniform(70, 100, len(ent)))
    share = np.floor(weight / np.bincount(row, weights=weight, minlength=len(ent))[row]
                     * total[row])

    certified = np.where(goods, np.where(ent.certified[row], rng.random(m) < 0.8,
                                         rng.random(m) < 0.03), False)
    certified_missing = (~goods & (rng.random(m) < 0.7)) | (rng.random(m) < 0.05)

    bits = np.column_stack([
        rng.random(m) < 0.92,
        ent.sells_rok[row] & (rng.random(m) < 0.8),
        ent.sells_serbia[row] & (rng.random(m) < 0.85),
        ent.exports[row] & (rng.random(m) < 0.4),
        ent.exports[row] & (exporter > 0) & (rng.random(m) < 0.5),
        rng.random(m) < 0.01,
    ])
    bits[:, 0] |= ~bits.any(axis=1)
    sold_in = np.where(rng.random(m) < 0.04, None, style.multi(bits, SOLD_IN))

    frame = pd.DataFrame({
        "enterprise_id": ent.ids[row],
        "product_name": style.pad(rng, name),
        "hs_code": hs,
        "annual_volume": style.nullable_int(volume, no_volume),
        "unit": style.codes(rng, unit, UNITS),
        "share_of_sales_pct": style.nullable_int(share, rng.random(m) < 0.06),
        "certified": style.yes_no(rng, certified, certified_missing),
        "sold_in": sold_in,
    })
    return Table("products", frame)


def first_products(table: Table) -> pd.Series:
    """Each business's main product name (its first line), for B2B meeting notes."""
    frame = table.frame.drop_duplicates("enterprise_id")
    return pd.Series(frame["product_name"].str.strip().to_numpy(),
                     index=frame["enterprise_id"].to_numpy())
