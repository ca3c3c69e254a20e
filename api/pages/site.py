"""The frame every page shares, and the pages of the site itself: the landing page at ``/``
(browsers; programs get the JSON index), signing in and out, the error pages.

:func:`page` renders a template with what every page needs — the language and its ``t``,
the signed-in user, the CSRF token of its forms, the link to the other language — and sets
the headers: ``Vary``, no caching of signed-in pages, no framing, no MIME sniffing.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...errors import AuthError, OogstError, TooManyAttemptsError
from ...pipeline import SearchQuery, User
from ..auth import (client_address, csrf_ok, csrf_token, current_user, language, remember_csrf, remember_language,
                    sign_in, sign_out)
from ..deps import base_url_of
from . import record_url, rights_label
from .i18n import translator

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src * data:; script-src 'self'; style-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}


def viewer(request: Request) -> User | None:
    """The signed-in user of a page request (a bad token counts as nobody)."""
    try:
        return current_user(request)
    except AuthError:
        return None


def other_language_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", "en" if lang == "nl" else "nl"))
    return f"{request.url.path}?{urlencode(params)}"


def common(request: Request) -> dict[str, Any]:
    """What every template gets."""
    lang = language(request)
    return {"base_url": base_url_of(request), "lang": lang, "t": translator(lang), "user": viewer(request),
            "csrf": csrf_token(request), "other_lang_url": other_language_url(request, lang),
            "path": request.url.path, "concept": request.app.state.oogst.concept_label, "rights_label": rights_label}


def finish(request: Request, response: Response, *, private: bool = False) -> Response:
    """The shared headers and cookies of a page response."""
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if private or getattr(request.state, "user", None) is not None:
        response.headers["Cache-Control"] = "private, no-store"
    remember_language(request, response)
    remember_csrf(request, response)
    return response


def render(request: Request, template: str, **context: Any) -> bytes:
    return request.app.state.pages.render(template, **{**common(request), **context})


def page(request: Request, template: str, *, status: int = 200, headers: dict[str, str] | None = None,
         private: bool = False, **context: Any) -> HTMLResponse:
    response = HTMLResponse(render(request, template, **context), status_code=status, headers=headers)
    finish(request, response, private=private)
    return response


def error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    try:
        return page(request, "error.html", status=status, headers=headers, status_code=status, message=message)
    except Exception:  # noqa: BLE001 - the error page must not fail: plain text then
        log.exception("the error page failed")
        return Response(f"{status}: {message}\n", status_code=status, media_type="text/plain; charset=utf-8")


def redirect(url: str, request: Request) -> Response:
    return finish(request, RedirectResponse(url, status_code=303))


def login_redirect(request: Request) -> Response:
    return redirect(f"{base_url_of(request)}/login?{urlencode({'next': str(request.url.path)})}", request)


def safe_next(target: str | None, request: Request) -> str:
    """Where to go after signing in: a path on this site only."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return f"{base_url_of(request)}/manage"


# -- the landing page -----------------------------------------------------------------------------
def landing_page(request: Request) -> Response:
    oogst = request.app.state.oogst
    stats = oogst.feed_stats()
    providers: dict[str, int] = {}
    for feed in stats.values():
        for provider in feed["providers"]:
            providers[provider["label"]] = providers.get(provider["label"], 0) + provider["records"]
    base = base_url_of(request)
    docs = [{"url": record_url(base, d.record_id), "title": d.title or d.record_id, "image": d.images[0],
             "provider": d.provider} for d in oogst.search_records(SearchQuery(has_image=True), limit=8).docs]
    return page(request, "home.html", total=sum(s["records"] for s in stats.values()),
                providers=sorted(providers.items(), key=lambda item: -item[1]), docs=docs)


# -- signing in and out ------------------------------------------------------------------------------
@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002
    return page(request, "login.html", next=next or "", private=True)


@router.post("/login")
async def login(request: Request, name: str = Form("", max_length=200), password: str = Form("", max_length=1000),
                csrf: str = Form(""), next: str = Form("")) -> Response:  # noqa: A002
    t = translator(language(request))
    if not csrf_ok(request, csrf):
        return page(request, "login.html", status=403, next=next, name=name, error=t("csrf.failed"), private=True)
    oogst = request.app.state.oogst
    try:
        user = await run_in_threadpool(oogst.accounts.authenticate, name, password, client=client_address(request))
    except TooManyAttemptsError as exc:
        return page(request, "login.html", status=429, next=next, name=name, private=True,
                    headers={"Retry-After": str(int(exc.retry_after) + 1)},
                    error=t("login.too_many", minutes=int(exc.retry_after // 60) + 1))
    except AuthError:
        return page(request, "login.html", status=401, next=next, name=name, error=t("login.failed"), private=True)
    response = RedirectResponse(safe_next(next, request), status_code=303)
    sign_in(request, response, user)
    return finish(request, response, private=True)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    if not csrf_ok(request, csrf):
        return error_page(request, 403, translator(language(request))("csrf.failed"))
    response = RedirectResponse(f"{base_url_of(request)}/", status_code=303)
    sign_out(request, response)
    return finish(request, response, private=True)


def describe(exc: OogstError, lang: str) -> str:
    """An error's message for a page (the hint included)."""
    return f"{exc.message} — {exc.hint}" if exc.hint else exc.message
