"""Harvesting through faults: a real OAI-PMH server on 127.0.0.1 (the partner simulator) injects
each fault, the pipeline harvests through it, and the store is checked against a clean run.

After every fault: every good record is published exactly once (same records, same graphs,
same counts as the clean run), a damaged record is quarantined with its raw bytes and the
parser's message, and the run's notes name what happened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from oogst.cli import main
from oogst import iris
from oogst.devtools.simulator import PartnerSimulator

from . import faults
from .conftest import free_port
from .faults import make_app, note_codes, record_states, store_graphs

PARTNER, FORMAT = "hof-van-leie", "lido"
PAGE = 5
DATESTAMP = iris.DEFAULT_BASE + "ns#datestamp"


@dataclass
class Clean:
    states: dict[str, tuple[str, bool]]
    graphs: dict
    counts: dict[str, int]
    ids: list[str]  # in the order the server lists them


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Clean:
    with PartnerSimulator(page_size=PAGE) as sim, make_app(tmp_path_factory.mktemp("clean")) as app:
        app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        summary = app.harvest(PARTNER)
        assert summary.status == "complete" and summary.notes == [], summary
        order = [r.identifier for r in sim._partners[PARTNER].sorted_records()]
        return Clean(record_states(app, PARTNER), store_graphs(app), dict(summary.counts), order)


@pytest.fixture
def sim():
    with PartnerSimulator(page_size=PAGE) as simulator:
        yield simulator


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def app(tmp_path: Path, sim: PartnerSimulator, waits: list[float]):
    with make_app(tmp_path / "data", waits=waits, read_timeout=1.0) as oogst:
        oogst.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        yield oogst


def assert_like_clean(app, clean: Clean, summary, *, ignore: frozenset[str] = frozenset(),
                      damaged: tuple[str, ...] = ()) -> None:
    """The faulted run stored what the clean run stored: each good record published once."""
    assert summary.status == "complete", summary
    states = record_states(app, PARTNER)
    expected = dict(clean.states)
    for source_id in damaged:
        expected[source_id] = ("quarantined", False)
    assert states == expected
    graphs = store_graphs(app, ignore)
    gone = {iris.Minter(PARTNER).graph_iri(d) for d in damaged}
    clean_graphs = {g: frozenset(t for t in ts if t[1] not in ignore) for g, ts in clean.graphs.items()
                    if g not in gone}
    assert graphs == clean_graphs
    assert summary.counts["published"] == clean.counts["published"] - len(damaged), "published more than once"
    assert summary.counts["withdrawn"] == clean.counts["withdrawn"]


def first_live(clean: Clean, n: int) -> str:
    return [i for i in clean.ids if clean.states[i] == ("published", True)][n]


# -- HTTP faults -----------------------------------------------------------------------------------
def test_503_with_retry_after_in_seconds(sim, app, clean, waits) -> None:
    sim.inject(PARTNER, faults.unavailable(times=2, retry_after="7"))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert waits.count(7.0) == 2, "Retry-After: 7 is honoured"
    assert "HTTP 503 ×2" in next(n["message"] for n in summary.notes if n["code"] == "retries")


def test_429_with_retry_after_as_an_http_date(sim, app, clean, waits) -> None:
    sim.inject(PARTNER, faults.unavailable(times=1, status=429, retry_after=30, http_date=True))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert len(waits) == 1 and 25 <= waits[0] <= 31, waits


def test_500_instead_of_503_is_retried_with_backoff(sim, app, clean, waits) -> None:
    sim.inject(PARTNER, faults.unavailable(times=3, status=500, retry_after=None))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert len(waits) == 3 and all(0 <= w <= 0.04 for w in waits), "exponential back-off with jitter"


def test_read_timeout_is_retried(sim, app, clean) -> None:
    sim.inject(PARTNER, faults.slow(2.5, times=1))  # the client waits 1 s for data
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert "timeout ×1" in next(n["message"] for n in summary.notes if n["code"] == "retries")


def test_dropped_connections_are_retried(sim, app, clean) -> None:
    sim.inject(PARTNER, faults.drop_connection(times=2))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert "connection ×2" in next(n["message"] for n in summary.notes if n["code"] == "retries")


# -- OAI-PMH errors --------------------------------------------------------------------------------
def test_no_records_match_is_an_empty_success(sim, app) -> None:
    sim.inject(PARTNER, faults.oai_error("noRecordsMatch", with_token=False))
    summary = app.harvest(PARTNER)
    assert summary.status == "complete" and summary.counts["harvested"] == 0
    assert note_codes(summary) == ["no-records-match"]
    assert app.state.get_feed(PARTNER).next_from, "an empty window still moves the next 'from' on"


def test_bad_resumption_token_restarts_the_window(sim, app, clean) -> None:
    sim.inject(PARTNER, faults.oai_error("badResumptionToken", "expired", with_token=True, times=1))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert note_codes(summary) == ["token-expired"]
    firsts = [a for _p, a in sim.request_log if a.get("verb") == "ListRecords" and "resumptionToken" not in a]
    assert len(firsts) == 2, "the window was asked again from its start"
    assert summary.counts["unchanged"] == PAGE, "the page read before the restart was not stored twice"


def test_cannot_disseminate_format_from_the_corpus_is_a_config_error(sim, app, corpus) -> None:
    real = (corpus / "oai-pmh" / "metis_psnc_error_cannotDisseminateFormat.xml").read_bytes()
    assert real.startswith(b"\n<?xml"), "a leading blank line, then a stylesheet PI"
    sim.inject(PARTNER, faults.serve(real))
    summary = app.harvest(PARTNER)
    assert summary.status == "failed"
    error = summary.error
    assert error["code"] == "config" and error["feed"] == PARTNER
    assert "cannotDisseminateFormat" in error["message"] and "Wrong metadata prefix" in error["message"]
    assert "it offers: lido" in error["hint"], "the hint names what the server does serve"
    assert app.state.get_feed(PARTNER).last_error.startswith(f"feed '{PARTNER}'")


def test_bad_argument_is_a_config_error_naming_the_feed(sim, app) -> None:
    sim.inject(PARTNER, faults.oai_error("badArgument", "from has a bad granularity", with_token=False))
    summary = app.harvest(PARTNER)
    assert summary.status == "failed" and summary.error["code"] == "config"
    assert summary.error["feed"] == PARTNER and "badArgument" in summary.error["message"]


def test_config_error_exit_code_and_message_through_the_cli(tmp_path, sim) -> None:
    runner = CliRunner()
    data = str(tmp_path / "cli")
    assert runner.invoke(main, ["--data-dir", data, "feeds", "add", PARTNER, "--url", sim.endpoint(PARTNER),
                                "--format", FORMAT, "--metadata-prefix", "oai_lido"]).exit_code == 0
    result = runner.invoke(main, ["--data-dir", data, "harvest", PARTNER])
    assert result.exit_code == 1
    assert "cannotDisseminateFormat" in result.output and "it offers: lido" in result.output


# -- damaged data ----------------------------------------------------------------------------------
def test_invalid_xml_character_quarantines_only_that_record_with_its_bytes(sim, app, clean) -> None:
    bad = first_live(clean, 6)  # on page 2
    sim.inject(PARTNER, faults.corrupt_record(bad))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary, damaged=(bad,))
    record = app.state.get_record(PARTNER, bad)
    finding = record["report"]["findings"][0]
    assert finding["rule"] == "harvest:xml" and "invalid Char value 11" in finding["value"]
    raw = app.archive.get(PARTNER, bad).payload
    assert b"\x0b" in raw and raw.startswith(b"<record") and raw.endswith(b"</record>"), "kept verbatim"
    codes = note_codes(summary)
    assert codes == ["damaged-page", "damaged-record"]
    assert summary.notes[1]["record"] == bad


def test_truncated_page_keeps_its_good_records_and_fetches_the_rest_one_by_one(sim, app, clean) -> None:
    sim.inject(PARTNER, faults.truncate_page(on_page=3, keep_records=2))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert "truncated-page" in note_codes(summary)
    fetched = [a["identifier"] for _p, a in sim.request_log if a.get("verb") == "GetRecord"]
    before_the_cut = set(clean.ids[:2 * PAGE + 2])
    assert fetched and not before_the_cut & set(fetched), "nothing the run already had is fetched again"
    assert len(fetched) == len(set(fetched))
    deleted = {i for i, s in clean.states.items() if s[0] == "withdrawn"}
    assert set(fetched) == set(clean.ids[2 * PAGE + 2:]) - deleted


def test_yyyymmdd_datestamps_are_read_as_iso_dates(sim, app, clean) -> None:
    sim.inject(PARTNER, faults.yyyymmdd_datestamps())
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary, ignore=frozenset({DATESTAMP}))
    stored = {r["datestamp"] for r in app.state.list_records(state=None, feed=PARTNER, limit=100)}
    assert all(len(d) == 10 and d[4] == "-" for d in stored), stored
    assert note_codes(summary) == ["datestamp"]


@pytest.mark.parametrize("value", ["ssss", None])
def test_non_numeric_or_missing_complete_list_size(sim, app, clean, value) -> None:
    sim.inject(PARTNER, faults.complete_list_size(value))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert note_codes(summary) == (["complete-list-size"] if value else [])


def test_repeated_resumption_token_is_a_loop_and_the_rest_comes_one_by_one(sim, app, clean) -> None:
    sim.inject(PARTNER, faults.token_loop(on_page=3))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert note_codes(summary) == ["token-loop"]
    assert sum(1 for _p, a in sim.request_log if a.get("verb") == "ListRecords") == 3, "the loop is not followed"


def test_duplicate_identifier_across_pages_is_stored_once_and_reported(sim, app, clean) -> None:
    sim.inject(PARTNER, faults.duplicate_record(from_page=1, to_page=3))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert note_codes(summary) == ["duplicate"] and summary.notes[0]["record"] == clean.ids[0]
    assert summary.counts["unchanged"] == 1


def test_empty_page_with_a_token_is_followed(sim, app, clean) -> None:
    sim.inject(PARTNER, faults.empty_page_with_token(on_page=2))
    summary = app.harvest(PARTNER)
    assert_like_clean(app, clean, summary)
    assert note_codes(summary) == ["empty-page"]


# -- feed health -----------------------------------------------------------------------------------
def test_failing_after_n_failed_runs_and_active_again_after_a_good_one(tmp_path, sim) -> None:
    with make_app(tmp_path / "data", retries=2, failing_after=2) as app:
        app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        sim.inject(PARTNER, faults.unavailable(times=None, retry_after=None))
        app.harvest(PARTNER)
        feed = app.state.get_feed(PARTNER)
        assert (feed.status, feed.failures) == ("active", 1)
        app.harvest(PARTNER)
        feed = app.state.get_feed(PARTNER)
        assert (feed.status, feed.failures) == ("failing", 2) and "HTTP 503" in feed.last_error
        sim.clear_faults()
        assert app.harvest(PARTNER).status == "complete"
        feed = app.state.get_feed(PARTNER)
        assert (feed.status, feed.failures, feed.last_error) == ("active", 0, None)


def test_a_dead_feed_does_not_block_the_others_and_a_paused_one_is_skipped(tmp_path, sim) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "cli")]
    env = {"OOGST_HTTP_RETRIES": "1"}
    for name, url, fmt in (("a-dood", f"http://127.0.0.1:{free_port()}/oai", FORMAT),
                           ("b-gepauzeerd", sim.endpoint("kustlicht"), "oai_dc"),
                           ("c-levend", sim.endpoint(PARTNER), FORMAT)):
        assert runner.invoke(main, [*data, "feeds", "add", name, "--url", url, "--format", fmt]).exit_code == 0
    assert runner.invoke(main, [*data, "feeds", "pause", "b-gepauzeerd"]).exit_code == 0
    result = runner.invoke(main, [*data, "harvest", "--all", "--json"], env=env)
    assert result.exit_code == 1, result.output
    runs = {r["feed"]: r for r in json.loads(result.stdout)}
    assert runs["a-dood"]["status"] == "failed" and "connect" in runs["a-dood"]["error"]["message"]
    assert runs["b-gepauzeerd"]["status"] == "skipped" and "paused" in runs["b-gepauzeerd"]["error"]["message"]
    assert runs["c-levend"]["status"] == "complete" and runs["c-levend"]["published"] > 0
    table = runner.invoke(main, [*data, "harvest", "--all"], env=env)
    assert "skipped" in table.output and "the feed is paused" in table.output
    assert runner.invoke(main, [*data, "feeds", "resume", "b-gepauzeerd"]).exit_code == 0
    again = json.loads(runner.invoke(main, [*data, "harvest", "b-gepauzeerd", "--json"], env=env).output)
    assert again[0]["status"] == "complete" and again[0]["published"] > 0


def test_run_notes_are_kept_in_the_runs_table_and_shown_by_the_cli(tmp_path, sim) -> None:
    sim.inject(PARTNER, faults.complete_list_size("ssss"))
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "cli")]
    runner.invoke(main, [*data, "feeds", "add", PARTNER, "--url", sim.endpoint(PARTNER), "--format", FORMAT])
    result = runner.invoke(main, [*data, "harvest", PARTNER])
    assert result.exit_code == 0 and "complete-list-size" in result.output and "'ssss'" in result.output
    with make_app(tmp_path / "cli") as app:
        run = app.state.last_run(PARTNER)
        assert [n["code"] for n in run["notes"]] == ["complete-list-size"]
