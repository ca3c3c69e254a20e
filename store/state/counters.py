"""Counters that every process adds to: what the Prometheus endpoint of ``oogst serve`` shows
about work done in other processes (harvests, backups). Schema version 6.

A counter is a name, its labels (a canonical JSON object) and a value that only grows: HTTP
retries by kind, and the buckets, sum and count of the batch-duration histogram. The runs
table holds the rest (runs by status, harvest durations), so nothing is kept in memory.
"""

from __future__ import annotations

import json
from typing import Any

COUNTERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    name    TEXT NOT NULL,
    labels  TEXT NOT NULL DEFAULT '{}',   -- JSON object, keys sorted
    value   REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (name, labels)
);
"""

_ADD = ("INSERT INTO counters (name, labels, value) VALUES (?, ?, ?)"
        " ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value")


def _labels(labels: dict[str, Any] | None) -> str:
    return json.dumps({k: str(v) for k, v in (labels or {}).items()}, sort_keys=True)


class Counters:
    """Mixed into the SQLite state: ``transaction`` and ``_all`` come from it."""

    def add_counter(self, name: str, value: float = 1.0, labels: dict[str, Any] | None = None) -> None:
        with self.transaction() as db:  # type: ignore[attr-defined]
            db.execute(_ADD, (name, _labels(labels), value))

    def observe(self, name: str, value: float, buckets: tuple[float, ...], labels: dict[str, Any] | None = None) -> None:
        """One observation of a histogram: its buckets (``le``), ``_sum`` and ``_count``."""
        rows = [(f"{name}_bucket", _labels({**(labels or {}), "le": le}), 1.0) for le in buckets if value <= le]
        rows += [(f"{name}_bucket", _labels({**(labels or {}), "le": "+Inf"}), 1.0),
                 (f"{name}_sum", _labels(labels), value), (f"{name}_count", _labels(labels), 1.0)]
        with self.transaction() as db:  # type: ignore[attr-defined]
            db.executemany(_ADD, rows)

    def counters(self, prefix: str = "") -> list[dict[str, Any]]:
        """Every counter whose name starts with ``prefix``: ``name``, ``labels`` (dict), ``value``."""
        rows = self._all("SELECT name, labels, value FROM counters WHERE name >= ? AND name < ? ORDER BY name, labels",  # type: ignore[attr-defined]
                         prefix, prefix + "\uffff")
        return [{"name": r[0], "labels": json.loads(r[1]), "value": r[2]} for r in rows]

    def run_figures(self) -> list[dict[str, Any]]:
        """Per feed, mode and status: how many runs, and the durations (seconds) of the finished ones."""
        rows = self._all(  # type: ignore[attr-defined]
            "SELECT feed, mode, status, COUNT(*) AS runs, json_group_array(CASE WHEN finished_at IS NOT NULL"
            " THEN (julianday(finished_at) - julianday(started_at)) * 86400.0 END) AS seconds"
            " FROM runs GROUP BY feed, mode, status ORDER BY feed, mode, status")
        return [{"feed": r["feed"], "mode": r["mode"], "status": r["status"], "runs": r["runs"],
                 "seconds": [max(0.0, s) for s in json.loads(r["seconds"]) if s is not None]} for r in rows]

    def record_figures(self) -> list[dict[str, Any]]:
        """Per feed and record state (published, quarantined, withdrawn): how many records."""
        rows = self._all("SELECT feed, state, COUNT(*) AS n FROM records GROUP BY feed, state ORDER BY feed, state")  # type: ignore[attr-defined]
        return [{"feed": r["feed"], "state": r["state"], "records": r["n"]} for r in rows]
