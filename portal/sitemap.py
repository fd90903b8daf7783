"""``/robots.txt`` and ``/sitemap.xml``: how search engines (Google Dataset Search among them,
which reads the schema.org JSON-LD of the package pages) find the pages and the datasets.

The sitemap lists every page of the navigation, each package page and each table page of the
current release, at their canonical addresses (:mod:`portal.site`), with the other languages
as ``hreflang`` alternates and the release's date as ``lastmod``. robots.txt keeps crawlers
out of the machine interfaces (the APIs, Dash's callbacks, chart downloads), whose answers
are no pages to index, and names the sitemap.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import dash
import flask

from portal import query
from portal.components.datasets import page_path
from portal.i18n import DEFAULT_LOCALE, LOCALES, PARAM
from portal.layout import nav_pages
from portal.site import absolute

SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
#: Paths (under the requests prefix) crawlers are asked to leave alone.
DISALLOWED = ("/api/", "/_dash-", "/charts/", "/embed/")
_MAX_AGE = 3600


def _locations() -> list[str]:
    """Canonical addresses of every page worth indexing, in the navigation's order."""
    paths = [page["relative_path"] for page in nav_pages()]
    release = query.current_release()
    for name, package in (release.packages if release else {}).items():
        paths.append(page_path(name))
        paths += [page_path(name, r["name"]) for r in package.get("resources", [])]
    return [absolute(path) for path in paths]


def _entry(location: str, modified: str | None) -> str:
    alternates = "".join(
        f'<xhtml:link rel="alternate" hreflang="{locale}" href='
        f'{quoteattr(location if locale == DEFAULT_LOCALE else f"{location}?{PARAM}={locale}")}/>'
        for locale in LOCALES)
    lastmod = f"<lastmod>{modified}</lastmod>" if modified else ""
    return f"<url><loc>{location.replace('&', '&amp;')}</loc>{lastmod}{alternates}</url>"


def sitemap() -> flask.Response:
    release = query.current_release()
    modified = (release.created[:10] or None) if release is not None else None
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
            + "\n".join(_entry(location, modified) for location in _locations())
            + "\n</urlset>\n")
    return _cached(flask.Response(body, mimetype="application/xml"))


def robots() -> flask.Response:
    lines = ["User-agent: *", *(f"Disallow: {dash.get_relative_path(p)}" for p in DISALLOWED),
             f"Sitemap: {absolute(dash.get_relative_path(SITEMAP))}"]
    return _cached(flask.Response("\n".join(lines) + "\n", mimetype="text/plain"))


def _cached(response: flask.Response) -> flask.Response:
    response.cache_control.public = True
    response.cache_control.max_age = _MAX_AGE
    return response


def init_app(app: dash.Dash) -> None:
    prefix = app.config.routes_pathname_prefix.rstrip("/")
    app.server.add_url_rule(prefix + SITEMAP, "sitemap", sitemap, methods=["GET", "HEAD"])
    app.server.add_url_rule(prefix + ROBOTS, "robots", robots, methods=["GET", "HEAD"])
