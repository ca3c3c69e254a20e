"""Issue 14, the service half: one request must not take the service down.

Each finding is reproduced against a real ``oogst serve`` (a subprocess on 127.0.0.1, so a
crash shows as a failed test rather than a dead test run) or ``oogst query``:

1. a 10 KB query of 5,000 nested parentheses segfaulted the parser → 400, server up; CLI rc 2;
2. SERVICE made the server fetch any URL and echo its error body → refused; allow-listed
   endpoints only, their error bodies never passed on;
3. two cartesian COUNT(*) took every query slot for good, /health said ok, a 100 MB body was
   taken → killed at query_timeout and the slot freed, one client cannot take every slot (429),
   /health degraded (503), 413;
10. credentials in a feed URL and server paths in errors were shown → redacted everywhere.

Clients on distinct addresses use 127.0.0.2 and 127.0.0.3 as their source (all of 127/8 is
loopback on Linux).
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from fastapi.testclient import TestClient

from oogst.api import create_app
from oogst.pipeline import Oogst
from oogst.settings import Settings
from oogst.store.embedded import EmbeddedStore
from oogst.store.state import Feed, State

from .conftest import free_port
from .test_api import PUBLISHED, fill

DEEP = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"  # about 10 KB
# a cartesian product over every triple, five times: minutes on the 50-odd triples of fill()
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
SECRET_URL = "https://harvester:hunter2@partner.example/oai?api_key=TOPSECRET&set=x"
TIMEOUT = 2.0


class Recorder:
    """A local HTTP server that records every request it gets and answers 500 with a body
    that must never be shown."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorder.requests.append(self.path)
                body = b"internal stack trace: /srv/secret/db.conf password=swordfish"
                self.send_response(500)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def oogst_cli(data_dir: Path, *args: str, env: dict[str, str] | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def make_data_dir(tmp: Path) -> Path:
    """fill()'s records, a feed with an account and a key in its URL whose last run failed
    naming a server path, and an operator (token in ``data/token``)."""
    data = tmp / "data"
    data.mkdir()
    store, state = EmbeddedStore(data / "store"), State(data / "state.sqlite")
    try:
        fill(store, state)
        state.add_feed(Feed(name="secret-feed", protocol="oai-pmh", url=SECRET_URL, format="lido"))
        error = f"cannot read {data.resolve()}/archive.sqlite from {SECRET_URL}: disk I/O error"
        run = state.start_run("secret-feed", "full", None)
        state.finish_run(run, "failed", error=error)
        state.update_feed("secret-feed", last_error=error, failures=1)
        core = Oogst(Settings(data_dir=data), store=store, state=state)
        core.accounts.add_user("op", "operator")
        (data / "token").write_text(core.accounts.new_token("op"))
    finally:
        state.close()
        store.close()
    return data


class Served:
    """``oogst serve`` in a subprocess, two query workers (a long lane of one), one slot per client."""

    def __init__(self, data_dir: Path, **settings: str) -> None:
        self.port = free_port()
        # A file, not a pipe: uvicorn logs every malformed request, and a full pipe nobody reads
        # would block the server's event loop on its next log line.
        self.log = tempfile.TemporaryFile()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "OOGST_QUERY_TIMEOUT": str(TIMEOUT), "OOGST_SPARQL_WORKERS": "2",
               "OOGST_SPARQL_CLIENT_SLOTS": "1", **{f"OOGST_{k.upper()}": v for k, v in settings.items()}}
        self.proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), "serve",
                                      "--host", "127.0.0.1", "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=self.log, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.base}/", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError(f"oogst serve did not start: {self.stderr()}")
            time.sleep(0.2)

    def stderr(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None and requests.get(f"{self.base}/health/live", timeout=10).ok

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                source: str = "127.0.0.1", timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
        """One request from the source address ``source``."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_dir(tmp_path_factory.mktemp("security"))


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[list[Served]]:
    holder = [Served(data_dir)]
    yield holder
    holder[0].close()


@pytest.fixture
def served(server: list[Served], data_dir: Path) -> Served:
    """The module's server, started again when a test before this one killed it (so each
    test shows its own finding on a version without the fixes)."""
    if server[0].proc.poll() is not None:
        server[0] = Served(data_dir)
    return server[0]


def sparql_get(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


def wait_until_idle(served: Served, deadline: float = 20) -> None:
    """Until the killed workers are replaced and none is busy."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        health = requests.get(f"{served.base}/health", timeout=10).json()
        if health["queries"] and health["queries"]["busy"] == 0 and health["status"] == "ok":
            return
        time.sleep(0.2)
    raise AssertionError(f"the query workers stayed busy: {health}")


# -- 1. a deep query ---------------------------------------------------------------------------------
def test_deep_query_by_get_and_post_is_400_and_the_server_lives(served: Served) -> None:
    for method, path, body, headers in (
        ("GET", sparql_get(DEEP), None, {}),
        ("POST", "/sparql", urlencode({"query": DEEP}).encode(), {"content-type": "application/x-www-form-urlencoded"}),
        ("POST", "/sparql", DEEP.encode(), {"content-type": "application/sparql-query"}),
    ):
        status, _, answer = served.request(method, path, body, headers)
        assert status == 400, answer
        error = json.loads(answer)
        assert error["error"] == "QueryTooLargeError" and "64 deep" in error["message"], error
        assert "sparql_max_depth" in error["hint"]
    assert served.alive()
    status, _, answer = served.request("GET", sparql_get("ASK { ?s ?p ?o }"))
    assert status == 200 and json.loads(answer)["boolean"] is True


def test_oogst_query_refuses_a_deep_query_with_the_usage_code(data_dir: Path) -> None:
    done = oogst_cli(data_dir, "query", DEEP)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "more than 64 deep" in done.stderr and "Traceback" not in done.stderr
    done = oogst_cli(data_dir, "query", "ASK { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }")
    assert done.returncode == 2 and "SERVICE <http://127.0.0.1:9/x> is refused" in done.stderr, done.stderr


# -- 2. SERVICE ----------------------------------------------------------------------------------------
def test_service_is_refused_and_nothing_is_fetched(served: Served) -> None:
    recorder = Recorder()
    try:
        for query in (f"ASK {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}",
                      f"ASK {{ SERVICE SILENT <{recorder.url}> {{ ?s ?p ?o }} }}",
                      f"PREFIX r: <{recorder.url[:-6]}> ASK {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
                      "ASK { VALUES ?e { <http://169.254.169.254/> } SERVICE ?e { ?s ?p ?o } }",
                      f"ASK {{ SERVICE <{recorder.url}> {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }} }}"):
            status, _, answer = served.request("GET", sparql_get(query))
            assert status == 400, answer
            assert "SERVICE" in json.loads(answer)["message"] and "refused" in json.loads(answer)["message"]
        assert recorder.requests == [], "the server fetched a URL named in a query"
    finally:
        recorder.close()


def test_an_allowed_service_is_called_but_its_error_body_never_shown(tmp_path: Path) -> None:
    recorder = Recorder()
    settings = Settings(data_dir=tmp_path, sparql_service_allow=(recorder.url,))
    core = Oogst(settings, store=EmbeddedStore(None), state=State(tmp_path / "state.sqlite"))
    try:
        with TestClient(create_app(core)) as client:
            response = client.get("/sparql", params={"query": f"ASK {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"})
            assert response.status_code == 400
            assert "swordfish" not in response.text and "/srv/secret" not in response.text
            assert recorder.url in response.json()["message"]
            assert recorder.requests, "an allow-listed endpoint is called"
            other = client.get("/sparql", params={"query": "ASK { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"})
            assert other.status_code == 400 and "sparql_service_allow" in other.json()["message"]
    finally:
        recorder.close()
        core.close()


def test_an_allowed_service_on_an_internal_address_is_refused_by_the_outbound_policy(tmp_path: Path) -> None:
    recorder = Recorder()  # on loopback; the operator allows only another private range
    settings = Settings(data_dir=tmp_path, sparql_service_allow=(recorder.url, "http://no-such-host.invalid/sparql"),
                        allowed_private_networks=("10.0.0.0/8",))
    core = Oogst(settings, store=EmbeddedStore(None), state=State(tmp_path / "state.sqlite"))
    try:
        with TestClient(create_app(core)) as client:
            response = client.get("/sparql", params={"query": f"ASK {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"})
            assert response.status_code == 400
            message = response.json()["message"]
            assert "refused" in message and "allowed_private_networks" in message
            response = client.get("/sparql", params={
                "query": "ASK { SERVICE <http://no-such-host.invalid/sparql> { ?s ?p ?o } }"})
            assert response.status_code == 400 and "cannot be resolved" in response.json()["message"]
        assert recorder.requests == [], "the server fetched an endpoint on an address it does not allow"
    finally:
        recorder.close()
        core.close()


# -- 3. slots, timeouts, body size, health ---------------------------------------------------------
def test_a_huge_body_is_413_before_it_is_read(served: Served) -> None:
    big = b"query=" + b"A" * (2 * 1024 * 1024)
    status, headers, answer = served.request("POST", "/sparql", big,
                                             {"content-type": "application/x-www-form-urlencoded"})
    assert status == 413 and json.loads(answer)["error"] == "PayloadTooLarge"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 65536

    response = requests.post(f"{served.base}/sparql", data=chunks(), timeout=30,
                             headers={"content-type": "application/sparql-query"})
    assert response.status_code == 413
    response = requests.post(f"{served.base}/feeds", data=b"{" + b" " * 1_100_000 + b"}", timeout=30,
                             headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert served.alive()


def _cartesians(served: Served, sources: tuple[str, ...]) -> tuple[list[threading.Thread], dict]:
    answers: dict[str, tuple[int, float]] = {}

    def ask(source: str) -> None:
        started = time.monotonic()
        status, _, _ = served.request("GET", sparql_get(CARTESIAN), source=source)
        answers[source] = (status, time.monotonic() - started)

    threads = [threading.Thread(target=ask, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    return threads, answers


def test_long_queries_keep_to_their_lane_and_short_ones_are_still_served(served: Served) -> None:
    """Two clients' cartesian queries: one goes on in the long lane until the timeout, the other
    is stopped as soon as it is long; a third client's short query is answered meanwhile."""
    wait_until_idle(served)
    threads, answers = _cartesians(served, ("127.0.0.2", "127.0.0.3"))
    time.sleep(TIMEOUT / 2)
    assert requests.get(f"{served.base}/health", timeout=10).json()["queries"]["long"] == 1
    started = time.monotonic()
    status, _, answer = served.request("GET", sparql_get("ASK { ?s ?p ?o }"), source="127.0.0.4")
    assert status == 200 and time.monotonic() - started < 1, answer
    for thread in threads:
        thread.join()
    (stopped, _), (timed_out, _) = sorted(answers.values(), key=lambda a: a[1])
    assert stopped == timed_out == 503, answers
    assert sorted(seconds for _, seconds in answers.values())[0] < TIMEOUT / 2 + 1, answers
    wait_until_idle(served)
    started = time.monotonic()
    status, _, answer = served.request("GET", sparql_get("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert status == 200 and time.monotonic() - started < 2
    assert requests.get(f"{served.base}/health", timeout=10).json()["status"] == "ok"


def test_queries_are_killed_at_the_timeout_and_health_is_degraded_while_every_worker_is_busy(
        data_dir: Path) -> None:
    other = Served(data_dir, sparql_long_queries="2")  # a lane as wide as the pool
    try:
        threads, answers = _cartesians(other, ("127.0.0.2", "127.0.0.3"))
        time.sleep(TIMEOUT / 2)
        response = requests.get(f"{other.base}/health", timeout=10)  # both workers busy: degraded
        assert response.status_code == 503 and response.json()["status"] == "degraded", response.text
        assert any("busy" in p for p in response.json()["problems"])
        for thread in threads:
            thread.join()
        for status, seconds in answers.values():
            assert status == 503 and seconds < TIMEOUT + 3, answers
        wait_until_idle(other)
    finally:
        other.close()


def test_one_client_cannot_take_every_slot(served: Served) -> None:
    wait_until_idle(served)
    first: list[int] = []
    heavy = threading.Thread(target=lambda: first.append(served.request("GET", sparql_get(CARTESIAN))[0]))
    heavy.start()
    time.sleep(0.5)
    status, headers, answer = served.request("GET", sparql_get("ASK { ?s ?p ?o }"))  # the same client
    assert status == 429 and int(headers["retry-after"]) > 0, answer
    assert json.loads(answer)["error"] == "TooManyRequests"
    status, _, answer = served.request("GET", sparql_get("ASK { ?s ?p ?o }"), source="127.0.0.2")
    assert status == 200, answer  # another client is served meanwhile
    heavy.join()
    assert first == [503]
    wait_until_idle(served)


def test_health_is_degraded_when_store_and_state_disagree(tmp_path: Path) -> None:
    store, state = EmbeddedStore(None), State(tmp_path / "state.sqlite")
    fill(store, state)
    core = Oogst(Settings(data_dir=tmp_path), store=store, state=state)
    with TestClient(create_app(core)) as client:
        assert client.get("/health").status_code == 200
        store.drop_graphs([next(iter(r for r in state.list_records(state="published")))["graph_iri"]])
        response = client.get("/health")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "degraded" and body["graphs"] == len(PUBLISHED) - 1
        assert any("store holds" in p for p in body["problems"])
        assert client.get("/health/live").status_code == 200
    core.close()
    state.close()


def test_health_is_degraded_when_the_stores_files_are_gone(tmp_path: Path) -> None:
    """Finding 5: the store deleted under a running process; readers would go on with the last
    snapshot and /health said ok."""
    core = Oogst(Settings(data_dir=tmp_path))
    with core.store.writing():
        core.store.replace_graphs({"http://example.org/g": '<http://example.org/s> <http://example.org/p> "o" .'})
    with TestClient(create_app(core)) as client:
        assert client.get("/health").status_code == 200
        shutil.rmtree(tmp_path / "store")
        response = client.get("/health")
        assert response.status_code == 503
        (problem,) = response.json()["problems"]
        assert "are gone" in problem and str(tmp_path) not in problem and "oogst check --repair" in problem
    core.close()


# -- 10. secrets -----------------------------------------------------------------------------------------
def test_feed_credentials_and_server_paths_are_never_shown(served: Served, data_dir: Path) -> None:
    secrets = ("hunter2", "TOPSECRET", "harvester:", str(data_dir.resolve()))
    operator = {"authorization": f"Bearer {(data_dir / 'token').read_text()}"}
    answers = {path: requests.get(f"{served.base}{path}", timeout=30, headers=headers)
               for path, headers in (("/feeds", operator), ("/feeds/secret-feed", operator),
                                     ("/feeds/secret-feed/runs", operator), ("/datasets", {}),
                                     ("/datasets/secret-feed", {}), ("/datasets", {"accept": "text/html"}),
                                     ("/datasets", {"accept": "text/turtle"}))}
    for path, response in answers.items():
        assert response.status_code == 200, (path, response.text)
        for secret in secrets:
            assert secret not in response.text, (path, secret)
    assert "partner.example/oai?api_key=REDACTED" in answers["/datasets"].text  # the source, without its secret
    assert "…/archive.sqlite" in answers["/feeds/secret-feed"].json()["last_error"]


def test_errors_show_no_server_paths(served: Served, data_dir: Path) -> None:
    """The system graphs of this data dir were never written: the error names no server path."""
    system = "https://data.oogst.be/graph/_system/provenance"
    status, _, answer = served.request("GET", "/sparql?" + urlencode({"query": "ASK {}", "default-graph-uri": system}))
    assert status == 503, answer
    message = json.loads(answer)["message"]
    assert "system graphs cannot be read" in message and str(data_dir.resolve()) not in message, message
    assert "…/system" in message
