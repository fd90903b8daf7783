"""Building blocks of the data pages (catalogue, package, table): texts in the visitor's
language, links between the pages, download buttons, licence and citation.

Everything is read from :mod:`portal.catalog.model`, the model the APIs and the DCAT-AP
catalogue share, so a page never states a size, a row count or an address that the
machine-readable answers contradict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import dash
from dash import dcc, html
from dash.development.base_component import Component

from portal.catalog.model import THEMES, Download, Package, Resource
from portal.components.page import heading
from portal.downloads import format_size
from portal.i18n import N_, _, format_number, get_locale
from portal.labels import localised_text
from portal.layout import icon
from portal.site import absolute

#: Where the catalogue lives; package and table pages hang below it.
DATA_PATH = "/data"
#: Names of file formats, through the catalogues like every visible word (they read the
#: same in every language, but a translator may still need to change one).
FORMAT_NAMES = {"CSV": N_("CSV"), "JSON": N_("JSON"), "XLSX": N_("XLSX"), "ZIP": N_("ZIP"),
                "Markdown": N_("Markdown"), "XML": N_("XML")}


# --- texts ------------------------------------------------------------------------------------


def in_language(texts: Mapping[str, str] | None, fallback: str = "") -> tuple[str, str]:
    """A published text in the visitor's language (:func:`portal.labels.localised_text`) and
    the language it really is in: descriptions are often English only, and the page marks
    them ``lang="en"`` for screen readers."""
    locale = get_locale()
    texts = texts or {}
    own = bool(texts.get(locale)) or (locale == "sr-Cyrl" and bool(texts.get("sr-Latn")))
    return localised_text(texts, fallback, locale), locale if own else "en"


def title_of(descriptor: Mapping[str, Any]) -> str:
    """The title of a package, table or column in the visitor's language (else its name)."""
    fallback = descriptor.get("title") or descriptor.get("name", "")
    return in_language(descriptor.get("x-title"), fallback)[0]


def described(descriptor: Mapping[str, Any], class_name: str = "") -> html.P | None:
    """A descriptor's description as a paragraph in its own language, or None."""
    text, lang = in_language(descriptor.get("x-description"), descriptor.get("description", ""))
    if not text:
        return None
    return html.P(text, lang=lang, className=class_name or None)


def theme_name(theme: str) -> str:
    return _(THEMES[theme][0]) if theme in THEMES else theme


def format_name(label: str) -> str:
    return _(FORMAT_NAMES[label]) if label in FORMAT_NAMES else label


def rows_text(rows: int) -> str:
    return _("1 row") if rows == 1 else _("%(n)s rows", n=format_number(rows))


# --- addresses --------------------------------------------------------------------------------


def page_path(package: str, resource: str | None = None) -> str:
    """Address of a package's page, or of one of its tables."""
    parts = [package] + ([resource] if resource else [])
    return dash.get_relative_path(DATA_PATH + "".join(f"/{quote(p)}" for p in parts))


def catalogue_path(**params: str) -> str:
    """The catalogue, searching for ``params`` (e.g. ``theme="growth"``)."""
    query = urlencode(params)
    return dash.get_relative_path(DATA_PATH) + (f"?{query}" if query else "")


def api_links(package: str, resource: str) -> list[tuple[str, str]]:
    """(what, address) of the table in the machine-readable APIs."""
    ckan = dash.get_relative_path("/api/3/action/datastore_search") + "?" + urlencode(
        {"resource_id": resource})
    rest = dash.get_relative_path(f"/api/v1/{quote(package)}/{quote(resource)}.json")
    return [(_("CKAN-compatible API (datastore_search)"), ckan), (_("REST API (JSON)"), rest)]


# --- downloads --------------------------------------------------------------------------------


def download_text(download: Download, rows: int | None = None) -> str:
    """What a download button says: the file, its size and, for a table, its rows."""
    size = format_size(download.size)
    name = format_name(download.format)
    if download.kind == "archive":
        return _("Whole package (%(format)s) · %(size)s", format=name, size=size)
    if download.kind == "descriptor":
        return _("datapackage.json · %(size)s", size=size)
    if download.kind == "disclosure":
        return _("Disclosure-risk report (%(format)s) · %(size)s", format=name, size=size)
    if download.kind == "attachment":
        return _("%(file)s · %(size)s", file=download.file.path.name, size=size)
    if rows is None:
        return _("%(format)s · %(size)s", format=name, size=size)
    return _("%(format)s · %(size)s · %(rows)s", format=name, size=size, rows=rows_text(rows))


def download_button(download: Download, context: str, rows: int | None = None,
                    primary: bool = False) -> html.A:
    """A link to a published file styled as a button. ``context`` (the table or package) is
    read out by screen readers but not shown, so the link makes sense on its own too."""
    return html.A(
        [icon("download", "me-1"),
         html.Span(_("%(context)s: ", context=context), className="visually-hidden"),
         download_text(download, rows)],
        href=download.url,
        className="btn btn-sm " + ("btn-primary" if primary else "btn-outline-primary"),
    )


def button_row(buttons: Sequence[Component]) -> html.Div:
    return html.Div(list(buttons), className="d-flex flex-wrap gap-2 my-2 portal-downloads")


# --- licence and citation ---------------------------------------------------------------------


def licences(descriptor: Mapping[str, Any]) -> list[Component]:
    """The package's licences, each linked to its text."""
    links: list[Component] = []
    for licence in descriptor.get("licenses") or []:
        text = licence.get("title") or licence.get("name", "")
        href = licence.get("path")
        links.append(html.A(text, href=href, rel="license") if href else text)
    return [item for i, link in enumerate(links) for item in ((", ",) if i else ()) + (link,)]


def licence_short(descriptor: Mapping[str, Any]) -> str:
    """Licences by their short names, as citations give them ("CC BY 4.0")."""
    names = []
    for licence in descriptor.get("licenses") or []:
        name = licence.get("name") or licence.get("title") or ""
        # SPDX spells Creative Commons licences with hyphens ("CC-BY-4.0").
        names.append(name.replace("-", " ") if name.startswith("CC-") else name)
    return ", ".join(n for n in names if n)


def authors(descriptor: Mapping[str, Any]) -> str:
    """Who made the data: its creators, else its publishers, else its title."""
    contributors = descriptor.get("contributors") or []
    for role in ("creator", "publisher"):
        names = [c.get("title", "") for c in contributors if role in (c.get("roles") or [])]
        if any(names):
            return ", ".join(n for n in names if n)
    return title_of(descriptor)


def citation_text(package: Package, resource: Resource | None = None) -> str:
    """How to cite the package (or one of its tables) in this version."""
    descriptor = package.descriptor
    params = {"authors": authors(descriptor), "year": package.created[:4],
              "title": title_of(descriptor), "version": package.version,
              "licence": licence_short(descriptor)}
    if resource is None:
        return _("%(authors)s (%(year)s). %(title)s, version %(version)s [data set]. "
                 "%(url)s. Licence: %(licence)s.",
                 url=absolute(page_path(package.name)), **params)
    return _("%(authors)s (%(year)s). %(title)s, version %(version)s [data set], table "
             "“%(table)s”. %(url)s. Licence: %(licence)s.",
             table=title_of(resource.descriptor),
             url=absolute(page_path(package.name, resource.name)), **params)


def citation(package: Package, resource: Resource | None = None) -> html.Section:
    return html.Section([
        html.H2(_("How to cite"), className="h4 mt-4"),
        html.P(_("Cite the version you used: releases never change, so anyone can get the "
                 "same data again.")),
        html.Blockquote(html.P(citation_text(package, resource), className="mb-0"),
                        className="portal-citation"),
    ])


# --- page frame -------------------------------------------------------------------------------


def breadcrumb(items: Sequence[tuple[str, str | None]]) -> html.Nav:
    """Where the page sits: (text, address) from the catalogue down; the last is this page."""
    crumbs = []
    for index, (text, href) in enumerate(items):
        last = index == len(items) - 1
        crumbs.append(html.Li(
            text if last or href is None else dcc.Link(text, href=href),
            className="breadcrumb-item" + (" active" if last else ""),
            **({"aria-current": "page"} if last else {})))
    return html.Nav(html.Ol(crumbs, className="breadcrumb mb-2"),
                    **{"aria-label": _("Breadcrumb")})


def facts(items: Sequence[tuple[str, Component | str | list[Any] | None]]) -> html.Dl:
    """Metadata as a description list; items without a value are left out."""
    children: list[Component] = []
    for term, value in items:
        if value is None or (isinstance(value, str | list) and not value):
            continue
        children += [html.Dt(term, className="col-sm-3"), html.Dd(value, className="col-sm-9")]
    return html.Dl(children, className="row mb-3 portal-metadata")


def not_found(message: str) -> html.Section:
    """Content for an address that names no published package or table.

    Dash pages answer every path with the same HTML page (status 200) and draw the content
    in the browser, so this says plainly that nothing is here and leads back to the
    catalogue.
    """
    return html.Section([
        heading(_("Data not found"), "question-circle"),
        html.P(message, className="lead"),
        html.P(_("It may belong to an older release, or the address may be wrong.")),
        dcc.Link([icon("arrow-left"), _("Back to the data catalogue")],
                 href=dash.get_relative_path(DATA_PATH), className="btn btn-primary"),
    ], className="py-4 portal-not-found")
