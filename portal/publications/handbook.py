"""The market-access handbook as a document: complete, or for one broad sector.

Per requirement: who it applies to, the authority, the legal basis, the documents asked for,
the steps, and the share of the sector's mapped businesses that meet it (from the published
``requirements`` table, as the Handbook page shows it: a suppressed share is said to be
suppressed); then a checklist to tick on paper, and where to get help.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from dash import html
from dash.development.base_component import Component

from portal import query
from portal.components import chart
from portal.components.cells import localised, vocabulary
from portal.i18n import _
from portal.load.database import LoadedRelease
from portal.publications.parts import assemble, figure, missing

CHART = "handbook-share-meeting"
#: Where every licence and permit of Kosovo is listed (domain facts).
LICENCES = "https://lejelicenca.rks-gov.net"
PROGRAMME_SITE = "https://ngoaktiv.org"


def _page():  # noqa: ANN202 - imported when used: Dash registers it while building an app
    from portal.pages import handbook

    return handbook


def _requirement(row: dict[str, Any], requirements: Mapping[str, str],
                 scopes: Mapping[str, str]) -> html.Article:
    page = _page()
    label = requirements.get(row["requirement"], row["requirement"])
    applies = row.get("applies_to")
    legal = row.get("legal_basis")
    documents = page.items(row, "documents")
    steps = page.items(row, "steps")
    share = page.meeting_text(row)
    if row["status"] == "suppressed":
        share = _("%(share)s: too few businesses to publish this share without revealing "
                  "individual businesses.", share=share)
    facts = [
        (_("Applies to"), scopes.get(applies, applies) if isinstance(applies, str) else "—"),
        (_("Authority"), localised(row, "authority") or "—"),
        (_("Legal basis"), legal if isinstance(legal, str) and legal.strip()
         else _("not named in the programme's sources")),
        (_("Mapped businesses meeting it"), share),
    ]
    checklist = [*steps, *(_("Document ready: %(document)s", document=d) for d in documents)]
    return html.Article([
        html.H3(label),
        html.Dl([part for term, text in facts
                 for part in (html.Dt(term), html.Dd(text))], className="doc-facts"),
        html.H4(_("Documents asked for")),
        html.Ul([html.Li(d) for d in documents]) if documents else missing(_(
            "The programme's sources do not list them: ask the authority.")),
        html.H4(_("How to meet it")),
        html.Ol([html.Li(step) for step in steps]),
        html.H4(_("Checklist")),
        html.Ul([html.Li(item) for item in checklist], className="doc-checklist"),
    ], className="doc-requirement")


def _sector(release: LoadedRelease, frame: pd.DataFrame, code: str, label: str,
            requirements: Mapping[str, str], scopes: Mapping[str, str]) -> list[Component]:
    rows = frame[frame["broad_sector"] == code]
    if rows.empty:
        return [missing(_("Release %(version)s publishes no requirement for %(sector)s.",
                          version=release.version, sector=label))]
    return [_requirement(r, requirements, scopes) for r in rows.to_dict("records")]


def _chart(release: LoadedRelease, sector: str) -> Component:
    view = chart.rendered(CHART, {"sector": sector} if sector else {})
    return html.Div() if view is None else figure(CHART, view)


def _help(frame: pd.DataFrame) -> list[Component]:
    authorities = sorted({localised(r, "authority") for r in frame.to_dict("records")} - {""})
    return [
        html.P(_("The programme's team at NGO AKTIV, in Mitrovica and Prishtina, answers "
                 "questions about this handbook and the trainings: %(site)s.",
                 site=PROGRAMME_SITE)),
        html.P(_("Every licence and permit of Kosovo, and the authority that issues it, is "
                 "listed at %(site)s.", site=LICENCES)),
        html.H3(_("The authorities named in this handbook")),
        html.Ul([html.Li(a) for a in authorities]),
    ]


def body(release: LoadedRelease, sector: str, title: str) -> str:
    """The handbook's HTML body; ``sector`` "" for the complete edition."""
    page = _page()
    names = page.sectors(release)
    if sector and sector not in names:
        raise LookupError(f"release {release.version} has no sector {sector!r}")
    frame = query.table(release, page.RESOURCE)
    requirements = vocabulary(release, page.RESOURCE, "requirement",
                              list(dict.fromkeys(frame["requirement"])))
    scopes = vocabulary(release, page.RESOURCE, "applies_to",
                        sorted(set(frame["applies_to"].dropna())))
    chosen = {sector: names[sector]} if sector else names
    intro = [
        html.P(_("What a business needs to trade formally: each requirement, who enforces it, "
                 "how to meet it, and how many mapped businesses already do.")),
        html.P(_("Requirements are listed in the order a new business usually meets them. "
                 "Beside each, the share of the sector's mapped businesses it applies to "
                 "that already meet it.")),
        html.P(_("Tick the checklist as you go; take the documents listed to the authority.")),
        _chart(release, sector),
    ]
    parts = [("introduction", _("How to use this handbook"), intro)] + [
        (f"sector-{code}", label,
         _sector(release, frame, code, label, requirements, scopes))
        for code, label in chosen.items()] + [
        ("help", _("Where to get help"), _help(frame))]
    return assemble(release, title, _("Handbook"), parts)
