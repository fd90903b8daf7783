"""The page in the HTML answer itself, painted before any script has run.

A Dash page is empty until React has started, fetched the layout and run the page callback:
on a phone that is about four seconds, and the largest paint (what a visitor waits for) came
with it. The index page therefore carries a static copy of the page — the bar, the heading,
the lead, the release line, the filters, the chart cards with their findings (the figures
themselves are drawn by plotly.js later either way) — rendered here from the same components
the page builds, so the two cannot disagree.

The copy sits beside Dash's ``#react-entry-point``, which stays hidden while React starts,
shows its "Loading…" and fetches the page; ``assets/first_paint.js`` swaps the two in one
frame once React has drawn the page. Replacing the copy as soon as React mounted (as Dash
does with its loading notice) took it off the screen before the browser had recorded its
paint, and the page's largest paint came only with the page callback, seconds later on a
phone. Now the copy's paint is the largest one: React's page lays out exactly like it, so
its nodes are no larger and the swap is not a layout shift. The copy carries no ``id``
attributes, so nothing in the document is named twice while both are there. Without
JavaScript the copy simply stays.

Components are rendered by :func:`portal.components.static.render` (anything interactive
beyond plain HTML and the Bootstrap layout components is left out of the copy).
"""

from __future__ import annotations

import re

import dash
import flask
from dash._pages import _parse_query_string, _path_to_page
from dash.development.base_component import Component
from markupsafe import Markup

from portal.components.static import render

#: The copy's element, and the class that hides React's entry point until the swap
#: (``assets/first_paint.js``, ``assets/portal.css``).
COPY_ID = "portal-first-paint"
PENDING_CLASS = "portal-pending"
#: Attributes that name or point at an element (values are escaped: no quote inside).
_NAMING = re.compile(r'\s(?:id|for|aria-labelledby|aria-describedby|aria-controls)="[^"]*"')


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
    """The page's frame around ``content``: the bar, then the main column, as the shell has;
    without ids, which React's page (in the document at the same time) carries."""
    frame = (f'<div class="portal-shell d-flex flex-column min-vh-100">{render(bar)}'
             f'<div class="flex-grow-1"><div class="container-xxl">{content}</div></div></div>')
    return _NAMING.sub("", frame)
