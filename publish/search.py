"""The search index: SQLite FTS5 in the data dir, beside the RDF store, for ``/records``.

SPARQL ``CONTAINS`` over the store scans every literal (about 0.6 s on 2 M triples), so text
search and the filtered pages of ``/records`` come from this index instead. It is derived
data: each published record's graph is read once (at load time through the pipeline's hook,
or by :meth:`SearchIndex.rebuild` from the store and the state) and reduced to a
:class:`Doc` — title, description, object names, makers, date, keeper, rights, images.
Nothing ever flows from the index back into the store; ``oogst index rebuild`` recreates it
whole.

Tables (``search.sqlite``)::

    docs       one row per published record: ids, provider, slot, modified, has_image, the
               Doc as JSON
    terms      (kind, value, doc): the filterable values, kind = type | rights | provider
    labels     (kind, value, label): a readable label per term value (facets, filters by name)
    providers  provider → number, label, next slot
    text       FTS5 over title, description, makers, names (diacritics folded: "fetes"
               finds "Fêtes")

Plurality. The order of results interleaves data providers (the keeper of the object,
else the feed), so one large museum cannot bury a small archive (the Flemish vision on
cultural heritage data asks for plurality): round 1 holds the first record of every
provider, round 2 the second, and so on. Browsing uses each record's ``slot``, its place
among its provider's records, fixed when it is indexed (index ``(slot, provider, id)``, so
pages are read in order and stop early); a text search ranks each provider's matches by
BM25 and takes round after round of them. BM25 costs about 3 µs per match, so words that
match more than ``RANK_LIMIT`` records (and say little about relevance) are answered in two
tiers instead: records whose title holds the words, then the others, each in browse order.
A record's id is its provider's number shifted left 32 bits, plus its slot, so the text
index alone tells a match's provider. Pages continue with an opaque cursor (keyset
pagination: the last row's sort key, tagged with its order), so a page costs the same
however deep it is.
"""

from __future__ import annotations

import base64
import copy
import logging
import re
import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..errors import QueryError, StoreError

from .display import Doc, Link, extract
from ..records import chunks
from .search_put import fill_tallies, put_many, tally, untallied

log = logging.getLogger(__name__)

FACET_KINDS = ("provider", "type", "rights")
_WEIGHTS = (10.0, 2.0, 4.0, 4.0)  # BM25 weights of title, description, makers, names
RANK_LIMIT = 3_000  # more matches than this are not ranked by BM25 (see the module's docstring)
_WORD = re.compile(r"\w+", re.UNICODE)

SCHEMA_VERSION = 3  # PRAGMA user_version: an index of another version is dropped and rebuilt
SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (               -- narrow: what filters and orders read
    id          INTEGER PRIMARY KEY,            -- provider number << 32 | slot
    feed        TEXT NOT NULL,
    provider    TEXT NOT NULL,                  -- the data provider's key (casefolded name)
    slot        INTEGER NOT NULL,               -- place among the provider's records: browse order
    modified    TEXT NOT NULL,                  -- when this version was published (dcterms:modified)
    has_image   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_browse ON docs (slot, provider, id);
CREATE INDEX IF NOT EXISTS docs_feed ON docs (feed, slot, provider, id);
CREATE INDEX IF NOT EXISTS docs_provider ON docs (provider, slot, id);
CREATE INDEX IF NOT EXISTS docs_modified ON docs (modified);
CREATE INDEX IF NOT EXISTS docs_feed_image ON docs (feed, has_image);
CREATE INDEX IF NOT EXISTS docs_feed_modified ON docs (feed, modified);
CREATE TABLE IF NOT EXISTS bodies (             -- wide: what a page shows
    id          INTEGER PRIMARY KEY,
    record_id   TEXT NOT NULL UNIQUE,
    object_iri  TEXT NOT NULL,
    doc         TEXT NOT NULL                   -- the Doc as JSON
);
CREATE INDEX IF NOT EXISTS bodies_object ON bodies (object_iri);
CREATE TABLE IF NOT EXISTS terms (
    kind  TEXT NOT NULL,
    value TEXT NOT NULL,
    doc   INTEGER NOT NULL,
    PRIMARY KEY (kind, value, doc)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_doc ON terms (doc, kind, value);
CREATE TABLE IF NOT EXISTS labels (
    kind  TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS labels_label ON labels (kind, label COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS providers (
    provider  TEXT PRIMARY KEY,
    num       INTEGER NOT NULL UNIQUE,          -- the high half of its records' ids
    label     TEXT NOT NULL,
    iri       TEXT,                             -- the keeper's IRI, if the provider is one
    next_slot INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tallies (          -- per feed: records, and records per rights statement and per
    feed  TEXT NOT NULL,                         -- provider (feed_stats), kept as documents come and go
    kind  TEXT NOT NULL,                         -- records | rights | provider
    value TEXT NOT NULL,                         -- '' | the rights statement's IRI | the provider's key
    n     INTEGER NOT NULL,
    PRIMARY KEY (feed, kind, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', 0);
CREATE VIRTUAL TABLE IF NOT EXISTS text USING fts5(
    title, description, makers, names, tokenize = 'unicode61 remove_diacritics 2'
);
"""


@dataclass(frozen=True)
class Query:
    """What a page of ``/records`` asks for. Values of ``type``, ``rights`` and ``provider``
    are IRIs or labels (case-insensitive); each list means "any of these"."""

    q: str | None = None
    feed: list[str] = field(default_factory=list)
    provider: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    rights: list[str] = field(default_factory=list)
    has_image: bool | None = None
    modified_since: str | None = None
    iri: str | None = None


@dataclass
class Page:
    docs: list[Doc]
    next_cursor: str | None


def fts_query(text: str) -> str | None:
    """A user's words as an FTS5 query: every word must occur (a trailing ``*`` makes the
    last one a prefix). Operators and quotes in the input are not FTS5 syntax here."""
    words = _WORD.findall(text)
    if not words:
        return None
    terms = [f'"{w}"' for w in words]
    if text.rstrip().endswith("*"):
        terms[-1] += "*"
    return " ".join(terms)


def _encode_cursor(mode: str, values: tuple[Any, ...]) -> str:
    """The sort key of a page's last row, tagged with the order it belongs to."""
    return base64.urlsafe_b64encode(orjson.dumps([mode[0], *values])).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, mode: str, kinds: tuple[type, ...]) -> tuple[Any, ...]:
    try:
        tag, *values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if tag != mode[0] or len(values) != len(kinds):
            raise ValueError("a cursor of another order")
        return tuple(kind(v) for kind, v in zip(kinds, values, strict=True))
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise QueryError(f"the cursor {cursor!r} does not continue this search",
                         hint="follow the `next` link of the previous page; when the records changed "
                         "meanwhile, start again from the first page") from exc


def _and(conditions: list[str], *, first: bool = False) -> str:
    """SQL conditions joined with AND, after a WHERE (``first``) or after other conditions."""
    if not conditions:
        return ""
    return (" WHERE " if first else " AND ") + " AND ".join(conditions)


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


def _is_iri(value: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) is not None and " " not in value


class SearchIndex:
    """The index file. Safe to share between threads: each reading thread has its own
    connection (SQLite reads then run side by side); writes go through one locked one."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._summaries: OrderedDict[tuple[Any, ...], Any] = OrderedDict()  # facets, feed stats
        self._writer = self._connect()
        try:
            with self._transaction() as db:
                if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    # An index of another layout: derived data, so start afresh (and refill).
                    for table in ("docs", "bodies", "terms", "labels", "providers", "meta", "text"):
                        db.execute(f"DROP TABLE IF EXISTS {table}")
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                if not db.execute("SELECT 1 FROM tallies LIMIT 1").fetchone():
                    fill_tallies(db)  # an index written before the tallies were kept (or an empty one)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the search index {self.path}: {exc}",
                             hint="remove the file and run `oogst index rebuild`") from exc

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the search index {self.path}: {exc}") from exc
        with self._lock:
            self._connections.append(db)
        return db

    @property
    def _reader(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
                self._writer.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    # -- writes ---------------------------------------------------------------------------
    def put(self, docs: Iterable[Doc]) -> int:
        """Add or replace these records; returns how many. One transaction, a few bulk
        statements per batch: the records' old rows are read and deleted together, their
        slots handed out in order per provider, and every table is written by one
        ``executemany``."""
        with self._transaction() as db:
            return put_many(db, docs)


    @staticmethod
    def _delete(db: sqlite3.Connection, rowid: int) -> None:
        for sql in ("DELETE FROM docs WHERE id = ?", "DELETE FROM bodies WHERE id = ?",
                    "DELETE FROM terms WHERE doc = ?", "DELETE FROM text WHERE rowid = ?"):
            db.execute(sql, (rowid,))

    def remove(self, record_ids: Iterable[str]) -> int:
        """Forget these records (withdrawn, or their feed removed); unknown ids are ignored."""
        n = 0
        with self._transaction() as db:
            ids = [row[0] for record_id in record_ids
                   for row in db.execute("SELECT id FROM bodies WHERE record_id = ?", (record_id,))]
            gone = untallied(db, ids)
            for rowid in ids:
                self._delete(db, rowid)
                n += 1
            tally(db, gone)
        return n

    def remove_feed(self, feed: str) -> int:
        with self._transaction() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM docs WHERE feed = ?", (feed,))]
            for rowid in ids:
                self._delete(db, rowid)
            db.execute("DELETE FROM tallies WHERE feed = ?", (feed,))
        return len(ids)

    def rebuild(self, docs: Iterable[Doc], *, only_if_empty: bool = False,
                progress: Callable[[int], None] | None = None) -> int | None:
        """Empty the index and fill it again with ``docs`` (every published record, made by
        the core from the state and the store); returns how many records it holds, or None
        when ``only_if_empty`` found it filled already (another process built it first). One
        transaction: readers see the old index until it is done."""
        n = 0
        with self._transaction() as db:
            if only_if_empty and db.execute("SELECT 1 FROM docs LIMIT 1").fetchone():
                return None
            for table in ("docs", "bodies", "terms", "labels", "providers", "text", "tallies"):
                db.execute(f"DELETE FROM {table}")
            for chunk in chunks(docs, 1000):
                n += put_many(db, chunk)
                if progress:
                    progress(n)
            db.execute("INSERT INTO text (text) VALUES ('optimize')")
        if progress:
            progress(n)
        log.info("search index %s rebuilt: %d records", self.path, n)
        return n

    # -- reads ----------------------------------------------------------------------------
    def count(self, feed: str | None = None) -> int:
        if feed is not None:
            return self._reader.execute("SELECT COUNT(*) FROM docs WHERE feed = ?", (feed,)).fetchone()[0]
        return self._reader.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def present(self, ids: list[str] | None = None, *, feed: str = "") -> set[str]:
        """Which of these records the index holds, or every record of ``feed`` (``oogst check``)."""
        sql = "SELECT record_id FROM bodies WHERE record_id IN ({})"
        return ({r[0] for n in range(0, len(ids), 500) for r in self._reader.execute(
            sql.format(_marks(ids[n:n + 500])), ids[n:n + 500])} if ids is not None else {r[0] for r in self._reader
                .execute("SELECT b.record_id FROM docs d JOIN bodies b ON b.id = d.id WHERE d.feed = ?", (feed,))})

    def get(self, record_id: str) -> Doc | None:
        row = self._reader.execute("SELECT doc FROM bodies WHERE record_id = ?", (record_id,)).fetchone()
        return Doc.from_dict(orjson.loads(row[0])) if row else None

    def _values(self, kind: str, wanted: list[str]) -> list[str]:
        """Term values for filter values given as IRIs or as labels (case-insensitive)."""
        iris = [w for w in wanted if _is_iri(w)]
        names = [w for w in wanted if not _is_iri(w)]
        if kind == "provider":
            return [w.casefold() for w in wanted]
        if names:
            iris += [r[0] for r in self._reader.execute(
                f"SELECT value FROM labels WHERE kind = ? AND label COLLATE NOCASE IN ({_marks(names)})",
                (kind, *names))]
        return iris

    def _where(self, query: Query, *, browse: bool = False) -> tuple[list[str], list[Any]]:
        """SQL conditions on ``docs d`` for the filters of ``query`` (not its text).

        A type or rights filter is tested per row (``EXISTS``) while pages are read in
        browse order, which stops after one page when the filter is common; a rare one
        (under 5 % of the records) is read from its terms first and sorted instead."""
        where: list[str] = []
        args: list[Any] = []
        if query.feed:
            where.append(f"d.feed IN ({_marks(query.feed)})")
            args += query.feed
        if query.provider:
            values = self._values("provider", query.provider)
            where.append(f"d.provider IN ({_marks(values)})")
            args += values
        for kind in ("type", "rights"):
            wanted = getattr(query, kind)
            if not wanted:
                continue
            values = self._values(kind, wanted) or [""]
            terms = f"kind = ? AND value IN ({_marks(values)})"
            rare = browse and 20 * self._reader.execute(
                f"SELECT COUNT(*) FROM terms WHERE {terms}", (kind, *values)).fetchone()[0] < self.count()
            if rare:
                where.append(f"d.id IN (SELECT doc FROM terms WHERE {terms})")
            else:
                where.append(f"EXISTS (SELECT 1 FROM terms t WHERE t.{terms.replace('value', 't.value')}"
                             " AND t.doc = d.id)")
            args += [kind, *values]
        if query.has_image is not None:
            where.append("d.has_image = ?")
            args.append(int(query.has_image))
        if query.modified_since:
            where.append("d.modified >= ?")
            args.append(query.modified_since)
        if query.iri:
            where.append("d.id IN (SELECT id FROM bodies WHERE object_iri = ?)")
            args.append(query.iri)
        return where, args

    def search(self, query: Query, *, limit: int = 50, cursor: str | None = None) -> Page:
        """One page of records in plurality order (see the module's docstring)."""
        match = fts_query(query.q) if query.q else None
        where, args = self._where(query, browse=match is None)
        db = self._reader
        if match is None:
            mode, kinds = "browse", (int, str, int)
            select = "SELECT d.slot, d.provider, d.id FROM docs d" + _and(where, first=True)
            order = "slot, provider, id"
        elif db.execute("SELECT COUNT(*) FROM text WHERE text MATCH ?", (match,)).fetchone()[0] <= RANK_LIMIT:
            mode, kinds = "ranked", (int, float, int)
            weights = ", ".join(str(w) for w in _WEIGHTS)
            if where:
                matches = (f"SELECT d.id, d.id >> 32 AS provider, bm25(text, {weights}) AS score FROM text"
                           " JOIN docs d ON d.id = text.rowid WHERE text MATCH ?" + _and(where))
            else:  # the provider is in the id: the text index alone answers
                matches = (f"SELECT rowid AS id, rowid >> 32 AS provider, bm25(text, {weights}) AS score"
                           " FROM text WHERE text MATCH ?")
            args = [match, *args]
            select = ("SELECT k, score, id FROM (SELECT id, score, ROW_NUMBER() OVER"
                      f" (PARTITION BY provider ORDER BY score, id) AS k FROM ({matches}))")
            order = "k, score, id"
        else:
            return self._tiered(match, where, args, limit, cursor)
        if cursor:
            select += f" {'AND' if mode == 'browse' and where else 'WHERE'} ({order}) > ({_marks(list(kinds))})"
            args += list(_decode_cursor(cursor, mode, kinds))
        return self._page(self._rows(f"{select} ORDER BY {order} LIMIT ?", (*args, limit + 1)), limit, mode)

    def _tiered(self, match: str, where: list[str], args: list[Any], limit: int, cursor: str | None) -> Page:
        """Many matches: those with the words in the title, then the rest, each tier in
        browse order (read in index order, so a page stops early)."""
        in_text = "d.id IN (SELECT rowid FROM text WHERE text MATCH ?)"
        title = f"title : ({match})"
        tiers = [([in_text], [title]), ([in_text, f"NOT {in_text}"], [match, title])]
        start = _decode_cursor(cursor, "tiered", (int, int, str, int)) if cursor else (0, None, None, None)
        if start[0] not in (0, 1):
            raise QueryError(f"the cursor {cursor!r} does not continue this search")
        rows: list[tuple[Any, ...]] = []
        for tier in range(start[0], 2):
            conditions, params = list(tiers[tier][0]), list(tiers[tier][1])
            if tier == start[0] and cursor:
                conditions.append("(d.slot, d.provider, d.id) > (?, ?, ?)")
                params += list(start[1:])
            sql = (f"SELECT {tier}, d.slot, d.provider, d.id FROM docs d{_and([*conditions, *where], first=True)}"
                   " ORDER BY d.slot, d.provider, d.id LIMIT ?")
            rows += self._rows(sql, (*params, *args, limit + 1 - len(rows)))
            if len(rows) > limit:
                break
        return self._page(rows, limit, "tiered")

    def _rows(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._reader.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            raise QueryError(f"the search failed: {exc}", hint="search words are letters and digits") from exc

    def _page(self, rows: list[tuple[Any, ...]], limit: int, mode: str) -> Page:
        """The docs of the first ``limit`` rows (their id is the last column), and the cursor
        after them when there are more."""
        ids = [row[-1] for row in rows[:limit]]
        bodies = dict(self._reader.execute(f"SELECT id, doc FROM bodies WHERE id IN ({_marks(ids)})", ids))
        docs = [Doc.from_dict(orjson.loads(bodies[i])) for i in ids]
        return Page(docs, _encode_cursor(mode, tuple(rows[limit - 1])) if len(rows) > limit else None)

    def _summary(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, kept until the index changes (a few hundred recent answers)."""
        key = (self._reader.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0], *key)
        with self._lock:
            if key in self._summaries:
                self._summaries.move_to_end(key)
                return self._summaries[key]
        value = compute()
        with self._lock:
            self._summaries[key] = value
            while len(self._summaries) > 256:
                self._summaries.popitem(last=False)
        return value

    def facets(self, query: Query, *, size: int = 12) -> dict[str, list[dict[str, Any]]]:
        """Counts per provider, type, rights, feed and has-image among the matching
        records, the largest ``size`` of each (kept until the index changes)."""
        return copy.deepcopy(self._summary(("facets", repr(query), size), lambda: self._facets(query, size)))

    def _facets(self, query: Query, size: int) -> dict[str, list[dict[str, Any]]]:
        where, args = self._where(query)
        match = fts_query(query.q) if query.q else None
        if match is not None:
            where.insert(0, "d.id IN (SELECT rowid FROM text WHERE text MATCH ?)")
            args.insert(0, match)
        db = self._reader
        if where:
            matching = f"(SELECT d.id, d.feed, d.has_image FROM docs d WHERE {' AND '.join(where)})"
            terms = db.execute(f"SELECT t.kind, t.value, COUNT(*) FROM {matching} m JOIN terms t ON t.doc = m.id"
                               " GROUP BY t.kind, t.value", args).fetchall()
        else:
            matching = "docs"
            terms = db.execute("SELECT kind, value, COUNT(*) FROM terms GROUP BY kind, value").fetchall()
        counts: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for kind, value, n in terms:
            counts[kind].append((-n, value))
        out: dict[str, list[dict[str, Any]]] = {}
        for kind in FACET_KINDS:
            top = sorted(counts[kind])[:size]
            values = [v for _, v in top]
            labels = dict(db.execute(f"SELECT value, label FROM labels WHERE kind = ? AND value IN ({_marks(values)})",
                                     (kind, *values))) if values else {}
            out[kind] = [{"value": labels.get(v, v) if kind == "provider" else v, "label": labels.get(v, v),
                          "count": -n} for n, v in top]
        feeds: dict[str, int] = defaultdict(int)
        images: dict[bool, int] = defaultdict(int)
        for feed, has_image, n in db.execute(f"SELECT feed, has_image, COUNT(*) FROM {matching}"
                                             " GROUP BY feed, has_image", args if where else ()):
            feeds[feed] += n
            images[bool(has_image)] += n
        out["feed"] = [{"value": f, "label": f, "count": n}
                       for f, n in sorted(feeds.items(), key=lambda item: (-item[1], item[0]))[:size]]
        out["has_image"] = [{"value": v, "label": "ja / yes" if v else "nee / no", "count": images[v]}
                            for v in (True, False) if images[v]]
        return out

    def feed_stats(self) -> dict[str, dict[str, Any]]:
        """Per feed: records, last update, licences (rights IRI → records) and data
        providers (label, IRI, records); kept until the index changes."""
        return copy.deepcopy(self._summary(("feed_stats",), self._feed_stats))

    def _feed_stats(self) -> dict[str, dict[str, Any]]:
        """From the tallies (a few rows a feed) and an index lookup per feed for the last
        update: the same at any size of the index."""
        db = self._reader
        stats: dict[str, dict[str, Any]] = {}
        db.execute("BEGIN")  # one snapshot: the tallies and the dates of the same generation
        try:
            for feed, n in db.execute("SELECT feed, n FROM tallies WHERE kind = 'records' ORDER BY feed"):
                modified = db.execute("SELECT MAX(modified) FROM docs WHERE feed = ?", (feed,)).fetchone()[0]
                stats[feed] = {"records": n, "modified": modified or None, "rights": {}, "providers": []}
            for feed, value, n in db.execute(
                    "SELECT feed, value, n FROM tallies WHERE kind = 'rights' ORDER BY n DESC, value"):
                stats[feed]["rights"][value] = n
            for feed, label, iri, n in db.execute(
                    "SELECT t.feed, p.label, p.iri, t.n FROM tallies t JOIN providers p ON p.provider = t.value"
                    " WHERE t.kind = 'provider' ORDER BY t.n DESC, t.value"):
                stats[feed]["providers"].append({"label": label, "iri": iri, "records": n})
        finally:
            db.execute("COMMIT")
        return stats

__all__ = ["Doc", "Link", "Page", "Query", "SearchIndex", "extract", "fts_query"]

