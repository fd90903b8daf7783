"""The supplier directory's pages resist scraping: a rate limit per client address.

Listings carry contact details their businesses chose to show to buyers, one business at a
time; a crawler collecting them all would turn the directory into the bulk mailing list its
terms forbid. Every request that draws directory content counts against the address: the
page's HTML (it carries a server-rendered copy of the page) and the Dash callbacks that draw
a directory page or its search results. A person browsing stays far below the limits.
"""

from __future__ import annotations

import json

import dash
import flask

from portal.contact.limits import Rule, allow_all

#: Directory requests per address: a minute's and a day's worth (a crawler needs two per
#: listing, a buyer a few per search).
RULES = (Rule("directory-minute", 30, 60), Rule("directory-day", 300, 24 * 3600))
_PAGE = "directory"
_CALLBACK = "/_dash-update-component"
_OUTPUTS = ("directory-results.",)
#: The app's (routes, requests) path prefixes, kept on its server by :func:`init_app`.
_PREFIXES = "portal_scraping_prefixes"


def _parts(path: str, prefix: str) -> list[str]:
    """The path's segments below the app's ``prefix`` (none for a path outside it)."""
    prefix = prefix.rstrip("/")
    if prefix and not (path == prefix or path.startswith(prefix + "/")):
        return []
    return path.removeprefix(prefix).strip("/").split("/")


def _prefixes() -> tuple[str, str]:
    return flask.current_app.extensions.get(_PREFIXES, ("/", "/"))


def _directory_path(path: str) -> bool:
    """A page address as the browser has it (under the requests prefix)."""
    return _parts(path, _prefixes()[1])[:1] == [_PAGE]


def _draws_directory(body: bytes) -> bool:
    """A Dash callback that draws a directory page (the page router, for a directory path)
    or its search results."""
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    if not isinstance(payload, dict):
        return False
    if any(str(payload.get("output", "")).startswith(o) for o in _OUTPUTS):
        return True
    for item in payload.get("inputs") or []:
        if (isinstance(item, dict) and item.get("property") == "pathname"
                and isinstance(item.get("value"), str) and _directory_path(item["value"])):
            return True
    return False


def counted(request: flask.Request) -> bool:
    """Whether ``request`` draws directory content (the contact form has its own limit)."""
    prefix = _prefixes()[0].rstrip("/")
    if request.method == "GET":
        parts = _parts(request.path, prefix)
        return parts[:1] == [_PAGE] and "contact" not in parts[2:3]
    return (request.method == "POST" and request.path == prefix + _CALLBACK
            and _draws_directory(request.get_data(cache=True)))


def init_app(app: dash.Dash) -> None:
    app.server.extensions[_PREFIXES] = (app.config.routes_pathname_prefix,
                                        app.config.requests_pathname_prefix)

    @app.server.before_request
    def limit_directory() -> flask.Response | None:
        request = flask.request
        if not counted(request) or allow_all(request.remote_addr or "", RULES):
            return None
        flask.current_app.logger.warning("directory rate limit reached (%s)", request.path)
        response = flask.Response(
            "Too many directory pages from this address. Please try again later.",
            status=429, mimetype="text/plain")
        response.headers["Retry-After"] = str(RULES[0].window_seconds)
        return response
