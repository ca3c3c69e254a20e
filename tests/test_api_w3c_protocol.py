"""The W3C SPARQL 1.1 Protocol tests, run from their manifest against ``/sparql``, in-process
(ASGI) and over real HTTP (uvicorn on 127.0.0.1).

The manifest (``../shared/corpus/w3c-sparql-protocol/manifest.ttl``) describes each test as
HTTP requests with expected status classes, result formats and ASK answers. The endpoint
is read-only: in the tests that expect an update to succeed, every update must get a clean
refusal (403, ``ReadOnlyEndpoint``); the tests that expect a 4xx for a bad update run as
written, since a read-only endpoint must refuse them too.
"""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
import requests
import uvicorn
from fastapi.testclient import TestClient
from rdflib.collection import Collection
from rdflib.namespace import RDFS

from oogst.api import create_app
from oogst.pipeline import Oogst
from oogst.settings import Settings
from oogst.store.embedded import EmbeddedStore
from oogst.store.state import State

from .conftest import free_port

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


def is_update(request: Request) -> bool:
    return request.method == "POST" and (
        request.headers.get("content-type") == "application/sparql-update" or (request.body or b"").startswith(b"update="))


@dataclass
class ProtocolTest:
    name: str
    title: str
    graphs: dict[str, Path] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    @property
    def needs_update(self) -> bool:
        """Does the test expect an update to succeed (which a read-only endpoint refuses)?"""
        return any(is_update(r) and 2 in r.statuses for r in self.requests)


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


class Server:
    """One app over an in-memory store, reached in-process (ASGI) or over real HTTP
    (uvicorn on 127.0.0.1); each test loads its own graphs into the store."""

    def __init__(self, tmp: Path, live: bool) -> None:
        self.store, self.state = EmbeddedStore(None), State(tmp / "state.sqlite")
        self.loaded: list[str] = []
        app = create_app(Oogst(Settings(data_dir=tmp), store=self.store, state=self.state))
        self.client = TestClient(app, follow_redirects=False)
        self.server: uvicorn.Server | None = None
        if live:
            port = free_port()
            self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
            self.thread = threading.Thread(target=self.server.run, daemon=True)
            self.thread.start()
            deadline = time.monotonic() + 10
            while not self.server.started:
                assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.02)
            self.base = f"http://127.0.0.1:{port}"
            self.session = requests.Session()
        else:
            self.client.__enter__()

    def load(self, graphs: dict[str, Path]) -> None:
        self.store.drop_graphs(self.loaded)
        self.store.replace_graphs({iri: path.read_text("utf-8") for iri, path in graphs.items()})
        self.loaded = list(graphs)

    def request(self, request: Request) -> tuple[int, str, bytes, str]:
        if self.server is None:
            r = self.client.request(request.method, request.path, headers=request.headers, content=request.body)
            return r.status_code, r.headers.get("content-type", ""), r.content, r.text
        r = self.session.request(request.method, self.base + request.path, headers=request.headers,
                                 data=request.body, allow_redirects=False, timeout=30)
        return r.status_code, r.headers.get("content-type", ""), r.content, r.text

    def close(self) -> None:
        if self.server is None:
            self.client.__exit__(None, None, None)
        else:
            self.server.should_exit = True
            self.thread.join(timeout=10)
        self.state.close()
        self.store.close()


@pytest.fixture(scope="module", params=["asgi", "uvicorn"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("w3c"), live=request.param == "uvicorn")
    yield running
    running.close()


@pytest.mark.corpus
@pytest.mark.parametrize("test", params())
def test_w3c_protocol(test: ProtocolTest, server: Server) -> None:
    server.load(test.graphs)
    for request in test.requests:
        status, content_type, content, text = server.request(request)
        if test.needs_update:
            # A read-only endpoint: every update is refused cleanly, and nothing else is checked.
            if is_update(request):
                assert status == 403, f"{test.title}: {status} {text}"
                assert json.loads(content)["error"] == "ReadOnlyEndpoint"
            continue
        assert status // 100 in request.statuses, f"{test.title}: {status} {text}"
        media_type = content_type.split(";")[0].strip()
        if request.format:
            assert media_type in FORMATS[request.format], f"{test.title}: {media_type}"
        if request.boolean is not None:
            assert boolean_of(media_type, content) is request.boolean, test.title
