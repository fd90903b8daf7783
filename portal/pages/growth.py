"""Growth: which sectors and compliance levels hold the growth potential, what holds businesses
back, and where jobs and turnover are."""

from __future__ import annotations

import dash
import pandas as pd
from dash.development.base_component import Component

from portal.components.cells import (
    cell,
    compact_amount,
    largest,
    most_cited,
    percent,
    ranked_labels,
    ranked_table,
)
from portal.components.chart import ChartData, ChartView, chart
from portal.components.figures import SEQUENTIAL, bars
from portal.components.page import chart_page
from portal.i18n import N_, _, format_number, format_percent
from portal.labels import TOTAL
from portal.layout import page_title

dash.register_page(
    __name__,
    path="/growth",
    name=N_("Growth"),
    order=3,
    title=page_title(N_("Growth")),
)

FILTERS = ("sector",)
CHARTS = ["growth-potential-by-sector", "growth-potential-by-compliance", "growth-constraints",
          "employment-by-sector", "turnover-by-sector"]

#: Ratings 1 (very low) … 5 (very high): a diverging scale with a neutral middle.
POTENTIAL_COLOURS = (SEQUENTIAL[0], SEQUENTIAL[1], "#ced4da", SEQUENTIAL[2], SEQUENTIAL[3])
#: Ratings counted as "high growth potential".
HIGH = ("4", "5")
#: Compliance levels from least to most formal (``etl.derive.COMPLIANCE_LEVELS``).
LEVELS = ("informal", "partly_formal", "formal")


def layout(**params: str) -> Component:
    return chart_page(
        _("Growth"),
        _("Which sectors have the most growth potential, how it relates to compliance, what "
          "holds businesses back, and where their jobs and turnover are."),
        "graph-up-arrow", FILTERS, CHARTS, params)


# --- helpers ----------------------------------------------------------------------------------


def high_share(frame: pd.DataFrame, dim: str, code: str) -> float | None:
    """Share of ``code``'s businesses rated 4 or 5; None unless both cells and the margin are
    published (a suppressed cell is never counted as zero)."""
    parts = [cell(frame, **{dim: code, "growth_potential": rating}) for rating in HIGH]
    if any(p is None for p in parts):
        return None
    return percent(sum(p for p in parts if p is not None),
                   cell(frame, **{dim: code, "growth_potential": TOTAL}))


# --- charts -----------------------------------------------------------------------------------


@chart("growth-potential-by-sector", "growth_potential_by_sector",
       ("broad_sector", "growth_potential"))
def potential_by_sector(data: ChartData) -> ChartView:
    """Stacked bars from very low to very high, so the high end of each sector compares."""
    sectors, ratings = data.labels("broad_sector"), data.labels("growth_potential")
    figure = bars(data.frame, "broad_sector", sectors, data.unit, colour="growth_potential",
                  colour_labels=ratings, stacked=True,
                  colours=POTENTIAL_COLOURS)
    sector = data.active.get("sector")
    if sector:
        share = high_share(data.frame, "broad_sector", sector)
        title = (_("%(share)s of businesses in %(sector)s have high growth potential (4 or 5 "
                   "out of 5)", share=format_percent(share), sector=sectors.get(sector, sector))
                 if share is not None else _("Growth potential of businesses in %(sector)s",
                                             sector=sectors.get(sector, sector)))
        return ChartView(figure, title, _(
            "Bar chart of the sector's businesses by growth potential rating, from very low "
            "to very high."))
    shares = {code: high_share(data.frame, "broad_sector", code) for code in sectors
              if code != TOTAL}
    known = {code: share for code, share in shares.items() if share is not None}
    overall = high_share(data.frame, "broad_sector", TOTAL)
    if known and overall is not None:
        best = max(known, key=lambda c: known[c])
        title = _("%(share)s of mapped businesses have high growth potential (4 or 5 out of 5); "
                  "%(sector)s has the largest share (%(top)s)", share=format_percent(overall),
                  sector=sectors.get(best, best), top=format_percent(known[best]))
    elif overall is not None:
        title = _("%(share)s of mapped businesses have high growth potential (4 or 5 out of 5)",
                  share=format_percent(overall))
    else:
        title = _("Growth potential of mapped businesses by sector")
    return ChartView(figure, title, _(
        "Bar chart of mapped businesses by broad sector, stacked by growth potential rating "
        "from very low to very high."))


@chart("growth-potential-by-compliance", "growth_potential_by_compliance",
       ("compliance_level", "growth_potential"))
def potential_by_compliance(data: ChartData) -> ChartView:
    """Does formality go with growth? Levels informal → formal, stacked by rating."""
    levels, ratings = data.labels("compliance_level"), data.labels("growth_potential")
    ordered = {code: levels.get(code, code) for code in LEVELS}
    figure = bars(data.frame, "compliance_level", ordered, data.unit, colour="growth_potential",
                  colour_labels=ratings, stacked=True,
                  colours=POTENTIAL_COLOURS)
    formal = high_share(data.frame, "compliance_level", "formal")
    informal = high_share(data.frame, "compliance_level", "informal")
    if formal is not None and informal is not None:
        title = _("%(a)s of “%(formal)s” businesses have high growth potential (4 or 5 out of "
                  "5), against %(b)s of “%(informal)s” ones", a=format_percent(formal),
                  b=format_percent(informal), formal=levels.get("formal", "formal"),
                  informal=levels.get("informal", "informal"))
    elif formal is not None or informal is not None:
        code, share = ("formal", formal) if formal is not None else ("informal", informal)
        title = _("%(a)s of “%(level)s” businesses have high growth potential (4 or 5 out of 5)",
                  a=format_percent(share or 0), level=levels.get(code, code))
    else:
        title = _("Growth potential by compliance level")
    return ChartView(figure, title, _(
        "Bar chart of mapped businesses by compliance level, from informal to formal, stacked "
        "by growth potential rating from very low to very high."))


@chart("growth-constraints", "growth_constraints_by_sector",
       ("broad_sector", "growth_constraints"), wide=True, defaults={"broad_sector": TOTAL})
def constraints(data: ChartData) -> ChartView:
    """The most-cited constraints first (the all-sectors row, or the filtered sector's)."""
    sectors, names = data.labels("broad_sector"), data.labels("growth_constraints")
    sector = data.active.get("sector", TOTAL)
    rows = data.frame
    ranked = ranked_labels(rows, "growth_constraints", names)
    figure = bars(rows, "growth_constraints", ranked, data.unit)
    top = most_cited(rows, "growth_constraints")
    if top is None:
        title = _("Growth constraints cited by businesses")
    else:
        params = {"constraint": names.get(top.code, top.code), "n": format_number(top.value),
                  "sector": sectors.get(sector, sector)}
        share = top.share
        if sector == TOTAL:
            title = (_("%(constraint)s is the most cited constraint on growth: %(share)s of "
                       "businesses (%(n)s)", share=format_percent(share), **params)
                     if share is not None else
                     _("%(constraint)s is the most cited constraint on growth (%(n)s businesses)",
                       **params))
        else:
            title = (_("%(constraint)s is the most cited constraint on growth in %(sector)s: "
                       "%(share)s of its businesses (%(n)s)", share=format_percent(share),
                       **params)
                     if share is not None else
                     _("%(constraint)s is the most cited constraint on growth in %(sector)s "
                       "(%(n)s businesses)", **params))
    table = ranked_table(rows, "growth_constraints", ranked, _("Constraint"), data.unit)
    return ChartView(figure, title, _(
        "Bar chart of the constraints on growth that businesses cited, most cited first; a "
        "business citing several counts in each."), table)


def _by_municipality(data: ChartData, what: str) -> ChartView:
    """Sectors stacked by municipality; the finding from the published margins."""
    sectors, places = data.labels("broad_sector"), data.labels("municipality")
    figure = bars(data.frame, "broad_sector", sectors, data.unit, colour="municipality",
                  colour_labels=places, stacked=True)
    frame, unit = data.frame, data.unit
    sector, place = data.active.get("sector"), data.active.get("municipality")
    employment = what == "employment"
    title = (_("Employment by sector and municipality") if employment else
             _("Annual turnover by sector and municipality"))
    if sector and not place:
        best = largest(frame[frame["municipality"] != TOTAL])
        total = cell(frame, broad_sector=sector, municipality=TOTAL)
        if best is not None and total is not None:
            params = {"place": places.get(best["municipality"], best["municipality"]),
                      "sector": sectors.get(sector, sector)}
            title = (_("%(place)s has %(n)s of the %(total)s %(unit)s in %(sector)s",
                       n=format_number(float(best["value"])), total=format_number(total),
                       unit=unit, **params) if employment else
                     _("%(place)s accounts for %(n)s of the %(total)s turnover of %(sector)s",
                       n=compact_amount(float(best["value"]), unit),
                       total=compact_amount(total, unit),
                       **params))
    elif not sector:
        best = largest(frame[(frame["municipality"] == (place or TOTAL))
                             & (frame["broad_sector"] != TOTAL)])
        if best is not None:
            params = {"sector": sectors.get(best["broad_sector"], best["broad_sector"]),
                      "n": compact_amount(float(best["value"]), unit),
                      "place": places.get(place or TOTAL, place)}
            if place:
                title = (_("%(sector)s employs the most people in %(place)s (%(n)s)", **params)
                         if employment else
                         _("%(sector)s has the largest turnover in %(place)s (%(n)s)", **params))
            else:
                title = (_("%(sector)s employs the most people (%(n)s)", **params)
                         if employment else
                         _("%(sector)s has the largest turnover (%(n)s)", **params))
    summary = (_("Bar chart of the people the mapped businesses employ, by broad sector, "
                 "stacked by municipality.") if employment else
               _("Bar chart of the mapped businesses' annual turnover, by broad sector, stacked "
                 "by municipality."))
    return ChartView(figure, title, summary)


@chart("employment-by-sector", "employment_by_sector_municipality",
       ("broad_sector", "municipality"))
def employment(data: ChartData) -> ChartView:
    return _by_municipality(data, "employment")


@chart("turnover-by-sector", "turnover_by_sector_municipality", ("broad_sector", "municipality"))
def turnover(data: ChartData) -> ChartView:
    return _by_municipality(data, "turnover")
