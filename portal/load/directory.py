"""The supplier directory of the release being served: businesses listed by their own consent.

The ETL publishes it as ``supplier-directory.json`` beside the packages, never inside them: it
is not open data, so no package, catalogue, API or download reads it. The portal reads it
here, once per release (keyed by the release's fingerprint, which covers the file), and the
directory pages search it in memory: a few hundred listings at most, each shown as published.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.load.release import locate

FILE = "supplier-directory.json"
#: The certifications and registrations a business may choose to show, in display order.
CERTIFICATIONS = ("haccp", "product_certification", "fva_registration", "vat_registered")


@dataclass(frozen=True)
class Product:
    name: str
    #: None when the survey recorded no HS code for the product.
    hs_chapter: str | None


@dataclass(frozen=True)
class Listing:
    """One listed business, exactly as published: a field the business chose not to show is
    None (``products``, ``certifications``, ``municipality``), never guessed."""

    id: str
    name: str
    sector: str
    municipality: str | None = None
    products: tuple[Product, ...] | None = None
    certifications: tuple[str, ...] | None = None
    languages: tuple[str, ...] = ()
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    description: dict[str, str] = field(default_factory=dict)

    @property
    def chapters(self) -> frozenset[str]:
        return frozenset(p.hs_chapter for p in self.products or () if p.hs_chapter)


@dataclass(frozen=True)
class Query:
    """What a buyer searches for; empty fields match everything."""

    product: str = ""
    chapter: str = ""
    sector: str = ""
    municipality: str = ""
    certification: str = ""
    language: str = ""

    @property
    def empty(self) -> bool:
        return not any((self.product, self.chapter, self.sector, self.municipality,
                        self.certification, self.language))


def folded(text: str) -> str:
    """Case and accents folded, so "Mjaltë", "mjalte" and "MJALTE" match alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "dj")


@dataclass(frozen=True)
class Directory:
    listings: tuple[Listing, ...] = ()

    def get(self, listing_id: str) -> Listing | None:
        return next((x for x in self.listings if x.id == listing_id), None)

    def search(self, query: Query) -> list[Listing]:
        """The listings matching every field of ``query``. A business that does not show its
        products, municipality or certifications never matches a search on them."""
        words = folded(query.product).split()
        found = []
        for x in self.listings:
            if query.sector and x.sector != query.sector:
                continue
            if query.municipality and x.municipality != query.municipality:
                continue
            if query.chapter and query.chapter not in x.chapters:
                continue
            if query.certification and query.certification not in (x.certifications or ()):
                continue
            if query.language and query.language not in x.languages:
                continue
            if words:
                if x.products is None:
                    continue
                names = [folded(p.name) for p in x.products]
                if not all(any(w in n for n in names) for w in words):
                    continue
            found.append(x)
        return found

    def values(self, attribute: str) -> list[str]:
        """The distinct values of ``attribute`` (sector, municipality, chapter, certification,
        language) among the listings: the choices a search form offers."""
        seen: set[str] = set()
        for x in self.listings:
            seen.update(v for v in _values(x, attribute) if v)
        return sorted(seen)


def _values(x: Listing, attribute: str) -> Iterable[str]:
    if attribute == "chapter":
        return x.chapters
    if attribute == "certification":
        return x.certifications or ()
    if attribute == "language":
        return x.languages
    value = getattr(x, attribute)
    return (value,) if value else ()


def _listing(raw: dict[str, Any]) -> Listing:
    products = raw.get("products")
    certifications = raw.get("certifications")
    return Listing(
        id=raw["id"], name=raw["name"], sector=raw["sector"],
        municipality=raw.get("municipality"),
        products=None if products is None else tuple(
            Product(p["name"], p.get("hs_chapter")) for p in products),
        certifications=None if certifications is None else tuple(
            c for c in CERTIFICATIONS if c in certifications),
        languages=tuple(raw.get("languages") or ()),
        contact_person=raw.get("contact_person"), phone=raw.get("phone"),
        email=raw.get("email"), website=raw.get("website"),
        description={k: v for k, v in (raw.get("description") or {}).items() if v},
    )


def read(root: Path) -> Directory:
    """The directory published in the release folder ``root`` (empty when it has none)."""
    path = root / FILE
    if not path.is_file():
        return Directory()
    data = json.loads(path.read_text(encoding="utf-8"))
    return Directory(tuple(_listing(x) for x in data.get("listings", [])))


_cache: dict[tuple[Path, str], Directory] = {}
_lock = threading.Lock()


def of_release(packages_dir: Path, fingerprint: str) -> Directory:
    """The directory of the release served from ``packages_dir``, read once per fingerprint."""
    key = (packages_dir, fingerprint)
    with _lock:
        found = _cache.get(key)
        if found is None:
            root = locate(packages_dir)
            found = read(root) if root is not None else Directory()
            _cache.clear()  # one release at a time is served
            _cache[key] = found
        return found
