"""Europeana delivery speed: EDM export rate, and GetRecord latency through OAI-PMH.

    .venv/bin/python bench/export.py [--records 20000] [--runs 3] [--workers 2] [--requests 500]
    .venv/bin/python bench/export.py --real [--harvest 5000 | --data-dir DIR --feed NAME] [--requests 500]

The OSLO graphs are made first (not timed): the live records of both sample partners
(``data/samples``: LIDO and oai_dc, about 60 triples each) mapped again and again, each copy
under a new source id and, for LIDO, a new object PID, so every graph has its own IRIs.

Figures, medians of ``--runs`` runs:

- ``export``: ``oogst.publish.edm.export`` (N-Triples → EDM RDF/XML bytes, or the reasons a
  record is no EDM) over ``--records`` graphs in one process, CPU time, records/s; and the
  wall-clock rate in ``--workers`` processes. Goal: at least 3,000 records/s on two cores.
  The share of the time spent reading N-Triples is printed beside it.
- ``GetRecord``: an ``OaiProvider`` over an in-memory source of the first 5,000 graphs,
  served by ``http.server`` on 127.0.0.1 and asked ``--requests`` times for one record in
  ``edm`` (keep-alive, one client): median and p95 milliseconds per request, and the same
  for ``ListIdentifiers`` pages. Goal: a median under 5 ms.

``--real`` measures the product instead, on a harvested data dir (``--data-dir``/``--feed``, or
``--harvest N`` sample LIDO records served by the partner simulator and harvested by
``oogst harvest`` first): ``oogst export edm FEED --out FILE.zip`` through the CLI in its own
process (records/s, wall clock, process start included), and ``GetRecord`` (edm) and
``ListIdentifiers`` pages through the real ``/oai`` of ``oogst serve`` (uvicorn, 127.0.0.1).
"""

from __future__ import annotations

import os

os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")  # the partner simulator is on loopback

import argparse
import json
import multiprocessing
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import requests
from oogst.mapping import Profile, get_mapper, records_in_file
from oogst.publish.edm import export
from oogst.publish.europeana import DeliverySettings
from oogst.publish.ntgraph import parse
from oogst.publish.oai_provider import OaiProvider, handler_class
from oogst.publish.oai_source import MemorySource, Renderer
from oogst.records import SourceRecord

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SETTINGS = DeliverySettings(provider="Meemoo", intermediate_provider="oogst", dataset_id="2048999")
_PID = re.compile(rb"(http://hofvanleie\.be/collectie/werk/id/)")


def graphs(count: int) -> list[tuple[str, str]]:
    """(feed, N-Triples) of ``count`` mapped sample records, each copy with its own ids."""
    sources: list[tuple[SourceRecord, Profile]] = []
    for folder, feed, fmt in (("museum-lido", "hof-van-leie", "lido"), ("archive-dc", "kustlicht", "oai_dc")):
        profile = Profile.from_toml(SAMPLES / folder / "profile.toml", feed)
        found = records_in_file((SAMPLES / folder / "records.xml").read_bytes(), fmt, feed=feed, name="records.xml")
        sources += [(r, profile) for r in found.records]
    out = []
    copy = 0
    while len(out) < count:
        copy += 1
        for record, profile in sources:
            payload = _PID.sub(rb"\g<1>c%d-" % copy, record.payload)
            clone = SourceRecord(record.feed, f"{record.source_id}-c{copy}", record.datestamp, payload, record.format)
            out.append((record.feed, get_mapper(record.format).map(clone, profile).ntriples))
            if len(out) == count:
                break
    return out


_TEXTS: list[str] = []  # the graphs, inherited by the forked workers (nothing is pickled)


def _export_all(chunk: list[str]) -> int:
    return sum(1 for nt in chunk if export(nt, SETTINGS).ok)


def _export_share(worker: tuple[int, int]) -> int:
    index, workers = worker
    return _export_all(_TEXTS[index::workers])


def bench_export(items: list[tuple[str, str]], runs: int, workers: int) -> None:
    texts = [nt for _, nt in items]
    cpu, parse_cpu, wall = [], [], []
    ok = 0
    for _ in range(runs):
        start = time.process_time()
        ok = _export_all(texts)
        cpu.append(time.process_time() - start)
        start = time.process_time()
        for nt in texts:
            parse(nt)
        parse_cpu.append(time.process_time() - start)
        _TEXTS[:] = texts
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(abs, range(workers))  # the workers are up before the clock starts
            start = time.perf_counter()
            pool.map(_export_share, [(i, workers) for i in range(workers)])
            wall.append(time.perf_counter() - start)
    n = len(texts)
    print(f"export: {n} records, {ok} valid EDM, {n - ok} refused with reasons")
    print(f"  one process:  {n / statistics.median(cpu):8.0f} records/s (CPU), N-Triples reading "
          f"{statistics.median(parse_cpu) / statistics.median(cpu):.0%} of it")
    print(f"  {workers} processes: {n / statistics.median(wall):8.0f} records/s (wall clock)   goal >= 3,000")


def bench_get_record(items: list[tuple[str, str]], requests_count: int) -> None:
    source = MemorySource(Renderer(lambda feed: SETTINGS))
    ids = []
    for n, (feed, nt) in enumerate(items[:5000]):
        identifier = f"oai:oogst.bench:{feed}/{n}"
        header = source.put(identifier, f"2025-{1 + n % 12:02d}-01T00:00:{n % 60:02d}Z", feed, nt)
        if export(nt, SETTINGS).ok:
            ids.append(header.identifier)
    provider = OaiProvider(source, repository_name="bench", admin_emails=["a@b.c"], repository_identifier="oogst.bench")
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class(provider))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/oai"
    session = requests.Session()

    def timed(params: dict) -> float:
        start = time.perf_counter()
        resp = session.get(url, params=params, timeout=10)
        elapsed = time.perf_counter() - start
        assert resp.status_code == 200 and b"<error" not in resp.content, resp.text[:500]
        return elapsed * 1000

    for identifier in ids[:20]:  # warm-up
        timed({"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "edm"})
    get = [timed({"verb": "GetRecord", "identifier": ids[(i * 7919) % len(ids)], "metadataPrefix": "edm"})
           for i in range(requests_count)]
    pages = [timed({"verb": "ListIdentifiers", "metadataPrefix": "edm", "set": "feed:kustlicht"})
             for _ in range(max(20, requests_count // 10))]
    server.shutdown()
    server.server_close()

    def p95(values: list[float]) -> float:
        return sorted(values)[int(len(values) * 0.95) - 1]

    print(f"GetRecord (edm) over HTTP, {len(source._entries)} records: median {statistics.median(get):.2f} ms, "
          f"p95 {p95(get):.2f} ms over {len(get)} requests   goal: median < 5 ms")
    print(f"ListIdentifiers (edm, one feed, 300 headers): median {statistics.median(pages):.2f} ms, "
          f"p95 {p95(pages):.2f} ms")


def _cli(data_dir: Path, *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"oogst {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start, proc.stdout


def harvested(count: int, work: Path, data_dir: Path | None = None) -> tuple[Path, str]:
    """A data dir (``data_dir``, else in ``work``) with ``count`` sample LIDO records harvested
    through the CLI."""
    sys.path.insert(0, str(ROOT / "bench"))
    from e2e import PAGE, PROFILE, records

    from oogst.devtools.simulator import PartnerSimulator

    data_dir, empty, profile = data_dir or work / "data", work / "no-samples", work / "profile.toml"
    empty.mkdir()
    profile.write_text(PROFILE, "utf-8")
    with PartnerSimulator(samples_dir=empty, page_size=PAGE) as sim:
        sim.add_partner("bench", records("sample", count), format="lido", granularity="YYYY-MM-DDThh:mm:ssZ")
        _cli(data_dir, "feeds", "add", "bench", "--url", sim.endpoint("bench"), "--format", "lido", "--profile",
             str(profile))
        seconds, _ = _cli(data_dir, "harvest", "bench")
    print(f"harvested {count} records into {data_dir} in {seconds:.0f} s (not timed below)")
    return data_dir, "bench"


def bench_real(data_dir: Path, feed: str, requests_count: int, work: Path) -> None:
    seconds, out = _cli(data_dir, "export", "edm", feed, "--out", str(work / "edm.zip"), "--json")
    report = json.loads(out)[0]
    print(f"oogst export edm {feed} --out FILE.zip: {report['files']} EDM files of {report['total']} records in "
          f"{seconds:.1f} s: {report['total'] / seconds:.0f} records/s (wall clock, process start included)")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), "serve", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/oai"
    session = requests.Session()
    try:
        for _ in range(600):
            try:
                if session.get(url, params={"verb": "Identify"}, timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        ids, params = [], {"verb": "ListIdentifiers", "metadataPrefix": "edm", "set": f"feed:{feed}"}
        pages = []
        while True:
            start = time.perf_counter()
            body = session.get(url, params=params, timeout=60).content
            pages.append((time.perf_counter() - start) * 1000)
            ids += re.findall(rb"<identifier>([^<]+)</identifier>", body)
            token = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
            if not token:
                break
            params = {"verb": "ListIdentifiers", "resumptionToken": token.group(1).decode()}
        get = []
        for i in range(requests_count + 20):
            identifier = ids[(i * 7919) % len(ids)].decode()
            start = time.perf_counter()
            resp = session.get(url, params={"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "edm"},
                               timeout=10)
            elapsed = (time.perf_counter() - start) * 1000
            assert resp.status_code == 200 and b"<error" not in resp.content, resp.text[:300]
            if i >= 20:  # the first ones warm up
                get.append(elapsed)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    p95 = sorted(get)[int(len(get) * 0.95) - 1]
    print(f"GetRecord (edm) through oogst serve's /oai, {len(ids)} records: median {statistics.median(get):.2f} ms, "
          f"p95 {p95:.2f} ms over {len(get)} requests   goal: median < 5 ms")
    print(f"ListIdentifiers (edm, feed set, 300 headers a page): median {statistics.median(pages):.2f} ms over "
          f"{len(pages)} pages")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--real", action="store_true", help="measure the CLI export and the real /oai")
    parser.add_argument("--harvest", type=int, default=5_000, help="records to harvest first (--real)")
    parser.add_argument("--data-dir", type=Path, help="a harvested data dir, or where to harvest one (--real)")
    parser.add_argument("--feed", default="bench", help="its feed (--real)")
    options = parser.parse_args()
    if options.real:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            if options.data_dir and (options.data_dir / "state.sqlite").exists():
                data_dir, feed = options.data_dir, options.feed
            else:  # harvest first (into --data-dir when given, to keep it)
                data_dir, feed = harvested(options.harvest, work, options.data_dir)
            bench_real(data_dir, feed, options.requests, work)
        return
    start = time.perf_counter()
    items = graphs(options.records)
    triples = sum(nt.count("\n") for _, nt in items) / len(items)
    print(f"made {len(items)} OSLO graphs ({triples:.0f} triples each on average) in "
          f"{time.perf_counter() - start:.1f} s (not timed below)")
    bench_export(items, options.runs, options.workers)
    bench_get_record(items, options.requests)


if __name__ == "__main__":
    main()
