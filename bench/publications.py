"""The publications: time and peak memory to make every document of the demo release in the
four languages (``python -m portal publications --out DIR``), beside the same for English
alone, measured in the same run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench.measure import run


def bench_publications(work: Path) -> dict[str, object]:
    runs = {}
    for label, languages in (("english", ["--lang", "en"]), ("all", [])):
        out = work / f"publications-{label}"
        shutil.rmtree(out, ignore_errors=True)
        measured = run(f"publications ({label})", [sys.executable, "-m", "portal",
                                                   "publications", "--out", str(out),
                                                   *languages])
        files = sorted(out.glob("*"))
        runs[label] = {**measured.as_dict(), "documents": len(files),
                       "bytes": sum(f.stat().st_size for f in files),
                       "largest_pdf": max((f.stat().st_size for f in files
                                           if f.suffix == ".pdf"), default=0)}
    base, full = runs["english"], runs["all"]
    return {"runs": runs,
            "ratio_time": round(full["seconds"] / base["seconds"], 2) if base["seconds"] else None,
            "ratio_memory": round(full["peak_mib"] / base["peak_mib"], 2)
            if base["peak_mib"] else None,
            "note": "peak memory is the Python process's own; Chromium (Kaleido) runs beside it"}


def summary(result: dict[str, object]) -> list[str]:
    lines = []
    for label, r in result["runs"].items():  # type: ignore[union-attr]
        lines.append(f"  {label}: {r['documents']} files in {r['seconds']} s, peak "
                     f"{r['peak_mib']} MiB, {r['bytes'] / 1e6:.1f} MB, largest PDF "
                     f"{r['largest_pdf'] / 1e6:.2f} MB (exit {r['exit_code']})")
    lines.append(f"  four languages / English alone: time ×{result['ratio_time']}, memory "
                 f"×{result['ratio_memory']}")
    return lines
