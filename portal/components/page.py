"""The frame of a chart page: heading, release line, demo-data banner, filters, charts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import dash
import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component
from dash.exceptions import AppNotFoundError

from portal import query
from portal.components import chart, filters
from portal.components.cells import count
from portal.i18n import _, format_date
from portal.layout import icon
from portal.load.database import LoadedRelease


def bind_callbacks(register: Callable[[dash.Dash], None]) -> None:
    """Call ``register`` with the app whose pages are being loaded, from a page module.

    On the app, not ``dash.callback``: the factory builds several apps per process and Dash
    hands global callbacks to the first one only (see :mod:`portal.layout`). Dash runs each
    page module once per app, while that app is being built.
    """
    try:
        app = dash.get_app()
    except AppNotFoundError:  # imported outside an app (e.g. by a tool): nothing to bind
        return
    register(app)


#: A part of a chart page drawn from the release (key figures, a table…).
Part = Callable[[LoadedRelease], Component]


def heading(title: str, icon_name: str) -> html.H1:
    return html.H1([icon(icon_name, "me-2 text-primary"), title], className="portal-heading")


def release_line(release: LoadedRelease) -> Component:
    """Which release is shown, and a warning when its data are synthetic."""
    line = html.P([icon("tag"), _("Release %(version)s, published %(date)s",
                                  version=release.version, date=format_date(release.created))],
                  className="small text-body-secondary mb-2 portal-release")
    if not release.synthetic:
        return line
    return html.Div([line, dbc.Alert(
        [icon("exclamation-triangle-fill"), html.Strong(_("Synthetic demo data.")), " ",
         _("These figures are generated to show how the portal works; they describe no "
           "real business.")],
        color="warning", className="py-2 portal-demo-banner")])


def notice(icon_name: str, message: str, colour: str, class_name: str) -> dbc.Alert:
    """An alert that starts with an icon (no data yet, synthetic data…)."""
    return dbc.Alert([icon(icon_name), message], color=colour, className=class_name)


def no_data() -> dbc.Alert:
    return notice("info-circle", _("No data has been published yet. Run the ETL to publish a "
                                   "release, then reload this page."), "info", "portal-no-data")


def comma_separated(items: Sequence[Component | str]) -> list[Component | str]:
    """Items separated by commas, each its own text (a label stays a label, a business's
    words stay as written)."""
    return [part for i, item in enumerate(items) for part in ((", ",) if i else ()) + (item,)]


def column_headers(columns: Sequence[str], numeric: Sequence[int] = ()) -> html.Thead:
    """A table's header row, each cell a column header for screen readers (``scope="col"``),
    right-aligned over the ``numeric`` columns (by index)."""
    return html.Thead(html.Tr([
        html.Th(text, scope="col", **({"className": "text-end"} if index in numeric else {}))
        for index, text in enumerate(columns)]))


def target_cards(items: Sequence[tuple[str, float | str | None, float | None]]) -> dbc.Row:
    """(label, total, target) as cards of big numbers, for programme-wide totals above the
    charts; a total that is not published is left out, a text (a suppressed cell's
    "suppressed [c]") is shown as it is."""
    columns = [dbc.Col(dbc.Card(dbc.CardBody([
        html.P(label, className="small text-body-secondary mb-1"),
        html.P(value if isinstance(value, str) else count(value), className="h3 mb-0"),
        html.P(_("Target: %(n)s", n=count(goal)) if goal is not None else "",
               className="small mb-0 text-body-secondary"),
    ]), className="h-100 shadow-sm"), xs=12, sm=4, className="mb-3")
        for label, value, goal in items if value is not None]
    return dbc.Row(columns, className="portal-key-figures")


def chart_page(title: str, lead: str, icon_name: str, filter_names: tuple[str, ...],
               chart_ids: list[str], params: Mapping[str, object],
               before: Sequence[Part] = (), after: Sequence[Part] = ()) -> html.Section:
    """A page of charts with filters restored from the URL parameters ``params``; the parts
    ``before`` and ``after`` the charts are drawn only when a release is published."""
    release = query.current_release()
    header = [heading(title, icon_name), html.P(lead, className="lead")]
    if release is None:
        return html.Section([*header, no_data()], className="py-4")
    active = filters.parse(release, params)
    return html.Section([
        *header,
        release_line(release),
        filters.filter_bar(release, filter_names, active),
        *(part(release) for part in before),
        chart.grid(chart_ids, active),
        *(part(release) for part in after),
    ], className="py-4")
