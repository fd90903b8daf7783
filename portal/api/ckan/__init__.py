"""CKAN-compatible action API: the published catalogue and its tables for CKAN clients.

Much open-data tooling (``ckanapi``, the harvesters of national and European portals,
notebooks written against other CKAN sites) speaks CKAN's action API rather than reading
Frictionless descriptors, so the portal answers the read actions those tools use, at
``/api/3/action/<name>`` and ``/api/action/<name>``: GET with query arguments (structures
JSON-encoded, as CKAN expects) or POST with a JSON object (or a form).

Everything comes from :mod:`portal.catalog`: packages, resources and files from the
catalogue model of the current release, rows from :mod:`portal.catalog.rows` (checked
against the published schema; no client text ever becomes SQL), validators and refusals
from :mod:`portal.catalog.http`. An id is only ever looked up among the published packages
and a URL only ever names a published file, so nothing else is reachable.

Answers use CKAN's envelope (``help``, ``success``, then ``result`` or an ``error`` with
CKAN's ``__type``) so that clients raise their usual exceptions. Unlike CKAN, which answers
409 for validation errors and a bare string for unknown actions, every refusal here is a 4xx
envelope whose message names the parameter; unknown parameters are refused, not ignored.

This module is the HTTP side: routes, the envelope and dispatch. The actions register
themselves (:mod:`.registry`) in :mod:`.actions`, :mod:`.search` (``package_search``) and
:mod:`.datastore` (``datastore_search``); :mod:`.dicts` builds CKAN's dictionaries,
:mod:`.params` reads parameters and :mod:`.errors` words refusals.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import dash
import flask
from werkzeug.exceptions import RequestEntityTooLarge

# Imported for their actions, which register themselves in ACTIONS.
from portal.api.ckan import actions, datastore, search  # noqa: F401
from portal.api.ckan.errors import ActionError, bad_request, clip
from portal.api.ckan.params import Params
from portal.api.ckan.registry import ACTIONS, Call
from portal.api.ckan.urls import URL_PREFIX, help_url
from portal.catalog import http, model

__all__ = ["ACTIONS", "blueprint", "init_app"]

log = logging.getLogger(__name__)

blueprint = flask.Blueprint("ckan_api", __name__)


def _envelope(name: str, status: int, body: Mapping[str, Any]) -> flask.Response:
    payload = {"help": help_url(name), **body}
    return flask.Response(json.dumps(payload, ensure_ascii=False, allow_nan=False), status,
                          mimetype="application/json")


def _request_values() -> dict[str, Any]:
    """The call's parameters: a POSTed JSON object or form, else the query arguments
    (an argument given more than once is a list, as in CKAN)."""
    request = flask.request
    if request.method == "POST":
        try:
            body = http.json_body()
        except ValueError as error:  # also a body nested too deeply to parse
            raise bad_request(f"JSON Error: {error}") from None
        if body:
            return body
    return {key: values[0] if len(values) == 1 else values
            for key, values in request.args.to_dict(flat=False).items()}


def _run(name: str) -> flask.Response:
    try:
        http.refuse_large_bodies()
    except RequestEntityTooLarge:
        raise bad_request(f"the request body is larger than {http.MAX_BODY} bytes",
                          413) from None
    found = ACTIONS.get(name)
    if found is None:
        raise bad_request(f"Action name not known: {clip(name)}")
    values = _request_values()
    unknown = sorted(key for key in values if key not in found.parameters)
    if unknown:
        accepted = ", ".join(sorted(found.parameters)) or "no parameters"
        message = (f"unknown parameter {', '.join(repr(clip(k, 50)) for k in unknown[:5])}"
                   f"{' and others' if len(unknown) > 5 else ''}; {name} accepts {accepted}")
        raise ActionError(400, {"__junk": [message], "message": message,
                                "__type": "Validation Error"})
    catalogue = model.current()
    call = Call(catalogue, Params(values))

    def make() -> flask.Response:
        return _envelope(name, 200, {"success": True, "result": found.function(call)})

    return make() if catalogue is None else http.conditional(catalogue, make)


@blueprint.route("/3/action/<path:name>", methods=["GET", "POST"])
@blueprint.route("/action/<path:name>", methods=["GET", "POST"])
def call_action(name: str) -> flask.Response:
    """Run one action. Every outcome is CKAN's JSON envelope, never an HTML error page;
    successes carry ETag and Last-Modified (a current copy gets 304 without a query)."""
    try:
        return _run(name)
    except ActionError as error:
        return _envelope(name, error.status, {"success": False, "error": error.error})
    except Exception:
        log.exception("CKAN API action %r failed", clip(name))
        return _envelope(name, 500, {"success": False, "error": {
            "__type": "Internal Server Error", "message": "Internal Server Error"}})


@blueprint.route("/3/action/", methods=["GET", "POST"], strict_slashes=False)
@blueprint.route("/action/", methods=["GET", "POST"], strict_slashes=False)
def no_action() -> flask.Response:
    """The bare action address: an unknown (empty) action, not the portal's page."""
    return call_action("")


@blueprint.get("/3", strict_slashes=False)
def api_version() -> flask.Response:
    """CKAN's version probe: ``/api/3`` answers ``{"version": 3}``."""
    return flask.jsonify({"version": 3})


@blueprint.after_request
def open_to_all(response: flask.Response) -> flask.Response:
    """Public, read-only data: any web page may call the API (no credentials exist)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: dash.Dash) -> None:
    """Mount the API under Dash's routes prefix (``/api/3/action/…``, ``/api/action/…``)."""
    prefix = app.config.routes_pathname_prefix.rstrip("/") + URL_PREFIX
    app.server.register_blueprint(blueprint, url_prefix=prefix)
