"""Searching the catalogue: free text and facets over the tables of the release.

Pure functions over :class:`portal.catalog.model.Catalogue`, so the Data page, its callback
and the tests agree on what a query finds. A query is what the page keeps in its URL
(``?q=turnover&theme=growth,training&municipality=38``): words that must all occur in a
table's texts, and facet values of which a table must have at least one per facet.

Text matches ignore case and accents (``zvecan`` finds "Zvečan", ``perputhshmeri`` finds
"përputhshmëri") and look at every language the release publishes, Serbian in both
scripts, so a visitor finds a table whatever language the page is shown in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.catalog.model import DATA_FACETS, TABLE_FORMATS, THEMES, Catalogue, Resource
from portal.catalogues import to_cyrillic

#: Facets of the Data page, in the order shown; each is also its URL parameter.
FACETS = ("package", "theme", "municipality", "sector", "format")
#: URL parameter of the free text.
TEXT = "q"
#: Longest free text kept (a URL is no place for an essay).
MAX_TEXT = 200


@dataclass(frozen=True)
class Query:
    """Free text and the chosen values of each facet (any value of a facet may match)."""

    text: str = ""
    selected: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def chosen(self, facet: str) -> tuple[str, ...]:
        return tuple(self.selected.get(facet, ()))

    def params(self) -> dict[str, str]:
        """The URL parameters that restore this query (comma-separated facet values)."""
        params = {TEXT: self.text} if self.text else {}
        params.update({f: ",".join(self.chosen(f)) for f in FACETS if self.chosen(f)})
        return params


def _values(raw: object) -> list[str]:
    """A URL parameter given once, comma-separated or repeated, as a list of values."""
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [v.strip() for item in items if isinstance(item, str)
            for v in item.split(",") if v.strip()]


def parse(params: Mapping[str, object], catalogue: Catalogue | None = None) -> Query:
    """The query held by URL parameters; with ``catalogue``, values it does not know (a
    stale link, a typo) are dropped rather than finding nothing."""
    raw = params.get(TEXT)
    text = " ".join(raw.split())[:MAX_TEXT] if isinstance(raw, str) else ""
    known = ({facet: set(facet_values(catalogue, facet)) for facet in FACETS}
             if catalogue is not None else None)
    selected = {}
    for facet in FACETS:
        values = list(dict.fromkeys(_values(params.get(facet))))
        if known is not None:
            values = [v for v in values if v in known[facet]]
        if values:
            selected[facet] = tuple(values)
    return Query(text, selected)


# --- text ------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """``text`` for comparison: case and accents dropped (đ counts as d)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> tuple[str, ...]:
    """The words of a free-text query, folded."""
    return tuple(dict.fromkeys(fold(word) for word in text.split()))


def _texts(value: object) -> Iterable[str]:
    """A plain text or every language of an ``x-…`` dict (Serbian Latin also in Cyrillic,
    which the ETL does not always publish)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for lang, text in value.items():
            if isinstance(text, str):
                yield text
                if lang == "sr-Latn" and "sr-Cyrl" not in value:
                    yield to_cyrillic(text)


def _described(descriptor: Mapping[str, Any]) -> Iterable[str]:
    yield descriptor.get("name", "")
    for key in ("title", "x-title", "description", "x-description"):
        yield from _texts(descriptor.get(key))


def haystack(catalogue: Catalogue, resource: Resource) -> str:
    """Everything a table is found by, folded: its name, titles and description in every
    language, its columns' names and titles, and its package's name and titles."""
    parts = list(_described(resource.descriptor))
    for spec in resource.fields:
        parts.append(spec.get("name", ""))
        parts += _texts(spec.get("title"))
        parts += _texts(spec.get("x-title"))
    package = catalogue.package(resource.package)
    if package is not None:  # its name and titles, not its description (which would match
        parts.append(package.name)  # every table of the package on any word it uses)
        parts += _texts(package.descriptor.get("title"))
        parts += _texts(package.descriptor.get("x-title"))
    return fold("\n".join(parts))


def matches_text(catalogue: Catalogue, resource: Resource, words: tuple[str, ...]) -> bool:
    """True when every word occurs somewhere in the table's texts."""
    if not words:
        return True
    found = haystack(catalogue, resource)
    return all(word in found for word in words)


# --- facets ----------------------------------------------------------------------------------


def values_of(resource: Resource, facet: str) -> tuple[str, ...]:
    """The facet values a table has (a table may cover several municipalities…)."""
    if facet == "package":
        return (resource.package,)
    if facet == "theme":
        return (resource.theme,)
    if facet == "format":
        return resource.formats
    return resource.codes.get(facet, ())


def facet_values(catalogue: Catalogue, facet: str) -> tuple[str, ...]:
    """Every value of ``facet`` some table of the catalogue has, in a stable order: packages
    as published, themes and formats as declared, codes in their schema's order."""
    present = {v for r in catalogue.resources() for v in values_of(r, facet)}
    if facet == "package":
        order: Iterable[str] = (p.name for p in catalogue.packages)
    elif facet == "theme":
        order = THEMES
    elif facet == "format":
        order = (label for label, _key, _type in TABLE_FORMATS)
    else:
        order = code_texts(catalogue, facet)
    ordered = [v for v in order if v in present]
    return tuple(ordered + sorted(present - set(ordered)))


def code_texts(catalogue: Catalogue, facet: str) -> dict[str, dict[str, str]]:
    """Code → its label in every language (``x-labels``) for a data facet, from the first
    column that labels it; in the order the schemas list them."""
    labels: dict[str, dict[str, str]] = {}
    for resource in catalogue.resources():
        for spec in resource.fields:
            if spec.get("name") not in DATA_FACETS.get(facet, ()):
                continue
            for code, texts in (spec.get("x-labels") or {}).items():
                if isinstance(texts, dict):
                    labels.setdefault(code, texts)
    return labels


def _passes(resource: Resource, selected: Mapping[str, tuple[str, ...]]) -> bool:
    return all(not wanted or set(values_of(resource, facet)) & set(wanted)
               for facet, wanted in selected.items())


def search(catalogue: Catalogue, query: Query) -> list[Resource]:
    """The tables matching every word and, for each facet with chosen values, one of them;
    in catalogue order (package, then the order of its descriptor)."""
    words = terms(query.text)
    return [r for r in catalogue.resources()
            if r.tabular and matches_text(catalogue, r, words) and _passes(r, query.selected)]


def facet_counts(catalogue: Catalogue, query: Query) -> dict[str, dict[str, int]]:
    """For each facet, each value → how many tables the query would find with that value
    chosen for the facet instead of the facet's current choice.

    The other facets and the text still apply, so a count never promises tables that the
    rest of the query excludes, and choosing a second value of a facet (which widens the
    search) shows what it would add.
    """
    words = terms(query.text)
    texted = [r for r in catalogue.resources()
              if r.tabular and matches_text(catalogue, r, words)]
    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        others = {f: v for f, v in query.selected.items() if f != facet}
        pool = [r for r in texted if _passes(r, others)]
        counts[facet] = {value: sum(value in values_of(r, facet) for r in pool)
                         for value in facet_values(catalogue, facet)}
    return counts
