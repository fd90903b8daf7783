"""The staff workspace: accounts and roles, CSRF and one-time forms, sign-in limits, the flow
from upload to publication and withdrawal, indicator reports, retention, and that raw data
stays in the workspace folder (never a log line, a published file or the public portal)."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import re
import shutil
import subprocess
import sys
import zipfile
from http.cookies import SimpleCookie
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from leaks import raw_secrets
from workspace_helpers import BASE, PASSWORD, Workspace, login, send, tokens, upload, zipped

from etl.publish import releases
from etl.validate import check_path
from portal.workspace import accounts, candidate, guard
from portal.workspace.models import ROLES, AuditEntry, Upload, User

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ("workspace_helpers",)


def _audit(ws: Workspace) -> list[AuditEntry]:
    with ws.app.extensions["workspace_db"].session() as s:
        found = list(s.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
        s.expunge_all()
    return found


def _uploads(ws: Workspace) -> list[Upload]:
    with ws.app.extensions["workspace_db"].session() as s:
        found = list(s.scalars(sa.select(Upload).order_by(Upload.created)))
        s.expunge_all()
    return found


def _state(ws: Workspace) -> dict[str, bytes]:
    """Every published byte and the release index, to prove something changed nothing."""
    return {str(p.relative_to(ws.packages)): p.read_bytes() if p.is_file() else b"dir"
            for p in sorted(ws.packages.rglob("*")) if p.name != ".lock"}


def _routes(ws: Workspace) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every workspace view, with placeholder arguments."""
    found = []
    for rule in ws.app.url_map.iter_rules():
        if rule.endpoint in guard.PUBLIC or rule.endpoint == "auth.logout":
            continue
        url = re.sub(r"<(?:int:)?([a-z_]+)>", lambda m: "1" if "int:" in m.group(0)
                     else "0" * 32 if m.group(1) == "upload_id" else "1.0.0", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


# --- who may do what ---------------------------------------------------------------------


def test_every_view_declares_its_role(workspace: Workspace) -> None:
    views = workspace.app.view_functions
    unguarded = [e for e in views if e not in guard.PUBLIC and e != "auth.logout"
                 and not hasattr(views[e], "required_role")]
    assert unguarded == []


def test_every_page_and_action_refused_without_login(workspace: Workspace) -> None:
    client = workspace.client()
    before = _state(workspace)
    routes = _routes(workspace)
    assert len(routes) >= 15
    for endpoint, method, url in routes:
        if method == "GET":
            answer = client.get(url, base_url=BASE)
            assert answer.status_code == 302, (endpoint, url)
            assert answer.headers["Location"].startswith("/login"), endpoint
        else:  # a valid CSRF token of an anonymous session: refused for want of a user
            answer = send(client, "/login", url, {"once": guard.once_token(), "reason": "r",
                                                  "confirm": "1.0.0"})
            assert answer.status_code == 401, (endpoint, url, answer.status_code)
    assert _state(workspace) == before


def test_every_page_and_action_refused_for_a_lower_role(workspace: Workspace) -> None:
    before = _state(workspace)
    refused = 0
    for role in ROLES[:-1]:
        client = workspace.client(role)
        for endpoint, method, url in _routes(workspace):
            needed = workspace.app.view_functions[endpoint].required_role
            if ROLES.index(role) >= ROLES.index(needed):
                continue
            if method == "GET":
                answer = client.get(url, base_url=BASE)
            else:
                answer = send(client, "/", url, {"reason": "r", "confirm": "1.0.0"})
            assert answer.status_code == 403, (role, endpoint, answer.status_code)
            refused += 1
    assert refused >= 20
    assert _state(workspace) == before


def test_csrf_token_missing_or_wrong_is_refused(workspace: Workspace) -> None:
    client = workspace.client("admin")
    page = client.get("/users", base_url=BASE)
    good = tokens(page.text)
    for data in ({"once": good["once"]}, {**good, "csrf_token": good["csrf_token"][:-4] + "AAAA"},
                 {**good, "csrf_token": workspace.client("editor").get(
                     "/", base_url=BASE).text and "forged"}):
        answer = client.post("/users", base_url=BASE, data={
            **data, "name": "mallory", "role": "admin", "password": PASSWORD})
        assert answer.status_code == 400
    # From another site (its Referer): refused although the token is right.
    answer = client.post("/users", base_url=BASE, headers={"Referer": "https://evil.example/"},
                         data={**good, "name": "mallory", "role": "admin", "password": PASSWORD})
    assert answer.status_code == 400
    with workspace.app.extensions["workspace_db"].session() as s:
        assert s.scalar(sa.select(User).where(User.name == "mallory")) is None


def test_login_form_needs_csrf_too(workspace: Workspace) -> None:
    client = workspace.client()
    answer = client.post("/login", base_url=BASE, data={"name": "admin", "password": PASSWORD})
    assert answer.status_code == 400
    assert "nkpm_workspace" not in answer.headers.get("Set-Cookie", "") or \
        "sid" not in answer.headers.get("Set-Cookie", "")


def test_lock_out_after_repeated_failed_logins(workspace: Workspace) -> None:
    client = workspace.client()
    for _ in range(accounts.LOCK_AFTER - 1):
        assert login(client, "editor", "wrong password!").status_code == 401
    locked = login(client, "editor", "wrong password!")
    assert locked.status_code == 401 and "locked" in locked.text
    # The right password does not open a locked account.
    assert login(client, "editor").status_code == 401
    actions = [e.action for e in _audit(workspace) if e.user == "editor"]
    assert actions.count("login refused (bad)") == accounts.LOCK_AFTER - 1
    assert "login refused (locked)" in actions
    with workspace.app.extensions["workspace_db"].session() as s:
        user = s.scalar(sa.select(User).where(User.name == "editor"))
        user.locked_until = dt.datetime(2000, 1, 1)  # the lock has run out
    assert login(client, "editor").status_code == 303


def test_sign_in_rate_limited_per_address(workspace: Workspace) -> None:
    client = workspace.client()
    codes = [login(client, f"nobody{i}", "wrong password!").status_code
             for i in range(accounts.ADDRESS_LIMIT + 1)]
    assert codes[:accounts.ADDRESS_LIMIT] == [401] * accounts.ADDRESS_LIMIT
    assert codes[-1] == 429
    assert login(client, "admin").status_code == 429  # even with the right password


def test_session_cookie_flags_and_a_new_session_at_login(workspace: Workspace) -> None:
    client = workspace.client()
    client.get("/login", base_url=BASE)
    before = client.get_cookie("nkpm_workspace")
    assert before is not None
    signed = login(client, "viewer")
    header = [h for h in signed.headers.getlist("Set-Cookie") if h.startswith("nkpm_workspace")]
    assert header, signed.headers
    cookie = SimpleCookie(header[0])["nkpm_workspace"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Strict"
    after = client.get_cookie("nkpm_workspace")
    assert after.value != before.value
    # The cookie from before signing in opens nothing.
    stranger = workspace.client()
    stranger.set_cookie("nkpm_workspace", before.value, domain="localhost")
    assert stranger.get("/releases/", base_url=BASE).status_code == 302
    # Signing out ends the session on the server: the old signed-in cookie is dead too.
    send(client, "/", "/logout")
    stranger.set_cookie("nkpm_workspace", after.value, domain="localhost")
    assert stranger.get("/releases/", base_url=BASE).status_code == 302


def test_security_headers(workspace: Workspace) -> None:
    answer = workspace.client("viewer").get("/releases/", base_url=BASE)
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "<script" not in answer.text


def test_disabling_a_user_ends_their_sessions(workspace: Workspace) -> None:
    editor = workspace.client("editor")
    admin = workspace.client("admin")
    with workspace.app.extensions["workspace_db"].session() as s:
        ident = s.scalar(sa.select(User.id).where(User.name == "editor"))
    answer = send(admin, "/users", f"/users/{ident}", {"role": "editor", "active": "no"})
    assert answer.status_code == 303
    assert editor.get("/uploads/", base_url=BASE).status_code == 302
    assert login(workspace.client(), "editor").status_code == 401


def test_add_user_on_the_command_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PORTAL_WORKSPACE_DIR": str(tmp_path / "ws"),
           "PORTAL_PACKAGES": str(tmp_path)}
    command = [sys.executable, "-m", "portal", "workspace"]
    made = subprocess.run([*command, "add-user", "Ana", "--role", "publisher"], env=env,
                          input=f"{PASSWORD}\n", capture_output=True, text=True, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    assert PASSWORD not in made.stdout + made.stderr
    short = subprocess.run([*command, "add-user", "bob", "--role", "admin"], env=env,
                           input="short\n", capture_output=True, text=True, cwd=ROOT)
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    wrong = subprocess.run([*command, "add-user", "bob", "--role", "boss"], env=env,
                           input=f"{PASSWORD}\n", capture_output=True, text=True, cwd=ROOT)
    assert wrong.returncode == 2
    listed = subprocess.run([*command, "users"], env=env, capture_output=True, text=True,
                            cwd=ROOT)
    assert listed.stdout.split() == ["ana", "publisher", "active"]


# --- upload, check, preview, publish -----------------------------------------------------


def _broken(demo: Path, tmp_path: Path) -> Path:
    """Wave 3 with a municipality nobody knows and a year that is not a number."""
    folder = tmp_path / "broken"
    shutil.copytree(demo, folder)
    path = folder / "enterprises.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[4].split(",")  # spreadsheet row 5
    cells[header.index("municipality")] = "Atlantis"
    cells[header.index("founded_year")] = "abc"
    lines[4] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return zipped(folder, tmp_path / "broken.zip")


def test_a_broken_upload_gets_the_report_in_the_users_language_and_as_xlsx(
        workspace: Workspace, demo_exports: dict[str, Path], tmp_path: Path) -> None:
    client = workspace.client("editor")
    sent = upload(client, _broken(demo_exports["wave3"], tmp_path))
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"] + "?lang=sq", base_url=BASE)
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>(\d*)</td><td>([^<]*)</td>"
                      r"<td>([^<]*)</td><td>([^<]*)</td></tr>", page.text)
    found = {(file, row, column, value) for file, row, column, value, _ in rows}
    assert ("enterprises.csv", "5", "municipality", "Atlantis") in found
    assert ("enterprises.csv", "5", "founded_year", "abc") in found
    expected = {r[2]: r[4] for r in rows if r[1] == "5"}
    assert "must be" not in expected["founded_year"]  # said in Albanian
    assert 'id="preview"' not in page.text  # no preview of an input with errors
    report = client.get(sent.headers["Location"] + "/report.xlsx?lang=sq", base_url=BASE)
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(report.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("Atlantis" in map(str, r) and 5 in r for r in values)
    assert _uploads(workspace)[0].errors == 2


@pytest.mark.parametrize("name, body, words", [
    ("export.xlsx", b"just some text, renamed", "not an Excel workbook or a zip archive"),
    ("export.zip", None, "unsafe name"),
])
def test_hostile_uploads_change_nothing(workspace: Workspace, tmp_path: Path, name: str,
                                        body: bytes | None, words: str) -> None:
    path = tmp_path / name
    if body is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("../enterprises.csv", "x")
    else:
        path.write_bytes(body)
    before = _state(workspace)
    client = workspace.client("editor")
    sent = upload(client, path)
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"], base_url=BASE)
    assert words.casefold() in page.text.casefold()
    assert _uploads(workspace) == []
    assert list((workspace.root / candidate.UPLOADS).iterdir()) == []
    assert _state(workspace) == before


def test_an_upload_over_the_size_limit_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    workspace.app.config["MAX_CONTENT_LENGTH"] = 200_000
    path = tmp_path / "big.zip"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 300_000)
    answer = upload(workspace.client("editor"), path)
    assert answer.status_code == 413 and "MB" in answer.text
    assert _uploads(workspace) == []


def _previewed(ws: Workspace, client, export: Path) -> str:  # noqa: ANN001
    sent = upload(client, export)
    assert sent.status_code == 303, sent.text
    page = sent.headers["Location"]
    previewed = send(client, page, page + "/preview")
    assert previewed.status_code == 303
    return page


def test_preview_then_publish_exactly_as_the_cli(
        workspace: Workspace, demo_exports: dict[str, Path], tmp_path: Path) -> None:
    client = workspace.client("publisher")
    before = _state(workspace)
    page = _previewed(workspace, client, demo_exports["wave3.xlsx"])
    shown = client.get(page, base_url=BASE).text
    assert "1.2.0" in shown and 'id="preview-figures"' in shown
    described = json.loads(_uploads(workspace)[0].preview)
    assert described["base"] == "1.1.0"
    units = {u["kind"]: u for u in described["units"]}
    assert units["businesses"]["after"] - units["businesses"]["before"] == \
        units["businesses"]["added"] - units["businesses"]["gone"]
    assert units["businesses"]["added"] > 0
    assert {r["rule"] for r in described["rules"]} >= {"k_anonymity", "history_tables"}
    assert _state(workspace) == before  # a preview publishes nothing
    published = send(client, page, page + "/publish")
    assert published.status_code == 303
    assert releases.latest(workspace.packages).name == "1.2.0"
    # The same input through the CLI gives the same bytes.
    cli_out = tmp_path / "cli"
    shutil.copytree(ROOT / "tests" / "nonexistent", cli_out) if False else \
        shutil.copytree(workspace.packages, cli_out, symlinks=True,
                        ignore=shutil.ignore_patterns("1.2.0"))
    index = json.loads((cli_out / "releases.json").read_text())
    (cli_out / "releases.json").write_text(json.dumps([e for e in index
                                                       if e["version"] != "1.2.0"]))
    done = subprocess.run([sys.executable, "-m", "etl", "build", "--raw",
                           str(demo_exports["wave3.xlsx"]), "--out", str(cli_out), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert releases.fingerprint(cli_out / "1.2.0") == \
        releases.fingerprint(workspace.packages / "1.2.0")
    assert not candidate.Place.folder(workspace.app.extensions["workspace_place"],
                                      _uploads(workspace)[0].id).exists()
    actions = [(e.action, e.release) for e in _audit(workspace)]
    assert ("preview", "1.2.0") in actions and ("publish", "1.2.0") in actions


def test_double_submission_and_two_publishers(
        workspace: Workspace, demo_exports: dict[str, Path], tmp_path: Path) -> None:
    ana, ben = workspace.client("publisher"), workspace.client("admin")
    first = _previewed(workspace, ana, demo_exports["wave3.xlsx"])
    second = _previewed(workspace, ben, zipped(demo_exports["wave3"], tmp_path / "w3.zip"))
    # Another publication in progress: told at once, nothing changes.
    before = _state(workspace)
    with (workspace.root / candidate.PUBLISH_LOCK).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = send(ana, first, first + "/publish")
        fcntl.flock(held, fcntl.LOCK_UN)
    assert busy.status_code == 303
    assert "being published" in ana.get(first, base_url=BASE).text
    assert _state(workspace) == before
    # The same form sent twice: done once.
    form = tokens(ana.get(first, base_url=BASE).text)
    assert ana.post(first + "/publish", base_url=BASE, data=form).status_code == 303
    again = ana.post(first + "/publish", base_url=BASE, data=form)
    assert again.status_code == 409
    assert releases.latest(workspace.packages).name == "1.2.0"
    # The other publisher's preview was made against 1.1.0: told, nothing published.
    after_first = _state(workspace)
    late = send(ben, second, second + "/publish")
    assert late.status_code == 303
    assert "published after this preview" in ben.get(second, base_url=BASE).text
    assert _state(workspace) == after_first
    # Publishing what is already published: told.
    stale = send(ana, "/uploads/", first + "/publish")
    assert stale.status_code == 303
    assert "already published" in ana.get(first, base_url=BASE).text


def test_discard_deletes_the_upload(workspace: Workspace, demo_exports: dict[str, Path]
                                    ) -> None:
    client = workspace.client("editor")
    page = _previewed(workspace, client, demo_exports["wave3.xlsx"])
    folder = workspace.root / candidate.UPLOADS / page.rsplit("/", 1)[1]
    assert (folder / candidate.PREVIEW).is_dir()
    assert send(client, page, page + "/discard").status_code == 303
    assert not folder.exists() and _uploads(workspace)[0].state == "discarded"


def test_uploads_past_retention_are_deleted(workspace: Workspace,
                                            demo_exports: dict[str, Path]) -> None:
    client = workspace.client("editor")
    sent = upload(client, demo_exports["wave3.xlsx"])
    folder = workspace.root / candidate.UPLOADS / sent.headers["Location"].rsplit("/", 1)[1]
    assert folder.is_dir()
    with workspace.app.extensions["workspace_db"].session() as s:
        s.execute(sa.update(Upload).values(created=dt.datetime(2000, 1, 1)))
    client.get("/uploads/", base_url=BASE)  # listing sweeps
    assert not folder.exists() and _uploads(workspace)[0].state == "expired"
    assert client.get(sent.headers["Location"] + "/report.xlsx", base_url=BASE
                      ).status_code == 404


def test_withdraw_with_a_reason(workspace: Workspace) -> None:
    client = workspace.client("publisher")
    no_reason = send(client, "/releases/", "/releases/1.0.0/withdraw", {"confirm": "1.0.0"})
    assert no_reason.status_code == 303
    unconfirmed = send(client, "/releases/", "/releases/1.0.0/withdraw",
                       {"reason": "Wrong wave", "confirm": "1.1.0"})
    assert unconfirmed.status_code == 303
    assert not any(e.get("withdrawn") for e in releases.read_index(workspace.packages))
    done = send(client, "/releases/", "/releases/1.0.0/withdraw",
                {"reason": "A municipality was coded wrongly", "confirm": "1.0.0"})
    assert done.status_code == 303
    tomb = next(e for e in releases.read_index(workspace.packages) if e["version"] == "1.0.0")
    assert tomb["reason"] == "A municipality was coded wrongly"
    assert not (workspace.packages / "1.0.0").exists()
    assert ("withdraw", "1.0.0") in [(e.action, e.release) for e in _audit(workspace)]
    twice = send(client, "/releases/", "/releases/1.0.0/withdraw",
                 {"reason": "again", "confirm": "1.0.0"})
    assert "already withdrawn" in client.get(twice.headers["Location"], base_url=BASE).text


# --- indicator reports -------------------------------------------------------------------


def test_indicator_reports_are_checked_published_and_their_notes_kept_private(
        workspace: Workspace, demo_exports: dict[str, Path]) -> None:
    client = workspace.client("publisher")
    page = client.get("/indicators/?lang=sq", base_url=BASE).text
    assert "OUT1.2" in page  # reported by hand in the demo framework
    bad = send(client, "/indicators/?lang=sq", "/indicators/?lang=sq", {
        "indicator_id": "OUT1.2", "period_start": "2021-13-01", "period_end": "2021-06-30",
        "actual": "five", "note": "x"})
    assert bad.status_code == 200 and 'id="report-errors"' in bad.text
    assert "period_start" in bad.text and "must be a real date" not in bad.text
    unknown = send(client, "/indicators/", "/indicators/", {
        "indicator_id": "IMP1", "period_start": "2021-04-01", "period_end": "2021-06-30",
        "actual": "5"})
    assert 'id="report-errors"' in unknown.text  # computed from data, not reported by hand
    note = "Private: the ministry has not confirmed the Bosnian edition"
    saved = send(client, "/indicators/", "/indicators/", {
        "indicator_id": "OUT1.2", "period_start": "01.04.2021", "period_end": "2021-06-30",
        "actual": "6", "note": note})
    assert saved.status_code == 303
    listed = client.get("/indicators/", base_url=BASE).text
    assert note in listed and "2021-04-01" in listed
    upload_page = _previewed(workspace, client, demo_exports["wave3.xlsx"])
    assert json.loads(_uploads(workspace)[0].preview)["reports"] == 1
    assert send(client, upload_page, upload_page + "/publish").status_code == 303
    release = workspace.packages / "1.2.0"
    table = next(release.glob("*/data/indicators.csv")).read_text(encoding="utf-8")
    assert re.search(r"^OUT1\.2,.*,2021-04-01,2021-06-30,6(\.0)?,", table, re.M), table
    for path in release.rglob("*"):
        if path.is_file() and path.suffix != ".zip":
            assert "ministry has not confirmed" not in path.read_text(errors="ignore")


# --- raw data stays private --------------------------------------------------------------


def test_no_raw_value_in_a_log_line_or_a_public_response(
        workspace: Workspace, demo_exports: dict[str, Path], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    from portal.app import create_app as public_app

    secrets = {s for s in raw_secrets(check_path(demo_exports["wave3.xlsx"])) if len(s) >= 6}
    assert len(secrets) > 100
    caplog.set_level(logging.DEBUG)
    client = workspace.client("publisher")
    upload(client, _broken(demo_exports["wave3"], tmp_path))
    page = _previewed(workspace, client, demo_exports["wave3.xlsx"])
    send(client, page, page + "/publish")
    logged = "\n".join(r.getMessage() for r in caplog.records).casefold()
    assert [s for s in secrets if s in logged] == []
    audit = " ".join(f"{e.action} {e.detail}" for e in _audit(workspace)).casefold()
    assert [s for s in secrets if s in audit] == []
    portal = public_app(workspace.packages, {"TESTING": True})
    public = portal.server.test_client()
    for path in ("/", "/data", "/api/v1/releases", "/catalog.jsonld", "/indicators"):
        text = public.get(path).get_data(as_text=True).casefold()
        assert [s for s in secrets if s in text] == [], path


def test_the_public_portal_never_imports_the_workspace() -> None:
    code = ("import sys; from portal.app import create_app; create_app(); "
            "print(sorted(m for m in sys.modules if m.startswith('portal.workspace')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_old_tokens_attempts_and_sessions_are_forgotten(workspace: Workspace) -> None:
    from portal.workspace.models import Attempt, LoginSession, Used

    client = workspace.client("viewer")
    db = workspace.app.extensions["workspace_db"]
    long_ago = dt.datetime(2000, 1, 1)
    with db.session() as s:
        s.add_all([Used(token="old" * 8, at=long_ago), Used(token="new" * 8),
                   Attempt(address="10.0.0.1", at=long_ago), Attempt(address="10.0.0.2")])
        s.add(LoginSession(id="stale", user_id=s.scalar(sa.select(User.id).limit(1)),
                           seen=long_ago))
    guard.forget_old(db)
    with db.session() as s:
        assert set(s.scalars(sa.select(Used.token))) == {"new" * 8}
        assert set(s.scalars(sa.select(Attempt.address))) == {"10.0.0.2"}
        assert "stale" not in set(s.scalars(sa.select(LoginSession.id)))
    assert client.get("/releases/", base_url=BASE).status_code == 200  # a live session stays


def test_served_on_its_own_port(tmp_path: Path) -> None:
    """``python -m portal workspace`` serves the workspace (gunicorn) on the port it is given,
    and only the workspace: the portal's pages are not there."""
    import time
    import urllib.error
    import urllib.request

    from tests.conftest import free_port

    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "PORTAL_WORKSPACE_DIR": str(tmp_path / "ws"),
           "PORTAL_PACKAGES": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "portal", "workspace", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
                    assert json.load(answer) == {"status": "ok"}
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            pytest.fail("the workspace did not start")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login?lang=sq") as answer:
            assert '<html lang="sq">' in answer.read().decode()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/data")
        assert missing.value.code == 404
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "PORTAL_WORKSPACE_SECRET_KEY is not set" in err


def test_a_value_for_an_indicator_the_export_lacks_stops_the_preview(
        workspace: Workspace, demo_exports: dict[str, Path], tmp_path: Path) -> None:
    from portal.workspace.models import IndicatorReport

    client = workspace.client("publisher")
    with workspace.app.extensions["workspace_db"].session() as s:
        s.add(IndicatorReport(indicator_id="OUT9.9", period_start="2021-04-01",
                              period_end="2021-06-30", actual="3", user="publisher"))
    sent = upload(client, zipped(demo_exports["wave3"], tmp_path / "w3.zip"))
    page = sent.headers["Location"]
    before = _state(workspace)
    assert send(client, page, page + "/preview").status_code == 303
    shown = client.get(page, base_url=BASE).text
    assert "cannot be built" in shown and "OUT9.9" in shown and "indicator_id" in shown
    assert _uploads(workspace)[0].state == "checked" and _state(workspace) == before
