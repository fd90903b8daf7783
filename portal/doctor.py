"""``nkpm-portal doctor``: what an administrator runs after an install, an upgrade or a change
of ``/etc/nkpm/portal.env``, before (re)starting the service.

One line per check, in the order a set-up is built — configuration, interface catalogues,
canonical address, published release, database, cache, loaded release, DCAT catalogue — and
exit status 0 only when every check holds. A failed check says what is wrong in one line
(never a traceback, never a password); checks that need an earlier one that failed are
skipped and say so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy

from etl.publish.releases import ReleaseError, verify
from portal import catalogues, config
from portal.app import create_app
from portal.load.release import locate

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"


@dataclass(frozen=True)
class Finding:
    check: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<5} {self.check:<18} {self.detail}"


def _configuration() -> tuple[Finding, dict[str, Any] | None]:
    try:
        settings = config.from_environment()
    except config.ConfigError as error:
        return Finding("configuration", FAIL, str(error)), None
    if config.warn_if_insecure(settings):
        return Finding("configuration", WARN, f"{config.SECRET_KEY} is not set: signed cookies "
                       "differ between workers and restarts"), settings
    return Finding("configuration", OK, "every PORTAL_* variable is valid"), settings


def _catalogues() -> Finding:
    try:
        catalogues.check()
    except catalogues.CatalogueError as error:
        return Finding("catalogues", FAIL, str(error))
    return Finding("catalogues", OK, "; ".join(catalogues.statistics()))


def _publications() -> Finding:
    """What making documents needs beyond Python: Chromium (charts), Pango (the PDF engine)."""
    from portal.publications import charts

    try:
        browser = charts.browser()
        import weasyprint  # noqa: F401 - loads Pango, or says that it is missing
    except (charts.ChartsUnavailable, OSError) as error:
        return Finding("publications", FAIL, f"documents cannot be made: {error}")
    return Finding("publications", OK, f"charts drawn with {browser}; PDF engine ready")


def _base_url(settings: Mapping[str, Any]) -> Finding:
    base = settings.get("BASE_URL")
    if not base:
        return Finding("base URL", WARN, f"{config.BASE_URL} is not set: absolute URLs and "
                       "DCAT identifiers follow each request's host")
    return Finding("base URL", OK, f"absolute URLs and identifiers start with {base}")


def _release(packages_dir: Path) -> Finding:
    folder = locate(packages_dir)
    if folder is None:
        return Finding("published release", FAIL, f"nothing is published in {packages_dir}")
    try:
        descriptors = verify(folder)
    except ReleaseError as error:
        return Finding("published release", FAIL, str(error))
    files = sum(len(d.get("resources", [])) for d in descriptors.values())
    return Finding("published release", OK, f"{folder.name}: {len(descriptors)} packages, "
                   f"{files} files match their descriptors' hashes")


def _served(packages_dir: Path, settings: Mapping[str, Any]) -> list[Finding]:
    """Database, cache and loaded release (the health check), then the DCAT catalogue."""
    try:
        app = create_app(packages_dir, {"TESTING": False})
    except sqlalchemy.exc.SQLAlchemyError as error:  # the store connects as the app starts
        cause = type(getattr(error, "orig", None) or error).__name__
        return [Finding("database", FAIL, f"does not answer ({cause})"),
                *(Finding(name, SKIP, "needs the database") for name in
                  ("cache", "loaded release", "DCAT catalogue"))]
    client = app.server.test_client()
    health = client.get("/healthz").get_json()
    findings = []
    for part in ("database", "cache"):
        state = health[part]
        findings.append(Finding(part, OK, "answers") if state["ok"] else
                        Finding(part, FAIL, f"does not answer ({state['error']})"))
    release = health["release"]
    if release:
        fingerprint = release["fingerprint"][:12]
        findings.append(Finding("loaded release", OK, f"{release['version']} ({fingerprint})"))
    else:
        findings.append(Finding("loaded release", FAIL, "no release could be loaded"))
    if release is None:
        return [*findings, Finding("DCAT catalogue", SKIP, "needs a loaded release")]
    answer = client.get("/catalog.ttl", base_url=settings.get("BASE_URL") or "http://localhost/")
    if answer.status_code != 200:
        return [*findings, Finding("DCAT catalogue", FAIL, f"answered {answer.status_code}")]
    body = answer.get_data(as_text=True)
    base = settings.get("BASE_URL")
    if base and f"<{base}" not in body:
        return [*findings, Finding("DCAT catalogue", FAIL, f"no identifier under {base}")]
    datasets = body.count("a dcat:Dataset")
    return [*findings, Finding("DCAT catalogue", OK, f"{datasets} datasets described")]


def run(packages_dir: Path) -> list[Finding]:
    """Every check of the ``PORTAL_*`` environment and ``packages_dir``, in order (later ones
    skipped when what they need failed)."""
    findings: list[Finding] = []
    configured, settings = _configuration()
    findings.append(configured)
    findings.append(_catalogues())
    findings.append(_publications())
    if settings is None:
        skipped = ("base URL", "published release", "database", "cache", "loaded release",
                   "DCAT catalogue")
        return [*findings, *(Finding(name, SKIP, "needs a valid configuration")
                             for name in skipped)]
    findings.append(_base_url(settings))
    findings.append(_release(packages_dir))
    if findings[1].status == FAIL:
        return [*findings, *(Finding(name, SKIP, "needs the catalogues") for name in
                             ("database", "cache", "loaded release", "DCAT catalogue"))]
    logging.disable(logging.CRITICAL)  # the app's own logs of these errors: findings here
    try:
        findings += _served(packages_dir, settings)
    finally:
        logging.disable(logging.NOTSET)
    return findings


def healthy(findings: list[Finding]) -> bool:
    return all(f.status in (OK, WARN) for f in findings)
