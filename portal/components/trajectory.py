"""Small multiples of values over time as several releases reported them, against targets.

Each panel is one indicator: a line through the newest report of each period, every
release's own reports as markers of a shape of its own (so a revised value shows beside the
line, and colour is never the only cue), the baseline and target as reference markers joined
by a dotted even pace. A suppressed value is a gap in the line marked ``[c]``, never a zero.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from portal.components.figures import (
    PALETTE,
    SUPPRESSED_COLOUR,
    SUPPRESSED_MARK,
    shortened,
    styled,
)
from portal.i18n import N_, _

COLUMNS = 3
#: Pixels of one panel, of the gap under it (ticks and the next panel's title), and of the
#: titles above the first row.
PANEL_PX, GAP_PX, TITLES_PX = 170, 78, 40
#: Characters per line of a panel's title: two lines fit a third of the report's width.
TITLE_CHARS = 32
REFERENCE_COLOUR = "#212529"
PACE_COLOUR = "#6c757d"
#: (plotly symbol, its name in words, size) of each release's markers, newest first.
SHAPES = (("circle", N_("filled circles"), 8), ("square-open", N_("open squares"), 11),
          ("diamond-open", N_("open diamonds"), 12), ("triangle-up-open", N_("open triangles"), 11))
#: Pad (days) at each end of the shared time axis.
PAD_DAYS = 75


@dataclass(frozen=True)
class Panel:
    """One indicator: its title, unit, and its rows in every release (oldest first)."""

    title: str
    unit: str
    rows: pd.DataFrame


@dataclass(frozen=True)
class Style:
    symbol: str
    shape: str
    size: int
    colour: str


def styles(releases: Sequence[str]) -> dict[str, Style]:
    """Each release's marker, the newest filled (``releases`` oldest first)."""
    out = {}
    for age, version in enumerate(reversed(releases)):
        symbol, shape, size = SHAPES[age % len(SHAPES)]
        out[version] = Style(symbol, _(shape), size, PALETTE[age % len(PALETTE)])
    return out


def panel_title(text: str, width: int = TITLE_CHARS) -> str:
    """A panel's title on at most two lines (``<br>``), cut with "…" beyond: a third line
    would run into the plot above; the full title is in the chart's table."""
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]
    if len(lines) > 2:
        lines = [lines[0], shortened(" ".join(lines[1:]), width)]
    return "<br>".join(lines)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def when(row: pd.Series | dict[str, Any]) -> str | None:
    """The day a reported value stands for: the end of its period (its start without one)."""
    for column in ("period_end", "period_start"):
        value = row.get(column)
        if isinstance(value, str) and value:
            return value[:10]
    return None


def trajectory(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per reported period, from the newest release reporting it, in time order
    (a ``when`` column added); rows without a period are left out."""
    dated = rows.assign(when=[when(r) for r in rows.to_dict("records")])
    dated = dated[dated["when"].notna()]
    newest = dated.drop_duplicates(["period_start", "period_end"], keep="last")
    return newest.sort_values("when", kind="stable")


def suppressed(row: pd.Series | dict[str, Any]) -> bool:
    """Whether the row's value was published as ``[c]`` (the load layer says so in its
    status)."""
    return row.get("status") == "suppressed"


def _reference(rows: pd.DataFrame) -> dict[str, Any]:
    """Baseline and target as the newest release states them."""
    return rows.iloc[-1].to_dict() if len(rows) else {}


def _span(panels: Sequence[Panel]) -> list[str]:
    days = []
    for panel in panels:
        days += [d for d in (when(r) for r in panel.rows.to_dict("records")) if d]
        ref = _reference(panel.rows)
        if not _missing(ref.get("baseline_year")):
            days.append(f"{int(ref['baseline_year'])}-01-01")
        if isinstance(ref.get("target_date"), str) and ref["target_date"]:
            days.append(ref["target_date"][:10])
    if not days:
        return []
    pad = pd.Timedelta(days=PAD_DAYS)
    return [(pd.Timestamp(min(days)) - pad).date().isoformat(),
            (pd.Timestamp(max(days)) + pad).date().isoformat()]


def small_multiples(panels: Sequence[Panel], releases: Sequence[str],
                    value_text: Callable[[Any, str], str]) -> go.Figure:
    """One panel per indicator on a shared time axis; ``value_text`` writes a value in its
    unit (hover texts)."""
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    area = rows * PANEL_PX + (rows - 1) * GAP_PX
    figure = make_subplots(rows=rows, cols=COLUMNS, horizontal_spacing=0.08,
                           vertical_spacing=GAP_PX / area if rows > 1 else 0.0,
                           subplot_titles=[panel_title(p.title) for p in panels])
    figure.update_annotations(font={"size": 12})
    marks = styles(releases)
    shown: set[str] = set()

    def legend(group: str) -> bool:
        first = group not in shown
        shown.add(group)
        return first

    for number, panel in enumerate(panels):
        at = {"row": number // COLUMNS + 1, "col": number % COLUMNS + 1}
        axis = "" if number == 0 else str(number + 1)
        line = trajectory(panel.rows)
        values = [None if suppressed(r) or _missing(r["actual"]) else float(r["actual"])
                  for r in line.to_dict("records")]
        figure.add_scatter(x=list(line["when"]), y=values, mode="lines", connectgaps=False,
                           name=_("Trajectory"), legendgroup="trajectory",
                           showlegend=legend("trajectory"), hoverinfo="skip",
                           line={"color": PALETTE[0], "width": 2}, **at)
        for version in releases:
            own = panel.rows[panel.rows["release_version"] == version]
            own = own.assign(when=[when(r) for r in own.to_dict("records")])
            own = own[own["when"].notna()]
            if own.empty:
                continue
            style = marks[version]
            hover = [_("Release %(version)s, %(period)s: %(value)s", version=version,
                       period=period_text(r), value=_("suppressed [c]") if suppressed(r)
                       else value_text(r["actual"], panel.unit))
                     for r in own.to_dict("records")]
            figure.add_scatter(
                x=list(own["when"]),
                y=[None if suppressed(r) or _missing(r["actual"]) else float(r["actual"])
                   for r in own.to_dict("records")],
                mode="markers", name=_("Release %(version)s", version=version),
                legendgroup=f"release-{version}", showlegend=legend(f"release-{version}"),
                marker={"symbol": style.symbol, "size": style.size, "color": style.colour,
                        "line": {"width": 2, "color": style.colour}},
                customdata=hover, hovertemplate="%{customdata}<extra></extra>", **at)
        for row in line.to_dict("records"):
            if suppressed(row):
                figure.add_annotation(
                    x=row["when"], y=0, xref=f"x{axis}", yref=f"y{axis} domain",
                    text=SUPPRESSED_MARK, showarrow=False, yanchor="bottom",
                    font={"color": SUPPRESSED_COLOUR, "size": 12},
                    hovertext=_("Release %(version)s, %(period)s: suppressed for "
                                "confidentiality", version=row["release_version"],
                                period=period_text(row)))
        _references(figure, panel, value_text, legend, at)
    if any(suppressed(r) for p in panels for r in trajectory(p.rows).to_dict("records")):
        figure.add_scatter(x=[None], y=[None], mode="markers", name=_("Suppressed [c]: a gap"),
                           legendgroup="suppressed", hoverinfo="skip",
                           marker={"symbol": "x-thin-open", "size": 10,
                                   "color": SUPPRESSED_COLOUR,
                                   "line": {"width": 2, "color": SUPPRESSED_COLOUR}},
                           row=1, col=1)
    span = _span(panels)
    styled(figure, area + TITLES_PX + 120)
    figure.update_xaxes(type="date", range=span or None, tickformat="%Y", dtick="M12",
                        gridcolor="#e9ecef", automargin=True)
    figure.update_yaxes(gridcolor="#e9ecef", zeroline=False, nticks=5, automargin=True)
    for number, panel in enumerate(panels):
        suffix = "%" if panel.unit == "percent" else ""
        figure.update_yaxes(ticksuffix=suffix, row=number // COLUMNS + 1,
                            col=number % COLUMNS + 1)
    figure.update_layout(margin={"t": TITLES_PX + 8},
                         legend={"y": 1 + TITLES_PX / area, "yanchor": "bottom"})
    return figure


def _references(figure: go.Figure, panel: Panel, value_text: Callable[[Any, str], str],
                legend: Callable[[str], bool], at: dict[str, int]) -> None:
    """Baseline (at the start of its year), target (at its date) and the even pace between."""
    ref = _reference(panel.rows)
    baseline = None
    if not _missing(ref.get("baseline")) and not _missing(ref.get("baseline_year")):
        year = int(ref["baseline_year"])
        baseline = (f"{year}-01-01", float(ref["baseline"]))
        figure.add_scatter(
            x=[baseline[0]], y=[baseline[1]], mode="markers", name=_("Baseline"),
            legendgroup="baseline", showlegend=legend("baseline"),
            marker={"symbol": "diamond", "size": 9, "color": REFERENCE_COLOUR},
            customdata=[_("Baseline (%(year)s): %(value)s", year=year,
                          value=value_text(ref["baseline"], panel.unit))],
            hovertemplate="%{customdata}<extra></extra>", **at)
    if _missing(ref.get("target")) or not ref.get("target_date"):
        return
    target = (str(ref["target_date"])[:10], float(ref["target"]))
    if baseline is not None:
        figure.add_scatter(
            x=[baseline[0], target[0]], y=[baseline[1], target[1]], mode="lines",
            name=_("Even pace from baseline to target"), legendgroup="pace",
            showlegend=legend("pace"), hoverinfo="skip",
            line={"color": PACE_COLOUR, "width": 1.5, "dash": "dot"}, **at)
    figure.add_scatter(
        x=[target[0]], y=[target[1]], mode="markers", name=_("Target"), legendgroup="target",
        showlegend=legend("target"),
        marker={"symbol": "star", "size": 14, "color": REFERENCE_COLOUR},
        customdata=[_("Target by %(date)s: %(value)s", date=target[0],
                      value=value_text(ref["target"], panel.unit))],
        hovertemplate="%{customdata}<extra></extra>", **at)


def period_text(row: pd.Series | dict[str, Any]) -> str:
    """A reporting period in words ("2020-01-01 to 2020-06-30")."""
    start, end = (row.get(c) if isinstance(row.get(c), str) else ""
                  for c in ("period_start", "period_end"))
    if start and end:
        return _("%(start)s to %(end)s", start=start, end=end)
    return start or end
