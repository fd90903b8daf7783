"""Supplier directory: the northern businesses that chose to be found, searchable by buyers.

The search is kept in the URL (``/directory?product=honey&municipality=…``) so that a search
can be shared; the first paint draws its results from those parameters, the callback redraws
them as the visitor changes the search.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from dash.development.base_component import Component

from portal import query
from portal.components import directory as view
from portal.components.filters import dom_id
from portal.components.page import bind_callbacks, heading, no_data, release_line
from portal.i18n import N_, _, ngettext
from portal.layout import page_title
from portal.load.directory import Directory, Query

dash.register_page(
    __name__,
    path="/directory",
    name=N_("Suppliers"),
    order=5.5,
    title=page_title(N_("Suppliers")),
)

FIELD_TYPE = "directory-search"
RESULTS_ID = "directory-results"
STORE_ID = "directory-query"
ALL_VALUES = "*"
#: The search fields offered as choices, in the order shown.
CHOICES = ("chapter", "sector", "municipality", "certification", "language")
MAX_TEXT = 100


def _titles() -> dict[str, str]:
    return {"product": _("Product"), "chapter": _("Product group (HS chapter)"),
            "sector": _("Sector"), "municipality": _("Municipality"),
            "certification": _("Certification or registration"), "language": _("Language")}


def parse(directory: Directory, params: dict[str, Any]) -> Query:
    """The search in URL parameters; values the directory does not hold are dropped."""
    chosen = {}
    for name in CHOICES:
        value = params.get(name)
        if isinstance(value, str) and value in directory.values(name):
            chosen[name] = value
    text = params.get("product")
    product = text.strip()[:MAX_TEXT] if isinstance(text, str) else ""
    return Query(product=product, **chosen)


def search_bar(directory: Directory, search: Query) -> html.Div:
    """A text field for products and a native select per choice (keyboard friendly)."""
    titles = _titles()
    text_id = {"type": FIELD_TYPE, "name": "product"}
    controls = [dbc.Col([
        dbc.Label(titles["product"], html_for=dom_id(text_id), className="form-label small mb-1"),
        dbc.Input(id=text_id, type="search", value=search.product, debounce=True,
                  maxLength=MAX_TEXT, size="sm", autoComplete="off",
                  placeholder=_("e.g. honey, cheese, timber")),
    ], xs=12, md=4, lg=3)]
    for name in CHOICES:
        control_id = {"type": FIELD_TYPE, "name": name}
        labels = view.LABELS[name]
        options = sorted((labels(v), v) for v in directory.values(name))
        controls.append(dbc.Col([
            dbc.Label(titles[name], html_for=dom_id(control_id),
                      className="form-label small mb-1"),
            dbc.Select(id=control_id, size="sm", value=getattr(search, name) or ALL_VALUES,
                       options=[{"label": _("All"), "value": ALL_VALUES}]
                       + [{"label": text, "value": value} for text, value in options]),
        ], xs=6, md=4, lg=True))
    return html.Div(dbc.Row(controls, className="g-2 align-items-end"), role="search",
                    **{"aria-label": _("Search the directory")},
                    className="portal-filters mb-4 p-3 bg-white border rounded")


def results(directory: Directory, search: Query) -> html.Div:
    found = directory.search(search)
    total = len(directory.listings)
    if search.empty:
        summary = ngettext("%(count)s business is listed.", "%(count)s businesses are listed.",
                           total, count=total)
    else:
        summary = ngettext("%(count)s of %(total)s listed businesses matches this search.",
                           "%(count)s of %(total)s listed businesses match this search.",
                           len(found), count=len(found), total=total)
    body: Component = (
        dbc.Row([dbc.Col(view.card(x), md=6, xl=4) for x in found], className="g-3")
        if found else html.P(_("No listed business matches this search. Try fewer words or "
                               "another choice."), className="portal-directory-empty"))
    return html.Div([html.P(summary, role="status", className="small text-body-secondary"),
                     body])


def layout(**params: Any) -> Component:
    release = query.current_release()
    header = [heading(_("Suppliers in the north of Kosovo"), "shop"),
              html.P(_("Businesses of the four northern municipalities that chose to be found by "
                       "buyers. Search by product, sector, place, certification or language, "
                       "and contact a business through the programme."), className="lead")]
    if release is None:
        return html.Section([*header, no_data()], className="py-4")
    directory = query.directory()
    if not directory.listings:
        return html.Section([*header, release_line(release), view.terms(), html.P(
            _("No business is listed in this release yet."))], className="py-4")
    search = parse(directory, params)
    return html.Section([
        *header, release_line(release), view.terms(),
        search_bar(directory, search),
        dcc.Store(id=STORE_ID),
        html.Div(results(directory, search), id=RESULTS_ID, **{"aria-live": "polite"}),
    ], className="py-4")


def redraw(active: dict[str, str] | None) -> Component:
    directory = query.directory()
    return results(directory, parse(directory, active or {}))


def _register(app: dash.Dash) -> None:
    # In the browser: the search goes into the address (shareable), then to the server.
    app.clientside_callback(
        """
        function (values, ids) {
            const active = {};
            ids.forEach((id, i) => {
                if (values[i] && values[i] !== "ALL") { active[id.name] = values[i]; }
            });
            window.portal.setQuery(ids.map(id => id.name), active);
            return active;
        }
        """.replace("ALL", ALL_VALUES),
        Output(STORE_ID, "data"),
        Input({"type": FIELD_TYPE, "name": ALL}, "value"),
        State({"type": FIELD_TYPE, "name": ALL}, "id"),
        prevent_initial_call=True,
    )
    app.callback(Output(RESULTS_ID, "children"), Input(STORE_ID, "data"),
                 prevent_initial_call=True)(redraw)


bind_callbacks(_register)
