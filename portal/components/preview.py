"""A paged preview of a published table, read through the same row queries as the APIs.

The first page is drawn with the table page, on the server; Previous and Next ask a
callback for the next page (the database does the paging, so a large table is never sent
whole). Values are written exactly as the CSV writes them, ``[c]`` where a number is
suppressed, so the preview shows what a download holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from portal import query
from portal.catalog import rows
from portal.components.datasets import in_language
from portal.components.static import StaticHtml, static
from portal.i18n import _, format_number
from portal.layout import icon
from portal.load.database import LoadedRelease

PAGE_SIZE = 20
#: URL parameter of the page shown (1-based), so a page of rows can be linked to.
PAGE_PARAM = "page"
_PREFIX = "table-preview"
PREVIOUS, NEXT, STATE, TABLE, STATUS = (f"{_PREFIX}-{part}" for part in (
    "previous", "next", "state", "table", "status"))


def page_count(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def requested_page(value: object) -> int:
    """The 0-based page a ``?page=`` parameter asks for (the first if it is not a number)."""
    try:
        return max(int(str(value)) - 1, 0)
    except ValueError:
        return 0


def fetch(release: LoadedRelease, resource: str, page: int) -> rows.Page:
    """Rows of page ``page`` (0-based; clamped to the last page) in published order."""
    first = rows.fetch(release, rows.build(release, resource, limit=PAGE_SIZE,
                                           offset=page * PAGE_SIZE))
    last = page_count(first.total) - 1
    if page <= last:
        return first
    return rows.fetch(release, rows.build(release, resource, limit=PAGE_SIZE,
                                          offset=last * PAGE_SIZE))


def grid(result: rows.Page, descriptor: Mapping[str, Any], title: str) -> StaticHtml:
    """One page of rows as a table (a focusable region, since it may scroll sideways)."""
    suppressible = set(descriptor.get("x-portal-suppressible") or ())
    numeric = {f["name"] for f in result.fields if f.get("type") in ("integer", "number")}
    header = html.Thead(html.Tr([
        html.Th([in_language(f.get("x-title"), f.get("title") or f["name"])[0],
                 html.Div(html.Code(f["name"]), className="small fw-normal")],
                scope="col", className="text-end" if f["name"] in numeric else None)
        for f in result.fields]))
    body = html.Tbody([
        html.Tr([html.Td(rows.published_value(record, f, f["name"] in suppressible),
                         className="text-end" if f["name"] in numeric else None)
                 for f in result.fields])
        for record in result.records])
    offset = result.query.offset
    caption = _("%(table)s: rows %(first)s to %(last)s of %(total)s", table=title,
                first=format_number(min(offset + 1, result.total)),
                last=format_number(offset + len(result.records)),
                total=format_number(result.total))
    return static(html.Div(
        dbc.Table([html.Caption(caption, className="caption-top"), header, body],
                  striped=True, size="sm", className="mb-0 portal-preview-table"),
        className="table-responsive portal-preview", tabIndex="0", role="region",
        **{"aria-label": _("Preview of %(table)s", table=title)}))


def status(result: rows.Page) -> str:
    page = result.query.offset // PAGE_SIZE + 1
    return _("Page %(page)s of %(pages)s", page=format_number(page),
             pages=format_number(page_count(result.total)))


def preview(release: LoadedRelease, package: str, descriptor: Mapping[str, Any], title: str,
            page: int = 0) -> html.Section:
    """The preview section of a table page, opened at ``page`` (0-based)."""
    result = fetch(release, descriptor["name"], page)
    shown = result.query.offset // PAGE_SIZE
    last = page_count(result.total) - 1
    return html.Section([
        html.H2(_("Preview"), className="h4 mt-4"),
        html.P(_("The rows as published, %(n)s at a time; %(marker)s marks a suppressed value.",
                 n=format_number(PAGE_SIZE), marker=rows.SUPPRESSED), className="small"),
        html.Div(grid(result, descriptor, title), id=TABLE),
        html.Div([
            html.Button([icon("chevron-left", "me-1"), _("Previous")], id=PREVIOUS, n_clicks=0,
                        type="button", disabled=shown == 0,
                        className="btn btn-sm btn-outline-primary"),
            html.Span(status(result), id=STATUS, role="status", className="small mx-2"),
            html.Button([_("Next"), icon("chevron-right", "ms-1")], id=NEXT, n_clicks=0,
                        type="button", disabled=shown >= last,
                        className="btn btn-sm btn-outline-primary"),
        ], className="d-flex align-items-center mt-2 portal-pager"),
        dcc.Store(id=STATE, data={"package": package, "resource": descriptor["name"],
                                  "page": shown}),
    ], id="preview")


def turn(_previous: int, _next: int, state: dict[str, Any] | None) -> tuple[Any, ...]:
    """Previous or Next: draw the neighbouring page of the same table."""
    release = query.current_release()
    if release is None or not state:
        raise dash.exceptions.PreventUpdate
    step = -1 if dash.ctx.triggered_id == PREVIOUS else 1
    name = state.get("resource", "")
    try:
        descriptor = release.resource(name)
    except KeyError:
        raise dash.exceptions.PreventUpdate from None
    result = fetch(release, name, max(int(state.get("page", 0)) + step, 0))
    shown = result.query.offset // PAGE_SIZE
    title = in_language(descriptor.get("x-title"), descriptor.get("title") or name)[0]
    return (grid(result, descriptor, title), status(result), shown == 0,
            shown >= page_count(result.total) - 1, {**state, "page": shown})


def register_callbacks(app: dash.Dash) -> None:
    """Wire the pager (server) and keep the page number in the address (browser)."""
    app.callback(
        Output(TABLE, "children"), Output(STATUS, "children"), Output(PREVIOUS, "disabled"),
        Output(NEXT, "disabled"), Output(STATE, "data"),
        Input(PREVIOUS, "n_clicks"), Input(NEXT, "n_clicks"), State(STATE, "data"),
        prevent_initial_call=True,
    )(turn)
    app.clientside_callback(
        """
        function (state) {
            const page = state && state.page > 0 ? {PARAM: String(state.page + 1)} : {};
            window.portal.setQuery(["PARAM"], page);
            return window.dash_clientside.no_update;
        }
        """.replace("PARAM", PAGE_PARAM),
        Output(STATUS, "title"),
        Input(STATE, "data"),
        prevent_initial_call=True,
    )
