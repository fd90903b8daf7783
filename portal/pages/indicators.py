"""Programme indicators over time, with definitions and sources."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/indicators",
    name=_("Indicators"),
    order=6,
    title=page_title(_("Indicators")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("Indicators"),
        _(
            "Programme indicators tracked over time, each with its definition, "
            "source and latest value."
        ),
        icon_name="bar-chart-line",
    )
