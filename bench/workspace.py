"""The staff workspace: a survey export uploaded, checked, previewed and published through the
web application (its stages timed in one child process) beside ``python -m etl build`` of the
same export onto the same releases, measured in the same run.

The demo survey's third wave (as an XLSX workbook) goes on top of releases 1.0.0 and 1.1.0 built
from waves 1 and 2, as a field officer's next export would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

from bench.measure import run

PASSWORD = "benchmark password"


def _releases(work: Path) -> tuple[Path, Path, Path]:
    from etl.demo import generate
    from etl.publish import run as build

    work.mkdir(parents=True, exist_ok=True)
    history, template = work / "history", work / "packages"
    os.environ["PORTAL_HISTORY_DIR"] = str(history)
    export = work / "wave3.xlsx"
    if not export.exists():
        generate(export, wave=3, fmt="xlsx")
    if not (template / "1.1.0").is_dir():
        shutil.rmtree(template, ignore_errors=True)
        for wave, version in ((1, "1.0.0"), (2, "1.1.0")):
            raw = generate(work / f"wave{wave}", wave=wave)
            build.publish(build.anonymised(raw, template, version=version), template)
    return template, history, export


def flow(packages: Path, root: Path, export: Path) -> dict[str, float]:
    """Sign in, upload, open the report, preview, publish: seconds per stage."""
    from portal.workspace import accounts
    from portal.workspace.app import create_app

    app = create_app({"WORKSPACE_DIR": root, "PACKAGES_DIR": packages,
                      "SECRET_KEY": "benchmark secret key 0123456789"})
    with app.extensions["workspace_db"].session() as s:
        accounts.add(s, "bench", "publisher", PASSWORD)
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"

    def form(path: str) -> dict[str, str]:
        html = client.get(path, base_url="https://localhost").text
        return dict(re.findall(r'name="(csrf_token|once)" value="([^"]+)"', html))

    times, start = {}, time.perf_counter()

    def lap(name: str) -> None:
        nonlocal start
        times[name] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()

    client.post("/login", base_url="https://localhost",
                data={"name": "bench", "password": PASSWORD, **form("/login")})
    lap("sign_in")
    with export.open("rb") as handle:
        sent = client.post("/uploads/", base_url="https://localhost",
                           data={**form("/uploads/"), "file": (handle, export.name)},
                           content_type="multipart/form-data")
    page = sent.headers["Location"]
    lap("upload_and_check")
    client.get(page, base_url="https://localhost")
    lap("report_page")
    client.post(page + "/preview", base_url="https://localhost", data=form(page))
    lap("preview")
    client.get(page, base_url="https://localhost")
    lap("preview_page")
    done = client.post(page + "/publish", base_url="https://localhost", data=form(page))
    assert done.headers["Location"].endswith("/releases/"), done.status_code
    lap("publish")
    return times


def bench_workspace(work: Path) -> dict[str, object]:
    template, history, export = _releases(work)
    runs = {}
    for label in ("cli", "workspace"):
        packages = work / f"packages-{label}"
        shutil.rmtree(packages, ignore_errors=True)
        shutil.copytree(template, packages, symlinks=True)
        stages = work / f"stages-{label}.json"
        argv = ([sys.executable, "-m", "etl", "build", "--raw", str(export), "--out",
                 str(packages), "--history", str(history), "--quiet"] if label == "cli" else
                [sys.executable, "-m", "bench.workspace", str(packages), str(work / "ws"),
                 str(export), str(stages)])
        shutil.rmtree(work / "ws", ignore_errors=True)
        measured = run(f"workspace benchmark ({label})", argv)
        runs[label] = {**measured.as_dict(),
                       "published": (packages / "latest").resolve().name}
        if label == "workspace" and stages.exists():
            runs[label]["stages"] = json.loads(stages.read_text())
    base, web = runs["cli"], runs["workspace"]
    return {"runs": runs,
            "ratio_time": round(web["seconds"] / base["seconds"], 2),
            "ratio_memory": round(web["peak_mib"] / base["peak_mib"], 2),
            "note": "the workspace checks the export twice (on upload, then in the build) and "
                    "builds it twice (preview, then publish), and loads both releases to show "
                    "the key figures; the CLI checks and builds once"}


def summary(result: dict[str, object]) -> list[str]:
    lines = []
    for label, r in result["runs"].items():  # type: ignore[union-attr]
        lines.append(f"  {label}: {r['seconds']} s, peak {r['peak_mib']} MiB, published "
                     f"{r['published']} (exit {r['exit_code']})")
        if "stages" in r:
            lines.append("    " + ", ".join(f"{k} {v} s" for k, v in r["stages"].items()))
    lines.append(f"  workspace / CLI: time ×{result['ratio_time']}, memory "
                 f"×{result['ratio_memory']}")
    return lines


if __name__ == "__main__":
    packages, root, export, stages = map(Path, sys.argv[1:5])
    os.environ.setdefault("PORTAL_HISTORY_DIR", str(packages.parent / "history"))
    stages.write_text(json.dumps(flow(packages, root, export)))
