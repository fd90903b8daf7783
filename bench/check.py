"""Checking a national-scale raw input: `etl check` against `frictionless validate`.

The input is generated (100,000 businesses, their products, 1,000,000 attendance rows). The
baseline validates the same CSV files with frictionless-py under a plain Table Schema derived
from the same contract (types, required values, primary keys; no code lists, since the raw
format's case-insensitive codes and two date forms are beyond what Table Schema expresses).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.measure import Run, run
from etl.rawformat import tables

#: Table Schema types for the contract's types, for the baseline.
PLAIN_TYPES = {"integer": "integer", "number": "number"}


def plain_package(raw: Path, out: Path) -> Path:
    """A datapackage.json describing the raw CSV files with plain Table Schemas."""
    resources = []
    for spec in tables().values():
        if not (raw / spec.filename).exists():
            continue
        fields = [{"name": f.name, "type": PLAIN_TYPES.get(f.type, "string"),
                   "constraints": {"required": True} if f.required else {}}
                  for f in spec.fields]
        schema: dict[str, object] = {"fields": fields}
        if spec.primary_key:
            schema["primaryKey"] = list(spec.primary_key)
        resources.append({"name": spec.name, "path": str((raw / spec.filename).resolve()),
                          "profile": "tabular-data-resource", "format": "csv",
                          "encoding": "utf-8", "schema": schema})
    path = out / "plain-datapackage.json"
    path.write_text(json.dumps({"name": "raw-bench", "resources": resources}, indent=1))
    return path


def bench_check(raw: Path, work: Path) -> dict[str, object]:
    python = sys.executable
    ours = run("etl check", [python, "-m", "etl", "check", str(raw), "--json", "--quiet"])
    package = plain_package(raw, work)
    # --trusted: the descriptor holds absolute paths of files we just wrote ourselves.
    theirs = run("frictionless validate",
                 [python, "-m", "frictionless", "validate", "--trusted", str(package)])
    return {
        "ours": ours.as_dict(),
        "baseline": theirs.as_dict(),
        "speedup": round(theirs.seconds / ours.seconds, 1),
        "memory_ratio": round(ours.peak_mib / theirs.peak_mib, 2),
    }


def summary(result: dict[str, object]) -> list[str]:
    ours, theirs = Run(**result["ours"]), Run(**result["baseline"])  # type: ignore[arg-type]
    return [
        f"{'':24}{'wall s':>10}{'peak MiB':>12}{'exit':>6}",
        *(f"{r.label:24}{r.seconds:>10.1f}{r.peak_mib:>12.0f}{r.exit_code:>6}"
          for r in (ours, theirs)),
        f"etl check is {result['speedup']}× faster than frictionless validate "
        f"(target ≥ 5×; target < 60 s and < 2048 MiB)",
    ]
