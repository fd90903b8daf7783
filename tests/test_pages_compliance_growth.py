"""Compliance and growth pages: every chart states a finding recomputed here from the published
CSVs, draws suppressed cells as suppressed (never as a zero bar), and follows the filters."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import dash
import pandas as pd
import pytest
from dash.testing.composite import DashComposite

from portal import query
from portal.components import chart as chart_module
from portal.i18n import format_number
from tests.pages_helpers import (
    PRODUCT_MAP,
    TOTAL,
    bar_points,
    csv_value,
    draw,
    draw_every_chart,
    marked,
    plain,
    published_csv,
    schema_labels,
)

REQUIREMENTS = ("reg_kosovo_business", "fiscal_registered", "vat_registered",
                "pension_contributions", "written_contracts", "fva_registration", "haccp",
                "bilingual_labels", "product_certification", "environmental_permit",
                "sector_licence")
COMPLIANCE_CHARTS = ["compliance-levels-by-sector", "dual-registration-by-municipality",
                     "compliance-requirements-by-sector", "compliance-training-needs"]
GROWTH_CHARTS = ["growth-potential-by-sector", "growth-potential-by-compliance",
                 "growth-constraints", "employment-by-sector", "turnover-by-sector"]


# --- the published data, read independently of the portal -----------------------------------


def csv(resource: str) -> pd.DataFrame:
    return published_csv(PRODUCT_MAP, resource)


def labels(resource: str, column: str) -> dict[str, str]:
    return schema_labels(PRODUCT_MAP, resource, column)


def label(resource: str, column: str, code: str) -> str:
    return labels(resource, column).get(code, code)


def value(resource: str, **where: str) -> float | None:
    """A published cell of the CSV (None when it is ``[c]``)."""
    return csv_value(csv(resource), **where)


def percent(part: float, whole: float, decimals: int = 0) -> str:
    return f"{100 * part / whole:.{decimals}f}%"


# --- reading figures ---------------------------------------------------------------------------


def assert_suppressed_shown(view: chart_module.ChartView, rows: pd.DataFrame, category: str,
                            category_labels: dict[str, str], colour: str | None = None,
                            colour_labels: dict[str, str] | None = None) -> int:
    """Every suppressed cell drawn is a ``[c]`` marker on its category, never a bar."""
    interior = rows[rows[category] != TOTAL]
    if colour:
        interior = interior[interior[colour] != TOTAL]
    hidden = interior[interior["status"] == "suppressed"]
    expected = Counter(category_labels.get(c, c) for c in hidden[category])
    assert Counter(marked(view.figure)) == expected
    points = bar_points(view.figure)
    for record in hidden.to_dict("records"):
        name = category_labels.get(record[category], record[category])
        series = (colour_labels or {}).get(record[colour]) if colour else None
        assert not [p for p in points if p[1] == name and (series is None or p[0] == series)], \
            record
    assert all(p[2] is not None and pd.notna(p[2]) for p in points)
    return len(hidden)


def assert_narrowed(app: dash.Dash, chart_id: str, column: str, code: str) -> None:
    everything, _ = draw(app, chart_id)
    filtered, _ = draw(app, chart_id, {filter_of(column): code})
    assert set(filtered.frame[column]) == {code}
    assert len(filtered.frame) < len(everything.frame)


def filter_of(column: str) -> str:
    return {"broad_sector": "sector", "municipality": "municipality"}[column]


SECTORS = labels("compliance_level_by_sector", "broad_sector")
PLACES = labels("dual_registration_by_municipality", "municipality")


# --- compliance ---------------------------------------------------------------------------------


LEVELS = ("informal", "partly_formal", "formal")


def level_title(sector: str) -> str:
    """The finding the levels chart must state for ``sector`` (``_total``: all), from the CSV:
    the formal share, else the largest published level's, else no number at all."""
    resource = "compliance_level_by_sector"
    total = value(resource, broad_sector=sector, compliance_level=TOTAL)
    known = {}
    for code in LEVELS:
        part = value(resource, broad_sector=sector, compliance_level=code)
        if part is not None and total:
            known[code] = percent(part, total)
    name, levels = SECTORS.get(sector, sector), labels(resource, "compliance_level")
    if "formal" in known:
        return (f"{known['formal']} of mapped businesses are fully formal" if sector == TOTAL
                else f"{known['formal']} of businesses in {name} are fully formal")
    if known:
        shares = {c: 100 * (value(resource, broad_sector=sector, compliance_level=c) or 0)
                  / (total or 1) for c in known}
        code = max(shares, key=lambda c: shares[c])
        return (f"{known[code]} of businesses in {name} are at the level "
                f"“{levels[code]}”")
    return "Compliance levels of mapped businesses"


def test_compliance_levels_state_the_formal_share(demo_app: dash.Dash) -> None:
    resource = "compliance_level_by_sector"
    formal = value(resource, broad_sector=TOTAL, compliance_level="formal")
    total = value(resource, broad_sector=TOTAL, compliance_level=TOTAL)
    assert formal is not None and total
    data, view = draw(demo_app, "compliance-levels-by-sector")
    assert view.title.startswith(percent(formal, total))
    assert view.title == level_title(TOTAL)
    levels = labels(resource, "compliance_level")
    # informal → partly formal → formal, in the legend and the stacking
    assert [t.name for t in view.figure.data if t.type == "bar"] == [
        levels["informal"], levels["partly_formal"], levels["formal"]]
    assert assert_suppressed_shown(view, data.frame, "broad_sector", SECTORS, "compliance_level",
                                   levels) > 0

    for sector in (c for c in SECTORS if c != TOTAL):  # whatever each sector publishes
        data, view = draw(demo_app, "compliance-levels-by-sector", {"sector": sector})
        assert view.title == level_title(sector), sector
        assert_suppressed_shown(view, data.frame, "broad_sector", SECTORS, "compliance_level",
                                levels)
    assert_narrowed(demo_app, "compliance-levels-by-sector", "broad_sector", "trade")


def test_compliance_levels_fall_back_when_the_formal_cell_is_suppressed(
        demo_app: dash.Dash) -> None:
    resource = "compliance_level_by_sector"
    fallback = [c for c in SECTORS if c != TOTAL
                and value(resource, broad_sector=c, compliance_level="formal") is None
                and value(resource, broad_sector=c, compliance_level=TOTAL)
                and any(value(resource, broad_sector=c, compliance_level=level) is not None
                        for level in ("informal", "partly_formal"))]
    assert fallback, "the demo release should hide some sector's formal share"
    _, view = draw(demo_app, "compliance-levels-by-sector", {"sector": fallback[0]})
    assert view.title == level_title(fallback[0]) and "fully formal" not in view.title


def test_dual_registration_shares_by_municipality(demo_app: dash.Dash) -> None:
    resource = "dual_registration_by_municipality"
    shares = {}
    for code in PLACES:
        if code == TOTAL:
            continue
        yes = value(resource, municipality=code, dual_registration="yes")
        total = value(resource, municipality=code, dual_registration=TOTAL)
        shares[code] = None if yes is None or total is None else 100 * yes / total
    yes = value(resource, municipality=TOTAL, dual_registration="yes")
    total = value(resource, municipality=TOTAL, dual_registration=TOTAL)
    known = [c for c in shares if shares[c] is not None]
    data, view = draw(demo_app, "dual-registration-by-municipality")
    if yes is not None and total:
        assert view.title.startswith(percent(yes, total))
    if known:
        best = max(known, key=lambda c: shares[c] or 0)
        assert PLACES[best] in view.title and f"{shares[best]:.0f}%" in view.title
    elif yes is not None and total:
        assert view.title == (f"{percent(yes, total)} of mapped businesses are also in Serbia's "
                              "business register")
    else:
        assert view.title == "Businesses also registered in Serbia, by municipality"
    drawn = {p[1]: p[2] for p in bar_points(view.figure)}
    for code, share in shares.items():
        if share is None:  # a share is suppressed when either of its cells is
            assert PLACES[code] in marked(view.figure)
            assert PLACES[code] not in drawn
        else:
            assert drawn[PLACES[code]] == pytest.approx(share, abs=0.05)
    assert Counter(marked(view.figure)) == Counter(
        PLACES[c] for c, s in shares.items() if s is None)
    assert any(s is None for s in shares.values())
    assert view.table is not None and "suppressed [c]" in view.table.to_string()

    data, view = draw(demo_app, "dual-registration-by-municipality", {"municipality": "38"})
    if shares["38"] is not None:
        assert view.title.startswith(f"{shares['38']:.0f}%") and PLACES["38"] in view.title
    else:  # its share is suppressed: no number, and no total to fall back on
        assert view.title == "Businesses also registered in Serbia, by municipality"
    assert_narrowed(demo_app, "dual-registration-by-municipality", "municipality", "38")


def overall_rates() -> dict[str, float]:
    """met ÷ (met + gap) over all sectors, from the ``_total`` rows of the protected tables."""
    rates = {}
    for code in REQUIREMENTS:
        resource = f"compliance_{code}_by_sector"
        met = value(resource, broad_sector=TOTAL, **{f"req_{code}": "met"})
        gap = value(resource, broad_sector=TOTAL, **{f"req_{code}": "gap"})
        if met is not None and gap is not None:
            rates[code] = 100 * met / (met + gap)
    return rates


def heatmap_cells(figure: Any) -> dict[tuple[str, str], str]:
    """(sector, requirement) → the text shown in the cell, over both heatmap layers."""
    cells: dict[tuple[str, str], str] = {}
    for trace in figure.data:
        assert trace.type == "heatmap"
        for row, y in enumerate(trace.y):
            for col, x in enumerate(trace.x):
                if trace.text[row][col]:
                    assert (plain(y), x) not in cells
                    cells[(plain(y), x)] = trace.text[row][col]
    return cells


def test_requirements_heatmap_reads_rates_suppression_and_not_applicable(
        demo_app: dash.Dash) -> None:
    rates = overall_rates()
    lowest = min(rates, key=lambda c: rates[c])
    published = csv("requirements")
    data, view = draw(demo_app, "compliance-requirements-by-sector")
    assert view.title.startswith(label("requirements", "requirement", lowest))
    assert f"{rates[lowest]:.0f}%" in view.title

    cells = heatmap_cells(view.figure)
    assert len(cells) == len(published)
    for row in published.to_dict("records"):
        shown = cells[(SECTORS[row["broad_sector"]],
                       label("requirements", "requirement", row["requirement"]))]
        if row["status"] == "suppressed":
            assert shown == "[c]"
        elif row["status"] == "not_applicable":
            assert shown == "n/a"  # neither suppressed nor zero
        else:
            assert shown == f"{float(row['share_meeting_pct']):.0f}%"
    statuses = Counter(published["status"])
    assert statuses["suppressed"] and statuses["published"]
    # only published shares carry a colour on the rate scale
    rate_layer = view.figure.data[0]
    coloured = sum(v is not None for line in rate_layer.z for v in line)
    assert coloured == statuses["published"]
    assert view.table is not None and len(view.table) == len(published)

    shown = published[published["status"] == "published"]
    sector = shown["broad_sector"].value_counts().index[0]  # the sector most published
    rows = shown[shown["broad_sector"] == sector]
    worst = rows.loc[rows["share_meeting_pct"].astype(float).idxmin()]
    data, view = draw(demo_app, "compliance-requirements-by-sector", {"sector": sector})
    assert label("requirements", "requirement", worst["requirement"]) in view.title
    assert f"{float(worst['share_meeting_pct']):.0f}%" in view.title
    assert SECTORS[sector] in view.title
    assert {plain(y) for y in view.figure.data[0].y} == {SECTORS[sector]}
    assert_narrowed(demo_app, "compliance-requirements-by-sector", "broad_sector", sector)


def ranked_check(view: chart_module.ChartView, rows: pd.DataFrame, dim: str,
                 names: dict[str, str]) -> None:
    """Published bars in decreasing order, then suppressed categories, "not known" last."""
    order = [plain(c) for c in view.figure.layout.yaxis.categoryarray]
    published = rows[(rows["status"] != "suppressed") & ~rows[dim].isin([TOTAL, "unknown"])]
    schema_order = {code: i for i, code in enumerate(names)}  # ties keep the schema's order
    published = published.assign(_at=published[dim].map(schema_order),
                                 _value=published["value"].astype(float))
    expected = list(published.sort_values(["_value", "_at"], ascending=[False, True])[dim])
    assert order[:len(expected)] == [names[c] for c in expected]
    if "unknown" in set(rows[dim]):
        assert order[-1] == names["unknown"]


def test_training_needs_rank_the_all_sectors_row(demo_app: dash.Dash) -> None:
    resource = "training_needs_by_sector"
    topics = labels(resource, "training_needs")
    row = csv(resource)[csv(resource)["broad_sector"] == TOTAL]
    cited = row[~row["training_needs"].isin([TOTAL, "unknown"]) & (row["value"] != "[c]")]
    top = cited.loc[cited["value"].astype(int).idxmax()]
    total = value(resource, broad_sector=TOTAL, training_needs=TOTAL)
    assert total
    data, view = draw(demo_app, "compliance-training-needs")
    assert set(data.frame["broad_sector"]) == {TOTAL}  # the CSV holds exactly what is drawn
    assert view.title.startswith(topics[top["training_needs"]])
    assert percent(float(top["value"]), total) in view.title
    ranked_check(view, data.frame.assign(value=data.frame["value"].astype(float)),
                 "training_needs", topics)

    data, view = draw(demo_app, "compliance-training-needs", {"sector": "accommodation_food"})
    assert set(data.frame["broad_sector"]) == {"accommodation_food"}
    assert assert_suppressed_shown(view, data.frame, "training_needs", topics) > 0
    assert SECTORS["accommodation_food"] in view.title
    sector_rows = csv(resource)[csv(resource)["broad_sector"] == "accommodation_food"]
    cited = sector_rows[~sector_rows["training_needs"].isin([TOTAL, "unknown"])
                        & (sector_rows["value"] != "[c]")]
    top = cited.loc[cited["value"].astype(int).idxmax()]
    assert view.title.startswith(topics[top["training_needs"]])


def test_scoring_explains_the_levels_with_labels_from_the_release(demo_app: dash.Dash) -> None:
    from portal.pages import compliance

    with demo_app.server.test_request_context("/"):
        release = query.current_release()
        assert release is not None
        card = compliance.scoring(release)
    text = json.dumps(card.to_plotly_json(), default=lambda o: o.to_plotly_json(),
                      ensure_ascii=False)
    for code in REQUIREMENTS:
        assert label("requirements", "requirement", code) in text
    for level in labels("compliance_level_by_sector", "compliance_level").values():
        if level != "Total":
            assert level in text
    assert format_number(30_000) in text  # the VAT threshold of etl.derive
    assert "11 requirements" in text


# --- growth -------------------------------------------------------------------------------------


def high_share(resource: str, dim: str, code: str) -> float | None:
    parts = [value(resource, **{dim: code, "growth_potential": r}) for r in ("4", "5")]
    total = value(resource, **{dim: code, "growth_potential": TOTAL})
    if any(p is None for p in parts) or not total:
        return None
    return 100 * sum(p for p in parts if p is not None) / total


def growth_title(sector: str | None) -> str:
    """The finding the growth-by-sector chart must state (``sector``: the filter), from the
    CSV: shares of businesses rated 4 or 5, each only where all its cells are published."""
    resource = "growth_potential_by_sector"
    if sector is not None:
        share, name = high_share(resource, "broad_sector", sector), SECTORS[sector]
        return (f"{share:.0f}% of businesses in {name} have high growth potential (4 or 5 out "
                "of 5)" if share is not None else f"Growth potential of businesses in {name}")
    known = {c: v for c in SECTORS if c != TOTAL
             and (v := high_share(resource, "broad_sector", c)) is not None}
    overall = high_share(resource, "broad_sector", TOTAL)
    if known and overall is not None:
        best = max(known, key=lambda c: known[c])
        return (f"{overall:.0f}% of mapped businesses have high growth potential (4 or 5 out "
                f"of 5); {SECTORS[best]} has the largest share ({known[best]:.0f}%)")
    if overall is not None:
        return f"{overall:.0f}% of mapped businesses have high growth potential (4 or 5 out of 5)"
    return "Growth potential of mapped businesses by sector"


def test_growth_potential_by_sector(demo_app: dash.Dash) -> None:
    resource = "growth_potential_by_sector"
    ratings = labels(resource, "growth_potential")
    data, view = draw(demo_app, "growth-potential-by-sector")
    assert view.title == growth_title(None)
    assert [t.name for t in view.figure.data if t.type == "bar"] == [
        ratings[c] for c in ("1", "2", "3", "4", "5")]  # low → high
    assert assert_suppressed_shown(view, data.frame, "broad_sector", SECTORS,
                                   "growth_potential", ratings) > 0

    for sector in (c for c in SECTORS if c != TOTAL):
        data, view = draw(demo_app, "growth-potential-by-sector", {"sector": sector})
        assert view.title == growth_title(sector)
        assert_suppressed_shown(view, data.frame, "broad_sector", SECTORS, "growth_potential",
                                ratings)
    assert_narrowed(demo_app, "growth-potential-by-sector", "broad_sector", "trade")


def test_growth_potential_by_compliance_compares_formal_and_informal(
        demo_app: dash.Dash) -> None:
    resource = "growth_potential_by_compliance"
    levels = labels(resource, "compliance_level")
    formal = high_share(resource, "compliance_level", "formal")
    informal = high_share(resource, "compliance_level", "informal")
    data, view = draw(demo_app, "growth-potential-by-compliance")
    if formal is not None and informal is not None:
        assert view.title.startswith(f"{formal:.0f}%") and f"{informal:.0f}%" in view.title
        assert levels["formal"] in view.title and levels["informal"] in view.title
    elif formal is not None or informal is not None:
        code, share = ("formal", formal) if formal is not None else ("informal", informal)
        assert view.title == (f"{share:.0f}% of “{levels[code]}” businesses have high growth "
                              "potential (4 or 5 out of 5)")
    else:  # both shares suppressed: no number is stated
        assert view.title == "Growth potential by compliance level"
    order = [plain(c) for c in view.figure.layout.yaxis.categoryarray]
    assert order == [levels["informal"], levels["partly_formal"], levels["formal"]]
    assert assert_suppressed_shown(view, data.frame, "compliance_level", levels,
                                   "growth_potential", labels(resource, "growth_potential")) > 0
    # no sector column: the sector filter is ignored (the card says so), the finding stays
    same, filtered = draw(demo_app, "growth-potential-by-compliance", {"sector": "trade"})
    assert filtered.title == view.title and len(same.frame) == len(data.frame)


def test_growth_constraints_name_the_top_constraint(demo_app: dash.Dash) -> None:
    resource = "growth_constraints_by_sector"
    names = labels(resource, "growth_constraints")
    for sector in (TOTAL, "trade"):
        rows = csv(resource)[csv(resource)["broad_sector"] == sector]
        cited = rows[~rows["growth_constraints"].isin([TOTAL, "unknown"])
                     & (rows["value"] != "[c]")]
        top = cited.loc[cited["value"].astype(int).idxmax()]
        total = value(resource, broad_sector=sector, growth_constraints=TOTAL)
        assert total
        data, view = draw(demo_app, "growth-constraints",
                          {} if sector == TOTAL else {"sector": sector})
        assert set(data.frame["broad_sector"]) == {sector}
        assert view.title.startswith(names[top["growth_constraints"]])
        assert percent(float(top["value"]), total) in view.title
        ranked_check(view, data.frame.assign(value=data.frame["value"].astype(float)),
                     "growth_constraints", names)
    data, view = draw(demo_app, "growth-constraints", {"sector": "construction"})
    assert assert_suppressed_shown(view, data.frame, "growth_constraints", names) > 0


@pytest.mark.parametrize(("chart_id", "resource"), [
    ("employment-by-sector", "employment_by_sector_municipality"),
    ("turnover-by-sector", "turnover_by_sector_municipality"),
])
def test_employment_and_turnover_by_sector(demo_app: dash.Dash, chart_id: str,
                                           resource: str) -> None:
    frame = csv(resource)
    totals = frame[(frame["municipality"] == TOTAL) & (frame["broad_sector"] != TOTAL)
                   & (frame["value"] != "[c]")]
    top = totals.loc[totals["value"].astype(float).idxmax()]
    data, view = draw(demo_app, chart_id)
    assert view.title.startswith(SECTORS[top["broad_sector"]])
    amount = float(top["value"])
    assert (f"{amount / 1e6:.1f} million" if amount >= 1e6 else format_number(amount)) \
        in view.title
    assert data.unit and data.unit in view.title  # the unit comes from the schema
    assert view.figure.layout.xaxis.title.text == data.unit
    assert assert_suppressed_shown(view, data.frame, "broad_sector", SECTORS, "municipality",
                                   PLACES) > 0

    rows = frame[(frame["broad_sector"] == "trade") & (frame["municipality"] != TOTAL)
                 & (frame["value"] != "[c]")]
    best = rows.loc[rows["value"].astype(float).idxmax()]
    data, view = draw(demo_app, chart_id, {"sector": "trade"})
    assert view.title.startswith(PLACES[best["municipality"]]) and SECTORS["trade"] in view.title
    assert_suppressed_shown(view, data.frame, "broad_sector", SECTORS, "municipality", PLACES)
    assert_narrowed(demo_app, chart_id, "broad_sector", "trade")


# --- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("module", "charts"), [
    ("compliance", COMPLIANCE_CHARTS), ("growth", GROWTH_CHARTS)])
def test_pages_render_every_chart(demo_app: dash.Dash, module: str, charts: list[str]) -> None:
    page = __import__(f"portal.pages.{module}", fromlist=["layout"])
    assert charts == page.CHARTS
    with demo_app.server.test_request_context("/"):
        tree = page.layout(sector="trade")
    text = json.dumps(tree.to_plotly_json(), default=lambda o: (
        o.tolist() if hasattr(o, "tolist") else o.to_plotly_json()))  # arrays in figures
    for chart_id in charts:
        assert f'"chart-{chart_id}"' in text
    assert ("compliance-scoring" in text) == (module == "compliance")


@pytest.mark.browser
@pytest.mark.parametrize(("path", "heading", "charts"), [
    ("/compliance?sector=trade", "Compliance", len(COMPLIANCE_CHARTS)),
    ("/growth?sector=manufacturing", "Growth", len(GROWTH_CHARTS)),
])
def test_page_in_a_browser(dash_duo: DashComposite, demo_app: dash.Dash, path: str,
                           heading: str, charts: int) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_text_to_equal("#main-content h1", heading, timeout=10)
    assert draw_every_chart(dash_duo.driver, expected=charts) == charts
    assert dash_duo.get_logs() == []
