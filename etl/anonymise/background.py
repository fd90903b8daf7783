"""What the supplier directory tells an attacker about each listed business.

Every listing is public, so the disclosure audit treats it as background knowledge, next to
the business register (which already gives every business's QIs). Only what links to the
survey matters: the certifications a listing shows (an attacker knows each of the four items
as "yes" or "not yes"), its products' HS chapters, and — already known from the register —
its sector and municipality. Languages, names and contacts link to nothing published.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.validate import CheckResult

#: The survey items a listing may show (the directory lists those that are "yes").
CERTIFICATIONS = ("haccp", "product_certification", "fva_registration", "vat_registered")
#: Protected tables whose attribute the directory reveals: table → (item, value meaning "yes").
REVEALED_TABLES = {f"compliance_{item}_by_sector": (item, "met") for item in CERTIFICATIONS}
#: Attributes of a listing, as the risk report names them.
ATTRIBUTES = ("name", "municipality", "sector", "products", "certifications", "languages")
TABLE = "directory_listings"


@dataclass(frozen=True)
class Known:
    """Per business (aligned with the enterprises frame): what its listing shows."""

    enterprise_id: np.ndarray
    listed: np.ndarray
    certifications: np.ndarray
    products: np.ndarray
    municipality: np.ndarray
    #: Per item: True where the business holds it ("yes" in its survey record).
    holds: dict[str, np.ndarray]

    @property
    def listings(self) -> int:
        return int(self.listed.sum())

    def subset(self, mask: np.ndarray) -> Known:
        """The businesses ``mask`` selects, in order (one survey wave's records)."""
        return Known(self.enterprise_id[mask], self.listed[mask], self.certifications[mask],
                     self.products[mask], self.municipality[mask],
                     {item: held[mask] for item, held in self.holds.items()})


    def take(self, positions: np.ndarray) -> Known:
        """The businesses at ``positions`` (−1: a business no longer surveyed, not listed)."""
        at = np.asarray(positions, dtype=np.int64)
        found = at >= 0
        safe = np.where(found, at, 0)

        def pick(values: np.ndarray) -> np.ndarray:
            return np.where(found, values[safe], False)

        return Known(np.where(found, self.enterprise_id[safe], ""), pick(self.listed),
                     pick(self.certifications), pick(self.products), pick(self.municipality),
                     {item: pick(held) for item, held in self.holds.items()})


def _yes(column: pd.Series) -> np.ndarray:
    if str(column.dtype) == "boolean":
        return column.fillna(False).to_numpy(dtype=bool)
    return (column.astype(object) == "yes").to_numpy(dtype=bool)


def _flag(column: pd.Series) -> np.ndarray:
    return column.astype("boolean").fillna(False).to_numpy(dtype=bool)


def known(result: CheckResult) -> Known | None:
    """The directory as background knowledge, or None when the input has no directory."""
    if TABLE not in result.tables:
        return None
    e = result.frame("enterprises")
    d = result.frame(TABLE)
    d = d[d["consent_withdrawn"].isna()]  # a withdrawn listing is not published
    ids = e["enterprise_id"].astype(str).to_numpy()
    rows = d.set_index(d["enterprise_id"].astype(str))
    at = pd.Index(rows.index).get_indexer(ids)
    listed = at >= 0

    def shown(column: str) -> np.ndarray:
        values = np.zeros(len(ids), dtype=bool)
        values[listed] = _flag(rows[column]).astype(bool)[at[listed]]
        return values

    return Known(ids, listed, shown("show_certifications"), shown("show_products"),
                 shown("show_municipality"),
                 {item: _yes(e[item]) for item in CERTIFICATIONS})
