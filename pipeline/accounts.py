"""Accounts and the ownership rules every door applies: the pages, the write API and the CLI.

- An **organisation** is a partner institution; every feed has one as its ``owner``.
- A **partner** user belongs to one organisation and sees and changes only that
  organisation's feeds, their runs, reports and quarantined records.
- An **operator** sees and runs everything, and manages organisations and users.

Passwords are hashed with Argon2id (argon2-cffi); API tokens and session cookies are random
and only their SHA-256 is stored. Failed sign-ins are counted per account and per client
address (:class:`Attempts`): past the limit a sign-in is refused for a while, whatever the
password. A feed of another organisation answers as if it did not exist (404), so a partner
learns nothing about other partners' feeds.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import AuthError, ConfigError, ForbiddenError, NotFoundError, TooManyAttemptsError
from ..records import Feed

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

ROLES = ("operator", "partner")
ACTIONS = ("view", "edit", "run", "pause", "remove")
TOKEN_PREFIX = "oogst_"
SESSION_HOURS = 12
MIN_PASSWORD = 10
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_USER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}")


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in account, as the doors see it."""

    name: str
    role: str
    org: str | None = None

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "org": self.org}


def digest(secret: str) -> str:
    """What the state keeps of a token or a session cookie."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Attempts:
    """Failed sign-ins in a sliding window, per key (an account, a client address)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        with self._lock:
            failures = self._failures.get(key)
            if not failures:
                return 0.0
            moment = self.clock()
            while failures and failures[0] <= moment - self.window:
                failures.popleft()
            if len(failures) < self.limit:
                return 0.0
            return max(1.0, failures[0] + self.window - moment)

    def fail(self, key: str) -> None:
        with self._lock:
            self._failures[key].append(self.clock())

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class Accounts:
    """Organisations, users, tokens, sessions, and who may do what with which feed."""

    def __init__(self, core: Oogst, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.core = core
        # Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): tens of
        # milliseconds per sign-in on a small server; hashes of other parameters still verify
        # and are rehashed at the next sign-in
        self.hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
        # 5 failures per account and 20 per client address in 15 minutes; then wait
        self.per_account = Attempts(5, 900, clock)
        self.per_client = Attempts(20, 900, clock)
        self._dummy: str | None = None

    # -- organisations --------------------------------------------------------------------------
    def add_org(self, name: str, title: str | None = None) -> dict[str, Any]:
        if not _SLUG.fullmatch(name or ""):
            raise ConfigError(f"organisation name {name[:80]!r} may hold only lower-case letters, digits, '-' and "
                              "'_' (at most 64)", hint="e.g. 'stadsarchief-gent'")
        return self.core.state.add_org(name, (title or name).strip() or name)

    def list_orgs(self) -> list[dict[str, Any]]:
        return self.core.state.list_orgs()

    def org(self, name: str) -> dict[str, Any]:
        return self.core.state.get_org(name)

    # -- users ----------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, *, org: str | None = None, password: str | None = None) -> User:
        """A new account; a partner needs an organisation, an operator has none."""
        if not _USER.fullmatch(name or ""):
            raise ConfigError(f"user name {name[:80]!r} may hold letters, digits, '.', '@', '-' and '_'")
        if role not in ROLES:
            raise ConfigError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if role == "partner":
            if not org:
                raise ConfigError("a partner belongs to an organisation", hint="give --org ORG (`oogst orgs list`)")
            self.core.state.get_org(org)
        elif org:
            raise ConfigError("an operator belongs to no organisation: leave --org out")
        hashed = self._hash(password) if password is not None else None
        row = self.core.state.add_user(name, role, org, hashed)
        return _as_user(row)

    def set_password(self, name: str, password: str) -> None:
        self.core.state.update_user(name, password=self._hash(password))
        self.core.state.remove_sessions(user=name)

    def list_users(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in u.items() if k != "password"} for u in self.core.state.list_users()]

    def user(self, name: str) -> User:
        return _as_user(self.core.state.get_user(name))

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise ConfigError(f"a password has at least {MIN_PASSWORD} characters",
                              hint="a few words in a row make a good one")
        return self.hasher.hash(password)

    # -- signing in -------------------------------------------------------------------------------
    def authenticate(self, name: str, password: str, *, client: str | None = None) -> User:
        """The user whose name and password these are; AuthError otherwise, and
        TooManyAttemptsError after too many failures for the account or the client."""
        keys = [("account", self.per_account, (name or "").casefold())]
        if client:
            keys.append(("client", self.per_client, client))
        wait = max(attempts.wait(key) for _, attempts, key in keys)
        if wait:
            raise TooManyAttemptsError(f"too many failed sign-ins; try again in {int(wait // 60) + 1} minute(s)",
                                       retry_after=wait)
        row = self.core.state.find_user(name) if name else None
        ok = False
        try:  # an unknown user costs the same time as a wrong password
            ok = self.hasher.verify(row["password"] if row and row["password"] else self._dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None or not row["password"] or row["disabled"]:
            for _, attempts, key in keys:
                attempts.fail(key)
            log.info("failed sign-in for %r from %s", name, client)
            raise AuthError("the name or the password is not right")
        self.per_account.clear(keys[0][2])
        if self.hasher.check_needs_rehash(row["password"]):
            self.core.state.update_user(row["name"], password=self.hasher.hash(password))
        return _as_user(row)

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    # -- API tokens ---------------------------------------------------------------------------------
    def new_token(self, name: str, label: str | None = None) -> str:
        """A new personal API token for user ``name``: shown once, only its hash is kept."""
        self.core.state.get_user(name)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.core.state.add_token(name, digest(token), label)
        return token

    def token_user(self, token: str) -> User:
        """The user of an API token (``Authorization: Bearer …``); AuthError if unknown."""
        name = self.core.state.token_user(digest(token.strip())) if token else None
        row = self.core.state.find_user(name) if name else None
        if row is None or row["disabled"]:
            raise AuthError("the API token is not valid", hint="make a new one with `oogst users token NAME`")
        return _as_user(row)

    def list_tokens(self, name: str) -> list[dict[str, Any]]:
        return self.core.state.list_tokens(name)

    def revoke_tokens(self, name: str, token_id: str | None = None) -> int:
        self.core.state.get_user(name)
        return self.core.state.remove_tokens(name, token_id)

    # -- sessions ---------------------------------------------------------------------------------------
    def open_session(self, user: User) -> tuple[str, str]:
        """A new session for ``user``: (the cookie's value, the session's CSRF token)."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = (datetime.now(UTC) + timedelta(hours=SESSION_HOURS)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.core.state.add_session(digest(cookie), user.name, csrf, expires)
        return cookie, csrf

    def session(self, cookie: str | None) -> tuple[User, str] | None:
        """The user and CSRF token of a live session cookie, else None."""
        if not cookie:
            return None
        row = self.core.state.get_session(digest(cookie))
        user = self.core.state.find_user(row["user"]) if row else None
        if row is None or user is None or user["disabled"]:
            return None
        return _as_user(user), row["csrf"]

    def close_session(self, cookie: str | None) -> None:
        if cookie:
            self.core.state.remove_sessions(session_hash=digest(cookie))

    # -- who may do what ------------------------------------------------------------------------------------
    def can(self, user: User | None, feed: Feed, action: str = "view") -> bool:
        if action not in ACTIONS:
            raise ConfigError(f"unknown action {action!r}")
        if user is None:
            return False
        if user.is_operator:
            return True
        return feed.owner is not None and feed.owner == user.org and action != "remove"

    def authorise(self, user: User | None, name: str, action: str = "view") -> Feed:
        """Feed ``name`` if ``user`` may ``action`` it. Anonymous: AuthError (401). A feed
        of another organisation: NotFoundError, as for a feed that does not exist (404).
        Removing a feed is for operators (403)."""
        if user is None:
            raise AuthError("sign in first", hint="a browser signs in at /login; a program sends "
                            "`Authorization: Bearer TOKEN` (`oogst users token NAME`)")
        try:
            feed = self.core.state.get_feed(name)
        except NotFoundError:
            if user.is_operator:
                raise
            raise NotFoundError(f"no feed named {name!r}", feed=name) from None  # not the list of all feeds
        if not self.can(user, feed, "view"):
            raise NotFoundError(f"no feed named {name!r}", feed=name)
        if not self.can(user, feed, action):
            raise ForbiddenError(f"only an operator may {action} a feed", feed=name)
        return feed

    def visible_feeds(self, user: User | None) -> list[Feed]:
        """The feeds ``user`` may see: all for an operator, its organisation's for a partner."""
        if user is None:
            return []
        return [f for f in self.core.state.list_feeds() if self.can(user, f)]

    def owner_for(self, user: User | None, owner: str | None) -> str | None:
        """The owner of a feed ``user`` registers: a partner's own organisation always; an
        operator's choice (which must exist)."""
        if user is None:
            raise AuthError("sign in first")
        if not user.is_operator:
            if owner and owner != user.org:
                raise ForbiddenError("a partner registers feeds for its own organisation only")
            return user.org
        if owner:
            self.core.state.get_org(owner)
        return owner

    def require_user(self, user: User | None) -> User:
        if user is None:
            raise AuthError("sign in first", hint="a browser signs in at /login; a program sends "
                            "`Authorization: Bearer TOKEN` (`oogst users token NAME`)")
        return user

    def require_operator(self, user: User | None) -> User:
        if user is None:
            raise AuthError("sign in first")
        if not user.is_operator:
            raise ForbiddenError("only an operator may do this")
        return user

    def may_see_record(self, user: User | None, record: dict[str, Any]) -> bool:
        """Whether ``user`` may see a record's unpublished details (its quarantine report)."""
        if user is None:
            return False
        try:
            feed = self.core.state.get_feed(record["feed"])
        except NotFoundError:
            return user.is_operator
        return self.can(user, feed)


def _as_user(row: dict[str, Any]) -> User:
    return User(row["name"], row["role"], row.get("org"))
