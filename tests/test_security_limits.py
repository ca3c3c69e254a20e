"""Issue 14, "resource exhaustion by a partner" (findings 11-14), against real servers on
127.0.0.1: the partner simulator with fault injection, and small purpose-built servers (a gzip
bomb, a server that drips one byte at a time).

Memory and time are measured only as generous bounds, in a subprocess (peak RSS growth from
the ``resource`` module), never as timed assertions that could flake.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest

from oogst.devtools.simulator import PartnerSimulator
from oogst.errors import TransientHarvestError
from oogst.harvest.http import HttpClient, HttpPolicy
from oogst.harvest.limits import ResponseTooLargeError
from oogst.harvest.policy import Outbound

from . import faults
from .faults import make_app
from .local_server import LocalServer

LOOPBACK = ("127.0.0.0/8", "::1/128")
ROOT = Path(__file__).resolve().parents[1]
PARTNER, FORMAT = "hof-van-leie", "lido"


def client(retries: int = 1, read_timeout: float = 5.0, **outbound) -> HttpClient:
    return HttpClient(HttpPolicy(connect_timeout=2, read_timeout=read_timeout, retries=retries, backoff=0.01,
                                 outbound=Outbound(allowed_networks=LOOPBACK, **outbound)))


def in_subprocess(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh Python; it prints one JSON line, here with ``grown_mb``: the growth
    of peak RSS while it ran (after the imports)."""
    prelude = ("import json, resource, sys\n"
               "def peak(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n")
    done = subprocess.run([sys.executable, "-c", prelude + code, *args], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- finding 12: a gzip bomb ----------------------------------------------------------------------
def gzip_bomb(mib: int = 1024) -> bytes:
    """A gzip body of about 1 MB that inflates to ``mib`` MiB of zeros (made in a blink:
    one fully flushed deflate block, repeated)."""
    zeros = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = (crc & 0xFFFFFFFF).to_bytes(4, "little") + ((mib << 20) & 0xFFFFFFFF).to_bytes(4, "little")
    return header + block * mib + packer.flush() + trailer


def test_the_bomb_is_what_it_says() -> None:
    bomb = gzip_bomb(4)
    assert len(zlib.decompress(bomb, 31)) == 4 << 20 and len(bomb) < 8 * 1024


BOMB_CLIENT = """
from oogst.harvest.http import HttpClient, HttpPolicy
from oogst.harvest.policy import Outbound
http = HttpClient(HttpPolicy(retries=1, outbound=Outbound(allowed_networks=("127.0.0.0/8",))))
before = peak()
try:
    http.get(sys.argv[1], feed="bomb")
    error = None
except Exception as exc:
    error = f"{type(exc).__name__}: {exc}"
print(json.dumps({"error": error, "grown_mb": peak() - before}))
"""


def test_a_gzip_bomb_is_refused_with_little_memory() -> None:
    bomb = gzip_bomb(1024)
    assert len(bomb) < 1_100_000
    with LocalServer() as server:
        server.serve("/oai", bomb, headers={"Content-Encoding": "gzip"}, content_type="text/xml")
        found = in_subprocess(BOMB_CLIENT, server.url("/oai"))
    assert found["error"] and found["error"].startswith("ResponseTooLargeError"), found
    assert "max_response_bytes" in found["error"] and "once decompressed" in found["error"]
    assert found["grown_mb"] < 400, found  # the limit (64 MiB) and its copies, not the 1 GiB (main: 3.2 GB)


def test_the_limit_holds_for_deflate_and_plain_bodies_too() -> None:
    data = bytes(3 << 20)
    with LocalServer() as server:
        server.serve("/deflate", zlib.compress(data), headers={"Content-Encoding": "deflate"})
        server.serve("/raw-deflate", zlib.compress(data)[2:-4], headers={"Content-Encoding": "deflate"})
        server.serve("/plain", data)
        server.serve("/small", zlib.compress(b"<ok/>"), headers={"Content-Encoding": "deflate"})
        http = client(max_response_bytes=2 << 20)
        for path in ("/deflate", "/raw-deflate", "/plain"):
            with pytest.raises(ResponseTooLargeError):
                http.get(server.url(path), feed="partner")
        assert http.get(server.url("/small")).content == b"<ok/>"
        assert client().get(server.url("/raw-deflate")).content == data  # within the limit: read whole


# -- finding 13: a server that drips ----------------------------------------------------------------
class DripServer:
    """Answers every request one byte per ``interval`` seconds: the body (``headers=False``) or
    already the status line and headers (``headers=True``)."""

    def __init__(self, *, interval: float, headers: bool = False, size: int = 20) -> None:
        self.interval, self.drip_headers, self.size = interval, headers, size
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/oai"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {self.size}\r\n\r\n".encode()
            if self.drip_headers:
                head, body = b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"s" * self.size + b"\r\n\r\n"
            else:
                body = b"x" * self.size
            try:
                conn.sendall(head)
                for i in range(len(body)):
                    conn.sendall(body[i:i + 1])
                    time.sleep(self.interval)
            except OSError:
                return  # the client gave up: good

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_dripping_server_is_cut_at_the_deadline(in_headers: bool) -> None:
    """One byte a second never trips the read timeout (3 s): only the overall deadline ends it.
    Without one, 20 bytes take 20 s (the issue measured 40 s at one byte every 2 s)."""
    server = DripServer(interval=1.0, headers=in_headers)
    try:
        start = time.monotonic()
        with pytest.raises(TransientHarvestError) as caught:
            client(read_timeout=3.0, deadline=2.0).get(server.url, feed="partner")
        took = time.monotonic() - start
    finally:
        server.close()
    assert "took longer than 2 s in all" in caught.value.message and "http_deadline" in caught.value.message
    assert took < 12, took  # a bound, far from the 20 s the whole drip takes


# -- finding 11: a record too big to map and validate -------------------------------------------------
def big_lido(identifier: str, elements: int) -> bytes:
    """A LIDO record of ``elements`` subject elements (2.4 MB for 20,000)."""
    text = "van het grote record, met een omschrijving zo lang als partners ze schrijven " * 2
    subjects = "".join(f"<lido:subjectSet><lido:displaySubject>onderwerp {n} {text}"
                       f"</lido:displaySubject></lido:subjectSet>" for n in range(elements // 2))
    return (f'<record><header><identifier>{identifier}</identifier><datestamp>2024-01-01</datestamp></header>'
            f'<metadata><lido:lido xmlns:lido="http://www.lido-schema.org"><lido:lidoRecID lido:type="local">'
            f'{identifier}</lido:lidoRecID><lido:descriptiveMetadata xml:lang="nl"><lido:objectRelationWrap>'
            f'<lido:subjectWrap>{subjects}</lido:subjectWrap></lido:objectRelationWrap>'
            f'</lido:descriptiveMetadata></lido:lido></metadata></record>').encode()


def add_record(record: bytes):
    """A fault: the first ListRecords page carries one more record."""
    def fault(verb, args, page):
        if verb != "ListRecords" or "resumptionToken" in args:
            return None
        return 200, faults.XML, re.sub(rb"(<ListRecords>)", lambda m: m.group(1) + record, page, count=1)
    return fault


BIG_RECORD_RUN = """
from oogst.devtools.simulator import PartnerSimulator
from oogst.harvest import policy
from oogst.tests.test_security_limits import add_record, big_lido
from oogst.tests.faults import make_app
policy.DEFAULT_ALLOWED_NETWORKS = ("127.0.0.0/8",)  # the simulator's address, as the suite allows it
with PartnerSimulator(page_size=5) as sim:
    sim.inject("hof-van-leie", add_record(big_lido("oai:big:1", int(sys.argv[2]))))
    with make_app(sys.argv[1]) as app:
        app.add_feed("hof-van-leie", sim.endpoint("hof-van-leie"), "lido")
        before = peak()
        summary = app.harvest("hof-van-leie")
        grown = peak() - before
        row = app.state.get_record("hof-van-leie", "oai:big:1")
        print(json.dumps({"status": summary.status, "counts": dict(summary.counts), "grown_mb": grown,
                          "state": row["state"], "report": row["report"],
                          "feed_status": app.state.get_feed("hof-van-leie").status}))
"""


def test_a_record_of_20000_elements_is_quarantined_and_the_run_goes_on(tmp_path: Path) -> None:
    assert 2_000_000 < len(big_lido("oai:big:1", 20_000)) < 3_000_000
    found = in_subprocess(BIG_RECORD_RUN, str(tmp_path / "data"), "20000")
    assert found["status"] == "complete" and found["feed_status"] != "running", found
    assert found["state"] == "quarantined" and found["counts"]["published"] > 0
    finding = found["report"]["findings"][0]
    assert finding["rule"] == "oogst:too-large" and "max_record_elements" in finding["value"]
    assert "split" in finding["value"]
    assert found["grown_mb"] < 500, found  # main: 1.76 GB and 51 s in SHACL


def test_the_triple_limit_stops_a_record_before_shacl(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=5) as sim:
        sim.inject(PARTNER, add_record(big_lido("oai:big:2", 400)))
        with make_app(tmp_path, max_record_triples=150) as app:
            app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
            summary = app.harvest(PARTNER)
            assert summary.status == "complete"
            row = app.state.get_record(PARTNER, "oai:big:2")
            assert row["state"] == "quarantined"
            value = row["report"]["findings"][0]["value"]
            assert "triples" in value and "max_record_triples = 150" in value


def test_a_record_over_max_record_bytes_is_quarantined(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=5) as sim:
        sim.inject(PARTNER, add_record(big_lido("oai:big:3", 400)))
        with make_app(tmp_path, max_record_bytes=20_000) as app:
            app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
            summary = app.harvest(PARTNER)
            row = app.state.get_record(PARTNER, "oai:big:3")
            assert summary.status == "complete" and row["state"] == "quarantined"
            assert "max_record_bytes = 20,000" in row["report"]["findings"][0]["value"]
            assert app.archive.get(PARTNER, "oai:big:3") is not None  # nothing lost: the bytes are archived


def test_a_record_nested_too_deep_is_quarantined(tmp_path: Path) -> None:
    deep = ('<record><header><identifier>oai:deep:1</identifier><datestamp>2024-01-01</datestamp></header><metadata>'
            '<lido:lido xmlns:lido="http://www.lido-schema.org"><lido:lidoRecID>deep-1</lido:lidoRecID>'
            + "<lido:x>" * 1000 + "y" + "</lido:x>" * 1000 + "</lido:lido></metadata></record>").encode()
    with PartnerSimulator(page_size=5) as sim:
        sim.inject(PARTNER, add_record(deep))
        with make_app(tmp_path) as app:
            app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
            summary = app.harvest(PARTNER)
            row = app.state.get_record(PARTNER, "oai:deep:1")
            assert summary.status == "complete" and summary.counts["published"] > 0
            assert row["state"] == "quarantined" and "depth" in json.dumps(row["report"])


# -- finding 14: an entity in an OAI identifier ------------------------------------------------------
def entity_in_identifier(page_bytes: bytes) -> tuple[bytes, str]:
    first = re.search(rb"<identifier>([^<]+)</identifier>", page_bytes).group(1)
    dtd = b'<!DOCTYPE OAI-PMH [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
    page = re.sub(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + dtd, page_bytes, count=1)
    page = page.replace(b"<identifier>" + first + b"</identifier>",
                        b"<identifier>" + first + b":&xxe;</identifier>", 1)
    return page, first.decode()


def test_an_entity_in_an_oai_identifier_refuses_the_record(tmp_path: Path) -> None:
    seen: list[str] = []

    def fault(verb, args, page):
        if verb != "ListRecords" or "resumptionToken" in args:
            return None
        changed, first = entity_in_identifier(page)
        seen.append(first)
        return 200, faults.XML, changed

    with PartnerSimulator(page_size=5) as sim:
        sim.inject(PARTNER, fault)
        with make_app(tmp_path) as app:
            app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
            summary = app.harvest(PARTNER)
            assert summary.status == "complete"
            rows = {r["source_id"]: r for r in app.state.list_records(state=None, feed=PARTNER, limit=1000)}
    first = seen[0]
    assert first + ":" not in rows  # the entity never silently disappears (main: "oai:x:")
    refused = rows[first + ":&xxe;"]
    assert refused["state"] == "quarantined"
    assert "&xxe;" in json.dumps(refused["report"]) and "does not expand entities" in json.dumps(refused["report"])
