"""`oogst serve`, two `oogst harvest` and `oogst query` on one data dir at once, as separate
processes: every request succeeds, and what readers see grows batch by batch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from oogst.devtools.partners import dc_records
from oogst.devtools.simulator import PartnerSimulator

from .conftest import free_port

RECORDS = 3000
SMALL = 1000  # a second feed, harvested by a second process at the same time
BATCH = 200
COUNT_GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def oogst(data: Path, *args: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(data), *args],
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kw)


def test_the_api_serves_during_a_harvest_in_another_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"OOGST_BATCH_SIZE": str(BATCH)}
    with PartnerSimulator(page_size=BATCH) as sim:
        sim.add_partner("groot", dc_records("groot", RECORDS), title="Groot archief")
        sim.add_partner("klein", dc_records("klein", SMALL), title="Klein archief")
        for name in ("groot", "klein"):
            add = oogst(data, "feeds", "add", name, "--url", sim.endpoint(name), "--format", "oai_dc")
            assert add.wait(60) == 0, add.stderr.read()
        port = free_port()
        serve = oogst(data, "serve", "--port", str(port), env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if requests.get(f"{base}/health", timeout=5).ok:
                        break
                except requests.ConnectionError:
                    time.sleep(0.1)
            else:
                serve.kill()
                raise AssertionError("oogst serve did not start: " + serve.stderr.read())
            seen: list[tuple[int, int]] = []  # (graphs by SPARQL, graphs by /health)
            failures: list[str] = []
            harvest = oogst(data, "harvest", "groot", "--json", env=env)
            second = oogst(data, "harvest", "klein", "--json", env=env)
            queries: list[subprocess.CompletedProcess] = []

            def ask(session: requests.Session) -> None:
                try:
                    answer = session.get(f"{base}/sparql", params={"query": COUNT_GRAPHS},
                                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
                    health = session.get(f"{base}/health", timeout=30)
                except requests.RequestException as exc:
                    failures.append(repr(exc))
                    return
                if answer.status_code != 200 or health.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]} / {health.status_code}")
                    return
                seen.append((int(answer.json()["results"]["bindings"][0]["n"]["value"]), health.json()["graphs"]))

            def poll() -> None:
                session = requests.Session()
                while harvest.poll() is None or second.poll() is None:
                    ask(session)
                ask(session)  # and once after the harvest

            def query_now() -> None:  # `oogst query` while the harvest runs
                while harvest.poll() is None and not (seen and seen[-1][0] > 0):
                    time.sleep(0.05)
                queries.append(subprocess.run(
                    [sys.executable, "-m", "oogst.cli", "--data-dir", str(data), "query", COUNT_GRAPHS,
                     "--format", "csv"], capture_output=True, text=True, timeout=120))

            threads = [threading.Thread(target=poll), threading.Thread(target=query_now)]
            for t in threads:
                t.start()
            out, err = harvest.communicate(timeout=600)
            out2, err2 = second.communicate(timeout=600)
            for t in threads:
                t.join(120)
        finally:
            serve.terminate()
            serve.wait(30)
    assert harvest.returncode == 0, err
    assert second.returncode == 0, err2
    summary, small = json.loads(out)[0], json.loads(out2)[0]
    assert summary["status"] == "complete" and summary["published"] == RECORDS, summary
    assert small["status"] == "complete" and small["published"] == SMALL, small
    assert not failures, failures[:5]
    sparql = [n for n, _ in seen]
    assert sparql == sorted(sparql), "a reader saw the count go down"
    assert all(n % BATCH == 0 for n, _ in seen), f"a reader saw part of a batch: {sorted(set(sparql))}"
    assert len({n for n in sparql if 0 < n < RECORDS}) >= 3, f"too few batches seen while harvesting: {sparql}"
    assert sparql[-1] == RECORDS + SMALL and seen[-1][1] == RECORDS + SMALL
    assert queries and queries[0].returncode == 0, queries[0].stderr if queries else "no query ran"
    assert int(queries[0].stdout.split()[1]) % BATCH == 0
