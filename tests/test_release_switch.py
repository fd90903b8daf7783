"""A release published while the portal serves: every answer comes wholly from one release,
none fails, and workers starting together load a release once.

Runs on SQLite and, in the production run of ``make test``, on PostgreSQL and Redis, with
two portals (two "workers") sharing one database and one cache.
"""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.app import create_app
from portal.load.database import Store, releases_table
from tests.conftest import DEMO_PACKAGES, database_url, portal_config
from tests.test_portal_store import (
    LATEST_VERSION,
    PRODUCT_MAP,
    _copy_release,
    _publish_changed,
)

RESOURCE = "businesses_by_hs_chapter"
CHART = "businesses-by-hs-chapter"
API = f"/api/v1/{PRODUCT_MAP}/{RESOURCE}.json?_limit=1000"
NEW_RELEASES = 3


def _marker(version: str) -> int:
    """The value row 0 holds in ``version`` (1.0.N for N ≥ 1 carries 1000 + N)."""
    return 1000 + int(version.rsplit(".", 1)[1])


def test_a_release_published_while_serving_is_never_mixed(tmp_path: Path) -> None:
    packages = _copy_release(tmp_path)
    original = pd.read_csv(packages / "latest" / PRODUCT_MAP / "data" / f"{RESOURCE}.csv",
                           dtype=str, keep_default_na=False)
    config = {**portal_config(tmp_path), "RELEASE_CHECK_INTERVAL": 0.05}
    workers = [create_app(packages, config), create_app(packages, config)]
    clients = [w.server.test_client() for w in workers]
    # Row 0 as published: a number, or [c] (null in JSON) where suppressed.
    first = original.loc[0, "value"]
    expected = {LATEST_VERSION: None if first == "[c]" else int(first)}
    for client in clients:  # both serve the demo's latest release before anything changes
        assert client.get(API).get_json()["release"] == LATEST_VERSION
    seen: dict[str, int] = {}
    problems: list[str] = []
    stop = threading.Event()

    def serve(client_number: int) -> None:
        try:
            ask(clients[client_number % len(clients)])
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            problems.append(f"{type(error).__name__}: {error}")

    def ask(client: FlaskClient) -> None:
        while not stop.is_set():
            answer = client.get(API)
            if answer.status_code != 200:
                problems.append(f"API {answer.status_code}: {answer.data[:200]!r}")
                continue
            body = answer.get_json()
            version, rows = body["release"], body["rows"]
            seen[version] = seen.get(version, 0) + 1
            if rows[0]["value"] != expected.get(version, _marker(version)):
                problems.append(f"release {version} answered row 0 = {rows[0]['value']}")
            if [r["hs_chapters"] for r in rows] != original["hs_chapters"].tolist():
                problems.append(f"release {version}: rows differ from the published table")
            chart = client.get(f"/charts/{CHART}.csv")
            if chart.status_code != 200:
                problems.append(f"chart {chart.status_code}: {chart.data[:200]!r}")
                continue
            frame = pd.read_csv(io.StringIO(chart.data.decode()), dtype=str,
                                keep_default_na=False)
            markers = {first, *(str(v) for v in map(_marker, _versions()))}
            if frame.loc[0, "value"] not in markers or len(frame) != len(original):
                problems.append(f"chart answered row 0 = {frame.loc[0, 'value']}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        running = [pool.submit(serve, n) for n in range(4)]
        for version in _versions():
            time.sleep(0.5)
            _publish_changed(packages, version, RESOURCE, 0, str(_marker(version)))
        deadline = time.monotonic() + 60
        last = _versions()[-1]
        while last not in seen and time.monotonic() < deadline and not problems:
            time.sleep(0.1)
        time.sleep(0.3)
        stop.set()
        for future in running:
            future.result()
    assert not problems, problems[:5]
    assert last in seen and LATEST_VERSION in seen, seen
    for client in clients:
        assert client.get(API).get_json()["release"] == last


def _versions() -> list[str]:
    return [f"1.0.{n}" for n in range(1, NEW_RELEASES + 1)]


def test_workers_starting_together_load_the_release_once(tmp_path: Path) -> None:
    """Four workers' stores on one database (a PostgreSQL schema or a SQLite file): one
    loads the release, the others wait for it and read it."""
    url = database_url(tmp_path)
    barrier = threading.Barrier(4)

    def start(_: int) -> str:
        barrier.wait()
        store = Store(url, DEMO_PACKAGES, check_interval=0)
        release = store.current()
        assert release is not None
        store.engine.dispose()
        return release.fingerprint

    with ThreadPoolExecutor(max_workers=4) as pool:
        fingerprints = set(pool.map(start, range(4)))
    assert len(fingerprints) == 1
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        states = conn.execute(sa.select(releases_table.c.state)).scalars().all()
        tables = sa.inspect(conn).get_table_names()
    engine.dispose()
    assert states == ["ready"]
    key = next(iter(fingerprints))[:12]
    assert sum(t.startswith(f"r{key}_") for t in tables) > 10
