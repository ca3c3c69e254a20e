"""Readers on snapshots while other processes write: every snapshot holds whole batches,
generations only move forward, old ones are deleted, and two writing processes take turns."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from oogst.store import StoreOptions, open_store
from oogst.store.embedded import open_snapshot
from oogst.store.snapshots import snapshot_folder

PREFIX = "https://ex.org/g/"
GRAPHS = 50
BATCHES = 30

# a writer process: every batch rewrites all GRAPHS graphs with its own number (the first on the
# bulk path, the others as one transaction each), so a snapshot that mixes numbers saw part of one
WRITER = """
import sys
import time
from oogst.store import StoreOptions, open_store
url, tag, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(url, StoreOptions(graph_prefix={prefix!r}, write_lock_timeout=120))
for b in range(batches):
    graphs = {{f"{prefix}{{tag}}{{n}}": f'<http://x/{{tag}}{{n}}> <http://x/batch> "{{b:04d}}" .\\n'
               + "".join(f'<http://x/{{tag}}{{n}}> <http://x/p{{k}}> "{{b}} {{k}} padding to make the memtable work" .\\n'
                         for k in range(20))
              for n in range({graphs})}}
    store.replace_graphs(graphs, new=(b == 0))
    time.sleep(0.03)  # paced, so that the readers see batches in between however fast the writes are
store.close()
""".format(prefix=PREFIX, graphs=GRAPHS)

BATCH_OF = ("SELECT ?tag ?v (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://x/batch> ?v } "
            "BIND(SUBSTR(STR(?s), 10, 1) AS ?tag) } GROUP BY ?tag ?v")


def test_readers_see_whole_batches_while_two_processes_write(tmp_path: Path) -> None:
    path = tmp_path / "store"
    url = f"oxigraph://{path}"
    open_store(url, StoreOptions(graph_prefix=PREFIX)).close()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, tag, str(BATCHES)], stderr=subprocess.PIPE,
                                text=True) for tag in ("a", "b")]
    seen: list[dict[str, str]] = []
    problems: list[str] = []

    def read() -> None:
        reader = open_store(url, StoreOptions(graph_prefix=PREFIX, read_only=True))
        last: dict[str, str] = {}
        while any(w.poll() is None for w in writers) or not seen:
            rows = json.loads(reader.query(BATCH_OF).body)["results"]["bindings"]
            batches = {}
            for row in rows:
                tag, value, n = row["tag"]["value"], row["v"]["value"], int(row["n"]["value"])
                if tag in batches or n != GRAPHS:
                    problems.append(f"writer {tag} partly written: {rows}")
                batches[tag] = value
            if any(batches.get(tag, "") < value for tag, value in last.items()):
                problems.append(f"went back from {last} to {batches}")
            last = batches
            seen.append(batches)
        reader.close()

    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    for w in writers:
        assert w.wait(300) == 0, w.stderr.read()
    for r in readers:
        r.join(60)
    assert not problems, problems[:3]
    assert len(seen) > 10
    assert len({json.dumps(s, sort_keys=True) for s in seen}) > 5, "the readers saw too few batches"
    final = open_snapshot(path)
    assert final is not None
    rows = json.loads(open_store(url, StoreOptions(graph_prefix=PREFIX, read_only=True)).query(BATCH_OF).body)
    assert {(r["tag"]["value"], r["v"]["value"]) for r in rows["results"]["bindings"]} == {
        ("a", f"{BATCHES - 1:04d}"), ("b", f"{BATCHES - 1:04d}")}
    kept = [p for p in snapshot_folder(path).iterdir() if p.is_dir()]
    assert len(kept) <= 3, f"old snapshots were not deleted: {sorted(p.name for p in kept)}"


def test_a_store_from_before_snapshots_gets_its_first_one(tmp_path: Path) -> None:
    import pyoxigraph as ox

    path = tmp_path / "store"
    old = ox.Store(str(path))
    old.load(f"<http://x/s> <http://x/p> \"o\" <{PREFIX}1> .\n", format=ox.RdfFormat.N_QUADS)
    old.flush()
    del old
    reader = open_store(f"oxigraph://{path}", StoreOptions(graph_prefix=PREFIX, read_only=True))
    assert reader.count_graphs() == 1
    assert (snapshot_folder(path) / "CURRENT").is_file()
    reader.close()
