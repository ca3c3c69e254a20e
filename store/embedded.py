"""The embedded default store: pyoxigraph (RocksDB) on disk, or in memory for tests.

Writes: each call to ``replace_graphs`` is one SPARQL update, and Oxigraph runs one update
in one transaction, so a batch of records is replaced all-or-nothing and a reader never
sees half a record. Reads run on snapshots and are not blocked by a writer in the same
process. RocksDB allows one process to open the store for writing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from ..errors import QueryError, StoreError
from .base import GRAPH_FORMATS, SOLUTION_FORMATS, QueryResult

log = logging.getLogger(__name__)

_SOLUTION_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
assert _SOLUTION_FORMATS.keys() == SOLUTION_FORMATS.keys()
assert _GRAPH_FORMATS.keys() == GRAPH_FORMATS.keys()


_NOISE = re.compile(r'#[^\n]*|"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
_FROM = re.compile(r"(?<![?$:\w])FROM(?![\w:-])", re.IGNORECASE)


def has_dataset_clause(sparql: str) -> bool:
    """Does the query name its own dataset (FROM / FROM NAMED)? Comments, strings and
    IRIs are blanked out first, so a FROM inside them does not count."""
    return _FROM.search(_NOISE.sub(" ", sparql)) is not None


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise StoreError(f"not a usable graph IRI: {value!r}")
    return f"<{value}>"


class EmbeddedStore:
    """pyoxigraph on disk (``path``) or in memory (``path=None``)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        try:
            if self.path is None:
                self._store = ox.Store()
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {self.path}: {exc}",
                hint="is another oogst process (serve, harvest) using this data dir? "
                "Stop it, or run the harvest through that process.",
            ) from exc

    # -- writes ---------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, str]) -> None:
        if not graphs:
            return
        parts = []
        for graph_iri, ntriples in graphs.items():
            g = _iri(graph_iri)
            parts.append(f"DROP SILENT GRAPH {g}")
            if ntriples.strip():
                parts.append(f"INSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")
        try:
            self._store.update(" ;\n".join(parts))
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"writing {len(graphs)} graph(s) failed: {exc}") from exc

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        update = " ;\n".join(f"DROP SILENT GRAPH {_iri(g)}" for g in graph_iris)
        if update:
            try:
                self._store.update(update)
            except OSError as exc:
                raise StoreError(f"dropping graphs failed: {exc}") from exc

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
        kwargs: dict = {"base_iri": base_iri}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif not has_dataset_clause(sparql):
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            result = self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (ValueError, OSError) as exc:
            raise QueryError(f"the query failed: {exc}") from exc
        if isinstance(result, ox.QueryTriples):
            return QueryResult("graph", result.serialize(format=_GRAPH_FORMATS[graph]), GRAPH_FORMATS[graph])
        kind = "solutions" if isinstance(result, ox.QuerySolutions) else "boolean"
        return QueryResult(kind, result.serialize(format=_SOLUTION_FORMATS[solutions]), SOLUTION_FORMATS[solutions])

    def graph(self, graph_iri: str, format: str = "ntriples") -> bytes | None:
        node = ox.NamedNode(graph_iri)
        if not self._store.contains_named_graph(node):
            return None
        return self._store.dump(format=_GRAPH_FORMATS[format], from_graph=node)

    def count_graphs(self) -> int:
        return sum(1 for _ in self._store.named_graphs())

    def close(self) -> None:
        self._store.flush()
        del self._store
