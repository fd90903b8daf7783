"""Contact requests brokered by the programme: a buyer asks to reach a listed business through
a short form on the portal (:mod:`portal.contact.views`), the staff follow up in the workspace
(:mod:`portal.workspace.views.requests`), and the buyer's details are deleted after
``PORTAL_CONTACT_RETENTION_DAYS``. :func:`portal.contact.limits.allow` is the rate limit the
directory pages use against scraping."""

from __future__ import annotations

import dash

from portal.contact import views
from portal.contact.models import EXTENSION, Database, default_url


def init_app(app: dash.Dash) -> None:
    """Open the contact database and mount the form on ``app.server``."""
    server = app.server
    server.config.setdefault("CONTACT_DATABASE_URL", None)
    server.extensions[EXTENSION] = Database(server.config["CONTACT_DATABASE_URL"]
                                            or default_url())
    server.extensions[views.PREFIX] = app.config.requests_pathname_prefix.rstrip("/")
    # The CSRF token lives in the session cookie: not sent along with other sites' requests.
    if server.config.get("SESSION_COOKIE_SAMESITE") is None:
        server.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    server.register_blueprint(
        views.blueprint, url_prefix=app.config.routes_pathname_prefix.rstrip("/") or None)
