"""``package_search``: the published packages filtered by ``q`` and ``fq``, sorted, paged
and counted by facet, as CKAN's Solr-backed search answers.

A catalogue holds a handful of packages, so each is read once into a :class:`_Document`
and searched in memory; no index is kept. Words are matched as the Data page matches them
(:func:`portal.catalog.search.fold`: case and accents ignored), so a visitor and a client
find the same packages for the same words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from portal.api.ckan import dicts, query
from portal.api.ckan.errors import clip, invalid
from portal.api.ckan.registry import Call, action
from portal.catalog import model, rows
from portal.catalog.model import Package
from portal.catalog.search import fold

SEARCH_ROWS_DEFAULT = 10
#: CKAN's ``ckan.search.rows_max``.
SEARCH_ROWS_MAX = 1000
FACET_LIMIT_DEFAULT = 50
DEFAULT_SEARCH_SORT = "score desc, metadata_modified desc"
_FACET_FIELDS = ("organization", "tags", "res_format", "license_id", "groups", "theme",
                 "municipality", "sector", "version")


@dataclass(frozen=True)
class _Document:
    """A package as the search sees it: whole values, folded texts, display names."""

    package: Package
    values: dict[str, tuple[str, ...]]
    #: The texts of :data:`query.TEXT_FIELDS`, folded; ``text`` is everything searched.
    texts: dict[str, str]
    #: The title casefolded: what ``title`` and ``title_string`` sort by.
    title: str
    display: dict[tuple[str, str], str]


def _code_labels(package: Package, facet: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for resource in package.resources:
        for spec in resource.fields:
            if spec.get("name") in model.DATA_FACETS.get(facet, ()):
                for code, texts in dicts.mapping(spec.get("x-labels")).items():
                    labels.setdefault(code, dicts.english(texts, code))
    return labels


def _document(package: Package) -> _Document:
    descriptor = package.descriptor
    title, notes = dicts.titles(descriptor, package.name)
    organization = dicts.organization_dict(package)
    licence = dicts.licence_fields(package)
    tags = tuple(dicts.keywords(package))
    values: dict[str, tuple[str, ...]] = {
        "id": (package.id,), "name": (package.name,), "version": (package.version,),
        "license_id": (licence["license_id"],),
        "organization": (organization["name"],) if organization else (),
        "tags": tags, "res_format": package.formats, "groups": package.themes,
        "theme": package.themes, "municipality": package.codes("municipality"),
        "sector": package.codes("sector"), "res_name": tuple(r.name for r in package.resources),
        "dataset_type": ("dataset",), "type": ("dataset",), "capacity": ("public",),
        "state": ("active",),
    }
    descriptions = [dicts.titles(r.descriptor, r.name)[1] for r in package.resources]
    every_language = [str(t) for key in ("x-title", "x-description")
                      for t in dicts.mapping(descriptor.get(key)).values()]
    for resource in package.resources:
        every_language += [str(t) for t in dicts.mapping(resource.descriptor.get("x-title"))
                           .values()]
    text = " ".join([package.name, title, notes, *tags, *values["res_name"], *descriptions,
                     *every_language])
    display: dict[tuple[str, str], str] = {}
    if organization:
        display["organization", organization["name"]] = organization["title"]
    display["license_id", licence["license_id"]] = licence["license_title"]
    for theme in package.themes:
        display["groups", theme] = display["theme", theme] = dicts.group_dict(theme)["title"]
    for facet in model.DATA_FACETS:
        for code, label in _code_labels(package, facet).items():
            display[facet, code] = label
    return _Document(package, values, {
        "title": fold(title), "notes": fold(notes), "text": fold(text),
        "res_description": fold(" ".join(descriptions))}, title.casefold(), display)


def _matches(document: _Document, term: query.Term) -> bool:
    if term.bounds is not None:
        low, high = term.bounds
        moment = model.parse_time(document.package.created)
        found = (low is None or low <= moment) and (high is None or moment <= high)
    elif term.field is None or term.field in query.TEXT_FIELDS:
        found = term.value in document.texts[term.field or "text"]
    elif term.value == "*":
        found = bool(document.values[term.field])
    else:
        found = any(v.casefold() == term.value for v in document.values[term.field])
    return found != term.negated


def _score(document: _Document, terms: query.Query) -> int:
    """Relevance: occurrences of the free-text words, those in the title counting thrice."""
    return sum(document.texts["text"].count(t.value) + 2 * document.texts["title"].count(t.value)
               for group in terms for t in group if t.field is None and not t.negated and t.value)


_SORT_KEYS: dict[str, Callable[[_Document, int], Any]] = {
    "score": lambda d, score: score,
    "id": lambda d, score: d.package.id,
    "name": lambda d, score: d.package.name,
    "title_string": lambda d, score: d.title,
    "title": lambda d, score: d.title,
    "metadata_modified": lambda d, score: model.parse_time(d.package.created),
    "metadata_created": lambda d, score: model.parse_time(d.package.created),
    "num_resources": lambda d, score: len(d.package.resources),
    "num_tags": lambda d, score: len(d.values["tags"]),
}


def _order(text: str) -> list[tuple[str, bool]]:
    """``field asc|desc`` pairs → [(field, descending)], fields among :data:`_SORT_KEYS`."""
    order = []
    for part in (p.strip() for p in text.split(",")):
        words = part.split()
        if not words:
            continue
        if (len(words) > 2 or words[0] not in _SORT_KEYS
                or (len(words) == 2 and words[1].lower() not in ("asc", "desc"))):
            raise invalid("sort", f"sort: cannot read {clip(part)!r}; write 'field asc' or "
                          f"'field desc' with a field among {', '.join(_SORT_KEYS)}")
        order.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return order


def _facets(documents: Sequence[_Document], fields: Sequence[str], limit: int,
            mincount: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """CKAN's ``facets`` (value → count) and ``search_facets`` (with display names)."""
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field in fields:
        counts = Counter(v for d in documents for v in dict.fromkeys(d.values[field]))
        ranked = sorted((item for item in counts.items() if item[1] >= mincount),
                        key=lambda item: (-item[1], item[0]))
        if limit >= 0:
            ranked = ranked[:limit]
        facets[field] = dict(ranked)
        names = {v: d.display.get((field, v), v) for d in documents for v in d.values[field]}
        search_facets[field] = {"title": field, "items": [
            {"name": value, "display_name": names[value], "count": count}
            for value, count in ranked]}
    return facets, search_facets


@action("q", "fq", "fq_list", "rows", "start", "sort", "facet", "facet.field", "facet.limit",
        "facet.mincount", "include_private", "include_drafts")
def package_search(call: Call) -> dict[str, Any]:
    """Search the published datasets.

    :param q: words, each found (ignoring case and accents) in the name, title, description,
        tags or resources; ``field:value`` terms as in ``fq``
    :param fq: ``field:value`` terms over id, name, version, license_id, organization,
        tags, res_format, groups (= theme), municipality, sector, res_name, title, notes,
        text, res_description; ``field:*`` means any value; ``metadata_modified:[from TO
        to]`` (ISO 8601, ``*`` or ``NOW``) a date range. Terms are all required unless
        joined by ``OR``; ``-`` or ``NOT`` before a term excludes it
    :param fq_list: more ``fq`` strings (JSON list), all required
    :param rows: how many datasets to return (default 10, at most 1000)
    :param start: how many matching datasets to skip
    :param sort: ``field asc|desc`` pairs, comma-separated, among score, id, name, title_string,
        metadata_modified, metadata_created, num_resources, num_tags
        (default ``score desc, metadata_modified desc``)
    :param facet: whether to count facets (default true)
    :param facet.field: the fields to count (JSON list) among organization, tags,
        res_format, license_id, groups, theme, municipality, sector, version
    :param facet.limit: most values per facet (default 50; -1 for all)
    :param facet.mincount: least count of a facet value shown (default 1)
    :param include_private: accepted for compatibility; nothing private is published
    :param include_drafts: accepted for compatibility; no drafts are published
    """
    params = call.params
    q = params.text("q")
    fq = [params.text("fq"), *params.strings("fq_list")]
    count = params.integer("rows", SEARCH_ROWS_DEFAULT, 0, SEARCH_ROWS_MAX)
    start = params.integer("start", 0, 0, rows.MAX_OFFSET)
    sort = params.text("sort") or DEFAULT_SEARCH_SORT
    order = _order(sort)
    facet_fields = params.names("facet.field") if params.boolean("facet", True) else []
    for field in facet_fields:
        if field not in _FACET_FIELDS:
            raise invalid("facet.field", f"facet.field: cannot count {clip(field)!r}; facet "
                          f"fields are {', '.join(_FACET_FIELDS)}")
    facet_limit = params.integer("facet.limit", FACET_LIMIT_DEFAULT, -1, SEARCH_ROWS_MAX)
    mincount = params.integer("facet.mincount", 1, 0, rows.MAX_OFFSET)
    params.boolean("include_private", False)
    params.boolean("include_drafts", False)
    terms = query.parse(q, "q", free_text=True)
    for text in fq:
        terms += query.parse(text, "fq", free_text=False)

    catalogue = call.catalogue
    packages = catalogue.packages if catalogue else ()
    documents = [_document(p) for p in sorted(packages, key=lambda p: p.name)]
    found = [d for d in documents if all(any(_matches(d, t) for t in g) for g in terms)]
    scores = {d.package.name: _score(d, terms) for d in found}
    for key, descending in reversed(order):
        found.sort(key=lambda d, k=key: _SORT_KEYS[k](d, scores[d.package.name]),
                   reverse=descending)
    facets, search_facets = _facets(found, facet_fields, facet_limit, mincount)
    page = found[start:start + count]
    results = [dicts.package_dict(catalogue, d.package) for d in page] if catalogue else []
    return {"count": len(found), "results": results, "facets": facets,
            "search_facets": search_facets, "sort": sort}
