"""A document's page: the HTML around its content, and the PDF made from it.

One HTML serves both editions: the portal sends it as the HTML edition (its stylesheet
inline, its figures as data URIs: one self-contained file that prints well), and WeasyPrint
lays it out as the PDF (A4, running footer with the release's version, date and
fingerprint, contents with page numbers, PDF/UA tags, fonts embedded, language and title in
the metadata). WeasyPrint was chosen over a browser's print-to-PDF because it makes tagged
PDFs and gives the same bytes for the same input (the document identifier and dates are
given, not drawn from the clock); it fetches nothing here but ``data:`` URIs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import escape

from portal.i18n import LOCALES

STYLESHEET = Path(__file__).with_name("document.css")
KINDS = ("report", "handbook")
FORMATS = ("pdf", "html")
PREFIX = "nkpm-"
MIMETYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


class DocumentError(RuntimeError):
    """A document that cannot be made: one line saying which and why."""


@dataclass(frozen=True)
class Document:
    """One document of a release: the report, the complete handbook, or the handbook of one
    broad sector (``sector`` is its code)."""

    kind: str
    sector: str = ""

    @property
    def slug(self) -> str:
        return f"{self.kind}-{self.sector}" if self.sector else self.kind

    def filename(self, version: str, locale: str, extension: str) -> str:
        return f"{PREFIX}{self.slug}-{version}-{locale}.{extension}"


def parse(filename: str, version: str) -> tuple[Document, str, str] | None:
    """(document, locale, extension) named by ``filename`` for ``version``, else None."""
    stem, dot, extension = filename.rpartition(".")
    if not dot or extension not in FORMATS or not stem.startswith(PREFIX):
        return None
    for locale in LOCALES:
        suffix = f"-{version}-{locale}"
        if stem.endswith(suffix):
            kind, _dash, sector = stem[len(PREFIX):-len(suffix)].partition("-")
            if kind in KINDS and not (sector and kind != "handbook"):
                return Document(kind, sector), locale, extension
    return None


@dataclass(frozen=True)
class Stamp:
    """What every page says about the release it was made from."""

    released: str  # ISO date, from the release: the document's dates too
    fingerprint: str
    line: str  # "Release 1.1.0 · 6 December 2026 · fingerprint 1a2b…", in the language


@cache
def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    return '"' + "".join(ch if ch.isalnum() or ch in " .,:·-–()/" else f"\\{ord(ch):x} "
                         for ch in text) + '"'


def page(title: str, locale: str, stamp: Stamp, body: str, page_label: str) -> str:
    """The whole HTML document around ``body`` (already escaped HTML)."""
    footer = (f"@page {{ @bottom-left {{ content: {_css_string(stamp.line)}; }}"
              f" @bottom-right {{ content: {_css_string(page_label + ' ')} counter(page)"
              f" \" / \" counter(pages); }} }}")
    created = f"{stamp.released}T00:00:00Z" if stamp.released else ""
    dates = (f'<meta name="dcterms.created" content="{escape(created)}">'
             f'<meta name="dcterms.modified" content="{escape(created)}">') if created else ""
    return (
        f'<!DOCTYPE html><html lang="{escape(locale)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<meta name="author" content="NGO AKTIV">'
        f'<meta name="generator" content="North of Kosovo Product Map portal">'
        f"{dates}<style>{_stylesheet()}\n{footer}</style></head>"
        f"<body>{body}</body></html>")


def pdf(html: str, identity: str) -> bytes:
    """The PDF of ``html``; ``identity`` (document, release, language) fixes its identifier."""
    from weasyprint import HTML  # imported here: a heavy module only documents need
    from weasyprint.urls import URLFetcher

    identifier = hashlib.sha256(identity.encode()).hexdigest()[:32].encode()
    # data: URIs only, and a failed one fails the document: nothing is ever fetched.
    fetcher = URLFetcher(allowed_protocols=("data",), fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        pdf_identifier=identifier, pdf_variant="pdf/ua-1")

