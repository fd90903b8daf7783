"""A full build (check, anonymise, publish both packages) against frictionless merely
validating the same raw CSV files, measured in the same run (the baseline is passed in)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench.measure import run


def bench_build(raw: Path, work: Path, baseline: dict[str, object]) -> dict[str, object]:
    out = work / f"packages-{raw.name}"
    shutil.rmtree(out, ignore_errors=True)
    build = run("etl build", [sys.executable, "-m", "etl", "build", "--raw", str(raw),
                              "--out", str(out), "--quiet"])
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and not p.is_symlink())
    return {
        "ours": build.as_dict(),
        "baseline": baseline,
        "output_mib": round(size / 2**20, 1),
        "ratio_to_frictionless": round(build.seconds / float(baseline["seconds"]), 2),
    }


def summary(result: dict[str, object]) -> list[str]:
    o, b = result["ours"], result["baseline"]
    return [f"{'':24}{'wall s':>10}{'peak MiB':>12}{'exit':>6}",
            *(f"{r['label']:24}{r['seconds']:>10.1f}{r['peak_mib']:>12.0f}{r['exit_code']:>6}"
              for r in (o, b)),
            f"full build = {result['ratio_to_frictionless']}× frictionless validating the raw "
            f"CSV files (target < 1); output {result['output_mib']} MiB"]
