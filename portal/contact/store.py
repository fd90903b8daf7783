"""Contact requests kept, listed, closed, exported and deleted after their retention.

Nothing here logs or returns more than a request's id and listing: the buyer's details stay in
the database (and the staff's screen and export).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from etl.validate.rules import FORMULA_START
from portal.contact.models import ContactRequest, Database, now

#: Columns of the CSV export, in order (the model's attribute names).
COLUMNS = ("id", "created", "listing_id", "listing_name", "name", "organisation", "city",
           "email", "phone", "message", "language", "handled", "handled_at", "handled_by")


def add(db: Database, listing_id: str, listing_name: str, values: Mapping[str, str],
        language: str, retention_days: int) -> int:
    """Store a checked request (and delete those past retention); its id."""
    sweep(db, retention_days)
    with db.session() as s:
        made = ContactRequest(listing_id=listing_id, listing_name=listing_name[:200],
                              language=language, **{k: values.get(k, "") for k in (
                                  "name", "organisation", "city", "email", "phone", "message")})
        s.add(made)
        s.flush()
        return made.id


def sweep(db: Database, retention_days: int, moment: dt.datetime | None = None) -> int:
    """Delete the requests older than ``retention_days``, handled or not; how many went."""
    cutoff = (moment or now()) - dt.timedelta(days=retention_days)
    with db.session() as s:
        return s.execute(sa.delete(ContactRequest).where(ContactRequest.created < cutoff)
                         ).rowcount


def listed(db: Database) -> list[ContactRequest]:
    """Every request kept: open ones first, then handled ones, newest first in each."""
    with db.session() as s:
        found = list(s.scalars(sa.select(ContactRequest).order_by(
            ContactRequest.handled, ContactRequest.created.desc(), ContactRequest.id.desc())))
        s.expunge_all()
    return found


def mark_handled(db: Database, request_id: int, user: str) -> ContactRequest | None:
    """Close a request in the name of ``user``; None when there is no such request. A request
    handled already keeps who and when it was first."""
    with db.session() as s:
        found = s.get(ContactRequest, request_id)
        if found is None:
            return None
        if not found.handled:
            found.handled, found.handled_at, found.handled_by = True, now(), user
        s.flush()
        s.expunge(found)
    return found


def neutralised(value: object) -> str:
    """A cell's text that no spreadsheet program runs as a formula (a leading ``'``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(requests: Iterable[ContactRequest]) -> str:
    """The requests as CSV (one header row of :data:`COLUMNS`; times in UTC)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in requests:
        writer.writerow([neutralised(getattr(item, column)) for column in COLUMNS])
    return out.getvalue()
