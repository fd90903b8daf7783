"""Command line: ``python -m portal serve [--packages DIR] [--host H] [--port P] [--debug]
[--production [--workers N] [--threads T]]`` and ``python -m portal doctor [--packages DIR]``
(:mod:`portal.doctor`),
``python -m portal publications [--release V] [--lang L] [--out DIR]`` (:mod:`portal.publications`),
``python -m portal workspace [--host H] [--port P] [add-user NAME --role ROLE]``
(:mod:`portal.workspace`).

Without ``--production`` the Flask/Dash development server runs (one process, optional dev
tools); with it, gunicorn does (:mod:`portal.serve`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portal import doctor
from portal import serve as production
from portal.app import DEFAULT_PACKAGES_DIR, create_app, resolve_packages_dir
from portal.config import ConfigError
from portal.i18n import LOCALES
from portal.publications import ahead, making

PROG = "python -m portal"
EXIT_USAGE = 2


def _port(value: str) -> int:
    """argparse type for a TCP port, so typos fail as usage errors."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 1-65535: {port}")
    return port


def _positive(value: str) -> int:
    """argparse type for a count of workers or threads."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return int(value)


def _packages_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--packages", type=Path, metavar="DIR",
                         help=f"directory of data packages (default: $PORTAL_PACKAGES, "
                              f"else {DEFAULT_PACKAGES_DIR})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (separate so tests and docs can inspect it)."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="North of Kosovo Product Map web portal."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve = commands.add_parser(
        "serve", help="run the portal (development server, or gunicorn with --production)")
    serve.add_argument(
        "--packages",
        type=Path,
        metavar="DIR",
        help=f"directory of data packages (default: {DEFAULT_PACKAGES_DIR})",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=_port, default=8050, help="TCP port to listen on (default: %(default)s)"
    )
    serve.add_argument("--debug", action="store_true", help="enable Dash dev tools and auto-reload")
    doctor_command = commands.add_parser(
        "doctor", help="check an install: configuration, catalogues, base URL, the published "
                       "release, database, cache, DCAT (exit 0 only when all hold)")
    _packages_option(doctor_command)
    documents = commands.add_parser(
        "publications", help="make the documents of a release (report, handbooks; PDF and "
                             "HTML) into a folder, or into the portal's store")
    _packages_option(documents)
    documents.add_argument("--release", metavar="VERSION",
                           help="the release (default: the newest published one with --out; "
                                "every published one into the store)")
    documents.add_argument("--lang", action="append", choices=LOCALES, metavar="LANG",
                           help=f"a language, repeatable (default: all of {', '.join(LOCALES)})")
    documents.add_argument("--out", type=Path, metavar="DIR",
                           help="write the documents here (default: the portal's store, "
                                "$PORTAL_PUBLICATIONS_DIR, which the portal serves them from)")
    from portal.workspace import cli as workspace

    workspace.configure(commands.add_parser(
        "workspace", help="the private staff workspace: upload, preview and publish releases, "
                          "report indicators (its own process and port, default "
                          f"{workspace.DEFAULT_PORT}); add-user NAME --role ROLE adds an account"))
    serve.add_argument(
        "--production", action="store_true",
        help="serve with gunicorn (several worker processes, no debug) instead of the "
             "development server")
    serve.add_argument(
        "--workers", type=_positive, metavar="N",
        help=f"gunicorn worker processes with --production (default: ${production.WORKERS_ENV} "
             f"or {production.DEFAULT_WORKERS})")
    serve.add_argument(
        "--threads", type=_positive, metavar="T",
        help=f"threads per worker with --production (default: {production.DEFAULT_THREADS})")
    return parser


def _usage_error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def serve(args: argparse.Namespace) -> int:
    """Check the arguments and packages directory, then serve until stopped."""
    try:
        packages_dir = resolve_packages_dir(args.packages)
    except NotADirectoryError as error:
        return _usage_error(str(error))
    if args.production:
        if args.debug:
            return _usage_error("--debug cannot be used with --production")
        try:
            workers = args.workers or production.default_workers()
            with ahead.running(packages_dir):
                return production.run(packages_dir, args.host, args.port, workers,
                                      args.threads or production.DEFAULT_THREADS)
        except ConfigError as error:  # a bad PORTAL_* variable: its one-line message
            return _usage_error(str(error))
        except production.StartupError as error:
            print(f"{PROG}: error: {error}", file=sys.stderr)
            return 1
    if args.workers or args.threads:
        return _usage_error("--workers and --threads need --production")
    try:
        app = create_app(packages_dir)
    except ConfigError as error:
        return _usage_error(str(error))
    # The dev tools' version check would call a plotly.com server from the browser.
    with ahead.running(packages_dir):
        app.run(host=args.host, port=args.port, debug=args.debug,
                dev_tools_disable_version_check=True)
    return 0


def check(args: argparse.Namespace) -> int:
    """``doctor``: one line per check on standard output; 0 only when all hold."""
    try:
        packages_dir = resolve_packages_dir(args.packages)
    except NotADirectoryError as error:
        return _usage_error(str(error))
    findings = doctor.run(packages_dir)
    print("\n".join(finding.line() for finding in findings))
    return 0 if doctor.healthy(findings) else 1


def publications(args: argparse.Namespace) -> int:
    """``publications``: every document of one release in each language asked for."""
    try:
        packages_dir = resolve_packages_dir(args.packages)
        app = create_app(packages_dir)
    except (NotADirectoryError, ConfigError) as error:
        return _usage_error(str(error))
    try:
        made = making.run(app.server, args.release, args.lang or list(LOCALES), args.out)
    except making.UnknownRelease as error:
        return _usage_error(str(error))
    except making.DocumentError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    for path in made:
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status (argparse exits 2 on usage errors)."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "doctor":
        return check(args)
    if args.command == "publications":
        return publications(args)
    if args.command == "workspace":
        from portal.workspace import cli as workspace

        return workspace.run(args)
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse rejects others
