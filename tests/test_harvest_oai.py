"""The OAI-PMH harvester on its own: reading real responses from the corpus, salvaging damaged
pages byte by byte, the six verbs against the partner simulator, datestamps, and the polite
HTTP client (one request at a time per host, a delay, broken-off bodies)."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from oogst.errors import ConfigError, FatalHarvestError, TransientHarvestError
from oogst.harvest.http import HttpClient, HttpPolicy
from oogst.harvest.oai import DAY, SECONDS, OaiPmhHarvester, normalize_datestamp, oai_from, parse_page
from oogst.records import Checkpoint, Feed, SourceRecord
from oogst.devtools.simulator import DEFAULT_SAMPLES_DIR, PartnerSimulator

from . import faults

PARTNER = "hof-van-leie"
PAGE = (DEFAULT_SAMPLES_DIR / "museum-lido" / "records.xml").read_bytes()  # one ListRecords page, 41 records


def harvester(sim: PartnerSimulator, name: str = PARTNER, **feed) -> OaiPmhHarvester:
    fmt = sim.partners[name]["format"]
    return OaiPmhHarvester(Feed(name=name, protocol="oai-pmh", url=sim.endpoint(name), format=fmt, **feed),
                           HttpClient(HttpPolicy(retries=2, backoff=0.01, read_timeout=5), sleep=lambda s: None))


@pytest.fixture
def sim():
    with PartnerSimulator(page_size=5) as simulator:
        yield simulator


# -- real responses (corpus) ---------------------------------------------------------------------
def test_complete_list_size_non_numeric_missing_and_a_padded_token(corpus) -> None:
    folder = corpus / "oai-pmh"
    bad = parse_page((folder / "metis_ksamsok_ListIdentifiers_bad_completeListSize.xml").read_bytes(),
                     "ListIdentifiers")
    assert bad.complete_list_size == "ssss" and bad.token == "edm:smvk-mm:*:*:50:2932"
    assert [(i.identifier, i.datestamp) for i in bad.items] == [("http://kulturarvsdata.se/SMVK-MM/Islam/3300001",
                                                                  "2017-11-12")]
    missing = parse_page((folder / "metis_ksamsok_ListIdentifiers_no_completeListSize.xml").read_bytes(),
                         "ListIdentifiers")
    assert missing.complete_list_size is None and missing.token == "edm:smvk-mm:*:*:50:2932"
    last = parse_page((folder / "metis_ksamsok_ListIdentifiers_last_page.xml").read_bytes(), "ListIdentifiers")
    assert not last.token


def test_error_with_a_leading_blank_line_and_a_stylesheet(corpus) -> None:
    page = parse_page((corpus / "oai-pmh" / "metis_psnc_error_cannotDisseminateFormat.xml").read_bytes(),
                      "ListRecords")
    assert page.error == ("cannotDisseminateFormat", "Wrong metadata prefix.") and page.damage is None
    empty = parse_page((corpus / "oai-pmh" / "sickle-synthetic-noRecordsMatch.xml").read_bytes(), "ListIdentifiers")
    assert empty.error == ("noRecordsMatch", "")


def test_list_records_and_get_record_with_deleted_headers(corpus) -> None:
    page = parse_page((corpus / "oai-pmh" / "sickle-synthetic-ListRecords.xml").read_bytes(), "ListRecords")
    assert [(i.identifier, i.deleted) for i in page.items][:2] == [("oai:test.example.com:1585310", True),
                                                                  ("oai:test.example.com:1585322", False)]
    assert page.token == "ListRecords2.xml" and page.response_date == "2013-02-27T09:10:56Z"
    deleted = parse_page((corpus / "oai-pmh" / "metis_mediateka_GetRecord_deleted.xml").read_bytes(), "GetRecord")
    assert len(deleted.items) == 1 and deleted.items[0].deleted
    utf8 = parse_page((corpus / "oai-pmh" / "sickle-synthetic-GetRecord_utf8test.xml").read_bytes(), "GetRecord")
    assert utf8.items[0].payload.decode("utf-8")


# -- damaged pages -------------------------------------------------------------------------------
def test_a_damaged_record_leaves_the_others_byte_identical() -> None:
    clean = parse_page(PAGE, "ListRecords")
    at = PAGE.index(b"Zonnige namiddag")
    page = parse_page(PAGE[:at] + b"\x0b" + PAGE[at:], "ListRecords")
    assert page.damage and "invalid Char value 11" in page.damage and page.broken is None
    bad = [i for i in page.items if i.error]
    assert [i.identifier for i in bad] == ["oai:hofvanleie.be:lido:1937-S-004"]
    assert b"\x0b" in bad[0].payload and bad[0].payload.startswith(b"<record")
    assert [i.identifier for i in page.items] == [i.identifier for i in clean.items]
    assert all(a.payload == b.payload for a, b in zip(clean.items, page.items, strict=True) if not b.error)


def test_invalid_utf8_in_one_record() -> None:
    at = PAGE.index(b"Zonnige namiddag")
    page = parse_page(PAGE[:at] + b"\xff\xfe" + PAGE[at:], "ListRecords")
    assert sum(1 for i in page.items if i.error) == 1 and len(page.items) == 41


def test_a_truncated_page_keeps_the_complete_records_and_says_it_broke_off() -> None:
    clean = parse_page(PAGE, "ListRecords")
    page = parse_page(PAGE[: len(PAGE) // 2], "ListRecords")
    assert page.broken and "breaks off inside a <record>" in page.broken
    assert 0 < len(page.items) < 41 and not any(i.error for i in page.items)
    assert all(a.payload == b.payload for a, b in zip(clean.items, page.items))
    assert page.token is None


def test_trailing_notices_after_the_document_lose_nothing() -> None:
    page = parse_page(PAGE + b"\n<b>Notice</b>: Undefined index: set in oai.php on line 12\n", "ListRecords")
    assert page.damage and page.broken is None and len(page.items) == 41 and not any(i.error for i in page.items)


def test_nested_record_elements_of_other_vocabularies_and_a_prefix() -> None:
    marc = (b'<oai:OAI-PMH xmlns:oai="http://www.openarchives.org/OAI/2.0/"><oai:responseDate>2025-01-01T00:00:00Z'
            b'</oai:responseDate><oai:ListRecords>'
            + b"".join(b'<oai:record><oai:header><oai:identifier>id:%d</oai:identifier><oai:datestamp>2025-01-01'
                       b'</oai:datestamp></oai:header><oai:metadata><record xmlns="http://www.loc.gov/MARC21/slim">'
                       b'<leader>%s</leader></record></oai:metadata></oai:record>' % (n, b"\x01" if n == 2 else b"x")
                       for n in range(4))
            + b'<oai:resumptionToken completeListSize="9">next&amp;1</oai:resumptionToken>'
              b'</oai:ListRecords></oai:OAI-PMH>')
    page = parse_page(marc, "ListRecords")
    assert page.damage and [i.identifier for i in page.items] == ["id:0", "id:1", "id:2", "id:3"]
    assert [bool(i.error) for i in page.items] == [False, False, True, False]
    assert page.token == "next&1" and page.complete_list_size == "9" and page.broken is None
    assert b"MARC21/slim" in page.items[3].payload


def test_a_record_without_identifier_is_kept_under_a_made_up_key() -> None:
    body = PAGE.replace(b"<identifier>oai:hofvanleie.be:lido:1937-S-004</identifier>", b"", 1)
    item = parse_page(body, "ListRecords").items[0]
    assert item.identifier.startswith("unidentified:") and "no <identifier>" in item.error


def test_not_oai_at_all() -> None:
    page = parse_page(b"<html><body>502 Bad Gateway</body>", "ListRecords")
    assert page.broken and "not an OAI-PMH ListRecords document" in page.broken


# -- datestamps ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "iso"), [
    ("2024-03-18T09:12:04Z", "2024-03-18T09:12:04Z"),
    ("2024-03-18", "2024-03-18"),
    ("20240318", "2024-03-18"),
    ("2024-03-18T10:12:04+01:00", "2024-03-18T09:12:04Z"),
    ("2024-03-18T09:12:04.250Z", "2024-03-18T09:12:04Z"),
    ("2024-03-18T09:12:04", "2024-03-18T09:12:04Z"),
    ("2024-02-30", None),
    ("18 maart 2024", None),
])
def test_normalize_datestamp(value: str, iso: str | None) -> None:
    assert normalize_datestamp(value) == iso


def test_from_in_the_servers_granularity() -> None:
    assert oai_from("2025-06-01T23:59:59Z", DAY) == "2025-06-01"
    assert oai_from("2025-06-01T23:59:59Z", SECONDS) == "2025-06-01T23:59:59Z"
    assert oai_from("2025-06-01", SECONDS) == "2025-06-01T00:00:00Z"


# -- the verbs against the simulator ---------------------------------------------------------------
def test_identify_list_metadata_formats_list_sets_get_record(sim) -> None:
    h = harvester(sim)
    identity = h.identify()
    assert (identity.granularity, identity.earliest_datestamp, identity.deleted_record) == \
        (SECONDS, "2024-03-18T09:12:04Z", "persistent")
    assert [f["prefix"] for f in h.list_metadata_formats()] == ["lido"]
    assert {s["spec"] for s in h.list_sets()} == {"schilderijen", "werken-op-papier",
                                                  "beeldhouwkunst-en-toegepaste-kunst"}
    record = h.get_record("oai:hofvanleie.be:lido:1937-S-004")
    assert record.datestamp == "2024-03-18T09:12:04Z" and b"Zonnige namiddag" in record.payload
    assert record.payload == parse_page(PAGE, "ListRecords").items[0].payload, "same bytes as in ListRecords"
    assert h.get_record("oai:hofvanleie.be:lido:bestaat-niet") is None


def test_an_unusable_identify_means_day_granularity(sim) -> None:
    sim.inject(PARTNER, faults.serve(b"<html>oops</html>", verb="Identify"))
    h = harvester(sim)
    items = list(h.records(None, "2025-06-01T12:00:00Z"))
    assert h.identify().granularity == DAY
    first = next(i for i in items if isinstance(i, Checkpoint))
    assert items[-1].complete and "identify" in [n["code"] for n in first.info["notes"]]
    asked = next(a for _p, a in sim.request_log if a.get("verb") == "ListRecords")
    assert asked["from"] == "2025-06-01"


def test_a_window_before_the_earliest_datestamp_asks_without_from(sim) -> None:
    list(harvester(sim).records(None, "2001-01-01T00:00:00Z"))
    asked = next(a for _p, a in sim.request_log if a.get("verb") == "ListRecords")
    assert "from" not in asked


def test_records_then_a_checkpoint_per_page(sim) -> None:
    items = list(harvester(sim).records(None, None))
    marks = [i for i in items if isinstance(i, Checkpoint)]
    assert len(marks) == 9 and marks[-1].complete and not any(m.complete for m in marks[:-1])
    assert marks[0].info["completeListSize"] == 41 and marks[0].token
    assert all(m.response_date == marks[0].response_date for m in marks), "the first page's server clock"
    assert sum(isinstance(i, SourceRecord) for i in items) == 41


def test_a_wrong_set_names_the_sets_there_are(sim) -> None:
    sim.inject(PARTNER, faults.oai_error("badArgument", "unknown set", with_token=False))
    with pytest.raises(ConfigError) as info:
        list(harvester(sim, set_spec="beelden").records(None, None))
    assert info.value.feed == PARTNER and "no set 'beelden'" in info.value.hint and "schilderijen" in info.value.hint


def test_no_set_hierarchy_is_a_config_error(sim) -> None:
    sim.inject(PARTNER, faults.oai_error("noSetHierarchy", with_token=False))
    with pytest.raises(ConfigError, match="noSetHierarchy") as info:
        list(harvester(sim, set_spec="x").records(None, None))
    assert "without --set" in info.value.hint


def test_without_the_pipeline_the_fallback_fetches_every_record_of_the_window(sim) -> None:
    sim.inject(PARTNER, faults.truncate_page(on_page=2, keep_records=1))
    h = harvester(sim)
    records = [i for i in h.records(None, None) if isinstance(i, SourceRecord)]
    assert len({r.source_id for r in records}) == 41, "nothing lost (at least once)"
    h2 = harvester(sim)
    h2.seen_in_run = lambda ids: set(ids)  # the pipeline says: all of them are stored already
    sim.clear_request_log()
    list(h2.records(None, None))
    assert not [a for _p, a in sim.request_log if a.get("verb") == "GetRecord"]


def test_a_broken_fallback_is_fatal(sim) -> None:
    sim.inject(PARTNER, faults.truncate_page(on_page=1, keep_records=1))
    sim.inject(PARTNER, lambda verb, args, page: (200, {}, page[:200]) if verb == "ListIdentifiers" else None)
    with pytest.raises(FatalHarvestError, match="fallback cannot go on"):
        list(harvester(sim).records(None, None))


# -- HTTP: politeness and broken bodies ----------------------------------------------------------
class Recorder(BaseHTTPRequestHandler):
    active: ClassVar[int] = 0
    most: ClassVar[int] = 0
    starts: ClassVar[list[float]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            Recorder.active += 1
            Recorder.most = max(Recorder.most, Recorder.active)
            Recorder.starts.append(time.monotonic())
        time.sleep(0.05)
        with self.lock:
            Recorder.active -= 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


def test_one_request_at_a_time_per_host_plus_a_delay() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/oai"
    client = HttpClient(HttpPolicy(delay=0.1))
    try:
        threads = [threading.Thread(target=lambda: [client.get(url) for _ in range(3)]) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.shutdown()
    assert Recorder.most == 1 and len(Recorder.starts) == 9
    gaps = [b - a for a, b in zip(Recorder.starts, Recorder.starts[1:])]
    assert min(gaps) >= 0.1 + 0.05 - 0.01, "the delay counts from the end of the previous request"


def test_a_body_that_breaks_off_is_transient() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        for _ in range(2):
            conn, _addr = listener.accept()
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<OAI-PMH>")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    client = HttpClient(HttpPolicy(retries=2, backoff=0.01), sleep=lambda s: None)
    with pytest.raises(TransientHarvestError, match="cannot connect"):
        client.get(f"http://127.0.0.1:{listener.getsockname()[1]}/oai")
    assert client.retry_reasons == {"connection": 1}
    listener.close()
