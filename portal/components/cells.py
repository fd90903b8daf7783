"""Reading the published tidy tables the same way on every page.

A published table has one row per cell: the codes of its dimensions (``_total`` for a
margin), a ``value`` and a ``status``. Every page asks the same questions of it (one cell's
value, a share of two cells, which category is largest, the cell as text), and every answer
must treat a suppressed cell as unknown, never as zero; so they are answered here once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd

from portal import query
from portal.catalogues import to_cyrillic
from portal.i18n import _, format_number, format_percent, get_locale
from portal.labels import TOTAL, code_labels
from portal.load.database import LoadedRelease

#: Codes that say "no answer": ranked after the real categories.
NOT_KNOWN = ("unknown", "undisclosed")
#: Locale → suffix of the translated text columns (``title_sq``…); Serbian in one script.
TEXT_SUFFIX = {"en": "en", "sq": "sq", "sr-Latn": "sr", "sr-Cyrl": "sr"}


# --- values -----------------------------------------------------------------------------------


def number(value: Any) -> float | None:
    """``value`` as a float; None when it is missing (a suppressed cell reads back as NaN)."""
    return None if value is None or pd.isna(value) else float(value)


def cell(frame: pd.DataFrame, **where: str) -> float | None:
    """The published value of the one row matching ``where`` (column = code).

    None when that cell is suppressed or absent, or when ``where`` does not pin down one row:
    a title built on a guessed cell would state a wrong finding.
    """
    rows = frame
    for column, code in where.items():
        rows = rows[rows[column] == code]
    if len(rows) != 1 or rows["status"].iloc[0] == "suppressed":
        return None
    return number(rows["value"].iloc[0])


def percent(part: float | None, whole: float | None) -> float | None:
    """``part`` as a percentage of ``whole``; None unless both are published and whole > 0."""
    if part is None or whole is None or whole <= 0:
        return None
    return 100 * part / whole


def percent_text(part: float | None, whole: float | None) -> str | None:
    """:func:`percent` for display ("18%"), or None."""
    value = percent(part, whole)
    return None if value is None else format_percent(value)


def largest(rows: pd.DataFrame) -> pd.Series | None:
    """The published row of ``rows`` with the largest value (the first of equals), or None.

    Callers leave out the margins and categories that should not win first.
    """
    published = rows[rows["status"] != "suppressed"]
    if published.empty:
        return None
    return published.loc[published["value"].astype(float).idxmax()]


class Top(NamedTuple):
    """The category cited most, and its share of the base it was asked of."""

    code: str
    value: float
    share: float | None


def most_cited(rows: pd.DataFrame, dim: str) -> Top | None:
    """The published category of a multi-response table cited most ("unknown" aside), with
    its percentage of the ``_total`` row: the businesses asked, not the sum of the answers
    (a business citing several counts in each)."""
    best = largest(rows[~rows[dim].isin([TOTAL, "unknown"])])
    if best is None:
        return None
    value = float(best["value"])
    return Top(best[dim], value, percent(value, cell(rows, **{dim: TOTAL})))


class Headline(NamedTuple):
    """A headline figure read from one published cell: its value, or why there is none."""

    value: float | None
    suppressed: bool


#: The number of agreements signed: a protected cell, not a public total (its change between
#: two releases would give away how a newly held meeting ended), so it may be suppressed.
AGREEMENTS = ("meetings_by_phase_outcome", {"phase": TOTAL, "outcome": "agreement_signed"})


def headline(release: LoadedRelease, resource: str, where: Mapping[str, str]
             ) -> Headline | None:
    """The one cell of ``resource`` at ``where``: its value, or suppressed; None when the
    release has no such cell."""
    rows = query.table(release, resource, dict(where))
    if len(rows) != 1:
        return None
    value = cell(rows, **where)
    return Headline(value, value is None)


def agreements_signed(release: LoadedRelease) -> Headline | None:
    """Agreements signed at B2B meetings in all (:data:`AGREEMENTS`)."""
    resource, where = AGREEMENTS
    return headline(release, resource, where)


# --- text -------------------------------------------------------------------------------------


def count(value: float) -> str:
    """A count for display: thousands grouped, a decimal only when it has one."""
    return format_number(value, 0 if float(value).is_integer() else 1)


def cell_text(value: float | None) -> str:
    """A cell of a chart's text alternative: the number, or "suppressed [c]"."""
    return _("suppressed [c]") if value is None else count(value)


def amount(value: float, unit: str) -> str:
    """A number with its unit ("12,400 EUR")."""
    return _("%(n)s %(unit)s", n=format_number(value), unit=unit)


def compact_amount(value: float, unit: str) -> str:
    """Like :func:`amount`, in millions from a million on ("1.2 million EUR"), for titles."""
    if value >= 1_000_000:
        return _("%(n)s million %(unit)s", n=format_number(value / 1_000_000, 1), unit=unit)
    return amount(value, unit)


def localised(row: Mapping[str, Any] | pd.Series, stem: str) -> str:
    """The ``<stem>_<lang>`` column in the visitor's language, English if that one is empty."""
    locale = get_locale()
    suffix = TEXT_SUFFIX.get(locale, "en")
    for column in (f"{stem}_{suffix}", f"{stem}_en"):
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            # Serbian is published in Latin script; Cyrillic readers get it transliterated.
            cyrillic = locale == "sr-Cyrl" and column.endswith("_sr")
            return to_cyrillic(value) if cyrillic else value
    return ""


def vocabulary(release: LoadedRelease, resource: str, column: str, codes: Sequence[str]
               ) -> dict[str, str]:
    """Labels of ``codes`` from the schema's x-labels, in the order given; the code itself
    where the schema has none (the ETL does not label every column yet)."""
    labels = code_labels(release, resource, column)
    return {code: labels.get(code) or code for code in codes}


# --- order ------------------------------------------------------------------------------------


def ranked_labels(rows: pd.DataFrame, dim: str, labels: Mapping[str, str]) -> dict[str, str]:
    """Every label, reordered by published value (largest first), then the suppressed and
    absent codes in schema order, "unknown" last (for multi-response tables ranked by count)."""
    values = {r[dim]: number(r["value"]) if r["status"] != "suppressed" else None
              for r in rows.to_dict("records")}

    def rank(code: str) -> tuple[int, float]:
        value = values.get(code)
        return (2 if code == "unknown" else 1 if value is None else 0, -(value or 0))

    return {code: labels[code] for code in sorted(labels, key=rank)}


def by_value(frame: pd.DataFrame, dim: str, labels: Mapping[str, str], margin: str = ""
             ) -> dict[str, str]:
    """Codes of ``dim`` present in ``frame`` (margins aside): largest published value first,
    then the suppressed ones in schema order, then the "not known" answers.

    With ``margin``, the values ranked are those of that column's ``_total`` rows.
    """
    rows = frame[frame[dim] != TOTAL]
    if margin:
        rows = rows[rows[margin] == TOTAL]
    published = rows[rows["status"] != "suppressed"]
    first = list(published.assign(_v=published["value"].astype(float))
                 .sort_values("_v", ascending=False, kind="stable")[dim])
    present = set(frame[dim]) - {TOTAL}
    rest = [c for c in labels if c in present and c not in first]
    codes = [c for c in first + rest if c not in NOT_KNOWN] + \
            [c for c in first + rest if c in NOT_KNOWN]
    return {code: labels.get(code, code) for code in codes}


def ranked_table(rows: pd.DataFrame, dim: str, ranked: Mapping[str, str], heading: str,
                 unit: str) -> pd.DataFrame:
    """The text alternative of a ranked bar chart: categories in the chart's order, then the
    base (``_total``) they are counted against, each with its value or "suppressed [c]"."""
    present = set(rows[dim])
    codes = [c for c in ranked if c != TOTAL and c in present]
    codes += [TOTAL] if TOTAL in present else []
    return pd.DataFrame({
        heading: [ranked[c] for c in codes],
        _("Value (%(unit)s)", unit=unit): [cell_text(cell(rows, **{dim: c})) for c in codes],
    })


# --- targets ----------------------------------------------------------------------------------


class Target(NamedTuple):
    """An indicator's target, and its title to say what the target line counts."""

    value: float
    title: str


def target(release: LoadedRelease, metrics: Sequence[str], level: str | None = None
           ) -> Target | None:
    """Target of the indicator computed by one of ``metrics`` (its latest period), at the
    results-framework ``level`` if given.

    Selected by the registry metric, never by indicator id, so renumbering the results
    framework cannot silently move a target line. None for a release without indicators.
    """
    if not release.has("indicators"):
        return None
    frame = query.table(release, "indicators")
    rows = frame[frame["metric"].isin(list(metrics)) & frame["target"].notna()]
    if level is not None:
        rows = rows[rows["level"] == level]
    if rows.empty:
        return None
    row = rows.sort_values("period_end", kind="stable").iloc[-1]
    return Target(float(row["target"]),
                  localised(row, "title") or str(row.get("indicator_id", "")))


def target_value(release: LoadedRelease, metrics: Sequence[str], level: str | None = None
                 ) -> float | None:
    """Just the number of :func:`target` (None without a target)."""
    found = target(release, metrics, level)
    return None if found is None else found.value
