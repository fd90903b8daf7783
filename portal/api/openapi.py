"""The REST API's contract: its addresses, parameters, the OpenAPI 3.1 document and docs page.

Everything a client can rely on is written down here once and read by both sides: the
routes in :mod:`portal.api.rest` parse requests with these names and limits, and the
document (``/api/openapi.json``) and its human-readable page (``/api/docs``) are generated
from the current release, so a new column or resource is documented the moment it is
served. Each table gets a path per format, so every column filter is a documented
parameter with its type and allowed codes; tools such as schemathesis can then test the
API from the document alone. Texts are English only: they describe a machine interface.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from portal.catalog import rows
from portal.catalog.model import Catalogue, Download, Package, Resource

#: Where the API lives, below Dash's routes prefix.
API_ROOT = "/api/v1"
OPENAPI_PATH = "/api/openapi.json"
DOCS_PATH = "/api/docs"
#: Formats a table is served in (the file extension of its address) and their media types.
TABLE_FORMATS = {"json": "application/json", "csv": "text/csv"}
XML_MEDIATYPE = "application/xml"
#: An attachment named ``<resource>-iati.xml`` is that table as IATI results XML.
IATI_SUFFIX = "-iati.xml"

#: Control parameters; every other query parameter of a table must name one of its columns.
Q, SORT, FIELDS, LIMIT, OFFSET = "_q", "_sort", "_fields", "_limit", "_offset"
CONTROLS = (Q, SORT, FIELDS, LIMIT, OFFSET)
#: Longest query string accepted (414 beyond): far above any real filter, far below a DoS.
MAX_QUERY = 8 * 1024
#: Range of a 64-bit integer column: a filter value outside it could never match.
INT64 = (-(2**63), 2**63 - 1)

_STATUS_TEXTS = {304: "Not modified: the copy named by If-None-Match / If-Modified-Since is "
                      "current (no body).",
                 400: "A parameter is unknown, repeated or has a bad value; the error names it.",
                 404: "No such package, table or format in the current release.",
                 414: f"The query string is longer than {MAX_QUERY} bytes."}


# --- Addresses ---------------------------------------------------------------------------------

def packages_path() -> str:
    return f"{API_ROOT}/packages"


def package_path(package: str) -> str:
    return f"{API_ROOT}/packages/{quote(package, safe='')}"


def table_path(package: str, resource: str, extension: str) -> str:
    return f"{API_ROOT}/{quote(package, safe='')}/{quote(resource, safe='')}.{extension}"


def iati_attachment(package: Package, resource: Resource) -> Download | None:
    """The resource's IATI results XML, when its package publishes one."""
    wanted = f"{resource.name}{IATI_SUFFIX}"
    return next((d for d in package.downloads
                 if d.kind == "attachment" and d.file.path.name == wanted), None)


def served_tables(package: Package) -> list[Resource]:
    """Tables the API serves: those with a schema and a published CSV (what rows come from)."""
    return [r for r in package.resources if r.tabular and r.download("CSV") is not None]


def missing_values(resource: Resource) -> list[str]:
    """How the table writes a missing or suppressed cell (Table Schema's ``missingValues``)."""
    return list(resource.descriptor.get("schema", {}).get("missingValues", [""]))


def allowed_codes(resource: Resource, spec: dict[str, Any]) -> list[str] | None:
    """The values a text column may hold (its ``enum`` plus the missing-value markers,
    e.g. ``[c]`` for a suppressed code), or None when any text may appear."""
    enum = spec.get("constraints", {}).get("enum")
    if spec.get("type", "string") != "string" or not enum:
        return None
    return list(dict.fromkeys([*map(str, enum), *missing_values(resource)]))


# --- Schemas -------------------------------------------------------------------------------------

def _value_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """A cell in a JSON row: numbers and booleans are null where missing or suppressed."""
    kind = spec.get("type", "string")
    if kind in ("integer", "number", "boolean"):
        return {"type": [kind, "null"]}
    return {"type": "string"}


def _filter_item_schema(resource: Resource, spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec.get("type", "string")
    if kind == "integer":
        return {"type": "integer", "minimum": INT64[0], "maximum": INT64[1]}
    if kind in ("number", "boolean"):
        return {"type": kind}
    codes = allowed_codes(resource, spec)
    return {"type": "string", "enum": codes} if codes else {"type": "string"}


def _filter_description(resource: Resource, spec: dict[str, Any]) -> str:
    title = spec.get("title") or spec["name"]
    text = f"{title}: rows whose `{spec['name']}` equals this value (repeat for any of several)."
    if spec.get("description"):
        text += f" {spec['description']}"
    if spec.get("type") == "date":
        text += " Written YYYY-MM-DD."
    return text


def _row_schema(resource: Resource) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"A row of {resource.name}; only the columns asked for with _fields.",
        "properties": {f["name"]: {**_value_schema(f), "title": f.get("title", f["name"])}
                       for f in resource.fields},
        "additionalProperties": False,
    }


def _component_name(resource: Resource) -> str:
    return f"{resource.name}.row"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["status", "message"],
        "properties": {
            "status": {"type": "integer", "description": "The HTTP status code."},
            "message": {"type": "string", "description": "What is wrong, in English."},
            "parameter": {"type": ["string", "null"],
                          "description": "The query parameter at fault, if any."},
            "value": {"description": "The value refused, if any."},
        },
    }},
}
_LINKS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["self", "next", "prev"],
    "properties": {"self": {"type": "string"}, "next": {"type": ["string", "null"]},
                   "prev": {"type": ["string", "null"]}},
}
_FIELD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "type", "title", "unit"],
    "properties": {
        "name": {"type": "string"},
        "type": {"type": "string", "description": "Table Schema type: string, integer, "
                 "number, boolean, date…"},
        "title": {"type": "string"},
        "unit": {"type": ["string", "null"]},
    },
}
_RESOURCE_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": ["name", "title", "rows", "links"],
    "properties": {
        "name": {"type": "string"}, "title": {"type": "string"},
        "rows": {"type": ["integer", "null"], "description": "Rows in the published CSV."},
        "links": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "API addresses of the table by format (json, csv, xml)."},
    },
}
_PACKAGE_SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": ["name", "id", "title", "version", "resources", "links"],
    "properties": {
        "name": {"type": "string"}, "id": {"type": "string"}, "title": {"type": "string"},
        "version": {"type": "string"}, "created": {"type": "string"},
        "resources": {"type": "array", "items": _ref("schemas", "ResourceSummary")},
        "links": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_PACKAGE_LIST: dict[str, Any] = {
    "type": "object",
    "required": ["release", "packages", "links"],
    "properties": {
        "release": {"type": ["string", "null"], "description": "Version of the release."},
        "packages": {"type": "array", "items": _ref("schemas", "PackageSummary")},
        "links": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_PACKAGE_DETAIL: dict[str, Any] = {
    "type": "object",
    "required": ["package", "links"],
    "properties": {
        "package": {"type": "object", "description": "The published datapackage.json, "
                    "unchanged (Frictionless Data Package 2.0)."},
        "links": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

#: Response headers, by name; answers list them with ``_headers`` (references).
HEADERS: dict[str, Any] = {
    "ETag": {"description": "Validator of this answer: send it back in If-None-Match.",
             "required": True, "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the release was created.", "required": True,
                      "schema": {"type": "string"}},
    "Cache-Control": {"description": "May be reused for a minute, then revalidated.",
                      "schema": {"type": "string"}},
    "Link": {"description": 'The next and previous pages (rel="next", rel="prev").',
             "schema": {"type": "string"}},
    "X-Total-Count": {"description": "How many rows match in all.", "required": True,
                      "schema": {"type": "integer", "minimum": 0}},
}


def _headers(*, paged: bool = False) -> dict[str, Any]:
    names = ["ETag", "Last-Modified", "Cache-Control"]
    if paged:
        names += ["Link", "X-Total-Count"]
    return {name: _ref("headers", name) for name in names}


def _shared_parameters() -> dict[str, Any]:
    return {
        "q": {"name": Q, "in": "query", "required": False, "schema": {"type": "string"},
              "description": f"Free text: rows where every word (at most {rows.MAX_TERMS}) "
                             "appears in some text column, ignoring case."},
        "limit": {"name": LIMIT, "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 0, "maximum": rows.MAX_LIMIT,
                             "default": rows.DEFAULT_LIMIT},
                  "description": "Rows per page."},
        "offset": {"name": OFFSET, "in": "query", "required": False,
                   "schema": {"type": "integer", "minimum": 0, "maximum": rows.MAX_OFFSET,
                              "default": 0},
                   "description": "Rows to skip (the published order, or the _sort order)."},
    }


def table_parameters(resource: Resource) -> dict[str, dict[str, Any]]:
    """The query parameters of a table by component name: a filter per column, then the
    per-table controls (their allowed column names differ from table to table)."""
    names = [f["name"] for f in resource.fields]
    parameters: dict[str, dict[str, Any]] = {}
    for spec in resource.fields:
        parameters[f"{resource.name}.{spec['name']}"] = {
            "name": spec["name"], "in": "query", "required": False,
            "style": "form", "explode": True,
            "schema": {"type": "array", "items": _filter_item_schema(resource, spec),
                       "minItems": 1, "maxItems": rows.MAX_VALUES},
            "description": _filter_description(resource, spec),
        }
    parameters[f"{resource.name}.{SORT}"] = {
        "name": SORT, "in": "query", "required": False, "style": "form", "explode": False,
        "schema": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": [
            v for name in names for v in (name, f"-{name}")]}},
        "description": "Order by these columns, comma-separated; `-column` sorts descending. "
                       "Ties keep the published order."}
    parameters[f"{resource.name}.{FIELDS}"] = {
        "name": FIELDS, "in": "query", "required": False, "style": "form", "explode": False,
        "schema": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": names}},
        "description": "Only these columns, in this order, comma-separated."}
    return parameters


def _table_parameter_refs(resource: Resource) -> list[dict[str, Any]]:
    refs = [_ref("parameters", f"{resource.name}.{f['name']}") for f in resource.fields]
    return [*refs, _ref("parameters", "q"), _ref("parameters", f"{resource.name}.{SORT}"),
            _ref("parameters", f"{resource.name}.{FIELDS}"), _ref("parameters", "limit"),
            _ref("parameters", "offset")]


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _ref("responses", str(code)) for code in codes}


def _table_operation(package: Package, resource: Resource, extension: str) -> dict[str, Any]:
    title = resource.descriptor.get("title") or resource.name
    if extension == "json":
        content = {"application/json": {"schema": {
            "type": "object",
            "required": ["package", "resource", "release", "fields", "rows", "total", "limit",
                         "offset", "links"],
            "properties": {
                "package": {"type": "string", "const": package.name},
                "resource": {"type": "string", "const": resource.name},
                "release": {"type": "string"},
                "fields": {"type": "array", "items": _ref("schemas", "Field")},
                "rows": {"type": "array", "items": _ref("schemas", _component_name(resource))},
                "total": {"type": "integer", "minimum": 0},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "links": _ref("schemas", "Links"),
            },
        }}}
        text = ("JSON: one page of rows as objects with typed values (suppressed numbers "
                "are null), the columns' types and units, the total and paging links.")
    else:
        content = {"text/csv": {"schema": {"type": "string"}}}
        text = ("CSV: one page of rows written exactly as the published file writes them "
                "(`[c]` for suppressed values); the whole table, unfiltered, equals the "
                "published CSV. Paging in the Link header.")
    description = (f"{text} Unknown parameters are refused with 400: every query parameter "
                   f"is a column of {resource.name} or one of {', '.join(CONTROLS)}.")
    return {
        "operationId": f"{resource.name}.{extension}",
        "tags": [package.name],
        "summary": title,
        "description": description,
        "parameters": _table_parameter_refs(resource),
        "responses": {
            "200": {"description": "A page of rows.", "headers": _headers(paged=True),
                    "content": content},
            **_errors(304, 400, 404, 414),
        },
    }


def _xml_operation(package: Package, resource: Resource) -> dict[str, Any]:
    return {
        "operationId": f"{resource.name}.xml",
        "tags": [package.name],
        "summary": f"{resource.descriptor.get('title') or resource.name} (IATI)",
        "description": "The published IATI results XML (activity standard 2.03) of this "
                       "table, byte for byte. Takes no parameters.",
        "responses": {
            "200": {"description": "The IATI results XML.", "headers": _headers(),
                    "content": {XML_MEDIATYPE: {"schema": {"type": "string"}}}},
            **_errors(304, 400, 404, 414),
        },
    }


def document(catalogue: Catalogue | None, server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API over ``catalogue`` (None: nothing published).

    ``server`` is where the API's paths start for the client (the requests prefix, ``/``
    by default): relative, so the document is right behind any host or proxy.
    """
    packages = catalogue.packages if catalogue is not None else ()
    names = [p.name for p in packages]
    package_parameter: dict[str, Any] = {
        "name": "package", "in": "path", "required": True,
        "schema": {"type": "string", **({"enum": names} if names else {})},
        "description": "The package's name (or its id).",
    }
    paths: dict[str, Any] = {
        packages_path(): {"get": {
            "operationId": "packages",
            "tags": ["catalogue"],
            "summary": "Packages of the current release",
            "description": "Every published data package with its tables and their API "
                           "addresses. Takes no parameters.",
            "responses": {"200": {"description": "The packages.", "headers": _headers(),
                                  "content": {"application/json": {
                                      "schema": _ref("schemas", "PackageList")}}},
                          **_errors(304, 400, 404, 414)},
        }},
        f"{API_ROOT}/packages/{{package}}": {"get": {
            "operationId": "package",
            "tags": ["catalogue"],
            "summary": "One package's descriptor",
            "description": "The package's published datapackage.json, unchanged, with links "
                           "to its files and tables. Takes no query parameters.",
            "parameters": [package_parameter],
            "responses": {"200": {"description": "The descriptor.", "headers": _headers(),
                                  "content": {"application/json": {
                                      "schema": _ref("schemas", "PackageDetail")}}},
                          **_errors(304, 400, 404, 414)},
        }},
    }
    schemas: dict[str, Any] = {
        "Error": _ERROR_SCHEMA, "Links": _LINKS_SCHEMA, "Field": _FIELD_SCHEMA,
        "ResourceSummary": _RESOURCE_SUMMARY, "PackageSummary": _PACKAGE_SUMMARY,
        "PackageList": _PACKAGE_LIST, "PackageDetail": _PACKAGE_DETAIL,
    }
    parameters = _shared_parameters()
    tags = [{"name": "catalogue", "description": "The packages of the current release."}]
    for package in packages:
        tags.append({"name": package.name, "description": package.descriptor.get(
            "title") or package.name})
        for resource in served_tables(package):
            schemas[_component_name(resource)] = _row_schema(resource)
            parameters.update(table_parameters(resource))
            for extension in TABLE_FORMATS:
                paths[table_path(package.name, resource.name, extension)] = {
                    "get": _table_operation(package, resource, extension)}
            if iati_attachment(package, resource) is not None:
                paths[table_path(package.name, resource.name, "xml")] = {
                    "get": _xml_operation(package, resource)}
    error_content = {"application/json": {"schema": _ref("schemas", "Error")}}
    responses: dict[str, Any] = {
        str(code): ({"description": text} if code == 304
                    else {"description": text, "content": error_content})
        for code, text in _STATUS_TEXTS.items()}
    version = catalogue.release.version if catalogue is not None else "none"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "North of Kosovo Product Map API",
            "version": f"1 (release {version})",
            "description": (
                "Read-only access to the tables of the published data packages. Every table is "
                "served as JSON and CSV with filters (a query parameter per column; repeat it "
                "for any of several values), free-text search (_q), sorting (_sort), a choice "
                "of columns (_fields) and paging (_limit, _offset, the Link header). Any other "
                "query parameter, or a bad value, is refused with 400 and a JSON error naming "
                "it. Answers carry ETag and Last-Modified and answer conditional requests "
                "with 304."),
            "license": {"name": "CC-BY-4.0 (the data)",
                        "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": server or "/"}],
        "tags": tags,
        "paths": paths,
        "components": {"schemas": schemas, "parameters": parameters, "headers": HEADERS,
                       "responses": responses},
    }


# --- The docs page -------------------------------------------------------------------------------

def _resolve(doc: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    ref = item.get("$ref")
    if not ref:
        return item
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _type_text(schema: dict[str, Any]) -> str:
    items = schema.get("items")
    if schema.get("type") == "array" and isinstance(items, dict):
        inner = items.get("type", "string")
        return f"{inner} (repeatable)" if schema.get("maxItems") else f"list of {inner}"
    kind = schema.get("type", "string")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def _allowed_text(schema: dict[str, Any]) -> Markup:
    inner = schema.get("items") if schema.get("type") == "array" else schema
    if not isinstance(inner, dict):
        return Markup("")
    if inner.get("enum"):
        return Markup(", ").join(Markup("<code>{}</code>").format(
            v if v != "" else '""') for v in inner["enum"])
    low, high = inner.get("minimum"), inner.get("maximum")
    if low is not None and high is not None and (low, high) != INT64:
        text = f"{low}–{high}"
        if "default" in inner:
            text += f", default {inner['default']}"
        return Markup(escape(text))
    return Markup("")


def _example(doc: dict[str, Any], path: str, parameters: list[dict[str, Any]]) -> str:
    """A working address for ``path``: its path parameter filled in, one filter shown."""
    for parameter in parameters:
        if parameter["in"] == "path":
            choices = parameter["schema"].get("enum") or ["name"]
            path = path.replace("{" + parameter["name"] + "}", quote(choices[0], safe=""))
    query: list[tuple[str, str]] = []
    for parameter in parameters:
        items = parameter["schema"].get("items") or {}
        if parameter["in"] == "query" and not parameter["name"].startswith("_") and (
                items.get("enum")):
            code = next((c for c in items["enum"] if c and c != rows.SUPPRESSED), None)
            if code is not None:
                query.append((parameter["name"], code))
                break
    if any(p["name"] == LIMIT for p in parameters):
        query.append((LIMIT, "5"))
    server = doc["servers"][0]["url"].rstrip("/")
    return server + path + (f"?{urlencode(query)}" if query else "")


def _prose(text: str) -> Markup:
    """A description as HTML: escaped, with its `code spans` (CommonMark's) as <code>."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: leave the text as it is
        return Markup(escape(text))
    return Markup("").join(Markup("<code>{}</code>").format(part) if i % 2 else escape(part)
                           for i, part in enumerate(parts))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _operations(doc: dict[str, Any], tag: str) -> Iterable[tuple[str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        operation = item["get"]
        if tag in operation.get("tags", ()):
            yield path, operation


def _parameter_table(doc: dict[str, Any], parameters: list[dict[str, Any]],
                     caption: str) -> Markup:
    body = Markup("").join(Markup(
        "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>").format(p["name"], p["in"], _type_text(p["schema"]),
                                   _allowed_text(p["schema"]), _prose(p.get("description", "")))
        for p in parameters)
    return Markup(
        '<div class="table-responsive"><table class="table table-sm align-top">'
        '<caption class="caption-top">{}</caption><thead><tr><th scope="col">Name</th>'
        '<th scope="col">In</th><th scope="col">Type</th><th scope="col">Allowed values</th>'
        '<th scope="col">Description</th></tr></thead><tbody>{}</tbody></table></div>'
    ).format(caption, body)


def _group_section(doc: dict[str, Any], group: list[tuple[str, dict[str, Any]]]) -> Markup:
    """Operations with one summary and one parameter list (a table's JSON and CSV)."""
    first = group[0][1]
    parameters = [_resolve(doc, p) for p in first.get("parameters", [])]
    heading_id = _slug(first["operationId"].rpartition(".")[0] or first["operationId"])
    items = Markup("").join(Markup(
        '<li class="mb-2"><code class="text-body">GET {path}</code><br>{description}<br>'
        'Example: <a href="{example}">{example}</a></li>').format(
            path=path, description=_prose(operation.get("description", "")),
            example=_example(doc, path, parameters))
        for path, operation in group)
    table = Markup("")
    if parameters:
        table = Markup("<details><summary>Parameters ({count})</summary>{table}</details>").format(
            count=len(parameters), table=_parameter_table(
                doc, parameters, f"Parameters of {first['summary']}"))
    return Markup('<section class="mb-4" aria-labelledby="{id}"><h3 id="{id}" class="h5">'
                  '{summary}</h3><ul class="list-unstyled">{items}</ul>{table}</section>'
                  ).format(id=heading_id, summary=first["summary"], items=items, table=table)


def _tag_section(doc: dict[str, Any], tag: dict[str, str]) -> Markup:
    groups: list[list[tuple[str, dict[str, Any]]]] = []
    for path, operation in _operations(doc, tag["name"]):
        key = (operation["summary"], json.dumps(operation.get("parameters", [])))
        last = groups[-1][-1][1] if groups else None
        if last is not None and (last["summary"], json.dumps(last.get("parameters", []))) == key:
            groups[-1].append((path, operation))
        else:
            groups.append([(path, operation)])
    sections = Markup("").join(_group_section(doc, g) for g in groups)
    heading_id = f"tag-{_slug(tag['name'])}"
    return Markup('<section class="mb-5" aria-labelledby="{id}"><h2 id="{id}">{title}</h2>'
                  '<p>Package <code>{name}</code>.</p>{sections}</section>').format(
        id=heading_id, title=tag.get("description") or tag["name"], name=tag["name"],
        sections=sections) if tag["name"] != "catalogue" else Markup(
        '<section class="mb-5" aria-labelledby="{id}"><h2 id="{id}">Packages</h2>'
        '{sections}</section>').format(id=heading_id, sections=sections)


_CONVENTIONS = Markup("""
<section class="mb-5" aria-labelledby="conventions"><h2 id="conventions">How to ask</h2>
<ul>
<li><strong>Filters</strong>: a query parameter per column, e.g.
<code>?municipality=12&amp;municipality=28</code> (rows with either code). Values are checked
against the column's type and, for coded columns, its codes.</li>
<li><strong>Search</strong>: <code>_q=words</code> keeps rows where every word appears in some
text column.</li>
<li><strong>Sort</strong>: <code>_sort=broad_sector,-value</code> (<code>-</code> for
descending); ties keep the published order.</li>
<li><strong>Columns</strong>: <code>_fields=municipality,value</code>.</li>
<li><strong>Paging</strong>: <code>_limit</code> (default {default}, at most {max}) and
<code>_offset</code>; follow <code>links.next</code> in JSON or the <code>Link</code> header
(both formats). <code>X-Total-Count</code> says how many rows match.</li>
<li><strong>Errors</strong>: an unknown parameter or a bad value answers 400 with
<code>{{"error": {{"status", "message", "parameter", "value"}}}}</code>; an unknown package,
table or format answers 404.</li>
<li><strong>Caching</strong>: every answer has an <code>ETag</code> and
<code>Last-Modified</code>; send them back (<code>If-None-Match</code>,
<code>If-Modified-Since</code>) for a 304 while the release is unchanged.</li>
<li><strong>Missing values</strong>: in JSON a suppressed number is <code>null</code>; CSV writes
it as the published files do, <code>[c]</code>.</li>
</ul>
</section>
""")


def page(doc: dict[str, Any], links: dict[str, str], stylesheet: str, favicon: str) -> str:
    """The docs page: every path of ``doc`` with its parameters and an example address.

    Plain server-rendered HTML (no script, nothing from another host) styled with the
    portal's own Bootstrap, readable with any browser or screen reader. ``links`` holds the
    other addresses it names: home, openapi, ckan, dcat_ttl, dcat_jsonld, dcat_rdf, downloads.
    """
    tags = doc.get("tags", [])
    contents = Markup("").join(Markup('<li><a href="#{}">{}</a></li>').format(
        f"tag-{_slug(t['name'])}", "Packages" if t["name"] == "catalogue"
        else t.get("description") or t["name"]) for t in tags)
    body = Markup("").join(_tag_section(doc, t) for t in tags)
    conventions = Markup(_CONVENTIONS.format(default=rows.DEFAULT_LIMIT, max=rows.MAX_LIMIT))
    other = Markup("""
<section class="mb-5" aria-labelledby="other"><h2 id="other">Other ways in</h2>
<ul>
<li><a href="{openapi}">OpenAPI 3.1 document</a> of this API (JSON), for code generators and
testing tools.</li>
<li><a href="{ckan}">CKAN-compatible action API</a> (<code>/api/3/action/…</code>), for tools
that harvest CKAN portals.</li>
<li>DCAT-AP catalogue of the packages: <a href="{dcat_ttl}">Turtle</a>,
<a href="{dcat_jsonld}">JSON-LD</a>, <a href="{dcat_rdf}">RDF/XML</a>.</li>
<li><a href="{downloads}">Bulk downloads</a>: the published packages as files.</li>
</ul>
</section>""").format(**links)
    return str(Markup("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>REST API | North of Kosovo Product Map</title>
<link rel="icon" type="image/x-icon" href="{favicon}">
<link rel="stylesheet" href="{stylesheet}">
</head>
<body>
<a class="visually-hidden-focusable" href="#main">Skip to the content</a>
<header class="border-bottom">
<nav class="container py-2" aria-label="Portal"><a href="{home}">North of Kosovo Product Map</a>
</nav>
</header>
<main id="main" class="container py-4">
<h1>REST API</h1>
<p class="lead">{description}</p>
<p>Version {version}. This page is in English; it lists every address of the
<a href="{openapi}">OpenAPI document</a> it is generated from.</p>
<nav aria-labelledby="contents"><h2 id="contents" class="h5">Contents</h2>
<ul><li><a href="#conventions">How to ask</a></li><li><a href="#other">Other ways in</a></li>
{contents}</ul></nav>
{conventions}
{other}
{body}
</main>
<footer class="container border-top py-3 small">Data licensed under
<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</footer>
</body>
</html>
""").format(favicon=favicon, stylesheet=stylesheet, home=links["home"], openapi=links["openapi"],
            description=doc["info"]["description"], version=doc["info"]["version"],
            contents=contents, conventions=conventions, other=other, body=body))

