"""The system graphs: provenance (PROV-O) and dataset descriptions (DCAT-AP, VoID) in the
system store, apart from the record graphs, and how /sparql routes to them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from oogst.api import create_app
from oogst.errors import ConfigError
from oogst import iris
from oogst.pipeline import Oogst
from oogst.settings import Settings
from oogst.store.embedded import open_snapshot
from oogst.devtools.simulator import PartnerSimulator

PROV = "http://www.w3.org/ns/prov#"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("system") / "data")
    with PartnerSimulator(page_size=7) as sim, Oogst(settings) as app:
        for name, info in sim.partners.items():
            app.add_feed(name, sim.endpoint(name), info["format"], options={"metadata_prefix": info["metadata_prefix"]})
        for summary in app.harvest_all():
            assert summary.status == "complete", summary.as_dict()
    yield settings


@pytest.fixture(scope="module")
def client(harvested: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(Oogst(harvested, read_only=True), close_core=True)) as test_client:
        yield test_client
        store = getattr(test_client.app.state, "system_store", None)
        if store is not None:
            store.close()


def select(client: TestClient, query: str, **graphs: str) -> list[dict[str, str]]:
    params = {"query": query, **{k.replace("_", "-"): v for k, v in graphs.items()}}
    resp = client.get("/sparql", params=params, headers=JSON)
    assert resp.status_code == 200, resp.text
    return [{k: v["value"] for k, v in b.items()} for b in resp.json()["results"]["bindings"]]


def provenance(settings: Settings) -> str:
    return iris.system_graph("provenance", settings.base_iri)


def datasets(settings: Settings) -> str:
    return iris.system_graph("datasets", settings.base_iri)


def test_provenance_has_one_entity_per_published_record_with_its_run(harvested: Settings, client) -> None:
    with Oogst(harvested) as app:
        published = {r["graph_iri"]: r for r in app.state.list_records(limit=10_000)}
        withdrawn = app.state.list_records(state="withdrawn", limit=10_000)
    rows = select(client, f"""SELECT ?g ?run WHERE {{ GRAPH <{provenance(harvested)}> {{
        ?g a <{PROV}Entity> ; <{PROV}wasGeneratedBy> ?run FILTER NOT EXISTS {{ ?g <{PROV}invalidatedAtTime> ?t }} }} }}""",
                  named_graph_uri=provenance(harvested))
    assert published and {r["g"] for r in rows} == set(published)
    for r in rows:
        assert r["run"] == iris.run_iri(published[r["g"]]["run_id"], harvested.base_iri)
    gone = select(client, f"SELECT ?g WHERE {{ ?g <{PROV}invalidatedAtTime> ?t }}",
                  default_graph_uri=provenance(harvested))
    assert withdrawn and {r["g"] for r in gone} == {r["graph_iri"] for r in withdrawn}
    runs = select(client, f"SELECT ?run WHERE {{ ?run a <{PROV}Activity> ; <{PROV}endedAtTime> ?t }}",
                  default_graph_uri=provenance(harvested))
    with Oogst(harvested) as app:
        assert len(runs) == len(app.state.list_feeds())  # one run each


def test_dataset_graph_describes_each_feed_with_its_published_count(harvested: Settings, client) -> None:
    rows = select(client, """SELECT ?d ?n WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset>, <http://rdfs.org/ns/void#Dataset> ;
        <http://rdfs.org/ns/void#entities> ?n }""", default_graph_uri=datasets(harvested))
    with Oogst(harvested) as app:
        expected = {iris.Minter(f.name, harvested.base_iri).feed_iri(): app.state.counts(f.name)["published"]
                    for f in app.state.list_feeds()}
    assert {r["d"]: int(r["n"]) for r in rows} == expected


def test_record_store_holds_no_system_triples(harvested: Settings, client) -> None:
    with Oogst(harvested) as app:
        published = app.state.counts()["published"]
    rows = select(client, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }")
    assert int(rows[0]["n"]) == published


def test_mixing_system_and_record_graphs_is_refused(harvested: Settings, client) -> None:
    resp = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": [
        provenance(harvested), iris.graph_prefix(harvested.base_iri) + "x/y"]}, headers=JSON)
    assert resp.status_code == 400 and "different stores" in resp.text


def test_feed_names_cannot_take_the_system_prefix(tmp_path: Path) -> None:
    with Oogst(Settings(data_dir=tmp_path)) as app, pytest.raises(ConfigError):
        app.add_feed("_system", "http://127.0.0.1:1/oai", "lido")


def test_rebuild_recreates_the_same_system_graphs(harvested: Settings) -> None:
    query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) }"

    def triples(app: Oogst) -> set[tuple[str, str, str]]:
        snapshot = open_snapshot(app.settings.system_path)  # what the readers of the system store see
        return {(s["s"].value, s["p"].value, str(s["o"])) for s in snapshot.store.query(query)}

    with Oogst(harvested) as app:
        before = triples(app)
        counts = app.rebuild_system()
        after = triples(app)
    assert counts["records"] == len({s for s, p, _ in before if p == f"{PROV}generatedAtTime"})
    timeless = {f"{PROV}generatedAtTime"}
    assert {t for t in before if t[1] not in timeless} == {t for t in after if t[1] not in timeless}
