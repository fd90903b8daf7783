"""``python -m portal serve --production``: gunicorn with several workers, for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from dash.testing.wait import until

from portal import cli, serve
from tests.conftest import DEMO_PACKAGES, free_port

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "north-kosovo-product-map"
STARTUP_TIMEOUT = 60


def _children(pid: int) -> set[int]:
    """Child processes of ``pid`` (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found.update(int(child) for child in text.split())
    return found


def _get(url: str, **kwargs: object) -> requests.Response:
    # A new connection per request, so the kernel may hand it to either worker.
    return requests.get(url, headers={"Connection": "close"}, timeout=10, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def production_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The portal under gunicorn on the demo release, with its own SQLite database."""
    port = free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite'}"}
    env.pop(serve.WORKERS_ENV, None)
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--production", "--workers", "2",
         "--packages", str(DEMO_PACKAGES), "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if _get(url + "/healthz").status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        yield process, url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: gunicorn and its workers
            process.wait(10)
        log.close()


def test_production_server_runs_workers_and_stops_cleanly(
        production_server: tuple[subprocess.Popen[bytes], str]) -> None:
    process, url = production_server
    # gunicorn forks its workers one after the other (with a short random pause between).
    until(lambda: len(_children(process.pid)) == 2, timeout=10)
    workers = _children(process.pid)

    answered: set[int] = set()
    deadline = time.monotonic() + 20
    while answered != workers and time.monotonic() < deadline:
        document = _get(url + "/healthz").json()
        assert document["status"] == "ok"
        assert document["release"]["version"] == (DEMO_PACKAGES / "latest").resolve().name
        answered.add(document["pid"])
    assert answered == workers  # both workers loaded the app and answer

    page = _get(url + "/")
    assert page.status_code == 200 and "<html" in page.text
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    api = _get(url + "/api/v1/packages")
    assert api.status_code == 200
    assert PACKAGE in {p["name"] for p in api.json()["packages"]}
    data = _get(url + f"/api/v1/{PACKAGE}/businesses_by_sector_municipality.csv")
    assert data.status_code == 200 and data.text.count("\n") > 1

    # No debug in production: a request that breaks a Dash callback gets a generic answer.
    broken = requests.post(url + "/_dash-update-component", json={"output": "nope"}, timeout=10)
    assert broken.status_code == 500
    assert broken.json() == {"status": 500, "message": broken.json()["message"]}
    assert "Traceback" not in broken.text and "KeyError" not in broken.text
    # Oversized request lines are refused by gunicorn before reaching the app.
    assert _get(url + "/?q=" + "x" * (serve.LIMIT_REQUEST_LINE + 10)).status_code == 400

    process.send_signal(signal.SIGTERM)
    assert process.wait(serve.GRACEFUL_TIMEOUT + 10) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_production_refuses_debug_and_bad_worker_counts(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--production", "--debug"]) == cli.EXIT_USAGE
    assert "--debug cannot be used with --production" in capsys.readouterr().err
    assert cli.main(["serve", "--workers", "3"]) == cli.EXIT_USAGE
    assert "need --production" in capsys.readouterr().err
    monkeypatch.setenv(serve.WORKERS_ENV, "many")
    assert cli.main(["serve", "--production"]) == cli.EXIT_USAGE
    assert serve.WORKERS_ENV in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", "--production", "--workers", "0"])
    assert exit_info.value.code == cli.EXIT_USAGE


def test_worker_defaults_and_gunicorn_settings() -> None:
    assert serve.default_workers({}) == serve.DEFAULT_WORKERS == 2
    assert serve.default_workers({serve.WORKERS_ENV: "5"}) == 5
    with pytest.raises(ValueError):
        serve.default_workers({serve.WORKERS_ENV: "0"})
    options = serve.options("::1", 8080, workers=3, threads=2)
    assert options["bind"] == "[::1]:8080"
    assert (options["workers"], options["threads"], options["worker_class"]) == (3, 2, "gthread")
    assert options["preload_app"] is False
    assert serve.PRODUCTION_SETTINGS["DEBUG"] is False


def test_an_unusable_database_stops_the_start_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ,
           "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/secret-password.sqlite"}
    done = subprocess.run(
        [sys.executable, "-m", "portal", "serve", "--production", "--packages",
         str(DEMO_PACKAGES), "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "cannot open the database" in done.stderr
    assert "Traceback" not in done.stderr and "secret" not in done.stderr
