"""Methodology handbook: survey, cleaning and disclosure control."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/handbook",
    name=_("Handbook"),
    order=7,
    title=page_title(_("Handbook")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("Handbook"),
        _(
            "The methodology handbook: how the survey was run, how the data are "
            "cleaned, and how respondents are protected from re-identification."
        ),
        icon_name="book",
    )
