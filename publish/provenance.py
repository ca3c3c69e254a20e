"""The system store: provenance (PROV-O) and dataset (DCAT-AP, VoID) graphs, apart from the records.

The SPARQL default graph is the union of the record store's graphs, so typed system triples
(``prov:Activity``, ``dcat:Dataset``) must not live there: they go to a second embedded
store in the data dir (``Settings.system_store_url``) with two named graphs. When the records
go to a SPARQL server (several machines), the system graphs go to the same server, in the
same two graphs, written with SPARQL updates:

- ``{base}graph/_system/provenance``: per published record, its graph IRI as a
  ``prov:Entity`` (``prov:wasGeneratedBy`` the run, ``prov:wasDerivedFrom`` the source
  record, ``prov:generatedAtTime``, ``oogst:datestamp``, ``oogst:mappingVersion``,
  ``oogst:validation``, ``foaf:primaryTopic`` the object); a withdrawn record keeps its
  entity with ``prov:invalidatedAtTime``; per run a ``prov:Activity`` with its times,
  status and counts. Quarantined records are not here: they stay in the state database.
- ``{base}graph/_system/datasets``: every feed's DCAT-AP/VoID description
  (``datasets.feed_description``), rewritten after each run.

The system store is derived from the state (``oogst system rebuild``), never the other way
round; the pipeline writes it after the record store and the state have committed.
"""

from __future__ import annotations

import json
from contextlib import nullcontext

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph

from .. import iris
from ..iris import DCT, FOAF, PROV, RDF_TYPE, XSD
from ..records import RUN_COUNTS
from .datasets import iri as as_iri
from .datasets import lit


def record_provenance(row: dict[str, Any], base_iri: str, mapping_version: str, when: str) -> str:
    """The provenance a published record's own graph carries about itself (N-Triples): its
    object, run, feed, source id, time, mapping version and validation outcome. ``row`` is
    its record-index row."""
    g = f"<{row['graph_iri']}>"
    ns = base_iri.rstrip("/") + "/ns#"
    triples = [
        (FOAF + "primaryTopic", f"<{row['object_iri']}>"),
        (PROV + "wasGeneratedBy", f"<{iris.run_iri(row['run_id'], base_iri)}>"),
        (PROV + "wasDerivedFrom", f"<{iris.Minter(row['feed'], base_iri).feed_iri()}>"),
        (DCT + "source", lit(row["source_id"])),
        (DCT + "modified", lit(when, datatype=XSD + "dateTime")),
        (ns + "mappingVersion", lit(mapping_version)),
        (ns + "validation", lit("conforms")),
    ]
    if row.get("datestamp"):
        triples.append((ns + "datestamp", lit(row["datestamp"])))
    return "".join(f"{g} <{p}> {o} .\n" for p, o in triples)


class SystemGraphs:
    """The writable system store; readers open it through ``open_store``. ``store`` is a
    folder (pyoxigraph opened here, for this process alone) or a store with ``update(sparql)``
    and ``close()`` (the core hands in the embedded store, which several processes share)."""

    def __init__(self, store: Path | Any, base_iri: str, mapping_version: str) -> None:
        if isinstance(store, Path):
            store.mkdir(parents=True, exist_ok=True)
            store = pyoxigraph.Store(str(store))
        self._store = store
        self.base_iri = base_iri
        self.mapping_version = mapping_version
        self.ns = base_iri.rstrip("/") + "/ns#"
        self.provenance = iris.system_graph("provenance", base_iri)
        self.datasets = iris.system_graph("datasets", base_iri)

    def close(self) -> None:
        store = self.__dict__.pop("_store", None)
        if store is not None:
            (store.close if hasattr(store, "close") else store.flush)()

    # -- provenance ------------------------------------------------------------------------
    def records(self, rows: Iterable[dict[str, Any]], when: str | None = None) -> None:
        """Record the outcome of a batch (state rows): published records replace their
        entity (generated ``when``, else at the row's ``updated_at``), withdrawn ones gain
        ``prov:invalidatedAtTime``; others are left alone. The batch's triples are loaded
        at once by the bulk loader (derived data: ``oogst system rebuild`` repairs a load cut
        short); only entities the graph holds already are deleted first (by one update)."""
        writing = getattr(self._store, "writing", None)  # the embedded store: one write session
        with writing() if writing else nullcontext():
            raw = self._store.raw() if hasattr(self._store, "raw") else self._store
            self._records(raw, rows, when)

    def _records(self, raw: Any, rows: Iterable[dict[str, Any]], when: str | None) -> None:
        graph = pyoxigraph.NamedNode(self.provenance)
        g = f"<{self.provenance}>"
        bulk = isinstance(raw, pyoxigraph.Store)  # else a SPARQL server: updates only
        ops: list[str] = []
        triples: list[str] = []
        held: dict[str, list[str]] = {"published": [], "withdrawn": []}  # entities to clear first, by row state
        for row in rows:
            subject = f"<{row['graph_iri']}>"
            if row["state"] not in held:
                continue
            if not bulk or next(raw.quads_for_pattern(pyoxigraph.NamedNode(row["graph_iri"]), None, None, graph),
                                None) is not None:
                held[row["state"]].append(subject)
            triples += (self._entity(subject, row, when) if row["state"] == "published"
                        else self._withdrawn(subject, row))
        for state, subjects in held.items():
            if not subjects:
                continue
            p = "?p" if state == "published" else f"<{PROV}invalidatedAtTime>"
            if bulk:  # one operation for the batch: 0.09 ms an entity in a store of 100,000, one each 0.21 ms
                ops.append(f"DELETE {{ GRAPH {g} {{ ?s {p} ?o }} }} WHERE {{ GRAPH {g} {{ VALUES ?s {{ "
                           f"{' '.join(subjects)} }} ?s {p} ?o }} }}")
            else:
                ops += [f"DELETE WHERE {{ GRAPH {g} {{ {s} {p} ?o }} }}" for s in subjects]
        if not bulk and triples:
            ops.append(f"INSERT DATA {{ GRAPH {g} {{\n" + "\n".join(triples) + "\n} }")
        if ops:
            raw.update(" ;\n".join(ops))
        if bulk and triples:  # the bulk loader: its memory stays flat (a transactional load's grows with the feed)
            raw.bulk_load(f"{g} {{\n" + "\n".join(triples) + "\n}\n", format=pyoxigraph.RdfFormat.TRIG)

    def _entity(self, subject: str, row: dict[str, Any], when: str | None) -> list[str]:
        t = [(RDF_TYPE, f"<{PROV}Entity>"),
             (PROV + "wasGeneratedBy", f"<{iris.run_iri(row['run_id'], self.base_iri)}>"),
             (PROV + "wasDerivedFrom", as_iri(row["source_id"]) or lit(row["source_id"])),
             (PROV + "generatedAtTime", lit(when or row["updated_at"], datatype=XSD + "dateTime")),
             (DCT + "isPartOf", f"<{iris.Minter(row['feed'], self.base_iri).feed_iri()}>"),
             (self.ns + "mappingVersion", lit(self.mapping_version)),
             (self.ns + "validation", lit("conforms")),
             (FOAF + "primaryTopic", as_iri(row.get("object_iri"))),
             (self.ns + "datestamp", lit(row["datestamp"]) if row.get("datestamp") else None)]
        return [f"{subject} <{p}> {o} ." for p, o in t if o is not None]

    def _withdrawn(self, subject: str, row: dict[str, Any]) -> list[str]:
        when = row.get("withdrawn_at") or row.get("updated_at")
        return [f"{subject} <{RDF_TYPE}> <{PROV}Entity> .",
                f"{subject} <{DCT}isPartOf> <{iris.Minter(row['feed'], self.base_iri).feed_iri()}> .",
                f"{subject} <{PROV}wasInvalidatedBy> <{iris.run_iri(row['run_id'], self.base_iri)}> .",
                f"{subject} <{PROV}invalidatedAtTime> {lit(when, datatype=XSD + 'dateTime')} ."]

    def run(self, run: dict[str, Any]) -> None:
        """Replace run ``run`` (a state runs row) as a ``prov:Activity``."""
        g = f"<{self.provenance}>"
        subject = f"<{iris.run_iri(run['id'], self.base_iri)}>"
        t = [(RDF_TYPE, f"<{PROV}Activity>"),
             (PROV + "used", f"<{iris.Minter(run['feed'], self.base_iri).feed_iri()}>"),
             (PROV + "startedAtTime", lit(run["started_at"], datatype=XSD + "dateTime") if run.get("started_at")
              else None),
             (PROV + "endedAtTime", lit(run["finished_at"], datatype=XSD + "dateTime") if run.get("finished_at")
              else None),
             (self.ns + "status", lit(run["status"])),
             (self.ns + "mode", lit(run["mode"]) if run.get("mode") else None)]
        t += [(self.ns + k, lit(str(run.get(k) or 0), datatype=XSD + "integer")) for k in RUN_COUNTS]
        body = "\n".join(f"{subject} <{p}> {o} ." for p, o in t if o is not None)
        self._store.update(f"DELETE WHERE {{ GRAPH {g} {{ {subject} ?p ?o }} }} ;\n"
                           f"INSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}")

    def live(self, feed: str, graph_iris: Iterable[str] | None = None) -> set[str]:
        """The graph IRIs of feed ``feed``'s records that have a live entity (published, not
        invalidated): all of them, or those among ``graph_iris``."""
        g = f"<{self.provenance}>"
        feed_iri = f"<{iris.Minter(feed, self.base_iri).feed_iri()}>"
        pattern = (f"GRAPH {g} {{ ?s <{DCT}isPartOf> {feed_iri} ; <{PROV}generatedAtTime> ?t "
                   f"FILTER NOT EXISTS {{ ?s <{PROV}invalidatedAtTime> ?i }} }}")
        if graph_iris is None:
            return {row[0] for row in self._select(f"SELECT ?s WHERE {{ {pattern} }}")}
        wanted, found = list(graph_iris), set()
        for start in range(0, len(wanted), 500):
            values = " ".join(f"<{i}>" for i in wanted[start:start + 500])
            found |= {row[0] for row in self._select(f"SELECT ?s WHERE {{ VALUES ?s {{ {values} }} {pattern} }}")}
        return found

    def live_count(self, feed: str | None = None) -> int:
        """How many records have a live entity (published, not invalidated): of all feeds, or
        of ``feed`` (its entities less its invalidated ones: two index scans, no join, about
        20 ms at 100,000 records where the join takes nearly a second)."""
        g = f"<{self.provenance}>"
        if feed is not None:
            prefix = json.dumps(f"{iris.graph_prefix(self.base_iri)}{feed}/")
            entities = self._select(f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH {g} {{ ?s <{DCT}isPartOf> "
                                    f"<{iris.Minter(feed, self.base_iri).feed_iri()}> }} }}")
            invalidated = self._select(f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH {g} {{ ?s <{PROV}invalidatedAtTime> ?i "
                                       f"FILTER(STRSTARTS(STR(?s), {prefix})) }} }}")
            return int(entities[0][0]) - int(invalidated[0][0])
        rows = self._select(
            f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH {g} {{ ?s <{PROV}generatedAtTime> ?t "
            f"FILTER NOT EXISTS {{ ?s <{PROV}invalidatedAtTime> ?i }} }} }}")
        return int(rows[0][0]) if rows else 0

    def _select(self, sparql: str) -> list[list[str | None]]:
        """The values of a SELECT's solutions, from the embedded store or from the server (whose
        dataset is named: the system graphs, not the record graphs its default dataset has)."""
        if hasattr(self._store, "values"):  # the embedded store, shared by processes: its newest snapshot
            return self._store.values(sparql)
        if isinstance(self._store, pyoxigraph.Store):
            solutions = self._store.query(sparql)
            return [[None if term is None else term.value for term in row] for row in solutions]
        answer = self._store.query(sparql, solutions="json", named_graphs=[self.provenance, self.datasets])
        data = json.loads(answer.body)
        names = data["head"]["vars"]
        return [[b[n]["value"] if n in b else None for n in names] for b in data["results"]["bindings"]]

    def forget_feed(self, feed: str) -> None:
        """Drop the provenance of a removed feed's records and runs."""
        g = f"<{self.provenance}>"
        feed_iri = f"<{iris.Minter(feed, self.base_iri).feed_iri()}>"
        self._store.update(
            f"DELETE {{ GRAPH {g} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?s <{DCT}isPartOf> {feed_iri} ; ?p ?o }} }} ;\n"
            f"DELETE {{ GRAPH {g} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?s <{PROV}used> {feed_iri} ; ?p ?o }} }}")

    # -- datasets ------------------------------------------------------------------------------
    def set_datasets(self, ntriples: str) -> None:
        """Replace the dataset graph whole (every feed's description, N-Triples)."""
        g = f"<{self.datasets}>"
        self._store.update(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")

    def clear(self) -> None:
        self._store.update(f"DROP SILENT GRAPH <{self.provenance}> ;\nDROP SILENT GRAPH <{self.datasets}>")
