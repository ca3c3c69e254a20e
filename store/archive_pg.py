"""The raw archive in PostgreSQL (the ``scale`` extra): the :class:`~oogst.store.archive.Archive`
of :class:`~oogst.store.archive.SqliteArchive`, for several machines.

Payloads are zlib-compressed ``bytea``. ``seq`` (a sequence) orders the versions of a record:
the one put last has the highest, and a known version seen again gets a new one, so it is the
newest again. Rows of a batch are written in key order, so that two workers archiving
overlapping batches at once wait for each other instead of deadlocking.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from ..errors import StoreError
from ..records import SourceRecord
from .pgsql import Pool, migrate, psycopg, redact

MIGRATIONS = [(1, """
CREATE SEQUENCE archive_seq;
CREATE TABLE payloads (
    feed        TEXT COLLATE "C" NOT NULL,
    source_id   TEXT COLLATE "C" NOT NULL,
    sha256      TEXT COLLATE "C" NOT NULL,
    datestamp   TEXT,
    format      TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    deleted     BOOLEAN NOT NULL DEFAULT false,
    sets        TEXT NOT NULL DEFAULT '',
    size        BIGINT NOT NULL,
    payload     BYTEA NOT NULL,
    error       TEXT,
    first_run   BIGINT,
    first_seen  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen   TIMESTAMPTZ NOT NULL DEFAULT now(),
    seq         BIGINT NOT NULL DEFAULT nextval('archive_seq'),
    PRIMARY KEY (feed, source_id, sha256)
);
CREATE INDEX payloads_latest ON payloads (feed, source_id, seq DESC);
""")]

_PUT = (
    "INSERT INTO payloads (feed, source_id, sha256, datestamp, format, media_type, deleted, sets, size, payload,"
    " error, first_run) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
    " ON CONFLICT (feed, source_id, sha256) DO UPDATE SET last_seen = now(), datestamp = excluded.datestamp,"
    " seq = nextval('archive_seq')"
)
_FEED_LOCK = 0x6F6F6701  # advisory lock class of the archive's feeds
_COLUMNS = "feed, source_id, datestamp, format, media_type, deleted, sets, payload, error"


class PostgresArchive:
    """The archive in the PostgreSQL database at ``url`` (``schema``: see ``PostgresState``)."""

    def __init__(self, url: str, *, schema: str | None = None, pool_size: int = 4) -> None:
        self.path = redact(url)
        self._pool = Pool(url, schema=schema, size=pool_size, what="archive")
        migrate(self._pool, "archive", MIGRATIONS)

    def close(self) -> None:
        self._pool.close()

    def put_many(self, records: Iterable[SourceRecord], run_id: int | None = None,
                 errors: dict[str, str] | None = None) -> None:
        errors = errors or {}
        rows: dict[tuple[str, str, str], tuple] = {}
        for r in records:  # a version put twice counts where it was put last
            rows.pop(key := (r.feed, r.source_id, r.sha256), None)
            rows[key] = (r.feed, r.source_id, r.sha256, r.datestamp, r.format, r.media_type, bool(r.deleted),
                         " ".join(r.sets), len(r.payload), zlib.compress(r.payload, 6),
                         errors.get(r.source_id) or r.error, run_id)
        if not rows:
            return
        try:
            with self._pool.transaction() as db:
                for feed in sorted({k[0] for k in rows}):  # writers of a feed queue (no deadlocks between them)
                    db.raw.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_FEED_LOCK, feed))
                db.raw.cursor().executemany(_PUT, list(rows.values()))
        except psycopg.Error as exc:
            raise StoreError(f"cannot archive the batch in {self.path}: {exc}") from exc

    @staticmethod
    def _record(row: tuple) -> SourceRecord:
        feed, source_id, datestamp, fmt, media_type, deleted, sets, payload, error = row
        return SourceRecord(feed=feed, source_id=source_id, datestamp=datestamp, payload=zlib.decompress(payload),
                            format=fmt, deleted=bool(deleted), sets=tuple(sets.split()), media_type=media_type,
                            error=error)

    def get(self, feed: str, source_id: str) -> SourceRecord | None:
        with self._pool.checkout() as db:
            row = db.raw.execute(f"SELECT {_COLUMNS} FROM payloads WHERE feed = %s AND source_id = %s"
                                 " ORDER BY seq DESC LIMIT 1", (feed, source_id)).fetchone()
        return self._record(row) if row else None

    def latest(self, feed: str, chunk: int = 500, *, start: str | None = None,
               stop: str | None = None) -> Iterator[SourceRecord]:
        """The latest version of every record of a feed by source id, ``chunk`` at a time;
        ``start``/``stop``: only source ids in ``(start, stop]`` (a part of a re-map)."""
        after = start
        while True:
            with self._pool.checkout() as db:
                rows = db.raw.execute(
                    f"SELECT DISTINCT ON (source_id) {_COLUMNS} FROM payloads WHERE feed = %s"
                    " AND (%s::text IS NULL OR source_id > %s) AND (%s::text IS NULL OR source_id <= %s)"
                    " ORDER BY source_id, seq DESC LIMIT %s", (feed, after, after, stop, stop, chunk)).fetchall()
            if not rows:
                return
            yield from (self._record(row) for row in rows)
            after = rows[-1][1]

    def split(self, feed: str, size: int) -> list[tuple[str | None, str | None]]:
        """Ranges ``(start, stop]`` of source ids with about ``size`` records each, covering the feed."""
        with self._pool.checkout() as db:
            bounds = [r[0] for r in db.raw.execute(
                "SELECT source_id FROM (SELECT source_id, ROW_NUMBER() OVER (ORDER BY source_id) AS n FROM"
                " (SELECT DISTINCT source_id FROM payloads WHERE feed = %s) d) s WHERE n %% %s = 0 ORDER BY n",
                (feed, size))]
        return list(zip([None, *bounds], [*bounds, None]))

    def stats(self, feed: str) -> dict[str, int]:
        with self._pool.checkout() as db:
            n, versions, size, damaged = db.raw.execute(
                "SELECT COUNT(DISTINCT source_id), COUNT(*), COALESCE(SUM(size), 0), COUNT(error)"
                " FROM payloads WHERE feed = %s", (feed,)).fetchone()
        return {"records": int(n), "versions": int(versions), "bytes": int(size), "damaged": int(damaged)}

    def prune(self, keep: int, feed: str | None = None) -> dict[str, int]:
        """Keep the last ``keep`` versions of every record (of ``feed``, or of every feed)."""
        if keep < 1:
            raise ValueError("keep at least the latest version of every record")
        with self._pool.transaction() as db:
            versions, size = db.raw.execute(
                "WITH older AS (SELECT feed, source_id, sha256 FROM (SELECT feed, source_id, sha256, ROW_NUMBER()"
                " OVER (PARTITION BY feed, source_id ORDER BY seq DESC) AS n FROM payloads"
                " WHERE %s::text IS NULL OR feed = %s) v WHERE n > %s),"
                " gone AS (DELETE FROM payloads p USING older o WHERE p.feed = o.feed AND p.source_id = o.source_id"
                " AND p.sha256 = o.sha256 RETURNING p.size)"
                " SELECT COUNT(*), COALESCE(SUM(size), 0) FROM gone", (feed, feed, keep)).fetchone()
        return {"versions": int(versions), "bytes": int(size)}

    def forget_feed(self, feed: str) -> int:
        with self._pool.transaction() as db:
            return db.raw.execute("DELETE FROM payloads WHERE feed = %s", (feed,)).rowcount
