"""The page in the HTML answer itself, painted before any script has run.

A Dash page is empty until React has started, fetched the layout and run the page callback:
on a phone that is about four seconds, and the largest paint (what a visitor waits for) came
with it. The index page therefore carries a static copy of the page — the bar, the heading,
the lead, the release line, the filters, the chart cards with their findings (the figures
themselves are drawn by plotly.js later either way) — rendered here from the same components
the page builds, so the two cannot disagree. React replaces it wholesale when it mounts; the
new nodes are new, so there is no layout shift to count, and as the copy lays out exactly like
the page, the largest paint stays the early one.

Components are rendered by :func:`portal.components.static.render` (anything interactive
beyond plain HTML and the Bootstrap layout components is left out of the copy).
"""

from __future__ import annotations

import dash
import flask
from dash._pages import _parse_query_string, _path_to_page
from dash.development.base_component import Component
from markupsafe import Markup

from portal.components.static import render


def page_copy(request: flask.Request) -> Markup:
    """The static copy of the page ``request`` asks for ("" for anything else, e.g. a 404)."""
    prefix = dash.get_app().config.routes_pathname_prefix
    page, variables = _path_to_page(request.path.removeprefix(prefix.rstrip("/")).strip("/"))
    if not page or not callable(page.get("layout")):
        return Markup("")
    layout = page["layout"](**{**_parse_query_string("?" + request.query_string.decode()),
                               **(variables or {})})
    return Markup(render(layout))


def skeleton(bar: Component, content: str) -> str:
    """The page's frame around ``content``: the bar, then the main column, as the shell has."""
    return (f'<div class="portal-shell d-flex flex-column min-vh-100">{render(bar)}'
            f'<div class="flex-grow-1"><div class="container-xxl">{content}</div></div></div>')
