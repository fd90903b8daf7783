"""Training needs of producers and the training on offer."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/training",
    name=_("Training"),
    order=4,
    title=page_title(_("Training")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("Training"),
        _(
            "The skills producers ask for and the training on offer, to match "
            "providers with demand."
        ),
        icon_name="mortarboard",
    )
