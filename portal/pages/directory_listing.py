"""One listed business: exactly what it chose to show, and a way to contact it through the
programme (the brokered contact form, :mod:`portal.contact`)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from portal import query
from portal.components import directory as view
from portal.components.page import heading, no_data
from portal.i18n import N_, _
from portal.layout import icon

NAME = N_("Supplier directory")


def title(listing_id: str = "", **_params: Any) -> str:
    found = query.directory().get(listing_id) if query.current_release() else None
    page = found.name if found else _(NAME)
    return _("%(page)s | %(site)s", page=page, site=_("North of Kosovo Product Map"))


dash.register_page(__name__, path_template="/directory/<listing_id>", name=NAME, title=title,
                   order=22, nav=False)


def back() -> html.P:
    return html.P(dcc.Link([icon("arrow-left"), _("All listed businesses")], href=view.path()),
                  className="small mb-2")


def about(listing_description: tuple[str, str] | None) -> Component:
    if listing_description is None:
        return html.Div()
    language, text = listing_description
    return html.Section([
        html.H2(_("In the business's own words"), className="h5"),
        # Its own language, for screen readers and hyphenation; shown as text, never markup.
        html.P(text, lang=language, className="portal-listing-description"),
    ], className="mb-3")


def layout(listing_id: str = "", **_params: Any) -> Component:
    if query.current_release() is None:
        return html.Section([heading(_(NAME), "shop"), no_data()], className="py-4")
    listing = query.directory().get(listing_id)
    if listing is None:
        return html.Section([
            back(), heading(_("Business not listed"), "question-circle"),
            html.P(_("No business is listed at this address. It may have asked to be removed "
                     "from the directory, or the address may be wrong."), className="lead"),
        ], className="py-4")
    contact = dash.get_relative_path(f"/directory/{listing.id}/contact")
    return html.Section([
        back(),
        heading(listing.name, "shop"),
        dbc.Row([
            dbc.Col([view.facts(listing), about(view.description(listing))], lg=8),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(_("Contact through the programme"), className="h5"),
                html.P(_("Tell us who you are and what you need: the programme's staff pass "
                         "your request on to the business and follow it up."), className="small"),
                html.A([icon("chat-left-text"), _("Write a request")], href=contact,
                       className="btn btn-primary"),
            ])), lg=4),
        ], className="g-4"),
        view.terms(),
    ], className="py-4")
