"""The municipality maps (portal/components/maps.py): polygons from the boundary file, values
shaded, suppressed cells hatched and labelled, names in the visitor's language, attribution,
and a map that is unavailable when the boundaries are, with its table kept."""

from __future__ import annotations

import dash
import pytest
from dash.testing.composite import DashComposite
from flask.testing import FlaskClient

from etl import boundaries
from etl.refdata import municipalities, northern_codes
from portal.components import chart as chart_module
from portal.components import maps
from tests.pages_helpers import PRODUCT_MAP, PROGRAMME, csv_value, published_csv, text

MAPS = {"businesses-by-municipality": (PRODUCT_MAP, "businesses_by_sector_municipality",
                                       "municipality", {"broad_sector": "_total"}),
        "b2b-counterparts-map": (PROGRAMME, "meetings_by_counterpart_municipality",
                                 "counterpart_municipality", {}),
        "training-participants-by-municipality": (PROGRAMME, "participants_by_municipality",
                                                  "municipality", {})}
NAMES = {m.kas_code: m for m in municipalities()}


def _draw(app: dash.Dash, chart_id: str, lang: str = "en") -> chart_module.ChartView:
    with app.server.test_request_context(f"/?lang={lang}"):
        drawn = chart_module.draw(chart_id, {})
    assert drawn is not None
    return drawn[1]


def _rings(trace: object) -> int:
    xs = list(trace.x)  # type: ignore[attr-defined]
    return xs.count(None) + 1 if xs else 0


@pytest.mark.parametrize("chart_id", sorted(MAPS))
def test_every_municipality_is_drawn_and_values_come_from_the_table(
        demo_app: dash.Dash, chart_id: str) -> None:
    package, resource, column, where = MAPS[chart_id]
    view = _draw(demo_app, chart_id)
    areas = [t for t in view.figure.data if t.fill == "toself"]
    # Every polygon of the 38 municipalities is a ring of some filled trace.
    polygons = sum(len(p) for p in boundaries.municipality_shapes().values())
    assert sum(_rings(t) for t in areas if t.x and t.x[0] is not None) >= polygons >= 38
    frame = published_csv(package, resource)
    shown = {t.name for t in areas if t.name}
    labels = " ".join(a.text for a in view.figure.layout.annotations)
    for code in frame[column]:
        if code not in NAMES:
            continue  # "_total", "unknown": in the table, not on the map
        value = csv_value(frame, **{column: code}, **where)
        name = NAMES[code].name_en
        if value is None:
            assert f"{name}: suppressed [c]" in shown, code
            trace = next(t for t in areas if t.name == f"{name}: suppressed [c]")
            assert trace.fillpattern.shape == "/"  # hatched, never a colour of the scale
        else:
            assert any(n.startswith(f"{name}: {value:,.0f}") for n in shown), (code, shown)
            assert f"{name}<br>{value:,.0f}" in labels
    assert boundaries.ATTRIBUTION in labels


def test_labels_follow_the_visitor_language_and_script(demo_app: dash.Dash) -> None:
    for lang, field in (("sq", "name_sq"), ("sr-Latn", "name_sr_latn"),
                        ("sr-Cyrl", "name_sr_cyrl")):
        view = _draw(demo_app, "businesses-by-municipality", lang)
        labels = " ".join(a.text for a in view.figure.layout.annotations)
        for code in sorted(northern_codes()):
            assert getattr(NAMES[code], field) in labels, (lang, code)


def test_training_map_states_the_largest_and_follows_the_filter(demo_app: dash.Dash) -> None:
    frame = published_csv(PROGRAMME, "participants_by_municipality")
    cells = frame[frame["municipality"].isin(NAMES) & (frame["status"] == "published")]
    best = cells.loc[cells["value"].astype(float).idxmax()]
    view = _draw(demo_app, "training-participants-by-municipality")
    assert f"{NAMES[best['municipality']].name_en} ({best['value']} participations" in view.title
    with demo_app.server.test_request_context("/"):
        data, _view = chart_module.draw("training-participants-by-municipality",
                                        {"municipality": "38"})  # type: ignore[misc]
    assert set(data.frame["municipality"]) == {"38"}


def test_b2b_map_sets_the_north_apart(demo_app: dash.Dash) -> None:
    view = _draw(demo_app, "b2b-counterparts-map")
    north = next(t for t in view.figure.data if t.name == "The north, where the programme works")
    assert north.fillcolor == maps.HIGHLIGHT_FILL and north.showlegend
    assert _rings(north) >= len(northern_codes())


def test_a_broken_boundary_file_leaves_the_table_and_says_so(
        demo_app: dash.Dash, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    def broken() -> None:
        raise boundaries.BoundaryError("geoBoundaries-XKX-ADM2_simplified.topojson: not JSON")

    maps._outlines.cache_clear()
    monkeypatch.setattr(maps, "municipality_shapes", broken)
    try:
        with demo_app.server.test_request_context("/"):
            chart_data, view = chart_module.draw("businesses-by-municipality", {})
            table = chart_module.alternative(chart_data, view)
        assert "The map is unavailable" in view.summary
        assert not [t for t in view.figure.data if t.fill == "toself"]
        assert "North Mitrovica" in text(table)  # the figures are still there
    finally:
        maps._outlines.cache_clear()


def test_data_page_credits_the_boundaries(demo_client: FlaskClient) -> None:
    page = demo_client.get("/data").get_data(as_text=True)
    assert boundaries.ATTRIBUTION in page.replace("&copy;", "©")


# --- in the browser ---------------------------------------------------------------------------

MAP_CARD = "#chart-businesses-by-municipality"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "sq", "sr-Latn", "sr-Cyrl"])
def test_the_map_draws_polygons_in_every_language(dash_duo: DashComposite, demo_app: dash.Dash,
                                                 lang: str) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/product-map?lang={lang}")
    card = dash_duo.wait_for_element(f"#main-content {MAP_CARD}", timeout=10)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView()", card)
    dash_duo.wait_for_element(f"#main-content {MAP_CARD} .js-plotly-plot .main-svg", timeout=15)
    fills = dash_duo.find_elements(f"#main-content {MAP_CARD} .scatterlayer path.js-fill")
    assert len(fills) >= 5  # the others, the four northern ones (or their hatching)
    field = {"en": "name_en", "sq": "name_sq", "sr-Latn": "name_sr_latn",
             "sr-Cyrl": "name_sr_cyrl"}[lang]
    drawn = dash_duo.find_element(f"#main-content {MAP_CARD} .js-plotly-plot").get_attribute(
        "textContent")
    for code in northern_codes():
        assert getattr(NAMES[code], field) in drawn
    assert boundaries.ATTRIBUTION in drawn
    assert dash_duo.get_logs() == []
