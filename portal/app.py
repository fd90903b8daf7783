"""Application factory for the portal (Flask-tutorial style ``create_app``).

Everything that needs configuration is built here, so tests and the CLI can
create independent apps with their own packages directory and settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dash
import flask
from markupsafe import escape

from portal import (
    api,
    catalogues,
    contact,
    delivery,
    downloads,
    embed,
    first_paint,
    health,
    layout,
    query,
    scraping,
    scripts,
    security,
    site,
    sitemap,
    vendor,
)
from portal import config as portal_config
from portal.cache import DEFAULT_CACHE_CONFIG, cache
from portal.catalog import schema_org
from portal.components import chart
from portal.i18n import _, get_locale, remember_locale
from portal.load.database import Store
from portal.publications import views as publications
from portal.site import DESCRIPTION, SITE_TITLE

PORTAL_DIR = Path(__file__).resolve().parent
#: Where the ETL writes its Frictionless data packages, unless told otherwise.
DEFAULT_PACKAGES_DIR = PORTAL_DIR.parent / "datapackages"


class PortalDash(dash.Dash):
    """Dash with an accessible, translatable HTML page around the React app.

    Dash's own index hard-codes ``<html>`` without ``lang`` and an English
    "Loading..." text; this is the hook the docs recommend for replacing them.
    """

    def interpolate_index(self, **kwargs: str) -> str:
        kwargs["app_entry"] = layout.app_entry(_page_copy())
        # Title and description are set once, in English; the page goes out in the
        # visitor's language.
        kwargs["title"] = str(escape(_(SITE_TITLE)))
        kwargs["metas"] = kwargs.get("metas", "").replace(
            str(escape(DESCRIPTION)), str(escape(_(DESCRIPTION))))
        # Dash's page meta tags say the request's own URL: the canonical address instead.
        kwargs["metas"] = kwargs["metas"].replace(
            flask.request.host_url, site.absolute(dash.get_relative_path("/")))
        # schema.org JSON-LD of a package page or the data page, for dataset search engines.
        kwargs["metas"] += schema_org.head_script(self, _(SITE_TITLE), _(DESCRIPTION))
        kwargs["scripts"] = scripts.trimmed(kwargs["scripts"])
        return super().interpolate_index(**kwargs).replace("{%lang%}", get_locale())


def _page_copy() -> str:
    """The page's server-rendered first paint; a page that cannot draw one still loads."""
    try:
        return first_paint.page_copy(flask.request)
    except Exception:  # noqa: BLE001 - the copy is a head start, never a failure
        flask.current_app.logger.warning("no first paint for %s", flask.request.path,
                                         exc_info=True)
        return ""


def resolve_packages_dir(packages_dir: Path | str | None) -> Path:
    """Return the absolute packages directory, failing early on a bad explicit one.

    The default may be absent (a fresh clone before the ETL has published
    anything): the portal then starts with no data rather than not at all.

    Raises:
        NotADirectoryError: with a one-line message fit for the command line.
    """
    if packages_dir is None:  # the CLI's default: $PORTAL_PACKAGES, else the repo's
        packages_dir = os.environ.get(portal_config.PACKAGES, "").strip() or None
    if packages_dir is None:
        return DEFAULT_PACKAGES_DIR
    path = Path(packages_dir).expanduser().resolve()
    if path == DEFAULT_PACKAGES_DIR:
        return path
    if not path.exists():
        raise NotADirectoryError(f"packages directory not found: {path}")
    if not path.is_dir():
        raise NotADirectoryError(f"packages path is not a directory: {path}")
    return path


def create_app(
    packages_dir: Path | None = None, config: Mapping[str, Any] | None = None
) -> dash.Dash:
    """Build the Dash portal.

    Args:
        packages_dir: directory of data packages; defaults to the repo's
            ``datapackages/`` (or ``config["PACKAGES_DIR"]`` if given).
        config: Flask settings overriding the defaults and the ``PORTAL_*`` environment
            (:mod:`portal.config`), e.g. ``CACHE_TYPE``, ``DATABASE_URL`` (any SQLAlchemy
            URL; else a SQLite file in the Flask instance folder).
    """
    catalogues.check()  # a language without its catalogue stops here, not on a page
    # Defaults < PORTAL_* environment (portal.config) < explicit ``config``.
    settings: dict[str, Any] = {**DEFAULT_CACHE_CONFIG, **delivery.SETTINGS,
                                **portal_config.from_environment(), **(config or {})}
    if settings.get("BASE_URL"):  # normalised (and checked) when given explicitly, too
        settings["BASE_URL"] = portal_config.base_url(settings["BASE_URL"])
    if isinstance(settings.get("TRUSTED_PROXIES"), str):
        settings["TRUSTED_PROXIES"] = portal_config.trusted_proxies(settings["TRUSTED_PROXIES"])
    settings["PACKAGES_DIR"] = resolve_packages_dir(
        packages_dir if packages_dir is not None else settings.get("PACKAGES_DIR")
    )

    # No static folder: Dash serves assets itself and vendor files have their own route.
    server = flask.Flask("portal", static_folder=None)
    server.config.from_mapping(settings)
    cache.init_app(server)
    site.trust_proxies(server)
    delivery.init_app(server)
    server.after_request(remember_locale)
    if not server.config.get("DATABASE_URL"):
        Path(server.instance_path).mkdir(parents=True, exist_ok=True)
        server.config["DATABASE_URL"] = f"sqlite:///{Path(server.instance_path) / 'portal.sqlite'}"
    server.extensions[query.STORE_KEY] = Store(
        server.config["DATABASE_URL"], settings["PACKAGES_DIR"],
        check_interval=server.config.get("RELEASE_CHECK_INTERVAL", 2.0))

    app = PortalDash(
        "portal",
        server=server,
        use_pages=True,
        pages_folder=str(PORTAL_DIR / "pages"),
        assets_folder=str(PORTAL_DIR / "assets"),
        serve_locally=True,
        # Under PORTAL_BASE_URL's path, which the proxy strips before passing requests on.
        requests_pathname_prefix=site.prefix(settings.get("BASE_URL")),
        compress=True,
        index_string=layout.INDEX_STRING,
        title=SITE_TITLE,
        description=DESCRIPTION,
        # Dash would otherwise flash an untranslated "Updating..." in the tab.
        update_title=None,
        # Chart callbacks target components that exist on some pages only; Dash would
        # otherwise build every page (and query the database) to validate them.
        suppress_callback_exceptions=True,
    )
    vendor.init_app(app)
    scripts.init_app(app)
    downloads.init_app(app)
    api.init_app(app)
    health.init_app(app)
    embed.init_app(app)
    sitemap.init_app(app)
    publications.init_app(app)
    contact.init_app(app)
    scraping.init_app(app)
    security.init_app(app)
    app.layout = layout.shell
    layout.register_callbacks(app)
    chart.register_callbacks(app)
    return app
