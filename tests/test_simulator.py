"""The partner simulator over real HTTP on 127.0.0.1, and the sample partners it serves.

The samples are checked as files (well-formed OAI-PMH, consistent with ``partner.toml``,
complete except for the records ``data/samples/README.md`` lists as invalid, LIDO valid
against the corpus XSD); the simulator is checked as an OAI-PMH 2.0 data provider: every
verb, paging with resumption tokens, selective harvesting, every error code, GET and POST,
the mutators, the request log and fault injection.
"""

from __future__ import annotations

import calendar
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from lxml import etree

from oogst.devtools.simulator import DEFAULT_SAMPLES_DIR, PartnerSimulator, SimRecord, load_records

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
LIDO_XSD = CORPUS / "schemas" / "lido" / "lido-v1.0.xsd"

OAI = "http://www.openarchives.org/OAI/2.0/"
LIDO = "http://www.lido-schema.org"
DC = "http://purl.org/dc/elements/1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NS = {"oai": OAI, "lido": LIDO, "dc": DC, "oai_dc": OAI_DC}

MUSEUM, ARCHIVE = "hof-van-leie", "kustlicht"
# the partners in the other formats (checked in test_format_samples.py)
FORMAT_PARTNERS = {"leiegaard", "scheldeland", "kempen", "houtland", "terdoest"}
FOLDERS = {MUSEUM: "museum-lido", ARCHIVE: "archive-dc"}
PREFIX = {MUSEUM: "lido", ARCHIVE: "oai_dc"}
PAGE_SIZE = 7
TIMEOUT = 10


# -- helpers ---------------------------------------------------------------------------------
def partner_toml(partner: str) -> dict:
    return tomllib.loads((SAMPLES / FOLDERS[partner] / "partner.toml").read_text(encoding="utf-8"))


def sample_tree(partner: str) -> etree._ElementTree:
    return etree.parse(str(SAMPLES / FOLDERS[partner] / "records.xml"))


def sample_records(partner: str) -> list[etree._Element]:
    return sample_tree(partner).xpath("/oai:OAI-PMH/oai:ListRecords/oai:record", namespaces=NS)


def header_id(record: etree._Element) -> str:
    return record.findtext("oai:header/oai:identifier", namespaces=NS)


def moment(datestamp: str) -> datetime:
    return datetime.strptime(datestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def ordered_ids(records: list[etree._Element]) -> list[str]:
    """Identifiers in the simulator's order: datestamp, then identifier."""
    keyed = [(moment(r.findtext("oai:header/oai:datestamp", namespaces=NS)), header_id(r)) for r in records]
    return [identifier for _, identifier in sorted(keyed)]


def oai(endpoint: str, **params: str) -> etree._Element:
    resp = requests.get(endpoint, params=params, timeout=TIMEOUT)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(resp.content)


def error_code(root: etree._Element) -> str | None:
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


def pages(endpoint: str, verb: str, **params: str) -> Iterator[etree._Element]:
    """Every page of a list request, following resumption tokens."""
    root = oai(endpoint, verb=verb, **params)
    while True:
        assert error_code(root) is None, etree.tostring(root)
        yield root
        token = root.find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None or not (token.text or "").strip():
            return
        root = oai(endpoint, verb=verb, resumptionToken=token.text)


def listed_ids(endpoint: str, verb: str = "ListIdentifiers", **params: str) -> list[str]:
    return [h.findtext("oai:identifier", namespaces=NS)
            for page in pages(endpoint, verb, **params) for h in page.iterfind(".//oai:header", NS)]


def dc_record(identifier: str, datestamp: str, title: str, sets: tuple[str, ...] = ()) -> SimRecord:
    payload = (f'<oai_dc:dc xmlns:oai_dc="{OAI_DC}" xmlns:dc="{DC}"><dc:title>{title}</dc:title>'
               f"</oai_dc:dc>").encode()
    return SimRecord.build(identifier, datestamp, payload, sets)


def readme_rows() -> list[tuple[str, str, str]]:
    """(partner, OAI identifier, status) of the table of deleted and invalid records."""
    text = (SAMPLES / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| ([a-z-]+) \| `([^`]+)` \| (deleted|invalid) \|", text, flags=re.MULTILINE)


# -- what "complete" means for a sample record -------------------------------------------------
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def valid_date(value: str) -> bool:
    """A year, year-month or calendar date; for oai_dc also 'ca. YYYY' and 'YYYY/YYYY'."""
    value = value.removeprefix("ca. ")
    parts = value.split("/")
    if len(parts) > 2:
        return False
    for part in parts:
        match = _DATE.fullmatch(part)
        if not match:
            return False
        year, month, day = (int(g) if g else None for g in match.groups())
        if month is not None and not 1 <= month <= 12:
            return False
        if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            return False
    return True


def lido_problems(lido: etree._Element) -> list[str]:
    def texts(path: str) -> list[str]:
        return [t.strip() for t in lido.xpath(path + "/text()", namespaces=NS) if t.strip()]

    ident = "lido:descriptiveMetadata/lido:objectIdentificationWrap"
    problems = []
    if not texts(f"{ident}/lido:titleWrap/lido:titleSet/lido:appellationValue"):
        problems.append("title")
    if not texts(f"{ident}/lido:repositoryWrap/lido:repositorySet/lido:workID[@lido:type='inventarisnummer']"):
        problems.append("inventory number")
    if not texts(f"{ident}/lido:repositoryWrap/lido:repositorySet/lido:repositoryName//lido:appellationValue"):
        problems.append("keeper")
    if not texts("lido:descriptiveMetadata/lido:objectClassificationWrap//lido:objectWorkType/lido:conceptID"):
        problems.append("type")
    if not texts("lido:administrativeMetadata/lido:rightsWorkWrap/lido:rightsWorkSet/lido:rightsType/lido:conceptID"):
        problems.append("rights")
    if not (texts("lido:administrativeMetadata/lido:recordWrap/lido:recordInfoSet/lido:recordInfoLink")
            or texts("lido:administrativeMetadata//lido:linkResource")):
        problems.append("landing page or image")
    dates = texts("lido:descriptiveMetadata/lido:eventWrap//lido:eventDate/lido:date/*")
    if not dates or not all(_DATE.fullmatch(d) and valid_date(d) for d in dates):
        problems.append("date")
    return problems


def dc_problems(dc: etree._Element) -> list[str]:
    def texts(name: str) -> list[str]:
        return [t.strip() for t in dc.xpath(f"dc:{name}/text()", namespaces=NS) if t.strip()]

    identifiers = texts("identifier")
    problems = []
    if not texts("title"):
        problems.append("title")
    if not [i for i in identifiers if not i.startswith("http")]:
        problems.append("inventory number")
    if not [i for i in identifiers if i.startswith("http")]:
        problems.append("landing page or image")
    for name in ("type", "publisher", "rights"):
        if not texts(name):
            problems.append(name)
    if not all(valid_date(d) for d in texts("date")):
        problems.append("date")
    return problems


# -- the samples as files ----------------------------------------------------------------------
@pytest.mark.parametrize("partner", [MUSEUM, ARCHIVE])
def test_sample_records_xml_is_a_complete_listrecords_document(partner: str) -> None:
    config = partner_toml(partner)
    assert config["name"] == partner and config["format"] == PREFIX[partner] == config["metadata_prefix"]
    for key in ("title", "repository_name", "admin_email", "granularity", "earliest_datestamp",
                "deleted_record", "language", "sets"):
        assert config[key], key
    tree = sample_tree(partner)
    root = tree.getroot()
    assert root.tag == f"{{{OAI}}}OAI-PMH"
    assert root.findtext("oai:responseDate", namespaces=NS)
    assert root.find("oai:request", NS).get("verb") == "ListRecords"
    assert root.find("oai:ListRecords/oai:resumptionToken", NS) is None
    assert tree.docinfo.encoding == "UTF-8"

    records = sample_records(partner)
    assert 35 <= len(records) <= 45
    ids = [header_id(r) for r in records]
    assert len(ids) == len(set(ids))
    datestamps = [r.findtext("oai:header/oai:datestamp", namespaces=NS) for r in records]
    assert all(re.fullmatch(r"202[4-6]-\d\d-\d\dT\d\d:\d\d:\d\dZ", d) for d in datestamps)
    assert min(datestamps) == config["earliest_datestamp"]
    assert ids == ordered_ids(records), "records.xml is in datestamp order"
    specs = {s["spec"] for s in config["sets"]}
    payload_ns = LIDO if partner == MUSEUM else OAI_DC
    deleted = 0
    for record in records:
        header = record.find("oai:header", NS)
        assert {s.text for s in header.iterfind("oai:setSpec", NS)} <= specs
        metadata = record.find("oai:metadata", NS)
        if header.get("status") == "deleted":
            deleted += 1
            assert metadata is None
        else:
            assert len(metadata) == 1 and etree.QName(metadata[0]).namespace == payload_ns
    assert deleted == 3


@pytest.mark.parametrize("partner", [MUSEUM, ARCHIVE])
def test_only_the_documented_records_are_incomplete(partner: str) -> None:
    documented = {i for p, i, status in readme_rows() if p == partner and status == "invalid"}
    assert 3 <= len(documented) <= 4
    incomplete = {}
    for record in sample_records(partner):
        payload = record.find("oai:metadata/*", NS)
        if payload is not None:
            problems = lido_problems(payload) if partner == MUSEUM else dc_problems(payload)
            if problems:
                incomplete[header_id(record)] = problems
    assert set(incomplete) == documented, incomplete
    assert all(len(problems) == 1 for problems in incomplete.values()), "one defect per invalid record"


@pytest.mark.parametrize("partner", [MUSEUM, ARCHIVE])
def test_readme_lists_every_deleted_record(partner: str) -> None:
    documented = {i for p, i, status in readme_rows() if p == partner and status == "deleted"}
    deleted = {header_id(r) for r in sample_records(partner) if r.find("oai:header", NS).get("status")}
    assert documented == deleted


def test_sample_lido_validates_against_the_corpus_xsd() -> None:
    if not LIDO_XSD.is_file():
        pytest.skip(f"the shared corpus is missing: {LIDO_XSD} (CI has ../shared/corpus beside the checkout)")
    schema = etree.XMLSchema(etree.parse(str(LIDO_XSD)))
    payloads = sample_tree(MUSEUM).xpath("//oai:metadata/lido:lido", namespaces=NS)
    assert len(payloads) == len(sample_records(MUSEUM)) - 3
    for lido in payloads:
        assert schema.validate(lido), (lido.findtext("lido:lidoRecID", namespaces=NS), schema.error_log)


def test_samples_are_in_the_languages_of_flanders() -> None:
    langs = set(sample_tree(MUSEUM).xpath("//lido:titleSet/lido:appellationValue/@xml:lang", namespaces=NS))
    langs |= set(sample_tree(ARCHIVE).xpath("//dc:title/@xml:lang", namespaces=NS))
    assert {"nl", "fr", "en"} <= langs
    values = sample_tree(MUSEUM).xpath("//lido:measurementValue/text()", namespaces=NS)
    assert any("," in v for v in values), "Adlib exports decimal commas"


def test_load_records_keeps_the_record_bytes() -> None:
    records = load_records(SAMPLES / FOLDERS[ARCHIVE] / "records.xml")
    first = records[0]
    assert first.xml.startswith(b"<record") and first.xml.endswith(b"</record>")
    assert etree.fromstring(first.xml).findtext("oai:header/oai:identifier", namespaces=NS) == first.identifier
    assert sum(r.deleted for r in records) == 3


# -- the simulator -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sim() -> Iterator[PartnerSimulator]:
    with PartnerSimulator(page_size=PAGE_SIZE) as simulator:
        yield simulator


@pytest.fixture
def own_sim() -> Iterator[PartnerSimulator]:
    """A simulator of its own, for tests that change records, faults or the log."""
    with PartnerSimulator(page_size=PAGE_SIZE) as simulator:
        yield simulator


def test_serves_the_sample_partners_on_loopback(sim: PartnerSimulator) -> None:
    assert DEFAULT_SAMPLES_DIR == SAMPLES
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sim.url)
    assert sim.endpoint(MUSEUM) == f"{sim.url}/{MUSEUM}/oai"
    info = sim.partners
    assert set(info) == {MUSEUM, ARCHIVE} | FORMAT_PARTNERS
    for partner in (MUSEUM, ARCHIVE):
        assert info[partner]["format"] == PREFIX[partner]
        assert info[partner]["record_count"] == len(sample_records(partner))
        assert info[partner]["deleted_count"] == 3
        assert [s["spec"] for s in info[partner]["sets"]] == [s["spec"] for s in partner_toml(partner)["sets"]]


def test_binds_only_to_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        PartnerSimulator(host="0.0.0.0")
    with pytest.raises(RuntimeError):
        _ = PartnerSimulator().url


def test_identify(sim: PartnerSimulator) -> None:
    root = oai(sim.endpoint(MUSEUM), verb="Identify")
    config = partner_toml(MUSEUM)
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:repositoryName", namespaces=NS) == config["repository_name"]
    assert identify.findtext("oai:baseURL", namespaces=NS) == sim.endpoint(MUSEUM)
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:adminEmail", namespaces=NS) == config["admin_email"]
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == config["earliest_datestamp"]
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert root.find("oai:request", NS).get("verb") == "Identify"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", root.findtext("oai:responseDate", namespaces=NS))


def test_list_metadata_formats_and_sets(sim: PartnerSimulator) -> None:
    root = oai(sim.endpoint(MUSEUM), verb="ListMetadataFormats")
    assert root.xpath("//oai:metadataPrefix/text()", namespaces=NS) == ["lido"]
    assert root.xpath("//oai:metadataNamespace/text()", namespaces=NS) == [LIDO]
    some_id = header_id(sample_records(MUSEUM)[0])
    assert error_code(oai(sim.endpoint(MUSEUM), verb="ListMetadataFormats", identifier=some_id)) is None

    root = oai(sim.endpoint(ARCHIVE), verb="ListSets")
    specs = root.xpath("//oai:set/oai:setSpec/text()", namespaces=NS)
    assert specs == [s["spec"] for s in partner_toml(ARCHIVE)["sets"]]
    assert root.xpath("//oai:setDescription//dc:description/text()", namespaces=NS)


@pytest.mark.parametrize("partner", [MUSEUM, ARCHIVE])
def test_list_records_pages_through_every_record(sim: PartnerSimulator, partner: str) -> None:
    records = sample_records(partner)
    served: list[etree._Element] = []
    tokens = []
    for page in pages(sim.endpoint(partner), "ListRecords", metadataPrefix=PREFIX[partner]):
        page_records = page.findall("oai:ListRecords/oai:record", NS)
        assert 1 <= len(page_records) <= PAGE_SIZE
        token = page.find("oai:ListRecords/oai:resumptionToken", NS)
        assert token is not None
        assert int(token.get("completeListSize")) == len(records)
        assert int(token.get("cursor")) == len(served)
        tokens.append(token)
        served += page_records
    assert len(tokens) == -(-len(records) // PAGE_SIZE)
    assert not (tokens[-1].text or "").strip(), "the last page has an empty resumptionToken"
    assert [header_id(r) for r in served] == ordered_ids(records)

    # each record is served as it is in records.xml
    by_id = {header_id(r): r for r in records}
    for record in served:
        assert etree.tostring(record, method="c14n") == etree.tostring(by_id[header_id(record)], method="c14n")


def test_list_identifiers_gives_headers_with_deleted_status(sim: PartnerSimulator) -> None:
    root = oai(sim.endpoint(ARCHIVE), verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert root.find("oai:ListIdentifiers/oai:record", NS) is None
    ids = listed_ids(sim.endpoint(ARCHIVE), metadataPrefix="oai_dc")
    assert ids == ordered_ids(sample_records(ARCHIVE))
    deleted = [p.xpath("//oai:header[@status='deleted']/oai:identifier/text()", namespaces=NS)
               for p in pages(sim.endpoint(ARCHIVE), "ListIdentifiers", metadataPrefix="oai_dc")]
    assert sorted(i for page in deleted for i in page) == sorted(
        header_id(r) for r in sample_records(ARCHIVE) if r.find("oai:header", NS).get("status") == "deleted")


@pytest.mark.parametrize(("start", "until"), [
    ("2025-01-01T00:00:00Z", None),
    (None, "2024-06-03T14:43:10Z"),
    ("2024-06-03T14:41:55Z", "2025-04-09T08:35:12Z"),
    ("2024-06-03", "2025-04-09"),
    ("2026-02-11", None),
])
def test_from_and_until_select_by_datestamp(sim: PartnerSimulator, start: str | None, until: str | None) -> None:
    params = {k: v for k, v in (("from", start), ("until", until)) if v}
    low = moment(start if "T" in start else f"{start}T00:00:00Z") if start else None
    high = (moment(until) if "T" in until else moment(f"{until}T23:59:59Z")) if until else None
    expected = [r for r in sample_records(MUSEUM)
                if (low is None or moment(r.findtext("oai:header/oai:datestamp", namespaces=NS)) >= low)
                and (high is None or moment(r.findtext("oai:header/oai:datestamp", namespaces=NS)) <= high)]
    assert expected
    assert listed_ids(sim.endpoint(MUSEUM), metadataPrefix="lido", **params) == ordered_ids(expected)


def test_set_selects_the_records_of_a_set(sim: PartnerSimulator) -> None:
    records = sample_records(ARCHIVE)
    for spec in (s["spec"] for s in partner_toml(ARCHIVE)["sets"]):
        expected = [r for r in records if spec in r.xpath("oai:header/oai:setSpec/text()", namespaces=NS)]
        assert listed_ids(sim.endpoint(ARCHIVE), "ListRecords", metadataPrefix="oai_dc", set=spec) \
            == ordered_ids(expected)


def test_get_record_and_deleted_record(sim: PartnerSimulator) -> None:
    records = sample_records(MUSEUM)
    active = next(r for r in records if r.find("oai:metadata", NS) is not None)
    root = oai(sim.endpoint(MUSEUM), verb="GetRecord", identifier=header_id(active), metadataPrefix="lido")
    record = root.find("oai:GetRecord/oai:record", NS)
    assert etree.tostring(record, method="c14n") == etree.tostring(active, method="c14n")

    gone = next(r for r in records if r.find("oai:header", NS).get("status") == "deleted")
    root = oai(sim.endpoint(MUSEUM), verb="GetRecord", identifier=header_id(gone), metadataPrefix="lido")
    assert root.find("oai:GetRecord/oai:record/oai:header", NS).get("status") == "deleted"
    assert root.find("oai:GetRecord/oai:record/oai:metadata", NS) is None


@pytest.mark.parametrize(("params", "code"), [
    ({}, "badVerb"),
    ({"verb": "ListEverything"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "lido"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["lido", "lido"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lido", "from": "2024-13-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lido", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lido", "from": "2025-01-01", "until": "2025-06-01T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lido", "from": "2025-06-01", "until": "2025-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lido", "set": ""}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "lido"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:hofvanleie.be:lido:1937-S-004"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:hofvanleie.be:lido:1937-S-004", "metadataPrefix": "marc21"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:hofvanleie.be:lido:nope", "metadataPrefix": "lido"},
     "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:hofvanleie.be:lido:nope"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "lido", "from": "2030-01-01"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "lido", "set": "fotos"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "eyJ2IjoxfQ"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
])
def test_error_codes(sim: PartnerSimulator, params: dict, code: str) -> None:
    root = oai(sim.endpoint(MUSEUM), **params)
    assert error_code(root) == code
    assert root.find("oai:error", NS).text
    request = root.find("oai:request", NS)
    assert request.text == sim.endpoint(MUSEUM)
    if code in ("badVerb", "badArgument"):
        assert not request.attrib, "a bad request echoes only the base URL"


def test_no_set_hierarchy_and_day_granularity(own_sim: PartnerSimulator) -> None:
    records = [dc_record(f"oai:plain:{n}", f"2025-03-{n:02d}", f"Foto {n}") for n in range(1, 11)]
    own_sim.add_partner("zonder-sets", records, title="Heemkundige kring", granularity="YYYY-MM-DD")
    endpoint = own_sim.endpoint("zonder-sets")
    assert error_code(oai(endpoint, verb="ListSets")) == "noSetHierarchy"
    assert error_code(oai(endpoint, verb="ListRecords", metadataPrefix="oai_dc", set="x")) == "noSetHierarchy"
    assert error_code(oai(endpoint, verb="ListRecords", metadataPrefix="oai_dc",
                          **{"from": "2025-03-05T00:00:00Z"})) == "badArgument"
    assert listed_ids(endpoint, metadataPrefix="oai_dc", **{"from": "2025-03-05", "until": "2025-03-06"}) \
        == ["oai:plain:5", "oai:plain:6"]
    identify = oai(endpoint, verb="Identify")
    assert identify.findtext(".//oai:earliestDatestamp", namespaces=NS) == "2025-03-01"


def test_post_form_encoded_works_like_get(sim: PartnerSimulator) -> None:
    params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "affiches"}
    got = requests.get(sim.endpoint(ARCHIVE), params=params, timeout=TIMEOUT)
    posted = requests.post(sim.endpoint(ARCHIVE), data=params, timeout=TIMEOUT)
    assert posted.status_code == 200 and posted.headers["Content-Type"] == "text/xml; charset=utf-8"
    strip = re.compile(rb"<responseDate>[^<]*</responseDate>")
    assert strip.sub(b"", posted.content) == strip.sub(b"", got.content)
    wrong = requests.post(sim.endpoint(ARCHIVE), data=b"<verb/>", headers={"Content-Type": "text/xml"},
                          timeout=TIMEOUT)
    assert wrong.status_code == 415


def test_unknown_path_is_404(sim: PartnerSimulator) -> None:
    assert requests.get(f"{sim.url}/nobody/oai", params={"verb": "Identify"}, timeout=TIMEOUT).status_code == 404
    assert requests.get(f"{sim.url}/", timeout=TIMEOUT).status_code == 404


def test_resumption_tokens_are_deterministic_and_survive_a_restart(sim: PartnerSimulator) -> None:
    params = {"verb": "ListRecords", "metadataPrefix": "lido", "set": "schilderijen"}
    first = oai(sim.endpoint(MUSEUM), **params)
    token = first.findtext("oai:ListRecords/oai:resumptionToken", namespaces=NS)
    assert token == oai(sim.endpoint(MUSEUM), **params).findtext("oai:ListRecords/oai:resumptionToken",
                                                                  namespaces=NS)
    expected = oai(sim.endpoint(MUSEUM), verb="ListRecords", resumptionToken=token)
    with PartnerSimulator(page_size=PAGE_SIZE) as restarted:
        again = oai(restarted.endpoint(MUSEUM), verb="ListRecords", resumptionToken=token)
    ids = "oai:ListRecords/oai:record/oai:header/oai:identifier/text()"
    assert again.xpath(ids, namespaces=NS) == expected.xpath(ids, namespaces=NS)
    # a token is bound to its verb and its partner
    assert error_code(oai(sim.endpoint(MUSEUM), verb="ListIdentifiers", resumptionToken=token)) \
        == "badResumptionToken"
    assert error_code(oai(sim.endpoint(ARCHIVE), verb="ListRecords", resumptionToken=token)) \
        == "badResumptionToken"


def test_changed_and_deleted_records_come_back_in_an_incremental_harvest(own_sim: PartnerSimulator) -> None:
    endpoint = own_sim.endpoint(ARCHIVE)
    since = oai(endpoint, verb="Identify").findtext("oai:responseDate", namespaces=NS)
    assert error_code(oai(endpoint, verb="ListRecords", metadataPrefix="oai_dc", **{"from": since})) \
        == "noRecordsMatch"

    changed = "oai:kustlicht.be:FO-1923-0012"
    gone = "oai:kustlicht.be:AF-1898-0001"
    payload = (f'<oai_dc:dc xmlns:oai_dc="{OAI_DC}" xmlns:dc="{DC}"><dc:title xml:lang="nl">Het Kursaal '
               f"(herziene titel)</dc:title></oai_dc:dc>").encode()
    record = own_sim.update_record(ARCHIVE, changed, payload)
    assert record.sets == ("fotos",), "an updated record keeps its sets"
    own_sim.delete_record(ARCHIVE, gone)
    new = own_sim.update_record(ARCHIVE, "oai:kustlicht.be:FO-2026-0001", payload, "2026-01-01T00:00:00Z",
                                sets=["fotos"])
    assert new.datestamp == "2026-01-01T00:00:00Z"

    root = oai(endpoint, verb="ListRecords", metadataPrefix="oai_dc", **{"from": since})
    served = {header_id(r): r for r in root.iterfind("oai:ListRecords/oai:record", NS)}
    assert set(served) == {changed, gone}
    assert "herziene titel" in served[changed].findtext(".//dc:title", namespaces=NS)
    assert served[gone].find("oai:header", NS).get("status") == "deleted"
    assert own_sim.partners[ARCHIVE]["record_count"] == len(sample_records(ARCHIVE)) + 1
    assert own_sim.partners[ARCHIVE]["deleted_count"] == 4
    with pytest.raises(KeyError):
        own_sim.delete_record(ARCHIVE, "oai:kustlicht.be:nope")
    with pytest.raises(ValueError, match="well-formed"):
        own_sim.update_record(ARCHIVE, changed, b"<oai_dc:dc>")


def test_a_record_changed_during_a_harvest_moves_to_the_end(own_sim: PartnerSimulator) -> None:
    endpoint = own_sim.endpoint(MUSEUM)
    first = oai(endpoint, verb="ListIdentifiers", metadataPrefix="lido")
    seen = first.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
    original = next(r for r in sample_records(MUSEUM) if header_id(r) == seen[0])
    own_sim.update_record(MUSEUM, seen[0], etree.tostring(original.find("oai:metadata/*", NS)))
    token = first.findtext("oai:ListIdentifiers/oai:resumptionToken", namespaces=NS)
    rest = [h.findtext("oai:identifier", namespaces=NS)
            for page in _follow(endpoint, "ListIdentifiers", token) for h in page.iterfind(".//oai:header", NS)]
    assert rest[-1] == seen[0], "the changed record is served again, at the end"
    assert len(seen) + len(rest) == len(sample_records(MUSEUM)) + 1


def _follow(endpoint: str, verb: str, token: str) -> Iterator[etree._Element]:
    while token:
        root = oai(endpoint, verb=verb, resumptionToken=token)
        yield root
        token = (root.findtext(f"oai:{verb}/oai:resumptionToken", namespaces=NS) or "").strip()


def test_thousands_of_generated_records() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    records = [dc_record(f"oai:bulk:{n:05d}", (start + timedelta(minutes=n // 3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         f"Prentkaart {n}", sets=("even" if n % 2 == 0 else "oneven",))
               for n in range(3000)]
    with PartnerSimulator(page_size=250) as big:
        big.add_partner("bulk", records, title="Bulkpartner",
                        sets=[{"spec": "even", "name": "Even"}, {"spec": "oneven", "name": "Oneven"}])
        ids = listed_ids(big.endpoint("bulk"), "ListRecords", metadataPrefix="oai_dc")
        assert ids == [f"oai:bulk:{n:05d}" for n in range(3000)]
        assert len(listed_ids(big.endpoint("bulk"), metadataPrefix="oai_dc", set="even")) == 1500
        pages_served = sum(1 for path, args in big.request_log if path == "/bulk/oai")
        assert pages_served == 12 + 6


def test_request_log(own_sim: PartnerSimulator) -> None:
    own_sim.clear_request_log()
    oai(own_sim.endpoint(MUSEUM), verb="Identify")
    requests.post(own_sim.endpoint(ARCHIVE), data={"verb": "ListSets"}, timeout=TIMEOUT)
    assert own_sim.request_log == [(f"/{MUSEUM}/oai", {"verb": "Identify"}),
                                   (f"/{ARCHIVE}/oai", {"verb": "ListSets"})]


def test_injected_faults_change_responses_until_cleared(own_sim: PartnerSimulator) -> None:
    calls = []

    def unavailable_once(verb: str | None, args: dict[str, str], page: bytes):
        calls.append((verb, args))
        if len(calls) == 1:
            return 503, {"Retry-After": "1", "Content-Type": "text/plain"}, b"maintenance"
        return None

    own_sim.inject(MUSEUM, unavailable_once)
    params = {"verb": "ListRecords", "metadataPrefix": "lido"}
    first = requests.get(own_sim.endpoint(MUSEUM), params=params, timeout=TIMEOUT)
    assert (first.status_code, first.headers["Retry-After"], first.text) == (503, "1", "maintenance")
    assert error_code(oai(own_sim.endpoint(MUSEUM), **params)) is None
    assert calls[0] == ("ListRecords", {"metadataPrefix": "lido"})
    assert error_code(oai(own_sim.endpoint(ARCHIVE), verb="Identify")) is None
    assert len(calls) == 2, "faults apply to their own partner only"

    own_sim.inject(MUSEUM, lambda verb, args, page: (200, {"Content-Type": "text/xml"}, page[: len(page) // 2]))
    truncated = requests.get(own_sim.endpoint(MUSEUM), params=params, timeout=TIMEOUT)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(truncated.content)

    own_sim.clear_faults()
    assert error_code(oai(own_sim.endpoint(MUSEUM), **params)) is None


def test_a_raising_fault_drops_the_connection(own_sim: PartnerSimulator) -> None:
    def reset(verb, args, page):
        raise ConnectionResetError("simulated")

    own_sim.inject(ARCHIVE, reset)
    with pytest.raises(requests.ConnectionError):
        requests.get(own_sim.endpoint(ARCHIVE), params={"verb": "Identify"}, timeout=TIMEOUT)
    own_sim.clear_faults()
    assert error_code(oai(own_sim.endpoint(ARCHIVE), verb="Identify")) is None


def test_add_partner_checks_its_arguments(own_sim: PartnerSimulator) -> None:
    record = dc_record("oai:x:1", "2025-01-01T00:00:00Z", "x")
    with pytest.raises(ValueError, match="already"):
        own_sim.add_partner(ARCHIVE, [record])
    with pytest.raises(ValueError, match="lowercase"):
        own_sim.add_partner("Met Spaties", [record])
    with pytest.raises(TypeError, match="colour"):
        own_sim.add_partner("nieuw", [record], colour="blue")
    with pytest.raises(ValueError, match="duplicate"):
        own_sim.add_partner("dubbel", [record, record])
    with pytest.raises(ValueError, match="datestamp"):
        dc_record("oai:x:2", "1 januari 2025", "x")


def test_command_line_serves_the_samples() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "oogst.devtools.simulator", "--port", "0", "--page-size", "3"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        endpoints = {}
        for line in proc.stdout:
            if line.startswith("Ctrl-C"):
                break
            match = re.match(r"(\S+)\s+(\S+)\s+(\d+) records\s+(http://127\.0\.0\.1:\d+/\S+/oai)", line)
            if match:
                endpoints[match.group(1)] = match.group(4)
        assert set(endpoints) == {MUSEUM, ARCHIVE} | FORMAT_PARTNERS
        root = oai(endpoints[MUSEUM], verb="ListIdentifiers", metadataPrefix="lido")
        assert len(root.findall(".//oai:header", NS)) == 3
    finally:
        proc.terminate()
        proc.wait(timeout=10)
