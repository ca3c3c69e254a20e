"""The Store contract: every implementation passes these (issue 5 adds remote stores)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oogst.errors import QueryError, StoreError
from oogst.store import open_store

E22 = "http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object"
TITLE = "http://www.cidoc-crm.org/cidoc-crm/P102_has_title"


def record(n: int, title: str = "Portret") -> str:
    return (f'<https://ex.org/o/{n}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{E22}> .\n'
            f'<https://ex.org/o/{n}> <{TITLE}> "{title} {n}"@nl .\n')


@pytest.fixture(params=["embedded-disk", "embedded-memory"])
def store(request, tmp_path: Path):
    url = f"oxigraph://{tmp_path / 'store'}" if request.param == "embedded-disk" else "oxigraph://"
    s = open_store(url)
    yield s
    s.close()


def count(store, sparql: str = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a ?t }") -> int:
    body = json.loads(store.query(sparql).body)
    return int(body["results"]["bindings"][0]["n"]["value"])


def test_replace_is_whole_and_default_graph_is_union(store) -> None:
    store.replace_graphs({f"https://ex.org/g/{n}": record(n) for n in range(5)})
    assert count(store) == 5 and store.count_graphs() == 5
    store.replace_graphs({"https://ex.org/g/1": record(1, "Landschap")})
    titles = json.loads(store.query(f"SELECT ?t WHERE {{ <https://ex.org/o/1> <{TITLE}> ?t }}").body)
    assert [b["t"]["value"] for b in titles["results"]["bindings"]] == ["Landschap 1"]


def test_drop_graphs(store) -> None:
    store.replace_graphs({f"https://ex.org/g/{n}": record(n) for n in range(3)})
    store.drop_graphs(["https://ex.org/g/0", "https://ex.org/g/unknown"])
    assert count(store) == 2
    assert store.graph("https://ex.org/g/0") is None
    assert b"Portret 1" in store.graph("https://ex.org/g/1")


def test_result_formats(store) -> None:
    store.replace_graphs({"https://ex.org/g/1": record(1)})
    q = "SELECT ?o WHERE { ?o a ?t }"
    assert store.query(q, solutions="csv").body.startswith(b"o\r\n")
    assert store.query(q, solutions="tsv").body.startswith(b"?o\n")
    assert b"<sparql" in store.query(q, solutions="xml").body
    ask = store.query("ASK { ?o a ?t }")
    assert ask.kind == "boolean" and json.loads(ask.body)["boolean"] is True
    construct = store.query("CONSTRUCT WHERE { ?o a ?t }", graph="ntriples")
    assert construct.kind == "graph" and construct.media_type == "application/n-triples"
    assert json.loads(store.query("CONSTRUCT WHERE { ?o a ?t }", graph="jsonld").body)


def test_dataset_selection(store) -> None:
    store.replace_graphs({f"https://ex.org/g/{n}": record(n) for n in range(3)})
    r = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?o a ?t }", default_graphs=["https://ex.org/g/2"])
    assert json.loads(r.body)["results"]["bindings"][0]["n"]["value"] == "1"


def test_bad_queries_and_updates_are_refused(store) -> None:
    with pytest.raises(QueryError, match="syntax"):
        store.query("SELEKT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError):
        store.query("INSERT DATA { <a:b> <a:c> <a:d> }")


def test_unusable_graph_iri(store) -> None:
    with pytest.raises(StoreError):
        store.replace_graphs({"https://ex.org/g 1": record(1)})
