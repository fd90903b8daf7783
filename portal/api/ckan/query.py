"""The query language of ``package_search``: Solr-like ``q`` and ``fq`` text, read into
terms that :mod:`portal.api.ckan.search` matches against the packages.

Only what CKAN clients send is understood (words, phrases, ``field:value``, date ranges,
``OR``, ``NOT``); anything else is a "Search Query Error" naming what could not be read,
never a silently different search.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from portal.api.ckan.errors import bad_query, clip
from portal.catalog import rows
from portal.catalog.search import fold

#: Search fields matched as words inside the text; the others are matched whole.
TEXT_FIELDS = ("title", "notes", "text", "res_description")
KEYWORD_FIELDS = ("id", "name", "version", "license_id", "organization", "tags", "res_format",
                  "groups", "theme", "municipality", "sector", "res_name", "dataset_type",
                  "type", "capacity", "state")
#: Fields searched by date range, ``field:[2020-01-01T00:00:00Z TO *]`` (harvesters ask
#: for what changed since their last run this way).
RANGE_FIELDS = ("metadata_modified", "metadata_created")
_FIELDS = TEXT_FIELDS + KEYWORD_FIELDS + RANGE_FIELDS
_TOKEN = re.compile(r'(?P<sign>[+-]?)(?:(?P<field>[A-Za-z_][\w.]*):)?(?:'
                    r'\[(?P<low>\S+) TO (?P<high>\S+)\]|"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))')


@dataclass(frozen=True)
class Term:
    field: str | None  # None: free text
    #: Folded (case and accents dropped) for free text and text fields, as the Data page
    #: searches; casefolded for keyword fields, which are matched whole.
    value: str
    negated: bool
    #: For a date range: the inclusive bounds (None: open).
    bounds: tuple[datetime.datetime | None, datetime.datetime | None] | None = None


#: A query: every group must match; a group matches when one of its terms does (OR).
Query = list[list[Term]]


def _bound(text: str, parameter: str) -> datetime.datetime | None:
    if text == "*":
        return None
    if text == "NOW":
        return datetime.datetime.now(datetime.UTC)
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_query(parameter, f"{clip(text)!r} is not a date and time (ISO 8601), "
                        "* or NOW") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def parse(text: str, parameter: str, *, free_text: bool) -> Query:
    """Solr-like terms: ``word``, ``"a phrase"``, ``field:value``, ``field:"a value"``,
    ``field:*``, ``field:[from TO to]`` (dates); terms are all required (``AND`` may be
    written) unless joined by ``OR``; ``-`` or ``NOT`` before a term excludes it."""
    groups: Query = []
    position = 0
    either = negate = False
    for match in _TOKEN.finditer(text):
        skipped = text[position:match.start()].strip()
        if skipped:
            raise bad_query(parameter, f"cannot read {clip(skipped)!r}")
        position = match.end()
        field = match["field"]
        value = match["quoted"] if match["quoted"] is not None else match["bare"]
        if field is None and match["quoted"] is None and match["low"] is None:
            if value in ("AND", "&&", "*:*", "*"):
                continue
            if value in ("OR", "||") and groups and not either:
                either = True
                continue
            if value in ("NOT", "!"):
                negate = True
                continue
            if value in ("OR", "||"):
                raise bad_query(parameter, "OR must stand between two terms")
        if field is None and not free_text:
            raise bad_query(parameter, f"{clip(value)!r} is not field:value")
        if field is not None and field not in _FIELDS:
            raise bad_query(parameter, f"unknown field {clip(field)!r}; search fields are "
                            f"{', '.join(_FIELDS)}")
        if (match["low"] is not None) != (field in RANGE_FIELDS):
            raise bad_query(parameter, f"write [from TO to] for {', '.join(RANGE_FIELDS)} "
                            "and for them only")
        bounds = None if match["low"] is None else (
            _bound(match["low"], parameter), _bound(match["high"], parameter))
        value = value or ""
        value = fold(value) if field is None or field in TEXT_FIELDS else value.casefold()
        term = Term(field, value, negate or match["sign"] == "-", bounds)
        if either:
            groups[-1].append(term)
        else:
            groups.append([term])
        either = negate = False
    if text[position:].strip():
        raise bad_query(parameter, f"cannot read {clip(text[position:].strip())!r}")
    if either or negate:
        raise bad_query(parameter, "the query ends with OR or NOT")
    if sum(len(g) for g in groups) > rows.MAX_TERMS:
        raise bad_query(parameter, f"at most {rows.MAX_TERMS} terms")
    return groups
