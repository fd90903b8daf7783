"""The programme's results framework with actuals, progress and a traffic-light status.

Computed indicators (indicators.csv names a metric) take their actual from the release, never
from raw data (see :mod:`etl.indicators.registry`); the others take theirs from the hand
reports of indicator_reports.csv, one row per reported period. Only activity dates come from
the checked input: when programme activities happened is not sensitive.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from etl.indicators.registry import METRICS, Actual, Domain, compute

if TYPE_CHECKING:
    from etl.anonymise.release import AnonymisedRelease
    from etl.validate import CheckResult

logger = logging.getLogger(__name__)

#: An indicator is on track when it has achieved at least this share (%) of the progress
#: expected by the end of its period.
GREEN_AT = 90.0
#: ... at risk when at least this share (%), off track below it.
AMBER_AT = 60.0
#: Statuses, best first; ``no_data``: no actual; ``suppressed``: the actual would need a
#: suppressed cell.
STATUSES = ("on_track", "at_risk", "off_track", "no_data", "suppressed")

COLUMNS = (
    "indicator_id", "level", "title_en", "title_sq", "title_sr", "unit", "metric", "source",
    "baseline", "baseline_year", "target", "target_date", "period_start", "period_end",
    "actual", "achieved_pct", "status", "trend", "ascending", "note",
)
_FLOATS = ("baseline", "target", "actual", "achieved_pct")
_DATES = ("target_date", "period_start", "period_end")


def achieved_pct(actual: float | None, baseline: float | None,
                 target: float | None) -> float | None:
    """Share (%) of the way from baseline (0 when missing) to target that the actual covers.

    One formula serves both directions: for a descending indicator target − baseline is
    negative, so (actual − baseline) / (target − baseline) equals its mirror
    (baseline − actual) / (baseline − target). None without an actual or target, or when the
    target equals the baseline (no distance to cover).
    """
    if actual is None or target is None:
        return None
    base = 0.0 if baseline is None else baseline
    if target == base:
        return None
    return (actual - base) / (target - base) * 100.0


def elapsed_share(start: pd.Timestamp | None, period_end: pd.Timestamp | None,
                  target_date: pd.Timestamp | None) -> float:
    """Share (0-1) of the time from ``start`` to the target date that has passed by the end of
    the period; 1 when the period reaches the target date or a date is unknown."""
    if start is None or period_end is None or target_date is None or period_end >= target_date:
        return 1.0
    if target_date <= start:
        return 1.0
    return min(1.0, max(0.0, (period_end - start) / (target_date - start)))


def judge(actual: float | None, achieved: float | None, *, target: float | None,
          ascending: bool, elapsed: float = 1.0, suppressed: bool = False) -> str:
    """The status of one actual.

    ``achieved`` is compared with GREEN_AT and AMBER_AT scaled by ``elapsed``: a period ending
    before the target date is judged against the progress due by then (the share of the time
    between the start of the baseline year and the target date that has passed), so a quarter
    of the way through, 25% achieved is 100% of what was due. When the target equals the
    baseline (holding a level), the actual is on track if it is no worse than the target.
    """
    if suppressed:
        return "suppressed"
    if actual is None:
        return "no_data"
    if achieved is None:
        if target is None:
            return "no_data"
        held = actual >= target if ascending else actual <= target
        return "on_track" if held else "off_track"
    if achieved >= GREEN_AT * elapsed:
        return "on_track"
    if achieved >= AMBER_AT * elapsed:
        return "at_risk"
    return "off_track"


def _trend(previous: float | None, current: float | None) -> str | None:
    if previous is None or current is None:
        return None
    return "up" if current > previous else "down" if current < previous else "flat"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _num(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _text(value: Any) -> str | None:
    return None if _missing(value) or str(value).strip() == "" else str(value)


def _date(value: Any) -> pd.Timestamp | None:
    return None if _missing(value) else pd.Timestamp(value)


def _span(starts: pd.Series, ends: pd.Series) -> tuple[pd.Timestamp | None,
                                                       pd.Timestamp | None]:
    return (_date(starts.min()) if len(starts) else None,
            _date(ends.max()) if len(ends) else None)


def activity_periods(result: CheckResult) -> dict[Domain, tuple[pd.Timestamp | None,
                                                                   pd.Timestamp | None]]:
    """When each activity took place: the survey (interview dates), the training (first start
    to last end date) and the B2B meetings held (cancelled ones are not counted)."""
    empty: tuple[None, None] = (None, None)
    out: dict[Domain, tuple[pd.Timestamp | None, pd.Timestamp | None]] = {
        "businesses": empty, "training": empty, "b2b": empty}
    if "enterprises" in result.tables:
        dates = result.frame("enterprises")["interview_date"].dropna()
        out["businesses"] = _span(dates, dates)
    if "trainings" in result.tables:
        t = result.frame("trainings")
        out["training"] = _span(t["start_date"].dropna(), t["end_date"].dropna())
    if "b2b_meetings" in result.tables:
        m = result.frame("b2b_meetings")
        held = m[m["outcome"].astype(str) != "cancelled"]
        dates = held["date"].dropna()
        out["b2b"] = _span(dates, dates)
    return out


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in _FLOATS:
        frame[col] = pd.array([_num(v) for v in frame[col]], dtype="Float64")
    frame["baseline_year"] = pd.array(
        [None if _missing(v) else int(v) for v in frame["baseline_year"]], dtype="Int64")
    for col in _DATES:
        frame[col] = pd.to_datetime(pd.Series([_date(v) for v in frame[col]], dtype=object))
    frame["ascending"] = frame["ascending"].astype(bool)
    for col in set(COLUMNS) - set(_FLOATS) - set(_DATES) - {"baseline_year", "ascending"}:
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _indicator_fields(row: dict[str, Any]) -> dict[str, Any]:
    ascending = row.get("ascending")
    return {
        "indicator_id": str(row["indicator_id"]),
        "level": _text(row["level"]),
        "title_en": _text(row["title_en"]),
        "title_sq": _text(row.get("title_sq")),
        "title_sr": _text(row.get("title_sr")),
        "unit": _text(row["unit"]),
        "metric": _text(row.get("metric")),
        "baseline": _num(row.get("baseline")),
        "baseline_year": None if _missing(row.get("baseline_year"))
        else int(row["baseline_year"]),
        "target": _num(row.get("target")),
        "target_date": _date(row.get("target_date")),
        "ascending": True if _missing(ascending) else bool(ascending),
    }


def _assess(row: dict[str, Any], suppressed: bool) -> dict[str, Any]:
    """Add achieved_pct and status to a row that has its actual and period."""
    achieved = achieved_pct(row["actual"], row["baseline"], row["target"])
    start = (pd.Timestamp(year=row["baseline_year"], month=1, day=1)
             if row["baseline_year"] is not None else row["period_start"])
    elapsed = elapsed_share(start, row["period_end"], row["target_date"])
    status = judge(row["actual"], achieved, target=row["target"], ascending=row["ascending"],
                   elapsed=elapsed, suppressed=suppressed)
    return {**row, "achieved_pct": achieved, "status": status}


def results_framework(result: CheckResult, release: AnonymisedRelease) -> pd.DataFrame:
    """One row per computed indicator and per hand-reported period (COLUMNS).

    An indicator without a metric and without reports gets one ``no_data`` row, so every
    indicator appears. Reports for indicators that have a metric (or that are unknown) are
    ignored; the frame's ``attrs["notes"]`` lists such findings, which are also logged.
    """
    if "indicators" not in result.tables:
        return _frame([])
    indicators = result.frame("indicators")
    reports = (result.frame("indicator_reports") if "indicator_reports" in result.tables
               else pd.DataFrame(columns=["indicator_id", "period_start", "period_end",
                                          "actual", "note"]))
    periods = activity_periods(result)
    notes: list[str] = []
    by_id = {str(k): g.sort_values("period_start", kind="stable")
             for k, g in reports.groupby(reports["indicator_id"].astype(str), observed=True)}
    rows: list[dict[str, Any]] = []
    for record in indicators.to_dict("records"):
        base = _indicator_fields(record)
        ident, code = base["indicator_id"], base["metric"]
        if code is not None:
            own = by_id.pop(ident, None)
            if own is not None:
                notes.append(f"{ident}: {len(own)} hand report(s) ignored: the indicator has "
                             f"the metric {code}, computed from the release")
            metric = METRICS.get(code)
            actual = (compute(metric, release) if metric is not None
                      else Actual(None, "unavailable", f"unknown metric {code}"))
            if metric is not None and metric.unit != base["unit"]:
                notes.append(f"{ident}: unit {base['unit']} differs from the metric's "
                             f"unit {metric.unit}")
            start, end = periods[metric.domain] if metric is not None else (None, None)
            row = {**base, "source": "computed", "period_start": start, "period_end": end,
                   "actual": actual.value, "trend": None, "note": actual.note or None}
            rows.append(_assess(row, actual.status == "suppressed"))
            continue
        own = by_id.pop(ident, None)
        if own is None or own.empty:
            row = {**base, "source": "reported", "period_start": None, "period_end": None,
                   "actual": None, "trend": None, "note": "no actual reported"}
            rows.append(_assess(row, False))
            continue
        previous: float | None = None
        for i, report in enumerate(own.to_dict("records")):
            value = _num(report["actual"])
            row = {**base, "source": "reported",
                   "period_start": _date(report["period_start"]),
                   "period_end": _date(report["period_end"]), "actual": value,
                   "trend": _trend(previous, value) if i else None,
                   "note": _text(report.get("note"))}
            rows.append(_assess(row, False))
            previous = value
    for ident, own in sorted(by_id.items()):
        notes.append(f"{ident}: {len(own)} hand report(s) ignored: no such indicator")
    for note in notes:
        logger.warning("results framework: %s", note)
    frame = _frame(rows).sort_values(["indicator_id", "period_start"], kind="stable",
                                     na_position="first").reset_index(drop=True)
    frame.attrs["notes"] = notes
    return frame
