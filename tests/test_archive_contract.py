"""The Archive contract (``oogst.store.archive.Archive``): every implementation passes these —
payloads kept as received, one row per distinct version, the newest version first, damaged
records with their parser's message, feeds apart, and everything still there after a reopen.

An implementation joins by adding ``(id, factory)`` to :data:`IMPLEMENTATIONS`: a factory
takes the test's ``tmp_path`` and returns an opener that opens a new connection to one and the
same empty archive each time it is called; it calls ``pytest.skip`` when its server is missing
(see ``tests/test_state_contract.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from oogst.errors import StoreError
from oogst.records import SourceRecord
from oogst.store.archive import Archive, SqliteArchive

Opener = Callable[[], Archive]


def sqlite_on_disk(tmp_path: Path) -> Opener:
    return lambda: SqliteArchive(tmp_path / "archive" / "archive.db")


def postgresql(tmp_path: Path) -> Opener:
    """A fresh schema of the PostgreSQL the tests start (skips saying what is missing)."""
    from .servers import fresh_schema, shared_postgresql

    url = shared_postgresql()
    schema = fresh_schema(url)
    from oogst.store.archive_pg import PostgresArchive

    return lambda: PostgresArchive(url, schema=schema)


IMPLEMENTATIONS: list[tuple[str, Callable[[Path], Opener]]] = [
    ("sqlite", sqlite_on_disk),
    ("postgresql", postgresql),
]


@pytest.fixture(params=[factory for _id, factory in IMPLEMENTATIONS], ids=[i for i, _f in IMPLEMENTATIONS])
def opener(request, tmp_path: Path) -> Iterator[Opener]:
    opened: list[Archive] = []
    make = request.param(tmp_path)

    def open_() -> Archive:
        archive = make()
        opened.append(archive)
        return archive

    yield open_
    for archive in opened:
        try:
            archive.close()
        except Exception:  # noqa: BLE001 - closed by the test already
            pass


@pytest.fixture
def archive(opener: Opener) -> Archive:
    return opener()


def rec(source_id: str, payload: bytes | str = b"", feed: str = "museum", **kw) -> SourceRecord:
    if isinstance(payload, str):
        payload = payload.encode()
    return SourceRecord(feed=feed, source_id=source_id, datestamp=kw.pop("datestamp", "2024-05-01T10:00:00Z"),
                        payload=payload or f"<record id='{source_id}'>versie 1</record>".encode(),
                        format=kw.pop("format", "lido"), **kw)


def test_a_record_comes_back_as_it_went_in(archive: Archive) -> None:
    payload = "<record>Zonnige namiddag — é ü \u2603</record>".encode() + bytes(range(256))
    archive.put_many([rec("a", payload, sets=("schilderijen", "leie"), media_type="application/xml"),
                      rec("b", b'{"id": "b"}', format="oslo-jsonld", media_type="application/ld+json", datestamp=None)])
    a = archive.get("museum", "a")
    assert a == rec("a", payload, sets=("schilderijen", "leie"), media_type="application/xml")
    assert a.payload == payload and a.sha256 == rec("a", payload).sha256, "the bytes as received"
    b = archive.get("museum", "b")
    assert (b.format, b.media_type, b.datestamp, b.sets, b.deleted, b.error) == (
        "oslo-jsonld", "application/ld+json", None, (), False, None)
    assert archive.get("museum", "nergens") is None and archive.get("archief", "a") is None


def test_put_many_is_idempotent_on_feed_source_id_and_hash(archive: Archive) -> None:
    batch = [rec(f"r{n}") for n in range(5)]
    archive.put_many(batch, run_id=1)
    archive.put_many(batch, run_id=2)
    archive.put_many(batch[:2] + batch[:2], run_id=3)  # twice in one batch too
    stats = archive.stats("museum")
    assert (stats["records"], stats["versions"]) == (5, 5)
    assert stats["bytes"] == sum(len(r.payload) for r in batch)
    assert [r.source_id for r in archive.latest("museum")] == [f"r{n}" for n in range(5)]


def test_a_changed_payload_adds_a_version_and_the_newest_wins(archive: Archive) -> None:
    archive.put_many([rec("a", "<v>1</v>", datestamp="2024-01-01"), rec("b", "<v>b</v>")], run_id=1)
    archive.put_many([rec("a", "<v>2</v>", datestamp="2024-02-01")], run_id=2)
    assert archive.get("museum", "a").payload == b"<v>2</v>"
    assert archive.get("museum", "a").datestamp == "2024-02-01"
    assert {r.source_id: r.payload for r in archive.latest("museum")} == {"a": b"<v>2</v>", "b": b"<v>b</v>"}
    assert archive.stats("museum")["versions"] == 3 and archive.stats("museum")["records"] == 2
    archive.put_many([rec("a", "<v>3</v>")], run_id=3)
    assert archive.get("museum", "a").payload == b"<v>3</v>"
    assert archive.stats("museum")["versions"] == 4


def test_a_version_seen_again_is_the_newest_again(archive: Archive) -> None:
    """The partner reverts a change: the version delivered last is the one to map, even when
    the three deliveries fall within one second."""
    archive.put_many([rec("a", "<v>1</v>")], run_id=1)
    archive.put_many([rec("a", "<v>2</v>")], run_id=2)
    archive.put_many([rec("a", "<v>1</v>")], run_id=3)
    assert archive.get("museum", "a").payload == b"<v>1</v>"
    assert [r.payload for r in archive.latest("museum")] == [b"<v>1</v>"]
    assert archive.stats("museum")["versions"] == 2, "no new version: the known one moves up"
    archive.put_many([rec("a", "<v>2</v>")], run_id=4)
    assert archive.get("museum", "a").payload == b"<v>2</v>"


def test_within_one_batch_the_later_version_wins(archive: Archive) -> None:
    archive.put_many([rec("a", "<v>1</v>"), rec("a", "<v>2</v>")])
    assert archive.get("museum", "a").payload == b"<v>2</v>"
    archive.put_many([rec("a", "<v>2</v>"), rec("a", "<v>1</v>")])
    assert archive.get("museum", "a").payload == b"<v>1</v>"


def test_damaged_records_keep_their_error(archive: Archive) -> None:
    bad = b"<record><title>Zonnige \x0b namiddag</record"
    archive.put_many([rec("bad", bad), rec("good")], errors={"bad": "line 1: invalid Char value 11"})
    got = archive.get("museum", "bad")
    assert got.payload == bad and got.error == "line 1: invalid Char value 11"
    assert archive.get("museum", "good").error is None
    damaged = [r for r in archive.latest("museum") if r.error]
    assert [(r.source_id, r.error) for r in damaged] == [("bad", "line 1: invalid Char value 11")]
    assert archive.stats("museum")["damaged"] == 1
    # the harvester's own message (SourceRecord.error) is kept too
    archive.put_many([rec("cut", b"<record>", error="the page breaks off inside a <record>")])
    assert archive.get("museum", "cut").error == "the page breaks off inside a <record>"
    # a repaired version replaces it as the latest
    archive.put_many([rec("bad", b"<record><title>Zonnige namiddag</title></record>")])
    assert archive.get("museum", "bad").error is None


def test_deleted_flag_and_sets_round_trip(archive: Archive) -> None:
    archive.put_many([rec("a", sets=("fotos",)), rec("gone", b"", deleted=True, sets=("fotos", "brieven"))])
    gone = archive.get("museum", "gone")
    assert gone.deleted and gone.sets == ("fotos", "brieven")
    assert not archive.get("museum", "a").deleted and archive.get("museum", "a").sets == ("fotos",)
    archive.put_many([SourceRecord("museum", "a", "2024-06-01", b"", "lido", deleted=True)])
    assert archive.get("museum", "a").deleted and archive.get("museum", "a").payload == b""
    assert {r.source_id for r in archive.latest("museum") if r.deleted} == {"a", "gone"}


def test_latest_in_chunks_over_many_records_ordered_by_source_id(archive: Archive) -> None:
    ids = [f"oai:ex.org:{n:05d}" for n in range(1234)]
    archive.put_many([rec(sid, f"<v>{sid} 1</v>") for sid in reversed(ids)])
    archive.put_many([rec(sid, f"<v>{sid} 2</v>") for sid in ids[::3]])  # every third has a newer version
    archive.put_many([rec("x", feed="archief")])
    for chunk in (1, 7, 500, 5000):
        got = list(archive.latest("museum", chunk=chunk))
        assert [r.source_id for r in got] == ids, f"chunk {chunk}: each record once, by source id"
        if chunk > 1:
            assert all(r.payload == (f"<v>{r.source_id} 2</v>" if n % 3 == 0 else f"<v>{r.source_id} 1</v>").encode()
                       for n, r in enumerate(got))
    assert [r.source_id for r in archive.latest("archief")] == ["x"]
    assert list(archive.latest("nergens")) == []


def test_latest_reads_a_chunk_at_a_time(archive: Archive) -> None:
    """A remap streams: the first record comes before the whole feed is read, and records
    archived meanwhile (after the position reached) are not lost."""
    archive.put_many([rec(f"r{n:03d}") for n in range(0, 100, 2)])
    stream = archive.latest("museum", chunk=10)
    first = next(stream)
    archive.put_many([rec("r999")])
    assert first.source_id == "r000" and [r.source_id for r in stream][-1] == "r999"


def test_stats(archive: Archive) -> None:
    assert archive.stats("museum") == {"records": 0, "versions": 0, "bytes": 0, "damaged": 0}
    archive.put_many([rec("a", b"12345"), rec("b", b"1234567890"), rec("c", b"xyz")], errors={"c": "bad"})
    archive.put_many([rec("a", b"123456")])
    archive.put_many([rec("z", b"other feed", feed="archief")])
    assert archive.stats("museum") == {"records": 3, "versions": 4, "bytes": 5 + 10 + 3 + 6, "damaged": 1}
    assert archive.stats("archief") == {"records": 1, "versions": 1, "bytes": 10, "damaged": 0}


def test_forget_feed(archive: Archive) -> None:
    archive.put_many([rec("a", "<v>1</v>"), rec("b")])
    archive.put_many([rec("a", "<v>2</v>")])
    archive.put_many([rec("a", feed="archief")])
    assert archive.forget_feed("museum") == 3
    assert archive.get("museum", "a") is None and list(archive.latest("museum")) == []
    assert archive.stats("museum")["versions"] == 0
    assert archive.get("archief", "a") is not None, "another feed keeps its payloads"
    assert archive.forget_feed("museum") == 0
    archive.put_many([rec("a", "<v>1</v>")])  # the feed can start over
    assert archive.stats("museum")["versions"] == 1


def test_feeds_are_kept_apart(archive: Archive) -> None:
    same = "<v>same bytes</v>"
    archive.put_many([rec("a", same), rec("a", same, feed="archief"), rec("b", "<v>b</v>", feed="archief")])
    assert archive.get("museum", "a").feed == "museum" and archive.get("archief", "a").feed == "archief"
    assert archive.stats("museum")["versions"] == 1 and archive.stats("archief")["versions"] == 2
    archive.put_many([rec("a", "<v>new</v>", feed="archief")])
    assert archive.get("museum", "a").payload == same.encode()
    assert [r.feed for r in archive.latest("archief")] == ["archief", "archief"]


def test_a_failed_put_many_writes_nothing_and_the_archive_carries_on(archive: Archive) -> None:
    archive.put_many([rec("a", "<v>1</v>")])
    unbindable = SourceRecord("museum", "c", {"not": "a date"}, b"<v>c</v>", "lido")  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017, PT011 - any error, as long as nothing is half-written
        archive.put_many([rec("a", "<v>2</v>"), rec("b"), unbindable])
    assert archive.get("museum", "a").payload == b"<v>1</v>" and archive.get("museum", "b") is None
    assert archive.stats("museum")["versions"] == 1
    archive.put_many([rec("b")])
    assert archive.get("museum", "b") is not None


def test_concurrent_writers_from_threads(archive: Archive) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                archive.put_many([rec(f"t{n}-{i:02d}", f"<v>{n} {i}</v>")], run_id=n)
                assert archive.get("museum", f"t{n}-{i:02d}") is not None
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and archive.stats("museum")["versions"] == 100
    assert len(list(archive.latest("museum", chunk=7))) == 100


def test_everything_stays_after_close_and_reopen(opener: Opener) -> None:
    archive = opener()
    archive.put_many([rec("a", "<v>1</v>"), rec("bad", b"<x", deleted=False, sets=("s",))], run_id=1,
                     errors={"bad": "broken"})
    archive.put_many([rec("a", "<v>2</v>")], run_id=2)
    archive.close()
    again = opener()
    assert again.get("museum", "a").payload == b"<v>2</v>"
    assert (again.get("museum", "bad").error, again.get("museum", "bad").sets) == ("broken", ("s",))
    assert again.stats("museum") == {"records": 2, "versions": 3, "bytes": 8 + 2 + 8, "damaged": 1}
    again.put_many([rec("a", "<v>1</v>")], run_id=3)
    assert again.get("museum", "a").payload == b"<v>1</v>", "newest across a reopen too"


# -- SQLite ----------------------------------------------------------------------------------------
def test_an_unopenable_archive_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "archive.db").mkdir()  # a folder where the file should be
    with pytest.raises(StoreError, match="archive"):
        SqliteArchive(tmp_path / "archive.db")


def test_prune_keeps_the_last_versions_of_every_record(archive: Archive) -> None:
    for version in range(4):
        archive.put_many([rec("a", f"<a v='{version}'/>"), rec("b", f"<b v='{version}'/>", feed="other")])
    archive.put_many([rec("a", "<a v='1'/>")])  # an older version seen again is the newest again
    archive.put_many([rec("c", "<c/>")])
    removed = archive.prune(2, feed="museum")
    assert removed["versions"] == 2 and removed["bytes"] == 2 * len(b"<a v='0'/>")
    assert archive.stats("museum")["versions"] == 3  # a: v1 and v3; c: one
    assert archive.get("museum", "a").payload == b"<a v='1'/>"
    assert archive.stats("other")["versions"] == 4, "another feed is left alone"
    assert archive.prune(1) == {"versions": 4, "bytes": 3 * len(b"<b v='0'/>") + len(b"<a v='3'/>")}
    assert archive.get("other", "b").payload == b"<b v='3'/>" and archive.get("museum", "a").payload == b"<a v='1'/>"
    with pytest.raises(ValueError):
        archive.prune(0)


def test_a_feed_of_many_similar_records_comes_back_byte_for_byte_after_a_reopen(opener: Opener) -> None:
    """Enough records to train a compression dictionary on (the SQLite archive's zstd), read
    back through a new connection, beside another feed's."""
    body = b"<lido:lido xmlns:lido='http://www.lido-schema.org'><lido:title>%d %s</lido:title></lido:lido>"
    records = [SourceRecord("big", f"r{n}", None, body % (n, b"x" * (n % 50)), "lido") for n in range(200)]
    first = opener()
    first.put_many(records[:100])
    first.put_many([SourceRecord("small", "s1", None, b"<x/>", "lido")])
    first.put_many(records[100:])
    again = opener()
    assert [r.payload for r in again.latest("big")] == [r.payload for r in sorted(records, key=lambda r: r.source_id)]
    assert again.get("small", "s1").payload == b"<x/>"
    assert again.stats("big")["bytes"] == sum(len(r.payload) for r in records)
