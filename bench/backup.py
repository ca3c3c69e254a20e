"""`oogst backup` and `oogst restore`: how long they take and how long writers wait.

    .venv/bin/python bench/backup.py [--records 3000] [--runs 3]

A data dir with ``--records`` LIDO records (the sample museum's live records, copied with a
distinct inventory number each, served by the partner simulator and harvested once), then
side by side (median of ``--runs``):

- ``files``: the backup as `oogst backup` takes it from another process (the store's files:
  hard links to its table files, copies of its manifest and write-ahead log);
- ``checkpoint``: the backup taken by a process that holds the store (RocksDB checkpoint);
- ``restore``: `oogst restore` of the ``files`` backup into a new data dir (checksums checked first).

For each: seconds in all, seconds the writers were held back (the write barrier), the
backup's size, and records per second.
"""

from __future__ import annotations

import os

os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")  # the partner simulator is on loopback

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from oogst.devtools.simulator import PartnerSimulator, SimRecord
from oogst.pipeline import Oogst
from oogst.settings import Settings

OAI = "{http://www.openarchives.org/OAI/2.0/}"
PARTNER = "hof-van-leie"


def records(sim: PartnerSimulator, n: int) -> list[SimRecord]:
    base = [r for r in sim._partner(PARTNER).sorted_records() if not r.deleted]
    out = []
    for i in range(n):
        record = base[i % len(base)]
        inventory = record.identifier.rsplit(":", 1)[-1]
        metadata = etree.tostring(etree.fromstring(record.xml).find(f"{OAI}metadata")[0])
        metadata = metadata.replace(inventory.encode(), f"{inventory}-{i}".encode())
        out.append(SimRecord.build(f"oai:bench:{i}", "2024-01-01T00:00:00Z", metadata))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="oogst-bench-backup-"))
    data = work / "data"
    try:
        with PartnerSimulator(page_size=500) as sim:
            sim.add_partner("bench", records(sim, args.records), format="lido")
            with Oogst(Settings(allowed_private_networks=("127.0.0.0/8",), data_dir=data, oslo_ap_sample=0.0)) as app:
                app.add_feed("bench", sim.endpoint("bench"), "lido")
                started = time.monotonic()
                summary = app.harvest("bench")
                print(f"harvested {summary.counts['harvested']} records, published {summary.counts['published']} "
                      f"in {time.monotonic() - started:.1f} s", file=sys.stderr)
        figures: dict[str, list[tuple[float, float, int]]] = {"files": [], "checkpoint": [], "restore": []}
        published = 0
        for run in range(args.runs):
            for kind in ("files", "checkpoint"):
                target = work / f"{kind}-{run}"
                with Oogst(Settings(allowed_private_networks=("127.0.0.0/8",), data_dir=data), read_only=(kind == "files")) as app:
                    if kind == "checkpoint":
                        app.store.count_graphs()  # this process holds the store
                    manifest = app.backups.backup(target)
                assert manifest["consistent"] and manifest["stores"]["store"] == kind, manifest
                published = manifest["counts"]["published"]
                size = sum(f["bytes"] for f in manifest["files"].values())
                figures[kind].append((manifest["seconds"], manifest["writers_paused_seconds"], size))
            restored = work / f"restored-{run}"
            with Oogst(Settings(allowed_private_networks=("127.0.0.0/8",), data_dir=restored)) as app:
                started = time.monotonic()
                app.backups.restore(work / f"files-{run}")
                figures["restore"].append((time.monotonic() - started, 0.0, 0))
            shutil.rmtree(restored)
        print(f"{published} published records; median of {args.runs} runs")
        print(f"{'':<12}{'seconds':>10}{'writers wait':>14}{'MB':>8}{'records/s':>12}")
        for kind, rows in figures.items():
            secs = statistics.median(r[0] for r in rows)
            held = statistics.median(r[1] for r in rows)
            size = statistics.median(r[2] for r in rows) / 1e6
            print(f"{kind:<12}{secs:>10.2f}{held:>14.2f}{size:>8.1f}{published / secs:>12.0f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
