"""The StateStore contract (``oogst.store.state.StateStore``): every implementation passes
these — feeds, runs, checkpoints, the record index, concurrent writers and persistence.

An implementation joins by adding ``(id, factory)`` to :data:`IMPLEMENTATIONS`. A factory
takes the test's ``tmp_path`` and returns an *opener*: a function that opens a new
connection to one and the same empty state each time it is called (so that a test can close
it and open it again, or open two at once, like two processes would). A factory whose server
is not there calls ``pytest.skip`` with the reason, like the store contract's servers::

    def postgresql(tmp_path):
        url = os.environ.get("OOGST_TEST_POSTGRESQL") or pytest.skip("no PostgreSQL: set OOGST_TEST_POSTGRESQL")
        schema = fresh_schema(url)
        return lambda: PostgresState(url, schema=schema)

The migration of SQLite databases of earlier versions is tested at the end (SQLite only).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from oogst.errors import ConfigError, NotFoundError, StoreError
from oogst.harvest import cursor_of
from oogst.harvest.ldes import LdesCursor
from oogst.records import RUN_COUNTS, Feed, WindowCursor
from oogst.store.state import StateStore
from oogst.store.state.sqlite import VERSION, State

Opener = Callable[[], StateStore]


def sqlite_on_disk(tmp_path: Path) -> Opener:
    return lambda: State(tmp_path / "state" / "state.db")


def postgresql(tmp_path: Path) -> Opener:
    """A fresh schema of the PostgreSQL the tests start (skips saying what is missing)."""
    from .servers import fresh_schema, shared_postgresql

    url = shared_postgresql()
    schema = fresh_schema(url)
    from oogst.store.state.postgres import PostgresState

    return lambda: PostgresState(url, schema=schema)


IMPLEMENTATIONS: list[tuple[str, Callable[[Path], Opener]]] = [
    ("sqlite", sqlite_on_disk),
    ("postgresql", postgresql),
]


@pytest.fixture(params=[factory for _id, factory in IMPLEMENTATIONS], ids=[i for i, _f in IMPLEMENTATIONS])
def opener(request, tmp_path: Path) -> Iterator[Opener]:
    opened: list[StateStore] = []
    make = request.param(tmp_path)

    def open_() -> StateStore:
        state = make()
        opened.append(state)
        return state

    yield open_
    for state in opened:
        try:
            state.close()
        except Exception:  # noqa: BLE001 - closed by the test already
            pass


@pytest.fixture
def state(opener: Opener) -> StateStore:
    return opener()


def feed(name: str = "museum", protocol: str = "oai-pmh", **kw: Any) -> Feed:
    return Feed(name=name, protocol=protocol, url=f"https://{name}.example.org/oai", format="lido", **kw)


def row(source_id: str, feed: str = "museum", *, run_id: int = 1, state: str = "published",
        published: bool | None = None, **kw: Any) -> dict[str, Any]:
    """One row of the record index, as the batch room writes it."""
    return {"feed": feed, "source_id": source_id, "record_id": f"{feed}/{source_id}",
            "graph_iri": f"https://ex.org/graph/{feed}/{source_id}", "object_iri": f"https://ex.org/id/{source_id}",
            "label": f"Object {source_id}", "datestamp": "2024-05-01T10:00:00Z", "state": state,
            "published": state == "published" if published is None else published, "hash": f"sha-{source_id}",
            "run_id": run_id, "report": {"record": source_id, "conforms": True, "findings": []}, **kw}


def finding(rule: str, severity: str = "violation", path: str = "https://ex.org/p/title") -> dict[str, Any]:
    return {"rule": rule, "severity": severity, "path": path, "source_path": "lido:titleSet",
            "message": {"nl": "ontbreekt", "en": "missing"}, "value": None}


# -- feeds ---------------------------------------------------------------------------------------
def test_add_get_and_list_feeds(state: StateStore) -> None:
    added = state.add_feed(feed("zeta", set_spec="schilderijen", options={"metadata_prefix": "oai_lido"},
                                profile={"language": "nl", "value_maps": {"type": {"schilderij": "painting"}}},
                                owner="Museum Zeta", schedule="daily 02:00"))
    assert added.created_at and added.updated_at
    state.add_feed(feed("alfa", protocol="ldes"))
    state.add_feed(feed("midden", protocol="json-api"))
    got = state.get_feed("zeta")
    assert (got.name, got.protocol, got.url, got.format, got.set_spec, got.status) == (
        "zeta", "oai-pmh", "https://zeta.example.org/oai", "lido", "schilderijen", "active")
    assert got.options == {"metadata_prefix": "oai_lido"}
    assert got.profile == {"language": "nl", "value_maps": {"type": {"schilderij": "painting"}}}
    assert got.cursor == {} and got.owner == "Museum Zeta" and got.schedule == "daily 02:00"
    assert (got.last_error, got.failures) == (None, 0)
    assert [f.name for f in state.list_feeds()] == ["alfa", "midden", "zeta"], "ordered by name"


def test_a_feed_name_is_taken_once(state: StateStore) -> None:
    state.add_feed(feed("museum"))
    with pytest.raises(ConfigError, match="exists already") as info:
        state.add_feed(feed("museum", protocol="ldes"))
    assert not isinstance(info.value, NotFoundError) and info.value.feed == "museum"
    assert state.get_feed("museum").protocol == "oai-pmh", "the first one stays as it was"
    assert len(state.list_feeds()) == 1


def test_an_unknown_feed_is_not_found_and_the_error_names_the_known_ones(state: StateStore) -> None:
    with pytest.raises(NotFoundError) as info:
        state.get_feed("nergens")
    assert info.value.feed == "nergens" and "none yet" in (info.value.hint or "")
    state.add_feed(feed("kustlicht"))
    state.add_feed(feed("hof-van-leie"))
    with pytest.raises(NotFoundError) as info:
        state.get_feed("nergens")
    assert "hof-van-leie" in info.value.hint and "kustlicht" in info.value.hint
    assert info.value.code == "not_found"
    with pytest.raises(NotFoundError):
        state.update_feed("nergens", status="paused")
    with pytest.raises(NotFoundError):
        state.remove_feed("nergens")


def test_update_feed_columns_and_json_columns(state: StateStore) -> None:
    state.add_feed(feed())
    before = state.get_feed("museum")
    cursor = {"done": ["https://ex.org/a"], "open": {"https://ex.org/b": ["m1", "m2"]}, "last": "2024-05-01T10:00:00Z"}
    updated = state.update_feed("museum", status="failing", last_error="HTTP 503", failures=3,
                                options={"metadata_prefix": "lido"}, profile={"language": "en", "extra": [1, 2]},
                                cursor=cursor, owner="Stad", schedule="weekly mon 03:00",
                                url="https://new.example.org/oai",
                                format="oai_dc", set_spec="fotos")
    assert updated == state.get_feed("museum"), "update_feed returns the feed as stored"
    assert (updated.status, updated.last_error, updated.failures) == ("failing", "HTTP 503", 3)
    assert updated.options == {"metadata_prefix": "lido"}
    assert updated.profile == {"language": "en", "extra": [1, 2]}
    assert updated.cursor == cursor and updated.owner == "Stad" and updated.schedule == "weekly mon 03:00"
    assert (updated.url, updated.format, updated.set_spec) == ("https://new.example.org/oai", "oai_dc", "fotos")
    assert updated.created_at == before.created_at and updated.updated_at >= before.updated_at
    cleared = state.update_feed("museum", last_error=None, set_spec=None, cursor={})
    assert (cleared.last_error, cleared.set_spec, cleared.cursor) == (None, None, {})
    assert cleared.options == {"metadata_prefix": "lido"}, "columns not given stay"


def test_credentials_are_kept_apart_replaced_and_forgotten_with_the_feed(state: StateStore) -> None:
    state.add_feed(feed("museum"))
    state.add_feed(feed("archief"))
    assert state.get_credentials("museum") is None
    state.set_credentials("museum", "harvester", "hunter2")
    state.set_credentials("museum", "harvester", "hunter3")  # replaced
    state.set_credentials("archief", "a", "")
    assert state.get_credentials("museum") == ("harvester", "hunter3") and state.get_credentials("archief") == ("a", "")
    assert "hunter3" not in repr(state.get_feed("museum").as_dict())
    with pytest.raises(NotFoundError):
        state.set_credentials("nergens", "x", "y")
    state.set_credentials("archief", None)
    assert state.get_credentials("archief") is None
    state.remove_feed("museum")
    state.add_feed(feed("museum"))
    assert state.get_credentials("museum") is None


def test_update_feed_refuses_unknown_columns(state: StateStore) -> None:
    state.add_feed(feed())
    for column in ("created_at", "updated_at", "config", "next_from", "nope"):
        with pytest.raises(ConfigError, match=column):
            state.update_feed("museum", **{column: "x"})
    assert state.get_feed("museum").name == "museum"


def test_the_typed_cursor_round_trips_through_the_feed(state: StateStore) -> None:
    state.add_feed(feed("oai"))
    state.add_feed(feed("stream", protocol="ldes"))
    window = WindowCursor("2024-05-01T10:00:00Z")
    ldes = LdesCursor(frozenset({"https://ex.org/a", "https://ex.org/b"}), {"https://ex.org/c": ["m1"]},
                      "2024-05-01T10:00:00.123Z")
    state.update_feed("oai", cursor=window.as_dict())
    state.update_feed("stream", cursor=ldes.as_dict())
    assert cursor_of(state.get_feed("oai")) == window and state.get_feed("oai").next_from == "2024-05-01T10:00:00Z"
    assert cursor_of(state.get_feed("stream")) == ldes


def test_remove_feed_returns_the_published_graphs_and_forgets_everything_of_it(state: StateStore) -> None:
    state.add_feed(feed("museum"))
    state.add_feed(feed("archief"))
    run = state.start_run("museum", "full", None)
    other = state.start_run("archief", "full", None)
    state.upsert_records([row("a", run_id=run), row("b", run_id=run), row("q", run_id=run, state="quarantined"),
                          row("w", run_id=run, state="withdrawn")])
    state.upsert_records([row("a", feed="archief", run_id=other)])
    state.save_checkpoint("museum", run, "token", None, None)
    state.save_checkpoint("archief", other, "t2", None, None)
    graphs = state.remove_feed("museum")
    assert sorted(graphs) == ["https://ex.org/graph/museum/a", "https://ex.org/graph/museum/b"]
    assert [f.name for f in state.list_feeds()] == ["archief"]
    assert state.runs("museum") == [] and state.last_run("museum") is None
    with pytest.raises(NotFoundError):
        state.get_run(run)
    assert state.get_checkpoint("museum") is None
    assert state.get_record("museum", "a") is None and state.find_record("museum/a") is None
    assert state.counts("museum") == {"published": 0, "quarantined": 0, "withdrawn": 0, "known": 0}
    # the other feed keeps all it had
    assert state.get_record("archief", "a") is not None and state.get_checkpoint("archief")["token"] == "t2"
    assert state.get_run(other)["feed"] == "archief"
    # the name can be used again, from scratch
    state.add_feed(feed("museum"))
    assert state.live_count("museum") == 0


# -- runs ----------------------------------------------------------------------------------------
def test_start_a_run(state: StateStore) -> None:
    run_id = state.start_run("museum", "incremental", "2024-05-01T10:00:00Z", live_before=41)
    run = state.get_run(run_id)
    assert isinstance(run_id, int)
    assert (run["id"], run["feed"], run["mode"], run["status"]) == (run_id, "museum", "incremental", "running")
    assert run["window_from"] == "2024-05-01T10:00:00Z" and run["live_before"] == 41
    assert run["started_at"] and run["finished_at"] is None and run["response_date"] is None
    assert all(run[k] == 0 for k in RUN_COUNTS) and run["notes"] == [] and run["error"] is None
    assert state.start_run("museum", "full", None) > run_id, "run ids grow"
    assert state.get_run(state.start_run("museum", "full", None))["live_before"] is None


def test_run_counts_add_up_and_notes_append(state: StateStore) -> None:
    run_id = state.start_run("museum", "full", None)
    state.add_run_counts(run_id, harvested=10, published=7, quarantined=2)
    state.add_run_counts(run_id, harvested=5, published=5, failed=1)
    state.add_run_counts(run_id)  # nothing to add
    state.add_run_counts(run_id, withdrawn=3, unchanged=4)
    run = state.get_run(run_id)
    assert {k: run[k] for k in RUN_COUNTS} == {"harvested": 15, "published": 12, "quarantined": 2,
                                               "withdrawn": 3, "unchanged": 4, "failed": 1}
    with pytest.raises(ConfigError, match="nope"):
        state.add_run_counts(run_id, harvested=1, nope=1)
    assert state.get_run(run_id)["harvested"] == 15, "nothing added when a name is unknown"
    state.add_run_notes(run_id, [{"code": "identify", "message": "Identify is unusable"}])
    state.add_run_notes(run_id, [])
    state.add_run_notes(run_id, [{"code": "damaged-record", "message": "ongeldig teken é", "record": "r1"},
                                 {"code": "sweep", "message": "withdrew 3"}])
    assert [n["code"] for n in state.get_run(run_id)["notes"]] == ["identify", "damaged-record", "sweep"]
    assert state.get_run(run_id)["notes"][1]["message"] == "ongeldig teken é"


def test_finish_a_run(state: StateStore) -> None:
    run_id = state.start_run("museum", "full", None)
    state.add_run_notes(run_id, [{"code": "a", "message": "first"}])
    state.finish_run(run_id, "failed", error="HTTP 503", response_date="2024-05-01T10:00:00Z",
                     notes=[{"code": "b", "message": "second"}])
    run = state.get_run(run_id)
    assert (run["status"], run["error"], run["response_date"]) == ("failed", "HTTP 503", "2024-05-01T10:00:00Z")
    assert run["finished_at"] and [n["code"] for n in run["notes"]] == ["a", "b"]
    state.reopen_run(run_id)
    reopened = state.get_run(run_id)
    assert (reopened["status"], reopened["finished_at"], reopened["error"]) == ("running", None, None)
    assert reopened["response_date"] == "2024-05-01T10:00:00Z" and len(reopened["notes"]) == 2
    state.finish_run(run_id, "complete")  # no response date given: the one it has stays
    done = state.get_run(run_id)
    assert (done["status"], done["error"], done["response_date"]) == ("complete", None, "2024-05-01T10:00:00Z")
    state.finish_run(run_id, "complete", response_date="2024-06-01T00:00:00Z")
    assert state.get_run(run_id)["response_date"] == "2024-06-01T00:00:00Z"


def test_interrupt_runs_marks_the_running_runs_of_one_feed(state: StateStore) -> None:
    a = state.start_run("museum", "full", None)
    b = state.start_run("museum", "incremental", "2024-01-01")
    done = state.start_run("museum", "full", None)
    state.finish_run(done, "complete")
    other = state.start_run("archief", "full", None)
    assert state.interrupt_runs("museum") == 2
    for run_id in (a, b):
        run = state.get_run(run_id)
        assert run["status"] == "interrupted" and run["finished_at"] and run["error"]
    assert state.get_run(done)["status"] == "complete"
    assert state.get_run(other)["status"] == "running", "another feed's run is not touched"
    assert state.interrupt_runs("museum") == 0
    assert state.interrupt_runs("nergens") == 0


def test_an_unknown_run_is_not_found(state: StateStore) -> None:
    with pytest.raises(NotFoundError):
        state.get_run(424242)
    state.start_run("museum", "full", None)
    with pytest.raises(NotFoundError) as info:
        state.get_run(424242)
    assert info.value.code == "not_found"


def test_last_run_and_the_runs_of_a_feed_newest_first(state: StateStore) -> None:
    assert state.last_run("museum") is None and state.runs("museum") == []
    ids = [state.start_run("museum", "full", None) for _ in range(5)]
    state.start_run("archief", "full", None)
    assert state.last_run("museum")["id"] == ids[-1]
    assert [r["id"] for r in state.runs("museum")] == ids[::-1]
    assert [r["id"] for r in state.runs("museum", limit=2)] == ids[:-3:-1]
    assert all(r["feed"] == "museum" and isinstance(r["notes"], list) for r in state.runs("museum"))


# -- checkpoints ---------------------------------------------------------------------------------
def test_save_get_and_clear_a_checkpoint(state: StateStore) -> None:
    assert state.get_checkpoint("museum") is None
    run_id = state.start_run("museum", "full", None)
    state.save_checkpoint("museum", run_id, "token-1", None, "2024-05-01T10:00:00Z")
    first = state.get_checkpoint("museum")
    assert (first["feed"], first["run_id"], first["token"], first["window_from"], first["response_date"]) == (
        "museum", run_id, "token-1", None, "2024-05-01T10:00:00Z")
    assert first["info"] == {} and first["updated_at"]
    info = {"verb": "ListRecords", "page": 2, "rescan": False, "completeListSize": 41,
            "notes": [{"code": "x", "message": "é"}]}
    state.save_checkpoint("museum", run_id, "token-2", "2024-01-01", "2024-05-01T10:00:00Z", info)
    second = state.get_checkpoint("museum")
    assert (second["token"], second["window_from"], second["info"]) == ("token-2", "2024-01-01", info)
    state.save_checkpoint("museum", run_id, None, None, None)  # one per feed: the newest replaces it
    assert state.get_checkpoint("museum")["token"] is None
    state.save_checkpoint("archief", state.start_run("archief", "full", None), "other", None, None)
    state.clear_checkpoint("museum")
    assert state.get_checkpoint("museum") is None and state.get_checkpoint("archief")["token"] == "other"
    state.clear_checkpoint("museum")  # nothing to clear is fine


# -- the record index ----------------------------------------------------------------------------
def test_upsert_inserts_and_reads_back(state: StateStore) -> None:
    report = {"record": "a", "conforms": False, "findings": [finding("acceptance:titel")]}
    state.upsert_records([row("a", report=report, quarantined="<s> <p> <o> .", state="quarantined"),
                          row("b", report=None, object_iri=None, label=None, datestamp=None, hash=None)])
    a = state.get_record("museum", "a")
    assert (a["feed"], a["source_id"], a["record_id"], a["graph_iri"], a["object_iri"], a["label"]) == (
        "museum", "a", "museum/a", "https://ex.org/graph/museum/a", "https://ex.org/id/a", "Object a")
    assert (a["state"], a["published"], a["hash"], a["run_id"]) == ("quarantined", False, "sha-a", 1)
    assert a["report"] == report and a["quarantined"] == "<s> <p> <o> ." and a["updated_at"]
    assert a["datestamp"] == "2024-05-01T10:00:00Z" and a["withdrawn_at"] is None
    b = state.get_record("museum", "b")
    assert b["report"] is None and b["object_iri"] is None and b["published"] is True
    assert state.find_record("museum/a") == a
    assert state.get_record("museum", "nergens") is None and state.find_record("museum/nergens") is None
    assert state.get_record("archief", "a") is None


def test_upsert_updates_and_keeps_object_iri_and_label_when_the_new_row_has_none(state: StateStore) -> None:
    state.upsert_records([row("a")])
    state.upsert_records([row("a", run_id=2, state="quarantined", object_iri=None, label=None, hash="sha-2",
                              report={"record": "a", "conforms": False, "findings": [finding("r")]},
                              quarantined="<x> <y> <z> .")])
    a = state.get_record("museum", "a")
    assert (a["object_iri"], a["label"]) == ("https://ex.org/id/a", "Object a"), "kept from the earlier row"
    assert (a["state"], a["published"], a["hash"], a["run_id"]) == ("quarantined", False, "sha-2", 2)
    assert a["report"]["conforms"] is False and a["quarantined"] == "<x> <y> <z> ."
    state.upsert_records([row("a", run_id=3, object_iri="https://ex.org/id/a2", label="Nieuw", report=None)])
    a = state.get_record("museum", "a")
    assert (a["object_iri"], a["label"], a["state"], a["published"]) == ("https://ex.org/id/a2", "Nieuw",
                                                                          "published", True)
    assert a["report"] is None and a["quarantined"] is None, "the new row's values, None included"
    assert state.counts("museum")["known"] == 1


def test_a_batch_is_written_whole_or_not_at_all(state: StateStore) -> None:
    state.upsert_records([row("a")])
    broken = {k: v for k, v in row("c").items() if k != "graph_iri"}
    with pytest.raises(Exception):  # noqa: B017, PT011 - any error, as long as nothing is half-written
        state.upsert_records([row("a", run_id=2, state="quarantined"), row("b"), broken])
    assert state.get_record("museum", "a")["state"] == "published" and state.get_record("museum", "b") is None
    state.upsert_records([row("b")])
    assert state.counts("museum")["known"] == 2, "the state carries on"


def test_records_by_objects(state: StateStore) -> None:
    shared = "https://ex.org/id/shared"
    state.upsert_records([row("a", object_iri=shared), row("b", object_iri="https://ex.org/id/b")])
    state.upsert_records([row("x", feed="archief", object_iri=shared)])
    found = state.records_by_objects([shared, "https://ex.org/id/nergens", shared])
    assert list(found) == [shared]
    assert sorted((r["feed"], r["source_id"]) for r in found[shared]) == [("archief", "x"), ("museum", "a")]
    assert all(isinstance(r["published"], bool) for r in found[shared])
    many = [f"https://ex.org/id/{n}" for n in range(1200)] + ["https://ex.org/id/b"]
    assert [r["source_id"] for r in state.records_by_objects(many)["https://ex.org/id/b"]] == ["b"]


def test_known_records_in_chunks(state: StateStore) -> None:
    state.upsert_records([row(f"r{n:04d}", hash=f"h{n}", state="quarantined" if n % 7 == 0 else "published")
                          for n in range(1200)])
    state.upsert_records([row("r0001", feed="archief", hash="other")])
    asked = [f"r{n:04d}" for n in range(0, 1300)]  # 100 of them unknown, > 500 per chunk
    known = state.known_records("museum", asked)
    assert len(known) == 1200 and "r1250" not in known
    assert known["r0001"] == {"hash": "h1", "state": "published", "published": True, "run_id": 1}
    assert known["r0007"] == {"hash": "h7", "state": "quarantined", "published": False, "run_id": 1}
    assert state.known_records("museum", []) == {}
    assert state.known_records("nergens", asked) == {}


def test_mark_seen_returns_duplicates_across_pages(state: StateStore) -> None:
    state.upsert_records([row(f"r{n:04d}") for n in range(1100)])
    run_id = 7
    page1 = [f"r{n:04d}" for n in range(0, 600)]
    assert state.mark_seen("museum", run_id, 1, page1) == []
    assert state.mark_seen("museum", run_id, 1, page1[:3]) == [], "the same page again is no duplicate"
    page2 = [f"r{n:04d}" for n in range(598, 1100)]  # r0598, r0599 came on page 1 already
    assert sorted(state.mark_seen("museum", run_id, 2, page2)) == ["r0598", "r0599"]
    assert state.mark_seen("museum", run_id + 1, 1, page1[:2]) == [], "another run starts afresh"
    assert state.mark_seen("museum", run_id, 3, []) == []
    assert state.mark_seen("museum", run_id, 3, ["not-indexed"]) == []


def test_seen_in_run(state: StateStore) -> None:
    state.upsert_records([row(f"r{n:04d}") for n in range(1100)])
    state.upsert_records([row("r0001", feed="archief")])
    state.mark_seen("museum", 5, 1, [f"r{n:04d}" for n in range(0, 1100, 2)])
    state.mark_seen("archief", 5, 1, ["r0001"])
    asked = [f"r{n:04d}" for n in range(1100)] + ["not-indexed"]
    assert state.seen_in_run("museum", 5, asked) == {f"r{n:04d}" for n in range(0, 1100, 2)}
    assert state.seen_in_run("museum", 6, asked) == set()
    assert state.seen_in_run("museum", 5, []) == set()


def test_live_count_sweep_candidates_and_withdraw(state: StateStore) -> None:
    state.upsert_records([row("a"), row("b"), row("c", state="quarantined"), row("d"), row("gone", state="withdrawn")])
    state.upsert_records([row("x", feed="archief")])
    assert state.live_count("museum") == 4 and state.live_count("archief") == 1 and state.live_count("nergens") == 0
    run_id = state.start_run("museum", "full", None, live_before=4)
    state.mark_seen("museum", run_id, 1, ["a", "c", "gone"])
    seen, unseen = state.sweep_candidates("museum", run_id)
    assert seen == 2, "live records the run delivered (a withdrawn one does not count)"
    assert sorted((u["source_id"], u["graph_iri"]) for u in unseen) == [
        ("b", "https://ex.org/graph/museum/b"), ("d", "https://ex.org/graph/museum/d")]
    state.withdraw("museum", [u["source_id"] for u in unseen], run_id)
    for sid in ("b", "d"):
        rec = state.get_record("museum", sid)
        assert (rec["state"], rec["published"], rec["run_id"]) == ("withdrawn", False, run_id)
        assert rec["withdrawn_at"] and rec["graph_iri"] == f"https://ex.org/graph/museum/{sid}"
    assert state.live_count("museum") == 2
    assert state.sweep_candidates("museum", run_id) == (2, [])
    assert state.get_record("archief", "x")["state"] == "published", "another feed is not swept"
    state.withdraw("museum", [], run_id)
    # a withdrawn record that comes back is live again
    state.upsert_records([row("b", run_id=run_id + 1)])
    rec = state.get_record("museum", "b")
    assert (rec["state"], rec["published"], rec["withdrawn_at"]) == ("published", True, None)
    assert state.live_count("museum") == 3


def test_list_records_pages_by_record_id_with_state_filters(state: StateStore) -> None:
    rows = [row(f"p{n:03d}") for n in range(120)]
    rows += [row(f"q{n}", state="quarantined") for n in range(3)]
    rows += [row("qp", state="quarantined", published=True)]  # an older version is still published
    rows += [row(f"w{n}", state="withdrawn") for n in range(2)]
    state.upsert_records(rows)
    state.upsert_records([row(f"a{n}", feed="archief") for n in range(5)])

    def walk(**kw: Any) -> list[str]:
        out, after = [], None
        while True:
            page = state.list_records(after=after, limit=50, **kw)
            assert len(page) <= 50
            out += [r["record_id"] for r in page]
            if len(page) < 50:
                return out
            after = page[-1]["record_id"]

    published = walk(feed="museum")  # the default: state="published" means the published flag
    assert published == sorted(published) and len(published) == 121 and "museum/qp" in published
    assert walk(feed="museum", state="quarantined") == ["museum/q0", "museum/q1", "museum/q2", "museum/qp"]
    assert walk(feed="museum", state="withdrawn") == ["museum/w0", "museum/w1"]
    assert len(walk(feed="museum", state=None)) == 126
    assert len(walk()) == 126, "every feed"
    assert walk(feed="archief") == [f"archief/a{n}" for n in range(5)]
    assert walk(state=None) == sorted(walk(state=None)) and len(walk(state=None)) == 131
    first = state.list_records(feed="museum", limit=3)
    assert [r["record_id"] for r in first] == ["museum/p000", "museum/p001", "museum/p002"]
    assert isinstance(first[0]["published"], bool) and isinstance(first[0]["report"], dict)
    assert state.list_records(feed="museum", after="museum/w1", state=None) == []
    assert state.list_records(feed="nergens") == []


def test_counts(state: StateStore) -> None:
    zero = {"published": 0, "quarantined": 0, "withdrawn": 0, "known": 0}
    assert state.counts() == zero and state.counts("museum") == zero
    state.upsert_records([row("a"), row("b"), row("q", state="quarantined"),
                          row("qp", state="quarantined", published=True), row("w", state="withdrawn")])
    state.upsert_records([row("a", feed="archief")])
    assert state.counts("museum") == {"published": 3, "quarantined": 2, "withdrawn": 1, "known": 5}
    assert state.counts("archief") == {"published": 1, "quarantined": 0, "withdrawn": 0, "known": 1}
    assert state.counts() == {"published": 4, "quarantined": 2, "withdrawn": 1, "known": 6}
    assert all(isinstance(v, int) for v in state.counts().values())


def test_rule_counts_over_the_stored_reports(state: StateStore) -> None:
    def report(sid: str, *found: dict[str, Any]) -> dict[str, Any]:
        conforms = not any(f["severity"] == "violation" for f in found)
        return {"record": sid, "conforms": conforms, "findings": list(found)}

    title, rights = finding("acceptance:titel"), finding("acceptance:rechten", path="https://ex.org/p/rights")
    note = finding("oslo:beschrijving", severity="warning")
    state.upsert_records([
        row("d", state="quarantined", report=report("d", title, title, rights)),  # one rule broken twice
        row("b", state="quarantined", report=report("b", title)),
        row("a", state="quarantined", report=report("a", title, note)),
        row("c", report=report("c", note)),
        row("e", report=report("e")),
        row("f", report=None),
        row("w", state="withdrawn", report=report("w", title, rights)),  # withdrawn: left out
    ])
    state.upsert_records([row("x", feed="archief", report=report("x", title))])
    rules = {(r["rule"], r["severity"]): r for r in state.rule_counts("museum")}
    assert set(rules) == {("acceptance:titel", "violation"), ("acceptance:rechten", "violation"),
                          ("oslo:beschrijving", "warning")}
    titel = rules["acceptance:titel", "violation"]
    assert (titel["records"], titel["findings"]) == (3, 4)
    assert (titel["path"], titel["source_path"]) == ("https://ex.org/p/title", "lido:titleSet")
    assert [e["record"] for e in titel["examples"]] == ["a", "b", "d"], "the first examples by source id"
    assert titel["examples"][0] == {"record": "a", "label": "Object a", "finding": title}
    assert (rules["acceptance:rechten", "violation"]["records"], rules["acceptance:rechten", "violation"]["path"]) == (
        1, "https://ex.org/p/rights")
    assert rules["oslo:beschrijving", "warning"]["records"] == 2
    two = {r["rule"]: r for r in state.rule_counts("museum", examples=2)}
    assert [e["record"] for e in two["acceptance:titel"]["examples"]] == ["a", "b"]
    assert two["acceptance:titel"]["records"] == 3, "examples limit only the examples"
    warnings = state.rule_counts("museum", severity="warning")
    assert [(r["rule"], r["records"], r["findings"]) for r in warnings] == [("oslo:beschrijving", 2, 2)]
    assert state.rule_counts("museum", severity="info") == []
    assert state.rule_counts("nergens") == []


# -- many writers, and what stays ----------------------------------------------------------------
# -- delivery: the OAI-PMH items, the delivery columns, media, tiers ------------------------------------
def oai_walk(state: StateStore, limit: int = 40, **kw: Any) -> list[str]:
    """Every OAI-PMH item of a selection, page by page (row-value keyset on updated_at, record_id)."""
    out, after = [], None
    while page := state.oai_records(after=after, limit=limit, **kw):
        assert len(page) <= limit
        out += [r["record_id"] for r in page]
        after = (page[-1]["updated_at"], page[-1]["record_id"])
    return out


def test_oai_items_are_the_records_that_were_once_published(state: StateStore) -> None:
    state.upsert_records([row("a"), row("b"), row("never", state="quarantined"), row("gone-early", state="withdrawn"),
                          row("qp", state="quarantined", published=True), row("back")])
    run_id = state.start_run("museum", "full", None)
    state.withdraw("museum", ["b"], run_id)
    state.upsert_records([row("back", state="withdrawn"), row("later", state="quarantined")])
    state.upsert_records([row("back", state="quarantined")])  # withdrawn, then delivered again but invalid
    items = {r["record_id"]: r for r in state.oai_records(limit=100)}
    assert set(items) == {"museum/a", "museum/b", "museum/qp", "museum/back"}, "never published: never announced"
    assert {k: v["published"] for k, v in items.items()} == {"museum/a": True, "museum/b": False, "museum/qp": True,
                                                             "museum/back": False}
    assert all(set(r) >= {"record_id", "feed", "updated_at", "published", "provider_set"} for r in items.values())
    assert state.get_record("museum", "never")["ever_published"] is False
    assert state.get_record("museum", "b")["ever_published"] is True
    assert state.oai_count() == 4 and state.oai_count(feed="museum") == 4 and state.oai_count(feed="x") == 0
    assert state.oai_earliest() == min(r["updated_at"] for r in items.values())


def test_oai_lists_page_by_datestamp_and_record_id_with_counts(state: StateStore) -> None:
    state.upsert_records([row(f"r{n:03d}", provider=f"P{n % 3}", provider_set=f"p{n % 3}", edm=n % 2,
                              tiers={"metadata": "A"}) for n in range(90)])
    state.upsert_records([row(f"s{n}", feed="archief") for n in range(5)])
    first = sorted(r["updated_at"] for r in state.oai_records(limit=1000))[0]
    time.sleep(1.1)  # seconds granularity: a later datestamp
    state.upsert_records([row("r000", provider="P0", provider_set="p0", edm=1), row("late", edm=None)])
    run_id = state.start_run("museum", "full", None)
    state.withdraw("museum", ["r001"], run_id)

    everything = oai_walk(state)
    assert len(everything) == len(set(everything)) == 96
    assert everything[-3:] == ["museum/late", "museum/r000", "museum/r001"], "changed records move to the end"
    assert everything == oai_walk(state, limit=7) and state.oai_count() == 96
    edm = oai_walk(state, edm=True)
    assert "museum/r001" in edm, "a deleted record is listed in every format"
    assert "museum/late" not in edm and "museum/r002" not in edm and "museum/r003" in edm
    assert state.oai_count(edm=True) == len(edm) == 1 + 1 + 44 - 1 + 1  # r000, r001 (deleted), odd ones
    assert oai_walk(state, feed="archief") == [f"archief/s{n}" for n in range(5)]
    assert oai_walk(state, provider="p0") == [r for r in everything if r.startswith("museum/r")
                                              and int(r[-3:]) % 3 == 0]
    assert state.oai_count(provider="p0") == 30 and state.oai_count(any_provider=True) == 90
    later = state.get_record("museum", "r000")["updated_at"]
    assert oai_walk(state, start=later) == ["museum/late", "museum/r000", "museum/r001"]
    before = set(everything) - {"museum/late", "museum/r000", "museum/r001"}
    assert state.oai_count(until=first) == 93 and set(oai_walk(state, until=first)) == before
    assert state.oai_count(start=later, feed="archief") == 0
    page = state.oai_records(limit=2, after=(state.get_record("museum", "r050")["updated_at"], "museum/r050"))
    assert [r["record_id"] for r in page] == ["museum/r051", "museum/r052"]


def test_oai_sets_and_the_count_cache_follow_other_connections(opener: Opener) -> None:
    one, two = opener(), opener()
    assert one.oai_sets() == ([], []) and one.oai_earliest() is None and one.oai_count() == 0
    two.upsert_records([row("a", provider="Museum Hof van Leie", provider_set="museum-hof-van-leie"),
                        row("b", feed="archief"), row("q", feed="stil", state="quarantined")])
    assert one.oai_count() == 2, "a write by another connection is seen at once"
    assert one.oai_sets() == (["archief", "museum"], [("museum-hof-van-leie", "Museum Hof van Leie")])


def test_the_delivery_columns_follow_the_published_version(state: StateStore) -> None:
    tiers = {"metadata": "B", "content": 2, "ceiling": 4, "gaps": ["content-image-size"]}
    state.upsert_records([row("a", provider="P", provider_set="p", edm=1, tiers=tiers), row("b")])
    a = state.get_record("museum", "a")
    assert (a["provider"], a["provider_set"], a["edm"], a["tiers"]) == ("P", "p", 1, tiers)
    state.upsert_records([row("a", state="quarantined", published=True)])  # the old version stays published
    assert state.get_record("museum", "a")["edm"] == 1 and state.get_record("museum", "a")["tiers"] == tiers
    assert [r["record_id"] for r in state.delivery_stale()] == ["museum/b"], "b's is not known yet"
    assert state.delivery_stale("archief") == [] and len(state.delivery_stale(limit=1)) == 1
    stale = state.delivery_stale("museum")[0]
    assert set(stale) >= {"record_id", "feed", "graph_iri", "updated_at"}
    assert state.set_delivery([{**stale, "provider": "Q", "provider_set": "q", "edm": 0,
                                "tiers": {"refused": [{"rule": "edm:no-rights"}]}}]) == 1
    assert state.get_record("museum", "b")["edm"] == 0 and state.delivery_stale() == []
    assert state.set_delivery([{**stale, "updated_at": "1999-01-01T00:00:00Z", "edm": 1}]) == 0, \
        "a record that changed meanwhile keeps what its new version brought"
    assert state.mark_delivery_stale("museum") == 2 and len(state.delivery_stale()) == 2
    assert state.get_record("museum", "a")["provider"] == "P", "kept until worked out again"
    run_id = state.start_run("museum", "full", None)
    state.withdraw("museum", ["a"], run_id)
    assert state.get_record("museum", "a")["provider_set"] == "p", "a deleted header keeps its sets"
    assert state.mark_delivery_stale("museum", touch=True) == 1
    state.upsert_records([row("a", provider="R", provider_set="r", edm=1)])  # published again
    assert state.get_record("museum", "a")["provider"] == "R"


def test_media_information_per_url(state: StateStore) -> None:
    assert state.get_media(["https://ex.org/a.jpg"]) == {}
    state.put_media({"https://ex.org/a.jpg": {"mime": "image/jpeg", "width": 1200, "height": 800, "size": 90_000,
                                              "available": True},
                     "https://ex.org/gone.jpg": {"available": False}})
    found = state.get_media(["https://ex.org/a.jpg", "https://ex.org/gone.jpg", "https://ex.org/other.jpg"])
    assert found["https://ex.org/a.jpg"] | {"checked_at": None} == {
        "mime": "image/jpeg", "width": 1200, "height": 800, "size": 90_000, "available": True, "checked_at": None}
    assert found["https://ex.org/gone.jpg"]["available"] is False and "https://ex.org/other.jpg" not in found
    state.put_media({"https://ex.org/gone.jpg": {"mime": "image/png", "width": 10, "height": 10, "available": True}})
    assert state.get_media(["https://ex.org/gone.jpg"])["https://ex.org/gone.jpg"]["available"] is True
    assert len(state.get_media([f"https://ex.org/{n}" for n in range(1200)] + ["https://ex.org/a.jpg"])) == 1


def test_tier_summary_counts_the_edm_records(state: StateStore) -> None:
    gaps = lambda *codes: list(codes)  # noqa: E731
    state.upsert_records([
        row("a", edm=1, tiers={"metadata": "C", "content": 4, "ceiling": 4, "gaps": []}),
        row("b", edm=1, tiers={"metadata": "A", "content": 0, "ceiling": 4,
                               "gaps": gaps("metadata-language", "content-image-dimensions")}),
        row("c", edm=1, tiers={"metadata": "A", "content": 0, "ceiling": 2, "gaps": gaps("content-image-dimensions")}),
        row("d", edm=0, tiers={"refused": [{"rule": "edm:no-rights", "nl": "geen rechten", "en": "no rights"}]}),
        row("e"), row("q", state="quarantined", edm=1, tiers={"metadata": "C"}), row("x", feed="archief", edm=1)])
    summary = state.tier_summary("museum")
    assert {k: summary[k] for k in ("published", "edm", "not_edm", "unknown")} == {
        "published": 5, "edm": 3, "not_edm": 1, "unknown": 1}
    assert summary["content"] == {"0": 2, "4": 1} and summary["content_ceiling"] == {"2": 1, "4": 2}
    assert summary["metadata"] == {"A": 2, "C": 1}
    assert summary["gaps"] == [{"code": "content-image-dimensions", "records": 2, "example": "museum/b"},
                               {"code": "metadata-language", "records": 1, "example": "museum/b"}]
    assert [(r["rule"], r["records"], r["example"], r["finding"]["en"]) for r in summary["refused"]] == [
        ("edm:no-rights", 1, "museum/d", "no rights")]
    assert state.tier_summary("nergens")["published"] == 0


def test_concurrent_writers_from_threads(state: StateStore) -> None:
    state.add_feed(feed())
    run_id = state.start_run("museum", "full", None)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                sid = f"t{n}-{i:02d}"
                state.upsert_records([row(sid, run_id=run_id)])
                state.add_run_counts(run_id, harvested=1, published=1)
                state.add_run_notes(run_id, [{"code": "w", "message": sid}])
                state.mark_seen("museum", run_id, n, [sid])
                state.save_checkpoint("museum", run_id, sid, None, None, {"n": n})
                assert state.get_record("museum", sid)["source_id"] == sid
                state.known_records("museum", [sid])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    run = state.get_run(run_id)
    assert (run["harvested"], run["published"], len(run["notes"])) == (150, 150, 150)
    assert state.counts("museum")["known"] == 150 and state.sweep_candidates("museum", run_id) == (150, [])
    assert state.get_checkpoint("museum")["token"].startswith("t")


def test_two_connections_write_at_once(opener: Opener) -> None:
    """Two connections to one state (two processes, or two machines on one server)."""
    first, second = opener(), opener()
    first.add_feed(feed())
    run_id = first.start_run("museum", "full", None)
    errors: list[BaseException] = []

    def writer(state: StateStore, prefix: str) -> None:
        try:
            for i in range(40):
                state.upsert_records([row(f"{prefix}{i}", run_id=run_id)])
                state.add_run_counts(run_id, harvested=1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s, p)) for s, p in ((first, "x"), (second, "y"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert second.get_run(run_id)["harvested"] == 80 and first.counts()["known"] == 80
    assert second.get_feed("museum").name == "museum"


def test_everything_stays_after_close_and_reopen(opener: Opener) -> None:
    state = opener()
    state.add_feed(feed(options={"metadata_prefix": "lido"}, profile={"language": "nl"}))
    state.update_feed("museum", cursor=WindowCursor("2024-05-01T10:00:00Z").as_dict(), status="failing", failures=2)
    run_id = state.start_run("museum", "full", None, live_before=3)
    state.add_run_counts(run_id, harvested=3)
    state.add_run_notes(run_id, [{"code": "n", "message": "kept"}])
    state.save_checkpoint("museum", run_id, "tok", None, "2024-05-01T10:00:00Z", {"page": 2})
    state.upsert_records([row("a", run_id=run_id, report={"record": "a", "conforms": False,
                                                          "findings": [finding("r")]}), row("b", run_id=run_id)])
    state.mark_seen("museum", run_id, 1, ["a"])
    state.close()

    again = opener()
    got = again.get_feed("museum")
    assert (got.options, got.profile, got.cursor, got.status, got.failures) == (
        {"metadata_prefix": "lido"}, {"language": "nl"}, {"since": "2024-05-01T10:00:00Z"}, "failing", 2)
    run = again.get_run(run_id)
    assert (run["status"], run["harvested"], run["live_before"], run["notes"][0]["message"]) == (
        "running", 3, 3, "kept")
    assert again.get_checkpoint("museum")["info"] == {"page": 2}
    assert again.get_record("museum", "a")["report"]["findings"][0]["rule"] == "r"
    assert again.seen_in_run("museum", run_id, ["a", "b"]) == {"a"}
    assert again.counts("museum")["known"] == 2
    assert again.interrupt_runs("museum") == 1


# -- SQLite: opening and migrating databases -----------------------------------------------------
def test_an_unopenable_state_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "state.db").mkdir()  # a folder where the file should be
    with pytest.raises(StoreError, match="cannot open the state database"):
        State(tmp_path / "state.db")


# The first release's schema (user_version 0); the databases of 8339122 also have the
# columns of its MIGRATIONS (failures, live_before, info, seen_run, seen_page).
V0_SCHEMA = """
CREATE TABLE feeds (name TEXT PRIMARY KEY, protocol TEXT NOT NULL, url TEXT NOT NULL, format TEXT NOT NULL,
    set_spec TEXT, status TEXT NOT NULL DEFAULT 'active', config TEXT NOT NULL DEFAULT '{}', last_error TEXT,
    next_from TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, feed TEXT NOT NULL, mode TEXT NOT NULL,
    status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, window_from TEXT, response_date TEXT,
    harvested INTEGER NOT NULL DEFAULT 0, published INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0, withdrawn INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, error TEXT,
    notes TEXT NOT NULL DEFAULT '[]');
CREATE INDEX runs_feed ON runs (feed, id);
CREATE TABLE checkpoints (feed TEXT PRIMARY KEY, run_id INTEGER NOT NULL, token TEXT, window_from TEXT,
    response_date TEXT, updated_at TEXT NOT NULL);
CREATE TABLE records (feed TEXT NOT NULL, source_id TEXT NOT NULL, record_id TEXT NOT NULL UNIQUE,
    object_iri TEXT, graph_iri TEXT NOT NULL, label TEXT, datestamp TEXT, state TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0, hash TEXT, run_id INTEGER, report TEXT, quarantined TEXT,
    updated_at TEXT NOT NULL, withdrawn_at TEXT, PRIMARY KEY (feed, source_id));
CREATE INDEX records_state ON records (state, feed);
CREATE INDEX records_object ON records (object_iri);
"""
V1_COLUMNS = """
ALTER TABLE feeds ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN live_before INTEGER;
ALTER TABLE checkpoints ADD COLUMN info TEXT NOT NULL DEFAULT '{}';
ALTER TABLE records ADD COLUMN seen_run INTEGER;
ALTER TABLE records ADD COLUMN seen_page INTEGER;
"""
T = "2024-05-01T10:00:00Z"
LDES_STATE = {"ldes": 1, "last": "2023-02-14T09:00:00.000Z", "open": {"https://ex.org/dmg": [],
              "https://ex.org/dmg/c": ["https://ex.org/m/9"]}, "done": ["https://ex.org/dmg/a", "https://ex.org/dmg/b"]}


def old_database(path: Path, *, columns: bool, user_version: int) -> None:
    db = sqlite3.connect(path)
    db.executescript(V0_SCHEMA + (V1_COLUMNS if columns else ""))
    feeds = [
        ("museum", "oai-pmh", "lido", {"metadata_prefix": "oai_lido", "language": "nl", "default_rights":
                                       "http://rightsstatements.org/vocab/InC/1.0/", "provider_name": "Hof van Leie",
                                       "provider_iri": "https://ex.org/org/hvl"}, "2024-05-01T10:00:00Z"),
        ("stream", "ldes", "oslo-jsonld", {"version_of_path": "http://purl.org/dc/terms/isVersionOf"},
         json.dumps(LDES_STATE)),
        ("api", "json-api", "oslo-jsonld", {"records_path": "items", "language": "fr"}, None),
        ("dump", "files", "lido", {}, ""),
    ]
    for name, protocol, fmt, config, next_from in feeds:
        db.execute("INSERT INTO feeds (name, protocol, url, format, set_spec, status, config, last_error, next_from,"
                   " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (name, protocol, "https://harvester:p%40ss@api.example.org/" if name == "api" else
                    f"https://{name}.example.org/", fmt, "schilderijen" if name == "museum" else None,
                    "failing" if name == "api" else "active", json.dumps(config), "HTTP 503" if name == "api" else None,
                    next_from, T, T))
    db.execute("INSERT INTO runs (feed, mode, status, started_at, finished_at, harvested, published, notes)"
               " VALUES ('museum', 'full', 'complete', ?, ?, 41, 40, ?)",
               (T, T, json.dumps([{"code": "x", "message": "y"}])))
    db.execute("INSERT INTO runs (feed, mode, status, started_at) VALUES ('museum', 'incremental', 'running', ?)", (T,))
    db.execute("INSERT INTO checkpoints (feed, run_id, token, window_from, response_date, updated_at)"
               " VALUES ('museum', 2, 'tok', ?, ?, ?)", (T, T, T))
    report = json.dumps({"record": "a", "conforms": False, "findings": [finding("acceptance:titel")]})
    db.execute("INSERT INTO records (feed, source_id, record_id, object_iri, graph_iri, label, state, published, hash,"
               " run_id, report, updated_at) VALUES ('museum', 'a', 'museum/a', 'https://ex.org/id/a',"
               " 'https://ex.org/g/a', 'A', 'quarantined', 1, 'h', 1, ?, ?)", (report, T))
    db.execute(f"PRAGMA user_version = {user_version}")
    db.commit()
    db.close()


@pytest.mark.parametrize(("columns", "user_version"), [(False, 0), (True, 0), (True, 1)],
                         ids=["first-release", "8339122", "version-1"])
def test_an_older_database_opens_and_migrates(tmp_path: Path, columns: bool, user_version: int) -> None:
    path = tmp_path / "state.db"
    old_database(path, columns=columns, user_version=user_version)
    state = State(path)
    try:
        museum = state.get_feed("museum")
        assert museum.options == {"metadata_prefix": "oai_lido"}, "protocol keys become options"
        assert museum.profile == {"language": "nl", "default_rights": "http://rightsstatements.org/vocab/InC/1.0/",
                                  "provider_name": "Hof van Leie", "provider_iri": "https://ex.org/org/hvl"}
        assert museum.cursor == {"since": "2024-05-01T10:00:00Z"} and museum.next_from == "2024-05-01T10:00:00Z"
        assert cursor_of(museum) == WindowCursor("2024-05-01T10:00:00Z")
        assert (museum.set_spec, museum.owner, museum.schedule, museum.failures) == ("schilderijen", None, None, 0)

        stream = state.get_feed("stream")
        assert stream.options == {"version_of_path": "http://purl.org/dc/terms/isVersionOf"} and stream.profile == {}
        assert stream.cursor == {k: LDES_STATE[k] for k in ("done", "open", "last")}
        assert cursor_of(stream) == LdesCursor(frozenset(LDES_STATE["done"]), LDES_STATE["open"], LDES_STATE["last"])
        assert stream.next_from is None

        api = state.get_feed("api")
        assert (api.options, api.profile, api.cursor) == ({"records_path": "items"}, {"language": "fr"}, {})
        assert (api.status, api.last_error) == ("failing", "HTTP 503")
        assert api.url == "https://api.example.org/" and state.get_credentials("api") == ("harvester", "p@ss")
        assert state.get_feed("dump").cursor == {} and cursor_of(state.get_feed("dump")) is None

        # the other tables keep what they held and have the new columns
        runs = state.runs("museum")
        assert [(r["status"], r["harvested"], r["live_before"]) for r in runs] == [("running", 0, None),
                                                                                  ("complete", 41, None)]
        assert runs[1]["notes"] == [{"code": "x", "message": "y"}]
        assert state.get_checkpoint("museum")["info"] == {} and state.get_checkpoint("museum")["token"] == "tok"
        assert state.get_record("museum", "a")["report"]["findings"][0]["rule"] == "acceptance:titel"
        assert [r["rule"] for r in state.rule_counts("museum")] == ["acceptance:titel"]
        state.mark_seen("museum", 2, 1, ["a"])
        assert state.seen_in_run("museum", 2, ["a"]) == {"a"}
        # … and take the new ones
        state.update_feed("museum", owner="Hof van Leie", schedule="daily 02:00")
        state.add_feed(feed("nieuw", options={"metadata_prefix": "lido"}))
    finally:
        state.close()

    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
    columns_now = {r[1] for r in db.execute("PRAGMA table_info(feeds)")}
    assert {"options", "profile", "cursor", "owner", "schedule"} <= columns_now
    assert not {"config", "next_from"} & columns_now
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    again = State(path)  # opening a migrated database again changes nothing
    try:
        assert again.get_feed("museum").owner == "Hof van Leie"
        assert again.get_feed("stream").cursor["last"] == LDES_STATE["last"]
        assert [f.name for f in again.list_feeds()] == ["api", "dump", "museum", "nieuw", "stream"]
    finally:
        again.close()


def test_a_damaged_next_from_does_not_stop_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    old_database(path, columns=True, user_version=0)
    db = sqlite3.connect(path)
    db.execute("""UPDATE feeds SET next_from = '{"ldes": 1, "done": [' WHERE name = 'stream'""")
    db.execute("""UPDATE feeds SET config = 'not json' WHERE name = 'dump'""")
    db.commit()
    db.close()
    state = State(path)
    try:
        stream = state.get_feed("stream")
        assert stream.cursor == {}, "the next run of the feed is a full one"
        assert stream.options == {"version_of_path": "http://purl.org/dc/terms/isVersionOf"}
        dump = state.get_feed("dump")
        assert (dump.options, dump.profile) == ({}, {})
        assert state.get_feed("museum").cursor == {"since": T}
    finally:
        state.close()


def test_a_new_database_has_the_current_version(tmp_path: Path) -> None:
    State(tmp_path / "state.db").close()
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
    db.close()


def test_parts_of_a_split_record(state: StateStore) -> None:
    """The units split from a finding aid are the live records under its id and a slash."""
    state.upsert_records([row("fa"), row("fa/1"), row("fa/1/2"), row("fa/3", state="quarantined"),
                          row("fa/4", state="withdrawn"), row("fab"), row("fa0"), row("fa/5", feed="archief")])
    assert state.parts_of("museum", "fa") == ["fa/1", "fa/1/2", "fa/3"]
    assert state.parts_of("museum", "fa/1") == ["fa/1/2"]
    assert state.parts_of("museum", "none") == []


def version_2_database(path: Path) -> None:
    """A database as version 2 left it: the schema of commit 29d2310 (before delivery)."""
    import subprocess

    source = subprocess.run(["git", "show", "29d2310:store/state/sqlite.py"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1], check=False).stdout
    if 'SCHEMA = """' not in source:
        pytest.skip("the version-2 schema comes from the git history, which is not here")
    schema = source.split('SCHEMA = """', 1)[1].split('"""', 1)[0]
    db = sqlite3.connect(path)
    db.executescript(schema)
    db.execute("INSERT INTO feeds (name, protocol, url, format, created_at, updated_at) VALUES"
               " ('museum', 'oai-pmh', 'https://museum.example.org/oai', 'lido', ?, ?)", (T, T))
    for sid, state, published, object_iri in (("live", "published", 1, "https://ex.org/id/live"),
                                              ("gone", "withdrawn", 0, "https://ex.org/id/gone"),
                                              ("gone-early", "withdrawn", 0, None),
                                              ("never", "quarantined", 0, "https://ex.org/id/never")):
        db.execute("INSERT INTO records (feed, source_id, record_id, object_iri, graph_iri, state, published,"
                   " updated_at) VALUES ('museum', ?, ?, ?, ?, ?, ?, ?)",
                   (sid, f"museum/{sid}", object_iri, f"https://ex.org/g/{sid}", state, published, T))
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()


def test_a_version_2_database_gets_the_delivery_columns(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    version_2_database(path)
    state = State(path)
    try:
        assert state.get_feed("museum").delivery == {}
        state.update_feed("museum", delivery={"dataset_id": "2048128"})
        assert state.get_feed("museum").delivery == {"dataset_id": "2048128"}
        flags = {sid: state.get_record("museum", sid)["ever_published"] for sid in ("live", "gone", "gone-early",
                                                                                    "never")}
        assert flags == {"live": True, "gone": True, "gone-early": False, "never": False}
        assert [r["record_id"] for r in state.oai_records()] == ["museum/gone", "museum/live"]
        assert [r["record_id"] for r in state.delivery_stale()] == ["museum/live"], "to be worked out"
        state.put_media({"https://ex.org/a.jpg": {"available": False}})
    finally:
        state.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
    assert {"records_oai", "records_oai_edm", "records_stale"} <= {
        r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
