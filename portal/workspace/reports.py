"""Hand-reported indicator values: which indicators take them (those without a metric in the
current release's results framework), and entering or changing one, checked by the raw
format's rules. The staff's note stays in the workspace; the value goes into the next release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from etl.indicators.reports import check_entry, iso_dates
from etl.publish import releases
from portal.components.cells import localised
from portal.workspace.models import IndicatorReport

RESOURCE = "indicators"
NOTE_LIMIT = 2000


@dataclass
class Indicator:
    """An indicator reported by hand, with the periods the current release publishes."""

    id: str
    title: str
    unit: str
    target: str
    target_date: str
    published: list[tuple[str, str, str]] = field(default_factory=list)


def _framework(packages: Path) -> pd.DataFrame | None:
    target = releases.latest(packages) if packages.is_dir() else None
    for descriptor in sorted(target.glob("*/datapackage.json")) if target else ():
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        for resource in package.get("resources", []):
            if resource.get("name") == RESOURCE:
                return pd.read_csv(descriptor.parent / resource["path"], dtype=str,
                                   keep_default_na=False)
    return None


def hand_reported(packages: Path) -> list[Indicator]:
    """Indicators without a metric in the current release (titles in the request's
    language)."""
    frame = _framework(packages)
    if frame is None:
        return []
    found: dict[str, Indicator] = {}
    for row in frame[frame["metric"].str.strip() == ""].to_dict("records"):
        indicator = found.setdefault(row["indicator_id"], Indicator(
            row["indicator_id"], localised(row, "title"), row["unit"], row["target"],
            row["target_date"]))
        if row.get("actual", "") != "":
            indicator.published.append((row["period_start"], row["period_end"], row["actual"]))
    return list(found.values())


@dataclass(frozen=True)
class EntryError:
    column: str
    rule: str
    message: str


def save(session: Session, values: dict[str, str], note: str, user: str,
         known: set[str]) -> tuple[IndicatorReport | None, list[EntryError]]:
    """Add or replace the report of one indicator and period; the errors if it breaks a rule
    (then nothing is saved)."""
    errors = [EntryError(p.column, p.rule, p.message) for p in check_entry(values)]
    ident = (values.get("indicator_id") or "").strip()
    if ident and ident not in known:
        errors.append(EntryError("indicator_id", "foreign_key",
                                 "must be one of the indicator_id values in indicators.csv"))
    if len(note) > NOTE_LIMIT:
        errors.append(EntryError("note", "length", f"at most {NOTE_LIMIT} characters"))
    if errors:
        return None, errors
    start, end = iso_dates([values["period_start"], values["period_end"]])
    assert start is not None and end is not None
    actual = str(float(values["actual"].strip())).removesuffix(".0")
    report = session.scalar(sa.select(IndicatorReport).where(
        IndicatorReport.indicator_id == ident, IndicatorReport.period_start == start,
        IndicatorReport.period_end == end))
    if report is None:
        report = IndicatorReport(indicator_id=ident, period_start=start, period_end=end,
                                 actual=actual, note=note, user=user)
        session.add(report)
    else:
        report.actual, report.note, report.user = actual, note, user
    session.flush()
    return report, []


def listed(session: Session) -> list[IndicatorReport]:
    return list(session.scalars(sa.select(IndicatorReport).order_by(
        IndicatorReport.indicator_id, IndicatorReport.period_start)))
