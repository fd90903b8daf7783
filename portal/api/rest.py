"""The REST API: the published tables as JSON, CSV and IATI XML, described by OpenAPI.

Built on the catalogue core: :mod:`portal.catalog.model` says what the current release
publishes, :mod:`portal.catalog.rows` checks and runs row queries, and
:func:`portal.catalog.http.conditional` adds ETag / Last-Modified and answers 304. Only
names found in the catalogue are ever looked up (never a path on disk), so nothing outside
the published packages can be reached, whatever the address.

Strictness is the point: a client that misspells a parameter must hear about it rather than
get the unfiltered table. Every query parameter of a table is a column or one of the
controls of :mod:`portal.api.openapi`; anything else, a repeated control or a value that
cannot be of its column's type is a 400 with a JSON error naming it. Every other address
under ``/api/v1/`` is a JSON 404 (405 for other methods) rather than the portal's page.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlencode

import dash
import flask
from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from portal import downloads, vendor
from portal.api import openapi
from portal.catalog import http, model, rows
from portal.catalog.model import Catalogue, Package, Resource

blueprint = Blueprint("rest", __name__)
_SETTINGS_KEY = "portal_rest"
#: Built once per release: the OpenAPI document and the docs page.
_BUILT_KEY = "portal_rest_built"
_lock = threading.RLock()  # building the page builds the document
_JSON = "application/json"


@dataclass(frozen=True)
class _Settings:
    """Prefixes of the app this blueprint is mounted on."""

    #: Where the server's routes start (Dash's routes prefix, without the final slash).
    routes: str
    #: Where the client's addresses start (Dash's requests prefix, without the final slash).
    requests: str


class ApiError(Exception):
    """An answer other than 200, as a JSON error (see ``Error`` in the OpenAPI document)."""

    def __init__(self, status: int, message: str, parameter: str | None = None,
                 value: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter
        self.value = value


def _settings() -> _Settings:
    return flask.current_app.extensions[_SETTINGS_KEY]


def _url(path: str, query: list[tuple[str, str]] | None = None) -> str:
    """A client's address of an API path (honouring Dash's requests prefix)."""
    return _settings().requests + path + (f"?{urlencode(query)}" if query else "")


def _error_response(status: int, message: str, parameter: str | None = None,
                    value: object = None) -> Response:
    body = {"error": {"status": status, "message": message, "parameter": parameter,
                      "value": value}}
    response = Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                        mimetype=_JSON)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _json_response(body: Any) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False, allow_nan=False,
                                   separators=(",", ":")), mimetype=_JSON)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return _error_response(error.status, error.message, error.parameter, error.value)


@blueprint.errorhandler(rows.BadRequest)
def _bad_request(error: rows.BadRequest) -> Response:
    return _error_response(400, str(error), error.parameter or None, error.value)


@blueprint.errorhandler(InternalServerError)
def _server_error(error: InternalServerError) -> Response:
    """A bug answers in the API's format too, without details (they go to the log)."""
    del error
    return _error_response(500, "internal error: the request could not be answered")


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    response = _error_response(error.code or 500, error.description or error.name)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _not_found(message: str) -> NoReturn:
    raise ApiError(404, message)


def _no_parameters() -> None:
    """Refuse any query parameter on an address that takes none."""
    for name in flask.request.args:
        raise ApiError(400, f"unknown parameter {name!r}: this address takes no parameters",
                       name, flask.request.args.get(name))


def _catalogue() -> Catalogue | None:
    return model.current()


def _answer(catalogue: Catalogue | None, make: Callable[[], Response]) -> Response:
    """``make()`` with validators (or a 304); uncached while nothing is published."""
    if catalogue is None:
        response = make()
        response.cache_control.no_cache = True
        return response
    return http.conditional(catalogue, make)


# --- Catalogue ---------------------------------------------------------------------------------

def _resource_links(package: Package, resource: Resource) -> dict[str, str]:
    links = {ext: _url(openapi.table_path(package.name, resource.name, ext))
             for ext in openapi.TABLE_FORMATS}
    if openapi.iati_attachment(package, resource) is not None:
        links["xml"] = _url(openapi.table_path(package.name, resource.name, "xml"))
    return links


def _package_links(package: Package) -> dict[str, str]:
    links = {"self": _url(openapi.package_path(package.name))}
    for kind, key in (("descriptor", "descriptor"), ("archive", "archive")):
        found = package.download(kind)
        if found is not None:
            links[key] = found.url
    return links


def _package_summary(package: Package) -> dict[str, Any]:
    return {
        "name": package.name, "id": package.id,
        "title": package.descriptor.get("title") or package.name,
        "version": package.version, "created": package.created,
        "resources": [{"name": r.name, "title": r.descriptor.get("title") or r.name,
                       "rows": r.rows, "links": _resource_links(package, r)}
                      for r in openapi.served_tables(package)],
        "links": _package_links(package),
    }


@blueprint.get(openapi.packages_path())
def packages() -> Response:
    """Every package of the current release with the API addresses of its tables."""
    _no_parameters()
    catalogue = _catalogue()

    def make() -> Response:
        listed = catalogue.packages if catalogue is not None else ()
        return _json_response({
            "release": catalogue.release.version if catalogue is not None else None,
            "packages": [_package_summary(p) for p in listed],
            "links": {"self": _url(openapi.packages_path()), "openapi": _url(
                openapi.OPENAPI_PATH), "docs": _url(openapi.DOCS_PATH)},
        })
    return _answer(catalogue, make)


def _published() -> Catalogue:
    """The current release's catalogue (404 while nothing is published)."""
    catalogue = _catalogue()
    if catalogue is None:
        _not_found("nothing is published yet")
    return catalogue


def _package(catalogue: Catalogue, key: str, *, by_id: bool = False) -> Package:
    found = catalogue.package(key)
    if found is None or not (by_id or found.name == key):
        _not_found(f"no package {key!r} in the current release")
    return found


@blueprint.get(f"{openapi.API_ROOT}/packages/<key>")
def package(key: str) -> Response:
    """A package's published ``datapackage.json``, unchanged (read from the release)."""
    _no_parameters()
    catalogue = _published()
    found = _package(catalogue, key, by_id=True)
    meta = found.download("descriptor")
    if meta is None:
        _not_found(f"package {key!r} has no published descriptor")
    path, fingerprint = meta.file.path, catalogue.release.fingerprint

    def make() -> Response:
        links = {**_package_links(found), "tables": _url(openapi.packages_path())}
        return _json_response({"package": downloads.read_json(path, fingerprint),
                               "links": links})
    return http.conditional(catalogue, make)


# --- Tables --------------------------------------------------------------------------------------

#: The column saying whether a row's numbers were suppressed (``[c]``) or are just empty.
_STATUS = "status"


def _row_query(catalogue: Catalogue, resource: Resource) -> tuple[rows.RowQuery, str | None]:
    """The request's parameters checked against the table (400 for anything doubtful), and
    a column fetched only to write the others (not shown), if any.

    A missing number is written ``[c]`` only in a suppressed row, so ``status`` is fetched
    whenever ``_fields`` asks for a number that may be suppressed but not for ``status``.
    """
    args = flask.request.args
    specs = {f["name"]: f for f in resource.fields}
    filters: dict[str, object] = {}
    for name in args:
        values = args.getlist(name)
        if name in openapi.CONTROLS:
            if len(values) > 1:
                raise ApiError(400, f"{name} may be given once, got {len(values)} values",
                               name, values)
        elif name in specs:
            codes = openapi.allowed_codes(resource, specs[name])
            wrong = [v for v in values if codes is not None and v not in codes]
            if wrong:
                raise ApiError(400, f"{name}: {wrong[0]!r} is not one of "
                               f"{', '.join(repr(c) for c in codes)}", name, wrong[0])
            filters[name] = values
        else:
            raise ApiError(400, f"unknown parameter {name!r}: give a column of "
                           f"{resource.name} ({', '.join(specs)}) or one of "
                           f"{', '.join(openapi.CONTROLS)}", name, args.get(name))
    fields = rows.split_list(_column_list(openapi.FIELDS), openapi.FIELDS)
    suppressible = set(catalogue.release.resource(resource.name).get(
        "x-portal-suppressible", ()))
    hidden = (_STATUS if fields and _STATUS in specs and _STATUS not in fields
              and suppressible.intersection(fields) else None)
    query = rows.build(
        catalogue.release, resource.name, filters=filters, q=args.get(openapi.Q, ""),
        fields=[*fields, hidden] if hidden else fields,
        sort=rows.parse_sort(_column_list(openapi.SORT), openapi.SORT),
        limit=args.get(openapi.LIMIT, rows.DEFAULT_LIMIT),
        offset=args.get(openapi.OFFSET, 0),
        names={"filters": "column", "fields": openapi.FIELDS, "sort": openapi.SORT,
               "q": openapi.Q, "limit": openapi.LIMIT, "offset": openapi.OFFSET})
    return query, hidden


def _column_list(parameter: str) -> str:
    """A comma-separated list of columns; an empty name (``_fields=``, ``a,,b``) is refused
    rather than read as "all columns", which the client cannot have meant."""
    text = flask.request.args.get(parameter)
    if text is None:
        return ""
    if any(not part.strip() for part in text.split(",")):
        raise ApiError(400, f"{parameter}: a column name is empty in {text!r}", parameter, text)
    return text


def _page_links(page: rows.Page) -> dict[str, str | None]:
    """Addresses of this page and its neighbours: the request's parameters, new _offset."""
    query, request = page.query, flask.request
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != openapi.OFFSET]
    path = request.path.removeprefix(_settings().routes)

    def at(offset: int) -> str:
        return _url(path, [*kept, (openapi.OFFSET, str(offset))] if offset else kept)

    following = query.offset + query.limit
    has_next = query.limit > 0 and following < page.total and following <= rows.MAX_OFFSET
    return {"self": _url(path, list(request.args.items(multi=True))),
            "next": at(following) if has_next else None,
            "prev": at(max(query.offset - query.limit, 0)) if query.offset > 0 else None}


def _paged(response: Response, page: rows.Page, links: dict[str, str | None]) -> Response:
    link = ", ".join(f'<{links[rel]}>; rel="{rel}"' for rel in ("next", "prev") if links[rel])
    if link:
        response.headers["Link"] = link
    response.headers["X-Total-Count"] = str(page.total)
    return response


def _shown(page: rows.Page, hidden: str | None) -> list[dict[str, Any]]:
    return [f for f in page.fields if f["name"] != hidden]


def _json_page(catalogue: Catalogue, package: Package, resource: Resource,
               page: rows.Page, hidden: str | None) -> Response:
    links = _page_links(page)
    fields = _shown(page, hidden)
    names = [f["name"] for f in fields]
    body = {
        "package": package.name, "resource": resource.name,
        "release": catalogue.release.version,
        "fields": [{"name": f["name"], "type": f.get("type", "string"),
                    "title": f.get("title") or f["name"], "unit": f.get("unit")}
                   for f in fields],
        "rows": [{name: record[name] for name in names} for record in page.records],
        "total": page.total, "limit": page.query.limit, "offset": page.query.offset,
        "links": links,
    }
    return _paged(_json_response(body), page, links)


def _csv_page(catalogue: Catalogue, resource: Resource, page: rows.Page,
              hidden: str | None) -> Response:
    """Rows written as the package's CSV writes them (pandas' ``to_csv``: minimal quoting,
    ``\\n`` line ends), so the unfiltered table equals the published file."""
    suppressible = set(catalogue.release.resource(resource.name).get(
        "x-portal-suppressible", ()))
    fields = _shown(page, hidden)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f["name"] for f in fields])
    writer.writerows([rows.published_value(record, f, f["name"] in suppressible)
                      for f in fields] for record in page.records)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _paged(response, page, _page_links(page))


def _xml(catalogue: Catalogue, package: Package, resource: Resource) -> Response:
    attachment = openapi.iati_attachment(package, resource)
    if attachment is None:
        _not_found(f"{resource.name} is not published as IATI XML")
    _no_parameters()
    path = attachment.file.path

    def make() -> Response:
        response = Response(path.read_bytes(), mimetype=openapi.XML_MEDIATYPE)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    return http.conditional(catalogue, make)


@blueprint.get(f"{openapi.API_ROOT}/<package_name>/<filename>")
def table(package_name: str, filename: str) -> Response:
    """A table as JSON or CSV (one page, filtered), or as IATI XML when published so."""
    catalogue = _published()
    found = _package(catalogue, package_name)
    name, dot, extension = filename.rpartition(".")
    served = {r.name: r for r in openapi.served_tables(found)}
    if not dot or name not in served:
        _not_found(f"no table {filename!r} in package {package_name!r}: the tables are "
                   + ", ".join(f"{n}.json" for n in served))
    resource = served[name]
    if extension == "xml":
        return _xml(catalogue, found, resource)
    if extension not in openapi.TABLE_FORMATS:
        _not_found(f"{resource.name} is not served as {extension!r}: ask for .json or .csv")
    row_query, hidden = _row_query(catalogue, resource)  # checked before any 304

    def make() -> Response:
        page = rows.fetch(catalogue.release, row_query)
        if extension == "json":
            return _json_page(catalogue, found, resource, page, hidden)
        return _csv_page(catalogue, resource, page, hidden)
    return http.conditional(catalogue, make)


# --- The document and its page -------------------------------------------------------------------

def _per_release(name: str, catalogue: Catalogue | None, build: Callable[[], Any]) -> Any:
    """``build()``, once per release (the result is shared between requests: never change
    it). Only the current release's copy is kept."""
    key = catalogue.release.fingerprint if catalogue is not None else ""
    built: dict[str, tuple[str, Any]] = flask.current_app.extensions.setdefault(
        _BUILT_KEY, {})
    found = built.get(name)
    if found is None or found[0] != key:
        with _lock:
            found = built.get(name)
            if found is None or found[0] != key:
                found = (key, build())
                built[name] = found
    return found[1]


def _document(catalogue: Catalogue | None) -> dict[str, Any]:
    """The OpenAPI document of the current release."""
    return _per_release("document", catalogue, lambda: openapi.document(
        catalogue, _settings().requests or "/"))


@blueprint.get(openapi.OPENAPI_PATH)
def openapi_document() -> Response:
    """The OpenAPI 3.1 document of the API over the current release."""
    catalogue = _catalogue()
    return _answer(catalogue, lambda: _json_response(_document(catalogue)))


def _docs_page(catalogue: Catalogue | None) -> str:
    requests = _settings().requests
    links = {
        "home": requests + "/", "openapi": requests + openapi.OPENAPI_PATH,
        "ckan": requests + "/api/3/action/package_list",
        "dcat_ttl": requests + "/catalog.ttl", "dcat_jsonld": requests + "/catalog.jsonld",
        "dcat_rdf": requests + "/catalog.rdf", "downloads": requests + "/data",
    }
    return openapi.page(_document(catalogue), links,
                        stylesheet=f"{requests}{vendor.URL_PREFIX}/{vendor.STYLESHEETS[0]}",
                        favicon=f"{requests}/_favicon.ico?v={dash.__version__}")


@blueprint.get(openapi.DOCS_PATH)
def docs() -> Response:
    """The API's documentation page, generated from the OpenAPI document."""
    catalogue = _catalogue()

    def make() -> Response:
        page = _per_release("page", catalogue, lambda: _docs_page(catalogue))
        response = Response(page, mimetype="text/html")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    return _answer(catalogue, make)


# --- Mounting ------------------------------------------------------------------------------------

def _guard(root: str) -> Callable[[], Response | None]:
    """Before any request: under ``root`` only this blueprint answers, in JSON.

    Routing errors (404, 405) cannot reach a blueprint's error handlers, and Dash's
    catch-all page route would answer 200 for unknown addresses; oversized queries and
    bodies are refused before anything parses them.
    """
    def guard() -> Response | None:
        request = flask.request
        if request.path != root and not request.path.startswith(root + "/"):
            return None
        error = request.routing_exception
        if isinstance(error, RequestRedirect):
            return None  # e.g. merged slashes: Flask redirects to the canonical address
        if isinstance(error, MethodNotAllowed):
            return _http_error(error)
        if error is not None or (request.endpoint or "").partition(".")[0] != blueprint.name:
            return _error_response(404, f"no such address: {request.path}")
        if len(request.query_string) > openapi.MAX_QUERY:
            return _error_response(414, f"the query string is longer than {openapi.MAX_QUERY}"
                                   " bytes")
        length = request.content_length
        if length is not None and length > http.MAX_BODY:
            return _error_response(413, "the request body is too large")
        return None
    return guard


def init_app(app: dash.Dash) -> None:
    """Mount the API on ``app.server``, honouring Dash's path prefixes."""
    routes = app.config.routes_pathname_prefix.rstrip("/")
    server = app.server
    server.extensions[_SETTINGS_KEY] = _Settings(
        routes, app.config.requests_pathname_prefix.rstrip("/"))
    server.register_blueprint(blueprint, url_prefix=routes or None)
    server.before_request(_guard(routes + openapi.API_ROOT))
    # The document and the docs page take no body either.
    for path in (openapi.OPENAPI_PATH, openapi.DOCS_PATH):
        server.before_request(_guard(routes + path))
