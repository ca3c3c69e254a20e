"""The harvest HTTP client against a real local server: retries, Retry-After, 4xx."""

from __future__ import annotations

import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from oogst.errors import FatalHarvestError, TransientHarvestError
from oogst.harvest.http import HttpClient, HttpPolicy, parse_retry_after


class Script(BaseHTTPRequestHandler):
    answers: list[tuple[int, dict[str, str]]] = []

    def do_GET(self) -> None:
        status, headers = self.answers.pop(0) if self.answers else (200, {})
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        body = b"ok" if status == 200 else b"nope"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Script)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/oai"
    httpd.shutdown()


def test_parse_retry_after_both_forms() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after(formatdate(1_000_030, usegmt=True), now=1_000_000) == pytest.approx(30)
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_retries_transient_errors_honouring_retry_after(server) -> None:
    Script.answers = [(503, {"Retry-After": "7"}), (429, {"Retry-After": formatdate(usegmt=True)}), (200, {})]
    waits: list[float] = []
    client = HttpClient(HttpPolicy(retries=5, backoff=0.01), sleep=waits.append)
    assert client.get(server).content == b"ok"
    assert waits[0] == 7 and len(waits) == 2 and client.retries_made == 2


def test_gives_up_after_the_last_retry(server) -> None:
    Script.answers = [(503, {})] * 3
    client = HttpClient(HttpPolicy(retries=3, backoff=0.01), sleep=lambda s: None)
    with pytest.raises(TransientHarvestError, match="503"):
        client.get(server, feed="museum")


def test_client_errors_are_fatal_at_once(server) -> None:
    Script.answers = [(404, {})]
    with pytest.raises(FatalHarvestError, match="404") as info:
        HttpClient(HttpPolicy(retries=3), sleep=lambda s: None).get(server, feed="museum")
    assert info.value.feed == "museum"


def test_connection_refused_is_transient() -> None:
    client = HttpClient(HttpPolicy(retries=2, backoff=0.01, connect_timeout=1), sleep=lambda s: None)
    with pytest.raises(TransientHarvestError, match="cannot connect"):
        client.get("http://127.0.0.1:9/oai")
