"""The chart card every page uses, its callbacks and the CSV behind each chart.

A page declares charts with :func:`chart` (an id, the published table it reads and
a ``render`` function). Everything around the figure is the same everywhere and
lives here: the title stating the finding, unit, source and release, the text
alternative, "download the data" (CSV of exactly the rows drawn) and PNG export,
and one pattern-matching callback that redraws any chart when the filters change.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import flask
import pandas as pd
import plotly.graph_objects as go
from dash import MATCH, Input, Output, State, dcc, html
from dash.development.base_component import Component

from etl.publish.files import xlsx_bytes
from portal import query, scripts
from portal.cache import cache
from portal.components import filters
from portal.components.figures import SUPPRESSED_MARK, fixed_margins
from portal.components.static import static
from portal.i18n import DEFAULT_LOCALE, PARAM, _, choose, format_number, get_locale
from portal.labels import code_labels, localised_text
from portal.layout import icon
from portal.load.database import LoadedRelease

(_STORE, _GRAPH, _TITLE, _SUMMARY, _TABLE, _CSV, _XLSX, _NOTE, _PNG, _FIGURE, _SEEN,
 _OPEN) = (
    "chart-filters", "chart-graph", "chart-title", "chart-summary", "chart-table", "chart-csv",
    "chart-xlsx", "chart-note", "chart-png", "chart-figure", "chart-seen", "chart-open")
#: The slot's class: portal/assets/charts.js watches it and draws the chart in view.
SLOT_CLASS = "portal-graph-slot"
#: plotly.js's own default height, reserved for a figure that sets none.
DEFAULT_HEIGHT = 450
CSV_ROUTE = "/charts/"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: No Plotly toolbar: its tooltips are English only, and PNG export has its own button.
GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False,
                "toImageButtonOptions": {"format": "png", "scale": 2}}


@dataclass
class ChartView:
    """What a render function returns: the figure, the finding, a one-line summary.

    ``table`` overrides the default text alternative (every row drawn, labelled), and
    ``source`` the default source line (a chart drawn from several releases names them).
    """

    figure: go.Figure
    title: str
    summary: str
    table: pd.DataFrame | None = None
    source: str | None = None


@dataclass
class ChartData:
    """The rows a chart draws (filters applied) and the metadata to label them."""

    chart: Chart
    release: LoadedRelease
    frame: pd.DataFrame
    active: dict[str, str] = field(default_factory=dict)

    def labels(self, column: str, resource: str | None = None) -> dict[str, str]:
        """Code → label in the visitor's language, in schema order."""
        return code_labels(self.release, resource or self.chart.resource, column)

    @property
    def unit(self) -> str:
        """The unit of ``value`` in the visitor's language (``x-unit``; English ``unit``
        where a release has no translation)."""
        if "value" not in query.columns(self.release, self.chart.resource):
            return ""
        spec = query.field(self.release, self.chart.resource, "value")
        return localised_text(spec.get("x-unit"), spec.get("unit", ""))

    def published(self) -> pd.DataFrame:
        return self.frame[self.frame["status"] != "suppressed"]


@dataclass(frozen=True)
class Chart:
    """A registered chart. ``defaults`` pins columns no active filter constrains (e.g. a map
    of municipalities draws the all-sectors row), so its CSV holds exactly what is drawn.

    ``rows`` gives the rows of a chart drawn from more than its ``resource`` in the release
    (the indicators across releases), filters aside; ``suppressible`` names their columns a
    suppressed row publishes as ``[c]``. Labels and types still come from ``resource``.
    """

    id: str
    resource: str
    render: Callable[[ChartData], ChartView]
    dims: tuple[str, ...]
    wide: bool = False
    defaults: tuple[tuple[str, str], ...] = ()
    rows: Callable[[LoadedRelease], pd.DataFrame] | None = None
    suppressible: tuple[str, ...] = ()


CHARTS: dict[str, Chart] = {}


def chart(chart_id: str, resource: str, dims: tuple[str, ...], wide: bool = False,
          defaults: Mapping[str, str] | None = None,
          rows: Callable[[LoadedRelease], pd.DataFrame] | None = None,
          suppressible: tuple[str, ...] = (),
          ) -> Callable[[Callable[[ChartData], ChartView]], Callable[[ChartData], ChartView]]:
    """Register ``render`` as chart ``chart_id`` drawing ``dims`` of table ``resource``
    (or of ``rows``, see :class:`Chart`)."""
    def register(render: Callable[[ChartData], ChartView]) -> Callable[[ChartData], ChartView]:
        CHARTS[chart_id] = Chart(chart_id, resource, render, dims, wide,
                                 tuple((defaults or {}).items()), rows, suppressible)
        return render
    return register


def data(chart_id: str, release: LoadedRelease, active: Mapping[str, str]) -> ChartData:
    spec = CHARTS[chart_id]
    if spec.rows is not None:
        return ChartData(spec, release, spec.rows(release), dict(active))
    columns = query.columns(release, spec.resource)
    conditions: dict[str, query.Condition] = dict(spec.defaults)
    conditions.update(filters.conditions(active, columns))
    frame = query.table(release, spec.resource, conditions)
    return ChartData(spec, release, frame, dict(active))


def csv_rows(chart_data: ChartData) -> tuple[list[str], list[list[str]]]:
    """The rows behind a chart as published (``[c]`` kept), each code beside its label."""
    frame, dims = chart_data.frame, chart_data.chart.dims
    resource = chart_data.release.resource(chart_data.chart.resource)
    kinds = {f["name"]: f.get("type", "string") for f in resource["schema"]["fields"]}
    suppressible = set(chart_data.chart.suppressible if chart_data.chart.rows is not None
                       else resource.get("x-portal-suppressible", ()))
    labels = {dim: chart_data.labels(dim) for dim in dims}
    header: list[str] = []
    for column in frame.columns:
        header += [column, f"{column}_label"] if column in labels else [column]
    rows = []
    for record in frame.to_dict("records"):
        row = []
        for column in frame.columns:
            row.append(_published(record, column, kinds.get(column, "string"),
                                  column in suppressible))
            if column in labels:
                row.append(labels[column].get(record[column], record[column]))
        rows.append(row)
    return header, rows


def _published(record: Mapping[str, Any], column: str, kind: str, suppressible: bool) -> str:
    """A value written as the package writes it: integers bare, numbers as floats, and
    ``[c]`` where a number of a suppressed row was hidden."""
    value = record[column]
    if value is None or (isinstance(value, float) and pd.isna(value)):
        hidden = suppressible and record.get("status", "suppressed") == "suppressed"
        return SUPPRESSED_MARK if hidden else ""
    if kind == "integer":
        return str(int(value))
    if kind == "number":
        return repr(float(value))
    return str(value)


def csv_url(chart_id: str, active: Mapping[str, str], extension: str = "csv") -> str:
    """The chart's data (CSV or XLSX) with these filters, labels in the visitor's language."""
    params = dict(sorted(active.items()))
    if get_locale() != DEFAULT_LOCALE:
        params[PARAM] = get_locale()
    query_string = f"?{urlencode(params)}" if params else ""
    return dash.get_relative_path(f"{CSV_ROUTE}{chart_id}.{extension}") + query_string


def alternative(chart_data: ChartData, view: ChartView) -> dbc.Table:
    """The text alternative: every row drawn, labelled, suppressed cells said in words."""
    if view.table is not None:
        return dbc.Table.from_dataframe(view.table, striped=True, size="sm", class_name="mb-0")
    dims = chart_data.chart.dims
    if "value" not in chart_data.frame.columns:
        raise ValueError(f"chart {chart_data.chart.id}: a table without `value` needs "
                         "ChartView.table as its text alternative")
    labels = {dim: chart_data.labels(dim) for dim in dims}
    specs = [query.field(chart_data.release, chart_data.chart.resource, d) for d in dims]
    columns = [localised_text(spec.get("x-title"), spec.get("title", d))
               for spec, d in zip(specs, dims, strict=True)] + [
        _("Value (%(unit)s)", unit=chart_data.unit)]
    body = []
    for record in chart_data.frame.to_dict("records"):
        value = record["value"]
        hidden = value is None or pd.isna(value)
        shown = _("suppressed [c]") if hidden else format_number(
            float(value), 0 if float(value).is_integer() else 1)
        body.append(html.Tr([html.Td(labels[d].get(record[d], record[d])) for d in dims] + [
            html.Td(shown, className="text-end")]))
    return dbc.Table([html.Thead(html.Tr([html.Th(c, scope="col") for c in columns])),
                      html.Tbody(body)], striped=True, size="sm", class_name="mb-0")


def _note(chart_data: ChartData) -> str:
    skipped = filters.unused(chart_data.active, query.columns(chart_data.release,
                                                              chart_data.chart.resource))
    if not skipped:
        return ""
    names = ", ".join(filters.FILTERS[name].title().lower() for name in skipped)
    return _("This table is not broken down by %(filters)s; it shows every value.", filters=names)


def _source(chart_data: ChartData) -> str:
    package = chart_data.release.package_of(chart_data.chart.resource)
    resource = chart_data.release.resource(chart_data.chart.resource)
    return _("Unit: %(unit)s. Source: %(package)s, table “%(table)s”, release %(version)s.",
             unit=chart_data.unit or _("see table"),
             package=localised_text(package.get("x-title"), package.get("title", "")),
             table=localised_text(resource.get("x-title"), resource.get("title", resource["name"])),
             version=chart_data.release.version)


def draw(chart_id: str, active: Mapping[str, str], release: LoadedRelease | None = None
         ) -> tuple[ChartData, ChartView] | None:
    """Query and render one chart (None before anything is published)."""
    release = release or query.current_release()
    if release is None:
        return None
    chart_data = data(chart_id, release, active)
    return chart_data, CHARTS[chart_id].render(chart_data)


@dataclass(frozen=True)
class Rendered:
    """Everything a card shows that depends on the data: what the cache keeps."""

    figure: dict[str, Any]
    title: str
    summary: str
    table: Component
    note: str
    source: str


def rendered(chart_id: str, active: Mapping[str, str]) -> Rendered | None:
    """A chart ready to show, memoised per release, language, chart and filters (the first
    paint and the redraw callback share it)."""
    release = query.current_release()
    if release is None:
        return None
    return _rendered(release, release.history, get_locale(), chart_id,
                     tuple(sorted(active.items())))


@cache.memoize()
def _rendered(release: LoadedRelease, history: str, locale: str, chart_id: str,
              active: tuple[tuple[str, str], ...]) -> Rendered:
    """Keyed on the release list's digest too: a chart of several releases must drop one
    withdrawn while the release is served."""
    del history
    chart_data, view = draw(chart_id, dict(active), release)  # type: ignore[misc]
    return Rendered(fixed_margins(view.figure.to_plotly_json()), view.title, view.summary,
                    alternative(chart_data, view), _note(chart_data),
                    view.source or _source(chart_data))


def card(chart_id: str, active: Mapping[str, str]) -> dbc.Col:
    """A chart card rendered on the server (its finding, source and summary in the first
    answer), its figure fetched and drawn when it scrolls into view, ready to redraw."""
    view = rendered(chart_id, active)
    ids = {name: {"type": name, "chart": chart_id} for name in
           (_STORE, _GRAPH, _TITLE, _SUMMARY, _TABLE, _CSV, _XLSX, _NOTE, _PNG, _FIGURE, _SEEN,
            _OPEN)}
    if view is None:
        return dbc.Col()
    body = dbc.Card([
        dbc.CardHeader([
            html.H2(view.title, id=ids[_TITLE], className="h5 mb-1 portal-chart-title"),
            html.P(view.source, className="small text-body-secondary mb-0"),
        ]),
        dbc.CardBody([
            html.P(view.note, id=ids[_NOTE], className="small text-warning-emphasis mb-2"),
            # Empty until portal/assets/charts.js sees it in view and sets "seen": then its
            # figure is fetched (_figure) and drawn in a dcc.Graph (_DRAW_JS).
            html.Div(id=ids[_GRAPH], className=SLOT_CLASS, style=_size(view), role="figure",
                     **{"aria-labelledby": filters.dom_id(ids[_TITLE]),
                        "aria-describedby": filters.dom_id(ids[_SUMMARY]),
                        "data-plotly": scripts.url("plotly"),
                        "data-seen": filters.dom_id(ids[_SEEN])}),
            # The figure is fetched when the chart is first seen (_figure): a page's first
            # answer carries none of them.
            dcc.Store(id=ids[_FIGURE]),
            dcc.Store(id=ids[_SEEN], data=False),
            html.P(view.summary, id=ids[_SUMMARY], className="small mb-2 portal-summary"),
            # The table is sent when it is first opened: a page's tables are nine tenths of
            # its components, and React would build them all before the page shows.
            html.Details([
                html.Summary(_("Show the data as a table"), id=ids[_OPEN], n_clicks=0),
                html.Div(id=ids[_TABLE], className="table-responsive mt-2 portal-alt-table"),
            ]),
        ]),
        dbc.CardFooter([
            html.A([icon("filetype-csv", "me-1"),
                    _("Download the data behind this chart (CSV)")],
                   href=csv_url(chart_id, active), id=ids[_CSV], download=f"{chart_id}.csv",
                   className="btn btn-sm btn-outline-primary me-2"),
            html.A([icon("file-earmark-spreadsheet", "me-1"), _("Excel (XLSX)")],
                   href=csv_url(chart_id, active, "xlsx"), id=ids[_XLSX],
                   download=f"{chart_id}.xlsx", className="btn btn-sm btn-outline-primary me-2"),
            html.Button([icon("image", "me-1"), _("Save as PNG")], id=ids[_PNG], n_clicks=0,
                        type="button", className="btn btn-sm btn-outline-secondary"),
            dcc.Store(id=ids[_STORE], data=dict(active)),
        ], className="bg-white"),
    ], className="h-100 shadow-sm portal-chart", id=f"chart-{chart_id}")
    return dbc.Col(body, lg=12 if CHARTS[chart_id].wide else 6, className="mb-4")


def _size(view: Rendered) -> dict[str, str]:
    """The figure's height, reserved before plotly.js has drawn it (no layout shift)."""
    height = view.figure.get("layout", {}).get("height") or DEFAULT_HEIGHT
    return {"height": f"{height}px"}


def grid(chart_ids: list[str], active: Mapping[str, str]) -> dbc.Row:
    """The page's charts, two per row on wide screens (``wide`` ones alone)."""
    return dbc.Row([card(chart_id, active) for chart_id in chart_ids])


def _matched(active: dict[str, str] | None) -> tuple[str, dict[str, str], Rendered]:
    """The chart a MATCH callback runs for, its valid filters and what it shows."""
    outputs = dash.ctx.outputs_list
    chart_id = (outputs[0] if isinstance(outputs, list) else outputs)["id"]["chart"]
    valid = filters.parse(query.current_release(), active or {})
    view = rendered(chart_id, valid)
    if view is None:
        raise dash.exceptions.PreventUpdate
    return chart_id, valid, view


def _redraw(active: dict[str, str] | None) -> tuple[Any, ...]:
    chart_id, valid, view = _matched(active)
    return (_size(view), view.title, view.summary,
            csv_url(chart_id, valid), csv_url(chart_id, valid, "xlsx"), view.note)


def _figure(seen: bool | None, active: dict[str, str] | None) -> dict[str, Any]:
    """A chart's figure once it has come into view, and again when the filters change."""
    if not seen:
        raise dash.exceptions.PreventUpdate
    return _matched(active)[2].figure


def _table(opened: int | None, active: dict[str, str] | None) -> Component:
    """The text alternative, once the reader has opened it (and again when filters change)."""
    if not opened:
        raise dash.exceptions.PreventUpdate
    return static(_matched(active)[2].table)


#: Builds the chart's dcc.Graph from each figure the chart is sent, once plotly.js has loaded
#: (portal/assets/charts.js), so that the Graph uses window.Plotly.
_DRAW_JS = """
function (figure, id) {
    if (!figure) {
        return window.dash_clientside.no_update;
    }
    const config = Object.assign({}, CONFIG, {toImageButtonOptions: Object.assign(
        {}, CONFIG.toImageButtonOptions, {filename: id.chart})});
    return window.portal.plotly.then(() => ({namespace: "dash_core_components", type: "Graph",
        props: {id: {chart: id.chart, type: "PLOT"}, figure: figure, config: config,
                style: {height: "100%"}}}));
}
"""


def register_callbacks(app: dash.Dash) -> None:
    """Wire filters → URL and charts, and PNG export, once for every chart of every page."""
    app.clientside_callback(
        """
        function (values, ids) {
            const active = {};
            ids.forEach((id, i) => {
                if (values[i] && values[i] !== "ALL") {
                    active[id.name] = values[i];
                }
            });
            window.portal.setQuery(ids.map(id => id.name), active);
            return dash_clientside.callback_context.outputs_list.map(() => active);
        }
        """.replace("ALL", filters.ALL),
        Output({"type": _STORE, "chart": dash.ALL}, "data"),
        Input({"type": filters.FILTER_TYPE, "name": dash.ALL}, "value"),
        State({"type": filters.FILTER_TYPE, "name": dash.ALL}, "id"),
        prevent_initial_call=True,
    )
    app.callback(
        Output({"type": _GRAPH, "chart": MATCH}, "style"),
        Output({"type": _TITLE, "chart": MATCH}, "children"),
        Output({"type": _SUMMARY, "chart": MATCH}, "children"),
        Output({"type": _CSV, "chart": MATCH}, "href"),
        Output({"type": _XLSX, "chart": MATCH}, "href"),
        Output({"type": _NOTE, "chart": MATCH}, "children"),
        Input({"type": _STORE, "chart": MATCH}, "data"),
        prevent_initial_call=True,
    )(_redraw)
    app.callback(
        Output({"type": _FIGURE, "chart": MATCH}, "data"),
        Input({"type": _SEEN, "chart": MATCH}, "data"),
        Input({"type": _STORE, "chart": MATCH}, "data"),
        prevent_initial_call=True,
    )(_figure)
    app.callback(
        Output({"type": _TABLE, "chart": MATCH}, "children"),
        Input({"type": _OPEN, "chart": MATCH}, "n_clicks"),
        Input({"type": _STORE, "chart": MATCH}, "data"),
        prevent_initial_call=True,
    )(_table)
    app.clientside_callback(
        _DRAW_JS.replace("CONFIG", json.dumps(GRAPH_CONFIG)).replace("PLOT", "chart-plot"),
        Output({"type": _GRAPH, "chart": MATCH}, "children"),
        Input({"type": _FIGURE, "chart": MATCH}, "data"),
        State({"type": _FIGURE, "chart": MATCH}, "id"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        """
        function (clicks, id) {
            const graph = document.getElementById(JSON.stringify({chart: id.chart, type: "GRAPH"}));
            const plot = graph && graph.querySelector(".js-plotly-plot");
            if (clicks && plot && window.Plotly) {
                window.Plotly.downloadImage(plot, {format: "png", filename: id.chart, scale: 2});
            }
            return window.dash_clientside.no_update;
        }
        """.replace("GRAPH", _GRAPH),
        Output({"type": _PNG, "chart": MATCH}, "title"),
        Input({"type": _PNG, "chart": MATCH}, "n_clicks"),
        State({"type": _PNG, "chart": MATCH}, "id"),
        prevent_initial_call=True,
    )
    blueprint = flask.Blueprint("charts", __name__)
    blueprint.add_url_rule("/<chart_id>.csv", view_func=download_csv)
    blueprint.add_url_rule("/<chart_id>.xlsx", view_func=download_xlsx)
    prefix = app.config.routes_pathname_prefix.rstrip("/")
    app.server.register_blueprint(blueprint, url_prefix=prefix + CSV_ROUTE.rstrip("/"))


def _requested(chart_id: str) -> ChartData:
    """The rows a download asks for; 404/400 with a plain message for anything else."""
    if chart_id not in CHARTS:
        flask.abort(404)
    release = query.current_release()
    if release is None:
        flask.abort(404)
    args = {k: v for k, v in flask.request.args.items() if k != PARAM}
    unknown = sorted(set(args) - set(filters.FILTERS))
    if unknown:
        flask.abort(400, _("Unknown parameter: %(names)s", names=", ".join(unknown)))
    if PARAM in flask.request.args and choose(flask.request.args[PARAM]) is None:
        flask.abort(400, _("Not a valid value for: %(names)s", names=PARAM))
    active = filters.parse(release, args)
    if len(active) != len(args):
        bad = sorted(set(args) - set(active))
        flask.abort(400, _("Not a valid value for: %(names)s", names=", ".join(bad)))
    return data(chart_id, release, active)


def download_csv(chart_id: str) -> flask.Response:
    """``/charts/<id>.csv?filters``: the rows behind a chart, as the chart shows them."""
    header, rows = csv_rows(_requested(chart_id))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    response = flask.Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{chart_id}.csv"'
    response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.update(("Cookie", "Accept-Language"))  # the language of the labels
    return response


def download_xlsx(chart_id: str) -> flask.Response:
    """``/charts/<id>.xlsx?filters``: the same rows as the CSV, numbers as numbers."""
    chart_data = _requested(chart_id)
    header, rows = csv_rows(chart_data)
    fields = chart_data.release.resource(chart_data.chart.resource)["schema"]["fields"]
    numeric = {f["name"] for f in fields if f.get("type") in ("integer", "number")}
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    for column in numeric & set(header):
        typed = pd.to_numeric(frame[column], errors="coerce")
        frame[column] = typed.astype(object).where(typed.notna(), frame[column])
    created = chart_data.release.package_of(chart_data.chart.resource).get("created", "")
    stamp = datetime.datetime.fromisoformat(created[:19] or "2000-01-01T00:00:00")
    response = flask.Response(xlsx_bytes(frame, chart_id, stamp), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{chart_id}.xlsx"'
    response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.update(("Cookie", "Accept-Language"))
    return response
