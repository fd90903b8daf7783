"""Fixtures and helpers of the staff workspace's tests: published demo releases with their
ledgers, demo exports to upload, an app per test, accounts of every role, and forms sent the
way a browser sends them (CSRF token, one-time token, same-origin Referer)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import flask
import pytest
from flask.testing import FlaskClient

from etl.demo import generate
from etl.publish import run
from portal.workspace import accounts
from portal.workspace.app import create_app
from portal.workspace.models import ROLES
from tests.conftest import database_url

BASE = "https://localhost"
PASSWORD = "a long enough password"


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory, _history_dir: None
                 ) -> dict[str, Path]:
    """The demo survey's exports of waves 1–3 (CSV folders; wave 3 also as a workbook)."""
    root = tmp_path_factory.mktemp("exports")
    found = {f"wave{n}": generate(root / f"wave{n}", wave=n) for n in (1, 2, 3)}
    found["wave3.xlsx"] = generate(root / "wave3.xlsx", wave=3, fmt="xlsx")
    return found


@pytest.fixture(scope="session")
def published_template(tmp_path_factory: pytest.TempPathFactory, demo_exports: dict[str, Path]
                       ) -> Path:
    """Releases 1.0.0 and 1.1.0 built from waves 1 and 2, their ledgers in the session's
    history folder (as the committed demo releases are)."""
    out = tmp_path_factory.mktemp("published") / "packages"
    for wave, version in (("wave1", "1.0.0"), ("wave2", "1.1.0")):
        run.publish(run.anonymised(demo_exports[wave], out, version=version), out)
    return out


@dataclass
class Workspace:
    app: flask.Flask
    packages: Path
    root: Path

    def client(self, role: str | None = None) -> FlaskClient:
        """A browser; signed in as the user of ``role`` when given."""
        client = self.app.test_client()
        client.environ_base["HTTP_REFERER"] = f"{BASE}/"
        if role is not None:
            signed = login(client, role)
            assert signed.status_code == 303, signed.text
        return client


@pytest.fixture
def workspace(tmp_path: Path, published_template: Path) -> Iterator[Workspace]:
    packages = tmp_path / "packages"
    shutil.copytree(published_template, packages, symlinks=True)
    app = create_app({"WORKSPACE_DIR": tmp_path / "workspace", "PACKAGES_DIR": packages,
                      "DATABASE_URL": database_url(tmp_path, "workspace.sqlite"),
                      "CONTACT_DATABASE_URL": database_url(tmp_path, "contact-requests.sqlite"),
                      "SECRET_KEY": "test secret key of the workspace", "TESTING": True})
    with app.extensions["workspace_db"].session() as s:
        for role in ROLES:
            accounts.add(s, role, role, PASSWORD)
    yield Workspace(app, packages, tmp_path / "workspace")
    app.extensions["workspace_db"].engine.dispose()


def tokens(html: str) -> dict[str, str]:
    """The hidden fields of the first form of a page."""
    found = {}
    for name in ("csrf_token", "once"):
        match = re.search(rf'name="{name}" value="([^"]+)"', html)
        if match:
            found[name] = match.group(1)
    return found


def login(client: FlaskClient, name: str, password: str = PASSWORD):  # noqa: ANN201
    page = client.get("/login", base_url=BASE)
    return client.post("/login", base_url=BASE, data={
        "name": name, "password": password, **tokens(page.text)})


def send(client: FlaskClient, page: str, action: str, data: dict | None = None,
         **kwargs: object):  # noqa: ANN201
    """Open ``page``, then post its form's tokens with ``data`` to ``action``."""
    opened = client.get(page, base_url=BASE)
    return client.post(action, base_url=BASE, data={**tokens(opened.text), **(data or {})},
                       **kwargs)


def upload(client: FlaskClient, path: Path, name: str | None = None):  # noqa: ANN201
    with path.open("rb") as handle:
        return send(client, "/uploads/", "/uploads/",
                    {"file": (handle, name or path.name)}, content_type="multipart/form-data")


def zipped(folder: Path, target: Path) -> Path:
    """A folder of CSV files as the zip a field officer would make of it."""
    return Path(shutil.make_archive(str(target.with_suffix("")), "zip", folder))
