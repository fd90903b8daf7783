"""Plotly figures in the portal's style, with suppressed values drawn as suppressed.

A suppressed cell (``[c]`` in the package, NULL in the database) is never drawn as a
zero-length bar that reads as "none": it gets a grey ✕ marker on the axis, the
``[c]`` label and a hover text saying why, under a legend entry of its own.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from portal.components.cells import cell, number
from portal.i18n import _, format_number, number_separators
from portal.labels import TOTAL

#: Okabe & Ito's colour-blind-safe palette, darkest first (white text stays legible).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
#: Ordered scales (e.g. informal → formal) in one hue family that stays distinct in greyscale.
SEQUENTIAL = ("#d55e00", "#e69f00", "#56b4e9", "#0072b2")
SUPPRESSED_COLOUR = "#6c757d"
SUPPRESSED_MARK = "[c]"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
#: Light to dark blue, for grids of counts and shares.
BLUES = [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]]
#: Characters per line of a category label on a horizontal bar chart: on a phone, longer
#: labels would leave the bars no room.
WRAP = 28

_LAYOUT = {
    "font": {"family": FONT, "size": 13, "color": "#212529"},
    "colorway": list(PALETTE),
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
    "margin": {"l": 8, "r": 16, "t": 8, "b": 8},
    # Entries in rows above the plot. "normal" order: the ``[c]`` entry has a legend group
    # of its own, and plotly lays out a grouped horizontal legend one group per column.
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0,
               "title": {"text": ""}, "traceorder": "normal"},
    "hoverlabel": {"font": {"family": FONT}},
    "xaxis": {"gridcolor": "#e9ecef", "zerolinecolor": "#adb5bd", "automargin": True},
    "yaxis": {"gridcolor": "#e9ecef", "zerolinecolor": "#adb5bd", "automargin": True},
}


def styled(figure: go.Figure, height: int = 360) -> go.Figure:
    """Apply the portal's look (small, explicit layout instead of plotly's big template) and
    the visitor's decimal and thousands marks."""
    figure.update_layout(template=None, height=height, separators=number_separators(), **_LAYOUT)
    return figure


#: A legend line at phone width holds about this many characters of entries (each entry's
#: symbol and gap count for ~6), and is this many pixels high.
_LEGEND_CHARS = 42
_LEGEND_LINE = 22
#: Pixels per line of a wrapped category label.
_LABEL_LINE = 16


def wrapped(label: str, width: int = WRAP) -> str:
    """A long label broken onto lines (``<br>``) so that on a phone the axis labels leave
    room for the plot; words are never split."""
    return "<br>".join(textwrap.wrap(label, width, break_long_words=False,
                                     break_on_hyphens=False)) or label


def wrap_all(labels: Mapping[str, str], width: int = WRAP) -> dict[str, str]:
    """:func:`wrapped` over code → label (``width`` 0: unchanged)."""
    return {code: wrapped(text, width) if width else text for code, text in labels.items()}


def legend_room(figure: go.Figure) -> int:
    """Pixels the horizontal legend above the plot takes on a phone.

    It sits outside the plot area, so plotly takes its room from the plot: a chart sized
    for its bars alone would come out squashed under a legend of several lines.
    """
    entries = [t for t in figure.data if t.showlegend is not False]
    if len(entries) < 2 and not any(t.showlegend for t in entries):
        return 0  # plotly draws no legend for a lone trace
    chars = sum(len(t.name or "") + 6 for t in entries)
    return _LEGEND_LINE * math.ceil(chars / _LEGEND_CHARS) + 10


def bar_height(figure: go.Figure, names: Sequence[str], band: int, minimum: int) -> int:
    """Height of a horizontal bar chart: ``band`` pixels a category (more for a label on
    several lines), at least ``minimum``, plus the legend's room on top of that."""
    bands = sum(max(band, _LABEL_LINE * (name.count("<br>") + 1) + 8) for name in names)
    return max(minimum, 60 + bands) + legend_room(figure)


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


def shortened(text: str, limit: int = 30) -> str:
    """A label cut to fit a phone's axis; the full label is in the chart's table."""
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;") + "…"


def bars(frame: pd.DataFrame, category: str, labels: Mapping[str, str], unit: str, *,
         colour: str | None = None, colour_labels: Mapping[str, str] | None = None,
         horizontal: bool = True, stacked: bool = False,
         colours: Sequence[str] = PALETTE, height: int | None = None,
         wrap: int = WRAP) -> go.Figure:
    """Bars of ``value`` by ``category`` (optionally split by ``colour``, one series per code
    of ``colour_labels``); ``_total`` rows are dropped, suppressed cells marked.

    Horizontal bars break category labels longer than ``wrap`` characters onto lines (0:
    never), and the chart is as tall as its labels and its legend need.
    """
    if horizontal:
        labels = wrap_all(labels, wrap)
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
    if height is None and horizontal:
        shown = [labels.get(c, c) for c in set(data[category])]
        band = 26 if colour is None or stacked else 12 * len(groups) + 10
        height = bar_height(figure, shown, band, 220)
    return styled(figure, height or 360)


def stacked(frame: pd.DataFrame, category: str, categories: Mapping[str, str], colour: str,
            colour_labels: Mapping[str, str], unit: str, *, colours: Sequence[str] = PALETTE,
            percent: bool = False, wrap: int = WRAP) -> go.Figure:
    """Horizontal bars of ``value`` by ``category`` (in the order of ``categories``), stacked
    by ``colour`` (one segment per code of ``colour_labels``, the margin aside).

    Suppressed cells are never drawn as zero: together they form one grey ``[c]`` segment
    whose length is the published margin (``colour`` = ``_total``) less the published
    cells, so the bar keeps its true length; where no margin allows that, the category gets
    the suppressed marker. ``percent`` scales every bar to its margin (100%).
    """
    names = list(wrap_all(categories, wrap).values())
    segments: dict[str, list[float | None]] = {code: [None] * len(names) for code in colour_labels
                                               if code != TOTAL}
    pooled: list[float | None] = [None] * len(names)
    hidden: list[str] = []
    for index, code in enumerate(categories):
        rows = frame[frame[category] == code]
        cells = rows[rows[colour] != TOTAL]
        suppressed = bool((cells["status"] == "suppressed").any())
        shown = cells[cells["status"] != "suppressed"]
        known = float(shown["value"].astype(float).sum())
        total = cell(rows, **{colour: TOTAL})
        if total is None and not suppressed and not shown.empty:
            total = known
        if percent and not total:
            if not cells.empty:
                hidden.append(names[index])
            continue
        scale = 100 / total if percent and total else 1.0
        for record in shown.to_dict("records"):
            if record[colour] in segments:
                segments[record[colour]][index] = float(record["value"]) * scale
        if suppressed:
            rest = total - known if total is not None else None
            if rest is not None and rest > 0:
                pooled[index] = rest * scale
            else:
                hidden.append(names[index])
    figure = go.Figure()
    value_format = "%{x:.0f}%" if percent else "%{x:,.0f} " + unit
    for index, (code, values) in enumerate(segments.items()):
        if all(v is None for v in values):
            continue
        figure.add_bar(
            x=values, y=names, orientation="h", name=colour_labels[code],
            marker_color=colours[index % len(colours)],
            hovertemplate=_("%(category)s · %(series)s: %(value)s", category="%{y}",
                            series=colour_labels[code], value=value_format) + "<extra></extra>")
    if any(v is not None for v in pooled):
        figure.add_bar(
            x=pooled, y=names, orientation="h", name=_("Suppressed [c]"),
            legendgroup="suppressed", marker={"color": SUPPRESSED_COLOUR, "opacity": 0.55,
                                              "pattern": {"shape": "/"}},
            text=[SUPPRESSED_MARK if v is not None else None for v in pooled],
            textposition="inside", insidetextanchor="middle",
            textfont={"color": "#212529"},
            hovertemplate=_("%(category)s: suppressed cells together %(value)s",
                            category="%{y}", value=value_format) + "<extra></extra>")
    if hidden:
        figure.add_trace(suppressed_trace(hidden, True, showlegend=all(v is None
                                                                          for v in pooled)))
    figure.update_yaxes(categoryorder="array", categoryarray=names, autorange="reversed")
    figure.update_xaxes(title_text="%" if percent else unit, rangemode="tozero",
                        **({"range": [0, 100]} if percent else {}))
    figure.update_layout(barmode="stack")
    return styled(figure, bar_height(figure, names, 30, 240))


def heatmap(frame: pd.DataFrame, x: str, y: str, x_labels: Mapping[str, str],
            y_labels: Mapping[str, str], value: str, unit: str, percent: bool = False,
            scale: bool = True) -> go.Figure:
    """A grid of ``value`` (NaN where suppressed, printed as ``[c]``).

    The colours run from 0 to the largest published value (to 100 for ``percent``). A grid
    with nothing above zero gets the lightest colour and no colour bar, not plotly's
    mid-scale colour for a range of zero width; ``scale=False`` leaves the bar out anyway
    (the numbers are printed in the cells).
    """
    xs = [c for c in x_labels if c in set(frame[x])]
    ys = [c for c in y_labels if c in set(frame[y])]
    grid = frame.set_index([y, x])[value]
    z = [[number(grid.get((row, col))) for col in xs] for row in ys]
    text = [[SUPPRESSED_MARK if v is None else format_number(v, 1 if percent else 0) +
             ("%" if percent else "") for v in line] for line in z]
    peak = max((v for line in z for v in line if v is not None), default=0.0)
    top = 100.0 if percent else peak if peak > 0 else 1.0
    figure = go.Figure(go.Heatmap(
        z=z, x=[x_labels[c] for c in xs], y=[y_labels[c] for c in ys], text=text,
        texttemplate="%{text}", colorscale=BLUES, zmin=0, zmax=top, hoverongaps=False,
        showscale=scale and peak > 0,
        colorbar={"title": {"text": unit}, "thickness": 12},
        hovertemplate=f"%{{y}} · %{{x}}: %{{text}} {unit}<extra></extra>"))
    figure.update_yaxes(autorange="reversed")
    styled(figure, max(260, 70 + 34 * len(ys)))
    figure.update_layout(plot_bgcolor="#e9ecef")  # gaps (suppressed) read as grey cells
    return cell_borders(figure)


def cell_borders(figure: go.Figure, width: int = 2) -> go.Figure:
    """Lines between a heatmap's cells, in the plot's background colour, instead of plotly's
    ``xgap``/``ygap``.

    Without gaps plotly.js draws the cells as an image of one pixel per cell scaled up crisp
    (``image-rendering: pixelated``): a few hundred bytes, drawn at once, which the browser
    does not count as the page's largest paint (it is nearly no content). With gaps it
    encodes an image of the whole plot, which became the largest paint of a chart page as
    soon as it was drawn.
    """
    grid = next(trace for trace in figure.data if trace.type == "heatmap")
    colour = figure.layout.plot_bgcolor or "white"
    for i in range(1, len(grid.x or [])):
        figure.add_vline(x=i - 0.5, line_width=width, line_color=colour)
    for i in range(1, len(grid.y or [])):
        figure.add_hline(y=i - 0.5, line_width=width, line_color=colour)
    return figure


#: Width of a character of a 13 px system-ui label, in px, by kind: generous (the widest of the
#: usual system fonts), so a label is never cut; digits and most lowercase are "other".
_GLYPH_PX = {"narrow": 4.2, "wide": 11.0, "upper": 9.0, "other": 7.6}
_NARROW, _WIDE = set("iIjlft.,:;'|!()[] "), set("mwMW—")
#: Room for the tick labels of a numeric x axis, its title, and the gap to the plot.
_TICKS_PX, _TITLE_PX, _GAP_PX = 22, 22, 14


def label_width(text: str, size: float = 13) -> float:
    """Pixels the longest line of ``text`` (``<br>`` between lines, tags aside) takes."""
    lines = re.sub(r"<(?!br)[^>]+>", "", text).split("<br>")

    def width(line: str) -> float:
        return sum(_GLYPH_PX["narrow" if ch in _NARROW else "wide" if ch in _WIDE
                             else "upper" if ch.isupper() else "other"] for ch in line)

    return max(width(line) for line in lines) * size / 13


def fixed_margins(figure: dict[str, Any]) -> dict[str, Any]:
    """Margins measured here for a horizontal bar chart, or a heatmap whose column labels have
    a set angle, so plotly need not: its automargin draws a chart up to three times over to fit
    the labels, which took 3–5× the drawing time (200–900 ms of blocked main thread for a chart
    on a phone). Other charts keep automargin."""
    data, layout = figure.get("data") or [], figure.setdefault("layout", {})
    xaxis, yaxis = layout.setdefault("xaxis", {}), layout.setdefault("yaxis", {})
    kinds = {t.get("type") for t in data}
    bars_ = kinds <= {"bar", "scatter"} and "bar" in kinds and all(
        t.get("orientation") == "h" for t in data if t.get("type") == "bar")
    angle = xaxis.get("tickangle")
    grid = kinds <= {"heatmap", "scatter"} and "heatmap" in kinds and isinstance(
        angle, int | float)
    if (not (bars_ or grid) or yaxis.get("side") == "right" or xaxis.get("side") == "top"
            or any(key.startswith(("xaxis", "yaxis")) and key[5:] for key in layout)):
        return figure
    font = (layout.get("font") or {}).get("size", 13)
    rows = [str(v) for t in data for v in (t.get("y") or []) if v is not None]
    left = max((label_width(v, (yaxis.get("tickfont") or {}).get("size") or font)
                for v in rows), default=0.0) + _GAP_PX
    if (yaxis.get("title") or {}).get("text"):
        left += _TITLE_PX
    bottom = float(_TICKS_PX)
    if grid:  # column labels turned by ``angle``: their height, and the first one's reach left
        columns = [str(v) for t in data if t.get("type") == "heatmap" for v in t.get("x") or []]
        size = (xaxis.get("tickfont") or {}).get("size") or font
        turn = math.radians(abs(angle))
        widest = max((label_width(v, size) for v in columns), default=0.0)
        bottom = widest * math.sin(turn) + size * math.cos(turn) + _GAP_PX
        if columns:
            left = max(left, label_width(columns[0], size) * math.cos(turn))
    if (xaxis.get("title") or {}).get("text"):
        bottom += _TITLE_PX
    layout["margin"] = {**(layout.get("margin") or {}), "l": math.ceil(left),
                        "b": math.ceil(bottom) + 8}
    xaxis["automargin"] = yaxis["automargin"] = False
    return figure
