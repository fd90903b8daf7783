"""Landing page: the programme's headline figures and a way into every page.

Figures come from the published tables only (through :mod:`portal.query`), never from
microdata, and a suppressed figure says so. No Plotly graph here: this is the first
page most visitors see, and it should paint at once, on a phone too.
"""

from __future__ import annotations

from collections.abc import Callable

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from portal import query
from portal.components.key_figures import key_figure_values
from portal.components.page import heading, no_data, release_line
from portal.i18n import N_, _
from portal.layout import icon, nav_pages, page_title
from portal.load.database import LoadedRelease

dash.register_page(
    __name__,
    path="/",
    name=N_("Overview"),
    order=0,
    title=page_title(N_("Overview")),
)

#: Page path → (icon, one-sentence description), called per request so it is translated.
PAGE_CARDS: dict[str, Callable[[], tuple[str, str]]] = {
    "/product-map": lambda: ("map", _(
        "Who the mapped businesses are, what they make and where they sell.")),
    "/compliance": lambda: ("patch-check", _(
        "Which registrations, permits and standards businesses meet, sector by sector.")),
    "/growth": lambda: ("graph-up-arrow", _(
        "How much the businesses could grow, and what holds them back.")),
    "/training": lambda: ("mortarboard", _(
        "Who took part in the trainings, on which topics, and what they learned.")),
    "/b2b": lambda: ("people", _(
        "Business-to-business meetings: who met, and what they agreed.")),
    "/directory": lambda: ("shop", _(
        "Northern suppliers that chose to be found, and a way to contact them.")),
    "/indicators": lambda: ("bar-chart-line", _(
        "The programme's results framework: every indicator against its target.")),
    "/handbook": lambda: ("book", _(
        "What a business needs to trade formally, step by step, and how many already do.")),
    "/data": lambda: ("download", _(
        "Every published table to download, with its documentation and licence.")),
    "/publications": lambda: ("journal-text", _(
        "The report and the market-access handbook of every release, to print or forward.")),
    "/about": lambda: ("info-circle", _(
        "The programme, its partners, and how the data were collected and protected.")),
}


def layout(**_query: str) -> Component:
    release = query.current_release()
    header = [heading(_("Overview"), "speedometer2"), html.P(_(
        "Key figures on the producers and products mapped in the North of Kosovo, with a way "
        "into each theme of the portal."), className="lead")]
    if release is None:
        return html.Section([*header, no_data()], className="py-4")
    return html.Section([
        *header,
        release_line(release),  # before the figures: says when they are synthetic
        html.H2(_("Key figures"), className="visually-hidden"),
        dbc.Row([dbc.Col(card, xs=12, sm=6, lg=4, xl=True, className="mb-3")
                 for card in key_figures(release)], className="portal-key-figures mb-2"),
        html.H2(_("Explore the portal"), className="h4 mt-2 mb-3"),
        page_grid(),
    ], className="py-4")


# --- key figures -----------------------------------------------------------------------------


def figure_card(value: str, label: str, note: str, icon_name: str) -> dbc.Card:
    """A big number, what it counts, and one line of context."""
    return dbc.Card(dbc.CardBody([
        html.P(value, className="fs-2 fw-bold lh-sm mb-1 portal-figure-value"),
        html.P([icon(icon_name, "me-2 text-primary"), label], className="fw-semibold mb-1"),
        html.P(note, className="small text-body-secondary mb-0"),
    ]), className="h-100 shadow-sm portal-figure")


def key_figures(release: LoadedRelease) -> list[dbc.Card]:
    return [figure_card(*figure) for figure in key_figure_values(release)]


# --- a way into every page -------------------------------------------------------------------


def page_grid() -> dbc.Row:
    """One card per page (not this one, nor the 404), linking to it."""
    cards = []
    for page in nav_pages():
        if page["path"] == "/":
            continue
        describe = PAGE_CARDS.get(page["path"])
        glyph, text = describe() if describe else ("arrow-right-circle", "")
        card = dbc.Card(dbc.CardBody([
            html.H3([icon(glyph, "me-2 text-primary"), _(page["name"])], className="h5 mb-2"),
            html.P(text, className="mb-0 text-body-secondary small"),
        ]), className="h-100 shadow-sm")
        cards.append(dbc.Col(dcc.Link(card, href=page["relative_path"],
                                      className="d-block h-100 text-decoration-none text-reset "
                                                "portal-page-card"),
                             xs=12, sm=6, lg=4, className="mb-3"))
    return dbc.Row(cards, className="portal-page-grid")
