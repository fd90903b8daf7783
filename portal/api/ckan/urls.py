"""Addresses in answers: CKAN gives full URLs (downloads, help, next pages)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash

from portal.api.ckan.errors import clip
from portal.site import absolute

#: Where the API lives, relative to Dash's routes prefix (CKAN's layout).
URL_PREFIX = "/api"


def action_path(name: str) -> str:
    return dash.get_relative_path(f"{URL_PREFIX}/3/action/{name}")


def help_url(name: str) -> str:
    return absolute(action_path("help_show")) + "?" + urlencode({"name": clip(name)})
