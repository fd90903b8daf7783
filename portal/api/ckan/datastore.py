"""``datastore_search``: rows of a published table, as CKAN's DataStore answers them.

Rows come from :mod:`portal.catalog.rows`, which checks every filter, field and sort
against the published schema (no client text ever becomes SQL); this module only reads
CKAN's parameters and writes CKAN's answer: typed records with ``_id``, DataStore field
types and ``_links`` to the neighbouring pages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from portal.api.ckan import dicts
from portal.api.ckan.errors import clip, invalid, invalid_row, not_found
from portal.api.ckan.registry import Call, action
from portal.api.ckan.urls import action_path
from portal.catalog import rows
from portal.load.database import ROW

#: Table Schema type → CKAN DataStore type.
DATASTORE_TYPES = {"string": "text", "integer": "int", "number": "numeric", "boolean": "bool",
                   "date": "date", "datetime": "timestamp", "time": "time", "year": "int"}


def _field(spec: Mapping[str, Any]) -> dict[str, Any]:
    name = spec["name"]
    info = {"label": dicts.english(spec.get("x-title"), spec.get("title") or name),
            "notes": dicts.english(spec.get("x-description"), spec.get("description") or "")}
    if spec.get("unit"):
        info["unit"] = dicts.english(spec.get("x-unit"), spec["unit"])
    return {"id": name, "type": DATASTORE_TYPES.get(spec.get("type", "string"), "text"),
            "info": info}


def _value(value: Any, spec: Mapping[str, Any]) -> Any:
    """A stored value as JSON of the field's DataStore type: numbers as numbers (a year,
    stored as text, too), suppressed or missing as null, and a number JSON cannot hold
    (infinity) as null rather than an invalid answer."""
    if value is None:
        return None
    kind = spec.get("type", "string")
    if kind in ("integer", "year"):
        try:
            return int(value)
        except ValueError:  # a year column keeps text such as "[c]" as it was published
            return value
    if kind == "number":
        number = float(value)
        return number if math.isfinite(number) else None
    if kind == "boolean":
        return bool(value)
    return value if isinstance(value, str) else str(value)


def _links(link: dict[str, Any], offset: int, limit: int) -> dict[str, str]:
    """``start``, ``next`` and (past the first page) ``prev``: this search at other offsets
    (``next`` past the end is a page without records, which is how clients stop)."""
    base = action_path("datastore_search") + "?"
    links = {"start": base + urlencode(link), "next": base + urlencode(
        {**link, "offset": offset + limit})}
    if offset > 0:
        links["prev"] = base + urlencode({**link, "offset": max(offset - limit, 0)})
    return links


@action("resource_id", "id", "q", "filters", "fields", "sort", "limit", "offset",
        "include_total", "records_format")
def datastore_search(call: Call) -> dict[str, Any]:
    """Return rows of a published table, as CKAN's DataStore does.

    :param resource_id: the table's id (its name); ``id`` is accepted too
    :param filters: column → value or list of values, all required (JSON object)
    :param q: words, each found (case-insensitively) in some text column of the row
    :param fields: the columns to return (comma-separated or JSON list; ``_id`` allowed)
    :param sort: ``column [asc|desc]`` pairs, comma-separated (``_id`` only ascending)
    :param limit: rows per page (default 100, at most 32000)
    :param offset: rows to skip
    :param include_total: whether to count the matching rows (default true)
    :param records_format: ``objects`` (the only format offered)

    Each record's ``_id`` is its row number in the published CSV file, from 1; suppressed
    numbers are null. ``_links.next`` is the address of the next page (past the end, a
    page without records).
    """
    params = call.params
    key = params.text("resource_id") or params.text("id")
    if not key:
        raise invalid("resource_id", "resource_id: Missing value")
    filters = params.structure("filters", dict) or {}
    q_value = params.raw("q")
    if isinstance(q_value, dict) or (isinstance(q_value, str) and q_value.startswith("{")):
        raise invalid("q", "q: searching by column (a JSON object) is not supported; use "
                      "filters, or words searched in every text column")
    q = params.text("q")
    names = params.names("fields")
    columns = [n for n in names if n != "_id"]
    try:
        order = rows.parse_sort(", ".join(params.strings("sort")))
    except rows.BadRequest as error:
        raise invalid_row(error) from None
    if ("_id", True) in order:
        raise invalid("sort", "sort: _id can only be sorted ascending (the published order)")
    order = [o for o in order if o[0] != "_id"]
    limit = params.integer("limit", rows.DEFAULT_LIMIT, 0, rows.MAX_LIMIT)
    offset = params.integer("offset", 0, 0, rows.MAX_OFFSET)
    include_total = params.boolean("include_total", True)
    if params.text("records_format", "objects") != "objects":
        raise invalid("records_format", "records_format: only 'objects' is offered")

    catalogue = call.catalogue
    table = catalogue.resource(key) if catalogue else None
    if catalogue is None or table is None or not dicts.in_datastore(table):
        raise not_found(f"Resource {clip(key)!r} was not found.")
    try:
        row_query = rows.build(catalogue.release, table.name, filters=filters, q=q,
                               fields=columns, sort=order, limit=limit, offset=offset)
    except rows.BadRequest as error:
        raise invalid_row(error) from None
    page = rows.fetch(catalogue.release, row_query)
    with_id = not names or "_id" in names
    specs = page.fields if columns or not names else []
    # Text columns (most of them) are stored as JSON needs them: only the others convert.
    columns_out = [(s["name"], None if s.get("type", "string") == "string" else s)
                   for s in specs]
    records = []
    for record in page.records:
        out = {"_id": record[ROW] + 1} if with_id else {}
        for name, spec in columns_out:
            value = record.get(name)
            out[name] = value if spec is None and (value is None or isinstance(value, str)) \
                else _value(value, spec or {})
        records.append(out)

    sort_text = ", ".join(f"{c} desc" if d else c for c, d in order)
    link: dict[str, Any] = {"resource_id": table.name}
    if q:
        link["q"] = q
    if filters:
        link["filters"] = json.dumps(filters, ensure_ascii=False, separators=(",", ":"))
    if names:
        link["fields"] = json.dumps(names) if any("," in n for n in names) else ",".join(names)
    if sort_text:
        link["sort"] = sort_text
    link["limit"] = limit
    if not include_total:
        link["include_total"] = "false"
    result: dict[str, Any] = {
        "resource_id": table.name,
        "fields": ([{"id": "_id", "type": "int"}] if with_id else [])
        + [_field(s) for s in specs],
        "records": records, "limit": limit, "offset": offset,
        "include_total": include_total, "records_format": "objects",
        "_links": _links(link, offset, limit)}
    if include_total:
        result["total"] = page.total
        result["total_was_estimated"] = False
    if filters:
        result["filters"] = filters
    if q:
        result["q"] = q
    if sort_text:
        result["sort"] = sort_text
    return result
