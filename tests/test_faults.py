"""Faults under load: the production server keeps answering correctly, or recovers in seconds.

One server for the module (``serve --production``, 2 workers) on the committed demo release,
with PostgreSQL (a schema of its own, dropped at the end) and Redis (database
:data:`REDIS_DB`, flushed). Each test runs a short locust load (``bench/locustfile.py``: donors
and developers, every answer compared with the quiet server's) and injects one fault a few
seconds in, then checks:

* no wrong answer, ever (an error is acceptable while a backend is down; a wrong figure never);
* errors only between the fault and :data:`RECOVERY_S` seconds after it ended, and successful
  answers after that;
* ``/healthz`` ok again within :data:`RECOVERY_S` seconds of the fault's end.

Bounded on purpose (about 25 s per test, loopback only). PostgreSQL and Redis are production
backends that CI starts: without them these tests fail with the reason, they never skip.
Redis and PostgreSQL are always running again when a test ends (``finally``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import production

#: Redis database of these tests (the benchmark uses another).
REDIS_DB = 11
USERS = 10
#: Safety cap of a load: it is stopped once the answers after the recovery are in.
LOAD_CAP_S = 120
#: How long the load goes on after the recovery window, to show the portal answers again.
AFTER_S = 5
#: The fault comes this long after the first request of the load.
FAULT_AFTER_S = 5
#: Errors are tolerated until this long after the fault ended; /healthz must be ok by then.
RECOVERY_S = 10
CHARTS = ("businesses-by-municipality", "businesses-by-sector", "training-participants-by-quarter")
FILTERS = ({"municipality": "12"}, {"municipality": "28"})


def _fail_without_backends() -> None:
    problem = production.backends_available()
    if problem:
        pytest.fail(f"{problem}; the fault tests need PostgreSQL and Redis on loopback "
                    "(CI starts them)", pytrace=False)
    if not production.LOCUST.exists():
        pytest.fail(f"locust is missing at {production.LOCUST}: run `make locust`",
                    pytrace=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[production.Server]:
    _fail_without_backends()
    work = tmp_path_factory.mktemp("faults")
    with production.postgres_redis("test_faults", REDIS_DB) as backends, \
            production.production_server(production.DEMO_PACKAGES, backends, 2,
                                         work / "server.log") as srv:
        production.wait_healthy(srv.base, 120)
        yield srv


# --- the load and its timeline --------------------------------------------------------------

class Load:
    """A locust run in the background, with one event line per request."""

    def __init__(self, base: str, work: Path) -> None:
        self.events = work / "events.jsonl"
        self.events.unlink(missing_ok=True)
        env = production.locust_env(list(CHARTS), list(FILTERS), self.events,
                                    {"LOCUST_WAIT": "0.1,0.5"})
        self.prefix = work / "locust"
        argv = [str(production.LOCUST), "-f", str(production.LOCUSTFILE), "--headless",
                "-u", str(USERS), "-r", str(USERS), "-t", f"{LOAD_CAP_S}s", "--host", base,
                "--csv", str(self.prefix), "--only-summary", "--stop-timeout", "5",
                "--loglevel", "WARNING"]
        self.log = work / "locust.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                            env=env, cwd=production.ROOT)

    def lines(self) -> list[dict[str, Any]]:
        if not self.events.exists():
            return []
        return [json.loads(line) for line in self.events.read_text().splitlines()
                if line.endswith("}")]

    def started(self, timeout: float = 60) -> float:
        """When the first request of the load was answered (the expected answers are
        fetched before: a fault must not hit that)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.lines()
            if found:
                return found[0]["t"]
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail("locust made no request; its log:\n" + self.log.read_text()[-3000:])

    def finish(self) -> list[dict[str, Any]]:
        """Stop the load (locust quits on SIGTERM) and return its timeline."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.lines()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _under_load(server: production.Server, tmp_path: Path,
                fault: Callable[[], None]) -> None:
    """Run the load, inject ``fault`` (it returns once the fault is over), check the rest."""
    load = Load(server.base, tmp_path)
    try:
        first = load.started()
        time.sleep(max(0.0, first + FAULT_AFTER_S - time.time()))
        began = time.time()
        fault()
        ended = time.time()
        healthy_after = None
        while time.time() - ended < RECOVERY_S:
            if production.healthy(server.base, timeout=2):
                healthy_after = time.time() - ended
                break
            time.sleep(0.2)
        time.sleep(max(0.0, ended + RECOVERY_S + AFTER_S - time.time()))
        events = load.finish()
    finally:
        load.stop()
    wrong = [e for e in events if e["wrong"]]
    late = [e for e in events if not e["ok"] and not (began - 1 <= e["t"] <= ended + RECOVERY_S)]
    after = [e for e in events if e["t"] > ended + RECOVERY_S]
    errors = [e for e in events if not e["ok"]]
    report = (f"{len(events)} requests, {len(errors)} errors, fault {ended - began:.1f} s; "
              f"locust log {load.log}")
    assert not wrong, f"wrong answers ({report}): {wrong[:5]}"
    assert healthy_after is not None, f"/healthz not ok {RECOVERY_S} s after the fault ({report})"
    assert not late, f"errors outside the fault's window ({report}): {late[:5]}"
    assert len(after) >= 10 and all(e["ok"] for e in after), \
        f"too few answers after recovery ({report})"


# --- the faults -------------------------------------------------------------------------------

def _descendants(pid: int) -> dict[int, int]:
    """pid → parent pid of every live descendant of ``pid``."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found: dict[int, int] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, of in parents.items():
            if of == parent and child not in found:
                found[child] = of
                frontier.append(child)
    return found


def _workers(server: production.Server) -> list[int]:
    """gunicorn's workers: the server's descendants that have no children of their own."""
    tree = _descendants(server.process.pid)
    return sorted(pid for pid in tree if pid not in tree.values())


def test_kill_worker(server: production.Server, tmp_path: Path) -> None:
    """kill -9 of one worker: gunicorn starts another; the other worker keeps answering."""
    before = _workers(server)
    assert len(before) == 2, f"expected 2 gunicorn workers, found {before}"

    def kill() -> None:
        os.kill(before[0], signal.SIGKILL)
        deadline = time.monotonic() + RECOVERY_S
        while time.monotonic() < deadline:
            now = _workers(server)
            if len(now) == 2 and before[0] not in now:
                return
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not replace the killed worker {before[0]}: {_workers(server)}")

    _under_load(server, tmp_path, kill)


def _redis_settings() -> list[str]:
    """The running Redis's own settings, as command-line options to start it again with."""
    import redis

    client = redis.Redis.from_url(production.REDIS, socket_timeout=5)
    options: list[str] = []
    for name in ("port", "bind", "dir", "save", "appendonly", "maxmemory", "maxmemory-policy",
                 "dbfilename", "logfile", "pidfile"):
        value = client.config_get(name).get(name)
        if value is not None:
            options += [f"--{name}", value]
    return options + ["--daemonize", "yes"]


def _redis_up(timeout: float) -> bool:
    import redis

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if redis.Redis.from_url(production.REDIS, socket_timeout=1).ping():
                return True
        except redis.RedisError:
            time.sleep(0.2)
    return False


def _start_redis(options: list[str]) -> None:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not on PATH: the Redis restart test needs it"
    subprocess.run([binary, *options], check=True, timeout=30)


def test_restart_redis(server: production.Server, tmp_path: Path) -> None:
    """Redis goes away and comes back: the cache only saves work, answers stay right."""
    options = _redis_settings()

    def restart() -> None:
        import redis

        # SHUTDOWN closes the connection instead of answering.
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis.from_url(production.REDIS, socket_timeout=5).shutdown()
        time.sleep(2)  # down for a while, under load
        _start_redis(options)
        assert _redis_up(10), "Redis did not come back"

    try:
        _under_load(server, tmp_path, restart)
    finally:
        if not _redis_up(2):
            _start_redis(options)
            assert _redis_up(10), "could not start Redis again"


def _postgres_restart_command() -> list[str]:
    if shutil.which("pg_ctlcluster") and shutil.which("pg_lsclusters"):
        listed = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True,
                                text=True, check=True).stdout.split("\n")
        for line in listed:
            fields = line.split()
            if len(fields) >= 4 and fields[2] == "5432":
                return ["pg_ctlcluster", fields[0], fields[1], "restart"]
    if shutil.which("service"):
        return ["service", "postgresql", "restart"]
    pytest.fail("no way to restart PostgreSQL here (pg_ctlcluster or service)", pytrace=False)


def _postgres_up(timeout: float) -> bool:
    import psycopg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(production.POSTGRES, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            time.sleep(0.5)
    return False


def test_restart_postgres(server: production.Server, tmp_path: Path) -> None:
    """PostgreSQL restarts under load: errors while it is down at most, never a wrong answer;
    the pool's dead connections are replaced within seconds."""
    command = _postgres_restart_command()

    def restart() -> None:
        subprocess.run(command, check=True, timeout=60, capture_output=True)
        assert _postgres_up(30), "PostgreSQL did not come back"

    try:
        _under_load(server, tmp_path, restart)
    finally:
        if not _postgres_up(5):
            start = [*command[:-1], "start"] if command[0] == "pg_ctlcluster" else \
                ["service", "postgresql", "start"]
            subprocess.run(start, timeout=60, capture_output=True)
            assert _postgres_up(30), "could not start PostgreSQL again"


def test_fill_cache(server: production.Server, tmp_path: Path) -> None:
    """The cache's Redis database fills with large entries (as a long-running cache would)
    under load: no wrong answer, no error, and the filler is removed at the end."""
    import redis

    assert server.backends.cache_url.startswith("redis://"), "the server has no Redis cache"
    client = redis.Redis.from_url(server.backends.cache_url, socket_timeout=5)
    blob = os.urandom(256 * 1024)

    def fill() -> None:
        with client.pipeline(transaction=False) as pipe:
            for number in range(FILL_KEYS):
                pipe.set(f"nkpm:filler:{number}", blob, ex=300)
            pipe.execute()

    try:
        _under_load(server, tmp_path, fill)
    finally:
        keys = list(client.scan_iter("nkpm:filler:*", count=1000))
        if keys:
            client.delete(*keys)


#: 256 KiB each: 64 MiB of cache entries in the tests' Redis database.
FILL_KEYS = 256
