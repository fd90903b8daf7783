"""What ``deploy/`` ships: the nginx site (deploy/nginx-nkpm.conf) in front of
``serve --production``, over HTTPS with a self-signed certificate — the set-up the README's
deployment guide installs — and the systemd unit with its environment file.

The site file is used as shipped, with only the deployment's own values put in (host name,
ports, certificate, published folder, cache folder), inside a minimal ``nginx.conf`` that
runs nginx in the foreground from the test's folder.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from ckanapi import RemoteCKAN

from portal import config
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx-nkpm.conf"
UNIT = ROOT / "deploy" / "nkpm-portal.service"
ENVIRONMENT = ROOT / "deploy" / "nkpm-portal.env"
STARTUP_TIMEOUT = 90
_URL = re.compile(r"https?://[^\s\"'<>\\)]+")


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, **kwargs: object) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if requests.get(url, timeout=5, **kwargs).status_code == 200:  # type: ignore[arg-type]
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.3)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def site_config(portal_port: int, https_port: int, http_port: int, certificate: Path,
                key: Path, published: Path, cache: Path) -> str:
    """The shipped site with this deployment's values."""
    text = SITE.read_text()
    for shipped, ours in [
        ("127.0.0.1:8050", f"127.0.0.1:{portal_port}"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("server_name data.example.org;", "server_name localhost;"),
        ("/etc/ssl/certs/nkpm.pem", str(certificate)),
        ("/etc/ssl/private/nkpm.key", str(key)),
        ("/srv/nkpm/datapackages/", f"{published}/"),
        ("/var/cache/nginx/nkpm", str(cache)),
    ]:
        assert shipped in text, f"{shipped!r} is no longer in {SITE.name}"
        text = text.replace(shipped, ours)
    return text


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is missing: make nginx (make test installs it)"
    home = tmp_path_factory.mktemp("deploy")
    published = home / "published"
    shutil.copytree(ROOT / "datapackages", published, ignore=shutil.ignore_patterns(".lock"),
                    symlinks=True)
    certificate, key = home / "cert.pem", home / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)
    portal_port, https_port, http_port = free_port(), free_port(), free_port()
    base = f"https://localhost:{https_port}/"

    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")}
    env.update(PORTAL_BASE_URL=base, PORTAL_TRUSTED_PROXIES="127.0.0.1",
               PORTAL_ACCEL_REDIRECT="/_published/", PORTAL_PACKAGES=str(published),
               PORTAL_DATABASE_URL=f"sqlite:///{home / 'portal.sqlite'}",
               PORTAL_SECRET_KEY="0123456789abcdef0123456789abcdef", PORTAL_WORKERS="1")
    portal_log = home / "portal.log"
    portal = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--production", "--port", str(portal_port)],
        cwd=home, env=env, stdout=portal_log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True)

    (home / "logs").mkdir()
    (home / "nkpm.conf").write_text(site_config(portal_port, https_port, http_port, certificate,
                                                key, published, home / "cache"))
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's folders
    (home / "nginx.conf").write_text(f"""{user}
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {home}/body;
    proxy_temp_path {home}/proxy;
    fastcgi_temp_path {home}/fastcgi;
    uwsgi_temp_path {home}/uwsgi;
    scgi_temp_path {home}/scgi;
    include {home}/nkpm.conf;
}}
""")
    nginx_log = home / "nginx.out"
    checked = subprocess.run([nginx, "-t", "-c", str(home / "nginx.conf"), "-p", str(home)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen([nginx, "-c", str(home / "nginx.conf"), "-p", str(home),
                              "-g", "daemon off;"], stdout=nginx_log.open("wb"),
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{portal_port}/healthz", portal, portal_log)
        _wait(base + "healthz", proxy, home / "logs" / "error.log", verify=str(certificate))
        yield {"base": base, "certificate": str(certificate), "published": published,
               "http": f"http://127.0.0.1:{http_port}/"}
    finally:
        _stop(proxy)
        _stop(portal)


def _get(deployed: dict[str, object], path: str, **kwargs: object) -> requests.Response:
    return requests.get(f"{deployed['base']}{path.lstrip('/')}", timeout=30,  # type: ignore[arg-type]
                        verify=deployed["certificate"], **kwargs)


def test_pages_in_two_languages_with_their_security_headers(deployed: dict[str, object]) -> None:
    for language, heading in (("en", "Handbook"), ("sq", "Doracak")):
        page = _get(deployed, f"/handbook?lang={language}")
        assert page.status_code == 200
        assert f'<html lang="{language}">' in page.text and heading in page.text
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert "unsafe-eval" not in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        assert page.headers.get("Content-Encoding") in ("gzip", "br")
    plain = requests.get(str(deployed["http"]) + "data", timeout=10, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")


def test_http2_is_offered(deployed: dict[str, object]) -> None:
    context = ssl.create_default_context(cafile=str(deployed["certificate"]))
    context.set_alpn_protocols(["h2", "http/1.1"])
    port = int(str(deployed["base"]).rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("localhost", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="localhost") as tls:
        assert tls.selected_alpn_protocol() == "h2"


def test_ckan_api_and_dcat_say_the_public_https_address(deployed: dict[str, object]) -> None:
    base = str(deployed["base"])
    session = requests.Session()
    session.trust_env = False  # else a REQUESTS_CA_BUNDLE of the machine wins over verify
    session.verify = str(deployed["certificate"])
    with RemoteCKAN(base.rstrip("/"), session=session) as ckan:
        names = ckan.action.package_list()
        assert "north-kosovo-product-map" in names
        shown = ckan.action.package_show(id="north-kosovo-product-map")
        assert all(r["url"].startswith(base) for r in shown["resources"])
    catalogue = _get(deployed, "/catalog.ttl").text
    own = [u for u in _URL.findall(catalogue) if "localhost" in u or "127.0.0.1" in u]
    assert own and all(u.startswith(base) for u in own)


def test_downloads_leave_from_disk_byte_equal_with_ranges(deployed: dict[str, object]) -> None:
    published = Path(str(deployed["published"]))
    files = [p for p in (published / "latest").resolve().rglob("*") if p.is_file()]
    for suffix, kind in ((".csv", "text/csv"), (".zip", "application/zip")):
        largest = max((p for p in files if p.suffix == suffix), key=lambda p: p.stat().st_size)
        relative = largest.relative_to(published.resolve()).as_posix()
        whole = _get(deployed, f"/datapackages/{relative}")
        assert whole.status_code == 200 and whole.content == largest.read_bytes()
        assert "X-Accel-Redirect" not in whole.headers  # nginx followed it, unseen outside
        assert whole.headers["Content-Type"].startswith(kind)
        assert whole.headers["Content-Disposition"] == f"attachment; filename={largest.name}"
        assert whole.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=" in whole.headers["Cache-Control"]
    # A resumed download (no compression asked for, as download managers do) of the largest.
    largest = max(files, key=lambda p: p.stat().st_size)
    relative = largest.relative_to(published.resolve()).as_posix()
    part = _get(deployed, f"/datapackages/{relative}",
                headers={"Range": "bytes=100-1123", "Accept-Encoding": "identity"})
    assert part.status_code == 206 and part.content == largest.read_bytes()[100:1124]
    assert part.headers["Content-Range"] == f"bytes 100-1123/{largest.stat().st_size}"
    # The internal location is not reachable from outside; hidden paths still 404.
    assert _get(deployed, f"/_published/{relative}").status_code == 404
    assert _get(deployed, "/datapackages/.lock").status_code == 404


def test_fingerprinted_scripts_are_cached_by_nginx(deployed: dict[str, object]) -> None:
    page = _get(deployed, "/").text
    script = re.search(r'src="(/vendor/scripts/loader\.[0-9a-f]+\.js)"', page)
    assert script
    answers = [_get(deployed, script.group(1)) for _ in range(2)]
    assert [a.headers.get("X-Cache") for a in answers][-1] == "HIT"
    assert "immutable" in answers[-1].headers["Cache-Control"]
    assert _get(deployed, "/healthz").json()["status"] == "ok"


def test_the_systemd_unit_is_valid(tmp_path: Path) -> None:
    """systemd's own check, with the unit's command pointed at this environment's."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing (Debian's systemd package)"
    unit = tmp_path / UNIT.name
    command = str(Path(sys.executable).parent / "nkpm-portal")
    unit.write_text(UNIT.read_text().replace("/opt/nkpm/venv/bin/nkpm-portal", command))
    checked = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    said = [line for line in checked.stderr.splitlines() if unit.name in line]
    assert checked.returncode == 0 and said == [], checked.stderr
    assert f"EnvironmentFile=/etc/nkpm/{ENVIRONMENT.name.removeprefix('nkpm-')}" in UNIT.read_text()


def test_the_environment_file_is_what_the_portal_reads() -> None:
    settings = dict(line.split("=", 1) for line in ENVIRONMENT.read_text().splitlines()
                    if line.strip() and not line.startswith("#"))
    assert set(settings) <= set(config.VARIABLES)
    assert {config.BASE_URL, config.SECRET_KEY, config.PACKAGES} <= set(settings)
    parsed = config.from_environment({k: v for k, v in settings.items() if k != config.PACKAGES})
    assert parsed["BASE_URL"] == settings[config.BASE_URL]
    assert parsed["ACCEL_REDIRECT"] in SITE.read_text()  # the internal location nginx has


def test_the_workspace_unit_and_its_environment(tmp_path: Path) -> None:
    """The staff workspace's unit passes systemd's check and its environment file holds only
    variables the workspace (or the ETL it runs) reads, and parses."""
    from etl.anonymise.pseudonym import KEY_ENV
    from portal.workspace import config as workspace_config

    source = ROOT / "deploy" / "nkpm-workspace.service"
    unit = tmp_path / source.name
    command = str(Path(sys.executable).parent / "nkpm-workspace")
    unit.write_text(source.read_text().replace("/opt/nkpm/venv/bin/nkpm-workspace", command))
    checked = subprocess.run([shutil.which("systemd-analyze") or "systemd-analyze", "verify",
                              str(unit)], capture_output=True, text=True)
    assert checked.returncode == 0 and [ln for ln in checked.stderr.splitlines()
                                        if unit.name in ln] == [], checked.stderr
    env = ROOT / "deploy" / "nkpm-workspace.env"
    assert "EnvironmentFile=/etc/nkpm/workspace.env" in source.read_text()
    settings = dict(line.split("=", 1) for line in env.read_text().splitlines()
                    if line.strip() and not line.startswith("#"))
    known = {*workspace_config.VARIABLES, workspace_config.HISTORY_DIR, config.PACKAGES, KEY_ENV}
    assert set(settings) <= known
    parsed = workspace_config.from_environment(
        {k: v for k, v in settings.items() if k != config.PACKAGES})
    assert str(parsed["WORKSPACE_DIR"]) == settings[workspace_config.DIR]
    assert parsed["SECRET_KEY"] == settings[workspace_config.SECRET_KEY]
    assert not parsed["SECRET_KEY_GENERATED"] and parsed["RETENTION_DAYS"] == 7
