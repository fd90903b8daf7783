"""``python -m portal workspace [--host H] [--port P] [--packages DIR]`` serves the staff
workspace (gunicorn, one process, threads); ``… workspace add-user NAME --role ROLE`` adds an
account, reading its password from standard input (or a prompt on a terminal);
``… workspace users`` lists accounts; ``… workspace sweep`` deletes uploads past retention
(also done at every start) and the buyers' contact requests past theirs. Also installed as
``nkpm-workspace``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

import flask
import sqlalchemy as sa

from portal.config import ConfigError
from portal.workspace.models import ROLES

PROG = "python -m portal workspace"
DEFAULT_PORT = 8060
THREADS = 4
#: A publication builds the release (seconds for the demo, minutes for a large survey).
TIMEOUT = 900


def configure(parser: argparse.ArgumentParser) -> None:
    """The workspace's arguments (also under ``python -m portal``)."""
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="TCP port to listen on (default: %(default)s)")
    parser.add_argument("--packages", type=Path, metavar="DIR",
                        help="the published packages folder it publishes into (default: "
                             "$PORTAL_PACKAGES, else the checkout's datapackages)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    add = actions.add_parser("add-user", help="add an account; the password is read from "
                                              "standard input (or asked for)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    actions.add_parser("users", help="list the accounts")
    actions.add_parser("sweep", help="delete uploads and contact requests past their "
                                     "retention")


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise ValueError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    from portal.workspace import accounts, candidate
    from portal.workspace.app import create_app

    settings = {"PACKAGES_DIR": args.packages} if args.packages else {}
    try:
        app = create_app(settings)
    except (ConfigError, NotADirectoryError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    db = app.extensions["workspace_db"]
    if args.action == "add-user":
        try:
            with db.session() as s:
                made = accounts.add(s, args.name, args.role, _password())
                s.add(_audit_entry(made.name, made.role))
        except (accounts.AccountError, ValueError) as error:
            print(f"{PROG}: error: {error}", file=sys.stderr)
            return 1
        print(f"Added {made.name} ({made.role}).")
        return 0
    if args.action == "users":
        from portal.workspace.models import User

        with db.session() as s:
            for user in s.scalars(sa.select(User).order_by(User.name)):
                print(f"{user.name}\t{user.role}\t{'active' if user.active else 'disabled'}")
        return 0
    if args.action == "sweep":
        from portal.contact import limits, models, store

        contact_db = app.extensions[models.EXTENSION]
        print(f"Deleted {candidate.sweep(app.extensions['workspace_place'], db)} upload "
              f"folder(s) and {store.sweep(contact_db, app.config['CONTACT_RETENTION_DAYS'])} "
              "contact request(s).")
        limits.forget(contact_db)
        return 0
    db.engine.dispose()  # the worker opens its own connections after the fork
    # A generated key is made once here, so a restarted worker keeps the sessions.
    settings["SECRET_KEY"] = app.config["SECRET_KEY"]
    return serve(app, lambda: create_app(settings), args.host, args.port)


def _audit_entry(name: str, role: str):  # noqa: ANN202 - a models.AuditEntry
    from portal.workspace.models import AuditEntry

    return AuditEntry(user="(command line)", action="user added", detail=f"{name} ({role})")


def serve(app: flask.Flask, factory: Callable[[], flask.Flask], host: str, port: int) -> int:
    """gunicorn, one worker (the upload state is in the database and the lock on disk, but
    one process is plenty for a handful of staff) building its own app after the fork,
    threads for concurrent requests."""
    from portal.serve import PortalApplication, options

    if app.config.get("SECRET_KEY_GENERATED"):
        print(f"{PROG}: PORTAL_WORKSPACE_SECRET_KEY is not set: sessions end when the "
              "workspace restarts.", file=sys.stderr)
    settings = {**options(host, port, 1, THREADS), "timeout": TIMEOUT,
                "proc_name": "nkpm-workspace"}
    print(f"Staff workspace on http://{host}:{port}/ (packages: "
          f"{app.config['PACKAGES_DIR']})", file=sys.stderr)
    PortalApplication(factory, settings).run()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nkpm-workspace", description=__doc__.splitlines()[0])
    configure(parser)
    return run(parser.parse_args(argv))
