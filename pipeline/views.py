"""Derived views: what is computed from the store and the state and leaves oogst — the search
index, the provenance graphs and the dataset descriptions (``publish/``).

One interface: the batch room calls :meth:`Views.batch_stored` for each batch, after the
store and before the record index; the run room calls :meth:`Views.withdrawn` in a sweep and
:meth:`Views.run_finished` at the end of a run; each view can be rebuilt whole from the state
and the store.

Exactly once: a batch's views are written before the record index records the batch's
hashes, so a crash in between replays the batch in full; a write that fails fails the batch
(a ``StoreError``). :meth:`Views.incomplete` tells the batch room which unchanged records lack
an output (their replay is not skipped), and :meth:`Views.check` compares a feed's published
records in the state with the store, the search index and the provenance, and repairs
(``oogst check --repair``, and every run's end).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .. import iris
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
        self.core.search.put(docs)
        self.core.search.remove(r["record_id"] for r in rows if r["state"] == "withdrawn")
        self._system(lambda: self.core.system.records(rows, now()), strict=True)

    def withdrawn(self, rows: list[dict[str, Any]]) -> None:
        """Records withdrawn by a sweep (no graph left to index), before the state says so."""
        self.core.search.remove(r["record_id"] for r in rows)
        self._system(lambda: self.core.system.records(rows, now()), strict=True)

    # -- consistency --------------------------------------------------------------------------
    def counts(self) -> dict[str, Any]:
        """Cheap totals (``Oogst.consistency``, ``/health``): published records, graphs,
        indexed records, live provenance entities; ``ok`` when they agree and the store's files
        are in place, else ``problems`` says what is wrong."""
        core = self.core
        counts = {"records": core.state.counts()["published"], "graphs": core.store.count_graphs(),
                  "indexed": core.search.count(), "provenance": core.system.live_count()}
        problems = []
        if len(set(counts.values())) > 1:
            problems.append("the record index, the store, the search index and the provenance disagree: "
                            + ", ".join(f"{k} {v}" for k, v in counts.items()) + " (`oogst check --repair`)")
        try:
            if (verify := getattr(core.store, "verify", None)) is not None:
                verify()
        except StoreError as exc:
            problems.append(str(exc))
        return {"ok": not problems, **counts, "problems": problems}

    def incomplete(self, feed: str, source_ids: list[str]) -> set[str]:
        """Of these records (published, by the record index), the ones whose graph, search
        entry or provenance is missing: their replay must not be skipped as unchanged."""
        if not source_ids:
            return set()
        minter = iris.Minter(feed, self.core.settings.base_iri)
        graph = {sid: minter.graph_iri(sid) for sid in source_ids}
        stored = self.in_store(list(graph.values()))
        indexed = self.core.search.present([iris.record_id(feed, sid) for sid in source_ids])
        live = self._live(feed, list(graph.values()))
        return {sid for sid in source_ids
                if graph[sid] not in stored or graph[sid] not in live or iris.record_id(feed, sid) not in indexed}

    def in_store(self, graph_iris: list[str]) -> set[str]:
        """Which of these graphs the record store holds (one query per 500)."""
        found: set[str] = set()
        for start in range(0, len(graph_iris), 500):
            values = " ".join(f"<{g}>" for g in graph_iris[start:start + 500])
            found |= self._graphs(f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}")
        return found

    def _graphs(self, sparql: str) -> set[str]:
        answer = self.core.store.query(sparql, solutions="json")
        if answer.truncated:
            raise StoreError("the store cut the list of graphs at result_limit", hint="raise result_limit for the check")
        return {b["g"]["value"] for b in json.loads(answer.body)["results"]["bindings"]}

    def _live(self, feed: str, graph_iris: list[str] | None = None) -> set[str]:
        try:
            return self.core.system.live(feed, graph_iris)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"the provenance graphs cannot be read: {exc}", hint="`oogst system rebuild`") from exc

    def check(self, feed: str, *, repair: bool = False, records: list[str] | None = None,
              republish: Callable[[list[str]], int] | None = None) -> dict[str, Any]:
        """Compare feed ``feed``'s published records (the record index) with the record store,
        the search index and the provenance, record by record. ``records`` (what a run wrote):
        the totals first (a few ms a thousand records), then, when they agree, only these
        source ids record by record: a published one must be in all three, any other in none
        (``[]``: the totals only). ``repair``: re-index and re-record what is missing, drop
        what has no published record; records whose graph is gone go to ``republish`` (source
        ids → how many were published again, from the archive)."""
        core = self.core
        if records is not None:
            published = core.state.counts(feed)["published"]
            counts = {"published": published, "graphs": self._graph_total(feed, published),
                      "indexed": core.search.count(feed), "provenance": core.system.live_count(feed)}
            if len(set(counts.values())) == 1:
                checked, source_of = self._check_records(feed, records)
                found = {"feed": feed, **counts, **checked}
                if repair and not found["ok"]:
                    found["repaired"] = self._repair(feed, found, source_of, republish)
                return found
        indexed = core.search.present(feed=feed)
        live = self._live(feed)
        prefix = json.dumps(f"{iris.graph_prefix(core.settings.base_iri)}{feed}/")
        in_store: set[str] = set()
        while True:  # every graph of the feed, in pages the store's result_limit allows
            after = f"FILTER(STR(?g) > {json.dumps(max(in_store))}) " if in_store else ""
            page = self._graphs(f"SELECT ?g WHERE {{ GRAPH ?g {{}} FILTER(STRSTARTS(STR(?g), {prefix})) {after}}} "
                                f"ORDER BY ?g LIMIT {min(50_000, core.settings.result_limit)}")
            in_store |= page
            if len(page) < min(50_000, core.settings.result_limit):
                break
        rows = {r["graph_iri"]: (r["record_id"], r["source_id"]) for page in _pages(
            lambda after: core.state.list_records(state="published", feed=feed, after=after, limit=1000))
            for r in page}
        stored = self.in_store(list(rows))
        record_ids = {rid for rid, _ in rows.values()}
        found = {
            "feed": feed, "published": len(rows), "graphs": len(in_store | stored), "indexed": len(indexed),
            "provenance": len(live),
            "missing": {"store": sorted(rows[g][0] for g in rows if g not in stored),
                        "index": sorted(record_ids - indexed),
                        "provenance": sorted(rows[g][0] for g in rows if g not in live)},
            "extra": {"store": sorted(in_store - set(rows)), "index": sorted(indexed - record_ids),
                      "provenance": sorted(live - set(rows))},
        }
        found["ok"] = not any(found["missing"].values()) and not any(found["extra"].values())
        if repair and not found["ok"]:
            found["repaired"] = self._repair(feed, found, {rid: sid for rid, sid in rows.values()}, republish)
        return found

    def _graph_total(self, feed: str, published: int) -> int:
        """The feed's graphs in the store. Reading every graph's name costs 0.26 s at 100,000
        records; so when the store holds as many graphs as all feeds have published records
        (a count of 0.02 s), the graphs that carry the feed's own provenance are counted
        instead (every published record's graph names its feed: an index lookup, 0.04 s). When
        either differs, the names are read."""
        core = self.core

        def count(sparql: str) -> int:
            return int(json.loads(core.store.query(sparql, solutions="json").body)["results"]["bindings"][0]["n"]["value"])

        if count("SELECT (COUNT(?g) AS ?n) WHERE { GRAPH ?g {} }") == core.state.counts()["published"]:
            feed_iri = iris.Minter(feed, core.settings.base_iri).feed_iri()
            own = count(f"SELECT (COUNT(?g) AS ?n) WHERE {{ GRAPH ?g {{ ?g <{iris.PROV}wasDerivedFrom> <{feed_iri}> }} }}")
            if own == published:
                return own
        prefix = json.dumps(f"{iris.graph_prefix(core.settings.base_iri)}{feed}/")
        return count(f"SELECT (COUNT(?g) AS ?n) WHERE {{ GRAPH ?g {{}} FILTER(STRSTARTS(STR(?g), {prefix})) }}")

    def _check_records(self, feed: str, source_ids: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
        """:meth:`check` of some records only: what is missing and extra, and record id →
        source id of the published ones."""
        core = self.core
        minter = iris.Minter(feed, core.settings.base_iri)
        known = core.state.known_records(feed, source_ids)
        rows = {minter.graph_iri(sid): (iris.record_id(feed, sid), sid) for sid, r in known.items() if r["published"]}
        gone = {minter.graph_iri(sid): iris.record_id(feed, sid) for sid, r in known.items() if not r["published"]}
        graphs = [*rows, *gone]
        stored = self.in_store(graphs)
        live = self._live(feed, graphs)
        published = {rid for rid, _ in rows.values()}
        indexed = core.search.present([*published, *gone.values()])
        found = {
            "checked": len(known),
            "missing": {"store": sorted(rid for g, (rid, _) in rows.items() if g not in stored),
                        "index": sorted(published - indexed),
                        "provenance": sorted(rid for g, (rid, _) in rows.items() if g not in live)},
            "extra": {"store": sorted(stored & gone.keys()), "index": sorted(indexed - published),
                      "provenance": sorted(live & gone.keys())},
        }
        found["ok"] = not any(found["missing"].values()) and not any(found["extra"].values())
        return found, dict(rows.values())

    def _repair(self, feed: str, found: dict[str, Any], source_of: dict[str, str],
                republish: Callable[[list[str]], int] | None) -> dict[str, int]:
        core, missing, extra = self.core, found["missing"], found["extra"]
        done = dict.fromkeys(("republished", "indexed", "provenance", "dropped"), 0)
        lost = set(missing["store"])
        if lost and republish:
            done["republished"] = republish(sorted(source_of[rid] for rid in lost))
        for key, write in (("index", self._reindex), ("provenance", self._rerecord)):
            ids = [rid for rid in missing[key] if rid not in lost]
            for start in range(0, len(ids), 500):
                rows = [row for rid in ids[start:start + 500] if (row := core.state.find_record(rid))]
                done["indexed" if key == "index" else "provenance"] += write(rows)
        if extra["store"]:
            core.store.drop_graphs(extra["store"])
        core.search.remove(extra["index"])
        gone, prefix = [], f"{iris.graph_prefix(core.settings.base_iri)}{feed}/"
        for graph in extra["provenance"]:
            row = core.state.find_record(f"{feed}/{graph.removeprefix(prefix)}")
            if row and not row["published"]:
                gone.append({**row, "state": "withdrawn", "withdrawn_at": row.get("withdrawn_at") or now()})
        self._system(lambda: core.system.records(gone), strict=True)
        done["dropped"] = len(extra["store"]) + len(extra["index"]) + len(gone)
        return done

    def _reindex(self, rows: list[dict[str, Any]]) -> int:
        docs = []
        for row in rows:
            body = self.core.store.graph(row["graph_iri"], "ntriples")
            if body is not None:
                doc = self._doc(row, body, self.core.concept_labels(row["feed"]))
                doc.modified = doc.modified or row["updated_at"]
                docs.append(doc)
        return self.core.search.put(docs)

    def _rerecord(self, rows: list[dict[str, Any]]) -> int:
        self._system(lambda: self.core.system.records([{**r, "state": "published"} for r in rows]), strict=True)
        return len(rows)

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
    def _system(write: Callable[[], Any], *, strict: bool = False) -> None:
        """Write the system graphs; ``strict``: a failure is a StoreError (the batch is not
        recorded, so it is written again), else it is logged (a rebuild repairs it)."""
        try:
            write()
        except (OSError, SyntaxError, ValueError) as exc:
            if strict:
                raise StoreError(f"writing the provenance failed: {exc}", hint="the batch is written again "
                                 "on the next run; `oogst check --repair` repairs it now") from exc
            log.error("the system graphs are behind the state: %s; run `oogst system rebuild`", exc)


def _pages(read: Callable[[str | None], list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    """Pages of the record index, ordered by record id, until one comes back empty."""
    after = None
    while rows := read(after):
        yield rows
        after = rows[-1]["record_id"]
