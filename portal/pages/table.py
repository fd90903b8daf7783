"""A table's page (``/data/<package>/<resource>``): what it holds, its downloads (each
naming its size and rows), a paged preview, the data dictionary from its schema, how its
cells were protected, how to cite it, and where the APIs serve it.

Not in the navbar: tables are reached from the catalogue and their package's page. An
unknown package or table gets a "not found" content (the HTTP status stays 200, as for
every Dash page: the page is drawn in the browser).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import dash
from dash import dcc, html
from dash.development.base_component import Component

from portal.catalog import model
from portal.catalog.model import Catalogue, Package, Resource
from portal.components import preview
from portal.components.datasets import (
    DATA_PATH,
    api_links,
    breadcrumb,
    button_row,
    catalogue_path,
    citation,
    described,
    download_button,
    facts,
    licences,
    not_found,
    page_path,
    theme_name,
    title_of,
)
from portal.components.dictionary import dictionary
from portal.components.disclosure import (
    facts_table,
    history_section,
    table_facts,
    withdrawn_versions,
)
from portal.components.page import bind_callbacks, heading, no_data, release_line
from portal.i18n import N_, _, format_date, format_number
from portal.layout import icon
from portal.site import absolute

NAME = N_("Data table")


def _find(catalogue: Catalogue | None, package: str, resource: str
          ) -> tuple[Package, Resource] | None:
    found = catalogue.package(unquote(package)) if catalogue is not None and package else None
    table = found.resource(unquote(resource)) if found is not None and resource else None
    return (found, table) if found is not None and table is not None else None


def title(package: str = "", resource: str = "", **_params: Any) -> str:
    """The tab title: the table's own title when it is known."""
    found = _find(model.current(), package, resource)
    page = title_of(found[1].descriptor) if found else _(NAME)
    return _("%(page)s | %(site)s", page=page, site=_("North of Kosovo Product Map"))


dash.register_page(__name__, path_template="/data/<package>/<resource>", name=NAME,
                   title=title, order=20, nav=False)


bind_callbacks(preview.register_callbacks)


def metadata(package: Package, resource: Resource) -> html.Dl:
    fields = resource.fields
    return facts([
        (_("Package"), dcc.Link(title_of(package.descriptor), href=page_path(package.name))),
        (_("Theme"), dcc.Link(theme_name(resource.theme),
                              href=catalogue_path(theme=resource.theme))),
        (_("Rows"), format_number(resource.rows) if resource.rows is not None else ""),
        (_("Columns"), format_number(len(fields)) if fields else ""),
        (_("Version"), package.version),
        (_("Last updated"), _("%(date)s (release %(version)s)", date=format_date(package.created),
                              version=package.version) if package.created else ""),
        (_("Licence"), licences(package.descriptor)),
        (_("Name"), html.Code(resource.name)),
    ])


def table_downloads(resource: Resource, title: str) -> html.Section:
    return html.Section([
        html.H2(_("Downloads"), className="h4 mt-4"),
        button_row([download_button(d, title, resource.rows, primary=d.format == "CSV")
                    for d in resource.downloads]),
        html.P(_("Every format holds the same rows; suppressed values are marked %(marker)s.",
                 marker="[c]"), className="small text-body-secondary"),
    ])


def protection(catalogue: Catalogue, package: Package, resource: Resource, title: str
               ) -> html.Section | None:
    """How disclosure control applied to this table (from the package's report), and the
    release's audit against the earlier ones."""
    report = package.disclosure
    rows = table_facts(report, resource.name) if isinstance(report, dict) else []
    if not rows or not isinstance(report, dict):
        return None
    return html.Section([
        html.H2(_("Disclosure control"), className="h4 mt-4"),
        facts_table(rows, _("Disclosure control of %(table)s", table=title)),
        *history_section(report, _("Earlier releases that this version of %(package)s was "
                                   "checked against",
                                   package=title_of(package.descriptor)),
                         withdrawn_versions(catalogue)),
        html.P(dcc.Link(_("All the checks the package passed"), href=page_path(package.name))),
    ])


def api(package: Package, resource: Resource) -> html.Section:
    items = [html.Li([html.A(what, href=url), html.Br(), html.Code(absolute(url))])
             for what, url in api_links(package.name, resource.name)]
    return html.Section([
        html.H2(_("API"), className="h4 mt-4"),
        html.P(_("Query this table by program: filter, search, sort and page through its "
                 "rows.")),
        html.Ul(items),
    ])


def layout(package: str = "", resource: str = "", **params: Any) -> Component:
    """The table named in the address, or "not found"."""
    catalogue = model.current()
    if catalogue is None:
        return html.Section([heading(_(NAME), "table"), no_data()], className="py-4")
    found = _find(catalogue, package, resource)
    if found is None:
        return not_found(_("There is no table called “%(name)s” in the current release.",
                           name=unquote("/".join(p for p in (package, resource) if p))))
    pkg, table = found
    title = title_of(table.descriptor)
    loaded = table.tabular and table.rows is not None
    parts = [
        breadcrumb([(_("Data"), dash.get_relative_path(DATA_PATH)),
                    (title_of(pkg.descriptor), page_path(pkg.name)), (title, None)]),
        heading(title, "table"),
        described(table.descriptor, "lead"),
        release_line(catalogue.release),
        metadata(pkg, table),
        table_downloads(table, title),
        preview.preview(catalogue.release, pkg.name, table.descriptor, title,
                        preview.requested_page(params.get(preview.PAGE_PARAM, 1)))
        if loaded else None,
        dictionary(table.descriptor, title) if table.tabular else None,
        protection(catalogue, pkg, table, title),
        citation(pkg, table),
        api(pkg, table),
        html.P(dcc.Link([icon("arrow-left"), _("Back to the data catalogue")],
                        href=dash.get_relative_path(DATA_PATH)), className="mt-4"),
    ]
    return html.Section([part for part in parts if part is not None], className="py-4")
