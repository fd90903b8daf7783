"""Helpers the page tests share: the published files read independently of the portal, pages
and charts rendered as a request would, and figures read back.

Expected values come from the committed CSVs and descriptors with pandas and json, never
through :mod:`portal.query`, so a wrong query or a mislabelled cell shows up.
"""

from __future__ import annotations

import json
import sys
import time
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import dash
import pandas as pd
from dash.development.base_component import Component

from portal.components import chart as chart_module
from portal.components.static import StaticHtml
from tests.conftest import DEMO_PACKAGES

LATEST = DEMO_PACKAGES / "latest"
PRODUCT_MAP = LATEST / "north-kosovo-product-map"
PROGRAMME = LATEST / "north-kosovo-programme-metrics"
TOTAL = "_total"
MARK = "[c]"


# --- the published files ----------------------------------------------------------------------


@cache
def published_csv(package: Path, resource: str) -> pd.DataFrame:
    """A resource's CSV as published, every cell a string (``[c]`` where suppressed)."""
    return pd.read_csv(package / "data" / f"{resource}.csv", dtype=str, keep_default_na=False)


@cache
def schema_labels(package: Path, resource: str, column: str) -> dict[str, str]:
    """Code → English label of ``column`` from the descriptor's x-labels."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    spec = next(f for r in descriptor["resources"] if r["name"] == resource
                for f in r["schema"]["fields"] if f["name"] == column)
    return {code: text["en"] for code, text in (spec.get("x-labels") or {}).items()}


def csv_value(frame: pd.DataFrame, **where: str) -> float | None:
    """The one published cell matching ``where`` (None when it is ``[c]``)."""
    rows = frame
    for column, code in where.items():
        rows = rows[rows[column] == code]
    assert len(rows) == 1, where
    return None if rows["value"].iloc[0] == MARK else float(rows["value"].iloc[0])


# --- rendering --------------------------------------------------------------------------------


def page(name: str) -> ModuleType:
    """A page module as Dash loaded it for the app under test (Dash imports pages when an app
    is created, never before, and re-runs them per app)."""
    return sys.modules[f"portal.pages.{name}"]


def render(app: dash.Dash, path: str, **params: str) -> Component:
    """The page at ``path`` as Dash would build it for a request to ``app``."""
    registered = next(p for p in dash.page_registry.values() if p["path"] == path)
    with app.server.test_request_context(path):
        return registered["layout"](**params)


def draw(app: dash.Dash, chart_id: str, active: dict[str, str] | None = None
         ) -> tuple[chart_module.ChartData, chart_module.ChartView]:
    """A chart's data and view for the filters ``active``, in a request to ``app``."""
    with app.server.test_request_context("/"):
        drawn = chart_module.draw(chart_id, active or {})
    assert drawn is not None
    return drawn


def nodes(tree: Component) -> list[Component]:
    """The tree's components, itself first, in document order; through the server-rendered
    parts (:class:`~portal.components.static.StaticHtml`) to the components they were made of,
    whose HTML tests/test_static_html.py checks against them."""
    found: list[Component] = []

    def walk(node: object) -> None:
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif isinstance(node, StaticHtml):
            found.append(node)
            walk(node.source)
        elif isinstance(node, Component):
            found.append(node)
            walk(getattr(node, "children", None))
            for name in ("label", "title"):  # components given as props (accordion titles)
                if isinstance(getattr(node, name, None), Component):
                    walk(getattr(node, name))

    walk(tree)
    return found


# --- reading figures --------------------------------------------------------------------------


def plain(text: str) -> str:
    """An axis label as the schema spells it (charts break long ones with ``<br>``)."""
    return text.replace("<br>", " ")


def bar_points(figure: Any) -> list[tuple[str, str, float | None]]:
    """(trace name, category, value) of every drawn bar."""
    points = []
    for trace in figure.data:
        if trace.type != "bar":
            continue
        horizontal = trace.orientation == "h"
        categories, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
        points += [(trace.name, plain(c), v) for c, v in zip(categories, values, strict=True)]
    return points


def marked(figure: Any) -> list[str]:
    """Categories a figure draws as suppressed: bar or marker points whose text is ``[c]``."""
    out: list[str] = []
    for trace in figure.data:
        if trace.type not in ("bar", "scatter") or trace.text is None or isinstance(
                trace.text, str):
            continue
        numbers = all(isinstance(v, int | float) for v in (trace.x or ()))
        horizontal = trace.orientation == "h" or (trace.type == "scatter" and numbers)
        categories = trace.y if horizontal else trace.x
        out += [plain(c) for c, t in zip(categories, trace.text, strict=True) if t == MARK]
    return out


# --- reading a rendered page -----------------------------------------------------------------


def text(node: object) -> str:
    """Everything a screen reader would read out of ``node``, as one string."""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return "".join(text(child) for child in node)
    if isinstance(node, StaticHtml):
        return text(node.source)
    if isinstance(node, Component):
        return text(getattr(node, "children", None))
    return ""


def visible_text(node: object) -> str:
    """Like :func:`text`, without the ``visually-hidden`` parts."""
    if isinstance(node, Component) and "visually-hidden" in (
        getattr(node, "className", None) or ""
    ):
        return ""
    if isinstance(node, list | tuple):
        return "".join(visible_text(child) for child in node)
    if isinstance(node, StaticHtml):
        return visible_text(node.source)
    if isinstance(node, Component):
        return visible_text(getattr(node, "children", None))
    return text(node)


# --- in the browser ---------------------------------------------------------------------------

#: Scrolls the next chart that is not drawn yet into view; how many remain (0: all drawn).
_NEXT_CHART = """
const slots = [...document.querySelectorAll('#main-content .portal-graph-slot')];
const waiting = slots.filter(s => !s.querySelector('.js-plotly-plot .main-svg'));
if (waiting.length) { waiting[0].scrollIntoView({block: 'center'}); }
else { window.scrollTo(0, 0); }
return waiting.length;
"""


def draw_every_chart(driver: Any, timeout: float = 20, expected: int | None = None) -> int:
    """Scroll through the page so that every chart is drawn (charts are drawn as they come
    into view), back to the top; returns how many charts the page has (after waiting for
    ``expected`` of them to be on the page, when given)."""
    deadline = time.monotonic() + timeout
    while expected is not None and len(driver.find_elements(
            "css selector", "#main-content .portal-graph-slot")) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {expected} charts on the page")
        time.sleep(0.05)
    while driver.execute_script(_NEXT_CHART):
        if time.monotonic() > deadline:
            raise AssertionError("charts were not drawn when scrolled into view")
        time.sleep(0.05)
    return len(driver.find_elements("css selector", "#main-content .portal-graph-slot"))
