"""LDES harvesting against a local TREE server built from the Ghent corpus members.

The pages are made at test time from ``members-dmg-objecten.json``: a mutable view, two
immutable fragments and a mutable latest fragment, linked by ``tree:GreaterThanOrEqualToRelation``
on ``prov:generatedAtTime``, in both page styles seen in the wild (Ghent's ``@included`` +
``memberOf``, and the standard ``tree:member`` on the collection). Then a new fragment appears
and the second run must read only what is new. Contexts come from the corpus folder, offline.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from oogst import mapping
from oogst.errors import ConfigError
from oogst.harvest import create
from oogst.harvest.http import HttpClient, HttpPolicy
from oogst.harvest.ldes import LDES_ACCEPT, LdesCursor, LdesHarvester
from oogst.jsonld import ContextCache, ContextError, prepare
from oogst.records import Checkpoint, Feed, SourceRecord

from .local_server import LocalServer

COLLECTION = "https://stad.gent/id/dataset/dmg-objecten"
STANDARD_CONTEXT = {  # defines neither dcterms nor prov: the members' own contexts must be repaired
    "tree": "https://w3id.org/tree#",
    "ldes": "https://w3id.org/ldes#",
    "tree:member": {"@type": "@id"},
    "tree:node": {"@type": "@id"},
}
IMMUTABLE = {"Cache-Control": "public, max-age=604800, immutable"}
MUTABLE = {"Cache-Control": "public, max-age=60"}
DCT_IS_VERSION_OF = "http://purl.org/dc/terms/isVersionOf"


@pytest.fixture(scope="module")
def members(corpus: Path) -> list[dict[str, Any]]:
    found = json.loads((corpus / "ldes-gent" / "members-dmg-objecten.json").read_text("utf-8"))
    return sorted(found, key=lambda m: m["prov:generatedAtTime"])


@pytest.fixture(scope="module")
def page_context(corpus: Path) -> dict[str, Any]:
    return json.loads((corpus / "ldes-gent" / "dmg_ldes_tree_node_page.json").read_text("utf-8"))["@context"]


@pytest.fixture()
def contexts(corpus: Path) -> ContextCache:
    return ContextCache(corpus / "ldes-gent" / "context")  # offline: no fetch


def obj(member: dict[str, Any]) -> str:
    return member["dcterms:isVersionOf"]


def version(member: dict[str, Any], time: str, title: str | None = None) -> dict[str, Any]:
    """Another version of the member's object, generated at ``time``."""
    other = copy.deepcopy(member)
    other["@id"] = f"{obj(member)}/{time}"
    other["prov:generatedAtTime"] = time
    if title:
        other["MensgemaaktObject.titel"] = {"@value": title, "@language": "nl"}
    return other


def relation(node: str, value: str) -> dict[str, Any]:
    return {"@type": "tree:GreaterThanOrEqualToRelation", "tree:node": node,
            "tree:path": "prov:generatedAtTime", "tree:value": value}


def ghent_page(context: dict[str, Any], url: str, members: list[dict], relations: list[dict]) -> bytes:
    """Ghent's style: members in @included, linked by the reverse term memberOf."""
    page = {"@context": context, "@id": url, "@type": "tree:Node",
            "viewOf": {"@id": COLLECTION, "@type": "tree:Collection"},
            "@included": [{**m, "memberOf": COLLECTION} for m in members], "tree:relation": relations}
    return json.dumps(page).encode()


def standard_page(url: str, members: list[dict], relations: list[dict]) -> bytes:
    """The LDES specification's style: the collection with tree:member and tree:view."""
    page = {"@context": STANDARD_CONTEXT, "@id": COLLECTION, "@type": "ldes:EventStream",
            "tree:view": {"@id": url, "@type": "tree:Node", "tree:relation": relations}, "tree:member": members}
    return json.dumps(page).encode()


def harvest(feed: Feed, contexts: ContextCache, window_from: str | None) -> tuple[list[SourceRecord], Checkpoint]:
    items = list(LdesHarvester(feed, HttpClient(HttpPolicy(retries=1)), contexts=contexts).records(None, window_from))
    final = items[-1]
    assert isinstance(final, Checkpoint) and final.complete
    return [i for i in items if isinstance(i, SourceRecord)], final


def test_second_run_reads_only_the_new_fragment_and_emits_only_new_members(members, page_context, contexts) -> None:
    m = members
    older_5 = version(m[5], "2023-02-13T10:00:00.000Z", title="Een oudere titel")
    with LocalServer() as server:
        view, a, b, c, d = (server.url(p) for p in ("/dmg", "/dmg/a", "/dmg/b", "/dmg/c", "/dmg/d"))
        t = [x["prov:generatedAtTime"] for x in m]
        server.serve("/dmg", ghent_page(page_context, view, [], [relation(a, t[0])]), headers=MUTABLE)
        server.serve("/dmg/a", ghent_page(page_context, a, [m[0], m[1], m[2], older_5], [relation(b, t[3])]),
                     headers=IMMUTABLE)
        server.serve("/dmg/b", standard_page(b, m[3:7], [relation(c, t[7])]), headers=IMMUTABLE)
        server.serve("/dmg/c", ghent_page(page_context, c, m[7:9], []), headers=MUTABLE)
        feed = Feed(name="dmg", protocol="ldes", url=view, format="oslo-jsonld")

        records, final = harvest(feed, contexts, None)
        assert server.paths() == ["/dmg", "/dmg/a", "/dmg/b", "/dmg/c"]
        # one record per object, the latest version only: m[5], not its older version in fragment a
        assert sorted(r.source_id for r in records) == sorted(obj(x) for x in m[:9])
        by_object = {r.source_id: r for r in records}
        assert by_object[obj(m[5])].datestamp == m[5]["prov:generatedAtTime"]
        assert json.loads(by_object[obj(m[5])].payload)["@id"] == m[5]["@id"]
        assert all(r.format == "oslo-jsonld" and r.media_type == "application/ld+json" and not r.deleted
                   for r in records)
        state = final.cursor
        assert state.done == {a, b} and set(state.open) == {view, c}
        assert state.last == m[8]["prov:generatedAtTime"]

        # c fills up (a new version of m[2]'s object), becomes immutable and links a new fragment d
        newer_2 = version(m[2], "2023-02-14T09:00:00.000Z", title="Een nieuwe titel")
        newer_1 = version(m[1], "2023-02-15T09:00:00.000Z")
        server.serve("/dmg/c", ghent_page(page_context, c, [*m[7:9], newer_2], [relation(d, t[9])]),
                     headers=IMMUTABLE)
        server.serve("/dmg/d", standard_page(d, [m[9], newer_1], []), headers=MUTABLE)
        server.requests.clear()
        records, final = harvest(feed, contexts, final.cursor)
        assert server.paths() == ["/dmg", "/dmg/c", "/dmg/d"]  # not a or b: immutable, read before
        assert {r.source_id: r.datestamp for r in records} == {
            obj(m[2]): "2023-02-14T09:00:00.000Z", obj(m[9]): m[9]["prov:generatedAtTime"],
            obj(m[1]): "2023-02-15T09:00:00.000Z"}
        title = json.loads(next(r for r in records if r.source_id == obj(m[2])).payload)["MensgemaaktObject.titel"]
        assert title["@value"] == "Een nieuwe titel"

        # nothing new: only the view and the still mutable d are read, nothing is emitted
        server.requests.clear()
        records, final = harvest(feed, contexts, final.cursor)
        assert server.paths() == ["/dmg", "/dmg/d"]
        assert records == []
        assert final.cursor.done == {a, b, c}


def test_members_without_dcterms_prefix_are_repaired_and_payloads_stand_alone(members, contexts) -> None:
    with LocalServer() as server:
        view = server.url("/v")
        server.serve("/v", standard_page(view, members[:3], []))
        records, final = harvest(Feed(name="dmg", protocol="ldes", url=view, format="oslo-jsonld"), contexts, None)
    # without the repair, dcterms:isVersionOf would be the IRI <dcterms:isVersionOf> and the
    # object would be the version itself
    assert sorted(r.source_id for r in records) == sorted(obj(m) for m in members[:3])
    assert [n["code"] for n in final.info["notes"]] == ["jsonld-repair"]
    assert "'dcterms'" in final.info["notes"][0]["message"]
    # the payload is the member as received, the page's context first: it parses on its own
    payload = json.loads(records[0].payload)
    source = next(m for m in members if m["@id"] == payload["@id"])
    assert payload["@context"] == [STANDARD_CONTEXT, *source["@context"]]
    assert {k: v for k, v in payload.items() if k != "@context"} == {k: v for k, v in source.items()
                                                                     if k != "@context"}
    quads = ox.parse(json.dumps(prepare(payload, contexts).document), format=ox.RdfFormat.JSON_LD)
    assert [q.object.value for q in quads if q.predicate.value == DCT_IS_VERSION_OF] == [records[0].source_id]


def test_the_corpus_tree_page_is_read(corpus, contexts) -> None:
    """The real Ghent page: tree:LessThanRelation, tree:remainingItems, a member in @included whose
    contexts are the 2020 OSLO ones and whose dcterms prefix comes from the page."""
    page = json.loads((corpus / "ldes-gent" / "dmg_ldes_tree_node_page.json").read_text("utf-8"))
    with LocalServer() as server:
        page["tree:relation"][0]["tree:node"] = server.url("/older")  # keep the test off the internet
        server.serve("/newest", json.dumps(page).encode())
        server.serve("/older", json.dumps({"@context": page["@context"], "@id": server.url("/older"),
                                           "@type": "tree:Node"}).encode(), headers=IMMUTABLE)
        records, final = harvest(Feed(name="dmg", protocol="ldes", url=server.url("/newest"), format="oslo-jsonld"),
                                 contexts, None)
        assert server.paths() == ["/newest", "/older"]
    assert [(r.source_id, r.datestamp) for r in records] == [
        ("http://example.org/id/objecten/530026088", "2021-02-03T15:48:18.091Z")]
    assert final.info["notes"] == []


def test_pages_are_asked_for_as_json_ld(tmp_path) -> None:
    with LocalServer() as server:
        server.serve("/v", standard_page(server.url("/v"), [], []))
        harvest(Feed(name="dmg", protocol="ldes", url=server.url("/v"), format="oslo-jsonld"),
                ContextCache(tmp_path), None)
    assert [h.get("Accept") for h in server.headers] == [LDES_ACCEPT]
    assert LDES_ACCEPT.startswith("application/ld+json")


def test_a_plain_date_window_emits_only_members_from_then_on(members, contexts) -> None:
    with LocalServer() as server:
        server.serve("/v", standard_page(server.url("/v"), members, []))
        since = members[6]["prov:generatedAtTime"]
        records, _ = harvest(Feed(name="dmg", protocol="ldes", url=server.url("/v"), format="oslo-jsonld"),
                             contexts, since)
    assert sorted(r.source_id for r in records) == sorted(obj(m) for m in members[6:])


def test_delete_members_become_deleted_records(members, contexts) -> None:
    gone = {"@id": f"{obj(members[0])}/2023-03-01T00:00:00Z", "@type": "https://www.w3.org/ns/activitystreams#Delete",
            "dcterms:isVersionOf": {"@id": obj(members[0])}, "prov:generatedAtTime": "2023-03-01T00:00:00Z"}
    with LocalServer() as server:
        server.serve("/v", standard_page(server.url("/v"), [members[0], gone], []))
        records, _ = harvest(Feed(name="dmg", protocol="ldes", url=server.url("/v"), format="oslo-jsonld"),
                             contexts, None)
    assert [(r.source_id, r.deleted, r.datestamp) for r in records] == [
        (obj(members[0]), True, "2023-03-01T00:00:00Z")]


def test_a_mutable_fragment_that_is_gone_is_dropped(members, contexts, caplog) -> None:
    with LocalServer() as server:
        view, c = server.url("/v"), server.url("/c")
        server.serve("/v", standard_page(view, [], [relation(c, "2023")]))
        server.serve("/c", standard_page(c, members[:2], []))
        feed = Feed(name="dmg", protocol="ldes", url=view, format="oslo-jsonld")
        _, final = harvest(feed, contexts, None)
        server.serve("/v", standard_page(view, [], []))  # the server re-fragmented: c is gone
        del server.routes["/c"]
        with caplog.at_level(logging.WARNING):
            records, final = harvest(feed, contexts, final.cursor)
    assert records == [] and "is gone" in caplog.text
    assert set(final.cursor.open) == {view}


def test_a_missing_context_names_the_url_and_the_file_to_provide(members) -> None:
    with LocalServer() as server:
        server.serve("/v", standard_page(server.url("/v"), members[:1], []))
        feed = Feed(name="dmg", protocol="ldes", url=server.url("/v"), format="oslo-jsonld")
        with pytest.raises(ContextError) as caught:
            harvest(feed, ContextCache(), None)
    error = caught.value
    assert error.feed == "dmg" and error.url == members[0]["@context"][0]
    assert "not available offline" in str(error)
    assert "'cultureel-erfgoed-object-ap.jsonld'" in error.hint and "contexts_dir" in error.hint


def test_non_json_pages_and_unreadable_state_fail_clearly(contexts) -> None:
    with LocalServer() as server:
        server.serve("/v", b"<rdf:RDF/>", content_type="application/rdf+xml")
        feed = Feed(name="dmg", protocol="ldes", url=server.url("/v"), format="oslo-jsonld")
        with pytest.raises(Exception, match="not JSON .application/rdf.xml.") as caught:
            harvest(feed, contexts, None)
        assert caught.value.feed == "dmg"
    with pytest.raises(ConfigError, match="saved LdesCursor") as caught:
        LdesCursor.from_dict({"done": 5}, "dmg")
    assert "--full" in caught.value.hint


def test_the_registry_gives_ldes_harvesters_the_context_cache(contexts) -> None:
    feed = Feed(name="dmg", protocol="ldes", url="http://127.0.0.1:9/", format="oslo-jsonld")
    assert create(feed, HttpClient(), contexts=contexts).contexts is contexts


def test_ldes_members_reach_the_mapper_through_the_pipeline(members, page_context, corpus, tmp_path) -> None:
    if "oslo-jsonld" not in mapping.formats():
        pytest.skip("no mapper for format 'oslo-jsonld' yet (mapping/oslo_jsonld.py): "
                    "the harvester's output is tested above")
    from oogst.pipeline import Oogst
    from oogst.settings import Settings

    settings = Settings(data_dir=tmp_path, contexts_dir=str(corpus / "ldes-gent" / "context"), contexts_fetch=False)
    m = members
    with LocalServer() as server, Oogst(settings) as app:
        view, a, c = server.url("/v"), server.url("/a"), server.url("/c")
        t = [x["prov:generatedAtTime"] for x in m]
        server.serve("/v", ghent_page(page_context, view, [], [relation(a, t[0])]), headers=MUTABLE)
        server.serve("/a", ghent_page(page_context, a, m[:5], [relation(c, t[5])]), headers=IMMUTABLE)
        server.serve("/c", standard_page(c, m[5:8], []), headers=MUTABLE)
        app.add_feed("dmg", view, "oslo-jsonld", protocol="ldes")
        first = app.harvest("dmg")
        assert first.status == "complete", first.error
        assert first.counts["harvested"] == 8
        assert app.archive.stats("dmg")["records"] == 8
        assert first.counts["published"] + first.counts["quarantined"] == 8  # every member was mapped
        assert LdesCursor.from_dict(app.state.get_feed("dmg").cursor).done, "the LDES client state is the feed's cursor"

        server.serve("/c", standard_page(c, m[5:8], [relation(server.url("/d"), t[8])]), headers=IMMUTABLE)
        server.serve("/d", standard_page(server.url("/d"), m[8:], []), headers=MUTABLE)
        server.requests.clear()
        second = app.harvest("dmg")
        assert second.status == "complete", second.error
        assert server.paths() == ["/v", "/c", "/d"]
        assert second.counts["harvested"] == 2
