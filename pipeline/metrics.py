"""What the Prometheus endpoint shows, gathered from the state at scrape time.

Harvests run in other processes than ``oogst serve``, so nothing a harvest does is counted
in memory: the figures come from the state database every process writes. Runs by status
and their durations come from the runs table; records by state per feed from the record
index; batch durations and HTTP retries by kind from the state's ``counters`` table, to
which every process adds (:mod:`~oogst.store.state.counters`, schema version 6). Only the
API's own requests and latencies are counted in the serving process (``api/metrics.py``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

BATCH_SECONDS = "oogst_batch_seconds"
RETRIES = "oogst_http_retries_total"
BATCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
HARVEST_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21600.0)


class Metrics:
    def __init__(self, core: Oogst) -> None:
        self.core = core

    def batch(self, feed: str, seconds: float) -> None:
        """One stored batch took ``seconds``; never raises."""
        try:
            self.core.state.observe(BATCH_SECONDS, seconds, BATCH_BUCKETS, {"feed": feed})
        except Exception:  # noqa: BLE001 - a counter never stops a harvest
            log.debug("the batch-duration counter failed", exc_info=True)

    def retried(self, kind: str, feed: str | None) -> None:
        """A request was retried (``kind``: timeout, connection, HTTP 503 …)."""
        self.core.state.add_counter(RETRIES, 1, {"kind": kind, "feed": feed or ""})

    def snapshot(self) -> dict[str, Any]:
        """Everything ``/metrics`` shows of the state: ``runs``, ``records``, ``feeds``,
        ``batches`` (histogram rows), ``retries``."""
        state = self.core.state
        return {"runs": state.run_figures(), "records": state.record_figures(),
                "feeds": [{"feed": f.name, "status": f.status, "failures": f.failures} for f in state.list_feeds()],
                "batches": state.counters(BATCH_SECONDS), "retries": state.counters(RETRIES),
                "harvest_buckets": HARVEST_BUCKETS}
