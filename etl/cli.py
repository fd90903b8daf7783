"""`python -m etl`: generate demo input, check a raw input, build or withdraw a release.

Exit codes: 0 success, 1 the input has errors, 2 usage errors (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from etl.read import Progress

DEFAULT_PACKAGES = Path(__file__).resolve().parent.parent / "datapackages"


def _progress(quiet: bool) -> Progress | None:
    if quiet:
        return None
    start = time.perf_counter()

    def show(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s] {message}", file=sys.stderr, flush=True)

    return show


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="write a synthetic raw input that looks like the survey")
    demo.add_argument("--out", type=Path, required=True,
                      help="folder for CSV files, or the .xlsx path (or its folder) for xlsx")
    demo.add_argument("--enterprises", type=_positive, default=400, metavar="N")
    demo.add_argument("--attendance", type=_positive, default=None, metavar="N",
                      help="attendance rows (default: scaled with --enterprises)")
    demo.add_argument("--seed", type=int, default=0, metavar="S")
    demo.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    demo.add_argument("--wave", type=_positive, default=1, metavar="N",
                      help="the export as of survey wave N: each wave after the first adds "
                           "businesses, re-surveys a few, loses one, and adds a quarter of "
                           "trainings and meetings")
    demo.add_argument("--quiet", action="store_true", help="no progress messages")

    check = sub.add_parser("check", help="check a raw input and report every problem")
    check.add_argument("raw", type=Path, metavar="RAW",
                       help="a folder of CSV files or an .xlsx workbook")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--quiet", action="store_true", help="no progress messages")

    build = sub.add_parser("build", help="check, anonymise and publish the data packages")
    build.add_argument("--raw", type=Path, required=True, metavar="RAW")
    build.add_argument("--out", type=Path, default=DEFAULT_PACKAGES, metavar="DIR")
    build.add_argument("--version", default=None, metavar="V",
                       help="the release's version (default: 1.0.0, or the next minor version "
                            "after the highest in DIR)")
    build.add_argument("--history", type=Path, default=None, metavar="H",
                       help="the private history folder: each release's ledger, kept to audit "
                            "later releases (default: $PORTAL_HISTORY_DIR, else "
                            "instance/etl-history)")
    build.add_argument("--quiet", action="store_true", help="no progress messages")

    withdraw = sub.add_parser("withdraw", help="withdraw a published release, keeping a "
                                               "tombstone")
    withdraw.add_argument("version", metavar="VERSION")
    withdraw.add_argument("--out", type=Path, default=DEFAULT_PACKAGES, metavar="DIR")
    withdraw.add_argument("--history", type=Path, default=None, metavar="H")
    withdraw.add_argument("--reason", required=True, metavar="TEXT",
                          help="why (shown in releases.json, the changelog and the portal)")
    return parser


def _raw_exists(parser: argparse.ArgumentParser, path: Path) -> None:
    if not path.exists():
        parser.error(f"{path}: no such file or folder (give a folder of CSV files or an .xlsx "
                     "workbook)")


def cmd_demo(args: argparse.Namespace) -> int:
    from etl.demo import generate

    written = generate(args.out, enterprises=args.enterprises, seed=args.seed, fmt=args.format,
                       attendance=args.attendance, progress=_progress(args.quiet),
                       wave=args.wave)
    print(f"Wrote synthetic demo input to {written}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from etl.report import render_json, render_text
    from etl.validate import check_path

    result = check_path(args.raw, _progress(args.quiet))
    sys.stdout.write(render_json(result) if args.json else render_text(result))
    return 0 if result.ok else 1


def cmd_build(args: argparse.Namespace) -> int:
    from etl.publish import run
    from etl.report import render_text

    progress = _progress(args.quiet)
    try:
        built = run.anonymised(args.raw, args.out, version=args.version, history=args.history,
                               progress=progress)
        print(run.summary(built), file=sys.stderr)
        folder = run.publish(built, args.out, progress)
    except run.Stopped as exc:
        if exc.result is not None:
            sys.stdout.write(render_text(exc.result))
        print(f"Build stopped: {exc}. Nothing was published.", file=sys.stderr)
        return 1
    print(f"Published release {built.version} to {folder} ({args.out / 'latest'} points at "
          "it).", file=sys.stderr)
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from etl.history.ledger import history_dir
    from etl.publish import run

    try:
        tomb = run.withdraw(args.out, args.version, args.reason, args.history)
    except run.Stopped as exc:
        print(f"Withdrawal stopped: {exc}. Nothing was changed.", file=sys.stderr)
        return 1
    print(f"Withdrew release {tomb['version']} from {args.out}: its files are no longer "
          f"published; a tombstone stays in releases.json and CHANGELOG.md, and its files are "
          f"kept in {history_dir(args.history)} for auditing later releases.", file=sys.stderr)
    return 0


COMMANDS = {"demo": cmd_demo, "check": cmd_check, "build": cmd_build,
            "withdraw": cmd_withdraw}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check" or args.command == "build":
        _raw_exists(parser, args.raw)
    return COMMANDS[args.command](args)
