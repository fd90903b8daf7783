"""Plotly figures in the portal's style, with suppressed values drawn as suppressed.

A suppressed cell (``[c]`` in the package, NULL in the database) is never drawn as a
zero-length bar that reads as "none": it gets a grey ✕ marker on the axis, the
``[c]`` label and a hover text saying why, under a legend entry of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from portal.i18n import _, format_number
from portal.labels import TOTAL

#: Okabe & Ito's colour-blind-safe palette, darkest first (white text stays legible).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
#: Ordered scales (e.g. informal → formal) in one hue family that stays distinct in greyscale.
SEQUENTIAL = ("#d55e00", "#e69f00", "#56b4e9", "#0072b2")
SUPPRESSED_COLOUR = "#6c757d"
SUPPRESSED_MARK = "[c]"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'

_LAYOUT = {
    "font": {"family": FONT, "size": 13, "color": "#212529"},
    "colorway": list(PALETTE),
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
    "margin": {"l": 8, "r": 16, "t": 8, "b": 8},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0,
               "title": {"text": ""}},
    "hoverlabel": {"font": {"family": FONT}},
    "xaxis": {"gridcolor": "#e9ecef", "zerolinecolor": "#adb5bd", "automargin": True},
    "yaxis": {"gridcolor": "#e9ecef", "zerolinecolor": "#adb5bd", "automargin": True},
}


def styled(figure: go.Figure, height: int = 360) -> go.Figure:
    """Apply the portal's look (small, explicit layout instead of plotly's big template)."""
    figure.update_layout(template=None, height=height, **_LAYOUT)
    return figure


def interior(frame: pd.DataFrame, *dims: str) -> pd.DataFrame:
    """Rows that are cells, not the ``_total`` margins."""
    keep = pd.Series(True, index=frame.index)
    for dim in dims:
        keep &= frame[dim] != TOTAL
    return frame[keep]


def ordered(frame: pd.DataFrame, dim: str, labels: Mapping[str, str]) -> pd.DataFrame:
    """Rows in the schema's order of ``dim`` (labels are in that order)."""
    rank = {code: i for i, code in enumerate(labels)}
    return frame.assign(_rank=frame[dim].map(rank).fillna(len(rank))).sort_values(
        "_rank", kind="stable").drop(columns="_rank")


def suppressed_trace(categories: Sequence[str], horizontal: bool, name: str | None = None,
                     showlegend: bool = True) -> go.Scatter:
    """Markers on the axis for suppressed cells, labelled ``[c]``."""
    zeros = [0] * len(categories)
    xy = {"x": zeros, "y": list(categories)} if horizontal else {"x": list(categories), "y": zeros}
    hover = _("Suppressed for confidentiality")
    return go.Scatter(
        **xy, mode="markers+text", name=name or _("Suppressed [c]"), showlegend=showlegend,
        legendgroup="suppressed", text=[SUPPRESSED_MARK] * len(categories),
        textposition="middle right" if horizontal else "top center",
        marker={"symbol": "x-thin-open", "size": 10, "color": SUPPRESSED_COLOUR,
                "line": {"width": 2, "color": SUPPRESSED_COLOUR}},
        textfont={"color": SUPPRESSED_COLOUR},
        hovertemplate=f"%{{{'y' if horizontal else 'x'}}}: {hover}<extra></extra>",
        cliponaxis=False)


def bars(frame: pd.DataFrame, category: str, labels: Mapping[str, str], unit: str, *,
         colour: str | None = None, colour_labels: Mapping[str, str] | None = None,
         horizontal: bool = True, stacked: bool = False,
         colours: Sequence[str] = PALETTE, height: int | None = None) -> go.Figure:
    """Bars of ``value`` by ``category`` (optionally split by ``colour``); ``_total`` rows
    are dropped, suppressed cells marked."""
    dims = (category, colour) if colour else (category,)
    data = ordered(interior(frame, *dims), category, labels)
    figure = go.Figure()
    groups = [(None, data)] if colour is None else [
        (code, data[data[colour] == code]) for code in (colour_labels or {})
        if (data[colour] == code).any()]
    hidden: list[str] = []
    for index, (code, rows) in enumerate(groups):
        names = [labels.get(c, c) for c in rows[category]]
        values = rows["value"].astype(float)
        published = rows["status"] != "suppressed"
        name = (colour_labels or {}).get(code, code) if code is not None else unit
        kept = [n for n, p in zip(names, published, strict=True) if p]
        pairs = {"x": values[published], "y": kept}
        if not horizontal:
            pairs = {"x": pairs["y"], "y": pairs["x"]}
        figure.add_bar(**pairs, name=name, orientation="h" if horizontal else "v",
                       marker_color=colours[index % len(colours)], showlegend=code is not None,
                       hovertemplate=f"%{{{'y' if horizontal else 'x'}}}: "
                                     f"%{{{'x' if horizontal else 'y'}:,}} {unit}"
                                     f"<extra>{name}</extra>")
        hidden += [n for n, p in zip(names, published, strict=True) if not p]
    if hidden:
        figure.add_trace(suppressed_trace(hidden, horizontal))
    category_order = [labels.get(c, c) for c in labels if c != TOTAL]
    axis = {"categoryorder": "array", "categoryarray": category_order}
    if horizontal:
        figure.update_yaxes(**axis, autorange="reversed")
        figure.update_xaxes(title_text=unit, rangemode="tozero")
    else:
        figure.update_xaxes(**axis)
        figure.update_yaxes(title_text=unit, rangemode="tozero")
    figure.update_layout(barmode="stack" if stacked else "group")
    shown = len(set(data[category]))
    return styled(figure, height or max(220, 60 + (shown * (26 if colour is None or stacked
                                                            else 12 * len(groups) + 10)
                                                   if horizontal else 300)))


def heatmap(frame: pd.DataFrame, x: str, y: str, x_labels: Mapping[str, str],
            y_labels: Mapping[str, str], value: str, unit: str, percent: bool = False) -> go.Figure:
    """A grid of ``value`` (NaN where suppressed, printed as ``[c]``)."""
    xs = [c for c in x_labels if c in set(frame[x])]
    ys = [c for c in y_labels if c in set(frame[y])]
    grid = frame.set_index([y, x])[value]
    z = [[_float(grid.get((row, col))) for col in xs] for row in ys]
    text = [[SUPPRESSED_MARK if v is None else format_number(v, 1 if percent else 0) +
             ("%" if percent else "") for v in line] for line in z]
    figure = go.Figure(go.Heatmap(
        z=z, x=[x_labels[c] for c in xs], y=[y_labels[c] for c in ys], text=text,
        texttemplate="%{text}", colorscale=[[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]],
        zmin=0, zmax=100 if percent else None, hoverongaps=False, xgap=2, ygap=2,
        colorbar={"title": {"text": unit}, "thickness": 12},
        hovertemplate=f"%{{y}} · %{{x}}: %{{text}} {unit}<extra></extra>"))
    figure.update_yaxes(autorange="reversed")
    styled(figure, max(260, 70 + 34 * len(ys)))
    figure.update_layout(plot_bgcolor="#e9ecef")  # gaps (suppressed) read as grey cells
    return figure


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
