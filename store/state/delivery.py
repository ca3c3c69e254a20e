"""The record index's delivery part (SQLite): what the OAI-PMH provider, the tiers and the
media check read and write. Mixed into :class:`~oogst.store.state.sqlite.State`.

Columns of ``records`` (schema version 3):

- ``ever_published``: 1 once a version of the record was published. The OAI-PMH items are
  exactly these records: live while ``published = 1``, a deleted header after that
  (``deletedRecord=persistent``); a record that was never published is never announced.
- ``provider`` / ``provider_set``: the data provider's name and its setSpec segment, worked
  out when the record is published (kept for its deleted header).
- ``edm``: 1 when the record can be valid EDM, 0 when it cannot, NULL while not known (a
  data dir of an older version, a feed whose delivery settings changed): the core fills it.
- ``tiers``: JSON ``{"metadata", "content", "ceiling", "type", "gaps", "refused"}``.

The OAI-PMH lists are keyset-paged on ``(updated_at, record_id)`` (row values) over partial
indexes, so a page costs the same at the start and at the end of a million records; counts
are cached until the database changes.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ...records import now

# Columns added in version 3 (records) and run after the base schema: the media table and
# the partial indexes of the OAI-PMH lists.
RECORD_COLUMNS = (("ever_published", "INTEGER NOT NULL DEFAULT 0"), ("provider", "TEXT"),
                  ("provider_set", "TEXT"), ("edm", "INTEGER"), ("tiers", "TEXT"))
DELIVERY_SCHEMA = """
CREATE TABLE IF NOT EXISTS media (
    url         TEXT PRIMARY KEY,
    mime        TEXT,
    width       INTEGER,
    height      INTEGER,
    size        INTEGER,
    available   INTEGER,                          -- 0: the check could not fetch it
    checked_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_oai ON records (updated_at, record_id) WHERE ever_published = 1;
CREATE INDEX IF NOT EXISTS records_oai_edm ON records (updated_at, record_id)
    WHERE ever_published = 1 AND (published = 0 OR edm = 1);
CREATE INDEX IF NOT EXISTS records_oai_feed ON records (feed, updated_at, record_id) WHERE ever_published = 1;
CREATE INDEX IF NOT EXISTS records_oai_provider ON records (provider_set, updated_at, record_id)
    WHERE ever_published = 1;
CREATE INDEX IF NOT EXISTS records_stale ON records (feed, record_id) WHERE published = 1 AND edm IS NULL;
"""
_EDM = "(published = 0 OR edm = 1)"


def migrate_v3(db: sqlite3.Connection) -> None:
    """Version 2 → 3: the feeds' delivery settings; the records' delivery columns. A record
    published now, or withdrawn after it had been mapped, counts as once published."""
    db.execute("BEGIN IMMEDIATE")
    if "delivery" not in {row[1] for row in db.execute("PRAGMA table_info(feeds)")}:
        db.execute("ALTER TABLE feeds ADD COLUMN delivery TEXT NOT NULL DEFAULT '{}'")
    present = {row[1] for row in db.execute("PRAGMA table_info(records)")}
    for column, declaration in RECORD_COLUMNS:
        if column not in present:
            db.execute(f"ALTER TABLE records ADD COLUMN {column} {declaration}")
    db.execute("UPDATE records SET ever_published = 1 WHERE published = 1"
               " OR (state = 'withdrawn' AND object_iri IS NOT NULL)")
    db.execute("PRAGMA user_version = 3")
    db.execute("COMMIT")


class DeliveryIndex:
    """OAI-PMH lists, delivery columns, media and tier figures (needs ``_one``, ``_all``,
    ``transaction`` and ``_db`` of the State)."""

    _count_cache: dict[tuple, int]
    _count_version: tuple[int, int] | None = None

    # -- OAI-PMH ------------------------------------------------------------------------------
    @staticmethod
    def _oai_where(edm: bool, start: str | None, until: str | None, feed: str | None, provider: str | None,
                   any_provider: bool) -> tuple[list[str], list[Any]]:
        where, args = ["ever_published = 1"], []
        if edm:
            where.append(_EDM)
        if feed is not None:
            where.append("feed = ?")
            args.append(feed)
        if provider is not None:
            where.append("provider_set = ?")
            args.append(provider)
        elif any_provider:
            where.append("provider_set IS NOT NULL")
        if start:
            where.append("updated_at >= ?")
            args.append(start)
        if until:
            where.append("updated_at <= ?")
            args.append(until)
        return where, args

    def oai_records(self, *, edm: bool = False, start: str | None = None, until: str | None = None,
                    feed: str | None = None, provider: str | None = None, any_provider: bool = False,
                    after: tuple[str, str] | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The OAI-PMH items (records once published) in (updated_at, record_id) order after
        ``after``: ``record_id``, ``feed``, ``updated_at``, ``published``, ``provider_set``.
        ``edm`` leaves out live records that cannot be EDM; ``feed``, ``provider`` (a set
        slug) or ``any_provider`` select a set; ``start``/``until`` bound ``updated_at``."""
        where, args = self._oai_where(edm, start, until, feed, provider, any_provider)
        if after is not None:
            where.append("(updated_at, record_id) > (?, ?)")
            args += list(after)
        rows = self._all("SELECT record_id, feed, updated_at, published, provider_set FROM records WHERE "
                         + " AND ".join(where) + " ORDER BY updated_at, record_id LIMIT ?", *args, limit)
        return [{**dict(r), "published": bool(r["published"])} for r in rows]

    def oai_count(self, *, edm: bool = False, start: str | None = None, until: str | None = None,
                  feed: str | None = None, provider: str | None = None, any_provider: bool = False) -> int:
        """How many items :meth:`oai_records` would list in all (cached until the database changes)."""
        key = (edm, start, until, feed, provider, any_provider)
        with self._lock:
            version = (self._db.execute("PRAGMA data_version").fetchone()[0], self._db.total_changes)
            if version != self._count_version:
                self._count_cache, self._count_version = {}, version
            if key not in self._count_cache:
                where, args = self._oai_where(*key)
                self._count_cache[key] = int(self._db.execute(
                    "SELECT COUNT(*) FROM records WHERE " + " AND ".join(where), args).fetchone()[0])
            return self._count_cache[key]

    def oai_earliest(self) -> str | None:
        """The earliest ``updated_at`` of the OAI-PMH items, or None when there are none."""
        return self._one("SELECT MIN(updated_at) FROM records WHERE ever_published = 1")[0]

    def oai_sets(self) -> tuple[list[str], list[tuple[str, str]]]:
        """(feeds with items, (provider set slug, provider name) pairs), each sorted; read by
        skipping through the partial indexes, not by scanning the records."""
        feeds = [r[0] for r in self._all(
            "WITH RECURSIVE f(v) AS (SELECT MIN(feed) FROM records WHERE ever_published = 1 UNION ALL"
            " SELECT (SELECT MIN(feed) FROM records WHERE ever_published = 1 AND feed > f.v) FROM f"
            " WHERE f.v IS NOT NULL) SELECT v FROM f WHERE v IS NOT NULL")]
        slugs = [r[0] for r in self._all(
            "WITH RECURSIVE p(v) AS (SELECT MIN(provider_set) FROM records WHERE ever_published = 1 UNION ALL"
            " SELECT (SELECT MIN(provider_set) FROM records WHERE ever_published = 1 AND provider_set > p.v) FROM p"
            " WHERE p.v IS NOT NULL) SELECT v FROM p WHERE v IS NOT NULL")]
        providers = [(slug, self._one("SELECT provider FROM records WHERE ever_published = 1 AND provider_set = ?"
                                      " ORDER BY updated_at DESC LIMIT 1", slug)[0] or slug) for slug in slugs]
        return feeds, providers

    # -- the delivery columns -----------------------------------------------------------------------
    def delivery_stale(self, feed: str | None = None, *, limit: int = 500) -> list[dict[str, Any]]:
        """Published records whose delivery columns are not known (``edm`` NULL): ``record_id``,
        ``feed``, ``graph_iri``, ``updated_at``; ``feed`` None: of every feed."""
        sql = "SELECT record_id, feed, graph_iri, updated_at FROM records WHERE published = 1 AND edm IS NULL"
        args: list[Any] = []
        if feed is not None:
            sql += " AND feed = ?"
            args.append(feed)
        return [dict(r) for r in self._all(sql + " ORDER BY feed, record_id LIMIT ?", *args, limit)]

    def set_delivery(self, rows: list[dict[str, Any]]) -> int:
        """Write ``provider``, ``provider_set``, ``edm`` and ``tiers`` of records, unless the
        record changed since ``updated_at`` (then its new version carries its own)."""
        with self.transaction() as db:
            return sum(db.execute(
                "UPDATE records SET provider = ?, provider_set = ?, edm = ?, tiers = ? WHERE record_id = ?"
                " AND updated_at = ?", (r.get("provider"), r.get("provider_set"), r.get("edm"),
                                        _json(r.get("tiers")), r["record_id"], r["updated_at"])).rowcount
                for r in rows)

    def mark_delivery_stale(self, feed: str, *, touch: bool = False) -> int:
        """Forget what is known of the delivery of feed ``feed``'s published records, to work it
        out again; ``touch``: their EDM changes, so their ``updated_at`` (OAI datestamp) moves."""
        with self.transaction() as db:
            if touch:
                return db.execute("UPDATE records SET edm = NULL, updated_at = ? WHERE feed = ? AND published = 1",
                                  (now(), feed)).rowcount
            return db.execute("UPDATE records SET edm = NULL WHERE feed = ? AND published = 1", (feed,)).rowcount

    # -- media ----------------------------------------------------------------------------------------
    def put_media(self, infos: dict[str, dict[str, Any]]) -> None:
        """What a media check found per URL: ``mime``, ``width``, ``height``, ``size``, ``available``."""
        ts = now()
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO media (url, mime, width, height, size, available, checked_at) VALUES (?,?,?,?,?,?,?)"
                " ON CONFLICT (url) DO UPDATE SET mime = excluded.mime, width = excluded.width,"
                " height = excluded.height, size = excluded.size, available = excluded.available,"
                " checked_at = excluded.checked_at",
                [(url, i.get("mime"), i.get("width"), i.get("height"), i.get("size"),
                  None if i.get("available") is None else int(bool(i["available"])), ts) for url, i in infos.items()])

    def get_media(self, urls: list[str]) -> dict[str, dict[str, Any]]:
        """The media check's findings for those of ``urls`` that were checked."""
        out: dict[str, dict[str, Any]] = {}
        if not urls or self._one("SELECT 1 FROM media LIMIT 1") is None:
            return out
        unique = list(dict.fromkeys(urls))
        for i in range(0, len(unique), 500):
            chunk = unique[i:i + 500]
            for r in self._all(f"SELECT * FROM media WHERE url IN ({','.join('?' * len(chunk))})", *chunk):
                data = dict(r)
                data["available"] = None if data["available"] is None else bool(data["available"])
                out[data.pop("url")] = data
        return out

    # -- tier figures ---------------------------------------------------------------------------------
    def tier_summary(self, feed: str) -> dict[str, Any]:
        """A feed's published records by EDM readiness and, of the EDM-ready ones, by tier, with
        the commonest gaps (``gaps``: code, records, example) and refusal rules (``refused``:
        rule, records, example, the first message)."""
        row = self._one("SELECT COUNT(*) AS published, SUM(edm = 1) AS edm, SUM(edm = 0) AS not_edm,"
                        " SUM(edm IS NULL) AS unknown FROM records WHERE feed = ? AND published = 1", feed)
        out: dict[str, Any] = {k: int(row[k] or 0) for k in ("published", "edm", "not_edm", "unknown")}
        ready = "FROM records WHERE feed = ? AND published = 1 AND edm = 1"
        for key, path in (("content", "$.content"), ("content_ceiling", "$.ceiling"), ("metadata", "$.metadata")):
            out[key] = {str(r[0]): r[1] for r in self._all(
                f"SELECT json_extract(tiers, '{path}') AS t, COUNT(*) {ready} GROUP BY t", feed) if r[0] is not None}
        out["gaps"] = [dict(r) for r in self._all(
            "SELECT j.value AS code, COUNT(*) AS records, MIN(r.record_id) AS example FROM records r,"
            " json_each(r.tiers, '$.gaps') j WHERE r.feed = ? AND r.published = 1 AND r.edm = 1"
            " GROUP BY j.value ORDER BY records DESC, code", feed)]
        out["refused"] = [{**dict(r), "finding": json.loads(r["finding"])} for r in self._all(
            "SELECT json_extract(j.value, '$.rule') AS rule, COUNT(*) AS records, MIN(r.record_id) AS example,"
            " MIN(j.value) AS finding FROM records r, json_each(r.tiers, '$.refused') j WHERE r.feed = ?"
            " AND r.published = 1 AND r.edm = 0 GROUP BY rule ORDER BY records DESC, rule", feed)]
        return out


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
