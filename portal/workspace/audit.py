"""The audit log: who did what, when, to which release, from where; kept in the workspace
database and shown to admins. Details never carry a raw value."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.workspace import guard
from portal.workspace.models import AuditEntry


def record(session: Session, action: str, *, release: str | None = None, detail: str = "",
           user: str | None = None) -> None:
    account = guard.user()
    session.add(AuditEntry(user=user or (account.name if account else "-"), action=action,
                           release=release, detail=detail[:2000], address=guard.address()))


def log(action: str, **kwargs: object) -> None:
    """:func:`record` in a transaction of its own."""
    with guard.database().session() as s:
        record(s, action, **kwargs)  # type: ignore[arg-type]


def recent(session: Session, limit: int = 500) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())
                                .limit(limit)))
