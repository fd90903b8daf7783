"""Who may do what: the signed-in user from a server-side session, role checks on every view,
CSRF tokens (Flask-WTF) and one-time form tokens against double submission.

The session cookie is signed, ``Secure``, ``HttpOnly`` and ``SameSite=Strict`` and carries
only a random session id; signing in replaces it (no fixation), signing out deletes it.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from typing import Any

import flask
import sqlalchemy as sa
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import Conflict, Forbidden, Unauthorized

from portal.workspace.models import Database, LoginSession, Used, User, now

SESSION_KEY = "sid"
ONCE_FIELD = "once"
#: A session unused for this long is over, whatever the cookie says.
IDLE = dt.timedelta(hours=1)
LIFETIME = dt.timedelta(hours=10)
#: Views open to everyone (signing in, the language switch, static files, health).
PUBLIC = frozenset({"auth.login", "auth.language", "static_files", "healthz"})

csrf = CSRFProtect()


def database() -> Database:
    return flask.current_app.extensions["workspace_db"]


def user() -> User | None:
    return flask.g.get("user")


def address() -> str:
    return (flask.request.remote_addr or "")[:64]


def start_session(account: User) -> None:
    """A new session id for a signed-in user (the old cookie's content is dropped)."""
    flask.session.clear()
    sid = secrets.token_urlsafe(32)
    with database().session() as s:
        s.add(LoginSession(id=sid, user_id=account.id))
    flask.session[SESSION_KEY] = sid
    flask.session.permanent = True


def end_session() -> None:
    sid = flask.session.get(SESSION_KEY)
    if sid:
        with database().session() as s:
            s.execute(sa.delete(LoginSession).where(LoginSession.id == sid))
    flask.session.clear()


def end_sessions_of(user_id: int) -> None:
    """Sign a user out everywhere (role changed, disabled, password reset)."""
    with database().session() as s:
        s.execute(sa.delete(LoginSession).where(LoginSession.user_id == user_id))


def load_user() -> None:
    """Before each request: the user of a live session, else nobody."""
    flask.g.user = None
    sid = flask.session.get(SESSION_KEY)
    if not sid:
        return
    moment = now()
    with database().session() as s:
        found = s.execute(sa.select(LoginSession, User).join(User).where(
            LoginSession.id == sid)).first()
        if found is None:
            flask.session.clear()
            return
        live, account = found
        if (not account.active or moment - live.seen > IDLE
                or moment - live.created > LIFETIME):
            s.delete(live)
            flask.session.clear()
            return
        live.seen = moment
        s.expunge(account)
    flask.g.user = account


def check_once() -> None:
    """Before each POST: its one-time token must be new (a resent form changes nothing)."""
    if flask.request.method != "POST" or flask.request.endpoint in ("auth.login",) \
            or user() is None:  # refused by the view anyway: spend no token
        return
    token = flask.request.form.get(ONCE_FIELD, "")
    if not 20 <= len(token) <= 64:
        raise Conflict("form without a one-time token")
    try:
        with database().session() as s:
            s.add(Used(token=token))
    except sa.exc.IntegrityError:
        flask.g.resent = True
        raise Conflict("form already submitted") from None


def forget_old(db: Database) -> None:
    """Drop spent form tokens once no session that could send their form is alive, and
    failed sign-ins long past the rate limit's window."""
    from portal.workspace.accounts import WINDOW
    from portal.workspace.models import Attempt

    moment = now()
    with db.session() as s:
        s.execute(sa.delete(Used).where(Used.at < moment - 2 * LIFETIME))
        s.execute(sa.delete(Attempt).where(Attempt.at < moment - 4 * WINDOW))
        s.execute(sa.delete(LoginSession).where(LoginSession.seen < moment - IDLE))


def once_token() -> str:
    return secrets.token_urlsafe(24)


def requires(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only for a signed-in user with ``role`` or a higher one."""
    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            account = user()
            if account is None:
                if flask.request.method == "GET":
                    return flask.redirect(flask.url_for("auth.login",
                                                        next=flask.request.full_path))
                raise Unauthorized()
            if not account.may(role):
                raise Forbidden()
            return view(*args, **kwargs)
        checked.required_role = role  # type: ignore[attr-defined]
        return checked
    return wrap


def refuse_unguarded() -> None:
    """Before each request: a view that forgot :func:`requires` is refused, not opened."""
    endpoint = flask.request.endpoint
    if endpoint is None or endpoint in PUBLIC:
        return
    view = flask.current_app.view_functions.get(endpoint)
    if view is not None and not hasattr(view, "required_role") and endpoint != "auth.logout":
        raise Forbidden()
