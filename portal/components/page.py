"""The frame of a chart page: heading, release line, demo-data banner, filters, charts."""

from __future__ import annotations

from collections.abc import Mapping

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal import query
from portal.components import chart, filters
from portal.i18n import _
from portal.layout import icon
from portal.load.database import LoadedRelease


def heading(title: str, icon_name: str) -> html.H1:
    return html.H1([icon(icon_name, "me-2 text-primary"), title], className="portal-heading")


def release_line(release: LoadedRelease) -> Component:
    """Which release is shown, and a warning when its data are synthetic."""
    created = next(iter(release.packages.values()), {}).get("created", "")[:10]
    line = html.P([icon("tag"), _("Release %(version)s, published %(date)s",
                                  version=release.version, date=created)],
                  className="small text-body-secondary mb-2 portal-release")
    if not release.synthetic:
        return line
    return html.Div([line, dbc.Alert(
        [icon("exclamation-triangle-fill"), html.Strong(_("Synthetic demo data.")), " ",
         _("These figures are generated to show how the portal works; they describe no "
           "real business.")],
        color="warning", className="py-2 portal-demo-banner")])


def no_data() -> dbc.Alert:
    return dbc.Alert([icon("info-circle"), _("No data has been published yet. Run the ETL to "
                                             "publish a release, then reload this page.")],
                     color="info", className="portal-no-data")


def chart_page(title: str, lead: str, icon_name: str, filter_names: tuple[str, ...],
               chart_ids: list[str], params: Mapping[str, object],
               before: Component | None = None) -> html.Section:
    """A page of charts with filters restored from the URL parameters ``params``."""
    release = query.current_release()
    header = [heading(title, icon_name), html.P(lead, className="lead")]
    if release is None:
        return html.Section([*header, no_data()], className="py-4")
    active = filters.parse(release, params)
    return html.Section([
        *header,
        release_line(release),
        filters.filter_bar(release, filter_names, active),
        *([before] if before is not None else []),
        chart.grid(chart_ids, active),
    ], className="py-4")
