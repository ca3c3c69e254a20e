"""Several machines (issue #16), all on 127.0.0.1: PostgreSQL (state, archive, search, feed
locks), Redis (the broker), an Oxigraph server (the records) and two ``oogst worker``
processes, each with a data dir of its own as on machines of their own.

Four simulated feeds harvested with ``--queue`` give the same published graphs and counts as
the embedded default on one machine; a worker killed with ``kill -9`` mid-run leaves its run
to the other, which carries on from the checkpoint: no record lost or stored twice; a queued
re-map in chunks gives the same counts. Skips, saying why, without PostgreSQL, Redis or the
``scale`` extra.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from oogst import iris
from oogst.cli import main
from oogst.devtools.simulator import PartnerSimulator
from oogst.pipeline import Oogst
from oogst.settings import Settings

from .test_web import local_settings

pytestmark = pytest.mark.slow
FEEDS = ("hof-van-leie", "kempen", "kustlicht", "scheldeland")
VISIBILITY = 4  # seconds before a dead worker's task goes to another worker


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, oxigraph_server) -> Iterator[dict[str, Any]]:
    from .servers import find_redis, postgresql_state_url, start_redis

    pytest.importorskip("celery", reason="Celery is not installed: pip install 'oogst[scale]'")
    pytest.importorskip("redis", reason="redis-py is not installed: pip install 'oogst[scale]'")
    if find_redis() is None:
        pytest.skip("redis-server is not installed: run tests/install_servers.sh or apt-get install redis-server")
    state = postgresql_state_url()
    tmp = tmp_path_factory.mktemp("scale")
    redis_url, redis_process = start_redis(tmp / "redis")
    oxigraph_server.reset()
    env = {**os.environ, "OOGST_STATE": state, "OOGST_QUEUE": redis_url, "OOGST_STORE": oxigraph_server.store_url,
           "OOGST_QUEUE_VISIBILITY_TIMEOUT": str(VISIBILITY), "OOGST_HTTP_RETRIES": "1", "OOGST_HTTP_BACKOFF": "0.01",
           # a killed worker's lease on the partner's host expires after these (plus 5 s)
           "OOGST_HTTP_CONNECT_TIMEOUT": "2", "OOGST_HTTP_READ_TIMEOUT": "5"}
    if "allowed_private_networks" in {f.name for f in fields(Settings)}:
        env["OOGST_ALLOWED_PRIVATE_NETWORKS"] = "127.0.0.0/8"
    workers: dict[str, subprocess.Popen] = {}

    def start_worker(name: str) -> subprocess.Popen:
        log = (tmp / f"{name}.log").open("ab")
        workers[name] = subprocess.Popen(
            [sys.executable, "-m", "oogst.cli", "--data-dir", str(tmp / name), "worker", "--name", f"{name}@oogst"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        return workers[name]

    for name in ("w1", "w2"):
        start_worker(name)
    with PartnerSimulator(page_size=5) as sim:
        yield {"state": state, "queue": redis_url, "env": env, "tmp": tmp, "sim": sim, "server": oxigraph_server,
               "workers": workers, "start_worker": start_worker}
    for process in workers.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in workers.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    redis_process.terminate()
    redis_process.wait(timeout=10)


def settings_of(cluster: dict[str, Any], data_dir: Path) -> Any:
    return local_settings(data_dir, state=cluster["state"], queue=cluster["queue"], store=cluster["server"].store_url)


def add_feeds(app: Oogst, sim: PartnerSimulator, names=FEEDS) -> None:
    for name in names:
        info = sim.partners[name]
        app.add_feed(name, sim.endpoint(name), info["format"],
                     options={k: info[k] for k in ("metadata_prefix", "language") if info.get(k)})


def oogst(cluster: dict[str, Any], *args: str) -> Any:
    result = CliRunner().invoke(main, ["--data-dir", str(cluster["tmp"] / "cli"), *args],
                                env={k: v for k, v in cluster["env"].items() if k.startswith("OOGST_")})
    assert result.exit_code == 0, result.output + str(result.exception)
    return json.loads(result.output.strip().splitlines()[-1])


def published(app: Oogst, feed: str | None = None) -> dict[str, int]:
    """graph IRI → triples, of every published record (of ``feed``)."""
    out = {}
    after = None
    while rows := app.state.list_records(feed=feed, after=after, limit=500):
        for r in rows:
            out[r["graph_iri"]] = len(app.record_graph(r, "ntriples").splitlines())
        after = rows[-1]["record_id"]
    return out


@pytest.fixture(scope="module")
def embedded(cluster: dict[str, Any], tmp_path_factory) -> dict[str, Any]:
    """The same four feeds harvested on one machine, with every default (SQLite, embedded store)."""
    with Oogst(local_settings(tmp_path_factory.mktemp("embedded"))) as app:
        add_feeds(app, cluster["sim"])
        summaries = app.harvest_all()
        assert all(s.status == "complete" for s in summaries)
        return {"counts": {f: app.state.counts(f) for f in FEEDS}, "graphs": published(app),
                "events": app.state.event_count(), "entities": entities(app)}


def entities(app: Oogst) -> int:
    """The records in the provenance graph (published and withdrawn ones)."""
    result = app.query("SELECT (COUNT(?e) AS ?n) WHERE { ?e a <http://www.w3.org/ns/prov#Entity> }",
                       default_graphs=[iris.system_graph("provenance", app.settings.base_iri)])
    return int(json.loads(result.body)["results"]["bindings"][0]["n"]["value"])


def test_four_feeds_on_two_workers_give_what_one_machine_gives(cluster: dict[str, Any], embedded: dict) -> None:
    with Oogst(settings_of(cluster, cluster["tmp"] / "admin")) as app:
        add_feeds(app, cluster["sim"])
    summaries = oogst(cluster, "harvest", "--all", "--queue", "--wait", "300", "--json")
    assert sorted(s["feed"] for s in summaries) == sorted(FEEDS)
    assert all(s["status"] == "complete" for s in summaries), summaries
    with Oogst(settings_of(cluster, cluster["tmp"] / "admin")) as app:
        assert {f: app.state.counts(f) for f in FEEDS} == embedded["counts"]
        assert published(app) == embedded["graphs"]
        assert app.state.event_count() == embedded["events"]
        assert app.search.count() == sum(c["published"] for c in embedded["counts"].values())
        # the system graphs are on the server too, written by both workers, read by every machine
        assert entities(app) == embedded["entities"]
    graphs = cluster["server"].graphs()
    assert {g for g in graphs if "/_system/" not in g} == set(embedded["graphs"])
    assert {g for g in graphs if "/_system/" in g} == {iris.system_graph(g) for g in ("provenance", "datasets")}
    runs = {s["feed"]: s["run"] for s in summaries}
    assert len(set(runs.values())) == 4


def test_a_worker_killed_mid_run_leaves_nothing_lost_or_stored_twice(cluster: dict[str, Any], embedded: dict) -> None:
    feed = "hof-van-leie"
    sim = cluster["sim"]
    sim.inject(feed, lambda verb, args, body: time.sleep(0.6) or None)  # a slow partner: ~9 pages of 0.6 s
    holder = None
    try:
        with Oogst(settings_of(cluster, cluster["tmp"] / "admin")) as app:
            task = oogst(cluster, "harvest", feed, "--full", "--queue", "--json")[0]["task"]
            again = oogst(cluster, "harvest", feed, "--queue", "--json")[0]  # cron's next --due --queue
            assert again["task"] is None and again["queued"] == task, "a feed is queued once"
            deadline = time.monotonic() + 60
            while app.state.get_checkpoint(feed) is None or app.state.get_checkpoint(feed)["info"].get("page", 1) < 3:
                assert time.monotonic() < deadline, "the run never reached its third page"
                time.sleep(0.1)
            run_id = app.state.get_checkpoint(feed)["run_id"]
            holder = _worker_running(cluster, task)
            os.kill(cluster["workers"][holder].pid, signal.SIGKILL)  # kill -9: no clean-up runs
            cluster["workers"][holder].wait(10)
            from oogst.pipeline import queue

            summary = queue.wait(app.settings, [{"feed": feed, "task": task}], timeout=120)[0]
            assert summary.status == "complete" and summary.run_id == run_id, summary
            assert any(n["code"] == "resumed" for n in summary.notes), summary.notes
            assert app.state.counts(feed) == embedded["counts"][feed]
            assert published(app, feed) == {g: n for g, n in embedded["graphs"].items() if f"/{feed}/" in g}
            events = app.state.events("feed", feed, 1, 10_000)
            assert len(events) == len({e["source_id"] for e in events}), "a record was stored twice"
            assert app.archive.stats(feed)["versions"] == app.archive.stats(feed)["records"]
    finally:
        sim.clear_faults()
        if holder is not None:
            cluster["start_worker"](holder)


def _worker_running(cluster: dict[str, Any], task: str) -> str:
    """The worker (w1 or w2) carrying out ``task``: each notes it in Redis when it starts one."""
    import redis

    name = redis.Redis.from_url(cluster["queue"]).get(f"oogst:worker:{task}")
    assert name, f"no worker says it runs task {task}"
    return name.decode().split("@")[0]


def test_a_queued_remap_in_chunks_maps_every_record_again(cluster: dict[str, Any], embedded: dict) -> None:
    summary = oogst(cluster, "remap", "kustlicht", "--queue", "--chunk", "10", "--wait", "300", "--json")[0]
    assert summary["status"] == "complete" and summary["mode"] == "remap"
    assert summary["published"] + summary["quarantined"] == (embedded["counts"]["kustlicht"]["published"]
                                                             + embedded["counts"]["kustlicht"]["quarantined"])
    assert any("chunk(s)" in n["message"] for n in summary["notes"])
    with Oogst(settings_of(cluster, cluster["tmp"] / "admin")) as app:
        assert app.state.counts("kustlicht") == embedded["counts"]["kustlicht"]
