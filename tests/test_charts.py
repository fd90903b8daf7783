"""Every registered chart: its CSV is the published table, suppressed cells stay suppressed,
filters reach the query, and the redraw callback answers like the first render."""

from __future__ import annotations

import csv
import io
import json

import dash
import pandas as pd
from flask.testing import FlaskClient

from portal import query
from portal.components import chart as chart_module
from portal.components import filters
from tests.conftest import DEMO_PACKAGES

LATEST = DEMO_PACKAGES / "latest"


def _published(release, resource: str) -> pd.DataFrame:
    package = release.package_of(resource)["name"]
    path = release.resource(resource)["path"]
    return pd.read_csv(LATEST / package / path, dtype=str, keep_default_na=False)


def _every_release(release, resource: str) -> pd.DataFrame:
    """The table in every published release, oldest first, each row with its version (what a
    chart drawn across releases shows)."""
    package = release.package_of(resource)["name"]
    path = release.resource(resource)["path"]
    listed = json.loads((DEMO_PACKAGES / "releases.json").read_text(encoding="utf-8"))
    return pd.concat([pd.read_csv(DEMO_PACKAGES / e["version"] / package / path, dtype=str,
                                  keep_default_na=False).assign(release_version=e["version"])
                      for e in listed if not e.get("withdrawn")], ignore_index=True)


def _download(client: FlaskClient, chart_id: str, **params: str) -> pd.DataFrame:
    response = client.get(f"/charts/{chart_id}.csv", query_string=params)
    assert response.status_code == 200, (chart_id, response.data[:200])
    assert response.mimetype == "text/csv"
    return pd.read_csv(io.StringIO(response.data.decode()), dtype=str, keep_default_na=False)


def _release(app: dash.Dash):
    with app.server.test_request_context("/"):
        return query.current_release()


def test_every_chart_csv_equals_the_published_table(demo_app: dash.Dash,
                                                    demo_client: FlaskClient) -> None:
    release = _release(demo_app)
    assert len(chart_module.CHARTS) >= 6
    across = 0
    for chart_id, spec in chart_module.CHARTS.items():
        downloaded = _download(demo_client, chart_id)
        if spec.rows is not None:  # drawn across releases: a selection of their columns
            published = _every_release(release, spec.resource)
            shared = [c for c in downloaded.columns if not c.endswith("_label")]
            assert set(shared) <= set(published.columns) | {"release_date"}, chart_id
            shared.remove("release_date")
            across += 1
        else:
            published = _published(release, spec.resource)
            for column, code in spec.defaults:
                published = published[published[column] == code]
            shared = [c for c in published.columns if c in downloaded.columns]
            assert list(published.columns) == [c for c in downloaded.columns
                                               if not c.endswith("_label")], chart_id
        assert set(spec.dims) <= set(shared), chart_id
        assert downloaded[shared].to_dict("records") == \
            published[shared].to_dict("records"), chart_id
    assert across == 1  # the indicators' trajectory


def test_filtered_csv_holds_exactly_the_matching_rows(demo_app: dash.Dash,
                                                      demo_client: FlaskClient) -> None:
    release = _release(demo_app)
    checked = 0
    for chart_id, spec in chart_module.CHARTS.items():
        table = _published(release, spec.resource)
        for name in ("municipality", "sector", "gender", "phase"):
            column = filters.FILTERS[name].columns[0]
            if column not in table.columns or "value" not in table.columns:
                continue
            published = table  # a filter replaces the chart's default for its column
            for pinned, value in spec.defaults:
                if pinned != column:
                    published = published[published[pinned] == value]
            with demo_app.server.test_request_context("/"):
                allowed = filters.options(release, name)
            code = next((c for c in published[column] if c in allowed), None)
            if code is None:
                continue
            downloaded = _download(demo_client, chart_id, **{name: code})
            expected = published[published[column] == code]
            assert downloaded["value"].tolist() == expected["value"].tolist(), (chart_id, name)
            assert set(downloaded[column]) == {code}
            checked += 1
    assert checked >= 5


def test_suppressed_cells_are_shown_as_suppressed(demo_app: dash.Dash) -> None:
    seen = 0
    with demo_app.server.test_request_context("/"):
        release = query.current_release()
        for chart_id in chart_module.CHARTS:
            chart_data, view = chart_module.draw(chart_id, {})  # type: ignore[misc]
            if "value" not in chart_data.frame.columns:
                continue  # derived tables (handbook, indicators) are tested with their pages
            hidden = chart_data.frame["status"] == "suppressed"
            if not hidden.any():
                continue
            seen += 1
            assert chart_data.frame.loc[hidden, "value"].isna().all(), chart_id
            table = chart_module.alternative(chart_data, view)
            text = json.dumps(table.to_plotly_json(), default=lambda o: o.to_plotly_json())
            if view.table is None:
                assert text.count("suppressed [c]") == int(hidden.sum()), chart_id
            figure = json.dumps(view.figure.to_plotly_json(), default=str)
            assert "[c]" in figure, f"{chart_id}: suppressed cells not drawn as suppressed"
        assert release is not None
    assert seen >= 5


def test_unknown_parameters_and_values_are_refused(demo_client: FlaskClient) -> None:
    chart_id = next(iter(chart_module.CHARTS))
    assert demo_client.get(f"/charts/{chart_id}.csv?colour=red").status_code == 400
    assert demo_client.get(f"/charts/{chart_id}.csv?municipality=99").status_code == 400
    assert demo_client.get("/charts/no-such-chart.csv").status_code == 404


def test_nothing_published_gives_404_not_an_error(client: FlaskClient) -> None:
    chart_id = next(iter(chart_module.CHARTS))
    assert client.get(f"/charts/{chart_id}.csv").status_code == 404


def _redraw(client: FlaskClient, chart_id: str, active: dict[str, str]) -> dict:
    """POST what the browser posts when the filters of a page change."""
    outputs = [{"id": {"type": kind, "chart": chart_id}, "property": prop} for kind, prop in (
        ("chart-graph", "style"), ("chart-title", "children"), ("chart-summary", "children"),
        ("chart-csv", "href"), ("chart-xlsx", "href"), ("chart-note", "children"))]
    store = {"type": "chart-filters", "chart": chart_id}
    payload = {
        "output": ".." + "...".join(
            json.dumps({"chart": ["MATCH"], "type": o["id"]["type"]}, separators=(",", ":"))
            + f".{o['property']}" for o in outputs) + "..",
        "outputs": outputs,
        "inputs": [{"id": store, "property": "data", "value": active}],
        "changedPropIds": [f"{json.dumps(store, sort_keys=True, separators=(',', ':'))}.data"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


def _figure(client: FlaskClient, chart_id: str, active: dict[str, str],
            seen: bool = True) -> dict | None:
    """POST what the browser posts when a chart comes into view: its figure, or None."""
    figure = {"type": "chart-figure", "chart": chart_id}
    store = {"type": "chart-filters", "chart": chart_id}
    seen_id = {"type": "chart-seen", "chart": chart_id}
    payload = {
        "output": json.dumps({"chart": ["MATCH"], "type": "chart-figure"},
                             separators=(",", ":")) + ".data",
        "outputs": {"id": figure, "property": "data"},
        "inputs": [{"id": seen_id, "property": "data", "value": seen},
                   {"id": store, "property": "data", "value": active}],
        "changedPropIds": [f"{json.dumps(seen_id, sort_keys=True, separators=(',', ':'))}.data"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=payload)
    if response.status_code == 204:  # PreventUpdate
        return None
    assert response.status_code == 200, response.data[:300]
    key = json.dumps(figure, sort_keys=True, separators=(",", ":"))
    return response.get_json()["response"][key]["data"]


def test_the_redraw_callback_follows_the_filters(demo_app: dash.Dash,
                                                 demo_client: FlaskClient) -> None:
    chart_id = "businesses-by-sector"
    everything = _redraw(demo_client, chart_id, {})
    one_place = _redraw(demo_client, chart_id, {"municipality": "38", "ignored": "x"})
    key = json.dumps({"chart": chart_id, "type": "chart-csv"}, separators=(",", ":"))
    assert one_place[key]["href"].endswith(f"/charts/{chart_id}.csv?municipality=38")
    assert everything[key]["href"].endswith(f"/charts/{chart_id}.csv")
    assert _figure(demo_client, chart_id, {"municipality": "38"}) != _figure(
        demo_client, chart_id, {})
    assert _figure(demo_client, chart_id, {}, seen=False) is None  # not fetched until seen
    with demo_app.server.test_request_context("/"):
        _, view = chart_module.draw(chart_id, {"municipality": "38"})  # type: ignore[misc]
    title = json.dumps({"chart": chart_id, "type": "chart-title"}, separators=(",", ":"))
    assert one_place[title]["children"] == view.title


def test_csv_is_valid_for_spreadsheets(demo_client: FlaskClient) -> None:
    response = demo_client.get("/charts/businesses-by-hs-chapter.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows[0][:2] == ["hs_chapters", "hs_chapters_label"]
    assert "attachment" in response.headers["Content-Disposition"]
    assert all(len(row) == len(rows[0]) for row in rows)


def test_xlsx_holds_the_csv_rows_with_numbers_as_numbers(demo_client: FlaskClient) -> None:
    from openpyxl import load_workbook

    csv_rows = _download(demo_client, "businesses-by-sector", municipality="38", lang="sq")
    response = demo_client.get("/charts/businesses-by-sector.xlsx",
                               query_string={"municipality": "38", "lang": "sq"})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(csv_rows.columns)
    values = [row[rows[0].index("value")] for row in rows[1:]]
    assert [str(v) for v in values] == csv_rows["value"].tolist()
    assert all(isinstance(v, int) or v == "[c]" for v in values)
    labels = [row[rows[0].index("municipality_label")] for row in rows[1:]]
    assert set(labels) == {"Mitrovicë e Veriut"}
    assert demo_client.get("/charts/businesses-by-sector.xlsx?colour=red").status_code == 400
