"""``oogst preview``: the first N records of a feed, fetched live, mapped and validated, shown
with their source, OSLO Turtle and findings; nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from oogst.cli import main
from oogst.pipeline import Oogst
from oogst.settings import Settings
from oogst.devtools.simulator import PartnerSimulator

MUSEUM = "hof-van-leie"


@pytest.fixture
def feed(tmp_path: Path):
    data_dir = tmp_path / "data"
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--data-dir", str(data_dir), *args])

    with PartnerSimulator(page_size=10) as sim:
        added = run("feeds", "add", MUSEUM, "--url", sim.endpoint(MUSEUM), "--format", sim.partners[MUSEUM]["format"])
        assert added.exit_code == 0, added.output
        sim.clear_request_log()
        yield data_dir, run, sim


def test_preview_shows_source_turtle_and_findings_and_stores_nothing(feed) -> None:
    data_dir, run, sim = feed
    before = {p.relative_to(data_dir) for p in data_dir.rglob("*")}
    result = run("preview", MUSEUM, "--n", "3", "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert len(items) == 3
    for item in items:
        assert item["source_id"].startswith("oai:hofvanleie.be:")
        assert "lido" in item["source"]
        if item["error"] is None:
            assert "crm:P102_has_title" in item["turtle"] or "P102_has_title" in item["turtle"]
            assert item["report"]["record"] == item["source_id"]
            assert all(f["message"]["nl"] and f["message"]["en"] for f in item["report"]["findings"])
    assert any(f["severity"] == "warning" for i in items if i["report"] for f in i["report"]["findings"])
    # stopped after three records: not every page of the feed was asked for (the harvester
    # may have fetched the next page ahead)
    assert len([1 for _, args in sim.request_log if args.get("verb") == "ListRecords"]) <= 2
    # nothing written: no new files, no records, runs or archived payloads
    assert {p.relative_to(data_dir) for p in data_dir.rglob("*")} - before <= {Path("state.sqlite-wal"),
                                                                                  Path("state.sqlite-shm")}
    with Oogst(Settings(data_dir=data_dir)) as app:
        assert app.state.counts(MUSEUM)["known"] == 0
        assert app.state.last_run(MUSEUM) is None


def test_preview_prints_each_record(feed) -> None:
    _, run, _ = feed
    result = run("preview", MUSEUM, "--n", "1")
    assert result.exit_code == 0, result.output
    assert "source" in result.output and "OSLO (Turtle)" in result.output and "validation" in result.output
    assert "acceptance shapes" in result.output


def test_preview_of_an_unknown_feed_is_a_config_error(feed) -> None:
    _, run, _ = feed
    assert run("preview", "nope").exit_code == 3
