"""The published releases, and withdrawing one with a reason (publishers)."""

from __future__ import annotations

import flask

from etl.publish import releases as published
from portal.i18n import _
from portal.workspace import audit, candidate, guard
from portal.workspace.views import back, place

bp = flask.Blueprint("releases", __name__, url_prefix="/releases")


@bp.route("/")
@guard.requires("viewer")
def index() -> str:
    packages = place().packages
    entries = published.read_index(packages) if packages.is_dir() else []
    current = candidate.current(packages)
    return flask.render_template("releases.html", entries=entries[::-1],
                                 current=current[0] if current else None)


@bp.route("/<version>/withdraw", methods=["POST"])
@guard.requires("publisher")
def withdraw(version: str) -> flask.Response:
    reason = " ".join(flask.request.form.get("reason", "").split())[:500]
    if flask.request.form.get("confirm", "").strip() != version:
        flask.flash(_("Type the version %(version)s to confirm the withdrawal.",
                      version=version), "danger")
        return back("releases.index")
    if not reason:
        flask.flash(_("Say why the release is withdrawn: the reason is published."), "danger")
        return back("releases.index")
    try:
        candidate.withdraw(place(), version, reason)
    except candidate.Refused as exc:
        flask.flash(_(exc.message, **exc.params), "danger")
        return back("releases.index")
    audit.log("withdraw", release=version, detail=reason)
    flask.flash(_("Release %(version)s is withdrawn. Its files are no longer published; the "
                  "reason is shown in the release history.", version=version), "success")
    return back("releases.index")
