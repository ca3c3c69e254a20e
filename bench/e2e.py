"""End to end: the real `oogst harvest`, in its own process, against the partner simulator.

    .venv/bin/python bench/e2e.py [--records 20000] [--sets sample,msk] [--workers N]
                                  [--server | --store oxigraph+http://…] [--profile DIR]

For each record set (``sample``: the sample museum's LIDO records, about 12 KB and 85 triples
each; ``msk``: the corpus' MSK Gent records, about 6 KB and 47 triples, skipped without the
corpus; each is given a web page link of its own, which those test records lack and the
acceptance gate requires), ``--records`` records with distinct identifiers are served by the partner simulator
(``devtools/simulator.py``, in this process, pages of 500) and harvested by ``oogst harvest``
at default settings into an empty data dir. Printed side by side, from one run:

- records/s of a bare requests + lxml pass over the same server (the ceiling);
- records/s of the first load, and its ratio to the bare pass;
- seconds of a second run after 1% of the records changed and 0.1% were deleted;
- the data dir's bytes per record, and per part (store, archive, state, search, system);
- the peak RSS of the harvest process.

``--server`` repeats the first load into an Oxigraph server (``--store oxigraph+http://…``,
started on 127.0.0.1 from the test extras' ``oxigraph`` package); ``--store URL`` into a
store server of your own. ``--profile DIR`` samples both runs with py-spy (every thread of
the harvest process and of its workers) and prints where the time goes. Goals on the 2-core
machine: first load ≥ 2,000 records/s (≥ a third of the bare pass), the 1% run on 100,000
records ≤ 5 s, ≤ 15 KB per record, and ≥ 1,000 records/s into the Oxigraph server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import resource
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from lxml import etree

from oogst.devtools.simulator import PartnerSimulator, SimRecord

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "museum-lido" / "records.xml"
CORPUS = ROOT.parent / "shared" / "corpus" / "lido"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
LIDO_ID = re.compile(rb"(<lido:lidoRecID[^>]*>)([^<]*)(</lido:lidoRecID>)")
PUBLISHED_ID = re.compile(rb"(<lido:objectPublishedID[^>]*>)([^<]*)(</lido:objectPublishedID>)")
PROFILE = 'language = "nl"\ndefault_rights = "CC0"\n[provider]\nname = "Museum Bench"\n'
PAGE = 500
sys.path.insert(0, str(ROOT))


# -- the feed ----------------------------------------------------------------------------------
def lido_payloads(kind: str) -> list[bytes]:
    """The ``lido:lido`` elements of a record set."""
    if kind == "msk":
        return [etree.tostring(etree.parse(str(p)).getroot()) for p in sorted(CORPUS.glob("msk_gent_*.xml"))]
    out = []
    for record in etree.parse(str(SAMPLES)).getroot().iter(OAI + "record"):
        if record.find(OAI + "header").get("status") != "deleted":
            out.append(etree.tostring(record.find(f"{OAI}metadata")[0]))
    return out


def distinct(payload: bytes, k: int, *, link: bool = False) -> bytes:
    """A copy of a LIDO payload with its own record id and object PID (and, with ``link``, a
    web page of its own: the corpus' MSK Gent test records have none, which the acceptance
    gate requires, so without it none would be published)."""
    payload = LIDO_ID.sub(lambda m: m.group(1) + m.group(2) + b"-%d" % k + m.group(3), payload, count=1)
    payload = PUBLISHED_ID.sub(lambda m: m.group(1) + m.group(2) + b"-%d" % k + m.group(3), payload, count=1)
    if link and b"recordInfoLink" not in payload:
        page = b"<lido:recordInfoSet><lido:recordInfoLink>https://www.mskgent.be/collection/work/%d</lido:recordInfoLink>" \
               b"</lido:recordInfoSet></lido:recordWrap>" % k
        payload = payload.replace(b"</lido:recordWrap>", page, 1)
    return payload


def records(kind: str, count: int) -> list[SimRecord]:
    forms = lido_payloads(kind)
    stamp = "2025-01-01T00:00:00Z"
    return [SimRecord.build(f"oai:bench:{k:07d}", stamp, distinct(forms[k % len(forms)], k, link=kind == "msk"))
            for k in range(count)]


# -- measuring ----------------------------------------------------------------------------------
def bare_pass(url: str) -> float:
    """records/s of requests + lxml: fetch, parse, header fields and bytes of every record."""
    session, n, start = requests.Session(), 0, time.perf_counter()
    params = {"verb": "ListRecords", "metadataPrefix": "lido"}
    while True:
        root = etree.fromstring(session.get(url, params=params, timeout=60).content)
        for record in root.iterfind(f"{OAI}ListRecords/{OAI}record"):
            record.findtext(f"{OAI}header/{OAI}identifier")
            etree.tostring(record)
            n += 1
        token = root.findtext(f"{OAI}ListRecords/{OAI}resumptionToken")
        if not token:
            return n / (time.perf_counter() - start)
        params = {"verb": "ListRecords", "resumptionToken": token}


@dataclass
class Ran:
    seconds: float
    rss: float  # MB: the peak of the harvest process and its workers together
    cpu: float  # CPU seconds of the process and its workers (user + system)
    out: dict | list | None
    own: float = 0.0  # CPU seconds of the harvest process alone (sampled: at most 50 ms short)


def oogst(data_dir: Path, *args: str, env: dict[str, str], profile: Path | None = None) -> Ran:
    """Run the CLI in its own process (sampled by py-spy into ``profile`` when given), sampling
    the RSS of its process tree every 50 ms."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    spy = None
    if profile:  # every thread of the harvest and of its workers, sampled from outside
        spy = subprocess.Popen([py_spy(), "record", "--pid", str(proc.pid), "--subprocesses", "--rate", "100",
                                "--format", "raw", "--output", str(profile), "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, own = [0], [0.0]
    sampler = threading.Thread(target=_sample_rss, args=(proc, peak, own), daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if spy is not None:
        spy.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"oogst {' '.join(args)} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Ran(seconds, peak[0] / 1024, cpu, json.loads(out) if out.strip().startswith((b"[", b"{")) else None,
               own[0])


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return out


def _sample_rss(proc: subprocess.Popen, peak: list[int], own: list[float]) -> None:
    """The largest sum of VmRSS (kB) over the process tree, while it runs, and the CPU
    seconds of the process itself (the workers' are the rest of its children's)."""
    tick = os.sysconf("SC_CLK_TCK")
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            own[0] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
        total = 0
        for p in _tree(proc.pid):
            try:
                with open(f"/proc/{p}/status") as f:
                    total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
            except OSError:
                continue
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


def size(path: Path, seen: set[tuple[int, int]] | None = None) -> int:
    """Bytes of a folder, or of a SQLite file with its WAL. A file hard-linked more than once
    (the stores' snapshots are RocksDB checkpoints: links to the same files) counts once per
    ``seen``, as on the disk."""
    seen = set() if seen is None else seen
    files = path.rglob("*") if path.is_dir() else (path, path.with_name(path.name + "-wal"))
    total = 0
    for f in files:
        if f.is_file():
            st = f.stat()
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def first_load(sim: PartnerSimulator, data_dir: Path, env: dict[str, str], store: str | None = None,
               profile: Path | None = None) -> dict:
    mapping = data_dir.parent / "profile.toml"
    mapping.write_text(PROFILE, "utf-8")
    extra = ["--store", store] if store else []
    oogst(data_dir, *extra, "feeds", "add", "bench", "--url", sim.endpoint("bench"), "--format", "lido",
          "--profile", str(mapping), env=env)
    load = os.getloadavg()[0]
    ran = oogst(data_dir, *extra, "harvest", "bench", "--json", env=env, profile=profile)
    counts = ran.out[0]
    assert counts["status"] == "complete", counts
    return {"seconds": ran.seconds, "rss": ran.rss, "cpu": ran.cpu, "own": ran.own, "published": counts["published"],
            "harvested": counts["harvested"], "load": (load + os.getloadavg()[0]) / 2}


def run_set(kind: str, count: int, args: argparse.Namespace, env: dict[str, str], work: Path) -> None:
    recs = records(kind, count)
    empty = work / "no-samples"
    empty.mkdir(exist_ok=True)
    with PartnerSimulator(samples_dir=empty, page_size=PAGE) as sim:
        sim.add_partner("bench", recs, format="lido", granularity="YYYY-MM-DDThh:mm:ssZ")
        url = sim.endpoint("bench")
        bare = bare_pass(url)
        data_dir = work / f"{kind}-data"
        profile = Path(args.profile) / f"{kind}.txt" if args.profile else None
        first = first_load(sim, data_dir, env, profile=profile)
        rate = count / first["seconds"]
        remote = []  # the same feed into a store server, before the changes
        if args.store:
            other = first_load(sim, work / f"{kind}-remote", env, store=args.store)
            remote.append(f"first load, {args.store:<14} {count / other['seconds']:>8,.0f} records/s   (goal ≥ 1,000)")
        if args.server:
            remote.append(server_load(sim, work / f"{kind}-server", env, count))
        changed = recs[:: 100]  # 1%
        deleted = recs[50:: 1000]  # 0.1%
        for r in changed:
            payload = r.xml[r.xml.index(b"<metadata>") + len(b"<metadata>"):r.xml.rindex(b"</metadata>")]
            sim.update_record("bench", r.identifier,
                              payload.replace(b"</lido:appellationValue>", b" (bijgewerkt)</lido:appellationValue>", 1))
        for r in deleted:
            sim.delete_record("bench", r.identifier)
        time.sleep(1.1)  # the next run's window starts at the first run's server clock
        again = profile.with_name(f"{kind}-second.txt") if profile else None
        ran = oogst(data_dir, "harvest", "bench", "--json", env=env, profile=again)
        second, summary = ran.seconds, ran.out
        seen: set[tuple[int, int]] = set()
        parts = {p: size(data_dir / p, seen) for p in ("store", "archive.sqlite", "state.sqlite", "search.sqlite", "system",
                                                        "store.snapshots", "system.snapshots")}
        total = size(data_dir)
        print(f"\n== {kind}: {count:,} records ({first['published']:,} published), pages of {PAGE}")
        print(f"bare requests + lxml      {bare:>10,.0f} records/s")
        print(f"first load                {rate:>10,.0f} records/s   ({rate / bare:.2f}× the bare pass; "
              f"{first['seconds']:.1f} s; goal ≥ 2,000 and ≥ 0.33×; load average {first['load']:.1f})")
        print(f"  CPU per record          {first['cpu'] / count * 1000:>10.2f} ms        (harvest process and workers; "
              f"{count / first['cpu'] * 2:,.0f} records/s if two idle cores were kept busy)")
        print(f"    of which the harvest process {first['own'] / count * 1000:>5.2f} ms "
              f"(its fetching, storing and derived views; the mapping workers use the rest)")
        print(f"1% changed, 0.1% deleted  {second:>10.1f} s           (harvested {summary[0]['harvested']}, "
              f"published {summary[0]['published']}, withdrawn {summary[0]['withdrawn']})")
        print(f"data dir                  {total / count / 1024:>10.1f} KB/record  (goal ≤ 15; "
              + ", ".join(f"{k} {v / count / 1024:.1f}" for k, v in parts.items()) + ")")
        print(f"peak RSS (first load)     {first['rss']:>10.0f} MB        (the harvest process and its workers)")
        if profile:
            print_profile(profile)
            print_profile(again, 12)
        for line in remote:
            print(line)


def py_spy() -> str:
    found = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("--profile needs py-spy (pip install -e '.[bench]'): it samples the harvest and its workers")
    return found


def print_profile(path: Path, top: int = 25) -> None:
    """Where the harvest's process tree spent its samples: by process (the harvest, each
    worker), by oogst function (the time below it, all processes), and the innermost frames."""
    from collections import Counter

    procs: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text("utf-8", "replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        count = int(n)
        total += count
        procs["workers" if "spawn_main" in stack else "harvest process"] += count
        for name in dict.fromkeys(f.split(" (")[0] + " " + _where(f) for f in frames[1:] if "/oogst/" in f
                                  or "main/" in f and ".venv" not in f):
            inside[name] += count
        own[frames[-1].split(" (")[0] + " " + _where(frames[-1])] += count
    if not total:
        print(f"\n-- no samples in {path}")
        return
    print(f"\n-- profile ({path}, {total:,} samples at 100 Hz, all threads and processes)")
    print("   " + ", ".join(f"{k} {v / total:.0%}" for k, v in procs.most_common()))
    print("   oogst functions, share of the samples below them:")
    for name, n in inside.most_common(top):
        print(f"   {n / total:6.1%}  {name}")
    print("   innermost frames:")
    for name, n in own.most_common(top // 2):
        print(f"   {n / total:6.1%}  {name}")


def _where(frame: str) -> str:
    place = frame[frame.find("(") + 1:frame.rfind(")")] if "(" in frame else ""
    return place.split("site-packages/")[-1].split("/main/")[-1].split(":")[0]


def server_load(sim: PartnerSimulator, folder: Path, env: dict[str, str], count: int) -> str:
    from tests.servers import find_oxigraph, start_oxigraph

    if find_oxigraph() is None:
        return "oxigraph server           skipped: the `oxigraph` package (test extras) is not installed"
    folder.mkdir()
    server = start_oxigraph(folder / "oxigraph")
    try:
        first = first_load(sim, folder / "data", env, store=server.store_url)
        return f"first load, Oxigraph server {count / first['seconds']:>8,.0f} records/s   (goal ≥ 1,000)"
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--sets", default="sample,msk", help="comma-separated: sample, msk")
    parser.add_argument("--server", action="store_true", help="also load into an Oxigraph server it starts")
    parser.add_argument("--store", help="also load into this store (e.g. oxigraph+http://127.0.0.1:7878); "
                                        "its graphs of the bench feed are replaced")
    parser.add_argument("--oslo-ap-sample", type=float, help="the setting oslo_ap_sample (default: its default)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (empty) and keep the data dirs")
    parser.add_argument("--profile", metavar="DIR", help="sample both runs with py-spy (the harvest and its "
                                                          "workers), keep the stacks in DIR and print where the time goes")
    parser.add_argument("--workers", type=int, help="the harvest's worker processes (setting `workers`)")
    args = parser.parse_args()
    env = {**os.environ, "OOGST_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8", "PYTHONHASHSEED": "0"}
    if args.workers is not None:
        env["OOGST_WORKERS"] = str(args.workers)
    if args.oslo_ap_sample is not None:
        env["OOGST_OSLO_AP_SAMPLE"] = str(args.oslo_ap_sample)
    if args.profile:
        py_spy()
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="oogst-e2e-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    try:
        for kind in args.sets.split(","):
            if kind == "msk" and not list(CORPUS.glob("msk_gent_*.xml")):
                print(f"\n== msk: skipped, no MSK Gent records in {CORPUS}")
                continue
            run_set(kind, args.records, args, env, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
