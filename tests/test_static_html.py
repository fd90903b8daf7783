"""Server-rendered HTML (portal/components/static.py, portal/first_paint.py): escaped, the same
text as the components it was made of, the page's copy in its first answer, replaced by React."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import dash
import dash_bootstrap_components as dbc
import pytest
from dash import dcc, html
from dash.testing.composite import DashComposite
from flask.testing import FlaskClient

from portal.components.static import StaticHtml, render, static
from tests.pages_helpers import nodes, text
from tests.pages_helpers import render as render_page


class _Text(HTMLParser):
    """The text of an HTML fragment, and its tags."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parsed(markup: str) -> _Text:
    parser = _Text()
    parser.feed(markup)
    return parser


def test_text_and_attributes_are_escaped() -> None:
    evil = '<script>alert("x")</script> & "quotes"'
    markup = render(html.Div([html.P(evil, title=evil), html.A("link", href='/a?b=1&c="2"')],
                             className="x"))
    assert "<script>" not in markup
    parsed = _parsed(markup)
    assert "".join(parsed.parts) == evil + "link"
    assert ("p", {"title": evil}) in parsed.tags
    assert ("a", {"href": '/a?b=1&c="2"'}) in parsed.tags


def test_bootstrap_and_links_render_as_their_markup() -> None:
    markup = render(dbc.Row([dbc.Col(dbc.Alert("hi", color="warning"), lg=6, className="mb-2"),
                             dbc.Col(dcc.Link("home", href="/"))]))
    tags = _parsed(markup).tags
    assert ("div", {"class": "row"}) in tags
    assert ("div", {"class": "col-lg-6 mb-2"}) in tags
    assert ("div", {"class": "alert alert-warning", "role": "alert"}) in tags
    assert ("a", {"href": "/"}) in tags
    # Interactive components are left out, never half drawn.
    assert render(html.Div([dcc.Store(id="s", data={"a": 1}), dcc.Graph(id="g")])) == \
        "<div></div>"


@pytest.mark.parametrize(("path", "params"), [
    ("/handbook", {}), ("/indicators", {}),
    ("/data/none/none", {"package": "north-kosovo-product-map",
                                    "resource": "businesses"})])
def test_static_parts_hold_the_text_of_their_components(demo_app: dash.Dash, path: str,
                                                        params: dict[str, str]) -> None:
    page = render_page(demo_app, path, **params)
    parts = [n for n in nodes(page) if isinstance(n, StaticHtml)]
    assert parts, f"{path} sends its tables as server-rendered HTML"
    for part in parts:
        assert "".join(_parsed(part.html).parts) == text(part.source)


def test_static_html_is_one_component_on_the_wire() -> None:
    table = html.Table(html.Tbody([html.Tr([html.Td(str(i)) for i in range(10)])
                                   for _ in range(50)]))
    sent = static(table, "t").to_plotly_json()
    assert sent["namespace"] == "portal_components" and sent["type"] == "StaticHtml"
    assert set(sent["props"]) == {"html", "className"}  # the source tree is not sent


def test_the_page_arrives_with_its_copy(demo_client: FlaskClient) -> None:
    page = demo_client.get("/product-map?municipality=38").get_data(as_text=True)
    entry = page[page.index('<div id="portal-first-paint">'):page.index("</noscript>")]
    assert "Product map</h1>" in entry
    assert "portal-chart-title" in entry  # each chart's finding, before any script
    assert '<option value="38" selected>' in entry  # the filters as the URL set them
    assert "<script" not in entry
    # Nothing is named twice while the copy and React's page are both in the document.
    assert re.findall(r'\sid="([^"]+)"', entry) == ["portal-first-paint", "react-entry-point"]


@pytest.mark.browser
def test_react_replaces_the_copy(dash_duo: DashComposite, demo_app: dash.Dash) -> None:
    dash_duo.start_server(demo_app)
    dash_duo.driver.get(dash_duo.server_url + "/handbook")
    dash_duo.wait_for_text_to_equal("#main-content h1", "Handbook", timeout=10)
    assert not dash_duo.find_elements("._dash-loading")
    assert not dash_duo.find_elements("#portal-first-paint")
    assert dash_duo.find_element("#react-entry-point").is_displayed()
    assert len(dash_duo.find_elements("h1")) == 1
    # The requirements came as HTML and are in the page as if they were components.
    assert dash_duo.find_elements("#main-content .portal-requirement")
    assert dash_duo.get_logs() == []
