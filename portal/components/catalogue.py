"""The search box, facets and results of the Data page, and the callback between them.

The page is drawn on the server for the query in its URL (so a shared link opens on the
same results); after that, a callback redraws the results and the facet counts as the
visitor types or ticks, and the browser writes the query back into the address with
``replaceState`` (no page reload, the focus stays where it was).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from portal.catalog import model, search
from portal.catalog.model import Catalogue
from portal.catalog.search import FACETS, Query
from portal.components.datasets import (
    format_name,
    in_language,
    page_path,
    theme_name,
    title_of,
)
from portal.components.page import column_headers
from portal.i18n import _, format_number
from portal.layout import icon

_PREFIX = "catalogue"
SEARCH, SUBMIT, CLEAR, RESULTS, STATUS, URL = (f"{_PREFIX}-{part}" for part in (
    "search", "submit", "clear", "results", "status", "url"))


def facet_id(facet: str) -> str:
    return f"{_PREFIX}-facet-{facet}"


def facet_titles() -> dict[str, str]:
    return {"package": _("Package"), "theme": _("Theme"), "municipality": _("Municipality"),
            "sector": _("Sector"), "format": _("Format")}


def value_label(catalogue: Catalogue, facet: str, value: str) -> str:
    """How a facet value is shown: a package's title, a theme's name, a code's label."""
    if facet == "package":
        package = catalogue.package(value)
        return title_of(package.descriptor) if package is not None else value
    if facet == "theme":
        return theme_name(value)
    if facet == "format":
        return format_name(value)
    return in_language(search.code_texts(catalogue, facet).get(value), value)[0]


def facet_options(catalogue: Catalogue, facet: str, query: Query,
                  counts: dict[str, int]) -> list[dict[str, Any]]:
    """Checkboxes of one facet, each value with its count; a value that would find nothing
    is disabled unless chosen (so it can still be unticked)."""
    chosen = set(query.chosen(facet))
    return [{
        "label": [value_label(catalogue, facet, value), " ",
                  html.Span(f"({format_number(count)})", className="portal-count")],
        "value": value,
        "disabled": count == 0 and value not in chosen,
        "input_id": f"{facet_id(facet)}-{value}",
    } for value, count in counts.items()]


def facets(catalogue: Catalogue, query: Query) -> html.Div:
    counts = search.facet_counts(catalogue, query)
    titles = facet_titles()
    return html.Div([
        html.Fieldset([
            html.Legend(titles[facet], className="h6 mb-1"),
            dbc.Checklist(id=facet_id(facet), value=list(query.chosen(facet)),
                          options=facet_options(catalogue, facet, query, counts[facet]),
                          class_name="small"),
        ], className="mb-3")
        for facet in FACETS
    ], className="portal-facets")


def search_box(query: Query) -> html.Div:
    return html.Div([
        dbc.Label(_("Search the tables"), html_for=SEARCH, className="fw-semibold"),
        html.Div([
            dcc.Input(id=SEARCH, type="search", value=query.text, debounce=True,
                      maxLength=search.MAX_TEXT, autoComplete="off", className="form-control"),
            html.Button([icon("search", "me-1"), _("Search")], id=SUBMIT, n_clicks=0,
                        type="button", className="btn btn-primary"),
        ], className="input-group"),
        html.Div(_("Words are looked up in the titles (in every language), descriptions and "
                   "column names of the tables. Press Enter or Search."),
                 id=f"{SEARCH}-help", className="form-text"),
    ], className="mb-3")


def status_text(found: int) -> str:
    if found == 0:
        return _("No table matches.")
    if found == 1:
        return _("1 table matches.")
    return _("%(n)s tables match.", n=format_number(found))


def results(catalogue: Catalogue, query: Query) -> Component:
    """The matching tables, each linking to its page; or what to do when none match."""
    found = search.search(catalogue, query)
    if not found:
        return dbc.Alert([icon("info-circle"), _(
            "No table matches this search. Try other or fewer words, or untick some "
            "filters.")], color="info", className="portal-no-results")
    header = column_headers([_("Table"), _("Package"), _("Theme"), _("Rows")], numeric=[3])
    rows = []
    for resource in found:
        package = catalogue.package(resource.package)
        rows.append(html.Tr([
            html.Th([dcc.Link(title_of(resource.descriptor),
                              href=page_path(resource.package, resource.name)),
                     html.Div(html.Code(resource.name), className="small")],
                    scope="row", className="fw-normal"),
            html.Td(title_of(package.descriptor) if package else resource.package),
            html.Td(theme_name(resource.theme)),
            html.Td(format_number(resource.rows) if resource.rows is not None else "",
                    className="text-end"),
        ]))
    return dbc.Table([html.Caption(_("Tables matching the search"), className="caption-top"),
                      header, html.Tbody(rows)],
                     striped=True, hover=True, responsive=True, size="sm",
                     className="align-middle portal-results")


def finder(catalogue: Catalogue, query: Query) -> html.Section:
    """Search box and facets beside the results, drawn for ``query``."""
    found = len(search.search(catalogue, query))
    return html.Section([
        html.H2(_("Find a table"), className="h3"),
        dbc.Row([
            dbc.Col(html.Div([
                facets(catalogue, query),
                html.Button([icon("x-circle", "me-1"), _("Clear search and filters")],
                            id=CLEAR, n_clicks=0, type="button",
                            className="btn btn-sm btn-outline-primary"),
            ], role="group", **{"aria-label": _("Filters")}), md=4, lg=3,
                className="mb-3"),
            dbc.Col([
                html.Div(search_box(query), role="search"),
                html.P(status_text(found), id=STATUS, role="status", className="fw-semibold"),
                html.Div(results(catalogue, query), id=RESULTS),
            ], md=8, lg=9),
        ]),
        dcc.Store(id=URL, data=query.params()),
    ], className="portal-finder mb-4")


# --- callbacks -------------------------------------------------------------------------------


def update(text: str | None, _submit: int, *values: list[str] | None) -> tuple[Any, ...]:
    """Redraw results, counts and the URL for the query now in the controls."""
    catalogue = model.current()
    if catalogue is None:
        raise dash.exceptions.PreventUpdate
    params: dict[str, object] = {search.TEXT: text or ""}
    params.update({facet: list(value or []) for facet, value in zip(FACETS, values,
                                                                   strict=True)})
    query = search.parse(params, catalogue)
    counts = search.facet_counts(catalogue, query)
    found = len(search.search(catalogue, query))
    options = [facet_options(catalogue, facet, query, counts[facet]) for facet in FACETS]
    return (results(catalogue, query), status_text(found), query.params(), *options)


def clear(_clicks: int) -> tuple[Any, ...]:
    return ("", *([] for _facet in FACETS))


def register_callbacks(app: dash.Dash) -> None:
    """Wire the controls to the results (server) and the results to the URL (browser)."""
    app.callback(
        Output(RESULTS, "children"), Output(STATUS, "children"), Output(URL, "data"),
        *(Output(facet_id(facet), "options") for facet in FACETS),
        Input(SEARCH, "value"), Input(SUBMIT, "n_clicks"),
        *(Input(facet_id(facet), "value") for facet in FACETS),
        prevent_initial_call=True,
    )(update)
    app.callback(
        Output(SEARCH, "value"), *(Output(facet_id(facet), "value") for facet in FACETS),
        Input(CLEAR, "n_clicks"), prevent_initial_call=True,
    )(clear)
    app.clientside_callback(
        """
        function (params) {
            window.portal.setQuery(KEYS, params);
            return window.dash_clientside.no_update;
        }
        """.replace("KEYS", str([search.TEXT, *FACETS])),
        Output(STATUS, "title"),
        Input(URL, "data"),
        prevent_initial_call=True,
    )

