"""Parts every document has: the cover, the contents, a section, a note of what is missing."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from dash import html
from dash.development.base_component import Component

from portal.components.chart import Rendered
from portal.components.static import render
from portal.i18n import _, format_date
from portal.load.database import LoadedRelease
from portal.publications import charts
from portal.site import SITE_TITLE

#: A section of a document: its anchor, heading and content.
Part = tuple[str, str, Sequence[Component]]


def assemble(release: LoadedRelease, title: str, kind: str, parts: Sequence[Part]) -> str:
    """The document's body: cover, contents, then each part as a section (HTML)."""
    return render([
        cover(release, title, kind),
        contents([(anchor, heading) for anchor, heading, _children in parts]),
        *[section(anchor, heading, children) for anchor, heading, children in parts],
    ])


def released(release: LoadedRelease) -> str:
    """The release's day (ISO), which is also the document's date."""
    return release.created[:10]


def stamp_line(release: LoadedRelease) -> str:
    """What every page's footer says: the release, its date, its fingerprint."""
    return _("Release %(version)s · %(date)s · fingerprint %(fingerprint)s",
             version=release.version, date=format_date(released(release)),
             fingerprint=release.fingerprint[:16])


def cover(release: LoadedRelease, title: str, kind: str) -> html.Header:
    warning = [html.P([html.Strong(_("Synthetic demo data.")), " ", _(
        "These figures are generated to show how the portal works; they describe no real "
        "business.")], className="doc-warning")] if release.synthetic else []
    return html.Header([
        html.P(_(SITE_TITLE), className="doc-kicker"),
        html.H1(title),
        html.P(_("Release %(version)s, published %(date)s", version=release.version,
                 date=format_date(released(release))), className="doc-subtitle"),
        *warning,
        html.P(_("The programme is funded by the UK Foreign and Commonwealth Office (FCO) and "
                 "GIZ, and implemented by NGO AKTIV.")),
        html.P([kind, html.Br(), _("Release fingerprint (SHA-256 of its package descriptors):"),
                " ", html.Code(release.fingerprint)], className="doc-stamp"),
    ], className="doc-cover")


def contents(entries: Sequence[tuple[str, str]]) -> html.Nav:
    """The contents: each section linked (page numbers added in the PDF)."""
    return html.Nav([
        html.H2(_("Contents")),
        html.Ol([html.Li(html.A(heading, href=f"#{anchor}")) for anchor, heading in entries]),
    ], className="doc-contents", **{"aria-label": _("Contents")})


def section(anchor: str, heading: str, children: Sequence[Component]) -> html.Section:
    return html.Section([html.H2(heading, id=anchor), *children], className="doc-section")


def figure(chart_id: str, view: Rendered, more: Sequence[Component] = ()) -> html.Figure:
    """A dashboard chart as a vector image: its finding as heading, the summary as its text
    alternative, then the summary, unit and source (and ``more``) as caption."""
    image = base64.b64encode(charts.svg(view.figure, chart_id)).decode("ascii")
    return html.Figure([
        html.H3(view.title, id=f"chart-{chart_id}"),
        html.Img(src=f"data:image/svg+xml;base64,{image}", alt=view.summary),
        html.Figcaption([html.P(view.summary), html.P(view.source), *more]),
    ], className="doc-chart")


def missing(text: str) -> html.P:
    """What a document cannot show for this release, said where it would have been."""
    return html.P(text, className="doc-missing")
