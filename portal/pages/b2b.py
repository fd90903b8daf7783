"""Business-to-business links between suppliers, producers and buyers."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/b2b",
    name=_("B2B"),
    order=5,
    title=page_title(_("B2B")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("B2B"),
        _(
            "Business-to-business links: who supplies which inputs and products, "
            "and where new buyers and partners could be found."
        ),
        icon_name="people",
    )
