"""The Harvester contract (``oogst.harvest.Harvester``): one suite that every registered
harvester passes, against a small source of its own served on 127.0.0.1.

A harvester declares ``protocol``, ``OPTIONS`` and its ``Cursor`` type; it is built from
``(feed, http, contexts=None, seen_in_run=None)``; it yields the feed's records and
checkpoints, the last one complete and carrying the next cursor; a run from that cursor
yields nothing new when nothing changed, and what changed when something did; a run resumed
from a checkpoint (after the state kept it as JSON) covers what the interrupted run did not
reach; an endpoint that cannot be reached, or answers 404, raises a ``HarvestError``, never a
bare ``requests`` or ``OSError`` exception; options it does not declare are refused by the core.

Every registered protocol must have a source in :data:`SOURCES`: a new harvester cannot skip
the suite. Where protocols differ, the source says so:

- ``cursor``: False when the complete checkpoint carries no cursor and the pipeline dates the
  run instead (``files``: dumps are read whole, there is no window);
- ``incremental``: False when a run from the cursor reads everything again (``files``);
  unchanged records then come back with the same bytes, so nothing is new;
- ``resume``: "page" when a resumed run goes on after its checkpoint (it may replay the page
  before it), "cursor" when checkpoints carry no position and a resumed run starts from its
  cursor again (``ldes``: the stream is read whole before any record is yielded).
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oogst.devtools.simulator import PartnerSimulator, SimRecord
from oogst.errors import HarvestError, UsageError
from oogst.harvest import get_harvester, protocols
from oogst.harvest.http import HttpClient, HttpPolicy
from oogst.jsonld import ContextCache
from oogst.pipeline import Oogst
from oogst.pipeline.feeds import PROFILE_KEYS
from oogst.records import Checkpoint, Cursor, Feed, SourceRecord
from oogst.settings import Settings

from .conftest import free_port
from .local_server import LocalServer


def client() -> HttpClient:
    return HttpClient(HttpPolicy(retries=2, backoff=0.01, connect_timeout=5, read_timeout=10), sleep=lambda s: None)


@dataclass
class Source:
    """A small source of one protocol, running on 127.0.0.1."""

    feed: Feed
    ids: set[str]  # the source ids it holds
    change: Callable[[], str]  # change one record at the source; returns its source id
    # delete one; None: the protocol cannot say so (the sweep after a full run notices)
    delete: Callable[[], str] | None = None
    cursor: bool = True
    incremental: bool = True
    resume: str = "page"  # "page" | "cursor" (see the module doc)
    contexts: ContextCache | None = None
    min_checkpoints: int = 3  # the source spans pages: at least this many checkpoints in a run


SOURCES: dict[str, Callable[[Path], Any]] = {}


def source(protocol: str):
    def register(factory):
        SOURCES[protocol] = contextmanager(factory)
        return factory
    return register


# -- OAI-PMH: the partner simulator ------------------------------------------------------------
def dc(n: int, title: str) -> bytes:
    return (f'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>'
            f"<dc:identifier>obj-{n}</dc:identifier></oai_dc:dc>").encode()


@source("oai-pmh")
def oai_source(tmp_path: Path) -> Iterator[Source]:
    ids = [f"oai:contract.example.org:{n}" for n in range(13)]
    with PartnerSimulator(page_size=5) as sim:
        sim.add_partner("contract", [SimRecord.build(sid, f"2024-01-01T00:00:{n:02d}Z", dc(n, f"Object {n}"))
                                     for n, sid in enumerate(ids)], format="oai_dc")

        def change() -> str:
            sim.update_record("contract", ids[4], dc(4, "Een nieuwe titel"))  # dated now
            return ids[4]

        def delete() -> str:
            sim.delete_record("contract", ids[7])  # a deleted header, dated now
            return ids[7]

        yield Source(Feed(name="contract-oai", protocol="oai-pmh", url=sim.endpoint("contract"), format="oai_dc",
                          options={"metadata_prefix": "oai_dc"}), set(ids), change, delete)


# -- LDES: a TREE view, an immutable and a mutable fragment, inline contexts --------------------
LDES_CONTEXT = {
    "tree": "https://w3id.org/tree#", "ldes": "https://w3id.org/ldes#", "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "tree:member": {"@type": "@id"}, "tree:node": {"@type": "@id"}, "dcterms:isVersionOf": {"@type": "@id"},
    "prov:generatedAtTime": {"@type": "xsd:dateTime"},
}
LDES_OBJECTS = 1100  # more than the harvester's progress interval (500), for checkpoints mid-run
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def member(n: int, version: int = 1) -> dict[str, Any]:
    when = (T0 + timedelta(seconds=n) if version == 1 else datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"@id": f"https://contract.example.org/obj/{n}/v{version}", "@type": "dcterms:Agent",
            "dcterms:isVersionOf": f"https://contract.example.org/obj/{n}", "prov:generatedAtTime": when,
            "dcterms:title": f"Object {n} versie {version}"}


def ldes_page(url: str, members: list[dict[str, Any]], links: list[str]) -> bytes:
    relations = [{"@type": "tree:Relation", "tree:node": link} for link in links]
    return json.dumps({"@context": LDES_CONTEXT, "@id": "https://contract.example.org/stream",
                       "@type": "ldes:EventStream", "tree:view": {"@id": url, "@type": "tree:Node",
                                                                  "tree:relation": relations},
                       "tree:member": members}).encode()


@source("ldes")
def ldes_source(tmp_path: Path) -> Iterator[Source]:
    immutable, mutable = {"Cache-Control": "public, max-age=604800, immutable"}, {"Cache-Control": "max-age=60"}
    with LocalServer() as server:
        view, a, b = server.url("/ldes"), server.url("/ldes/a"), server.url("/ldes/b")
        server.serve("/ldes", ldes_page(view, [], [a]), headers=mutable)
        server.serve("/ldes/a", ldes_page(a, [member(n) for n in range(600)], [b]), headers=immutable)
        newest = [member(n) for n in range(600, LDES_OBJECTS)]
        server.serve("/ldes/b", ldes_page(b, newest, []), headers=mutable)

        def change() -> str:
            server.serve("/ldes/b", ldes_page(b, [*newest, member(3, version=2)], []), headers=mutable)
            return "https://contract.example.org/obj/3"

        def delete() -> str:
            gone = {**member(5, version=2), "@type": "https://www.w3.org/ns/activitystreams#Delete"}
            server.serve("/ldes/b", ldes_page(b, [*newest, gone], []), headers=mutable)
            return "https://contract.example.org/obj/5"

        yield Source(Feed(name="contract-ldes", protocol="ldes", url=view, format="oslo-jsonld"),
                     {f"https://contract.example.org/obj/{n}" for n in range(LDES_OBJECTS)}, change, delete,
                     resume="cursor", contexts=ContextCache(), min_checkpoints=2)


# -- JSON API: pages linked by a next URL, a since parameter -----------------------------------
@source("json-api")
def json_api_source(tmp_path: Path) -> Iterator[Source]:
    items = [{"id": f"api-{n}", "title": f"Object {n}", "meta": {"modified": f"2024-01-{n + 1:02d}T12:00:00Z"}}
             for n in range(11)]

    def page(query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        since = query.get("modified_since")
        rows = [r for r in items if not since or r["meta"]["modified"] >= since]
        p = int(query.get("p", "1"))
        more = p * 4 < len(rows)
        nxt = f"/api?p={p + 1}" + (f"&modified_since={since}" if since else "") if more else None
        body = {"items": rows[(p - 1) * 4:p * 4], "links": {"next": nxt}, "total": len(rows)}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    with LocalServer() as server:
        server.handle("/api", page)

        def change() -> str:
            items[6] = {**items[6], "title": "Een nieuwe titel",
                        "meta": {"modified": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}}
            return "api-6"

        options = {"records_path": "items", "id_path": "id", "modified_path": "meta.modified", "paging": "next",
                   "next_path": "links.next", "since_param": "modified_since", "total_path": "total"}
        yield Source(Feed(name="contract-api", protocol="json-api", url=server.url("/api"), format="oslo-jsonld",
                          options=options), {r["id"] for r in items}, change)


# -- files: a zip of XML, JSON and JSON Lines, downloaded over HTTP ----------------------------
def lido(*ids: str, title: str = "Portret") -> str:
    records = "".join(f"<lido:lido><lido:lidoRecID>{i}</lido:lidoRecID><lido:title>{title}</lido:title></lido:lido>"
                      for i in ids)
    return f'<lido:lidoWrap xmlns:lido="http://www.lido-schema.org">{records}</lido:lidoWrap>'


def dump(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


@source("files")
def files_source(tmp_path: Path) -> Iterator[Source]:
    files = {
        "01-lido.xml": lido("L-1", "L-2", "L-3"),
        "02-objects.json": json.dumps({"objects": [{"nr": "J-1"}, {"nr": "J-2"}]}),
        "03-more.jsonl": '{"nr": "N-1"}\n{"nr": "N-2"}\n',
        "04-lido.xml": lido("L-4"),
        "readme.txt": "not a record",
    }
    with LocalServer() as server:
        server.serve("/dumps/export.zip", dump(files), content_type="application/zip")

        def change() -> str:
            server.serve("/dumps/export.zip", dump({**files, "04-lido.xml": lido("L-4", title="Nieuw")}),
                         content_type="application/zip")
            return "L-4"

        yield Source(Feed(name="contract-files", protocol="files", url=server.url("/dumps/export.zip"),
                          format="lido", options={"records_path": "objects", "id_path": "nr"}),
                     {"L-1", "L-2", "L-3", "J-1", "J-2", "N-1", "N-2", "L-4"}, change,
                     cursor=False, incremental=False)


# -- the fixtures -------------------------------------------------------------------------------
@pytest.fixture(params=protocols())
def protocol(request) -> str:
    return request.param


@pytest.fixture
def src(protocol: str, tmp_path: Path) -> Iterator[Source]:
    if protocol not in SOURCES:
        pytest.fail(f"harvest protocol {protocol!r} has no source in tests/test_harvester_contract.py: "
                    f"add one (@source({protocol!r})) so that it passes the harvester contract")
    with SOURCES[protocol](tmp_path) as made:
        yield made


def harvester(src: Source, feed: Feed | None = None):
    feed = feed or src.feed
    return get_harvester(feed.protocol)(feed, client(), contexts=src.contexts, seen_in_run=lambda ids: set())


def run(src: Source, checkpoint: Checkpoint | None = None, cursor: Cursor | str | None = None) -> list[Any]:
    return list(harvester(src).records(checkpoint, cursor))


def records(items: list[Any]) -> list[SourceRecord]:
    return [i for i in items if isinstance(i, SourceRecord)]


def ids(items: list[Any]) -> set[str]:
    return {r.source_id for r in records(items)}


def kept(checkpoint: Checkpoint, page: int) -> Checkpoint:
    """The checkpoint as the pipeline gives it back after keeping it in the state (as JSON)."""
    info = json.loads(json.dumps({**checkpoint.info, "page": page, "rescan": False}))
    info.pop("notes", None)
    return Checkpoint(checkpoint.token, checkpoint.window_from, checkpoint.response_date, info=info)


def next_cursor(src: Source, items: list[Any]) -> Cursor | None:
    """The final checkpoint's cursor, read back as the state keeps it."""
    final = items[-1]
    if final.cursor is None:
        return None
    kind = get_harvester(src.feed.protocol).Cursor
    return kind.from_dict(json.loads(json.dumps(final.cursor.as_dict())), src.feed.name)


# -- what a harvester declares -----------------------------------------------------------------
def test_every_registered_protocol_has_a_source() -> None:
    missing = sorted(set(protocols()) - set(SOURCES))
    assert not missing, f"no contract source for {missing}: add one to tests/test_harvester_contract.py"
    assert {"oai-pmh", "ldes", "json-api", "files"} <= set(protocols())


def test_declares_protocol_options_and_cursor(protocol: str) -> None:
    cls = get_harvester(protocol)
    assert cls.protocol == protocol
    assert isinstance(cls.OPTIONS, dict) and cls.OPTIONS
    assert all(isinstance(k, str) and k and isinstance(v, str) and v.strip() for k, v in cls.OPTIONS.items())
    assert not set(cls.OPTIONS) & set(PROFILE_KEYS), "profile keys given as options go to the profile"
    assert issubclass(cls.Cursor, Cursor) and dataclasses.is_dataclass(cls.Cursor)
    empty = cls.Cursor.from_dict({})  # nothing saved, or a cursor of an older version
    assert cls.Cursor.from_dict({**empty.as_dict(), "from_a_later_version": 1}) == empty
    assert cls.Cursor.from_dict(json.loads(json.dumps(empty.as_dict()))) == empty
    params = inspect.signature(cls.__init__).parameters
    assert list(params)[1:3] == ["feed", "http"]
    assert params["contexts"].default is None and params["seen_in_run"].default is None


# -- one run -------------------------------------------------------------------------------------
def test_a_run_yields_the_feeds_records_and_checkpoints(src: Source) -> None:
    cls = get_harvester(src.feed.protocol)
    items = run(src)
    assert all(isinstance(i, (SourceRecord, Checkpoint)) for i in items)
    recs = records(items)
    assert {r.source_id for r in recs} == src.ids and len(recs) == len(src.ids), "each record once"
    for r in recs:
        assert r.feed == src.feed.name and r.format == src.feed.format
        assert isinstance(r.source_id, str) and r.source_id and isinstance(r.payload, bytes) and r.payload
        assert r.error is None and not r.deleted and isinstance(r.media_type, str)
    marks = [i for i in items if isinstance(i, Checkpoint)]
    assert len(marks) >= src.min_checkpoints, "the source spans pages"
    assert isinstance(items[-1], Checkpoint) and items[-1].complete, "the last item is the complete checkpoint"
    assert not any(m.complete for m in marks[:-1]) and not any(m.cursor for m in marks[:-1])
    for m in marks:
        assert m.token is None or isinstance(m.token, str)
        json.dumps(m.info)  # the state keeps it as JSON
    final = items[-1]
    if src.cursor:
        assert isinstance(final.cursor, cls.Cursor)
        assert cls.Cursor.from_dict(json.loads(json.dumps(final.cursor.as_dict()))) == final.cursor
    else:
        assert final.cursor is None


def test_built_from_the_feed_and_a_client_alone_and_the_feed_stays_as_it_was(src: Source) -> None:
    feed = dataclasses.replace(src.feed, options=json.loads(json.dumps(src.feed.options)))
    items = list(get_harvester(feed.protocol)(feed, client()).records(None, None))
    assert ids(items) == src.ids and items[-1].complete
    assert feed == src.feed, "a harvester never changes its feed (it writes no state)"


def test_a_full_run_again_gives_the_same_bytes(src: Source) -> None:
    first, again = run(src), run(src)
    assert [(r.source_id, r.sha256) for r in records(first)] == [(r.source_id, r.sha256) for r in records(again)], \
        "unchanged records are recognised by their hash"


def test_a_run_from_the_cursor_yields_nothing_new_when_nothing_changed(src: Source) -> None:
    first = run(src)
    cursor = next_cursor(src, first)
    again = run(src, cursor=cursor)
    assert isinstance(again[-1], Checkpoint) and again[-1].complete
    before = {(r.source_id, r.sha256) for r in records(first)}
    assert {(r.source_id, r.sha256) for r in records(again)} <= before, "no new or changed record"
    if src.incremental:
        assert records(again) == [], "an incremental run asks only for what changed"
        if src.cursor:
            assert isinstance(again[-1].cursor, get_harvester(src.feed.protocol).Cursor)


def test_a_run_from_the_cursor_yields_what_changed(src: Source) -> None:
    first = run(src)
    cursor = next_cursor(src, first)
    changed = src.change()
    again = run(src, cursor=cursor)
    old = {r.source_id: r.sha256 for r in records(first)}
    new = {r.source_id: r.sha256 for r in records(again)}
    assert changed in new and new[changed] != old[changed]
    if src.incremental:
        assert set(new) == {changed}


def test_a_run_from_the_cursor_yields_what_was_deleted(src: Source) -> None:
    if src.delete is None:
        pytest.skip(f"{src.feed.protocol} has no deletions: the sweep after a full run withdraws what is gone")
    first = run(src)
    gone = src.delete()
    again = run(src, cursor=next_cursor(src, first))
    deleted = [r for r in records(again) if r.deleted]
    assert [r.source_id for r in deleted] == [gone]
    assert deleted[0].feed == src.feed.name and isinstance(deleted[0].payload, bytes)


def test_a_date_as_the_cursor(src: Source) -> None:
    """``cursor`` may be an ISO date: what changed since then (all of it from long ago)."""
    assert ids(run(src, cursor="2000-01-01T00:00:00Z")) == src.ids
    later = run(src, cursor=(datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert later[-1].complete
    if src.incremental:
        assert records(later) == []


def test_a_resumed_run_covers_what_the_interrupted_one_did_not_reach(src: Source) -> None:
    items = run(src)
    middle = [n for n, i in enumerate(items) if isinstance(i, Checkpoint) and not i.complete
              and records(items[:n]) and records(items[n:])]
    assert middle, "the source spans pages: a checkpoint with records before and after it"
    at = middle[len(middle) // 2]
    page = sum(isinstance(i, Checkpoint) for i in items[:at + 1])
    before, after = ids(items[:at]), ids(items[at:])
    resumed = run(src, checkpoint=kept(items[at], page))
    assert isinstance(resumed[-1], Checkpoint) and resumed[-1].complete
    got = ids(resumed)
    assert after <= got, "every record the interrupted run did not reach"
    assert before | got == src.ids
    if src.resume == "page":
        previous = max([n for n, i in enumerate(items[:at]) if isinstance(i, Checkpoint)], default=-1)
        assert got & before <= ids(items[previous + 1:at]), "at most the page before the checkpoint again"
    if src.cursor:
        assert isinstance(resumed[-1].cursor, get_harvester(src.feed.protocol).Cursor)


# -- faults ---------------------------------------------------------------------------------------
def test_an_unreachable_endpoint_is_a_harvest_error(src: Source) -> None:
    path = src.feed.url.split("/", 3)[3] if src.feed.url.count("/") >= 3 else ""
    feed = dataclasses.replace(src.feed, url=f"http://127.0.0.1:{free_port()}/{path}")
    with pytest.raises(HarvestError) as info:
        list(harvester(src, feed).records(None, None))
    assert info.value.feed == feed.name


def test_an_endpoint_that_answers_404_is_a_harvest_error(src: Source) -> None:
    with LocalServer() as nothing:  # every path answers 404
        feed = dataclasses.replace(src.feed, url=nothing.url("/gone"))
        with pytest.raises(HarvestError) as info:
            list(harvester(src, feed).records(None, None))
    assert info.value.feed == feed.name


# -- options, through the core -------------------------------------------------------------------
def test_the_core_takes_the_declared_options_and_refuses_others(src: Source, tmp_path: Path) -> None:
    cls = get_harvester(src.feed.protocol)
    with Oogst(Settings(data_dir=tmp_path / "data", contexts_fetch=False)) as core:
        with pytest.raises(UsageError) as info:
            core.add_feed("refused", src.feed.url, src.feed.format, protocol=src.feed.protocol,
                          options={**src.feed.options, "nope": "1"})
        assert "'nope'" in info.value.message
        assert all(key in info.value.hint for key in cls.OPTIONS), "the error names the known options"
        assert [f.name for f in core.list_feeds()] == [], "nothing is written"
        added = core.add_feed("taken", src.feed.url, src.feed.format, protocol=src.feed.protocol,
                              options=src.feed.options)
        assert added.options == src.feed.options and core.feed("taken").options == src.feed.options
        with pytest.raises(UsageError, match="nope"):
            core.edit_feed("taken", options={"nope": "1"})
        assert core.feed("taken").options == src.feed.options
