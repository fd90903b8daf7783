"""Compliance: how formal the mapped businesses are, which requirements hold them back, and the
training that would close the gaps."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html
from dash.development.base_component import Component

from etl.derive import VAT_THRESHOLD_EUR
from portal import query
from portal.components.cells import (
    cell,
    cell_text,
    largest,
    most_cited,
    number,
    percent,
    ranked_labels,
    ranked_table,
)
from portal.components.chart import ChartData, ChartView, chart
from portal.components.figures import (
    BLUES,
    SEQUENTIAL,
    SUPPRESSED_COLOUR,
    SUPPRESSED_MARK,
    bars,
    cell_borders,
    styled,
    wrapped,
)
from portal.components.page import chart_page
from portal.i18n import N_, _, format_number, format_percent
from portal.labels import TOTAL, code_labels
from portal.layout import icon, page_title
from portal.load.database import LoadedRelease

dash.register_page(
    __name__,
    path="/compliance",
    name=N_("Compliance"),
    order=2,
    title=page_title(N_("Compliance")),
)

FILTERS = ("municipality", "sector")
CHARTS = ["compliance-levels-by-sector", "dual-registration-by-municipality",
          "compliance-requirements-by-sector", "compliance-training-needs"]

#: Compliance levels from least to most formal, as the ETL scores them (``etl.derive``).
LEVELS = ("informal", "partly_formal", "formal")
#: Diverging colours for the levels: warm for informal, blue for formal (colour-blind safe).
LEVEL_COLOURS = (SEQUENTIAL[0], SEQUENTIAL[1], SEQUENTIAL[3])
#: The handbook table with one share per sector × requirement, computed by the ETL from the
#: protected ``compliance_<requirement>_by_sector`` tables.
REQUIREMENTS = "requirements"
REGISTRATION, VAT = "reg_kosovo_business", "vat_registered"
NOT_APPLICABLE = "not_applicable"
NA_COLOUR = "#f8f9fa"


def layout(**params: str) -> Component:
    return chart_page(
        _("Compliance"),
        _("How businesses stand on registration, certification, food safety and product "
          "standards, which requirements hold them back, and the training that would help."),
        "patch-check", FILTERS, CHARTS, params, before=(scoring,))


# --- helpers ----------------------------------------------------------------------------------


def requirement_labels(release: LoadedRelease) -> dict[str, str]:
    """Requirement code → label, in the handbook's order (the code when a label is missing)."""
    labels = code_labels(release, REQUIREMENTS, "requirement")
    codes = list(dict.fromkeys(query.table(release, REQUIREMENTS, columns=("requirement",))
                               ["requirement"]))
    ordered = [c for c in labels if c in codes] + [c for c in codes if c not in labels]
    return {code: labels.get(code, code) for code in ordered}


def level_labels(release: LoadedRelease) -> dict[str, str]:
    """Compliance level code → label, least formal first."""
    labels = code_labels(release, "compliance_level_by_sector", "compliance_level")
    return {code: labels.get(code, code) for code in LEVELS}


def _swatch(colour: str) -> html.Span:
    return html.Span(className="d-inline-block rounded-1 me-2 align-middle",
                     style={"width": "0.8rem", "height": "0.8rem", "background": colour},
                     **{"aria-hidden": "true"})


def scoring(release: LoadedRelease) -> dbc.Card:
    """How ``etl.derive.compliance_level`` scores a business, in plain words (keep in step)."""
    levels = level_labels(release)
    requirements = requirement_labels(release)
    registration = requirements.get(REGISTRATION, REGISTRATION)
    rules = {
        "informal": _("does not meet “%(registration)s”, or the survey does not say that it "
                      "does.", registration=registration),
        "partly_formal": _("meets “%(registration)s”, but at least one other requirement that "
                           "applies to it is not met.", registration=registration),
        "formal": _("meets “%(registration)s” and every other requirement that applies to it.",
                    registration=registration),
    }
    return dbc.Card(dbc.CardBody([
        html.H2([icon("info-circle", "me-2 text-primary"), _("How businesses are scored")],
                className="h6"),
        html.P(_("Each mapped business gets one of three compliance levels from its survey "
                 "answers on %(count)s requirements:", count=len(requirements)),
               className="small mb-1"),
        html.Ul([html.Li([_swatch(colour), html.Strong(levels[code]), " ", rules[code]])
                 for code, colour in zip(LEVELS, LEVEL_COLOURS, strict=True)],
                className="list-unstyled small mb-2"),
        html.P(_("A requirement counts as a gap only when the survey records it as not met: one "
                 "that does not apply to the business, or whose answer is not known, is not a "
                 "gap. %(vat)s applies only above %(threshold)s EUR of annual turnover.",
                 vat=requirements.get(VAT, VAT),
                 threshold=format_number(VAT_THRESHOLD_EUR)), className="small mb-1"),
        html.P(_("The requirements:"), className="small mb-1"),
        html.Ul([html.Li(text, className="list-inline-item badge text-bg-light border "
                                         "fw-normal text-wrap text-start")
                 for text in requirements.values()], className="list-inline mb-0"),
    ]), className="mb-4 shadow-sm portal-scoring", id="compliance-scoring")


# --- charts -----------------------------------------------------------------------------------


@chart("compliance-levels-by-sector", "compliance_level_by_sector",
       ("broad_sector", "compliance_level"))
def levels_by_sector(data: ChartData) -> ChartView:
    """Stacked bars, informal → formal, so the formal share of each sector reads at a glance."""
    sectors, levels = data.labels("broad_sector"), level_labels(data.release)
    figure = bars(data.frame, "broad_sector", sectors, data.unit, colour="compliance_level",
                  colour_labels=levels, stacked=True, colours=LEVEL_COLOURS)
    sector = data.active.get("sector", TOTAL)
    total = cell(data.frame, broad_sector=sector, compliance_level=TOTAL)
    share = percent(cell(data.frame, broad_sector=sector, compliance_level="formal"), total)
    shares = {code: percent(cell(data.frame, broad_sector=sector, compliance_level=code), total)
              for code in LEVELS}
    known = {code: value for code, value in shares.items() if value is not None}
    if share is None and known:  # formal suppressed: the largest level that is published
        code = max(known, key=lambda c: known[c])
        title = _("%(share)s of businesses in %(sector)s are at the level “%(level)s”",
                  share=format_percent(known[code]), sector=sectors.get(sector, sector),
                  level=levels[code])
    elif share is None:
        title = _("Compliance levels of mapped businesses")
    elif sector == TOTAL:
        title = _("%(share)s of mapped businesses are fully formal", share=format_percent(share))
    else:
        title = _("%(share)s of businesses in %(sector)s are fully formal",
                  share=format_percent(share), sector=sectors.get(sector, sector))
    return ChartView(figure, title, _(
        "Bar chart of mapped businesses by broad sector, stacked by compliance level from "
        "informal to formal."))


@chart("dual-registration-by-municipality", "dual_registration_by_municipality",
       ("municipality", "dual_registration"))
def dual_registration(data: ChartData) -> ChartView:
    """Share per municipality (yes ÷ all businesses), from published margins only."""
    places = data.labels("municipality")
    frame = data.frame
    rows = []
    for code in (c for c in places if c != TOTAL and (frame["municipality"] == c).any()):
        yes = cell(frame, municipality=code, dual_registration="yes")
        total = cell(frame, municipality=code, dual_registration=TOTAL)
        share = percent(yes, total)
        rows.append({"municipality": code, "value": None if share is None else round(share, 1),
                     "yes": yes, "total": total,
                     "status": "suppressed" if share is None else "published"})
    shares = pd.DataFrame(rows, columns=["municipality", "value", "yes", "total", "status"])
    unit = _("Share of businesses (%)")
    figure = bars(shares, "municipality", places, unit, height=300)
    figure.update_traces(texttemplate="%{x:.0f}%", textposition="auto", selector={"type": "bar"})
    figure.update_xaxes(range=[0, 100])
    overall = percent(cell(frame, municipality=TOTAL, dual_registration="yes"),
                      cell(frame, municipality=TOTAL, dual_registration=TOTAL))
    if overall is not None:
        figure.add_vline(x=overall, line={"dash": "dash", "color": SUPPRESSED_COLOUR, "width": 1},
                         annotation={"text": _("All: %(share)s", share=format_percent(overall)),
                                     "font": {"size": 11, "color": SUPPRESSED_COLOUR}},
                         annotation_position="top right")
    published = shares[shares["status"] == "published"]
    best = largest(published)
    place = data.active.get("municipality")
    if place and best is not None:
        title = _("%(share)s of businesses in %(place)s are also in Serbia's business register",
                  share=format_percent(float(published.iloc[0]["value"])),
                  place=places.get(place, place))
    elif overall is not None and best is not None:
        title = _("%(share)s of mapped businesses are also in Serbia's business register, most "
                  "in %(place)s (%(top)s)", share=format_percent(overall),
                  place=places.get(best["municipality"], best["municipality"]),
                  top=format_percent(float(best["value"])))
    elif overall is not None:
        title = _("%(share)s of mapped businesses are also in Serbia's business register",
                  share=format_percent(overall))
    else:
        title = _("Businesses also registered in Serbia, by municipality")
    table = pd.DataFrame({
        _("Municipality"): [places.get(c, c) for c in shares["municipality"]],
        _("Businesses"): [cell_text(number(v)) for v in shares["total"]],
        _("Also in Serbia's register"): [cell_text(number(v)) for v in shares["yes"]],
        _("Share"): [_("suppressed [c]") if pd.isna(v) else format_percent(v)
                     for v in shares["value"]],
    })
    return ChartView(figure, title, _(
        "Bar chart of the share of mapped businesses in each municipality that are registered "
        "both in Kosovo and in Serbia's business register; the dashed line is the share over "
        "all four municipalities."), table)


@chart("compliance-requirements-by-sector", REQUIREMENTS, ("broad_sector", "requirement"),
       wide=True)
def requirements_by_sector(data: ChartData) -> ChartView:
    """Heatmap of the share meeting each requirement; "n/a" where it applies to no business
    of the sector, ``[c]`` where a source cell is suppressed (a share of neither is zero)."""
    sectors, requirements = data.labels("broad_sector"), requirement_labels(data.release)
    frame = data.frame
    xs = [c for c in requirements if (frame["requirement"] == c).any()]
    ys = [c for c in sectors if c != TOTAL and (frame["broad_sector"] == c).any()]
    cells = frame.set_index(["broad_sector", "requirement"])
    status = [[cells["status"].get((y, x)) for x in xs] for y in ys]
    share = [[number(cells["share_meeting_pct"].get((y, x)))
              if s == "published" else None for x, s in zip(xs, line, strict=True)]
             for y, line in zip(ys, status, strict=True)]
    # Requirements across (one line each, turned upright when they do not fit), sectors down
    # (wrapped): the layout that still reads on a phone.
    x_text = [requirements[c] for c in xs]
    y_text = [wrapped(sectors.get(c, c), 18) for c in ys]
    figure = go.Figure(go.Heatmap(
        z=share, x=x_text, y=y_text, zmin=0, zmax=100, hoverongaps=False,
        text=[[format_percent(v) if v is not None else "" for v in line] for line in share],
        texttemplate="%{text}", colorscale=BLUES, showscale=False,
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        name=_("Share meeting it")))
    marks = {"suppressed": (1, SUPPRESSED_MARK, _("Suppressed for confidentiality")),
             NOT_APPLICABLE: (0, _("n/a"), _("Applies to no business of this sector"))}
    other = [[marks.get(s) if s != "published" else None for s in line] for line in status]
    figure.add_heatmap(
        z=[[m[0] if m else None for m in line] for line in other], x=x_text, y=y_text,
        text=[[m[1] if m else "" for m in line] for line in other],
        customdata=[[m[2] if m else "" for m in line] for line in other],
        texttemplate="%{text}", textfont={"color": "#495057"}, showscale=False, zmin=0, zmax=1,
        colorscale=[[0, NA_COLOUR], [1, "#ced4da"]], hoverongaps=False,
        hovertemplate="%{y} · %{x}: %{customdata}<extra></extra>", name=SUPPRESSED_MARK)
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(side="top", autotickangles=[0, 90])
    cell_borders(styled(figure, 190 + 40 * len(ys)))
    title = _requirement_finding(data, requirements, frame)
    table = pd.DataFrame({
        _("Sector"): [sectors.get(c, c) for c in frame["broad_sector"]],
        _("Requirement"): [requirements.get(c, c) for c in frame["requirement"]],
        _("Businesses it applies to"): [_numbers(r, "businesses_applicable")
                                        for r in frame.to_dict("records")],
        _("Meeting it"): [_numbers(r, "businesses_meeting") for r in frame.to_dict("records")],
        _("Share meeting it"): [_numbers(r, "share_meeting_pct") for r in
                                frame.to_dict("records")],
    })
    return ChartView(figure, title, _(
        "Heatmap of the share of businesses meeting each requirement, by broad sector, among "
        "the businesses it applies to; n/a where it applies to none, [c] where suppressed."),
        table)


def _numbers(record: dict[str, object], column: str) -> str:
    if record["status"] == NOT_APPLICABLE:
        return _("does not apply")
    value = number(record[column])
    if value is None:
        return _("suppressed [c]")
    return format_percent(value, 1) if column == "share_meeting_pct" else format_number(value)


def overall_rates(release: LoadedRelease, codes: list[str]) -> dict[str, float]:
    """Share meeting each requirement over every sector, from the published ``_total`` rows of
    ``compliance_<requirement>_by_sector`` (suppressed or absent → left out)."""
    rates = {}
    for code in codes:
        try:
            totals = query.table(release, f"compliance_{code}_by_sector",
                                 {"broad_sector": TOTAL})
        except KeyError:
            continue
        column = f"req_{code}"
        met, gap = (cell(totals, **{column: c}) for c in ("met", "gap"))
        rate = percent(met, None if met is None or gap is None else met + gap)
        if rate is not None:
            rates[code] = rate
    return rates


def _requirement_finding(data: ChartData, requirements: dict[str, str],
                         frame: pd.DataFrame) -> str:
    sector = data.active.get("sector")
    if sector is None:
        rates = overall_rates(data.release, list(requirements))
    else:
        shown = frame[frame["status"] == "published"]
        rates = dict(zip(shown["requirement"], shown["share_meeting_pct"].astype(float),
                         strict=True))
    if not rates:
        return _("Share of businesses meeting each requirement")
    code = min(rates, key=lambda c: rates[c])
    if sector is None:
        return _("%(requirement)s is the requirement least often met: %(share)s of the "
                 "businesses it applies to", requirement=requirements.get(code, code),
                 share=format_percent(rates[code]))
    return _("In %(sector)s, %(requirement)s is least often met (%(share)s)",
             sector=data.labels("broad_sector").get(sector, sector),
             requirement=requirements.get(code, code), share=format_percent(rates[code]))


@chart("compliance-training-needs", "training_needs_by_sector", ("broad_sector", "training_needs"),
       wide=True, defaults={"broad_sector": TOTAL})
def training_needs(data: ChartData) -> ChartView:
    """The training topics the survey found needed, most needed first (the all-sectors row, or
    the filtered sector's)."""
    sectors, topics = data.labels("broad_sector"), data.labels("training_needs")
    sector = data.active.get("sector", TOTAL)
    rows = data.frame
    ranked = ranked_labels(rows, "training_needs", topics)
    figure = bars(rows, "training_needs", ranked, data.unit)
    top = most_cited(rows, "training_needs")
    if top is None:
        title = _("Training needs found in the survey")
    else:
        share = top.share
        params = {"topic": topics.get(top.code, top.code), "n": format_number(top.value),
                  "sector": sectors.get(sector, sector)}
        if share is None:
            title = (_("%(topic)s is the most needed training (%(n)s businesses)", **params)
                     if sector == TOTAL else
                     _("%(topic)s is the training most needed in %(sector)s (%(n)s businesses)",
                       **params))
        elif sector == TOTAL:
            title = _("%(topic)s is the most needed training: %(share)s of businesses (%(n)s)",
                      share=format_percent(share), **params)
        else:
            title = _("%(topic)s is the training most needed in %(sector)s: %(share)s of its "
                      "businesses (%(n)s)", share=format_percent(share), **params)
    table = ranked_table(rows, "training_needs", ranked, _("Training need"), data.unit)
    return ChartView(figure, title, _(
        "Bar chart of the training needs found in the survey, most frequent first; a business "
        "with several needs counts in each."), table)
