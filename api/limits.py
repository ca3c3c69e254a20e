"""What one request, and one client, may take: ASGI middleware in front of every route.

- **Body size**: a request body over ``api_max_body`` bytes is refused with 413 before any
  route reads it: at once when ``Content-Length`` says so, else as soon as the chunks received
  pass the limit (the body is read here, up to the limit, and handed on).
- **SPARQL per client**: a client runs at most ``sparql_client_slots`` queries at once on
  ``/sparql`` (GET with parameters, POST); one more gets 429 with ``Retry-After``, so one
  client cannot take every query worker and a second client is still served. A client is
  the user of a valid API token (``Authorization: Bearer``), else the address the request
  came from (behind a proxy, run uvicorn with ``--proxy-headers`` and
  ``--forwarded-allow-ips`` so that this is the visitor's). Counts are per process.

Refusals have the API's error shape (``problems.problem``).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import OogstError
from .problems import problem

log = logging.getLogger(__name__)

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class _TooLarge(Exception):
    pass


class Limits:
    def __init__(self, app: ASGIApp, *, max_body: int, client_slots: int, retry_after: int = 2) -> None:
        self.app, self.max_body, self.client_slots, self.retry_after = app, max_body, client_slots, retry_after
        self.running: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method in _BODY_METHODS and self.max_body > 0:
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body:
                await self._too_large(scope, receive, send)
                return
            try:
                receive = await self._buffered(receive)
            except _TooLarge:
                await self._too_large(scope, receive, send)
                return
        if scope["path"] == "/sparql" and self.client_slots > 0 and (method == "POST" or scope.get("query_string")):
            key = _client(scope)
            if self.running[key] >= self.client_slots:
                log.info("429 for %s: %d SPARQL queries of this client are running", key.split(":")[0],
                         self.running[key])
                response = problem(
                    429, f"this client already runs {self.running[key]} SPARQL quer"
                    f"{'y' if self.running[key] == 1 else 'ies'} at once, the most one client may; wait for "
                    "one to finish", error="TooManyRequests", headers={"Retry-After": str(self.retry_after)},
                    hint="send your queries one after the other")
                await response(scope, receive, send)
                return
            self.running[key] += 1
            try:
                await self.app(scope, receive, send)
            finally:
                self.running[key] -= 1
                if self.running[key] <= 0:
                    del self.running[key]
            return
        await self.app(scope, receive, send)

    async def _buffered(self, receive: Receive) -> Receive:
        """The body read here up to ``max_body`` (more raises _TooLarge), then replayed."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replay([message], receive)
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(body)
            if not message.get("more_body", False):
                break
        return _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"the request body is larger than {self.max_body:,} bytes, the most this "
                           "server takes", error="PayloadTooLarge",
                           hint="send less (a SPARQL query this large is refused anyway), or raise the "
                           "setting api_max_body")
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _client(scope: Scope) -> str:
    """``user:ID`` for a valid API token, else ``addr:ADDRESS``."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                user = _token_user(scope, token.strip())
                if user is not None:
                    return f"user:{user}"
    client = scope.get("client")
    return f"addr:{client[0] if client else 'unknown'}"


def _token_user(scope: Scope, token: str) -> Any:
    try:
        user = scope["app"].state.oogst.accounts.token_user(token)
    except (OogstError, KeyError, AttributeError):
        return None
    return user.name
