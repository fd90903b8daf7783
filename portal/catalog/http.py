"""HTTP conventions shared by the catalogue's routes: validators and refusals.

Every answer is about one release, which never changes once published, so its ETag is a
hash of the release fingerprint, the release list (a withdrawal changes the history shown)
and the request (path, query, body, language), and its Last-Modified the release's creation
time (or the last withdrawal after it). A client's cached copy is confirmed with a 304
before any query runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import flask
from werkzeug.exceptions import BadRequest as HTTPBadRequest

from portal.cache import cache
from portal.catalog.model import Catalogue
from portal.i18n import get_locale

#: Browsers and proxies may reuse an answer for a minute, then revalidate (cheap: 304).
MAX_AGE = 60
#: Largest request body an API accepts (a CKAN action's JSON parameters).
MAX_BODY = 64 * 1024
#: Answers up to this size are kept in the cache under their ETag: the same question about
#: the same release is answered again without building or serialising anything.
KEEP_BODY = 1024 * 1024


def etag(catalogue: Catalogue, *, vary_language: bool = False) -> str:
    request = flask.request
    digest = hashlib.sha256()
    for part in (catalogue.release.revision, request.method if request.method != "HEAD"
                 else "GET", request.full_path, request.get_data(cache=True),
                 get_locale() if vary_language else ""):
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def conditional(catalogue: Catalogue, make: Callable[[], flask.Response], *,
                vary_language: bool = False, max_age: int = MAX_AGE) -> flask.Response:
    """``make()``'s response with ETag, Last-Modified and Cache-Control, or a 304 without
    calling ``make`` when the client's copy is current."""
    tag = etag(catalogue, vary_language=vary_language)
    request = flask.request
    modified = catalogue.modified
    # flask-compress sends the tag of a compressed body as "<tag>:gzip" (or :br…).
    sent = {t.partition(":")[0] for t in request.if_none_match}
    fresh = (tag in sent if sent
             else request.if_modified_since is not None and request.if_modified_since >= modified)
    response = flask.Response(status=304) if fresh else _kept(tag, make)
    if response.status_code not in (200, 304):
        return response
    response.set_etag(tag)
    response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if vary_language:
        response.vary.update(("Cookie", "Accept-Language"))
    return response


def _kept(tag: str, make: Callable[[], flask.Response]) -> flask.Response:
    """``make()``, or the answer it gave before to the same request about the same release."""
    key = f"http:{tag}"
    kept = cache.get(key)
    if kept is not None:
        body, headers = kept
        return flask.Response(body, headers=headers)
    response = make()
    if response.status_code == 200 and not response.is_streamed:
        body = response.get_data()
        if len(body) <= KEEP_BODY:
            headers = [(k, v) for k, v in response.headers.items() if k != "Content-Length"]
            cache.set(key, (body, headers))
    return response


def refuse_large_bodies() -> None:
    """Stop oversized bodies before anything parses them (413)."""
    length = flask.request.content_length
    if length is not None and length > MAX_BODY:
        flask.abort(413)


def json_body() -> dict[str, object]:
    """A POSTed JSON object, or the form fields; refused (400) when not an object."""
    request = flask.request
    if not request.get_data(cache=True):
        return dict(request.form)
    if request.mimetype == "application/json" or not request.form:
        try:
            body = request.get_json(force=True)
        except (HTTPBadRequest, RecursionError):
            raise ValueError("the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ValueError("the request body must be a JSON object")
        return body
    return dict(request.form)
