"""Settings from the environment: the ``PORTAL_*`` variables a deployment sets.

One place reads them, so ``create_app``, ``serve --production`` and the tests agree on
names, defaults and errors. :func:`from_environment` turns them into Flask settings;
``create_app`` applies *defaults < environment < explicit config*, so a test's or the
CLI's explicit choice always wins over whatever the shell happens to export.

A bad value stops the start with :class:`ConfigError`: one line naming the variable and
what is wrong, never the value of a secret or the password inside a URL.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)

DATABASE_URL = "PORTAL_DATABASE_URL"
CACHE_URL = "PORTAL_CACHE_URL"
PACKAGES = "PORTAL_PACKAGES"
SECRET_KEY = "PORTAL_SECRET_KEY"
WORKERS = "PORTAL_WORKERS"
BASE_URL = "PORTAL_BASE_URL"
TRUSTED_PROXIES = "PORTAL_TRUSTED_PROXIES"
ACCEL_REDIRECT = "PORTAL_ACCEL_REDIRECT"
#: Where the documents made from each release are kept (portal.publications).
PUBLICATIONS_DIR = "PORTAL_PUBLICATIONS_DIR"
#: "0" stops ``serve`` from making the documents ahead (portal.publications.ahead).
PUBLICATIONS_AHEAD = "PORTAL_PUBLICATIONS_AHEAD"
#: The buyers' contact requests (portal.contact), shared by the portal and the workspace: any
#: SQLAlchemy URL; default a SQLite file in the checkout's ``instance/`` (portal.contact.models).
CONTACT_DATABASE_URL = "PORTAL_CONTACT_DATABASE_URL"
#: Days a contact request is kept, handled or not.
CONTACT_RETENTION_DAYS = "PORTAL_CONTACT_RETENTION_DAYS"
DEFAULT_CONTACT_RETENTION_DAYS = 90
#: Every variable this module reads, for documentation and tests.
VARIABLES = (DATABASE_URL, CACHE_URL, PACKAGES, SECRET_KEY, WORKERS, BASE_URL, TRUSTED_PROXIES,
             ACCEL_REDIRECT, PUBLICATIONS_DIR, PUBLICATIONS_AHEAD, CONTACT_DATABASE_URL,
             CONTACT_RETENTION_DAYS)

#: Redis keys of this portal start with this (several apps may share one Redis).
CACHE_KEY_PREFIX = "nkpm:"
#: The cache type that turns a Redis outage into cache misses instead of errors.
SAFE_REDIS_CACHE = "portal.cache.SafeRedisCache"
#: How many processes ``serve --production`` runs when ``PORTAL_WORKERS`` is unset.
DEFAULT_WORKERS = 2
MAX_WORKERS = 256

_SECRET_KEY_GENERATED = "_PORTAL_SECRET_KEY_GENERATED"


class ConfigError(ValueError):
    """A ``PORTAL_*`` variable that cannot be used; ``str()`` is the one-line message."""


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit for messages and logs."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unreadable URL>"
    if not password:
        return url
    netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def database_url(value: str, name: str = DATABASE_URL) -> str:
    """A SQLAlchemy URL for ``PORTAL_DATABASE_URL`` (or the variable ``name``);
    ``postgresql://`` means psycopg 3.

    SQLAlchemy reads a bare ``postgresql://`` as psycopg2, which the project does not
    install: the common URL form (as libpq, Heroku or docker-compose write it) would fail.
    """
    url = value.strip()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme in ("postgresql+psycopg", "sqlite") or scheme.startswith("sqlite+"):
        return url
    raise ConfigError(f"{name} must be a sqlite:/// or postgresql:// URL, "
                      f"got {redact(url)!r}")


def cache_settings(value: str) -> dict[str, Any]:
    """Flask-Caching settings for ``PORTAL_CACHE_URL``.

    ``simple`` (or empty) is a per-process memory cache, ``null`` none at all, and
    ``redis://``/``rediss://`` a Redis shared by every worker, through
    :class:`portal.cache.SafeRedisCache` so that Redis going away slows answers
    down instead of failing them.
    """
    text = value.strip()
    if text.lower() in ("", "simple"):
        return {"CACHE_TYPE": "SimpleCache"}
    if text.lower() == "null":
        return {"CACHE_TYPE": "NullCache"}
    if text.lower().startswith(("redis://", "rediss://", "unix://")):
        return {"CACHE_TYPE": SAFE_REDIS_CACHE, "CACHE_REDIS_URL": text,
                "CACHE_KEY_PREFIX": CACHE_KEY_PREFIX}
    raise ConfigError(f"{CACHE_URL} must be 'simple', 'null' or a redis:// URL, "
                      f"got {redact(text)!r}")


def workers(value: str | None) -> int:
    """The number of worker processes for ``serve --production`` (``PORTAL_WORKERS``)."""
    if value is None or not value.strip():
        return DEFAULT_WORKERS
    try:
        number = int(value.strip())
    except ValueError:
        raise ConfigError(f"{WORKERS} must be a whole number, got {value!r}") from None
    if not 1 <= number <= MAX_WORKERS:
        raise ConfigError(f"{WORKERS} must be between 1 and {MAX_WORKERS}, got {number}")
    return number


def retention_days(value: str | None, name: str = CONTACT_RETENTION_DAYS,
                   default: int = DEFAULT_CONTACT_RETENTION_DAYS) -> int:
    """A number of days from 1 to 3650 (``default`` when unset or empty)."""
    text = (value or "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise ConfigError(f"{name} must be a whole number from 1 to 3650, got {text!r}")
    return int(text)


def packages_dir(value: str) -> Path:
    """``PORTAL_PACKAGES`` as a path; it must be an existing directory."""
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(f"{PACKAGES} is not a directory: {path}")
    return path


def base_url(value: str) -> str:
    """``PORTAL_BASE_URL``: an absolute http(s) URL, normalised to end with ``/``."""
    text = value.strip()
    parts = urlsplit(text)
    example = "such as https://data.example.org/"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{BASE_URL} must be an absolute http:// or https:// URL {example}, "
                          f"got {text!r}")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ConfigError(f"{BASE_URL} cannot have a query string or a fragment, got {text!r}")
    if parts.username or parts.password:
        raise ConfigError(f"{BASE_URL} cannot carry a user name or password")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def trusted_proxies(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``PORTAL_TRUSTED_PROXIES``: addresses or networks, separated by commas."""
    networks = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"{TRUSTED_PROXIES} must list IP addresses or networks separated "
                              f"by commas (e.g. 127.0.0.1,10.0.0.0/8), got {item!r}") from None
    return tuple(networks)


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Flask settings from the ``PORTAL_*`` variables of ``environ`` (default ``os.environ``).

    Only variables that are set give settings, except ``SECRET_KEY``: without
    ``PORTAL_SECRET_KEY`` a random key is made for this process (sessions and signed
    cookies then do not survive a restart nor carry across workers, so
    :func:`warn_if_insecure` says so in production).

    Raises:
        ConfigError: a variable is set to something unusable (the message names it).
    """
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    if env.get(DATABASE_URL, "").strip():
        settings["DATABASE_URL"] = database_url(env[DATABASE_URL])
    if CACHE_URL in env:
        settings.update(cache_settings(env[CACHE_URL]))
    if env.get(PACKAGES, "").strip():
        settings["PACKAGES_DIR"] = packages_dir(env[PACKAGES])
    secret = env.get(SECRET_KEY, "")
    if secret:
        if len(secret) < 16:
            raise ConfigError(f"{SECRET_KEY} is too short: use at least 16 characters "
                              "(e.g. openssl rand -hex 32)")
        settings["SECRET_KEY"] = secret
    else:
        settings["SECRET_KEY"] = settings[_SECRET_KEY_GENERATED] = secrets.token_hex(32)
    settings["WORKERS"] = workers(env.get(WORKERS))
    if env.get(BASE_URL, "").strip():
        settings["BASE_URL"] = base_url(env[BASE_URL])
    if env.get(PUBLICATIONS_DIR, "").strip():
        settings["PUBLICATIONS_DIR"] = str(Path(env[PUBLICATIONS_DIR]).expanduser().resolve())
    if env.get(CONTACT_DATABASE_URL, "").strip():
        settings["CONTACT_DATABASE_URL"] = database_url(env[CONTACT_DATABASE_URL],
                                                        CONTACT_DATABASE_URL)
    if env.get(CONTACT_RETENTION_DAYS, "").strip():
        settings["CONTACT_RETENTION_DAYS"] = retention_days(env[CONTACT_RETENTION_DAYS])
    if env.get(TRUSTED_PROXIES, "").strip():
        settings["TRUSTED_PROXIES"] = trusted_proxies(env[TRUSTED_PROXIES])
    if env.get(ACCEL_REDIRECT, "").strip():
        location = env[ACCEL_REDIRECT].strip()
        if not location.startswith("/") or "?" in location:
            raise ConfigError(f"{ACCEL_REDIRECT} must be the path of nginx's internal location "
                              f"over the published folder, such as /_published/, got {location!r}")
        settings["ACCEL_REDIRECT"] = location
    return settings


def warn_if_insecure(settings: Mapping[str, Any]) -> bool:
    """Log a warning when production runs on a per-process secret key; True if it did."""
    generated = settings.get(_SECRET_KEY_GENERATED)
    if generated and settings.get("SECRET_KEY") == generated:
        log.warning("%s is not set: using a random key for this process, so signed cookies "
                    "differ between workers and restarts. Set it to a long random value.",
                    SECRET_KEY)
        return True
    return False
