"""The data catalogue: search the tables of the current release by words and facets, and
find each package's page, with its downloads and history.

The search lives in the URL (``/data?q=turnover&theme=growth``), so a search can be shared
and the back button returns to it; see :mod:`portal.components.catalogue`.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from etl import boundaries
from portal import downloads
from portal.catalog import model, search
from portal.catalog.model import Catalogue, Package
from portal.components import catalogue as finder
from portal.components.datasets import (
    button_row,
    described,
    download_button,
    page_path,
    theme_name,
    title_of,
)
from portal.components.page import bind_callbacks, heading, notice
from portal.downloads import Published, PublishedFile, format_size
from portal.i18n import N_, _, format_date, format_number
from portal.layout import icon, page_title

dash.register_page(
    __name__,
    path="/data",
    name=N_("Data"),
    order=8,
    title=page_title(N_("Data")),
)


bind_callbacks(finder.register_callbacks)


def file_link(file: PublishedFile, text: str, context: str) -> html.A:
    """A link to a top-level file whose text says what it is; ``context`` is read out by
    screen readers but not shown."""
    return html.A([html.Span(_("%(context)s: ", context=context), className="visually-hidden"),
                   text], href=file.url)


def release_summary(published: Published) -> html.P:
    release = published.release
    if release.created:
        text = _("Release %(version)s, published on %(date)s.", version=release.version,
                 date=format_date(release.created))
    else:
        text = _("Release %(version)s.", version=release.version)
    return html.P([icon("tag"), text], className="mb-2 portal-release")


def release_history(published: Published) -> Component | None:
    """Links to the list of every release and to the changelog."""
    items = []
    releases = published.top_level_file("releases.json")
    if releases is not None:
        items.append(html.Li(file_link(
            releases, _("Every published release (JSON, %(size)s)",
                        size=format_size(releases.size)), _("Release history"))))
    changelog = published.top_level_file("CHANGELOG.md")
    if changelog is not None:
        items.append(html.Li(file_link(
            changelog, _("Changelog (Markdown, %(size)s)", size=format_size(changelog.size)),
            _("Release history"))))
    if not items:
        return None
    return html.Section([
        html.H2(_("Release history"), className="h3"),
        html.P(_("Every release stays downloadable unless it was withdrawn; each package's page "
                 "lists its versions, a withdrawn one with the day and the reason.")),
        html.Ul(items),
    ], className="mt-4")


def package_card(package: Package) -> dbc.Col:
    """A package: what it holds, its page, and the whole package in one download."""
    title = title_of(package.descriptor)
    archive = package.download("archive")
    tables = sum(r.tabular for r in package.resources)
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.H3(dcc.Link([icon("box-seam", "me-2"), title], href=page_path(package.name)),
                className="h5"),
        described(package.descriptor, "small"),
        html.P(_("%(tables)s tables · version %(version)s · %(themes)s",
                 tables=format_number(tables), version=package.version,
                 themes=", ".join(theme_name(t) for t in package.themes)),
               className="small text-body-secondary"),
        button_row([download_button(archive, title, primary=True)] if archive else []),
    ]), className="h-100 shadow-sm"), md=6, className="mb-3")


def packages(catalogue: Catalogue) -> html.Section:
    return html.Section([
        html.H2(_("Data packages"), className="h3"),
        html.P(_("Each package is a Frictionless data package: its tables with their schemas, "
                 "documentation and licence, also available through the API.")),
        dbc.Row([package_card(p) for p in catalogue.packages]),
    ], className="mt-4")


def credits() -> html.Section:
    """Whose work the portal draws on beyond the programme's: the maps' boundaries."""
    return html.Section([
        html.H2(_("Credits"), id="portal-credits", className="h4 mt-4"),
        html.P([
            _("Municipal boundaries on the maps: %(attribution)s (geoBoundaries gbOpen, Kosovo "
              "ADM2, released under %(licence)s).", attribution=boundaries.ATTRIBUTION,
              licence=boundaries.LICENCE), " ",
            html.A(_("Source file"), href=boundaries.SOURCE_URL),
        ], className="portal-credits"),
    ], **{"aria-labelledby": "portal-credits"})


def layout(**params: Any) -> Component:
    """The catalogue for the search in the URL, or why there is nothing to search."""
    title = heading(_("Data"), "download")
    intro = html.P(_("Find, preview and download the open data: every table with its data "
                     "dictionary, in CSV, JSON and Excel, ready for spreadsheets and "
                     "analysis tools."), className="lead")
    published = downloads.current()
    catalogue = model.current() if published is not None else None
    if published is None or catalogue is None:
        return html.Section([title, intro, notice(
            "info-circle", _("No data has been published yet. Please check back later."),
            "info", "d-flex align-items-center portal-no-data")], className="py-4")
    query = search.parse(params, catalogue)
    children = [
        title,
        intro,
        release_summary(published),
        notice("exclamation-triangle", _(
            "Synthetic demo data: this release was generated to show how the portal works. "
            "It describes no real business or person."),
            "warning", "d-flex align-items-center portal-demo-banner")
        if published.release.synthetic else None,
        finder.finder(catalogue, query),
        packages(catalogue),
        release_history(published),
        credits(),
    ]
    return html.Section([child for child in children if child is not None], className="py-4")
