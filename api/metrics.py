"""``/metrics``: Prometheus text format (prometheus-client).

Harvests run in other processes than the API, so the pipeline's figures are read from the
state at scrape time by a custom collector (:meth:`Oogst.metrics.snapshot`, see
``pipeline/metrics.py``): runs by feed, mode and status; the harvest durations of finished
runs (a histogram built from the runs table); records by state per feed; feeds by status;
batch durations and HTTP retries by kind (counters every process adds to in the state). The
API's own requests and latencies are counted in this process by a small ASGI middleware,
labelled by route template (never the raw path), in a registry of this app (no globals).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from ..errors import ForbiddenError
from ..pipeline import Oogst
from .auth import ReaderDep, client_address, is_loopback

router = APIRouter(tags=["service"])
API_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class StateCollector(Collector):
    """The pipeline's figures, read from the state at every scrape."""

    def __init__(self, oogst: Oogst) -> None:
        self.oogst = oogst

    def collect(self) -> Iterator[Metric]:
        snap = self.oogst.metrics.snapshot()
        runs = GaugeMetricFamily("oogst_runs", "Runs in the state by feed, mode and status.",
                                 labels=["feed", "mode", "status"])
        harvest = HistogramMetricFamily("oogst_harvest_seconds", "Duration of finished runs (started to finished).",
                                        labels=["feed", "mode", "status"])
        for row in snap["runs"]:
            labels = [row["feed"], row["mode"], row["status"]]
            runs.add_metric(labels, row["runs"])
            if row["seconds"]:
                buckets = [(_le(b), sum(1 for s in row["seconds"] if s <= b)) for b in snap["harvest_buckets"]]
                harvest.add_metric(labels, [*buckets, ("+Inf", len(row["seconds"]))], sum(row["seconds"]))
        yield runs
        yield harvest
        records = GaugeMetricFamily("oogst_records", "Records by feed and state (published, quarantined, "
                                    "withdrawn).", labels=["feed", "state"])
        for row in snap["records"]:
            records.add_metric([row["feed"], row["state"]], row["records"])
        yield records
        feeds = GaugeMetricFamily("oogst_feed_failures", "Failed runs in a row, by feed and status.",
                                  labels=["feed", "status"])
        for row in snap["feeds"]:
            feeds.add_metric([row["feed"], row["status"]], row["failures"])
        yield feeds
        yield _histogram("oogst_batch_seconds", "Time to archive, map, validate and store one batch.",
                         snap["batches"], "feed")
        retries = CounterMetricFamily("oogst_http_retries", "Requests to partners retried, by kind.",
                                      labels=["feed", "kind"])
        for row in snap["retries"]:
            retries.add_metric([row["labels"].get("feed", ""), row["labels"].get("kind", "")], row["value"])
        yield retries


def _le(bound: float) -> str:
    return f"{bound:g}" if bound != int(bound) else f"{bound:.1f}"


def _histogram(name: str, doc: str, rows: list[dict[str, Any]], label: str) -> HistogramMetricFamily:
    """A histogram from the state's counters ``{name}_bucket`` (with ``le``), ``_sum``, ``_count``."""
    family = HistogramMetricFamily(name, doc, labels=[label])
    by_key: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row["labels"].get(label, "")
        entry = by_key.setdefault(key, {"buckets": {}, "sum": 0.0})
        if row["name"].endswith("_bucket"):
            entry["buckets"][row["labels"]["le"]] = row["value"]
        elif row["name"].endswith("_sum"):
            entry["sum"] = row["value"]
    for key, entry in sorted(by_key.items()):
        bounds = sorted((b for b in entry["buckets"] if b != "+Inf"), key=float)
        buckets = [(_le(float(b)), entry["buckets"][b]) for b in bounds]
        buckets.append(("+Inf", entry["buckets"].get("+Inf", 0)))
        family.add_metric([key], buckets, entry["sum"])
    return family


class ApiMetrics:
    """Requests and latencies of this API process, by method, route template and status."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("oogst_api_requests", "API requests by method, route and status.",
                                ["method", "route", "status"], registry=registry)
        self.latency = Histogram("oogst_api_request_seconds", "API request latency by method and route.",
                                 ["method", "route"], buckets=API_BUCKETS, registry=registry)


class MetricsMiddleware:
    """Pure ASGI (streams stay streams): times every HTTP request to its last byte."""

    def __init__(self, app: Any, metrics: ApiMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or (
                "/static" if scope.get("path", "").startswith("/static/") else "unmatched")
            self.metrics.requests.labels(scope["method"], route, str(status["code"])).inc()
            self.metrics.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


def install(app: Any, oogst: Oogst) -> None:
    """A registry of this app with the state's figures and the API's own, and the middleware."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector(oogst))
    app.state.metrics_registry = registry
    app.add_middleware(MetricsMiddleware, metrics=ApiMetrics(registry))


@router.get("/metrics", summary="Prometheus metrics: runs, records, durations, retries, API requests (an "
            "operator's token, or from a loopback address)", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: {"description": "Not an operator."}})
def metrics(request: Request, user: ReaderDep) -> Response:
    # per-feed quarantine counts are the partners' business: the operator's Prometheus scrapes
    # with a token (`authorization: {credentials: …}`) or over loopback (a local agent)
    if not is_loopback(client_address(request)) and not (user and user.is_operator):
        raise ForbiddenError("/metrics is for the operator", hint="scrape it with an operator's API token")
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)
