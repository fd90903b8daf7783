"""The supplier directory's section of the disclosure-risk report, and its rule.

Runs the independent audit (:mod:`.bg_audit`) on what the release publishes and says what the
directory made the build suppress; the report has the section only when the input has a
directory, so releases without one are unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .background import ATTRIBUTES, CERTIFICATIONS, REVEALED_TABLES, Known
from .bg_audit import RULE, Findings, audit_microdata, audit_tables
from .bg_microdata import Extra
from .bg_tables import DIRECTORY
from .params import Params
from .protect import ProtectedTables
from .waves import Waves


def directory_rule(report: dict[str, Any], background: Known, micro: Waves,
                   protected: ProtectedTables, businesses: pd.DataFrame, units: np.ndarray,
                   params: Params) -> dict[str, Any]:
    """Audit the published output against the supplier directory as background knowledge,
    add its section to ``report`` and return its rule (a failure stops the build)."""
    found = Findings()
    audit_microdata(micro.frame, micro.index, units, background, params, found)
    audit_tables({n: protected.for_publication(n) for n in REVEALED_TABLES
                  if n in protected.tables}, businesses, background, params, found)
    new = [w.get("directory") for w in micro.waves
           if w.get("first_published") == report["version"] and w.get("directory")]
    carried = micro.carried_directory or Extra(background.listings, 0, 0, 0)
    by_table = {r["table"]: int(r[DIRECTORY]) for r in protected.summary.to_dict("records")
                if r["table"] in REVEALED_TABLES}
    report["directory"] = {
        "listings": background.listings,
        "listings_showing": {
            "municipality": int((background.listed & background.municipality).sum()),
            "products": int((background.listed & background.products).sum()),
            "certifications": int((background.listed & background.certifications).sum())},
        "attributes": list(ATTRIBUTES),
        "linked_attributes": {"microdata": list(CERTIFICATIONS),
                              "tables": sorted(REVEALED_TABLES)},
        "microdata": {
            "classes_affected": sum(d["classes"] for d in new),
            "records_affected": sum(d["records"] for d in new),
            "cells_suppressed": sum(d["cells_suppressed"] for d in new),
            "carried_waves": {
                "classes_affected": carried.classes, "records_affected": carried.records,
                "cells_suppressed": carried.cells},
            "records_checked": found.records_checked,
            "smallest_candidate_set": found.smallest_candidates},
        "tables": {"cells_suppressed": sum(by_table.values()), "by_table": by_table,
                   "cells_checked": found.cells_checked},
    }
    detail = (f"{background.listings} listings read as background knowledge: "
              f"{report['directory']['microdata']['cells_suppressed'] + carried.cells} "
              "microdata cells and "
              f"{report['directory']['tables']['cells_suppressed']} table cells suppressed "
              f"more; {found.records_checked} listed records and {found.cells_checked} "
              "published cells re-checked")
    if found.failures:
        detail = f"{found.failures[0]} ({len(found.failures)} failures)"
    return {"rule": RULE, "scope": "businesses and tables",
            "passed": not found.failures, "detail": detail}
