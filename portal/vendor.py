"""Serve Bootstrap 5 and Bootstrap Icons from the installed ``bootstrap-flask`` package.

The portal must work on networks with no internet access (and must not leak
visitors to third-party CDNs), so ``dbc.themes.*`` / ``dbc.icons.*`` links are
never used. Instead the static files shipped in ``flask_bootstrap/static/bootstrap5``
are exposed by a blueprint and handed to Dash as ``external_stylesheets`` and
``external_scripts`` pointing at this same server. The whole directory is served
so that the relative ``url(fonts/...)`` references in ``bootstrap-icons.min.css``
and the ``sourceMappingURL`` comments resolve.

Icons are not the Bootstrap Icons web font (134 KB for the ~40 glyphs the portal shows, and a
font request on every first visit): :func:`icons_css` writes one small stylesheet of the glyphs
in :data:`ICONS`, each an SVG from the package's sprite used as a CSS mask, so it takes the
text colour and size like the font did. :func:`portal.layout.icon` refuses a name not in it.
Bootstrap's own JavaScript is not loaded: dash-bootstrap-components does its work in React.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

import dash
import flask_bootstrap
from flask import Blueprint, Response, request, send_from_directory

#: Root of the Bootstrap 5 files inside the installed package.
STATIC_DIR = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"

#: URL prefix of the blueprint, relative to the server root.
URL_PREFIX = "/vendor/bootstrap"

ICONS_CSS = "portal-icons.css"
STYLESHEETS = ("css/bootstrap.min.css", ICONS_CSS)

#: The Bootstrap Icons glyphs the portal shows (by their Bootstrap Icons names).
ICONS = frozenset({
    "archive", "arrow-down-right", "arrow-left", "arrow-right", "arrow-right-circle",
    "arrow-up-right", "badge-cc", "bar-chart-line", "book", "box-seam", "building",
    "chat-left-text", "check-circle-fill", "check-lg", "chevron-left", "chevron-right",
    "dash-circle", "database", "download", "envelope", "exclamation-triangle",
    "exclamation-triangle-fill", "eye-slash", "file-earmark-pdf", "file-earmark-spreadsheet",
    "filetype-csv", "filetype-html", "filetype-xlsx", "filetype-xml", "fingerprint",
    "geo-alt-fill", "globe2", "graph-up-arrow", "house", "image", "info-circle",
    "journal-text", "map", "mortarboard", "patch-check", "people", "percent", "person",
    "question-circle", "search", "shop", "signpost-split", "speedometer2", "table", "tag",
    "tags", "telephone", "translate", "x-circle", "x-circle-fill", "x-lg",
})
_SPRITE = STATIC_DIR / "icons" / "bootstrap-icons.svg"
_SYMBOL = re.compile(r'<symbol[^>]*viewBox="([^"]+)"[^>]*id="([^"]+)">(.*?)</symbol>', re.S)
#: Sized and aligned like the font's ``.bi::before``; the mask is the glyph's SVG.
#: Left as they are in the data URIs (quotes in the SVG are single, so the URL's are double).
_SAFE = " =/:'"
_ICON_RULE = (".bi{display:inline-block;width:1em;height:1em;vertical-align:-.125em;"
              "background-color:currentColor;-webkit-mask:var(--bi) center/contain no-repeat;"
              "mask:var(--bi) center/contain no-repeat}")

# Python 3.11's mimetypes does not know these; browsers warn on a wrong font type.
_MIMETYPES = {".woff": "font/woff", ".woff2": "font/woff2", ".map": "application/json"}

#: Files never change for an installed package version, so let browsers keep them.
_MAX_AGE = 7 * 24 * 3600

blueprint = Blueprint("vendor", __name__)


@cache
def icons_css() -> str:
    """The stylesheet of :data:`ICONS` (``.bi.bi-<name>``), built once from the sprite."""
    symbols = {name: (box, body) for box, name, body in _SYMBOL.findall(_SPRITE.read_text())}
    missing = sorted(ICONS - symbols.keys())
    if missing:
        raise LookupError(f"{_SPRITE}: no icon named {', '.join(missing)}")
    rules = [_ICON_RULE]
    for name in sorted(ICONS):
        box, body = symbols[name]
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='{box}'>{body}</svg>"
        encoded = quote(svg, safe=_SAFE)
        rules.append(f'.bi-{name}{{--bi:url("data:image/svg+xml,{encoded}")}}')
    return "\n".join(rules) + "\n"


@blueprint.get(f"/{ICONS_CSS}")
def icons() -> Response:
    response = Response(icons_css(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = _MAX_AGE
    response.set_etag(str(hash(icons_css())))
    return response.make_conditional(request)


@blueprint.get("/<path:filename>")
def static_file(filename: str) -> Response:
    """Send one file from :data:`STATIC_DIR` (``send_from_directory`` blocks ``..``)."""
    mimetype = _MIMETYPES.get(Path(filename).suffix)
    response = send_from_directory(STATIC_DIR, filename, mimetype=mimetype, max_age=_MAX_AGE)
    # Read into memory (files are small) so that flask-compress can compress and keep it.
    response.direct_passthrough = False
    response.make_sequence()
    return response


def init_app(app: dash.Dash) -> None:
    """Mount the files on ``app.server`` and make Dash link them from every page.

    Honours Dash's path prefixes (``DASH_ROUTES_PATHNAME_PREFIX`` /
    ``DASH_REQUESTS_PATHNAME_PREFIX``) so the portal can sit behind a proxy path.
    """
    routes_prefix = app.config.routes_pathname_prefix.rstrip("/")
    app.server.register_blueprint(blueprint, url_prefix=routes_prefix + URL_PREFIX)
    requests_prefix = app.config.requests_pathname_prefix.rstrip("/")
    app.config.external_stylesheets = [
        *(f"{requests_prefix}{URL_PREFIX}/{name}" for name in STYLESHEETS),
        *app.config.external_stylesheets,
    ]
