"""The embedded default store: pyoxigraph (RocksDB) on disk, or in memory for tests.

Writes: ``replace_graphs(graphs)`` is one transaction, so a batch of records is replaced
all-or-nothing and a reader never sees half a batch. When none of the graphs exists yet
(looked up first: a few microseconds a graph) the batch is one N-Quads document for
``Store.load``; otherwise it is one SPARQL update (``DROP SILENT GRAPH`` + ``INSERT DATA``
per graph), about three times slower. ``replace_graphs(graphs, new=True)`` is the bulk path
for first loads: the new graphs go through pyoxigraph's bulk loader, which is faster still
but not transactional (a reader can see part of the batch; a crash can leave part of it).
A graph that exists already is replaced through the transactional path first, so the end
state never depends on the path.

Reads run on snapshots and pyoxigraph releases the GIL while it works, so queries in other
threads are not blocked by a write in this process. RocksDB lets one process open the
store: ``oogst serve`` and a harvest in another process cannot share it (see
docs/architecture.md, "Concurrency").

``oogst serve`` runs the public queries in worker processes instead (``store/workers.py``,
killed at the timeout), over ``reader_path()``: a read-only checkpoint of what this store holds.
Here, queries run in a worker thread so that ``query_timeout`` holds: pyoxigraph cannot cancel a
query, so a query past its time is abandoned (its answer is dropped; one that streams rows
stops at its next row, one that computes before its first row runs on to its end). At most
``max(2, cpu count)`` queries run at once, abandoned ones included.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from ..errors import QueryError, QueryTimeoutError, StoreError
from .base import GRAPH_FORMATS, SOLUTION_FORMATS, QueryResult, StoreOptions
from .results import (
    GRAPH_RDF_FORMATS,
    SOLUTION_RESULT_FORMATS,
    as_nquads,
    has_dataset_clause,
    solutions_body,
    sparql_iri,
    triples_body,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
_CHECK_EVERY = 1_000  # rows between two looks at the cancel flag


class EmbeddedStore:
    """pyoxigraph on disk (``path``) or in memory (``path=None``)."""

    def __init__(self, path: str | Path | None = None, options: StoreOptions | None = None) -> None:
        self.path = Path(path) if path else None
        self.url = f"oxigraph://{self.path or ''}"
        self.options = options or StoreOptions()
        self._slots = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
        self.generation = 0  # counts this process's writes: query workers reopen on a change
        self._reader: tuple[int, Path] | None = None  # (generation, snapshot) that workers read
        self._reader_lock = threading.Lock()
        try:
            if self.path is None:
                self._store = ox.Store()
            elif self.options.read_only:
                self._refuse_live_writer()
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {self.path}: {exc}",
                url=self.url,
                hint="is another oogst process (serve, harvest) using this data dir? RocksDB allows "
                "one process: stop it, run the harvest through that process, or use a server store "
                "(--store oxigraph+http://…)",
            ) from exc

    def _refuse_live_writer(self) -> None:
        """A read-only view of a store that another process writes is undefined behaviour in
        pyoxigraph: refuse while RocksDB's lock is held."""
        assert self.path is not None
        lock = self.path / "LOCK"
        if not lock.exists():
            raise StoreError(f"no store at {self.path} to open read-only", url=self.url,
                             hint="harvest first, or open it for writing")
        with lock.open("rb") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                raise StoreError(
                    f"the store at {self.path} is open for writing in another process", url=self.url,
                    hint="a read-only view must not share the store with a writer: serve from the process "
                    "that harvests, wait for the harvest to end, or use a server store (oxigraph+http://…)",
                ) from None
            fcntl.lockf(handle, fcntl.LOCK_UN)

    # -- writes ---------------------------------------------------------------------------
    def _writable(self) -> None:
        if self.options.read_only:
            raise StoreError(f"the store {self.url} is open read-only", url=self.url,
                             hint="writes go through the process that opened it for writing")

    def replace_graphs(self, graphs: Mapping[str, str], *, new: bool = False) -> None:
        self._writable()
        self.generation += 1
        for g in graphs:
            sparql_iri(g)  # refuse an unusable IRI before anything is written
        existing = {g for g in graphs if self._store.contains_named_graph(ox.NamedNode(g))}
        if new:
            if existing:
                log.info("bulk load: %d of %d graphs exist already; replacing those in a transaction",
                         len(existing), len(graphs))
                self._replace({g: graphs[g] for g in existing})
            self._load({g: nt for g, nt in graphs.items() if g not in existing}, bulk=True)
        elif existing:
            self._replace(graphs)
        else:
            self._load(graphs, bulk=False)

    def _replace(self, graphs: Mapping[str, str]) -> None:
        """One SPARQL update: DROP + INSERT DATA per graph, one transaction."""
        parts = []
        for graph_iri, ntriples in graphs.items():
            g = sparql_iri(graph_iri)
            parts.append(f"DROP SILENT GRAPH {g}")
            if ntriples.strip():
                parts.append(f"INSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")
        if not parts:
            return
        try:
            self._store.update(" ;\n".join(parts))
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"writing {len(graphs)} graph(s) failed: {exc}", url=self.url) from exc

    def _load(self, graphs: Mapping[str, str], *, bulk: bool) -> None:
        """Graphs the store does not hold, as one N-Quads document: ``Store.load`` (one
        transaction, about three times faster than the update) or the bulk loader."""
        nquads = "".join(as_nquads(g, nt) for g, nt in graphs.items())
        if not nquads:
            return
        try:
            if bulk:
                self._store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
            else:
                self._store.load(nquads, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"loading {len(graphs)} new graph(s) failed: {exc}", url=self.url,
                             hint="replaying the batch repairs a partial bulk load" if bulk else None) from exc

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        self._writable()
        self.generation += 1
        update = " ;\n".join(f"DROP SILENT GRAPH {sparql_iri(g)}" for g in graph_iris)
        if update:
            try:
                self._store.update(update)
            except OSError as exc:
                raise StoreError(f"dropping graphs failed: {exc}", url=self.url) from exc

    # -- reads ----------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        solutions: str = "json",
        graph: str = "turtle",
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        def run(cancelled: threading.Event) -> QueryResult:
            return execute(self._store, sparql, solutions=solutions, graph=graph, default_graphs=default_graphs,
                           named_graphs=named_graphs, base_iri=base_iri, limit=self.options.result_limit,
                           cancelled=cancelled)

        return self._with_deadline(run)

    def _with_deadline(self, work: Callable[[threading.Event], T]) -> T:
        """Run ``work`` in a worker thread and give up waiting after ``query_timeout``."""
        timeout = self.options.query_timeout
        cancelled = threading.Event()
        if timeout <= 0:
            return work(cancelled)
        deadline = time.monotonic() + timeout
        if not self._slots.acquire(timeout=timeout):
            raise QueryTimeoutError(f"the store is busy: every query slot was taken for {timeout:g} s",
                             hint="earlier queries ran past query_timeout; try again shortly")
        outcome: dict[str, object] = {}
        done = threading.Event()

        def worker() -> None:
            try:
                outcome["value"] = work(cancelled)
            except BaseException as exc:  # handed to the waiting caller
                log.debug("query failed", exc_info=True)
                outcome["error"] = _detached(exc)
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=worker, name="oogst-query", daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic())):
            cancelled.set()
            log.warning("query abandoned after %g s", timeout)
            raise QueryTimeoutError(f"the query ran longer than {timeout:g} s and was stopped",
                             hint="make it more selective, add a LIMIT, or raise the setting query_timeout")
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["value"]  # type: ignore[return-value]

    def reader_path(self) -> Path | None:
        """A directory other processes (the query workers) may open read-only, holding what this
        store holds now; None for a store in memory. A read-only store is that directory itself;
        a writable one makes a RocksDB checkpoint (``Store.backup``: hard links, about 0.3 s
        after a batch) under ``<store>.readers/`` when it was written since the last one, and
        removes the checkpoints before the previous one."""
        if self.path is None:
            return None
        if self.options.read_only:
            return self.path
        with self._reader_lock:
            generation = self.generation
            if self._reader is None or self._reader[0] != generation:
                readers = self.path.with_name(self.path.name + ".readers")
                target = readers / f"{os.getpid()}-{time.time_ns()}"
                readers.mkdir(parents=True, exist_ok=True)
                try:
                    self._store.backup(str(target))
                except OSError as exc:
                    raise StoreError(f"cannot make a read-only checkpoint of the store: {exc}", url=self.url) from exc
                keep = {target, self._reader[1]} if self._reader else {target}
                for old in readers.iterdir():
                    if old not in keep and old.name.startswith(f"{os.getpid()}-"):
                        shutil.rmtree(old, ignore_errors=True)
                self._reader = (generation, target)
            return self._reader[1]

    def graph(self, graph_iri: str, format: str = "ntriples") -> bytes | None:
        node = ox.NamedNode(graph_iri)
        if not self._store.contains_named_graph(node):
            return None
        return self._store.dump(format=GRAPH_RDF_FORMATS[format], from_graph=node)

    def count_graphs(self) -> int:
        prefix = self.options.graph_prefix or ""
        return sum(1 for g in self._store.named_graphs() if g.value.startswith(prefix))

    def close(self) -> None:
        """Flush and release the store; closing twice is harmless."""
        store = self.__dict__.pop("_store", None)
        if store is not None and not self.options.read_only:
            store.flush()
        if self._reader is not None:  # this process's checkpoints (another process may have its own)
            readers = self._reader[1].parent
            for old in readers.glob(f"{os.getpid()}-*"):
                shutil.rmtree(old, ignore_errors=True)
            with contextlib.suppress(OSError):
                readers.rmdir()
            self._reader = None


def execute(store: ox.Store, sparql: str, *, solutions: str = "json", graph: str = "turtle",
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
            base_iri: str | None = None, limit: int = 100_000, cancelled: threading.Event | None = None) -> QueryResult:
    """One read-only query on a pyoxigraph store, cut at ``limit`` rows and serialised (in this
    thread, or in a query worker process: ``store/workers.py``)."""
    cancelled = cancelled or threading.Event()
    kwargs: dict = {"base_iri": base_iri}
    try:
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif not has_dataset_clause(sparql):
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        result = store.query(sparql, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("boolean", result.serialize(format=SOLUTION_RESULT_FORMATS[solutions]),
                               SOLUTION_FORMATS[solutions])
        rows = _take(result, limit + 1, cancelled)
        truncated = len(rows) > limit
        if isinstance(result, ox.QueryTriples):
            return QueryResult("graph", triples_body(rows[:limit], graph), GRAPH_FORMATS[graph], truncated)
        body = solutions_body(result.variables, rows[:limit], solutions)
        return QueryResult("solutions", body, SOLUTION_FORMATS[solutions], truncated)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (ValueError, OSError) as exc:
        raise QueryError(f"the query failed: {exc}") from exc


def _detached(exc: BaseException) -> BaseException:
    """``exc`` without tracebacks (along its cause/context chain): their frames hold
    pyoxigraph objects, which must be freed on the thread that made them."""
    link: BaseException | None = exc
    while link is not None:
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return exc


def _take(rows: Iterable[T], n: int, cancelled: threading.Event) -> list[T]:
    """The first ``n`` rows; stops early once the caller has given up."""
    out: list[T] = []
    for chunk in iter(lambda: list(itertools.islice(rows, min(_CHECK_EVERY, n - len(out)))), []):
        out.extend(chunk)
        if cancelled.is_set():
            raise QueryError("the query was abandoned")
        if len(out) >= n:
            break
    return out
