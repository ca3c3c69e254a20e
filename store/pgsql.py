"""PostgreSQL plumbing of the store room (the ``scale`` extra): a connection pool, a
connection that speaks the SQLite dialect the state's SQL is written in, and versioned
plain-SQL migrations.

The state's SQL (``store/state/*.py``) is written once, for SQLite's ``sqlite3`` module:
``?`` and ``:name`` placeholders, rows read by index and by name, ``rowcount``, and
``sqlite3.IntegrityError`` when a key exists already. :class:`Connection` gives a psycopg 3
connection that same face, so the classes are shared rather than duplicated; the few
statements whose dialects differ (``RETURNING`` instead of ``lastrowid``, JSON functions,
``GREATEST``) are overridden in :mod:`oogst.store.state.postgres`.

Migrations are numbered SQL scripts per component (``state``, ``archive``, ``lock``…),
recorded in the table ``oogst_schema``; :func:`migrate` runs the missing ones, each in its
own transaction, under an advisory lock so that two processes starting at once do not
both run them.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .. import redact as _redact
from ..errors import ConfigError, StoreError

try:
    import psycopg
    from psycopg import sql as _sql
    from psycopg_pool import ConnectionPool
except ImportError:  # pragma: no cover - the scale extra is optional
    psycopg = None  # type: ignore[assignment]


def require() -> None:
    if psycopg is None:
        raise ConfigError("a PostgreSQL state needs psycopg 3 and psycopg_pool",
                          hint="pip install 'oogst[scale]'")


def redact(url: str) -> str:
    """The URL as shown: without its account (the one redaction, ``redact.py``)."""
    return _redact.url(url) or ""


class Row(tuple):
    """A result row read by index or by column name, and ``dict(row)`` (like ``sqlite3.Row``)."""

    _names: tuple[str, ...]
    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> tuple[str, ...]:
        return self._names


_row_classes: dict[tuple[str, ...], type[Row]] = {}


def _row_factory(cursor: Any) -> Any:
    if cursor.description is None:
        return tuple
    names = tuple(c.name for c in cursor.description)
    cls = _row_classes.get(names)
    if cls is None:
        cls = _row_classes[names] = type("Row", (Row,), {"_names": names, "_index": {n: i for i, n in enumerate(names)}})
    return lambda values: cls(bytes(v) if isinstance(v, memoryview) else v for v in values)


_TOKEN = re.compile(r"""('(?:[^']|'')*')|("(?:[^"])*")|(--[^\n]*)|(::)|(\?)|(:[A-Za-z_]\w*)|(%)|\b(user)\b""",
                    re.IGNORECASE)
_translated: dict[str, str] = {}


def translate(statement: str) -> str:
    """SQLite's placeholders in psycopg's style; ``user`` (a reserved word) quoted."""
    done = _translated.get(statement)
    if done is None:
        def one(m: re.Match) -> str:
            literal, ident, comment, cast, mark, name, percent, user = m.groups()
            if cast:
                return cast
            if literal or ident or comment:
                return m.group(0).replace("%", "%%")
            if mark:
                return "%s"
            if name:
                return f"%({name[1:]})s"
            if percent:
                return "%%"
            return '"user"'
        done = _translated[statement] = _TOKEN.sub(one, statement)
    return done


def _value(v: Any) -> Any:
    return int(v) if isinstance(v, bool) else v


def _params(params: Any) -> Any:
    if params is None:
        return ()  # placeholders (and %%) are read in every statement
    if isinstance(params, dict):
        return {k: _value(v) for k, v in params.items()}
    return [_value(v) for v in params]


class Cursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid = None

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Connection:
    """A psycopg connection with the face of a ``sqlite3`` one (see the module's docstring)."""

    dialect = "postgresql"

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, statement: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Cursor:
        try:
            return Cursor(self.raw.execute(translate(statement), _params(params)))
        except psycopg.errors.IntegrityError as exc:
            raise sqlite3.IntegrityError(str(exc)) from exc

    def executemany(self, statement: str, rows: Any) -> Cursor:
        rows = [_params(r) for r in rows]
        cur = self.raw.cursor()
        if rows:
            try:
                cur.executemany(translate(statement), rows)
            except psycopg.errors.IntegrityError as exc:
                raise sqlite3.IntegrityError(str(exc)) from exc
        return Cursor(cur)


class Pool:
    """A psycopg connection pool on one schema, with a connection per thread while a
    ``with pool.checkout()`` or ``with pool.transaction()`` lasts (so that a transaction's
    reads see its writes, and nested transactions are savepoints of the outer one)."""

    def __init__(self, url: str, *, schema: str | None = None, size: int = 4, what: str = "state") -> None:
        require()
        self.url, self.schema = url, schema
        options = {"autocommit": True, "row_factory": _row_factory}
        self._pool = ConnectionPool(url, min_size=1, max_size=size, kwargs=options, configure=self._configure,
                                    open=False, name=f"oogst-{what}")
        try:
            self._pool.open(wait=True, timeout=30)
        except Exception as exc:  # noqa: BLE001 - psycopg_pool.PoolTimeout names no reason
            self._pool.close()
            try:
                psycopg.connect(url, connect_timeout=10).close()
            except psycopg.Error as reason:
                raise StoreError(f"cannot connect to the PostgreSQL {what} at {redact(url)}: {reason}",
                                 hint="check OOGST_STATE and that the server is up") from None
            raise StoreError(f"cannot connect to the PostgreSQL {what} at {redact(url)}: {exc}") from None
        self._local = threading.local()

    def _configure(self, conn: Any) -> None:
        if self.schema:
            conn.execute(_sql.SQL("SET search_path TO {}").format(_sql.Identifier(self.schema)))

    @contextmanager
    def checkout(self) -> Iterator[Connection]:
        held = getattr(self._local, "conn", None)
        if held is not None:  # nested: the thread's connection
            yield held
            return
        with self._pool.connection() as raw:
            self._local.conn = Connection(raw)
            try:
                yield self._local.conn
            finally:
                self._local.conn = None

    @property
    def current(self) -> Connection:
        return self._local.conn

    @contextmanager
    def transaction(self, lock_key: int | None = None) -> Iterator[Connection]:
        """A transaction; ``lock_key``: under that transaction-scoped advisory lock (taken by
        the outermost transaction only), so that writers queue like SQLite's ``BEGIN IMMEDIATE``."""
        with self.checkout() as conn:
            outer = not conn.raw.info.transaction_status  # IDLE == 0
            with conn.raw.transaction():
                if outer and lock_key is not None:
                    conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key,))
                yield conn

    def close(self) -> None:
        self._pool.close()


class _Checkout:
    """``with self._lock:`` of the SQLite classes, for a :class:`Pool`: a connection for this thread."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._stack: threading.local = threading.local()

    def __enter__(self) -> Connection:
        cm = self._pool.checkout()
        stack = getattr(self._stack, "items", None)
        if stack is None:
            stack = self._stack.items = []
        stack.append(cm)
        return cm.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._stack.items.pop().__exit__(*exc)


def checkout_lock(pool: Pool) -> _Checkout:
    return _Checkout(pool)


LOCK_MIGRATE = 0x006F6F6773740001  # advisory lock keys of oogst ("oogst" + a number)
LOCK_STATE_WRITE = 0x006F6F6773740002


def migrate(pool: Pool, component: str, steps: list[tuple[int, str]]) -> int:
    """Run the steps of ``component`` (``(version, SQL)``, ascending) the database has not had
    yet; returns its version."""
    with pool.transaction(LOCK_MIGRATE) as db:
        db.raw.execute("CREATE TABLE IF NOT EXISTS oogst_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                       " migrated_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        row = db.raw.execute("SELECT version FROM oogst_schema WHERE component = %s", (component,)).fetchone()
        version = row[0] if row else 0
        newest = steps[-1][0] if steps else 0
        if version > newest:
            raise StoreError(f"the PostgreSQL {component} schema is version {version}, newer than this oogst"
                             f" knows ({newest})", hint="upgrade oogst on this machine")
        for number, script in steps:
            if number > version:
                with db.raw.transaction():
                    db.raw.execute(script)
                    db.raw.execute("INSERT INTO oogst_schema (component, version) VALUES (%s, %s) ON CONFLICT"
                                   " (component) DO UPDATE SET version = excluded.version, migrated_at = now()",
                                   (component, number))
                version = number
    return version
