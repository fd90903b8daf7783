"""Maps of Kosovo's municipalities: a choropleth drawn as filled polygons on plain axes.

Offline by construction: the boundaries are the geoBoundaries file in ``etl/reference/``
(:mod:`etl.boundaries`), drawn with plotly's scatter trace (``fill="toself"``), which the
portal's plotly.js bundle has anyway. A ``geo`` subplot would add d3-geo to the bundle and
fetch its base map from a CDN; tiles would need the network.

Every map shows all 38 municipalities, so the measured ones sit within Kosovo's outline: those
with a value are shaded on one sequential scale, a suppressed cell is hatched grey and
labelled ``[c]`` (never a colour that reads as a number), the rest are plain grey. Labels are
the municipality names in the visitor's language and script, on each municipality's seat (or
inside its polygon where the seat falls outside it). The OpenStreetMap/geoBoundaries credit
is printed on the map.

If the boundary file cannot be decoded the chart says the map is unavailable and its table
still holds the figures: :func:`choropleth` returns ``None`` and the caller shows
:func:`unavailable`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Mapping
from functools import cache

import plotly.graph_objects as go

from etl.boundaries import ATTRIBUTION, BoundaryError, Polygon, municipality_shapes
from etl.boundaries import point_in_polygons as inside
from etl.refdata import municipalities, northern_codes
from portal.components.cells import count
from portal.components.chart import ChartData, ChartView
from portal.components.figures import SUPPRESSED_COLOUR, SUPPRESSED_MARK, styled
from portal.i18n import _
from portal.labels import TOTAL

log = logging.getLogger(__name__)

#: A degree of longitude is cos(latitude) of a degree of latitude; Kosovo's middle is 42.6° N.
ASPECT = 1 / math.cos(math.radians(42.6))
KM_PER_DEGREE = 111.32
#: A municipality smaller than this (km²) is labelled beside it, with a pointer.
SMALL = 60
#: Up to this many municipalities measured, each gets a label (else only published ones).
FEW = 6
_HATCH = {"shape": "/", "fgcolor": SUPPRESSED_COLOUR, "size": 6}
#: How far beyond the shaded municipalities the map reaches (degrees), to show neighbours.
MARGIN = 0.12
OTHER_FILL = "#e9ecef"
BORDER = "#ffffff"
#: The sequential scale of a measure, light to dark (dark labels stay legible on it).
SCALE = ("#deebf7", "#9ecae1", "#4292c6")
#: A highlighted group (e.g. the north, where the programme works) that has no value itself.
HIGHLIGHT_FILL = "#fdd49e"
#: Coordinates are rounded to this many decimals (about 10 m): the figure stays small.
DIGITS = 4


#: A municipality as drawn: its path (x and y lists), where its label goes, its area (km²).
Outline = tuple[tuple[list[float | None], list[float | None]], tuple[float, float], float]


@cache
def _outlines() -> dict[str, Outline] | None:
    """code → (the polygon path as x/y lists, the label point, the area in km²), or None when
    the boundary file does not decode (logged once; the maps then say they are unavailable)."""
    try:
        shapes = municipality_shapes()
    except BoundaryError as error:
        log.error("municipality maps unavailable: %s", error)
        return None
    seats = {m.kas_code: (m.longitude, m.latitude) for m in municipalities()}
    return {code: (_path(polygons), _label_point(polygons, seats.get(code)),
                   sum(_area(polygon[0]) for polygon in polygons))
            for code, polygons in shapes.items()}


def _path(polygons: list[Polygon]) -> tuple[list[float | None], list[float | None]]:
    """Every ring in one x/y path, rings apart by ``None`` (plotly fills each)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in polygons:
        for ring in polygon:
            xs += [round(lon, DIGITS) for lon, _lat in ring] + [None]
            ys += [round(lat, DIGITS) for _lon, lat in ring] + [None]
    return xs[:-1], ys[:-1]


def _area(ring: list[tuple[float, float]]) -> float:
    """A ring's area in km² (shoelace on degrees, scaled at Kosovo's latitude)."""
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))
    return abs(twice) / 2 * KM_PER_DEGREE ** 2 / ASPECT


def _label_point(polygons: list[Polygon], seat: tuple[float, float] | None
                 ) -> tuple[float, float]:
    """The centroid of the largest ring if it lies inside (labels of neighbours that share a
    seat-side border stay apart), else the seat if inside, else the ring's mean point."""
    ring = max((polygon[0] for polygon in polygons), key=_area)
    pairs = list(zip(ring, ring[1:], strict=False))
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)
    if twice:
        centroid = (sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairs)
                    / (3 * twice),
                    sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in pairs)
                    / (3 * twice))
        if inside(*centroid, polygons):
            return centroid
    if seat is not None and inside(seat[0], seat[1], polygons):
        return seat
    return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))


def _shade(share: float) -> str:
    """The colour at ``share`` (0–1) along :data:`SCALE`."""
    share = min(max(share, 0.0), 1.0) * (len(SCALE) - 1)
    low = min(int(share), len(SCALE) - 2)
    start, end = SCALE[low], SCALE[low + 1]
    mix = share - low
    channels = (round(int(start[i:i + 2], 16) * (1 - mix) + int(end[i:i + 2], 16) * mix)
                for i in (1, 3, 5))
    return "#" + "".join(f"{c:02x}" for c in channels)


def choropleth(values: Mapping[str, float | None], names: Mapping[str, str], unit: str, *,
               highlight: Collection[str] = (), highlight_name: str = "",
               height: int = 460) -> go.Figure | None:
    """Municipalities shaded by ``values`` (code → number, ``None`` = suppressed), the others
    grey (``highlight`` ones in a colour of their own, named ``highlight_name``); ``None``
    when the boundaries are unavailable."""
    outlines = _outlines()
    if outlines is None:
        return None
    figure = go.Figure()
    shown = [v for v in values.values() if v is not None]
    top = max(shown, default=0.0) or 1.0
    rest = [c for c in outlines if c not in values and c not in highlight]
    _add_area(figure, rest, outlines, OTHER_FILL, "", legend=False)
    if highlight:
        _add_area(figure, [c for c in highlight if c not in values], outlines, HIGHLIGHT_FILL,
                  highlight_name, legend=True)
    for code, value in values.items():
        if code not in outlines:
            continue
        name = names.get(code, code)
        if value is None:
            _add_area(figure, [code], outlines, "#ffffff",
                      f"{name}: {_('suppressed [c]')}", legend=False, pattern=True)
        else:
            _add_area(figure, [code], outlines, _shade(value / top),
                      f"{name}: {count(value)} {unit}".strip(), legend=False)
    if any(v is None for v in values.values()):  # the legend's key of the hatching
        figure.add_scatter(x=[None], y=[None], mode="lines", fill="toself", fillcolor="#ffffff",
                           fillpattern=_HATCH, line={"color": SUPPRESSED_COLOUR, "width": 0.8},
                           name=_("Suppressed [c]"), hoverinfo="skip")
    # Every municipality measured is labelled when they are few; among many, the published.
    drawn = [c for c in values if c in outlines]
    labelled = [c for c in drawn if len(drawn) <= FEW or values[c] is not None]
    for code in labelled:
        (x, y), area = outlines[code][1], outlines[code][2]
        shown_value = SUPPRESSED_MARK if values[code] is None else count(values[code])
        figure.add_annotation(
            x=x, y=y, text=f"{names.get(code, code)}<br>{shown_value}", showarrow=area < SMALL,
            ax=80, ay=40, arrowwidth=1, arrowcolor="#495057", font={"size": 11},
            bgcolor="rgba(255,255,255,0.75)", borderpad=1)
    figure.add_scatter(  # the colour scale's key, on an invisible point
        x=[outlines[labelled[0]][1][0]] if labelled else [None],
        y=[outlines[labelled[0]][1][1]] if labelled else [None], mode="markers",
        hoverinfo="skip", showlegend=False,
        marker={"size": 0.1, "opacity": 0, "color": [0], "cmin": 0, "cmax": top,
                "colorscale": [[i / (len(SCALE) - 1), c] for i, c in enumerate(SCALE)],
                "showscale": bool(shown),
                "colorbar": {"title": {"text": unit, "side": "right"}, "thickness": 12,
                             "len": 0.5, "x": 1, "xanchor": "left", "outlinewidth": 0}})
    figure.add_annotation(text=ATTRIBUTION, showarrow=False, xref="paper", yref="paper",
                          x=1, y=0, xanchor="right", yanchor="bottom",
                          font={"size": 10, "color": "#495057"})
    styled(figure, height)
    xs, ys = _extent([c for c in (*values, *highlight) if c in outlines], outlines)
    figure.update_xaxes(visible=False, fixedrange=True, range=xs)
    figure.update_yaxes(visible=False, fixedrange=True, range=ys, scaleanchor="x",
                        scaleratio=ASPECT)
    figure.update_layout(dragmode=False)
    return figure


def _extent(codes: list[str], outlines: Mapping[str, Outline]
            ) -> tuple[list[float], list[float]]:
    """x and y ranges around ``codes`` with :data:`MARGIN` of neighbours shown."""
    xs = [x for c in codes for x in outlines[c][0][0] if x is not None]
    ys = [y for c in codes for y in outlines[c][0][1] if y is not None]
    if not xs:
        xs = [x for outline in outlines.values() for x in outline[0][0] if x is not None]
        ys = [y for outline in outlines.values() for y in outline[0][1] if y is not None]
    return [min(xs) - MARGIN * ASPECT, max(xs) + MARGIN * ASPECT], [min(ys) - MARGIN,
                                                                     max(ys) + MARGIN]


def _add_area(figure: go.Figure, codes: list[str], outlines: Mapping[str, Outline], fill: str,
              name: str, *,
              legend: bool, pattern: bool = False) -> None:
    """One filled trace over ``codes`` (hover: its name)."""
    if not codes:
        return
    xs: list[float | None] = []
    ys: list[float | None] = []
    for code in codes:
        (x, y), _point, _area_km2 = outlines[code]
        xs += [*x, None]
        ys += [*y, None]
    figure.add_scatter(
        x=xs[:-1], y=ys[:-1], mode="lines", fill="toself", fillcolor=fill, name=name,
        line={"color": SUPPRESSED_COLOUR if pattern else BORDER, "width": 0.8},
        fillpattern=_HATCH if pattern else None, hoveron="fills",
        hoverinfo="name" if name else "skip",
        showlegend=legend)


def unavailable(height: int = 200) -> go.Figure:
    """The figure drawn instead of a map whose boundaries could not be read."""
    figure = go.Figure()
    figure.add_annotation(text=_("The map is unavailable; the table below holds the figures."),
                          showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    styled(figure, height)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def municipality_view(data: ChartData, column: str, title: str, summary: str, *,
                      north: bool = False) -> ChartView:
    """A chart of ``data`` by the municipality codes of ``column`` as a map (``north``: the
    four northern municipalities stand out when they are not among the values), or the
    notice that the map is unavailable; the text alternative is the table as always."""
    rows = data.frame[data.frame[column] != TOTAL]
    values = {code: None if status == "suppressed" else float(value)
              for code, status, value in zip(rows[column], rows["status"], rows["value"],
                                             strict=True)}
    figure = choropleth(values, data.labels(column), data.unit,
                        highlight=sorted(northern_codes()) if north else (),
                        highlight_name=_("The north, where the programme works"))
    if figure is None:
        return ChartView(unavailable(), title,
                         _("The map is unavailable; the table below holds the figures."))
    return ChartView(figure, title, summary)
