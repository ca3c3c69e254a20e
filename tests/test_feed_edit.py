"""Changing a feed without unpublishing anything, `feeds add --probe`, and a demo data dir
that stays harvestable after the demo."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from oogst.cli import main
from oogst.devtools.partners import dc_records
from oogst.devtools.simulator import PartnerSimulator

from .conftest import free_port

NO_SAMPLES = Path(__file__).parent / "golden"  # a folder without partner.toml files


def cli(data: Path, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(data), *args])


def test_a_moved_endpoint_keeps_the_records_and_their_identities(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old, new = PartnerSimulator(NO_SAMPLES), PartnerSimulator(NO_SAMPLES)
    for sim in (old, new):
        sim.add_partner("kust", dc_records("kust", 25), title="Kust")
    with old, new:
        assert cli(data, "feeds", "add", "kust", "--url", old.endpoint("kust"), "--format", "oai_dc").exit_code == 0
        first = json.loads(cli(data, "harvest", "kust", "--json").output)[0]
        assert first["published"] == 25
        before = json.loads(cli(data, "query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                "--format", "json").output)
        edited = cli(data, "feeds", "edit", "kust", "--url", new.endpoint("kust"), "--schedule", "daily 02:00",
                     "--json")
        assert edited.exit_code == 0, edited.output
        feed = json.loads(edited.output)
        assert feed["url"] == new.endpoint("kust") and feed["schedule"] == "daily 02:00"
        shown = json.loads(cli(data, "feeds", "show", "kust", "--json").output)
        assert shown["totals"]["published"] == 25  # nothing unpublished by the edit
        old.stop()  # the old server is gone
        again = json.loads(cli(data, "harvest", "kust", "--json").output)[0]
        after = json.loads(cli(data, "query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                               "--format", "json").output)
    assert again["status"] == "complete" and again["mode"] == "full"  # a new server is read whole
    assert (again["unchanged"], again["published"], again["withdrawn"]) == (25, 0, 0)
    graphs = sorted(b["g"]["value"] for b in before["results"]["bindings"])
    assert graphs == sorted(b["g"]["value"] for b in after["results"]["bindings"]) and len(graphs) == 25


def test_feeds_add_probe_checks_that_the_url_answers_the_protocol(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sim = PartnerSimulator(NO_SAMPLES)
    sim.add_partner("kust", dc_records("kust", 3), title="Kust", sets=[{"spec": "foto", "name": "Foto's"}])
    with sim:
        ok = cli(data, "feeds", "add", "kust", "--url", sim.endpoint("kust"), "--format", "oai_dc", "--probe")
        assert ok.exit_code == 0, ok.output
        wrong_prefix = cli(data, "feeds", "add", "kust-lido", "--url", sim.endpoint("kust"), "--format", "lido",
                           "--probe")
        assert wrong_prefix.exit_code == 3 and "no metadataPrefix 'lido'" in wrong_prefix.output
        nothing = cli(data, "feeds", "add", "leeg", "--url", f"{sim.url}/nergens/oai", "--format", "oai_dc",
                      "--probe")
        assert nothing.exit_code == 3 and "does not answer" in nothing.output, nothing.output
        no_set = cli(data, "feeds", "add", "kust-set", "--url", sim.endpoint("kust"), "--format", "oai_dc",
                     "--set", "bestaat-niet", "--probe")
    assert no_set.exit_code == 3 and "no set 'bestaat-niet'" in no_set.output and "foto" in no_set.output
    names = [f["name"] for f in json.loads(cli(data, "feeds", "list", "--json").output)]
    assert "kust" in names and "kust-lido" not in names and "leeg" not in names
    closed = free_port()
    refused = cli(data, "feeds", "add", "dicht", "--url", f"http://127.0.0.1:{closed}/oai", "--format", "oai_dc",
                  "--probe")
    assert refused.exit_code == 3 and "does not answer" in refused.output


def test_the_demo_data_dir_stays_harvestable(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    demo = cli(data, "demo", "--no-serve", "--port", str(free_port()), "--json")
    assert demo.exit_code == 0, demo.output[-2000:]
    # the demo's simulator has stopped: a harvest of the demo data dir starts it again
    night = cli(data, "harvest", "--all", "--jobs", "2", "--json")
    assert night.exit_code == 0, night.output[-2000:]
    runs = json.loads(night.output[night.output.index("["):])
    assert runs and all(r["status"] == "complete" for r in runs), runs
