"""The data dictionary of a table, built from its published Table Schema.

Each column with its title in the visitor's language, description, type and constraints,
unit, and the list of its codes with their labels, so a downloaded file can be read without
the portal. Nothing is typed here: a new column or code in the ETL shows up by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal.components.datasets import in_language
from portal.components.page import column_headers
from portal.components.static import StaticHtml, static
from portal.i18n import _, format_number
from portal.labels import TOTAL

#: Code lists longer than this fold away behind a "show" summary.
FOLD_AFTER = 8


def type_names() -> dict[str, str]:
    """Table Schema types in plain words (a function: translated per request)."""
    return {"string": _("text"), "integer": _("whole number"), "number": _("number"),
            "date": _("date"), "boolean": _("true or false"), "year": _("year")}


def constraint_texts(spec: Mapping[str, Any]) -> list[str]:
    """The column's constraints that matter to a reader, in words."""
    constraints = spec.get("constraints") or {}
    texts = []
    if constraints.get("required"):
        texts.append(_("required"))
    if constraints.get("unique"):
        texts.append(_("unique"))
    if "minimum" in constraints:
        texts.append(_("at least %(n)s", n=format_number(constraints["minimum"])))
    if "maximum" in constraints:
        texts.append(_("at most %(n)s", n=format_number(constraints["maximum"])))
    return texts


def codes(spec: Mapping[str, Any]) -> dict[str, str]:
    """Code → label in the visitor's language, in schema order (enum first, then any code
    only the labels name); a code without a label maps to ""."""
    labels = spec.get("x-labels") or {}
    listed = (spec.get("constraints") or {}).get("enum") or []
    ordered = list(dict.fromkeys([*map(str, listed), *labels]))
    return {code: in_language(labels.get(code), "")[0] for code in ordered}


def code_list(spec: Mapping[str, Any]) -> Component | str:
    """The column's codes with their labels (``_total`` marked as the total)."""
    found = codes(spec)
    if not found:
        return ""
    items = []
    for code, label in found.items():
        parts: list[Any] = [html.Code(code)]
        if label:
            parts += [" ", label]
        if code == TOTAL:
            parts += [" ", html.Span(_("(total of all categories)"),
                                     className="text-body-secondary")]
        items.append(html.Li(parts))
    listing = html.Ul(items, className="list-unstyled mb-0 small portal-codes")
    if len(items) <= FOLD_AFTER:
        return listing
    return html.Details([html.Summary(_("%(n)s codes", n=format_number(len(items)))),
                         listing])


def _cell(texts: Mapping[str, str] | None, fallback: str) -> html.Td:
    text, lang = in_language(texts, fallback)
    return html.Td(text, lang=lang)


def dictionary_table(resource: Mapping[str, Any], caption: str) -> StaticHtml:
    """One row per column of the table's schema, in the file's column order."""
    names = type_names()
    rows = []
    for spec in resource.get("schema", {}).get("fields", []):
        kind = spec.get("type", "string")
        rows.append(html.Tr([
            html.Th(html.Code(spec["name"]), scope="row"),
            _cell(spec.get("x-title"), spec.get("title", "")),
            _cell(spec.get("x-description"), spec.get("description", "")),
            html.Td([names.get(kind, kind),
                     *[html.Div(t, className="small text-body-secondary")
                       for t in constraint_texts(spec)]]),
            _cell(spec.get("x-unit"), spec.get("unit", "")),
            html.Td(code_list(spec)),
        ]))
    header = column_headers([_("Column"), _("Title"), _("Description"), _("Type"), _("Unit"),
                             _("Codes and their labels")])
    return static(dbc.Table([html.Caption(caption, className="caption-top"), header,
                             html.Tbody(rows)],
                            striped=True, responsive=True, size="sm",
                            className="portal-dictionary"))


def missing_values(resource: Mapping[str, Any]) -> html.Ul | None:
    """What the markers of missing values mean (``[c]``: suppressed for confidentiality)."""
    schema = resource.get("schema", {})
    labels = schema.get("x-missingValueLabels") or {}
    items = [html.Li([html.Code(marker), " ", in_language(labels[marker], "")[0]])
             for marker in schema.get("missingValues") or [] if marker in labels]
    return html.Ul(items, className="mb-2") if items else None


def dictionary(resource: Mapping[str, Any], title: str) -> html.Section:
    notes: list[Component] = []
    markers = missing_values(resource)
    if markers is not None:
        notes += [html.P(_("Markers in the data:"), className="mb-1"), markers]
    keys = resource.get("schema", {}).get("primaryKey") or []
    if keys:
        notes.append(html.P([_("Each row is identified by:"), " ",
                             *[item for i, key in enumerate(keys)
                               for item in ((", ",) if i else ()) + (html.Code(key),)]]))
    return html.Section([
        html.H2(_("Data dictionary"), className="h4 mt-4"),
        dictionary_table(resource, _("Columns of %(table)s", table=title)),
        *notes,
    ], id="dictionary")
