"""Open data downloads: data packages, schemas and licence."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/data",
    name=_("Data"),
    order=8,
    title=page_title(_("Data")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("Data"),
        _(
            "Download the open data packages with their schemas, documentation and "
            "licence, ready for spreadsheets and analysis tools."
        ),
        icon_name="download",
    )
