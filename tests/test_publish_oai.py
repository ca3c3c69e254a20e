"""oogst's OAI-PMH provider over real HTTP on 127.0.0.1, harvested with sickle (an OAI client
no one here wrote): full, incremental, across resumption tokens, deleted records, per set, and
ListIdentifiers + GetRecord as Europeana's harvester does it; and the specification's error
conditions, one by one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from lxml import etree

from oogst.mapping import Profile, get_mapper, records_in_file
from oogst.publish import oaipmh
from oogst.publish.edm_check import EdmValidator
from oogst.publish.europeana import DeliverySettings
from oogst.publish.oai_provider import OaiProvider, handler_class
from oogst.publish.oai_source import MemorySource, OaiHeader, Renderer

sickle = pytest.importorskip("sickle", reason="sickle is in the test extras: pip install -e '.[test]'")
from sickle import Sickle, oaiexceptions  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
OAI = oaipmh.OAI_NS
NS = {"oai": OAI, "dc": "http://purl.org/dc/elements/1.1/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "edm": "http://www.europeana.eu/schemas/edm/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}
PAGE = 7
REPO = "oogst.test"
SETTINGS = DeliverySettings(provider="Meemoo", dataset_id="2048999")


def build_source() -> tuple[MemorySource, dict[str, OaiHeader]]:
    """The sample partners' records, published as the pipeline would: live records with their
    partner datestamp, the partner's deleted records as withdrawn ones."""
    source = MemorySource(Renderer(lambda feed: SETTINGS), {"hof-van-leie": "Museum Hof van Leie"})
    headers = {}
    any_graph = None
    for folder, feed, fmt in (("museum-lido", "hof-van-leie", "lido"), ("archive-dc", "kustlicht", "oai_dc")):
        profile = Profile.from_toml(SAMPLES / folder / "profile.toml", feed)
        data = (SAMPLES / folder / "records.xml").read_bytes()
        root = etree.fromstring(data)
        for record in root.iterfind(f".//{{{OAI}}}record"):
            head = record.find(f"{{{OAI}}}header")
            source_id = head.findtext(f"{{{OAI}}}identifier")
            datestamp = head.findtext(f"{{{OAI}}}datestamp")
            identifier = f"oai:{REPO}:{feed}/{source_id}"
            if head.get("status") == "deleted":
                source.put(identifier, "2020-01-01T00:00:00Z", feed, any_graph)
                headers[identifier] = source.withdraw(identifier, datestamp)
                continue
            (mapped,) = [get_mapper(fmt).map(r, profile) for r in records_in_file(
                etree.tostring(record), fmt, feed=feed, name=source_id).records]
            any_graph = any_graph or mapped.ntriples
            headers[identifier] = source.put(identifier, datestamp, feed, mapped.ntriples)
    return source, headers


@pytest.fixture(scope="module")
def published() -> tuple[MemorySource, dict[str, OaiHeader]]:
    return build_source()


def serve(provider: OaiProvider) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class(provider))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/oai"


@pytest.fixture(scope="module")
def endpoint(published) -> Iterator[str]:
    provider = OaiProvider(published[0], repository_name="oogst test", admin_emails=["oai@oogst.test"],
                           repository_identifier=REPO, page_size=PAGE, identifiers_page_size=PAGE + 3)
    server, url = serve(provider)
    yield url
    server.shutdown()
    server.server_close()


def oai(url: str, method: str = "get", **params) -> etree._Element:
    call = requests.post if method == "post" else requests.get
    resp = call(url, **({"data": params} if method == "post" else {"params": params}), timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(resp.content)


def error_of(root: etree._Element) -> str | None:
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


def in_order(headers: dict[str, OaiHeader], select=lambda h: True) -> list[str]:
    return [h.identifier for h in sorted(headers.values(), key=lambda h: h.key) if select(h)]


# -- harvesting with sickle -----------------------------------------------------------------------
def test_full_harvest_with_sickle_sees_every_record_and_the_deleted_ones(endpoint, published) -> None:
    _, headers = published
    records = list(Sickle(endpoint).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert [r.header.identifier for r in records] == in_order(headers)
    assert len(records) > 3 * PAGE, "several pages, so several resumption tokens"
    deleted = {r.header.identifier for r in records if r.header.deleted}
    assert deleted == {i for i, h in headers.items() if h.deleted} and len(deleted) == 6
    live = [r for r in records if not r.header.deleted]
    assert all(r.metadata.get("title") or r.metadata.get("description") or r.metadata.get("identifier")
               for r in live)
    by_id = {r.header.identifier: r for r in live}
    affiche = by_id[f"oai:{REPO}:kustlicht/oai:kustlicht.be:AF-1898-0001"]
    assert affiche.metadata["publisher"] == ["Kustlicht, archief en erfgoedbibliotheek Oostende"]
    assert "Image" in affiche.metadata["type"]
    assert {s.split(":")[0] for s in records[0].header.setSpecs} == {"feed", "provider"}


def test_incremental_harvest_with_from(endpoint, published) -> None:
    _, headers = published
    since = "2025-06-01T00:00:00Z"
    got = [h.identifier for h in Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False,
                                                                   **{"from": since})]
    assert got == in_order(headers, lambda h: h.datestamp >= since) and 0 < len(got) < len(headers)
    day = [h.identifier for h in Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False,
                                                                   **{"from": "2025-06-01", "until": "2025-12-31"})]
    assert day == in_order(headers, lambda h: "2025-06-01" <= h.datestamp[:10] <= "2025-12-31")


def test_europeana_harvest_listidentifiers_then_getrecord_per_identifier(endpoint, published, corpus) -> None:
    validator = EdmValidator(corpus / "schemas")
    source, headers = published
    harvester = Sickle(endpoint)
    listed = list(harvester.ListIdentifiers(metadataPrefix="edm", ignore_deleted=False))
    live = [h.identifier for h in listed if not h.deleted]
    assert {h.identifier for h in listed if h.deleted} == {i for i, h in headers.items() if h.deleted}
    assert len(live) == sum(1 for i, h in headers.items() if not h.deleted) - 4, "4 sample records are no EDM"
    for identifier in live:
        record = harvester.GetRecord(identifier=identifier, metadataPrefix="edm")
        rdf = record.xml.find(".//rdf:RDF", NS)
        assert rdf is not None and rdf.find("edm:ProvidedCHO", NS) is not None
        if not validator.unavailable:
            assert validator.validate(etree.tostring(rdf), identifier) == []
    gone = next(h.identifier for h in listed if h.deleted)
    assert harvester.GetRecord(identifier=gone, metadataPrefix="edm").header.deleted


def test_sets_per_feed_and_per_data_provider(endpoint, published) -> None:
    _, headers = published
    specs = {s.setSpec: s.setName for s in Sickle(endpoint).ListSets()}
    assert specs["feed:hof-van-leie"] == "Museum Hof van Leie" and "feed" in specs and "provider" in specs
    assert "provider:museum-hof-van-leie" in specs
    for spec in ("feed:kustlicht", "provider:museum-hof-van-leie", "feed"):
        got = [h.identifier for h in Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc", set=spec,
                                                                       ignore_deleted=False)]
        assert got == in_order(headers, lambda h, s=spec: any(x == s or x.startswith(s + ":") for x in h.sets))
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc", set="feed:nobody"))


def test_tokens_carry_size_and_cursor_and_end_empty(endpoint, published) -> None:
    _, headers = published
    root = oai(endpoint, verb="ListRecords", metadataPrefix="oslo")
    cursors, total = [], None
    while True:
        token = root.find("oai:ListRecords/oai:resumptionToken", NS)
        assert token is not None
        cursors.append(int(token.get("cursor")))
        total = int(token.get("completeListSize"))
        if not (token.text or "").strip():
            break
        root = oai(endpoint, verb="ListRecords", resumptionToken=token.text)
    assert total == len(headers)
    assert cursors == list(range(0, len(headers), PAGE))
    oslo = oai(endpoint, verb="GetRecord", metadataPrefix="oslo", identifier=in_order(headers, lambda h: not h.deleted)[0])
    assert oslo.find(".//oai:metadata/rdf:RDF", NS) is not None


def test_tokens_survive_a_restart_and_a_change_moves_to_the_end() -> None:
    source, headers = build_source()
    make = lambda: OaiProvider(source, repository_name="r", admin_emails=["a@b.c"],  # noqa: E731
                               repository_identifier=REPO, identifiers_page_size=10)
    first = etree.fromstring(make().handle([("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc")], "http://x/oai")[2])
    seen = first.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
    token = first.findtext(".//oai:resumptionToken", namespaces=NS)
    changed = headers[seen[0]]
    source.put(changed.identifier, "2030-01-01T00:00:00Z", changed.identifier.split(":")[2].split("/")[0],
               source._entries[changed.identifier].ntriples)
    rest = []
    while token:
        page = etree.fromstring(make().handle([("verb", "ListIdentifiers"), ("resumptionToken", token)], "http://x/oai")[2])
        assert error_of(page) is None
        rest += page.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
        token = (page.findtext(".//oai:resumptionToken", namespaces=NS) or "").strip()
    assert rest[-1] == seen[0] and len(seen) + len(rest) == len(headers) + 1


def test_identify(endpoint, published) -> None:
    root = oai(endpoint, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == endpoint
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == min(h.datestamp for h in published[1].values())
    assert [c.tag.split("}")[1] for c in identify][:7] == [
        "repositoryName", "baseURL", "protocolVersion", "adminEmail", "earliestDatestamp", "deletedRecord",
        "granularity"]
    ns = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    assert identify.findtext(f".//{ns}repositoryIdentifier") == REPO
    assert identify.findtext(f".//{ns}sampleIdentifier").startswith(f"oai:{REPO}:")
    assert Sickle(endpoint).Identify().repositoryName == "oogst test"
    post = oai(endpoint, method="post", verb="Identify")
    assert post.find("oai:Identify", NS) is not None


def test_list_metadata_formats(endpoint, published) -> None:
    prefixes = oai(endpoint, verb="ListMetadataFormats").xpath("//oai:metadataPrefix/text()", namespaces=NS)
    assert prefixes == ["oai_dc", "edm", "oslo"]
    no_rights = f"oai:{REPO}:hof-van-leie/oai:hofvanleie.be:lido:1962-G-005"
    item = oai(endpoint, verb="ListMetadataFormats", identifier=no_rights)
    assert item.xpath("//oai:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "oslo"]
    root = oai(endpoint, verb="GetRecord", identifier=no_rights, metadataPrefix="edm")
    assert error_of(root) == "cannotDisseminateFormat"
    assert oai(endpoint, verb="GetRecord", identifier=no_rights, metadataPrefix="oai_dc") \
        .find(".//oai_dc:dc", NS) is not None, "oai_dc for every item"


# -- the specification's error conditions ---------------------------------------------------------
TOKEN_OTHER_VERB = oaipmh.encode_token({"v": "ListRecords", "r": REPO, "m": "oai_dc", "f": None, "u": None,
                                        "s": None, "k": ["2024-01-01T00:00:00Z", "x"], "c": 7})
TOKEN_OTHER_REPO = oaipmh.encode_token({"v": "ListIdentifiers", "r": "elsewhere.org", "m": "oai_dc", "f": None,
                                        "u": None, "s": None, "k": ["2024-01-01T00:00:00Z", "x"], "c": 7})
TOKEN_BAD_DATE = oaipmh.encode_token({"v": "ListIdentifiers", "r": REPO, "m": "oai_dc", "f": "yesterday", "u": None,
                                      "s": None, "k": ["2024-01-01T00:00:00Z", "x"], "c": 7})


@pytest.mark.parametrize(("params", "code"), [
    ([], "badVerb"),
    ([("verb", "ListEverything")], "badVerb"),
    ([("verb", "Identify"), ("verb", "Identify")], "badVerb"),
    ([("verb", "identify")], "badVerb"),
    ([("verb", "Identify"), ("metadataPrefix", "edm")], "badArgument"),
    ([("verb", "ListRecords")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("metadataPrefix", "edm")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2024-13-01")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2024-01-01T10:00Z")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2024-01-01T10:00:00+01:00")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2025-01-01"), ("until", "2025-06-01T00:00:00Z")],
     "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2025-06-01"), ("until", "2025-01-01")],
     "badArgument"),
    ([("verb", "ListIdentifiers"), ("metadataPrefix", "edm"), ("from", "2025-06-01T00:00:01Z"),
      ("until", "2025-06-01T00:00:00Z")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("set", "")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("set", "feed:a b")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "e d m")], "badArgument"),
    ([("verb", "ListRecords"), ("resumptionToken", "x"), ("metadataPrefix", "edm")], "badArgument"),
    ([("verb", "GetRecord"), ("identifier", "oai:oogst.test:x")], "badArgument"),
    ([("verb", "GetRecord"), ("identifier", "oai:oogst.test:x"), ("metadataPrefix", "edm"), ("set", "feed")],
     "badArgument"),
    ([("verb", "ListSets"), ("set", "feed")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "marc21")], "cannotDisseminateFormat"),
    ([("verb", "GetRecord"), ("identifier", "oai:oogst.test:nope"), ("metadataPrefix", "marc21")],
     "cannotDisseminateFormat"),
    ([("verb", "GetRecord"), ("identifier", "oai:oogst.test:nope"), ("metadataPrefix", "edm")], "idDoesNotExist"),
    ([("verb", "ListMetadataFormats"), ("identifier", "oai:oogst.test:nope")], "idDoesNotExist"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2031-01-01")], "noRecordsMatch"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("until", "1999-12-31T23:59:59Z")], "noRecordsMatch"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("set", "provider:nobody")], "noRecordsMatch"),
    ([("verb", "ListRecords"), ("resumptionToken", "not-a-token")], "badResumptionToken"),
    ([("verb", "ListRecords"), ("resumptionToken", "eyJ2IjoxfQ")], "badResumptionToken"),
    ([("verb", "ListRecords"), ("resumptionToken", "%%%")], "badResumptionToken"),
    ([("verb", "ListIdentifiers"), ("resumptionToken", TOKEN_OTHER_VERB)], "badResumptionToken"),
    ([("verb", "ListIdentifiers"), ("resumptionToken", TOKEN_OTHER_REPO)], "badResumptionToken"),
    ([("verb", "ListIdentifiers"), ("resumptionToken", TOKEN_BAD_DATE)], "badResumptionToken"),
    ([("verb", "ListSets"), ("resumptionToken", "x")], "badResumptionToken"),
])
def test_error_conditions(endpoint, params, code) -> None:
    resp = requests.get(endpoint, params=params, timeout=10)
    assert resp.status_code == 200
    root = etree.fromstring(resp.content)
    assert error_of(root) == code, resp.text
    assert root.find("oai:error", NS).text
    request = root.find("oai:request", NS)
    assert request.text == endpoint
    if code in ("badVerb", "badArgument"):
        assert not request.attrib, "after badVerb or badArgument the request element has no attributes"
    else:
        assert request.get("verb") == dict(params)["verb"]
    assert root.findtext("oai:responseDate", namespaces=NS).endswith("Z")


def test_no_sets_and_no_records_in_an_empty_repository() -> None:
    empty = OaiProvider(MemorySource(Renderer(lambda feed: SETTINGS)), repository_name="r", admin_emails=["a@b.c"],
                        repository_identifier=REPO, earliest_datestamp="2026-01-01T00:00:00Z")
    answer = lambda *pairs: etree.fromstring(empty.handle(list(pairs), "http://x/oai")[2])  # noqa: E731
    assert error_of(answer(("verb", "ListSets"))) == "noSetHierarchy"
    assert error_of(answer(("verb", "ListIdentifiers"), ("metadataPrefix", "edm"), ("set", "feed"))) == "noSetHierarchy"
    assert error_of(answer(("verb", "ListRecords"), ("metadataPrefix", "edm"))) == "noRecordsMatch"
    assert answer(("verb", "Identify")).findtext(".//oai:earliestDatestamp", namespaces=NS) == "2026-01-01T00:00:00Z"


def test_a_request_echoes_its_arguments(endpoint) -> None:
    root = oai(endpoint, verb="ListIdentifiers", metadataPrefix="edm", set="feed:kustlicht",
               **{"from": "2024-01-01"})
    assert dict(root.find("oai:request", NS).attrib) == {"verb": "ListIdentifiers", "metadataPrefix": "edm",
                                                         "set": "feed:kustlicht", "from": "2024-01-01"}
    unknown = requests.get(endpoint.replace("/oai", "/elsewhere"), params={"verb": "Identify"}, timeout=10)
    assert unknown.status_code == 404
    wrong = requests.post(endpoint, data=b"<verb/>", headers={"Content-Type": "text/xml"}, timeout=10)
    assert wrong.status_code == 415


class _NoFormats(MemorySource):
    """A source whose one record has no metadata in any format (e.g. its graph is gone)."""

    def metadata(self, identifier: str, prefix: str) -> bytes | None:
        return None


def test_no_metadata_formats_for_an_item_without_any(published) -> None:
    source = _NoFormats(Renderer(lambda feed: SETTINGS))
    source.put("oai:oogst.test:f/1", "2025-01-01T00:00:00Z", "f", next(iter(published[0]._entries.values())).ntriples)
    provider = OaiProvider(source, repository_name="r", admin_emails=["a@b.c"], repository_identifier=REPO)
    root = etree.fromstring(provider.handle([("verb", "ListMetadataFormats"), ("identifier", "oai:oogst.test:f/1")],
                                            "http://x/oai")[2])
    assert error_of(root) == "noMetadataFormats"
    assert root.find("oai:request", NS).get("identifier") == "oai:oogst.test:f/1"
