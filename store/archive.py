"""The raw archive: every payload as received, compressed, with its content hash.

One row per distinct version of a source record (feed, source id, sha256). Identical
payloads seen again only move ``last_seen``; a changed payload adds a version. A feed can
be re-mapped from here without contacting the partner, and a record that failed to parse
is kept verbatim with the parser's message.

Compression: zstd (the ``zstandard`` package) with a dictionary per feed, trained on the
feed's first batch of payloads, so what its records share (the format's boilerplate, the
partner's repeated values) is stored once in the dictionary rather than in every record:
about 600 bytes for a 12 KB LIDO record, against 2.1 KB with zlib alone, at a twelfth of
the CPU. Without ``zstandard`` (or for a batch too small to train on) payloads are zlib- or
plain zstd-compressed; rows of every kind read back alike (a zstd frame names its dictionary).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from ..errors import StoreError
from ..records import SourceRecord

try:
    import zstandard
except ImportError:  # pragma: no cover - a dependency; without it the archive is zlib-compressed
    zstandard = None

log = logging.getLogger(__name__)


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
    payload     BLOB NOT NULL,                 -- compressed bytes as received (zstd, or zlib)
    error       TEXT,                          -- parser message when the payload is damaged
    first_run   INTEGER,
    first_seen  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    last_seen   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (feed, source_id, sha256)
);
CREATE INDEX IF NOT EXISTS payloads_latest ON payloads (feed, source_id, last_seen);
CREATE TABLE IF NOT EXISTS dictionaries (         -- zstd dictionaries, one per feed
    id    INTEGER PRIMARY KEY,                    -- the dictionary's own id (in its frames)
    feed  TEXT NOT NULL,
    data  BLOB NOT NULL
);
"""
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_TRAIN_MIN = 64  # payloads a batch needs to train a feed's dictionary on
_DICT_SIZE = 32_768
_LEVEL = 3


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
    """The archive in one SQLite file, payloads compressed (see the module's docstring)."""

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
        self._compressors: dict[str, object] = {}  # feed → its zstd compressor
        self._decompressors: dict[int, object] = {}  # dictionary id → its zstd decompressor

    def close(self) -> None:
        self._db.close()

    def put_many(self, records: Iterable[SourceRecord], run_id: int | None = None,
                 errors: dict[str, str] | None = None) -> None:
        """Archive payloads; ``errors`` maps source id → parser message for damaged ones."""
        errors = errors or {}
        records = list(records)
        with self._lock:
            compress = {feed: self._compressor(feed, [r.payload for r in records if r.feed == feed])
                        for feed in {r.feed for r in records}}
            rows = [
                (r.feed, r.source_id, r.sha256, r.datestamp, r.format, r.media_type, int(r.deleted),
                 " ".join(r.sets), len(r.payload), compress[r.feed](r.payload), errors.get(r.source_id) or r.error,
                 run_id)
                for r in records
            ]
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(_PUT, rows)
            except BaseException as exc:
                self._db.execute("ROLLBACK")  # nothing half-written, and the next batch can go on
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"cannot archive the batch in {self.path}: {exc}") from exc
                raise
            self._db.execute("COMMIT")

    def _compressor(self, feed: str, payloads: list[bytes]):
        """How the payloads of ``feed`` are compressed: zstd with the feed's dictionary (trained
        now on ``payloads`` when it has none and they are enough), else plain zstd or zlib."""
        if zstandard is None:
            return lambda data: zlib.compress(data, 6)
        if feed in self._compressors:
            return self._compressors[feed].compress
        row = self._db.execute("SELECT data FROM dictionaries WHERE feed = ? ORDER BY id DESC LIMIT 1",
                               (feed,)).fetchone()
        data = row[0] if row else None
        samples = [p for p in payloads if p]
        if data is None and len(samples) >= _TRAIN_MIN:
            try:
                data = zstandard.train_dictionary(_DICT_SIZE, samples).as_bytes()
            except zstandard.ZstdError as exc:
                log.info("archive: no zstd dictionary for feed %s (%s)", feed, exc)
            else:
                self._db.execute("INSERT OR REPLACE INTO dictionaries (id, feed, data) VALUES (?,?,?)",
                                 (zstandard.ZstdCompressionDict(data).dict_id(), feed, data))
        if data is None:
            return zstandard.ZstdCompressor(level=_LEVEL).compress  # not kept: the next batch may train
        compressor = zstandard.ZstdCompressor(level=_LEVEL, dict_data=zstandard.ZstdCompressionDict(data))
        self._compressors[feed] = compressor
        return compressor.compress

    def _decompress(self, data: bytes) -> bytes:
        if not data.startswith(_ZSTD_MAGIC):
            return zlib.decompress(data)
        if zstandard is None:
            raise StoreError(f"the archive {self.path} holds zstd-compressed payloads", hint="pip install zstandard")
        dict_id = zstandard.get_frame_parameters(data).dict_id
        if dict_id not in self._decompressors:
            with self._lock:
                row = self._db.execute("SELECT data FROM dictionaries WHERE id = ?", (dict_id,)).fetchone() \
                    if dict_id else None
            if dict_id and row is None:
                raise StoreError(f"the archive {self.path} lacks the zstd dictionary {dict_id}")
            self._decompressors[dict_id] = zstandard.ZstdDecompressor(
                dict_data=zstandard.ZstdCompressionDict(row[0]) if row else None)
        return self._decompressors[dict_id].decompress(data)

    _COLUMNS = "feed, source_id, datestamp, format, media_type, deleted, sets, payload, error"

    def _record(self, row: tuple) -> SourceRecord:
        feed, source_id, datestamp, fmt, media_type, deleted, sets, payload, error = row
        return SourceRecord(feed=feed, source_id=source_id, datestamp=datestamp, payload=self._decompress(payload),
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
            self._compressors.pop(feed, None)
            self._db.execute("DELETE FROM dictionaries WHERE feed = ?", (feed,))
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
