"""The contact requests' database, shared by the public portal (which stores them) and the staff
workspace (which shows, exports and closes them), and the rate limit's counters.

Its own tables in its own database (``PORTAL_CONTACT_DATABASE_URL``): never the portal's
database, which holds only published data and is rebuilt from the packages, and never the
workspace's, which the public portal must not be able to open. Both apps resolve the default
the same way, from this file's place in the checkout, so they find the same SQLite file.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

#: The checkout's instance folder (the portal's Flask instance folder, the workspace's parent).
INSTANCE_DIR = Path(__file__).resolve().parents[2] / "instance"
DEFAULT_FILE = INSTANCE_DIR / "contact-requests.sqlite"
#: The key of the :class:`Database` in ``app.extensions`` (portal and workspace alike).
EXTENSION = "contact_db"


def default_url() -> str:
    return f"sqlite:///{DEFAULT_FILE}"


def now() -> dt.datetime:
    """UTC, naive (SQLite keeps no time zone; every timestamp here is UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class ContactRequest(Base):
    """A buyer's request to reach a listed business, as typed (plain text), with the business
    named as it was listed then, so the staff know whom even after the listing changed."""

    __tablename__ = "contact_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    created: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    listing_id: Mapped[str] = mapped_column(sa.String(16))
    listing_name: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(100))
    organisation: Mapped[str] = mapped_column(sa.String(150), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    message: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(8))
    handled: Mapped[bool] = mapped_column(default=False)
    handled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    handled_by: Mapped[str | None] = mapped_column(sa.String(64), default=None)


class RateCount(Base):
    """Hits of one address (a keyed hash, never the address) in one window of one bucket."""

    __tablename__ = "contact_rate_counts"
    bucket: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    start: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)  # epoch seconds
    count: Mapped[int] = mapped_column(default=0)
    #: When the count stops mattering (the end of the window after this one).
    expires: Mapped[int] = mapped_column(sa.BigInteger, index=True)


class Database:
    """Engine and sessions of the contact database. The tables are made on first use, so an
    app that never takes a request (a CLI, most tests) leaves no file behind."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        if url.startswith("sqlite"):
            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(connection, _record) -> None:  # noqa: ANN001 - DBAPI objects
                connection.execute("PRAGMA busy_timeout=10000")
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._made = False
        self._lock = threading.Lock()

    def ready(self) -> None:
        if not self._made:
            with self._lock:
                if not self._made:
                    database = self.engine.url.database
                    if self.engine.url.get_backend_name() == "sqlite" and database \
                            and database != ":memory:":
                        Path(database).parent.mkdir(parents=True, exist_ok=True)
                    Base.metadata.create_all(self.engine)
                    self._made = True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on an exception."""
        self.ready()
        with self.sessions.begin() as session:
            yield session
