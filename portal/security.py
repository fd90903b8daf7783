"""HTTP hardening: security headers on every response, request size limits, no stack traces.

Why each piece is here:

- **Content-Security-Policy.** The portal loads nothing from another host (Bootstrap, plotly.js
  and every script are served by itself, see :mod:`portal.vendor`), so ``'self'`` is enough
  for scripts, styles, fonts and connections. The only inline scripts are Dash's own: the
  renderer bootstrap and one per clientside callback. They are allowed by their SHA-256
  hashes (``app.csp_hashes()``), never by ``'unsafe-inline'``, so an injected ``<script>``
  cannot run. Styles do need ``'unsafe-inline'``: React and plotly.js set ``style``
  attributes and insert ``<style>`` rules at run time. plotly.js's default bundle (the
  2-D charts the portal draws) runs without ``'unsafe-eval'``; the browser test would
  report the violation as a console error otherwise.
- **frame-ancestors 'none'** (and the legacy ``X-Frame-Options: DENY``): no page may be
  framed, which rules out click-jacking. The one exception is the embeddable chart view
  (:mod:`portal.embed`, ``/embed/<chart_id>``), made to be framed by other sites: its
  endpoint is in :data:`FRAMEABLE_ENDPOINTS` and gets ``frame-ancestors *`` and no
  ``X-Frame-Options``. It is a read-only card with one outbound link, so there is nothing to
  click-jack; the scripts and files it loads are not framed themselves and stay closed.
- **X-Content-Type-Options: nosniff**: downloads (CSV, JSON, XML) are never run as scripts or
  styles, whatever a browser guesses from their bytes.
- **Referrer-Policy: strict-origin-when-cross-origin**: links out (licence, sources) do not
  carry the visitor's filters and search terms to other sites.
- **MAX_CONTENT_LENGTH**: Dash callback bodies and CKAN action POSTs are a few KB; anything
  above :data:`MAX_CONTENT_LENGTH` is refused with 413 before it is parsed. (Long URLs and
  headers are refused by gunicorn's ``limit_request_line``/``limit_request_field_size``,
  see :mod:`portal.serve`.)
- **No stack traces to clients.** An unhandled error answers a generic 500 (JSON for API and
  Dash requests, a short HTML page otherwise) and is logged on the server. With
  ``PROPAGATE_EXCEPTIONS`` off (Flask's default outside debug and testing) this handler is
  what clients see; tests and ``--debug`` keep seeing the real exception.
"""

from __future__ import annotations

import logging

import dash
import flask
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

log = logging.getLogger(__name__)

#: Largest request body accepted (bytes): far above any Dash callback or CKAN action body.
MAX_CONTENT_LENGTH = 1024 * 1024

#: Endpoints whose answers may be framed by any site: the embeddable chart view only.
FRAMEABLE_ENDPOINTS: frozenset[str] = frozenset({"embed.view"})

#: Every directive except ``script-src`` (which carries the hashes) and ``frame-ancestors``.
_DIRECTIVES = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

_CSP_KEY = "portal_csp"
_JSON_PREFIXES = ("/api/", "/_dash-", "/healthz")

_ERROR_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{code} {name}</title></head>
<body><h1>{name}</h1><p>{message}</p><p><a href="/">North of Kosovo Product Map</a></p></body>
</html>
"""


def content_security_policy(script_hashes: list[str], frameable: bool = False) -> str:
    """The policy text: :data:`_DIRECTIVES`, scripts from here or with these hashes."""
    scripts = " ".join(["script-src 'self'", *script_hashes])
    ancestors = "frame-ancestors *" if frameable else "frame-ancestors 'none'"
    return "; ".join([_DIRECTIVES[0], scripts, *_DIRECTIVES[1:], ancestors])


def _script_hashes(app: dash.Dash) -> list[str]:
    """Hashes of Dash's inline scripts, computed once per app.

    Computed on the first response rather than in ``create_app``: Dash moves clientside
    callbacks registered by page modules into the app on its first request, and
    ``csp_hashes()`` must see all of them.
    """
    hashes = app.server.extensions.get(_CSP_KEY)
    if hashes is None:
        hashes = list(app.csp_hashes())
        app.server.extensions[_CSP_KEY] = hashes
    return hashes


def _wants_json() -> bool:
    request = flask.request
    return (request.path.startswith(_JSON_PREFIXES) or request.is_json
            or request.accept_mimetypes.best == "application/json")


def error_response(error: HTTPException) -> flask.Response:
    """A short answer naming only the status: no exception text, no traceback."""
    code = error.code or 500
    name = error.name
    message = {413: f"The request body is larger than {MAX_CONTENT_LENGTH} bytes.",
               500: "Something went wrong on our side. Please try again later."}.get(code, name)
    if _wants_json():
        response = flask.jsonify({"status": code, "message": message})
    else:
        response = flask.Response(_ERROR_PAGE.format(code=code, name=name, message=message),
                                  mimetype="text/html")
    response.status_code = code
    return response


def _internal_error(error: InternalServerError) -> flask.Response:
    # Flask has already logged the original exception (``log_exception``).
    return error_response(error)


def init_app(app: dash.Dash) -> None:
    """Add the headers to every response of ``app.server`` and the limits and error pages."""
    server = app.server
    if server.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit
        server.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    server.register_error_handler(InternalServerError, _internal_error)
    server.register_error_handler(RequestEntityTooLarge, error_response)

    @server.after_request
    def security_headers(response: flask.Response) -> flask.Response:
        # Only a real answer of a frameable view is opened; its errors (404…) stay closed.
        frameable = (flask.request.endpoint in FRAMEABLE_ENDPOINTS
                     and response.status_code < 400)
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Content-Security-Policy"] = content_security_policy(
            _script_hashes(app), frameable=frameable)
        if not frameable:
            response.headers["X-Frame-Options"] = "DENY"
        return response
