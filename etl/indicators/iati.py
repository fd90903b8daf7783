"""The results framework as an IATI-activities 2.03 document, for donors' aid-data systems.

One ``<result>`` per indicator (IATI's result type from the level), one ``<period>`` per row of
the framework. The output is byte-for-byte reproducible: nothing reads the clock (the caller
passes ``generated``), results follow indicator_id and periods follow period_start.

IATI has no marker for a suppressed value, and its rules require a value on every
``<actual>`` of a quantitative indicator, so a suppressed or missing actual leaves the
``<actual>`` out; a suppressed one says why in a comment on the period's ``<target>``.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

import pandas as pd

from etl.indicators.registry import METRICS, SUPPRESSED_NOTE

IATI_VERSION = "2.03"
#: IATI ResultType codes by indicators.csv level.
RESULT_TYPE = {"output": "1", "outcome": "2", "impact": "3"}
#: IATI IndicatorMeasure codes by unit: 1 unit (a number), 2 percentage.
MEASURE = {"count": "1", "eur": "1", "percent": "2"}
#: Narrative languages (ISO 639-1, as IATI's Language code list) and their title columns.
LANGUAGES = (("en", "title_en"), ("sq", "title_sq"), ("sr", "title_sr"))

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _number(value: float) -> str:
    """A decimal without exponent or float noise: integers plain, others to 4 places."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _iso(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _narratives(parent: ET.Element, texts: list[tuple[str, str]]) -> None:
    for lang, text in texts:
        ET.SubElement(parent, "narrative", {_XML_LANG: lang}).text = text


def _comment(parent: ET.Element, text: str) -> None:
    _narratives(ET.SubElement(parent, "comment"), [("en", text)])


def _titles(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [(lang, str(row[col])) for lang, col in LANGUAGES if not _missing(row.get(col))]


def _period(indicator: ET.Element, row: dict[str, Any]) -> None:
    """One period; without dates (an indicator with no data yet) it spans from the start of
    the baseline year (or the target date) to the target date."""
    target_date = None if _missing(row["target_date"]) else _iso(row["target_date"])
    if not _missing(row["period_start"]):
        start = _iso(row["period_start"])
    elif not _missing(row["baseline_year"]):
        start = f"{int(row['baseline_year']):04d}-01-01"
    else:
        start = target_date
    end = _iso(row["period_end"]) if not _missing(row["period_end"]) else target_date
    if start is None or end is None:
        return
    period = ET.SubElement(indicator, "period")
    ET.SubElement(period, "period-start", {"iso-date": start})
    ET.SubElement(period, "period-end", {"iso-date": end})
    suppressed = row["status"] == "suppressed"
    if not _missing(row["target"]):
        target = ET.SubElement(period, "target", {"value": _number(row["target"])})
        if suppressed:
            _comment(target, f"The actual for this period is {SUPPRESSED_NOTE}.")
    if not _missing(row["actual"]) and not suppressed:
        # The hand reports' free-text notes stay out: free text is never published.
        ET.SubElement(period, "actual", {"value": _number(row["actual"])})


def _result(activity: ET.Element, rows: list[dict[str, Any]]) -> None:
    first = rows[0]
    result = ET.SubElement(activity, "result", {"type": RESULT_TYPE[str(first["level"])]})
    _narratives(ET.SubElement(result, "title"), _titles(first))
    indicator = ET.SubElement(result, "indicator", {
        "measure": MEASURE[str(first["unit"])],
        "ascending": "1" if bool(first["ascending"]) else "0"})
    _narratives(ET.SubElement(indicator, "title"), _titles(first))
    metric = METRICS.get(str(first["metric"])) if not _missing(first["metric"]) else None
    if metric is not None:
        _narratives(ET.SubElement(indicator, "description"),
                    [("en", f"{metric.definition} Computed from the published release: "
                            f"{metric.computation}.")])
    if not _missing(first["baseline"]) and not _missing(first["baseline_year"]):
        ET.SubElement(indicator, "baseline", {"year": str(int(first["baseline_year"])),
                                              "value": _number(first["baseline"])})
    for row in rows:
        _period(indicator, row)


def to_iati_xml(framework: pd.DataFrame, *, activity_identifier: str, reporting_org_ref: str,
                generated: str, reporting_org_type: str | None = None,
                reporting_org_name: str | None = None) -> bytes:
    """An IATI-activities 2.03 document carrying one activity's results (UTF-8, declared).

    Only the results part of the activity: the programme's full IATI record (title,
    participating organisations, budget ...) is kept where the activity is published, and
    this ``<iati-activity>`` merges into it. ``reporting_org_type`` is an IATI
    OrganisationType code (e.g. "22", national NGO).
    """
    root = ET.Element("iati-activities", {"version": IATI_VERSION,
                                          "generated-datetime": generated})
    activity = ET.SubElement(root, "iati-activity")
    ET.SubElement(activity, "iati-identifier").text = activity_identifier
    org_attrs = {"ref": reporting_org_ref}
    if reporting_org_type is not None:
        org_attrs["type"] = reporting_org_type
    org = ET.SubElement(activity, "reporting-org", org_attrs)
    if reporting_org_name is not None:
        _narratives(org, [("en", reporting_org_name)])
    ordered = framework.sort_values(["indicator_id", "period_start"], kind="stable",
                                    na_position="first")
    for _, group in ordered.groupby("indicator_id", sort=True):
        _result(activity, group.to_dict("records"))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body.encode("utf-8") + b"\n"
