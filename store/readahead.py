"""Reading ahead the graphs a harvest is about to replace.

The embedded store replaces a changed graph by the triples that changed, found against what
it holds (``EmbeddedStore._replace``); reading a graph from a large store costs 0.5-2 ms
(RocksDB's blocks, every term's string). The batch room knows which graphs a batch will
replace as soon as it hands the batch to the mapping workers, so it asks for them then
(:meth:`ReadAhead.start`): two threads read them from the newest snapshot while the workers
map (pyoxigraph lets go of the GIL while it reads), and the replace takes the texts
(:meth:`take`) instead of reading them itself.

A text read ahead is only used when it is still what the store holds: the snapshot it was
read from is kept open (its files cannot be deleted meanwhile), and a graph written since
(:meth:`written`, called by every write of the store) is forgotten, whether its reading has
finished or not. What is never taken (a record that turned out unchanged) is forgotten
after a few batches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox

READERS = 2  # threads
KEPT_BATCHES = 4  # texts never taken are forgotten after this many more batches


def read_graph(store: ox.Store, graph_iri: str) -> str:
    """A graph's triples as N-Triples text, as the store writes them."""
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri)).decode("utf-8")


def _read(snapshot: Any, graph_iri: str) -> str:
    return read_graph(snapshot.store, graph_iri)


class ReadAhead:
    """Texts of graphs read from snapshots in the background, by graph IRI."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._texts: dict[str, tuple[int, Future[str]]] = {}  # graph → (batch number, its reading)
        self._batch = 0

    def start(self, snapshot: Any, graph_iris: Iterable[str]) -> None:
        """Read these graphs from ``snapshot`` (a :class:`~oogst.store.snapshots.Snapshot`,
        kept open until they are read) in the background."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(READERS, thread_name_prefix="oogst-read-ahead")
            self._batch += 1
            for graph, (batch, reading) in list(self._texts.items()):
                if batch <= self._batch - KEPT_BATCHES:
                    reading.cancel()
                    del self._texts[graph]
            for graph in graph_iris:  # each queued reading holds the snapshot, which keeps it open
                self._texts[graph] = (self._batch, self._pool.submit(_read, snapshot, graph))

    def written(self, graph_iris: Iterable[str]) -> None:
        """These graphs are being written: what was read of them is out of date."""
        with self._lock:
            if not self._texts:
                return
            for graph in graph_iris:
                entry = self._texts.pop(graph, None)
                if entry is not None:
                    entry[1].cancel()

    def take(self, graph_iri: str) -> str | None:
        """The graph's text read ahead (waiting for its reading), or None: read it yourself."""
        with self._lock:
            entry = self._texts.pop(graph_iri, None)
        if entry is None or entry[1].cancelled():
            return None
        try:
            return entry[1].result()
        except Exception:  # noqa: BLE001 - the replace reads the graph itself, and meets the error there
            return None

    def close(self) -> None:
        with self._lock:
            for _, reading in self._texts.values():
                reading.cancel()
            self._texts.clear()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
