"""Error responses with one stable JSON shape: ``{"error": name, "message": text, …}``.

``error`` is a short machine name (an OogstError class name such as ``QueryError``, or an
HTTP reason such as ``MethodNotAllowed``), ``message`` is written for a person. Extra keys
add detail (``hint``, ``report``, ``withdrawn_at`` …); clients can rely on the two first.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..errors import (AuthError, ConfigError, ConflictError, ForbiddenError, NotFoundError, OogstError, QueryError,
                      QueryTimeoutError, StoreError, TooManyAttemptsError)
from .. import redact
from .conneg import negotiate

log = logging.getLogger(__name__)


def status_name(status: int) -> str:
    """``404`` → ``"NotFound"``: the HTTP reason phrase as one word."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "Error"
    return "".join(word[:1].upper() + word[1:] for word in phrase.replace("-", " ").split())


def problem(
    status: int,
    message: str,
    *,
    error: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """An error response in the stable shape."""
    body = {"error": error or status_name(status), "message": message, **extra}
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


class ApiError(Exception):
    """An HTTP-level refusal raised by a route (bad media type, read-only endpoint …)."""

    def __init__(self, status: int, message: str, *, error: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error = error
        self.extra = extra


def oogst_status(exc: OogstError) -> int:
    """The HTTP status of an OogstError that reaches the API."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, TooManyAttemptsError):
        return 429
    if isinstance(exc, ForbiddenError):
        return 403
    if isinstance(exc, AuthError):
        return 401
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, QueryTimeoutError):
        return 503
    if isinstance(exc, QueryError | ConfigError):
        return 400
    if isinstance(exc, StoreError):
        return 503
    return 500


def install_handlers(app: FastAPI) -> None:
    """Render every error the app can raise in the stable shape."""

    @app.exception_handler(OogstError)
    async def on_oogst_error(request: Request, exc: OogstError) -> Response:
        status = oogst_status(exc)
        (log.error if status >= 500 else log.info)("%s %s → %d: %s", request.method, request.url.path, status, exc)
        headers = {"Retry-After": "10"} if status == 503 else None
        if isinstance(exc, TooManyAttemptsError):
            headers = {"Retry-After": str(int(exc.retry_after) + 1)}
        elif status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        body = {k: redact.text(v) if isinstance(v, str) else v for k, v in exc.as_dict().items()}
        if wants_html(request):
            return html_error(request, status, body["message"], headers)
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, exc: ApiError) -> Response:
        return problem(exc.status, exc.message, error=exc.error, **exc.extra)

    @app.exception_handler(HTTPException)
    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        if wants_html(request) and exc.status_code in (404, 405, 410):
            return html_error(request, exc.status_code, str(exc.detail), exc.headers)
        return problem(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        message = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', 'invalid')}" for e in errors
        )
        return problem(422, message or "invalid request", error="InvalidParameter", details=errors)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        if wants_html(request):
            return html_error(request, 500, "unexpected error; the server log has the details")
        return problem(500, "unexpected error; the server log has the details", error="InternalError")


_HTML_OFFERS = (("application/json", "json"), ("text/html", "html"), ("application/xhtml+xml", "html"))


def wants_html(request: Request) -> bool:
    """A browser asking for a page (its Accept prefers HTML); programs get JSON."""
    return request.method in ("GET", "HEAD", "POST") and negotiate(
        request.headers.get("accept"), _HTML_OFFERS, "json") == "html"


def html_error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error page for people (404, 410, 401 …, 500), in the page's language."""
    from .pages.site import error_page  # the pages import this module

    return error_page(request, status, message, headers)
