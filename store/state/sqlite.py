"""The pipeline's own state, in SQLite in the data dir: feeds, runs, checkpoints and the
record index (what each source record became: published, quarantined or withdrawn).

The RDF store holds only what is published; everything the pipeline needs to carry on
(and to explain itself) lives here. Writes are small and committed at once; checkpoints
are written only after the records before them are stored.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...errors import ConfigError, NotFoundError, StoreError
from ...records import RUN_COUNTS, Feed, now
from .delivery import DELIVERY_SCHEMA, DeliveryIndex, _json
from .migrations import migrate
from .accounts import ACCOUNTS_SCHEMA, AccountRows
from . import events as _events
from .events import EVENTS_SCHEMA
from .counters import COUNTERS_SCHEMA, Counters

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    name        TEXT PRIMARY KEY,
    protocol    TEXT NOT NULL,
    url         TEXT NOT NULL,
    format      TEXT NOT NULL,
    set_spec    TEXT,
    status      TEXT NOT NULL DEFAULT 'active',   -- active | failing | paused
    options     TEXT NOT NULL DEFAULT '{}',       -- JSON: the protocol's options (harvester OPTIONS)
    profile     TEXT NOT NULL DEFAULT '{}',       -- JSON: the mapping profile (TOML table)
    cursor      TEXT NOT NULL DEFAULT '{}',       -- JSON: where the next run starts (typed per protocol)
    owner       TEXT,                             -- the partner organisation
    schedule    TEXT,                             -- when it is harvested (pipeline/schedule.py)
    contact     TEXT,                             -- the partner's address for alerts (schema 6)
    delivery    TEXT NOT NULL DEFAULT '{}',       -- JSON: Europeana delivery settings (publish.europeana)
    last_error  TEXT,
    failures    INTEGER NOT NULL DEFAULT 0,       -- consecutive failed runs (feed health)
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    feed          TEXT NOT NULL,
    mode          TEXT NOT NULL,                  -- full | incremental
    status        TEXT NOT NULL,                  -- running | complete | failed | interrupted
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    window_from   TEXT,
    response_date TEXT,
    harvested     INTEGER NOT NULL DEFAULT 0,
    published     INTEGER NOT NULL DEFAULT 0,
    quarantined   INTEGER NOT NULL DEFAULT 0,
    withdrawn     INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    notes         TEXT NOT NULL DEFAULT '[]',
    live_before   INTEGER                         -- live records of the feed when the run started
);
CREATE INDEX IF NOT EXISTS runs_feed ON runs (feed, id);
CREATE TABLE IF NOT EXISTS checkpoints (
    feed          TEXT PRIMARY KEY,
    run_id        INTEGER NOT NULL,
    token         TEXT,
    window_from   TEXT,
    response_date TEXT,
    info          TEXT NOT NULL DEFAULT '{}',     -- JSON: the harvester's resume details
    updated_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    feed          TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    record_id     TEXT NOT NULL UNIQUE,
    object_iri    TEXT,
    graph_iri     TEXT NOT NULL,
    label         TEXT,
    datestamp     TEXT,
    state         TEXT NOT NULL,                  -- published | quarantined | withdrawn
    published     INTEGER NOT NULL DEFAULT 0,     -- 1 while a version is in the RDF store
    hash          TEXT,                           -- sha256 of the last payload processed
    run_id        INTEGER,
    report        TEXT,                           -- JSON validation report of the last version
    quarantined   TEXT,                           -- N-Triples of a quarantined version
    updated_at    TEXT NOT NULL,
    withdrawn_at  TEXT,
    seen_run      INTEGER,                        -- the last run that delivered the record …
    seen_page     INTEGER,                        -- … and on which page (duplicates, the sweep)
    ever_published INTEGER NOT NULL DEFAULT 0,    -- 1 once a version was published (OAI-PMH items)
    provider      TEXT,                           -- the data provider (EDM), its set slug, whether the
    provider_set  TEXT,                           -- record can be EDM (NULL: not known yet) and its
    edm           INTEGER,                        -- Europeana tiers (JSON): see state/delivery.py
    tiers         TEXT,
    PRIMARY KEY (feed, source_id)
);
CREATE INDEX IF NOT EXISTS records_state ON records (state, feed);
CREATE INDEX IF NOT EXISTS records_counts ON records (feed, state, published);  -- counts() without reading rows
CREATE TABLE IF NOT EXISTS credentials (        -- a feed's user name and password, kept apart from its URL (schema 7)
    feed        TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    password    TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_object ON records (object_iri);
""" + ACCOUNTS_SCHEMA + EVENTS_SCHEMA + COUNTERS_SCHEMA

VERSION = 7  # PRAGMA user_version of a database with the SCHEMA above

class State(DeliveryIndex, AccountRows, _events.EventLog, Counters):
    """The SQLite state database (with the delivery index of :class:`DeliveryIndex`, the
    accounts of :class:`AccountRows` and the event log of :class:`EventLog`). Safe to share
    between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            migrate(self._db, SCHEMA + DELIVERY_SCHEMA, VERSION)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the state database {self.path}: {exc}") from exc
        self._lock = threading.RLock()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- feeds ------------------------------------------------------------------------------
    def add_feed(self, feed: Feed) -> Feed:
        feed.created_at = feed.updated_at = now()
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO feeds (name, protocol, url, format, set_spec, status, options, profile, cursor,"
                    " owner, schedule, contact, delivery, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (feed.name, feed.protocol, feed.url, feed.format, feed.set_spec, feed.status,
                     json.dumps(feed.options), json.dumps(feed.profile), json.dumps(feed.cursor), feed.owner,
                     feed.schedule, feed.contact, json.dumps(feed.delivery), feed.created_at, feed.updated_at),
                )
        except sqlite3.IntegrityError:
            raise ConfigError(f"a feed named {feed.name!r} exists already", feed=feed.name,
                              hint="pick another name, or change it with `oogst feeds edit`") from None
        return feed

    def get_feed(self, name: str) -> Feed:
        row = self._one("SELECT * FROM feeds WHERE name = ?", name)
        if row is None:
            known = ", ".join(f.name for f in self.list_feeds()) or "none yet"
            raise NotFoundError(f"no feed named {name!r}", feed=name, hint=f"registered feeds: {known}")
        return _feed(row)

    def list_feeds(self) -> list[Feed]:
        return [_feed(r) for r in self._all("SELECT * FROM feeds ORDER BY name")]

    def update_feed(self, name: str, **values: Any) -> Feed:
        """Change a feed's columns (``options``, ``profile`` and ``cursor`` as dicts); returns it."""
        unknown = set(values) - _FEED_COLUMNS
        if unknown:
            raise ConfigError(f"feeds have no field {', '.join(sorted(unknown))}")
        for key in _JSON_COLUMNS & set(values):
            values[key] = json.dumps(values[key])
        values["updated_at"] = now()
        cols = ", ".join(f"{k} = ?" for k in values)
        with self.transaction() as db:
            changed = db.execute(f"UPDATE feeds SET {cols} WHERE name = ?", (*values.values(), name)).rowcount
        if not changed:
            raise NotFoundError(f"no feed named {name!r}", feed=name)
        return self.get_feed(name)

    def remove_feed(self, name: str) -> list[str]:
        """Forget a feed; return the graph IRIs of its published records (to drop)."""
        self.get_feed(name)
        graphs = [r["graph_iri"] for r in self._all(
            "SELECT graph_iri FROM records WHERE feed = ? AND published = 1", name)]
        with self.transaction() as db:
            _events.record_tombstones(db, name, [r[0] for r in db.execute(
                "SELECT source_id FROM records WHERE feed = ? AND published = 1", (name,))])
            for table in ("records", "checkpoints", "runs", "credentials"):
                db.execute(f"DELETE FROM {table} WHERE feed = ?", (name,))
            db.execute("DELETE FROM feeds WHERE name = ?", (name,))
        return graphs

    def set_credentials(self, feed: str, username: str | None, password: str = "") -> None:
        """Keep the feed's HTTP user name and password apart from its URL (None: forget them).
        They are read only by :meth:`get_credentials`, for the harvester; nothing shows them."""
        if username is not None:
            self.get_feed(feed)
        with self.transaction() as db:
            db.execute("DELETE FROM credentials WHERE feed = ?", (feed,))
            if username is not None:
                db.execute("INSERT INTO credentials (feed, username, password, updated_at) VALUES (?, ?, ?, ?)",
                           (feed, username, password, now()))

    def get_credentials(self, feed: str) -> tuple[str, str] | None:
        row = self._one("SELECT username, password FROM credentials WHERE feed = ?", feed)
        return (row["username"], row["password"]) if row else None

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, feed: str, mode: str, window_from: str | None, *, live_before: int | None = None) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO runs (feed, mode, status, started_at, window_from, live_before) VALUES (?,?,?,?,?,?)"
                " RETURNING id", (feed, mode, "running", now(), window_from, live_before),
            )
            return int(cur.fetchone()[0])

    def reopen_run(self, run_id: int) -> None:
        """Carry on with an interrupted or failed run (resume): it is running again."""
        with self.transaction() as db:
            db.execute("UPDATE runs SET status = 'running', finished_at = NULL, error = NULL WHERE id = ?", (run_id,))

    def interrupt_runs(self, feed: str) -> int:
        """Mark the feed's runs that still say 'running' as interrupted (their process is gone)."""
        with self.transaction() as db:
            return db.execute("UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE feed = ?"
                              " AND status = 'running'", (now(), "interrupted (the process stopped)", feed)).rowcount

    def add_run_notes(self, run_id: int, notes: list[Any]) -> None:
        """Append to the run's notes (what happened: faults met, decisions taken)."""
        if not notes:
            return
        with self.transaction() as db:
            row = db.execute("SELECT notes FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is not None:
                db.execute("UPDATE runs SET notes = ? WHERE id = ?",
                           (json.dumps(json.loads(row[0] or "[]") + list(notes), ensure_ascii=False), run_id))

    def add_run_counts(self, run_id: int, **counts: int) -> None:
        if not counts:
            return
        unknown = set(counts) - set(RUN_COUNTS)
        if unknown:  # the names go into the SQL: only the known ones
            raise ConfigError(f"runs have no count {', '.join(sorted(unknown))}",
                              hint=f"known: {', '.join(RUN_COUNTS)}")
        cols = ", ".join(f"{k} = {k} + ?" for k in counts)
        with self.transaction() as db:
            db.execute(f"UPDATE runs SET {cols} WHERE id = ?", (*counts.values(), run_id))

    def finish_run(self, run_id: int, status: str, *, error: str | None = None,
                   response_date: str | None = None, notes: list[Any] | None = None) -> None:
        """End a run; ``notes`` are appended to those it has."""
        self.add_run_notes(run_id, notes or [])
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET status = ?, finished_at = ?, error = ?, response_date = COALESCE(?, response_date)"
                " WHERE id = ?",
                (status, now(), error, response_date, run_id),
            )

    def get_run(self, run_id: int) -> dict[str, Any]:
        row = self._one("SELECT * FROM runs WHERE id = ?", run_id)
        if row is None:
            raise NotFoundError(f"no run {run_id}")
        return _run_dict(row)

    def last_run(self, feed: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM runs WHERE feed = ? ORDER BY id DESC LIMIT 1", feed)
        return _run_dict(row) if row else None

    def runs(self, feed: str, limit: int = 20) -> list[dict[str, Any]]:
        return [_run_dict(r) for r in self._all(
            "SELECT * FROM runs WHERE feed = ? ORDER BY id DESC LIMIT ?", feed, limit)]

    # -- checkpoints ----------------------------------------------------------------------------
    def save_checkpoint(self, feed: str, run_id: int, token: str | None, window_from: str | None,
                        response_date: str | None, info: dict[str, Any] | None = None) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO checkpoints (feed, run_id, token, window_from, response_date, info, updated_at)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT (feed) DO UPDATE SET run_id = excluded.run_id,"
                " token = excluded.token, window_from = excluded.window_from,"
                " response_date = excluded.response_date, info = excluded.info, updated_at = excluded.updated_at",
                (feed, run_id, token, window_from, response_date, json.dumps(info or {}), now()),
            )

    def get_checkpoint(self, feed: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM checkpoints WHERE feed = ?", feed)
        if row is None:
            return None
        data = dict(row)
        data["info"] = json.loads(data.get("info") or "{}")
        return data

    def clear_checkpoint(self, feed: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM checkpoints WHERE feed = ?", (feed,))

    # -- records ----------------------------------------------------------------------------------
    def get_record(self, feed: str, source_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM records WHERE feed = ? AND source_id = ?", feed, source_id)
        return _record_dict(row) if row else None

    def find_record(self, record_id: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM records WHERE record_id = ?", record_id)
        return _record_dict(row) if row else None

    def records_by_objects(self, object_iris: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The records (of any feed) that describe each object IRI, by IRI: one query a chunk,
        of their feed, source id, state and published flag only (no report to decode: in a
        nightly run every changed record finds its own row)."""
        out: dict[str, list[dict[str, Any]]] = {}
        wanted = list(dict.fromkeys(object_iris))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            for r in self._all("SELECT object_iri, feed, source_id, state, published FROM records"
                               f" WHERE object_iri IN ({','.join('?' * len(chunk))})", *chunk):
                out.setdefault(r["object_iri"], []).append(
                    {"feed": r["feed"], "source_id": r["source_id"], "state": r["state"],
                     "published": bool(r["published"])})
        return out

    def known_records(self, feed: str, source_ids: list[str]) -> dict[str, dict[str, Any]]:
        """hash, state, published flag and last run of the records already known, by source id."""
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(source_ids), 500):
            chunk = source_ids[i:i + 500]
            rows = self._all(
                "SELECT source_id, hash, state, published, run_id FROM records WHERE feed = ?"
                f" AND source_id IN ({','.join('?' * len(chunk))})", feed, *chunk)
            out.update({r["source_id"]: {"hash": r["hash"], "state": r["state"], "published": bool(r["published"]),
                                         "run_id": r["run_id"]} for r in rows})
        return out

    def mark_seen(self, feed: str, run_id: int, page: int, source_ids: list[str]) -> list[str]:
        """Note that ``run_id`` delivered these records on ``page``; return those it had
        delivered already on another page (duplicates across pages)."""
        again: list[str] = []
        with self.transaction() as db:
            for i in range(0, len(source_ids), 500):
                chunk = source_ids[i:i + 500]
                marks = f"({','.join('?' * len(chunk))})"
                again += [r[0] for r in db.execute(
                    f"SELECT source_id FROM records WHERE feed = ? AND source_id IN {marks}"
                    " AND seen_run = ? AND seen_page != ?", (feed, *chunk, run_id, page))]
                db.execute(f"UPDATE records SET seen_run = ?, seen_page = ? WHERE feed = ? AND source_id IN {marks}",
                           (run_id, page, feed, *chunk))
        return again

    def seen_in_run(self, feed: str, run_id: int, source_ids: list[str]) -> set[str]:
        """Which of these records ``run_id`` has delivered already."""
        out: set[str] = set()
        for i in range(0, len(source_ids), 500):
            chunk = source_ids[i:i + 500]
            out.update(r[0] for r in self._all(
                f"SELECT source_id FROM records WHERE feed = ? AND seen_run = ? AND source_id IN"
                f" ({','.join('?' * len(chunk))})", feed, run_id, *chunk))
        return out

    def parts_of(self, feed: str, source_id: str) -> list[str]:
        """The live records split from ``source_id`` (``{source_id}/…``: the units of a finding aid)."""
        low = source_id + "/"
        high = source_id + chr(ord("/") + 1)
        return [r[0] for r in self._all("SELECT source_id FROM records WHERE feed = ? AND source_id >= ? AND "
                                        "source_id < ? AND state != 'withdrawn' ORDER BY source_id", feed, low, high)]

    def live_count(self, feed: str) -> int:
        """Records of the feed that are not withdrawn (published or quarantined)."""
        return int(self._one("SELECT COUNT(*) FROM records WHERE feed = ? AND state != 'withdrawn'", feed)[0])

    def sweep_candidates(self, feed: str, run_id: int) -> tuple[int, list[dict[str, Any]]]:
        """(live records ``run_id`` delivered, live records it did not deliver: source_id, graph_iri)."""
        seen = int(self._one("SELECT COUNT(*) FROM records WHERE feed = ? AND state != 'withdrawn'"
                             " AND seen_run = ?", feed, run_id)[0])
        unseen = [dict(r) for r in self._all(
            "SELECT source_id, graph_iri FROM records WHERE feed = ? AND state != 'withdrawn'"
            " AND (seen_run IS NULL OR seen_run != ?)", feed, run_id)]
        return seen, unseen

    def withdraw(self, feed: str, source_ids: list[str], run_id: int) -> None:
        """Tombstone records that a complete full run no longer delivered (and add their
        tombstones to the event log, in the same transaction)."""
        ts = now()
        with self.transaction() as db:
            _events.record_tombstones(db, feed, source_ids)
            db.executemany("UPDATE records SET state = 'withdrawn', published = 0, withdrawn_at = ?, run_id = ?,"
                           " updated_at = ? WHERE feed = ? AND source_id = ?",
                           [(ts, run_id, ts, feed, sid) for sid in source_ids])

    def upsert_records(self, rows: list[dict[str, Any]], versions: dict[str, dict[str, Any]] | None = None) -> None:
        """Write the outcome of a batch (after the RDF store has committed it), and its events
        in the same transaction: ``versions`` (graph IRI → ``ntriples``, ``hash``, ``provider``)
        are the published graphs; withdrawn rows become tombstones."""
        ts = now()
        with self.transaction() as db:
            _events.record_versions(db, rows, versions or {})
            db.executemany(
                "INSERT INTO records (feed, source_id, record_id, object_iri, graph_iri, label, datestamp, state,"
                " published, hash, run_id, report, quarantined, updated_at, withdrawn_at, ever_published, provider,"
                " provider_set, edm, tiers)"
                " VALUES (:feed, :source_id, :record_id, :object_iri, :graph_iri, :label, :datestamp, :state,"
                " :published, :hash, :run_id, :report, :quarantined, :updated_at, :withdrawn_at, :published,"
                " :provider, :provider_set, :edm, :tiers)"
                " ON CONFLICT (feed, source_id) DO UPDATE SET record_id = excluded.record_id,"
                " object_iri = COALESCE(excluded.object_iri, records.object_iri), graph_iri = excluded.graph_iri,"
                " label = COALESCE(excluded.label, records.label), datestamp = excluded.datestamp,"
                " state = excluded.state, published = excluded.published, hash = excluded.hash,"
                " run_id = excluded.run_id, report = excluded.report, quarantined = excluded.quarantined,"
                " updated_at = excluded.updated_at, withdrawn_at = excluded.withdrawn_at,"
                " ever_published = CASE WHEN excluded.published = 1 THEN 1 ELSE records.ever_published END,"
                # the delivery columns describe the published version: a new one brings its own
                # (NULL: to be worked out), a quarantined or withdrawn one keeps the old ones
                + "".join(f" {c} = CASE WHEN excluded.state = 'published' THEN excluded.{c} ELSE records.{c} END,"
                          for c in ("provider", "provider_set", "edm", "tiers")).rstrip(","),
                [{"object_iri": None, "label": None, "quarantined": None, "withdrawn_at": None, "hash": None,
                  "datestamp": None, "provider": None, "provider_set": None, "edm": None, **r,
                  "report": json.dumps(r["report"]) if r.get("report") is not None else None,
                  "tiers": _json(r.get("tiers")), "updated_at": ts} for r in rows],
            )

    def list_records(self, *, state: str | None = "published", feed: str | None = None,
                     after: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        where, args = [], []
        if state == "published":
            where.append("published = 1")
        elif state:
            where.append("state = ?")
            args.append(state)
        if feed:
            where.append("feed = ?")
            args.append(feed)
        if after:
            where.append("record_id > ?")
            args.append(after)
        sql = "SELECT * FROM records"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY record_id LIMIT ?"
        return [_record_dict(r) for r in self._all(sql, *args, limit)]

    def counts(self, feed: str | None = None) -> dict[str, int]:
        sql = ("SELECT SUM(published) AS published, COUNT(*) FILTER (WHERE state = 'quarantined') AS quarantined,"
               " COUNT(*) FILTER (WHERE state = 'withdrawn') AS withdrawn, COUNT(*) AS known FROM records")
        row = self._one(sql + " WHERE feed = ?", feed) if feed else self._one(sql)
        return {k: int(row[k] or 0) for k in ("published", "quarantined", "withdrawn", "known")}

    def rule_counts(self, feed: str, *, severity: str | None = None, examples: int = 3,
                    run_id: int | None = None) -> list[dict[str, Any]]:
        """Per validation rule of the feed's current reports (withdrawn records left out): the
        records and findings that break it, and the first ``examples`` records (source id,
        label and the stored finding). Counted in SQL over the stored report JSON. ``run_id``:
        only the records that run processed last."""
        findings = (
            "WITH f AS (SELECT r.source_id, r.label, json_extract(j.value, '$.rule') AS rule,"
            " json_extract(j.value, '$.severity') AS severity, j.value AS finding"
            " FROM records r, json_each(r.report, '$.findings') j"
            " WHERE r.feed = ? AND r.state != 'withdrawn' AND r.report IS NOT NULL"
            + (" AND r.run_id = ?)" if run_id is not None else ")")
        )
        first = [feed] if run_id is None else [feed, run_id]
        where, args = ("WHERE severity = ?", [*first, severity]) if severity else ("", first)
        counts = self._all(
            f"{findings} SELECT rule, severity, COUNT(DISTINCT source_id) AS records, COUNT(*) AS findings,"
            f" json_extract(MIN(finding), '$.path') AS path, json_extract(MIN(finding), '$.source_path') AS source_path"
            f" FROM f {where} GROUP BY rule, severity", *args)
        samples = self._all(
            f"{findings} SELECT rule, severity, source_id, label, finding FROM (SELECT rule, severity, source_id, label,"
            f" MIN(finding) AS finding, ROW_NUMBER() OVER (PARTITION BY rule, severity ORDER BY source_id) AS n"
            f" FROM f {where} GROUP BY rule, severity, source_id) WHERE n <= ? ORDER BY source_id", *args, examples)
        rows = {(r["rule"], r["severity"]): {**dict(r), "examples": []} for r in counts}
        for s in samples:
            rows[s["rule"], s["severity"]]["examples"].append(
                {"record": s["source_id"], "label": s["label"], "finding": json.loads(s["finding"])})
        return list(rows.values())


_JSON_COLUMNS = {"options", "profile", "cursor", "delivery"}
_FEED_COLUMNS = {"protocol", "url", "format", "set_spec", "status", "options", "profile", "cursor", "owner",
                 "schedule", "contact", "last_error", "failures", "delivery"}


def _feed(row: sqlite3.Row) -> Feed:
    data = dict(row)
    for key in _JSON_COLUMNS:
        data[key] = json.loads(data[key] or "{}")
    return Feed(**data)


def _run_dict(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["notes"] = json.loads(data["notes"] or "[]")
    return data


def _record_dict(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["published"] = bool(data["published"])
    data["ever_published"] = bool(data["ever_published"])
    data["tiers"] = json.loads(data["tiers"]) if data["tiers"] else None
    data["report"] = json.loads(data["report"]) if data["report"] else None
    return data
