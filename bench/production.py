"""The portal as deployed: gunicorn workers on SQLite or on PostgreSQL with Redis, under locust.

Issue 8: throughput and p95 latency with 1, 2 and 4 workers, on SQLite (per-process cache) and
on PostgreSQL with Redis, at 50 and 200 concurrent users, with an error rate of 0; and the
100,000-business release loaded (time to the first healthy answer) and charted (p95 per chart).

How, and why:

* The server is ``python -m portal serve --production`` when the CLI has it, else gunicorn
  started directly on the same factory (gthread workers), configured only through the
  ``PORTAL_*`` environment, as a deployment is.
* PostgreSQL gets a schema of its own per run (``?options=-csearch_path=…``, dropped at the
  end) and Redis a database number of its own (flushed before and after), so nothing else on
  the shared servers is touched.
* Load comes from locust (``bench/locustfile.py``, its own venv), headless, on loopback:
  donors open pages and redraw charts, developers call the CKAN and REST APIs. Every answer
  is compared with the one the quiet server gave at the start; a wrong one counts as an error.
* The machine has 2 cores shared by locust and the server: figures are for comparing
  settings with each other (ratios to 1 worker), not absolute capacity.

``python -m bench --only production`` runs it; ``--production-seconds`` and friends shorten it.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCUST = ROOT / "build" / "locust-venv" / "bin" / "locust"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
DEMO_PACKAGES = ROOT / "datapackages"
POSTGRES = "postgresql://127.0.0.1/test"
REDIS = "redis://127.0.0.1:6379"
#: Redis database numbers of this benchmark and of tests/test_faults.py.
BENCH_REDIS_DB = 12
THREADS = 4
WORKERS = (1, 2, 4)
USERS = (50, 200)
SECONDS = 20
RAMP_S = 5
#: Filter settings per chart for the 100,000-business release.
BIG_FILTERS = 3
BIG_SAMPLES = 5
LOAD_TIMEOUT_S = 900
START_TIMEOUT_S = 120


def _log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


# --- backends ------------------------------------------------------------------------------------

@dataclass
class Backends:
    """Where a server keeps its data and cache: the ``PORTAL_*`` variables it gets."""

    label: str
    database_url: str
    cache_url: str
    schema: str | None = None
    redis_db: int | None = None
    env: dict[str, str] = field(default_factory=dict)

    def environ(self) -> dict[str, str]:
        return {"PORTAL_DATABASE_URL": self.database_url, "PORTAL_CACHE_URL": self.cache_url,
                "PORTAL_SECRET_KEY": "bench-only-not-secret", **self.env}


def sqlite_backends(database: Path) -> Backends:
    for stale in database.parent.glob(f"{database.name}*"):
        stale.unlink()
    return Backends("sqlite", f"sqlite:///{database}", "simple")


def postgres_schema(prefix: str) -> str:
    """A new, empty schema in the ``test`` database (its name is returned)."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=5).flushdb()


def backends_available() -> str | None:
    """Why PostgreSQL or Redis cannot be used, or ``None`` when both answer."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - the message is the point
        return f"PostgreSQL at {POSTGRES} is not usable: {error}"
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_timeout=5).ping()
    except Exception as error:  # noqa: BLE001
        return f"Redis at {REDIS} is not usable: {error}"
    return None


@contextmanager
def postgres_redis(prefix: str, redis_db: int) -> Iterator[Backends]:
    """PostgreSQL in a schema of its own and Redis in a database of its own, cleaned after."""
    schema = postgres_schema(prefix)
    cache = f"{REDIS}/{redis_db}"
    flush_redis(cache)
    try:
        yield Backends("postgresql+redis",
                       f"{POSTGRES}?options=-csearch_path%3D{schema}", cache, schema, redis_db)
    finally:
        drop_schema(schema)
        flush_redis(cache)


# --- the server ----------------------------------------------------------------------------------

def cli_has_production() -> bool:
    """Whether ``python -m portal serve`` has ``--production`` yet (another change adds it)."""
    done = subprocess.run([sys.executable, "-m", "portal", "serve", "--help"],
                          capture_output=True, text=True, cwd=ROOT)
    return "--production" in done.stdout


def wsgi() -> Any:
    """gunicorn's app until the CLI serves it: the portal configured by ``PORTAL_*``."""
    from portal.app import create_app

    return create_app(Path(os.environ["PORTAL_PACKAGES"])).server


def server_argv(packages: Path, port: int, workers: int, threads: int = THREADS) -> list[str]:
    """The CLI's production server, or gunicorn on :func:`wsgi` before the CLI has it."""
    if cli_has_production():
        return [sys.executable, "-m", "portal", "serve", "--production", "--packages",
                str(packages), "--workers", str(workers), "--threads", str(threads), "--host",
                "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--worker-class", "gthread",
            "--workers", str(workers), "--threads", str(threads), "--bind",
            f"127.0.0.1:{port}", "--timeout", str(LOAD_TIMEOUT_S), "--log-level", "warning",
            "bench.production:wsgi()"]


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path
    argv: list[str]
    backends: Backends
    #: time.monotonic() when the process was started (load times count from there).
    started: float


@contextmanager
def production_server(packages: Path, backends: Backends, workers: int, log: Path,
                      threads: int = THREADS) -> Iterator[Server]:
    """The portal in production mode on a free loopback port, stopped (by pid) at the end."""
    from bench.api import free_port, process

    port = free_port()
    argv = server_argv(packages, port, workers, threads)
    env = {**os.environ, **backends.environ(), "PORTAL_PACKAGES": str(packages),
           "PORTAL_WORKERS": str(workers)}
    started = time.monotonic()
    # The master loads the release before it listens: allow for a big one.
    with process(argv, port, log, env=env, timeout=LOAD_TIMEOUT_S, stop_timeout=30) as proc:
        yield Server(f"http://127.0.0.1:{port}", proc, log, argv, backends, started)


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    """Status and body (an HTTP error is an answer too; no answer raises OSError)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def healthy(base: str, timeout: float = 10) -> bool:
    """``/healthz`` says ok (or, before it exists, the API answers a package)."""
    try:
        status, body = get(base + "/healthz", timeout)
        if status == 200 and body.startswith(b"{"):
            return json.loads(body).get("status") == "ok"
        if status in (200, 404) and not body.startswith(b"{"):  # no /healthz yet
            status, body = get(base + "/api/3/action/package_show?id=north-kosovo-product-map",
                               timeout)
            return status == 200 and json.loads(body).get("success") is True
    except (OSError, ValueError):
        return False
    return False


def wait_healthy(base: str, timeout: float) -> float:
    """Seconds until the server first answers healthy; RuntimeError after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if healthy(base, timeout=max(5.0, timeout - (time.monotonic() - start))):
            return time.monotonic() - start
        time.sleep(0.2)
    raise RuntimeError(f"{base} not healthy after {timeout:.0f} s")


# --- locust --------------------------------------------------------------------------------------

def locust_path() -> Path:
    if not LOCUST.exists():
        raise RuntimeError(f"locust is not installed at {LOCUST}: run `make locust`")
    return LOCUST


def locust_env(charts: list[str], filters: list[dict[str, str]],
               events: Path | None = None, extra: Mapping[str, str] | None = None,
               ) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update({"LOCUST_CHARTS": ",".join(charts), "LOCUST_FILTERS": json.dumps(filters),
                **(extra or {})})
    if events is not None:
        env["LOCUST_EVENTS"] = str(events)
    return env


def run_locust(base: str, users: int, seconds: int, prefix: Path, env: dict[str, str],
               spawn_rate: float | None = None) -> dict[str, Any]:
    """One headless locust run; its figures from the CSV it writes (``prefix``_stats.csv)."""
    rate = spawn_rate or max(1.0, users / RAMP_S)
    if "LOCUST_EXPECTED" not in env:  # fetched first, so that -t times the load only
        expected = prefix.parent / f"{prefix.name}-expected.json"
        fetched = subprocess.run([str(locust_path().parent / "python"), str(LOCUSTFILE), base,
                                  str(expected)], capture_output=True, text=True, env=env,
                                 cwd=ROOT, timeout=600)
        if fetched.returncode != 0:
            raise RuntimeError(f"fetching the expected answers failed:\n{fetched.stderr[-3000:]}")
        env = {**env, "LOCUST_EXPECTED": str(expected)}
    argv = [str(locust_path()), "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
            "-r", str(rate), "-t", f"{seconds}s", "--host", base, "--csv", str(prefix),
            "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=seconds + 600)
    (prefix.parent / f"{prefix.name}.log").write_text(done.stdout + done.stderr)
    stats = prefix.parent / f"{prefix.name}_stats.csv"
    if not stats.exists():
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return parse_stats(stats, prefix.parent / f"{prefix.name}_failures.csv")


def parse_stats(stats: Path, failures: Path) -> dict[str, Any]:
    """Aggregated and per-request figures; wrong answers (type WRONG) apart from errors."""
    rows = list(csv.DictReader(stats.open()))
    per: dict[str, Any] = {}
    total: dict[str, Any] = {}
    wrong = 0
    for row in rows:
        figures = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                   "rps": round(float(row["Requests/s"]), 1),
                   "p50_ms": float(row["50%"] or 0), "p95_ms": float(row["95%"] or 0),
                   "p99_ms": float(row["99%"] or 0)}
        if row["Name"] == "Aggregated":
            total = figures
        elif row["Type"] == "WRONG":
            wrong += figures["requests"]
        else:
            per[f"{row['Type']} {row['Name']}"] = figures
    errors = [dict(r) for r in csv.DictReader(failures.open())] if failures.exists() else []
    requests = total.get("requests", 0) - wrong
    failed = total.get("failures", 0) - wrong
    return {"requests": requests, "errors": failed, "wrong": wrong,
            "error_rate": round((failed + wrong) / max(requests, 1), 5),
            "rps": total.get("rps", 0.0), "p50_ms": total.get("p50_ms", 0.0),
            "p95_ms": total.get("p95_ms", 0.0), "p99_ms": total.get("p99_ms", 0.0),
            "per_request": per, "failures": errors[:20]}


# --- the matrix ----------------------------------------------------------------------------------

def charts_and_filters(count: int) -> tuple[list[str], list[dict[str, str]]]:
    """Every chart id, and ``count`` filter settings of the demo release (none first)."""
    import tempfile

    from bench.portal import filter_combinations
    from portal.app import create_app
    from portal.components.chart import CHARTS

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(DEMO_PACKAGES, {"DATABASE_URL": f"sqlite:///{folder}/p.sqlite",
                                         "TESTING": True, "CACHE_TYPE": "NullCache"})
        combos = filter_combinations(app, count)
    return sorted(CHARTS), combos


def bench_matrix(work: Path, seconds: int, workers: tuple[int, ...],
                 users: tuple[int, ...]) -> dict[str, Any]:
    """Each (backends, workers, users) cell on the demo release, one server at a time."""
    charts, filters = charts_and_filters(4)
    cells: list[dict[str, Any]] = []
    for label in ("sqlite", "postgresql+redis"):
        for count in workers:
            with _backends(label, work, f"m{count}") as backends, production_server(
                    DEMO_PACKAGES, backends, count, work / f"server-{label}-{count}.log") as srv:
                wait_healthy(srv.base, LOAD_TIMEOUT_S)
                load = time.monotonic() - srv.started
                for n in users:
                    _log(f"{label}, {count} worker(s), {n} users: {seconds} s after the ramp")
                    prefix = work / f"locust-{label.replace('+', '-')}-{count}w-{n}u"
                    figures = run_locust(srv.base, n, seconds + RAMP_S, prefix,
                                         locust_env(charts, filters))
                    cells.append({"backends": label, "workers": count, "users": n,
                                  "first_healthy_s": round(load, 1), **figures})
    for cell in cells:
        one = next((c for c in cells if c["backends"] == cell["backends"]
                    and c["users"] == cell["users"] and c["workers"] == 1), None)
        cell["ratio_to_1_worker"] = None if one is None or not one["rps"] else {
            "rps": round(cell["rps"] / one["rps"], 2),
            "p95": round(cell["p95_ms"] / one["p95_ms"], 2) if one["p95_ms"] else None}
    return {"charts": len(charts), "filters": filters, "cells": cells}


@contextmanager
def _backends(label: str, work: Path, name: str) -> Iterator[Backends]:
    if label == "sqlite":
        yield sqlite_backends(work / f"portal-{name}.sqlite")
    else:
        with postgres_redis("bench_production", BENCH_REDIS_DB) as backends:
            yield backends


# --- the 100,000-business release ----------------------------------------------------------------

def bench_big(work: Path, packages: Path, workers: int = 2) -> dict[str, Any]:
    """Load time of the big release on each backend, and p95 per chart over chart CSVs.

    The chart CSV (``/charts/<id>.csv``) runs the chart's query and filters as the redraw
    callback does; the first request per (chart, filter) is the cold one, then repeats are
    warm (cache). Several filter settings each: every value of the first filter, up to
    ``BIG_FILTERS``.
    """
    from bench.portal import stats
    from portal.components.chart import CHARTS

    charts, filters = charts_and_filters(BIG_FILTERS)
    result: dict[str, Any] = {"packages": str(packages)}
    for label in ("sqlite", "postgresql+redis"):
        with _backends(label, work, "big") as backends, production_server(
                packages, backends, workers, work / f"server-big-{label}.log") as srv:
            _log(f"100,000 businesses on {label}: loading…")
            wait_healthy(srv.base, LOAD_TIMEOUT_S)
            load = time.monotonic() - srv.started  # a server may load before it listens
            per_chart: dict[str, Any] = {}
            for chart_id in charts or sorted(CHARTS):
                cold: list[float] = []
                warm: list[float] = []
                for active in filters:
                    query = "&".join(f"{k}={v}" for k, v in active.items())
                    url = f"{srv.base}/charts/{chart_id}.csv" + (f"?{query}" if query else "")
                    for attempt in range(BIG_SAMPLES):
                        start = time.perf_counter()
                        status, _ = get(url, timeout=120)
                        elapsed = (time.perf_counter() - start) * 1000
                        if status != 200:
                            raise RuntimeError(f"{url} answered {status}")
                        (cold if attempt == 0 else warm).append(elapsed)
                per_chart[chart_id] = {"cold": stats(cold), "warm": stats(warm)}
            every = [c["cold"]["p95"] for c in per_chart.values()]
            result[label] = {"load_s": round(load, 1), "charts": per_chart,
                             "worst_cold_p95_ms": max(every),
                             "median_cold_p95_ms": statistics.median(every)}
    return result


# --- everything ----------------------------------------------------------------------------------

def bench_production(bench_work: Path, seconds: int = SECONDS,
                     workers: tuple[int, ...] = WORKERS, users: tuple[int, ...] = USERS,
                     big: bool = True, enterprises: int = 100_000,
                     attendance: int = 1_000_000) -> dict[str, Any]:
    """The matrix on the demo release, then the big release; fails early without backends."""
    problem = backends_available()
    if problem:
        raise RuntimeError(problem)
    locust_path()
    work = bench_work / "production"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    result: dict[str, Any] = {
        "server": "portal serve --production" if cli_has_production() else "gunicorn gthread",
        "threads": THREADS, "seconds": seconds, "ramp_s": RAMP_S,
        "matrix": bench_matrix(work, seconds, workers, users)}
    if big:
        from bench.api import prepare_release

        result["big"] = bench_big(work, prepare_release(bench_work, enterprises, attendance))
    result["wall_s"] = round(time.perf_counter() - started, 1)
    cells = result["matrix"]["cells"]
    result["target"] = {"rule": "error rate 0 (no error, no wrong answer) in every cell",
                        "met": all(c["errors"] == 0 and c["wrong"] == 0 for c in cells)}
    return result


def summary(result: dict[str, Any]) -> list[str]:
    """Table-like lines for the terminal."""
    lines = [f"server: {result['server']}, {result['threads']} threads per worker; locust "
             f"{result['seconds']} s after a {result['ramp_s']} s ramp per cell; latency in ms",
             f"{'backends':18}{'workers':>8}{'users':>7}{'req/s':>8}{'p50':>7}{'p95':>8}"
             f"{'errors':>8}{'wrong':>7}  ratio to 1 worker (req/s, p95)"]
    for c in result["matrix"]["cells"]:
        ratio = c["ratio_to_1_worker"] or {}
        lines.append(f"{c['backends']:18}{c['workers']:>8}{c['users']:>7}{c['rps']:>8.1f}"
                     f"{c['p50_ms']:>7.0f}{c['p95_ms']:>8.0f}{c['errors']:>8}{c['wrong']:>7}"
                     f"  {ratio.get('rps', '')}×, {ratio.get('p95', '')}×")
    for label, big in (result.get("big") or {}).items():
        if not isinstance(big, dict):
            continue
        worst = max(big["charts"].items(), key=lambda kv: kv[1]["cold"]["p95"])
        lines.append(f"100,000 businesses on {label}: first healthy answer after "
                     f"{big['load_s']} s; chart CSV p95 cold: median {big['median_cold_p95_ms']}"
                     f" ms, worst {worst[0]} {worst[1]['cold']['p95']} ms")
    lines.append(f"target: {result['target']['rule']}: "
                 f"{'met' if result['target']['met'] else 'NOT met'}")
    return lines
