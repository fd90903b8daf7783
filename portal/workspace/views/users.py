"""Accounts and the audit log (admins)."""

from __future__ import annotations

import flask
import sqlalchemy as sa

from portal.i18n import _
from portal.workspace import accounts, audit, guard
from portal.workspace.models import ROLES, User
from portal.workspace.views import back

bp = flask.Blueprint("users", __name__)


@bp.route("/users")
@guard.requires("admin")
def index() -> str:
    with guard.database().session() as s:
        found = list(s.scalars(sa.select(User).order_by(User.name)))
        s.expunge_all()
    return flask.render_template("users.html", users=found, roles=ROLES)


@bp.route("/users", methods=["POST"])
@guard.requires("admin")
def add() -> flask.Response:
    form = flask.request.form
    try:
        with guard.database().session() as s:
            made = accounts.add(s, form.get("name", ""), form.get("role", ""),
                                form.get("password", ""))
            audit.record(s, "user added", detail=f"{made.name} ({made.role})")
    except accounts.AccountError as exc:
        flask.flash(_(exc.message, **exc.params), "danger")
        return back("users.index")
    flask.flash(_("User %(name)s added.", name=made.name), "success")
    return back("users.index")


@bp.route("/users/<int:user_id>", methods=["POST"])
@guard.requires("admin")
def change(user_id: int) -> flask.Response:
    form = flask.request.form
    try:
        with guard.database().session() as s:
            account = s.get(User, user_id)
            if account is None:
                flask.abort(404)
            if account.id == guard.user().id and (form.get("role") != "admin"
                                                  or form.get("active") != "yes"):
                raise accounts.AccountError("You cannot take away your own admin role.")
            account.role = accounts.check_role(form.get("role", ""))
            account.active = form.get("active") == "yes"
            if form.get("unlock") == "yes":
                account.failed_logins, account.locked_until = 0, None
            if form.get("password"):
                accounts.set_password(account, form["password"])
            audit.record(s, "user changed", detail=f"{account.name}: role {account.role}, "
                         f"{'active' if account.active else 'disabled'}"
                         + (", password reset" if form.get("password") else ""))
    except accounts.AccountError as exc:
        flask.flash(_(exc.message, **exc.params), "danger")
        return back("users.index")
    if user_id != guard.user().id:
        guard.end_sessions_of(user_id)
    flask.flash(_("User %(name)s changed.", name=account.name), "success")
    return back("users.index")


@bp.route("/audit")
@guard.requires("admin")
def log() -> str:
    with guard.database().session() as s:
        entries = audit.recent(s)
        s.expunge_all()
    return flask.render_template("audit.html", entries=entries)
