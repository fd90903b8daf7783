"""Overview, indicators and handbook pages over the committed demo release.

Expected figures are computed here from the published CSVs with pandas, independently of
the portal's database and queries, so a wrong query or a mislabelled cell shows up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dash
import pandas as pd
import pytest
from dash import dcc, html
from dash.development.base_component import Component
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from flask.testing import FlaskClient
from selenium.webdriver.support.ui import Select

from portal import layout
from portal.catalogues import to_cyrillic
from portal.components import cells
from portal.components import chart as chart_module
from tests.pages_helpers import (
    PRODUCT_MAP,
    PROGRAMME,
    draw,
    draw_every_chart,
    nodes,
    page,
    render,
    schema_labels,
)
from tests.pages_helpers import published_csv as published

# --- helpers ---------------------------------------------------------------------------------


def label(package: Path, resource: str, column: str, code: str, fallback: str | None = None
          ) -> str:
    """The English label the release gives ``code`` (the page's fallback when it has none)."""
    return schema_labels(package, resource, column).get(code) or fallback or code


def texts(tree: Component) -> list[str]:
    """Every string child in the tree, in document order."""
    out: list[str] = []
    for node in nodes(tree):
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list | tuple) else [children]:
            if isinstance(child, str) and child.strip():
                out.append(child)
    return out


def classed(tree: Component, name: str) -> list[Component]:
    return [n for n in nodes(tree) if name in (getattr(n, "className", None) or "").split()
            or name in (getattr(n, "class_name", None) or "").split()]


def percent(value: float) -> str:
    return f"{value:,.0f}%"


def latest_indicators() -> pd.DataFrame:
    """Each indicator's most recent period, straight from the published CSV."""
    frame = published(PROGRAMME, "indicators")
    return frame.sort_values("period_start", kind="stable").drop_duplicates(
        "indicator_id", keep="last")


def trace_texts(figure: Any) -> list[str]:
    out: list[str] = []
    for trace in figure.data:
        text = trace.text
        if text is None:
            continue
        if isinstance(text, str):
            out.append(text)
            continue
        for item in text:
            out.extend(item if isinstance(item, list | tuple) else [item])
    return [str(t) for t in out]


# --- overview --------------------------------------------------------------------------------


def test_overview_key_figures_come_from_the_published_tables(demo_app: dash.Dash) -> None:
    tree = render(demo_app, "/")
    shown = texts(tree)
    totals = dict(published(PROGRAMME, "public_totals")[["total", "value"]].values)
    assert f"{float(totals['businesses_mapped']):,.0f}" in shown
    assert f"{float(totals['people_trained']):,.0f}" in shown
    assert f"{float(totals['meetings_held']):,.0f}" in shown
    outcomes = published(PROGRAMME, "meetings_by_phase_outcome")
    signed = outcomes[(outcomes["phase"] == "_total")
                      & (outcomes["outcome"] == "agreement_signed")]["value"].iloc[0]
    assert "agreements_signed" not in totals  # not a public total: a protected cell
    assert (f"{float(signed):,.0f} agreements signed" if signed != "[c]"
            else "Agreements signed: suppressed [c]") in shown

    levels = published(PRODUCT_MAP, "compliance_level_by_sector").set_index(
        ["broad_sector", "compliance_level"])["value"]
    formal, everyone = levels[("_total", "formal")], levels[("_total", "_total")]
    assert "[c]" not in (formal, everyone)
    assert percent(100 * float(formal) / float(everyone)) in shown
    assert f"{int(formal)} of {int(everyone)} mapped businesses meet every requirement that " \
           "applies to them" in shown

    gender = published(PROGRAMME, "participants_by_topic_gender")
    women = gender[(gender["topic"] == "_total") & (gender["gender"] == "female")]["value"].iloc[0]
    if women == "[c]":
        assert "Share of women: suppressed [c]" in shown
    else:
        whole = gender[(gender["topic"] == "_total") & (gender["gender"] == "_total")]
        share = percent(100 * float(women) / float(whole["value"].iloc[0]))
        assert f"{share} of training participations were by women" in shown

    last = latest_indicators()
    assert f"{(last['status'] == 'on_track').sum()} of {len(last)}" in shown
    assert len(classed(tree, "portal-figure")) == 5
    assert classed(tree, "portal-demo-banner"), "synthetic data must be flagged"


def test_overview_links_to_every_other_page_without_plotly(demo_app: dash.Dash) -> None:
    tree = render(demo_app, "/")
    links = [n for n in nodes(tree) if isinstance(n, dcc.Link)]
    with demo_app.server.test_request_context("/"):
        expected = [p["relative_path"] for p in layout.nav_pages() if p["path"] != "/"]
        descriptions = page("overview").PAGE_CARDS
    assert [link.href for link in links] == expected
    assert "/" not in expected and "/404" not in expected
    for link in links:
        words = texts(link)
        assert len(words) == 2 and words[1].endswith("."), link.href  # name and a sentence
    assert set(descriptions) >= set(expected)
    assert not [n for n in nodes(tree) if isinstance(n, dcc.Graph)]


def test_overview_without_a_release_says_so(app: dash.Dash) -> None:
    tree = render(app, "/")
    assert classed(tree, "portal-no-data")
    assert not classed(tree, "portal-figure")


# --- indicators ------------------------------------------------------------------------------


def test_indicators_chart_states_how_many_are_on_track(demo_app: dash.Dash) -> None:
    last = latest_indicators()
    chart_data, view = draw(demo_app, "indicators-achievement", {})
    assert view.title == f"{(last['status'] == 'on_track').sum()} of {len(last)} " \
                         "indicators are on track"
    # Every period is in the data behind the chart (and its CSV); the bars show the latest.
    assert len(chart_data.frame) == len(published(PROGRAMME, "indicators"))
    bars = [t for t in view.figure.data if t.type == "bar"]
    drawn = [y.split(" · ")[0] for t in bars for y in t.y]
    markers = [y.split(" · ")[0] for t in view.figure.data if t.type == "scatter" for y in t.y]
    assert set(drawn) | set(markers) == set(last["indicator_id"])
    # Status in words beside each bar, not colour alone.
    on_track = next(t for t in bars if t.name == "On track")
    labels = [t for t in view.figure.data if t.type == "scatter" and t.legendgroup == "on_track"]
    assert all(text.endswith("· On track") for text in labels[0].text)
    assert len(labels[0].text) == len(on_track.y)


def test_suppressed_indicators_are_marked_never_a_zero_bar(demo_app: dash.Dash) -> None:
    last = latest_indicators()
    hidden = set(last.loc[last["status"] == "suppressed", "indicator_id"])
    assert hidden, "the demo release has suppressed indicators"
    _, view = draw(demo_app, "indicators-achievement", {})
    bars = {y.split(" · ")[0] for t in view.figure.data if t.type == "bar" for y in t.y}
    assert not bars & hidden
    marked = [t for t in view.figure.data if t.type == "scatter" and t.text is not None
              and "[c]" in list(t.text)]
    assert len(marked) == 1
    assert {y.split(" · ")[0] for y in marked[0].y} == hidden
    assert view.table is not None
    assert (view.table.iloc[:, 1] == "suppressed [c]").sum() == len(hidden)


def test_indicators_chart_ignores_filters_it_has_no_column_for(demo_app: dash.Dash) -> None:
    everything, view = draw(demo_app, "indicators-achievement", {})
    filtered, same = draw(demo_app, "indicators-achievement", {"sector": "trade"})
    assert len(filtered.frame) == len(everything.frame)
    assert same.title == view.title
    with demo_app.server.test_request_context("/"):
        assert "sector" in chart_module._note(filtered)  # says the filter does not apply


def test_indicators_table_lists_every_indicator_by_level(demo_app: dash.Dash) -> None:
    last = latest_indicators()
    tree = render(demo_app, "/indicators")
    table = classed(tree, "portal-indicators")[0]
    bodies = [n for n in nodes(table) if isinstance(n, html.Tbody)]
    assert len(bodies) == last["level"].nunique()
    ids = [n.children for n in nodes(table) if isinstance(n, html.Th) and n.scope == "row"]
    assert ids == list(dict.fromkeys(published(PROGRAMME, "indicators")["indicator_id"]))
    shown = texts(table)
    suppressed = (last["status"] == "suppressed").sum()
    assert shown.count("suppressed [c]") == 2 * suppressed  # actual and % achieved
    for row in last.itertuples():
        assert row.title_en in shown
        if row.unit == "count" and row.actual not in ("", "[c]"):
            assert f"{float(row.actual):,.0f}" in shown
    badges = [texts(b)[-1] for b in classed(table, "portal-status")]
    assert badges.count("On track") == (last["status"] == "on_track").sum()
    assert badges.count(label(PROGRAMME, "indicators", "status", "suppressed", "")) == suppressed
    trends = [label(PROGRAMME, "indicators", "trend", t, t.capitalize())
              for t in last["trend"] if t]
    assert trends and all(t in shown for t in trends)


def test_indicator_values_carry_their_unit(demo_app: dash.Dash) -> None:
    render(demo_app, "/indicators")
    indicators = page("indicators")
    with demo_app.server.test_request_context("/"):
        assert indicators.format_value(19.75, "percent") == "19.8%"
        assert indicators.format_value(35.0, "percent") == "35%"
        assert indicators.format_value(50400.0, "eur") == "€50,400"
        assert indicators.format_value(266.0, "count") == "266"
        assert indicators.format_value(None, "count") == "—"


def test_indicator_titles_follow_the_locale(demo_app: dash.Dash,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    render(demo_app, "/indicators")
    indicators = page("indicators")
    row = latest_indicators().iloc[0].to_dict()
    assert indicators.localised(row, "title") == row["title_en"]
    for locale, column in (("sq", "title_sq"), ("sr-Latn", "title_sr"), ("sr-Cyrl", "title_sr")):
        monkeypatch.setattr(cells, "get_locale", lambda locale=locale: locale)
        expected = to_cyrillic(row[column]) if locale == "sr-Cyrl" else row[column]
        assert indicators.localised(row, "title") == expected
    assert indicators.localised({**row, "title_sr": ""}, "title") == row["title_en"]


def test_indicator_exports_link_the_published_files(demo_app: dash.Dash,
                                                    demo_client: FlaskClient) -> None:
    tree = render(demo_app, "/indicators")
    links = [n for n in nodes(classed(tree, "portal-exports")[0]) if isinstance(n, html.A)]
    version = json.loads((PROGRAMME / "datapackage.json").read_text())["version"]
    base = f"/datapackages/{version}/north-kosovo-programme-metrics/"
    assert [a.href for a in links] == [base + "data/indicators.csv",
                                       base + "data/indicators.xlsx",
                                       base + "indicators-iati.xml"]
    for a in links:
        response = demo_client.get(a.href)
        assert response.status_code == 200, a.href
        local = PROGRAMME / a.href.removeprefix(base)
        assert response.data == local.read_bytes()


# --- handbook --------------------------------------------------------------------------------


def requirements() -> pd.DataFrame:
    return published(PRODUCT_MAP, "requirements")


def test_handbook_heatmap_marks_suppressed_and_absent_cells(demo_app: dash.Dash) -> None:
    table = requirements()
    chart_data, view = draw(demo_app, "handbook-share-meeting", {})
    assert len(chart_data.frame) == len(table)
    [heatmap] = view.figure.data
    assert heatmap.type == "heatmap"
    cells = [(t, z) for row_t, row_z in zip(heatmap.text, heatmap.z, strict=True)
             for t, z in zip(row_t, row_z, strict=True)]
    assert sum(t == "[c]" for t, _ in cells) == (table["status"] == "suppressed").sum()
    assert sum(t == "—" for t, _ in cells) == (table["status"] == "not_applicable").sum()
    assert all(z is None for t, z in cells if t in ("[c]", "—"))  # never a 0% cell
    shown = table[table["status"] == "published"]
    worst = shown.loc[shown["share_meeting_pct"].astype(float).idxmin()]
    assert label(PRODUCT_MAP, "requirements", "requirement", worst["requirement"]) in view.title
    assert percent(float(worst["share_meeting_pct"])) in view.title
    with demo_app.server.test_request_context("/"):
        sectors = page("handbook").sectors(chart_data.release)
    assert sectors[worst["broad_sector"]] in view.title
    assert list(heatmap.y) == [sectors[c] for c in sectors if c in set(table["broad_sector"])]


def test_handbook_bars_follow_the_sector_filter(demo_app: dash.Dash) -> None:
    table = requirements()
    # The sector with the most published shares (a release may hide most of them).
    sector = table[table["status"] == "published"]["broad_sector"].value_counts().index[0]
    rows = table[table["broad_sector"] == sector]
    chart_data, view = draw(demo_app, "handbook-share-meeting", {"sector": sector})
    assert len(chart_data.frame) == len(rows) < len(table)
    assert set(chart_data.frame["broad_sector"]) == {sector}
    shown = rows[rows["status"] == "published"]
    worst = shown.loc[shown["share_meeting_pct"].astype(float).idxmin()]
    assert label(PRODUCT_MAP, "requirements", "requirement", worst["requirement"]) in view.title
    assert percent(float(worst["share_meeting_pct"])) in view.title
    assert label(PRODUCT_MAP, "requirements", "broad_sector", sector) in view.title
    [bars] = [t for t in view.figure.data if t.type == "bar"]
    names = [label(PRODUCT_MAP, "requirements", "requirement", c) for c in rows["requirement"]]
    by_code = dict(zip(rows["requirement"], names, strict=True))
    assert list(bars.y) == [by_code[c] for c in shown["requirement"]]
    assert [round(x, 1) for x in bars.x] == [float(v) for v in shown["share_meeting_pct"]]

    def drawn_as(codes: pd.Series) -> list[list[str]]:
        """One trace naming ``codes``, or none when there are none."""
        return [[by_code[c] for c in codes]] if len(codes) else []

    suppressed = [t for t in view.figure.data if t.type == "scatter" and "[c]" in list(t.text)]
    assert [list(t.y) for t in suppressed] == drawn_as(
        rows.loc[rows["status"] == "suppressed", "requirement"])
    absent = [t for t in view.figure.data if t.type == "scatter" and t not in suppressed]
    assert [list(t.y) for t in absent] == drawn_as(
        rows.loc[rows["status"] == "not_applicable", "requirement"])
    assert not set(bars.y) & {y for t in suppressed + absent for y in t.y}


def test_handbook_for_one_sector(demo_app: dash.Dash) -> None:
    trade = requirements().query("broad_sector == 'trade'")
    tree = render(demo_app, "/handbook", sector="trade")
    content = classed(tree, "portal-handbook")[0]
    items = classed(content, "portal-requirement")
    assert len(items) == len(trade)
    shown = texts(content)
    for row in trade.itertuples():
        if row.status == "published":
            share = percent(float(row.share_meeting_pct))
            assert f"{row.businesses_meeting} of {row.businesses_applicable} businesses " \
                   f"({share})" in shown
    assert shown.count("suppressed [c]") == (trade["status"] == "suppressed").sum()
    assert shown.count("does not apply to any mapped business in this sector") == \
        (trade["status"] == "not_applicable").sum()
    assert shown.count("not named in the programme's sources") == (trade["legal_basis"] == "").sum()
    steps = [len(s.split(" | ")) for s in trade["steps_en"]]
    assert [len(o.children) for o in nodes(content) if isinstance(o, html.Ol)] == steps
    assert trade["authority_en"].iloc[0] in shown
    bars = [n for n in nodes(content) if getattr(n, "role", None) == "progressbar"]
    assert len(bars) == (trade["status"] == "published").sum()


def test_handbook_without_a_sector_is_an_accordion_of_all(demo_app: dash.Dash) -> None:
    import dash_bootstrap_components as dbc

    table = requirements()
    tree = render(demo_app, "/handbook")
    [accordion] = [n for n in nodes(tree) if isinstance(n, dbc.Accordion)]
    assert [item.item_id for item in accordion.children] == sorted(set(table["broad_sector"]))
    assert len(classed(accordion, "portal-requirement")) == len(table)


def test_handbook_redraws_when_the_sector_changes(demo_app: dash.Dash) -> None:
    render(demo_app, "/handbook")
    handbook = page("handbook")
    assert f"{handbook.CONTENT_ID}.children" in demo_app.callback_map
    with demo_app.server.test_request_context("/"):
        one = handbook.redraw("agriculture")
        every = handbook.redraw("*")
    agriculture = requirements().query("broad_sector == 'agriculture'")
    assert len(classed(one, "portal-requirement")) == len(agriculture)
    assert "Agriculture" in texts(one)[0]
    assert len(classed(every, "portal-requirement")) == len(requirements())


# --- in a browser ----------------------------------------------------------------------------


HEADING = f"#{layout.MAIN_ID} h1"
CHARTS = ".portal-chart .js-plotly-plot"


def _charts(dash_duo: DashComposite, count: int) -> None:
    assert draw_every_chart(dash_duo.driver, expected=count) == count


@pytest.mark.browser
def test_pages_in_a_browser(dash_duo: DashComposite, demo_app: dash.Dash) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_text_to_equal(HEADING, "Overview", timeout=10)
    until(lambda: len(dash_duo.find_elements(".portal-figure")) == 5, timeout=4)
    assert not dash_duo.find_elements(".js-plotly-plot")
    card = dash_duo.find_element(".portal-page-card[href='/indicators']")
    # Bootstrap scrolls smoothly: bring the card into view at once, or the click lands mid-way.
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", card)
    card.click()
    dash_duo.wait_for_text_to_equal(HEADING, "Indicators")
    _charts(dash_duo, 2)  # the achievement and the trajectory
    assert dash_duo.find_elements(".portal-indicators tbody tr")

    dash_duo.driver.get(dash_duo.server_url + "/handbook?sector=trade")
    dash_duo.wait_for_text_to_equal(HEADING, "Handbook", timeout=10)
    _charts(dash_duo, 1)
    dash_duo.wait_for_contains_text("#handbook-content h2", "Wholesale and retail trade")
    # Another sector, one whose chart title names it (a published share to state).
    table = requirements()
    sector = table[(table["status"] == "published")
                   & (table["broad_sector"] != "trade")]["broad_sector"].iloc[0]
    name = label(PRODUCT_MAP, "requirements", "broad_sector", sector)
    Select(dash_duo.find_element('select[id*=\'"name":"sector"\']')).select_by_value(sector)
    dash_duo.wait_for_contains_text("#handbook-content h2", name)
    dash_duo.wait_for_contains_text("#chart-handbook-share-meeting h2", name)
    until(lambda: dash_duo.driver.current_url.endswith(f"/handbook?sector={sector}"), 4)
    assert dash_duo.get_logs() == []
