"""The accounts part of the SQLite state: organisations, users, API tokens and sessions.

Plain rows, no policy: who may do what is decided in the core (``pipeline/accounts.py``).
Secrets never reach this table as they are: a user's password arrives as an Argon2 hash,
a token and a session cookie as the SHA-256 of their value. The tables are in
``ACCOUNTS_SCHEMA`` below, part of ``sqlite.SCHEMA`` (schema version 4). :class:`AccountRows` is mixed into
:class:`~oogst.store.state.sqlite.State`, whose connection, lock and helpers it uses.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ...errors import ConfigError, NotFoundError
from ...records import now


ACCOUNTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS organisations (       -- partners: the owners of feeds
    name        TEXT PRIMARY KEY,                 -- a slug: 'hof-van-leie'
    title       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL,                    -- operator | partner
    org         TEXT,                             -- a partner's organisation
    password    TEXT,                             -- Argon2 hash (PHC string), never the password
    disabled    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (               -- personal API tokens: only a hash of each
    hash        TEXT PRIMARY KEY,                 -- sha256 hex of the token
    user        TEXT NOT NULL,
    label       TEXT,
    created_at  TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user);
CREATE TABLE IF NOT EXISTS sessions (             -- signed-in browsers: only a hash of each cookie
    hash        TEXT PRIMARY KEY,                 -- sha256 hex of the session cookie
    user        TEXT NOT NULL,
    csrf        TEXT NOT NULL,                    -- the synchroniser token of the session's forms
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);
"""


class AccountRows:
    """Organisations, users, tokens and sessions (a mixin of the SQLite ``State``)."""

    # provided by State
    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None: ...  # pragma: no cover
    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]: ...  # pragma: no cover
    def transaction(self) -> Any: ...  # pragma: no cover

    # -- organisations ------------------------------------------------------------------------
    def add_org(self, name: str, title: str) -> dict[str, Any]:
        try:
            with self.transaction() as db:
                db.execute("INSERT INTO organisations (name, title, created_at) VALUES (?, ?, ?)", (name, title, now()))
        except sqlite3.IntegrityError:
            raise ConfigError(f"an organisation named {name!r} exists already", hint="pick another name") from None
        return self.get_org(name)

    def get_org(self, name: str) -> dict[str, Any]:
        row = self._one("SELECT * FROM organisations WHERE name = ?", name)
        if row is None:
            raise NotFoundError(f"no organisation named {name!r}", hint="`oogst orgs list` lists them")
        return dict(row)

    def list_orgs(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._all("SELECT * FROM organisations ORDER BY name")]

    # -- users --------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, org: str | None, password: str | None) -> dict[str, Any]:
        """A user; ``password`` is the Argon2 hash."""
        stamp = now()
        try:
            with self.transaction() as db:
                db.execute("INSERT INTO users (name, role, org, password, created_at, updated_at)"
                           " VALUES (?, ?, ?, ?, ?, ?)", (name, role, org, password, stamp, stamp))
        except sqlite3.IntegrityError:
            raise ConfigError(f"a user named {name!r} exists already", hint="pick another name") from None
        return self.get_user(name)

    def get_user(self, name: str) -> dict[str, Any]:
        row = self._one("SELECT * FROM users WHERE name = ?", name)
        if row is None:
            raise NotFoundError(f"no user named {name!r}", hint="`oogst users list` lists them")
        return _user(row)

    def find_user(self, name: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM users WHERE name = ?", name)
        return _user(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        return [_user(r) for r in self._all("SELECT * FROM users ORDER BY name")]

    def update_user(self, name: str, **values: Any) -> dict[str, Any]:
        """Change a user's ``role``, ``org``, ``password`` (a hash) or ``disabled``."""
        unknown = set(values) - {"role", "org", "password", "disabled"}
        if unknown:
            raise ConfigError(f"users have no field {', '.join(sorted(unknown))}")
        values["updated_at"] = now()
        cols = ", ".join(f"{k} = ?" for k in values)
        with self.transaction() as db:
            changed = db.execute(f"UPDATE users SET {cols} WHERE name = ?", (*values.values(), name)).rowcount
        if not changed:
            raise NotFoundError(f"no user named {name!r}")
        return self.get_user(name)

    # -- API tokens ------------------------------------------------------------------------------
    def add_token(self, user: str, token_hash: str, label: str | None = None) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO tokens (hash, user, label, created_at) VALUES (?, ?, ?, ?)",
                       (token_hash, user, label, now()))

    def token_user(self, token_hash: str) -> str | None:
        """The user a token (by its hash) belongs to; notes when it was last used."""
        row = self._one("SELECT user FROM tokens WHERE hash = ?", token_hash)
        if row is None:
            return None
        with self.transaction() as db:
            db.execute("UPDATE tokens SET last_used_at = ? WHERE hash = ?", (now(), token_hash))
        return row["user"]

    def list_tokens(self, user: str) -> list[dict[str, Any]]:
        """A user's tokens: label and times, with the first characters of the hash as an id."""
        return [{"id": r["hash"][:12], "label": r["label"], "created_at": r["created_at"],
                 "last_used_at": r["last_used_at"]}
                for r in self._all("SELECT * FROM tokens WHERE user = ? ORDER BY created_at", user)]

    def remove_tokens(self, user: str, token_id: str | None = None) -> int:
        """Revoke one token of ``user`` (by its id) or all of them; returns how many went."""
        with self.transaction() as db:
            if token_id:
                return db.execute("DELETE FROM tokens WHERE user = ? AND substr(hash, 1, 12) = ?",
                                  (user, token_id)).rowcount
            return db.execute("DELETE FROM tokens WHERE user = ?", (user,)).rowcount

    # -- sessions -----------------------------------------------------------------------------
    def add_session(self, session_hash: str, user: str, csrf: str, expires_at: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
            db.execute("INSERT INTO sessions (hash, user, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       (session_hash, user, csrf, now(), expires_at))

    def get_session(self, session_hash: str) -> dict[str, Any] | None:
        """A session that has not expired yet, else None."""
        row = self._one("SELECT * FROM sessions WHERE hash = ? AND expires_at >= ?", session_hash, now())
        return dict(row) if row else None

    def remove_sessions(self, *, session_hash: str | None = None, user: str | None = None) -> int:
        """End one session, or every session of ``user``."""
        with self.transaction() as db:
            if session_hash:
                return db.execute("DELETE FROM sessions WHERE hash = ?", (session_hash,)).rowcount
            return db.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount


def _user(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["disabled"] = bool(data["disabled"])
    return data
