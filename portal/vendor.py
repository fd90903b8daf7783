"""Serve Bootstrap 5 and Bootstrap Icons from the installed ``bootstrap-flask`` package.

The portal must work on networks with no internet access (and must not leak
visitors to third-party CDNs), so ``dbc.themes.*`` / ``dbc.icons.*`` links are
never used. Instead the static files shipped in ``flask_bootstrap/static/bootstrap5``
are exposed by a blueprint and handed to Dash as ``external_stylesheets`` and
``external_scripts`` pointing at this same server. The whole directory is served
so that the relative ``url(fonts/...)`` references in ``bootstrap-icons.min.css``
and the ``sourceMappingURL`` comments resolve.
"""

from __future__ import annotations

from pathlib import Path

import dash
import flask_bootstrap
from flask import Blueprint, Response, send_from_directory

#: Root of the Bootstrap 5 files inside the installed package.
STATIC_DIR = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"

#: URL prefix of the blueprint, relative to the server root.
URL_PREFIX = "/vendor/bootstrap"

STYLESHEETS = ("css/bootstrap.min.css", "css/font/bootstrap-icons.min.css")
#: Popper must load before Bootstrap's (non-bundle) JS, which expects it as a global.
SCRIPTS = ("umd/popper.min.js", "js/bootstrap.min.js")

# Python 3.11's mimetypes does not know these; browsers warn on a wrong font type.
_MIMETYPES = {".woff": "font/woff", ".woff2": "font/woff2", ".map": "application/json"}

#: Files never change for an installed package version, so let browsers keep them.
_MAX_AGE = 7 * 24 * 3600

blueprint = Blueprint("vendor", __name__)


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
    app.config.external_scripts = [
        *(f"{requests_prefix}{URL_PREFIX}/{name}" for name in SCRIPTS),
        *app.config.external_scripts,
    ]
