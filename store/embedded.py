"""The embedded default store: pyoxigraph (RocksDB) on disk, or in memory for tests.

Writes: ``replace_graphs(graphs)`` is one transaction, so a batch of records is replaced
all-or-nothing and a reader never sees half a batch. When none of the graphs exists yet
(looked up first: a few microseconds a graph) the batch is one N-Quads document for
``Store.load``; otherwise it is one SPARQL update of the triples that changed (``DELETE
DATA`` + ``INSERT DATA``, against what the store holds). ``replace_graphs(graphs, new=True)``
is the bulk path for first loads: the new graphs go through pyoxigraph's bulk loader, faster still
but not transactional (a crash can leave part of the batch; in memory a reader can also see
part of it — on disk readers only see snapshots, taken between batches).
A graph that exists already is replaced through the transactional path first, so the end
state never depends on the path.

Several processes share one store on disk (``oogst serve``, any number of harvests, ``oogst
query``): one writes at a time (the writer lock, waited for), and every read goes to the
newest published snapshot, a RocksDB checkpoint taken after each write session
(``store/snapshots.py``). A batch becomes visible to readers whole, the bulk path included.
:func:`open_snapshot` gives a reading process (a query worker) the newest snapshot.

``oogst serve`` runs the public queries in worker processes instead (``store/workers.py``,
killed at the timeout), over ``reader_path()``: a read-only checkpoint of what this store holds.
Here, queries run in a worker thread so that ``query_timeout`` holds: pyoxigraph cannot cancel a
query, so a query past its time is abandoned (its answer is dropped; one that streams rows
stops at its next row, one that computes before its first row runs on to its end). At most
``max(2, cpu count)`` queries run at once, abandoned ones included.
"""

from __future__ import annotations

import errno
import shutil
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from ..errors import QueryTimeoutError, StoreBusyError, StoreError
from .base import QueryResult, StoreOptions
from .readahead import ReadAhead, read_graph
from .snapshots import Snapshot, Snapshots, has_data, open_snapshot
from .results import GRAPH_RDF_FORMATS, execute, sparql_iri

__all__ = ["EmbeddedStore", "open_snapshot"]

log = logging.getLogger(__name__)

T = TypeVar("T")


KEPT_INFO_LOGS = 4


def _prune_info_logs(path: Path) -> None:
    """RocksDB starts an info log (``LOG``, 140 KB of options) each time the store opens and
    keeps a thousand old ones (``LOG.old.*``): a store opened by every run would carry 140 MB
    of them. The newest few are kept for whoever reads them."""
    old = sorted(path.glob("LOG.old.*"), key=lambda p: p.name)
    for log_file in old[:-KEPT_INFO_LOGS]:
        try:
            log_file.unlink()
        except OSError:
            pass


class EmbeddedStore:
    """pyoxigraph on disk (``path``) or in memory (``path=None``).

    On disk, reads go to the newest published snapshot (``store/snapshots.py``) and writes to
    the store itself, in write sessions (:meth:`writing`): the process takes the writer lock
    (waiting up to ``write_lock_timeout`` while another process writes), opens the store,
    writes, and publishes a snapshot when the outermost session ends. It keeps the store open
    for the next session unless another process waits for it or it stays idle for
    ``LINGER`` seconds."""

    LINGER = 1.0

    def __init__(self, path: str | Path | None = None, options: StoreOptions | None = None) -> None:
        self.path = Path(path) if path else None
        self.url = f"oxigraph://{self.path or ''}"
        self.options = options or StoreOptions()
        self._slots = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
        self._mem: ox.Store | None = None
        self._rw: ox.Store | None = None  # open for writing, between sessions while lingering
        self._depth = 0
        self._dirty = False  # written since the last snapshot
        self._mutex = threading.RLock()
        self._timer: threading.Timer | None = None
        self._snapshots: Snapshots | None = None
        self._ahead = ReadAhead()
        if self.path is None:
            self._mem = ox.Store()
            return
        if self.options.read_only and not self.path.is_dir():
            raise StoreError(f"no store at {self.path} to open read-only", url=self.url,
                             hint="harvest first, or open it for writing")
        if not self.options.read_only:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store at {self.path}: {exc}", url=self.url) from exc
        self._snapshots = Snapshots(self.path)

    # -- sessions -------------------------------------------------------------------------
    def _reader(self) -> tuple[ox.Store, Snapshot | None]:
        """The store to read and the snapshot to keep while reading it."""
        if self._snapshots is None:
            assert self._mem is not None
            return self._mem, None
        snap = self._snapshots.current()
        if snap is None and has_data(self.path) and self._rw is None:  # a store from before snapshots
            self._snapshots.publish_existing(self.options.write_lock_timeout)
            snap = self._snapshots.current()
        return (snap.store, snap) if snap is not None else (_empty(), None)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A write session: the writes in it become visible to readers together, when the
        outermost session ends (a batch calls several writes in one). Writes reach the store
        through :meth:`_target` only, never a local name: the store must close (pyoxigraph
        closes it when the last reference goes) before the writer lock is released."""
        self._writable()
        if self._snapshots is None:
            yield
            return
        with self._mutex:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._depth += 1
            try:
                if self._rw is None:
                    self._snapshots.writer.acquire(self.options.write_lock_timeout)
                    try:
                        self._rw = self._open_for_writing()
                    except BaseException:
                        self._snapshots.writer.release()
                        raise
                self._dirty = True
                try:
                    yield
                    if self._depth == 1:
                        self._publish()
                except (OSError, RuntimeError) as exc:  # any write (also through raw()) to deleted files
                    gone = self._gone()
                    if gone is None:
                        raise
                    raise gone from exc
            finally:
                self._depth -= 1
                if self._depth == 0 and self._rw is not None:
                    if self._snapshots.writer.wanted():
                        self._let_go()
                    else:
                        self._timer = threading.Timer(self.LINGER, self._idle)
                        self._timer.daemon = True
                        self._timer.start()

    def _open_for_writing(self) -> ox.Store:
        """The store, opened for writing; RocksDB's own lock may linger a moment after the
        previous writer let go (its handle is freed as its last reference goes). Held longer
        (this process has the writer lock), another program has it open: busy."""
        deadline = time.monotonic() + min(self.options.write_lock_timeout, 10.0)
        while True:
            try:
                store = ox.Store(str(self.path))
                _prune_info_logs(self.path)
                return store
            except OSError as exc:
                locked = "lock" in str(exc).lower()
                if not locked or time.monotonic() > deadline:
                    raise (StoreBusyError if locked else StoreError)(
                        f"cannot open the store at {self.path}: {exc}", url=self.url,
                        hint="another program (not oogst) may have it open; oogst processes take turns",
                    ) from exc
                time.sleep(0.02)

    def verify(self) -> None:
        """Raise StoreError when the store's files are gone from under it (its folder deleted
        while open: RocksDB would go on in memory and lose everything at close)."""
        if self.path is None:
            return
        gone = self._gone()
        if gone is not None:
            raise gone
        with self._mutex:
            if self._rw is not None:
                try:
                    self._rw.flush()
                except OSError as exc:
                    raise StoreError(f"the store at {self.path} cannot be written: {exc}", url=self.url) from exc

    def _gone(self) -> StoreError | None:
        if self.path is None or (self.path / "CURRENT").exists():
            return None
        if self._rw is None and (self._snapshots is None or self._snapshots.generation() is None):
            return None  # never written (no snapshot published): a new store, not a deleted one
        return StoreError(f"the store's files at {self.path} are gone (deleted while oogst had it open)",
                          url=self.url, hint="nothing written since is kept: run `oogst check --repair` "
                          "(or harvest again) to publish the records again from the archive")

    def raw(self) -> ox.Store:
        """The pyoxigraph store that this process writes: only inside :meth:`writing` (the
        system graphs' bulk loads of provenance)."""
        return self._target()

    def _target(self) -> ox.Store:
        store = self._mem if self._snapshots is None else self._rw
        assert store is not None, "writes go inside writing()"
        return store

    def _publish(self) -> None:
        assert self._snapshots is not None and self._rw is not None
        if self._gone() is not None:  # nothing to publish: the run that wrote has failed on it (verify)
            log.warning("the store at %s is gone: no snapshot published", self.path)
            self._dirty = False
            return
        started = time.perf_counter()
        try:
            generation = self._snapshots.publish(self._rw)
        except StoreError as exc:
            raise self._gone() or exc from exc  # deleted since the check above: say so
        self._dirty = False
        log.debug("snapshot %d of %s published in %.3f s", generation, self.path, time.perf_counter() - started)

    def _idle(self) -> None:
        with self._mutex:
            if self._depth == 0:
                self._let_go()

    def _let_go(self) -> None:
        """Close the store for writing and release the writer lock (publishing what is left)."""
        if self._rw is None:
            return
        try:
            if self._dirty:
                self._publish()
            if self._gone() is None:  # the files gone: nothing to flush (the run failed on it)
                self._rw.flush()
        finally:
            self._rw = None  # the last reference: pyoxigraph closes the store and RocksDB's lock
            assert self._snapshots is not None
            self._snapshots.writer.release()

    def update(self, sparql: str) -> None:
        """One SPARQL update, one transaction (the system graphs write through this)."""
        with self.writing():
            try:
                self._target().update(sparql)
            except (SyntaxError, OSError) as exc:
                raise StoreError(f"the update failed: {exc}", url=self.url) from exc

    # -- writes ---------------------------------------------------------------------------
    def _writable(self) -> None:
        if self.options.read_only:
            raise StoreError(f"the store {self.url} is open read-only", url=self.url,
                             hint="writes go through the process that opened it for writing")

    def replace_graphs(self, graphs: Mapping[str, str], *, new: bool = False) -> None:
        self._writable()
        for g in graphs:
            sparql_iri(g)  # refuse an unusable IRI before anything is written
        if not graphs:
            return
        with self.writing():
            existing = {g for g in graphs if self._target().contains_named_graph(ox.NamedNode(g))}
            self._ahead.written(g for g in graphs if g not in existing)  # _replace takes the others'
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

    def read_ahead(self, graph_iris: Iterable[str]) -> None:
        """Start reading, in the background, graphs that a coming ``replace_graphs`` will
        replace (``store/readahead.py``): from the newest snapshot, so only on disk, and not
        while this process writes (a graph written meanwhile is read again anyway)."""
        if self._snapshots is None or self._depth:
            return
        snap = self._snapshots.current()
        if snap is not None:
            self._ahead.start(snap, graph_iris)

    def _replace(self, graphs: Mapping[str, str]) -> None:
        """One SPARQL update, one transaction. Per graph, only the triples that changed
        (``DELETE DATA``, ``INSERT DATA``), found against what the store holds: a changed
        record keeps most of its triples, and in a large store RocksDB's writes cost more than
        its reads (1,000 changed graphs of a 100,000-record store: 0.8 s, against 3.3 s dropped
        and inserted whole). The graphs are compared as N-Triples lines, the store's dumped by
        pyoxigraph (no Python term per triple: 0.56 ms a graph in that store against 0.8 ms
        for comparing parsed triples; reading the graph from RocksDB is most of it); a triple
        written two ways (the store writes ``"98.0"^^xsd:decimal``
        as ``"98"``) is deleted and inserted again, which leaves the same graph. A graph with
        blank nodes, whose labels cannot be compared, is dropped and inserted whole
        (``DROP SILENT GRAPH`` + ``INSERT DATA``); a line that does not parse fails the update,
        which names it. Graphs not read ahead (:meth:`read_ahead`) are read by two threads
        (pyoxigraph lets go of the GIL while it reads: 1,000 graphs in 0.42 s against 0.65 s)."""
        target = self._target()
        whole, gone, fresh = [], [], []
        olds = {g: self._ahead.take(g) for g in graphs}
        missing = [g for g, text in olds.items() if text is None]
        if len(missing) >= 64:
            with ThreadPoolExecutor(2, thread_name_prefix="oogst-store-read") as readers:
                olds.update(zip(missing, readers.map(partial(read_graph, target), missing, chunksize=32)))
        else:
            olds.update((g, read_graph(target, g)) for g in missing)
        for graph_iri, ntriples in graphs.items():
            old = olds[graph_iri]
            g = sparql_iri(graph_iri)
            if "_:" in ntriples or "_:" in old:
                whole.append(f"DROP SILENT GRAPH {g}")
                if ntriples.strip():
                    whole.append(f"INSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")
                continue
            # lines end at "\n" only: a literal may hold U+2028, NEL or a form feed unescaped
            before = {line for line in old.split("\n") if line.strip()}
            after = {line for line in ntriples.split("\n") if line.strip()}
            for out, lines in ((gone, before - after), (fresh, after - before)):
                if lines:
                    out.append(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}")
        parts = [*whole, *(f"{op} {{\n" + "\n".join(body) + "\n}" for op, body in (("DELETE DATA", gone),
                                                                                  ("INSERT DATA", fresh)) if body)]
        if not parts:
            return
        try:
            target.update(" ;\n".join(parts))
        except (SyntaxError, OSError) as exc:
            raise self._gone() or StoreError(f"writing {len(graphs)} graph(s) failed: {exc}", url=self.url) from exc

    def _load(self, graphs: Mapping[str, str], *, bulk: bool) -> None:
        """Graphs the store does not hold, as one TriG document (each graph's N-Triples, a
        subset of Turtle, in a block of its own: no line is rewritten, which costs a tenth of
        the N-Quads it replaces): ``Store.load`` (one transaction, about three times faster
        than the update) or the bulk loader."""
        trig = "".join(f"{sparql_iri(g)} {{\n{nt}\n}}\n" for g, nt in graphs.items())
        if not trig:
            return
        try:
            if bulk:
                self._target().bulk_load(trig, format=ox.RdfFormat.TRIG)
            else:
                self._target().load(trig, format=ox.RdfFormat.TRIG)
        except (SyntaxError, OSError) as exc:
            raise self._gone() or StoreError(f"loading {len(graphs)} new graph(s) failed: {exc}", url=self.url,
                             hint="replaying the batch repairs a partial bulk load" if bulk else None) from exc

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        self._writable()
        graph_iris = list(graph_iris)
        update = " ;\n".join(f"DROP SILENT GRAPH {sparql_iri(g)}" for g in graph_iris)
        if update:
            with self.writing():
                self._ahead.written(graph_iris)
                try:
                    self._target().update(update)
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
        store, snap = self._reader()

        def run(cancelled: threading.Event) -> QueryResult:
            return execute(snap.store if snap is not None else store, sparql, solutions=solutions, graph=graph,
                           default_graphs=default_graphs, named_graphs=named_graphs, base_iri=base_iri,
                           limit=self.options.result_limit, cancelled=cancelled)

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

    def graph(self, graph_iri: str, format: str = "ntriples") -> bytes | None:
        store, _snap = self._reader()
        node = ox.NamedNode(graph_iri)
        if not store.contains_named_graph(node):
            return None
        return store.dump(format=GRAPH_RDF_FORMATS[format], from_graph=node)

    def count_graphs(self) -> int:
        store, _snap = self._reader()
        prefix = self.options.graph_prefix or ""
        return sum(1 for g in store.named_graphs() if g.value.startswith(prefix))

    def values(self, sparql: str) -> list[list[str | None]]:
        """Every row of a SELECT as the values of its terms, with no row limit: for oogst's own
        bookkeeping reads (the system graphs), not for public queries."""
        store, snap = self._reader()
        rows = [[t.value if t is not None else None for t in row] for row in store.query(sparql)]
        del snap  # held until the rows are read
        return rows

    def reader_path(self) -> Path | None:
        """The store folder whose snapshots other processes (the query workers) read with
        :func:`open_snapshot`; None for a store in memory."""
        return self.path

    @classmethod
    def snapshot(cls, path: str | Path, options: StoreOptions | None = None) -> EmbeddedStore:
        """A read-only view of the store at ``path`` (its newest snapshot), even while another
        process writes it: for a backup."""
        return cls(path, options or StoreOptions(read_only=True))

    def backup(self, target: str | Path) -> str:
        """A consistent copy of the store in the new folder ``target``: a RocksDB checkpoint of
        the newest snapshot (hard links to its immutable files; a snapshot never changes once
        published). Returns "copy"."""
        if self.path is None:
            raise StoreError("an in-memory store has no backup", url=self.url)
        with self._mutex:
            self._let_go()  # what this process wrote is published first
        store, snap = self._reader()
        try:
            if snap is None:  # nothing stored yet: an empty store
                ox.Store(str(target)).flush()
            else:
                store.backup(str(target))
            return "copy"
        except OSError as exc:
            raise StoreError(f"cannot back up the store at {self.path} to {target}: {exc}", url=self.url) from exc
        return "checkpoint"

    def close(self) -> None:
        """Publish what is written, release the store and its snapshot; closing twice is harmless."""
        self._ahead.close()
        with self._mutex:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._let_go()
            if self._snapshots is not None:
                self._snapshots.close()
            self._mem = None


_EMPTY: ox.Store | None = None


def _empty() -> ox.Store:
    """An empty store: what a reader sees before anything is published."""
    global _EMPTY
    if _EMPTY is None:
        _EMPTY = ox.Store()
    return _EMPTY


def _detached(exc: BaseException) -> BaseException:
    """``exc`` without tracebacks (along its cause/context chain): their frames hold
    pyoxigraph objects, which must be freed on the thread that made them."""
    link: BaseException | None = exc
    while link is not None:
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return exc


_FIRST = ("CURRENT", "MANIFEST-", "OPTIONS-", "IDENTITY")  # copied before the WAL and the table files


def copy_files(source: str | Path, target: str | Path) -> None:
    """The files of the store at ``source``, also while another process holds it, as they are
    at a moment when it writes nothing (a backup holds the data dir's write barrier): the
    manifest first, then the write-ahead logs (copied) and the table files (hard links:
    RocksDB never changes one, and a link keeps it when RocksDB removes it), listed after the
    manifest was copied, and once more for those a background flush or compaction wrote
    meanwhile. Opening the copy recovers it as after a crash at that moment, the unflushed
    writes included. A compaction can still remove a table file that the copied manifest
    names: then opening the copy fails, and the caller starts over."""
    source, target = Path(source), Path(target)
    target.mkdir(parents=True)
    done: set[str] = set()

    def take(name: str) -> None:
        try:
            if name.endswith((".sst", ".blob")):
                try:
                    os.link(source / name, target / name)
                except OSError as exc:
                    if exc.errno != errno.EXDEV:
                        raise
                    shutil.copy2(source / name, target / name)  # another file system: a real copy
            else:
                shutil.copy2(source / name, target / name)
            done.add(name)
        except FileNotFoundError:  # removed meanwhile: obsolete, or opening the copy says so
            log.debug("store file %s went away while copying", name)

    for name in sorted(os.listdir(source)):
        if name.startswith(_FIRST):
            take(name)
    for suffixes in ((".log", ".sst", ".blob"), (".sst", ".blob")):  # a log begun since holds nothing of the moment
        for name in sorted(os.listdir(source)):
            if name.endswith(suffixes) and name not in done:
                take(name)
