"""Each indicator's trajectory across reporting periods and releases (the Indicators page).

Expected values are read from each published release's indicators CSV with the csv module,
never through the portal, so a wrong load, query or chart shows up. Runs on PostgreSQL too
(``PORTAL_TEST_BACKEND=production``).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import dash
import pandas as pd
import pytest
import sqlalchemy as sa
from dash.testing.composite import DashComposite
from dash.testing.wait import until

from etl.cli import main as etl
from portal import i18n
from portal.app import create_app
from portal.components import chart as chart_module
from portal.load import indicator_history
from portal.load.database import LoadedRelease, Store
from tests.conftest import DEMO_PACKAGES, database_url, portal_config
from tests.pages_helpers import draw, nodes

CHART = "indicators-trajectory"
PROGRAMME = "north-kosovo-programme-metrics"
OLD, NEW = "1.0.0", "1.1.0"
MARK = "[c]"


# --- the published files, read independently ---------------------------------------------------


def listed(packages: Path) -> list[dict[str, Any]]:
    return json.loads((packages / "releases.json").read_text(encoding="utf-8"))


def csv_rows(packages: Path, version: str) -> list[dict[str, str]]:
    """A release's indicators CSV as published, every cell a string."""
    path = packages / version / PROGRAMME / "data" / "indicators.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def published(packages: Path) -> list[tuple[str, dict[str, str]]]:
    """(version, row) of every published release's indicators, oldest first."""
    return [(e["version"], row) for e in listed(packages) if not e.get("withdrawn")
            for row in csv_rows(packages, e["version"])]


def number(text: str) -> float | None:
    return None if text in ("", MARK) else float(text)


def history_table(store: Store, release: LoadedRelease) -> list[dict[str, Any]]:
    table = store.table(release.table_name(indicator_history.TABLE))
    with store.engine.connect() as conn:
        result = conn.execute(sa.select(table).order_by(table.c._row))
        return [dict(r._mapping) for r in result]


def assert_same_rows(loaded: list[dict[str, Any]], expected: list[tuple[str, dict[str, str]]]
                     ) -> None:
    assert len(loaded) == len(expected)
    for row, (version, source) in zip(loaded, expected, strict=True):
        assert row["release_version"] == version
        for column in ("indicator_id", "unit", "period_start", "period_end", "target_date"):
            assert (row[column] or "") == source[column], (version, column)
        for column in ("baseline", "target", "actual"):
            assert row[column] == number(source[column]), (version, column, source)
        if source["actual"] == MARK:  # suppressed stays suppressed
            assert row["actual"] is None and row["status"] == "suppressed"
        else:
            assert row["status"] == source["status"]


@pytest.fixture
def packages(tmp_path: Path) -> Path:
    """A writable copy of the committed releases, ``latest`` link included."""
    target = tmp_path / "datapackages"
    shutil.copytree(DEMO_PACKAGES, target, symlinks=True)
    return target


# --- the load layer -----------------------------------------------------------------------------


def test_history_holds_exactly_each_published_release(tmp_path: Path) -> None:
    store = Store(database_url(tmp_path), DEMO_PACKAGES, check_interval=0)
    release = store.current()
    assert release is not None
    expected = published(DEMO_PACKAGES)
    assert {v for v, _row in expected} == {OLD, NEW}
    assert_same_rows(history_table(store, release), expected)
    days = {e["version"]: e["released"] for e in listed(DEMO_PACKAGES)}
    assert {(r["release_version"], r["release_date"])
            for r in history_table(store, release)} == set(days.items())


def test_a_release_opened_on_its_own_holds_the_releases_up_to_it(tmp_path: Path) -> None:
    """A document of 1.0.0 shows 1.0.0 only, never a later release; without the release
    list (a copied release folder) only the release itself."""
    old = DEMO_PACKAGES / OLD
    store = Store(database_url(tmp_path, "a.sqlite"), old, releases_dir=DEMO_PACKAGES)
    loaded = history_table(store, store.current())  # type: ignore[arg-type]
    assert_same_rows(loaded, [(OLD, row) for row in csv_rows(DEMO_PACKAGES, OLD)])
    alone = Store(database_url(tmp_path, "b.sqlite"), DEMO_PACKAGES / NEW)
    loaded = history_table(alone, alone.current())  # type: ignore[arg-type]
    assert_same_rows(loaded, [(NEW, row) for row in csv_rows(DEMO_PACKAGES, NEW)])


def test_a_withdrawn_release_is_never_read(packages: Path, tmp_path: Path) -> None:
    """Its tombstone is enough: an interrupted withdrawal may have left its files."""
    entries = listed(packages)
    for entry in entries:
        if entry["version"] == OLD:
            entry.update(withdrawn="2021-04-01", reason="test", summary="")
    (packages / "releases.json").write_text(json.dumps(entries), encoding="utf-8")
    assert (packages / OLD / PROGRAMME / "data" / "indicators.csv").is_file()
    store = Store(database_url(tmp_path), packages, check_interval=0)
    loaded = history_table(store, store.current())  # type: ignore[arg-type]
    assert {r["release_version"] for r in loaded} == {NEW}
    assert_same_rows(loaded, published(packages))


def test_a_database_loaded_before_the_history_gets_it(tmp_path: Path) -> None:
    url = database_url(tmp_path)
    first = Store(url, DEMO_PACKAGES, check_interval=0)
    release = first.current()
    assert release is not None
    name = release.table_name(indicator_history.TABLE)
    with first.engine.begin() as conn:
        conn.execute(sa.text(f'DROP TABLE "{name}"'))
    first.engine.dispose()
    again = Store(url, DEMO_PACKAGES, check_interval=0)
    assert_same_rows(history_table(again, again.current()),  # type: ignore[arg-type]
                     published(DEMO_PACKAGES))


# --- the chart ----------------------------------------------------------------------------------


def panels(figure: Any) -> dict[str, str]:
    """Indicator id → the suffix of its panel's axes ("" for the first)."""
    found = {}
    for number_, annotation in enumerate(a for a in figure.layout.annotations
                                         if a.yref == "paper"):
        found[annotation.text.split(" · ")[0]] = "" if number_ == 0 else str(number_ + 1)
    return found


def test_the_chart_draws_each_release_as_published(demo_app: dash.Dash) -> None:
    chart_data, view = draw(demo_app, CHART)
    expected = published(DEMO_PACKAGES)
    frame = chart_data.frame
    assert len(frame) == len(expected)
    assert list(frame["release_version"]) == [v for v, _row in expected]
    assert [number(r["actual"]) for _v, r in expected] == \
        [None if pd.isna(a) else a for a in frame["actual"]]
    figure = view.figure
    axes = panels(figure)
    assert set(axes) == {r["indicator_id"] for _v, r in expected}
    for version in (OLD, NEW):
        drawn: dict[tuple[str, str], float | None] = {}
        for trace in figure.data:
            if trace.name != f"Release {version}":
                continue
            code = next(c for c, a in axes.items() if trace.xaxis == f"x{a}")
            for x, y in zip(trace.x, trace.y, strict=True):
                drawn[code, x] = y
        rows = {(r["indicator_id"], r["period_end"] or r["period_start"]): number(r["actual"])
                for v, r in expected if v == version and (r["period_end"] or r["period_start"])}
        assert drawn == rows, version
    assert {t.name for t in figure.data} >= {"Baseline", "Target", "Trajectory"}


def test_suppressed_values_stay_suppressed(demo_app: dash.Dash) -> None:
    hidden = [(v, r) for v, r in published(DEMO_PACKAGES) if r["actual"] == MARK]
    assert {v for v, _r in hidden} == {OLD, NEW}, "the demo suppresses values in both"
    chart_data, view = draw(demo_app, CHART)
    frame = chart_data.frame
    for version, row in hidden:
        match = frame[(frame["release_version"] == version)
                      & (frame["indicator_id"] == row["indicator_id"])
                      & (frame["period_start"] == row["period_start"])]
        assert len(match) == 1
        assert match["actual"].isna().all() and (match["status"] == "suppressed").all()
    # Never a zero: no drawn point stands where a suppressed value was.
    axes = panels(view.figure)
    for version, row in hidden:
        axis = f"x{axes[row['indicator_id']]}"
        for trace in view.figure.data:
            if trace.xaxis == axis and trace.name == f"Release {version}":
                points = dict(zip(trace.x, trace.y, strict=True))
                assert points[row["period_end"]] is None
    marks = [a for a in view.figure.layout.annotations if a.text == MARK]
    newest = {}
    for _version, row in published(DEMO_PACKAGES):  # the line shows each period's newest
        newest[row["indicator_id"], row["period_start"], row["period_end"]] = row
    gaps = {(r["period_end"], f"x{axes[r['indicator_id']]}") for r in newest.values()
            if r["actual"] == MARK}
    assert {(a.x, a.xref) for a in marks} == gaps
    assert view.table is not None
    assert (view.table.iloc[:, 3] == "suppressed [c]").sum() == len(hidden)


def test_the_csv_holds_every_release_and_writes_c(demo_app: dash.Dash) -> None:
    client = demo_app.server.test_client()
    response = client.get(f"/charts/{CHART}.csv")
    assert response.status_code == 200
    downloaded = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    expected = published(DEMO_PACKAGES)
    assert len(downloaded) == len(expected)
    for got, (version, row) in zip(downloaded, expected, strict=True):
        assert got["release_version"] == version
        for column in ("indicator_id", "period_start", "period_end", "actual", "status"):
            assert got[column] == row[column], (version, column)


def test_the_finding_counts_indicators_that_improved(demo_app: dash.Dash) -> None:
    newest: dict[str, dict[tuple[str, str], dict[str, str]]] = {}
    for _version, row in published(DEMO_PACKAGES):
        if row["period_end"] or row["period_start"]:
            newest.setdefault(row["indicator_id"], {})[
                row["period_start"], row["period_end"]] = row
    improved = compared = 0
    for periods in newest.values():
        line = sorted(periods.values(), key=lambda r: r["period_end"] or r["period_start"])
        values = [float(r["actual"]) for r in line if r["actual"] not in ("", MARK)]
        if len(values) < 2:
            continue
        compared += 1
        sign = 1 if line[-1]["ascending"] == "True" else -1
        improved += (values[-1] - values[0]) * sign > 0
    _data, view = draw(demo_app, CHART)
    assert view.title == (f"{improved} of {compared} indicators published more than once have "
                          "improved since their first published value")
    assert "releases 1.0.0, 1.1.0" in (view.source or "")


def test_a_withdrawal_while_serving_leaves_the_chart(packages: Path, tmp_path: Path) -> None:
    app = create_app(packages, {**portal_config(tmp_path), "RELEASE_CHECK_INTERVAL": 0})
    with app.server.test_request_context("/"):
        before = chart_module.rendered(CHART, {})
    assert before is not None and "1.0.0" in before.source
    assert etl(["withdraw", OLD, "--out", str(packages), "--reason", "A test."]) == 0
    data, _view = draw(app, CHART)
    assert set(data.frame["release_version"]) == {NEW}
    with app.server.test_request_context("/"):
        after = chart_module.rendered(CHART, {})
    assert after is not None and "1.0.0" not in after.source
    response = app.server.test_client().get(f"/charts/{CHART}.csv")
    assert OLD not in {r["release_version"]
                       for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_the_trajectory_in_albanian(demo_app: dash.Dash) -> None:
    with demo_app.server.test_request_context("/indicators?lang=sq"):
        sq_title = chart_module.rendered(CHART, {}).title  # type: ignore[union-attr]
        with i18n.in_locale("en"):
            en_title = chart_module.rendered(CHART, {}).title  # type: ignore[union-attr]
    assert sq_title != en_title
    registered = next(p for p in dash.page_registry.values() if p["path"] == "/indicators")
    with demo_app.server.test_request_context("/indicators?lang=sq"):
        tree = registered["layout"]()
    card = next(n for n in nodes(tree) if getattr(n, "id", None) == f"chart-{CHART}")
    texts = [c for n in nodes(card) for c in [getattr(n, "children", None)] if isinstance(c, str)]
    assert sq_title in texts
    assert any("versionet 1.0.0, 1.1.0" in t for t in texts)  # the source names both releases


@pytest.mark.browser
def test_the_trajectory_draws_a_panel_per_indicator(dash_duo: DashComposite,
                                                    demo_app: dash.Dash) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + "/indicators?lang=sq")
    card = f"#chart-{CHART}"
    dash_duo.wait_for_element(card, timeout=10)
    dash_duo.driver.execute_script(  # charts are drawn when in view
        "document.querySelector(arguments[0]).scrollIntoView()", card)
    dash_duo.wait_for_element(f"{card} .js-plotly-plot", timeout=15)
    indicators = {r["indicator_id"] for _v, r in published(DEMO_PACKAGES)}
    until(lambda: len(dash_duo.find_elements(f"{card} .cartesianlayer > .subplot"))
          == len(indicators), 10)
    assert dash_duo.get_logs() == []
