"""Filters shared by the pages, kept in the URL so a view can be shared as a link.

A filter is a URL parameter (``?municipality=38&sector=trade&from=2019Q3``) that
applies to every chart whose table has one of its columns; charts without such a
column say so instead of silently ignoring it. Options and their labels come from
the published schema, never from this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import html

from portal import query
from portal.i18n import _
from portal.labels import TOTAL, code_labels
from portal.load.database import LoadedRelease

FILTER_TYPE = "portal-filter"
#: Value of the "All" choice (an empty value would collide with the select's placeholder).
ALL = "*"


@dataclass(frozen=True)
class Filter:
    """One URL parameter: which table columns it constrains and where its options come from.

    ``bound`` is "" for "equal to", or "low"/"high" for the two ends of a range.
    """

    name: str
    title: Callable[[], str]
    columns: tuple[str, ...]
    options_from: tuple[str, str]  # (resource, column)
    bound: str = ""


FILTERS: dict[str, Filter] = {f.name: f for f in (
    Filter("municipality", lambda: _("Municipality"), ("municipality",),
           ("businesses_by_sector_municipality", "municipality")),
    Filter("sector", lambda: _("Sector"), ("broad_sector",),
           ("businesses_by_sector_municipality", "broad_sector")),
    Filter("gender", lambda: _("Gender"), ("gender",), ("participants_by_topic_gender", "gender")),
    Filter("phase", lambda: _("B2B phase"), ("phase",), ("meetings_by_phase_outcome", "phase")),
    Filter("from", lambda: _("From quarter"), ("quarter",), ("participants_by_quarter", "quarter"),
           bound="low"),
    Filter("to", lambda: _("To quarter"), ("quarter",), ("participants_by_quarter", "quarter"),
           bound="high"),
)}


def dom_id(component_id: Mapping[str, str]) -> str:
    """The HTML id Dash gives a pattern-matching id (for ``<label for>``)."""
    return json.dumps(dict(component_id), sort_keys=True, separators=(",", ":"))


def options(release: LoadedRelease, name: str) -> dict[str, str]:
    """Allowed values of filter ``name`` → label (totals are not an option)."""
    resource, column = FILTERS[name].options_from
    labels = code_labels(release, resource, column)
    if not any(code != TOTAL for code in labels):  # a free column (quarters): its values
        values = query.table(release, resource, columns=(column,))[column]
        labels = {code: code for code in sorted(set(values))}
    return {code: text for code, text in labels.items() if code != TOTAL}


def parse(release: LoadedRelease | None, params: Mapping[str, object]) -> dict[str, str]:
    """The valid filters among URL parameters; unknown names and values are dropped."""
    if release is None:
        return {}
    active = {}
    for name in FILTERS:
        value = params.get(name)
        if isinstance(value, str) and value in options(release, name):
            active[name] = value
    return active


def conditions(active: Mapping[str, str], table_columns: list[str]) -> dict[str, query.Condition]:
    """The SQL conditions ``active`` puts on a table with ``table_columns``."""
    out: dict[str, query.Condition] = {}
    for name, value in active.items():
        spec = FILTERS[name]
        for column in spec.columns:
            if column not in table_columns:
                continue
            if spec.bound:
                low, high = out.get(column, ("", ""))  # type: ignore[misc]
                out[column] = (value, high) if spec.bound == "low" else (low, value)
            else:
                out[column] = value
    return out


def unused(active: Mapping[str, str], table_columns: list[str]) -> list[str]:
    """Names of active filters that do not apply to a table with ``table_columns``."""
    return [name for name in active
            if not any(c in table_columns for c in FILTERS[name].columns)]


def filter_bar(release: LoadedRelease | None, names: tuple[str, ...],
               active: Mapping[str, str]) -> html.Div:
    """Native selects (keyboard and screen-reader friendly) for the page's filters."""
    if release is None or not names:
        return html.Div()
    controls = []
    for name in names:
        control_id = {"type": FILTER_TYPE, "name": name}
        choices = [{"label": _("All"), "value": ALL}] + [
            {"label": text, "value": code} for code, text in options(release, name).items()]
        controls.append(dbc.Col([
            dbc.Label(FILTERS[name].title(), html_for=dom_id(control_id),
                      className="form-label small mb-1"),
            dbc.Select(id=control_id, options=choices, value=active.get(name, ALL), size="sm"),
        ], xs=6, md=3, lg=2))
    return html.Div(
        dbc.Row(controls, className="g-2 align-items-end"),
        role="search",
        **{"aria-label": _("Filters")},
        className="portal-filters mb-4 p-3 bg-white border rounded",
    )
