"""What the directory pages show of a listing: its labels, its card, its facts, its terms.

Only fields of :class:`portal.load.directory.Listing` are ever shown; a field the business did
not choose to show is None there, and is left out here (the municipality becomes "north of
Kosovo"). Descriptions and names are text children, never markup: React escapes them.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from etl import refdata
from etl.anonymise.hierarchies import broad_sector_labels_all
from portal.components.page import comma_separated
from portal.i18n import _, get_locale
from portal.labels import localised_text
from portal.layout import icon
from portal.load.directory import Listing

#: The language of a listing's description for each interface language.
DESCRIPTION_LANGUAGE = {"en": "en", "sq": "sq", "sr-Latn": "sr", "sr-Cyrl": "sr"}


def path(listing_id: str = "") -> str:
    return dash.get_relative_path(f"/directory/{listing_id}" if listing_id else "/directory")


def _label(labels: dict[str, dict[str, str]], code: str) -> str:
    return localised_text(labels.get(code), code)


def sector_label(code: str) -> str:
    return _label(broad_sector_labels_all(), code)


def municipality_label(code: str | None) -> str:
    if code is None:
        return _("North of Kosovo")
    found = refdata.municipalities_by_code().get(code)
    if found is None:
        return code
    return localised_text({"en": found.name_en, "sq": found.name_sq,
                           "sr-Latn": found.name_sr_latn}, code)


def chapter_label(code: str) -> str:
    found = refdata.hs_chapters().get(code)
    if found is None:
        return code
    text = localised_text({"en": found.label_en, "sq": found.label_sq,
                           "sr-Latn": found.label_sr_latn}, code)
    return _("HS %(chapter)s: %(label)s", chapter=code, label=text)


def certification_label(code: str) -> str:
    return _label(refdata.codelist("directory_certification"), code)


def language_label(code: str) -> str:
    return _label(refdata.codelist("directory_language"), code)


LABELS = {"sector": sector_label, "municipality": municipality_label,
          "chapter": chapter_label, "certification": certification_label,
          "language": language_label}


def description(listing: Listing) -> tuple[str, str] | None:
    """(language, text) of the description to show: the visitor's language, else English,
    else whichever the business wrote."""
    wanted = DESCRIPTION_LANGUAGE.get(get_locale(), "en")
    for language in (wanted, "en", "sq", "sr"):
        if listing.description.get(language):
            return language, listing.description[language]
    return None


def card(listing: Listing) -> dbc.Card:
    """A search result: name, sector, place, products, certifications, languages."""
    lines: list[Component] = [
        html.P([html.Span([icon("building"), sector_label(listing.sector)], className="me-3"),
                html.Span([icon("geo-alt-fill"), municipality_label(listing.municipality)])],
               className="small text-body-secondary mb-2"),
    ]
    if listing.products:
        names = [p.name for p in listing.products]
        lines.append(html.P([icon("box-seam"), *comma_separated(names)], className="mb-1"))
    if listing.certifications:
        lines.append(html.P([icon("patch-check"), *comma_separated(
            [certification_label(c) for c in listing.certifications])], className="mb-1"))
    if listing.languages:
        lines.append(html.P([icon("translate"), *comma_separated(
            [language_label(c) for c in listing.languages])], className="mb-0 small"))
    return dbc.Card(dbc.CardBody([
        html.H2(dcc.Link(listing.name, href=path(listing.id)), className="h5 card-title"),
        *lines,
    ]), className="h-100 portal-listing")


def facts(listing: Listing) -> html.Dl:
    """Everything the business chose to show, as a description list (nothing else)."""
    items: list[tuple[str, Component | str | list]] = [
        (_("Sector"), sector_label(listing.sector)),
        (_("Municipality"), municipality_label(listing.municipality)),
    ]
    if listing.products is not None:
        items.append((_("Products"), html.Ul([
            html.Li([p.name, *([html.Span(f" ({chapter_label(p.hs_chapter)})",
                                          className="text-body-secondary small")]
                               if p.hs_chapter else [])])
            for p in listing.products], className="list-unstyled mb-0")
            if listing.products else _("None listed")))
    if listing.certifications is not None:
        items.append((_("Certifications and registrations"), html.Ul(
            [html.Li(certification_label(c)) for c in listing.certifications],
            className="list-unstyled mb-0") if listing.certifications else _("None listed")))
    if listing.languages:
        items.append((_("Languages"),
                      comma_separated([language_label(c) for c in listing.languages])))
    if listing.contact_person:
        items.append((_("Contact person"), listing.contact_person))
    if listing.phone:
        items.append((_("Phone"), html.A(listing.phone, href="tel:" + "".join(
            c for c in listing.phone if c.isdigit() or c == "+"))))
    if listing.email:
        items.append((_("E-mail"), html.A(listing.email, href=f"mailto:{listing.email}")))
    if listing.website:
        url = listing.website if "://" in listing.website else f"https://{listing.website}"
        items.append((_("Website"), html.A(listing.website, href=url,
                                           rel="nofollow noopener noreferrer")))
    children: list[Component] = []
    for term, value in items:
        children += [html.Dt(term, className="col-sm-4"), html.Dd(value, className="col-sm-8")]
    return html.Dl(children, className="row mb-3 portal-metadata portal-listing-facts")


def terms() -> dbc.Alert:
    """The directory's own terms: it is published by consent, not as open data."""
    return dbc.Alert([
        html.P([icon("info-circle"), html.Strong(_("Not open data."))], className="mb-1"),
        html.P(_("Each business below asked to be listed and signed the programme's consent "
                 "form; a listing is removed at the next release after the business withdraws "
                 "its consent. Use these details only to contact a business about trade. Do "
                 "not copy the directory in bulk or use it for marketing. It is not part of "
                 "the CC BY 4.0 data packages, and no download or API serves it."),
               className="mb-0 small"),
    ], color="secondary", className="portal-directory-terms")
