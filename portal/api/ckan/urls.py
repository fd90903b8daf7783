"""Addresses in answers: CKAN gives full URLs (downloads, help, next pages)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import flask

from portal.api.ckan.errors import clip

#: Where the API lives, relative to Dash's routes prefix (CKAN's layout).
URL_PREFIX = "/api"


def absolute(relative: str) -> str:
    """An absolute URL for a path of this portal."""
    return flask.request.host_url.rstrip("/") + relative


def action_path(name: str) -> str:
    return dash.get_relative_path(f"{URL_PREFIX}/3/action/{name}")


def help_url(name: str) -> str:
    return absolute(action_path("help_show")) + "?" + urlencode({"name": clip(name)})
