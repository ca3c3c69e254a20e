"""What every store shares when it answers a query: the result cap, serialising solutions
and triples in the wanted format, and the bits of SPARQL text handling stores need; and
:func:`execute`, one query on a pyoxigraph store (the embedded store, a query worker).

A capped answer is rebuilt from the first ``limit`` solutions: they are written as SPARQL
JSON results and, for the other formats, converted by pyoxigraph, so every store (embedded
or remote) cuts and serialises the same way.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from typing import TypeVar

import orjson
import pyoxigraph as ox

from ..errors import QueryError, StoreError
from .base import GRAPH_FORMATS, SOLUTION_FORMATS, QueryResult

SOLUTION_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_NOISE = re.compile(
    r'#[^\n]*|"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>'
)
_FROM = re.compile(r"(?<![?$:\w])FROM(?![\w:-])", re.IGNORECASE)
_PROLOGUE = re.compile(r"\s*(?:(?:BASE|PREFIX\s+[^\s:]*:)\s*)*", re.IGNORECASE)
_FORM = re.compile(r"(?<![?$:\w])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)


def has_dataset_clause(sparql: str) -> bool:
    """Does the query name its own dataset (FROM / FROM NAMED)? Comments, strings and
    IRIs are blanked out first, so a FROM inside them does not count."""
    return _FROM.search(_NOISE.sub(" ", sparql)) is not None


def query_form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE when the query starts with one of them after its
    prologue (BASE and PREFIX declarations); None for anything else, updates included."""
    text = _NOISE.sub(" ", sparql)
    match = _FORM.search(text)
    if match is None or not _PROLOGUE.fullmatch(text[: match.start()]):
        return None
    return match.group(1).upper()


def sparql_iri(value: str) -> str:
    """``<value>`` for use in SPARQL or N-Quads text; refuses what would break out of it."""
    if not value or any(c in value for c in '<>"{}|^`\\ \n\r\t'):
        raise StoreError(f"not a usable graph IRI: {value!r}", hint="graph IRIs are minted by iris.py")
    return f"<{value}>"


def _term(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction is not None:
                out["its:dir"] = "rtl" if term.direction == ox.BaseDirection.RTL else "ltr"
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": _term(term.subject), "predicate": _term(term.predicate), "object": _term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_body(variables: Sequence[ox.Variable], rows: Iterable[ox.QuerySolution], fmt: str) -> bytes:
    """SELECT solutions serialised in ``fmt`` (a key of SOLUTION_FORMATS)."""
    names = [v.value for v in variables]
    bindings = []
    for row in rows:
        binding = {}
        for name in names:
            value = row[name]
            if value is not None:
                binding[name] = _term(value)
        bindings.append(binding)
    body = orjson.dumps({"head": {"vars": names}, "results": {"bindings": bindings}})
    if fmt == "json":
        return body
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=SOLUTION_RESULT_FORMATS[fmt])


def triples_body(triples: Iterable[ox.Triple], fmt: str) -> bytes:
    """CONSTRUCT/DESCRIBE triples serialised in ``fmt`` (a key of GRAPH_FORMATS)."""
    return ox.serialize(triples, format=GRAPH_RDF_FORMATS[fmt])


def as_nquads(graph_iri: str, ntriples: str) -> str:
    """N-Triples text as N-Quads in ``graph_iri``: one statement per line, as N-Triples has
    it (a line ending in a comment is parsed instead of rewritten)."""
    g = sparql_iri(graph_iri)
    if ntriples.endswith(" .\n") and ntriples.count("\n") == ntriples.count(" .\n") and "\n#" not in ntriples \
            and not ntriples.startswith("#"):
        # one statement per line, each ending in " ." (as oogst writes them; N-Triples escapes
        # line breaks in literals, so every one ends a statement): one replace
        return ntriples.replace(" .\n", f" {g} .\n")
    out = []
    for line in ntriples.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.endswith("."):
            return ox.serialize(
                (ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph_iri))
                 for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)),
                format=ox.RdfFormat.N_QUADS,
            ).decode("utf-8")
        out.append(f"{line[:-1].rstrip()} {g} .\n")
    return "".join(out)


T = TypeVar("T")
_CHECK_EVERY = 1_000  # rows between two looks at the cancel flag


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
