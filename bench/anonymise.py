"""Anonymising a national-scale input: check + disclosure control, against check alone.

The baseline is `etl check` on the same files in the same run, so the figure that matters —
what disclosure control adds — is measured on this machine, not remembered. The child also
writes what the risk report says about information lost (levels chosen, shares suppressed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.measure import run


def child(raw: str, out: str) -> None:
    """Run in the measured process: check, anonymise, keep the information-loss figures."""
    from etl.anonymise.release import anonymise
    from etl.validate import check_path

    release = anonymise(check_path(Path(raw)), version="0.0.0-bench")
    report = release.report
    micro = report["microdata"]
    sensitive_cells = micro["records_out"] * len(micro["sensitive"])
    Path(out).write_text(json.dumps({
        "levels": {q["variable"]: q["level_name"] for q in micro["quasi_identifiers"]},
        "records_suppressed_share": micro["suppressed_share"],
        "achieved_k": micro["achieved_k"],
        "sensitive_cells_suppressed_share": round(
            sum(s["suppressed"] for s in micro["sensitive"]) / max(1, sensitive_cells), 4),
        "table_cells": report["tables_summary"]["cells"],
        "table_cells_suppressed_share": report["tables_summary"]["suppressed_share"],
    }, indent=1))


def bench_anonymise(raw: Path, work: Path) -> dict[str, object]:
    python = sys.executable
    baseline = run("etl check", [python, "-m", "etl", "check", str(raw), "--json", "--quiet"])
    loss = work / f"loss-{raw.name}.json"
    ours = run("check + anonymise", [python, "-c", "import sys; from bench.anonymise import "
                                     "child; child(sys.argv[1], sys.argv[2])", str(raw),
                                     str(loss)])
    return {
        "baseline": baseline.as_dict(),
        "ours": ours.as_dict(),
        "anonymise_seconds": round(ours.seconds - baseline.seconds, 2),
        "ratio_to_check": round(ours.seconds / baseline.seconds, 1),
        "information_loss": json.loads(loss.read_text()) if ours.exit_code == 0 else None,
    }


def summary(result: dict[str, object]) -> list[str]:
    b, o = result["baseline"], result["ours"]
    lines = [f"{'':24}{'wall s':>10}{'peak MiB':>12}{'exit':>6}"]
    lines += [f"{r['label']:24}{r['seconds']:>10.1f}{r['peak_mib']:>12.0f}{r['exit_code']:>6}"
              for r in (b, o)]
    lines.append(f"disclosure control adds {result['anonymise_seconds']} s "
                 f"({result['ratio_to_check']}× check alone; target < 60 s, < 2048 MiB)")
    if result["information_loss"]:
        lines.append(f"information loss: {json.dumps(result['information_loss'])}")
    return lines
