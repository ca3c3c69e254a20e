"""Writing the search index in bulk (:class:`~oogst.publish.search.SearchIndex` ``put`` and
``rebuild``): a batch of documents in a few statements instead of eight per record."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from .display import Doc


def put_many(db: sqlite3.Connection, docs: Iterable[Doc]) -> int:
    """Add or replace ``docs`` in the index ``db`` (in the caller's transaction): their old rows
    read and deleted together, slots handed out in order per provider, one ``executemany`` per
    table. Returns how many records were written."""
    docs = list({d.record_id: d for d in docs}.values())  # a record twice: the later one
    if not docs:
        return 0
    old: dict[str, tuple[int, str, int]] = {}
    for chunk in _chunked([d.record_id for d in docs]):
        old.update((r[0], (r[1], r[2], r[3])) for r in db.execute(
            "SELECT b.record_id, d.id, d.provider, d.slot FROM bodies b JOIN docs d ON d.id = b.id"
            f" WHERE b.record_id IN ({','.join('?' * len(chunk))})", chunk))
    tallies = untallied(db, [o[0] for o in old.values()])
    for sql in ("DELETE FROM docs WHERE id = ?", "DELETE FROM bodies WHERE id = ?",
                "DELETE FROM terms WHERE doc = ?", "DELETE FROM text WHERE rowid = ?"):
        db.executemany(sql, [(o[0],) for o in old.values()])
    names = sorted({d.provider.casefold() for d in docs})
    providers: dict[str, list[Any]] = {}  # provider → [num, next slot, label, iri]
    for chunk in _chunked(names):
        providers.update((r[0], [r[1], r[2], None, None]) for r in db.execute(
            f"SELECT provider, num, next_slot FROM providers WHERE provider IN ({','.join('?' * len(chunk))})", chunk))
    top = db.execute("SELECT COALESCE(MAX(num), 0) FROM providers").fetchone()[0]
    touched: dict[str, list[Any]] = {}
    rows: dict[str, list[tuple]] = defaultdict(list)
    for doc in docs:
        provider = doc.provider.casefold()
        before = old.get(doc.record_id)
        if before is not None and before[1] == provider:
            rowid, slot = before[0], before[2]
        else:
            entry = providers.get(provider)
            if entry is None:
                top += 1
                entry = providers[provider] = [top, 1, None, None]
            slot = entry[1]
            entry[1] += 1
            entry[2], entry[3] = doc.provider, doc.keeper.iri if doc.keeper else None
            touched[provider] = entry
            rowid = entry[0] << 32 | slot
        rows["docs"].append((rowid, doc.feed, provider, slot, doc.modified or "", int(bool(doc.images))))
        tallies[(doc.feed, "records", "")] += 1
        tallies[(doc.feed, "provider", provider)] += 1
        for rights in set(doc.rights):
            tallies[(doc.feed, "rights", rights)] += 1
        rows["bodies"].append((rowid, doc.record_id, doc.object_iri, orjson.dumps(doc.as_dict()).decode("utf-8")))
        terms = {("provider", provider, doc.provider)}
        terms |= {("type", t.iri, t.label or t.iri) for t in doc.types}
        terms |= {("rights", r, r) for r in doc.rights}
        rows["terms"] += [(kind, value, rowid) for kind, value, _ in terms]
        rows["labels"] += terms
        rows["text"].append((rowid, " ".join(t for t, _ in doc.titles), doc.description or "",
                             " ".join(m.label or "" for m in doc.makers),
                             " ".join(t.label or "" for t in doc.types)))
    db.executemany(
        "INSERT INTO providers (provider, num, label, iri, next_slot) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (provider) DO UPDATE SET next_slot = excluded.next_slot, label = excluded.label,"
        " iri = excluded.iri", [(p, e[0], e[2], e[3], e[1]) for p, e in touched.items()])
    db.executemany("INSERT INTO docs (id, feed, provider, slot, modified, has_image) VALUES (?,?,?,?,?,?)",
                   rows["docs"])
    db.executemany("INSERT INTO bodies (id, record_id, object_iri, doc) VALUES (?,?,?,?)", rows["bodies"])
    db.executemany("INSERT OR IGNORE INTO terms (kind, value, doc) VALUES (?, ?, ?)", rows["terms"])
    db.executemany("INSERT INTO labels (kind, value, label) VALUES (?, ?, ?)"
                   " ON CONFLICT (kind, value) DO UPDATE SET label = excluded.label", rows["labels"])
    db.executemany("INSERT INTO text (rowid, title, description, makers, names) VALUES (?, ?, ?, ?, ?)",
                   rows["text"])
    tally(db, tallies)
    return len(docs)


# -- tallies: per feed, its records and their rights statements and providers -----------------
# (``SearchIndex.feed_stats``, which every run's dataset description reads: kept as the index is
# written, so that a run costs what it changed, not a count over the whole index)

def untallied(db: sqlite3.Connection, ids: list[int]) -> Counter[tuple[str, str, str]]:
    """What the documents ``ids`` count for in the tallies, negated: call before deleting them."""
    tallies: Counter[tuple[str, str, str]] = Counter()
    for chunk in _chunked(ids):
        marks = ",".join("?" * len(chunk))
        for feed, provider in db.execute(f"SELECT feed, provider FROM docs WHERE id IN ({marks})", chunk):
            tallies[(feed, "records", "")] -= 1
            tallies[(feed, "provider", provider)] -= 1
        for feed, rights in db.execute(f"SELECT d.feed, t.value FROM terms t JOIN docs d ON d.id = t.doc"
                                       f" WHERE t.doc IN ({marks}) AND t.kind = 'rights'", chunk):
            tallies[(feed, "rights", rights)] -= 1
    return tallies


def tally(db: sqlite3.Connection, changes: Counter[tuple[str, str, str]]) -> None:
    """Add ``changes`` to the tallies; what drops to zero goes."""
    changed = [(*key, n) for key, n in changes.items() if n]
    if not changed:
        return
    db.executemany("INSERT INTO tallies (feed, kind, value, n) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (feed, kind, value) DO UPDATE SET n = n + excluded.n", changed)
    db.executemany("DELETE FROM tallies WHERE feed = ? AND kind = ? AND value = ? AND n <= 0",
                   [key for key, n in changes.items() if n < 0])


def fill_tallies(db: sqlite3.Connection) -> None:
    """Count the tallies afresh from the documents (a rebuild, an index written before them)."""
    db.execute("DELETE FROM tallies")
    db.execute("INSERT INTO tallies (feed, kind, value, n) SELECT feed, 'records', '', COUNT(*) FROM docs GROUP BY feed")
    db.execute("INSERT INTO tallies (feed, kind, value, n)"
               " SELECT feed, 'provider', provider, COUNT(*) FROM docs GROUP BY feed, provider")
    db.execute("INSERT INTO tallies (feed, kind, value, n) SELECT d.feed, 'rights', t.value, COUNT(*)"
               " FROM terms t JOIN docs d ON d.id = t.doc WHERE t.kind = 'rights' GROUP BY d.feed, t.value")


def _chunked(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]
