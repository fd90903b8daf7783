"""The results framework with actuals: metric registry, framework table, IATI export.

Actuals of computed indicators come only from what the anonymised release publishes (see
:mod:`etl.indicators.registry`), so the framework can be published with the release.
"""

from etl.indicators.framework import (
    AMBER_AT,
    COLUMNS,
    GREEN_AT,
    STATUSES,
    achieved_pct,
    activity_periods,
    elapsed_share,
    judge,
    results_framework,
)
from etl.indicators.iati import to_iati_xml
from etl.indicators.registry import METRICS, Actual, Metric, compute, registry

__all__ = [
    "AMBER_AT", "COLUMNS", "GREEN_AT", "METRICS", "STATUSES", "Actual", "Metric",
    "achieved_pct", "activity_periods", "compute", "elapsed_share", "judge", "registry",
    "results_framework", "to_iati_xml",
]
