"""A data package's page (``/data/<package>``): what it holds, its licence, coverage and
version, how to cite it, how it was protected (against earlier releases too), its downloads,
its tables and every release of it: each still downloadable, or withdrawn (a tombstone with
the day and the reason, and no download).

Not in the navbar: packages are reached from the catalogue. An unknown name gets a "not
found" content (the HTTP status stays 200, as for every Dash page: the page is drawn in
the browser).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from portal import downloads
from portal.catalog import model, search
from portal.catalog.model import Catalogue, Download, Package, Version
from portal.components.datasets import (
    DATA_PATH,
    authors,
    breadcrumb,
    button_row,
    catalogue_path,
    citation,
    described,
    download_button,
    facts,
    format_name,
    in_language,
    licences,
    not_found,
    page_path,
    theme_name,
    title_of,
)
from portal.components.disclosure import (
    facts_table,
    history_section,
    package_facts,
    rules_table,
    withdrawn_versions,
)
from portal.components.page import (
    column_headers,
    comma_separated,
    heading,
    no_data,
    release_line,
)
from portal.i18n import N_, _, format_date, format_number
from portal.layout import icon

NAME = N_("Data package")


def title(package: str = "", **_params: Any) -> str:
    """The tab title: the package's own title when it is known."""
    catalogue = model.current()
    found = catalogue.package(unquote(package)) if catalogue and package else None
    page = title_of(found.descriptor) if found else _(NAME)
    return _("%(page)s | %(site)s", page=page, site=_("North of Kosovo Product Map"))


dash.register_page(__name__, path_template="/data/<package>", name=NAME, title=title,
                   order=21, nav=False)


def place_names(catalogue: Catalogue, package: Package) -> dict[str, str]:
    """Each municipality the package covers (``x-spatial``, by its published name) → its
    label in the visitor's language."""
    labels = search.code_texts(catalogue, "municipality")
    places = (package.descriptor.get("x-spatial") or {}).get("municipalities") or []
    return {str(m.get("name", "")): in_language(labels.get(str(m.get("kas_code"))),
                                                str(m.get("name", "")))[0]
            for m in places if m.get("name")}


def period(package: Package) -> str:
    """The period the package covers (``x-temporal``), or ""."""
    temporal = package.descriptor.get("x-temporal") or {}
    if not (temporal.get("start") and temporal.get("end")):
        return ""
    return _("%(start)s to %(end)s", start=format_date(temporal["start"]),
             end=format_date(temporal["end"]))


def theme_links(themes: tuple[str, ...]) -> list[Component | str]:
    """Each theme linking to the catalogue's tables of that theme."""
    return comma_separated([dcc.Link(theme_name(t), href=catalogue_path(theme=t)) for t in themes])


def metadata(catalogue: Catalogue, package: Package) -> html.Dl:
    places = place_names(catalogue, package)
    # Keywords that name a place are shown in the visitor's language, like the place.
    keywords = [places.get(k, k) for k in package.descriptor.get("keywords") or []
                if isinstance(k, str)]
    updated = (_("%(date)s (release %(version)s)", date=format_date(package.created),
                 version=package.version) if package.created else "")
    return facts([
        (_("Published by"), authors(package.descriptor)),
        (_("Licence"), licences(package.descriptor)),
        (_("Version"), package.version),
        (_("Last updated"), updated),
        (_("Municipalities covered"), comma_separated(list(places.values()))),
        (_("Period covered"), period(package)),
        (_("Themes"), theme_links(package.themes)),
        (_("Keywords"), comma_separated(list(keywords))),
        (_("Identifier"), html.Code(package.id)),
    ])


def tables(package: Package, title: str) -> html.Section:
    header = column_headers([_("Table"), _("Theme"), _("Rows"), _("Formats")], numeric=[2])
    rows = [html.Tr([
        html.Th([dcc.Link(title_of(r.descriptor), href=page_path(package.name, r.name)),
                 html.Div(html.Code(r.name), className="small")],
                scope="row", className="fw-normal"),
        html.Td(theme_name(r.theme)),
        html.Td(format_number(r.rows) if r.rows is not None else "", className="text-end"),
        html.Td(", ".join(format_name(f) for f in r.formats)),
    ]) for r in package.resources]
    return html.Section([
        html.H2(_("Tables"), className="h4 mt-4"),
        dbc.Table([html.Caption(_("Tables in %(package)s", package=title),
                                className="caption-top"), header, html.Tbody(rows)],
                  striped=True, hover=True, responsive=True, size="sm",
                  className="align-middle"),
    ])


def package_downloads(package: Package, title: str) -> html.Section:
    return html.Section([
        html.H2(_("Downloads"), className="h4 mt-4"),
        button_row([download_button(d, title, primary=d.kind == "archive")
                    for d in package.downloads]),
    ])


def disclosure(catalogue: Catalogue, package: Package, title: str) -> html.Section | None:
    """How the package's data were protected, from its own disclosure-risk report."""
    report = package.disclosure
    if not isinstance(report, dict):
        return None
    return html.Section([
        html.H2(_("Disclosure control"), className="h4 mt-4"),
        html.P([_("Before publication the data were anonymised, then checked so that no "
                  "business or person can be recognised in them."), " ",
                dcc.Link(_("How the data are anonymised"),
                         href=dash.get_relative_path("/about"))]),
        facts_table(package_facts(report), _("Disclosure-risk summary of %(package)s",
                                             package=title)),
        rules_table(report.get("rules") or [], _("Disclosure-control checks and their "
                                                 "results")),
        *history_section(report, _("Earlier releases that this version of %(package)s was "
                                   "checked against",
                                   package=title), withdrawn_versions(catalogue)),
    ])


def release_row(version: Version, package: Package, title: str) -> html.Tr:
    """A release: its date, what changed and this package's archive in it; a withdrawn one
    with the day and the reason instead, and nothing to download."""
    current = version.version == package.version
    released = (_("released on %(date)s", date=format_date(version.released))
                if version.released else "")
    badges = ([" ", dbc.Badge(_("current"), color="dark")] if current else
              [" ", dbc.Badge(_("withdrawn"), color="secondary")] if version.withdrawn else [])
    heading = html.Th([version.version, *badges, html.Div(released, className="small fw-normal")],
                      scope="row")
    if version.withdrawn:
        withdrawn = (_("Withdrawn on %(date)s.", date=format_date(version.withdrawn_on))
                     if version.withdrawn_on else _("Withdrawn."))
        return html.Tr([heading, html.Td([html.Strong(withdrawn), " ",
                                          html.Span(version.reason, lang="en")]),
                        html.Td(_("Withdrawn: its files are no longer published"))],
                       className="portal-withdrawn")
    archive = version.archives.get(package.name)
    context = _("%(package)s, version %(version)s", package=title, version=version.version)
    return html.Tr([
        heading,
        html.Td(version.summary, lang="en"),
        html.Td(download_button(Download("ZIP", downloads.MIMETYPES[".zip"], archive, "archive"),
                                context)
                if archive is not None else _("No longer available")),
    ])


def changelog(catalogue: Catalogue, package: Package, title: str) -> html.Section:
    """Every release, newest first: the published ones each with its archive, the withdrawn
    ones as tombstones."""
    rows = [release_row(version, package, title) for version in catalogue.history]
    if not rows:
        body: Component = html.P(_("No release history has been published."))
    else:
        header = column_headers([_("Release"), _("Summary (as published, in English)"),
                                 _("Download")])
        body = dbc.Table([html.Caption(_("Releases of %(package)s", package=title),
                                       className="caption-top"), header, html.Tbody(rows)],
                         striped=True, responsive=True, size="sm", className="align-middle")
    return html.Section([html.H2(_("Release history"), className="h4 mt-4"), body],
                        id="releases")


def layout(package: str = "", **_params: Any) -> Component:
    """The package named in the address, or "not found"."""
    catalogue = model.current()
    if catalogue is None:
        return html.Section([heading(_(NAME), "box-seam"), no_data()], className="py-4")
    found = catalogue.package(unquote(package))
    if found is None:
        return not_found(_("There is no data package called “%(name)s” in the current "
                           "release.", name=unquote(package)))
    title = title_of(found.descriptor)
    parts = [
        breadcrumb([(_("Data"), dash.get_relative_path(DATA_PATH)), (title, None)]),
        heading(title, "box-seam"),
        described(found.descriptor, "lead"),
        release_line(catalogue.release),
        metadata(catalogue, found),
        package_downloads(found, title),
        html.P([icon("journal-text"), dcc.Link(
            _("The report and the handbooks made from release %(version)s (PDF, HTML)",
              version=catalogue.release.version),
            href=dash.get_relative_path("/publications"))], className="portal-publications-link"),
        tables(found, title),
        citation(found),
        disclosure(catalogue, found, title),
        changelog(catalogue, found, title),
        html.P(dcc.Link([icon("arrow-left"), _("Back to the data catalogue")],
                        href=dash.get_relative_path(DATA_PATH)), className="mt-4"),
    ]
    return html.Section([part for part in parts if part is not None], className="py-4")
