"""Lighthouse scores (performance, accessibility; mobile and desktop) for given URLs.

Lighthouse 12.2.3 comes from npm into ``bench/node_modules`` (``make lighthouse``; pinned by
``bench/package-lock.json``): later releases need a newer Node than this machine's. Without it
(no npm, no registry) the scores are skipped with the reason, and the rest of the benchmark
still runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
BINARY = BENCH / "node_modules" / ".bin" / "lighthouse"
VERSION = "12.2.3"
PRESETS = ("mobile", "desktop")  # mobile is Lighthouse's default (no --preset)
#: Runs per URL and preset; the one with the median performance score is reported, as
#: Lighthouse's own docs advise: one run on a 2-core machine varies by ±10 points.
RUNS = 3
TARGETS = {"performance_desktop": 90, "performance_mobile": 75, "accessibility": 100}
#: Audit id → key in the results; numericValue in ms, bytes, or unitless for CLS.
METRICS = {"first-contentful-paint": "fcp_ms", "largest-contentful-paint": "lcp_ms",
           "total-blocking-time": "tbt_ms", "speed-index": "si_ms",
           "cumulative-layout-shift": "cls", "total-byte-weight": "bytes",
           "bootup-time": "js_boot_ms", "mainthread-work-breakdown": "main_thread_ms"}


def ensure_installed() -> str | None:
    """None when Lighthouse can run, else why not (after one ``npm ci`` attempt)."""
    if BINARY.exists():
        return None
    if shutil.which("npm") is None:
        return "npm is not installed, so Lighthouse could not be installed (make lighthouse)"
    print("  installing Lighthouse with npm ci …", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                              cwd=BENCH, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return "npm ci timed out (no network?); Lighthouse scores skipped"
    if done.returncode != 0 or not BINARY.exists():
        said = [line.removeprefix("npm error ") for line in done.stderr.splitlines()
                if line.strip() and "complete log" not in line][:2] or ["no message"]
        return f"npm ci failed, no registry? ({'; '.join(said)}); Lighthouse scores skipped"
    return None


def run(url: str, preset: str, report: Path) -> dict[str, Any]:
    """One Lighthouse run; the full JSON ``report`` is kept for a closer look."""
    report.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(BINARY), url, "--chrome-flags=--headless=new --no-sandbox", "--output=json",
            f"--output-path={report}", "--only-categories=performance,accessibility", "--quiet"]
    if preset == "desktop":
        argv.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"}
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return {"error": "Lighthouse timed out after 300 s"}
    if done.returncode != 0 or not report.exists():
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:300]}
    return parse(json.loads(report.read_text()))


def _score(category: dict[str, Any]) -> int | None:
    score = category.get("score")
    return None if score is None else round(score * 100)


def _number(value: float | None, key: str) -> float | int:
    return round(value or 0, 3) if key == "cls" else round(value or 0)


def _items(audits: dict[str, Any], audit: str) -> list[dict[str, Any]]:
    return (audits.get(audit, {}).get("details") or {}).get("items", [])


def _file(url: str) -> str:
    return url.split("/")[-1].split("?")[0][:60]


def parse(report: dict[str, Any]) -> dict[str, Any]:
    """Scores ×100, key metrics, failing accessibility audits and what would save most."""
    categories, audits = report["categories"], report["audits"]
    failing = [ref["id"] for ref in categories["accessibility"]["auditRefs"]
               if ref.get("weight", 0) > 0 and audits[ref["id"]].get("score") is not None
               and audits[ref["id"]]["score"] < 1]
    savings = []
    for audit in audits.values():
        details = audit.get("details") or {}
        if details.get("type") == "opportunity" and (details.get("overallSavingsMs") or 0) > 0:
            savings.append({"audit": audit["id"],
                            "ms": round(details["overallSavingsMs"]),
                            "bytes": round(details.get("overallSavingsBytes") or 0)})
    heaviest = _items(audits, "total-byte-weight")[:4]
    uncached = [_file(item["url"]) for item in _items(audits, "uses-long-cache-ttl")
                if not item.get("cacheLifetimeMs")]
    return {
        "performance": _score(categories["performance"]),
        "accessibility": _score(categories["accessibility"]),
        **{key: _number(audits[audit].get("numericValue"), key)
           for audit, key in METRICS.items() if audit in audits},
        "failing_accessibility": failing,
        "opportunities": sorted(savings, key=lambda s: -s["ms"])[:5],
        "heaviest": [{"file": _file(item["url"]), "bytes": item.get("totalBytes")}
                     for item in heaviest],
        "no_cache_lifetime": uncached,
        "warnings": report.get("runWarnings", [])[:3],
    }


def median_run(tries: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median performance score (an error if any run failed), with every
    run's score beside it."""
    failed = [t for t in tries if "error" in t]
    if failed:
        return failed[0]
    ranked = sorted(tries, key=lambda t: t["performance"] or 0)
    return {**ranked[len(ranked) // 2], "performance_runs": [t["performance"] for t in tries]}


def bench_lighthouse(urls: dict[str, str], out: Path) -> dict[str, Any]:
    """Every URL under every preset; ``urls`` maps a label (the baseline's too) to a URL."""
    problem = ensure_installed()
    if problem:
        print(f"  Lighthouse skipped: {problem}", file=sys.stderr, flush=True)
        return {"skipped": problem}
    runs: dict[str, dict[str, Any]] = {}
    for label, url in urls.items():
        for preset in PRESETS:
            print(f"  Lighthouse {preset} {label} ×{RUNS} …", file=sys.stderr, flush=True)
            name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
            tries = [run(url, preset, out / f"{name}-{preset}-{i + 1}.json") for i in range(RUNS)]
            runs.setdefault(label, {})[preset] = median_run(tries)
    ours = [r for label, presets in runs.items() if not label.startswith("baseline")
            for r in presets.values()]
    met = all("error" not in r for r in ours) and all(
        (r["performance"] or 0) >= TARGETS[f"performance_{preset}"]
        and r["accessibility"] == TARGETS["accessibility"]
        for label, presets in runs.items() if not label.startswith("baseline")
        for preset, r in presets.items())
    return {"version": VERSION, "runs": runs, "targets": {**TARGETS, "met": met},
            "reports": str(out)}


def summary(result: dict[str, Any]) -> list[str]:
    """Table-like lines: scores and metrics per URL and preset, then what fails."""
    if not result:
        return []
    if "skipped" in result:
        return [f"\nLighthouse: SKIPPED — {result['skipped']}"]
    lines = [f"\n{'Lighthouse ' + result['version']:28}{'perf':>6}{'a11y':>6}{'FCP':>7}"
             f"{'LCP':>7}{'TBT':>6}{'KiB':>7}"]
    notes = []
    for label, presets in result["runs"].items():
        for preset, run_ in presets.items():
            name = f"{label} {preset}"
            if "error" in run_:
                lines.append(f"{name[:28]:28} error: {run_['error']}")
                continue
            lines.append(f"{name[:28]:28}{run_['performance']:>6}{run_['accessibility']:>6}"
                         f"{run_.get('fcp_ms', 0):>7.0f}{run_.get('lcp_ms', 0):>7.0f}"
                         f"{run_.get('tbt_ms', 0):>6.0f}{run_.get('bytes', 0) / 1024:>7.0f}")
            if run_["failing_accessibility"]:
                failing = ", ".join(run_["failing_accessibility"])
                notes.append(f"  {name}: accessibility fails {failing}")
    targets = result["targets"]
    lines += notes
    lines.append(f"targets perf ≥ {targets['performance_desktop']} desktop, ≥ "
                 f"{targets['performance_mobile']} mobile, accessibility 100: "
                 f"{'met' if targets['met'] else 'NOT met'} (reports in {result['reports']})")
    return lines
