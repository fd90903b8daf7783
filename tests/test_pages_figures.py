"""The helpers every chart page shares: reading cells of a tidy table, and the figures drawn
from them (bars, stacked bars, grids), on small hand-made tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from portal.components import cells, figures
from portal.components.figures import SUPPRESSED_MARK
from tests.pages_helpers import TOTAL, marked, plain

LONG = "Wholesale and retail trade; repair of motor vehicles"


def table(rows: list[tuple[str, str, float | None]], dims: tuple[str, str] = ("sector", "level")
          ) -> pd.DataFrame:
    """A published table: (code, code, value), None for a suppressed cell."""
    return pd.DataFrame([{dims[0]: a, dims[1]: b, "value": math.nan if v is None else v,
                          "status": "suppressed" if v is None else "published"}
                         for a, b, v in rows])


# --- cells ------------------------------------------------------------------------------------


def test_a_cell_is_one_published_row() -> None:
    frame = table([("a", "x", 3), ("a", "y", None), ("b", "x", 4), ("b", "x", 5)])
    assert cells.cell(frame, sector="a", level="x") == 3
    assert cells.cell(frame, sector="a", level="y") is None  # suppressed
    assert cells.cell(frame, sector="c", level="x") is None  # absent
    assert cells.cell(frame, sector="b", level="x") is None  # not one cell: no guess


def test_shares_need_both_cells_and_a_positive_base() -> None:
    assert cells.percent(1, 4) == 25
    assert cells.percent(None, 4) is None and cells.percent(1, None) is None
    assert cells.percent(1, 0) is None
    assert cells.percent_text(1, 3) == "33%"


def test_numbers_as_text() -> None:
    assert cells.count(1234.0) == "1,234" and cells.count(2.5) == "2.5"
    assert cells.cell_text(None) == "suppressed [c]" and cells.cell_text(7.0) == "7"
    assert cells.amount(12400, "EUR") == "12,400 EUR"
    assert cells.compact_amount(1_250_000, "EUR") == "1.2 million EUR"
    assert cells.compact_amount(999_999, "EUR") == "999,999 EUR"


def test_orders_put_suppressed_and_unknown_last() -> None:
    frame = table([("a", TOTAL, 9), ("b", TOTAL, None), ("unknown", TOTAL, 8), ("c", TOTAL, 2)])
    labels = {"a": "A", "b": "B", "c": "C", "unknown": "?", "absent": "-"}
    assert list(cells.by_value(frame, "sector", labels, margin="level")) == [
        "a", "c", "b", "unknown"]
    assert list(cells.ranked_labels(frame, "sector", labels)) == [
        "a", "c", "b", "absent", "unknown"]


def test_most_cited_is_a_share_of_the_base_not_of_the_answers() -> None:
    frame = table([(TOTAL, TOTAL, 10), ("a", TOTAL, 6), ("b", TOTAL, 7), ("unknown", TOTAL, 9),
                   ("c", TOTAL, None)])
    top = cells.most_cited(frame, "sector")
    assert top == cells.Top("b", 7.0, 70.0)
    assert cells.most_cited(frame[frame["sector"].isin(["c", TOTAL])], "sector") is None


def test_localised_falls_back_to_english() -> None:
    row = {"title_en": "Title", "title_sq": "Titull", "title_sr": " "}
    assert cells.localised(row, "title") == "Title"
    assert cells.localised({"title_en": math.nan}, "title") == ""


# --- figures ----------------------------------------------------------------------------------


def test_labels_wrap_between_words() -> None:
    assert figures.wrapped(LONG) == "Wholesale and retail trade;<br>repair of motor vehicles"
    assert figures.wrapped("Short") == "Short"
    assert plain(figures.wrapped("Supercalifragilistic", 5)) == "Supercalifragilistic"


def test_bars_wrap_long_labels_and_keep_the_legend_in_rows() -> None:
    frame = table([("long", "x", 3), ("long", "y", 4), ("short", "x", None), ("short", "y", 2)])
    labels = {"long": LONG, "short": "Short"}
    plain_bars = figures.bars(frame, "sector", labels, "n", wrap=0)
    stacked = figures.bars(frame, "sector", labels, "n", colour="level",
                           colour_labels={"x": "X", "y": "Y", TOTAL: "All"}, stacked=True)
    assert figures.wrapped(LONG) in stacked.layout.yaxis.categoryarray
    assert LONG in plain_bars.layout.yaxis.categoryarray
    assert [t.name for t in stacked.data if t.type == "bar"] == ["X", "Y"]  # no margin series
    assert stacked.layout.legend.traceorder == "normal"  # [c] has a legend group of its own
    assert marked(stacked) == ["Short"]
    # the legend above the plot gets room of its own: the bars are not squashed under it
    assert stacked.layout.height >= figures.bar_height(stacked, ["a", "b"], 26, 220)
    assert figures.legend_room(stacked) > 0 and figures.legend_room(plain_bars) > 0


def test_stacked_pools_suppressed_cells_into_the_margin() -> None:
    frame = table([("a", TOTAL, 10), ("a", "x", 3), ("a", "y", None), ("b", "x", None),
                   ("b", "y", 2)])
    figure = figures.stacked(frame, "sector", {"a": "A", "b": "B"}, "level",
                             {"x": "X", "y": "Y", TOTAL: "All"}, "n")
    pooled = next(t for t in figure.data if t.name == "Suppressed [c]" and t.type == "bar")
    assert list(pooled.x) == [7, None]  # the margin less the published cell
    assert marked(figure)[-1] == "B"  # no margin: the marker
    assert [t.name for t in figure.data if t.type == "bar"] == ["X", "Y", "Suppressed [c]"]


@pytest.mark.parametrize(("values", "zmax", "scale"), [
    ([0, 0, 0], 1.0, False),
    ([None, None, None], 1.0, False),
    ([0, None, 4], 4.0, True),
])
def test_a_grid_of_nothing_gets_no_colour_scale(values: list[float | None], zmax: float,
                                                scale: bool) -> None:
    frame = table([("a", x, v) for x, v in zip(("x", "y", "z"), values, strict=True)])
    figure = figures.heatmap(frame, "level", "sector", {"x": "X", "y": "Y", "z": "Z"},
                             {"a": "A"}, "value", "n")
    [grid] = figure.data
    assert grid.zmin == 0 and grid.zmax == zmax and grid.showscale is scale
    assert [t == SUPPRESSED_MARK for t in grid.text[0]] == [v is None for v in values]
    assert figures.heatmap(frame, "level", "sector", {"x": "X"}, {"a": "A"}, "value", "n",
                           scale=False).data[0].showscale is False


def test_heatmap_cells_are_parted_by_lines_not_gaps() -> None:
    """Gaps would make plotly.js encode an image of the whole plot (the page's largest
    paint); lines in the background colour part the cells instead (figures.cell_borders)."""
    frame = table([(y, x, 1.0) for y in ("a", "b") for x in ("x", "y", "z")])
    figure = figures.heatmap(frame, "level", "sector", {"x": "X", "y": "Y", "z": "Z"},
                             {"a": "A", "b": "B"}, "value", "n")
    [grid] = figure.data
    assert not grid.xgap and not grid.ygap and not grid.zsmooth
    lines = [(s.x0, s.y0, s.line.color) for s in figure.layout.shapes]
    colour = figure.layout.plot_bgcolor
    assert sorted(line for line in lines if line[1] == 0) == [(0.5, 0, colour), (1.5, 0, colour)]
    assert [line for line in lines if line[0] == 0] == [(0, 0.5, colour)]
