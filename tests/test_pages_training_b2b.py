"""Training and B2B pages over the committed demo release: every chart's title states a
finding recomputed here from the published CSVs, suppressed cells are drawn as suppressed
(never as a zero bar), and the URL filters narrow the rows they apply to."""

from __future__ import annotations

import json
from pathlib import Path

import dash
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash.testing.composite import DashComposite

from portal.components import chart as chart_module
from tests.pages_helpers import (
    MARK,
    PRODUCT_MAP,
    PROGRAMME,
    TOTAL,
    draw,
    draw_every_chart,
    marked,
    page,
    published_csv,
    schema_labels,
)
from tests.pages_helpers import csv_value as value


def csv(resource: str, package: Path = PROGRAMME) -> pd.DataFrame:
    return published_csv(package, resource)


def labels(resource: str, column: str, package: Path = PROGRAMME) -> dict[str, str]:
    return schema_labels(package, resource, column)


def indicator_target(metric: str) -> float:
    rows = csv("indicators")
    rows = rows[rows["metric"] == metric]
    return float(rows.sort_values("period_end")["target"].iloc[-1])


def n(number: float) -> str:
    return f"{number:,.0f}"


#: Charts per page (the browser test counts them before any app exists).
TRAINING_CHARTS, B2B_CHARTS = 10, 7


def bar_values(figure: go.Figure, name: str | None = None) -> dict[str, float]:
    """Category → drawn length of the bars of trace ``name`` (every non-[c] bar if None)."""
    out: dict[str, float] = {}
    for trace in figure.data:
        if trace.type != "bar" or (name is not None and trace.name != name):
            continue
        if name is None and trace.text is not None and MARK in list(trace.text):
            continue
        horizontal = trace.orientation == "h"
        categories, lengths = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
        out.update({c: v for c, v in zip(categories, lengths, strict=True) if v is not None})
    return out


def assert_suppressed_shown(figure: go.Figure, categories: list[str]) -> None:
    """Each category is drawn as suppressed and has no bar of its own."""
    shown = marked(figure)
    for category in categories:
        assert category in shown, f"{category} not drawn as suppressed"


def assert_stacked_suppression(figure: go.Figure, frame: pd.DataFrame, category: str,
                               names: dict[str, str], colour: str,
                               colour_names: dict[str, str]) -> int:
    """Every suppressed cell of a stacked chart: its category is marked [c] and its series
    has no bar there (not even a zero)."""
    cells = frame[(frame[category] != TOTAL) & (frame[colour] != TOTAL)]
    hidden = cells[cells["status"] == "suppressed"]
    shown = set(marked(figure))
    for row in hidden.to_dict("records"):
        name = names[row[category]]
        assert name in shown, name
        assert name not in bar_values(figure, colour_names[row[colour]])
    return len(hidden)


# --------------------------------------------------------------------------- training


def test_participants_by_quarter_against_the_target(demo_app: dash.Dash) -> None:
    quarters = csv("participants_by_quarter")
    people = float(csv("public_totals").set_index("total").loc["people_trained", "value"])
    goal = indicator_target("people_trained")
    data, view = draw(demo_app, "training-participants-by-quarter")
    assert f"{n(people)} people trained against a target of {n(goal)}" in view.title
    assert n(value(quarters, quarter=TOTAL)) in view.title
    assert any(shape.y0 == goal and shape.line.dash == "dash"
               for shape in view.figure.layout.shapes)
    cells = quarters[quarters["quarter"] != TOTAL]
    assert_suppressed_shown(view.figure, list(cells.loc[cells["status"] == "suppressed",
                                                        "quarter"]))
    data, view = draw(demo_app, "training-participants-by-quarter", {"from": "2019Q4"})
    assert set(data.frame["quarter"]) <= set(cells["quarter"]) | {TOTAL}
    assert "2019Q3" not in set(data.frame["quarter"])
    kept = cells[cells["quarter"] >= "2019Q4"]
    assert view.title.startswith(f"{n(kept['value'].astype(float).sum())} participations")
    assert not view.figure.layout.shapes  # the target counts from the start


def test_target_line_is_chosen_by_metric_not_id(demo_app: dash.Dash) -> None:
    training = page("training")
    with demo_app.server.test_request_context("/"):
        release = chart_module.query.current_release()
        assert release is not None
        assert training.target(release, ("no_such_metric",)) is None
        found = training.target(release, training.PEOPLE_METRICS)
        assert found is not None and found[0] == indicator_target("people_trained")


def test_sessions_heatmap(demo_app: dash.Dash) -> None:
    sessions = csv("sessions_by_quarter_topic")
    cells = sessions[(sessions["quarter"] != TOTAL) & (sessions["topic"] != TOTAL)]
    data, view = draw(demo_app, "training-sessions-by-quarter-topic")
    whole = value(sessions, quarter=TOTAL, topic=TOTAL)
    assert view.title == (f"{n(whole)} sessions held, against a target of "
                          f"{n(indicator_target('sessions_held'))}")
    grid = view.figure.data[0]
    text = [t for row in grid.text for t in row]
    z = [v for row in grid.z for v in row]
    assert text.count(MARK) == int((cells["status"] == "suppressed").sum())
    assert all(v is None for v, t in zip(z, text, strict=True) if t == MARK)
    data, view = draw(demo_app, "training-sessions-by-quarter-topic", {"to": "2020Q1"})
    assert set(data.frame["quarter"]) == {"2019Q3", "2019Q4", "2020Q1"}
    margins = sessions[(sessions["topic"] == TOTAL) & (sessions["quarter"] <= "2020Q1")
                       & (sessions["status"] == "published")]
    best = margins.loc[margins["value"].astype(float).idxmax()]
    assert view.title == f"Most sessions were held in {best['quarter']} ({best['value']})"


def test_participants_by_topic_and_gender(demo_app: dash.Dash) -> None:
    table = csv("participants_by_topic_gender")
    topics, genders = labels("participants_by_topic_gender", "topic"), labels(
        "participants_by_topic_gender", "gender")
    data, view = draw(demo_app, "training-participants-by-topic-gender")
    women, everyone = (value(table, topic=TOTAL, gender="female"),
                       value(table, topic=TOTAL, gender=TOTAL))
    if women is not None:
        assert f"{100 * women / everyone:.0f}%" in view.title
    else:
        margins = table[(table["gender"] == TOTAL) & (table["topic"] != TOTAL)]
        best = margins.loc[margins["value"].astype(float).idxmax()]
        assert view.title == (f"{topics[best['topic']]} drew the most participations "
                              f"({best['value']})")
    assert assert_stacked_suppression(view.figure, data.frame, "topic", topics, "gender",
                                      genders) > 0
    data, view = draw(demo_app, "training-participants-by-topic-gender", {"gender": "female"})
    assert set(data.frame["gender"]) == {"female"}
    female = table[(table["gender"] == "female") & (table["topic"] != TOTAL)
                   & (table["status"] == "published")]
    best = female.loc[female["value"].astype(float).idxmax()]
    assert f"{topics[best['topic']]} ({best['value']})" in view.title
    hidden = table[(table["gender"] == "female") & (table["topic"] != TOTAL)
                   & (table["status"] == "suppressed")]
    assert not hidden.empty
    assert_suppressed_shown(view.figure, [topics[c] for c in hidden["topic"]])
    assert not {topics[c] for c in hidden["topic"]} & set(bar_values(view.figure))


@pytest.mark.parametrize(("chart_id", "resource", "column", "active"), [
    ("training-participants-by-community", "participants_by_ethnicity", "ethnicity", None),
    ("training-participants-by-age", "participants_by_age_band", "age_band", None),
])
def test_small_breakdowns(demo_app: dash.Dash, chart_id: str, resource: str, column: str,
                          active: dict[str, str] | None) -> None:
    table = csv(resource)
    names = labels(resource, column)
    cells = table[~table[column].isin([TOTAL, "unknown", "undisclosed"])]
    published = cells[cells["status"] == "published"]
    best = published.loc[published["value"].astype(float).idxmax()]
    whole = value(table, **{column: TOTAL})
    data, view = draw(demo_app, chart_id)
    assert f"{names[best[column]]} ({best['value']} participations" in view.title
    assert f"{100 * float(best['value']) / whole:.0f}%" in view.title
    hidden = [names[c] for c in table.loc[table["status"] == "suppressed", column]]
    assert_suppressed_shown(view.figure, hidden)
    assert not set(hidden) & set(bar_values(view.figure))
    # Largest first (or age bands in order), suppressed after the published ones.
    order = list(view.figure.layout.yaxis.categoryarray)
    assert order.index(names[best[column]]) < min(
        [order.index(h) for h in hidden] or [len(order)])
    filtered, _view = draw(demo_app, chart_id, active or {"gender": "female"})
    if active:
        assert set(filtered.frame[column]) == set(active.values())
        assert len(filtered.frame) < len(data.frame)
    else:  # no page filter applies to this table: all rows stay
        assert len(filtered.frame) == len(data.frame)


def test_completion_by_topic(demo_app: dash.Dash) -> None:
    table = csv("completion_by_topic")
    topics = labels("completion_by_topic", "topic")
    data, view = draw(demo_app, "training-completion-by-topic")
    rate = 100 * value(table, topic=TOTAL, completed="yes") / value(
        table, topic=TOTAL, completed=TOTAL)
    goal = indicator_target("participants_completed_share")
    assert view.title == (f"{rate:.0f}% of participations were attended in full, against a "
                          f"target of {goal:.0f}%")
    drawn = bar_values(view.figure)
    hidden = []
    for code in topics:
        if code == TOTAL:
            continue
        yes, whole = value(table, topic=code, completed="yes"), value(table, topic=code,
                                                                      completed=TOTAL)
        if yes is None or whole is None:
            hidden.append(topics[code])
        else:
            assert drawn[topics[code]] == pytest.approx(100 * yes / whole)
    assert hidden
    assert_suppressed_shown(view.figure, hidden)
    assert not set(hidden) & set(drawn)
    assert view.table is not None and (view.table == "suppressed [c]").any().any()
    filtered, _view = draw(demo_app, "training-completion-by-topic", {"municipality": "38"})
    assert len(filtered.frame) == len(data.frame)


def test_knowledge_gain_uses_the_ratio_of_sums(demo_app: dash.Dash) -> None:
    pre, post = csv("pre_scores_by_topic"), csv("post_scores_by_topic")
    topics = labels("post_scores_by_topic", "topic")
    data, view = draw(demo_app, "training-knowledge-gain")
    overall = 100 * (value(post, topic=TOTAL) / value(pre, topic=TOTAL) - 1)
    changes = {c: 100 * (value(post, topic=c) / value(pre, topic=c) - 1)
               for c in post["topic"] if c != TOTAL}
    best = max(changes, key=lambda c: changes[c])
    assert view.title == (f"Test points rose {overall:.0f}% after training, most in "
                          f"{topics[best]} (+{changes[best]:.0f}%)")
    drawn = bar_values(view.figure)
    assert drawn == pytest.approx({topics[c]: v for c, v in changes.items()})
    assert list(view.figure.layout.yaxis.categoryarray)[0] == topics[best]
    filtered, _view = draw(demo_app, "training-knowledge-gain", {"gender": "female"})
    assert len(filtered.frame) == len(data.frame)


def test_satisfaction_by_topic(demo_app: dash.Dash) -> None:
    table = csv("satisfaction_by_topic")
    topics, levels = labels("satisfaction_by_topic", "topic"), labels(
        "satisfaction_by_topic", "satisfaction")
    data, view = draw(demo_app, "training-satisfaction-by-topic")
    high = value(table, topic=TOTAL, satisfaction="4") + value(
        table, topic=TOTAL, satisfaction="5")
    rated = value(table, topic=TOTAL, satisfaction=TOTAL) - value(
        table, topic=TOTAL, satisfaction="unknown")
    assert view.title.startswith(f"{100 * high / rated:.0f}% of those who rated")
    assert levels["5"] in view.title
    assert assert_stacked_suppression(view.figure, data.frame, "topic", topics,
                                      "satisfaction", levels) > 0
    # 100% bars: every topic with a published margin sums to 100.
    totals: dict[str, float] = {}
    for trace in view.figure.data:
        if trace.type == "bar":
            for category, length in zip(trace.y, trace.x, strict=True):
                totals[category] = totals.get(category, 0.0) + (length or 0.0)
    assert all(v == pytest.approx(100) for v in totals.values())


def test_needs_against_training_delivered(demo_app: dash.Dash) -> None:
    needs = csv("training_needs_by_sector", PRODUCT_MAP)
    need_names = labels("training_needs_by_sector", "training_needs", PRODUCT_MAP)
    topic_codes = set(csv("participants_by_topic_gender")["topic"]) - {TOTAL}
    data, view = draw(demo_app, "training-needs-vs-delivered")
    assert set(data.frame["broad_sector"]) == {TOTAL}
    margin = needs[(needs["broad_sector"] == TOTAL)
                   & ~needs["training_needs"].isin([TOTAL, "unknown"])]
    shown_needs = margin[margin["status"] == "published"]
    best = shown_needs.loc[shown_needs["value"].astype(float).idxmax()]
    assert view.title.startswith(f"Most needed: {need_names[best['training_needs']]} "
                                 f"({best['value']} businesses)")
    unmatched = [need_names[c] for c in margin["training_needs"] if c not in topic_codes]
    assert unmatched and all(name in view.title for name in unmatched)
    categories = list(view.figure.layout.yaxis.categoryarray)
    assert len(categories) == len(margin) + len(topic_codes - set(margin["training_needs"]))
    assert sum("no training given" in c for c in categories) == len(unmatched)
    participations = bar_values(view.figure, "Participations in the training")
    delivered = csv("participants_by_topic_gender")
    for code in topic_codes & set(margin["training_needs"]):
        given = value(delivered, topic=code, gender=TOTAL)
        if given is None:  # suppressed: drawn as such, never as a bar
            assert need_names[code] not in participations
            assert need_names[code] in marked(view.figure)
        else:
            assert participations[need_names[code]] == given
    data, view = draw(demo_app, "training-needs-vs-delivered", {"sector": "agriculture"})
    assert set(data.frame["broad_sector"]) == {"agriculture"}
    rows = needs[(needs["broad_sector"] == "agriculture")
                 & ~needs["training_needs"].isin([TOTAL, "unknown"])]
    hidden = [need_names[c] for c in rows.loc[rows["status"] == "suppressed",
                                              "training_needs"]]
    assert hidden
    shown = marked(view.figure)
    assert all(any(s.startswith(h) for s in shown) for h in hidden)
    assert not set(hidden) & set(bar_values(view.figure, "Businesses needing the training"))
    top = rows[rows["status"] == "published"]
    top = top.loc[top["value"].astype(float).idxmax()]
    assert f"{need_names[top['training_needs']]} ({top['value']} businesses)" in view.title


# --------------------------------------------------------------------------- B2B


def test_meetings_against_target(demo_app: dash.Dash) -> None:
    table = csv("meetings_by_phase_outcome")
    phases = labels("meetings_by_phase_outcome", "phase")
    pilot = value(table, phase="pilot", outcome=TOTAL)
    goal = indicator_target("b2b_pilot_meetings_held")
    data, view = draw(demo_app, "b2b-meetings-against-target")
    assert set(data.frame["outcome"]) == {TOTAL}
    assert view.title.startswith(f"{phases['pilot']}: {n(pilot)} meetings held against a "
                                 f"target of {n(goal)}")
    assert f"{n(value(table, phase=TOTAL, outcome=TOTAL))} in all" in view.title
    assert f"target {n(indicator_target('b2b_meetings_held'))}" in view.title
    target = next(t for t in view.figure.data if t.name == "Target")
    assert dict(zip(target.x, target.y, strict=True))[phases["pilot"]] == goal
    data, view = draw(demo_app, "b2b-meetings-against-target", {"phase": "scale_up"})
    assert set(data.frame["phase"]) == {"scale_up"}
    assert view.title == (f"{phases['scale_up']}: "
                          f"{n(value(table, phase='scale_up', outcome=TOTAL))} meetings held")


def test_outcomes_by_phase(demo_app: dash.Dash) -> None:
    table = csv("meetings_by_phase_outcome")
    phases, outcomes = labels("meetings_by_phase_outcome", "phase"), labels(
        "meetings_by_phase_outcome", "outcome")
    data, view = draw(demo_app, "b2b-outcomes-by-phase")
    signed, whole = (value(table, phase=TOTAL, outcome="agreement_signed"),
                     value(table, phase=TOTAL, outcome=TOTAL))
    assert view.title == (f"{outcomes['agreement_signed']} in {n(signed)} of {n(whole)} "
                          f"meetings ({100 * signed / whole:.0f}%)")
    assert assert_stacked_suppression(view.figure, data.frame, "phase", phases, "outcome",
                                      outcomes) > 0
    # A fully suppressed phase keeps its true length: its published margin.
    pooled = bar_values(view.figure, "Suppressed [c]")
    assert pooled[phases["pilot"]] == value(table, phase="pilot", outcome=TOTAL)
    data, view = draw(demo_app, "b2b-outcomes-by-phase", {"phase": "pilot"})
    assert set(data.frame["phase"]) == {"pilot"}
    assert phases["pilot"] in view.title


def test_sector_pairs(demo_app: dash.Dash) -> None:
    table = csv("meetings_by_sector_pair")
    north = labels("meetings_by_sector_pair", "north_sector")
    data, view = draw(demo_app, "b2b-sector-pairs")
    margins = table[(table["counterpart_sector"] == TOTAL) & (table["north_sector"] != TOTAL)
                    & (table["status"] == "published")]
    best = margins.loc[margins["value"].astype(float).idxmax()]
    assert view.title == (f"Most meetings involved northern businesses in "
                          f"{north[best['north_sector']]} ({best['value']} of "
                          f"{n(value(table, north_sector=TOTAL, counterpart_sector=TOTAL))})")
    cells = table[(table["north_sector"] != TOTAL) & (table["counterpart_sector"] != TOTAL)]
    grid = view.figure.data[0]
    text = [t for row in grid.text for t in row]
    assert text.count(MARK) == int((cells["status"] == "suppressed").sum())
    assert all(v is None for row_z, row_t in zip(grid.z, grid.text, strict=True)
               for v, t in zip(row_z, row_t, strict=True) if t == MARK)
    filtered, _view = draw(demo_app, "b2b-sector-pairs", {"phase": "pilot"})
    assert len(filtered.frame) == len(data.frame)  # no phase column: nothing filtered


def test_language_and_interpretation(demo_app: dash.Dash) -> None:
    table = csv("meetings_by_language_interpretation")
    languages, answers = labels("meetings_by_language_interpretation", "language"), labels(
        "meetings_by_language_interpretation", "interpretation")
    data, view = draw(demo_app, "b2b-language-interpretation")
    yes, whole = (value(table, language=TOTAL, interpretation="yes"),
                  value(table, language=TOTAL, interpretation=TOTAL))
    if yes is not None and whole:
        assert view.title == (f"An interpreter was provided at {n(yes)} of {n(whole)} "
                              f"meetings ({100 * yes / whole:.0f}%)")
    else:  # the share is suppressed: the title names the most common published language
        totals = table[(table["language"] != TOTAL) & (table["interpretation"] == TOTAL)
                       & (table["status"] == "published")
                       & ~table["language"].isin(["unknown", "undisclosed"])]
        best = totals.loc[totals["value"].astype(float).idxmax()]
        assert view.title == (f"{languages[best['language']]} was the most common meeting "
                              f"language ({n(float(best['value']))} meetings)")
    assert assert_stacked_suppression(view.figure, data.frame, "language", languages,
                                      "interpretation", answers) > 0
    filtered, _view = draw(demo_app, "b2b-language-interpretation", {"phase": "pilot"})
    assert len(filtered.frame) == len(data.frame)


def test_obstacles(demo_app: dash.Dash) -> None:
    table = csv("meetings_by_obstacle")
    phases, obstacles = labels("meetings_by_obstacle", "phase"), labels(
        "meetings_by_obstacle", "obstacles")
    data, view = draw(demo_app, "b2b-obstacles")
    margins = table[(table["phase"] == TOTAL) & ~table["obstacles"].isin([TOTAL, "unknown"])
                    & (table["status"] == "published")]
    best = margins.loc[margins["value"].astype(float).idxmax()]
    assert view.title == (f"{obstacles[best['obstacles']]} was the most frequent obstacle "
                          f"({best['value']} meetings)")
    assert list(view.figure.layout.yaxis.categoryarray)[0] == obstacles[best["obstacles"]]
    assert assert_stacked_suppression(view.figure, data.frame, "obstacles", obstacles,
                                      "phase", phases) > 0
    data, view = draw(demo_app, "b2b-obstacles", {"phase": "scale_up"})
    assert set(data.frame["phase"]) == {"scale_up"}
    assert_suppressed_shown(view.figure, [obstacles[c] for c in data.frame.loc[
        data.frame["status"] == "suppressed", "obstacles"] if c != TOTAL])


def test_deal_value(demo_app: dash.Dash) -> None:
    table = csv("deal_value_by_phase")
    # Agreements signed: a protected cell (not a public total), like the deal value.
    signed = value(csv("meetings_by_phase_outcome"), phase=TOTAL, outcome="agreement_signed")
    worth = value(table, phase=TOTAL)
    assert "agreements_signed" not in set(csv("public_totals")["total"])
    data, view = draw(demo_app, "b2b-deal-value")
    if signed is not None and worth is not None:
        assert view.title == (f"{n(signed)} agreements signed against a target of "
                              f"{n(indicator_target('b2b_agreements_signed'))}, worth "
                              f"{n(worth)} EUR where a value was recorded")
    elif worth is not None:
        assert view.title == (f"Deals worth {n(worth)} EUR where a value was recorded; the "
                              "number of agreements signed is suppressed for confidentiality")
    else:  # the total value is suppressed: the title says no number of agreements either
        assert "agreements signed" not in view.title
        assert MARK in [t for tr in view.figure.data if tr.text is not None
                        and not isinstance(tr.text, str) for t in tr.text]
    target = next(t for t in view.figure.data if t.name == "Target")
    assert list(target.y) == [indicator_target("b2b_deal_value_eur")]
    data, view = draw(demo_app, "b2b-deal-value", {"phase": "pilot"})
    assert data.frame.empty  # no deal value is published for the pilot
    assert view.title == "No deal value was published for this phase"
    data, view = draw(demo_app, "b2b-deal-value", {"phase": "scale_up"})
    assert set(data.frame["phase"]) == {"scale_up"}


def test_pages_declare_their_filters_and_charts(demo_app: dash.Dash) -> None:
    training, b2b = page("training"), page("b2b")
    assert training.FILTERS == ("gender", "municipality", "from", "to")
    assert b2b.FILTERS == ("phase",)
    assert (len(training.CHARTS), len(b2b.CHARTS)) == (TRAINING_CHARTS, B2B_CHARTS)
    assert set(training.CHARTS + b2b.CHARTS) <= set(chart_module.CHARTS)
    with demo_app.server.test_request_context("/"):
        layout = json.dumps(training.layout(gender="female").to_plotly_json(),
                            default=lambda o: o.to_plotly_json())
    assert "portal-key-figures" in layout and "People trained" in layout


# --------------------------------------------------------------------------- browser


@pytest.mark.browser
@pytest.mark.parametrize(("path", "heading", "charts"), [
    ("/training?gender=female&from=2019Q4", "Training", TRAINING_CHARTS),
    ("/b2b?phase=pilot", "B2B meetings", B2B_CHARTS),
])
def test_pages_in_a_browser(dash_duo: DashComposite, demo_app: dash.Dash, path: str,
                            heading: str, charts: int) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_text_to_equal("#main-content h1", heading)
    assert draw_every_chart(dash_duo.driver, expected=charts) == charts
    assert len(dash_duo.find_elements(".portal-key-figures .card")) >= 2
    assert dash_duo.get_logs() == []
