"""`python -m bench [--only etl|history|portal|api|production|publications|workspace]
[--enterprises N]
[--attendance N]`:
generate the input, run each benchmark, print the figures and write them to bench/results/.

`etl` is the pipeline at national scale (bench.json); `history` a build on top of three
earlier releases against the same build without history (history.json, also in bench.json);
`publications` the documents of the demo release (publications.json); `workspace` an export
published through the staff workspace beside the CLI (workspace.json); `portal` is the
dashboard's speed in
Chromium and Lighthouse (portal.json); `api` is the CKAN read API under load beside Datasette
(api.json); `production` is the deployed portal (gunicorn workers, SQLite or PostgreSQL with
Redis) under locust, and the 100,000-business release loaded and charted (production.json).
Without --only all run and bench.json holds all."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench import (
    anonymise,
    api,
    check,
    history,
    portal,
    production,
    publications,
    publish,
    workspace,
)

ROOT = Path(__file__).resolve().parent.parent


def _demo(work: Path) -> Path:
    from etl.demo import generate

    folder = work / "demo-400"
    if not (folder / "_demo.json").exists():
        generate(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--attendance", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--only", choices=("etl", "history", "portal", "api", "production",
                                                   "publications", "workspace"),
                        help="run one part: the ETL pipeline, the portal (dashboard), the "
                             "CKAN API beside Datasette or the production server under load")
    parser.add_argument("--production-seconds", type=int, default=production.SECONDS,
                        help="locust run per cell of the production matrix, after the ramp")
    parser.add_argument("--production-workers", type=int, nargs="+",
                        default=list(production.WORKERS))
    parser.add_argument("--production-users", type=int, nargs="+",
                        default=list(production.USERS))
    parser.add_argument("--production-no-big", action="store_true",
                        help="skip the 100,000-business release in the production benchmark")
    args = parser.parse_args(argv)
    # Servers measured here make no documents beside them (portal.publications.ahead).
    os.environ.setdefault("PORTAL_PUBLICATIONS_AHEAD", "0")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count()}
    if args.only == "history":
        result = {"machine": machine, **_history(args)}
        (out / "history.json").write_text(json.dumps(result, indent=1) + "\n")
        print("\n".join(history.summary(result)))
        return 0 if result["target"]["met"] else 1
    if args.only == "portal":
        _portal(args.work, out, machine)
        return 0
    if args.only == "publications":
        _publications(args.work, out, machine)
        return 0
    if args.only == "workspace":
        _workspace(args.work, out, machine)
        return 0
    if args.only == "api":
        return 1 if "failed" in _api(args, out, machine) else 0
    if args.only == "production":
        return 1 if "failed" in _production(args, out, machine) else 0

    from etl.demo import generate

    raw = args.work / f"raw-{args.enterprises}-{args.attendance}"
    if not (raw / "_demo.json").exists():
        print(f"generating {args.enterprises:,} businesses, {args.attendance:,} attendance rows…",
              file=sys.stderr)
        start = time.perf_counter()
        generate(raw, enterprises=args.enterprises, attendance=args.attendance, seed=1)
        print(f"  generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    rows = {p.name: sum(1 for _ in p.open("rb")) - 1 for p in sorted(raw.glob("*.csv"))}

    result = {
        "machine": machine,
        "input": {"path": str(raw), "rows": rows,
                  "bytes": sum(p.stat().st_size for p in raw.glob("*.csv"))},
        "check": check.bench_check(raw, args.work),
        "anonymise": anonymise.bench_anonymise(raw, args.work),
        "anonymise_demo": anonymise.bench_anonymise(_demo(args.work), args.work),
    }
    result["build"] = publish.bench_build(raw, args.work, result["check"]["baseline"])
    result["history"] = _history(args)
    (out / "bench.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"input: {rows}  ({result['input']['bytes'] / 2**20:.0f} MiB)")
    print("\n".join(check.summary(result["check"])))
    print("\n100,000 businesses:")
    print("\n".join(anonymise.summary(result["anonymise"])))
    print("\nDemo input (400 businesses):")
    print("\n".join(anonymise.summary(result["anonymise_demo"])))
    print("\nFull build, 100,000 businesses:")
    print("\n".join(publish.summary(result["build"])))
    print("\nA build on top of three earlier releases (audited against each):")
    print("\n".join(history.summary(result["history"])))
    if args.only is None:
        result["portal"] = _portal(args.work, out, machine)
        result["publications"] = _publications(args.work, out, machine)
        result["workspace"] = _workspace(args.work, out, machine)
        result["api"] = _api(args, out, machine)
        result["production"] = _production(args, out, machine)
        (out / "bench.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {out / 'bench.json'}")
    return 1 if "failed" in result.get("api", {}) or "failed" in result.get("production", {}) \
        else 0


def _history(args: argparse.Namespace) -> dict[str, object]:
    print(f"history: {args.enterprises:,} businesses on top of three earlier releases…",
          file=sys.stderr)
    return history.bench_history(args.work, args.enterprises, args.attendance)


def _portal(work: Path, out: Path, machine: dict[str, object]) -> dict[str, object]:
    """The dashboard benchmark: written to portal.json and returned for bench.json."""
    print("portal: chart callbacks, pages in Chromium, bytes, Lighthouse…", file=sys.stderr)
    start = time.perf_counter()
    result = {"machine": machine, **portal.bench_portal(work / "portal")}
    result["seconds"] = round(time.perf_counter() - start, 1)
    (out / "portal.json").write_text(json.dumps(result, indent=1) + "\n")
    print("\nPortal (dashboard), measured in this run against a one-chart Dash app:")
    print("\n".join(portal.summary(result)))
    print(f"written to {out / 'portal.json'}")
    return result


def _workspace(work: Path, out: Path, machine: dict[str, object]) -> dict[str, object]:
    """The staff workspace beside the CLI: written to workspace.json and returned."""
    print("workspace: an export published through the web application and by the CLI…",
          file=sys.stderr)
    result = {"machine": machine, **workspace.bench_workspace(work / "workspace")}
    (out / "workspace.json").write_text(json.dumps(result, indent=1) + "\n")
    print("\nStaff workspace (upload → check → preview → publish) beside `etl build`:")
    print("\n".join(workspace.summary(result)))
    print(f"written to {out / 'workspace.json'}")
    return result


def _publications(work: Path, out: Path, machine: dict[str, object]) -> dict[str, object]:
    """Every document of the demo release in four languages: publications.json."""
    print("publications: the report and handbooks of the demo release…", file=sys.stderr)
    result = {"machine": machine, **publications.bench_publications(work)}
    (out / "publications.json").write_text(json.dumps(result, indent=1) + "\n")
    print("\nPublications (demo release):")
    print("\n".join(publications.summary(result)))
    return result


def _api(args: argparse.Namespace, out: Path, machine: dict[str, object]) -> dict[str, object]:
    """The API benchmark on the same release as the ETL one: written to api.json and returned.

    If it cannot run (no API yet, no wrk, a wrong answer) or a figure failed (socket errors,
    4xx/5xx under load) it says why and the exit status is 1, without losing the other
    benchmarks' figures."""
    print("api: CKAN package_show and datastore_search beside Datasette, under wrk…",
          file=sys.stderr)
    start = time.perf_counter()
    try:
        figures = api.bench_api(args.work, args.enterprises, args.attendance)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"\nAPI benchmark FAILED: {error}", file=sys.stderr)
        return {"failed": str(error)}
    result = {"machine": machine, **figures}
    result["seconds"] = round(time.perf_counter() - start, 1)
    (out / "api.json").write_text(json.dumps(result, indent=1) + "\n")
    print("\nCKAN API beside Datasette (same SQLite table), measured in this run:")
    print("\n".join(api.summary(result)))
    print(f"written to {out / 'api.json'}")
    return result


def _production(args: argparse.Namespace, out: Path,
                machine: dict[str, object]) -> dict[str, object]:
    """The production benchmark: written to production.json and returned for bench.json.

    Without PostgreSQL, Redis or locust, or with a wrong answer or an error under load, it
    says why and the exit status is 1, keeping the other benchmarks' figures."""
    print("production: gunicorn workers × backends × users under locust, then 100,000 "
          "businesses…", file=sys.stderr)
    try:
        figures = production.bench_production(
            args.work, args.production_seconds, tuple(args.production_workers),
            tuple(args.production_users), not args.production_no_big, args.enterprises,
            args.attendance)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"\nProduction benchmark FAILED: {error}", file=sys.stderr)
        return {"failed": str(error)}
    result: dict[str, object] = {"machine": machine, **figures}
    if not figures["target"]["met"]:
        result["failed"] = "errors or wrong answers under load (see the cells)"
    (out / "production.json").write_text(json.dumps(result, indent=1) + "\n")
    print("\nProduction server under locust, measured in this run:")
    print("\n".join(production.summary(figures)))
    print(f"written to {out / 'production.json'}")
    return result


if __name__ == "__main__":
    raise SystemExit(main())
