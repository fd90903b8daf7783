"""The workspace's pages, one module per concern; each view checks the role it needs
(:func:`portal.workspace.guard.requires`) and leaves the work to the modules above."""

from __future__ import annotations

import flask

from portal.i18n import N_, _
from portal.workspace.candidate import Place


def place() -> Place:
    return flask.current_app.extensions["workspace_place"]


def back(endpoint: str, **values: object) -> flask.Response:
    """Redirect after a POST (so reloading the page does not send the form again)."""
    return flask.redirect(flask.url_for(endpoint, **values), code=303)


#: How the templates name codes (states, unit kinds, changes, roles): capitalised labels, so
#: that they never share a message with the lower-case codes the public pages show as data.
LABELS = {
    "checked": N_("Checked"), "previewed": N_("Previewed"), "published": N_("Published"),
    "discarded": N_("Discarded"), "expired": N_("Expired"), "withdrawn": N_("Withdrawn"),
    "businesses": N_("Businesses"), "people": N_("Participants"),
    "sessions": N_("Training sessions"), "meetings": N_("B2B meetings"),
    "added": N_("Added"), "changed": N_("Changed"), "removed": N_("Removed"),
    "same": N_("Unchanged"),
    "viewer": N_("Viewer"), "editor": N_("Editor"), "publisher": N_("Publisher"),
    "admin": N_("Admin"),
}


def label(code: str) -> str:
    return _(LABELS[code]) if code in LABELS else code
