"""Security headers, the CSP Dash runs under, request limits and no stack traces to clients."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from pathlib import Path

import dash
import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from flask.testing import FlaskClient

from portal import layout, security
from portal.app import create_app
from tests.conftest import DEMO_PACKAGES, portal_config
from tests.pages_helpers import draw_every_chart

PACKAGE = "north-kosovo-product-map"
URLS = (
    "/",                                                         # a Dash page
    "/product-map",
    "/_dash-layout",                                             # Dash's own JSON
    "/api/v1/packages",                                          # REST API
    f"/api/v1/{PACKAGE}/businesses_by_sector_municipality.csv",
    "/api/docs",
    "/api/3/action/package_list",                                # CKAN API
    f"/datapackages/1.0.0/{PACKAGE}/datapackage.json",           # downloads
    f"/datapackages/1.0.0/{PACKAGE}.zip",
    "/charts/businesses-by-sector.csv",
    "/assets/portal.css",                                        # assets and vendor files
    "/vendor/bootstrap/css/bootstrap.min.css",
    "/healthz",
    "/no/such/file.csv",                                         # errors too
)


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    policy = response.headers["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in policy.split("; ")}


def test_every_response_carries_the_headers(demo_client: FlaskClient) -> None:
    for url in URLS:
        response = demo_client.get(url)
        assert response.status_code in (200, 404), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        csp = _csp(response)
        assert csp["default-src"] == "'self'", url
        assert csp["frame-ancestors"] == "'none'", url
        assert csp["object-src"] == "'none'", url
        assert "'unsafe-inline'" not in csp["script-src"], url
        assert "'unsafe-eval'" not in csp["script-src"], url
        response.close()


def test_the_policy_allows_exactly_dashs_inline_scripts(demo_client: FlaskClient) -> None:
    """Every inline script of the page is allowed by hash (a missing one would not run)."""
    response = demo_client.get("/")
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>",
                        response.get_data(as_text=True), re.S)
    executable = [body for attributes, body in inline if "application/json" not in attributes]
    assert len(executable) >= 2  # the renderer and the clientside callbacks
    allowed = _csp(response)["script-src"].split()
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert len(allowed) == len(executable) + 1  # 'self' and nothing else


def test_request_bodies_are_limited(demo_client: FlaskClient) -> None:
    body = b'{"output": "' + b"x" * security.MAX_CONTENT_LENGTH + b'"}'
    response = demo_client.post("/_dash-update-component", data=body,
                                content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["status"] == 413
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def production_app(tmp_path: Path) -> dash.Dash:
    """A portal configured as in production (errors not propagated), with a failing route."""
    config = {**portal_config(tmp_path), "TESTING": False, "PROPAGATE_EXCEPTIONS": False}
    app = create_app(DEMO_PACKAGES, config)

    def explode() -> str:
        raise RuntimeError("postgresql://portal:hunter2@db/portal went away")

    app.server.add_url_rule("/boom", "boom", explode)
    return app


def test_no_stack_trace_reaches_clients(production_app: dash.Dash,
                                        caplog: pytest.LogCaptureFixture) -> None:
    client = production_app.server.test_client()
    assert not production_app.server.debug

    page = client.get("/boom")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert page.mimetype == "text/html" and "went wrong" in text
    api = client.get("/boom", headers={"Accept": "application/json"})
    assert api.status_code == 500
    assert api.get_json()["status"] == 500 and set(api.get_json()) == {"status", "message"}
    for response in (page, api):
        body = response.get_data(as_text=True)
        assert "hunter2" not in body and "Traceback" not in body and "RuntimeError" not in body
        assert response.headers["Content-Security-Policy"]
    # ...while the server's log keeps the whole story.
    assert "RuntimeError" in caplog.text


PAGES_WITH_CHARTS = {"/product-map", "/compliance", "/growth", "/training", "/b2b",
                     "/indicators", "/handbook"}


@pytest.mark.browser
def test_every_page_works_under_the_policy(dash_duo: DashComposite, demo_app: dash.Dash) -> None:
    """No console error (a CSP violation is one) on any page, and charts still draw."""
    dash_duo.start_server(demo_app)
    with demo_app.server.test_request_context("/"):
        from portal import query
        release = query.current_release()
        assert release is not None
        tables = [(package, descriptor["resources"][0]["name"])
                  for package, descriptor in release.packages.items()]
    paths = [page["relative_path"] for page in layout.nav_pages()]
    paths += [f"/data/{package}" for package, _ in tables]
    paths += [f"/data/{package}/{table}" for package, table in tables]
    paths.append("/api/docs")
    for path in paths:
        dash_duo.driver.get(dash_duo.server_url + path)
        if path.startswith("/api/"):
            until(lambda: dash_duo.driver.find_elements("css selector", "main h1"), 10)
        else:
            dash_duo.wait_for_element(f"#{layout.MAIN_ID} h1", timeout=10)
        if path in PAGES_WITH_CHARTS:
            # Every chart drawn (each trace type the portal uses, the maps too) under the
            # policy with the portal's plotly.js, and one exported as PNG.
            assert draw_every_chart(dash_duo.driver) > 0, path
            button = dash_duo.find_element(f"#{layout.MAIN_ID} .portal-chart button")
            dash_duo.driver.execute_script("arguments[0].click()", button)
            time.sleep(0.5)  # the export runs in the browser; any error would be logged
        assert dash_duo.get_logs() == [], path
        loaded = dash_duo.driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        assert not [url for url in loaded if "package_data/plotly.min.js" in url], \
            f"{path} loaded the full plotly.js: a chart was drawn without the portal's bundle"
