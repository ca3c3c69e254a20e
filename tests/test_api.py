"""The web API through its real interfaces: in-process over ASGI, and once over real uvicorn.

The fixture builds what a harvest would leave behind, straight through the Store and State
seams: two feeds, published records (one graph each), a quarantined record that was never
published, a quarantined record whose last valid version stays published, and a withdrawn
record.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import rdflib
import rdflib.compare
import requests
import uvicorn
from fastapi.testclient import TestClient

from oogst import __version__
from oogst.api import create_app
from oogst.pipeline import Oogst
from oogst.api.app import from_environment
from oogst.api.conneg import SOLUTION_OFFERS, negotiate
from oogst.iris import Minter, record_id
from oogst.settings import Settings
from oogst.store import StoreOptions
from oogst.store.embedded import EmbeddedStore
from oogst.store.state import Feed, State, open_state

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SRX = "{http://www.w3.org/2005/sparql-results#}"
FORM = {"content-type": "application/x-www-form-urlencoded"}
DIRECT = {"content-type": "application/sparql-query"}

LIDO = "museum-lido"
DC = "archief-dc"
# feed, source id, title, state, published
RECORDS = [
    (LIDO, "oai:hofvanleie.be:lido:1998-B-121", "Zicht op de Leie", "published", True),
    (LIDO, "oai:hofvanleie.be:lido:2001 A/7", "Vlaswerkers aan de oever", "published", True),
    (LIDO, "oai:hofvanleie.be:lido:1999-X-1", None, "quarantined", False),
    (LIDO, "oai:hofvanleie.be:lido:1975-W-3", "Verdwenen schilderij", "withdrawn", False),
    (DC, "oai:stadsarchief.gent:42", "Kaart van Gent, 1534", "published", True),
    (DC, "oai:stadsarchief.gent:43", "Stadsrekening 1450", "quarantined", True),
]
PUBLISHED = [r for r in RECORDS if r[4]]
RID = record_id(LIDO, "oai:hofvanleie.be:lido:1998-B-121")
REPORT = {
    "record": "oai:hofvanleie.be:lido:1999-X-1",
    "conforms": False,
    "findings": [{
        "rule": "acceptance:titel", "severity": "violation", "path": f"{CRM}P102_has_title",
        "source_path": "lido:titleWrap/titleSet/appellationValue",
        "message": {"nl": "Het object heeft geen titel.", "en": "The object has no title."}, "value": None,
    }],
}


def object_iri(feed: str, source_id: str) -> str:
    return Minter(feed).object_iri(source_id)


def graph_iri(feed: str, source_id: str) -> str:
    return Minter(feed).graph_iri(source_id)


SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
AAT = "http://vocab.getty.edu/aat/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
PDM = "http://creativecommons.org/publicdomain/mark/1.0/"
# source id → (object name: AAT id, label), maker, rights, image
DETAILS = {
    "oai:hofvanleie.be:lido:1998-B-121": (("300033618", "schilderij"), "Ensor, James", CC0, True),
    "oai:hofvanleie.be:lido:2001 A/7": (("300041273", "prent"), "De Smet, Gustave", CC_BY, False),
    "oai:stadsarchief.gent:42": (("300028094", "kaart"), "Horenbault, Jan", PDM, True),
    "oai:stadsarchief.gent:43": (("300027483", "rekening"), None, PDM, False),
}
KEEPERS = {LIDO: "Museum Hof van Leie", DC: "Stadsarchief Gent"}


def ntriples(feed: str, source_id: str, title: str) -> str:
    """A record graph shaped like the mappers' output, with its provenance."""
    obj = f"<{object_iri(feed, source_id)}>"
    node = f"{object_iri(feed, source_id)}#"
    (aat, name), maker, rights, image = DETAILS[source_id]
    minter = Minter(feed)
    keeper = f"<{minter.agent_iri(KEEPERS[feed])}>"
    graph = f"<{graph_iri(feed, source_id)}>"
    lines = [
        f"{obj} <{RDF_TYPE}> <{CRM}E22_Human-Made_Object>",
        f"{obj} <{CRM}P102_has_title> {json.dumps(title)}@nl",
        f"{obj} <{CRM}P3_has_note> {json.dumps('Beschrijving van ' + title + ', met de Fêtes van weleer')}@nl",
        f"{obj} <{CRM}P41i_was_classified_by> <{node}classification-1>",
        f"<{node}classification-1> <{CRM}P42_assigned> <{AAT}{aat}>",
        f"<{node}classification-1> <{CRM}P2_has_type> <https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/Term_objectnaam>",
        f"<{AAT}{aat}> <{SKOS_LABEL}> {json.dumps(name)}@nl",
        f"{obj} <{CRM}P50_has_current_keeper> {keeper}",
        f"{keeper} <{SKOS_LABEL}> {json.dumps(KEEPERS[feed])}@nl",
        f"{obj} <{CRM}P104_is_subject_to> <{node}right-1>",
        f"<{node}right-1> <{CRM}P2_has_type> <{rights}>",
        f"{graph} <http://xmlns.com/foaf/0.1/primaryTopic> {obj}",
        f"{graph} <http://purl.org/dc/terms/modified> \"2024-03-01T10:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime>",
    ]
    if maker:
        lines += [f"{obj} <{CRM}P108i_was_produced_by> <{node}production-1>",
                  f"<{node}production-1> <{CRM}P14_carried_out_by> <{minter.agent_iri(maker)}>",
                  f"<{node}production-1> <{CRM}P3_has_note> \"ca. 1900\"@nl",
                  f"<{minter.agent_iri(maker)}> <{SKOS_LABEL}> {json.dumps(maker)}"]
    if image:
        lines.append(f"{obj} <{CRM}P129i_is_subject_of> <https://beelden.example.be/{quote(source_id, safe='')}.jpg>")
    return "".join(f"{line} .\n" for line in lines)


def fill(store: EmbeddedStore, state: State) -> None:
    runs = {}
    for name, protocol in ((LIDO, "oai-pmh"), (DC, "oai-pmh")):
        state.add_feed(Feed(name=name, protocol=protocol, url=f"https://{name}.example/oai", format="lido",
                            options={"api_key": "secret"}))
        runs[name] = state.start_run(name, "full", None)
        state.add_run_counts(runs[name], harvested=3, published=2, quarantined=1)
        state.finish_run(runs[name], "complete")
    store.replace_graphs({graph_iri(f, s): ntriples(f, s, t) for f, s, t, _, published in RECORDS if published})
    state.upsert_records([{
        "feed": f, "source_id": s, "record_id": record_id(f, s), "object_iri": object_iri(f, s),
        "graph_iri": graph_iri(f, s), "label": t, "datestamp": "2024-03-01T10:00:00Z", "state": st,
        "published": published, "run_id": runs[f], "report": REPORT if st == "quarantined" else None,
        "withdrawn_at": "2024-05-01T08:00:00Z" if st == "withdrawn" else None,
    } for f, s, t, st, published in RECORDS])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The API on a state (and search index) in SQLite, or in PostgreSQL (issue #16)."""
    tmp = tmp_path_factory.mktemp("api")
    url = ""
    if request.param == "postgresql":
        from .servers import postgresql_state_url

        url = postgresql_state_url()
    store, state = EmbeddedStore(None), open_state(url or tmp / "state.sqlite")
    fill(store, state)
    core = Oogst(Settings(data_dir=tmp, state=url), store=store, state=state)
    core.accounts.add_user("op", "operator")
    with TestClient(create_app(core)) as test_client:
        test_client.operator = {"Authorization": f"Bearer {core.accounts.new_token('op')}"}  # type: ignore[attr-defined]
        yield test_client
    state.close()
    store.close()


def assert_error(response: Any, status: int, error: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and isinstance(body["message"], str) and body["message"]
    if error:
        assert body["error"] == error
    return body


def bindings(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


TITLES = f"PREFIX crm: <{CRM}> SELECT ?title WHERE {{ ?o a crm:E22_Human-Made_Object ; crm:P102_has_title ?title }} ORDER BY ?title"
ALL_TITLES = sorted(t for _, _, t, _, _ in PUBLISHED)


# -- content negotiation --------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "expected"), [
    (None, "json"),
    ("*/*", "json"),
    ("text/csv", "csv"),
    ("text/*", "csv"),
    ("text/csv;q=0.5, application/sparql-results+xml", "xml"),
    ("application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.9", "tsv"),
    ("*/*;q=0.1, text/csv", "csv"),
    ("*/*, application/sparql-results+json;q=0", "xml"),
    ("application/json", "json"),
    ("image/png", "json"),  # nothing acceptable: the default, not a 406
    ("text/turtle", "json"),
])
def test_negotiate(accept: str | None, expected: str) -> None:
    assert negotiate(accept, SOLUTION_OFFERS, "json") == expected


# -- the service ----------------------------------------------------------------------------

def test_index_links_the_endpoints(client: TestClient) -> None:
    body = client.get("/").json()
    assert body["version"] == __version__
    for name in ("sparql", "records", "datasets", "feeds", "docs"):
        assert body["links"][name] == f"http://testserver/{name}"


def test_health_counts_published_records_and_graphs(client: TestClient) -> None:
    assert client.get("/health").json() == {
        "status": "ok", "records": len(PUBLISHED), "graphs": len(PUBLISHED), "indexed": len(PUBLISHED),
        "version": __version__, "queries": None, "problems": [], "harvesting": [],
    }
    assert client.get("/health/live").json() == {"status": "alive", "version": __version__}


def test_openapi_lists_the_routes(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["info"]["title"] == "oogst" and doc["info"]["version"] == __version__
    paths = doc["paths"]
    assert {"/", "/health", "/sparql", "/records", "/records/{record_id}", "/feeds", "/feeds/{name}", "/datasets",
            "/datasets/{name}", "/resolve", "/id/object/{key}", "/context.jsonld"} <= set(paths)
    assert {"q", "feed", "provider", "type", "rights", "has_image", "modified_since", "iri", "cursor", "limit"} <= {
        p["name"] for p in paths["/records"]["get"]["parameters"]}
    assert {"get", "post"} <= set(paths["/sparql"])
    assert "application/sparql-query" in paths["/sparql"]["post"]["requestBody"]["content"]
    assert client.get("/docs").status_code == 200


def test_unknown_route_and_method_are_json_errors(client: TestClient) -> None:
    assert_error(client.get("/nothing-here"), 404, "NotFound")
    assert_error(client.put("/sparql", params={"query": "ASK {}"}), 405, "MethodNotAllowed")


def test_lifespan_opens_and_closes_what_settings_name(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with TestClient(create_app(Oogst(settings, read_only=True), close_core=True)) as test_client:
        assert test_client.get("/health").json()["graphs"] == 0
    assert settings.state_path.exists() and (tmp_path / "store").is_dir()
    EmbeddedStore(tmp_path / "store").close()  # the app released the store's lock


def test_app_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OOGST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OOGST_PUBLIC_URL", "https://data.example.be/api/")
    with TestClient(from_environment()) as test_client:
        assert test_client.get("/").json()["links"]["sparql"] == "https://data.example.be/api/sparql"
    assert (tmp_path / "state.sqlite").exists()


# -- SPARQL: the three protocol operations ------------------------------------------------

def test_query_via_get(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": TITLES})
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert "Accept" in response.headers["vary"]
    assert [b["title"] for b in bindings(response)] == ALL_TITLES


def test_query_via_form_post(client: TestClient) -> None:
    response = client.post("/sparql", content=f"query={quote(TITLES)}", headers=FORM)
    assert [b["title"] for b in bindings(response)] == ALL_TITLES


def test_query_via_direct_post(client: TestClient) -> None:
    response = client.post("/sparql", content=TITLES.encode(), headers={"content-type": "application/sparql-query; charset=UTF-8"})
    assert [b["title"] for b in bindings(response)] == ALL_TITLES


def test_default_graph_is_the_union_of_published_record_graphs(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }"})
    assert bindings(response) == [{"n": str(len(PUBLISHED))}]
    graphs = bindings(client.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"}))
    assert sorted(b["g"] for b in graphs) == sorted(graph_iri(f, s) for f, s, *_ in PUBLISHED)


def test_default_graph_uri_selects_the_default_graph(client: TestClient) -> None:
    one = graph_iri(LIDO, "oai:hofvanleie.be:lido:1998-B-121")
    two = graph_iri(DC, "oai:stadsarchief.gent:42")
    response = client.get("/sparql", params=[("query", TITLES), ("default-graph-uri", one)])
    assert [b["title"] for b in bindings(response)] == ["Zicht op de Leie"]
    response = client.post("/sparql", params=[("default-graph-uri", one), ("default-graph-uri", two)],
                           content=TITLES, headers=DIRECT)
    assert [b["title"] for b in bindings(response)] == ["Kaart van Gent, 1534", "Zicht op de Leie"]
    # In a form POST the dataset may also travel in the body.
    body = f"query={quote(TITLES)}&default-graph-uri={quote(two)}"
    assert [b["title"] for b in bindings(client.post("/sparql", content=body, headers=FORM))] == ["Kaart van Gent, 1534"]


def test_named_graph_uri_limits_graph_patterns(client: TestClient) -> None:
    one = graph_iri(LIDO, "oai:hofvanleie.be:lido:1998-B-121")
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    assert bindings(client.get("/sparql", params={"query": query, "named-graph-uri": one})) == [{"g": one}]


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT (STR(<records>) AS ?iri) {}"})
    assert bindings(response) == [{"iri": "http://testserver/records"}]


def test_from_in_the_query_sets_the_default_graph(client: TestClient) -> None:
    one = graph_iri(LIDO, "oai:hofvanleie.be:lido:1998-B-121")
    query = TITLES.replace("WHERE", f"FROM <{one}> WHERE")
    assert [b["title"] for b in bindings(client.get("/sparql", params={"query": query}))] == ["Zicht op de Leie"]


# -- SPARQL: result formats ---------------------------------------------------------------

SELECT_ONE = 'SELECT ?x ?y WHERE { VALUES (?x ?y) { ("a" "b") } }'


@pytest.mark.parametrize("accept", [None, "*/*", "application/sparql-results+json", "application/json",
                                    "image/png", "text/turtle"])
def test_select_json_by_default_and_as_fallback(client: TestClient, accept: str | None) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": SELECT_ONE}, headers=headers)
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert bindings(response) == [{"x": "a", "y": "b"}]


def test_select_xml(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT_ONE}, headers={"accept": "application/sparql-results+xml"})
    assert response.headers["content-type"] == "application/sparql-results+xml"
    literals = [e.text for e in ET.fromstring(response.content).iter(f"{SRX}literal")]
    assert literals == ["a", "b"]


def test_select_csv_and_tsv(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT_ONE}, headers={"accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.text))) == [["x", "y"], ["a", "b"]]
    response = client.get("/sparql", params={"query": SELECT_ONE},
                          headers={"accept": "text/csv;q=0.8, text/tab-separated-values"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.text.splitlines() == ["?x\t?y", '"a"\t"b"']


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_ask(client: TestClient, accept: str | None, media_type: str) -> None:
    query = f"ASK {{ ?o <{CRM}P102_has_title> \"Zicht op de Leie\"@nl }}"
    response = client.post("/sparql", content=query, headers={**DIRECT, **({"accept": accept} if accept else {})})
    assert response.status_code == 200 and response.headers["content-type"] == media_type
    if media_type.endswith("json"):
        assert response.json()["boolean"] is True
    else:
        assert ET.fromstring(response.content).find(f"{SRX}boolean").text == "true"


CONSTRUCT = f"CONSTRUCT {{ ?o <{CRM}P102_has_title> ?t }} WHERE {{ ?o <{CRM}P102_has_title> ?t }}"


@pytest.mark.parametrize(("accept", "media_type", "rdflib_format"), [
    (None, "text/turtle", "turtle"),
    ("*/*", "text/turtle", "turtle"),
    ("application/sparql-results+json", "text/turtle", "turtle"),  # fallback, not 406
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/turtle;q=0.2, application/rdf+xml;q=0.4", "application/rdf+xml", "xml"),
])
def test_construct_formats(client: TestClient, accept: str | None, media_type: str, rdflib_format: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert sorted(str(o) for o in graph.objects()) == ALL_TITLES


def test_describe(client: TestClient) -> None:
    iri = object_iri(DC, "oai:stadsarchief.gent:42")
    response = client.get("/sparql", params={"query": f"DESCRIBE <{iri}>"}, headers={"accept": "application/n-triples"})
    graph = rdflib.Graph().parse(data=response.content, format="nt")
    assert (rdflib.URIRef(iri), rdflib.URIRef(f"{CRM}P102_has_title"), rdflib.Literal("Kaart van Gent, 1534", lang="nl")) in graph


# -- SPARQL: refusals ---------------------------------------------------------------------

def test_updates_are_refused(client: TestClient) -> None:
    assert_error(client.get("/sparql", params={"update": "CLEAR ALL"}), 403, "ReadOnlyEndpoint")
    assert_error(client.post("/sparql", content="update=CLEAR%20ALL", headers=FORM), 403, "ReadOnlyEndpoint")
    assert_error(client.post("/sparql", content="CLEAR ALL", headers={"content-type": "application/sparql-update"}),
                 403, "ReadOnlyEndpoint")
    body = assert_error(client.post("/sparql", content="DROP ALL", headers=DIRECT), 400, "QueryError")
    assert "syntax" in body["message"]
    assert client.get("/health").json()["graphs"] == len(PUBLISHED)


def test_missing_or_repeated_query(client: TestClient) -> None:
    assert "no query" in assert_error(client.post("/sparql", content="", headers=FORM), 400, "QueryError")["message"]
    assert_error(client.post("/sparql", content="default-graph-uri=http%3A%2F%2Fa.example%2F", headers=FORM), 400)
    assert_error(client.get("/sparql", params={"default-graph-uri": "http://a.example/"}), 400, "QueryError")
    body = assert_error(client.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")]), 400)
    assert "2 queries" in body["message"]
    assert_error(client.post("/sparql", params={"query": "ASK {}"}, content="ASK {}", headers=DIRECT), 400)


def test_syntax_error_carries_the_parser_message(client: TestClient) -> None:
    body = assert_error(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400, "QueryError")
    assert "SPARQL syntax error" in body["message"] and "1:" in body["message"]


@pytest.mark.parametrize(("content_type", "content"), [
    (None, b"query=ASK%20%7B%7D"),
    ("text/plain", b"ASK {}"),
    ("application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16")),
])
def test_bad_post_media_types(client: TestClient, content_type: str | None, content: bytes) -> None:
    headers = {"content-type": content_type} if content_type else {}
    assert_error(client.post("/sparql", content=content, headers=headers), 415, "UnsupportedMediaType")


def test_body_that_is_not_utf8(client: TestClient) -> None:
    assert_error(client.post("/sparql", content="ASK {}".encode("utf-16"), headers=DIRECT), 400, "QueryError")


def test_bad_dataset_iri(client: TestClient) -> None:
    body = assert_error(client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"}), 400)
    assert "default-graph-uri" in body["message"]


# -- SPARQL: without a query --------------------------------------------------------------

@pytest.mark.parametrize(("accept", "media_type", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("*/*", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
])
def test_service_description(client: TestClient, accept: str, media_type: str, rdflib_format: str) -> None:
    response = client.get("/sparql", headers={"accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media_type
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = graph.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert service is not None
    assert graph.value(service, sd.endpoint) == rdflib.URIRef("http://testserver/sparql")
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_query_page_for_browsers(client: TestClient) -> None:
    response = client.get("/sparql", headers={"accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'id="query-form" method="get"' in response.text and 'name="query"' in response.text
    assert "/static/sparql.js" in response.text and "http" + "s://cdn" not in response.text
    examples = json.loads(response.text.split('type="application/json">', 1)[1].split("</script>", 1)[0])
    assert len(examples) >= 5
    for example in examples:  # every example query runs
        assert client.post("/sparql", data={"query": example["query"]}).status_code == 200, example["title"]
    assert client.get("/static/sparql.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))


def test_no_query_and_no_describable_format(client: TestClient) -> None:
    assert_error(client.get("/sparql", headers={"accept": "application/sparql-results+json"}), 400, "QueryError")


# -- records: search and browse --------------------------------------------------------------

def page_ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["items"]]


def test_records_pages_with_cursor_and_link_header(client: TestClient) -> None:
    seen: list[dict[str, Any]] = []
    url: str | None = "/records?limit=2"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        url = page["next"]
        if url:
            assert response.headers["link"] == f'<{url}>; rel="next"'
            assert "limit=2" in url and "cursor=" in url
        else:
            assert "link" not in response.headers
        pages += 1
    assert pages == 2
    assert sorted(i["id"] for i in seen) == sorted(record_id(f, s) for f, s, *_ in PUBLISHED)
    first = next(i for i in seen if i["id"] == RID)
    assert first == {
        "id": "museum-lido/oai:hofvanleie.be:lido:1998-B-121",
        "iri": object_iri(LIDO, "oai:hofvanleie.be:lido:1998-B-121"),
        "url": "http://testserver/records/museum-lido/oai:hofvanleie.be:lido:1998-B-121",
        "feed": LIDO, "provider": "Museum Hof van Leie", "label": "Zicht op de Leie",
        "object_names": ["schilderij"], "makers": ["Ensor, James"], "date": "ca. 1900", "rights": [CC0],
        "image": "https://beelden.example.be/oai%3Ahofvanleie.be%3Alido%3A1998-B-121.jpg",
        "modified": "2024-03-01T10:00:00Z", "datestamp": "2024-03-01T10:00:00Z",
    }


def test_records_interleave_providers(client: TestClient) -> None:
    providers = [i["provider"] for i in client.get("/records").json()["items"]]
    assert providers[:2] != [providers[0]] * 2 and sorted(providers[:2]) == ["Museum Hof van Leie", "Stadsarchief Gent"]


def test_records_default_page_and_feed_filter(client: TestClient) -> None:
    page = client.get("/records").json()
    assert len(page["items"]) == len(PUBLISHED) and page["next"] is None
    page = client.get("/records", params={"feed": DC, "limit": 1}).json()
    assert [i["feed"] for i in page["items"]] == [DC]
    assert "feed=archief-dc" in page["next"]
    rest = client.get(page["next"]).json()
    assert [i["feed"] for i in rest["items"]] == [DC] and rest["next"] is None
    assert_error(client.get("/records", params={"feed": "no-such-feed"}), 404, "NotFoundError")


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "leie"}, [RID]),
    ({"q": "LEIE zicht"}, [RID]),
    ({"q": "fetes"}, sorted(record_id(f, s) for f, s, *_ in PUBLISHED)),  # diacritics folded
    ({"q": "ensor"}, [RID]),  # makers count too
    ({"q": "kaart"}, [record_id(DC, "oai:stadsarchief.gent:42")]),
    ({"q": "vlaswerk*"}, [record_id(LIDO, "oai:hofvanleie.be:lido:2001 A/7")]),
    ({"q": "nergens"}, []),
    ({"q": '"quoted" OR NOT (x'}, []),  # no FTS syntax errors from users' text
    ({"type": "schilderij"}, [RID]),
    ({"type": f"{AAT}300033618"}, [RID]),
    ({"type": ["prent", "kaart"]}, sorted([record_id(LIDO, "oai:hofvanleie.be:lido:2001 A/7"),
                                          record_id(DC, "oai:stadsarchief.gent:42")])),
    ({"type": "onbekend"}, []),
    ({"rights": PDM}, sorted(record_id(DC, s) for s in ("oai:stadsarchief.gent:42", "oai:stadsarchief.gent:43"))),
    ({"provider": "museum hof van leie"}, sorted(record_id(LIDO, s) for s in (
        "oai:hofvanleie.be:lido:1998-B-121", "oai:hofvanleie.be:lido:2001 A/7"))),
    ({"has_image": "true"}, sorted([RID, record_id(DC, "oai:stadsarchief.gent:42")])),
    ({"has_image": "false", "feed": DC}, [record_id(DC, "oai:stadsarchief.gent:43")]),
    ({"modified_since": "2024-03-01"}, sorted(record_id(f, s) for f, s, *_ in PUBLISHED)),
    ({"modified_since": "2024-03-01T11:00:00+02:00"}, sorted(record_id(f, s) for f, s, *_ in PUBLISHED)),
    ({"modified_since": "2030-01-01"}, []),
    ({"iri": object_iri(DC, "oai:stadsarchief.gent:42")}, [record_id(DC, "oai:stadsarchief.gent:42")]),
    ({"q": "gent", "rights": PDM, "has_image": "true"}, [record_id(DC, "oai:stadsarchief.gent:42")]),
])
def test_records_search_and_filters(client: TestClient, params: dict[str, Any], expected: list[str]) -> None:
    assert sorted(page_ids(client.get("/records", params=params))) == expected


def test_records_facets(client: TestClient) -> None:
    facets = client.get("/records", params={"facets": "true"}).json()["facets"]
    assert {f["value"]: f["count"] for f in facets["rights"]} == {PDM: 2, CC0: 1, CC_BY: 1}
    assert {f["label"]: f["count"] for f in facets["provider"]} == {"Museum Hof van Leie": 2, "Stadsarchief Gent": 2}
    assert {f["value"]: f["count"] for f in facets["has_image"]} == {True: 2, False: 2}
    assert {f["value"]: f["count"] for f in facets["feed"]} == {LIDO: 2, DC: 2}
    facets = client.get("/records", params={"facets": "true", "q": "leie"}).json()["facets"]
    assert [(f["label"], f["count"]) for f in facets["type"]] == [("schilderij", 1)]
    assert "facets" not in client.get("/records").json()


@pytest.mark.parametrize(("params", "error", "status"), [
    ({"limit": 0}, "InvalidParameter", 422),
    ({"limit": 501}, "InvalidParameter", 422),
    ({"limit": "many"}, "InvalidParameter", 422),
    ({"cursor": "not-a-cursor"}, "QueryError", 400),
    ({"cursor": "WzEsMl0"}, "QueryError", 400),  # a cursor of the wrong shape
    ({"q": "leie", "cursor": "WzEsImEiLDNd"}, "QueryError", 400),
    ({"modified_since": "yesterday"}, "InvalidParameter", 422),
    ({"has_image": "maybe"}, "InvalidParameter", 422),
])
def test_records_bad_parameters(client: TestClient, params: dict[str, Any], error: str, status: int) -> None:
    assert_error(client.get("/records", params=params), status, error)


def test_records_list_etag(client: TestClient) -> None:
    response = client.get("/records", params={"limit": 2})
    again = client.get("/records", params={"limit": 2}, headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_records_search_page_for_browsers(client: TestClient) -> None:
    response = client.get("/records", params={"q": "leie"}, headers={"accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Zicht op de Leie" in response.text and "Vlaswerkers" not in response.text
    assert 'name="q"' in response.text and "Dataleverancier" in response.text
    # a facet link adds its filter and keeps the words
    assert 'href="http://testserver/records?q=leie&amp;type=http' in response.text
    assert client.get("/records", params={"format": "json"}, headers={"accept": BROWSER}).json()["items"]


# -- records: one record ------------------------------------------------------------------------


def jsonld_graph(client: TestClient, content: bytes) -> rdflib.Graph:
    """Parse compact JSON-LD with the context the API serves (not fetched from the web)."""
    document = json.loads(content)
    assert document["@context"] == "http://testserver/context.jsonld"
    document["@context"] = client.get("/context.jsonld").json()["@context"]
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


@pytest.mark.parametrize(("accept", "media_type", "rdflib_format"), [
    (None, "application/ld+json", "json-ld"),
    ("*/*", "application/ld+json", "json-ld"),
    ("application/json", "application/ld+json", "json-ld"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json;q=0.5, text/turtle", "text/turtle", "turtle"),
    ("image/png", "application/ld+json", "json-ld"),
])
def test_record_graph_by_accept(client: TestClient, accept: str | None, media_type: str, rdflib_format: str) -> None:
    response = client.get(f"/records/{RID}", headers={"accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["vary"].startswith("Accept")
    if rdflib_format == "json-ld":
        graph = jsonld_graph(client, response.content)
    else:
        graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    iri = rdflib.URIRef(object_iri(LIDO, "oai:hofvanleie.be:lido:1998-B-121"))
    assert graph.value(iri, rdflib.URIRef(f"{CRM}P102_has_title")) == rdflib.Literal("Zicht op de Leie", lang="nl")
    expected = rdflib.Graph().parse(data=ntriples(LIDO, "oai:hofvanleie.be:lido:1998-B-121", "Zicht op de Leie"),
                                    format="nt")
    assert rdflib.compare.isomorphic(graph, expected)


def test_record_compact_jsonld_uses_the_oslo_context(client: TestClient) -> None:
    document = client.get(f"/records/{RID}").json()
    assert document["@id"] == object_iri(LIDO, "oai:hofvanleie.be:lido:1998-B-121")
    assert document["@type"] == "MensgemaaktObject"
    assert document["titel"] == {"nl": "Zicht op de Leie"}
    assert document["classificatie"]["kendeToe"] == {"@id": "aat:300033618", "voorkeursnaam": {"nl": "schilderij"}}
    assert document["productie"]["uitgevoerdDoor"]["voorkeursnaam"] == {"@none": "Ensor, James"}
    assert document["beheerder"]["voorkeursnaam"] == {"nl": "Museum Hof van Leie"}
    assert [n["onderwerp"] for n in document["@included"]] == [document["@id"]]  # the record's provenance
    context = client.get("/context.jsonld")
    assert context.headers["content-type"] == "application/ld+json"
    assert context.json()["@context"]["oogst"] == "https://data.oogst.be/ns#"


def test_record_formats_by_parameter(client: TestClient) -> None:
    assert client.get(f"/records/{RID}", params={"format": "turtle"}).headers["content-type"].startswith("text/turtle")
    assert_error(client.get(f"/records/{RID}", params={"format": "pdf"}), 422, "InvalidParameter")


def test_record_etag_and_last_modified(client: TestClient) -> None:
    response = client.get(f"/records/{RID}")
    etag, last_modified = response.headers["etag"], response.headers["last-modified"]
    assert last_modified.endswith("GMT") and "cache-control" in response.headers
    assert client.get(f"/records/{RID}", headers={"if-none-match": etag}).status_code == 304
    assert client.get(f"/records/{RID}", headers={"if-none-match": f'W/{etag}, "other"'}).status_code == 304
    assert client.get(f"/records/{RID}", headers={"if-modified-since": last_modified}).status_code == 304
    assert client.get(f"/records/{RID}", headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    turtle = client.get(f"/records/{RID}", headers={"accept": "text/turtle"})
    assert turtle.headers["etag"] != etag  # one tag per representation
    assert client.get(f"/records/{RID}", headers={"if-none-match": etag, "accept": "text/turtle"}).status_code == 200


def test_record_page_for_browsers(client: TestClient) -> None:
    response = client.get(f"/records/{RID}", headers={"accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    text = response.text
    for expected in ("<h1 id=\"title\">Zicht op de Leie</h1>", "schilderij", "Ensor, James", "ca. 1900",
                     "Museum Hof van Leie", "CC0 1.0", 'id="image-link"', "format=jsonld", "format=turtle"):
        assert expected in text, expected


def test_record_id_with_percent_escapes(client: TestClient) -> None:
    rid = record_id(LIDO, "oai:hofvanleie.be:lido:2001 A/7")
    assert rid == "museum-lido/oai:hofvanleie.be:lido:2001%20A%2F7"
    item = next(i for i in client.get("/records").json()["items"] if i["id"] == rid)
    assert item["url"] == "http://testserver/records/museum-lido/oai:hofvanleie.be:lido:2001%2520A%252F7"
    assert "Vlaswerkers" in client.get(item["url"], headers={"accept": "text/turtle"}).text
    # The source id part decoded once (a client that did not re-encode the %) still resolves.
    assert client.get("/records/museum-lido/oai:hofvanleie.be:lido:2001%20A%2F7").status_code == 200


def test_withdrawn_record_is_gone_with_a_tombstone(client: TestClient) -> None:
    rid = record_id(LIDO, "oai:hofvanleie.be:lido:1975-W-3")
    body = assert_error(client.get(f"/records/{rid}"), 410, "RecordWithdrawn")
    assert body["id"] == rid and body["state"] == "withdrawn"
    assert body["withdrawn_at"] == "2024-05-01T08:00:00Z"
    assert body["iri"] == object_iri(LIDO, "oai:hofvanleie.be:lido:1975-W-3")


def test_quarantined_record_shows_its_report(client: TestClient) -> None:
    rid = record_id(LIDO, "oai:hofvanleie.be:lido:1999-X-1")
    body = assert_error(client.get(f"/records/{rid}"), 404, "RecordQuarantined")
    assert body["id"] == rid and body["state"] == "quarantined"
    assert "report" not in body, "the report is for those who may see the feed"
    body = assert_error(client.get(f"/records/{rid}", headers=client.operator), 404, "RecordQuarantined")
    assert body["report"]["findings"][0]["message"]["nl"] == "Het object heeft geen titel."


def test_unavailable_records_explain_themselves_to_people(client: TestClient) -> None:
    gone = client.get(f"/records/{record_id(LIDO, 'oai:hofvanleie.be:lido:1975-W-3')}", headers={"accept": BROWSER})
    assert gone.status_code == 410 and "ingetrokken" in gone.text and "2024-05-01T08:00:00Z" in gone.text
    held = client.get(f"/records/{record_id(LIDO, 'oai:hofvanleie.be:lido:1999-X-1')}", headers={"accept": BROWSER})
    assert held.status_code == 404 and "niet gepubliceerd" in held.text and "geen titel" not in held.text
    held = client.get(f"/records/{record_id(LIDO, 'oai:hofvanleie.be:lido:1999-X-1')}",
                      headers={"accept": BROWSER, **client.operator})
    assert held.status_code == 404 and "Het object heeft geen titel." in held.text
    assert "lido:titleWrap/titleSet/appellationValue" in held.text


def test_quarantined_record_keeps_its_published_version(client: TestClient) -> None:
    response = client.get(f"/records/{record_id(DC, 'oai:stadsarchief.gent:43')}", headers={"accept": "text/turtle"})
    assert response.status_code == 200 and "Stadsrekening 1450" in response.text


def test_unknown_record(client: TestClient) -> None:
    body = assert_error(client.get("/records/museum-lido/oai:nowhere:1"), 404, "NotFoundError")
    assert body["record"] == "museum-lido/oai:nowhere:1"
    assert_error(client.get("/records/no-slash-at-all"), 404)


# -- Linked Data: minted IRIs dereference ---------------------------------------------------------

def test_object_and_graph_iris_redirect_to_their_record(client: TestClient) -> None:
    for source_id in ("oai:hofvanleie.be:lido:1998-B-121", "oai:hofvanleie.be:lido:2001 A/7"):
        expected = "http://testserver/records/" + quote(record_id(LIDO, source_id), safe="/:")
        for iri in (object_iri(LIDO, source_id), graph_iri(LIDO, source_id)):
            response = client.get(iri.removeprefix("https://data.oogst.be"), follow_redirects=False)
            assert response.status_code == 303, response.text
            assert response.headers["location"] == expected
    final = client.get(object_iri(LIDO, "oai:hofvanleie.be:lido:1998-B-121").removeprefix("https://data.oogst.be"),
                       headers={"accept": "text/turtle"})
    assert final.status_code == 200 and "Zicht op de Leie" in final.text
    assert_error(client.get("/id/object/museum-lido/oai:nowhere:1", follow_redirects=False), 404)


def test_other_minted_iris(client: TestClient) -> None:
    response = client.get(f"/id/feed/{LIDO}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"http://testserver/datasets/{LIDO}"
    agent = Minter(LIDO).agent_iri("Ensor, James")
    response = client.get(agent.removeprefix("https://data.oogst.be"), follow_redirects=False)
    assert response.status_code == 303 and "DESCRIBE" in response.headers["location"]
    described = client.get(response.headers["location"], headers={"accept": "application/n-triples"})
    assert '"Ensor, James"' in described.text
    assert_error(client.get("/id/nonsense/x", follow_redirects=False), 404)


def test_resolve_any_object_iri(client: TestClient) -> None:
    iri = object_iri(DC, "oai:stadsarchief.gent:42")
    response = client.get("/resolve", params={"iri": iri}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/records/" + record_id(DC, "oai:stadsarchief.gent:42")
    assert_error(client.get("/resolve", params={"iri": "https://elders.example/id/1"}, follow_redirects=False), 404)


# -- datasets (DCAT) ---------------------------------------------------------------------------

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


def test_datasets_catalogue(client: TestClient) -> None:
    response = client.get("/datasets", headers={"accept": "text/turtle"})
    assert response.status_code == 200, response.text
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    catalogue = graph.value(predicate=rdflib.RDF.type, object=DCAT.Catalog)
    datasets = set(graph.objects(catalogue, DCAT.dataset))
    assert datasets == {rdflib.URIRef(Minter(f).feed_iri()) for f in (LIDO, DC)}
    lido = rdflib.URIRef(Minter(LIDO).feed_iri())
    assert graph.value(lido, rdflib.URIRef("http://rdfs.org/ns/void#entities")).toPython() == 2
    assert set(graph.objects(lido, DCT.license)) == {rdflib.URIRef(CC0), rdflib.URIRef(CC_BY)}
    assert graph.value(lido, DCT.modified).toPython() == datetime(2024, 3, 1, 10, tzinfo=UTC)
    publisher = graph.value(lido, DCT.publisher)
    assert str(graph.value(publisher, rdflib.URIRef("http://xmlns.com/foaf/0.1/name"))) == "Museum Hof van Leie"
    assert (graph.value(predicate=rdflib.RDF.type, object=DCAT.DataService), DCAT.servesDataset, lido) in graph


def test_datasets_as_compact_jsonld(client: TestClient) -> None:
    document = client.get("/datasets").json()
    assert document["@type"] == "Catalog" and len(document["dataset"]) == 2
    assert document["@context"] == "http://testserver/context/dcat.jsonld"
    one = client.get(f"/datasets/{DC}").json()
    assert one["@type"] == "Dataset" and one["entities"] == "2" and one["identifier"] == DC
    one["@context"] = client.get("/context/dcat.jsonld").json()["@context"]
    graph = rdflib.Graph().parse(data=json.dumps(one), format="json-ld")
    assert (rdflib.URIRef(Minter(DC).feed_iri()), DCT.license, rdflib.URIRef(PDM)) in graph
    assert_error(client.get("/datasets/no-such-feed"), 404)


# -- feeds --------------------------------------------------------------------------------

def test_feeds(client: TestClient) -> None:
    assert_error(client.get("/feeds"), 401, "AuthError")
    client.headers.update(client.operator)
    try:
        _feeds(client)
    finally:
        del client.headers["Authorization"]


def _feeds(client: TestClient) -> None:
    items = client.get("/feeds").json()["items"]
    assert [f["name"] for f in items] == [DC, LIDO]
    lido = items[1]
    assert lido["status"] == "active" and lido["protocol"] == "oai-pmh"
    assert "options" not in lido and "config" not in lido
    assert lido["records"] == {"published": 2, "quarantined": 1, "withdrawn": 1, "known": 4}
    assert lido["last_run"]["status"] == "complete"
    assert {k: lido["last_run"][k] for k in ("harvested", "published", "quarantined")} == \
        {"harvested": 3, "published": 2, "quarantined": 1}
    assert lido["links"]["self"] == f"http://testserver/feeds/{LIDO}"
    assert client.get(lido["links"]["self"]).json() == lido
    assert len(client.get(lido["links"]["records"]).json()["items"]) == 2


def test_unknown_feed(client: TestClient) -> None:
    body = assert_error(client.get("/feeds/no-such-feed", headers=client.operator), 404, "NotFoundError")
    assert body["feed"] == "no-such-feed" and LIDO in body["hint"]


# -- SPARQL: limits -------------------------------------------------------------------------

def test_result_cap_is_announced(tmp_path: Path) -> None:
    store, state = EmbeddedStore(None, StoreOptions(result_limit=2)), State(tmp_path / "state.sqlite")
    fill(store, state)
    with TestClient(create_app(Oogst(Settings(data_dir=tmp_path, result_limit=2), store=store, state=state))) as client:
        response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
        assert len(bindings(response)) == 2 and response.headers["oogst-truncated"] == "2"
        response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 1"})
        assert "oogst-truncated" not in response.headers
    state.close()
    store.close()


def test_query_timeout_is_503_with_retry_after(tmp_path: Path) -> None:
    store, state = EmbeddedStore(None, StoreOptions(query_timeout=0.2)), State(tmp_path / "state.sqlite")
    fill(store, state)
    with TestClient(create_app(Oogst(Settings(data_dir=tmp_path, query_timeout=0.2), store=store, state=state))) as client:
        response = client.get("/sparql", params={"query": SLOW_QUERY})
        body = assert_error(response, 503, "QueryTimeoutError")
        assert "0.2 s" in body["message"] and response.headers["retry-after"]
    state.close()
    store.close()


# -- over real HTTP -----------------------------------------------------------------------

_NUMBERS = " ".join(str(i) for i in range(1000))
SLOW_QUERY = (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {_NUMBERS} }} VALUES ?b {{ {_NUMBERS} }} "
              "VALUES ?c { 1 2 3 4 5 6 7 8 } FILTER(?a + ?b > ?c) }")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_real_uvicorn_server(tmp_path: Path) -> None:
    store, state = EmbeddedStore(None), State(tmp_path / "state.sqlite")
    fill(store, state)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        create_app(Oogst(Settings(data_dir=tmp_path, port=port), store=store, state=state)),
        host="127.0.0.1", port=port, log_level="warning",
    ))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        response = requests.get(f"{base}/sparql", params={"query": TITLES}, headers={"accept": "text/csv"}, timeout=10)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert [row[0] for row in csv.reader(io.StringIO(response.text))][1:] == ALL_TITLES
        response = requests.post(f"{base}/sparql", data={"query": "ASK {}"}, timeout=10)
        assert response.json() == {"head": {}, "boolean": True}
        item = requests.get(f"{base}/records", params={"limit": 1}, timeout=10).json()["items"][0]
        assert item["url"].startswith(base)
        response = requests.get(item["url"], headers={"accept": "text/turtle"}, timeout=10)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
        # A slow query runs off the event loop: the server keeps answering meanwhile.
        slow = threading.Thread(target=requests.get, args=(f"{base}/sparql",),
                                kwargs={"params": {"query": SLOW_QUERY}, "timeout": 60})
        slow.start()
        time.sleep(0.2)
        assert requests.get(f"{base}/health", timeout=10).json()["status"] == "ok"
        assert slow.is_alive(), "the slow query finished too soon to show anything"
        slow.join()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        state.close()
        store.close()
    assert not thread.is_alive()
