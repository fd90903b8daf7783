"""``nkpm-portal doctor`` on a healthy set-up and on broken ones: one line per check, exit 0
only when all hold."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from portal import catalogues, cli
from tests.conftest import DEMO_PACKAGES, PRODUCTION, TEST_REDIS_URL, database_url

CHECKS = ["configuration", "catalogues", "publications", "base URL", "published release",
          "database", "cache", "loaded release", "DCAT catalogue"]


@pytest.fixture
def healthy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A published folder of its own and a full production-like environment."""
    published = tmp_path / "published"
    shutil.copytree(DEMO_PACKAGES, published, ignore=shutil.ignore_patterns(".lock"))
    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PORTAL_BASE_URL", "https://data.example.org/")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "0123456789abcdef0123456789abcdef")
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url(tmp_path))
    monkeypatch.setenv("PORTAL_CACHE_URL", TEST_REDIS_URL if PRODUCTION else "simple")
    return published


def _doctor(published: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, str]]:
    code = cli.main(["doctor", "--packages", str(published)])
    lines = capsys.readouterr().out.splitlines()
    found = {line[6:24].strip(): line for line in lines}
    assert list(found) == CHECKS, lines
    assert all("Traceback" not in line for line in lines)
    return code, found


def test_a_healthy_install_passes_every_check(healthy: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, found = _doctor(healthy, capsys)
    assert code == 0
    assert all(line.startswith("ok ") for line in found.values()), found
    assert "https://data.example.org/" in found["base URL"]
    assert "3 datasets described" in found["DCAT catalogue"]  # 2 packages, the documents


def _tamper(published: Path) -> str:
    table = next((published / "latest").resolve().glob("*/data/*.csv"))
    table.write_bytes(table.read_bytes() + b"\n")
    return table.name


@pytest.mark.parametrize(("breakage", "check", "said"), [
    ("base_url", "configuration", "PORTAL_BASE_URL cannot have a query string"),
    ("tampered", "published release", "its hash no longer matches"),
    ("database", "database", "does not answer"),
    ("catalogue", "catalogues", "interface catalogue"),
    ("nothing", "published release", "nothing is published"),
    ("chromium", "publications", "need Chromium"),
])
def test_a_broken_install_fails_on_the_check_that_names_it(
        healthy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], breakage: str, check: str, said: str) -> None:
    if breakage == "base_url":
        monkeypatch.setenv("PORTAL_BASE_URL", "https://data.example.org/?lang=sq")
    elif breakage == "tampered":
        said = f"{_tamper(healthy)}: {said}"
    elif breakage == "database":
        monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    elif breakage == "chromium":
        monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    elif breakage == "catalogue":
        empty = tmp_path / "translations"
        empty.mkdir()
        monkeypatch.setattr(catalogues, "TRANSLATIONS_DIR", empty)
        catalogues.compiled.cache_clear()
    else:
        healthy = tmp_path / "empty"
        healthy.mkdir()
    try:
        code, found = _doctor(healthy, capsys)
    finally:
        catalogues.compiled.cache_clear()
    assert code == 1
    assert found[check].startswith("FAIL") and said in found[check], found[check]
