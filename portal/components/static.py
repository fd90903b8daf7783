"""Components rendered to HTML on the server: for the page's first paint, and for the parts of
a page that never change in the browser.

Dash builds every component in React, each with its own wrapper, store subscriptions and
props checks: the handbook's 2,000 components or a preview table's 1,200 cells kept a phone's
main thread busy for over a second. A part with no callback inside is therefore rendered here
to HTML (text escaped, attributes from the same props) and sent as one :class:`StaticHtml`
component, which sets it as its inner HTML (``portal/assets/static_html.js``). Links inside
are plain links (a page load instead of Dash's in-app navigation); ids that are not strings
(pattern-matching ids, which only callbacks use) are left out.

Plain HTML components are rendered as they are, the Bootstrap components the pages use as the
markup dash-bootstrap-components gives them; anything interactive beyond that (a chart, a
store, an accordion) is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc
from dash.development.base_component import Component
from markupsafe import escape

#: Dash property → HTML attribute, where they differ.
_ATTRIBUTES = {"className": "class", "tabIndex": "tabindex", "htmlFor": "for"}
_SKIPPED = {"children", "id", "style", "n_clicks", "n_clicks_timestamp", "disable_n_clicks",
            "loading_state", "key"}
_BREAKPOINTS = ("xs", "sm", "md", "lg", "xl", "xxl")


def _css(style: Mapping[str, Any]) -> str:
    return ";".join(f"{''.join('-' + ch.lower() if ch.isupper() else ch for ch in key)}:{value}"
                    for key, value in style.items())


def _attributes(props: Mapping[str, Any]) -> str:
    parts = []
    if isinstance(props.get("id"), str):
        parts.append(f' id="{escape(props["id"])}"')
    if props.get("style"):
        parts.append(f' style="{escape(_css(props["style"]))}"')
    for name, value in props.items():
        if name in _SKIPPED or value is None or value is False:
            continue
        if not (name in _ATTRIBUTES or name.islower() or name.startswith(("aria-", "data-"))):
            continue
        attribute = _ATTRIBUTES.get(name, name)
        parts.append(f" {attribute}" if value is True else f' {attribute}="{escape(value)}"')
    return "".join(parts)


def _classes(props: Mapping[str, Any], *base: str) -> str:
    extra = props.get("class_name") or props.get("className") or ""
    return " ".join(c for c in (*base, extra) if c)


def _column(props: Mapping[str, Any]) -> list[str]:
    sizes = [f"col-{bp}-{props[bp]}" if bp != "xs" else f"col-{props[bp]}"
             for bp in _BREAKPOINTS if isinstance(props.get(bp), int)]
    width = props.get("width")
    return sizes or ([f"col-{width}"] if isinstance(width, int) else ["col"])


def _select(props: Mapping[str, Any]) -> str:
    options = []
    for option in props.get("options") or []:
        value = option.get("value") if isinstance(option, dict) else option
        label = option.get("label", value) if isinstance(option, dict) else option
        chosen = " selected" if value == props.get("value") else ""
        options.append(f'<option value="{escape(value)}"{chosen}>{escape(label)}</option>')
    return f'<select class="{_classes(props, "form-select")}">{"".join(options)}</select>'


def _table(props: Mapping[str, Any]) -> list[str]:
    flags = [f"table-{flag}" for flag in ("striped", "bordered", "hover") if props.get(flag)]
    return ["table", *flags, *([f"table-{props['size']}"] if props.get("size") else [])]


#: Bootstrap components: (tag, classes of their props, extra attributes).
_BOOTSTRAP: dict[type, tuple[str, Callable[[Mapping[str, Any]], list[str]], str]] = {
    dbc.Alert: ("div", lambda p: ["alert", f"alert-{p.get('color') or 'primary'}"],
                ' role="alert"'),
    dbc.Row: ("div", lambda p: ["row"], ""),
    dbc.Col: ("div", _column, ""),
    dbc.Card: ("div", lambda p: ["card"], ""),
    dbc.CardHeader: ("div", lambda p: ["card-header"], ""),
    dbc.CardBody: ("div", lambda p: ["card-body"], ""),
    dbc.CardFooter: ("div", lambda p: ["card-footer"], ""),
    dbc.Badge: ("span", lambda p: ["badge", f"text-bg-{p.get('color') or 'primary'}"], ""),
    dbc.Label: ("label", lambda p: ["form-label"], ""),
    dbc.Table: ("table", _table, ""),
}


def render(node: Any) -> str:
    """HTML of a component tree (text escaped); components it does not draw are left out."""
    if node is None or node is False:
        return ""
    if isinstance(node, StaticHtml):
        return f'<div class="{escape(getattr(node, "className", None) or "")}">{node.html}</div>'
    if isinstance(node, str | int | float):
        return str(escape(node))
    if isinstance(node, list | tuple):
        return "".join(render(child) for child in node)
    if not isinstance(node, Component):
        return ""
    props = {k: v for k, v in node.to_plotly_json()["props"].items() if k != "children"}
    children = getattr(node, "children", None)
    if isinstance(node, dcc.Link):
        return f'<a href="{escape(props.get("href", ""))}"{_attributes(props)}>' \
               f"{render(children)}</a>"
    if isinstance(node, dbc.Select):
        return _select(props)
    if isinstance(node, dbc.Table) and props.get("responsive"):  # dbc wraps it so
        inner = dbc.Table(children, **{k: v for k, v in props.items() if k != "responsive"})
        return f'<div class="table-responsive">{render(inner)}</div>'
    if type(node) in _BOOTSTRAP:
        tag, classes, extra = _BOOTSTRAP[type(node)]
        ident = f' id="{escape(props["id"])}"' if isinstance(props.get("id"), str) else ""
        return (f'<{tag}{ident} class="{escape(_classes(props, *classes(props)))}"{extra}>'
                f"{render(children)}</{tag}>")
    if getattr(node, "_namespace", "") != "dash_html_components":
        return ""
    tag = node._type.lower()
    return f"<{tag}{_attributes(props)}>{render(children)}</{tag}>"




class StaticHtml(Component):
    """HTML made by :func:`render`, shown as it is (``portal/assets/static_html.js``)."""

    _namespace = "portal_components"
    _type = "StaticHtml"
    _prop_names = ["id", "html", "className"]  # noqa: RUF012 - Dash's class attributes
    _valid_wildcard_attributes: list[str] = []  # noqa: RUF012
    available_properties = _prop_names
    available_wildcard_properties: list[str] = []  # noqa: RUF012

    def __init__(self, html: str = "", id: str | None = None,  # noqa: A002 - Dash's name
                 className: str | None = None) -> None:  # noqa: N803 - Dash's name
        props = {"id": id, "className": className}
        super().__init__(html=str(html), **{k: v for k, v in props.items() if v is not None})


def static(node: Any, class_name: str | None = None) -> StaticHtml:
    """``node`` (a tree without callbacks inside) as one component of server-rendered HTML;
    the tree stays readable on the server as ``.source`` (not sent)."""
    component = StaticHtml(html=render(node), className=class_name)
    component.source = node
    return component
