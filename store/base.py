"""The Store seam: what the pipeline and the API need from an RDF store.

One named graph per published record. The default graph that queries see is the union
of those record graphs, so a query never mixes in system data. Implementations (see
``store/__init__.py`` for the registry by URL scheme) pass the same contract tests
(``tests/test_store_contract.py``): the embedded pyoxigraph store and any SPARQL 1.1
server (``store/remote.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

# name → media type, for SELECT/ASK results and for CONSTRUCT/DESCRIBE graphs.
SOLUTION_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS: dict[str, str] = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A serialised answer. ``truncated`` is true when the store cut the solutions (or
    triples) at ``StoreOptions.result_limit``; the body then holds exactly that many."""

    kind: Literal["solutions", "boolean", "graph"]
    body: bytes
    media_type: str
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """How a store behaves, independent of where it is (``Settings.store_options()``
    builds one from the settings).

    ``graph_prefix`` names the record graphs: every graph whose IRI starts with it
    (``{base_iri}graph/``). ``None`` means every named graph in the store is a record graph,
    which holds for a store that only oogst writes to; a server with graphs of its own
    (Virtuoso) needs the prefix. ``read_only`` refuses writes. The embedded store reads published snapshots in every
    process, so any number of processes read while one writes; ``write_lock_timeout`` is how
    long a writing process waits for another one's turn. ``user``/``password`` authenticate to a remote store and
    come from the environment only (``OOGST_STORE_USER``/``OOGST_STORE_PASSWORD``).
    """

    graph_prefix: str | None = None
    read_only: bool = False
    write_lock_timeout: float = 600.0
    query_timeout: float = 30.0
    result_limit: int = 100_000
    retries: int = 4
    backoff: float = 0.5
    timeout: float = 120.0
    user: str | None = None
    password: str | None = None


class Store(Protocol):
    url: str

    def replace_graphs(self, graphs: Mapping[str, str], *, new: bool = False) -> None:
        """Replace each graph (IRI → N-Triples text) whole; empty text drops the graph.

        With ``new=False`` the batch is as atomic as the store allows (embedded and
        Oxigraph server: one transaction; see docs/architecture.md per server). ``new=True``
        says the caller believes none of the graphs is in the store yet (a first load): the
        store may then take a faster bulk path that is not one transaction, so a reader can
        see part of the batch and a crash can leave part of it written. The end state is
        the same either way (a graph that does exist is still replaced, never merged), so
        replaying the call repairs an interrupted one. Raises StoreError, before returning,
        when anything was not written."""

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        """Remove these graphs; unknown graphs are ignored."""

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
        """Run a read-only query. ``solutions``/``graph`` name the wanted result format
        (keys of SOLUTION_FORMATS / GRAPH_FORMATS); the query form decides which applies.
        Without ``default_graphs`` the default graph is the union of all record graphs.
        ``base_iri`` resolves relative IRIs in a query without BASE (the SPARQL endpoint's
        own URL). At most ``StoreOptions.result_limit`` solutions or triples come back
        (``QueryResult.truncated`` says when more were cut). Raises QueryError for a syntax
        error, an update, or a query that runs longer than ``StoreOptions.query_timeout``;
        StoreError when the store cannot be reached."""

    def graph(self, graph_iri: str, format: str = "ntriples") -> bytes | None:
        """One graph serialised, or None when the store does not hold it."""

    def count_graphs(self) -> int:
        """How many record graphs the store holds."""

    def close(self) -> None: ...
