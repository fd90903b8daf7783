"""The buyers' contact requests from the directory (portal.contact): read, exported and closed
by the staff who follow them up. The buyer's details are shown here and in the export only;
the audit log names the request and the business, never the buyer."""

from __future__ import annotations

import flask

from portal.contact import store
from portal.contact.models import EXTENSION, ContactRequest, Database
from portal.i18n import _
from portal.workspace import audit, guard
from portal.workspace.models import now
from portal.workspace.views import back

bp = flask.Blueprint("requests", __name__)


def database() -> Database:
    return flask.current_app.extensions[EXTENSION]


def _kept() -> list[ContactRequest]:
    """Every request kept, after deleting those past retention (so none is shown too long)."""
    gone = store.sweep(database(), flask.current_app.config["CONTACT_RETENTION_DAYS"])
    if gone:
        flask.current_app.logger.info("deleted %d contact request(s) past retention", gone)
    return store.listed(database())


@bp.route("/requests")
@guard.requires("viewer")
def index() -> str:
    return flask.render_template("requests.html", requests=_kept(),
                                 days=flask.current_app.config["CONTACT_RETENTION_DAYS"])


@bp.route("/requests.csv")
@guard.requires("viewer")
def export() -> flask.Response:
    kept = _kept()
    audit.log("contact requests exported", detail=f"{len(kept)} request(s)")
    # With a byte order mark, so spreadsheet programs read the names in Cyrillic right.
    body = "\ufeff" + store.to_csv(kept)
    name = f"contact-requests-{now():%Y-%m-%d}.csv"
    return flask.Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/requests/<int:request_id>/handled", methods=["POST"])
@guard.requires("viewer")
def handled(request_id: int) -> flask.Response:
    done = store.mark_handled(database(), request_id, guard.user().name)
    if done is None:
        flask.abort(404)
    audit.log("contact request handled",
              detail=f"request {done.id} for listing {done.listing_id}")
    flask.flash(_("Request %(number)s marked handled.", number=done.id), "success")
    return back("requests.index")
