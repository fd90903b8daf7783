"""Data access for pages and charts: SQL over the protected tables of the loaded release.

Views never touch SQL or files; they ask this module. Every query is memoised with
flask-caching under the release fingerprint and the filters, so a new release can
never be answered from an old one's cache entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flask
import pandas as pd
import sqlalchemy as sa

from portal.cache import cache
from portal.load import directory as supplier_directory
from portal.load import history, indicator_history
from portal.load.database import ROW, LoadedRelease, Store

STORE_KEY = "portal_store"
#: Code of the margins in the published tables.
TOTAL = "_total"

#: A filter on one column: equal to one code, or a (low, high) inclusive range.
Condition = str | tuple[str, str]


def store() -> Store:
    return flask.current_app.extensions[STORE_KEY]


def current_release() -> LoadedRelease | None:
    """The release to show in this request (None before anything is published)."""
    return store().current()


def directory() -> supplier_directory.Directory:
    """The supplier directory of the release shown in this request (empty when none)."""
    release = current_release()
    if release is None:
        return supplier_directory.Directory()
    return supplier_directory.of_release(store().packages_dir, release.fingerprint)


def _where(table: sa.Table, conditions: Mapping[str, Condition]) -> list[Any]:
    clauses = []
    for column, condition in conditions.items():
        if isinstance(condition, tuple):
            low, high = condition
            clauses.append(table.c[column] != TOTAL)  # a range selects cells, not the margin
            if low:
                clauses.append(table.c[column] >= low)
            if high:
                clauses.append(table.c[column] <= high)
        else:
            clauses.append(table.c[column] == condition)
    return clauses


@cache.memoize()
def _select(release_key: str, table_name: str, conditions: tuple[tuple[str, Condition], ...],
            columns: tuple[str, ...]) -> pd.DataFrame:
    table = store().table(table_name)
    selected = columns or tuple(c.name for c in table.c if c.name != ROW)
    statement = (sa.select(*(table.c[c] for c in selected))
                 .where(*_where(table, dict(conditions))).order_by(table.c[ROW]))
    with store().engine.connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def table(release: LoadedRelease, resource: str, conditions: Mapping[str, Condition] | None = None,
          columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows of ``resource`` in ``release`` matching ``conditions``, in published order.

    Suppressed values come back as missing (NaN/None) with ``status`` "suppressed",
    so nothing downstream can mistake them for zero.
    """
    items = tuple(sorted((conditions or {}).items()))
    frame = _select(release.key, release.table_name(resource), items, columns)
    return frame.copy()


def indicator_history_rows(release: LoadedRelease) -> pd.DataFrame:
    """Each indicator's rows as every published release up to ``release`` reported them,
    oldest release first (:mod:`portal.load.indicator_history`); a release withdrawn since
    it was loaded is left out, as if it had never been read."""
    frame = _select(release.key, release.table_name(indicator_history.TABLE), (), ())
    gone = history.withdrawn_versions(store().releases_dir)
    return frame[~frame["release_version"].isin(gone)].reset_index(drop=True)


def field(release: LoadedRelease, resource: str, name: str) -> dict[str, Any]:
    """The Table Schema field ``name`` of ``resource`` (title, unit, x-labels…)."""
    for spec in release.resource(resource)["schema"]["fields"]:
        if spec["name"] == name:
            return spec
    raise KeyError(f"{resource} has no field {name!r}")


def columns(release: LoadedRelease, resource: str) -> list[str]:
    return [f["name"] for f in release.resource(resource)["schema"]["fields"]]


def public_totals(release: LoadedRelease) -> dict[str, float]:
    """Programme-wide totals (``public_totals`` resource) by name."""
    frame = table(release, "public_totals")
    return dict(zip(frame["total"], frame["value"].astype(float), strict=True))
