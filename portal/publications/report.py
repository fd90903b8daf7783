"""The Product Map report: the dashboard of one release as a document.

Everything in it is what the portal shows for that release, built by the same code: the
overview's key figures, every chart of every theme page (its finding as title, unit, source,
summary and a permalink to the same view), the indicators page's results framework and the
About page's methodology and disclosure control. Nothing is computed here, so the report and
the dashboard cannot disagree, and a suppressed value is said to be suppressed as it is on the
pages.
"""

from __future__ import annotations

import sys
from urllib.parse import urlencode

import dash
from dash import html
from dash.development.base_component import Component

from portal import downloads, site
from portal.components import chart
from portal.components.disclosure import facts_table, package_facts
from portal.components.key_figures import key_figure_values
from portal.i18n import PARAM, _, get_locale
from portal.layout import nav_pages
from portal.load.database import LoadedRelease
from portal.publications.parts import Part, assemble, figure, missing


def themes() -> list[tuple[dict, list[str]]]:
    """(page, its chart ids) for every page of charts, in the navigation's order."""
    found = []
    for page in nav_pages():
        ids = getattr(sys.modules.get(page["module"]), "CHARTS", None)
        if ids:
            found.append((page, list(ids)))
    return found


def permalink(page: dict, chart_id: str) -> str:
    """The chart's view on the portal: its page, in this language, at its card."""
    query = urlencode({PARAM: get_locale()})
    return site.absolute(dash.get_relative_path(page["path"])) + f"?{query}#chart-{chart_id}"


def _pages():  # noqa: ANN202 - imported when used: Dash registers them while building an app
    from portal.pages import about, indicators, overview

    return about, indicators, overview


def _figure(release: LoadedRelease, page: dict, chart_id: str) -> Component:
    spec = chart.CHARTS[chart_id]
    if not release.has(spec.resource):
        return html.Div([html.H3(chart_id), missing(_(
            "Release %(version)s does not publish the table “%(table)s” this chart is drawn "
            "from.", version=release.version, table=spec.resource))])
    view = chart.rendered(chart_id, {})
    assert view is not None  # a release is open
    link = permalink(page, chart_id)
    return figure(chart_id, view, [
        *([html.P(view.note)] if view.note else []),
        html.P([_("The same view on the portal:"), " ",
                html.A(link, href=link, className="doc-permalink")])])


def _summary(release: LoadedRelease, findings: list[tuple[str, list[str]]]) -> Component:
    figures = key_figure_values(release)
    return html.Div([
        html.H3(_("Key figures")),
        html.Table([html.Tbody([
            html.Tr([html.Td(f.value, className="doc-value"),
                     html.Td([html.Strong(f.label), html.Br(), f.note])]) for f in figures])],
            className="doc-figures"),
        html.H3(_("Findings")),
        *[html.Div([html.H4(theme), html.Ul([html.Li(text) for text in texts])])
          for theme, texts in findings if texts],
    ])


def _framework(release: LoadedRelease) -> Component:
    indicators = _pages()[1]
    if not release.has(indicators.RESOURCE):
        return missing(_("Release %(version)s has no results framework: its indicators are "
                         "not published.", version=release.version))
    return indicators.framework_table(release)


def _disclosure(published: downloads.Published) -> list[Component]:
    about = _pages()[0]
    facts = [facts_table(package_facts(report), _("What disclosure control hid in %(packages)s",
                                                  packages=", ".join(names)))
             for names, report in about.risk_reports(published)]
    return [*facts, about.anonymisation(published)]


def body(release: LoadedRelease, published: downloads.Published, title: str) -> str:
    """The report's HTML body (its figures drawn in this call)."""
    about, _indicators, overview = _pages()
    sections: list[Part] = []
    findings: list[tuple[str, list[str]]] = []
    for page, ids in themes():
        theme = _(page["name"])
        describe = overview.PAGE_CARDS.get(page["path"])
        present = [i for i in ids if release.has(chart.CHARTS[i].resource)]
        findings.append((theme, [view.title for i in present
                                 if (view := chart.rendered(i, {})) is not None]))
        sections.append((f"theme-{page['path'].strip('/')}", theme, [
            html.P(describe()[1] if describe else ""),
            *(_figure(release, page, i) for i in ids)]))
    return assemble(release, title, _("Report"), [
        ("summary", _("Summary of findings"), [_summary(release, findings)]),
        *sections,
        ("results", _("Results framework"), [_framework(release)]),
        ("methodology", _("Methodology"), [about.programme(), about.compliance_levels()]),
        ("disclosure", _("Disclosure control"), _disclosure(published)),
    ])

