"""The portal's shared Flask-Caching instance.

It lives in its own module so that query modules can ``from portal.cache
import cache`` and decorate functions with ``@cache.memoize()`` without
importing the app factory (which would be circular). :func:`portal.app.create_app`
binds it to each server with ``cache.init_app``; memoised functions must
therefore run inside an app context (Dash callbacks and layouts always do).
"""

from __future__ import annotations

from flask_caching import Cache

#: Defaults for the ``CACHE_*`` settings; any of them can be overridden through
#: ``create_app(config=...)``. SimpleCache is per process, which is enough for
#: the development server; a shared backend can come with gunicorn.
DEFAULT_CACHE_CONFIG: dict[str, object] = {
    "CACHE_TYPE": "SimpleCache",
    "CACHE_DEFAULT_TIMEOUT": 300,
}

cache = Cache()
