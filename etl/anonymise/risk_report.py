"""The disclosure-risk report published in every package: JSON for programs, Markdown for
people. The JSON document is the source; the Markdown is rendered from it, so they never
disagree."""

from __future__ import annotations

import json
from typing import Any

Report = dict[str, Any]


def to_json(report: Report) -> str:
    return json.dumps(report, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _history(history: Report) -> list[str]:
    earlier = history.get("earlier_releases") or []
    lines = ["## Release history", "",
             "An attacker may hold every release ever published (withdrawn ones too) and know "
             "which businesses, people and meetings joined, left or changed between any two. "
             "This release was checked together with each earlier one: the microdata rows that "
             "differ must be k-anonymous among themselves, and solving the tables of both "
             "releases must not narrow any hidden cell, nor what the changed units contribute "
             "to a cell, below what a single release allows.", ""]
    if not earlier:
        return [*lines, "There is no earlier release: this is the first.", ""]
    micro = {m["version"]: m for m in history.get("microdata") or []}
    tables = {t["version"]: t for t in history.get("tables") or []}
    rows = []
    for e in earlier:
        m, t = micro.get(e["version"], {}), tables.get(e["version"], {})
        changed = ", ".join(f"{n:,} {kind}" for kind, n in (t.get("changed_units") or {})
                            .items())
        rows.append([e["version"], e["status"], e.get("released", ""), changed or "none",
                     m.get("rows_differing", 0), t.get("difference_cells_at_risk", 0),
                     t.get("hidden_cells_checked", 0), "pass"])
    notes = [f"Release {t['version']} was built by an earlier version of the ETL and did not "
             f"publish {', '.join(f'`{n}`' for n in t['tables_not_compared'])}: "
             "there is nothing in it to difference them against, so they were checked by "
             "every rule of a single release, and against it only through the cells they "
             "share with its tables." for t in tables.values() if t.get("tables_not_compared")]
    return [*lines, *_table(["earlier release", "status", "released", "units changed since",
                             "microdata rows differing", "difference cells at risk",
                             "hidden cells checked", "result"], rows),
            *(line for note in notes for line in (note, ""))]


def _carried(c: Report | None) -> list[str]:
    if not c or not c["cells_suppressed"]:
        return []
    return [f"Waves first published by an earlier release: {c['cells_suppressed']:,} more cells "
            f"suppressed in this release ({c['records_affected']:,} records in "
            f"{c['classes_affected']:,} classes where a business was listed after its wave was "
            "published). The earlier release still shows those cells: this protects readers "
            "of this release only.", ""]


def _directory(d: Report | None) -> list[str]:
    """The supplier directory as background knowledge (absent when the input has none)."""
    if not d:
        return []
    m, t = d["microdata"], d["tables"]
    shows = d["listings_showing"]
    lines = ["## Supplier directory as background knowledge", "",
             f"An attacker can read every listing of the supplier directory ({d['listings']:,} "
             f"listings: {', '.join(d['attributes'])}; {shows['municipality']:,} show their "
             f"municipality, {shows['products']:,} their products and "
             f"{shows['certifications']:,} their certifications). Sector and municipality are "
             "register facts, already assumed known of every business; names and languages link "
             "to nothing published. What links to the survey is the certifications shown "
             f"({', '.join(d['linked_attributes']['microdata'])}), so the microdata and the "
             f"tables {', '.join(f'`{n}`' for n in d['linked_attributes']['tables'])} were "
             "checked with the listed businesses' values known.", "",
             f"Microdata: {m['cells_suppressed']:,} more cells suppressed (certification items "
             f"of {m['classes_affected']:,} equivalence classes, {m['records_affected']:,} "
             f"records) so that no listing narrows its class below k; {m['records_checked']:,} "
             "listed records checked, the smallest set of records a listing leaves is "
             f"{m['smallest_candidate_set'] if m['smallest_candidate_set'] is not None else '—'}.",
             "",
             *_carried(m.get("carried_waves")),
             f"Tables: {t['cells_suppressed']:,} more cells suppressed by the `directory` rule "
             "(threshold and 0%/100% judged on the businesses the attacker does not know; their "
             "complements are counted under secondary suppression); "
             f"{t['cells_checked']:,} published cells re-checked.", ""]
    if t["by_table"]:
        lines += _table(["table", "cells suppressed by the directory rule"],
                        [[n, c] for n, c in t["by_table"].items()])
    return lines


def to_markdown(report: Report) -> str:
    m = report["microdata"]
    lines = [
        f"# Disclosure-risk report — {report['package']} {report['version']}",
        "",
        "Every rule below was checked when this release was built; a failing rule stops the "
        "build, so a published release passes them all.",
        "",
        "## Rules",
        "",
        *_table(["rule", "scope", "result", "detail"],
                [[r["rule"], r["scope"], "pass" if r["passed"] else "FAIL", r["detail"]]
                 for r in report["rules"]]),
        "## Parameters",
        "",
        *_table(["parameter", "value"], [[k, v] for k, v in report["parameters"].items()]),
        "## Business microdata",
        "",
        f"Records in: {m['records_in']:,}; records out: {m['records_out']:,}. Records locally "
        f"suppressed (all quasi-identifiers replaced by "
        f"`{report['parameters']['suppressed_marker']}`): {m['records_suppressed']:,} "
        f"({_pct(m['suppressed_share'])}).",
        "",
        f"Achieved k: **{m['achieved_k']}**. Sample uniques before: {m['uniques_before']:,}; "
        f"after: {m['uniques_after']:,}. Records with re-identification risk 1/f above "
        f"{report['parameters']['risk_threshold']}: {m['high_risk_before']:,} before, "
        f"{m['high_risk_after']:,} after.",
        "",
        "### Quasi-identifiers and the generalisation chosen",
        "",
        *_table(["variable", "level", "meaning", "locally suppressed"],
                [[q["variable"], q["level"],
                  "not published" if q["level_name"] == "*" else q["level_name"],
                  q["suppressed"]] for q in m["quasi_identifiers"]]),
        "### Equivalence class sizes",
        "",
        *_table(["class size", "classes"], [[k, v] for k, v in m["class_sizes"].items()]),
        "### Survey waves",
        "",
        "Each survey wave's records are anonymised among themselves and published once; later "
        "releases repeat them unchanged (under new keys) and add the next wave. "
        f"Records waiting for a wave large enough to be {report['parameters']['k']}-anonymous: "
        f"{m.get('records_deferred', 0):,}.",
        "",
        *_table(["wave", "first published in", "records", "achieved k", "records suppressed"],
                [[w["wave"], w["first_published"], w["records"], w["achieved_k"],
                  _pct(w["suppressed_share"])] for w in m.get("waves", [])]),
        "### Sensitive attributes (l-diversity)",
        "",
        *_table(["variable", "smallest l", "cells suppressed"],
                [[s["variable"], s["smallest_l"], s["suppressed"]] for s in m["sensitive"]]),
        "## Variables dropped",
        "",
        "Never published in any form:",
        "",
        *_table(["raw file", "variables"],
                [[f, ", ".join(v)] for f, v in report["dropped"].items() if v]),
        "Published only through the protected tables:",
        "",
        *_table(["raw file", "variables"],
                [[f, ", ".join(v)] for f, v in report["aggregated_only"].items()]),
        "## Protected tables",
        "",
        f"{report['tables_summary']['cells']:,} cells, of which "
        f"{report['tables_summary']['primary']:,} suppressed by a primary rule, "
        f"{report['tables_summary']['secondary']:,} by secondary suppression and "
        f"{report['tables_summary'].get('history', 0):,} because of the release history "
        f"({_pct(report['tables_summary']['suppressed_share'])} of all cells).",
        "",
        *_table(["table", "unit", "cells", "threshold", "p%", "0%/100%", "secondary",
                 "history", "suppressed"],
                [[t["name"], t["unit"], t["cells"], t["threshold"], t["p_percent"],
                  t["group_attribute"], t["secondary"], t.get("history", 0),
                  _pct(t["suppressed_share"])] for t in report["tables"]]),
        *_history(report.get("history") or {}),
        *_directory(report.get("directory")),
        "## Public programme totals",
        "",
        "Programme-wide totals of activities are public by design; every breakdown of them "
        "follows the rules above.",
        "",
        *_table(["total", "value"], [[k, v] for k, v in report["public_totals"].items()]),
    ]
    return "\n".join(lines).rstrip() + "\n"
