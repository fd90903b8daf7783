"""About the programme, its partners and contacts."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/about",
    name=_("About"),
    order=9,
    title=page_title(_("About")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("About"),
        _(
            "About the programme, its funders and implementing partner, and how to "
            "get in touch with the team."
        ),
        icon_name="info-circle",
    )
