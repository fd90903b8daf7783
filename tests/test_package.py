"""The package as a server install gets it: ``python -m build`` (sdist, then the wheel from
it), installed in a new venv outside the checkout, serving a release from another folder,
every page in all four languages.

The venv sees the test environment's site-packages for the dependencies (a ``.pth`` line,
which does not run that folder's own ``.pth`` files, so the checkout's editable install
stays out of it): the wheel is what is tested, not the registry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import urllib.error
import urllib.request
import venv
from html.parser import HTMLParser
from pathlib import Path

import dash
import pytest

from portal import catalogues, i18n
from portal.layout import nav_pages
from tests.conftest import DEMO_PACKAGES, free_port

ROOT = Path(__file__).resolve().parent.parent
#: A package page and a table page, beside the navigation's.
DATA_PAGES = ["/data/north-kosovo-product-map", "/data/north-kosovo-product-map/businesses"]


class _Texts(HTMLParser):
    """Every text node of a page (outside scripts), stripped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style", "template")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style", "template")

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.add(data.strip())


def _texts(page: str) -> set[str]:
    parser = _Texts()
    parser.feed(page)
    return parser.texts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel ``python -m build`` makes from a copy of the tracked files."""
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source") / "checkout"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_symlink():  # datapackages/latest
            target.symlink_to(os.readlink(ROOT / name))
        else:
            shutil.copy2(ROOT / name, target)
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"sdist": next(out.glob("*.tar.gz")), "wheel": next(out.glob("*.whl"))}


def test_the_sdist_carries_what_the_portal_needs_at_run_time(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    needed = [f"portal/translations/{locale}/LC_MESSAGES/messages.po"
              for locale in catalogues.TRANSLATED]
    needed += [str(path.relative_to(ROOT)) for folder in ("portal/static", "portal/assets",
                                                          "etl/reference")
               for path in (ROOT / folder).iterdir() if path.is_file()]
    assert [name for name in needed if name not in names] == []


@pytest.fixture(scope="module")
def installed(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv, outside the checkout, with the wheel installed; its Python."""
    home = tmp_path_factory.mktemp("install")
    venv.create(home / "venv", with_pip=False)
    python = home / "venv" / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True)
    Path(site.stdout.strip(), "test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                           "--no-deps", "--no-index", "--quiet", str(built["wheel"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return python


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - loopback only
        return answer.read().decode()


def test_the_installed_portal_speaks_all_four_languages(
        installed: Path, tmp_path: Path, demo_app: dash.Dash) -> None:
    where = subprocess.run([installed, "-c", "import etl, portal; print(portal.__file__); "
                            "print(etl.__file__)"], cwd=tmp_path, capture_output=True,
                           text=True, check=True).stdout.split()
    venv_dir = installed.parent.parent
    assert all(Path(path).is_relative_to(venv_dir) for path in where), where

    published = tmp_path / "published"
    shutil.copytree(DEMO_PACKAGES, published, ignore=shutil.ignore_patterns(".lock"))
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PORTAL_") and key != "PYTHONPATH"}
    server = subprocess.Popen(
        [venv_dir / "bin" / "nkpm-portal", "serve", "--packages", str(published),
         "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(base + "/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, \
                    server.stdout.read() if server.stdout else "the server did not start"
                time.sleep(0.5)
        with demo_app.server.test_request_context("/"):
            paths = [page["path"] for page in nav_pages()] + DATA_PAGES
        for path in paths:
            english = _texts(_get(f"{base}{path}?lang=en"))
            for locale in i18n.LOCALES[1:]:
                page = _get(f"{base}{path}?lang={locale}")
                assert f'<html lang="{locale}">' in page
                shown = _texts(page)
                messages = {m.id: m.string for m in catalogues.catalogue(i18n.babel_id(locale))
                            if isinstance(m.id, str) and m.id in english and m.string != m.id}
                assert messages, f"{path}: no interface message found in the English page"
                # No interface text of the English page is left in English, and the
                # translations are there (all but the few that the release's own metadata
                # words otherwise, e.g. a table titled like a chart).
                joined = "\n".join(shown)
                english_left = sorted(m for m in messages if m in shown)
                assert english_left == [], f"{path} in {locale}: {english_left[:5]}"
                found = sum(1 for s in messages.values() if s in joined)
                assert found >= 0.8 * len(messages), f"{path} in {locale}: {found}/{len(messages)}"
    finally:
        server.terminate()
        server.wait(timeout=30)
