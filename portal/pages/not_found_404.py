"""Shown by Dash pages for any path that matches no registered page."""

import dash
from dash import dcc, html
from dash.development.base_component import Component

from portal.components.page import heading
from portal.i18n import N_, _
from portal.layout import icon, page_title

dash.register_page(
    __name__,
    path="/404",
    name=N_("Page not found"),
    title=page_title(N_("Page not found")),
    nav=False,
)


def layout(**_query: str) -> Component:
    """Say what happened and offer the way home."""
    return html.Section(
        [
            heading(_("Page not found"), "signpost-split"),
            html.P(
                _("There is no page at this address. It may have moved, or the link may be wrong."),
                className="lead",
            ),
            dcc.Link(
                [icon("house"), _("Go to the overview")],
                href=dash.get_relative_path("/"),
                className="btn btn-primary",
            ),
        ],
        className="py-4",
    )
