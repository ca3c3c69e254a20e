"""What serving while harvesting costs: publishing a snapshot after each batch, and a reader's refresh.

    .venv/bin/python bench/snapshots.py [--records 10000] [--triples 30] [--batch 500]

The embedded store publishes a RocksDB checkpoint after every write session (a batch), so that
readers in other processes see whole batches (``store/snapshots.py``). This loads
``--records`` records of about ``--triples`` triples, ``--batch`` per batch, into a store on
disk, first as a first harvest does (the bulk path) and then again as a re-harvest where every
record changed (one transaction per batch), and prints per batch, side by side (medians):

- the write itself (pyoxigraph, nothing else);
- publishing the snapshot after it (``Store.backup``: flushing the memtable, hard links);
- a reader opening the new snapshot (``Store.read_only``) when it sees the generation move;
- opening the store for writing (what a writer pays when another process had its turn).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parent))

import pyoxigraph as ox  # noqa: E402

from oogst.store.results import as_nquads  # noqa: E402
from oogst.store.snapshots import Snapshots  # noqa: E402

PREFIX = "https://data.oogst.be/graph/bench/"


def record(n: int, triples: int, version: int) -> str:
    s = f"<https://data.oogst.be/id/object/bench/{n}>"
    return "".join(f'{s} <https://ex.org/p{k}> "value {k} of record {n}, version {version}"@nl .\n'
                   for k in range(triples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--triples", type=int, default=30)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oogst-bench-snapshots-") as tmp:
        path = Path(tmp) / "store"
        snapshots = Snapshots(path)
        figures: dict[str, dict[str, list[float]]] = {}
        for phase, version in (("first load (bulk path)", 0), ("re-harvest (one transaction)", 1)):
            rows = figures.setdefault(phase, {"write": [], "publish": [], "reader refresh": [], "open for writing": []})
            for start in range(0, args.records, args.batch):
                t0 = time.perf_counter()
                store = ox.Store(str(path))
                t1 = time.perf_counter()
                graphs = range(start, min(args.records, start + args.batch))
                if version == 0:
                    nquads = "".join(as_nquads(f"{PREFIX}{n}", record(n, args.triples, 0)) for n in graphs)
                    t1 = time.perf_counter()
                    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
                else:
                    update = " ;\n".join(f"DROP SILENT GRAPH <{PREFIX}{n}> ;\nINSERT DATA {{ GRAPH <{PREFIX}{n}> "
                                         f"{{\n{record(n, args.triples, 1)}}} }}" for n in graphs)
                    t1 = time.perf_counter()
                    store.update(update)
                t2 = time.perf_counter()
                snapshots.publish(store)
                t3 = time.perf_counter()
                snapshots.current()
                t4 = time.perf_counter()
                store.flush()
                del store
                rows["open for writing"].append(t1 - t0 if version else 0.0)
                rows["write"].append(t2 - t1)
                rows["publish"].append(t3 - t2)
                rows["reader refresh"].append(t4 - t3)
        snapshots.close()
    print(f"{args.records} records × {args.triples} triples, batches of {args.batch}; medians per batch (ms)")
    print(f"{'phase':<30} {'write':>8} {'publish':>8} {'ratio':>6} {'refresh':>8} {'open rw':>8}")
    for phase, rows in figures.items():
        med = {k: statistics.median(v) * 1000 for k, v in rows.items()}
        print(f"{phase:<30} {med['write']:8.1f} {med['publish']:8.1f} {med['publish'] / med['write']:6.2f} "
              f"{med['reader refresh']:8.1f} {med['open for writing']:8.1f}")


if __name__ == "__main__":
    main()
