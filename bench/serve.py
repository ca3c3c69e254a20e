"""Benchmark: the API over HTTP on 127.0.0.1, on 100,000 synthetic records (> 3 M triples).

Usage::

    .venv/bin/python bench/serve.py [--records 100000] [--workers 2] [--requests 300]
                                    [--seconds 10] [--data-dir DIR]

1. Generates records shaped like the LIDO mapper's output (title in two languages,
   description, object name, maker, production date, dimension, keeper,
   rights, image, identifiers, provenance: about 34 triples each) for twelve data
   providers of very different sizes (one museum holds over half the records).
2. Loads them the way a first harvest does: the store's bulk path
   (``replace_graphs(graphs, new=True)``), the state's record index, and the search index
   (skipped when ``--data-dir`` already holds them); then compacts the store
   (pyoxigraph ``optimize``).
3. Serves the app with uvicorn (``uvicorn[standard]``: uvloop + httptools) and ``--workers``
   processes that open the store read-only, and measures five requests over HTTP, one
   client each: a record by id as JSON-LD, a filtered page, a text search, a SPARQL count
   by type and a two-hop SPARQL join. Prints median and p95 per request, then the
   throughput of the record lookup from two client processes: on a hot set of records
   (served from the per-worker cache) and on records asked once each (cold).

Goals on the 2-core machine: record lookup median <= 5 ms and >= 1,000 requests/s; filtered
page and text search median <= 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")  # the partner simulator is on loopback
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parent))

from oogst.iris import Minter, record_id  # noqa: E402
from oogst.publish.search import SearchIndex, extract  # noqa: E402
from oogst.settings import Settings  # noqa: E402
from oogst.pipeline.seams import store_options  # noqa: E402
from oogst.store import open_store  # noqa: E402
from oogst.store.state import Feed, State  # noqa: E402

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
AAT = "http://vocab.getty.edu/aat/"
CEST = "https://www.projectcest.be/wiki/Publicatie:Invulboek_objecten/Veld/"
XSD = "http://www.w3.org/2001/XMLSchema#"

# (feed, keeper, share of the records)
PROVIDERS = [
    ("mskgent", "Museum voor Schone Kunsten Gent", 0.52),
    ("designmuseum", "Design Museum Gent", 0.14),
    ("huisvanalijn", "Huis van Alijn", 0.10),
    ("stam", "STAM Gent", 0.08),
    ("kmska", "KMSKA", 0.06),
    ("mleuven", "M Leuven", 0.04),
    ("fomu", "FOMU", 0.025),
    ("letterenhuis", "Letterenhuis", 0.015),
    ("stadsarchief-ieper", "Stadsarchief Ieper", 0.005),
    ("erfgoedcel-meetjesland", "Erfgoedcel Meetjesland", 0.0035),
    ("heemkring-eeklo", "Heemkundige Kring Eeklo", 0.001),
    ("archief-tielt", "Stadsarchief Tielt", 0.0005),
]
OBJECT_NAMES = [("300033618", "schilderij", "painting"), ("300041273", "prent", "print"),
                ("300033973", "tekening", "drawing"), ("300046300", "foto", "photograph"),
                ("300047090", "beeldhouwwerk", "sculpture"), ("300027200", "affiche", "poster"),
                ("300028569", "handschrift", "manuscript"), ("300037680", "stoel", "chair"),
                ("300010358", "vaas", "vase"), ("300046026", "kostuum", "costume")]
SUBJECTS = ["Leie", "Schelde", "haven", "kerk", "markt", "belfort", "molen", "boerderij", "zee", "duinen",
            "kasteel", "begijnhof", "stadhuis", "brug", "kanaal", "bos", "veld", "portret", "stilleven", "feest"]
ADJECTIVES = ["Zicht op", "Gezicht op", "Studie van", "De", "Avond aan", "Winter bij", "Zomer aan", "Herinnering aan"]
MAKERS = ["Ensor, James", "Permeke, Constant", "De Smet, Gustave", "Minne, George", "Van de Woestyne, Gustave",
          "Claus, Emile", "Saverys, Albert", "Van Rysselberghe, Théo", "Spilliaert, Léon", "Khnopff, Fernand",
          "Meunier, Constantin", "Laermans, Eugène", "Frédéric, Léon", "onbekend"]
RIGHTS = ["http://creativecommons.org/publicdomain/zero/1.0/", "http://creativecommons.org/licenses/by/4.0/",
          "http://creativecommons.org/publicdomain/mark/1.0/", "http://rightsstatements.org/vocab/InC/1.0/"]
# A description vocabulary wide enough that one word matches a few percent of the records.
WORDS = [f"{stem}{ending}" for stem in ("olieverf", "doek", "paneel", "lijst", "signatuur", "schets", "atelier",
                                         "schenking", "aankoop", "legaat", "restauratie", "vernis", "licht",
                                         "schaduw", "landschap", "figuur", "compositie", "kleur", "hout", "zilver",
                                         "papier", "koper", "glas", "steen", "zijde", "wol", "klei", "brons")
         for ending in ("", "en", "werk", "kunst", "achtig", "stuk", "vorm", "lijn", "tje", "rand")]


def nt_lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def synth(n: int, seed: int = 7) -> Iterator[tuple[str, str, str, str, str]]:
    """(feed, source id, object IRI, graph IRI, N-Triples) for ``n`` records."""
    rng = random.Random(seed)
    counts = [max(1, round(n * share)) for _, _, share in PROVIDERS]
    counts[0] += n - sum(counts)
    keepers = {feed: Minter(feed).agent_iri(name) for feed, name, _ in PROVIDERS}
    for (feed, keeper_name, _), count in zip(PROVIDERS, counts, strict=True):
        minter = Minter(feed)
        for i in range(count):
            source_id = f"oai:{feed}.example.be:{i:06d}"
            obj = minter.object_iri(source_id)
            graph = minter.graph_iri(source_id)
            node = f"{obj}#"
            aat, name_nl, name_en = rng.choice(OBJECT_NAMES)
            maker = rng.choice(MAKERS)
            maker_iri = minter.agent_iri(maker)
            year = rng.randint(1500, 1990)
            title = f"{rng.choice(ADJECTIVES)} {rng.choice(SUBJECTS)} {rng.choice(SUBJECTS).lower()}"
            description = " ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "."
            image = rng.random() < 0.6
            o = f"<{obj}>"
            t = [
                f"{o} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CRM}E22_Human-Made_Object>",
                f"{o} <{CRM}P102_has_title> {nt_lit(title, 'nl')}",
                f"{o} <{CRM}P102_has_title> {nt_lit(title + ' (en)', 'en')}",
                f"{o} <{CRM}P3_has_note> {nt_lit(description, 'nl')}",
                f"{o} <{CRM}P41i_was_classified_by> <{node}classification-1>",
                f"<{node}classification-1> <{CRM}P2_has_type> <{CEST}Term_objectnaam>",
                f"<{node}classification-1> <{CRM}P41_classified> {o}",
                f"<{node}classification-1> <{CRM}P42_assigned> <{AAT}{aat}>",
                f"<{AAT}{aat}> <{SKOS}prefLabel> {nt_lit(name_nl, 'nl')}",
                f"<{AAT}{aat}> <{SKOS}prefLabel> {nt_lit(name_en, 'en')}",
                f"{o} <{CRM}P108i_was_produced_by> <{node}production-1>",
                f"<{node}production-1> <{CRM}P108_has_produced> {o}",
                f"<{node}production-1> <{CRM}P14_carried_out_by> <{maker_iri}>",
                f"<{node}production-1> <{CRM}P3_has_note> {nt_lit(f'ca. {year}', 'nl')}",
                f"<{node}production-1> <{CRM}P4_has_time-span> {nt_lit(f'{year}~', datatype='http://id.loc.gov/datatypes/edtf/EDTF')}",
                f"<{maker_iri}> <{SKOS}prefLabel> {nt_lit(maker)}",
                f"{o} <{CRM}P43_has_dimension> <{node}dimension-1>",
                f"<{node}dimension-1> <{CRM}P2_has_type> <{AAT}300055644>",
                f"<{node}dimension-1> <https://schema.org/value> {nt_lit(str(rng.randint(10, 300)), datatype=XSD + 'decimal')}",
                f"<{node}dimension-1> <https://schema.org/unitText> \"cm\"",
                f"{o} <{CRM}P50_has_current_keeper> <{keepers[feed]}>",
                f"<{keepers[feed]}> <{SKOS}prefLabel> {nt_lit(keeper_name, 'nl')}",
                f"{o} <{CRM}P104_is_subject_to> <{node}right-1>",
                f"<{node}right-1> <{CRM}P2_has_type> <{rng.choice(RIGHTS)}>",
                f"{o} <http://www.w3.org/ns/adms#identifier> <{node}identifier-1>",
                f"<{node}identifier-1> <{SKOS}notation> {nt_lit(f'{feed.upper()}-{i:06d}')}",
                f"<{node}identifier-1> <http://www.w3.org/ns/adms#schemaAgency> {nt_lit(keeper_name)}",
                f"{o} <http://xmlns.com/foaf/0.1/page> <https://{feed}.example.be/collectie/{i:06d}>",
                f"<{graph}> <http://xmlns.com/foaf/0.1/primaryTopic> {o}",
                f"<{graph}> <http://www.w3.org/ns/prov#wasDerivedFrom> <{minter.feed_iri()}>",
                f"<{graph}> <http://purl.org/dc/terms/source> {nt_lit(source_id)}",
                f"<{graph}> <http://purl.org/dc/terms/modified> {nt_lit('2025-01-15T10:00:00Z', datatype=XSD + 'dateTime')}",
                f"<{graph}> <https://data.oogst.be/ns#validation> \"conforms\"",
            ]
            if image:
                t.append(f"{o} <{CRM}P129i_is_subject_of> <https://beelden.{feed}.example.be/{i:06d}.jpg>")
            yield feed, source_id, obj, graph, "".join(f"{line} .\n" for line in t)


# -- loading ------------------------------------------------------------------------------------

def load(settings: Settings, n: int, batch: int = 2_000) -> tuple[int, int]:
    """Load ``n`` synthetic records into the data dir: store (bulk path), state, search index."""
    store = open_store(settings.store_url, store_options(settings))
    state = State(settings.state_path)
    search = SearchIndex(settings.search_path)
    for feed, _, _ in PROVIDERS:
        state.add_feed(Feed(name=feed, protocol="oai-pmh", url=f"https://{feed}.example.be/oai", format="lido"))
    triples = records = 0
    graphs: dict[str, str] = {}
    rows: list[dict] = []
    docs = []
    started = time.monotonic()

    def flush() -> None:
        store.replace_graphs(graphs, new=True)
        state.upsert_records(rows)
        search.put(docs)
        for pending in (graphs, rows, docs):
            pending.clear()

    for feed, source_id, obj, graph, nt in synth(n):
        rid = record_id(feed, source_id)
        graphs[graph] = nt
        rows.append({"feed": feed, "source_id": source_id, "record_id": rid, "object_iri": obj, "graph_iri": graph,
                     "label": None, "datestamp": "2025-01-15T09:00:00Z", "state": "published", "published": 1,
                     "hash": f"{records:064x}", "run_id": None})
        docs.append(extract(nt, record_id=rid, feed=feed, object_iri=obj, graph_iri=graph,
                            datestamp="2025-01-15T09:00:00Z"))
        triples += nt.count("\n")
        records += 1
        if len(graphs) >= batch:
            flush()
            print(f"\r  loaded {records:,} records, {triples:,} triples ({time.monotonic() - started:.0f} s)",
                  end="", flush=True)
    if graphs:
        flush()
    print(f"\r  loaded {records:,} records, {triples:,} triples in {time.monotonic() - started:.0f} s")
    search.close()
    state.close()
    store.close()
    # After a bulk load RocksDB holds many small files; compacting them makes a graph read
    # (what a record lookup does) about twice as fast. The Store seam has no such call yet.
    started = time.monotonic()
    ox.Store(str(settings.data_dir / "store")).optimize()
    print(f"  compacted the store in {time.monotonic() - started:.0f} s")
    return records, triples


# -- serving and measuring -------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(data_dir: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "OOGST_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "oogst.api.app:from_environment", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        env=env, cwd=ROOT.parent,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/health", timeout=5).ok:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise SystemExit(f"uvicorn exited with {process.returncode}")
    process.terminate()
    raise SystemExit("uvicorn did not answer within 120 s")


def measure(session: requests.Session, url: str, requests_: int, **kwargs) -> list[float]:
    """Latencies in ms of ``requests_`` GETs (after a few warm-up requests)."""
    for _ in range(5):
        session.get(url, **kwargs).raise_for_status()
    times = []
    for _ in range(requests_):
        started = time.perf_counter()
        response = session.get(url, **kwargs)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


def _client(args: tuple[str, int, list[str], float, dict[str, str]]) -> int:
    """One client process: keep-alive GETs with http.client (lighter than requests)."""
    host, port, paths, seconds, headers = args
    connection = http.client.HTTPConnection(host, port)
    stop = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop:
        connection.request("GET", paths[n % len(paths)], headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET {paths[n % len(paths)]}: {response.status}")
        n += 1
    return n


def throughput(base: str, paths: list[str], seconds: float, clients: int, headers: dict[str, str]) -> float:
    """Requests per second from ``clients`` processes, each on its own connection and with
    its own share of ``paths``."""
    split = urlsplit(base)
    jobs = [(split.hostname, split.port, paths[i::clients], seconds, headers) for i in range(clients)]
    started = time.monotonic()
    with multiprocessing.Pool(clients) as pool:
        total = sum(pool.map(_client, jobs))
    return total / (time.monotonic() - started)


WRK_SCRIPT = """
-- each wrk thread walks its own slice of the paths, so no record is asked twice
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  step = math.floor(#paths / 8)
  i = id * step
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {["Accept"] = "application/ld+json"})
end
"""


def wrk_throughput(base: str, paths: list[str], seconds: float) -> float | None:
    """Requests per second measured by wrk (a C load generator that takes far less of the two
    cores than Python clients), or None when wrk is not installed (Debian package ``wrk``)."""
    if shutil.which("wrk") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "paths.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds:g}s", "-s", str(script), base, "--", str(listing)],
                             capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise SystemExit(f"wrk printed no rate:\n{out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300, help="requests per measured endpoint")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the throughput run")
    parser.add_argument("--data-dir", type=Path, help="keep the data here (reused when it is filled)")
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="oogst-bench-serve-"))
    settings = Settings(allowed_private_networks=("127.0.0.0/8",), data_dir=data_dir)
    print(f"oogst API benchmark: {args.records:,} records, {args.workers} uvicorn worker(s), data in {data_dir}")
    if settings.state_path.exists() and State(settings.state_path).counts()["published"] >= args.records:
        print("  reusing the loaded data")
    else:
        load(settings, args.records)

    process, base = serve(data_dir, args.workers)
    try:
        session = requests.Session()
        sample = [record_id(feed, source_id) for feed, source_id, *_ in synth(args.records)][:: max(1, args.records // 500)]
        lookups = [f"{base}/records/{rid}" for rid in sample]
        crm = "http://www.cidoc-crm.org/cidoc-crm/"
        cases = [
            ("record by id (JSON-LD)", lookups[len(lookups) // 2], {"headers": {"accept": "application/ld+json"}}),
            ("records page, filter type+has_image", f"{base}/records",
             {"params": {"type": "schilderij", "has_image": "true", "limit": 50}}),
            ("text search q=kasteel", f"{base}/records", {"params": {"q": "kasteel", "limit": 50}}),
            ("SPARQL count by type", f"{base}/sparql",
             {"params": {"query": "SELECT ?type (COUNT(?o) AS ?n) WHERE { ?o a ?type } GROUP BY ?type"}}),
            ("SPARQL 2-hop join (objects per maker)", f"{base}/sparql",
             {"params": {"query": f"SELECT ?maker (COUNT(?o) AS ?n) WHERE {{ ?o <{crm}P108i_was_produced_by> ?p . "
                                  f"?p <{crm}P14_carried_out_by> ?maker }} GROUP BY ?maker"}}),
        ]
        print(f"\n{'request':<40} {'median ms':>10} {'p95 ms':>10}   (over HTTP, one client)")
        for label, url, kwargs in cases:
            n = args.requests if "SPARQL" not in label else max(20, args.requests // 10)
            times = measure(session, url, n, **kwargs)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{label:<40} {statistics.median(times):>10.2f} {p95:>10.2f}")
        # The lookup under load: two client processes, each on its own connection. "Hot": 500
        # records asked again and again (served from the per-worker cache of bodies by ETag);
        # "cold": every request a record not asked before (state, store and compaction each time).
        headers = {"accept": "application/ld+json"}
        hot = [urlsplit(url).path for url in lookups]
        cold = [f"/records/{record_id(feed, source_id)}" for feed, source_id, *_ in synth(args.records)]
        random.Random(1).shuffle(cold)
        for label, paths in (("hot set of 500 records", hot), ("cold, each record once", cold)):
            rate = throughput(base, paths, args.seconds, 2, headers)
            print(f"record lookup throughput, {label}: {rate:,.0f} requests/s "
                  f"(2 client processes, {args.workers} workers, {args.seconds:g} s)")
            fast = wrk_throughput(base, paths, args.seconds)
            print(f"record lookup throughput, {label}: " + (
                f"{fast:,.0f} requests/s (wrk, 2 threads, 8 connections)" if fast is not None
                else "wrk is not installed (apt-get install wrk) — no figure from a C load generator"))
        print("goals: lookup median <= 5 ms and >= 1,000 req/s; filtered page and text search median <= 50 ms")
        print(f"load average during the run (other work on this machine counts too): "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        process.terminate()
        process.wait(timeout=30)
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
