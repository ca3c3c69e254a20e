"""One record's whole journey, through the real CLI and real HTTP.

A local OAI-PMH server (the partner simulator) serves the samples in several pages with
resumption tokens; `oogst harvest` harvests, maps, validates and stores them; `oogst serve`
runs under uvicorn and is queried over HTTP with SPARQL and REST.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from lxml import etree

from oogst import iris
from oogst.devtools.simulator import PartnerSimulator

from .conftest import ROOT, free_port

OAI = "{http://www.openarchives.org/OAI/2.0/}"
SAMPLES = ROOT / "data" / "samples"
P102 = "http://www.cidoc-crm.org/cidoc-crm/P102_has_title"


def oogst(data_dir: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200", **env})
    if check and proc.returncode != 0:
        raise AssertionError(f"oogst {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def sample_headers(partner: str) -> dict[str, str]:
    """identifier → 'deleted' or 'active', read from the partner's sample file."""
    folder = next(p.parent for p in SAMPLES.glob("*/partner.toml")
                  if tomllib.loads(p.read_text("utf-8"))["name"] == partner)
    tree = etree.parse(str(folder / "records.xml"))
    return {h.findtext(f"{OAI}identifier"): ("deleted" if h.get("status") == "deleted" else "active")
            for h in tree.iter(f"{OAI}header")}


def sparql(base: str, query: str) -> dict:
    resp = requests.post(f"{base}/sparql", data={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    resp.raise_for_status()
    return resp.json()


@pytest.fixture(scope="module")
def harvested(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    with PartnerSimulator(page_size=7) as sim:
        for name, info in sim.partners.items():
            oogst(data_dir, "feeds", "add", name, "--url", sim.endpoint(name), "--format", info["format"],
                  "--metadata-prefix", info["metadata_prefix"])
        runs = json.loads(oogst(data_dir, "harvest", "--all", "--json").stdout)
        tokens = sum(1 for _path, args in sim.request_log if "resumptionToken" in args)
        partners = dict(sim.partners)
        seen = len(sim.request_log)
        again = json.loads(oogst(data_dir, "harvest", "--all", "--json").stdout)
        incremental_args = [args for _path, args in sim.request_log[seen:]]
    return data_dir, runs, tokens, partners, again, incremental_args


@pytest.fixture(scope="module")
def served(harvested):
    data_dir = harvested[0]
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), "serve",
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/health", timeout=1).ok:
                break
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"oogst serve did not start: {proc.stderr.read().decode()}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_harvest_reads_several_pages_and_every_feed_completes(harvested) -> None:
    _data_dir, runs, tokens, partners, *_ = harvested
    assert tokens >= 4, "the simulator should have served several pages with resumption tokens"
    assert {r["feed"] for r in runs} == set(partners)
    for run in runs:
        assert run["status"] == "complete", run
        assert run["published"] > 0 and run["quarantined"] > 0 and run["withdrawn"] > 0, run
        outcomes = run["published"] + run["quarantined"] + run["withdrawn"] + run["unchanged"]
        if partners[run["feed"]]["format"] == "ead":  # a finding aid becomes one record per unit
            assert outcomes > run["harvested"], run
        else:
            assert run["harvested"] == outcomes, run


def test_feeds_show_json_has_the_counts_of_the_last_run(harvested) -> None:
    data_dir, runs, _tokens, _partners, again, _args = harvested
    for first, last in zip(runs, again, strict=True):
        info = json.loads(oogst(data_dir, "feeds", "show", last["feed"], "--json").stdout)
        assert info["counts"] == {k: last[k] for k in ("harvested", "published", "quarantined", "withdrawn")}
        assert info["totals"]["published"] == first["published"]
        assert info["totals"]["quarantined"] == first["quarantined"]


def test_query_counts_the_published_objects(harvested) -> None:
    data_dir, runs, *_ = harvested
    out = oogst(data_dir, "query", "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }", "--format", "csv").stdout
    assert out.split() == ["n", str(sum(r["published"] for r in runs))]


def test_sparql_over_http_sees_titles_but_not_deleted_or_quarantined_records(harvested, served) -> None:
    data_dir, _runs, _tokens, partners, *_ = harvested
    titles = sparql(served, f"SELECT ?o ?title WHERE {{ ?o <{P102}> ?title }}")["results"]["bindings"]
    assert titles and all(b["title"]["value"].strip() for b in titles)
    assert any(b["title"].get("xml:lang") == "fr" for b in titles), "the samples have French titles"

    for partner in partners:
        headers = sample_headers(partner)
        deleted = [i for i, status in headers.items() if status == "deleted"]
        assert deleted
        for identifier in deleted:
            record_id = iris.record_id(partner, identifier)
            graph = iris.Minter(partner).graph_iri(identifier)
            assert sparql(served, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")["boolean"] is False
            assert requests.get(f"{served}/records/{quote(record_id)}", timeout=10).status_code == 410

        listing = requests.get(f"{served}/records", params={"feed": partner, "limit": 500}, timeout=10).json()
        published_ids = {item["id"] for item in listing["items"]}
        quarantined = [i for i in headers if headers[i] == "active" and iris.record_id(partner, i) not in published_ids]
        assert quarantined, f"{partner}: the samples hold deliberately invalid records"
        for identifier in quarantined:
            graph = iris.Minter(partner).graph_iri(identifier)
            assert sparql(served, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")["boolean"] is False
            resp = requests.get(f"{served}/records/{quote(iris.record_id(partner, identifier))}", timeout=10)
            assert resp.status_code == 404 and "quarantin" in resp.text
        # every published record is in the store, with its title
        some = next(iter(published_ids))
        resp = requests.get(f"{served}/records/{quote(some)}", headers={"Accept": "text/turtle"}, timeout=10)
        assert resp.status_code == 200 and "P102_has_title" in resp.text


def test_second_run_asks_only_for_changes(harvested) -> None:
    _data_dir, _runs, _tokens, _partners, again, incremental_args = harvested
    assert all(r["status"] == "complete" and r["published"] == 0 for r in again), again
    first_requests = [a for a in incremental_args if a.get("verb") == "ListRecords" and "resumptionToken" not in a]
    assert first_requests and all("from" in a for a in first_requests)


def test_unreachable_partner_fails_cleanly_and_keeps_the_data(harvested, tmp_path) -> None:
    served_dir, runs, *_ = harvested
    # `oogst serve` may hold the data dir's store (a run would be skipped): harvest a copy
    data_dir = tmp_path / "data"
    shutil.copytree(served_dir, data_dir, ignore=shutil.ignore_patterns("LOCK", "*.lock"))
    # the simulator is gone now: each run fails on its own, the exit code says so
    proc = oogst(data_dir, "harvest", "--all", "--json", check=False, OOGST_HTTP_RETRIES="2",
                 OOGST_HTTP_BACKOFF="0.01")
    assert proc.returncode == 1, proc.stderr
    failed = json.loads(proc.stdout)
    assert all(r["status"] == "failed" and "connect" in r["error"]["message"] for r in failed)
    for run in runs:
        info = json.loads(oogst(data_dir, "feeds", "show", run["feed"], "--json").stdout)
        assert info["status"] == "active" and "connect" in info["last_error"]
        assert info["totals"]["published"] == run["published"], "the last good data stays published"
