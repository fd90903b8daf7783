"""Anonymise a checked survey into what may be published, and prove it.

`anonymise` is the only way from raw data to publishable data: it builds the business
microdata (k-anonymous, l-diverse, pseudonymised) and the protected tables (primary and
secondary suppression, LP and differencing audits), then checks every rule and writes the
disclosure-risk report. A rule that fails raises `DisclosureError` naming the rule and table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from etl.anonymise import catalogue, risk_report
from etl.anonymise.background import known
from etl.anonymise.bg_report import directory_rule
from etl.anonymise.changes import record_digests, stored_kind
from etl.anonymise.errors import DisclosureError
from etl.anonymise.joint import Before
from etl.anonymise.microdata import USED_COLUMNS
from etl.anonymise.params import DEFAULTS, SUPPRESSED, Params
from etl.anonymise.primary import RULES
from etl.anonymise.protect import Earlier as ProtectEarlier
from etl.anonymise.protect import History, ProtectedTables, protect
from etl.anonymise.pseudonym import release_key, unit_ids
from etl.anonymise.waves import (
    EarlierMicrodata,
    Waves,
    check_differences,
    compared,
    publish_waves,
    row_digests,
)
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
    #: Private, for the history ledger only (never in a published file): each unit kind's
    #: frame with every record's unit id, and which business records the microdata holds.
    ledger_frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    microdata_index: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

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


#: The columns of a ledger frame that hold each record's unit id and digest.
UNIT = "_unit"
DIGEST = "_digest"

#: Programme-wide totals of activities, public by design whatever their size, and the
#: aggregate of the protected tables each one is (so the audits count them as known). Every
#: breakdown of them follows the rules.
PUBLIC_TOTAL_KEYS: dict[str, tuple[str, str, frozenset]] = {
    "businesses_mapped": ("businesses", "count", frozenset()),
    "sessions_held": ("sessions", "count", frozenset()),
    "meetings_held": ("meetings", "count", frozenset()),
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


def _microdata_report(w: Waves, records_in: int) -> dict[str, Any]:
    """The microdata section: totals, every published wave, and — at the top, as for a
    single wave — the details of the newest wave (the smallest k of any wave)."""
    if not w.waves:
        raise ValueError("no microdata wave is published")
    newest = dict(w.waves[-1])
    newest.pop("first_published", None)
    newest.pop("wave", None)
    records = max(1, int(len(w.frame)))
    suppressed = sum(x["records_suppressed"] for x in w.waves)
    return {**newest,
            "records_in": records_in,
            "records_out": int(len(w.frame)),
            "records_deferred": w.deferred,
            "records_suppressed": int(suppressed),
            "suppressed_share": round(suppressed / records, 4),
            "achieved_k": min(x["achieved_k"] for x in w.waves),
            "new_wave": w.number,
            "waves": w.waves}


def _rules(m: dict[str, Any], tables: ProtectedTables, params: Params,
           history: dict[str, Any]) -> list[dict[str, Any]]:
    smallest_l = [s["smallest_l"] for w in m["waves"] for s in w["sensitive"]
                  if s["smallest_l"] is not None]
    versions = [f"{e['version']}{' (withdrawn)' if e['status'] == 'withdrawn' else ''}"
                for e in history["earlier_releases"]]
    against = ", ".join(versions) if versions else "no earlier release"
    micro = history["microdata"]
    differing = sum(x["rows_differing"] for x in micro)
    return [
        {"rule": "k_anonymity", "scope": "businesses",
         "passed": m["achieved_k"] >= params.k,
         "detail": f"smallest class {m['achieved_k']} (k = {params.k}, wildcards included, "
                   "in every survey wave)"},
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
        {"rule": "history_microdata", "scope": "businesses", "passed": True,
         "detail": f"against {against}: {differing} rows differ in all, each of them "
                   f"{params.k}-anonymous among the rows that differ (a failure stops the "
                   "build)"},
        {"rule": "history_tables", "scope": "all tables", "passed": True,
         "detail": f"against {against}: {int(tables.summary['history'].sum())} more cells "
                   "suppressed so that no difference between releases and no hidden cell of "
                   "either can be worked out (a failure stops the build)"},
    ]


class EarlierRelease(Protocol):
    """What anonymisation reads of an earlier release (see :mod:`etl.history.earlier`)."""

    version: str
    released: str
    withdrawn: str | None
    tables: Mapping[str, pd.DataFrame]
    report: dict[str, Any]
    ledger: Any

    def microdata(self) -> pd.DataFrame: ...


def _frames(result: CheckResult) -> dict[str, Any]:
    business = catalogue.businesses(result)
    frames: dict[str, Any] = {"businesses": business}
    if "trainings" in result.tables:
        frames["sessions"] = catalogue.sessions(result)
    if "attendance" in result.tables:
        frames["people"] = catalogue.participations(result)
    if "b2b_meetings" in result.tables:
        frames["meetings"] = catalogue.meetings(result, business)
    return frames


def _history(earlier: Sequence[EarlierRelease], units: Mapping[str, np.ndarray],
             digests: Mapping[str, np.ndarray]) -> History:
    def keys(e: EarlierRelease) -> Callable[[str], tuple[np.ndarray, np.ndarray]]:
        def read(kind: str) -> tuple[np.ndarray, np.ndarray]:
            found = e.ledger.frame(kind, columns=[UNIT, DIGEST])
            return (found[UNIT].to_numpy(dtype=np.uint64),
                    found[DIGEST].to_numpy(dtype=np.uint64))
        return read

    def rows(e: EarlierRelease) -> Callable[[str, np.ndarray], pd.DataFrame]:
        return lambda kind, mask: e.ledger.frame(kind, rows=mask).drop(columns=[UNIT, DIGEST])

    def columns(e: EarlierRelease) -> Callable[[str], dict[str, str | None]]:
        return lambda kind: {name: stored_kind(stored) for name, stored
                             in e.ledger.columns(kind).items() if name not in (UNIT, DIGEST)}

    return History([ProtectEarlier(Before(e.version, bool(e.withdrawn), e.tables),
                                   e.ledger.kinds, keys(e), rows(e), columns(e))
                    for e in earlier], units, digests, catalogue.BACKGROUND)


def _microdata_history(w: Waves, earlier: Sequence[EarlierRelease],
                       params: Params) -> list[dict[str, Any]]:
    """The microdata attack against every earlier release; a failure stops the build."""
    found = []
    digests = row_digests(w.frame, compared(w.frame)) if earlier else None
    for e in earlier:
        differing, smallest = check_differences(w.frame, e.microdata(), params, digests)
        if smallest is not None and smallest < params.k:
            raise DisclosureError(
                "history_microdata", "businesses",
                f"together with release {e.version}, {differing} published rows differ and one "
                f"of them matches only {smallest} of them (k = {params.k})")
        found.append({"version": e.version, "rows_differing": differing,
                      "smallest_match": smallest})
    return found


def anonymise(result: CheckResult, *, version: str, key: bytes | None = None,
              params: Params = DEFAULTS, environ: Mapping[str, str] | None = None,
              earlier: Sequence[EarlierRelease] = ()) -> AnonymisedRelease:
    """The publishable release of a checked (error-free) input, safe read together with
    every ``earlier`` release (oldest first; see :mod:`etl.history.earlier`)."""
    if not result.ok:
        raise ValueError("only a checked input without errors can be anonymised")
    demo = bool(result.raw.demo_marker)
    background = known(result)
    key = key if key is not None else release_key(demo, environ)
    names = catalogue.unit_names(result)
    units = {kind: unit_ids(*ids, key, kind) for kind, ids in names.items()}
    micro = publish_waves(result.frame("enterprises"), units["businesses"], key, version,
                          params, [EarlierMicrodata(
                              e.version, bool(e.withdrawn), e.microdata, e.ledger.microdata,
                              list(e.report.get("microdata", {}).get("waves", [])))
                              for e in earlier], known=background)
    micro_history = _microdata_history(micro, earlier, params)

    frames = _frames(result)
    digests = {kind: record_digests(f[0] if isinstance(f, tuple) else f)
               for kind, f in frames.items()}
    specs = [s for s in catalogue.table_specs() if s.unit in frames]
    totals = public_totals(frames)
    protected = protect(frames, specs, params,
                        public=[PUBLIC_TOTAL_KEYS[n] for n in totals if n in PUBLIC_TOTAL_KEYS],
                        history=_history(earlier, units, digests) if earlier else None,
                        known=background)

    summary = protected.summary
    m = _microdata_report(micro, len(units["businesses"]))
    history = {
        "earlier_releases": [{"version": e.version, "released": e.released,
                              "status": "withdrawn" if e.withdrawn else "published"}
                             for e in earlier],
        "microdata": micro_history,
        "tables": list(protected.history),
    }
    hidden = summary["primary"].sum() + summary["secondary"].sum() + summary["history"].sum()
    report = {
        "package": "north-kosovo-product-map",
        "version": version,
        "synthetic_demo_data": demo,
        "parameters": {**params.as_dict(), "suppressed_marker": SUPPRESSED},
        "rules": _rules(m, protected, params, history),
        "microdata": m,
        "dropped": _dropped(set(USED_COLUMNS)),
        "aggregated_only": {raw_tables()[n].filename: list(cols)
                            for n, cols in catalogue.AGGREGATED.items()},
        "tables_summary": {
            "cells": int(summary["cells"].sum()),
            "primary": int(summary["primary"].sum()),
            "secondary": int(summary["secondary"].sum()),
            "history": int(summary["history"].sum()),
            "suppressed_share": round(float(hidden / max(1, summary["cells"].sum())), 4),
        },
        "tables": [{"name": r["table"], "unit": r["unit"], "cells": int(r["cells"]),
                    "primary": int(r["primary"]),
                    **{rule: int(r[rule]) for rule in RULES},
                    "secondary": int(r["secondary"]),
                    "history": int(r["history"]),
                    "suppressed_share": round(float(r["suppressed_share"]), 4)}
                   for r in summary.to_dict("records")],
        "history": history,
        "public_totals": totals,
    }
    if background is not None:
        report["rules"].append(directory_rule(report, background, micro, protected,
                                              frames["businesses"], units["businesses"],
                                              params))
    for rule in report["rules"]:
        if not rule["passed"]:
            raise DisclosureError(rule["rule"], rule["scope"], rule["detail"])
    ledger = {kind: (f[0] if isinstance(f, tuple) else f).assign(
                  **{UNIT: units[kind], DIGEST: digests[kind]}) for kind, f in frames.items()}
    return AnonymisedRelease(version, demo, micro.frame, protected, report["public_totals"],
                             report, ledger, micro.index)
