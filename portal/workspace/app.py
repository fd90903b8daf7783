"""The workspace application factory: a Flask app of its own, never mounted in the public
portal (``python -m portal workspace`` serves it on its own port)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal import config as portal_config
from portal import i18n, vendor
from portal.contact import models as contact_models
from portal.workspace import candidate, guard, problems
from portal.workspace import config as ws_config
from portal.workspace.intake import Limits
from portal.workspace.models import Database
from portal.workspace.views import auth, indicators, label, releases, requests, uploads, users

log = logging.getLogger(__name__)
MiB = 2**20
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
#: What each refusal says, by status code (translated when shown).
REFUSALS = {
    400: i18n.N_("The form could not be accepted: it has expired or was not sent from this "
                 "page. Open the page again and repeat."),
    401: i18n.N_("Sign in first."),
    403: i18n.N_("Your role does not allow this. Ask an admin if you need it."),
    404: i18n.N_("There is no such page."),
    409: i18n.N_("This form was already sent; it was not done twice. Open the page again to "
                 "see where things stand."),
    413: i18n.N_("The file is larger than the limit of %(limit)s MB."),
    429: i18n.N_("Too many attempts. Wait a few minutes and try again."),
}


def create_app(settings: Mapping[str, Any] | None = None) -> flask.Flask:
    """The workspace with ``settings`` over those of the environment (tests pass folders)."""
    from portal.app import resolve_packages_dir

    config = {**ws_config.from_environment(), **(settings or {})}
    app = flask.Flask(__name__, static_folder=None)
    app.config.update(config)
    app.config["PACKAGES_DIR"] = resolve_packages_dir(config.get("PACKAGES_DIR"))
    root = Path(app.config["WORKSPACE_DIR"])
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    app.config.update(
        SESSION_COOKIE_NAME="nkpm_workspace",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=guard.LIFETIME,
        MAX_CONTENT_LENGTH=app.config["MAX_UPLOAD_MB"] * MiB + MiB,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.config["DATABASE_URL"] = ws_config.database_url(app.config)
    app.extensions["workspace_db"] = Database(app.config["DATABASE_URL"])
    # The buyers' contact requests: the portal's database, found the same way (portal.contact).
    app.config.setdefault("CONTACT_RETENTION_DAYS", portal_config.DEFAULT_CONTACT_RETENTION_DAYS)
    app.extensions[contact_models.EXTENSION] = contact_models.Database(
        app.config.get("CONTACT_DATABASE_URL") or contact_models.default_url())
    app.extensions["workspace_place"] = candidate.Place(
        root, Path(app.config["PACKAGES_DIR"]), app.config.get("HISTORY_DIR"),
        Limits(upload_bytes=app.config["MAX_UPLOAD_MB"] * MiB),
        dt.timedelta(days=app.config["RETENTION_DAYS"]))
    guard.csrf.init_app(app)
    app.before_request(guard.load_user)
    app.before_request(guard.refuse_unguarded)
    app.before_request(guard.check_once)
    app.after_request(_headers)
    app.after_request(i18n.remember_locale)
    for blueprint in (auth.bp, uploads.bp, releases.bp, indicators.bp, requests.bp, users.bp):
        app.register_blueprint(blueprint)
    app.add_url_rule("/static/<path:name>", "static_files", _static)
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})
    app.register_error_handler(HTTPException, _refused)
    app.jinja_env.globals.update(
        _=i18n._, ngettext=i18n.ngettext, locale=i18n.get_locale, locales=i18n.LOCALES,
        native=i18n.NATIVE_NAMES,
        once=guard.once_token, once_field=guard.ONCE_FIELD, user=guard.user,
        number=i18n.format_number, date=i18n.format_date, label=label,
        severity=problems.severity_label)
    guard.forget_old(app.extensions["workspace_db"])
    gone = candidate.sweep(app.extensions["workspace_place"], app.extensions["workspace_db"])
    if gone:
        log.info("deleted %d upload folder(s) past their retention", gone)
    return app


def _static(name: str) -> flask.Response:
    if name == "bootstrap.min.css":
        return flask.send_from_directory(vendor.STATIC_DIR / "css", name, max_age=86400)
    flask.abort(404)


def _headers(response: flask.Response) -> flask.Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if flask.request.endpoint != "static_files":
        response.headers["Cache-Control"] = "no-store"
    return response


def _refused(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    if isinstance(error, CSRFError):
        code = 400
    message = REFUSALS.get(code)
    text = (i18n._(message, limit=flask.current_app.config["MAX_UPLOAD_MB"]) if code == 413
            else i18n._(message) if message else error.description or "")
    return flask.render_template("refused.html", message=text, code=code), code
