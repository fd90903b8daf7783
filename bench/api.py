"""The CKAN-compatible read API under load, beside Datasette serving the same SQLite table.

Issue: requests per second and p95 latency of ``package_show`` and of ``datastore_search`` with
a filter over the 100,000-business release; target: at least Datasette's throughput.

How it is measured, and why:

* The release is the ETL benchmark's (``build/bench/packages-raw-E-A``), built here if absent.
* Ours runs as it will in production: gunicorn, one process (``gthread`` worker, a few
  threads), a fresh SQLite file. Its first request loads the release into that file.
* Datasette 0.65 (from its own venv, so its pins never touch ours) serves that very file
  ``--immutable``, one process, so both answer from the same table ``r<key>_businesses``.
  Its uvicorn access log is turned off, as gunicorn's is by default, and so are its facet
  suggestions (work our API does not do): both make the baseline faster, not slower.
  It is Datasette as ``pip install`` gives it (uvicorn with h11 and asyncio).
* Load comes from ``wrk`` (one thread, a few connections, keep-alive, no ``Accept-Encoding``
  so neither side compresses). Both servers are up, but only one is loaded at a time: the
  machine has 2 cores, one for wrk and one for the server. Each endpoint is warmed up,
  then measured on ours and on Datasette back to back.
* ``datastore_search`` is measured twice: "warm" repeats one URL (what a response cache
  serves) and "cold" sends a different filter value and offset each time, from a list far
  longer than the portal's cache holds (flask-caching keeps 500 entries by default).
* Every URL is checked first (200 without following redirects, JSON, the same ``total`` and
  first row on both sides); wrk's socket errors and 4xx/5xx answers fail the figure they
  belong to, and then the benchmark's exit status.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import flask

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "north-kosovo-product-map"
RESOURCE = "businesses"
API = "/api/3/action"
LIMIT = 100
#: Filter columns, preferred first; the first one whose values really split the table is used.
FILTER_COLUMNS = ("nace", "municipality", "legal_form")
#: Published marker of a suppressed cell: never a filter value.
SUPPRESSED = "[c]"
DATASETTE = "datasette==0.65.*"
GUNICORN_THREADS = 4
WRK_THREADS = 1
CONNECTIONS = 8
WARMUP_S = 3
DURATION_S = 10
#: Distinct (value, offset) requests of the cold runs: the first part for warming up.
COLD_WARMUP_PATHS = 5_000
COLD_PATHS = 30_000
#: The first request loads 100,000 rows into SQLite: give it time.
LOAD_TIMEOUT_S = 900
START_TIMEOUT_S = 120
ENDPOINTS = ("package_show", "datastore_search", "datastore_search_cold")
SERVERS = ("ours", "datasette")
#: Cores used by other processes during a run above which the summary warns.
OTHERS_WARN_CORES = 0.2

#: wrk's script. WRK_PATHS (environment) names a file of request paths, one a line, sent in
#: turn; without it wrk repeats the URL it was given (a static request, cheapest for wrk).
#: done() prints one line, WRK_JSON {...}, with the figures (wrk counts latency in µs).
WRK_LUA = r"""
local file = os.getenv("WRK_PATHS")
if file and file ~= "" then
  local paths = {}
  for line in io.lines(file) do paths[#paths + 1] = line end
  local threads = 0
  function setup(thread)
    thread:set("start", threads * 7919)
    threads = threads + 1
  end
  local n = 0
  function init(args)
    n = start or 0
  end
  function request()
    n = n + 1
    return wrk.format("GET", paths[(n % #paths) + 1])
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "bytes": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

#: ``datasette serve`` with uvicorn's access log off (datasette has no option for it).
_DATASETTE_MAIN = ("import functools, sys, uvicorn\n"
                   "from datasette.cli import cli\n"
                   "uvicorn.run = functools.partial(uvicorn.run, access_log=False)\n"
                   "sys.argv[0] = 'datasette'\n"
                   "cli()\n")


def _log(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def wsgi(packages_dir: str, database_url: str) -> flask.Flask:
    """gunicorn's app: the portal's Flask server (its app spec can call, not take ``.server``)."""
    from portal.app import create_app

    return create_app(Path(packages_dir), {"DATABASE_URL": database_url}).server


# --- the release ---------------------------------------------------------------------------------

def prepare_release(work: Path, enterprises: int, attendance: int) -> Path:
    """The packages folder of the ETL benchmark's release, generated and built if absent."""
    raw = work / f"raw-{enterprises}-{attendance}"
    packages = work / f"packages-{raw.name}"
    if (packages / "latest" / PACKAGE / "datapackage.json").exists():
        _log(f"release: reusing {packages}")
        return packages
    if not (raw / "_demo.json").exists():
        from etl.demo import generate

        _log(f"generating {enterprises:,} businesses, {attendance:,} attendance rows…")
        generate(raw, enterprises=enterprises, attendance=attendance, seed=1)
    _log(f"building the release into {packages}…")
    shutil.rmtree(packages, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "etl", "build", "--raw", str(raw), "--out",
                    str(packages), "--quiet"], check=True, cwd=ROOT)
    return packages


@dataclass
class Table:
    """The loaded ``businesses`` table and the filter the runs use, read from SQLite."""

    database: Path
    name: str
    rows: int
    column: str
    value: str
    matching: int
    #: Values with at least a full page, their row numbers (``_row``) in published order.
    pages: dict[str, list[int]]


def _loaded(database: Path) -> bool:
    """Whether the portal has finished loading a release into ``database``."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        try:
            return conn.execute("SELECT 1 FROM portal_release WHERE state = 'ready'"
                                ).fetchone() is not None
        except sqlite3.OperationalError:  # no table yet
            return False


def loaded_table(database: Path) -> Table:
    """Find the release's businesses table and a filter column whose values really filter.

    The value of the warm runs is the most frequent one (the largest ``total`` to count);
    the cold runs go through every value with at least a page of rows.
    """
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        ready = conn.execute("SELECT fingerprint FROM portal_release WHERE state = 'ready' "
                             "ORDER BY loaded_at DESC").fetchone()
        if ready is None:
            raise RuntimeError(f"no release is loaded in {database}: did the API's first "
                               "requests load the release (query.current_release())?")
        name = f"r{ready[0][:12]}_{RESOURCE}"
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]
        if not columns:
            raise RuntimeError(f"{database} has no table {name}")
        rows = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for column in (c for c in FILTER_COLUMNS if c in columns):
            counts = conn.execute(
                f'SELECT "{column}", count(*) FROM "{name}" WHERE "{column}" IS NOT NULL '
                f'AND "{column}" != ? GROUP BY 1 ORDER BY 2 DESC, 1', (SUPPRESSED,)).fetchall()
            full = [value for value, count in counts if count >= LIMIT]
            if len(counts) >= 2 and counts[0][1] < rows and full:
                pages = {value: [r for (r,) in conn.execute(
                    f'SELECT _row FROM "{name}" WHERE "{column}" = ? ORDER BY _row', (value,))]
                    for value in full}
                return Table(database, name, rows, column, counts[0][0], counts[0][1], pages)
    raise RuntimeError(f"none of {FILTER_COLUMNS} has published values that filter {name}")


# --- URLs ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Probe:
    """One request path and what its answer must hold (``None``: not checked)."""

    path: str
    total: int | None = None
    count: int | None = None
    first_key: str | None = None


PACKAGE_SHOW = Probe(f"{API}/package_show?{urlencode({'id': PACKAGE})}")


def ckan_search(table: Table, value: str, offset: int | None) -> str:
    query = {"resource_id": RESOURCE,
             "filters": json.dumps({table.column: value}, separators=(",", ":")),
             "limit": LIMIT}
    if offset is not None:
        query["offset"] = offset
    return f"{API}/datastore_search?{urlencode(query)}"


def datasette_search(table: Table, value: str, offset: int | None) -> str:
    """Datasette pages by key, not offset: ``_next`` is the ``_row`` before the wanted page,
    so both servers answer the same rows (and Datasette's count ignores ``_next``)."""
    query: dict[str, Any] = {table.column: value, "_size": LIMIT, "_shape": "objects"}
    if offset:
        query["_next"] = table.pages[value][offset - 1]
    return f"/{table.database.stem}/{table.name}.json?{urlencode(query)}"


def search_probe(table: Table, server: str, value: str, offset: int | None,
                 first_keys: dict[int, str]) -> Probe:
    rows = table.pages.get(value)
    total = len(rows) if rows is not None else table.matching
    build = ckan_search if server == "ours" else datasette_search
    start = offset or 0
    key = first_keys.get(rows[start]) if rows else None
    return Probe(build(table, value, offset), total, min(LIMIT, total - start), key)


Runs = dict[str, dict[str, dict[str, list[Probe]]]]


def probes(table: Table, seed: int = 1) -> Runs:
    """Per endpoint and server, the paths of the warm-up and of the measured run.

    Warm: one path for both. Cold: distinct (value, offset) pairs in a shuffled order, the
    warm-up's never measured (fewer than asked if a small release has fewer pages).

    Datasette's ``package_show`` is ``/<db>/<table>.json?_size=0``: the table's metadata
    (columns, primary key, row count) and no rows, as package_show describes resources and
    sends no rows. ``/<db>.json`` (every table described) would be nearer in scope, but it
    introspects every table of the file (both packages', about 40) on every request and
    answers about ten times slower here: a baseline that easy would say nothing.
    """
    with sqlite3.connect(f"file:{table.database}?mode=ro", uri=True) as conn:
        firsts = {row: key for row, key in conn.execute(
            f'SELECT _row, business_key FROM "{table.name}"')}
    chooser = random.Random(seed)
    pairs: set[tuple[str, int]] = set()
    values = sorted(table.pages)
    possible = sum(len(rows) - LIMIT + 1 for rows in table.pages.values())
    wanted = min(COLD_WARMUP_PATHS + COLD_PATHS, possible)
    while len(pairs) < wanted:
        value = chooser.choice(values)
        pairs.add((value, chooser.randint(0, len(table.pages[value]) - LIMIT)))
    cold = sorted(pairs)
    chooser.shuffle(cold)
    split = len(cold) * COLD_WARMUP_PATHS // (COLD_WARMUP_PATHS + COLD_PATHS)

    def same(probe: Probe) -> dict[str, list[Probe]]:
        return {"warmup": [probe], "measured": [probe]}

    result: Runs = {
        "package_show": {"ours": same(PACKAGE_SHOW),
                         "datasette": same(Probe(
                             f"/{table.database.stem}/{table.name}.json?_size=0",
                             table.rows, 0))},
        "datastore_search": {
            server: same(search_probe(table, server, table.value, None, firsts))
            for server in SERVERS},
        "datastore_search_cold": {}}
    for server in SERVERS:
        listed = [search_probe(table, server, value, offset, firsts) for value, offset in cold]
        result["datastore_search_cold"][server] = {"warmup": listed[:split],
                                                   "measured": listed[split:]}
    return result


def check_answer(base: str, server: str, probe: Probe, timeout: float = 60) -> int:
    """GET once without following redirects; fail unless 200 with the expected rows.

    Returns the body's size. Ours must be CKAN's envelope (``success`` true, ``result``
    with ``records`` and ``total`` for datastore_search); Datasette's count is
    ``filtered_table_rows_count``.
    """
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", probe.path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    where = f"{server} GET {base}{probe.path}"
    # Dash's catch-all page route answers any unknown path with 200 and its HTML page.
    hint = (" (is the CKAN API under /api/3/action built yet?)"
            if server == "ours" and probe.path.startswith(API) else "")
    if response.status != 200:
        raise RuntimeError(f"{where} answered {response.status}{hint}: {body[:200]!r}")
    try:
        answer = json.loads(body)
    except ValueError:
        raise RuntimeError(f"{where} answered 200 but not JSON"
                           f" ({response.getheader('Content-Type')}){hint}: "
                           f"{body[:200]!r}") from None
    if server == "ours":
        if not isinstance(answer, dict) or answer.get("success") is not True:
            raise RuntimeError(f"{where}: no CKAN envelope with success true: {body[:300]!r}")
        answer = answer.get("result")
        total, records = ((answer.get("total"), answer.get("records"))
                          if isinstance(answer, dict) else (None, None))
    else:
        total, records = answer.get("filtered_table_rows_count"), answer.get("rows")
    if probe.total is None:
        return len(body)
    if total != probe.total or not isinstance(records, list) or len(records) != probe.count:
        raise RuntimeError(f"{where}: expected total {probe.total} and {probe.count} records, "
                           f"got total {total!r} and "
                           f"{len(records) if isinstance(records, list) else records!r}")
    key = records[0].get("business_key") if records and isinstance(records[0], dict) else None
    if probe.first_key is not None and key is not None and key != probe.first_key:
        raise RuntimeError(f"{where}: first record {key}, expected {probe.first_key}")
    return len(body)


# --- the servers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(proc: subprocess.Popen[bytes], port: int, log: Path,
               timeout: float = START_TIMEOUT_S) -> None:
    """Wait until the server accepts connections; fail with its log if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; its log ({log}):\n"
                               + log.read_text(errors="replace")[-3000:])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listened on port {port} after {timeout} s; see {log}")


@contextmanager
def process(argv: list[str], port: int, log: Path, *, env: dict[str, str] | None = None,
            timeout: float = START_TIMEOUT_S,
            stop_timeout: float = 20) -> Iterator[subprocess.Popen[bytes]]:
    """A server in its own process answering on ``port`` (stopped, by its pid, at the end)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    try:
        _wait_port(proc, port, log, timeout)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def server(argv: list[str], port: int, log: Path) -> Iterator[str]:
    """:func:`process`, giving its base URL."""
    with process(argv, port, log):
        yield f"http://127.0.0.1:{port}"


def gunicorn_argv(packages: Path, database: Path, port: int) -> list[str]:
    app = f"bench.api:wsgi({str(packages)!r}, {f'sqlite:///{database}'!r})"
    return [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--worker-class", "gthread",
            "--workers", "1", "--threads", str(GUNICORN_THREADS), "--bind", f"127.0.0.1:{port}",
            "--timeout", str(LOAD_TIMEOUT_S), "--log-level", "warning", app]


def datasette_venv(work: Path) -> Path:
    """Datasette's own venv under the bench work dir (created once); returns its python."""
    venv = work / "datasette-venv"
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import datasette.version as v; "
             "assert v.__version__.startswith('0.65.'), v.__version__"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    _log(f"installing {DATASETTE} into {venv}…")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", DATASETTE], check=True)
    subprocess.run(check, check=True)
    return python


def datasette_argv(python: Path, database: Path, port: int) -> list[str]:
    return [str(python), "-c", _DATASETTE_MAIN, "serve", "--immutable", str(database),
            "-h", "127.0.0.1", "-p", str(port), "--setting", "suggest_facets", "off"]


def _version(argv: list[str]) -> str:
    """The first line a tool prints about itself (``wrk -v`` exits 1 after printing it)."""
    done = subprocess.run(argv, capture_output=True, text=True)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0] if lines else "?"


# --- load ----------------------------------------------------------------------------------------

def wrk_path() -> str:
    """wrk on PATH (``make bench`` installs Debian's package), or a clear failure."""
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not on PATH: run `make wrk` (as root it installs Debian's "
                           "wrk) or `sudo apt-get install -y wrk`")
    return found


_TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    """CPU seconds the machine has spent busy since boot, all cores (from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / _TICK


def _our_cpu() -> float:
    """CPU seconds of this process, its reaped children (wrk) and its live descendants
    (the servers, gunicorn's worker being a grandchild)."""
    parents: dict[int, int] = {}
    seconds: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        seconds[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    me = os.getpid()

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == me:
                return True
        return False

    live = sum(s for pid, s in seconds.items() if ours(pid))
    own, reaped = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                           resource.RUSAGE_CHILDREN))
    return live + own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


def run_wrk(base: str, paths: list[str], seconds: int, work: Path, label: str) -> dict[str, Any]:
    """One wrk run against ``base``: one path repeated, or several sent in turn.

    Also records ``others_cores``: CPU that processes other than this benchmark's used
    meanwhile, in cores (on a shared 2-core machine, the first thing to look at when two
    runs disagree).
    """
    script = work / "report.lua"
    script.write_text(WRK_LUA)
    env = dict(os.environ, WRK_PATHS="")
    if len(paths) > 1:
        listing = work / f"paths-{re.sub(r'[^a-z0-9]+', '-', label)}.txt"
        listing.write_text("\n".join(paths) + "\n")
        env["WRK_PATHS"] = str(listing)
    argv = [wrk_path(), f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
            "--timeout", "10s", "-s", str(script), base + paths[0]]
    busy, ours, start = _machine_busy(), _our_cpu(), time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, env=env,
                          timeout=seconds + 120)
    others = ((_machine_busy() - busy) - (_our_cpu() - ours)) / (time.monotonic() - start)
    (work / f"wrk-{re.sub(r'[^a-z0-9]+', '-', label)}.txt").write_text(done.stdout + done.stderr)
    line = next((s for s in done.stdout.splitlines() if s.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}) on {base}{paths[0]}:\n"
                           f"{done.stdout[-1500:]}{done.stderr[-1500:]}")
    figures = json.loads(line.removeprefix("WRK_JSON "))
    errors = {k: v for k, v in figures["errors"].items() if v}
    figures["bytes_per_request"] = round(figures["bytes"] / max(figures["requests"], 1))
    figures["others_cores"] = round(max(others, 0.0), 2)
    for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms"):
        figures[key] = round(figures[key], 1 if key == "rps" else 2)
    if errors or not figures["requests"]:
        figures["failed"] = (f"wrk errors {errors} (status = 4xx/5xx answers)" if errors
                             else "no request completed")
    return figures


def measure(bases: dict[str, str], runs: Runs, work: Path) -> dict[str, Any]:
    """Each endpoint on ours then Datasette, one server loaded at a time, same settings."""
    result: dict[str, Any] = {}
    for endpoint in ENDPOINTS:
        row: dict[str, Any] = {}
        for name in SERVERS:
            warmup, measured = runs[endpoint][name]["warmup"], runs[endpoint][name]["measured"]
            _log(f"{endpoint} on {name}: warm-up {WARMUP_S} s, then {DURATION_S} s")
            warm = run_wrk(bases[name], [p.path for p in warmup], WARMUP_S, work,
                           f"{endpoint}-{name}-warmup")
            figures = run_wrk(bases[name], [p.path for p in measured], DURATION_S, work,
                              f"{endpoint}-{name}")
            if "failed" in warm and "failed" not in figures:
                figures["failed"] = f"during warm-up: {warm['failed']}"
            figures["url"] = bases[name] + measured[0].path
            figures["distinct_urls"] = len(measured)
            row[name] = figures
        ours, theirs = row["ours"], row["datasette"]
        if "failed" in ours or "failed" in theirs:
            row["ratio"] = None
        else:
            row["ratio"] = {"throughput": round(ours["rps"] / theirs["rps"], 2),
                            "p95": round(ours["p95_ms"] / theirs["p95_ms"], 2)}
        result[endpoint] = row
    return result


# --- everything ----------------------------------------------------------------------------------

def bench_api(bench_work: Path, enterprises: int = 100_000,
              attendance: int = 1_000_000) -> dict[str, Any]:
    """Build or reuse the release, start both servers, check every URL, then measure.

    ``bench_work`` is the benchmarks' work dir (the release and Datasette's venv live there);
    this benchmark's own files go to its ``api/`` folder.
    """
    from bench.portal import _settle

    wrk_path()
    work = bench_work / "api"
    work.mkdir(parents=True, exist_ok=True)
    packages = prepare_release(bench_work, enterprises, attendance)
    python = datasette_venv(bench_work)
    database = work / "portal-api.sqlite"
    for stale in work.glob(f"{database.name}*"):
        stale.unlink()
    ours_port = theirs_port = free_port()
    while theirs_port == ours_port:
        theirs_port = free_port()
    result: dict[str, Any] = {
        "release": {"packages": str(packages), "enterprises": enterprises,
                    "attendance": attendance}}
    with server(gunicorn_argv(packages, database, ours_port), ours_port,
                work / "gunicorn.log") as ours:
        _log(f"portal on {ours} (gunicorn gthread, 1 worker, {GUNICORN_THREADS} threads): "
             "loading the release into SQLite on the first request…")
        start = time.perf_counter()
        check_answer(ours, "ours", PACKAGE_SHOW, timeout=LOAD_TIMEOUT_S)
        if not _loaded(database):  # package_show may answer from the descriptors alone
            check_answer(ours, "ours", Probe(f"{API}/datastore_search?" + urlencode(
                {"resource_id": RESOURCE, "limit": 1})), timeout=LOAD_TIMEOUT_S)
        result["release"]["first_requests_s"] = round(time.perf_counter() - start, 1)
        table = loaded_table(database)
        result["release"].update({"rows": table.rows, "table": table.name,
                                  "sqlite": str(database),
                                  "sqlite_mib": round(database.stat().st_size / 2**20, 1)})
        result["filter"] = {"column": table.column, "value": table.value,
                            "matching_rows": table.matching,
                            "cold_values": {"count": len(table.pages),
                                            "rows": [min(map(len, table.pages.values())),
                                                     max(map(len, table.pages.values()))]},
                            "cold_distinct_requests": None}
        _log(f"{table.rows:,} rows in {table.name}; filter {table.column} = {table.value!r} "
             f"matches {table.matching:,}")
        runs = probes(table)
        result["filter"]["cold_distinct_requests"] = len(
            runs["datastore_search_cold"]["ours"]["measured"])
        with server(datasette_argv(python, database, theirs_port), theirs_port,
                    work / "datasette.log") as theirs:
            bases = {"ours": ours, "datasette": theirs}
            for endpoint, per_server in runs.items():
                for name, listed in per_server.items():
                    sample = list(dict.fromkeys(listed["warmup"][:3] + listed["measured"][:20]))
                    sizes = [check_answer(bases[name], name, p) for p in sample]
                    _log(f"checked {endpoint} on {name}: {len(sample)} URL(s), "
                         f"{max(sizes):,} bytes at most")
            load = [_settle()]
            result["endpoints"] = measure(bases, runs, work)
            load.append(os.getloadavg()[0])
    wrk_version = _version([wrk_path(), "-v"])
    result["servers"] = {
        "ours": {"argv": gunicorn_argv(packages, database, ours_port)[1:],
                 "gunicorn": _version([sys.executable, "-m", "gunicorn", "--version"])},
        "datasette": {"argv": ["datasette", *datasette_argv(python, database, theirs_port)[3:]],
                      "version": _version([str(python), "-c", "import datasette.version as v; "
                                           "print(v.__version__)"]),
                      "note": "uvicorn access log off, facet suggestions off"}}
    result["wrk"] = {"version": wrk_version, "threads": WRK_THREADS, "connections": CONNECTIONS,
                     "warmup_s": WARMUP_S, "duration_s": DURATION_S}
    result["load_average"] = {"samples": load, "cpus": os.cpu_count()}
    ratios = [row["ratio"] for row in result["endpoints"].values()]
    failed = [f"{endpoint} on {name}: {row[name]['failed']}"
              for endpoint, row in result["endpoints"].items() for name in SERVERS
              if "failed" in row[name]]
    if failed:
        result["failed"] = "; ".join(failed)
    result["target"] = {"rule": "ours req/s >= Datasette's on every endpoint",
                        "met": all(r is not None and r["throughput"] >= 1 for r in ratios)}
    return result


def summary(result: dict[str, Any]) -> list[str]:
    """Table-like lines for the terminal."""
    release, chosen = result["release"], result["filter"]
    load = result.get("load_average", {})
    start = (load.get("samples") or [0.0])[0]
    lines = [f"WARNING: the machine was busy before the run (load average {start:.1f} on "
             f"{load['cpus']} cores): figures are inflated; rerun on a quiet machine"] \
        if start > (load.get("cpus") or 2) / 2 else []
    lines.append(f"release: {release['rows']:,} businesses ({release['enterprises']:,} "
                 f"generated, {release['attendance']:,} attendance rows), loaded by the first "
                 f"request(s) in {release['first_requests_s']} s; filter {chosen['column']} = "
                 f"{chosen['value']!r} matches {chosen['matching_rows']:,} rows; cold: "
                 f"{chosen['cold_values']['count']} values × offsets, "
                 f"{chosen['cold_distinct_requests']:,} distinct URLs")
    wrk = result["wrk"]
    lines.append(f"wrk -t{wrk['threads']} -c{wrk['connections']} -d{wrk['duration_s']}s, one "
                 "server loaded at a time; latency in ms")
    lines.append(f"{'endpoint':24}{'server':11}{'req/s':>9}{'p50':>8}{'p95':>8}{'p99':>8}"
                 f"{'bytes':>9}{'others':>8}  ratio ours/Datasette")
    for endpoint, row in result["endpoints"].items():
        for name in SERVERS:
            f = row[name]
            ratio = ""
            if name == "datasette" and row["ratio"]:
                ratio = (f"  req/s {row['ratio']['throughput']}×, "
                         f"p95 {row['ratio']['p95']}×")
            lines.append(f"{endpoint if name == 'ours' else '':24}{name:11}{f['rps']:>9,.0f}"
                         f"{f['p50_ms']:>8.1f}{f['p95_ms']:>8.1f}{f['p99_ms']:>8.1f}"
                         f"{f['bytes_per_request']:>9,}{f['others_cores']:>8.2f}{ratio}"
                         + (f"  FAILED: {f['failed']}" if "failed" in f else ""))
    busiest = max(f["others_cores"] for row in result["endpoints"].values()
                  for f in (row["ours"], row["datasette"]))
    lines.append(f"others = cores other processes used during the run (max {busiest:.2f})"
                 + (": WARNING, the machine was shared; figures are noisy, rerun on a quiet "
                    "machine" if busiest > OTHERS_WARN_CORES else ""))
    lines.append(f"target: at least Datasette's throughput on every endpoint: "
                 f"{'met' if result['target']['met'] else 'NOT met'}")
    return lines
