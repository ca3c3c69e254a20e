"""The Store contract: every implementation passes these — the embedded pyoxigraph store (on
disk and in memory), the Oxigraph server and Virtuoso, both really running on 127.0.0.1
(``tests/servers.py``; a server that is not installed skips with the reason)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from oogst.errors import ConfigError, QueryError, QueryTimeoutError, StoreError
from oogst.store import Store, StoreOptions, open_store
from oogst.store.results import query_form

from .conftest import free_port
from .servers import Server

E22 = "http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object"
TITLE = "http://www.cidoc-crm.org/cidoc-crm/P102_has_title"
PREFIX = "https://ex.org/g/"
OPTIONS = StoreOptions(graph_prefix=PREFIX, query_timeout=30.0, result_limit=100_000, retries=1, backoff=0.05)
COUNT_OBJECTS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a ?t }"


def record(n: int, title: str = "Portret") -> str:
    return (f'<https://ex.org/o/{n}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{E22}> .\n'
            f'<https://ex.org/o/{n}> <{TITLE}> "{title} {n}"@nl .\n')


def big_record(n: int, triples: int = 30) -> str:
    """A record of about ``triples`` triples, like a mapped LIDO record."""
    s = f"<https://ex.org/o/{n}>"
    lines = [f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{E22}> ."]
    lines += [f'{s} <https://ex.org/p/{i}> "waarde {i} van object {n}"@nl .' for i in range(triples - 1)]
    return "\n".join(lines) + "\n"


@dataclass
class Backend:
    """One kind of store: opens stores with given options; ``server`` is None when embedded."""

    name: str
    open: Callable[[StoreOptions], Store]
    server: Server | None = None


@pytest.fixture(params=["embedded-disk", "embedded-memory", "oxigraph-server", "virtuoso"])
def backend(request, tmp_path: Path) -> Iterator[Backend]:
    opened: list[Store] = []

    def opener(url: str, server: Server | None = None) -> Callable[[StoreOptions], Store]:
        def open_(options: StoreOptions) -> Store:
            if server is not None:
                options = replace(options, user=server.user, password=server.password)
            store = open_store(url, options)
            opened.append(store)
            return store
        return open_

    if request.param == "embedded-disk":
        yield Backend(request.param, opener(f"oxigraph://{tmp_path / 'store'}"))
    elif request.param == "embedded-memory":
        yield Backend(request.param, opener("oxigraph://"))
    else:
        server = request.getfixturevalue("oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server")
        server.reset()
        yield Backend(request.param, opener(server.store_url, server), server)
    for store in opened:
        store.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.open(OPTIONS)


def count(store: Store, sparql: str = COUNT_OBJECTS) -> int:
    body = json.loads(store.query(sparql).body)
    return int(body["results"]["bindings"][0]["n"]["value"])


def triples_of(body: bytes | None, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> set[ox.Triple]:
    assert body is not None
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)}


# -- the original contract ------------------------------------------------------------------
def test_replace_is_whole_and_default_graph_is_union(store) -> None:
    store.replace_graphs({f"{PREFIX}{n}": record(n) for n in range(5)})
    assert count(store) == 5 and store.count_graphs() == 5
    store.replace_graphs({f"{PREFIX}1": record(1, "Landschap")})
    titles = json.loads(store.query(f"SELECT ?t WHERE {{ <https://ex.org/o/1> <{TITLE}> ?t }}").body)
    assert [b["t"]["value"] for b in titles["results"]["bindings"]] == ["Landschap 1"]


def test_a_replaced_graph_holds_exactly_the_new_triples(store) -> None:
    """The embedded store writes only the triples that changed; every store ends the same."""
    g, b = f"{PREFIX}1", f"{PREFIX}2"
    dec = "<http://www.w3.org/2001/XMLSchema#decimal>"
    store.replace_graphs({g: record(1) + f'<https://ex.org/o/1> <https://ex.org/w> "20.50"^^{dec} .\n',
                          b: '_:x <https://ex.org/p> "blank" .\n<https://ex.org/o/2> <https://ex.org/q> _:x .\n'})
    store.replace_graphs({g: record(1, "Landschap") + f'<https://ex.org/o/1> <https://ex.org/w> "20.50"^^{dec} .\n',
                          b: '_:y <https://ex.org/p> "anders" .\n<https://ex.org/o/2> <https://ex.org/q> _:y .\n'})
    assert triples_of(store.graph(g, "ntriples")) == triples_of(
        (record(1, "Landschap") + f'<https://ex.org/o/1> <https://ex.org/w> "20.5"^^{dec} .\n').encode())
    assert {str(t.object) for t in triples_of(store.graph(b, "ntriples"))
            if t.predicate.value == "https://ex.org/p"} == {'"anders"'}
    assert len(triples_of(store.graph(b, "ntriples"))) == 2
    with pytest.raises(StoreError):
        store.replace_graphs({g: "<https://ex.org/o/1> <https://ex.org/w> ."})
    assert b"Landschap" in store.graph(g, "ntriples")  # a failed replace leaves the graph as it was


def test_a_literal_with_line_separators_is_replaced_whole(store) -> None:
    """N-Triples ends a line at a line feed only: U+2028, NEL and a form feed stay unescaped
    inside a literal (pyoxigraph writes them so), and replacing such a graph keeps them."""
    g, odd = f"{PREFIX}1", "een\u2028twee\x85drie\x0cvier"
    store.replace_graphs({g: record(1) + f'<https://ex.org/o/1> <https://ex.org/n> "{odd}" .\n'})
    store.replace_graphs({g: record(1) + f'<https://ex.org/o/1> <https://ex.org/n> "{odd} (2)" .\n'})
    values = {t.object.value for t in triples_of(store.graph(g, "ntriples")) if t.predicate.value == "https://ex.org/n"}
    assert values == {f"{odd} (2)"}


def test_drop_graphs(store) -> None:
    store.replace_graphs({f"{PREFIX}{n}": record(n) for n in range(3)})
    store.drop_graphs([f"{PREFIX}0", f"{PREFIX}unknown"])
    assert count(store) == 2
    assert store.graph(f"{PREFIX}0") is None
    assert b"Portret 1" in store.graph(f"{PREFIX}1")


def test_result_formats(store) -> None:
    store.replace_graphs({f"{PREFIX}1": record(1)})
    q = "SELECT ?o WHERE { ?o a ?t }"
    assert store.query(q, solutions="csv").body.startswith(b"o\r\n")
    assert store.query(q, solutions="tsv").body.startswith(b"?o\n")
    assert b"<sparql" in store.query(q, solutions="xml").body
    ask = store.query("ASK { ?o a ?t }")
    assert ask.kind == "boolean" and json.loads(ask.body)["boolean"] is True
    construct = store.query("CONSTRUCT WHERE { ?o a ?t }", graph="ntriples")
    assert construct.kind == "graph" and construct.media_type == "application/n-triples"
    assert json.loads(store.query("CONSTRUCT WHERE { ?o a ?t }", graph="jsonld").body)
    for fmt, rdf in [("nquads", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG), ("turtle", ox.RdfFormat.TURTLE),
                     ("rdfxml", ox.RdfFormat.RDF_XML)]:
        assert len(triples_of(store.query("CONSTRUCT WHERE { ?o a ?t }", graph=fmt).body, rdf)) == 1, fmt
    assert len(triples_of(store.graph(f"{PREFIX}1", "turtle"), ox.RdfFormat.TURTLE)) == 2


def test_dataset_selection(store) -> None:
    store.replace_graphs({f"{PREFIX}{n}": record(n) for n in range(3)})
    r = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?o a ?t }", default_graphs=[f"{PREFIX}2"])
    assert json.loads(r.body)["results"]["bindings"][0]["n"]["value"] == "1"
    r = store.query("SELECT ?g WHERE { GRAPH ?g { ?o a ?t } }", named_graphs=[f"{PREFIX}1"])
    assert [b["g"]["value"] for b in json.loads(r.body)["results"]["bindings"]] == [f"{PREFIX}1"]
    r = store.query(f"SELECT (COUNT(*) AS ?n) FROM <{PREFIX}0> WHERE {{ ?o a ?t }}")
    assert json.loads(r.body)["results"]["bindings"][0]["n"]["value"] == "1"


def test_base_iri_resolves_relative_iris(store) -> None:
    store.replace_graphs({f"{PREFIX}1": record(1)})
    r = store.query("ASK { <1> a ?t }", base_iri="https://ex.org/o/")
    assert json.loads(r.body)["boolean"] is True


def test_bad_queries_and_updates_are_refused(store) -> None:
    with pytest.raises(QueryError, match="syntax"):
        store.query("SELEKT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError):
        store.query("INSERT DATA { <a:b> <a:c> <a:d> }")
    with pytest.raises(QueryError):
        store.query("INSERT { <a:b> <a:c> ?o } WHERE { SELECT ?o WHERE { ?s ?p ?o } }")
    assert count(store) == 0


def test_unusable_graph_iri(store) -> None:
    with pytest.raises(StoreError):
        store.replace_graphs({f"{PREFIX}1": record(1), "https://ex.org/g 1": record(1)})
    with pytest.raises(StoreError):
        store.replace_graphs({"https://ex.org/g 1": record(1)}, new=True)
    assert store.count_graphs() == 0  # nothing was written before the refusal


# -- the bulk path --------------------------------------------------------------------------
def test_bulk_path_equals_transactional_path(store) -> None:
    graphs = {f"{PREFIX}{n}": big_record(n) for n in range(200)}
    graphs[f"{PREFIX}odd"] = ("# a comment line\n\n"
                              '<https://ex.org/o/odd> <https://ex.org/p> "a \\"quoted\\" line\\nbreak" .  \n'
                              '<https://ex.org/o/odd> <https://ex.org/p> "x" .  # a comment after the dot\n')
    store.replace_graphs(graphs, new=True)
    bulk = {g: triples_of(store.graph(g)) for g in graphs}
    assert store.count_graphs() == len(graphs) and count(store) == 200
    store.replace_graphs(graphs)
    assert {g: triples_of(store.graph(g)) for g in graphs} == bulk
    assert len(bulk[f"{PREFIX}odd"]) == 2 and all(len(t) == 30 for g, t in bulk.items() if not g.endswith("odd"))


def test_bulk_path_replaces_a_graph_that_exists(store) -> None:
    store.replace_graphs({f"{PREFIX}1": record(1, "Oud")})
    store.replace_graphs({f"{PREFIX}1": record(1, "Nieuw"), f"{PREFIX}2": record(2)}, new=True)
    assert b"Oud" not in store.graph(f"{PREFIX}1") and b"Nieuw 1" in store.graph(f"{PREFIX}1")
    assert count(store) == 2


# -- the default graph ----------------------------------------------------------------------
def test_default_graph_is_only_the_record_graphs(backend: Backend, store) -> None:
    """Virtuoso's own graphs (virtrdf#, ldp# …) and another application's graph stay out of the
    default graph, of GRAPH ?g and of count_graphs. Oxigraph (embedded or server) has no graphs
    of its own: there the union is every graph, so the store must hold only oogst's graphs."""
    if backend.server is not None and backend.server.kind == "virtuoso":
        backend.server.update('INSERT DATA { GRAPH <http://example.org/not-a-record> { '
                              '<http://example.org/x> a <http://example.org/T> } }')
        store = backend.open(OPTIONS)  # the list of non-record graphs is read on first use
    store.replace_graphs({f"{PREFIX}{n}": record(n) for n in range(4)})
    assert count(store) == 4
    assert store.count_graphs() == 4
    graphs = json.loads(store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a ?t } }").body)
    assert {b["g"]["value"] for b in graphs["results"]["bindings"]} == {f"{PREFIX}{n}" for n in range(4)}


# -- writing big and odd graphs -------------------------------------------------------------
def test_large_graph_with_unicode_and_escapes(store) -> None:
    s = "<https://ex.org/o/é-𝄞>"
    escapes = [
        f'{s} <https://ex.org/p> "café \\"citaat\\" \\\\ back\\tslash\\nnieuwe regel"@nl .',
        f'{s} <https://ex.org/p> "\\u00e9\\U0001D11E ☃ 日本語 עברית"@he .',
        f'{s} <https://ex.org/p> "1998"^^<http://www.w3.org/2001/XMLSchema#gYear> .',
        f'{s} <https://ex.org/p> "Ελληνικά \u2028 separator" .',
        f"{s} <https://ex.org/p> <https://ex.org/ünïcödé/iri> .",
    ]
    lines = escapes + [f'{s} <https://ex.org/p/{i}> "waarde {i} — ☃"@nl .' for i in range(20_000)]
    text = "\n".join(lines) + "\n"
    store.replace_graphs({f"{PREFIX}big": text})
    assert triples_of(store.graph(f"{PREFIX}big")) == triples_of(text.encode())
    assert store.count_graphs() == 1


# -- the result cap -------------------------------------------------------------------------
def test_result_cap(backend: Backend) -> None:
    store = backend.open(replace(OPTIONS, result_limit=3))
    store.replace_graphs({f"{PREFIX}{n}": record(n) for n in range(5)})
    for fmt in ("json", "xml", "csv", "tsv"):
        r = store.query("SELECT ?o ?t WHERE { ?o a ?t }", solutions=fmt)
        assert r.truncated and r.kind == "solutions", fmt
        rows = ox.parse_query_results(r.body, format=ox.QueryResultsFormat.JSON) if fmt == "json" else None
        if rows is not None:
            assert len(list(rows)) == 3
    assert r.body.count(b"\n") == 4  # TSV: the header and three rows
    small = store.query("SELECT ?o WHERE { ?o a ?t } LIMIT 3")
    assert not small.truncated and len(json.loads(small.body)["results"]["bindings"]) == 3
    graph = store.query("CONSTRUCT WHERE { ?o ?p ?v }", graph="ntriples")
    assert graph.truncated and len(triples_of(graph.body)) == 3
    assert not store.query("ASK { ?o a ?t }").truncated


# -- concurrency ----------------------------------------------------------------------------
def test_reads_go_on_during_a_long_write(backend: Backend, store) -> None:
    size = 200 if backend.name == "virtuoso" else 1_500
    store.replace_graphs({f"{PREFIX}seed": record(-1)})
    batch = {f"{PREFIX}{n}": big_record(n) for n in range(size)}
    failure: list[BaseException] = []

    def write() -> None:
        try:
            store.replace_graphs(batch)
        except Exception as exc:  # noqa: BLE001 - handed to the test's thread
            failure.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    seen, slowest = [], 0.0
    while writer.is_alive():
        started = time.monotonic()
        seen.append(count(store))
        slowest = max(slowest, time.monotonic() - started)
    writer.join()
    assert not failure, failure
    assert count(store) == size + 1
    assert slowest < 2.0, f"a read took {slowest:.2f} s during the write"
    assert seen == sorted(seen), "reads never go back in time"
    if backend.name != "virtuoso":
        # one transaction (embedded; Oxigraph server for new graphs): all or nothing
        assert set(seen) <= {1, size + 1}, sorted(set(seen))
        assert len(seen) >= 2, "reads ran while the writer worked"


# -- the query timeout ----------------------------------------------------------------------
def test_query_timeout(backend: Backend) -> None:
    """A query past ``query_timeout`` ends in a QueryError at about that time. This one takes
    about 1.5 s embedded and 4 s on the Oxigraph server: an abandoned query runs on to its end
    (embedded) or to the server's own limit, so keep it short."""
    store = backend.open(replace(OPTIONS, query_timeout=0.5))
    store.replace_graphs({f"{PREFIX}{n}": big_record(n, 20) for n in range(10)})
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="longer than 0.5 s"):
        store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f "
                    "FILTER(STR(?b) < STR(?d) && STR(?d) < STR(?f)) }")
    # generous: the point is that the caller is not kept waiting for the whole query, and
    # the machine may be busy (no tight timing in tests)
    assert time.monotonic() - started < 15


# -- several readers: the embedded store opened read-only ------------------------------------
def test_read_only_embedded_store(tmp_path: Path) -> None:
    url = f"oxigraph://{tmp_path / 'store'}"
    writer = open_store(url, OPTIONS)
    writer.replace_graphs({f"{PREFIX}{n}": record(n) for n in range(3)})
    writer.close()
    readers = [open_store(url, replace(OPTIONS, read_only=True)) for _ in range(2)]
    assert [count(r) for r in readers] == [3, 3]
    with pytest.raises(StoreError, match="read-only"):
        readers[0].replace_graphs({f"{PREFIX}9": record(9)})
    for r in readers:
        r.close()
    # another process writes meanwhile (holding the store open): readers go on, see its batch
    # once it is committed, and a writer here waits for its turn
    code = (f"import sys; from oogst.store import open_store; s = open_store({url!r}); "
            f"s.replace_graphs({{'{PREFIX}x{{}}'.format(n): '<http://x/s> <http://x/p> \"o\" .\\n' for n in range(4)}}); "
            "print('written', flush=True); input(); s.close()")
    reader = open_store(url, replace(OPTIONS, read_only=True))
    other = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "written"
        assert reader.count_graphs() == 7
        writer = open_store(url, replace(OPTIONS, write_lock_timeout=60))
        waiting = threading.Thread(target=writer.replace_graphs, args=({f"{PREFIX}8": record(8)},))
        waiting.start()
    finally:
        other.communicate("\n", timeout=30)
    waiting.join(60)
    assert reader.count_graphs() == 8
    writer.close()
    reader.close()


# -- remote stores: reachability and configuration -----------------------------------------
@pytest.mark.parametrize("scheme", ["oxigraph+http", "virtuoso+http", "sparql+http"])
def test_unreachable_remote_store_raises_store_error_after_retries(scheme: str, caplog) -> None:
    port = free_port()  # nothing listens there
    url = f"{scheme}://127.0.0.1:{port}" + ("/query?update=/update&gsp=/store" if scheme == "sparql+http" else "")
    store = open_store(url, replace(OPTIONS, retries=2, backoff=0.01, user="u", password="p"))
    caplog.set_level(logging.WARNING, logger="oogst.store.remote")
    with pytest.raises(StoreError, match=f"after 3 attempt.*127.0.0.1:{port}") as info:
        store.replace_graphs({f"{PREFIX}1": record(1)})
    assert info.value.url == url and "store" in (info.value.hint or "")
    assert sum("retry" in r.message for r in caplog.records) == 2
    with pytest.raises(StoreError):
        store.query("ASK {}")
    store.close()


def test_store_urls() -> None:
    opts = replace(OPTIONS, user=None)
    oxi = open_store("oxigraph+https://h:7878/base", opts)
    assert (oxi.query_url, oxi.update_url, oxi.gsp_url) == (
        "https://h:7878/base/query", "https://h:7878/base/update", "https://h:7878/base/store")
    fuseki = open_store("fuseki+http://h:3030/ds", opts)
    assert (fuseki.query_url, fuseki.update_url, fuseki.gsp_url) == (
        "http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data")
    virtuoso = open_store("virtuoso+http://h:8890", opts)
    assert virtuoso.gsp_url == "http://h:8890/sparql-graph-crud-auth/"
    generic = open_store("sparql+http://h/sparql?update=/sparql/update&gsp=http://g/rdf-graphs", opts)
    assert (generic.query_url, generic.update_url, generic.gsp_url) == (
        "http://h/sparql", "http://h/sparql/update", "http://g/rdf-graphs")
    with pytest.raises(ConfigError, match="no gsp endpoint"):
        open_store("sparql+http://h/sparql", opts).replace_graphs({f"{PREFIX}1": record(1)})
    with pytest.raises(ConfigError, match="OOGST_STORE_USER"):
        virtuoso.replace_graphs({f"{PREFIX}1": record(1)})
    with pytest.raises(ConfigError, match="credentials"):
        open_store("virtuoso+http://dba:secret@h:8890", opts)
    with pytest.raises(ConfigError, match="prefix"):
        open_store("virtuoso+http://h:8890", replace(opts, graph_prefix=None))
    with pytest.raises(ConfigError, match="unknown parameters"):
        open_store("sparql+http://h/sparql?updat=/u", opts)
    with pytest.raises(ConfigError, match="unknown store"):
        open_store("blazegraph+http://h", opts)


def test_query_form() -> None:
    assert query_form("PREFIX select: <x:> BASE <y:> # SELECT\n ask {}") == "ASK"
    assert query_form('CONSTRUCT { ?s <p:q> "SELECT" } WHERE { SELECT ?s {} }') == "CONSTRUCT"
    assert query_form("INSERT { ?s ?p ?o } WHERE { SELECT * {} }") is None
    assert query_form("define input:inference 'x' SELECT * {}") is None
