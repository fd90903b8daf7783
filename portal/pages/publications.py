"""Publications: the report and the handbooks of every published release, in every language.

Each document is a PDF to print, file or forward, and an HTML edition to read on screen; both
are made from the release the first time someone asks (:mod:`portal.publications`), so a
size is shown once a document has been made.
"""

from __future__ import annotations

from pathlib import Path

import dash
import flask
from dash import html
from dash.development.base_component import Component

from portal.components.page import column_headers, heading, no_data
from portal.components.static import static
from portal.downloads import format_size
from portal.i18n import LOCALES, N_, NATIVE_NAMES, _, format_date
from portal.layout import icon, page_title
from portal.publications import library, release
from portal.publications.document import Document
from portal.publications.views import url

dash.register_page(
    __name__,
    path="/publications",
    name=N_("Publications"),
    order=8.5,
    title=page_title(N_("Publications")),
)


def _link(server: flask.Flask, version: release.Version, doc: Document, locale: str,
          extension: str, name: str) -> html.A:
    filename = doc.filename(version.version, locale, extension)
    kept = library.kept(server, version, filename)
    size = format_size(kept.stat().st_size) if kept.is_file() else _("made when first opened")
    kind = "PDF" if extension == "pdf" else "HTML"
    return html.A(
        [icon("file-earmark-pdf" if extension == "pdf" else "filetype-html", "me-1"),
         _("%(format)s (%(size)s)", format=kind, size=size)],
        href=url(version.version, filename), hrefLang=locale, className="d-block",
        **{"aria-label": _("%(document)s, %(language)s, %(format)s (%(size)s)", document=name,
                           language=NATIVE_NAMES[locale], format=kind, size=size)})


def release_table(server: flask.Flask, version: release.Version, current: bool) -> Component:
    docs = library.documents(version.root)
    rows = []
    for doc in docs:
        name = library.title(doc, version.root)
        rows.append(html.Tr([html.Th(name, scope="row")] + [
            html.Td([_link(server, version, doc, locale, ext, name) for ext in ("pdf", "html")])
            for locale in LOCALES]))
    caption = (_("Release %(version)s, published %(date)s", version=version.version,
                 date=format_date(version.released)) if version.released
               else _("Release %(version)s", version=version.version))
    if current:
        caption = _("%(release)s (the release the dashboard shows)", release=caption)
    table = html.Table([
        html.Caption(caption, className="caption-top h5 text-body"),
        column_headers([_("Document")] + [NATIVE_NAMES[loc] for loc in LOCALES]),
        html.Tbody(rows),
    ], className="table table-sm align-middle portal-publications")
    return html.Div(static(table), className="table-responsive bg-white border rounded p-2 mb-4")


def layout(**_query: str) -> Component:
    server = flask.current_app
    header = [heading(_("Publications"), "journal-text"), html.P(_(
        "The Product Map report and the market-access handbook of every release, in English, "
        "Albanian and Serbian (Latin and Cyrillic): a PDF to print or forward, and an HTML "
        "edition to read on screen. The handbook comes complete and for each broad sector."),
        className="lead")]
    versions = release.published(Path(server.config["PACKAGES_DIR"]))
    if not versions:
        return html.Section([*header, no_data()], className="py-4")
    return html.Section([
        *header,
        html.P(_("A document is made from its release the first time it is opened, which "
                 "takes a few seconds; its size is shown here from then on. The same release "
                 "always gives the same document."), className="small text-body-secondary"),
        *[release_table(server, v, i == 0) for i, v in enumerate(versions)],
    ], className="py-4")
