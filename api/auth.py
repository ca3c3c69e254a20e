"""Who is asking: API tokens, session cookies, CSRF tokens and the page language.

- **Programs** send a personal token: ``Authorization: Bearer oogst_…`` (``oogst users token
  NAME``). The write API takes tokens only, so a browser's cookies can never change
  anything through it (no CSRF to guard against there).
- **Browsers** sign in at ``/login`` and get a session cookie ``oogst_session``: random, only
  its SHA-256 is stored, ``HttpOnly``, ``SameSite=Lax``, ``Path=/``, 12 hours. It is
  ``Secure`` (sent over HTTPS only) unless the request came over plain http to a loopback
  address (``127.0.0.1``, ``localhost``, ``::1``): the demo and the tests. Behind an HTTPS
  proxy, run uvicorn with ``--proxy-headers`` so that the scheme is seen as https.
- **Forms**: every POST of a page carries a CSRF token (synchroniser token pattern): the
  session's own token when signed in, else the value of the ``oogst_csrf`` cookie (double
  submit, for the sign-in form). A POST whose ``Origin`` names another site is refused too.
- **Language**: ``?lang=en`` or ``?lang=nl`` (remembered in the ``oogst_lang`` cookie for a
  year), else the cookie, else ``Accept-Language``; Dutch first.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import AuthError
from ..pipeline import Oogst, User

SESSION_COOKIE = "oogst_session"
CSRF_COOKIE = "oogst_csrf"
LANG_COOKIE = "oogst_lang"
LANGUAGES = ("nl", "en")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

bearer = HTTPBearer(auto_error=False, description="A personal API token: `oogst users token NAME`.")


def _core(request: Request) -> Oogst:
    return request.app.state.oogst


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_cookies(request: Request) -> bool:
    """Secure cookies, except over plain http to a loopback address (the demo, the tests)."""
    return request.url.scheme == "https" or not is_loopback(request.url.hostname)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _session(request: Request) -> tuple[User, str] | None:
    if not hasattr(request.state, "session"):
        request.state.session = _core(request).accounts.session(request.cookies.get(SESSION_COOKIE))
    return request.state.session


def current_user(request: Request) -> User | None:
    """The user of the request's bearer token (an unknown token is an AuthError), else of its
    session cookie; None for anonymous requests. The write API passes ``cookies=False``."""
    if hasattr(request.state, "user"):
        return request.state.user
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = _core(request).accounts.token_user(token.strip())
    else:
        session = _session(request)
        user = session[0] if session else None
    request.state.user = user
    return user


def token_user(request: Request) -> User | None:
    """The user of the request's bearer token only (cookies do not count)."""
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return _core(request).accounts.token_user(token.strip())
    return None


async def _reader(request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User | None:
    return current_user(request)


async def _writer(request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    user = token_user(request)
    if user is None:
        raise AuthError("this needs a personal API token: send `Authorization: Bearer TOKEN`",
                        hint="make one with `oogst users token NAME`, or on your account page")
    return user


# A reader may be signed in with a token or a session (or be anonymous: None); a writer has a token.
ReaderDep = Annotated[User | None, Depends(_reader)]
WriterDep = Annotated[User, Depends(_writer)]


# -- sessions ---------------------------------------------------------------------------------------
def sign_in(request: Request, response: Response, user: User) -> None:
    cookie, _ = _core(request).accounts.open_session(user)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=12 * 3600, httponly=True, samesite="lax",
                        secure=secure_cookies(request), path="/")


def sign_out(request: Request, response: Response) -> None:
    _core(request).accounts.close_session(request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(request))


# -- CSRF -------------------------------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    """The token a page's forms carry: the session's, else the double-submit cookie's (set by
    :func:`remember_csrf` on the response when the browser has none yet)."""
    session = _session(request)
    if session:
        return session[1]
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return token


def remember_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict", secure=secure_cookies(request),
                            path="/")


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """Whether a form's token is the right one, and its Origin (when sent) is this site."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        if (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)) != (
                request.url.hostname, request.url.port or (443 if request.url.scheme == "https" else 80)):
            return False
    session = _session(request)
    expected = session[1] if session else request.cookies.get(CSRF_COOKIE)
    return bool(submitted and expected and hmac.compare_digest(submitted, expected))


# -- language ---------------------------------------------------------------------------------------
def language(request: Request) -> str:
    """nl or en: ``?lang=``, else the ``oogst_lang`` cookie, else ``Accept-Language``."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    best, best_q = "nl", -1.0
    for part in (request.headers.get("accept-language") or "").split(","):
        tag, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def remember_language(request: Request, response: Response) -> None:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="lax",
                            secure=secure_cookies(request), path="/")
