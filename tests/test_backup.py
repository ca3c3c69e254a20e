"""`oogst backup` during a harvest in another process, then `oogst restore`: each backup is
consistent (the state's published records are exactly the store's graphs), and a restored
data dir answers queries as the original did at the moment of the backup."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
from lxml import etree

from oogst.devtools.simulator import PartnerSimulator
from oogst.errors import EXIT_CODES
from oogst.store.state.sqlite import VERSION

from . import faults

PARTNER = "hof-van-leie"
OBJECTS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }"


def oogst(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "COLUMNS": "200"})
    if check:
        assert proc.returncode == 0, f"oogst {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def pages_stored(data_dir: Path) -> int:
    path = data_dir / "state.sqlite"
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute("SELECT info FROM checkpoints WHERE feed = ?", (PARTNER,)).fetchone()
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()
    return json.loads(row[0]).get("page", 0) if row else 0


def published_graphs(data_dir: Path) -> set[str]:
    db = sqlite3.connect(f"file:{data_dir / 'state.sqlite'}?mode=ro", uri=True)
    try:
        return {r[0] for r in db.execute("SELECT graph_iri FROM records WHERE published = 1")}
    finally:
        db.close()


def store_graphs(data_dir: Path) -> set[str]:
    store = ox.Store.read_only(str(data_dir / "store"))
    return {g.value for g in store.named_graphs()}


def objects(data_dir: Path) -> int:
    return int(oogst(data_dir, "query", OBJECTS, "--format", "csv").stdout.splitlines()[1])


def test_backups_during_a_harvest_are_consistent_and_restore(tmp_path: Path) -> None:
    live = tmp_path / "live"
    with PartnerSimulator(page_size=2) as sim:  # 41 records: 21 pages, each stored as it comes
        oogst(live, "feeds", "add", PARTNER, "--url", sim.endpoint(PARTNER), "--format", "lido")
        # the partner holds back the page after each backup's page until that backup is taken,
        # so every backup happens while the harvest runs, however fast or slow the machine is
        release = {page + 1: threading.Event() for page in (4, 12)}
        served = [0]

        def hold(verb: str | None, args: dict[str, str], page: bytes) -> faults.Answer | None:
            if verb != "ListRecords":
                return None
            served[0] += 1
            if served[0] in release:
                release[served[0]].wait(120)
            return 200, faults.XML, page

        sim.inject(PARTNER, hold)
        harvest = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(live), "harvest", PARTNER],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        backups = []
        try:
            for page in (4, 12):
                deadline = time.monotonic() + 120
                # the harvest asks for the page after it and waits; the pages before it are stored,
                # but for the last batches in flight (committed when the next page comes)
                while served[0] <= page or pages_stored(live) < page - 2:
                    assert harvest.poll() is None, f"the harvest ended before page {page}: {harvest.stderr.read()}"
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
                target = tmp_path / f"backup-{page}"
                try:
                    manifest = json.loads(oogst(live, "backup", str(target), "--json").stdout)
                finally:
                    release[page + 1].set()
                backups.append((target, manifest))
            assert harvest.poll() is None, "the backups were taken while the harvest ran"
            assert harvest.wait(timeout=240) == 0, harvest.stderr.read()
        finally:
            if harvest.poll() is None:
                harvest.kill()

    seen = []
    for target, manifest in backups:
        assert manifest["consistent"] and manifest["stores"]["store"] == "files", manifest
        counts = manifest["counts"]
        assert counts["published"] == counts["graphs"] > 0
        assert manifest["state_schema"] == VERSION and {"state.sqlite", "archive.sqlite"} <= set(manifest["files"])
        restored = tmp_path / f"restored-{target.name}"
        oogst(restored, "restore", str(target))
        assert published_graphs(restored) == store_graphs(restored), "the state's published set is the store's"
        assert objects(restored) == counts["published"], "one object per published lido record"
        seen.append(counts["published"])
    assert seen[0] < seen[1] < 34, f"each backup is a moment of the harvest: {seen}"

    # after the harvest: a backup of the quiet data dir restores to the same answers
    final = tmp_path / "backup-final"
    oogst(live, "backup", str(final))
    restored = tmp_path / "restored-final"
    oogst(restored, "restore", str(final))
    assert objects(restored) == objects(live) == 34
    assert published_graphs(restored) == published_graphs(live) == store_graphs(restored)
    a = json.loads(oogst(live, "feeds", "show", PARTNER, "--json").stdout)
    b = json.loads(oogst(restored, "feeds", "show", PARTNER, "--json").stdout)
    assert a["totals"] == b["totals"] and a["last_run"] == b["last_run"]


def test_restore_refuses_a_used_data_dir_and_a_damaged_backup(tmp_path: Path) -> None:
    live, target = tmp_path / "live", tmp_path / "backup"
    with PartnerSimulator(page_size=10) as sim:
        oogst(live, "feeds", "add", PARTNER, "--url", sim.endpoint(PARTNER), "--format", "lido")
        oogst(live, "harvest", PARTNER)
    oogst(live, "backup", str(target))
    again = oogst(live, "backup", str(target), check=False)
    assert again.returncode == EXIT_CODES["config"] and "is not empty" in again.stderr

    refused = oogst(live, "restore", str(target), check=False)
    assert refused.returncode == EXIT_CODES["config"] and "--force" in refused.stderr
    oogst(live, "feeds", "remove", PARTNER, "--yes")
    assert objects(live) == 0
    oogst(live, "restore", str(target), "--force")
    assert objects(live) == 34, "the removed feed is back"

    state = target / "state.sqlite"
    data = bytearray(state.read_bytes())
    data[-100] ^= 0xFF
    state.write_bytes(bytes(data))
    damaged = oogst(tmp_path / "elsewhere", "restore", str(target), check=False)
    assert damaged.returncode == EXIT_CODES["store"] and "state.sqlite" in damaged.stderr
    assert not (tmp_path / "elsewhere" / "state.sqlite").exists(), "nothing copied from a damaged backup"


def test_archive_prune_keeps_the_last_versions(tmp_path: Path) -> None:
    live = tmp_path / "live"
    with PartnerSimulator(page_size=50) as sim:
        oogst(live, "feeds", "add", PARTNER, "--url", sim.endpoint(PARTNER), "--format", "lido")
        oogst(live, "harvest", PARTNER)
        record = next(r for r in sim._partner(PARTNER).sorted_records() if not r.deleted)
        metadata = etree.fromstring(record.xml).find("{http://www.openarchives.org/OAI/2.0/}metadata")[0]
        for n in range(3):  # three new versions of one record
            metadata.append(etree.Comment(f" version {n} "))
            sim.update_record(PARTNER, record.identifier, etree.tostring(metadata))
            oogst(live, "harvest", PARTNER)
    out = json.loads(oogst(live, "archive", "prune", "--keep", "2", "--json").stdout)
    assert out["versions"] == 2 and out["bytes"] > 0
    assert json.loads(oogst(live, "archive", "prune", "--keep", "2", "--json").stdout)["versions"] == 0
