"""The event log behind the LDES: written with the record index, in one transaction.

Publications, changes and withdrawals (in a batch, by the sweep, by removing a feed) become
events; an unchanged record adds none; a batch whose index rows cannot be written leaves no
event either; a database from before the log migrates and marks its published records for a
first version; the search tree over the log pages and bounds correctly.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oogst.publish.ldes import Tree, version_of
from oogst.store.state import open_state
from oogst.store.state.sqlite import VERSION, State

from .test_state_contract import feed, old_database, row

G = "https://ex.org/graph/museum/{}"


def nt(source_id: str, title: str) -> str:
    obj = f"https://ex.org/id/{source_id}"
    return (f'<{obj}> <http://www.cidoc-crm.org/cidoc-crm/P102_has_title> "{title}"@nl .\n'
            f"<{obj}> <http://www.cidoc-crm.org/cidoc-crm/P50_has_current_keeper> <https://ex.org/org/hvl> .\n"
            f'<{G.format(source_id)}> <http://purl.org/dc/terms/modified> "{title}-time" .\n')


def publish(state: State, *items: tuple[str, str]) -> None:
    rows = [row(sid, graph_iri=G.format(sid)) for sid, _ in items]
    versions = {G.format(sid): version_of(G.format(sid), f"https://ex.org/id/{sid}", nt(sid, title))
                for sid, title in items}
    state.upsert_records(rows, versions)


@pytest.fixture
def state(tmp_path: Path, state_setting: dict[str, str]):
    s = open_state(state_setting.get("state") or tmp_path / "state.sqlite")
    s.add_feed(feed("museum"))
    yield s
    s.close()


def test_publications_changes_and_withdrawals_become_events_in_order(state: State) -> None:
    publish(state, ("a", "Een"), ("b", "Twee"))
    publish(state, ("a", "Een"))  # the same description again: no event
    publish(state, ("a", "Een, gewijzigd"))
    state.upsert_records([row("b", graph_iri=G.format("b"), state="withdrawn")])
    state.upsert_records([row("b", graph_iri=G.format("b"), state="withdrawn")])  # withdrawn twice: one tombstone
    events = state.events("all", None, 1, 100)
    assert [(e["source_id"], e["kind"]) for e in events] == [("a", "published"), ("b", "published"),
                                                           ("a", "published"), ("b", "withdrawn")]
    assert [e["id"] for e in events] == [1, 2, 3, 4]
    times = [e["at"] for e in events]
    assert times == sorted(times) and len(set(times)) == 4 and all(t.endswith("Z") for t in times)
    assert '"Een, gewijzigd"@nl' in events[2]["ntriples"] and events[3]["ntriples"] is None
    assert events[0]["provider"] == "https://ex.org/org/hvl" == events[3]["provider"]
    assert [e["feed_seq"] for e in events] == [1, 2, 3, 4] and state.event_count("feed", "museum") == 4
    assert state.event_count("provider", "https://ex.org/org/hvl") == 4


def test_a_description_that_only_changes_its_provenance_adds_no_event(state: State) -> None:
    publish(state, ("a", "Een"))
    graph = G.format("a")
    again = nt("a", "Een").replace('"Een-time"', '"later"')
    state.upsert_records([row("a", graph_iri=graph)], {graph: version_of(graph, "https://ex.org/id/a", again)})
    assert state.event_count() == 1


def test_the_sweep_and_a_removed_feed_leave_tombstones(state: State) -> None:
    publish(state, ("a", "Een"), ("b", "Twee"), ("c", "Drie"))
    state.withdraw("museum", ["a"], run_id=2)
    state.remove_feed("museum")
    kinds = [(e["source_id"], e["kind"]) for e in state.events("all", None, 1, 100)]
    assert kinds[3:] == [("a", "withdrawn"), ("b", "withdrawn"), ("c", "withdrawn")]


def test_a_batch_that_cannot_be_written_leaves_no_event(state: State) -> None:
    publish(state, ("a", "Een"))
    bad = [row("b", graph_iri=G.format("b")), {"feed": "museum", "source_id": "c"}]  # c lacks its columns
    with pytest.raises(Exception):  # noqa: B017  (whatever the database says)
        state.upsert_records(bad, {G.format("b"): version_of(G.format("b"), None, nt("b", "Twee"))})
    assert state.event_count() == 1 and state.get_record("museum", "b") is None


def test_an_older_database_migrates_and_marks_its_records_for_a_first_version(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    old_database(path, columns=True, user_version=1)
    state = State(path)
    try:
        assert state.events_backfill_pending() and state.event_count() == 0
        record = state.get_record("museum", "a")
        graph = record["graph_iri"]
        n = state.backfill_events([{**record, "state": "published"}],
                                  {graph: version_of(graph, record["object_iri"], nt("a", "Een"))}, done=True)
        assert n == 1 and not state.events_backfill_pending()
    finally:
        state.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == VERSION >= 6


@pytest.mark.parametrize("total", [0, 1, 5, 6, 14, 15, 16, 45, 46, 200])
def test_the_search_tree_covers_every_event_once(total: int) -> None:
    tree = Tree(total, page_size=5, fanout=3)
    pages: list[tuple[int, int]] = []
    stack = list(tree.children())
    assert len(stack) <= 3
    while stack:
        node = stack.pop()
        assert tree.exists(*node)
        kids = tree.children(*node)
        if node[0] == 0:
            pages.append(node)
        stack += kids
    covered = [p for level, index in sorted(pages) for p in range(tree.first(0, index),
                                                                    min(tree.last(0, index), total) + 1)]
    assert covered == list(range(1, total + 1))
    # complete (immutable) pages are full and followed by a later event
    for level, index in pages:
        assert tree.complete(level, index) == (tree.last(level, index) < total)


def _page(broken: str | None = None) -> str:
    from oogst.publish import ldes

    view = ldes.View("all", None, "http://127.0.0.1:8000/ldes", "https://ex.org/id/stream", "test")
    tree = Tree(12, 5, 3)
    events = [{"feed": "museum", "source_id": sid, "object_iri": f"https://ex.org/id/{sid}",
               "at": f"2024-05-01T10:00:0{n}.000000Z", "kind": "published", "ntriples": nt(sid, sid)}
              for n, sid in enumerate("ab")]
    page = ldes.Page(view, (0, 0), ldes.node_url(view, 0, 0), tree, members=events)
    root = ldes.Page(view, None, view.url, tree, first_time="2024-05-01T10:00:00.000000Z",
                     relations=[{"url": ldes.node_url(view, 0, 0), "from": "2024-05-01T10:00:00.000000Z",
                                 "until": "2024-05-01T11:00:00.000000Z", "items": 5}])
    text = ldes.nquads(root) + ldes.nquads(page)
    if broken == "member":
        text = "\n".join(line for line in text.splitlines() if "generatedAtTime> \"2024-05-01T10:00:01" not in line)
    elif broken == "relation":
        text += "<http://127.0.0.1:8000/ldes#relation-0-from> <https://w3id.org/tree#node> <http://x.org/other> .\n"
    elif broken == "retention":
        text += ('<http://127.0.0.1:8000/ldes#retention> <https://w3id.org/ldes#versionAmount> '
                 '"0"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    elif broken == "time":
        text = text.replace('"2024-05-01T11:00:00.000000Z"', '"2024-05-01T11:00:00"')
    return text


@pytest.mark.parametrize("broken", [None, "member", "relation", "retention", "time"])
def test_the_ldes_tree_shapes_accept_a_good_page_and_refuse_broken_ones(broken: str | None) -> None:
    import pyshacl
    import rdflib

    from .test_ldes_publish import SHAPES

    data = rdflib.Dataset()
    data.parse(data=_page(broken), format="nquads")
    union = rdflib.Graph()
    for s, p, o, _g in data.quads((None, None, None, None)):
        union.add((s, p, o))
    conforms, _, text = pyshacl.validate(union, shacl_graph=str(SHAPES), advanced=True)
    assert conforms == (broken is None), text


def test_event_bodies_are_zstd_and_older_zlib_ones_still_read() -> None:
    """Bodies are compressed with zstd (a fifth of zlib's CPU in the mapping workers); a data
    dir written before holds zlib bodies, which read the same."""
    import zlib

    from oogst.store.state.events import body_text, compress_body

    text = nt("r1", "Zelfportret — Autoportrait é ü") * 20
    body = compress_body(text)
    assert body[:4] == b"\x28\xb5\x2f\xfd" and len(body) < len(text.encode("utf-8")) / 4
    assert body_text(body) == text
    assert body_text(zlib.compress(text.encode("utf-8"), 6)) == text
