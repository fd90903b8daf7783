"""Indicator reports: every hand-reported indicator with its published values, and the values
(with private notes) the staff enter for the next release."""

from __future__ import annotations

import flask

from portal.i18n import _
from portal.workspace import audit, guard, problems, reports
from portal.workspace.models import IndicatorReport
from portal.workspace.views import back, place

bp = flask.Blueprint("indicators", __name__, url_prefix="/indicators")
FIELDS = ("indicator_id", "period_start", "period_end", "actual")


def _page(errors: list[reports.EntryError] | None = None,
          values: dict[str, str] | None = None) -> str:
    """The page; with ``errors``, the refused values shown again beside what was expected
    (a 200, like any form shown again: nothing was saved)."""
    with guard.database().session() as s:
        entered = reports.listed(s)
        s.expunge_all()
    shown = [(e.column, problems.expected(e.rule, e.message)) for e in errors or []]
    return flask.render_template("indicators.html", indicators=reports.hand_reported(
        place().packages), entered=entered, errors=shown, values=values or {})


@bp.route("/")
@guard.requires("viewer")
def index() -> str:
    return _page()


@bp.route("/", methods=["POST"])
@guard.requires("editor")
def save() -> flask.Response | str:
    values = {f: flask.request.form.get(f, "")[:200] for f in FIELDS}
    note = flask.request.form.get("note", "").strip()
    known = {i.id for i in reports.hand_reported(place().packages)}
    with guard.database().session() as s:
        report, errors = reports.save(s, values, note, guard.user().name, known)
        if report is not None:
            audit.record(s, "indicator report", detail=f"{report.indicator_id} "
                         f"{report.period_start}–{report.period_end}")
    if errors:
        return _page(errors, {**values, "note": note})
    flask.flash(_("Saved. The value goes into the next release; the note stays here."),
                "success")
    return back("indicators.index")


@bp.route("/<int:report_id>/delete", methods=["POST"])
@guard.requires("editor")
def delete(report_id: int) -> flask.Response:
    with guard.database().session() as s:
        report = s.get(IndicatorReport, report_id)
        if report is None:
            flask.abort(404)
        audit.record(s, "indicator report deleted", detail=f"{report.indicator_id} "
                     f"{report.period_start}–{report.period_end}")
        s.delete(report)
    return back("indicators.index")
