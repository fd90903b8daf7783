"""``/publications/<version>/<file>``: a document of a published release, made on first request.

Addresses name the version, so a link in an e-mail keeps pointing at the same document; a
withdrawn release's documents are gone with it (404), even where they were already made.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dash
import flask
from werkzeug.exceptions import NotFound, ServiceUnavailable

from portal.i18n import LOCALES
from portal.publications import document, library, release

log = logging.getLogger(__name__)
URL_PREFIX = "/publications"
blueprint = flask.Blueprint("publications", __name__)
#: A made document never changes: a day in any cache, like a versioned download.
MAX_AGE = 24 * 3600


def url(version: str, filename: str) -> str:
    return dash.get_relative_path(f"{URL_PREFIX}/{version}/{filename}")


@blueprint.route("/<version>/<filename>")
def publication(version: str, filename: str) -> flask.Response:
    server = flask.current_app
    packages_dir = Path(server.config["PACKAGES_DIR"])
    try:
        found = release.find(packages_dir, version)
    except release.UnknownRelease:
        raise NotFound() from None
    named = document.parse(filename, version)
    if named is None or named[1] not in LOCALES or named[0] not in library.documents(
            found.root):
        raise NotFound()
    doc, locale, extension = named
    try:
        path = library.fetch(server, found, locale, doc, extension)
    except document.DocumentError as error:
        log.error("%s", error)
        raise ServiceUnavailable(description=str(error)) from None
    response = flask.send_file(path, mimetype=document.MIMETYPES[extension],
                               download_name=filename, max_age=MAX_AGE, conditional=True)
    response.headers["Content-Language"] = locale
    return response


def init_app(app: dash.Dash) -> None:
    prefix = app.config.routes_pathname_prefix.rstrip("/")
    app.server.register_blueprint(blueprint, url_prefix=prefix + URL_PREFIX)
