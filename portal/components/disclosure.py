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
from dash.development.base_component import Component

from portal.catalog.model import Catalogue
from portal.components.page import column_headers
from portal.i18n import _, format_date, format_number
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
        "history_microdata": _("Across releases: the business records that differ from an "
                               "earlier release cannot be singled out"),
        "history_tables": _("Across releases: comparing with an earlier release gives away "
                            "no hidden cell and no change"),
        "directory_background": _("With the supplier directory known: no listed business can "
                                  "be singled out, no hidden answer worked out"),
    }


#: The checks of a release against the earlier ones (the "history" section of a report).
HISTORY_RULES = ("history_microdata", "history_tables")


def unit_names() -> dict[str, str]:
    """The units whose changes between releases the audit counts."""
    return {"businesses": _("Businesses"), "people": _("People"),
            "sessions": _("Training sessions"), "meetings": _("B2B meetings")}


def scope_names() -> dict[str, str]:
    return {"businesses": _("Business records"), "all tables": _("All tables"),
            "businesses and tables": _("Business records and tables")}


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
    if "history" in tables and "cells" in tables:
        facts.append((_("Table cells suppressed because of the release history"), _(
            "%(n)s of %(total)s", n=format_number(tables["history"]),
            total=format_number(tables["cells"]))))
    if isinstance(micro.get("waves"), list):
        facts.append((_("Survey waves published, each anonymised on its own"),
                      format_number(len(micro["waves"]))))
    if "records_deferred" in micro:
        facts.append((_("Business records waiting for a larger survey wave"),
                      format_number(micro["records_deferred"])))
    if rules:
        facts.append((_("Checks passed"), _(
            "%(passed)s of %(total)s", passed=format_number(sum(bool(r.get("passed"))
                                                                for r in rules)),
            total=format_number(len(rules)))))
    return facts


def table_facts(report: Mapping[str, Any], resource: str) -> list[tuple[str, str]]:
    """How the rules applied to one table: its cells, how many a rule hid (primary) and how
    many were hidden to protect those (secondary) or because of the release history; for the
    microdata, its records."""
    found = next((t for t in report.get("tables") or [] if t.get("name") == resource), None)
    if found is not None:
        history = ([(_("Suppressed because of the release history"),
                     format_number(found["history"]))] if "history" in found else [])
        return [
            (_("Cells"), format_number(found.get("cells", 0))),
            (_("Suppressed by a rule (primary)"), format_number(found.get("primary", 0))),
            (_("Suppressed to protect those (secondary)"),
             format_number(found.get("secondary", 0))),
            *history,
            (_("Share suppressed"), _share(found.get("suppressed_share", 0))),
        ]
    micro = report.get("microdata") or {}
    if resource == MICRODATA and micro:
        return package_facts({"parameters": report.get("parameters"), "microdata": micro})
    return []


# --- the release history audit ----------------------------------------------------------------


def _changed(units: Mapping[str, Any]) -> str:
    """"Businesses: 47, People: 75, …": the kinds the portal names first, in its order."""
    names = unit_names()
    order = [*(u for u in names if u in units), *(u for u in units if u not in names)]
    return ", ".join(_("%(units)s: %(n)s", units=names.get(unit, unit),
                       n=format_number(units[unit]))
                     for unit in order if isinstance(units[unit], int | float))


def _checked(micro: Mapping[str, Any], tables: Mapping[str, Any]) -> list[str]:
    """What the audit against one earlier release found, in words."""
    found = []
    rows = micro.get("rows_differing")
    if rows == 0:
        found.append(_("No business record differs."))
    elif isinstance(rows, int | float):
        found.append(_("%(n)s business records differ; each matches at least %(k)s of them.",
                       n=format_number(rows), k=number(micro.get("smallest_match"))))
    if "difference_cells_at_risk" in tables:
        found.append(_("%(n)s differences between table cells that would give something away "
                       "are kept hidden; %(hidden)s hidden cells checked.",
                       n=format_number(tables["difference_cells_at_risk"]),
                       hidden=format_number(tables.get("hidden_cells_checked", 0))))
    return found


def _status(status: Any, withdrawn_on: str | None) -> str:
    """The earlier release's status when audited, and its withdrawal since (if any)."""
    if status == "withdrawn":
        return _("Withdrawn")
    if withdrawn_on is not None:
        return _("Published then; withdrawn on %(date)s", date=format_date(withdrawn_on))
    return _("Published")


def history_audit(report: Mapping[str, Any], caption: str,
                  withdrawn: Mapping[str, str] | None = None) -> Component | None:
    """The releases this one was checked against (published or withdrawn), what changed since
    each and what the check found; None for a report from before release histories.

    ``withdrawn`` (version → date) names the releases withdrawn since: the report is never
    changed after publication, and a reader should not take a withdrawn one for available.
    """
    section = report.get("history")
    if not isinstance(section, dict):
        return None
    earlier = [e for e in section.get("earlier_releases") or [] if isinstance(e, dict)]
    if not earlier:
        return html.P(_("This is the first release: there was no earlier release to check it "
                        "against."), className="portal-history-audit")
    micro = {m.get("version"): m for m in section.get("microdata") or [] if isinstance(m, dict)}
    tables = {t.get("version"): t for t in section.get("tables") or [] if isinstance(t, dict)}
    passed = all(bool(r.get("passed")) for r in report.get("rules") or []
                 if r.get("rule") in HISTORY_RULES)
    rows = []
    for entry in earlier:
        version = str(entry.get("version", ""))
        found = tables.get(version, {})
        released = entry.get("released")
        rows.append(html.Tr([
            html.Th([version, html.Div(_("released on %(date)s", date=format_date(released))
                                       if isinstance(released, str) and released else "",
                                       className="small fw-normal")], scope="row"),
            html.Td(_status(entry.get("status"), (withdrawn or {}).get(version))),
            html.Td(_changed(found.get("changed_units") or {})),
            html.Td(" ".join(_checked(micro.get(version, {}), found)), className="small"),
            html.Td(passed_badge(passed)),
        ]))
    header = column_headers([_("Earlier release"), _("Status"), _("Changed since"),
                             _("What the check found"), _("Passed")])
    return dbc.Table([html.Caption(caption, className="caption-top"), header, html.Tbody(rows)],
                     striped=True, responsive=True, size="sm",
                     className="align-middle portal-history-audit")


def withdrawn_versions(catalogue: Catalogue) -> dict[str, str]:
    """Version → the day it was withdrawn, for every withdrawn release of the catalogue."""
    return {v.version: v.withdrawn_on for v in catalogue.history if v.withdrawn}


def history_section(report: Mapping[str, Any], caption: str,
                    withdrawn: Mapping[str, str] | None = None) -> list[Component]:
    """The audit as a subsection of a page's disclosure-control section ([] without one)."""
    audit = history_audit(report, caption, withdrawn)
    if audit is None:
        return []
    return [html.H3(_("Release history audit"), className="h5 mt-3"),
            html.P(_("Anyone may keep every release, withdrawn ones too, and compare them. "
                     "So each release is checked against every earlier one before it is "
                     "published, knowing which businesses, people, sessions and meetings "
                     "joined, left or changed in between.")),
            audit]
