"""B2B meetings between northern businesses and partners from the rest of Kosovo: how many
were held against the targets, what came of them, who met whom and what stood in the way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash
import plotly.graph_objects as go
from dash.development.base_component import Component

from portal import query
from portal.components import maps
from portal.components.cells import (
    NOT_KNOWN,
    agreements_signed,
    amount,
    by_value,
    cell,
    count,
    largest,
    percent_text,
    target_value,
)
from portal.components.chart import ChartData, ChartView, chart
from portal.components.figures import (
    PALETTE,
    SUPPRESSED_MARK,
    heatmap,
    interior,
    stacked,
    styled,
    suppressed_trace,
    wrapped,
)
from portal.components.page import chart_page, target_cards
from portal.i18n import N_, _
from portal.labels import TOTAL
from portal.layout import page_title
from portal.load.database import LoadedRelease

dash.register_page(
    __name__,
    path="/b2b",
    name=N_("B2B"),
    order=5,
    title=page_title(N_("B2B")),
)

FILTERS = ("phase",)
CHARTS = ["b2b-meetings-against-target", "b2b-outcomes-by-phase", "b2b-counterparts-map",
          "b2b-sector-pairs",
          "b2b-language-interpretation", "b2b-obstacles", "b2b-deal-value"]

PILOT = "pilot"
#: Registry metrics (``metric`` column of ``indicators``) whose targets the charts draw.
PILOT_METRICS = ("b2b_pilot_meetings_held",)
MEETING_METRICS = ("b2b_meetings_held",)
AGREEMENT_METRICS = ("b2b_agreements_signed",)
DEAL_VALUE_METRICS = ("b2b_deal_value_eur",)
SIGNED = "agreement_signed"
INTERPRETED = "yes"


def layout(**params: str) -> Component:
    return chart_page(
        _("B2B meetings"),
        _("Business-to-business meetings between producers in the north and partners from the "
          "rest of Kosovo: the pilot of five meetings and the scale-up, what they led to and "
          "what stood in the way."),
        "people", FILTERS, CHARTS, params, before=(key_figures,))


# --------------------------------------------------------------------------- helpers


def bullet(names: Sequence[str], values: Sequence[float | None], targets: Sequence[float | None],
           unit: str, text: Sequence[str]) -> go.Figure:
    """Vertical bars with each target as a dark tick across its bar ("bullet" bars)."""
    figure = go.Figure()
    shown = [i for i, v in enumerate(values) if v is not None]
    figure.add_bar(x=[names[i] for i in shown], y=[values[i] for i in shown],
                   marker_color=PALETTE[0], name=unit, text=[text[i] for i in shown],
                   textposition="outside", cliponaxis=False,
                   hovertemplate=_("%(category)s: %(value)s %(unit)s", category="%{x}",
                                   value="%{y:,}", unit=unit) + "<extra></extra>")
    aimed = [i for i, t in enumerate(targets) if t is not None]
    if aimed:
        figure.add_scatter(
            x=[names[i] for i in aimed], y=[targets[i] for i in aimed], mode="markers",
            name=_("Target"), marker={"symbol": "line-ew", "size": 46, "color": PALETTE[5],
                                      "line": {"width": 4, "color": PALETTE[5]}},
            hovertemplate=_("%(category)s: target %(value)s %(unit)s", category="%{x}",
                            value="%{y:,}", unit=unit) + "<extra></extra>")
    hidden = [names[i] for i, v in enumerate(values) if v is None]
    if hidden:
        figure.add_trace(suppressed_trace(hidden, False))
    peak = max([v for v in values if v is not None] + [t for t in targets if t is not None]
               + [1.0])
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=list(names))
    figure.update_yaxes(title_text=unit, range=[0, peak * 1.18])
    figure.update_layout(showlegend=bool(aimed) or bool(hidden), bargap=0.45)
    return styled(figure, 320)


def key_figures(release: LoadedRelease) -> Component:
    """Meetings held (a public total) and agreements signed (a protected cell, shown as
    suppressed when it is) in all, beside their targets."""
    totals = query.public_totals(release)
    signed = agreements_signed(release)
    return target_cards([
        (_("B2B meetings held"), totals.get("meetings_held"),
         target_value(release, MEETING_METRICS)),
        (_("Agreements signed"), None if signed is None else
         _("suppressed [c]") if signed.suppressed else signed.value,
         target_value(release, AGREEMENT_METRICS))])


# --------------------------------------------------------------------------- charts


@chart("b2b-meetings-against-target", "meetings_by_phase_outcome", ("phase", "outcome"),
       defaults={"outcome": TOTAL})
def meetings_against_target(data: ChartData) -> ChartView:
    """Meetings per phase (and in all) against the pilot's and the programme's targets; only
    the outcome margins are read, so the CSV holds exactly the bars."""
    phases = data.labels("phase")
    frame = data.frame
    codes = [c for c in phases if c != TOTAL and (frame["phase"] == c).any()]
    if "phase" not in data.active and (frame["phase"] == TOTAL).any():
        codes.append(TOTAL)
    values = [cell(frame, phase=c, outcome=TOTAL) for c in codes]
    pilot_goal = target_value(data.release, PILOT_METRICS)
    all_goal = target_value(data.release, MEETING_METRICS)
    goals = {PILOT: pilot_goal, TOTAL: all_goal}
    targets = [goals.get(c) for c in codes]
    text = [count(v) if v is not None else "" for v in values]
    figure = bullet([phases[c] for c in codes], values, targets, data.unit, text)
    pilot, whole = cell(frame, phase=PILOT, outcome=TOTAL), cell(frame, phase=TOTAL,
                                                                 outcome=TOTAL)
    if pilot is not None and pilot_goal is not None and whole is not None and all_goal:
        title = _("%(phase)s: %(n)s meetings held against a target of %(target)s; %(all)s in "
                  "all (target %(all_target)s)", phase=phases[PILOT], n=count(pilot),
                  target=count(pilot_goal), all=count(whole), all_target=count(all_goal))
    elif pilot is not None and pilot_goal is not None:
        title = _("%(phase)s: %(n)s meetings held, against a target of %(target)s",
                  phase=phases[PILOT], n=count(pilot), target=count(pilot_goal))
    elif any(v is not None for v in values):
        best = max((v, c) for v, c in zip(values, codes, strict=True) if v is not None)
        title = _("%(phase)s: %(n)s meetings held", phase=phases[best[1]], n=count(best[0]))
    else:
        title = _("B2B meetings held")
    return ChartView(figure, title, _(
        "Bar chart of B2B meetings held in the pilot, the scale-up and in all; the dark tick "
        "on a bar is its target from the results framework."))


@chart("b2b-outcomes-by-phase", "meetings_by_phase_outcome", ("phase", "outcome"))
def outcomes_by_phase(data: ChartData) -> ChartView:
    phases, outcomes = data.labels("phase"), data.labels("outcome")
    frame = data.frame
    order = {c: t for c, t in phases.items() if (frame["phase"] == c).any()}
    colours = (PALETTE[2], PALETTE[4], PALETTE[5])
    figure = stacked(frame, "phase", order, "outcome",
                     outcomes, data.unit,
                     colours=colours)
    phase = data.active.get("phase", TOTAL)
    signed, whole = cell(frame, phase=phase, outcome=SIGNED), cell(frame, phase=phase,
                                                                   outcome=TOTAL)
    if signed is not None and whole:
        title = _("%(outcome)s in %(n)s of %(total)s meetings (%(share)s)",
                  outcome=outcomes.get(SIGNED, SIGNED), n=count(signed), total=count(whole),
                  share=percent_text(signed, whole))
    elif whole is not None:
        title = _("%(phase)s: the outcomes of %(n)s meetings are suppressed for "
                  "confidentiality", phase=phases.get(phase, phase), n=count(whole))
    else:
        title = _("Outcomes of B2B meetings")
    return ChartView(figure, title, _(
        "Stacked bars of B2B meetings by outcome for each phase and in all; outcomes "
        "suppressed for confidentiality are pooled in a grey [c] segment."))


@chart("b2b-counterparts-map", "meetings_by_counterpart_municipality",
       ("counterpart_municipality",))
def counterparts_map(data: ChartData) -> ChartView:
    """Where the partners from the rest of Kosovo came from: the programme's point."""
    places = data.labels("counterpart_municipality")
    best = largest(data.frame[data.frame["counterpart_municipality"] != TOTAL])
    title = (_("Most partners came from %(place)s (%(n)s meetings)",
               place=places.get(best["counterpart_municipality"]), n=count(best["value"]))
             if best is not None else _("Where the partners came from"))
    return maps.municipality_view(data, "counterpart_municipality", title, _(
        "Map of Kosovo's municipalities shaded by the number of B2B meetings with a business "
        "from each, hatched where the number is suppressed; the north, where the programme's "
        "businesses are, stands out."), north=True)


@chart("b2b-sector-pairs", "meetings_by_sector_pair", ("north_sector", "counterpart_sector"))
def sector_pairs(data: ChartData) -> ChartView:
    """Who met whom; the axis labels carry each sector's published margin."""
    north = data.labels("north_sector")
    counterpart = data.labels("counterpart_sector")
    frame = data.frame
    cells = interior(frame, "north_sector", "counterpart_sector")

    def labelled(labels: Mapping[str, str], margins: Mapping[str, float | None], width: int
                 ) -> dict[str, str]:
        out = {}
        for code, text in labels.items():
            value = margins.get(code)
            if code != TOTAL:
                out[code] = _("%(sector)s<br>total %(n)s", sector=wrapped(text, width),
                              n=SUPPRESSED_MARK if value is None else count(value))
        return out

    north_totals = {c: cell(frame, north_sector=c, counterpart_sector=TOTAL) for c in north}
    other_totals = {c: cell(frame, north_sector=TOTAL, counterpart_sector=c)
                    for c in counterpart}
    # Northern sectors as the (few) columns, counterparts as rows: fits a phone's width.
    x_labels, y_labels = labelled(north, north_totals, 10), labelled(counterpart, other_totals, 16)
    figure = heatmap(cells, "north_sector", "counterpart_sector", x_labels, y_labels, "value",
                     data.unit, scale=False)
    figure.update_traces(
        hovertemplate=_("From the north: %(north)s<br>Counterpart: %(counterpart)s<br>"
                        "%(value)s %(unit)s", north="%{x}", counterpart="%{y}",
                        value="%{text}", unit=data.unit) + "<extra></extra>")
    figure.update_xaxes(tickangle=0, tickfont_size=10, title_text=_("Business from the north"),
                        title_font_size=12)
    figure.update_yaxes(tickfont_size=11, title_text=_("Counterpart from the rest of Kosovo"),
                        title_font_size=12)
    figure.update_layout(height=190 + 56 * len(set(cells["counterpart_sector"])))
    whole = cell(frame, north_sector=TOTAL, counterpart_sector=TOTAL)
    known = {c: v for c, v in north_totals.items() if v is not None and c != TOTAL}
    if known:
        best = max(known, key=lambda c: known[c])
        title = (_("Most meetings involved northern businesses in %(sector)s (%(n)s of "
                   "%(total)s)", sector=north[best], n=count(known[best]), total=count(whole))
                 if whole else
                 _("Most meetings involved northern businesses in %(sector)s (%(n)s)",
                   sector=north[best], n=count(known[best])))
    else:
        title = _("B2B meetings by the sectors of the two parties")
    return ChartView(figure, title, _(
        "Grid of B2B meetings by the sector of the northern business (columns) and of its "
        "counterpart from the rest of Kosovo (rows), with each sector's total; [c] marks "
        "counts suppressed for confidentiality."))


@chart("b2b-language-interpretation", "meetings_by_language_interpretation",
       ("language", "interpretation"))
def language_interpretation(data: ChartData) -> ChartView:
    languages, answers = data.labels("language"), data.labels("interpretation")
    frame = data.frame
    order = {TOTAL: languages.get(TOTAL, TOTAL)} if (frame["language"] == TOTAL).any() else {}
    order.update(by_value(frame, "language", languages, margin="interpretation"))
    figure = stacked(frame, "language", order, "interpretation",
                     answers, data.unit,
                     colours=(PALETTE[1], PALETTE[0]))
    interpreted = cell(frame, language=TOTAL, interpretation=INTERPRETED)
    whole = cell(frame, language=TOTAL, interpretation=TOTAL)
    totals = {c: cell(frame, language=c, interpretation=TOTAL) for c in order if c != TOTAL}
    known = {c: v for c, v in totals.items() if v is not None and c not in NOT_KNOWN}
    if interpreted is not None and whole:
        title = _("An interpreter was provided at %(n)s of %(total)s meetings (%(share)s)",
                  n=count(interpreted), total=count(whole),
                  share=percent_text(interpreted, whole))
    elif known:
        best = max(known, key=lambda c: known[c])
        title = _("%(language)s was the most common meeting language (%(n)s meetings)",
                  language=languages[best], n=count(known[best]))
    else:
        title = _("B2B meetings by language and interpretation")
    return ChartView(figure, title, _(
        "Stacked bars of B2B meetings by the language they were held in, split by whether an "
        "interpreter was provided; suppressed counts are pooled in a grey [c] segment."))


@chart("b2b-obstacles", "meetings_by_obstacle", ("phase", "obstacles"))
def obstacles(data: ChartData) -> ChartView:
    """Obstacles (several per meeting possible), most frequent first, split by phase."""
    phases, found = data.labels("phase"), data.labels("obstacles")
    frame = data.frame
    phase = data.active.get("phase", TOTAL)
    order = by_value(frame[frame["phase"] == phase], "obstacles", found)
    figure = stacked(frame, "obstacles", order, "phase",
                     phases, data.unit)
    best = largest(frame[(frame["phase"] == phase) & (frame["obstacles"] != TOTAL)
                         & ~frame["obstacles"].isin(NOT_KNOWN)
                         & (frame["value"].astype(float) > 0)])
    if best is not None:
        name, n = found.get(best["obstacles"], best["obstacles"]), count(float(best["value"]))
        title = (_("%(obstacle)s was the most frequent obstacle (%(n)s meetings)",
                   obstacle=name, n=n) if phase == TOTAL else
                 _("%(phase)s: %(obstacle)s was the most frequent published obstacle (%(n)s "
                   "meetings)", phase=phases.get(phase, phase), obstacle=name, n=n))
    else:
        title = _("Obstacles found in B2B meetings")
    return ChartView(figure, title, _(
        "Stacked bars of B2B meetings by obstacle found (a meeting can name several), most "
        "frequent first, split by phase; suppressed counts are pooled in a grey [c] segment."))


@chart("b2b-deal-value", "deal_value_by_phase", ("phase",))
def deal_value(data: ChartData) -> ChartView:
    """Value of what was agreed (protected sums) beside the count of agreements (a protected
    cell of ``meetings_by_phase_outcome``), each against its target."""
    phases = data.labels("phase")
    frame = data.frame
    codes = [c for c in phases if c != TOTAL and (frame["phase"] == c).any()]
    whole_view = "phase" not in data.active and (frame["phase"] == TOTAL).any()
    if whole_view:
        codes.append(TOTAL)
    values = [cell(frame, phase=c) for c in codes]
    value_goal = target_value(data.release, DEAL_VALUE_METRICS)
    targets = [value_goal if c == TOTAL else None for c in codes]
    figure = bullet([phases[c] for c in codes], values, targets, data.unit,
                    [amount(v, data.unit) if v is not None else "" for v in values])
    signed = agreements_signed(data.release)
    agreements = signed.value if signed is not None else None
    agreement_goal = target_value(data.release, AGREEMENT_METRICS)
    whole = cell(frame, phase=TOTAL)
    if whole_view and whole is not None and agreements is not None:
        title = (_("%(n)s agreements signed against a target of %(target)s, worth %(value)s "
                   "where a value was recorded", n=count(agreements),
                   target=count(agreement_goal), value=amount(whole, data.unit))
                 if agreement_goal is not None else
                 _("%(n)s agreements signed, worth %(value)s where a value was recorded",
                   n=count(agreements), value=amount(whole, data.unit)))
    elif whole_view and whole is not None and signed is not None and signed.suppressed:
        title = _("Deals worth %(value)s where a value was recorded; the number of agreements "
                  "signed is suppressed for confidentiality", value=amount(whole, data.unit))
    elif any(v is not None for v in values):
        best = next((c, v) for c, v in zip(codes, values, strict=True) if v is not None)
        title = _("%(phase)s: deals worth %(value)s", phase=phases[best[0]],
                  value=amount(best[1], data.unit))
    elif not codes:
        title = _("No deal value was published for this phase")
    else:
        title = _("Value of agreements")
    return ChartView(figure, title, _(
        "Bar chart of the value of deals agreed at B2B meetings, by phase and in all, where a "
        "value was recorded; the dark tick is the target for the programme."))
