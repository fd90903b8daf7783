"""``/directory/<listing_id>/contact``: the form a buyer sends to reach a listed business through
the programme, instead of reading contact details in bulk.

Server-rendered (no Dash): it must work without JavaScript and carry its own CSRF token. The
token is Flask-WTF's, checked here for this form only: ``CSRFProtect`` app-wide would refuse
the Dash callbacks and the CKAN API's POSTs. In order, a submission is refused when it comes
from another site (Origin, else Referer), is too large, has no valid token, fills the honeypot
(answered like a success, nothing stored), is invalid, or is one too many from its address.
Only the listing's id and the outcome are logged, never what the buyer wrote.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import flask
from flask_wtf.csrf import generate_csrf, validate_csrf
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from wtforms import ValidationError

from portal import config as portal_config
from portal import i18n, query, site
from portal.contact import form, limits, store
from portal.contact.models import EXTENSION, Database
from portal.i18n import _
from portal.load.directory import Listing

log = logging.getLogger(__name__)
blueprint = flask.Blueprint("contact", __name__, template_folder="templates")
#: The key of the requests prefix (where the proxy mounts the portal) in ``app.extensions``.
PREFIX = "contact_prefix"
_LISTING_ID = re.compile(r"^[0-9a-f]{10}$")
_NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def link(path: str) -> str:
    """``path`` of the portal as a link (under the proxy's path prefix, if any)."""
    return flask.current_app.extensions.get(PREFIX, "") + path


def _listing(listing_id: str) -> Listing:
    found = query.directory().get(listing_id) if _LISTING_ID.match(listing_id) else None
    if found is None:
        raise NotFound()
    return found


def _retention_days() -> int:
    return int(flask.current_app.config.get("CONTACT_RETENTION_DAYS",
                                            portal_config.DEFAULT_CONTACT_RETENTION_DAYS))


@blueprint.context_processor
def _helpers() -> dict[str, object]:
    return {"_": _, "ngettext": i18n.ngettext, "locale": i18n.get_locale,
            "locales": i18n.LOCALES, "native": i18n.NATIVE_NAMES, "link": link,
            "site_title": site.SITE_TITLE}


def _page(listing: Listing, values: dict[str, str] | None = None,
          errors: dict[str, tuple[str, dict[str, object]]] | None = None,
          alert: str = "", status: int = 200) -> flask.Response:
    """The form (again, with what was sent and what is wrong, when ``errors`` or ``alert``)."""
    shown = {name: _(message, field=_(form.LABELS[name]) if name in form.LABELS else "",
                     **params) for name, (message, params) in (errors or {}).items()}
    body = flask.render_template(
        "contact_form.html", listing=listing, values=values or {}, errors=shown, alert=alert,
        csrf=generate_csrf(), honeypot=form.HONEYPOT, limits=form.LIMITS, labels=form.LABELS,
        days=_retention_days(), here=f"/directory/{listing.id}/contact")
    return flask.Response(body, status=status, headers=_NO_STORE)


def _refused(listing: Listing, message: str, status: int) -> flask.Response:
    body = flask.render_template("contact_refused.html", listing=listing, message=message,
                                 code=status, here=f"/directory/{listing.id}/contact")
    return flask.Response(body, status=status, headers=_NO_STORE)


def _cross_site() -> bool:
    """True when the browser says the form was sent from another site (or an opaque one)."""
    sent = flask.request.headers.get("Origin") or flask.request.headers.get("Referer")
    if not sent:
        return False  # no header (privacy tools strip Referer): the CSRF token decides
    parts = urlsplit(sent)
    own = {flask.request.host_url, site.origin()}
    return f"{parts.scheme}://{parts.netloc}/".lower() not in {o.lower() for o in own}


@blueprint.route("/directory/<listing_id>/contact")
def show(listing_id: str) -> flask.Response:
    return _page(_listing(listing_id))


@blueprint.route("/directory/<listing_id>/contact", methods=["POST"])
def send(listing_id: str) -> flask.Response:
    listing = _listing(listing_id)
    if _cross_site():
        log.warning("contact request for %s refused: sent from another site", listing.id)
        return _refused(listing, _("This form can only be sent from its own page on this "
                                   "portal."), 403)
    flask.request.max_content_length = form.MAX_BODY
    try:
        data = flask.request.form
    except RequestEntityTooLarge:
        log.info("contact request for %s refused: body too large", listing.id)
        return _page(listing, alert=_("Your request is larger than this form accepts. Please "
                                      "shorten it: the message may have up to %(limit)s "
                                      "characters.", limit=form.LIMITS["message"]), status=413)
    checked = form.check(data)
    try:
        validate_csrf(data.get("csrf_token", ""))
    except ValidationError:
        log.info("contact request for %s refused: no valid CSRF token", listing.id)
        return _page(listing, checked.values, alert=_(
            "The form has expired or was not sent from this page. Please check your entries "
            "and send it again."), status=400)
    if data.get(form.HONEYPOT, ""):
        log.info("contact request for %s not stored: honeypot filled", listing.id)
        return _sent(listing)
    if checked.errors:
        log.info("contact request for %s refused: %s", listing.id, ", ".join(checked.errors))
        return _page(listing, checked.values, checked.errors, status=400)
    if not limits.allow_all(flask.request.remote_addr or "", limits.CONTACT_RULES):
        log.warning("contact request for %s refused: rate limit of its address", listing.id)
        hour, day = limits.CONTACT_RULES
        response = _refused(listing, _(
            "You have sent several requests in a short time. To protect the businesses from "
            "spam, one address may send at most %(hour)s requests an hour and %(day)s a day. "
            "Please try again later.", hour=hour.limit, day=day.limit), 429)
        response.headers["Retry-After"] = str(hour.window_seconds)
        return response
    db: Database = flask.current_app.extensions[EXTENSION]
    made = store.add(db, listing.id, listing.name, checked.values, i18n.get_locale(),
                     _retention_days())
    log.info("contact request %s for %s stored", made, listing.id)
    return _sent(listing)


def _sent(listing: Listing) -> flask.Response:
    return flask.redirect(link(f"/directory/{listing.id}/contact/sent"), code=303)


@blueprint.route("/directory/<listing_id>/contact/sent")
def sent(listing_id: str) -> flask.Response:
    listing = _listing(listing_id)
    body = flask.render_template("contact_sent.html", listing=listing,
                                 here=f"/directory/{listing.id}/contact/sent")
    return flask.Response(body, headers=_NO_STORE)
