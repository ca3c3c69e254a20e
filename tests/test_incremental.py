"""Incremental harvests (only the changed window), full harvests with their safe sweep, and
``remap`` (map again from the archive, without the partner)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from oogst.cli import main
from oogst import iris
from oogst.devtools.simulator import PartnerSimulator, load_records

from . import faults
from .faults import make_app, note_codes, record_states, store_graphs

PARTNER, FORMAT = "hof-van-leie", "lido"
LIDO = "http://www.lido-schema.org"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "museum-lido" / "records.xml"
NO_RIGHTS = "oai:hofvanleie.be:lido:1962-G-005"  # quarantined: the record states no rights


def retitled(sim: PartnerSimulator, identifier: str, title: str) -> bytes:
    """The record's LIDO payload with a new preferred title."""
    xml = sim._partners[PARTNER].records[identifier].xml
    lido = etree.fromstring(xml).find(f".//{{{LIDO}}}lido")
    lido.find(f".//{{{LIDO}}}titleSet/{{{LIDO}}}appellationValue").text = title
    return etree.tostring(lido)


@pytest.fixture
def sim():
    with PartnerSimulator(page_size=5) as simulator:
        yield simulator


@pytest.fixture
def app(tmp_path: Path, sim: PartnerSimulator):
    with make_app(tmp_path / "data") as oogst:
        oogst.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        first = oogst.harvest(PARTNER)
        assert first.status == "complete" and first.mode == "full"
        yield oogst


def published(app) -> list[str]:
    return sorted(i for i, (state, _p) in record_states(app, PARTNER).items() if state == "published")


def test_the_next_run_asks_only_for_the_changed_window(sim, app) -> None:
    changed, gone = published(app)[:3], published(app)[3:5]
    for n, identifier in enumerate(changed):
        sim.update_record(PARTNER, identifier, retitled(sim, identifier, f"Nieuwe titel {n}"))
    for identifier in gone:
        sim.delete_record(PARTNER, identifier)
    sim.clear_request_log()

    summary = app.harvest(PARTNER)
    assert summary.status == "complete" and summary.mode == "incremental"
    server_clock = datetime.strptime(app.state.get_run(1)["response_date"], "%Y-%m-%dT%H:%M:%SZ")
    expected = (server_clock - timedelta(seconds=300)).strftime("%Y-%m-%dT%H:%M:%SZ")
    asked = [a for _p, a in sim.request_log if a.get("verb") == "ListRecords"]
    assert asked == [{"verb": "ListRecords", "metadataPrefix": FORMAT, "from": expected}], \
        "one request: the window from the last run's responseDate minus the overlap"
    assert {k: summary.counts[k] for k in ("harvested", "published", "withdrawn", "unchanged")} == \
        {"harvested": 5, "published": 3, "withdrawn": 2, "unchanged": 0}
    states = record_states(app, PARTNER)
    assert all(states[i] == ("withdrawn", False) for i in gone)
    graphs = store_graphs(app)
    minter = iris.Minter(PARTNER)
    assert not any(minter.graph_iri(i) in graphs for i in gone)
    for n, identifier in enumerate(changed):
        titles = {t[2] for t in graphs[minter.graph_iri(identifier)] if t[1].endswith("P102_has_title")}
        assert any(f"Nieuwe titel {n}" in t for t in titles)
    assert app.state.get_feed(PARTNER).next_from == app.state.get_run(summary.run_id)["response_date"]


def test_day_granularity_truncates_the_next_from_to_a_date(tmp_path: Path, sim) -> None:
    sim.add_partner("dagelijks", load_records(SAMPLES)[:6], format="lido", granularity="YYYY-MM-DD")
    with make_app(tmp_path / "day") as app:
        app.add_feed("dagelijks", sim.endpoint("dagelijks"), FORMAT)
        app.harvest("dagelijks")
        sim.clear_request_log()
        app.harvest("dagelijks")
        server_clock = datetime.strptime(app.state.get_run(1)["response_date"], "%Y-%m-%dT%H:%M:%SZ")
        asked = next(a for _p, a in sim.request_log if a.get("verb") == "ListRecords")
        assert asked["from"] == (server_clock - timedelta(seconds=300)).strftime("%Y-%m-%d")


def test_a_server_without_persistent_deletions_is_noted(tmp_path: Path, sim) -> None:
    sim.add_partner("vergeetachtig", load_records(SAMPLES)[:6], format="lido", deleted_record="no")
    with make_app(tmp_path / "no") as app:
        app.add_feed("vergeetachtig", sim.endpoint("vergeetachtig"), FORMAT)
        assert "deleted-records" not in note_codes(app.harvest("vergeetachtig")), "a full run sees everything"
        assert "deleted-records" in note_codes(app.harvest("vergeetachtig"))


# -- full runs and the sweep -------------------------------------------------------------------
def test_a_full_run_withdraws_what_the_feed_no_longer_has(sim, app) -> None:
    gone = published(app)[:2]
    for identifier in gone:
        sim.remove_record(PARTNER, identifier)
    assert app.harvest(PARTNER).counts["withdrawn"] == 0, "an incremental run cannot know"
    summary = app.harvest(PARTNER, full=True)
    assert summary.status == "complete" and summary.counts["withdrawn"] == 2
    assert note_codes(summary) == ["sweep"]
    states = record_states(app, PARTNER)
    assert all(states[i] == ("withdrawn", False) for i in gone)
    assert not {iris.Minter(PARTNER).graph_iri(i) for i in gone} & set(store_graphs(app))


def test_a_full_run_that_drops_too_much_withdraws_nothing_and_says_why(tmp_path, sim, app) -> None:
    gone = published(app)[:10]
    for identifier in gone:
        sim.remove_record(PARTNER, identifier)
    before = store_graphs(app)
    summary = app.harvest(PARTNER, full=True)
    assert summary.status == "failed" and summary.counts["withdrawn"] == 0
    assert "26% fewer than the 38 before it" in summary.error["message"], summary.error
    assert "max_drop_share 15%" in summary.error["message"]
    assert "OOGST_MAX_DROP_SHARE=0.31" in summary.error["hint"]
    assert store_graphs(app) == before
    app.close()
    with make_app(tmp_path / "data", max_drop_share=0.5) as allowed:
        summary = allowed.harvest(PARTNER, full=True)
        assert summary.status == "complete" and summary.counts["withdrawn"] == 10


def test_a_full_run_with_no_records_withdraws_nothing(sim, app) -> None:
    sim.inject(PARTNER, faults.oai_error("noRecordsMatch", with_token=False))
    before = store_graphs(app)
    summary = app.harvest(PARTNER, full=True)
    assert summary.status == "failed" and "delivered no records" in summary.error["message"]
    assert store_graphs(app) == before


# -- remap ----------------------------------------------------------------------------------------
def test_remap_maps_the_archive_again_without_the_partner_and_keeps_tombstones(tmp_path, sim, app) -> None:
    states = record_states(app, PARTNER)
    withdrawn = sorted(i for i, (s, _p) in states.items() if s == "withdrawn")
    graphs = store_graphs(app)
    sim.stop()  # the partner is gone

    same = app.remap(PARTNER)
    assert same.status == "complete" and same.mode == "remap"
    assert {k: same.counts[k] for k in ("harvested", "published", "quarantined", "unchanged", "withdrawn")} == \
        {"harvested": 38, "published": 34, "quarantined": 4, "unchanged": 0, "withdrawn": 0}
    assert "3 tombstone(s) kept" in same.notes[0]["message"]
    assert record_states(app, PARTNER) == states and store_graphs(app) == graphs

    # a mapping change: records without rights get the feed's default rights statement
    feed = app.state.get_feed(PARTNER)
    app.edit_feed(PARTNER, profile={**feed.profile, "default_rights": "http://rightsstatements.org/vocab/InC/1.0/"})
    runner = CliRunner()
    app.close()
    result = runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "remap", PARTNER, "--json"])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.output)
    assert summary["published"] == 35 and summary["quarantined"] == 3
    with make_app(tmp_path / "data") as again:
        after = record_states(again, PARTNER)
        assert after[NO_RIGHTS] == ("published", True)
        assert all(after[i] == ("withdrawn", False) for i in withdrawn)
        assert {iris.Minter(PARTNER).graph_iri(i) for i in withdrawn}.isdisjoint(store_graphs(again))
