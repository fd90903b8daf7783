"""Where products are made: the map of producers and their products."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/product-map",
    name=_("Product map"),
    order=1,
    title=page_title(_("Product map")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("Product map"),
        _(
            "An interactive map of who produces what and where across the four "
            "northern municipalities, filterable by sector and product."
        ),
        icon_name="geo-alt",
    )
