"""Training reach: who the programme trained, in what, how well, and against which targets.

Counts here are *participations* (one per person per session) unless they come from the
public totals, which count distinct people; titles say which one they use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import dash
import pandas as pd
import plotly.graph_objects as go
from dash.development.base_component import Component

from portal import query
from portal.components import maps
from portal.components.cells import (
    NOT_KNOWN,
    by_value,
    cell,
    cell_text,
    count,
    largest,
    percent_text,
    target,
    target_value,
)
from portal.components.chart import ChartData, ChartView, chart
from portal.components.figures import (
    PALETTE,
    SUPPRESSED_MARK,
    bars,
    heatmap,
    interior,
    stacked,
    styled,
    suppressed_trace,
)
from portal.components.page import chart_page, target_cards
from portal.i18n import N_, _, format_percent
from portal.labels import TOTAL
from portal.layout import page_title
from portal.load.database import LoadedRelease

dash.register_page(
    __name__,
    path="/training",
    name=N_("Training"),
    order=4,
    title=page_title(N_("Training")),
)

FILTERS = ("gender", "municipality", "from", "to")
CHARTS = ["training-participants-by-quarter", "training-sessions-by-quarter-topic",
          "training-participants-by-topic-gender", "training-participants-by-community",
          "training-participants-by-municipality", "training-participants-by-age",
          "training-completion-by-topic", "training-knowledge-gain",
          "training-satisfaction-by-topic", "training-needs-vs-delivered"]

#: Registry metrics (``metric`` column of ``indicators``) whose targets the charts draw.
PEOPLE_METRICS = ("people_trained",)
SESSION_METRICS = ("sessions_held",)
COMPLETION_METRICS = ("participants_completed_share",)
#: The results-framework level of the targets drawn (the outcome level has its own).
LEVEL = "output"
#: Satisfaction 1 (very low) → 5 (very high), then "not known"; colour-blind safe.
RATING_COLOURS = ("#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#0072B2", "#CC79A7")
#: Prefix the survey may put before need codes that otherwise equal topic codes.
NEED_PREFIX = "need_"


def layout(**params: str) -> Component:
    return chart_page(
        _("Training"),
        _("Who the programme trained, in which topics, how much they learnt and how satisfied "
          "they were, against the targets of the results framework and the needs the survey "
          "found."),
        "mortarboard", FILTERS, CHARTS, params, before=(key_figures,))


# --------------------------------------------------------------------------- helpers


def quarter_filtered(data: ChartData) -> bool:
    return "from" in data.active or "to" in data.active


def quarters_only(data: ChartData) -> pd.DataFrame:
    """Rows of real quarters; the ``_total`` quarter spans every quarter, so it is dropped
    whenever a quarter range is active (the range itself may keep or drop it)."""
    frame = data.frame
    return frame[frame["quarter"] != TOTAL] if quarter_filtered(data) else frame


def key_figures(release: LoadedRelease) -> Component:
    """Sessions held and people trained (public totals) beside their targets, and the
    participations they add up to."""
    totals = query.public_totals(release)
    return target_cards([
        (_("Training sessions held"), totals.get("sessions_held"),
         target_value(release, SESSION_METRICS, LEVEL)),
        (_("People trained"), totals.get("people_trained"),
         target_value(release, PEOPLE_METRICS, LEVEL)),
        (_("Participations (a person per session)"),
         cell(query.table(release, "participants_by_quarter"), quarter=TOTAL), None),
    ])


# --------------------------------------------------------------------------- charts


@chart("training-participants-by-quarter", "participants_by_quarter", ("quarter",))
def participants_by_quarter(data: ChartData) -> ChartView:
    """Participations each quarter with their running total, against the people-trained
    target (the running total counts participations, so the distinct people are marked)."""
    rows = data.frame[data.frame["quarter"] != TOTAL].sort_values("quarter")
    quarters = list(rows["quarter"])
    published = list(rows["status"] != "suppressed")
    values = [float(v) if p else None for v, p in zip(rows["value"], published, strict=True)]
    running: list[float | None] = []
    total = 0.0
    for value in values:
        if value is None or (running and running[-1] is None):
            running.append(None)  # unknown from the first suppressed quarter on
            continue
        total += value
        running.append(total)
    figure = go.Figure()
    figure.add_bar(x=[q for q, p in zip(quarters, published, strict=True) if p],
                   y=[v for v in values if v is not None], name=_("Participations in the quarter"),
                   marker_color=PALETTE[0],
                   hovertemplate=_("%(quarter)s: %(n)s participations", quarter="%{x}",
                                   n="%{y:,}") + "<extra></extra>")
    figure.add_scatter(x=quarters, y=running, mode="lines+markers", name=_("Running total"),
                       line={"color": PALETTE[1], "width": 3},
                       hovertemplate=_("Up to %(quarter)s: %(n)s participations",
                                       quarter="%{x}", n="%{y:,}") + "<extra></extra>")
    hidden = [q for q, p in zip(quarters, published, strict=True) if not p]
    if hidden:
        figure.add_trace(suppressed_trace(hidden, False))
    people = query.public_totals(data.release).get("people_trained")
    goal = target(data.release, PEOPLE_METRICS, LEVEL)
    whole = not quarter_filtered(data)
    if goal is not None and "from" not in data.active:
        figure.add_hline(y=goal[0], line_dash="dash", line_color=PALETTE[5], line_width=2,
                         annotation_text=_("Target %(n)s: %(indicator)s", n=count(goal[0]),
                                           indicator=goal[1]),
                         annotation_position="top left",
                         annotation_font_color=PALETTE[5])
    if whole and people is not None and quarters:
        figure.add_scatter(x=[quarters[-1]], y=[people], mode="markers",
                           name=_("People trained (each counted once)"),
                           marker={"symbol": "diamond", "size": 13, "color": PALETTE[5]},
                           hovertemplate=_("%(n)s people trained", n="%{y:,}")
                           + "<extra></extra>")
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=quarters)
    figure.update_yaxes(title_text=data.unit, rangemode="tozero")
    overall = cell(data.frame, quarter=TOTAL) if whole else (
        total if running and running[-1] is not None else None)
    if whole and people is not None and goal is not None and overall is not None:
        title = _("%(people)s people trained against a target of %(target)s, in %(n)s "
                  "participations", people=count(people), target=count(goal[0]),
                  n=count(overall))
    elif overall is not None and quarters:
        title = _("%(n)s participations from %(first)s to %(last)s", n=count(overall),
                  first=quarters[0], last=quarters[-1])
    elif any(v is not None for v in values):
        best = max((v, q) for v, q in zip(values, quarters, strict=True) if v is not None)
        title = _("The busiest quarter was %(quarter)s (%(n)s participations)",
                  quarter=best[1], n=count(best[0]))
    else:
        title = _("Participations by quarter")
    if whole and people is not None and goal is not None:
        summary = _("Bar chart of training participations per quarter with a line of their "
                    "running total; the dashed line is the target for people trained and the "
                    "diamond the number of distinct people trained (a person attending several "
                    "sessions counts once).")
    else:
        summary = _("Bar chart of training participations per quarter with a line of their "
                    "running total over the quarters shown.")
    return ChartView(styled(figure, 360), title, summary)


@chart("training-sessions-by-quarter-topic", "sessions_by_quarter_topic", ("quarter", "topic"))
def sessions_by_quarter_topic(data: ChartData) -> ChartView:
    """Heatmap rather than stacked bars: small session counts are mostly suppressed, and a
    grid still shows which topics ran when (``[c]``) and which did not (0)."""
    topics = data.labels("topic")
    frame = quarters_only(data)
    cells = interior(frame, "quarter", "topic")
    quarters = sorted(set(cells["quarter"]))
    margins = {q: cell(frame, quarter=q, topic=TOTAL) for q in quarters}
    x_labels = {q: _("%(quarter)s<br>total %(n)s", quarter=q,
                     n=SUPPRESSED_MARK if margins[q] is None else count(margins[q]))
                for q in quarters}
    figure = heatmap(cells, "quarter", "topic", x_labels, topics, "value", data.unit,
                     scale=False)
    figure.update_xaxes(side="top", tickangle=0)
    goal = target(data.release, SESSION_METRICS, LEVEL)
    whole = cell(frame, quarter=TOTAL, topic=TOTAL) if not quarter_filtered(data) else None
    published = {q: v for q, v in margins.items() if v is not None}
    in_range = sum(published.values()) if quarters and len(published) == len(quarters) else None
    if whole is not None and goal is not None:
        title = _("%(n)s sessions held, against a target of %(target)s", n=count(whole),
                  target=count(goal[0]))
    elif whole is not None:
        title = _("%(n)s training sessions held", n=count(whole))
    elif in_range is not None:
        title = _("%(n)s sessions held from %(first)s to %(last)s", n=count(in_range),
                  first=quarters[0], last=quarters[-1])
    elif published:
        quarter = max(published, key=lambda q: published[q])
        title = _("Most sessions were held in %(quarter)s (%(n)s)", quarter=quarter,
                  n=count(published[quarter]))
    else:
        title = _("Training sessions by quarter and topic")
    return ChartView(figure, title, _(
        "Grid of training sessions by quarter (columns, with the quarter's total) and topic "
        "(rows); [c] marks counts suppressed for confidentiality."))


@chart("training-participants-by-topic-gender", "participants_by_topic_gender",
       ("topic", "gender"), wide=True)
def participants_by_topic_gender(data: ChartData) -> ChartView:
    topics, genders = data.labels("topic"), data.labels("gender")
    frame = data.frame
    gender = data.active.get("gender", TOTAL)
    ranking = frame[frame["gender"] == gender]  # the topic margins, or the chosen gender
    order = by_value(ranking, "topic", topics)
    figure = stacked(frame, "topic", order, "gender",
                     genders, data.unit)
    women, everyone = (cell(frame, topic=TOTAL, gender="female"),
                       cell(frame, topic=TOTAL, gender=TOTAL))
    best = largest(ranking[(ranking["topic"] != TOTAL) & (ranking["value"].astype(float) > 0)])
    if gender == TOTAL and women is not None and everyone:
        title = _("Women made up %(share)s of participations (%(n)s of %(total)s)",
                  share=percent_text(women, everyone), n=count(women), total=count(everyone))
    elif best is not None:
        name = topics.get(best["topic"], best["topic"])
        title = (_("%(topic)s drew the most participations (%(n)s)", topic=name,
                   n=count(float(best["value"]))) if gender == TOTAL else
                 _("%(gender)s: most participations in %(topic)s (%(n)s)",
                   gender=genders.get(gender, gender), topic=name, n=count(float(best["value"]))))
    else:
        title = _("Participations by topic and gender")
    return ChartView(figure, title, _(
        "Bar chart of training participations by topic, largest first, stacked by gender; "
        "cells suppressed for confidentiality are pooled in a grey [c] segment."))


def _single(data: ChartData, dim: str, order: Mapping[str, str]) -> tuple[go.Figure, str | None]:
    """Bars of one breakdown of participations, and its largest published category as
    "label (n, share)" when the total is published."""
    return bars(data.frame, dim, order, data.unit), _largest(data, dim, order)


def _largest(data: ChartData, dim: str, order: Mapping[str, str]) -> str | None:
    """The largest published category as "label (n, share)" (share when the total is
    published), or None."""
    rows = interior(data.frame, dim)
    best = largest(rows[~rows[dim].isin(NOT_KNOWN) & (rows["value"].astype(float) > 0)])
    if best is None:
        return None
    value = float(best["value"])
    whole = cell(data.frame, **{dim: TOTAL})
    label = order.get(best[dim], best[dim])
    return (_("%(label)s (%(n)s participations, %(share)s)", label=label, n=count(value),
              share=percent_text(value, whole)) if whole else
            _("%(label)s (%(n)s participations)", label=label, n=count(value)))


@chart("training-participants-by-community", "participants_by_ethnicity", ("ethnicity",))
def participants_by_community(data: ChartData) -> ChartView:
    labels = data.labels("ethnicity")
    figure, top = _single(data, "ethnicity", by_value(data.frame, "ethnicity", labels))
    title = _("The largest community among participants: %(top)s", top=top) if top else \
        _("Participations by community")
    return ChartView(figure, title, _(
        "Bar chart of training participations by the participant's community, largest first."))


@chart("training-participants-by-municipality", "participants_by_municipality",
       ("municipality",))
def participants_by_municipality(data: ChartData) -> ChartView:
    top = _largest(data, "municipality", data.labels("municipality"))
    title = _("Most participants came from %(top)s", top=top) if top else \
        _("Participations by municipality")
    return maps.municipality_view(data, "municipality", title, _(
        "Map of Kosovo's municipalities shaded by the number of training participations of "
        "people who live or work there, hatched where the number is suppressed."))


@chart("training-participants-by-age", "participants_by_age_band", ("age_band",))
def participants_by_age(data: ChartData) -> ChartView:
    labels = data.labels("age_band")
    present = set(data.frame["age_band"])
    order = {c: t for c, t in labels.items() if c in present and c != TOTAL}  # ordinal: keep
    figure, top = _single(data, "age_band", order)
    title = _("The largest age group: %(top)s", top=top) if top else \
        _("Participations by age")
    return ChartView(figure, title, _(
        "Bar chart of training participations by the participant's age band, youngest first."))


def _rate_bars(rates: Mapping[str, float], hidden: Sequence[str], labels: Mapping[str, str],
               text: Sequence[str], hover: str, colour: str) -> go.Figure:
    """Horizontal bars of a rate per category (given sorted), suppressed ones marked."""
    names = [labels[c] for c in [*rates, *hidden]]
    figure = go.Figure()
    figure.add_bar(x=list(rates.values()), y=[labels[c] for c in rates], orientation="h",
                   marker_color=colour, showlegend=False, text=list(text),
                   textposition="inside", insidetextanchor="end",
                   hovertemplate=hover + "<extra></extra>")
    if hidden:
        figure.add_trace(suppressed_trace([labels[c] for c in hidden], True))
    figure.update_yaxes(categoryorder="array", categoryarray=names, autorange="reversed")
    styled(figure, max(240, 90 + 30 * len(names)))
    return figure.update_layout(margin_t=36)  # room for the toolbar when there is no legend


@chart("training-completion-by-topic", "completion_by_topic", ("topic", "completed"))
def completion_by_topic(data: ChartData) -> ChartView:
    """Completion rate per topic (yes / topic margin), against the programme's target."""
    topics = data.labels("topic")
    frame = data.frame
    present = [c for c in topics if c != TOTAL and (frame["topic"] == c).any()]
    found: dict[str, float] = {}
    for code in present:
        yes, whole = (cell(frame, topic=code, completed="yes"),
                      cell(frame, topic=code, completed=TOTAL))
        if yes is not None and whole:
            found[code] = 100 * yes / whole
    rates = dict(sorted(found.items(), key=lambda item: -item[1]))
    hidden = [c for c in present if c not in rates]
    figure = _rate_bars(rates, hidden, topics, [format_percent(r) for r in rates.values()],
                        _("%(topic)s: %(rate)s attended the whole session", topic="%{y}",
                          rate="%{x:.0f}%"), PALETTE[2])
    goal = target(data.release, COMPLETION_METRICS, LEVEL)
    if goal is not None:
        figure.add_vline(x=goal[0], line_dash="dash", line_color=PALETTE[5], line_width=2,
                         annotation_text=_("Target %(rate)s", rate=format_percent(goal[0])),
                         annotation_position="bottom right",
                         annotation_font_color=PALETTE[5])
    figure.update_xaxes(title_text="%", range=[0, 100])
    yes, whole = (cell(frame, topic=TOTAL, completed="yes"),
                  cell(frame, topic=TOTAL, completed=TOTAL))
    if yes is not None and whole and goal is not None:
        title = _("%(rate)s of participations were attended in full, against a target of "
                  "%(target)s", rate=percent_text(yes, whole), target=format_percent(goal[0]))
    elif yes is not None and whole:
        title = _("%(rate)s of participations were attended in full", rate=percent_text(yes, whole))
    elif rates:
        lowest = list(rates)[-1]
        title = _("%(topic)s had the lowest completion rate (%(rate)s)", topic=topics[lowest],
                  rate=format_percent(rates[lowest]))
    else:
        title = _("Completion by topic")
    codes = [*rates, *hidden]
    table = pd.DataFrame({
        _("Topic"): [topics[c] for c in codes],
        _("Attended the whole session"): [cell_text(cell(frame, topic=c, completed="yes"))
                                          for c in codes],
        _("Participations"): [cell_text(cell(frame, topic=c, completed=TOTAL)) for c in codes],
        _("Completion rate"): [format_percent(rates[c]) if c in rates else _("suppressed [c]")
                               for c in codes],
    })
    return ChartView(figure, title, _(
        "Bar chart of the share of participations in which the participant attended the whole "
        "session, by topic, highest first; the dashed line is the programme's target."), table)


def _signed(change: float) -> str:
    return _("+%(rate)s", rate=format_percent(change)) if change >= 0 else format_percent(change)


@chart("training-knowledge-gain", "post_scores_by_topic", ("topic",))
def knowledge_gain(data: ChartData) -> ChartView:
    """Change from pre-test to post-test points, per topic.

    Only sums of scores are published, and the participants per topic are not the test
    takers (not every session was tested; the post-test needs the whole session), so an
    average per participant would be wrong. Total points after / before is what the data
    support.
    """
    topics = data.labels("topic")
    post = data.frame
    pre = query.table(data.release, "pre_scores_by_topic")
    present = [c for c in topics if c != TOTAL and (post["topic"] == c).any()
               and (pre["topic"] == c).any()]
    sums = {c: (cell(pre, topic=c), cell(post, topic=c)) for c in [*present, TOTAL]}
    found: dict[str, float] = {}
    for code, (before, after) in sums.items():
        if before and after is not None:
            found[code] = 100 * (after / before - 1)
    overall = found.pop(TOTAL, None)
    changes = dict(sorted(found.items(), key=lambda item: -item[1]))
    hidden = [c for c in present if c not in changes]
    figure = _rate_bars(changes, hidden, topics, [_signed(v) for v in changes.values()],
                        _("%(topic)s: %(change)s test points after training", topic="%{y}",
                          change="%{x:+.0f}%"), PALETTE[0])
    if overall is not None:
        figure.add_vline(x=overall, line_dash="dot", line_color=PALETTE[5], line_width=2,
                         annotation_text=_("All topics %(change)s", change=_signed(overall)),
                         annotation_position="bottom right", annotation_font_color=PALETTE[5])
    figure.update_xaxes(title_text=_("Change in test points, %"), rangemode="tozero")
    best = next(iter(changes), None)
    if overall is not None and overall >= 0 and best is not None:
        title = _("Test points rose %(change)s after training, most in %(topic)s (%(best)s)",
                  change=format_percent(overall), topic=topics[best],
                  best=_signed(changes[best]))
    elif overall is not None:
        title = _("Test points changed by %(change)s after training", change=_signed(overall))
    elif best is not None:
        title = _("%(topic)s shows the largest gain in test points (%(best)s)",
                  topic=topics[best], best=_signed(changes[best]))
    else:
        title = _("Knowledge tests before and after training")
    codes = [*changes, *hidden, TOTAL]
    every = {**changes, **({TOTAL: overall} if overall is not None else {})}
    table = pd.DataFrame({
        _("Topic"): [topics.get(c, c) for c in codes],
        _("Test points before"): [cell_text(sums[c][0]) for c in codes],
        _("Test points after"): [cell_text(sums[c][1]) for c in codes],
        _("Change"): [_signed(every[c]) if c in every else _("suppressed [c]") for c in codes],
    })
    return ChartView(figure, title, _(
        "Bar chart of the change in total knowledge-test points from before to after training, "
        "by topic, largest first. Only sums of scores are published, over the participants who "
        "took each test, so this compares totals, not averages per participant."), table)


@chart("training-satisfaction-by-topic", "satisfaction_by_topic", ("topic", "satisfaction"))
def satisfaction_by_topic(data: ChartData) -> ChartView:
    topics, ratings = data.labels("topic"), data.labels("satisfaction")
    frame = data.frame
    levels = {c: t for c, t in ratings.items() if c != TOTAL}
    top_two = [c for c in levels if c not in NOT_KNOWN][-2:]

    def high(code: str) -> float:
        """Published share rated in the two highest levels (a lower bound), for sorting."""
        whole = cell(frame, topic=code, satisfaction=TOTAL)
        values = [cell(frame, topic=code, satisfaction=level) for level in top_two]
        return sum(v for v in values if v is not None) / whole if whole else -1.0

    codes = [c for c in topics if c != TOTAL and (frame["topic"] == c).any()]
    order = {TOTAL: topics.get(TOTAL, TOTAL)} if (frame["topic"] == TOTAL).any() else {}
    order.update({c: topics[c] for c in sorted(codes, key=lambda c: -high(c))})
    figure = stacked(frame, "topic", order, "satisfaction", levels, data.unit,
                     colours=RATING_COLOURS, percent=True)
    values = [cell(frame, topic=TOTAL, satisfaction=level) for level in top_two]
    whole = cell(frame, topic=TOTAL, satisfaction=TOTAL)
    unknown = sum(cell(frame, topic=TOTAL, satisfaction=c) or 0.0 for c in NOT_KNOWN
                  if (frame["satisfaction"] == c).any())
    rated = whole - unknown if whole is not None else None
    known = [v for v in values if v is not None]
    if len(top_two) == 2 and len(known) == 2 and rated:
        title = _("%(share)s of those who rated their session chose %(high)s or %(top)s",
                  share=percent_text(sum(known), rated), high=levels[top_two[0]],
                  top=levels[top_two[1]])
    else:
        title = _("Satisfaction with the training, by topic")
    return ChartView(figure, title, _(
        "Stacked bars of the share of participations by satisfaction rating (1 very low to 5 "
        "very high), for all topics and each topic; suppressed ratings are pooled in a grey "
        "[c] segment."))


class _Match(NamedTuple):
    """One row of the needs chart: a need code and/or a training topic code, and values.

    (A NamedTuple, not a dataclass: Dash executes page modules before registering them in
    ``sys.modules``, which dataclasses need.)
    """

    name: str
    need_code: str | None
    topic_code: str | None
    need: float | None
    given: float | None


@chart("training-needs-vs-delivered", "training_needs_by_sector",
       ("broad_sector", "training_needs"), wide=True, defaults={"broad_sector": TOTAL})
def needs_vs_delivered(data: ChartData) -> ChartView:
    """Businesses that need each training (survey) beside the participations delivered.

    Need and topic codes are matched where equal (after dropping a ``need_`` prefix); the
    unmatched ones stay on the chart, as needs nobody trained for or training nobody asked.
    """
    needs = data.labels("training_needs")
    topics = data.labels("topic", "participants_by_topic_gender")
    frame = data.frame  # the all-sectors rows (pinned default), or the chosen sector's
    sector = data.active.get("sector")
    delivered = query.table(data.release, "participants_by_topic_gender", {"gender": TOTAL})
    matches: list[_Match] = []
    for code in needs:
        if code == TOTAL or code in NOT_KNOWN or not (frame["training_needs"] == code).any():
            continue
        topic = code.removeprefix(NEED_PREFIX)
        topic_code = topic if topic in topics else None
        matches.append(_Match(needs[code], code, topic_code, cell(frame, training_needs=code),
                              cell(delivered, topic=topic_code) if topic_code else None))
    matched = {m.topic_code for m in matches}
    matches += [_Match(topics[t], None, t, None, cell(delivered, topic=t)) for t in topics
                if t != TOTAL and t not in matched and (delivered["topic"] == t).any()]
    matches.sort(key=lambda m: (m.need_code is None, -(m.need if m.need is not None else -1)))
    # One axis, grouped bars (side-by-side panels are unreadable on a phone); a need with no
    # training, or training nobody asked for, says so under its label.
    names = [m.name if m.need_code and m.topic_code else _(
        "%(name)s<br><i>%(note)s</i>", name=m.name,
        note=_("no training given") if m.need_code else _("not asked in the survey"))
        for m in matches]
    series = ((_("Businesses needing the training"), data.unit, PALETTE[1],
               [(m.need_code, m.need) for m in matches]),
              (_("Participations in the training"), query.field(
                  data.release, "participants_by_topic_gender", "value").get("unit", ""),
               PALETTE[0], [(m.topic_code, m.given) for m in matches]))
    figure = go.Figure()
    suppressed: list[str] = []
    for name, unit, colour, side in series:
        shown = [(n, v) for n, (_c, v) in zip(names, side, strict=True) if v is not None]
        figure.add_bar(x=[v for _n, v in shown], y=[n for n, _v in shown], orientation="h",
                       marker_color=colour, name=name,
                       hovertemplate=_("%(category)s: %(n)s %(unit)s", category="%{y}",
                                       n="%{x:,}", unit=unit) + "<extra></extra>")
        suppressed += [n for n, (c, v) in zip(names, side, strict=True) if c and v is None]
    if suppressed:
        figure.add_trace(suppressed_trace(suppressed, True))
    figure.update_yaxes(categoryorder="array", categoryarray=names, autorange="reversed")
    figure.update_xaxes(title_text=_("Number"), rangemode="tozero")
    figure.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    styled(figure, max(300, 90 + 44 * len(names)))
    names = [m.name for m in matches]
    asked = [m for m in matches if m.need is not None]
    unmet = [m.name for m in matches if m.need_code and not m.topic_code]
    if asked:
        best = max(asked, key=lambda m: m.need or 0.0)
        if sector:
            title = _("%(sector)s: the training most needed is %(need)s (%(n)s businesses)",
                      sector=data.labels("broad_sector").get(sector, sector), need=best.name,
                      n=count(best.need or 0.0))
        elif unmet:
            title = _("Most needed: %(need)s (%(n)s businesses); no training yet in "
                      "%(missing)s", need=best.name, n=count(best.need or 0.0),
                      missing=", ".join(unmet))
        else:
            title = _("Most needed: %(need)s (%(n)s businesses), with %(m)s participations",
                      need=best.name, n=count(best.need or 0.0),
                      m=SUPPRESSED_MARK if best.given is None else count(best.given))
    else:
        title = _("Training needs and training delivered")
    table = pd.DataFrame({
        _("Training"): names,
        _("Businesses needing it"): [cell_text(m.need) if m.need_code else "—" for m in matches],
        _("Participations"): [cell_text(m.given) if m.topic_code else "—" for m in matches],
    })
    return ChartView(figure, title, _(
        "Bar chart of the surveyed businesses that need each training beside the "
        "participations in training on the same topic, most needed first; needs without "
        "training and training nobody asked for are marked under their names."), table)
