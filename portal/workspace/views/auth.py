"""Signing in and out, and the home page."""

from __future__ import annotations

from urllib.parse import urlsplit

import flask
from werkzeug.exceptions import TooManyRequests

from portal.i18n import _
from portal.workspace import accounts, audit, candidate, guard
from portal.workspace.views import back, place

bp = flask.Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never another host) to go to after signing in."""
    if not target:
        return flask.url_for("auth.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return flask.url_for("auth.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> flask.Response | str:
    if flask.request.method == "GET":
        return flask.render_template("login.html", next=flask.request.args.get("next", ""))
    name = flask.request.form.get("name", "")[:64]
    password = flask.request.form.get("password", "")[:1024]
    with guard.database().session() as s:
        outcome = accounts.sign_in(s, name, password, guard.address())
        if outcome.user is None:
            audit.record(s, f"login refused ({outcome.refused})", user=name.strip().lower()
                         or "-")
        else:
            s.expunge(outcome.user)
    if outcome.refused == "limited":
        raise TooManyRequests()
    if outcome.user is None:
        message = (_("This account is locked after repeated failed sign-ins. Try again in "
                     "%(minutes)s minutes, or ask an admin.",
                     minutes=int(accounts.LOCK_FOR.total_seconds() // 60))
                   if outcome.refused == "locked" else _("Wrong user name or password."))
        return flask.render_template("login.html", error=message,
                                     next=flask.request.form.get("next", "")), 401
    guard.start_session(outcome.user)
    flask.g.user = outcome.user
    audit.log("login")
    return flask.redirect(_safe_next(flask.request.form.get("next")), code=303)


@bp.route("/logout", methods=["POST"])
def logout() -> flask.Response:
    if guard.user() is not None:
        audit.log("logout")
    guard.end_session()
    return back("auth.login")


@bp.route("/")
@guard.requires("viewer")
def home() -> str:
    found = candidate.current(place().packages)
    return flask.render_template("home.html", current=found)
