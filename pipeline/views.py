"""Derived views: what is computed from the store and the state and leaves oogst — the search
index, the provenance graphs and the dataset descriptions (``publish/``).

One interface: the run room calls :meth:`Views.batch_stored` after each batch,
:meth:`Views.withdrawn` after a sweep and :meth:`Views.run_finished` at the end of a run;
each view can be rebuilt whole from the state and the store. Views are derived data: when a
write fails, the records stay published, the failure is logged, and a rebuild repairs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import StoreError
from ..publish.datasets import feed_description
from ..publish.search import Doc, extract
from ..records import now

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)


class Views:
    def __init__(self, core: Oogst) -> None:
        self.core = core

    # -- fed by the run room ---------------------------------------------------------------
    def batch_stored(self, rows: list[dict[str, Any]], graphs: dict[str, str], docs: list[Doc] | None = None) -> None:
        """A batch was stored: index the published records, unindex the withdrawn ones, and
        record their provenance. ``docs``: the published records' search documents, when the
        mapping step extracted them already."""
        labels: dict[str, Any] = {}
        if docs is None:
            docs = [self._doc(r, graphs[r["graph_iri"]], labels.get(r["feed"]) or labels.setdefault(
                r["feed"], self.core.concept_labels(r["feed"]))) for r in rows if r["state"] == "published"]
        try:
            self.core.search.put(docs)
            self.core.search.remove(r["record_id"] for r in rows if r["state"] == "withdrawn")
        except StoreError as exc:
            log.error("the search index is behind the store: %s; run `oogst index rebuild`", exc)
        self._system(lambda: self.core.system.records(rows, now()))

    def withdrawn(self, rows: list[dict[str, Any]]) -> None:
        """Records withdrawn by a sweep (no graph left to index)."""
        try:
            self.core.search.remove(r["record_id"] for r in rows)
        except StoreError as exc:
            log.error("the search index is behind the store: %s; run `oogst index rebuild`", exc)
        self._system(lambda: self.core.system.records(rows, now()))

    def run_finished(self, run: dict[str, Any]) -> None:
        """A run ended (a state ``runs`` row): its activity, and every feed's description."""
        self._system(lambda: (self.core.system.run(run), self._write_datasets()))

    def feed_removed(self, name: str) -> None:
        self.core.search.remove_feed(name)
        self._system(lambda: (self.core.system.forget_feed(name), self._write_datasets()))

    # -- rebuilds ---------------------------------------------------------------------------
    def rebuild_index(self, progress: Callable[[int], None] | None = None, *, only_if_empty: bool = False) -> int:
        """Recreate the search index from the state's published records and the store."""
        return self.core.search.rebuild(self._published_docs(), only_if_empty=only_if_empty, progress=progress) or 0

    def rebuild_system(self) -> dict[str, int]:
        """Recreate the system graphs from the state: an entity per published and withdrawn
        record, an activity per run, a description per feed."""
        state, system = self.core.state, self.core.system
        system.clear()
        counts = {"records": 0, "withdrawn": 0, "runs": 0, "feeds": 0}
        for kind, key in (("published", "records"), ("withdrawn", "withdrawn")):
            for rows in _pages(lambda after, kind=kind: state.list_records(state=kind, after=after, limit=1000)):
                system.records([{**r, "state": kind} for r in rows])
                counts[key] += len(rows)
        for feed in state.list_feeds():
            counts["feeds"] += 1
            for run in state.runs(feed.name, limit=1_000_000):
                system.run(run)
                counts["runs"] += 1
        self._write_datasets()
        return counts

    # -- helpers -----------------------------------------------------------------------------
    def _published_docs(self) -> Iterator[Doc]:
        labels: dict[str, Mapping[str, str]] = {}
        for rows in _pages(lambda after: self.core.state.list_records(state="published", after=after, limit=1000)):
            for row in rows:
                body = self.core.store.graph(row["graph_iri"], "ntriples")
                if body is None:
                    log.warning("record %s is published in the state but its graph %s is not in the store",
                                row["record_id"], row["graph_iri"])
                    continue
                if row["feed"] not in labels:
                    labels[row["feed"]] = self.core.concept_labels(row["feed"])
                doc = self._doc(row, body, labels[row["feed"]])
                doc.modified = doc.modified or row["updated_at"]
                yield doc

    @staticmethod
    def _doc(row: dict[str, Any], ntriples: str | bytes, labels: Mapping[str, str]) -> Doc:
        return extract(ntriples, record_id=row["record_id"], feed=row["feed"], object_iri=row["object_iri"] or "",
                       graph_iri=row["graph_iri"], datestamp=row["datestamp"], labels=labels)

    def _write_datasets(self) -> None:
        """Rewrite the dataset graph: every feed's DCAT-AP/VoID description (as ``/datasets``
        serves it), with links under ``public_url`` (else host and port)."""
        core = self.core
        base_url = core.settings.public_url or f"http://{core.settings.host}:{core.settings.port}"
        stats = core.search.feed_stats()
        dumps = core.dumps().get("dumps", [])
        core.system.set_datasets("".join(
            feed_description(core.settings, base_url, feed, stats.get(feed.name), core.state.last_run(feed.name),
                             [d for d in dumps if d.get("feed") == feed.name])
            for feed in core.state.list_feeds()))

    @staticmethod
    def _system(write: Callable[[], Any]) -> None:
        try:
            write()
        except (OSError, SyntaxError, ValueError) as exc:
            log.error("the system graphs are behind the state: %s; run `oogst system rebuild`", exc)


def _pages(read: Callable[[str | None], list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    """Pages of the record index, ordered by record id, until one comes back empty."""
    after = None
    while rows := read(after):
        yield rows
        after = rows[-1]["record_id"]
