"""The Store seam: what the pipeline and the API need from an RDF store.

One named graph per published record. The default graph that queries see is the union
of those record graphs, so a query never mixes in system data. Implementations (see
``store/__init__.py`` for the registry by URL scheme) pass the same contract tests.
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
    kind: Literal["solutions", "boolean", "graph"]
    body: bytes
    media_type: str


class Store(Protocol):
    def replace_graphs(self, graphs: Mapping[str, str]) -> None:
        """Replace each graph (IRI → N-Triples text) whole, all of them in one transaction."""

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
        own URL). Raises QueryError for a syntax error or an update."""

    def graph(self, graph_iri: str, format: str = "ntriples") -> bytes | None:
        """One graph serialised, or None when the store does not hold it."""

    def count_graphs(self) -> int: ...

    def close(self) -> None: ...
