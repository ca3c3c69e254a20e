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


def test_a_store_opened_by_every_run_keeps_only_its_newest_info_logs(tmp_path: Path) -> None:
    """RocksDB writes an info log of 140 KB each time the store opens and keeps a thousand:
    a store written by every run keeps only the newest few."""
    from oogst.store.embedded import KEPT_INFO_LOGS

    path = tmp_path / "store"
    for run in range(KEPT_INFO_LOGS + 4):
        store = open_store(f"oxigraph://{path}", StoreOptions(graph_prefix=PREFIX))
        store.replace_graphs({f"{PREFIX}{run}": f'<http://x/{run}> <http://x/p> "{run}" .\n'})
        store.close()
    assert len(list(path.glob("LOG.old.*"))) <= KEPT_INFO_LOGS
    assert (path / "LOG").is_file()
    reader = open_store(f"oxigraph://{path}", StoreOptions(graph_prefix=PREFIX, read_only=True))
    assert reader.count_graphs() == KEPT_INFO_LOGS + 4
    reader.close()


def test_graphs_read_ahead_are_used_only_while_the_store_still_holds_them(tmp_path: Path, monkeypatch) -> None:
    """The batch room asks the store to read the graphs a batch will replace while the
    workers map it; a graph written after it was read is read again, so every replace
    leaves exactly the new graph (never triples of a version in between)."""
    from oogst.store import readahead

    store = open_store(f"oxigraph://{tmp_path / 'store'}", StoreOptions(graph_prefix=PREFIX))

    def graph(n: int, version: str, extra: str = "") -> str:
        return f'<http://x/{n}> <http://x/version> "{version}" .\n<http://x/{n}> <http://x/same> "kept" .\n' + extra

    store.replace_graphs({f"{PREFIX}{n}": graph(n, "v1") for n in range(4)}, new=True)
    read: list[str] = []
    real = readahead.read_graph
    monkeypatch.setattr(readahead, "read_graph", lambda s, g: read.append(g) or real(s, g))
    store.read_ahead([f"{PREFIX}{n}" for n in range(4)])  # all four, from the snapshot of v1
    # graph 0 is withdrawn and published again before its batch comes: its text read ahead is stale
    store.drop_graphs([f"{PREFIX}0"])
    store.replace_graphs({f"{PREFIX}0": graph(0, "v2", '<http://x/0> <http://x/only-in> "v2" .\n')}, new=True)
    store.replace_graphs({f"{PREFIX}{n}": graph(n, "v3") for n in range(3)})
    store.drop_graphs([f"{PREFIX}3"])
    assert sorted(read) == [f"{PREFIX}{n}" for n in range(4)], "the four were read ahead"

    def triples(n: int) -> set[tuple[str, str]]:
        rows = store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{PREFIX}{n}> {{ ?s ?p ?o }} }}", solutions="json").body
        return {(b["p"]["value"], b["o"]["value"]) for b in json.loads(rows)["results"]["bindings"]}

    for n in range(3):
        assert triples(n) == {("http://x/version", "v3"), ("http://x/same", "kept")}
    assert triples(3) == set()
    store.close()
