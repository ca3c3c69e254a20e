"""The raw archive: every payload as received, compressed, with its content hash.

One row per distinct version of a source record (feed, source id, sha256). Identical
payloads seen again only move ``last_seen``; a changed payload adds a version. A feed can
be re-mapped from here without contacting the partner, and a record that failed to parse
is kept verbatim with the parser's message.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from ..errors import StoreError
from ..records import SourceRecord


class Archive(Protocol):
    """The raw archive seam; ``tests/test_archive_contract.py`` is the suite every
    implementation passes."""

    def put_many(self, records: Iterable[SourceRecord], run_id: int | None = None,
                 errors: dict[str, str] | None = None) -> None:
        """Keep every payload as received (a known version only moves its ``last_seen``, and
        is the newest again); ``errors`` maps source id → parser message for damaged ones (a
        record's own ``error`` counts too)."""

    def get(self, feed: str, source_id: str) -> SourceRecord | None:
        """The latest version of one record: the one put last."""

    def latest(self, feed: str, chunk: int = 500) -> Iterator[SourceRecord]:
        """The latest version of every record of a feed, by source id."""

    def stats(self, feed: str) -> dict[str, int]:
        """``records``, ``versions``, ``bytes`` (as received) and ``damaged`` of a feed."""

    def forget_feed(self, feed: str) -> int:
        """Drop every payload of a feed; returns how many versions went."""

    def prune(self, keep: int, feed: str | None = None) -> dict[str, int]:
        """Keep the last ``keep`` versions of every record (of ``feed``, or of all feeds): the
        newest by ``last_seen``, as :meth:`get` orders them. Returns ``versions`` removed and
        their ``bytes`` (as received)."""

    def close(self) -> None: ...

SCHEMA = """
CREATE TABLE IF NOT EXISTS payloads (
    feed        TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    datestamp   TEXT,
    format      TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    sets        TEXT NOT NULL DEFAULT '',
    size        INTEGER NOT NULL,
    payload     BLOB NOT NULL,                 -- zlib-compressed bytes as received
    error       TEXT,                          -- parser message when the payload is damaged
    first_run   INTEGER,
    first_seen  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_seen   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (feed, source_id, sha256)
);
CREATE INDEX IF NOT EXISTS payloads_latest ON payloads (feed, source_id, last_seen);
"""


_PUT = (
    "INSERT INTO payloads (feed, source_id, sha256, datestamp, format, media_type, deleted, sets, size, payload,"
    " error, first_run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (feed, source_id, sha256) DO UPDATE SET"
    " last_seen = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), datestamp = excluded.datestamp,"
    # the newest again, also within the second that last_seen counts in: the rowid breaks ties,
    # so a known version seen again that is not its record's last row moves to the end
    " rowid = CASE WHEN payloads.rowid = (SELECT MAX(rowid) FROM payloads p WHERE p.feed = excluded.feed"
    " AND p.source_id = excluded.source_id) THEN payloads.rowid ELSE (SELECT MAX(rowid) + 1 FROM payloads) END"
)


class SqliteArchive:
    """The archive in one SQLite file, payloads zlib-compressed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the archive {self.path}: {exc}",
                             hint="check that the data dir is writable") from exc
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def put_many(self, records: Iterable[SourceRecord], run_id: int | None = None,
                 errors: dict[str, str] | None = None) -> None:
        """Archive payloads; ``errors`` maps source id → parser message for damaged ones."""
        errors = errors or {}
        rows = [
            (r.feed, r.source_id, r.sha256, r.datestamp, r.format, r.media_type, int(r.deleted),
             " ".join(r.sets), len(r.payload), zlib.compress(r.payload, 6), errors.get(r.source_id) or r.error, run_id)
            for r in records
        ]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(_PUT, rows)
            except BaseException as exc:
                self._db.execute("ROLLBACK")  # nothing half-written, and the next batch can go on
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"cannot archive the batch in {self.path}: {exc}") from exc
                raise
            self._db.execute("COMMIT")

    _COLUMNS = "feed, source_id, datestamp, format, media_type, deleted, sets, payload, error"

    def _record(self, row: tuple) -> SourceRecord:
        feed, source_id, datestamp, fmt, media_type, deleted, sets, payload, error = row
        return SourceRecord(feed=feed, source_id=source_id, datestamp=datestamp, payload=zlib.decompress(payload),
                            format=fmt, deleted=bool(deleted), sets=tuple(sets.split()), media_type=media_type,
                            error=error)

    def get(self, feed: str, source_id: str) -> SourceRecord | None:
        """The latest version of one record (with the parser's message if it was damaged)."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._COLUMNS} FROM payloads"
                " WHERE feed = ? AND source_id = ? ORDER BY last_seen DESC, rowid DESC LIMIT 1",
                (feed, source_id)).fetchone()
        return self._record(row) if row else None

    def latest(self, feed: str, chunk: int = 500) -> Iterator[SourceRecord]:
        """The latest version of every record of a feed, by source id (for re-mapping); reads
        ``chunk`` records at a time."""
        after = None
        while True:
            with self._lock:
                ids = [r[0] for r in self._db.execute(
                    "SELECT DISTINCT source_id FROM payloads WHERE feed = ? AND (? IS NULL OR source_id > ?)"
                    " ORDER BY source_id LIMIT ?", (feed, after, after, chunk))]
                if not ids:
                    return
                rows = self._db.execute(
                    f"SELECT {self._COLUMNS} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY source_id"
                    " ORDER BY last_seen DESC, rowid DESC) AS newest FROM payloads"
                    " WHERE feed = ? AND source_id BETWEEN ? AND ?) WHERE newest = 1 ORDER BY source_id",
                    (feed, ids[0], ids[-1])).fetchall()
            yield from (self._record(row) for row in rows)
            after = ids[-1]

    def stats(self, feed: str) -> dict[str, int]:
        with self._lock:
            n, versions, size, damaged = self._db.execute(
                "SELECT COUNT(DISTINCT source_id), COUNT(*), COALESCE(SUM(size), 0), COUNT(error)"
                " FROM payloads WHERE feed = ?", (feed,)).fetchone()
        return {"records": n, "versions": versions, "bytes": size, "damaged": damaged}

    def forget_feed(self, feed: str) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM payloads WHERE feed = ?", (feed,)).rowcount

    def prune(self, keep: int, feed: str | None = None) -> dict[str, int]:
        if keep < 1:
            raise ValueError("keep at least the latest version of every record")
        older = ("SELECT rowid FROM (SELECT rowid, ROW_NUMBER() OVER (PARTITION BY feed, source_id"
                 " ORDER BY last_seen DESC, rowid DESC) AS n FROM payloads WHERE ? IS NULL OR feed = ?) WHERE n > ?")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                versions, size = self._db.execute(
                    f"SELECT COUNT(*), COALESCE(SUM(size), 0) FROM payloads WHERE rowid IN ({older})",
                    (feed, feed, keep)).fetchone()
                self._db.execute(f"DELETE FROM payloads WHERE rowid IN ({older})", (feed, feed, keep))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return {"versions": versions, "bytes": size}


def open_archive(target: str | Path) -> Archive:
    """The archive at ``target``: a ``postgresql://`` URL (the ``scale`` extra) or a SQLite file."""
    if str(target).startswith(("postgresql://", "postgres://")):
        from .archive_pg import PostgresArchive

        return PostgresArchive(str(target))
    return SqliteArchive(target)
