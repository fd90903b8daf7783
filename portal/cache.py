"""The portal's shared Flask-Caching instance, and a Redis backend that cannot fail a request.

It lives in its own module so that query modules can ``from portal.cache
import cache`` and decorate functions with ``@cache.memoize()`` without
importing the app factory (which would be circular). :func:`portal.app.create_app`
binds it to each server with ``cache.init_app``; memoised functions must
therefore run inside an app context (Dash callbacks and layouts always do).

``PORTAL_CACHE_URL=redis://…`` selects :class:`SafeRedisCache` (see
:mod:`portal.config`): the cache only saves work, so Redis being down, restarting or
slow must make answers slower, never turn them into errors.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask
from flask_caching import Cache
from flask_caching.backends.rediscache import RedisCache

log = logging.getLogger(__name__)

#: Defaults for the ``CACHE_*`` settings; any of them can be overridden through
#: ``PORTAL_CACHE_URL`` or ``create_app(config=...)``. SimpleCache is per process, which
#: is enough for the development server; workers share Redis in production.
DEFAULT_CACHE_CONFIG: dict[str, object] = {
    "CACHE_TYPE": "SimpleCache",
    "CACHE_DEFAULT_TIMEOUT": 300,
}
#: Socket timeouts (seconds) of the Redis connection, unless ``CACHE_OPTIONS`` says otherwise.
REDIS_TIMEOUT = 0.5
#: After a failure, Redis is left alone this long (seconds) instead of paying a timeout per call.
RETRY_AFTER = 5.0

cache = Cache()


class SafeRedisCache(RedisCache):
    """flask-caching's RedisCache whose every operation survives a Redis outage.

    A Redis error (refused connection, timeout, a restart in progress) is logged once and
    answered as a cache miss (``get`` → None, ``set`` → False…), and Redis is skipped
    for :data:`RETRY_AFTER` seconds, so a dead Redis costs one timeout every few seconds
    rather than one per call. Flask-Caching's memoize already catches backend errors, but
    logs a traceback for each and re-raises in debug mode; direct ``cache.get`` calls
    are not protected at all.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._down_until = 0.0
        self._state = threading.Lock()

    @classmethod
    def factory(cls, app: Flask, config: dict[str, Any], args: list[Any],
                kwargs: dict[str, Any]) -> RedisCache:
        """Like RedisCache's, with short socket timeouts so a hung Redis cannot hang pages."""
        options = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT,
                   **(config.get("CACHE_OPTIONS") or {})}
        return super().factory(app, {**config, "CACHE_OPTIONS": options}, args, kwargs)

    def _guard(self, default: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        import redis

        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except (redis.RedisError, OSError) as error:
            with self._state:
                first = self._down_until == 0.0 or time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + RETRY_AFTER
            if first:
                log.warning("Redis cache unavailable (%s): computing answers without it "
                            "for %.0f s", type(error).__name__, RETRY_AFTER)
            return default

    def get(self, key: str) -> Any:
        return self._guard(None, "get", key)

    def get_many(self, *keys: str) -> list[Any]:
        return self._guard([None] * len(keys), "get_many", *keys)

    def has(self, key: str) -> bool:
        return bool(self._guard(False, "has", key))

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._guard(False, "set", key, value, timeout)

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._guard(False, "add", key, value, timeout)

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> list[Any]:
        return self._guard([], "set_many", mapping, timeout)

    def delete(self, key: str) -> bool:
        return bool(self._guard(False, "delete", key))

    def delete_many(self, *keys: str) -> list[Any]:
        return self._guard([], "delete_many", *keys)

    def clear(self) -> bool:
        return bool(self._guard(False, "clear"))

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._guard(None, "inc", key, delta)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._guard(None, "dec", key, delta)

    def unlink(self, *keys: str) -> Any:
        return self._guard(None, "unlink", *keys)
