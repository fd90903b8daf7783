"""What a disclosure-risk report says, for the About page and the data pages alike.

The numbers are the release's own (``disclosure-risk.json``), never constants here, so each
page states exactly the protection the published data received. The About page explains
the rules; the package and table pages summarise how they applied to that data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from portal.components.page import column_headers
from portal.i18n import _, format_number
from portal.layout import icon

#: The microdata table: its protection is k-anonymity of records, not suppressed cells.
MICRODATA = "businesses"


def number(value: Any) -> str:
    """A parameter as people write it: 5, 15, 0.2 (never 15.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:g}"


def percent(share: Any) -> str:
    """A share (0.05) as a percentage ("5%")."""
    if not isinstance(share, int | float):
        return str(share)
    return _("%(value)s%%", value=f"{share * 100:g}")


def rule_names() -> dict[str, str]:
    return {
        "k_anonymity": _("k-anonymity of the business records"),
        "local_suppression_share": _("Few records with hidden characteristics"),
        "l_diversity": _("l-diversity of sensitive answers"),
        "threshold_p_percent_group": _("Small counts, dominant contributors and all-or-none "
                                       "cells suppressed"),
        "lp_audit": _("Audit: hidden cells cannot be worked out from the tables"),
        "differencing_audit": _("Audit: hidden cells cannot be found by subtraction"),
    }


def scope_names() -> dict[str, str]:
    return {"businesses": _("Business records"), "all tables": _("All tables")}


def passed_badge(passed: bool) -> dbc.Badge:
    if passed:
        return dbc.Badge([icon("check-lg", "me-1"), _("Yes")], color="success")
    return dbc.Badge([icon("x-lg", "me-1"), _("No")], color="danger")


def rules_table(rules: list[dict[str, Any]], caption: str) -> dbc.Table:
    names, scopes = rule_names(), scope_names()
    rows = [
        html.Tr([
            html.Th([names.get(rule.get("rule", ""), rule.get("rule", "")),
                     html.Div(html.Code(rule.get("rule", "")), className="small")],
                    scope="row", className="fw-normal"),
            html.Td(scopes.get(rule.get("scope", ""), rule.get("scope", ""))),
            html.Td(passed_badge(bool(rule.get("passed")))),
            # The report's own words, which the ETL writes in English: marked as such.
            html.Td(rule.get("detail", ""), className="small", lang="en"),
        ])
        for rule in rules
    ]
    header = column_headers([_("Check"), _("Applies to"), _("Passed"),
                             _("Detail (as published, in English)")])
    return dbc.Table([html.Caption(caption, className="caption-top"), header, html.Tbody(rows)],
                     striped=True, responsive=True, size="sm", className="align-middle")


# --- summaries for the data pages -------------------------------------------------------------


def _share(value: Any) -> str:
    """A share of 0..1 as a percentage with one decimal ("34.2%")."""
    return _("%(value)s%%", value=format_number(float(value) * 100, 1))


def facts_table(rows: Sequence[tuple[str, str]], caption: str) -> dbc.Table:
    """(what, value) pairs as a two-column table, each "what" a row header."""
    return dbc.Table(
        [html.Caption(caption, className="caption-top"),
         html.Tbody([html.Tr([html.Th(what, scope="row", className="fw-normal"),
                              html.Td(value, className="text-end")]) for what, value in rows])],
        size="sm", className="portal-facts w-auto")


def package_facts(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headline numbers of a package's report: k, hidden records, suppressed cells,
    checks passed (each left out when the report lacks it)."""
    params = report.get("parameters") or {}
    micro = report.get("microdata") or {}
    tables = report.get("tables_summary") or {}
    rules = report.get("rules") or []
    facts = []
    if "achieved_k" in micro and "k" in params:
        facts.append((_("Smallest group of businesses sharing their characteristics"),
                      _("%(achieved)s (at least %(k)s required)",
                        achieved=number(micro["achieved_k"]), k=number(params["k"]))))
    if "suppressed_share" in micro:
        facts.append((_("Business records with hidden characteristics"),
                      _share(micro["suppressed_share"])))
    if "cells" in tables and "suppressed_share" in tables:
        facts.append((_("Table cells suppressed"), _(
            "%(share)s of %(cells)s", share=_share(tables["suppressed_share"]),
            cells=format_number(tables["cells"]))))
    if rules:
        facts.append((_("Checks passed"), _(
            "%(passed)s of %(total)s", passed=format_number(sum(bool(r.get("passed"))
                                                                for r in rules)),
            total=format_number(len(rules)))))
    return facts


def table_facts(report: Mapping[str, Any], resource: str) -> list[tuple[str, str]]:
    """How the rules applied to one table: its cells, how many a rule hid (primary) and how
    many were hidden to protect those (secondary); for the microdata, its records."""
    found = next((t for t in report.get("tables") or [] if t.get("name") == resource), None)
    if found is not None:
        return [
            (_("Cells"), format_number(found.get("cells", 0))),
            (_("Suppressed by a rule (primary)"), format_number(found.get("primary", 0))),
            (_("Suppressed to protect those (secondary)"),
             format_number(found.get("secondary", 0))),
            (_("Share suppressed"), _share(found.get("suppressed_share", 0))),
        ]
    micro = report.get("microdata") or {}
    if resource == MICRODATA and micro:
        return package_facts({"parameters": report.get("parameters"), "microdata": micro})
    return []
