"""Store write speed: the transactional path against the bulk path, embedded and over HTTP.

    .venv/bin/python bench/store.py [--records 20000] [--triples 30] [--batch 500] [--runs 3]

Loads ``--records`` new records of about ``--triples`` triples each (shaped like the LIDO
mapper's output) into an empty store, ``--batch`` records per ``replace_graphs`` call, as a
first harvest does, and prints records/s and triples/s (medians of ``--runs`` runs, each
into a fresh store) for:

- a first load with ``replace_graphs(batch)``: one transaction per batch;
- a first load with ``replace_graphs(batch, new=True)``: the bulk path;
- replacing graphs again with ``replace_graphs(batch)`` (a re-harvest where every record
  changed), for the first quarter of the records to keep the run short;

for the embedded store (pyoxigraph on disk: ``Store.load`` of N-Quads, the bulk loader, one
SPARQL update per batch) and the Oxigraph server on 127.0.0.1, started here (one Graph
Store ``POST`` of N-Quads per batch, the same with ``no_transaction``, one ``PUT`` per
record).

Reference on the 2-core machine (docs/architecture.md, "Store"): pyoxigraph ``bulk_load``
about 87–283 k triples/s, transactional ``load`` 34–48 k triples/s.
"""

from __future__ import annotations

import os

os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")  # the partner simulator is on loopback

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parent))

from oogst.store import Store, StoreOptions, open_store
from oogst.tests.servers import find_oxigraph, start_oxigraph

PREFIX = "https://data.oogst.be/graph/bench/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
OPTIONS = StoreOptions(graph_prefix=PREFIX)


def record(n: int, triples: int) -> str:
    """About ``triples`` triples: a typed object, titles, identifiers, nodes inside the record."""
    o = f"<https://data.oogst.be/id/object/bench/{n}>"
    lines = [f"{o} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CRM}E22_Human-Made_Object> .",
             f'{o} <{CRM}P102_has_title> "Gezicht op de Leie nr. {n}"@nl .',
             f'{o} <{CRM}P102_has_title> "Vue sur la Lys n° {n}"@fr .']
    for i in range(triples - 3):
        if i % 3 == 0:
            lines.append(f"{o} <{CRM}P1_is_identified_by> <https://data.oogst.be/id/object/bench/{n}#id{i}> .")
        elif i % 3 == 1:
            lines.append(f'<https://data.oogst.be/id/object/bench/{n}#id{i - 1}> <{CRM}P190_has_symbolic_content> '
                         f'"inv. {n}-{i} — ☃"@nl .')
        else:
            lines.append(f'{o} <https://data.oogst.be/ns#field{i}> "{n * i}"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    return "\n".join(lines) + "\n"


def batches(records: int, triples: int, size: int) -> list[dict[str, str]]:
    out = []
    for start in range(0, records, size):
        out.append({f"{PREFIX}{n}": record(n, triples) for n in range(start, min(records, start + size))})
    return out


def timed(open_fresh: Callable[[], Store], work: list[dict[str, str]], again: int
          ) -> tuple[float, float, float, float]:
    """Seconds for: a first load in transactions, a first load on the bulk path (into a
    second fresh store), and replacing the graphs of the first ``again`` batches again; then
    the CPU seconds of this process (every thread: RocksDB's too) during the bulk path."""
    expected = sum(len(b) for b in work)
    out = []
    for new in (False, True):
        store = open_fresh()
        try:
            started, cpu = time.perf_counter(), time.process_time()
            for batch in work:
                store.replace_graphs(batch, new=new)
            out.append(time.perf_counter() - started)
            bulk_cpu = time.process_time() - cpu
            assert store.count_graphs() == expected, (store.count_graphs(), expected)
            if not new:
                started = time.perf_counter()
                for batch in work[:again]:
                    store.replace_graphs(batch)
                replaced = time.perf_counter() - started
        finally:
            store.close()
    return out[0], out[1], replaced, bulk_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--triples", type=int, default=30)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = batches(args.records, args.triples, args.batch)
    again = max(1, len(work) // 4)
    triples = sum(nt.count("\n") for b in work for nt in b.values())
    counts = {False: (args.records, triples),
              True: (sum(len(b) for b in work[:again]), sum(nt.count("\n") for b in work[:again] for nt in b.values()))}
    print(f"{args.records:,} records, {triples:,} triples, batches of {args.batch}, median of {args.runs} runs; "
          f"'replace' rewrites the first {counts[True][0]:,} records")

    with tempfile.TemporaryDirectory(prefix="oogst-bench-store-") as tmp:
        root = Path(tmp)
        counter = iter(range(10**6))

        def embedded() -> Store:
            return open_store(f"oxigraph://{root / f'embedded-{next(counter)}'}", OPTIONS)

        rows: list[tuple[str, Callable[[], Store], tuple[str, str, str]]] = [
            ("embedded (pyoxigraph on disk)", embedded,
             ("first load: Store.load per batch", "first load: bulk loader", "replace: SPARQL update per batch")),
        ]
        server = None
        if find_oxigraph():
            def oxigraph_server() -> Store:
                nonlocal server
                if server is not None:
                    server.stop()
                server = start_oxigraph(root / f"server-{next(counter)}")
                return open_store(server.store_url, OPTIONS)

            rows.append(("Oxigraph server over HTTP", oxigraph_server,
                         ("first load: GSP POST per batch", "first load: POST no_transaction", "replace: GSP PUT per record")))
        else:
            print("(the oxigraph command is missing: pip install oxigraph to measure the server)")
        try:
            print(f"\n{'store':<30} {'path':<36} {'records/s':>10} {'triples/s':>11} {'seconds':>8}")
            for name, open_fresh, labels in rows:
                runs = [timed(open_fresh, work, again) for _ in range(args.runs)]
                for i, label in enumerate(labels):
                    seconds = statistics.median(run[i] for run in runs)
                    records, triples = counts[i == 2]
                    print(f"{name:<30} {label:<36} {records / seconds:>10,.0f} {triples / seconds:>11,.0f} "
                          f"{seconds:>8.2f}", flush=True)
                if open_fresh is embedded:  # the embedded store's bulk loader runs in this process
                    cpu = statistics.median(run[3] for run in runs) / counts[False][1]
                    print(f"{'':<30} {'  CPU a triple, bulk loader':<36} {cpu * 1e6:>9.1f} µs "
                          f"(every thread: {1 / cpu:,.0f} triples/s for each busy core)", flush=True)
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
