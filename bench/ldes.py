"""The event stream (LDES): what the event log costs the harvest, and how fast pages are served.

    .venv/bin/python bench/ldes.py [--records 10000] [--repeats 3]

1. **Harvest with and without the event log**, side by side in one run: ``--records`` sample
   LIDO records (distinct ids) from the partner simulator, harvested in this process into a
   fresh data dir, alternately with the event log and without it (the batch room hands the
   state no versions), ``--repeats`` times each; medians and the overhead. Also the time the
   log itself took in the runs with it (versions + their share of the transaction), and the
   bytes per event.
2. **Publishing the changes of a run of ``--records`` records**: a second run after every
   record changed; the time of that run's event-log work, and the time for a client to read
   all of its changes from ``/ldes`` (every page of the stream, JSON-LD and N-Quads).
3. **Pages served per second** by ``oogst serve`` (uvicorn, 127.0.0.1) over that data dir:
   leaf pages in JSON-LD, N-Quads and Turtle; revalidations (``If-None-Match`` → 304).

Goal: the event log slows the harvest by at most 10%.
"""

from __future__ import annotations

import os

os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")  # the partner simulator is on loopback

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.e2e import distinct, lido_payloads, records  # noqa: E402

from oogst.devtools.simulator import PartnerSimulator  # noqa: E402
from oogst.pipeline import Oogst  # noqa: E402
from oogst.settings import Settings  # noqa: E402
from oogst.store.state import events as event_log  # noqa: E402


def core(data_dir: Path) -> Oogst:
    return Oogst(Settings.load({"data_dir": data_dir, "allowed_private_networks": ["127.0.0.0/8"]}, env={})[0])


class Timer:
    """Seconds spent in the event log's own work during a run (versions, their rows)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, fn):
        def timed(*args, **kw):
            start = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                self.seconds += time.perf_counter() - start
        return timed


def harvest(data_dir: Path, url: str, *, log: bool, timer: Timer | None = None, name: str = "bench") -> float:
    original = event_log.record_versions
    with core(data_dir) as app:
        if name not in {f.name for f in app.list_feeds()}:
            app.add_feed(name, url, "lido")
        if not log:
            app.publishing.versions = lambda rows, graphs: {}  # the state then writes no versions
        elif timer is not None:
            app.publishing.versions = timer.wrap(app.publishing.versions)
            event_log.record_versions = timer.wrap(original)
        try:
            start = time.perf_counter()
            summary = app.harvest(name)
            seconds = time.perf_counter() - start
        finally:
            event_log.record_versions = original
        assert summary.ok, summary.as_dict()
        return seconds


def serve(data_dir: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), "serve", "--host",
                             "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"oogst serve did not start: {proc.stderr.read().decode()[-2000:]}")


def pages_of(base: str, session: requests.Session) -> list[str]:
    """Every node URL of the stream, by walking it once (N-Quads: the cheapest to parse)."""
    import pyoxigraph as ox

    todo, seen, leaves = [f"{base}/ldes"], set(), []
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        body = session.get(url, headers={"Accept": "application/n-quads"}, timeout=60).content
        links = [q.object.value for q in ox.parse(body, format=ox.RdfFormat.N_QUADS)
                 if q.predicate.value == "https://w3id.org/tree#node"]
        if "/pages/0-" in url:
            leaves.append(url)
        todo += links
    return sorted(leaves, key=lambda u: int(u.rsplit("-", 1)[1]))


def read_all(urls: list[str], accept: str, session: requests.Session) -> tuple[float, list[float], dict[str, str]]:
    tags, latencies, start = {}, [], time.perf_counter()
    for url in urls:
        t = time.perf_counter()
        resp = session.get(url, headers={"Accept": accept}, timeout=60)
        resp.raise_for_status()
        latencies.append(time.perf_counter() - t)
        tags[url] = resp.headers["ETag"]
    return time.perf_counter() - start, latencies, tags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--port", type=int, default=8917)
    args = parser.parse_args()
    recs = records("sample", args.records)
    work = Path(tempfile.mkdtemp(prefix="oogst-bench-ldes-"))
    empty = work / "no-samples"
    empty.mkdir()
    with PartnerSimulator(samples_dir=empty, page_size=500) as sim:
        sim.add_partner("bench", recs, format="lido")
        url = sim.endpoint("bench")
        with_log, without, logged = [], [], []
        for i in range(args.repeats):  # alternate, so drift hits both sides alike
            timer = Timer()
            with_log.append(harvest(work / f"with-{i}", url, log=True, timer=timer))
            logged.append(timer.seconds)
            without.append(harvest(work / f"without-{i}", url, log=False))
            print(f"  round {i + 1}: with the log {with_log[-1]:.2f} s, without {without[-1]:.2f} s, "
                  f"log work {logged[-1]:.2f} s", flush=True)
        a, b = statistics.median(with_log), statistics.median(without)
        print(f"first load of {args.records:,} records (median of {args.repeats}): with the event log {a:.2f} s "
              f"({args.records / a:,.0f} records/s), without {b:.2f} s ({args.records / b:,.0f} records/s): "
              f"{(a - b) / b:+.1%}; the log's own work {statistics.median(logged):.2f} s")
        data_dir = work / "with-0"
        with core(data_dir) as app:
            stats = app.event_stats()
            raw = sum(len(e["ntriples"] or "") for e in app.state.events("all", None, 1, 1000))
            sample = min(1000, stats["events"])
        print(f"event log: {stats['events']:,} events, {stats['body_bytes'] / stats['events']:,.0f} bytes per event "
              f"compressed ({raw / sample:,.0f} bytes of N-Triples)")

        # every record changes: the run's changes, published as events
        payloads = lido_payloads("sample")
        for k, rec in enumerate(recs):
            changed = payloads[k % len(payloads)].replace(b"</lido:appellationValue>", b" (2)</lido:appellationValue>", 1)
            sim.update_record("bench", rec.identifier, distinct(changed, k))
        timer = Timer()
        seconds = harvest(data_dir, url, log=True, timer=timer)
        print(f"a run changing all {args.records:,} records: {seconds:.2f} s, of which the event log "
              f"{timer.seconds:.2f} s ({timer.seconds / seconds:.1%})")

    proc = serve(data_dir, args.port)
    try:
        base, session = f"http://127.0.0.1:{args.port}", requests.Session()
        leaves = pages_of(base, session)
        changes = leaves[len(leaves) // 2:]  # the second run's events are the second half of the stream
        for accept, label in (("application/ld+json", "JSON-LD"), ("application/n-quads", "N-Quads"),
                              ("text/turtle", "Turtle")):
            seconds, latencies, tags = read_all(leaves, accept, session)
            print(f"{label}: {len(leaves)} pages in {seconds:.1f} s = {len(leaves) / seconds:,.1f} pages/s, "
                  f"{len(leaves) * 100 / seconds:,.0f} members/s (median {statistics.median(latencies) * 1000:.0f} ms)")
            if label == "JSON-LD":
                t = time.perf_counter()
                for u in changes:
                    session.get(u, headers={"Accept": accept}, timeout=60).raise_for_status()
                print(f"reading the changes of the run ({len(changes)} pages, JSON-LD): {time.perf_counter() - t:.1f} s")
                t = time.perf_counter()
                for u in leaves:
                    r = session.get(u, headers={"Accept": accept, "If-None-Match": tags[u]}, timeout=60)
                    assert r.status_code == 304, r.status_code
                print(f"revalidations (304): {len(leaves) / (time.perf_counter() - t):,.0f} pages/s")
    finally:
        proc.terminate()
        proc.wait(timeout=15)


if __name__ == "__main__":
    main()
