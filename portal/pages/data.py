"""Open data downloads: every package of the current release, file by file.

Links point at the published files themselves (see :mod:`portal.downloads`), so a
download is byte for byte what the release's descriptor and hashes describe.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal import downloads
from portal.components.page import column_headers, heading, notice
from portal.downloads import Published, PublishedFile, format_size
from portal.i18n import N_, _, format_date, format_number
from portal.labels import localised_text
from portal.layout import icon, page_title

dash.register_page(
    __name__,
    path="/data",
    name=N_("Data"),
    order=8,
    title=page_title(N_("Data")),
)

#: Formats offered beside each resource's CSV, from its ``x-downloads``, in this order.
_EXTRA_FORMATS = (("json", "JSON"), ("xlsx", "XLSX"))


def localised(descriptor: dict[str, Any], key: str) -> str:
    """A descriptor's ``x-<key>`` in the visitor's language, else its plain ``key``."""
    return localised_text(descriptor.get(f"x-{key}"), descriptor.get(key, ""))


def file_link(file: PublishedFile, text: str, context: str, class_name: str = "") -> html.A:
    """A download link whose text names the format and size; ``context`` (the table or
    package it belongs to) is read out by screen readers but not shown, so that the link
    makes sense on its own too."""
    return html.A(
        [html.Span(_("%(context)s: ", context=context), className="visually-hidden"), text],
        href=file.url,
        className=class_name or None,
    )


def _sized(label: str, file: PublishedFile) -> str:
    return _("%(format)s, %(size)s", format=label, size=format_size(file.size))


def release_summary(published: Published) -> html.P:
    release = published.release
    if release.created:
        text = _(
            "Release %(version)s, published on %(date)s.", version=release.version,
            date=format_date(release.created),
        )
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
    return html.Section(
        [html.H2(_("Release history"), className="h4"), html.Ul(items)],
        className="mt-4",
    )


def package_buttons(published: Published, name: str, descriptor: dict[str, Any],
                    title: str) -> html.Div:
    """Whole-package downloads: zip, descriptor, disclosure-risk report, attachments."""
    button = "btn btn-outline-primary btn-sm"
    links: list[Component] = []
    archive = published.folder.file(f"{name}.zip")
    if archive is not None:
        links.append(file_link(
            archive, _("Whole package (ZIP, %(size)s)", size=format_size(archive.size)),
            title, "btn btn-primary btn-sm"))
    meta = published.package_file(name, "datapackage.json")
    if meta is not None:
        links.append(file_link(meta, _sized("datapackage.json", meta), title, button))
    report = (descriptor.get("x-disclosureRiskReport") or {}).get("markdown")
    risk = published.package_file(name, report) if report else None
    if risk is not None:
        links.append(file_link(
            risk, _("Disclosure-risk report (Markdown, %(size)s)", size=format_size(risk.size)),
            title, button))
    for attachment in descriptor.get("x-attachments") or []:
        extra = published.package_file(name, attachment)
        if extra is not None:
            links.append(file_link(extra, _sized(attachment, extra), title, button))
    return html.Div(links, className="d-flex flex-wrap gap-2 my-3")


def resource_links(published: Published, package: str, resource: dict[str, Any]) -> html.Ul:
    """CSV, then JSON and XLSX where published, each naming its size."""
    title = localised_text(resource.get("x-title"), resource.get("title") or resource["name"])
    paths = [("CSV", resource.get("path"))]
    extra = resource.get("x-downloads") or {}
    paths += [(label, extra.get(key)) for key, label in _EXTRA_FORMATS]
    links: list[Component] = []
    for label, path in paths:
        file = published.package_file(package, path) if isinstance(path, str) else None
        if file is not None:
            links.append(file_link(file, _sized(label, file), title, "text-nowrap"))
    return html.Ul([html.Li(link, className="list-inline-item") for link in links],
                   className="list-inline mb-0")


def resource_rows(published: Published, package: str, resource: dict[str, Any]) -> str:
    path = resource.get("path")
    csv = published.package_file(package, path) if isinstance(path, str) else None
    if csv is None or not path.endswith(".csv"):
        return ""
    return format_number(downloads.row_count(csv.path, published.release.fingerprint))


def resources_table(published: Published, package: str, descriptor: dict[str, Any],
                    title: str) -> dbc.Table:
    header = column_headers([_("Table"), _("Rows"), _("Downloads")], numeric=[1])
    rows = [
        html.Tr([
            html.Th(
                [localised_text(resource.get("x-title"), resource.get("title") or resource["name"]),
                 html.Div(html.Code(resource["name"]), className="small")],
                scope="row", className="fw-normal",
            ),
            html.Td(resource_rows(published, package, resource), className="text-end"),
            html.Td(resource_links(published, package, resource)),
        ])
        for resource in descriptor.get("resources", [])
    ]
    return dbc.Table(
        [html.Caption(_("Tables in %(package)s", package=title), className="caption-top"),
         header, html.Tbody(rows)],
        striped=True, hover=True, responsive=True, size="sm", className="align-middle",
    )


def licences(descriptor: dict[str, Any]) -> list[Component]:
    links: list[Component] = []
    for licence in descriptor.get("licenses") or []:
        text = licence.get("title") or licence.get("name", "")
        href = licence.get("path")
        links.append(html.A(text, href=href, rel="license") if href else text)
    if not links:
        return []
    spaced = [item for link in links for item in (" ", link)]
    return [html.P([icon("badge-cc"), _("Licence:"), *spaced])]


def package_section(published: Published, name: str, descriptor: dict[str, Any]) -> dbc.Card:
    title = localised(descriptor, "title") or name
    return dbc.Card(
        dbc.CardBody([
            html.H2([icon("box-seam", "me-2 text-primary"), title], className="h3"),
            html.P(localised(descriptor, "description")),
            *licences(descriptor),
            package_buttons(published, name, descriptor, title),
            html.H3(_("Tables"), className="h5 mt-4"),
            resources_table(published, name, descriptor, title),
        ]),
        className="mb-4",
    )


def layout(**_query: str) -> Component:
    """The current release's packages with their downloads, or why there are none."""
    title = heading(_("Data"), "download")
    intro = html.P(
        _(
            "Download the open data packages with their schemas, documentation and "
            "licence, ready for spreadsheets and analysis tools."
        ),
        className="lead",
    )
    published = downloads.current()
    if published is None:
        return html.Section([title, intro, notice(
            "info-circle", _("No data has been published yet. Please check back later."),
            "info", "d-flex align-items-center portal-no-data")], className="py-4")
    release = published.release
    children = [
        title,
        intro,
        release_summary(published),
        notice("exclamation-triangle", _(
            "Synthetic demo data: this release was generated to show how the portal works. "
            "It describes no real business or person."),
            "warning", "d-flex align-items-center portal-demo-banner")
        if release.synthetic else None,
        *[package_section(published, name, descriptor)
          for name, descriptor in release.packages.items()],
        release_history(published),
        html.P(
            [icon("hourglass-split"),
             _("A full catalogue of the data and an API to query it are coming soon.")],
            className="text-body-secondary mt-4",
        ),
    ]
    return html.Section([child for child in children if child is not None], className="py-4")
