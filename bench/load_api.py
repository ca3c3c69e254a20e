"""Load with hostile requests mixed in: a real ``oogst serve`` on 127.0.0.1 (issue 14).

Usage::

    .venv/bin/python bench/load_api.py [--requests 500] [--concurrency 50] [--hostile 10]
                                       [--timeout 3] [--data-dir DIR]

1. Makes a data dir with ``oogst demo --no-serve`` (the sample partners, offline) unless
   ``--data-dir`` names one.
2. Starts ``oogst serve`` (``query_timeout`` = ``--timeout``).
3. Sends ``--requests`` requests, ``--concurrency`` at a time, from many client addresses
   (127.0.1.x; all of 127/8 is loopback): benign ones (a search page, a record as JSON-LD, a
   small SPARQL SELECT, the DCAT catalogue, liveness) and ``--hostile`` hostile ones from their
   own addresses (cartesian COUNT(*) queries that run until killed, 5,000 nested parentheses,
   SERVICE to a local port, a 5 MB body), spread over the run.
4. Prints, per kind of request, the statuses and the median and p95 latency; whether the
   server is still up, and its health.

The goal (issue 14): benign requests keep a p95 under 200 ms while the hostile ones are refused
or stopped, and the server never dies.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")  # the partner simulator is on loopback
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]

DEEP = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SMALL = "SELECT ?s ?o WHERE { ?s a ?o } LIMIT 10"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def oogst(data_dir: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, check=True, **kw)  # type: ignore[call-overload]


def serve(data_dir: Path, port: int, timeout: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OOGST_QUERY_TIMEOUT": str(timeout)}
    proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), "serve", "--host",
                             "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    deadline = time.monotonic() + 60
    while True:
        try:
            if request(port, "GET", "/health/live")[0] == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"oogst serve did not start: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
        time.sleep(0.2)


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
            source: str = "127.0.0.1") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def plan(port: int, n: int, hostile: int, seed: int = 14) -> list[tuple[str, str, str, bytes | None, dict, str]]:
    """(kind, method, path, body, headers, source address) for each request, in order."""
    rng = random.Random(seed)
    items = json.loads(request(port, "GET", "/records?limit=20")[1])["items"]
    ids = [quote(item["id"], safe="") for item in items]
    benign = [
        ("search", "GET", "/records?" + urlencode({"q": "kaart", "limit": 10}), None, {}),
        ("record", "GET", "/records/{id}", None, {"accept": "application/ld+json"}),
        ("sparql", "GET", "/sparql?" + urlencode({"query": SMALL}), None, {}),
        ("sparql", "POST", "/sparql", urlencode({"query": SMALL}).encode(), FORM),
        ("datasets", "GET", "/datasets", None, {}),
        ("live", "GET", "/health/live", None, {}),
    ]
    bad = [
        ("cartesian", "GET", "/sparql?" + urlencode({"query": CARTESIAN}), None, {}),
        ("deep", "POST", "/sparql", DEEP.encode(), {"content-type": "application/sparql-query"}),
        ("service", "GET", "/sparql?" + urlencode({"query": "ASK { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"}),
         None, {}),
        ("5 MB body", "POST", "/sparql", b"query=" + b"x" * 5_000_000, FORM),
    ]
    out = []
    for i in range(n - hostile):
        kind, method, path, body, headers = rng.choice(benign)
        out.append((kind, method, path.replace("{id}", rng.choice(ids)), body, headers, f"127.0.1.{i % 200 + 1}"))
    for k in range(hostile):
        kind, method, path, body, headers = bad[0] if k % 2 == 0 else bad[1 + k // 2 % 3]
        out.insert(rng.randrange(len(out) // 2 + 1), (kind, method, path, body, headers, f"127.0.2.{k + 1}"))
    return out


def load(port: int, n: int = 500, concurrency: int = 50, hostile: int = 10) -> dict[str, list[tuple[int, float]]]:
    """Send the plan; (status, seconds) per request, by kind."""
    results: dict[str, list[tuple[int, float]]] = defaultdict(list)

    def one(item: tuple) -> None:
        kind, method, path, body, headers, source = item
        started = time.perf_counter()
        try:
            status, _ = request(port, method, path, body, headers, source)
        except OSError:
            status = 0  # the connection failed: the server may be down
        results[kind].append((status, time.perf_counter() - started))

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, plan(port, n, hostile)))
    return results


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--hostile", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp) / "data"
            oogst(data_dir, "demo", "--no-serve", "--json")
        sys.path.insert(0, str(ROOT))
        from tests.conftest import free_port

        port = free_port()
        proc = serve(data_dir, port, args.timeout)
        try:
            started = time.perf_counter()
            results = load(port, args.requests, args.concurrency, args.hostile)
            took = time.perf_counter() - started
            print(f"{args.requests} requests, {args.concurrency} at a time, {args.hostile} hostile, "
                  f"in {took:.1f} s (query_timeout {args.timeout:g} s)")
            print(f"{'kind':<12} {'n':>4} {'median ms':>10} {'p95 ms':>8}  statuses")
            benign: list[float] = []
            for kind, rows in sorted(results.items()):
                times = [t for _, t in rows]
                statuses = dict(sorted(defaultdict(int, {s: sum(1 for x, _ in rows if x == s) for s, _ in rows}).items()))
                print(f"{kind:<12} {len(rows):>4} {statistics.median(times) * 1000:>10.1f} {p95(times) * 1000:>8.1f}"
                      f"  {statuses}")
                if kind in ("search", "record", "sparql", "datasets", "live"):
                    benign += times
            print(f"benign p95: {p95(benign) * 1000:.1f} ms; server up: {proc.poll() is None}; "
                  f"health: {request(port, 'GET', '/health')[1].decode()}")
        finally:
            proc.terminate()
            proc.wait(timeout=15)


if __name__ == "__main__":
    main()
