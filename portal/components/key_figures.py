"""The five headline figures of a release, as the overview, the report and the staff
workspace's preview show them: computed from published tables only, a suppressed one said to
be suppressed.

Kept out of the overview page module so that code outside a Dash app (the workspace) can use
them: page modules register themselves with Dash when imported.
"""

from __future__ import annotations

from typing import NamedTuple

from portal import query
from portal.components.cells import agreements_signed, cell, percent_text
from portal.i18n import _, format_number
from portal.labels import TOTAL, code_labels
from portal.load.database import LoadedRelease


class KeyFigure(NamedTuple):
    """A headline figure: the value as shown, what it counts, one line of context."""

    value: str
    label: str
    note: str
    icon: str


def key_figure_values(release: LoadedRelease) -> list[KeyFigure]:
    """The headline figures, as the overview and the report show them (a suppressed one said
    to be suppressed)."""
    totals = query.public_totals(release)
    cards = []

    mapped = totals.get("businesses_mapped")
    places = [c for c in code_labels(release, "businesses_by_sector_municipality",
                                     "municipality") if c != TOTAL]
    cards.append(KeyFigure(
        format_number(mapped) if mapped is not None else "—", _("Businesses mapped"),
        _("surveyed in %(n)s municipalities of the north", n=len(places)), "shop"))

    levels = query.table(release, "compliance_level_by_sector", {"broad_sector": TOTAL})
    formal, everyone = (cell(levels, compliance_level="formal"),
                        cell(levels, compliance_level=TOTAL))
    share = percent_text(formal, everyone)
    if share is None or formal is None or everyone is None:
        cards.append(KeyFigure(_("suppressed [c]"), _("Fully formal businesses"), _(
            "Businesses meeting every requirement that applies to them"), "patch-check"))
    else:
        cards.append(KeyFigure(share, _("Fully formal businesses"), _(
            "%(n)s of %(total)s mapped businesses meet every requirement that applies to them",
            n=format_number(formal), total=format_number(everyone)), "patch-check"))

    trained = totals.get("people_trained")
    gender = query.table(release, "participants_by_topic_gender", {"topic": TOTAL})
    women = percent_text(cell(gender, gender="female"), cell(gender, gender=TOTAL))
    cards.append(KeyFigure(
        format_number(trained) if trained is not None else "—", _("People trained"),
        _("%(share)s of training participations were by women", share=women) if women
        else _("Share of women: suppressed [c]"), "mortarboard"))

    meetings, signed = totals.get("meetings_held"), agreements_signed(release)
    if signed is None:
        agreements = _("Agreements signed: not published")
    elif signed.value is None:
        agreements = _("Agreements signed: suppressed [c]")
    else:
        agreements = _("%(n)s agreements signed", n=format_number(signed.value))
    cards.append(KeyFigure(
        format_number(meetings) if meetings is not None else "—", _("B2B meetings held"),
        agreements, "people"))

    good, counted = indicators_on_track(release)
    cards.append(KeyFigure(
        _("%(n)s of %(total)s", n=good, total=counted) if counted else "—",
        _("Indicators on track"), _("in the results framework, at their latest report"),
        "bar-chart-line"))
    return cards


def indicators_on_track(release: LoadedRelease) -> tuple[int, int]:
    """(on track, with a status) over indicators at their latest reported period.

    Some indicators are reported for several periods; counting rows would count them twice.
    (The indicators page counts the same way.) (0, 0) for a release without them.
    """
    if not release.has("indicators"):
        return 0, 0
    frame = query.table(release, "indicators", columns=("indicator_id", "period_start",
                                                         "status"))
    frame = frame[frame["status"].fillna("") != ""]
    last = frame.sort_values("period_start", kind="stable").drop_duplicates(
        "indicator_id", keep="last")
    return int((last["status"] == "on_track").sum()), len(last)
