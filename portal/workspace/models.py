"""The workspace's own database: accounts, sessions, sign-in attempts, the audit log, uploads
and hand-reported indicator values with their private notes.

Never the public portal's database (which holds only published data) and never a raw value:
uploads are files under the workspace folder, and an upload row says only where and in what
state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

#: Roles in order of what they may do; each may do everything the ones before it may.
ROLES = ("viewer", "editor", "publisher", "admin")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "ws_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    created: Mapped[dt.datetime] = mapped_column(default=now)

    def may(self, role: str) -> bool:
        return self.active and ROLES.index(self.role) >= ROLES.index(role)


class LoginSession(Base):
    """A signed-in browser: the cookie carries only this random id, so signing out, a role
    change or a disabled account ends it on the server."""

    __tablename__ = "ws_sessions"
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("ws_users.id", ondelete="CASCADE"))
    created: Mapped[dt.datetime] = mapped_column(default=now)
    seen: Mapped[dt.datetime] = mapped_column(default=now)


class Attempt(Base):
    """A failed sign-in, for the rate limit per address (names are limited on the user)."""

    __tablename__ = "ws_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=now, index=True)


class Used(Base):
    """A form already submitted: its one-time token, so a second submission changes nothing."""

    __tablename__ = "ws_used_forms"
    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=now, index=True)


class AuditEntry(Base):
    __tablename__ = "ws_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    user: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    release: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    address: Mapped[str] = mapped_column(sa.String(64), default="")


class Upload(Base):
    """A survey export sent by a user, by state: ``checked`` (with or without errors),
    ``previewed``, then ``published``, ``discarded`` or ``expired`` (its files gone)."""

    __tablename__ = "ws_uploads"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user: Mapped[str] = mapped_column(sa.String(64))
    created: Mapped[dt.datetime] = mapped_column(default=now)
    kind: Mapped[str] = mapped_column(sa.String(8))  # xlsx or zip
    state: Mapped[str] = mapped_column(sa.String(16), default="checked")
    errors: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)
    version: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    #: The release that was current when the preview was made: publishing checks it still is.
    base: Mapped[str | None] = mapped_column(sa.String(128), default=None)
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    #: The preview's figures (aggregates of the anonymised release only), as JSON.
    preview: Mapped[str | None] = mapped_column(sa.Text, default=None)
    finished: Mapped[dt.datetime | None] = mapped_column(default=None)

    @property
    def open(self) -> bool:
        return self.state in ("checked", "previewed")


class IndicatorReport(Base):
    """A hand-reported actual for one indicator and period; ``note`` is private to the staff
    and never reaches a release."""

    __tablename__ = "ws_indicator_reports"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "period_start", "period_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[str] = mapped_column(sa.String(64))
    period_start: Mapped[str] = mapped_column(sa.String(10))
    period_end: Mapped[str] = mapped_column(sa.String(10))
    actual: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    user: Mapped[str] = mapped_column(sa.String(64))
    updated: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)


class Database:
    """Engine and sessions of one workspace database (SQLite by default, PostgreSQL in
    production: ``PORTAL_WORKSPACE_DATABASE_URL``)."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        if url.startswith("sqlite"):
            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(connection, _record) -> None:  # noqa: ANN001 - DBAPI objects
                connection.execute("PRAGMA foreign_keys=ON")
                connection.execute("PRAGMA busy_timeout=10000")
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on an exception."""
        with self.sessions.begin() as session:
            yield session
