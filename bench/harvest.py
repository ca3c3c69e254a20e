"""OAI-PMH harvest speed and memory, against a local server with pre-rendered LIDO pages.

    .venv/bin/python bench/harvest.py [--records 50000] [--small 10000] [--page 500] [--runs 3]

The feed: the sample museum's 38 live LIDO records (``data/samples/museum-lido/records.xml``,
about 12 KB each as served, indented) repeated with a distinct identifier, inventory number
and datestamp in each copy, in ListRecords pages of ``--page`` records with resumption
tokens and ``completeListSize``. The pages are rendered once into a temporary folder and
served by a small HTTP/1.1 keep-alive server in another process (``sendfile``), so that the
figures measure the harvester, not a Python data provider.

Figures (median of ``--runs``): records per second of wall-clock time, and records per CPU
second of the client process (all its threads; the server's CPU is not counted). The second
figure holds up when other work shares the machine; the first is the one that counts on a
quiet one.

- ``transfer``: ``requests`` fetching every page, nothing parsed (the ceiling);
- ``requests + lxml``: the reference client: fetch, ``etree.fromstring``, one XPath, header
  fields and ``etree.tostring`` per record (peers.md measured ~5,900 records/s this way;
  sickle ~2,700);
- ``harvester``: ``OaiPmhHarvester.records()`` end to end (Identify, HTTP client with its
  retry/politeness gate, strict parse, ``SourceRecord`` per record, checkpoints);
- ``harvester, damaged pages``: every page carries one record with an invalid XML character,
  so each page takes the byte-level salvage path.

Peak memory: the harvester in a fresh subprocess over ``--small`` and ``--records`` records
(max RSS from ``getrusage``, Python heap peak from ``tracemalloc``); it should not grow with
the feed. Goal: ≥ 5,000 records/s for the harvester on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import json
import os
os.environ.setdefault("OOGST_ALLOWED_PRIVATE_NETWORKS", "127.0.0.0/8")  # the partner simulator is on loopback
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from lxml import etree

from oogst.harvest.http import HttpClient, HttpPolicy
from oogst.harvest.oai import OaiPmhHarvester
from oogst.records import Checkpoint, Feed

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "museum-lido" / "records.xml"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI = f"{{{OAI_NS}}}"
HEAD = (f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<responseDate>2026-01-01T00:00:00Z</responseDate>\n<request verb="ListRecords">http://bench/oai</request>\n')
IDENTIFY = (HEAD.replace('verb="ListRecords"', 'verb="Identify"') + "<Identify><repositoryName>bench</repositoryName>"
            "<baseURL>http://bench/oai</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>a@b.c</adminEmail>"
            "<earliestDatestamp>2020-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>\n").encode()


# -- the feed ----------------------------------------------------------------------------------
def templates() -> list[tuple[str, bytes]]:
    """(inventory number, ``<record>`` bytes) of the sample museum's live records."""
    out = []
    for record in etree.parse(str(SAMPLES)).getroot().iter(OAI + "record"):
        header = record.find(OAI + "header")
        if header.get("status") != "deleted":
            number = header.findtext(OAI + "identifier").rsplit(":", 1)[-1]
            out.append((number, etree.tostring(record, with_tail=False)))
    return out


def render(folder: Path, records: int, page_size: int, damaged: bool = False) -> int:
    """Write the feed's pages as ``folder/{n}.xml``; return the number of pages."""
    folder.mkdir(parents=True)
    forms = templates()
    pages = -(-records // page_size)
    for p in range(pages):
        parts = [HEAD.encode(), b"<ListRecords>\n"]
        for k in range(p * page_size, min(records, (p + 1) * page_size)):
            number, xml = forms[k % len(forms)]
            copy = f"{number}-{k:07d}".encode()
            xml = xml.replace(number.encode(), copy)
            stamp = f"2025-{1 + k // 2_000_000:02d}-01T00:{k // 60 % 60:02d}:{k % 60:02d}Z".encode()
            xml = re.sub(rb"<datestamp>[^<]*</datestamp>", b"<datestamp>" + stamp + b"</datestamp>", xml, count=1)
            if damaged and k % page_size == page_size // 2:
                xml = xml.replace(b"</lido:lidoRecID>", b"\x0b</lido:lidoRecID>", 1)
            parts += [xml, b"\n"]
        if p + 1 < pages:
            parts.append(f'<resumptionToken completeListSize="{records}" cursor="{p * page_size}">{p + 1}'
                         f'</resumptionToken>\n'.encode())
        parts.append(b"</ListRecords>\n</OAI-PMH>\n")
        (folder / f"{p}.xml").write_bytes(b"".join(parts))
    (folder / "identify.xml").write_bytes(IDENTIFY)
    return pages


class _Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server would

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        folder = Path(self.server.root) / split.path.strip("/").split("/")[0]  # type: ignore[attr-defined]
        query = parse_qs(split.query)
        verb = query.get("verb", [""])[0]
        name = "identify.xml" if verb == "Identify" else f"{query.get('resumptionToken', ['0'])[0]}.xml"
        path = folder / name
        if not path.is_file():
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(path.stat().st_size))
        self.end_headers()
        with path.open("rb") as f:
            self.connection.sendfile(f)

    def log_message(self, *args) -> None:
        pass


def serve(root: str) -> None:
    """``--serve ROOT``: print the port, then serve ROOT's feeds until killed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.root = root  # type: ignore[attr-defined]
    print(server.server_address[1], flush=True)
    server.serve_forever()


# -- the clients -------------------------------------------------------------------------------
def transfer(url: str) -> int:
    session, pages, token = requests.Session(), 0, "0"
    while True:
        body = session.get(url, params={"verb": "ListRecords", "resumptionToken": token}).content
        pages += 1
        match = re.search(rb"<resumptionToken[^>]*>([^<]+)<", body[-300:])
        if not match:
            return pages
        token = match.group(1).decode()


def requests_lxml(url: str) -> int:
    session, n = requests.Session(), 0
    params = {"verb": "ListRecords", "metadataPrefix": "lido"}
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
    while True:
        root = etree.fromstring(session.get(url, params=params).content, parser)
        for record in root.iterfind(f"{OAI}ListRecords/{OAI}record"):
            record.findtext(f"{OAI}header/{OAI}identifier")
            record.findtext(f"{OAI}header/{OAI}datestamp")
            etree.tostring(record)
            n += 1
        token = root.findtext(f"{OAI}ListRecords/{OAI}resumptionToken")
        if not token:
            return n
        params = {"verb": "ListRecords", "resumptionToken": token}


def harvester(url: str) -> int:
    feed = Feed(name="bench", protocol="oai-pmh", url=url, format="lido")
    n = 0
    for item in OaiPmhHarvester(feed, HttpClient(HttpPolicy())).records(None, None):
        if not isinstance(item, Checkpoint):
            n += 1
    return n


def memory(url: str) -> None:
    """``--memory URL``: harvest the feed in this process; print records, max RSS, heap peak."""
    tracemalloc.start()
    n = harvester(url)
    peak = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"records": n, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "heap_peak_mb": peak / 2**20}))


def timed(work: Callable[[str], int], url: str, records: int, runs: int) -> tuple[float, float]:
    """(records per wall second, records per CPU second of this process), medians."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work(url)
        wall.append(records / (time.perf_counter() - start))
        cpu.append(records / (time.process_time() - start_cpu))
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=10_000, help="the smaller feed of the memory comparison")
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    if args.memory:
        return memory(args.memory)

    root = Path(tempfile.mkdtemp(prefix="oogst-bench-"))
    server = None
    try:
        start = time.perf_counter()
        pages = render(root / "big", args.records, args.page)
        render(root / "small", args.small, args.page)
        render(root / "damaged", args.records, args.page, damaged=True)
        size = sum(f.stat().st_size for f in (root / "big").glob("*.xml"))
        print(f"feed: {args.records:,} LIDO records in {pages} pages of {args.page} "
              f"({size / 2**20:,.0f} MiB, {size / args.records / 1024:.1f} KiB per record; "
              f"rendered in {time.perf_counter() - start:.1f} s)")
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(root)], stdout=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        assert harvester(f"{base}/big/oai") == args.records
        load = os.getloadavg()[0]
        print(f"\n{'client':<28} {'records/s':>10} {'per CPU-s':>10}  (median of {args.runs}; "
              f"load average {load:.1f} on {os.cpu_count()} cores)")
        rates = {}
        for label, work, feed in (("transfer (requests only)", transfer, "big"),
                                  ("requests + lxml", requests_lxml, "big"),
                                  ("harvester", harvester, "big"),
                                  ("harvester, damaged pages", harvester, "damaged")):
            rates[label] = timed(work, f"{base}/{feed}/oai", args.records, args.runs)
            print(f"{label:<28} {rates[label][0]:>10,.0f} {rates[label][1]:>10,.0f}")
        wall, cpu = rates["harvester"]
        print(f"\nharvester / (requests + lxml): {wall / rates['requests + lxml'][0]:.2f}× (wall), "
              f"{cpu / rates['requests + lxml'][1]:.2f}× (CPU); goal 5,000 records/s: "
              f"{'met' if wall >= 5000 else 'not met'} on the wall clock, {'met' if cpu >= 5000 else 'not met'} "
              f"per CPU second")
        print(f"\n{'peak memory':<28} {'records':>10} {'max RSS':>10} {'heap peak':>10}")
        for feed in ("small", "big"):
            out = subprocess.run([sys.executable, __file__, "--memory", f"{base}/{feed}/oai"],
                                 capture_output=True, text=True, check=True).stdout
            m = json.loads(out)
            print(f"{'harvester, ' + feed + ' feed':<28} {m['records']:>10,} {m['max_rss_mb']:>8.0f} MB "
                  f"{m['heap_peak_mb']:>7.1f} MB")
    finally:
        if server is not None:
            server.kill()
            server.wait()
        shutil.rmtree(root, ignore_errors=True)
    return None


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
