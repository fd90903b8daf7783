"""The app shell shared by every page: HTML page, navbar, main landmark, footer.

Pages only supply their content; everything around it
lives here so that navigation, accessibility and credits stay consistent.
Builders are functions, called per request, so that once :func:`portal.i18n._`
is backed by gettext each visitor gets the shell in their own language.
"""

from __future__ import annotations

from collections.abc import Callable

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from markupsafe import escape

from portal import first_paint, vendor
from portal.i18n import LOCALES, NATIVE_NAMES, PARAM, _, get_locale

#: Dash's page template with ``lang`` (for screen readers and hyphenation).
#: ``{%lang%}`` is filled in by :class:`portal.app.PortalDash`.
INDEX_STRING = """<!DOCTYPE html>
<html lang="{%lang%}">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""

MAIN_ID = "main-content"
NAVBAR_ID = "portal-navbar"
_TOGGLER_ID = "portal-navbar-toggler"
_COLLAPSE_ID = "portal-navbar-collapse"
_LOCATION_ID = "portal-location"
_LANGUAGE_TYPE = "portal-language"

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

_HIDDEN = {"aria-hidden": "true"}


def app_entry(page: str = "") -> str:
    """The page's frame around its static copy ``page`` (see :mod:`portal.first_paint`),
    shown until React has drawn the page in the hidden entry point, with a translated loading
    notice for screen readers instead of Dash's English "Loading..."."""
    loading = escape(_("Loading…"))
    noscript = escape(_("This site needs JavaScript to show its maps and charts."))
    frame = first_paint.skeleton(static_bar(), page)
    return (
        f'<div id="{first_paint.COPY_ID}">{frame}'
        f'<p class="visually-hidden" role="status">{loading}</p></div>'
        f'<div id="react-entry-point" class="{first_paint.PENDING_CLASS}"></div>'
        f'<noscript><p class="container py-4">{noscript}</p></noscript>'
    )


def page_title(name: str) -> Callable[..., str]:
    """Browser-tab title of a page, e.g. "Training | North of Kosovo Product Map".

    A function (Dash pages accept one) so that it is translated per request; ``name`` is
    the English message, marked with ``N_``.
    """
    def title(**_path_variables: str) -> str:
        return _("%(page)s | %(site)s", page=_(name), site=_("North of Kosovo Product Map"))
    return title


def icon(name: str, class_name: str = "me-2") -> html.I:
    """A decorative Bootstrap Icons glyph (hidden from screen readers), one of
    :data:`portal.vendor.ICONS`: only those are in the served stylesheet."""
    if name not in vendor.ICONS:
        raise ValueError(f"icon {name!r} is not in portal.vendor.ICONS; add it there")
    return html.I(className=f"bi bi-{name} {class_name}".strip(), **_HIDDEN)


def nav_pages() -> list[dict]:
    """Registered pages shown in the navbar, in their ``order``.

    ``dash.page_registry`` is already sorted by ``order``; pages registered with
    ``nav=False`` (the 404 page) are left out.
    """
    return [page for page in dash.page_registry.values() if page.get("nav", True)]


def navbar() -> dbc.Navbar:
    """Responsive top bar: brand plus a link to every page, collapsing on small screens."""
    links = [
        dbc.NavItem(dbc.NavLink(_(page["name"]), href=page["relative_path"], active="exact"))
        for page in nav_pages()
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [icon("geo-alt-fill"), _("North of Kosovo Product Map")],
                    href=dash.get_relative_path("/"),
                    className="portal-brand",
                ),
                # Plain button: dbc.NavbarToggler's aria-label is fixed English.
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    id=_TOGGLER_ID,
                    n_clicks=0,
                    type="button",
                    className="navbar-toggler",
                    **{
                        "aria-label": _("Toggle navigation"),
                        "aria-controls": _COLLAPSE_ID,
                        "aria-expanded": "false",
                    },
                ),
                dbc.Collapse(
                    [dbc.Nav(links, navbar=True, className="ms-auto"), language_switch()],
                    id=_COLLAPSE_ID,
                    is_open=False,
                    navbar=True,
                ),
            ],
            fluid="xxl",
        ),
        id=NAVBAR_ID,
        color="dark",
        dark=True,
        expand="xl",
        className="portal-navbar",
    )


def static_bar() -> html.Nav:
    """The top bar as plain HTML, for the page's first paint: the brand only (the links and
    languages come with React; on phones they are folded away anyway)."""
    return html.Nav(html.Div(html.A([icon("geo-alt-fill"), _("North of Kosovo Product Map")],
                                    href=dash.get_relative_path("/"),
                                    className="navbar-brand portal-brand"),
                             className="container-xxl"),
                    className="navbar navbar-expand-xl navbar-dark bg-dark portal-navbar")


def language_switch() -> html.Div:
    """The four languages, each named in itself; choosing one reloads the page in it.

    Buttons, not links: a clientside callback adds ``lang`` to the current address, keeping
    the filters that the page wrote there.
    """
    current = get_locale()
    return html.Div(
        [html.Button(NATIVE_NAMES[code], id={"type": _LANGUAGE_TYPE, "lang": code}, n_clicks=0,
                     type="button", lang=code,
                     className="btn btn-sm " + ("btn-light" if code == current
                                                else "btn-outline-light"),
                     **{"aria-pressed": "true" if code == current else "false"})
         for code in LOCALES],
        role="group", **{"aria-label": _("Language")},
        className="btn-group ms-xl-3 my-2 my-xl-0 portal-languages",
    )


def footer() -> html.Footer:
    """Programme credit and the data licence, on every page."""
    return html.Footer(
        dbc.Container(
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.P(
                                _(
                                    "Funded by the UK Foreign and Commonwealth Office (FCO) "
                                    "and GIZ. Implemented by NGO AKTIV."
                                ),
                                className="mb-1",
                            ),
                            html.P(
                                _("North of Kosovo Product Map: open data for local producers."),
                                className="mb-0 small",
                            ),
                        ],
                        md=8,
                    ),
                    dbc.Col(
                        html.P(
                            [
                                icon("badge-cc"),
                                _("Data licence:"),
                                " ",
                                html.A(_("CC BY 4.0"), href=LICENCE_URL, rel="license"),
                            ],
                            className="mb-0",
                        ),
                        md=4,
                        className="text-md-end mt-2 mt-md-0",
                    ),
                ],
                className="align-items-center",
            ),
            fluid="xxl",
        ),
        className="portal-footer mt-auto py-4",
    )


def shell() -> html.Div:
    """The whole page around ``dash.page_container`` (used as ``app.layout``)."""
    return html.Div(
        [
            dcc.Location(id=_LOCATION_ID, refresh=False),
            html.A(
                _("Skip to main content"),
                href=f"#{MAIN_ID}",
                className="visually-hidden-focusable portal-skip-link",
            ),
            navbar(),
            html.Main(
                dbc.Container(dash.page_container, fluid="xxl"),
                id=MAIN_ID,
                tabIndex="-1",
                className="flex-grow-1",
            ),
            footer(),
        ],
        className="portal-shell d-flex flex-column min-vh-100",
    )


def register_callbacks(app: dash.Dash) -> None:
    """Wire the navbar toggler; runs in the browser, so no server round trip.

    Registered on ``app`` (not ``@dash.callback``) because the factory may build
    several apps per process and Dash hands global callbacks to the first only.
    """
    app.clientside_callback(
        f"""
        function (nClicks, pathname, isOpen) {{
            const trigger = dash_clientside.callback_context.triggered_id;
            // A click on the toggler flips the menu; following a link closes it.
            const open = trigger === "{_TOGGLER_ID}" ? !isOpen : false;
            return [open, String(open)];
        }}
        """,
        Output(_COLLAPSE_ID, "is_open"),
        Output(_TOGGLER_ID, "aria-expanded"),
        Input(_TOGGLER_ID, "n_clicks"),
        Input(_LOCATION_ID, "pathname"),
        State(_COLLAPSE_ID, "is_open"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        """
        function (clicks) {
            const trigger = dash_clientside.callback_context.triggered_id;
            if (trigger && clicks.some(Boolean)) {
                const url = new URL(window.location.href);
                url.searchParams.set("PARAM", trigger.lang);
                window.location.assign(url.toString());
            }
            return dash_clientside.no_update;
        }
        """.replace("PARAM", PARAM),
        Output(_LOCATION_ID, "hash"),
        Input({"type": _LANGUAGE_TYPE, "lang": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
