"""About the programme, and how its data were scored and anonymised.

The anonymisation section reads its numbers from the release's own disclosure-risk
report, never from constants here: the page must describe exactly the rules the
published data passed, whatever parameters the ETL was run with.
"""

from __future__ import annotations

import json
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal import downloads
from portal.components.disclosure import history_audit, number, percent, rules_table
from portal.components.page import column_headers, heading, notice
from portal.downloads import Published, format_size
from portal.i18n import N_, _, format_number
from portal.labels import localised_text
from portal.layout import page_title
from portal.load import history

dash.register_page(
    __name__,
    path="/about",
    name=N_("About"),
    order=9,
    title=page_title(N_("About")),
)


# --- the programme --------------------------------------------------------------------------


def programme() -> html.Section:
    components = [
        (_("Product map survey."),
         _("A survey of the businesses of the four municipalities: their sectors, products, "
           "markets, compliance with the law and growth potential.")),
        (_("Handbook."),
         _("What a business needs to trade formally in its sector: each requirement, the "
           "authority responsible for it and its legal basis.")),
        (_("Trainings."),
         _("Courses for business owners and staff on the topics the survey showed they need.")),
        (_("Business-to-business (B2B) meetings."),
         _("Meetings between local producers and buyers, starting with a pilot of five "
           "meetings.")),
    ]
    return html.Section(
        [
            html.H2(_("The programme"), className="h3 mt-4"),
            html.P(_(
                "The North of Kosovo Product Map maps the small and medium businesses of the "
                "four northern municipalities (North Mitrovica, Zvečan, Zubin Potok and "
                "Leposavić) and what they produce, and helps them to trade formally and to "
                "find business partners."
            )),
            html.P(_(
                "The programme is funded by the UK Foreign and Commonwealth Office (FCO) and "
                "GIZ, and implemented by NGO AKTIV."
            )),
            html.H3(_("What the programme does"), className="h5"),
            html.Ul([html.Li([html.Strong(name), " ", text]) for name, text in components]),
        ]
    )


# --- methodology: compliance levels -----------------------------------------------------------


def compliance_levels() -> html.Section:
    """Plain-words version of ``etl.derive.compliance_level`` (keep the two in step)."""
    levels = [
        (_("Informal:"),
         _("not registered with the Kosovo Business Registration Agency (KBRA), or with no "
           "record that it is.")),
        (_("Partly formal:"),
         _("registered with KBRA, but missing at least one other requirement that applies "
           "to it: a fiscal number, VAT registration (required above €30,000 annual "
           "turnover), pension contributions, written contracts, registration with the Food "
           "and Veterinary Agency, HACCP food safety, bilingual labels, product "
           "certification, an environmental permit or a sector licence.")),
        (_("Formal:"),
         _("registered with KBRA, with a fiscal number, and meeting every other requirement "
           "that applies to it.")),
    ]
    return html.Section(
        [
            html.H3(_("Compliance levels"), className="h5 mt-3"),
            html.P(_("Each surveyed business is given one of three compliance levels from its "
                     "answers:")),
            html.Ul([html.Li([html.Strong(name), " ", text]) for name, text in levels]),
            html.P(_(
                "A requirement that does not apply to a business (VAT below the turnover "
                "threshold, or a food-safety rule for a business that makes no food), or "
                "whose answer is not known, does not count against it."
            )),
        ]
    )


# --- methodology: anonymisation ---------------------------------------------------------------


def parameter_meanings() -> dict[str, str]:
    """What each published parameter means (a function: translated per request)."""
    return {
        "k": _("Smallest number of businesses sharing each combination of characteristics"),
        "max_suppression_share": _("Largest share of records whose characteristics may be "
                                   "hidden instead of generalised"),
        "l_diversity": _("Fewest different values of each sensitive answer in a group"),
        "min_count": _("Fewest businesses or people behind a published count"),
        "min_contributors": _("Fewest contributors behind a published total"),
        "p_percent": _("The p-percent rule: how closely one contributor may estimate "
                       "another's value"),
        "small_group": _("Groups smaller than this are protected against all-or-none cells"),
        "risk_threshold": _("Re-identification risk above which a record counts as at risk"),
        "min_interval_width": _("Narrowest range an audit may find for a hidden count"),
        "suppressed_marker": _("How a suppressed cell is shown in the data"),
    }


def anonymisation_rules(params: dict[str, Any]) -> html.Ul:
    """The rules in plain words, each with its value from the report (left out if absent;
    with no report at all, only the rules that need no numbers)."""
    items = [
        _("Direct identifiers are never published: names of businesses, owners and "
          "participants, addresses, phone numbers, e-mail addresses, registration and fiscal "
          "numbers, coordinates and free-text answers."),
        _("Each business is given a new random key in every release, so a record cannot be "
          "traced to a registration number or linked from one release to the next."),
    ]
    sentences = [
        (("k",), lambda p: _(
            "Characteristics someone might know about a business, such as its municipality, "
            "sector, year founded or size, are generalised (a year becomes a period, for "
            "example) until every combination is shared by at least %(k)s businesses.",
            k=number(p["k"]))),
        (("max_suppression_share",), lambda p: _(
            "Where that would blur the data too much, the characteristics of a few records are "
            "hidden instead: at most %(share)s of them.",
            share=percent(p["max_suppression_share"]))),
        (("l_diversity",), lambda p: _(
            "Within each such group, every sensitive answer (such as the compliance level or "
            "the turnover band) takes at least %(l)s different values, or is hidden for that "
            "group, so knowing a business's group does not reveal its answers.",
            l=number(p["l_diversity"]))),
        (("min_count", "min_contributors"), lambda p: _(
            "In the tables, a count of fewer than %(min_count)s businesses or people, or a "
            "total (turnover, employment, deal value) from fewer than %(min_contributors)s "
            "contributors, is suppressed.",
            min_count=number(p["min_count"]), min_contributors=number(p["min_contributors"]))),
        (("p_percent",), lambda p: _(
            "A total dominated by one contributor is suppressed too (the p%% rule, with "
            "p = %(p)s): when everything but the two largest contributions adds up to less "
            "than %(p)s%% of the largest, the second-largest contributor could estimate the "
            "largest too closely.", p=number(p["p_percent"]))),
        (("small_group",), lambda p: _(
            "In a group of fewer than %(size)s businesses or people, a cell saying that none or "
            "all of its members have an attribute is suppressed, because it would reveal that "
            "attribute of each of them.", size=number(p["small_group"]))),
        (("suppressed_marker",), lambda p: _(
            "Suppressed cells are shown as %(marker)s: neither as zero nor left blank.",
            marker=str(p["suppressed_marker"]))),
        ((), lambda p: _(
            "Further cells are then suppressed, so that the hidden ones cannot be worked out "
            "from totals and the other published cells.")),
        (("min_interval_width",), lambda p: _(
            "An audit solves the published tables as an attacker would and checks that each "
            "hidden count can only be narrowed down to a range at least %(width)s wide, and "
            "that no hidden cell follows from subtracting one published cell from another.",
            width=number(p["min_interval_width"]))),
    ]
    if params:
        items += [text(params) for keys, text in sentences if all(k in params for k in keys)]
    return html.Ul([html.Li(item) for item in items])


def across_releases(report: dict[str, Any], version: str,
                    withdrawn: dict[str, str]) -> list[Component]:
    """The threat across releases in plain words, with what it cost this release and its
    audit against the earlier ones, from the release's report (only what it states)."""
    params = report.get("parameters") or {}
    micro = report.get("microdata") or {}
    tables = report.get("tables_summary") or {}
    waves = micro.get("waves") if isinstance(micro.get("waves"), list) else None
    items = [
        _("Releases are published one after another and stay downloadable, so the data must "
          "stay safe when releases are compared. The rules assume an attacker who holds "
          "every release ever published, withdrawn ones too (they may have been downloaded), "
          "and knows which businesses, people, training sessions and meetings joined, left "
          "or changed between any two of them."),
        _("The business records are published per survey wave. Each wave is anonymised "
          "among its own records, so that it is safe on its own, and is never published "
          "again with additions: a later release repeats it unchanged, under new keys, and "
          "adds the next wave. The records of a wave too small to be made safe wait for a "
          "later one."),
        _("In the tables, the difference between two releases follows the same rules as a "
          "cell: what changed between them is protected like a count of its own. Where "
          "comparing a cell with an earlier release would give away a hidden cell or what "
          "changed, the cell is hidden in the new release (rule %(rule)s), so that comparing "
          "releases gives nothing away.", rule="“history”"),
    ]
    smallest = [w["achieved_k"] for w in waves or () if isinstance(w, dict)
                and isinstance(w.get("achieved_k"), int | float)]
    if waves and (smallest or "k" in params):
        items.append(_("Release %(version)s holds %(waves)s survey waves; in each of them, "
                       "every combination of characteristics is shared by at least %(k)s "
                       "businesses. %(deferred)s business records are waiting for a later "
                       "wave.", version=version, waves=format_number(len(waves)),
                       k=number(min(smallest) if smallest else params["k"]),
                       deferred=format_number(micro.get("records_deferred", 0))))
    if "history" in tables and "cells" in tables:
        items.append(_("What it cost release %(version)s: %(n)s of its %(cells)s table cells "
                       "are hidden because of the release history.", version=version,
                       n=format_number(tables["history"]),
                       cells=format_number(tables["cells"])))
    audit = history_audit(report, _("Earlier releases that release %(version)s was "
                                    "checked against", version=version), withdrawn)
    return [html.H4(_("Across releases"), className="h6 mt-3"),
            html.Ul([html.Li(item) for item in items], className="portal-across-releases"),
            *([audit] if audit is not None else [])]


def directory_knowledge(report: dict[str, Any], version: str) -> list[Component]:
    """What the supplier directory, read as background knowledge, cost this release (from its
    report; nothing when the release was built without a directory)."""
    known = report.get("directory")
    if not isinstance(known, dict):
        return []
    micro = known.get("microdata") or {}
    carried = micro.get("carried_waves") or {}
    hidden = int(micro.get("cells_suppressed", 0)) + int(carried.get("cells_suppressed", 0))
    tables = int((known.get("tables") or {}).get("cells_suppressed", 0))
    return [html.H4(_("With the supplier directory known"), className="h6 mt-3"),
            html.P(_("Businesses that chose to be listed in the supplier directory show their "
                     "name, sector, and as they chose their municipality, products and "
                     "certifications. The rules assume an attacker who reads every listing: "
                     "no listed business may be singled out in the business records, and no "
                     "hidden answer of another business worked out from a table by "
                     "subtracting what the listings show. For release %(version)s, with "
                     "%(listings)s listings, that hid %(micro)s more answers in the business "
                     "records and %(tables)s more table cells. The directory itself shows what "
                     "each business chose, unchanged.", version=version,
                     listings=format_number(int(known.get("listings", 0))),
                     micro=format_number(hidden), tables=format_number(tables)),
                   className="portal-directory-risk")]


def parameters_table(params: dict[str, Any], caption: str) -> dbc.Table:
    meanings = parameter_meanings()
    rows = [
        html.Tr([
            html.Th(html.Code(name), scope="row"),
            html.Td(number(value), className="text-end"),
            html.Td(meanings.get(name, "")),
        ])
        for name, value in params.items()
    ]
    header = column_headers([_("Parameter"), _("Value"), _("Meaning")], numeric=[1])
    return dbc.Table([html.Caption(caption, className="caption-top"), header, html.Tbody(rows)],
                     striped=True, responsive=True, size="sm", className="portal-parameters")


def package_title(descriptor: dict[str, Any], name: str) -> str:
    return localised_text(descriptor.get("x-title"), descriptor.get("title") or name)


def risk_reports(published: Published) -> list[tuple[list[str], dict[str, Any]]]:
    """Each distinct disclosure-risk report of the release, with the packages it covers.

    The ETL writes one report per package, usually identical across a release; showing
    each distinct one keeps the page exact should they ever differ.
    """
    groups: dict[str, tuple[list[str], dict[str, Any]]] = {}
    for name, descriptor in published.release.packages.items():
        path = (descriptor.get("x-disclosureRiskReport") or {}).get("json")
        file = published.package_file(name, path) if isinstance(path, str) else None
        if file is None:
            continue
        report = downloads.read_json(file.path, published.release.fingerprint)
        if not isinstance(report, dict):
            continue
        key = json.dumps([report.get("parameters"), report.get("rules")], sort_keys=True)
        groups.setdefault(key, ([], report))[0].append(package_title(descriptor, name))
    return list(groups.values())


def withdrawn_since(published: Published) -> dict[str, str]:
    """Version → the day it was withdrawn, for every release withdrawn so far."""
    return {e.version: e.withdrawn_on for e in history.read(published.packages_dir)
            if e.withdrawn}


def report_links(published: Published) -> html.Ul:
    """Download links to every package's disclosure-risk report, Markdown and JSON."""
    items = []
    for name, descriptor in published.release.packages.items():
        title = package_title(descriptor, name)
        paths = descriptor.get("x-disclosureRiskReport") or {}
        for key, label in (("markdown", "Markdown"), ("json", "JSON")):
            path = paths.get(key)
            file = published.package_file(name, path) if isinstance(path, str) else None
            if file is not None:
                items.append(html.Li(html.A(
                    _("Disclosure-risk report of %(package)s (%(format)s, %(size)s)",
                      package=title, format=label, size=format_size(file.size)),
                    href=file.url)))
    return html.Ul(items)


def release_reports(published: Published) -> list[Component]:
    """The parameters and checks of the release, read from its disclosure-risk reports."""
    release = published.release
    children: list[Component] = []
    groups = risk_reports(published)
    withdrawn = withdrawn_since(published)
    for packages, report in groups:
        params = report.get("parameters") or {}
        if len(groups) == 1:
            parameters = _("Parameters of release %(version)s", version=release.version)
            checks = _("Checks passed by release %(version)s", version=release.version)
        else:
            covered = ", ".join(packages)
            parameters = _("Parameters of release %(version)s for %(packages)s",
                           version=release.version, packages=covered)
            checks = _("Checks passed by release %(version)s for %(packages)s",
                       version=release.version, packages=covered)
        children += [
            anonymisation_rules(params),
            *across_releases(report, release.version, withdrawn),
            *directory_knowledge(report, release.version),
            html.H4(parameters, className="h6 mt-3"),
            parameters_table(params, _("Disclosure-control parameters, as published in the "
                                       "release's disclosure-risk report")),
            html.H4(checks, className="h6 mt-3"),
            html.P(_("Every check runs when a release is built; a failing check stops the "
                     "build, so nothing is published that fails one.")),
            rules_table(report.get("rules") or [], _("Disclosure-control checks and their "
                                                     "results")),
        ]
    if not groups:
        children.append(anonymisation_rules({}))
    children += [
        html.H4(_("Disclosure-risk reports"), className="h6 mt-3"),
        report_links(published),
    ]
    return children


def anonymisation(published: Published | None) -> html.Section:
    heading = html.H3(_("Anonymisation"), className="h5 mt-3")
    intro = html.P(_(
        "Before anything is published, the survey and programme records are anonymised so "
        "that no business or person can be recognised in the data:"
    ))
    if published is None:
        return html.Section([heading, intro, anonymisation_rules({}), notice(
            "info-circle", _("No data has been published yet, so there are no parameters or "
                             "checks to show. Please check back later."),
            "info", "d-flex align-items-center portal-no-data")])
    demo = [notice("exclamation-triangle", _(
        "Synthetic demo data: this release was generated to show how the portal works. It "
        "describes no real business or person; the rules below were applied to it all the "
        "same."), "warning", "d-flex align-items-center portal-demo-banner")
    ] if published.release.synthetic else []
    return html.Section([heading, *demo, intro, *release_reports(published)])


def layout(**_query: str) -> Component:
    """The programme, then the methodology with the current release's own parameters."""
    return html.Section(
        [
            heading(_("About"), "info-circle"),
            html.P(_("About the programme, its funders and implementing partner, and how its "
                     "data were collected, scored and anonymised."), className="lead"),
            programme(),
            html.Section([
                html.H2(_("Methodology"), className="h3 mt-4"),
                compliance_levels(),
                anonymisation(downloads.current()),
            ]),
        ],
        className="py-4",
    )
