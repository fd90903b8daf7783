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
DEFAULT_VERSION = "1.0.0"


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


def _next_version(out: Path) -> str:
    """The minor version after the highest in ``out`` (withdrawn ones count: never reused)."""
    from etl.history.earlier import entries
    from etl.publish.releases import version_key

    known = [e["version"] for e in entries(out)] if out.is_dir() else []
    if not known:
        return DEFAULT_VERSION
    major, minor, *_ = version_key(max(known, key=version_key))
    return f"{major}.{minor + 1}.0"


def _audited_before(out: Path, version: str) -> set[str] | None:
    """The releases a published version was audited against (a rebuild must audit against
    the same to come out identical); None for a new version."""
    import json

    from etl.publish.package import PRODUCT_MAP

    report = out / version / PRODUCT_MAP / "disclosure-risk.json"
    if not report.is_file():
        return None
    earlier = json.loads(report.read_text(encoding="utf-8")).get("history", {})
    return {e["version"] for e in earlier.get("earlier_releases", [])}


def cmd_build(args: argparse.Namespace) -> int:
    from etl.anonymise.errors import DisclosureError, HistoryMismatch
    from etl.anonymise.pseudonym import MissingKeyError, release_key
    from etl.anonymise.release import anonymise
    from etl.history.earlier import HistoryError, load
    from etl.history.ledger import history_dir
    from etl.publish.build import extras, publish_release
    from etl.publish.releases import ReleaseError, check_version
    from etl.report import render_text
    from etl.validate import check_path

    def stop(why: str) -> int:
        print(f"Build stopped: {why}. Nothing was published.", file=sys.stderr)
        return 1

    progress = _progress(args.quiet)
    result = check_path(args.raw, progress)
    if not result.ok:
        sys.stdout.write(render_text(result))
        print("Build stopped: the input has errors; nothing was published.", file=sys.stderr)
        return 1
    result.raw.tables.clear()  # the typed tables are what the build reads: free the text
    version = args.version or _next_version(args.out)
    root = history_dir(args.history)
    try:
        check_version(version, args.out if args.out.is_dir() else None)
        key = release_key(bool(result.raw.demo_marker))
        if progress:
            progress(f"reading the earlier releases in {args.out} and their ledgers")
        earlier = load(args.out, root, key, exclude=version,
                       only=_audited_before(args.out, version))
        if progress:
            progress("anonymising (k-anonymity, l-diversity, protected tables, audits"
                     + (f", against {len(earlier)} earlier release"
                        f"{'s' if len(earlier) > 1 else ''})" if earlier else ")"))
        release = anonymise(result, version=version, key=key, earlier=earlier)
    except (MissingKeyError, ReleaseError, HistoryError, HistoryMismatch) as exc:
        return stop(str(exc))
    except DisclosureError as exc:
        return stop(f"disclosure rule {exc.rule} fails in {exc.table}: {exc.detail}")
    m, t = release.report["microdata"], release.report["tables_summary"]
    print(f"Anonymised: k = {m['achieved_k']}, {m['records_suppressed']} of {m['records_out']} "
          f"records locally suppressed; {t['primary'] + t['secondary'] + t['history']} of "
          f"{t['cells']} table cells suppressed"
          + (f" ({t['history']} because of the {len(earlier)} earlier release"
             f"{'s' if len(earlier) > 1 else ''})" if earlier else "")
          + "; every rule passed.", file=sys.stderr)
    try:
        folder = publish_release(result, release, args.out, extras(result, release), progress,
                                 history=(root, key))
    except ReleaseError as exc:
        return stop(str(exc))
    print(f"Published release {release.version} to {folder} ({args.out / 'latest'} points at "
          "it).", file=sys.stderr)
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    import datetime as dt
    import os

    from etl.history.ledger import history_dir, keep_withdrawn
    from etl.publish.releases import ReleaseError, withdraw

    root = history_dir(args.history)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch
            else dt.datetime.now(dt.UTC)).date().isoformat()
    try:
        tomb = withdraw(args.out, args.version, reason=args.reason, when=when,
                        keep=lambda folder, digest: keep_withdrawn(root, digest, folder))
    except (ReleaseError, OSError) as exc:
        print(f"Withdrawal stopped: {exc}. Nothing was changed.", file=sys.stderr)
        return 1
    print(f"Withdrew release {tomb['version']} from {args.out}: its files are no longer "
          f"published; a tombstone stays in releases.json and CHANGELOG.md, and its files are "
          f"kept in {root} for auditing later releases.", file=sys.stderr)
    return 0


COMMANDS = {"demo": cmd_demo, "check": cmd_check, "build": cmd_build,
            "withdraw": cmd_withdraw}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check" or args.command == "build":
        _raw_exists(parser, args.raw)
    return COMMANDS[args.command](args)
