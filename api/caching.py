"""HTTP caching: ``ETag`` and ``Last-Modified`` on what the API serves, and ``304 Not
Modified`` for a client that already holds the current version (RFC 9110 §13).

A record's validators come from the state's record index (the payload hash and when the
record last changed), so a conditional request is answered without reading the store.
Other JSON answers get an ETag from a hash of their body.

:class:`BodyCache` keeps the most recently served record bodies by entity tag. A tag is
derived from the state's row (payload hash, last change), which the route reads on every
request, so a changed record never comes from the cache.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response

# Published data changes with harvests (nightly at most): caches may keep it a few minutes.
CACHE_CONTROL = "public, max-age=300"


def etag_of(*parts: object) -> str:
    """A strong entity tag from the parts that decide a representation."""
    digest = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode("utf-8"), digest_size=12).hexdigest()
    return f'"{digest}"'


def http_date(timestamp: str | None) -> str | None:
    """``2024-03-01T10:00:00Z`` → ``Fri, 01 Mar 2024 10:00:00 GMT`` (None when unparsable)."""
    if not timestamp:
        return None
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def not_modified(request: Request, etag: str, last_modified: str | None) -> bool:
    """Does the client's copy match? ``If-None-Match`` wins over ``If-Modified-Since``."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def validators(etag: str, last_modified: str | None, vary: str = "Accept") -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": vary}
    if last_modified:
        headers["Last-Modified"] = last_modified
    return headers


def conditional(request: Request, body: bytes, media_type: str, *, etag: str | None = None,
                last_modified: str | None = None, vary: str = "Accept") -> Response:
    """``body`` with validators, or a 304 when the client holds it already."""
    etag = etag or etag_of(hashlib.blake2b(body, digest_size=16).hexdigest())
    headers = validators(etag, last_modified, vary)
    if not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


class BodyCache:
    """A small LRU of response bodies by entity tag, shared by the threads of one process."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self._lock:
            body = self._items.get(etag)
            if body is not None:
                self._items.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        with self._lock:
            self._items[etag] = body
            self._items.move_to_end(etag)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
