"""Registration, certification and standards compliance of businesses."""

import dash
from dash.development.base_component import Component

from portal.i18n import _
from portal.layout import page_title, placeholder

dash.register_page(
    __name__,
    path="/compliance",
    name=_("Compliance"),
    order=2,
    title=page_title(_("Compliance")),
)


def layout(**_query: str) -> Component:
    """Placeholder until the page's content lands."""
    return placeholder(
        _("Compliance"),
        _(
            "How businesses stand on registration, certification, food safety and "
            "product standards, and which requirements hold them back."
        ),
        icon_name="patch-check",
    )
