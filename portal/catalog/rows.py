"""Rows of a published table for the APIs: filters, text search, fields, sort and paging.

Parameters arrive from URLs and JSON bodies, so everything is checked against the table's
published schema before any SQL is built: an unknown column, a value that cannot be of the
column's type or a bad number is a :class:`BadRequest` naming the parameter and value,
never an error from the database. Answers are memoised per release and query.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal import query
from portal.cache import cache
from portal.load.database import ROW, LoadedRelease

#: Largest page (CKAN's default ``ckan.datastore.search.rows_max``).
MAX_LIMIT = 32_000
DEFAULT_LIMIT = 100
MAX_OFFSET = 10_000_000
MAX_TERMS = 20
MAX_VALUES = 100
#: How a suppressed cell is published in CSV files.
SUPPRESSED = "[c]"


class BadRequest(ValueError):
    """A parameter the API refuses; ``str()`` is the message for the client."""

    def __init__(self, message: str, parameter: str = "", value: object = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value


@dataclass(frozen=True)
class RowQuery:
    """A checked query: every name is a column of the table, every value of its type."""

    resource: str
    filters: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    terms: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()  # (column, descending)
    limit: int = DEFAULT_LIMIT
    offset: int = 0


@dataclass(frozen=True)
class Page:
    """One page of rows, values typed (numbers as numbers, suppressed as None)."""

    fields: list[dict[str, Any]]
    records: list[dict[str, Any]]
    total: int
    query: RowQuery


def _schema_fields(release: LoadedRelease, resource: str) -> list[dict[str, Any]]:
    try:
        return release.resource(resource)["schema"]["fields"]
    except KeyError:
        raise BadRequest(f"unknown resource: {resource!r}", "resource", resource) from None


def integer(value: object, parameter: str, low: int = 0, high: int = MAX_OFFSET) -> int:
    """A whole number from a URL or JSON value, within ``low``..``high``."""
    if isinstance(value, bool):
        raise BadRequest(f"{parameter} must be a whole number, got {value!r}", parameter, value)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise BadRequest(f"{parameter} must be a whole number, got {value!r}",
                         parameter, value) from None
    if not low <= number <= high:
        raise BadRequest(f"{parameter} must be between {low} and {high}, got {number}",
                         parameter, value)
    return number


def _typed(value: object, spec: dict[str, Any], parameter: str) -> Any:
    """A filter value converted to the column's type (refused when it cannot be one)."""
    kind = spec.get("type", "string")
    if isinstance(value, (dict, list)) or value is None:
        raise BadRequest(f"{parameter}: a value must be a string or number, got {value!r}",
                         parameter, value)
    text = str(value)
    if kind == "integer":
        try:
            number = int(text)
        except ValueError:
            raise BadRequest(f"{parameter}: {text!r} is not an integer",
                             parameter, value) from None
        if not -(2**63) <= number < 2**63:  # the database's integers are 64-bit
            raise BadRequest(f"{parameter}: {text!r} is out of range", parameter, value)
        return number
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise BadRequest(f"{parameter}: {text!r} is not a number", parameter, value) from None
        if not math.isfinite(number):
            raise BadRequest(f"{parameter}: {text!r} is not a finite number", parameter, value)
        return number
    if kind == "boolean":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise BadRequest(f"{parameter}: {text!r} is not true or false", parameter, value)
        return lowered == "true"
    if "\x00" in text:
        raise BadRequest(f"{parameter}: the value holds a NUL character", parameter, value)
    return text


def build(release: LoadedRelease, resource: str, *,
          filters: Mapping[str, object] | None = None, q: str = "",
          fields: Sequence[str] = (), sort: Sequence[tuple[str, bool]] = (),
          limit: object = DEFAULT_LIMIT, offset: object = 0,
          names: Mapping[str, str] | None = None) -> RowQuery:
    """Check the parameters of a row query against the table's schema.

    ``filters`` maps a column to one value or a list of values (any of them matches);
    ``names`` says how the API calls each parameter, for messages
    (e.g. ``{"filters": "filters", "fields": "fields", "sort": "sort"}``).
    """
    names = {"filters": "filters", "fields": "fields", "sort": "sort", "q": "q",
             "limit": "limit", "offset": "offset", **(names or {})}
    specs = {f["name"]: f for f in _schema_fields(release, resource)}

    def column(name: object, parameter: str) -> str:
        if not isinstance(name, str) or name not in specs:
            raise BadRequest(f"{parameter}: {resource} has no column {name!r}; its columns are "
                             f"{', '.join(specs)}", parameter, name)
        return name

    checked_filters = []
    for name, wanted in sorted((filters or {}).items(), key=lambda item: str(item[0])):
        parameter = f"{names['filters']}[{name}]" if names["filters"] == "filters" else name
        column(name, parameter)
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or len(values) > MAX_VALUES:
            raise BadRequest(f"{parameter}: give between 1 and {MAX_VALUES} values",
                             parameter, wanted)
        checked_filters.append((name, tuple(sorted({_typed(v, specs[name], parameter)
                                                     for v in values}, key=repr))))
    if not isinstance(q, str):
        raise BadRequest(f"{names['q']} must be text, got {q!r}", names["q"], q)
    terms = tuple(dict.fromkeys(t.casefold() for t in q.split()))
    if len(terms) > MAX_TERMS or "\x00" in q:
        raise BadRequest(f"{names['q']}: at most {MAX_TERMS} words, no NUL characters",
                         names["q"], q)
    checked_fields = tuple(dict.fromkeys(column(f, names["fields"]) for f in fields))
    checked_sort = tuple((column(c, names["sort"]), bool(d)) for c, d in sort)
    return RowQuery(
        resource, tuple(checked_filters), terms, checked_fields, checked_sort,
        integer(limit, names["limit"], 0, MAX_LIMIT), integer(offset, names["offset"]))


def parse_sort(text: str, parameter: str = "sort") -> list[tuple[str, bool]]:
    """``"a, b desc"`` (CKAN) or ``"a,-b"`` (REST) → [(column, descending)]."""
    if not isinstance(text, str):
        raise BadRequest(f"{parameter} must be text, got {text!r}", parameter, text)
    order = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        words = part.split()
        descending = part.startswith("-")
        name = words[0].lstrip("-")
        if len(words) == 2 and words[1].lower() in ("asc", "desc"):
            descending = words[1].lower() == "desc"
        elif len(words) != 1:
            raise BadRequest(f"{parameter}: cannot read {part!r}; write 'column' or "
                             "'column desc'", parameter, text)
        order.append((name.strip('"'), descending))
    return order


def split_list(value: object, parameter: str) -> list[str]:
    """A list given as a JSON list or as comma-separated text."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    raise BadRequest(f"{parameter} must be a list of column names, got {value!r}",
                     parameter, value)


def _text_columns(table: sa.Table, specs: Iterable[dict[str, Any]]) -> list[Any]:
    return [table.c[f["name"]] for f in specs if f.get("type", "string") == "string"]


@cache.memoize()
def _fetch(release_key: str, table_name: str, row_query: RowQuery,
           text_fields: tuple[str, ...]) -> tuple[list[dict[str, Any]], int]:
    store = query.store()
    table = store.table(table_name)
    where = [table.c[name].in_(values) for name, values in row_query.filters]
    for term in row_query.terms:
        where.append(sa.or_(*(sa.func.lower(table.c[c]).contains(term, autoescape=True)
                              for c in text_fields)) if text_fields else sa.false())
    selected = row_query.fields or tuple(c.name for c in table.c if c.name != ROW)
    # Missing (suppressed) values sort last both ways, on every database: SQLite and
    # PostgreSQL disagree when left to themselves.
    order = [(table.c[c].desc() if d else table.c[c].asc()).nulls_last()
             for c, d in row_query.sort]
    statement = (sa.select(table.c[ROW], *(table.c[c] for c in selected)).where(*where)
                 .order_by(*order, table.c[ROW]).limit(row_query.limit)
                 .offset(row_query.offset))
    counting = sa.select(sa.func.count()).select_from(table).where(*where)
    with store.engine.connect() as conn:
        records = [dict(r._mapping) for r in conn.execute(statement)]
        total = conn.execute(counting).scalar_one()
    return records, int(total)


def fetch(release: LoadedRelease, row_query: RowQuery) -> Page:
    """The page of rows ``row_query`` asks for, and how many rows match in all.

    Each record carries ``_row``: its 0-based position in the published file.
    """
    specs = _schema_fields(release, row_query.resource)
    text_fields = tuple(f["name"] for f in specs if f.get("type", "string") == "string")
    records, total = _fetch(release.key, release.table_name(row_query.resource), row_query,
                            text_fields)
    chosen = set(row_query.fields) if row_query.fields else None
    fields = [f for f in specs if chosen is None or f["name"] in chosen]
    if row_query.fields:
        fields.sort(key=lambda f: row_query.fields.index(f["name"]))
    return Page(fields, records, total, row_query)


def published_value(record: Mapping[str, Any], spec: Mapping[str, Any],
                    suppressible: bool) -> str:
    """A value written as the package's CSV writes it (``[c]`` for a suppressed number)."""
    value = record.get(spec["name"])
    if value is None:
        hidden = suppressible and record.get("status", "suppressed") == "suppressed"
        return SUPPRESSED if hidden else ""
    kind = spec.get("type", "string")
    if kind == "integer":
        return str(int(value))
    if kind == "number":
        return repr(float(value))
    if kind == "boolean":
        return str(bool(value))  # "True" / "False", as pandas' to_csv in the ETL writes them
    return str(value)
