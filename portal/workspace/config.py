"""The workspace's settings, from ``PORTAL_WORKSPACE_*`` variables (and the ETL's own).

The workspace has a secret key of its own: a leaked public-portal key must not open it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portal import config as portal_config
from portal.config import ConfigError

DIR = "PORTAL_WORKSPACE_DIR"
DATABASE_URL = "PORTAL_WORKSPACE_DATABASE_URL"
SECRET_KEY = "PORTAL_WORKSPACE_SECRET_KEY"
RETENTION_DAYS = "PORTAL_WORKSPACE_RETENTION_DAYS"
MAX_UPLOAD_MB = "PORTAL_WORKSPACE_MAX_UPLOAD_MB"
HISTORY_DIR = "PORTAL_HISTORY_DIR"  # the ETL's private ledgers (etl.history.ledger)

#: The buyers' contact requests are the portal's (portal.contact): the same variables, so
#: both apps open the same database.
VARIABLES = (DIR, DATABASE_URL, SECRET_KEY, RETENTION_DAYS, MAX_UPLOAD_MB,
             portal_config.CONTACT_DATABASE_URL, portal_config.CONTACT_RETENTION_DAYS)
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "instance" / "workspace"
DEFAULT_RETENTION_DAYS = 7
DEFAULT_MAX_UPLOAD_MB = 50


def _whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, got {text!r}")
    return int(text)


def database_url(settings: Mapping[str, Any]) -> str:
    """The database: the one configured, else a SQLite file in the workspace folder."""
    return settings.get("DATABASE_URL") or \
        f"sqlite:///{Path(settings['WORKSPACE_DIR']) / 'workspace.sqlite'}"


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Flask settings of the workspace; raises :class:`ConfigError` naming a bad variable."""
    env = os.environ if environ is None else environ
    folder = Path(env.get(DIR, "").strip() or DEFAULT_DIR).expanduser().resolve()
    settings: dict[str, Any] = {
        "WORKSPACE_DIR": folder,
        "RETENTION_DAYS": _whole(env, RETENTION_DAYS, DEFAULT_RETENTION_DAYS, 1, 3650),
        "MAX_UPLOAD_MB": _whole(env, MAX_UPLOAD_MB, DEFAULT_MAX_UPLOAD_MB, 1, 2048),
        "HISTORY_DIR": Path(env[HISTORY_DIR]).expanduser().resolve()
        if env.get(HISTORY_DIR, "").strip() else None,
    }
    url = env.get(DATABASE_URL, "").strip()
    settings["DATABASE_URL"] = portal_config.database_url(url) if url else None
    contact = env.get(portal_config.CONTACT_DATABASE_URL, "").strip()
    settings["CONTACT_DATABASE_URL"] = portal_config.database_url(
        contact, portal_config.CONTACT_DATABASE_URL) if contact else None
    settings["CONTACT_RETENTION_DAYS"] = portal_config.retention_days(
        env.get(portal_config.CONTACT_RETENTION_DAYS))
    if env.get(portal_config.PACKAGES, "").strip():
        settings["PACKAGES_DIR"] = portal_config.packages_dir(env[portal_config.PACKAGES])
    secret = env.get(SECRET_KEY, "")
    if secret and len(secret) < 16:
        raise ConfigError(f"{SECRET_KEY} is too short: use at least 16 characters "
                          "(e.g. openssl rand -hex 32)")
    settings["SECRET_KEY"] = secret or secrets.token_hex(32)
    settings["SECRET_KEY_GENERATED"] = not secret
    return settings
