"""``/embed/<chart_id>``: one chart card that other sites may put in an ``<iframe>``.

Why a plain Flask route and not a Dash page: a Dash page comes inside the shell (navbar,
footer, React renderer and every callback), which an embed must not show, and its inline
scripts are the ones the site-wide CSP hashes. This answer is a small static document
instead: the figure travels as a JSON data block (``type="application/json"`` is never
executed, so the CSP need not allow it) and one served script, :data:`SCRIPT`, hands it to
plotly.js (the portal's partial bundle, :mod:`portal.scripts`; no CDN). The page has no inline
script at all.

It is the only answer listed in :data:`portal.security.FRAMEABLE_ENDPOINTS`: it gets
``frame-ancestors *`` and no ``X-Frame-Options``, every other answer stays unframeable. Filters
are the chart pages' query parameters and are read the same way (values that are not valid
are ignored, as on the pages); ``?lang=`` picks the language as everywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import dash
import flask
import plotly.io
from markupsafe import Markup, escape

from portal import query, scripts, vendor
from portal.components import chart, filters
from portal.i18n import DEFAULT_LOCALE, PARAM, _, get_locale
from portal.site import absolute

URL_PREFIX = "/embed"
#: The endpoint of the embed view (what :mod:`portal.security` opens to framing).
ENDPOINT = "embed.view"
_FIGURE_ID = "portal-embed-figure"
_DATA_ID = "portal-embed-data"
_MAX_AGE = 7 * 24 * 3600

#: Draws the figure from the JSON data block; served as a file so the CSP needs no hash.
SCRIPT = """\
(function () {
    var data = JSON.parse(document.getElementById("DATA").textContent);
    window.Plotly.newPlot(document.getElementById("FIGURE"), data.figure.data || [],
                          data.figure.layout || {}, data.config);
})();
""".replace("DATA", _DATA_ID).replace("FIGURE", _FIGURE_ID)

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{document_title}</title>
{stylesheets}
</head>
<body class="bg-white">
<main class="container-fluid p-2">
<article class="card shadow-sm portal-chart portal-embed" id="chart-{chart_id}">
<div class="card-header">
<h1 class="h5 mb-1 portal-chart-title" id="portal-embed-title">{title}</h1>
<p class="small text-body-secondary mb-0">{source}</p>
</div>
<div class="card-body">
{note}
<div role="figure" aria-labelledby="portal-embed-title" aria-describedby="portal-embed-summary">
<div id="{figure_id}" style="{style}"></div>
</div>
<p class="small mb-0 portal-summary" id="portal-embed-summary">{summary}</p>
</div>
<div class="card-footer bg-white">
<a class="btn btn-sm btn-outline-primary me-2" href="{portal_url}" target="_blank"
 rel="noopener">{view_label}<span class="visually-hidden"> ({new_tab})</span></a>
<a class="btn btn-sm btn-outline-primary" href="{csv_url}" download="{chart_id}.csv"
 target="_blank" rel="noopener">{csv_label}</a>
</div>
</article>
</main>
<script type="application/json" id="{data_id}">{data}</script>
<script src="{plotly_src}"></script>
<script src="{script_src}"></script>
</body>
</html>
"""

blueprint = flask.Blueprint("embed", __name__)


def _path(path: str) -> str:
    """A path of this server as the browser must ask for it (behind a proxy prefix too)."""
    return dash.get_relative_path(path)


def page_of(chart_id: str) -> str | None:
    """The path of the page that shows ``chart_id`` (the module that registered it)."""
    module = chart.CHARTS[chart_id].render.__module__
    return next((page["path"] for page in dash.page_registry.values()
                 if page["module"] == module and page.get("path")), None)


def portal_url(chart_id: str, active: Mapping[str, str]) -> str:
    """Absolute address of the chart on its page, with the same filters and language: an
    embed's link is followed from another site, so a relative one would point there."""
    params = dict(sorted(active.items()))
    if get_locale() != DEFAULT_LOCALE:
        params[PARAM] = get_locale()
    query_string = f"?{urlencode(params)}" if params else ""
    page = page_of(chart_id) or "/"
    return absolute(_path(page)) + query_string + f"#chart-{chart_id}"


def _json_block(value: object) -> Markup:
    """JSON safe inside ``<script>``: ``<`` escaped so no ``</script>`` can end the block."""
    text = plotly.io.json.to_json_plotly(value)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@blueprint.get("/<chart_id>")
def view(chart_id: str) -> flask.Response:
    """One chart card, framable by any site; 404 for an unknown chart or no release."""
    if chart_id not in chart.CHARTS:
        flask.abort(404)
    release = query.current_release()
    if release is None:
        flask.abort(404)
    args = {k: v for k, v in flask.request.args.items() if k != PARAM}
    active = filters.parse(release, args)
    shown = chart.rendered(chart_id, active)
    if shown is None:
        flask.abort(404)
    height = shown.figure.get("layout", {}).get("height")
    config = {**chart.GRAPH_CONFIG, "toImageButtonOptions": {
        **chart.GRAPH_CONFIG["toImageButtonOptions"], "filename": chart_id}}
    absolute_csv = absolute(chart.csv_url(chart_id, active))
    note = (f'<p class="small text-warning-emphasis mb-2">{escape(shown.note)}</p>'
            if shown.note else "")
    stylesheets = "\n".join(
        f'<link rel="stylesheet" href="{escape(_path(url))}">' for url in (
            f"{vendor.URL_PREFIX}/{vendor.STYLESHEETS[0]}", "/assets/portal.css"))
    body = _PAGE.format(
        lang=escape(get_locale()),
        document_title=escape(_("%(page)s | %(site)s", page=shown.title,
                                site=_("North of Kosovo Product Map"))),
        stylesheets=stylesheets,
        chart_id=escape(chart_id),
        title=escape(shown.title),
        source=escape(shown.source),
        note=note,
        figure_id=_FIGURE_ID,
        style=f"height: {int(height)}px" if height else "min-height: 450px",
        summary=escape(shown.summary),
        portal_url=escape(portal_url(chart_id, active)),
        view_label=escape(_("View on the portal")),
        new_tab=escape(_("opens in a new tab")),
        csv_url=escape(absolute_csv),
        csv_label=escape(_("Download the data behind this chart (CSV)")),
        data_id=_DATA_ID,
        data=_json_block({"figure": shown.figure, "config": config}),
        plotly_src=escape(scripts.url("plotly")),
        script_src=escape(_path(f"{URL_PREFIX}/_/embed.js")),
    )
    response = flask.Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.update(("Cookie", "Accept-Language"))  # the language of the card
    return response


@blueprint.get("/_/embed.js")
def script() -> flask.Response:
    """:data:`SCRIPT`, the embed's only script of its own."""
    response = flask.Response(SCRIPT, mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={_MAX_AGE}"
    return response


def init_app(app: dash.Dash) -> None:
    """Mount ``/embed/…`` on ``app.server`` (honouring Dash's routes prefix)."""
    prefix = app.config.routes_pathname_prefix.rstrip("/")
    app.server.register_blueprint(blueprint, url_prefix=prefix + URL_PREFIX)
