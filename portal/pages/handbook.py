"""Handbook: what a business needs to trade formally, sector by sector, step by step.

Each requirement sits beside the share of mapped businesses of the sector that already
meet it, so a producer sees both what to do and how common it is. Shares come from the
published ``requirements`` table only (itself built from the protected compliance
tables); a suppressed share is said to be suppressed, never shown as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, html
from dash.development.base_component import Component

from portal import query
from portal.components import filters
from portal.components.cells import localised, number, vocabulary
from portal.components.chart import ChartData, ChartView, chart
from portal.components.figures import (
    BLUES,
    PALETTE,
    SUPPRESSED_COLOUR,
    SUPPRESSED_MARK,
    cell_borders,
    styled,
    suppressed_trace,
)
from portal.components.page import bind_callbacks, chart_page
from portal.components.static import StaticHtml, static
from portal.i18n import N_, _, format_number, format_percent
from portal.labels import TOTAL, code_labels
from portal.layout import icon, page_title
from portal.load.database import LoadedRelease

dash.register_page(
    __name__,
    path="/handbook",
    name=N_("Handbook"),
    order=7,
    title=page_title(N_("Handbook")),
)

FILTERS = ("sector",)
CHARTS = ["handbook-share-meeting"]

RESOURCE = "requirements"
STEP_SEPARATOR = " | "
NOT_APPLICABLE = "not_applicable"
NOT_APPLICABLE_MARK = "—"


CONTENT_ID = "handbook-content"


def layout(**params: str) -> Component:
    def content(release: LoadedRelease) -> Component:
        return html.Div(handbook(release, filters.parse(release, params)), id=CONTENT_ID)

    return chart_page(
        _("Handbook"),
        _("What a business needs to trade formally: each requirement, who enforces it, how "
          "to meet it, and how many mapped businesses already do."),
        "book", FILTERS, CHARTS, params, before=(content,))


def redraw(sector: str | None) -> Component:
    """The handbook for the sector just chosen: the filter bar only redraws charts itself."""
    release = query.current_release()
    if release is None:
        raise dash.exceptions.PreventUpdate
    return handbook(release, filters.parse(release, {"sector": sector or ""}))


def _register(app: dash.Dash) -> None:
    app.callback(Output(CONTENT_ID, "children"),
                 Input({"type": filters.FILTER_TYPE, "name": "sector"}, "value"),
                 prevent_initial_call=True)(redraw)


bind_callbacks(_register)


# --- helpers ---------------------------------------------------------------------------------


def sectors(release: LoadedRelease) -> dict[str, str]:
    """Sector code → label in schema order, margins left out."""
    return {c: t for c, t in code_labels(release, RESOURCE, "broad_sector").items()
            if c != TOTAL}


def meeting_text(row: Mapping[str, Any]) -> str:
    """"18 of 24 businesses (75%)", or why there is no share."""
    if row["status"] == "suppressed":
        return _("suppressed [c]")
    if row["status"] == NOT_APPLICABLE:
        return _("does not apply to any mapped business in this sector")
    meeting, applicable = number(row["businesses_meeting"]), number(row["businesses_applicable"])
    share = number(row["share_meeting_pct"])
    if meeting is None or applicable is None or share is None:
        return _("no data")
    return _("%(meeting)s of %(applicable)s businesses (%(share)s)",
             meeting=format_number(meeting), applicable=format_number(applicable),
             share=format_percent(share))


# --- handbook content ------------------------------------------------------------------------


def handbook(release: LoadedRelease, active: Mapping[str, str]) -> html.Section:
    """The chosen sector's requirements, or every sector as an accordion."""
    frame = query.table(release, RESOURCE, filters.conditions(active, query.columns(
        release, RESOURCE)))
    names = sectors(release)
    requirements = vocabulary(release, RESOURCE, "requirement",
                              list(dict.fromkeys(frame["requirement"])))
    scopes = vocabulary(release, RESOURCE, "applies_to", sorted(set(frame["applies_to"].dropna())))
    sector = active.get("sector")
    intro = html.P(_("Requirements are listed in the order a new business usually meets them. "
                     "Beside each, the share of the sector's mapped businesses it applies to "
                     "that already meet it."), className="small text-body-secondary")
    if sector:
        rows = frame[frame["broad_sector"] == sector]
        body: Component = html.Div([
            html.H2(_("What a business in %(sector)s needs", sector=names.get(sector, sector)),
                    className="h4"),
            intro,
            html.Div(_requirements(rows, requirements, scopes),
                     className="bg-white border rounded px-3"),
        ])
    else:
        body = html.Div([
            html.H2(_("What a business needs, by sector"), className="h4"),
            intro,
            dbc.Accordion([
                dbc.AccordionItem(
                    _requirements(frame[frame["broad_sector"] == code], requirements, scopes),
                    title=label, item_id=code)
                for code, label in names.items() if (frame["broad_sector"] == code).any()],
                start_collapsed=True, always_open=True, class_name="portal-handbook-sectors"),
        ])
    return html.Section(body, className="portal-handbook mb-4")


def items(row: Mapping[str, Any], stem: str) -> list[str]:
    """The ``|``-separated items (steps, documents) of a ``<stem>_<lang>`` column."""
    return [s.strip() for s in localised(row, stem).split(STEP_SEPARATOR.strip()) if s.strip()]


def _requirements(rows: pd.DataFrame, requirements: Mapping[str, str],
                  scopes: Mapping[str, str]) -> StaticHtml:
    """The requirements as server-rendered HTML: the handbook's hundreds of components."""
    return static([_requirement(r, requirements, scopes) for r in rows.to_dict("records")])


def _requirement(row: dict[str, Any], requirements: Mapping[str, str],
                 scopes: Mapping[str, str]) -> html.Article:
    """One requirement: who, which authority, on what basis, the steps; its share beside."""
    label = requirements.get(row["requirement"], row["requirement"])
    legal = row.get("legal_basis")
    legal = legal if isinstance(legal, str) and legal.strip() else html.Span(
        _("not named in the programme's sources"), className="fst-italic")
    steps = items(row, "steps")
    documents = items(row, "documents")
    applies = row.get("applies_to")
    details = html.Dl([
        html.Dt(_("Applies to"), className="col-sm-3"),
        html.Dd(scopes.get(applies, applies) if isinstance(applies, str) else "—",
                className="col-sm-9"),
        html.Dt(_("Authority"), className="col-sm-3"),
        html.Dd(localised(row, "authority") or "—", className="col-sm-9"),
        html.Dt(_("Legal basis"), className="col-sm-3"),
        html.Dd(legal, className="col-sm-9"),
        *([html.Dt(_("Documents asked for"), className="col-sm-3"),
           html.Dd(html.Ul([html.Li(d) for d in documents], className="mb-0 ps-3"),
                   className="col-sm-9")] if documents else []),
    ], className="row small mb-2")
    return html.Article(dbc.Row([
        dbc.Col([
            html.H3(label, className="h6 mb-2"),
            details,
            html.P(_("How to meet it"), className="small fw-semibold mb-1"),
            html.Ol([html.Li(step) for step in steps], className="small mb-0"),
        ], md=8),
        dbc.Col(_share(row, label), md=4, className="mt-3 mt-md-0"),
    ]), className="py-3 border-bottom portal-requirement")


def _share(row: Mapping[str, Any], label: str) -> html.Div:
    """Progress bar of the share meeting it, its number in words (never a bar for [c])."""
    heading = html.P(_("Mapped businesses meeting it"), className="small text-body-secondary "
                                                                 "mb-1")
    text = meeting_text(row)
    share = number(row["share_meeting_pct"])
    if row["status"] == "suppressed":
        return html.Div([heading, html.P([icon("eye-slash"), text], className="mb-1 fw-semibold"),
                         html.P(_("Too few businesses to publish this share without revealing "
                                  "individual businesses."),
                                className="small text-body-secondary mb-0")])
    if row["status"] == NOT_APPLICABLE or share is None:
        return html.Div([heading, html.P([icon("dash-circle"), text],
                                         className="mb-0 text-body-secondary")])
    bar = html.Div(
        html.Div(className="progress-bar", style={"width": f"{max(0.0, min(share, 100.0))}%"}),
        className="progress", role="progressbar",
        **{"aria-label": _("Share of businesses meeting %(requirement)s", requirement=label),
           "aria-valuenow": round(share, 1), "aria-valuemin": 0, "aria-valuemax": 100,
           "aria-valuetext": text})
    return html.Div([heading, html.P(text, className="mb-1 fw-semibold"), bar])


# --- chart -----------------------------------------------------------------------------------


@chart("handbook-share-meeting", RESOURCE, ("broad_sector", "requirement"), wide=True)
def share_meeting(data: ChartData) -> ChartView:
    """Share of mapped businesses meeting each requirement.

    With a sector chosen: bars for that sector. Without: a heatmap of every sector ×
    requirement, because averaging shares over sectors would weight sectors equally
    whatever their size and hide the suppressed cells, and picking one sector would say
    nothing about the others. Suppressed cells read ``[c]``; requirements that apply to no
    mapped business of a sector read ``—``, and neither is ever drawn as 0%.
    """
    requirements = vocabulary(data.release, RESOURCE, "requirement",
                              list(dict.fromkeys(data.frame["requirement"])))
    names = sectors(data.release)
    frame = data.frame
    sector = data.active.get("sector")
    figure = (_bars(frame, requirements) if sector
              else _heatmap(frame, names, requirements))
    published = frame[frame["status"] == "published"].dropna(subset=["share_meeting_pct"])
    if published.empty:
        title = _("Share of mapped businesses meeting each requirement")
    else:
        worst = published.loc[published["share_meeting_pct"].astype(float).idxmin()]
        requirement = requirements.get(worst["requirement"], worst["requirement"])
        share = format_percent(float(worst["share_meeting_pct"]))
        where = names.get(worst["broad_sector"], worst["broad_sector"])
        title = (_("Fewest businesses in %(sector)s meet “%(requirement)s” (%(share)s)",
                   sector=where, requirement=requirement, share=share) if sector else
                 _("“%(requirement)s” is the least met requirement: %(share)s of businesses in "
                   "%(sector)s", requirement=requirement, share=share, sector=where))
    summary = (_("Bar chart of the share of the sector's mapped businesses that meet each "
                 "requirement applying to them.") if sector else
               _("Heatmap of the share of mapped businesses meeting each requirement, one row "
                 "per sector; [c] marks suppressed shares and a dash requirements that apply "
                 "to no mapped business of the sector."))
    table = pd.DataFrame({
        _("Sector"): [names.get(c, c) for c in frame["broad_sector"]],
        _("Requirement"): [requirements.get(c, c) for c in frame["requirement"]],
        _("Businesses meeting it"): [meeting_text(r) for r in frame.to_dict("records")],
    })
    return ChartView(figure, title, summary, table=table)


def _bars(frame: pd.DataFrame, requirements: Mapping[str, str]) -> go.Figure:
    figure = go.Figure()
    shown = frame[frame["status"] == "published"].dropna(subset=["share_meeting_pct"])
    shares = shown["share_meeting_pct"].astype(float)
    figure.add_bar(
        x=shares, y=[requirements[c] for c in shown["requirement"]], orientation="h",
        marker_color=PALETTE[0], showlegend=False, cliponaxis=False, textposition="outside",
        text=[format_percent(v) for v in shares],
        customdata=[meeting_text(r) for r in shown.to_dict("records")],
        hovertemplate="%{y}: %{customdata}<extra></extra>")
    hidden = frame[frame["status"] == "suppressed"]
    if not hidden.empty:
        figure.add_trace(suppressed_trace([requirements[c] for c in hidden["requirement"]], True))
    absent = frame[frame["status"] == NOT_APPLICABLE]
    if not absent.empty:
        figure.add_scatter(
            x=[0] * len(absent), y=[requirements[c] for c in absent["requirement"]],
            mode="markers+text", name=_("Applies to no mapped business"),
            text=[_("does not apply")] * len(absent), textposition="middle right",
            marker={"symbol": "line-ew-open", "size": 10, "color": SUPPRESSED_COLOUR,
                    "line": {"width": 2, "color": SUPPRESSED_COLOUR}},
            textfont={"color": SUPPRESSED_COLOUR}, cliponaxis=False,
            hovertemplate="%{y}: " + _("does not apply to any mapped business in this sector")
            + "<extra></extra>")
    figure.update_yaxes(categoryorder="array", autorange="reversed",
                        categoryarray=[requirements[c] for c in frame["requirement"]])
    figure.update_xaxes(title_text=_("Share of businesses meeting it"), range=[0, 112],
                        ticksuffix="%")
    return styled(figure, max(240, 60 + 30 * len(frame)))


def _heatmap(frame: pd.DataFrame, sector_labels: Mapping[str, str],
             requirements: Mapping[str, str]) -> go.Figure:
    rows = [c for c in sector_labels if (frame["broad_sector"] == c).any()]
    columns = list(requirements)
    cells = frame.set_index(["broad_sector", "requirement"]).to_dict("index")
    z, text, hover = [], [], []
    for sector in rows:
        line_z, line_text, line_hover = [], [], []
        for requirement in columns:
            cell = cells.get((sector, requirement))
            share = number(cell["share_meeting_pct"]) if cell else None
            published = cell is not None and cell["status"] == "published" and share is not None
            line_z.append(share if published else None)
            line_text.append(format_percent(share) if published else
                             NOT_APPLICABLE_MARK if cell and cell["status"] == NOT_APPLICABLE
                             else SUPPRESSED_MARK)
            line_hover.append(meeting_text(cell) if cell else _("no data"))
        z.append(line_z)
        text.append(line_text)
        hover.append(line_hover)
    figure = go.Figure(go.Heatmap(
        z=z, x=[requirements[c] for c in columns], y=[sector_labels[c] for c in rows],
        text=text, texttemplate="%{text}", customdata=hover,
        colorscale=BLUES, zmin=0, zmax=100,
        hoverongaps=False,
        colorbar={"title": {"text": "%"}, "thickness": 12, "ticksuffix": "%"},
        hovertemplate="%{y} · %{x}: %{customdata}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", showgrid=False)
    figure.update_xaxes(tickangle=-35, showgrid=False)
    styled(figure, max(320, 150 + 40 * len(rows)))
    figure.update_layout(plot_bgcolor="#e9ecef")  # after styled(): gaps read as grey cells
    return cell_borders(figure)
