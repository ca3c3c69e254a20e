"""The JSON-LD context cache and the repairs, on the corpus' Ghent members and OSLO contexts."""

from __future__ import annotations

import copy
import json
import logging
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from oogst.jsonld import WELL_KNOWN_PREFIXES, ContextCache, ContextError, context_terms, prepare

from .local_server import LocalServer

DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"


def quads(document) -> list[ox.Quad]:
    return list(ox.parse(json.dumps(document), format=ox.RdfFormat.JSON_LD))


def predicates(document) -> set[str]:
    return {q.predicate.value for q in quads(document)}


@pytest.fixture(scope="module")
def ghent(corpus: Path) -> Path:
    return corpus / "ldes-gent"


def members(ghent: Path, name: str) -> list[dict]:
    return json.loads((ghent / f"members-{name}.json").read_text("utf-8"))


def test_members_parse_offline_with_the_known_prefixes_repaired(ghent) -> None:
    cache = ContextCache(ghent / "context")
    persons = members(ghent, "adlib-personen")
    prepared = prepare(persons, cache)
    assert [r.split("'")[1] for r in prepared.repairs] == ["dcterms", "prov"]
    found = predicates(prepared.document)
    assert {DCT + "isVersionOf", PROV + "generatedAtTime"} <= found
    versions = {q.subject.value: q.object.value for q in quads(prepared.document)
                if q.predicate.value == DCT + "isVersionOf"}
    assert versions[persons[0]["@id"]] == persons[0]["dcterms:isVersionOf"]


def test_without_the_repair_the_version_link_is_a_bogus_iri(ghent) -> None:
    """What a naive expansion makes of the quirk: the IRI <dcterms:isVersionOf>."""
    cache = ContextCache(ghent / "context")
    member = members(ghent, "dmg-objecten")[0]
    inlined = copy.deepcopy(member)
    inlined["@context"] = [cache.get(url)["@context"] for url in member["@context"][:-1]]  # all objects here
    inlined["@context"].append(member["@context"][-1])
    assert "dcterms:isVersionOf" in predicates(inlined)
    assert DCT + "isVersionOf" in predicates(prepare(member, cache).document)


def test_prepare_leaves_its_input_alone_and_is_idempotent(ghent) -> None:
    cache = ContextCache(ghent / "context")
    member = members(ghent, "hva-objecten")[0]
    before = copy.deepcopy(member)
    once = prepare(member, cache)
    assert member == before
    twice = prepare(once.document, cache)
    assert twice.repairs == () and twice.document == once.document


def test_a_prefix_defined_anywhere_in_scope_is_never_redefined() -> None:
    doc = {"@context": {"dcterms": "http://example.org/not-dublin-core/"}, "@id": "http://example.org/a",
           "dcterms:title": "x", "http://example.org/child": {"@id": "http://example.org/b", "prov:used": "y"}}
    prepared = prepare(doc, ContextCache())
    assert [r.split("'")[1] for r in prepared.repairs] == ["prov"]
    assert predicates(prepared.document) == {"http://example.org/not-dublin-core/title", "http://example.org/child",
                                             PROV + "used"}


def test_scope_matters_a_prefix_of_one_member_does_not_serve_another() -> None:
    doc = [{"@context": {"prov": PROV}, "@id": "http://example.org/a", "prov:generatedAtTime": "2023"},
           {"@id": "http://example.org/b", "prov:generatedAtTime": "2024"}]
    assert predicates(prepare(doc, ContextCache()).document) == {PROV + "generatedAtTime"}


def test_unknown_prefixes_are_reported_not_invented() -> None:
    prepared = prepare({"@id": "http://example.org/a", "ex:thing": "x", "urn:isbn:123": "y"}, ContextCache())
    assert len(prepared.repairs) == 1 and "'ex'" in prepared.repairs[0] and "not a well-known prefix" in prepared.repairs[0]
    assert "ex" not in WELL_KNOWN_PREFIXES


def test_folder_lookup_by_host_path_before_file_name(ghent, tmp_path) -> None:
    """The DCAT catalogue names DCAT-AP-VL.jsonld; the corpus copy is DCAT-AP-VL-20.jsonld. A
    <host>/<path> copy resolves exactly that URL."""
    catalog = json.loads((ghent / "coghent_dcat_catalog.json").read_text("utf-8"))
    url = catalog["@context"][0]
    with pytest.raises(ContextError) as caught:
        prepare(catalog, ContextCache(ghent / "context"))
    assert caught.value.url == url and "'DCAT-AP-VL.jsonld'" in caught.value.hint
    exact = tmp_path / "data.vlaanderen.be" / url.split("data.vlaanderen.be/", 1)[1]
    exact.parent.mkdir(parents=True)
    shutil.copy(ghent / "context" / "DCAT-AP-VL-20.jsonld", exact)
    (tmp_path / "DCAT-AP-VL.jsonld").write_text('{"@context": {}}')  # the file-name match loses
    found = quads(prepare(catalog, ContextCache(tmp_path)).document)
    assert ("https://lodi.ilabt.imec.be/coghent/dmg/id/dataset/206d69c469151306d018140d6a5345e6",
            "http://www.w3.org/ns/dcat#Dataset") in {(q.subject.value, q.object.value) for q in found}


def test_fetched_contexts_are_cached_on_disk_for_offline_runs(ghent, tmp_path) -> None:
    member = members(ghent, "dmg-objecten")[0]
    with LocalServer() as server:
        for url in member["@context"][:-1]:
            name = url.rsplit("/", 1)[1]
            server.serve(f"/context/{name}", (ghent / "context" / name).read_bytes())
        local = copy.deepcopy(member)
        local["@context"] = [server.url("/context/" + u.rsplit("/", 1)[1]) for u in member["@context"][:-1]]
        local["@context"].append(member["@context"][-1])
        online = ContextCache(cache_dir=tmp_path / "cache", hosts=("127.0.0.1",),
                              fetch=lambda url: requests.get(url, timeout=10).content)
        fetched = prepare(local, online).document
        assert len(server.requests) == 6
        prepare(local, online)
        assert len(server.requests) == 6  # kept in memory
    offline = ContextCache(cache_dir=tmp_path / "cache")  # the server is gone
    assert prepare(local, offline).document == fetched
    assert len(list((tmp_path / "cache").iterdir())) == 6


def test_a_failing_fetch_names_the_context_and_the_folder_fix() -> None:
    def fetch(url: str) -> bytes:
        raise OSError("connection refused")

    with pytest.raises(ContextError) as caught:
        ContextCache(fetch=fetch, hosts=("example.org",)).get("https://example.org/ctx/oslo.jsonld")
    assert "connection refused" in str(caught.value) and "'oslo.jsonld'" in caught.value.hint


def test_the_context_in_unquoted_key_notation_is_read_leniently(ghent, caplog) -> None:
    cache = ContextCache(ghent / "context")
    with caplog.at_level(logging.WARNING):
        document = cache.get("https://data.vlaanderen.be/doc/applicatieprofiel/dossier/context/dossier-ap.jsonld")
    assert "not valid JSON" in caplog.text
    assert document["@context"]["Activiteit"] == "http://www.w3.org/ns/prov#Activity"


def test_broken_and_non_context_files_fail_naming_the_file(tmp_path) -> None:
    (tmp_path / "broken.jsonld").write_text('{"@context": {"a": ')
    (tmp_path / "plain.jsonld").write_text('{"a": "b"}')
    cache = ContextCache(tmp_path)
    with pytest.raises(ContextError, match=r"not JSON.*broken\.jsonld"):
        cache.get("https://example.org/broken.jsonld")
    with pytest.raises(ContextError, match="no top-level"):
        cache.get("https://example.org/plain.jsonld")


def test_relative_and_self_including_contexts(tmp_path) -> None:
    (tmp_path / "a.jsonld").write_text('{"@context": ["b.jsonld", {"x": "http://example.org/x"}]}')
    (tmp_path / "b.jsonld").write_text('{"@context": {"y": "http://example.org/y"}}')
    (tmp_path / "loop.jsonld").write_text('{"@context": "loop.jsonld"}')
    cache = ContextCache(tmp_path)
    doc = {"@context": "a.jsonld", "@id": "http://example.org/s", "x": "1", "y": "2"}
    assert predicates(prepare(doc, cache, base="https://example.org/data/page").document) == {
        "http://example.org/x", "http://example.org/y"}
    with pytest.raises(ContextError, match="includes itself"):
        prepare({"@context": "loop.jsonld"}, cache, base="https://example.org/")


def test_the_cache_is_a_document_loader(ghent) -> None:
    cache = ContextCache(ghent / "context")
    url = "https://apidg.gent.be/opendata/adlib2eventstream/v1/context/persoon-basis.jsonld"
    assert cache(url) is cache.get(url)
    with pytest.raises(LookupError):  # what oogst.mapping.profile.DocumentLoader promises
        cache("https://example.org/unknown.jsonld")
    pyld = pytest.importorskip("pyld.jsonld")
    member = members(ghent, "adlib-personen")[0]
    expanded = pyld.expand(prepare(member, cache).document)  # no loader needed once prepared
    assert DCT + "isVersionOf" in expanded[0]
    assert pyld.expand(member, {"documentLoader": cache.document_loader})  # plain pyld loader works too


def test_context_terms_finds_id_aliases() -> None:
    doc = {"@context": [{"id": "@id"}, {"name": {"@id": "http://schema.org/name"}}], "id": "http://example.org/a"}
    terms = context_terms(doc)
    assert terms["id"] == "@id" and "name" in terms
