"""Command line: ``python -m portal serve [--packages DIR] [--host H] [--port P] [--debug]``.

Serves with the Flask/Dash development server; a production (gunicorn)
entry point comes in a later issue.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portal.app import DEFAULT_PACKAGES_DIR, create_app, resolve_packages_dir

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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (separate so tests and docs can inspect it)."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="North of Kosovo Product Map web portal."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    serve = commands.add_parser("serve", help="run the portal with the development server")
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
    return parser


def serve(args: argparse.Namespace) -> int:
    """Check the packages directory, then run the development server until stopped."""
    try:
        packages_dir = resolve_packages_dir(args.packages)
    except NotADirectoryError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    app = create_app(packages_dir)
    # The dev tools' version check would call a plotly.com server from the browser.
    app.run(host=args.host, port=args.port, debug=args.debug, dev_tools_disable_version_check=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status (argparse exits 2 on usage errors)."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse rejects others
