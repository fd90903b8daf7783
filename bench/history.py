"""A build on top of three earlier releases against the same build without history.

Four survey waves are generated so that the fourth holds `enterprises` businesses and about
`attendance` attendance rows (each wave adds about 10% of the first wave's businesses and 30%
of its attendance). Waves 1–3 are published as 1.0.0–1.2.0 into one folder; then wave 4 is
built twice in the same run: as 1.3.0 on top of those three (audited against each, ledgers
read back) and as a first release into an empty folder (the baseline). Both are full builds
(check, anonymise, publish) in child processes, for wall time and peak memory.

The demo input adds what the history costs users: the second demo wave built on top of the
first, against the same wave built alone, in suppressed cells.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from bench.measure import run

#: Growth of the first wave's businesses and attendance by the fourth wave.
BUSINESS_GROWTH = 1.3
ATTENDANCE_GROWTH = 1.9


def _waves(work: Path, enterprises: int, attendance: int) -> list[Path]:
    from etl.demo import generate

    first = round(enterprises / BUSINESS_GROWTH)
    rows = round(attendance / ATTENDANCE_GROWTH)
    folders = []
    for wave in range(1, 5):
        folder = work / f"history-raw-{enterprises}-{attendance}-wave{wave}"
        if not (folder / "_demo.json").exists():
            print(f"  generating wave {wave}…", file=sys.stderr, flush=True)
            generate(folder, enterprises=first, attendance=rows, seed=2, wave=wave)
        folders.append(folder)
    return folders


def _build(label: str, raw: Path, out: Path, history: Path, version: str) -> dict:
    return run(label, [sys.executable, "-m", "etl", "build", "--raw", str(raw), "--out",
                       str(out), "--version", version, "--history", str(history),
                       "--quiet"]).as_dict()


def _suppressed(out: Path, version: str) -> dict[str, int]:
    report = json.loads((out / version / "north-kosovo-product-map" / "disclosure-risk.json")
                        .read_text(encoding="utf-8"))
    summary = report["tables_summary"]
    return {"cells": summary["cells"],
            "suppressed": summary["primary"] + summary["secondary"] + summary["history"],
            "history": summary["history"]}


def bench_history(work: Path, enterprises: int, attendance: int) -> dict[str, object]:
    waves = _waves(work, enterprises, attendance)
    out, alone, history = (work / f"history-{n}" for n in ("packages", "alone", "ledgers"))
    for folder in (out, alone, history):
        shutil.rmtree(folder, ignore_errors=True)
    earlier = [_build(f"release 1.{i}.0 (wave {i + 1})", raw, out, history, f"1.{i}.0")
               for i, raw in enumerate(waves[:3])]
    with_history = _build("release 1.3.0 on top of 3 releases", waves[3], out, history,
                          "1.3.0")
    baseline = _build("the same, no history", waves[3], alone, history, "1.3.0")
    rows = sum(1 for _ in (waves[3] / "enterprises.csv").open("rb")) - 1
    demo = _demo_cost(work)
    return {
        "businesses": rows,
        "earlier_builds": earlier,
        "ours": with_history,
        "baseline": baseline,
        "ratio_to_no_history": round(with_history["seconds"] / baseline["seconds"], 2),
        "suppressed_with_history": _suppressed(out, "1.3.0"),
        "suppressed_alone": _suppressed(alone, "1.3.0"),
        "demo": demo,
        "target": {"ratio": 2.0, "peak_mib": 2048,
                   "met": with_history["seconds"] < 2 * baseline["seconds"]
                   and with_history["peak_mib"] < 2048 and with_history["exit_code"] == 0},
    }


def _demo_cost(work: Path) -> dict[str, object]:
    """The demo's second wave on top of the first, and alone: the cells history costs."""
    from etl.demo import generate

    waves = []
    for wave in (1, 2):
        folder = work / f"history-demo-wave{wave}"
        if not (folder / "_demo.json").exists():
            generate(folder, wave=wave)
        waves.append(folder)
    out, alone, history = (work / f"history-demo-{n}" for n in ("packages", "alone", "ledgers"))
    for folder in (out, alone, history):
        shutil.rmtree(folder, ignore_errors=True)
    _build("demo 1.0.0", waves[0], out, history, "1.0.0")
    timed = _build("demo 1.1.0 on top of 1.0.0", waves[1], out, history, "1.1.0")
    _build("demo wave 2 alone", waves[1], alone, history, "1.1.0")
    return {"with_history": _suppressed(out, "1.1.0"), "alone": _suppressed(alone, "1.1.0"),
            "seconds": timed["seconds"]}


def summary(result: dict[str, object]) -> list[str]:
    o, b = result["ours"], result["baseline"]
    lines = [f"{'':40}{'wall s':>10}{'peak MiB':>12}{'exit':>6}"]
    lines += [f"{r['label']:40}{r['seconds']:>10.1f}{r['peak_mib']:>12.0f}{r['exit_code']:>6}"
              for r in (*result["earlier_builds"], o, b)]
    met = "met" if result["target"]["met"] else "NOT met"
    h, a = result["suppressed_with_history"], result["suppressed_alone"]
    d = result["demo"]
    lines += [f"{result['businesses']:,} businesses on top of 3 releases = "
              f"{result['ratio_to_no_history']}× the build without history, peak "
              f"{o['peak_mib']:.0f} MiB (targets < 2×, < 2,048 MiB: {met})",
              f"cells suppressed: {h['suppressed']} of {h['cells']} with history "
              f"({h['history']} because of it), {a['suppressed']} of {a['cells']} alone",
              f"demo, second wave: {d['with_history']['suppressed']} of "
              f"{d['with_history']['cells']} cells suppressed on top of 1.0.0 "
              f"({d['with_history']['history']} because of it), "
              f"{d['alone']['suppressed']} of {d['alone']['cells']} alone"]
    return lines
