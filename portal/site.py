"""The site's name and canonical address: one place for every absolute URL and RDF identifier.

Harvesters (data.europa.eu, Google Dataset Search) keep the URLs and IRIs the portal gives
them, so they must not depend on the host name a request happened to use, nor say
``http://127.0.0.1:8050`` behind a TLS proxy. In order:

1. ``PORTAL_BASE_URL`` (``BASE_URL`` in the Flask config), e.g. ``https://data.example.org/``
   or, under a path prefix, ``https://example.org/open-data/``: every absolute URL starts
   with it, whatever the request's ``Host`` said. Dash's requests prefix is then the path.
2. Else the request's own scheme and host, after :func:`trust_proxies` has applied the
   ``X-Forwarded-*`` headers of the proxies listed in ``PORTAL_TRUSTED_PROXIES`` (werkzeug's
   ProxyFix, one hop). Forwarded headers from any other address are ignored (and logged
   once per address): anyone can send them.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.i18n import N_

log = logging.getLogger(__name__)

SITE_TITLE = N_("North of Kosovo Product Map")
DESCRIPTION = N_("Open data on producers and products in the North of Kosovo: maps, compliance, "
                 "growth, training and business-to-business links.")

_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
              "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def origin() -> str:
    """``scheme://host[:port]/`` of the canonical address (or of this request)."""
    base = flask.current_app.config.get("BASE_URL")
    if base:
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}/"
    return flask.request.host_url


def prefix(base_url: str | None) -> str | None:
    """The path of ``base_url``: Dash's requests prefix (None without one: Dash's own
    settings, e.g. ``DASH_REQUESTS_PATHNAME_PREFIX``, then apply)."""
    return urlsplit(base_url).path if base_url else None


def absolute(path: str) -> str:
    """``path`` (already under the requests prefix, e.g. from ``dash.get_relative_path``) as
    a full address; a path alone outside a request (nothing to make it absolute with)."""
    if not flask.has_request_context():
        return path
    return origin().rstrip("/") + path


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from ``networks``, forwarded headers dropped
    for everyone else."""

    def __init__(self, app: Callable[..., Any], networks: Iterable[Network]) -> None:
        self.networks = tuple(networks)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1)
        self.app = app
        self._warned: set[str] = set()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        remote = environ.get("REMOTE_ADDR", "")
        if self._trusted(remote):
            return self.fixed(environ, start_response)
        sent = [key for key in _FORWARDED if key in environ]
        if sent:
            if remote not in self._warned:
                self._warned.add(remote)
                log.warning("forwarded headers from %s ignored: it is not in "
                            "PORTAL_TRUSTED_PROXIES", remote)
            for key in sent:
                del environ[key]
        return self.app(environ, start_response)

    def _trusted(self, remote: str) -> bool:
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def trust_proxies(server: flask.Flask) -> None:
    """Put :class:`TrustedProxies` in front of ``server`` (``TRUSTED_PROXIES`` from config)."""
    server.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
        server.wsgi_app, server.config.get("TRUSTED_PROXIES", ()))
