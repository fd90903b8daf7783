"""Upload a survey export, read its check report (or download it as XLSX), preview the
release it would make, publish or discard it."""

from __future__ import annotations

import json

import flask
import sqlalchemy as sa

from portal.i18n import LOCALES, _
from portal.workspace import audit, candidate, guard, problems
from portal.workspace.intake import IntakeError
from portal.workspace.models import Upload
from portal.workspace.views import back, place

bp = flask.Blueprint("uploads", __name__, url_prefix="/uploads")
#: Problems listed on the page; the XLSX report has them all.
SHOWN = 500


def _refused(exc: candidate.Refused | IntakeError) -> None:
    flask.flash(_(exc.message, **exc.params), "danger")


def _upload(upload_id: str) -> Upload:
    with guard.database().session() as s:
        upload = s.get(Upload, upload_id)
        if upload is None:
            flask.abort(404)
        s.expunge(upload)
    return upload


@bp.route("/")
@guard.requires("editor")
def index() -> str:
    candidate.sweep(place(), guard.database())
    guard.forget_old(guard.database())
    with guard.database().session() as s:
        found = list(s.scalars(sa.select(Upload).order_by(Upload.created.desc()).limit(50)))
        s.expunge_all()
    return flask.render_template("uploads.html", uploads=found,
                                 limit=flask.current_app.config["MAX_UPLOAD_MB"],
                                 days=flask.current_app.config["RETENTION_DAYS"])


@bp.route("/", methods=["POST"])
@guard.requires("editor")
def upload() -> flask.Response:
    sent = flask.request.files.get("file")
    if sent is None or not sent.filename:
        flask.flash(_("Choose a file to upload."), "danger")
        return back("uploads.index")
    try:
        received, _result = candidate.take(place(), guard.database(), sent.stream,
                                          sent.filename, guard.user().name)
    except IntakeError as exc:
        audit.log("upload refused", detail=exc.message)
        _refused(exc)
        return back("uploads.index")
    audit.log("upload", detail=f"{received.id}: {received.errors} errors, "
                               f"{received.warnings} warnings")
    return back("uploads.show", upload_id=received.id)


@bp.route("/<upload_id>")
@guard.requires("editor")
def show(upload_id: str) -> str:
    upload = _upload(upload_id)
    result = rows = None
    if upload.open and upload.state == "checked":
        result = candidate.report(place(), upload)
        rows = problems.rows(result, limit=SHOWN)
    described = json.loads(upload.preview) if upload.preview and upload.open else None
    return flask.render_template(
        "upload.html", upload=upload, result=result, rows=rows, shown=SHOWN,
        summary=problems.summary(result) if result is not None else "",
        preview=described)


@bp.route("/<upload_id>/report.xlsx")
@guard.requires("editor")
def report(upload_id: str) -> flask.Response:
    upload = _upload(upload_id)
    if not upload.open:
        flask.abort(404)
    response = flask.make_response(problems.xlsx(candidate.report(place(), upload)))
    response.headers["Content-Type"] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="check-report-{upload.id[:8]}.xlsx"')
    return response


@bp.route("/<upload_id>/preview", methods=["POST"])
@guard.requires("editor")
def preview(upload_id: str) -> flask.Response:
    try:
        described = candidate.preview(place(), guard.database(), upload_id, LOCALES)
    except candidate.Refused as exc:
        _refused(exc)
        return back("uploads.show", upload_id=upload_id)
    audit.log("preview", release=described["version"], detail=upload_id)
    return back("uploads.show", upload_id=upload_id)


@bp.route("/<upload_id>/publish", methods=["POST"])
@guard.requires("publisher")
def publish(upload_id: str) -> flask.Response:
    try:
        version = candidate.publish(place(), guard.database(), upload_id)
    except candidate.Refused as exc:
        audit.log("publish refused", detail=f"{upload_id}: {exc}")
        _refused(exc)
        return back("uploads.show", upload_id=upload_id)
    audit.log("publish", release=version, detail=upload_id)
    flask.flash(_("Release %(version)s is published. The public portal shows it within a "
                  "few seconds.", version=version), "success")
    return back("releases.index")


@bp.route("/<upload_id>/discard", methods=["POST"])
@guard.requires("editor")
def discard(upload_id: str) -> flask.Response:
    try:
        candidate.discard(place(), guard.database(), upload_id)
    except candidate.Refused as exc:
        _refused(exc)
        return back("uploads.show", upload_id=upload_id)
    audit.log("discard", detail=upload_id)
    flask.flash(_("The upload was discarded and its files deleted."), "success")
    return back("uploads.index")
