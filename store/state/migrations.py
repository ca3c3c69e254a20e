"""Migrations of the SQLite state: each ``if version < N`` block brings a database of an
earlier version one step up, in its own transaction."""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from . import events as _events
from .accounts import ACCOUNTS_SCHEMA
from .delivery import migrate_v3
from .counters import COUNTERS_SCHEMA
from .events import EVENTS_SCHEMA
from ...records import split_credentials

log = logging.getLogger(__name__)

PROFILE_KEYS = ("language", "default_rights", "provider_name", "provider_iri")  # once mixed into config


def migrate(db: sqlite3.Connection, schema: str, current: int) -> None:
    """Bring a database of an earlier version up to :data:`VERSION`, in one transaction per
    step. A new database gets ``schema`` (the whole schema as it is now, version ``current``)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "feeds" not in tables:
        db.executescript(schema)
        db.execute(f"PRAGMA user_version = {current}")
        return
    if version < 1:  # columns added after the first release
        for table, column, declaration in (
                ("feeds", "failures", "INTEGER NOT NULL DEFAULT 0"), ("runs", "live_before", "INTEGER"),
                ("checkpoints", "info", "TEXT NOT NULL DEFAULT '{}'"), ("records", "seen_run", "INTEGER"),
                ("records", "seen_page", "INTEGER")):
            if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        db.execute("PRAGMA user_version = 1")
    if version < 2:  # config split into options and profile; next_from became a typed cursor
        db.execute("BEGIN IMMEDIATE")
        for column in ("options", "profile", "cursor"):
            db.execute(f"ALTER TABLE feeds ADD COLUMN {column} TEXT NOT NULL DEFAULT '{{}}'")
        db.execute("ALTER TABLE feeds ADD COLUMN owner TEXT")
        db.execute("ALTER TABLE feeds ADD COLUMN schedule TEXT")
        for name, config, next_from in db.execute("SELECT name, config, next_from FROM feeds").fetchall():
            config = _json_object(config, name, "config")
            profile = {k: config.pop(k) for k in PROFILE_KEYS if k in config}
            db.execute("UPDATE feeds SET options = ?, profile = ?, cursor = ? WHERE name = ?",
                       (json.dumps(config), json.dumps(profile), json.dumps(_cursor_of(next_from, name)), name))
        db.execute("ALTER TABLE feeds DROP COLUMN config")
        db.execute("ALTER TABLE feeds DROP COLUMN next_from")
        db.execute("PRAGMA user_version = 2")
        db.execute("COMMIT")
    if version < 3:  # delivery to Europeana: the feeds' settings, the records' OAI-PMH and tier columns
        migrate_v3(db)
    if version < 4:  # accounts: organisations, users, API tokens, sessions (the tables come from SCHEMA)
        db.executescript(ACCOUNTS_SCHEMA)
        db.execute("PRAGMA user_version = 4")
    if version < 5:  # the event log (LDES); records published before it get their event later
        db.execute("BEGIN IMMEDIATE")
        for statement in EVENTS_SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        if db.execute("SELECT 1 FROM records WHERE published = 1 LIMIT 1").fetchone():
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (_events.BACKFILL,))
        db.execute("PRAGMA user_version = 5")
        db.execute("COMMIT")
    if version < 6:  # the operator's night: a feed's contact for alerts, counters for /metrics
        db.execute("BEGIN IMMEDIATE")
        if "contact" not in {row[1] for row in db.execute("PRAGMA table_info(feeds)")}:
            db.execute("ALTER TABLE feeds ADD COLUMN contact TEXT")
        for statement in COUNTERS_SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("PRAGMA user_version = 6")
        db.execute("COMMIT")
    if version < 7:  # credentials kept apart: those in the URLs of feeds registered before move there
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE IF NOT EXISTS credentials (feed TEXT PRIMARY KEY, username TEXT NOT NULL,"
                   " password TEXT NOT NULL, updated_at TEXT NOT NULL)")
        for name, url in db.execute("SELECT name, url FROM feeds").fetchall():
            clean, secret = split_credentials(url)
            if secret is not None:
                db.execute("INSERT OR REPLACE INTO credentials VALUES (?, ?, ?, datetime('now'))", (name, *secret))
                db.execute("UPDATE feeds SET url = ? WHERE name = ?", (clean, name))
                log.warning("feed %s: the user name and password in its URL are now kept apart", name)
        db.execute("PRAGMA user_version = 7")
        db.execute("COMMIT")
    db.executescript(schema)  # indexes added since


def _cursor_of(next_from: str | None, feed: str = "") -> dict[str, Any]:
    """The cursor of a version-1 ``next_from``: LDES client state as JSON, else a date."""
    if not next_from:
        return {}
    if next_from.lstrip().startswith("{"):
        data = _json_object(next_from, feed, "next_from")
        return {k: data[k] for k in ("done", "open", "last") if k in data}
    return {"since": next_from}


def _json_object(text: str | None, feed: str, column: str) -> dict[str, Any]:
    """A version-1 JSON column; one that cannot be read is dropped (for ``next_from``: the
    feed's next run is a full one) rather than making the whole state unopenable."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        log.warning("feed %s: its %s %r is not a JSON object; dropped when migrating the state",
                    feed, column, (text or "")[:200])
        return {}
    return value
