"""The change log of the published records: an append-only table of *events* in the state
database, written in the same transaction as the record index rows they follow.

Every publication, change and withdrawal of a record is one event: ``kind`` is
``published`` (the record graph as published, kept whole so that the version stays the same
forever) or ``withdrawn`` (a tombstone). The LDES (``publish/ldes.py``) serves the log; it
is never rewritten, so an event's position and content are stable.

- ``id``: the event's place in the whole stream (1, 2, 3 …; rows are never deleted);
  ``feed_seq`` and ``provider_seq``: its place in the feed's and the data provider's view.
- ``at``: ``prov:generatedAtTime``, UTC with microseconds, strictly increasing over the
  whole log (a clock that stands still or steps back is stepped over by one microsecond), so
  pages bounded by time never overlap.
- ``hash``: of the record's description without the graph's own provenance; a record whose
  description did not change (a remap with the same result) adds no event.
- ``body``: the record graph's N-Triples, zstd-compressed (about a seventh of the text, at a
  fifth of zlib's CPU); bodies written before, zlib-compressed, are read as they are.

Writers call :func:`record_versions` / :func:`record_tombstones` inside their transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import zstandard

EVENTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- place in the whole stream
    at            TEXT NOT NULL,                      -- prov:generatedAtTime, strictly increasing
    feed          TEXT NOT NULL,
    feed_seq      INTEGER NOT NULL,                   -- place in the feed's view
    provider      TEXT,                               -- the data provider (keeper IRI)
    provider_seq  INTEGER,                            -- place in the provider's view
    source_id     TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    object_iri    TEXT,                               -- what the version is a version of
    graph_iri     TEXT NOT NULL,
    kind          TEXT NOT NULL,                      -- published | withdrawn
    hash          TEXT,                               -- of the description (no event when unchanged)
    body          BLOB                                -- zlib-compressed N-Triples as published
);
CREATE UNIQUE INDEX IF NOT EXISTS events_feed ON events (feed, feed_seq);
CREATE UNIQUE INDEX IF NOT EXISTS events_provider ON events (provider, provider_seq);
CREATE INDEX IF NOT EXISTS events_record ON events (feed, source_id, id);
CREATE TABLE IF NOT EXISTS meta (
    key           TEXT PRIMARY KEY,
    value         TEXT
);
"""

BACKFILL = "events_backfill"  # meta key: published records from before the log still need an event
_COLUMNS = {"all": "id", "feed": "feed_seq", "provider": "provider_seq"}
_ZSTD = b"\x28\xb5\x2f\xfd"  # a zstd frame's magic number (a zlib stream starts with 0x78)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Clock:
    """Event times of one transaction: now, but always after the last event's time."""

    def __init__(self, db: sqlite3.Connection) -> None:
        row = db.execute("SELECT at FROM events ORDER BY id DESC LIMIT 1").fetchone()
        self.last = datetime.fromisoformat(row[0]) if row else None

    def next(self) -> str:
        moment = datetime.now(UTC)
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(microseconds=1)
        self.last = moment
        return stamp(moment)


class _Seqs:
    """The next place in each feed's and provider's view, read once per transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.feeds: dict[str, int] = {}
        self.providers: dict[str, int] = {}

    def feed(self, name: str) -> int:
        if name not in self.feeds:
            self.feeds[name] = self.db.execute("SELECT COALESCE(MAX(feed_seq), 0) FROM events WHERE feed = ?",
                                               (name,)).fetchone()[0]
        self.feeds[name] += 1
        return self.feeds[name]

    def provider(self, iri: str | None) -> int | None:
        if iri is None:
            return None
        if iri not in self.providers:
            self.providers[iri] = self.db.execute(
                "SELECT COALESCE(MAX(provider_seq), 0) FROM events WHERE provider = ?", (iri,)).fetchone()[0]
        self.providers[iri] += 1
        return self.providers[iri]


def _last_events(db: sqlite3.Connection, feed: str, source_ids: list[str]) -> dict[str, sqlite3.Row]:
    """The newest event of each of these records (kind, hash, provider), by source id."""
    out: dict[str, sqlite3.Row] = {}
    for i in range(0, len(source_ids), 500):
        chunk = source_ids[i:i + 500]
        for row in db.execute(
                "SELECT source_id, kind, hash, provider, object_iri FROM events WHERE id IN (SELECT MAX(id) FROM events"
                f" WHERE feed = ? AND source_id IN ({','.join('?' * len(chunk))}) GROUP BY source_id)", (feed, *chunk)):
            out[row[0]] = row
    return out


_INSERT = ("INSERT INTO events (at, feed, feed_seq, provider, provider_seq, source_id, record_id, object_iri,"
           " graph_iri, kind, hash, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")


def compress_body(ntriples: str) -> bytes:
    """An event's ``body``: the graph's N-Triples as stored (the mapping workers compress it):
    zstd level 3, 27 µs a sample record against 135 µs for zlib level 6, 18 % larger."""
    return _compressor().compress(ntriples.encode("utf-8"))


def body_text(body: bytes) -> str:
    """The N-Triples of an event's ``body``, zstd or (written before) zlib."""
    if body[:4] == _ZSTD:
        return zstandard.ZstdDecompressor().decompress(body).decode("utf-8")
    return zlib.decompress(body).decode("utf-8")


_LOCAL = threading.local()  # a zstd compressor is not to be shared between threads


def _compressor() -> zstandard.ZstdCompressor:
    compressor = getattr(_LOCAL, "compressor", None)
    if compressor is None:
        compressor = _LOCAL.compressor = zstandard.ZstdCompressor(level=3)
    return compressor


def record_versions(db: sqlite3.Connection, rows: list[dict[str, Any]], versions: dict[str, dict[str, Any]]) -> int:
    """Events for a batch of record-index rows: a version for each published row in
    ``versions`` (graph IRI → ``ntriples``, ``hash``, ``provider``, and ``body`` when
    :func:`compress_body` ran already) whose description changed,
    a tombstone for each withdrawn row whose record was live in the stream. Returns the count."""
    by_feed: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if (row["state"] == "published" and row["graph_iri"] in versions) or row["state"] == "withdrawn":
            by_feed.setdefault(row["feed"], []).append(row)
    if not by_feed:
        return 0
    clock, seqs, out = _Clock(db), _Seqs(db), []
    for feed, feed_rows in by_feed.items():
        last = _last_events(db, feed, [r["source_id"] for r in feed_rows])
        for row in feed_rows:
            prev = last.get(row["source_id"])
            if row["state"] == "withdrawn":
                if prev is None or prev["kind"] == "withdrawn":
                    continue
                provider = prev["provider"]
                out.append((clock.next(), feed, seqs.feed(feed), provider, seqs.provider(provider),
                            row["source_id"], row["record_id"], row.get("object_iri") or prev["object_iri"],
                            row["graph_iri"], "withdrawn", None, None))
                continue
            version = versions[row["graph_iri"]]
            if prev is not None and prev["kind"] == "published" and prev["hash"] == version["hash"]:
                continue
            provider = version.get("provider")
            body = version.get("body") or compress_body(version["ntriples"])
            out.append((clock.next(), feed, seqs.feed(feed), provider, seqs.provider(provider), row["source_id"],
                        row["record_id"], row.get("object_iri"), row["graph_iri"], "published", version["hash"], body))
    db.executemany(_INSERT, out)
    return len(out)


def record_tombstones(db: sqlite3.Connection, feed: str, source_ids: Iterable[str]) -> int:
    """Tombstones for records of ``feed`` withdrawn outside a batch (the sweep, a removed feed)."""
    source_ids = list(source_ids)
    rows = [{"feed": feed, "source_id": sid, "state": "withdrawn", "record_id": r["record_id"],
             "graph_iri": r["graph_iri"], "object_iri": r["object_iri"]}
            for sid in source_ids
            if (r := db.execute("SELECT record_id, graph_iri, object_iri FROM records WHERE feed = ? AND source_id = ?",
                                (feed, sid)).fetchone()) is not None]
    return record_versions(db, rows, {})


# -- reading -------------------------------------------------------------------------------------
def _where(view: str, key: str | None) -> tuple[str, tuple[Any, ...]]:
    if view == "feed":
        return "feed = ?", (key,)
    if view == "provider":
        return "provider = ?", (key,)
    return "1 = 1", ()


def event_count(db: sqlite3.Connection, view: str, key: str | None) -> int:
    column = _COLUMNS[view]
    where, args = _where(view, key)
    return int(db.execute(f"SELECT COALESCE(MAX({column}), 0) FROM events WHERE {where}", args).fetchone()[0])


def event_times(db: sqlite3.Connection, view: str, key: str | None, positions: list[int]) -> dict[int, str]:
    """``prov:generatedAtTime`` of the events at these places (1-based) of a view."""
    column = _COLUMNS[view]
    where, args = _where(view, key)
    out: dict[int, str] = {}
    for i in range(0, len(positions), 500):
        chunk = positions[i:i + 500]
        out.update((r[0], r[1]) for r in db.execute(
            f"SELECT {column}, at FROM events WHERE {where} AND {column} IN ({','.join('?' * len(chunk))})",
            (*args, *chunk)))
    return out


def read_events(db: sqlite3.Connection, view: str, key: str | None, first: int, last: int) -> list[dict[str, Any]]:
    """The events at places ``first`` … ``last`` (1-based, inclusive) of a view, in order,
    each with its ``ntriples`` (None for a tombstone)."""
    column = _COLUMNS[view]
    where, args = _where(view, key)
    out = []
    for row in db.execute(
            f"SELECT id, at, feed, feed_seq, provider, provider_seq, source_id, record_id, object_iri, graph_iri,"
            f" kind, hash, body FROM events WHERE {where} AND {column} BETWEEN ? AND ? ORDER BY {column}",
            (*args, first, last)):
        event = dict(row)
        body = event.pop("body")
        event["ntriples"] = body_text(body) if body is not None else None
        event["position"] = event[column]
        out.append(event)
    return out


def event_views(db: sqlite3.Connection) -> dict[str, dict[str, dict[str, Any]]]:
    """The views with their event counts and last event time: ``{"feed": {name: …},
    "provider": {iri: …}}``."""
    out: dict[str, dict[str, dict[str, Any]]] = {"feed": {}, "provider": {}}
    for view, column in (("feed", "feed"), ("provider", "provider")):
        for key, count, at in db.execute(
                f"SELECT {column}, COUNT(*), MAX(at) FROM events WHERE {column} IS NOT NULL GROUP BY {column}"):
            out[view][key] = {"events": count, "last": at}
    return out


def event_bytes(db: sqlite3.Connection) -> dict[str, int]:
    """The log's size: events, and the bytes of their compressed bodies."""
    events, body = db.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM events").fetchone()
    return {"events": int(events), "body_bytes": int(body)}


class EventLog:
    """The event log's methods of the SQLite state (``State`` mixes them in)."""

    _db: sqlite3.Connection
    _lock: Any
    transaction: Any
    _one: Any

    def event_count(self, view: str = "all", key: str | None = None) -> int:
        with self._lock:
            return event_count(self._db, view, key)

    def event_times(self, view: str, key: str | None, positions: list[int]) -> dict[int, str]:
        with self._lock:
            return event_times(self._db, view, key, positions)

    def events(self, view: str, key: str | None, first: int, last: int) -> list[dict[str, Any]]:
        with self._lock:
            return read_events(self._db, view, key, first, last)

    def event_views(self) -> dict[str, dict[str, dict[str, Any]]]:
        with self._lock:
            return event_views(self._db)

    def event_stats(self) -> dict[str, int]:
        with self._lock:
            return event_bytes(self._db)

    def events_backfill_pending(self) -> bool:
        return self._one("SELECT 1 FROM meta WHERE key = ?", BACKFILL) is not None

    def backfill_events(self, rows: list[dict[str, Any]], versions: dict[str, dict[str, Any]], *,
                        done: bool = False) -> int:
        """Events for published records from before the log (rows as ``list_records`` gives
        them, their graphs in ``versions``); ``done`` clears the pending mark."""
        with self.transaction() as db:
            count = record_versions(db, rows, versions)
            if done:
                db.execute("DELETE FROM meta WHERE key = ?", (BACKFILL,))
        return count

