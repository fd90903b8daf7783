"""Growth plans, investment needs and target markets of producers."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/growth",
    name=_("Growth"),
    order=3,
    title=page_title(_("Growth")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("Growth"),
        _(
            "Growth plans, investment needs and target markets reported by producers, "
            "and the obstacles they face."
        ),
        icon_name="graph-up-arrow",
    )
