"""Rate limits per client address, shared by every worker: the contact form's (a few requests
an hour) and the directory pages' against scraping.

The counters live in the contact database (:mod:`portal.contact.models`), not in the cache: the
database is one for all gunicorn workers whatever the deployment (a ``simple`` cache is per
process, and the Redis cache turns an outage into misses, which would lift the limit). Each
(bucket, address) has a count per fixed window; the limit applies to a sliding estimate
(the previous window's count weighted by how much of it still overlaps, plus the current one),
so no burst at a window's edge doubles it. A refused hit is not counted.

The address is never stored: only an HMAC of it under the app's ``SECRET_KEY``. IPv6 addresses
count per /64 network (one subscriber's allocation), or a client could change address at will.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import threading
import time
from collections.abc import Sequence
from typing import NamedTuple

import flask
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from portal.contact.models import EXTENSION, Database, RateCount

log = logging.getLogger(__name__)


class Rule(NamedTuple):
    bucket: str
    limit: int
    window_seconds: int


#: The contact form: requests stored per address (every limit in one place).
CONTACT_RULES = (Rule("contact-hour", 5, 3600), Rule("contact-day", 20, 24 * 3600))
#: How often (seconds) a process deletes counters whose windows are over.
_PURGE_EVERY = 600
_purged = {"at": 0.0}
_purge_lock = threading.Lock()


class _Refused(Exception):
    """Rolls back the counts of a refused hit."""


def address_key(address: str, secret: str | bytes) -> str:
    """The keyed hash the counters are stored under (never the address itself)."""
    text = (address or "").strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        if ip.version == 6 and ip.ipv4_mapped is None:
            text = str(ipaddress.ip_network(f"{ip}/64", strict=False))
        elif ip.version == 6:
            text = str(ip.ipv4_mapped)
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, b"rate\x1f" + text.encode(), hashlib.sha256).hexdigest()


def allow(bucket: str, address: str, limit: int, window_seconds: int) -> bool:
    """Count one hit of ``address`` in ``bucket``; False (and not counted) when that would make
    more than ``limit`` hits in ``window_seconds``. Call it in a request of the portal or the
    workspace; ``bucket`` is up to 32 characters, one per kind of page or form."""
    return allow_all(address, (Rule(bucket, limit, window_seconds),))


def allow_all(address: str, rules: Sequence[Rule], moment: float | None = None) -> bool:
    """:func:`allow` for several rules at once: all counted, or (when any is exceeded) none.

    If the database cannot be reached the hit is allowed (and logged): a limit must not take
    the pages down with it.
    """
    app = flask.current_app
    db: Database = app.extensions[EXTENSION]
    key = address_key(address, app.config["SECRET_KEY"])
    at = time.time() if moment is None else moment
    try:
        db.ready()
        _purge(db, at)
        with db.engine.begin() as conn:
            for rule in rules:
                if _estimate(conn, rule, key, at) > rule.limit:
                    raise _Refused()
    except _Refused:
        return False
    except sa.exc.OperationalError:
        log.warning("rate limit not applied: the contact database cannot be reached",
                    exc_info=True)
    return True


def _estimate(conn: sa.Connection, rule: Rule, key: str, at: float) -> float:
    """Count the hit first (the row lock orders concurrent workers), then weigh the windows."""
    window = rule.window_seconds
    start = int(at // window * window)
    table = RateCount.__table__
    values = {"bucket": rule.bucket, "key": key, "start": start, "count": 1,
              "expires": start + 2 * window}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).values(values).on_conflict_do_update(
        index_elements=["bucket", "key", "start"], set_={"count": table.c.count + 1}))
    counts = dict(conn.execute(sa.select(table.c.start, table.c.count).where(
        table.c.bucket == rule.bucket, table.c.key == key,
        table.c.start.in_((start, start - window)))).all())
    overlap = 1 - (at - start) / window
    return counts.get(start - window, 0) * overlap + counts[start]


def _purge(db: Database, at: float) -> None:
    with _purge_lock:
        if at - _purged["at"] < _PURGE_EVERY:
            return
        _purged["at"] = at
    forget(db, at)


def forget(db: Database, at: float | None = None) -> int:
    """Delete the counters of windows that no longer count; how many went."""
    moment = time.time() if at is None else at
    table = RateCount.__table__
    db.ready()
    with db.engine.begin() as conn:
        return conn.execute(sa.delete(table).where(table.c.expires < moment)).rowcount
