"""Anonymise a checked survey into what may be published, and prove it.

`anonymise` is the only way from raw data to publishable data: it builds the business
microdata (k-anonymous, l-diverse, pseudonymised) and the protected tables (primary and
secondary suppression, LP and differencing audits), then checks every rule and writes the
disclosure-risk report. A rule that fails raises `DisclosureError` naming the rule and table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from etl.anonymise import catalogue, risk_report
from etl.anonymise.errors import DisclosureError
from etl.anonymise.hierarchies import QI_HIERARCHIES
from etl.anonymise.microdata import USED_COLUMNS, Microdata, anonymise_businesses
from etl.anonymise.params import DEFAULTS, SUPPRESSED, Params
from etl.anonymise.primary import RULES
from etl.anonymise.protect import ProtectedTables, protect
from etl.anonymise.pseudonym import release_key
from etl.rawformat import tables as raw_tables
from etl.validate import CheckResult


@dataclass
class AnonymisedRelease:
    """Everything a package may carry, and nothing else."""

    version: str
    demo: bool
    businesses: pd.DataFrame
    tables: ProtectedTables
    public_totals: dict[str, float]
    report: dict[str, Any]

    def table(self, name: str) -> pd.DataFrame:
        """A protected table as files carry it (suppressed cells hold the marker)."""
        return self.tables.for_publication(name)

    def files(self) -> dict[str, bytes]:
        """Every file of the release as bytes: the microdata, each protected table, the public
        totals and the risk report. Publishing wraps exactly these, so they are what the
        adversarial tests search for leaks."""
        def csv(frame: pd.DataFrame) -> bytes:
            return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")

        out = {"businesses.csv": csv(self.businesses)}
        for name in self.tables.tables:
            out[f"{name}.csv"] = csv(self.table(name))
        out["public_totals.csv"] = csv(pd.DataFrame(
            {"total": list(self.public_totals), "value": list(self.public_totals.values())}))
        out["disclosure-risk.json"] = risk_report.to_json(self.report).encode("utf-8")
        out["disclosure-risk.md"] = risk_report.to_markdown(self.report).encode("utf-8")
        return out


#: Programme-wide totals of activities, public by design whatever their size, and the
#: aggregate of the protected tables each one is (so the audits count them as known). Every
#: breakdown of them follows the rules.
PUBLIC_TOTAL_KEYS: dict[str, tuple[str, str, frozenset]] = {
    "businesses_mapped": ("businesses", "count", frozenset()),
    "sessions_held": ("sessions", "count", frozenset()),
    "meetings_held": ("meetings", "count", frozenset()),
    "agreements_signed": ("meetings", "count", frozenset({("outcome", "agreement_signed")})),
}


def public_totals(frames: Mapping[str, Any]) -> dict[str, float]:
    """Programme-wide totals of activities: public by design, whatever their size."""
    totals: dict[str, float] = {"businesses_mapped": float(len(frames["businesses"]))}
    if "sessions" in frames:
        totals["sessions_held"] = float(len(frames["sessions"]))
    if "people" in frames:
        totals["people_trained"] = float(len(np.unique(frames["people"][1])))
    if "meetings" in frames:
        held = frames["meetings"][0]
        totals["meetings_held"] = float(len(held))
        totals["agreements_signed"] = float((held["outcome"] == "agreement_signed").sum())
    return totals


def _dropped(microdata_columns: set[str]) -> dict[str, list[str]]:
    """Raw columns that reach no published file in any form, by raw file. (Identifiers and
    free text always; the rest of a file is published only as aggregates, if at all.)"""
    out = {}
    for name, spec in raw_tables().items():
        if name.startswith("indicator"):
            continue  # the results framework is about the programme, not businesses or people
        used = set(catalogue.AGGREGATED.get(name, ()))
        if name == "enterprises":
            used |= microdata_columns
        out[spec.filename] = [c for c in spec.column_names if c not in used]
    return out


def _microdata_report(m: Microdata, params: Params) -> dict[str, Any]:
    g, d = m.generalisation, m.diversity
    per_var = g.suppressions_per_variable
    return {
        "records_in": int(len(g.frame)),
        "records_out": int(len(m.frame)),
        "records_suppressed": int(g.suppressed.sum()),
        "suppressed_share": round(g.suppressed_share, 4),
        "achieved_k": g.achieved_k,
        "uniques_before": g.sample_uniques_before,
        "uniques_after": g.sample_uniques_after,
        "high_risk_before": g.at_risk_before,
        "high_risk_after": g.at_risk_after,
        "lattice_nodes_evaluated": g.nodes_evaluated,
        "lattice_size": g.lattice_size,
        "quasi_identifiers": [
            {"variable": h.name, "level": g.levels[h.name], "level_name": g.level_names[h.name],
             "levels": list(h.levels), "suppressed": per_var[h.name]}
            for h in QI_HIERARCHIES],
        "class_sizes": {str(k): v for k, v in sorted(g.size_distribution().items())},
        "class_sizes_before": {str(k): v for k, v in
                               sorted(g.size_distribution(before=True).items())},
        "sensitive": [{"variable": name, "smallest_l": d.achieved_l[name],
                       "suppressed": d.suppressed[name]} for name in d.frame.columns],
    }


def _rules(m: dict[str, Any], tables: ProtectedTables, params: Params) -> list[dict[str, Any]]:
    smallest_l = [s["smallest_l"] for s in m["sensitive"] if s["smallest_l"] is not None]
    return [
        {"rule": "k_anonymity", "scope": "businesses",
         "passed": m["achieved_k"] >= params.k,
         "detail": f"smallest class {m['achieved_k']} (k = {params.k}, wildcards included)"},
        {"rule": "local_suppression_share", "scope": "businesses",
         "passed": m["suppressed_share"] <= params.max_suppression_share,
         "detail": f"{m['suppressed_share']:.2%} of records (at most "
                   f"{params.max_suppression_share:.0%})"},
        {"rule": "l_diversity", "scope": "businesses",
         "passed": all(v >= params.l_diversity for v in smallest_l),
         "detail": f"smallest l {min(smallest_l, default=None)} (l = {params.l_diversity})"},
        {"rule": "threshold_p_percent_group", "scope": "all tables", "passed": True,
         "detail": f"{int(tables.summary['primary'].sum())} cells suppressed by a primary rule; "
                   f"{tables.checked} published cells re-checked (a failure stops the build)"},
        {"rule": "lp_audit", "scope": "all tables", "passed": tables.lp.passed,
         "detail": f"{len(tables.lp.cells)} suppressed cells solved for the interval an "
                   "attacker could narrow them to"},
        {"rule": "differencing_audit", "scope": "all tables",
         "passed": tables.differencing.passed,
         "detail": f"{tables.differencing.checked} nested published cell pairs checked"},
    ]


def anonymise(result: CheckResult, *, version: str, key: bytes | None = None,
              params: Params = DEFAULTS,
              environ: Mapping[str, str] | None = None) -> AnonymisedRelease:
    """The publishable release of a checked (error-free) input."""
    if not result.ok:
        raise ValueError("only a checked input without errors can be anonymised")
    demo = bool(result.raw.demo_marker)
    key = key if key is not None else release_key(demo, environ)
    micro = anonymise_businesses(result, key, version, params)

    business = catalogue.businesses(result)
    frames = {"businesses": business}
    if "trainings" in result.tables:
        frames["sessions"] = catalogue.sessions(result)
    if "attendance" in result.tables:
        frames["people"] = catalogue.participations(result)
    if "b2b_meetings" in result.tables:
        frames["meetings"] = catalogue.meetings(result, business)
    specs = [s for s in catalogue.table_specs() if s.unit in frames]
    totals = public_totals(frames)
    protected = protect(frames, specs, params,
                        public=[PUBLIC_TOTAL_KEYS[n] for n in totals if n in PUBLIC_TOTAL_KEYS])

    summary = protected.summary
    m = _microdata_report(micro, params)
    report = {
        "package": "north-kosovo-product-map",
        "version": version,
        "synthetic_demo_data": demo,
        "parameters": {**params.as_dict(), "suppressed_marker": SUPPRESSED},
        "rules": _rules(m, protected, params),
        "microdata": m,
        "dropped": _dropped(set(USED_COLUMNS)),
        "aggregated_only": {raw_tables()[n].filename: list(cols)
                            for n, cols in catalogue.AGGREGATED.items()},
        "tables_summary": {
            "cells": int(summary["cells"].sum()),
            "primary": int(summary["primary"].sum()),
            "secondary": int(summary["secondary"].sum()),
            "suppressed_share": round(float((summary["primary"].sum() + summary["secondary"]
                                             .sum()) / max(1, summary["cells"].sum())), 4),
        },
        "tables": [{"name": r["table"], "unit": r["unit"], "cells": int(r["cells"]),
                    "primary": int(r["primary"]),
                    **{rule: int(r[rule]) for rule in RULES},
                    "secondary": int(r["secondary"]),
                    "suppressed_share": round(float(r["suppressed_share"]), 4)}
                   for r in summary.to_dict("records")],
        "public_totals": totals,
    }
    for rule in report["rules"]:
        if not rule["passed"]:
            raise DisclosureError(rule["rule"], rule["scope"], rule["detail"])
    return AnonymisedRelease(version, demo, micro.frame, protected, report["public_totals"],
                             report)
