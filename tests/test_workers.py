"""The mapping workers change nothing but the speed: one process and two worker processes
harvest the same feed (several batches in flight, then an incremental run with changes and
deletions) into stores, record indexes and search indexes that are the same."""

from __future__ import annotations

from concurrent.futures import wait
from pathlib import Path

import pytest

from oogst.devtools.simulator import PartnerSimulator
from oogst.pipeline.workers import Pool

from .faults import make_app, store_graphs
from .test_incremental import retitled

PARTNER, FORMAT = "hof-van-leie", "lido"
CHANGED = "2031-01-01T00:00:00Z"  # the datestamp of the changes (the simulator's clock would differ per run)
RUN_SPECIFIC_COLUMNS = {"updated_at", "created_at", "first_seen", "last_seen", "published_at", "withdrawn_at"}


def outcome(app) -> dict:
    rows = app.state.list_records(state=None, feed=PARTNER, limit=1_000_000)
    index = {r["source_id"]: {k: v for k, v in r.items() if k not in RUN_SPECIFIC_COLUMNS} for r in rows}
    docs = {}
    for r in rows:
        if r["state"] == "published":
            doc = app.search.get(r["record_id"])
            docs[r["record_id"]] = None if doc is None else {**doc.__dict__, "modified": None}
    return {"graphs": store_graphs(app), "index": index, "docs": docs}


def harvest_twice(data_dir: Path, sim: PartnerSimulator, workers: int) -> tuple[list[dict], dict]:
    with make_app(data_dir, workers=workers, batch_size=4) as app:
        app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        first = app.harvest(PARTNER)
        live = sorted(r["source_id"] for r in app.state.list_records(state="published", feed=PARTNER, limit=1000))
        for n, identifier in enumerate(live[:3]):
            sim.update_record(PARTNER, identifier, retitled(sim, identifier, f"Nieuwe titel {n}"), CHANGED)
        sim.delete_record(PARTNER, live[3], CHANGED)
        second = app.harvest(PARTNER)
        return [{k: s.counts[k] for k in s.counts} | {"status": s.status} for s in (first, second)], outcome(app)


@pytest.mark.parametrize("workers", [2])
def test_workers_give_the_same_stores_as_one_process(tmp_path: Path, workers: int, monkeypatch) -> None:
    with PartnerSimulator(page_size=7) as sim:
        one = harvest_twice(tmp_path / "one", sim, 1)
    # every batch through the workers: wait for them to start instead of mapping here meanwhile
    mapped_there: list[int] = []
    submit = Pool.submit
    monkeypatch.setattr(Pool, "warm", property(lambda pool: wait(pool._warming) and True))
    monkeypatch.setattr(Pool, "submit", lambda pool, job, records: mapped_there.append(len(records))
                        or submit(pool, job, records))
    with PartnerSimulator(page_size=7) as sim:
        many = harvest_twice(tmp_path / "many", sim, workers)
    assert sum(mapped_there) >= 30, "the records were mapped in the workers"
    counts_one, state_one = one
    counts_many, state_many = many
    assert counts_one == counts_many
    assert counts_one[0]["published"] > 5 and counts_one[1]["published"] == 3 and counts_one[1]["withdrawn"] == 1
    assert state_one["graphs"] == state_many["graphs"]
    assert state_one["index"] == state_many["index"]
    assert state_one["docs"] == state_many["docs"]



def test_a_stream_started_before_its_first_batch_still_waits_for_its_workers(monkeypatch) -> None:
    """A run whose feed had a batch's worth last time starts the workers before the first
    page comes; that first batch still waits for them rather than being mapped here."""
    from concurrent.futures import Future

    from oogst.pipeline import workers as workers_module

    waited: list[float] = []

    class StartingPool:
        def __init__(self, size: int, engine: str, sample: float) -> None:
            self.warm = False

        def wait_warm(self, timeout: float) -> bool:
            waited.append(timeout)
            self.warm = True
            return True

        def close(self) -> None:
            pass

    def submit(pool, feed, profile, records, run_id):
        done: Future = Future()
        done.set_result({"mapped there": len(records)})
        return done

    monkeypatch.setattr(workers_module, "Pool", StartingPool)
    stream = workers_module.Stream(2, submit)
    stream.start()
    committed: list = []
    stream.put("feed", None, [None] * workers_module.WAIT_FOR_WORKERS, 1, committed.append)
    stream.put("feed", None, [None] * 3, 1, committed.append)
    stream.drain()
    stream.close()
    assert waited == [workers_module.WORKERS_START], "the first batch waited for the workers, once"
    assert committed == [{"mapped there": workers_module.WAIT_FOR_WORKERS}, {"mapped there": 3}]
