"""Indicators: the programme's results framework, each indicator against its target.

Donors read this page as a report card, so status is never conveyed by colour alone:
bars carry the status in words and a pattern, and the table a badge with an icon.
An indicator reported for several periods is judged on its latest report; the chart's
CSV and the published files keep every period, and the trajectory chart shows them all,
as every published release up to this one reported them, so progress over time shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html
from dash.development.base_component import Component

from portal import query
from portal.components.cells import localised, vocabulary
from portal.components.chart import ChartData, ChartView, chart
from portal.components.figures import SUPPRESSED_COLOUR, shortened, styled, suppressed_trace
from portal.components.page import chart_page, column_headers
from portal.components.static import static
from portal.components.trajectory import Panel, period_text, small_multiples, styles, suppressed
from portal.components.trajectory import trajectory as reported_periods
from portal.i18n import N_, _, format_number, format_percent
from portal.labels import localised_text
from portal.layout import icon, page_title
from portal.load import indicator_history
from portal.load.database import LoadedRelease

dash.register_page(
    __name__,
    path="/indicators",
    name=N_("Indicators"),
    order=6,
    title=page_title(N_("Indicators")),
)

FILTERS: tuple[str, ...] = ()
CHARTS = ["indicators-achievement", "indicators-trajectory"]

RESOURCE = "indicators"
#: Status codes best first (as the ETL's ``etl.indicators.framework.STATUSES``).
STATUSES = ("on_track", "at_risk", "off_track", "no_data", "suppressed")
#: Okabe & Ito colours, plus a pattern so that print and colour-blind readers still tell
#: them apart (the status is also written on every bar).
STATUS_STYLE = {
    "on_track": ("#009E73", "", "circle"),
    "at_risk": ("#E69F00", "/", "triangle-up"),
    "off_track": ("#D55E00", "x", "x"),
}
#: Bootstrap colour and icon of each status badge in the table.
BADGES = {
    "on_track": ("success", "check-circle-fill"),
    "at_risk": ("warning", "exclamation-triangle-fill"),
    "off_track": ("danger", "x-circle-fill"),
    "no_data": ("secondary", "dash-circle"),
    "suppressed": ("secondary", "eye-slash"),
}
TREND_ICONS = {"up": "arrow-up-right", "down": "arrow-down-right", "flat": "arrow-right"}
#: Files of the indicators the ETL publishes, relative to the package folder.
EXPORTS = (("data/indicators.csv", "filetype-csv"), ("data/indicators.xlsx", "filetype-xlsx"),
           ("indicators-iati.xml", "filetype-xml"))
DASH = "—"


def layout(**params: str) -> Component:
    return chart_page(
        _("Indicators"),
        _("The programme's results framework: each indicator's baseline, target and latest "
          "value, whether it is on track, and how it has moved over time."),
        "bar-chart-line", FILTERS, CHARTS, params, after=(framework_table, exports))


# --- shared helpers --------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def latest(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator, its most recent period, in the framework's published order."""
    order = {code: i for i, code in enumerate(dict.fromkeys(frame["indicator_id"]))}
    last = frame.sort_values("period_start", kind="stable").drop_duplicates(
        "indicator_id", keep="last")
    return last.assign(_order=last["indicator_id"].map(order)).sort_values(
        "_order").drop(columns="_order")


def on_track(frame: pd.DataFrame) -> tuple[int, int]:
    """(indicators on track, indicators with a status) at their latest report."""
    rows = latest(frame)
    rows = rows[rows["status"].fillna("") != ""]
    return int((rows["status"] == "on_track").sum()), len(rows)


def format_value(value: Any, unit: str) -> str:
    """A number in the indicator's unit (percent, eur or count)."""
    if _missing(value):
        return DASH
    number = float(value)
    decimals = 0 if number.is_integer() else 1
    if unit == "percent":
        return format_percent(number, decimals)
    if unit == "eur":
        return _("€%(amount)s", amount=format_number(number, decimals))
    return format_number(number, decimals)


def _achieved(value: float) -> str:
    return format_percent(0.0 if round(value) == 0 else value, 0)


def references(row: Mapping[str, Any]) -> tuple[str, str]:
    """The baseline (with its year) and the target (with its date) in words."""
    unit = row.get("unit") or ""
    baseline = format_value(row["baseline"], unit)
    if not _missing(row["baseline"]) and not _missing(row["baseline_year"]):
        baseline = _("%(value)s (%(year)s)", value=baseline, year=int(row["baseline_year"]))
    target = format_value(row["target"], unit)
    if not _missing(row["target"]) and not _missing(row["target_date"]):
        target = _("%(value)s by %(date)s", value=target, date=row["target_date"])
    return baseline, target


# --- chart -----------------------------------------------------------------------------------


@chart("indicators-achievement", RESOURCE, ("indicator_id",), wide=True)
def achievement(data: ChartData) -> ChartView:
    """Horizontal bars of the share of its target each indicator has achieved.

    Bars start at the baseline (0%) and the dotted line marks the target (100%); thresholds
    are paced by the time elapsed, so a bar short of 100% can still be on track.
    """
    rows = latest(data.frame)
    statuses = vocabulary(data.release, RESOURCE, "status", list(STATUSES))
    names = {r["indicator_id"]: _("%(id)s · %(title)s", id=r["indicator_id"],
                                  title=shortened(localised(r, "title")))
             for r in rows.to_dict("records")}
    figure = go.Figure()
    for status, (colour, pattern, symbol) in STATUS_STYLE.items():
        subset = rows[(rows["status"] == status) & rows["achieved_pct"].notna()]
        if subset.empty:
            continue
        values = subset["achieved_pct"].astype(float)
        categories = [names[c] for c in subset["indicator_id"]]
        text = [_("%(share)s · %(status)s", share=_achieved(v), status=statuses[status])
                for v in values]
        figure.add_bar(
            x=values, y=categories, orientation="h", name=statuses[status], legendgroup=status,
            marker={"color": colour, "pattern": {"shape": pattern, "bgcolor": colour,
                                                 "fgcolor": "#ffffff", "solidity": 0.3}},
            customdata=list(zip([localised(r, "title") for r in subset.to_dict("records")], text,
                                strict=True)),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>")
        # A shape at the bar's end (visible even at 0%) and the status in words beside it,
        # right of the bar or of 0, never over the axis labels.
        figure.add_scatter(
            x=[max(v, 0.0) for v in values], y=categories, mode="markers+text", text=text,
            textposition="middle right", legendgroup=status, showlegend=False,
            marker={"symbol": symbol, "size": 9, "color": colour,
                    "line": {"width": 1.5, "color": colour}},
            hoverinfo="skip", cliponaxis=False)
    hidden = rows[rows["status"] == "suppressed"]
    if not hidden.empty:
        figure.add_trace(suppressed_trace([names[c] for c in hidden["indicator_id"]], True))
    unknown = rows[~rows["status"].isin(list(STATUS_STYLE) + ["suppressed"])
                   | (rows["status"].isin(list(STATUS_STYLE)) & rows["achieved_pct"].isna())]
    if not unknown.empty:
        figure.add_scatter(
            x=[0] * len(unknown), y=[names[c] for c in unknown["indicator_id"]],
            mode="markers+text", name=statuses["no_data"], text=[DASH] * len(unknown),
            textposition="middle right", marker={"symbol": "circle-open", "size": 9,
                                                 "color": SUPPRESSED_COLOUR},
            hovertemplate="%{y}: " + statuses["no_data"] + "<extra></extra>", cliponaxis=False)
    shown = rows["achieved_pct"].dropna().astype(float)
    high = max([100.0, *shown]) * 1.35
    low = min([0.0, *shown]) - 5
    figure.add_vline(x=100, line={"dash": "dot", "color": "#495057", "width": 1.5})
    figure.update_yaxes(categoryorder="array", categoryarray=list(names.values()),
                        autorange="reversed")
    figure.update_xaxes(title_text=_("Share of target achieved"), range=[low, high],
                        ticksuffix="%")
    figure.update_layout(barmode="overlay", bargap=0.35)
    good, counted = on_track(data.frame)
    title = (_("%(n)s of %(total)s indicators are on track", n=good, total=counted)
             if counted else _("Progress of the programme's indicators towards their targets"))
    table = pd.DataFrame({
        _("Indicator"): [names[c] for c in rows["indicator_id"]],
        _("Share of target achieved"): [
            _("suppressed [c]") if s == "suppressed" else
            DASH if _missing(v) else _achieved(float(v))
            for s, v in zip(rows["status"], rows["achieved_pct"], strict=True)],
        _("Status"): [statuses.get(s, s) for s in rows["status"]],
    })
    return ChartView(styled(figure, max(260, 70 + 30 * len(rows))), title, _(
        "Horizontal bar chart of the share of its target each indicator had achieved at its "
        "latest report, each bar labelled with its status; the dotted line marks the target "
        "(%(target)s).", target=format_percent(100)),
        table=table)


@chart("indicators-trajectory", RESOURCE, ("indicator_id",), wide=True,
       rows=query.indicator_history_rows, suppressible=indicator_history.SUPPRESSIBLE)
def trajectory(data: ChartData) -> ChartView:
    """Small multiples of each indicator's value at the end of every reporting period, as
    every published release up to this one reported it.

    The results framework sets only a baseline and a target, no milestones, so the even pace
    from one to the other is the reference in between (the status is paced by time too).
    """
    frame = data.frame
    releases = list(dict.fromkeys(frame["release_version"]))
    ids = list(dict.fromkeys(code for version in reversed(releases)
                             for code in frame.loc[frame["release_version"] == version,
                                                   "indicator_id"]))
    panels = []
    for code in ids:
        rows = frame[frame["indicator_id"] == code]
        newest = rows.iloc[-1].to_dict()
        panels.append(Panel(_("%(id)s · %(title)s", id=code, title=localised(newest, "title")),
                            newest.get("unit") or "", rows))
    figure = small_multiples(panels, releases, format_value)
    improved, compared = _improved(panels)
    title = (_("%(n)s of %(total)s indicators published more than once have improved since "
               "their first published value", n=improved, total=compared) if compared
             else _("Each indicator's values over its reporting periods and releases"))
    marks = styles(releases)
    shapes = "; ".join(_("%(shape)s: release %(version)s", shape=marks[v].shape, version=v)
                       for v in reversed(releases))
    summary = _(
        "Line charts, one per indicator, of its value at the end of each reporting period: the "
        "line joins the newest report of each period, and each release's own reports are "
        "marked (%(shapes)s). A black diamond marks the baseline, a black star the target and a "
        "dotted line an even pace between them: the results framework sets no milestones in "
        "between. A suppressed value is a gap in the line marked [c], never a zero.",
        shapes=shapes)
    return ChartView(figure, title, summary, table=_trajectory_table(panels),
                     source=_sources(data, releases))


def _improved(panels: list[Panel]) -> tuple[int, int]:
    """(indicators whose newest published value is better than their first, indicators with
    two published values or more): better is up unless the indicator is descending."""
    improved = compared = 0
    for panel in panels:
        line = reported_periods(panel.rows)
        values = [float(r["actual"]) for r in line.to_dict("records")
                  if not suppressed(r) and not _missing(r["actual"])]
        if len(values) < 2:
            continue
        compared += 1
        ascending = panel.rows.iloc[-1]["ascending"]
        sign = -1.0 if not _missing(ascending) and not bool(ascending) else 1.0
        improved += (values[-1] - values[0]) * sign > 0
    return improved, compared


def _trajectory_table(panels: list[Panel]) -> pd.DataFrame:
    """The text alternative: every reported value of every release, suppressed ones said."""
    records = []
    for panel in panels:
        for row in panel.rows.to_dict("records"):
            baseline, target = references(row)
            records.append({
                _("Indicator"): panel.title,
                _("Release"): row["release_version"],
                _("Period"): period_text(row) or DASH,
                _("Value"): _("suppressed [c]") if suppressed(row)
                else format_value(row["actual"], panel.unit),
                _("Baseline"): baseline,
                _("Target"): target,
            })
    columns = [_("Indicator"), _("Release"), _("Period"), _("Value"), _("Baseline"), _("Target")]
    return pd.DataFrame(records, columns=columns)


def _sources(data: ChartData, releases: list[str]) -> str:
    """The source line, naming every release the chart draws."""
    package = data.release.package_of(RESOURCE)
    resource = data.release.resource(RESOURCE)
    return _("Unit: each indicator's own. Source: %(package)s, table “%(table)s”, releases "
             "%(versions)s.", package=localised_text(package.get("x-title"),
                                                     package.get("title", "")),
             table=localised_text(resource.get("x-title"), resource.get("title", RESOURCE)),
             versions=", ".join(releases) or data.release.version)


# --- table -----------------------------------------------------------------------------------


def framework_table(release: LoadedRelease) -> html.Section:
    """Every indicator at its latest report, grouped by result level."""
    rows = latest(query.table(release, RESOURCE))
    levels = vocabulary(release, RESOURCE, "level", list(dict.fromkeys(rows["level"].fillna(""))))
    statuses = vocabulary(release, RESOURCE, "status", list(STATUSES))
    trends = vocabulary(release, RESOURCE, "trend", list(TREND_ICONS))
    sources = vocabulary(release, RESOURCE, "source", sorted(set(rows["source"].dropna())))
    metrics = vocabulary(release, RESOURCE, "metric", sorted(set(rows["metric"].dropna()) - {""}))
    columns = [_("Id"), _("Indicator"), _("Baseline"), _("Target"), _("Actual"),
               _("Achieved"), _("Status"), _("Trend"), _("Source")]
    bodies = []
    for level, label in levels.items():
        group = rows[rows["level"].fillna("") == level]
        lines = [html.Tr(html.Th(label, colSpan=len(columns), scope="rowgroup",
                                 className="table-light text-uppercase small"))]
        lines += [_row(r, statuses, trends, sources, metrics) for r in group.to_dict("records")]
        bodies.append(html.Tbody(lines))
    table = dbc.Table([column_headers(columns), *bodies],
                      hover=True, size="sm", class_name="mb-0 align-middle portal-indicators")
    return html.Section([
        html.H2(_("The results framework"), className="h4 mt-2"),
        html.P(_("Each indicator at its latest report. Shares of the target are measured from "
                 "the baseline; an indicator can be on track below 100% when its target date "
                 "is still ahead."), className="small text-body-secondary"),
        html.Div(static(table), className="table-responsive bg-white border rounded mb-4"),
    ], className="portal-framework")


def _row(row: dict[str, Any], statuses: dict[str, str], trends: dict[str, str],
         sources: dict[str, str], metrics: dict[str, str]) -> html.Tr:
    unit = row.get("unit") or ""
    hidden = row["status"] == "suppressed"
    baseline, target = references(row)
    actual = _("suppressed [c]") if hidden else format_value(row["actual"], unit)
    period = (_("%(start)s to %(end)s", start=row["period_start"], end=row["period_end"])
              if not _missing(row["period_end"]) else row["period_start"])
    achieved = (_("suppressed [c]") if hidden else
                DASH if _missing(row["achieved_pct"]) else _achieved(float(row["achieved_pct"])))
    metric = row.get("metric")
    breakdown = (_("Metric: %(metric)s", metric=metrics.get(metric, metric))
                 if not _missing(metric) else
                 _("Reported by the programme; no breakdown is published."))
    trend = row.get("trend")
    return html.Tr([
        html.Th(row["indicator_id"], scope="row", className="text-nowrap"),
        html.Td([html.Div(localised(row, "title")),
                 html.Div(breakdown, className="small text-body-secondary")]),
        html.Td(baseline, className="text-nowrap"),
        html.Td(target),
        html.Td([html.Div(actual, className="fw-semibold"),
                 html.Div(period, className="small text-body-secondary")]),
        html.Td(achieved, className="text-end text-nowrap"),
        html.Td(status_badge(row["status"], statuses)),
        html.Td([icon(TREND_ICONS[trend], "me-1"), trends[trend]] if trend in TREND_ICONS
                else DASH, className="text-nowrap"),
        html.Td(sources.get(row["source"], DASH) if not _missing(row["source"]) else DASH),
    ])


def status_badge(status: str, labels: Mapping[str, str]) -> dbc.Badge:
    colour, glyph = BADGES.get(status, ("secondary", "question-circle"))
    return dbc.Badge([icon(glyph, "me-1"), labels.get(status, status)], color=colour,
                     text_color="dark" if colour == "warning" else None,
                     class_name="portal-status")


# --- exports ---------------------------------------------------------------------------------


def export_links(release: LoadedRelease) -> list[tuple[str, str, str]]:
    """(href, file name, icon) of each published file of the indicators."""
    package = release.package_of(RESOURCE)
    version = package.get("version") or release.version
    base = f"/datapackages/{version}/{package['name']}/"
    return [(dash.get_relative_path(base + path), path.rsplit("/", 1)[-1], glyph)
            for path, glyph in EXPORTS]


def exports(release: LoadedRelease) -> html.Section:
    labels = {"indicators.csv": _("Indicators (CSV)"), "indicators.xlsx": _("Indicators (Excel)"),
              "indicators-iati.xml": _("IATI results (XML)")}
    return html.Section([
        html.H2(_("Download the indicators"), className="h4"),
        html.P(_("The published files of this release, every reported period included; the "
                 "IATI file follows the IATI activity standard's results format."),
               className="small text-body-secondary"),
        html.Div([html.A([icon(glyph, "me-1"), labels[name]], href=href, download=name,
                         className="btn btn-sm btn-outline-primary me-2 mb-2")
                  for href, name, glyph in export_links(release)]),
    ], className="portal-exports mb-4")
