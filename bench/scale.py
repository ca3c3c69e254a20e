"""Several machines: records/s of a queued re-map (``oogst remap NAME --queue``) with 1 and with
2 workers, and what a third machine would add, from the profile of one worker.

    .venv/bin/python bench/scale.py [--records 3000] [--chunk 250] [--runs 1]

Starts on 127.0.0.1, in a temporary folder: PostgreSQL (state, archive, search index, feed
locks), Redis (the broker) and an Oxigraph server (the records and system graphs), from the
Debian packages and the test extras (``make servers``; needs the ``scale`` extra). Harvests
``--records`` LIDO records (the sample museum's, with distinct ids: bench/e2e.py) once, then
re-maps them on 1 and on 2 ``oogst worker`` processes (``--chunk`` records per task) and
prints records/s (median of ``--runs``) side by side.

Then it re-maps one chunk in this process under cProfile and splits the time into what a
worker does itself (mapping, validation, building graphs: more machines share it out) and
what it waits for on the shared servers (PostgreSQL, the SPARQL server: the same two servers
whatever the number of workers). With the shared share ``s``, Amdahl's law gives the rate of
``n`` workers as ``rate_1 / (s + (1 - s) / n)`` when the servers have room; printed for n = 3.
On this 2-core machine the servers and both workers share the same two cores, so the
2-worker figure is also bounded by the cores, not only by ``s``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT / "bench"))

from e2e import PROFILE, records  # noqa: E402

from oogst.devtools.simulator import PartnerSimulator  # noqa: E402
from oogst.pipeline import Oogst, queue  # noqa: E402
from oogst.settings import Settings  # noqa: E402
from oogst.tests import servers  # noqa: E402

BUCKETS = (  # (label, shared?, path fragments of the functions whose own time counts)
    ("PostgreSQL (state, archive, search)", True, ("psycopg",)),
    ("SPARQL server (records, system graphs)", True, ("requests", "urllib3", "http/client", "socket", "ssl")),
    ("mapping", False, ("/mapping/",)),
    ("validation (SHACL)", False, ("/shapes/", "pyrudof", "pyshacl")),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--chunk", type=int, default=250)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    missing = [what for what, ok in (("PostgreSQL", servers.find_postgresql()), ("redis-server", servers.find_redis()),
                                     ("the oxigraph server", servers.find_oxigraph())) if not ok]
    if missing:
        sys.exit(f"bench/scale.py needs {', '.join(missing)}: make servers (and the test extras)")
    work = Path(tempfile.mkdtemp(prefix="oogst-bench-scale-"))
    work.chmod(0o755)  # PostgreSQL runs as its own user when this runs as root (tests/servers.py)
    postgres = servers.start_postgresql(work / "postgres")
    redis_url, redis_process = servers.start_redis(work / "redis")
    oxigraph = servers.start_oxigraph(work / "oxigraph")
    env = {**os.environ, "OOGST_STATE": postgres.url, "OOGST_QUEUE": redis_url, "OOGST_STORE": oxigraph.store_url,
           "OOGST_QUEUE_VISIBILITY_TIMEOUT": "600", "OOGST_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8"}
    settings = Settings(data_dir=work / "admin", state=postgres.url, queue=redis_url, store=oxigraph.store_url,
                        allowed_private_networks=("127.0.0.0/8",))  # the simulator is on 127.0.0.1
    try:
        with PartnerSimulator(page_size=500) as sim:
            sim.add_partner("bench", records("sample", args.records), format="lido")
            with Oogst(settings) as app:
                app.add_feed("bench", sim.endpoint("bench"), "lido", profile=tomllib.loads(PROFILE))
                began = time.perf_counter()
                summary = app.harvest("bench")
                print(f"first harvest (in this process)  {args.records / (time.perf_counter() - began):>8,.0f} records/s"
                      f"   ({summary.status}: {summary.counts['published']} published)")
        rates = {}
        for n in (1, 2):
            rates[n] = statistics.median(remap_rate(settings, env, work, n, args) for _ in range(args.runs))
            print(f"remap --queue, {n} worker(s)       {rates[n]:>8,.0f} records/s")
        print(f"ratio 2 workers / 1               {rates[2] / rates[1]:>8.2f}×")
        shared = profile_chunk(settings, args)
        third = rates[1] / (shared + (1 - shared) / 3)
        print(f"shared-server share of a worker's time (s)  {shared:.0%}")
        print(f"a third machine (Amdahl, servers with room) {third:>8,.0f} records/s"
              f"  ({third / rates[1]:.2f}× one worker; the limit with many: {1 / shared:.1f}×)")
    finally:
        oxigraph.stop()
        redis_process.terminate()
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


def remap_rate(settings: Settings, env: dict[str, str], work: Path, n: int, args: argparse.Namespace) -> float:
    workers = [subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(work / f"w{n}-{i}"), "worker",
                                 "--name", f"w{i}@bench", ], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for i in range(n)]
    try:
        time.sleep(3)  # the workers connect (imports on a busy machine)
        with Oogst(settings) as app:
            began = time.perf_counter()
            sent = queue.enqueue_remap(app, "bench", chunk=args.chunk)
            summary = queue.wait_run(app, sent["run"], timeout=3600, poll=0.1)
            seconds = time.perf_counter() - began
        assert summary.status == "complete", summary
        return args.records / seconds
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(60)
            except subprocess.TimeoutExpired:
                w.kill()


def profile_chunk(settings: Settings, args: argparse.Namespace) -> float:
    """Re-map the first chunk here under cProfile; print where the time goes; return the
    shared servers' share."""
    with Oogst(settings) as app:
        feed = app.state.get_feed("bench")
        profile = app.feeds.profile_of(feed)
        run_id = app.state.start_run("bench", "remap", None)
        chunk = list(app.archive.latest("bench", chunk=args.chunk))[: args.chunk]
        known = app.state.known_records("bench", [r.source_id for r in chunk])
        profiler = cProfile.Profile()
        profiler.enable()
        result = app.batches.process(feed, profile, chunk, run_id=run_id, remap=True, known=known)
        app.views.batch_stored(result.rows, result.graphs)
        profiler.disable()
        app.state.finish_run(run_id, "complete")
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in stats.values())
    spent = dict.fromkeys([label for label, _s, _p in BUCKETS], 0.0)
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.items():
        for label, _shared, parts in BUCKETS:
            if any(p in filename for p in parts):
                spent[label] += tt
                break
    other = total - sum(spent.values())
    print(f"profile of one chunk of {len(chunk)} records in one worker: {total:.2f} s")
    for label, shared, _p in BUCKETS:
        print(f"  {label:<40} {spent[label] / total:>6.0%}  {'shared' if shared else 'per worker'}")
    print(f"  {'the rest (graphs, events, Python)':<40} {other / total:>6.0%}  per worker")
    return sum(spent[label] for label, shared, _p in BUCKETS if shared) / total


if __name__ == "__main__":
    main()
