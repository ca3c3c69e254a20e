"""The W3C SPARQL 1.1 Protocol tests, run from their manifest against ``/sparql``.

The manifest (``../shared/corpus/w3c-sparql-protocol/manifest.ttl``) describes each test as
HTTP requests with expected status classes, result formats and ASK answers. The endpoint
is read-only, so the update tests that expect an update to succeed are skipped; the ones
that expect a 4xx (bad updates) run, since a read-only endpoint must refuse them too.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.collection import Collection
from rdflib.namespace import RDFS

from oogst.api import create_app
from oogst.settings import Settings
from oogst.store.embedded import EmbeddedStore
from oogst.store.state import State

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "w3c-sparql-protocol"
MANIFEST = CORPUS / "manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/html"},
}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # status classes: 2, 3, 4 …
    format: str | None
    boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    title: str
    graphs: dict[str, Path] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    @property
    def needs_update(self) -> bool:
        """Does the test expect an update to succeed (which a read-only endpoint refuses)?"""
        return any(
            r.method == "POST" and 2 in r.statuses
            and (r.headers.get("content-type") == "application/sparql-update" or (r.body or b"").startswith(b"update="))
            for r in self.requests
        )


def load_tests() -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(MF.entries, None))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        test = ProtocolTest(name=str(entry).rsplit("#", 1)[-1], title=str(graph.value(entry, MF.name)))
        for data in graph.objects(entry, UT.graphData):
            test.graphs[str(graph.value(data, RDFS.label))] = CORPUS / Path(str(graph.value(data, UT.graph))).name
        connection = graph.value(entry, MF.action)
        for node in Collection(graph, graph.value(connection, HT.requests)):
            headers = {}
            header_list = graph.value(node, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
            body = graph.value(node, HT.body)
            content = None
            if body is not None:
                encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
                content = str(graph.value(body, CNT.chars)).encode(encoding)
            response = graph.value(node, HT.resp)
            boolean = graph.value(response, MF.expectedBoolean)
            fmt = graph.value(response, MF.expectedFormat)
            test.requests.append(Request(
                method=str(graph.value(node, HT.methodName)),
                path="/sparql" + str(graph.value(node, HT.absolutePath)).removeprefix("/sparql/"),
                headers=headers,
                body=content,
                statuses={int(str(s).removeprefix(HTS)[0]) for s in graph.objects(response, MF.expectedStatus)},
                format=str(fmt) if fmt is not None else None,
                boolean=boolean.toPython() if boolean is not None else None,
            ))
        tests.append(test)
    return tests


def params() -> list[object]:
    if not MANIFEST.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"W3C protocol tests not found at {MANIFEST}"))]
    return [pytest.param(t, id=t.name) for t in load_tests()]


def boolean_of(media_type: str, content: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        return json.loads(content)["boolean"]
    element = ET.fromstring(content).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None
    return element.text == "true"


@pytest.mark.corpus
@pytest.mark.parametrize("test", params())
def test_w3c_protocol(test: ProtocolTest, tmp_path: Path) -> None:
    if test.needs_update:
        pytest.skip("the endpoint is read-only: updates are refused by design")
    store, state = EmbeddedStore(None), State(tmp_path / "state.sqlite")
    store.replace_graphs({iri: path.read_text("utf-8") for iri, path in test.graphs.items()})
    try:
        with TestClient(create_app(Settings(data_dir=tmp_path), store=store, state=state),
                        follow_redirects=False) as client:
            for request in test.requests:
                response = client.request(request.method, request.path, headers=request.headers, content=request.body)
                assert response.status_code // 100 in request.statuses, f"{test.title}: {response.status_code} {response.text}"
                media_type = response.headers.get("content-type", "").split(";")[0].strip()
                if request.format:
                    assert media_type in FORMATS[request.format], f"{test.title}: {media_type}"
                if request.boolean is not None:
                    assert boolean_of(media_type, response.content) is request.boolean, test.title
    finally:
        state.close()
        store.close()
