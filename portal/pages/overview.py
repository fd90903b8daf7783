"""Landing page: key figures and a way into each theme."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/",
    name=_("Overview"),
    order=0,
    title=page_title(_("Overview")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("Overview"),
        _(
            "Key figures on the producers and products mapped in the North of Kosovo, "
            "with a way into each theme of the portal."
        ),
        icon_name="speedometer2",
    )
