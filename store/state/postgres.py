"""The pipeline's state in PostgreSQL (the ``scale`` extra): the same :class:`StateStore` as
the SQLite :class:`~oogst.store.state.sqlite.State`, shared by several machines.

Chosen by a ``postgresql://`` URL (``OOGST_STATE`` or the ``state`` setting; the password
comes from ``PGPASSWORD`` or ``~/.pgpass`` like any libpq client, or the URL). The class
*is* the SQLite one — feeds, runs, the record index, delivery, accounts and the event log
share their SQL — on a :class:`~oogst.store.pgsql.Pool` whose connections speak the SQLite
dialect; only what the dialects do differently is overridden here (JSON functions, time arithmetic,
a cached count keyed on SQLite's change counter).

Writers queue on one transaction-scoped advisory lock, the way SQLite's ``BEGIN IMMEDIATE``
makes them queue: the event log numbers its events (``id``, ``feed_seq``, ``provider_seq``)
and stamps strictly increasing times in the order of the commits, which holds across machines
only if its writers go one at a time. Writes are short (a batch's rows), readers never wait.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..pgsql import LOCK_STATE_WRITE, Connection, Pool, checkout_lock, migrate, redact
from .pg_migrations import STATE
from .sqlite import State

SCHEMA_VERSION = STATE[-1][0]  # of the component "state" in oogst_schema


class PostgresState(State):
    """The state in the PostgreSQL database at ``url`` (``schema``: a schema other than the
    search path's first, e.g. one per test). Safe to share between threads and processes."""

    def __init__(self, url: str, *, schema: str | None = None, pool_size: int = 4) -> None:
        self.url, self.schema = url, schema
        self.path = redact(url)  # what messages name
        self._pool = Pool(url, schema=schema, size=pool_size, what="state")
        self._lock = checkout_lock(self._pool)
        migrate(self._pool, "state", STATE)

    @property
    def _db(self) -> Connection:  # type: ignore[override]
        return self._pool.current

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:  # type: ignore[override]
        with self._pool.transaction(LOCK_STATE_WRITE) as db:
            yield db

    # -- what the dialects say differently ------------------------------------------------------
    def oai_count(self, *, edm: bool = False, start: str | None = None, until: str | None = None,
                  feed: str | None = None, provider: str | None = None, any_provider: bool = False) -> int:
        where, args = self._oai_where(edm, start, until, feed, provider, any_provider)
        return int(self._one("SELECT COUNT(*) FROM records WHERE " + " AND ".join(where), *args)[0])

    def rule_counts(self, feed: str, *, severity: str | None = None, examples: int = 3,
                    run_id: int | None = None) -> list[dict[str, Any]]:
        findings = (
            "WITH f AS (SELECT r.source_id, r.label, j.value->>'rule' AS rule, j.value->>'severity' AS severity,"
            " j.value::text COLLATE \"C\" AS finding FROM records r,"
            " json_array_elements(CASE WHEN json_typeof(r.report::json->'findings') = 'array'"
            " THEN r.report::json->'findings' END) j(value)"
            " WHERE r.feed = ? AND r.state != 'withdrawn' AND r.report IS NOT NULL"
            + (" AND r.run_id = ?)" if run_id is not None else ")")
        )
        first = [feed] if run_id is None else [feed, run_id]
        where, args = ("WHERE severity = ?", [*first, severity]) if severity else ("", first)
        counts = self._all(
            f"{findings} SELECT rule, severity, COUNT(DISTINCT source_id) AS records, COUNT(*) AS findings,"
            f" MIN(finding)::json->>'path' AS path, MIN(finding)::json->>'source_path' AS source_path"
            f" FROM f {where} GROUP BY rule, severity", *args)
        samples = self._all(
            f"{findings} SELECT rule, severity, source_id, label, finding FROM (SELECT rule, severity, source_id,"
            f" MIN(label) AS label, MIN(finding) AS finding, ROW_NUMBER() OVER (PARTITION BY rule, severity"
            f" ORDER BY source_id) AS n FROM f {where} GROUP BY rule, severity, source_id) s WHERE n <= ?"
            f" ORDER BY source_id", *args, examples)
        rows = {(r["rule"], r["severity"]): {**dict(r), "examples": []} for r in counts}
        for s in samples:
            rows[s["rule"], s["severity"]]["examples"].append(
                {"record": s["source_id"], "label": s["label"], "finding": json.loads(s["finding"])})
        return list(rows.values())

    def run_figures(self) -> list[dict[str, Any]]:
        rows = self._all(
            "SELECT feed, mode, status, COUNT(*) AS runs, json_agg(CASE WHEN finished_at IS NOT NULL THEN"
            " EXTRACT(EPOCH FROM finished_at::timestamptz - started_at::timestamptz) END)::text AS seconds"
            " FROM runs GROUP BY feed, mode, status ORDER BY feed, mode, status")
        return [{"feed": r["feed"], "mode": r["mode"], "status": r["status"], "runs": r["runs"],
                 "seconds": [max(0.0, float(s)) for s in json.loads(r["seconds"]) if s is not None]} for r in rows]

    def tier_summary(self, feed: str) -> dict[str, Any]:
        row = self._one("SELECT COUNT(*) AS published, COUNT(*) FILTER (WHERE edm = 1) AS edm,"
                        " COUNT(*) FILTER (WHERE edm = 0) AS not_edm, COUNT(*) FILTER (WHERE edm IS NULL) AS unknown"
                        " FROM records WHERE feed = ? AND published = 1", feed)
        out: dict[str, Any] = {k: int(row[k] or 0) for k in ("published", "edm", "not_edm", "unknown")}
        ready = "FROM records WHERE feed = ? AND published = 1 AND edm = 1"
        for key, name in (("content", "content"), ("content_ceiling", "ceiling"), ("metadata", "metadata")):
            out[key] = {str(r[0]): r[1] for r in self._all(
                f"SELECT tiers::json->>'{name}' AS t, COUNT(*) {ready} GROUP BY t", feed) if r[0] is not None}
        out["gaps"] = [dict(r) for r in self._all(
            "SELECT j.value COLLATE \"C\" AS code, COUNT(*) AS records, MIN(r.record_id) AS example FROM records r,"
            " json_array_elements_text(r.tiers::json->'gaps') j(value) WHERE r.feed = ? AND r.published = 1"
            " AND r.edm = 1 GROUP BY 1 ORDER BY records DESC, code", feed)]
        out["refused"] = [{**dict(r), "finding": json.loads(r["finding"])} for r in self._all(
            "SELECT j.value->>'rule' COLLATE \"C\" AS rule, COUNT(*) AS records, MIN(r.record_id) AS example,"
            " MIN(j.value::text COLLATE \"C\") AS finding FROM records r,"
            " json_array_elements(r.tiers::json->'refused') j(value) WHERE r.feed = ?"
            " AND r.published = 1 AND r.edm = 0 GROUP BY 1 ORDER BY records DESC, rule", feed)]
        return out
