"""The portal's database: each published release loaded into its own tables.

Tables of a release are named ``r<fingerprint[:12]>_<resource>``, so a new
release loads beside the one being served and becomes visible in one step (the
row in ``portal_release`` turning ``ready``); a request pins one
:class:`LoadedRelease` and never sees a mix of two. Works over any SQLAlchemy
URL: a SQLite file by default, PostgreSQL in production.

Beside the release's tables, its indicators' history across the releases before it
(:mod:`portal.load.indicator_history`) is loaded into one more table.

On PostgreSQL several worker processes share the database: loading is serialised by an
advisory lock (per schema), so workers starting together load a release once, and the
others wait for it and then read it. Connections are checked before use
(``pool_pre_ping``), so a restarted PostgreSQL costs nothing but a reconnect.
"""

from __future__ import annotations

import copy
import dataclasses
import fcntl
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from portal.load import indicator_history
from portal.load.release import Release, read_release

log = logging.getLogger(__name__)

#: Published marker of a suppressed cell, and the empty string: both load as NULL.
MISSING = ("", "[c]")
KEEP_RELEASES = 2
#: Tables with at least this many rows get an index on each code-list column, so that the
#: APIs' filters and counts read an index instead of scanning (a 100,000-row table).
INDEX_FROM_ROWS = 5000
#: Row number in the published file, so queries keep its order on any database.
ROW = "_row"
_TYPES: dict[str, Any] = {"integer": sa.BigInteger, "number": sa.Float, "boolean": sa.Boolean}

metadata = sa.MetaData()
releases_table = sa.Table(
    "portal_release",
    metadata,
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("descriptors", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # loading | ready
    sa.Column("loaded_at", sa.Float, nullable=False),
)


@dataclass(frozen=True, repr=False)
class LoadedRelease:
    """A release that is in the database: what a request reads from.

    Its ``repr`` is its fingerprint, which is what flask-caching keys memoised calls on.
    """

    fingerprint: str
    version: str
    packages: dict[str, dict[str, Any]]
    #: Digest of the release list (``releases.json``): a withdrawal changes it, not the tables.
    history: str = ""

    def __repr__(self) -> str:
        return f"LoadedRelease({self.fingerprint})"

    @property
    def key(self) -> str:
        """Short id used in table names and cache keys."""
        return self.fingerprint[:12]

    @property
    def revision(self) -> str:
        """What an answer showing the release history is about: the release and its list
        (keys the catalogue and every ETag; data queries key on the fingerprint alone)."""
        return f"{self.fingerprint}:{self.history}"

    @property
    def synthetic(self) -> bool:
        return any(d.get("x-synthetic") for d in self.packages.values())

    @property
    def created(self) -> str:
        """When the newest package of the release was created (ISO 8601)."""
        return max((d.get("created", "") for d in self.packages.values()), default="")

    def resource(self, name: str) -> dict[str, Any]:
        """The resource descriptor called ``name`` (KeyError if the release has none)."""
        for descriptor in self.packages.values():
            for resource in descriptor["resources"]:
                if resource["name"] == name:
                    return resource
        raise KeyError(name)

    def has(self, name: str) -> bool:
        """Whether the release publishes a resource called ``name``."""
        return any(r["name"] == name for d in self.packages.values() for r in d["resources"])

    def package_of(self, name: str) -> dict[str, Any]:
        for descriptor in self.packages.values():
            if any(r["name"] == name for r in descriptor["resources"]):
                return descriptor
        raise KeyError(name)

    def table_name(self, resource: str) -> str:
        return f"r{self.key}_{resource}"


def _column_type(field: dict[str, Any]) -> Any:
    return _TYPES.get(field.get("type", "string"), sa.Text)


def _read_resource(root: Path, package: str, resource: dict[str, Any]) -> pd.DataFrame:
    """A resource's CSV with columns typed by its Table Schema.

    Numbers and booleans that are ``[c]`` or empty become NULL; text keeps ``[c]`` as it is
    (a suppressed code is not the same as a missing one). Numeric columns that held ``[c]``
    are listed in the resource's ``x-portal-suppressible`` so exports can write it back.
    """
    fields = resource["schema"]["fields"]
    frame = pd.read_csv(root / package / resource["path"], dtype=str, keep_default_na=False,
                        encoding="utf-8")
    suppressible = []
    for spec in fields:
        name, kind = spec["name"], spec.get("type", "string")
        if kind not in ("integer", "number", "boolean"):
            continue
        text = frame[name]
        if (text == MISSING[1]).any():
            suppressible.append(name)
        text = text.where(~text.isin(MISSING))
        if kind == "boolean":
            frame[name] = text.str.lower().map({"true": True, "false": False})
        else:
            frame[name] = pd.to_numeric(text)
    resource["x-portal-suppressible"] = suppressible
    return frame.astype(object).where(frame.notna(), None)


#: PostgreSQL's longest identifier (longer ones are silently cut, and then may collide).
MAX_NAME = 63


def _index_name(table: str, number: int | str) -> str:
    """A name unique in the database and within PostgreSQL's 63 characters."""
    name = f"ix{number}_{table}"
    return (name if len(name) <= MAX_NAME
            else f"ix{number}_{hashlib.sha1(table.encode()).hexdigest()}")


def engine_url(url: str) -> str:
    """``url`` with a bare ``postgresql://`` meaning psycopg 3 (SQLAlchemy means psycopg2)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


class Store:
    """Loads the current release into the database and hands out :class:`LoadedRelease`.

    ``current()`` looks for a new release at most every ``check_interval`` seconds
    (hashing two small descriptors and the release list), so a release published or
    withdrawn while serving is picked up without a restart. ``releases_dir`` holds the
    release list and the earlier releases (default ``packages_dir``; a release opened on its
    own passes the folder it was published in).
    """

    def __init__(self, url: str, packages_dir: Path, check_interval: float = 2.0,
                 releases_dir: Path | None = None) -> None:
        self.engine = sa.create_engine(engine_url(url), pool_pre_ping=True)
        self.packages_dir = packages_dir
        self.releases_dir = releases_dir or packages_dir
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._current: LoadedRelease | None = None
        self._checked = float("-inf")
        self._tables: dict[str, sa.Table] = {}
        with self._exclusive():  # workers starting together must not both create it
            metadata.create_all(self.engine)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Across processes, one at a time: PostgreSQL advisory lock on the current schema.

        The lock is a session lock on a connection of its own, held while other
        connections load the tables. SQLite gets the same from ``flock`` on a file beside
        the database (several workers may serve one SQLite file too).
        """
        if self.engine.dialect.name == "sqlite":
            database = self.engine.url.database
            if not database or database == ":memory:":
                yield
                return
            with open(f"{database}.load-lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
            return
        if self.engine.dialect.name != "postgresql":
            yield
            return
        key = sa.text("SELECT hashtext(current_schema() || :name)")
        with self.engine.connect() as conn:
            number = conn.execute(key, {"name": "/portal_release"}).scalar_one()
            conn.execute(sa.text("SELECT pg_advisory_lock(:n)"), {"n": number})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:n)"), {"n": number})
                conn.commit()

    def _ready(self, fingerprint: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(releases_table.c.state, releases_table.c.descriptors)
                                .where(releases_table.c.fingerprint == fingerprint)).first()

    def table(self, name: str) -> sa.Table:
        """A loaded table (reflected once; release tables never change after loading)."""
        found = self._tables.get(name)
        if found is None:
            found = sa.Table(name, sa.MetaData(), autoload_with=self.engine)
            self._tables[name] = found
        return found

    def current(self) -> LoadedRelease | None:
        """The release to serve now, loading a newer one first if it has appeared."""
        if time.monotonic() - self._checked < self.check_interval:
            return self._current
        with self._lock:
            if time.monotonic() - self._checked >= self.check_interval:
                self._current = self._refresh()
                self._checked = time.monotonic()
        return self._current

    def _refresh(self) -> LoadedRelease | None:
        release = read_release(self.packages_dir)
        if release is None:
            return None
        if self._current is not None and self._current.fingerprint == release.fingerprint:
            if self._current.history != release.history:  # a withdrawal: same tables
                return dataclasses.replace(self._current, history=release.history)
            return self._current
        row = self._ready(release.fingerprint)
        if row is None or row.state != "ready":
            with self._exclusive():
                # Another worker may have loaded it while this one waited for the lock.
                row = self._ready(release.fingerprint)
                if row is None or row.state != "ready":
                    return self.load(release)
        loaded = LoadedRelease(release.fingerprint, release.version, json.loads(row.descriptors),
                               release.history)
        history_table = loaded.table_name(indicator_history.TABLE)
        if not sa.inspect(self.engine).has_table(history_table):
            # Loaded by a portal from before the history existed: add it now, once.
            with self._exclusive():
                if not sa.inspect(self.engine).has_table(history_table):
                    self._load_history(loaded, release)
        return loaded

    def load(self, release: Release) -> LoadedRelease:
        """Copy every tabular resource of ``release`` into new tables, then mark it ready."""
        started = time.perf_counter()
        loaded = LoadedRelease(release.fingerprint, release.version,
                               copy.deepcopy(release.packages), release.history)
        with self.engine.begin() as conn:
            conn.execute(releases_table.delete().where(
                releases_table.c.fingerprint == release.fingerprint))
            conn.execute(releases_table.insert().values(
                fingerprint=release.fingerprint, version=release.version,
                descriptors=json.dumps(release.packages), state="loading",
                loaded_at=time.time()))
        for package, descriptor in loaded.packages.items():
            for resource in descriptor["resources"]:
                if "schema" not in resource or not resource.get("path", "").endswith(".csv"):
                    continue
                self._load_table(loaded.table_name(resource["name"]),
                                 _read_resource(release.root, package, resource),
                                 resource["schema"])
        self._load_history(loaded, release)
        with self.engine.begin() as conn:
            conn.execute(releases_table.update().where(
                releases_table.c.fingerprint == release.fingerprint).values(
                    state="ready", descriptors=json.dumps(loaded.packages)))
        log.info("loaded release %s (%s) in %.2f s", release.version, loaded.key,
                 time.perf_counter() - started)
        self._drop_old(keep=release.fingerprint)
        return loaded

    def _load_history(self, loaded: LoadedRelease, release: Release) -> None:
        """The indicators of every published release up to ``release``, in one table."""
        found = indicator_history.sources(self.releases_dir, release.version, release.root)
        self._load_table(loaded.table_name(indicator_history.TABLE),
                         indicator_history.read(found), indicator_history.SCHEMA)

    def _load_table(self, name: str, frame: pd.DataFrame, schema: dict[str, Any]) -> None:
        fields = schema["fields"]
        if len(name) > MAX_NAME:
            raise ValueError(f"table name longer than {MAX_NAME} characters: {name}")
        # _row is given, never generated (no SERIAL sequence on PostgreSQL).
        table = sa.Table(name, sa.MetaData(),
                         sa.Column(ROW, sa.Integer, primary_key=True, autoincrement=False),
                         *(sa.Column(f["name"], _column_type(f)) for f in fields))
        keys = schema.get("primaryKey") or []
        if keys:
            sa.Index(_index_name(name, ""), *(table.c[k] for k in keys))
        coded = [f["name"] for f in fields
                 if f.get("constraints", {}).get("enum") and f["name"] not in keys]
        with self.engine.begin() as conn:
            table.drop(conn, checkfirst=True)
            table.create(conn)
            records = frame.assign(**{ROW: range(len(frame))}).to_dict("records")
            for start in range(0, len(records), 5000):
                conn.execute(table.insert(), records[start:start + 5000])
            if len(frame) >= INDEX_FROM_ROWS:  # built after the rows: faster than row by row
                for number, column in enumerate(coded):
                    sa.Index(_index_name(name, number), table.c[column]).create(conn)

    def _drop_old(self, keep: str) -> None:
        """Drop the tables of all but the newest :data:`KEEP_RELEASES` releases."""
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(releases_table.c.fingerprint, releases_table.c.loaded_at)
                                .order_by(releases_table.c.loaded_at.desc())).all()
            stale = [r.fingerprint for r in rows if r.fingerprint != keep][KEEP_RELEASES - 1:]
            if not stale:
                return
            inspector = sa.inspect(conn)
            for table in inspector.get_table_names():
                if any(table.startswith(f"r{fp[:12]}_") for fp in stale):
                    conn.execute(sa.text(f'DROP TABLE "{table}"'))
            conn.execute(releases_table.delete().where(releases_table.c.fingerprint.in_(stale)))
