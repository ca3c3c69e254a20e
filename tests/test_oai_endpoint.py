"""The real ``/oai`` of ``oogst serve`` (uvicorn on 127.0.0.1), harvested with sickle — an OAI
client no one here wrote — after `oogst harvest` took the sample partners from the partner
simulator, changed some records and withdrew others: full, incremental with ``from``, across
resumption tokens (also after a restart of the server), deleted records, sets, and
ListIdentifiers + GetRecord as Europeana's harvester does it. What it sees is compared to the
record index and the store. Then the specification's error conditions, through HTTP."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from lxml import etree

from oogst.devtools.simulator import PartnerSimulator

from .conftest import CORPUS, ROOT, free_port
from .test_end_to_end import oogst
from .test_incremental import retitled

sickle = pytest.importorskip("sickle", reason="sickle is in the test extras: pip install -e '.[test]'")
from sickle import Sickle, oaiexceptions  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "edm": "http://www.europeana.eu/schemas/edm/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "id": "http://www.openarchives.org/OAI/2.0/oai-identifier"}
REPO = "data.oogst.be"  # the host of the default base_iri
PAGE, ID_PAGE = 7, 10
GONE = {"hof-van-leie": ["oai:hofvanleie.be:lido:1952-S-011"], "kustlicht": ["oai:kustlicht.be:PK-1905-0101"]}
CHANGED = "oai:hofvanleie.be:lido:1937-S-004"


def serve(data_dir: Path, **env: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), "serve", "--host",
                             "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "OOGST_OAI_PAGE_SIZE": str(PAGE),
                                 "OOGST_OAI_IDENTIFIERS_PAGE_SIZE": str(ID_PAGE), **env})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/health", timeout=1).ok:
                return proc, base
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"oogst serve did not start: {proc.stderr.read().decode()}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def harvested(tmp_path_factory) -> dict:
    """Two harvests of the samples; between them one record changed and two were withdrawn."""
    data_dir = tmp_path_factory.mktemp("oai") / "data"
    with PartnerSimulator(page_size=7) as sim:
        for name, info in sim.partners.items():
            profile = next(p.with_name("profile.toml") for p in SAMPLES.glob("*/partner.toml")
                           if f'name = "{name}"' in p.read_text("utf-8"))
            oogst(data_dir, "feeds", "add", name, "--url", sim.endpoint(name), "--format", info["format"],
                  "--profile", str(profile))
        oogst(data_dir, "feeds", "delivery", "hof-van-leie", "provider=Meemoo", "dataset_id=2048999")
        oogst(data_dir, "harvest", "--all")
        time.sleep(1.1)  # the second harvest's changes get later datestamps (seconds granularity)
        between = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        time.sleep(1.1)
        sim.update_record("hof-van-leie", CHANGED, retitled(sim, CHANGED, "Een nieuwe titel"))
        for name, identifiers in GONE.items():
            for identifier in identifiers:
                sim.delete_record(name, identifier)
        oogst(data_dir, "harvest", "--all")
    return {"data_dir": data_dir, "between": between}


class Server:
    """`oogst serve` over the harvested data dir; one at a time (the embedded store is locked)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.proc, self.base = serve(data_dir)

    def restart(self, **env: str) -> str:
        stop(self.proc)
        self.proc, self.base = serve(self.data_dir, **env)
        return self.base


@pytest.fixture(scope="module")
def server(harvested) -> Iterator[Server]:
    running = Server(harvested["data_dir"])
    yield running
    stop(running.proc)


@pytest.fixture
def endpoint(server) -> str:
    return f"{server.base}/oai"


def index(data_dir: Path) -> list[dict]:
    """The record index as the provider should see it: the records once published, in order."""
    db = sqlite3.connect(data_dir / "state.sqlite")
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("SELECT * FROM records ORDER BY updated_at, record_id")]
    db.close()
    return rows


def items(data_dir: Path, select=lambda r: True) -> list[str]:
    return [f"oai:{REPO}:{r['record_id']}" for r in index(data_dir) if r["ever_published"] and select(r)]


def get(url: str, **params) -> etree._Element:
    resp = requests.get(url, params=params, timeout=30)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/xml"), resp.text[:300]
    return etree.fromstring(resp.content)


def error_of(root: etree._Element) -> str | None:
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


# -- harvesting with sickle ---------------------------------------------------------------------
def test_full_harvest_sees_every_published_record_and_the_withdrawn_ones(endpoint, harvested) -> None:
    data_dir = harvested["data_dir"]
    records = list(Sickle(endpoint).ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert [r.header.identifier for r in records] == items(data_dir)
    assert len(records) > 3 * PAGE, "several pages, so several resumption tokens"
    deleted = {r.header.identifier for r in records if r.header.deleted}
    assert deleted == {f"oai:{REPO}:{name}/{quote(i, safe=':')}" for name, ids in GONE.items() for i in ids}
    never = [r for r in index(data_dir) if r["state"] != "published" and not r["ever_published"]]
    assert never, "the samples hold records quarantined or deleted before they were ever published"
    assert not {f"oai:{REPO}:{r['record_id']}" for r in never} & {r.header.identifier for r in records}
    live = [r for r in records if not r.header.deleted]
    assert len(live) == sum(1 for r in index(data_dir) if r["published"])
    changed = next(r for r in live if r.header.identifier.endswith(CHANGED))
    assert "Een nieuwe titel" in changed.metadata["title"]
    assert {s.split(":")[0] for s in records[0].header.setSpecs} == {"feed", "provider"}
    stamps = {f"oai:{REPO}:{r['record_id']}": r["updated_at"] for r in index(data_dir)}
    assert all(r.header.datestamp == stamps[r.header.identifier] for r in records)


def test_incremental_harvest_with_from_sees_only_the_second_run(endpoint, harvested) -> None:
    since = harvested["between"]
    got = [h.identifier for h in Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False,
                                                                   **{"from": since})]
    expected = items(harvested["data_dir"], lambda r: r["updated_at"] >= since)
    assert got == expected and len(got) == 3, "one changed record and two withdrawn ones"
    assert sum(1 for i in got if i.endswith(CHANGED)) == 1


def test_tokens_carry_size_and_cursor_and_survive_a_restart(server, harvested) -> None:
    data_dir = harvested["data_dir"]
    first = get(f"{server.base}/oai", verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//oai:resumptionToken", NS)
    expected = items(data_dir)
    assert int(token.get("completeListSize")) == len(expected) and token.get("cursor") == "0"
    seen = first.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
    base = server.restart(OOGST_PUBLIC_URL="https://oai.example.be/oogst")  # a new process
    try:
        identify = get(f"{base}/oai", verb="Identify")
        assert identify.findtext(".//oai:baseURL", namespaces=NS) == "https://oai.example.be/oogst/oai"
        cursors = [0]
        while (token.text or "").strip():
            page = get(f"{base}/oai", verb="ListIdentifiers", resumptionToken=token.text)
            assert error_of(page) is None
            seen += page.xpath("//oai:header/oai:identifier/text()", namespaces=NS)
            token = page.find(".//oai:resumptionToken", NS)
            cursors.append(int(token.get("cursor")))
        assert seen == expected and cursors == list(range(0, len(expected), ID_PAGE))
    finally:
        server.restart()


def test_europeana_harvest_listidentifiers_then_getrecord(endpoint, harvested) -> None:
    from oogst.publish.edm_check import EdmValidator

    rows = {f"oai:{REPO}:{r['record_id']}": r for r in index(harvested["data_dir"])}
    harvester = Sickle(endpoint)
    listed = list(harvester.ListIdentifiers(metadataPrefix="edm", ignore_deleted=False))
    live = [h.identifier for h in listed if not h.deleted]
    assert live and all(rows[i]["edm"] == 1 and rows[i]["published"] for i in live)
    assert len(live) == sum(1 for r in rows.values() if r["published"] and r["edm"] == 1)
    assert {h.identifier for h in listed if h.deleted} == {i for i, r in rows.items()
                                                           if r["ever_published"] and not r["published"]}
    validator = EdmValidator(CORPUS / "schemas")
    for identifier in live:
        record = harvester.GetRecord(identifier=identifier, metadataPrefix="edm")
        rdf = record.xml.find(".//rdf:RDF", NS)
        assert rdf is not None and rdf.find("edm:ProvidedCHO", NS) is not None
        if not validator.unavailable:
            assert validator.validate(etree.tostring(rdf), identifier) == []
        provider = rdf.findtext("ore:Aggregation/edm:provider", namespaces={**NS, "ore": "http://www.openarchives."
                                                                                        "org/ore/terms/"})
        assert provider == ("Meemoo" if "/hof-van-leie/" in f"/{identifier.split(':', 2)[2]}" else "oogst")
    gone = next(h.identifier for h in listed if h.deleted)
    assert harvester.GetRecord(identifier=gone, metadataPrefix="edm").header.deleted


def test_oslo_records_are_the_store_graphs(endpoint, harvested) -> None:
    import rdflib
    from rdflib.compare import isomorphic

    base = endpoint.removesuffix("/oai")
    for row in [r for r in index(harvested["data_dir"]) if r["published"]][:12]:
        root = get(endpoint, verb="GetRecord", metadataPrefix="oslo", identifier=f"oai:{REPO}:{row['record_id']}")
        rdf = root.find(".//oai:metadata/rdf:RDF", NS)
        from_oai = rdflib.Graph().parse(data=etree.tostring(rdf), format="xml")
        stored = requests.get(f"{base}/records/{quote(row['record_id'], safe='/:')}", params={"format": "ntriples"},
                              timeout=30)
        assert stored.status_code == 200
        assert isomorphic(from_oai, rdflib.Graph().parse(data=stored.text, format="nt")), row["record_id"]


def test_sets_per_feed_and_per_data_provider(endpoint, harvested) -> None:
    data_dir = harvested["data_dir"]
    specs = {s.setSpec: s.setName for s in Sickle(endpoint).ListSets()}
    assert {"feed", "feed:hof-van-leie", "feed:kustlicht", "provider"} <= set(specs)
    assert specs["feed:hof-van-leie"] == "Museum Hof van Leie"
    providers = [s for s in specs if s.startswith("provider:")]
    assert providers
    for spec in ("feed:kustlicht", providers[0], "provider"):
        got = [h.identifier for h in Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc", set=spec,
                                                                       ignore_deleted=False)]
        kind, _, value = spec.partition(":")
        column = "feed" if kind == "feed" else "provider_set"
        assert got == items(data_dir, lambda r: r[column] == value if value else r[column] is not None)
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(Sickle(endpoint).ListIdentifiers(metadataPrefix="oai_dc", set="feed:nobody"))


def test_identify(endpoint, harvested) -> None:
    identify = get(endpoint, verb="Identify").find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == endpoint
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == min(
        r["updated_at"] for r in index(harvested["data_dir"]) if r["ever_published"])
    assert identify.findtext(".//id:repositoryIdentifier", namespaces=NS) == REPO
    assert identify.findtext(".//id:sampleIdentifier", namespaces=NS).startswith(f"oai:{REPO}:")
    assert Sickle(endpoint).Identify().repositoryName == "oogst"
    post = requests.post(endpoint, data={"verb": "Identify"}, timeout=10)
    assert post.status_code == 200 and etree.fromstring(post.content).find("oai:Identify", NS) is not None


def test_post_that_is_no_form_is_refused(endpoint) -> None:
    wrong = requests.post(endpoint, data=b"<verb>Identify</verb>", headers={"Content-Type": "text/xml"}, timeout=10)
    assert wrong.status_code == 415 and "x-www-form-urlencoded" in wrong.json()["message"]


def test_list_metadata_formats_per_item(endpoint, harvested) -> None:
    assert get(endpoint, verb="ListMetadataFormats").xpath("//oai:metadataPrefix/text()", namespaces=NS) == [
        "oai_dc", "edm", "oslo"]
    live = items(harvested["data_dir"], lambda r: r["published"])[0]
    assert get(endpoint, verb="ListMetadataFormats", identifier=live).xpath(
        "//oai:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "edm", "oslo"]


# -- the specification's error conditions, through HTTP ----------------------------------------------
@pytest.mark.parametrize(("params", "code"), [
    ([], "badVerb"),
    ([("verb", "ListEverything")], "badVerb"),
    ([("verb", "Identify"), ("verb", "Identify")], "badVerb"),
    ([("verb", "Identify"), ("metadataPrefix", "edm")], "badArgument"),
    ([("verb", "ListRecords")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("metadataPrefix", "edm")], "badArgument"),
    ([("verb", "ListIdentifiers"), ("metadataPrefix", "edm"), ("set", "feed"), ("set", "provider")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2024-01-01T10:00Z")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2024-01-01T10:00:00.5Z")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2025-01-01"), ("until", "2025-06-01T00:00:00Z")],
     "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2025-06-01"), ("until", "2025-01-01")],
     "badArgument"),
    ([("verb", "GetRecord"), ("identifier", f"oai:{REPO}:x")], "badArgument"),
    ([("verb", "ListRecords"), ("resumptionToken", "x"), ("metadataPrefix", "edm")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "marc21")], "cannotDisseminateFormat"),
    ([("verb", "GetRecord"), ("identifier", f"oai:{REPO}:hof-van-leie/nope"), ("metadataPrefix", "edm")],
     "idDoesNotExist"),
    ([("verb", "GetRecord"), ("identifier", "oai:elsewhere.org:hof-van-leie/x"), ("metadataPrefix", "edm")],
     "idDoesNotExist"),
    ([("verb", "ListMetadataFormats"), ("identifier", f"oai:{REPO}:nope")], "idDoesNotExist"),
    ([("verb", "ListRecords"), ("metadataPrefix", "edm"), ("from", "2999-01-01")], "noRecordsMatch"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "provider:nobody")], "noRecordsMatch"),
    ([("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("set", "elsewhere:x")], "noRecordsMatch"),
    ([("verb", "ListRecords"), ("resumptionToken", "not-a-token")], "badResumptionToken"),
    ([("verb", "ListSets"), ("resumptionToken", "x")], "badResumptionToken"),
])
@pytest.mark.parametrize("method", ["get", "post"])
def test_error_conditions(endpoint, params, code, method) -> None:
    if method == "get":
        resp = requests.get(endpoint, params=params, timeout=10)
    else:
        resp = requests.post(endpoint, data=params, timeout=10)
    assert resp.status_code == 200
    root = etree.fromstring(resp.content)
    assert error_of(root) == code, resp.text
    request = root.find("oai:request", NS)
    assert request.text == endpoint
    if code in ("badVerb", "badArgument"):
        assert not request.attrib
    else:
        assert request.get("verb") == dict(params)["verb"]


def test_a_quarantined_never_published_record_does_not_exist_for_oai(endpoint, harvested) -> None:
    never = next(r for r in index(harvested["data_dir"]) if not r["ever_published"])
    root = get(endpoint, verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:{REPO}:{never['record_id']}")
    assert error_of(root) == "idDoesNotExist"
