"""Product map: who the mapped businesses are, what they make and where they sell."""

from __future__ import annotations

from dataclasses import replace

import dash
import plotly.graph_objects as go
from dash.development.base_component import Component

from portal.components import maps
from portal.components.cells import count, largest
from portal.components.chart import ChartData, ChartView, chart
from portal.components.figures import (
    PALETTE,
    SUPPRESSED_COLOUR,
    SUPPRESSED_MARK,
    bars,
    interior,
    shortened,
    styled,
)
from portal.components.page import chart_page
from portal.i18n import N_, _, format_percent
from portal.labels import TOTAL
from portal.layout import page_title

dash.register_page(__name__, path="/product-map", name=N_("Product map"), order=1,
                   title=page_title(N_("Product map")))

FILTERS = ("municipality", "sector")
CHARTS = ["businesses-by-division", "businesses-by-municipality", "businesses-by-sector",
          "businesses-by-hs-chapter", "businesses-by-size", "businesses-by-market"]


def layout(**params: str) -> Component:
    return chart_page(
        _("Product map"),
        _("Which businesses the survey mapped in the four northern municipalities, what they "
          "make and where they sell."),
        "map", FILTERS, CHARTS, params)


def _top(data: ChartData, dims: tuple[str, ...], labels: dict[str, str], dim: str
         ) -> tuple[str, float] | None:
    """(label, value) of the largest published cell, margins aside."""
    best = largest(interior(data.frame, *dims))
    return None if best is None else (labels.get(best[dim], best[dim]), float(best["value"]))


@chart("businesses-by-division", "businesses_by_section_division", ("section", "division"),
       wide=True)
def by_division(data: ChartData) -> ChartView:
    """Treemap of NACE sections → divisions; suppressed divisions pooled per section."""
    sections, divisions = data.labels("section"), data.labels("division")
    frame = data.frame
    totals = frame[(frame["division"] == TOTAL) & (frame["section"] != TOTAL)]
    cells = interior(frame, "section", "division")
    ids, parents, names, values, colours = [], [], [], [], []
    for index, row in enumerate(totals.itertuples()):
        if row.status == "suppressed" or not row.value:
            continue
        ids.append(row.section)
        parents.append("")
        names.append(sections.get(row.section, row.section))
        values.append(float(row.value))
        colours.append(PALETTE[index % len(PALETTE)])
        children = cells[cells["section"] == row.section]
        shown = children[(children["status"] != "suppressed") & (children["value"] > 0)]
        for child in shown.itertuples():
            ids.append(f"{row.section}/{child.division}")
            parents.append(row.section)
            names.append(divisions.get(child.division, child.division))
            values.append(float(child.value))
            colours.append(PALETTE[index % len(PALETTE)])
        rest = float(row.value) - float(shown["value"].sum())
        if rest > 0:
            ids.append(f"{row.section}/[c]")
            parents.append(row.section)
            names.append(_("Suppressed divisions %(mark)s", mark=SUPPRESSED_MARK))
            values.append(rest)
            colours.append(SUPPRESSED_COLOUR)
    figure = go.Figure(go.Treemap(
        ids=ids, parents=parents, labels=names, values=values, branchvalues="total",
        marker={"colors": colours}, textinfo="label+value",
        hovertemplate="%{label}: %{value:,} " + data.unit + "<extra></extra>"))
    top = _top(data, ("section", "division"), divisions, "division")
    title = (_("Most mapped businesses work in %(division)s (%(n)s)", division=top[0],
               n=count(top[1])) if top else _("Businesses by sector"))
    return ChartView(styled(figure, 460), title, _(
        "Treemap of mapped businesses by NACE section and division; each rectangle's area is "
        "the number of businesses. Divisions too small to publish are pooled as suppressed."))


@chart("businesses-by-municipality", "businesses_by_sector_municipality",
       ("broad_sector", "municipality"), defaults={"broad_sector": TOTAL})
def by_municipality(data: ChartData) -> ChartView:
    """The four municipalities shaded by their count, within Kosovo's outline."""
    municipalities = data.labels("municipality")
    sector = data.active.get("sector", TOTAL)
    rows = data.frame[data.frame["municipality"] != TOTAL]
    top = _top(data, ("broad_sector", "municipality"), municipalities, "municipality") \
        if sector == TOTAL else None
    best = largest(rows)
    if sector == TOTAL and best is not None:
        top = (municipalities.get(best["municipality"]), float(best["value"]))
    title = (_("%(place)s has the most mapped businesses (%(n)s)", place=top[0],
               n=count(top[1])) if top else _("Mapped businesses by municipality"))
    return maps.municipality_view(data, "municipality", title, _(
        "Map of Kosovo's municipalities: the four northern ones are shaded by the number of "
        "mapped businesses, hatched where the number is suppressed; the others are grey."))


@chart("businesses-by-sector", "businesses_by_sector_municipality",
       ("broad_sector", "municipality"))
def by_sector(data: ChartData) -> ChartView:
    sectors = data.labels("broad_sector")
    municipalities = data.labels("municipality")
    frame = data.frame
    if "municipality" not in data.active:
        frame = frame[frame["municipality"] != TOTAL]
    figure = bars(frame, "broad_sector", sectors, data.unit, colour="municipality",
                  colour_labels=municipalities,
                  stacked=True)
    totals = data.frame[data.frame["municipality"] == TOTAL]
    top = _top(ChartData(data.chart, data.release, totals), ("broad_sector",), sectors,
               "broad_sector") if "municipality" not in data.active else _top(
        data, ("broad_sector",), sectors, "broad_sector")
    title = (_("%(sector)s is the largest sector (%(n)s businesses)", sector=top[0],
               n=count(top[1])) if top else _("Businesses by sector"))
    return ChartView(figure, title, _(
        "Bar chart of mapped businesses by broad sector, stacked by municipality."))


@chart("businesses-by-hs-chapter", "businesses_by_hs_chapter", ("hs_chapters",))
def by_hs_chapter(data: ChartData) -> ChartView:
    chapters = data.labels("hs_chapters")
    # Official chapter titles run to 250 characters: the axis shows their start.
    short = {code: shortened(text, 40) for code, text in chapters.items()}
    figure = bars(data.frame, "hs_chapters", short, data.unit, wrap=0)
    # "Services (no HS code)" is not a product chapter: the finding is about goods.
    goods = data.frame[data.frame["hs_chapters"].str.fullmatch(r"\d+")]
    top = _top(replace(data, frame=goods), ("hs_chapters",), chapters, "hs_chapters")
    title = (_("The most common goods are %(chapter)s (%(n)s businesses)", chapter=top[0],
               n=count(top[1])) if top else _("Businesses by product"))
    return ChartView(figure, title, _(
        "Bar chart of businesses by the HS chapter of the products they make; a business with "
        "products in several chapters counts in each."))


@chart("businesses-by-size", "businesses_by_size_legal_form", ("size", "legal_form"))
def by_size(data: ChartData) -> ChartView:
    sizes, forms = data.labels("size"), data.labels("legal_form")
    figure = bars(data.frame, "size", sizes, data.unit, colour="legal_form",
                  colour_labels=forms, stacked=True)
    totals = data.frame[(data.frame["legal_form"] == TOTAL) & (data.frame["size"] != TOTAL)]
    shown = totals[totals["status"] != "suppressed"]
    best = largest(shown)
    title = _("Businesses by size and legal form")
    if best is not None and shown["value"].sum() > 0:
        share = 100 * float(best["value"]) / float(shown["value"].sum())
        title = _("%(share)s of businesses have %(size)s",
                  share=format_percent(share), size=sizes.get(best["size"], best["size"]))
    return ChartView(figure, title, _(
        "Bar chart of businesses by number of employees, stacked by legal form."))


@chart("businesses-by-market", "businesses_by_sector_market", ("broad_sector", "markets"))
def by_market(data: ChartData) -> ChartView:
    sectors, markets = data.labels("broad_sector"), data.labels("markets")
    figure = bars(data.frame, "broad_sector", sectors, data.unit, colour="markets",
                  colour_labels=markets)
    totals = data.frame[(data.frame["broad_sector"] == TOTAL) & (data.frame["markets"] != TOTAL)]
    shown = totals[totals["status"] != "suppressed"].set_index("markets")["value"]
    title = _("Where mapped businesses sell outside the north")
    if "rest_of_kosovo" in shown.index:
        title = _("%(n)s businesses sell to the rest of Kosovo",
                  n=count(float(shown["rest_of_kosovo"])))
    return ChartView(figure, title, _(
        "Bar chart of businesses by sector and the markets outside the north they sell to."))


