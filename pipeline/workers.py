"""Map and validate in worker processes: the CPU work of a batch, with everything that is a
pure function of one mapped record.

:func:`outcomes` takes the payloads of one batch and returns, per record, an
:class:`Outcome`: the mapped record and its validation report, and for a record that conforms
the graph as it is stored (the mapping's N-Triples plus the record's own provenance), its
event-log hash and data provider, its search :class:`~oogst.publish.display.Doc` and its EDM
summary (tiers). The batch room (``batch.py``) calls it in its own process (``workers = 1``)
or through a :class:`Pool` of ``workers`` processes, so the result is the same function's
either way: identical stores.

A :class:`Pool` is a ``spawn`` process pool (the parent holds RocksDB and threads, which a
fork must not copy), each worker keeps one :class:`~oogst.pipeline.batch.Gate` (the shapes
compiled once per process). Payloads go in and text comes out; a job is one slice of a
batch. A worker ends by itself within a second when its harvest is gone (killed with
SIGKILL). :class:`Stream` keeps at most ``depth`` batches in flight, in order, so the
harvester's I/O, the workers and the parent's writes overlap while memory stays bounded;
a :class:`Lane` writes each batch's derived views on a thread while the next is stored.
"""

from __future__ import annotations

import contextvars
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from .. import iris
from ..publish import ntgraph
from ..publish.display import Doc, extract
from ..publish.ldes import version_of
from ..publish.provenance import record_provenance
from ..records import MappedRecord, Report, SourceRecord
from ..store.state.events import compress_body
from . import findings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """What a worker needs to map one slice of a batch: the feed's format and profile, the
    run, the time the batch is published at, the concept labels (search) and the feed's
    delivery settings (EDM summary; None when not worked out at publish time)."""

    feed: str
    fmt: str
    profile: Any  # mapping.Profile
    base_iri: str
    run_id: int
    when: str
    labels: Mapping[str, str]
    delivery: Any = None  # publish.europeana.DeliverySettings | None
    engine: str = "native"
    sample: float = 1.0
    limits: Any = None  # harvest.limits.RecordLimits: the triples of a record before SHACL


@dataclass
class Outcome:
    """One record's outcome: ``mapped`` is None when it could not be mapped (``report``
    then says why). ``provenance`` (so ``graph``), ``version``, ``doc`` and ``summary`` are set
    for a record that conforms (before the batch's IRI-collision check, which only the parent
    can do). The stored graph is the mapping's N-Triples and the provenance, joined where it
    is used: only the provenance crosses from a worker, not a second copy of the graph."""

    source_id: str
    sha256: str
    mapped: MappedRecord | None
    report: Report
    provenance: str | None = None
    version: dict[str, Any] | None = None  # the event log's: hash of the description, data provider, body
    doc: Doc | None = None
    summary: dict[str, Any] | None = None  # the delivery columns, without media information
    media: list[str] = field(default_factory=list)  # the URLs whose media information changes ``summary``

    @property
    def graph(self) -> str | None:
        """The graph as it is stored: the mapping's N-Triples, then the record's provenance."""
        return None if self.provenance is None or self.mapped is None else self.mapped.ntriples + self.provenance


_GATES: dict[tuple[str, float], Any] = {}


def _gate(engine: str, sample: float) -> Any:
    from .batch import Gate

    key = (engine, sample)
    if key not in _GATES:
        _GATES[key] = Gate(engine, sample)
    return _GATES[key]


def outcomes(job: Job, records: list[SourceRecord], gate: Any = None) -> list[Outcome]:
    """Map, validate and derive the records of one slice (in this process)."""
    from .batch import map_records

    gate = gate or _gate(job.engine, job.sample)
    mapped, failed = map_records(records, job.fmt, job.profile)
    out: dict[str, Outcome] = {}
    for rec, exc in failed:
        out[rec.source_id] = Outcome(rec.source_id, rec.sha256, None,
                                     Report(rec.source_id, [findings.unmappable(exc)]))
    if job.limits is not None:  # too many triples for SHACL (its time and memory grow with the graph)
        big = {rec.source_id: problem for rec, m in mapped if (problem := job.limits.triples_problem(m.ntriples))}
        for source_id, problem in big.items():
            sha = next(r.sha256 for r, _ in mapped if r.source_id == source_id)
            out[source_id] = Outcome(source_id, sha, None, Report(source_id, [findings.too_large(problem)]))
        mapped = [(r, m) for r, m in mapped if r.source_id not in big]
    reports = gate.validate([m for _, m in mapped])
    minter = iris.Minter(job.feed, job.base_iri)
    for rec, m in mapped:
        report = reports.get(rec.source_id) or Report(rec.source_id)
        o = out[rec.source_id] = Outcome(rec.source_id, rec.sha256, m, report)
        if report.conforms:
            _derive(job, rec, m, o, minter)
    return [out[r.source_id] for r in records]


def _derive(job: Job, rec: SourceRecord, m: MappedRecord, o: Outcome, minter: iris.Minter) -> None:
    from .delivery import summary_of

    row = {"feed": job.feed, "source_id": rec.source_id, "graph_iri": minter.graph_iri(rec.source_id),
           "object_iri": m.iri, "run_id": job.run_id, "datestamp": rec.datestamp}
    o.provenance = record_provenance(row, job.base_iri, job.profile.mapping_version, job.when)
    text = m.ntriples + o.provenance
    v = version_of(row["graph_iri"], m.iri, text)
    o.version = {"hash": v["hash"], "provider": v["provider"], "body": compress_body(text)}
    graph = ntgraph.parse(text)  # one parse for the search document and the EDM summary
    o.doc = extract(graph, record_id=iris.record_id(job.feed, rec.source_id), feed=job.feed, object_iri=m.iri,
                    graph_iri=row["graph_iri"], datestamp=rec.datestamp, labels=job.labels)
    if job.delivery is not None:
        o.summary, o.media = summary_of(graph, job.delivery, o.doc.record_id)


def _warm(engine: str, sample: float) -> None:
    gate = _gate(engine, sample)
    gate.acceptance._chosen()
    if sample > 0:
        gate.warnings._chosen()


def _work(job: Job, records: list[SourceRecord]) -> list[Outcome]:
    try:
        return outcomes(job, records)
    except Exception:
        log.exception("a mapping worker failed on a slice of %d record(s) of feed %s", len(records), job.feed)
        raise


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in the worker process
    """End this worker when the harvest that started it is gone: a harvest killed with
    SIGKILL cannot stop its pool, and a worker waiting for work would otherwise wait forever
    (it holds both ends of the pool's queue, so it never reads an end of file)."""
    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="oogst-parent-watch", daemon=True).start()


def default_workers() -> int:
    """The ``workers`` setting's 0: one worker per core."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Pool:
    """``size`` worker processes that run :func:`outcomes` on slices of batches."""

    def __init__(self, size: int, engine: str = "native", sample: float = 1.0) -> None:
        self.size = size
        self._executor = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_watch_parent, initargs=(os.getpid(),))
        self._warming = [self._executor.submit(_warm, engine, sample) for _ in range(size)]

    @property
    def warm(self) -> bool:
        """Whether the workers have started (imports done, shapes compiled)."""
        return all(f.done() for f in self._warming)

    def wait_warm(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the workers to start; whether they have."""
        wait(self._warming, timeout=timeout)
        return self.warm

    def submit(self, job: Job, records: list[SourceRecord]) -> Future:
        """A future of the batch's outcomes, by source id: its slices run side by side."""
        step = max(1, -(-len(records) // self.size))
        parts = [self._executor.submit(_work, job, records[i:i + step]) for i in range(0, len(records), step)]
        done: Future = Future()
        left = [len(parts)]

        def one(_: Future) -> None:
            left[0] -= 1
            if left[0] == 0:
                try:
                    done.set_result({o.source_id: o for p in parts for o in p.result()})
                except BaseException as exc:  # a worker that died, a slice that failed
                    done.set_exception(exc)

        if not parts:
            done.set_result({})
        for p in parts:
            p.add_done_callback(one)
        return done

    def close(self) -> None:
        """Stop the workers; ones still starting are stopped at once (a short run that never
        needed them does not wait for their start). The run goes on while they end (a worker's
        interpreter takes 0.1-0.5 s to tear down its compiled shapes and mappers); the pool's
        own thread reaps them, at the latest when this process exits."""
        if not self.warm:
            for process in list(getattr(self._executor, "_processes", {}).values()):
                process.terminate()
        self._executor.shutdown(wait=False, cancel_futures=True)


WAIT_FOR_WORKERS = 100  # records of a first batch worth waiting for the workers (about 0.35 s to map here)
WORKERS_START = 2.0  # seconds to wait for them at most (a loaded machine: map here meanwhile)


class Stream:
    """Batches in flight, committed in the order they came. ``put`` starts mapping a batch
    in the pool and queues what to do with its outcomes (``commit``); ``then`` queues what
    must wait for the batches before it (a checkpoint). At most ``depth`` batches wait: ``put``
    commits the oldest first. The workers start with the first batch, or before it (``start``).
    With one worker, everything runs at once in this process; so do
    the batches that come while the workers start, except that a first batch of at least
    ``WAIT_FOR_WORKERS`` records waits up to ``WORKERS_START`` seconds for them.
    A pool that fails (a worker killed) leaves its batches to be mapped in this process."""

    def __init__(self, workers: int, submit: Callable[..., Future], depth: int = 2, *, engine: str = "native",
                 sample: float = 1.0) -> None:
        self.workers, self.depth = workers, depth
        self._gate = (engine, sample)
        self._submit = submit
        self._pool: Pool | None = None
        self._queue: deque[tuple[Future | None, Callable[[Any], None]]] = deque()
        self._batches = 0
        self._first = True  # no batch came yet: a large first one waits for the workers' start
        self.failed = False  # a commit raised: what is queued after it must not be stored

    def start(self) -> None:
        """Start the workers now, before the first batch comes (a run expected to be large:
        they start while the first page is fetched)."""
        if self.workers > 1 and self._pool is None:
            self._pool = Pool(self.workers, *self._gate)

    def put(self, feed: Any, profile: Any, records: list[SourceRecord], run_id: int,
            commit: Callable[[dict[str, Outcome] | None], None]) -> None:
        self.start()
        first, self._first = self._first, False
        if first and self._pool is not None and len(records) >= WAIT_FOR_WORKERS:
            self._pool.wait_warm(WORKERS_START)  # they start in about 0.4 s: sooner than it maps here
        if self.workers <= 1 or not self._pool.warm:
            # in this process (the workers are starting, or failed), after the batches queued
            self.drain()
            self._commit(commit, None)
            return
        self._queue.append((self._submit(self._pool, feed, profile, records, run_id=run_id), commit))
        self._batches += 1
        while self._batches > self.depth:
            self._pop()

    def then(self, action: Callable[[], None]) -> None:
        if self._queue:
            self._queue.append((None, lambda _: action()))
        else:
            self._commit(lambda _: action(), None)

    def drain(self) -> None:
        while self._queue:
            self._pop()

    def discard(self) -> None:
        """Forget what is queued (after a commit failed: nothing after it is stored)."""
        for future, _ in self._queue:
            if future is not None:
                future.cancel()
        self._queue.clear()
        self._batches = 0

    def close(self) -> None:
        self.discard()
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _pop(self) -> None:
        future, commit = self._queue.popleft()
        if future is None:
            self._commit(commit, None)
            return
        self._batches -= 1
        try:
            outs = future.result()
        except Exception as exc:  # noqa: BLE001 - a worker died: this process maps the batch
            log.warning("the mapping workers failed (%s); mapping in this process", exc)
            self.workers, outs = 1, None
        self._commit(commit, outs)

    def _commit(self, commit: Callable[[Any], None], outs: Any) -> None:
        try:
            commit(outs)
        except BaseException:
            self.failed = True
            raise


class Lane:
    """Work that follows each batch, in order, on a thread of its own: the derived views of
    batch N are written while batch N+1 is stored (SQLite and RocksDB let go of the GIL
    while they read and write). One job is in flight at a time; its error is raised by the
    next ``put`` or by ``wait``. Jobs run in the caller's context (its log fields)."""

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._pending: Future | None = None

    def put(self, job: Callable[[], Any]) -> None:
        self.wait()
        self._pending = self._executor.submit(contextvars.copy_context().run, job)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> Lane:
        return self

    def __exit__(self, failing: type[BaseException] | None, *_: Any) -> None:
        """Leaving normally waits for the last job and raises its error; leaving on an error
        waits too, and logs the job's error (the caller's goes on)."""
        if failing is None:
            try:
                self.wait()
            finally:
                self._executor.shutdown(wait=True)
        else:
            self.close()

    def close(self) -> None:
        """Wait for the job in flight and end the thread; an error of that job is logged
        (the caller is failing already, or has waited)."""
        try:
            self.wait()
        except Exception:  # noqa: BLE001 - the error that is failing the run goes on; this one is logged
            log.exception("writing the derived views of a batch failed")
        finally:
            self._executor.shutdown(wait=True)
