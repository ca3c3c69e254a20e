"""The search index in PostgreSQL (the ``scale`` extra), used when the state is there: the same
:class:`~oogst.publish.search.SearchIndex` API, filters, facets, cursors and plurality order
as the SQLite FTS5 one (see that module's docstring), for several machines.

Full text is a ``tsvector`` of two configurations: ``dutch`` (stems: "schilderijen" finds
"schilderij") and ``simple`` (every word as written, also stop words and names), weighted
title A, makers and object names B, description C, over text whose diacritics are folded in
Python ("fetes" finds "Fêtes", as FTS5's ``remove_diacritics``). Every word of a search must
match in either configuration; matches are ranked by ``ts_rank`` within each provider, and
more than ``RANK_LIMIT`` matches come in the two tiers of the SQLite index (title first).
Writers queue on an advisory lock: a record's slot among its provider's records is handed
out in order. Tables are prefixed ``search_`` beside the state's.
"""

from __future__ import annotations

import copy
import re
import threading
import unicodedata
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from .. import redact
from ..errors import ConfigError, QueryError, StoreError
from . import search as _search
from .display import Doc
from .search import FACET_KINDS, Page, Query, _decode_cursor, _encode_cursor, _is_iri

_LOCK = 0x006F6F6773740003  # advisory lock key of the index's writers
_RANK_WEIGHTS = "{0.2, 0.2, 0.4, 1.0}"  # D, C (description), B (makers, names), A (title)
_WORD = re.compile(r"\w+", re.UNICODE)

MIGRATIONS = [(1, """
CREATE TABLE search_providers (
    provider  TEXT COLLATE "C" PRIMARY KEY,
    num       BIGINT NOT NULL UNIQUE,
    label     TEXT NOT NULL,
    iri       TEXT,
    next_slot BIGINT NOT NULL
);
CREATE TABLE search_docs (
    id          BIGINT PRIMARY KEY,
    record_id   TEXT COLLATE "C" NOT NULL UNIQUE,
    object_iri  TEXT COLLATE "C" NOT NULL,
    feed        TEXT COLLATE "C" NOT NULL,
    provider    TEXT COLLATE "C" NOT NULL,
    slot        BIGINT NOT NULL,
    modified    TEXT COLLATE "C" NOT NULL,
    has_image   BOOLEAN NOT NULL,
    doc         TEXT NOT NULL,
    tsv         TSVECTOR NOT NULL,
    title_tsv   TSVECTOR NOT NULL
);
CREATE INDEX search_docs_browse ON search_docs (slot, provider, id);
CREATE INDEX search_docs_feed ON search_docs (feed, slot, provider, id);
CREATE INDEX search_docs_provider ON search_docs (provider, slot, id);
CREATE INDEX search_docs_modified ON search_docs (modified);
CREATE INDEX search_docs_object ON search_docs (object_iri);
CREATE INDEX search_docs_text ON search_docs USING GIN (tsv);
CREATE INDEX search_docs_title ON search_docs USING GIN (title_tsv);
CREATE TABLE search_terms (
    kind  TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    doc   BIGINT NOT NULL,
    PRIMARY KEY (kind, value, doc)
);
CREATE INDEX search_terms_doc ON search_terms (doc);
CREATE TABLE search_labels (
    kind  TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX search_labels_label ON search_labels (kind, lower(label));
CREATE TABLE search_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO search_meta (key, value) VALUES ('generation', 0);
""")]

_TSV = ("setweight(to_tsvector('dutch', %(title)s) || to_tsvector('simple', %(title)s), 'A') ||"
        " setweight(to_tsvector('dutch', %(people)s) || to_tsvector('simple', %(people)s), 'B') ||"
        " setweight(to_tsvector('dutch', %(description)s) || to_tsvector('simple', %(description)s), 'C')")


def fold(text: str) -> str:
    """Lower case without diacritics (the text of both the index and the searches)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def tsquery(text: str) -> tuple[str, list[str]] | None:
    """SQL for a ``tsquery`` of a user's words (each in ``dutch`` or ``simple``; a trailing ``*``
    makes the last a prefix) and its parameters; None without words."""
    words = _WORD.findall(fold(text))
    if not words:
        return None
    terms = [f"'{w}'" for w in words]
    if text.rstrip().endswith("*"):
        terms[-1] += ":*"
    sql = " && ".join("(to_tsquery('dutch', %s) || to_tsquery('simple', %s))" for _ in terms)
    return sql, [t for term in terms for t in (term, term)]


def _marks(values: list[Any]) -> str:
    return ",".join(["%s"] * len(values))


def _and(conditions: list[str], *, first: bool = False) -> str:
    return ((" WHERE " if first else " AND ") + " AND ".join(conditions)) if conditions else ""


class PostgresSearchIndex:
    """The index in the PostgreSQL database at ``url`` (its search path's first schema)."""

    def __init__(self, url: str, *, pool_size: int = 4) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise ConfigError("a PostgreSQL search index needs psycopg 3", hint="pip install 'oogst[scale]'") from None
        self._psycopg = psycopg
        self.path = redact.url(url) or ""
        self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, kwargs={"autocommit": True},
                                    open=False, name="oogst-search")
        self._lock = threading.Lock()
        self._summaries: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        try:
            self._pool.open(wait=True, timeout=30)
            with self._pool.connection() as db, db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                db.execute("CREATE TABLE IF NOT EXISTS oogst_schema (component TEXT PRIMARY KEY, version INTEGER"
                           " NOT NULL, migrated_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                row = db.execute("SELECT version FROM oogst_schema WHERE component = 'search'").fetchone()
                for number, script in MIGRATIONS:
                    if number > (row[0] if row else 0):
                        db.execute(script)
                        db.execute("INSERT INTO oogst_schema (component, version) VALUES ('search', %s) ON CONFLICT"
                                   " (component) DO UPDATE SET version = excluded.version", (number,))
        except Exception as exc:  # noqa: BLE001 - psycopg's and the pool's errors
            self._pool.close()
            raise StoreError(f"cannot open the search index in {self.path}: {exc}",
                             hint="check OOGST_STATE and that PostgreSQL is up") from None

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """One write transaction: writers queue, and the generation (of the cached summaries) moves on."""
        with self._pool.connection() as db, db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            yield db
            db.execute("UPDATE search_meta SET value = value + 1 WHERE key = 'generation'")

    # -- writes ---------------------------------------------------------------------------
    def put(self, docs: Iterable[Doc]) -> int:
        n = 0
        with self._write() as db:
            for doc in docs:
                self._put(db, doc)
                n += 1
        return n

    def _put(self, db: Any, doc: Doc) -> None:
        provider = doc.provider.casefold()
        old = db.execute("SELECT id, provider, slot FROM search_docs WHERE record_id = %s", (doc.record_id,)).fetchone()
        if old is not None:
            self._delete(db, old[0])
        if old is not None and old[1] == provider:
            rowid, slot = old[0], old[2]
        else:
            row = db.execute("SELECT num, next_slot FROM search_providers WHERE provider = %s", (provider,)).fetchone()
            if row is None:
                row = (db.execute("SELECT COALESCE(MAX(num), 0) + 1 FROM search_providers").fetchone()[0], 1)
            num, slot = row
            rowid = num << 32 | slot
            db.execute("INSERT INTO search_providers (provider, num, label, iri, next_slot) VALUES (%s, %s, %s, %s, %s)"
                       " ON CONFLICT (provider) DO UPDATE SET next_slot = excluded.next_slot, label = excluded.label,"
                       " iri = excluded.iri", (provider, num, doc.provider, doc.keeper.iri if doc.keeper else None,
                                               slot + 1))
        text = {"title": fold(" ".join(t for t, _ in doc.titles)), "description": fold(doc.description or ""),
                "people": fold(" ".join([*(m.label or "" for m in doc.makers), *(t.label or "" for t in doc.types)]))}
        db.execute(
            "INSERT INTO search_docs (id, record_id, object_iri, feed, provider, slot, modified, has_image, doc, tsv,"
            " title_tsv) VALUES (%(id)s, %(record_id)s, %(object_iri)s, %(feed)s, %(provider)s, %(slot)s,"
            f" %(modified)s, %(has_image)s, %(doc)s, {_TSV},"
            " to_tsvector('dutch', %(title)s) || to_tsvector('simple', %(title)s))",
            {"id": rowid, "record_id": doc.record_id, "object_iri": doc.object_iri, "feed": doc.feed,
             "provider": provider, "slot": slot, "modified": doc.modified or "", "has_image": bool(doc.images),
             "doc": orjson.dumps(doc.as_dict()).decode("utf-8"), **text})
        terms = {("provider", provider, doc.provider)}
        terms |= {("type", t.iri, t.label or t.iri) for t in doc.types}
        terms |= {("rights", r, r) for r in doc.rights}
        with db.cursor() as cur:
            cur.executemany("INSERT INTO search_terms (kind, value, doc) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                            [(kind, value, rowid) for kind, value, _ in sorted(terms)])
            cur.executemany("INSERT INTO search_labels (kind, value, label) VALUES (%s, %s, %s)"
                            " ON CONFLICT (kind, value) DO UPDATE SET label = excluded.label", sorted(terms))

    @staticmethod
    def _delete(db: Any, rowid: int) -> None:
        db.execute("DELETE FROM search_docs WHERE id = %s", (rowid,))
        db.execute("DELETE FROM search_terms WHERE doc = %s", (rowid,))

    def remove(self, record_ids: Iterable[str]) -> int:
        n = 0
        with self._write() as db:
            for record_id in record_ids:
                row = db.execute("SELECT id FROM search_docs WHERE record_id = %s", (record_id,)).fetchone()
                if row is not None:
                    self._delete(db, row[0])
                    n += 1
        return n

    def remove_feed(self, feed: str) -> int:
        with self._write() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM search_docs WHERE feed = %s", (feed,))]
            for rowid in ids:
                self._delete(db, rowid)
        return len(ids)

    def rebuild(self, docs: Iterable[Doc], *, only_if_empty: bool = False,
                progress: Callable[[int], None] | None = None) -> int | None:
        """Empty the index and fill it with ``docs`` in one transaction (readers see the old one
        until it commits); None when ``only_if_empty`` found it filled already."""
        n = 0
        with self._write() as db:
            if only_if_empty and db.execute("SELECT 1 FROM search_docs LIMIT 1").fetchone():
                return None
            db.execute("TRUNCATE search_docs, search_terms, search_labels, search_providers")
            for doc in docs:
                self._put(db, doc)
                n += 1
                if progress and n % 1000 == 0:
                    progress(n)
        if progress:
            progress(n)
        return n

    # -- reads ----------------------------------------------------------------------------
    def _rows(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._pool.connection() as db:
            try:
                return db.execute(sql, list(args)).fetchall()
            except self._psycopg.errors.DataError as exc:
                raise QueryError(f"the search failed: {exc}", hint="search words are letters and digits") from exc

    def count(self, feed: str | None = None) -> int:
        if feed is not None:
            return int(self._rows("SELECT COUNT(*) FROM search_docs WHERE feed = %s", (feed,))[0][0])
        return int(self._rows("SELECT COUNT(*) FROM search_docs")[0][0])

    def present(self, ids: list[str] | None = None, *, feed: str = "") -> set[str]:
        """Which of these records the index holds, or every record of ``feed`` (``oogst check``)."""
        if ids is None:
            return {r[0] for r in self._rows("SELECT record_id FROM search_docs WHERE feed = %s", (feed,))}
        return {r[0] for n in range(0, len(ids), 500) for r in self._rows(
            "SELECT record_id FROM search_docs WHERE record_id = ANY(%s)", (ids[n:n + 500],))}

    def get(self, record_id: str) -> Doc | None:
        rows = self._rows("SELECT doc FROM search_docs WHERE record_id = %s", (record_id,))
        return Doc.from_dict(orjson.loads(rows[0][0])) if rows else None

    def _values(self, kind: str, wanted: list[str]) -> list[str]:
        if kind == "provider":
            return [w.casefold() for w in wanted]
        iris = [w for w in wanted if _is_iri(w)]
        names = [w.lower() for w in wanted if not _is_iri(w)]
        if names:
            iris += [r[0] for r in self._rows(
                f"SELECT value FROM search_labels WHERE kind = %s AND lower(label) IN ({_marks(names)})",
                (kind, *names))]
        return iris

    def _where(self, query: Query) -> tuple[list[str], list[Any]]:
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
            if wanted:
                values = self._values(kind, wanted) or [""]
                where.append(f"EXISTS (SELECT 1 FROM search_terms t WHERE t.kind = %s AND t.value IN ({_marks(values)})"
                             " AND t.doc = d.id)")
                args += [kind, *values]
        if query.has_image is not None:
            where.append("d.has_image = %s")
            args.append(bool(query.has_image))
        if query.modified_since:
            where.append("d.modified >= %s")
            args.append(query.modified_since)
        if query.iri:
            where.append("d.object_iri = %s")
            args.append(query.iri)
        return where, args

    def search(self, query: Query, *, limit: int = 50, cursor: str | None = None) -> Page:
        match = tsquery(query.q) if query.q else None
        where, args = self._where(query)
        if match is None:
            mode, kinds = "browse", (int, str, int)
            select = "SELECT d.slot, d.provider, d.id FROM search_docs d" + _and(where, first=True)
            order = "slot, provider, id"
            keyset = " AND " if where else " WHERE "
        else:
            q, q_args = match
            found = self._rows(f"SELECT COUNT(*) FROM search_docs d WHERE d.tsv @@ ({q})", q_args)[0][0]
            if found > _search.RANK_LIMIT:
                return self._tiered(match, where, args, limit, cursor)
            mode, kinds = "ranked", (int, float, int)
            select = (f"SELECT k, score, id FROM (SELECT id, score, ROW_NUMBER() OVER (PARTITION BY provider"
                      f" ORDER BY score, id) AS k FROM (SELECT d.id, d.provider,"
                      f" (-ts_rank('{_RANK_WEIGHTS}', d.tsv, m.q))::float8 AS score FROM search_docs d,"
                      f" (SELECT {q} AS q) m WHERE d.tsv @@ m.q{_and(where)}) s) r")
            args = [*q_args, *args]
            order, keyset = "k, score, id", " WHERE "
        if cursor:
            select += f"{keyset}({order}) > (%s, %s, %s)"
            args += list(_decode_cursor(cursor, mode, kinds))
        return self._page(self._rows(f"{select} ORDER BY {order} LIMIT %s", (*args, limit + 1)), limit, mode)

    def _tiered(self, match: tuple[str, list[str]], where: list[str], args: list[Any], limit: int,
                cursor: str | None) -> Page:
        q, q_args = match
        tiers = [f"d.title_tsv @@ ({q})", f"d.tsv @@ ({q}) AND NOT d.title_tsv @@ ({q})"]
        tier_args = [q_args, [*q_args, *q_args]]
        start = _decode_cursor(cursor, "tiered", (int, int, str, int)) if cursor else (0, None, None, None)
        if start[0] not in (0, 1):
            raise QueryError(f"the cursor {cursor!r} does not continue this search")
        rows: list[tuple[Any, ...]] = []
        for tier in range(start[0], 2):
            conditions, params = [tiers[tier]], list(tier_args[tier])
            if tier == start[0] and cursor:
                conditions.append("(d.slot, d.provider, d.id) > (%s, %s, %s)")
                params += list(start[1:])
            sql = (f"SELECT {tier}, d.slot, d.provider, d.id FROM search_docs d"
                   f"{_and([*conditions, *where], first=True)} ORDER BY d.slot, d.provider, d.id LIMIT %s")
            rows += self._rows(sql, (*params, *args, limit + 1 - len(rows)))
            if len(rows) > limit:
                break
        return self._page(rows, limit, "tiered")

    def _page(self, rows: list[tuple[Any, ...]], limit: int, mode: str) -> Page:
        ids = [row[-1] for row in rows[:limit]]
        bodies = dict(self._rows(f"SELECT id, doc FROM search_docs WHERE id IN ({_marks(ids)})", ids)) if ids else {}
        docs = [Doc.from_dict(orjson.loads(bodies[i])) for i in ids]
        return Page(docs, _encode_cursor(mode, tuple(rows[limit - 1])) if len(rows) > limit else None)

    def _summary(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        key = (self._rows("SELECT value FROM search_meta WHERE key = 'generation'")[0][0], *key)
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
        return copy.deepcopy(self._summary(("facets", repr(query), size), lambda: self._facets(query, size)))

    def _facets(self, query: Query, size: int) -> dict[str, list[dict[str, Any]]]:
        where, args = self._where(query)
        match = tsquery(query.q) if query.q else None
        if match is not None:
            where.insert(0, f"d.tsv @@ ({match[0]})")
            args = [*match[1], *args]
        matching = f"(SELECT d.id, d.feed, d.has_image FROM search_docs d{_and(where, first=True)})"
        terms = self._rows(f"SELECT t.kind, t.value, COUNT(*) FROM {matching} m JOIN search_terms t ON t.doc = m.id"
                           " GROUP BY t.kind, t.value", args)
        counts: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for kind, value, n in terms:
            counts[kind].append((-n, value))
        out: dict[str, list[dict[str, Any]]] = {}
        for kind in FACET_KINDS:
            top = sorted(counts[kind])[:size]
            values = [v for _, v in top]
            labels = dict(self._rows(f"SELECT value, label FROM search_labels WHERE kind = %s AND value IN"
                                     f" ({_marks(values)})", (kind, *values))) if values else {}
            out[kind] = [{"value": labels.get(v, v) if kind == "provider" else v, "label": labels.get(v, v),
                          "count": -n} for n, v in top]
        feeds: dict[str, int] = defaultdict(int)
        images: dict[bool, int] = defaultdict(int)
        for feed, has_image, n in self._rows(f"SELECT feed, has_image, COUNT(*) FROM {matching} m"
                                             " GROUP BY feed, has_image", args):
            feeds[feed] += n
            images[bool(has_image)] += n
        out["feed"] = [{"value": f, "label": f, "count": n}
                       for f, n in sorted(feeds.items(), key=lambda item: (-item[1], item[0]))[:size]]
        out["has_image"] = [{"value": v, "label": "ja / yes" if v else "nee / no", "count": images[v]}
                            for v in (True, False) if images[v]]
        return out

    def feed_stats(self) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self._summary(("feed_stats",), self._feed_stats))

    def _feed_stats(self) -> dict[str, dict[str, Any]]:
        stats: dict[str, dict[str, Any]] = {}
        for feed, n, modified in self._rows("SELECT feed, COUNT(*), MAX(modified) FROM search_docs GROUP BY feed"):
            stats[feed] = {"records": n, "modified": modified or None, "rights": {}, "providers": []}
        for feed, value, n in self._rows(
                "SELECT d.feed, t.value, COUNT(*) FROM search_terms t JOIN search_docs d ON d.id = t.doc"
                " WHERE t.kind = 'rights' GROUP BY d.feed, t.value ORDER BY 3 DESC, 2"):
            stats[feed]["rights"][value] = n
        for feed, label, iri, n in self._rows(
                "SELECT c.feed, p.label, p.iri, c.n FROM (SELECT feed, provider, COUNT(*) AS n FROM search_docs"
                " GROUP BY feed, provider) c JOIN search_providers p ON p.provider = c.provider ORDER BY c.n DESC,"
                " p.label"):
            stats[feed]["providers"].append({"label": label, "iri": iri, "records": n})
        return stats

