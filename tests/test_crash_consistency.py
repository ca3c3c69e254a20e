"""Crash consistency (issue 14, findings 4–6): a harvest killed with SIGKILL again and again
loses no published record from the store, the search index or the provenance; a lost write
is redone by the next harvest, ``--full`` or ``oogst check --repair``; a store deleted mid-run
fails the run; a store held by another process skips a run, never fails it."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oogst import iris
from oogst.devtools.simulator import PartnerSimulator, SimRecord
from oogst.store.embedded import EmbeddedStore

from . import faults
from .faults import make_app, record_states, store_graphs

FEED = "kaarten"  # 1,500 records, for the runs that are killed or broken mid-way
SMALL = "klein"  # 120 records, for the rest
DC = "http://purl.org/dc/elements/1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def card(n: int) -> SimRecord:
    """A publishable oai_dc record (a title, a web page, a maker, a keeper, rights)."""
    payload = (f'<oai_dc:dc xmlns:oai_dc="{OAI_DC}" xmlns:dc="{DC}"><dc:title xml:lang="nl">Prentkaart {n}</dc:title>'
               f"<dc:identifier>PK.{n:05d}</dc:identifier><dc:identifier>https://kaarten.example.org/pk/{n}"
               f"</dc:identifier><dc:creator>Fotograaf {n % 7}</dc:creator><dc:type>prentkaart</dc:type>"
               f"<dc:publisher>Stadsarchief Voorbeeldstad</dc:publisher>"
               f"<dc:date>19{n % 100:02d}</dc:date><dc:rights>http://creativecommons.org/publicdomain/zero/1.0/"
               f"</dc:rights></oai_dc:dc>").encode()
    stamp = f"2025-01-{1 + n // 86400:02d}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
    return SimRecord.build(f"oai:kaarten:{n:05d}", stamp, payload)


def oogst(data_dir: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "COLUMNS": "200", **env})
    assert not check or proc.returncode == 0, f"oogst {' '.join(args)}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def agreement(app, feed: str = FEED) -> dict:
    """The feed's published records against the store, the search index and the provenance."""
    found = app.views.check(feed)
    assert found["ok"], {k: found[k] for k in ("published", "graphs", "indexed", "provenance", "missing", "extra")}
    assert found["published"] == found["graphs"] == found["indexed"] == found["provenance"]
    return found


@pytest.fixture(scope="module")
def partner():
    with PartnerSimulator(page_size=25) as sim:
        sim.add_partner(FEED, [card(n) for n in range(1500)], title="Prentkaarten")
        sim.add_partner(SMALL, [card(n) for n in range(120)], title="Kleine reeks")
        yield sim


def test_sigkill_again_and_again_then_resume_loses_no_published_record(partner, tmp_path: Path) -> None:
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    url = partner.endpoint(FEED)
    for data_dir in (clean, killed):
        oogst(data_dir, "feeds", "add", FEED, "--url", url, "--format", "oai_dc")
    oogst(clean, "harvest", FEED, OOGST_BATCH_SIZE="20")

    rng = random.Random(int(os.environ.get("OOGST_CRASH_SEED", "14")))
    kills = 0
    partner.inject(FEED, faults.slow(0.1))  # pages take a while: kills land mid-page, mid-batch, mid-write
    try:
        for _ in range(int(os.environ.get("OOGST_CRASH_KILLS", "5"))):  # the 20: OOGST_CRASH_KILLS=20
            proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(killed), "harvest", FEED],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env={**os.environ, "OOGST_BATCH_SIZE": "20"})
            time.sleep(rng.uniform(1.5, 3.5))  # startup takes about a second
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait(timeout=60)
    finally:
        partner.clear_faults()
    assert kills >= 3, "most attempts were killed mid-harvest"  # (later ones may find the run complete)

    runs = json.loads(oogst(killed, "harvest", FEED, "--json", OOGST_BATCH_SIZE="20").stdout)
    assert runs[0]["status"] == "complete"
    assert "repaired" not in [n["code"] for n in runs[0]["notes"]], "nothing was lost, so nothing needed repair"
    found = json.loads(oogst(killed, "check", "--json").stdout)
    assert found[0]["ok"] and found[0]["published"] == 1500
    with make_app(clean) as a, make_app(killed) as b:
        assert record_states(b, FEED) == record_states(a, FEED)
        agreement(b)
        assert store_graphs(b) == store_graphs(a)
        assert b.consistency()["ok"]


def _harvested(partner, data_dir: Path):
    app = make_app(data_dir)
    app.add_feed(SMALL, partner.endpoint(SMALL), "oai_dc")
    assert app.harvest(SMALL).status == "complete"
    return app


def _lose(app, n: int = 10) -> list[dict]:
    """Lose the store graph, the search entry or the provenance of some published records,
    as a crash between their writes used to (the record index says they are published)."""
    rows = app.state.list_records(state="published", feed=SMALL, limit=3 * n)
    app.store.drop_graphs([r["graph_iri"] for r in rows[:n]])
    app.search.remove(r["record_id"] for r in rows[n:2 * n])
    app.system._store.update("".join(f"DELETE WHERE {{ GRAPH ?g {{ <{r['graph_iri']}> ?p ?o }} }} ;\n"
                                     for r in rows[2 * n:]).rstrip(";\n"))
    return rows


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_a_harvest_rewrites_what_an_unchanged_record_lost(partner, tmp_path: Path, full: bool) -> None:
    with _harvested(partner, tmp_path) as app:
        before = store_graphs(app)
        rows = _lose(app)
        assert not app.views.check(SMALL)["ok"]
        assert sorted(app.views.incomplete(SMALL, [r["source_id"] for r in rows])) == sorted(
            r["source_id"] for r in rows)
        summary = app.harvest(SMALL, full=full)
        assert summary.status == "complete"
        if full:  # every record came again: the replay itself wrote the lost ones again
            assert summary.counts["published"] == len(rows) and summary.counts["unchanged"] == 120 - len(rows)
            assert "repaired" not in [n["code"] for n in summary.notes]
        else:  # none came again (the window is empty): the run's closing check repaired them
            assert "repaired" in [n["code"] for n in summary.notes]
        agreement(app, SMALL)
        assert store_graphs(app) == before


def test_the_closing_check_compares_the_totals_then_only_what_the_run_wrote(partner, tmp_path: Path,
                                                                          monkeypatch) -> None:
    """Issue 12, nightly runs proportional to what changed: when the feed's totals agree, the
    closing check compares only the records this run wrote; when they differ, every record,
    and it repairs what disagrees."""
    partner.add_partner("nacht", [card(n) for n in range(60)], title="Nachtelijke reeks")
    with make_app(tmp_path) as app:
        app.add_feed("nacht", partner.endpoint("nacht"), "oai_dc")
        assert app.harvest("nacht").status == "complete"
        scopes: list[list[str]] = []
        scans: list[str] = []
        check_records, present = app.views._check_records, app.search.present

        def spy_records(feed: str, ids: list[str]) -> tuple:
            scopes.append(list(ids))
            return check_records(feed, ids)

        def spy_present(ids: list[str] | None = None, *, feed: str = "") -> set[str]:
            if ids is None:
                scans.append(feed)
            return present(ids, feed=feed)

        monkeypatch.setattr(app.views, "_check_records", spy_records)
        monkeypatch.setattr(app.search, "present", spy_present)
        changed = card(7)
        partner.update_record("nacht", changed.identifier, changed.xml.replace(b"Prentkaart 7", b"Prentkaart 7 (nieuw)"))
        summary = app.harvest("nacht")
        assert summary.status == "complete" and summary.counts["published"] == 1
        assert scopes == [[changed.identifier]] and scans == []  # the changed record only, no scan of the feed

        lost = app.state.list_records(state="published", feed="nacht", limit=2)
        app.search.remove(r["record_id"] for r in lost)  # the totals now disagree
        summary = app.harvest("nacht")
        assert "repaired" in [n["code"] for n in summary.notes] and scans == ["nacht"]
        agreement(app, "nacht")


def test_a_page_replayed_in_the_same_run_is_written_again_but_not_published_again(partner, tmp_path: Path) -> None:
    """A kill after a batch's counts and before its derived views: the resumed run replays the
    page, writes the lost views again, and must not count those records as published twice."""
    with _harvested(partner, tmp_path) as app:
        feed = app.feed(SMALL)
        run_id = app.state.last_run(SMALL)["id"]
        rows = _lose(app)
        page = [app.archive.get(SMALL, r["source_id"]) for r in rows]
        result = app.batches.process(feed, app.feeds.profile_of(feed), page, run_id=run_id)
        assert result.counts["harvested"] == len(rows) and result.counts["published"] == 0
        app.views.batch_stored(result.rows, result.graphs, result.docs)
        agreement(app, SMALL)
        other = app.batches.process(feed, app.feeds.profile_of(feed), page, run_id=run_id + 1)  # another run
        assert other.counts["harvested"] == other.counts["unchanged"] == len(rows)


def test_oogst_check_reports_and_repairs(partner, tmp_path: Path) -> None:
    with _harvested(partner, tmp_path) as app:
        lost = _lose(app)
        stray = iris.Minter(SMALL).graph_iri("oai:kaarten:nergens")
        app.store.replace_graphs({stray: f"<{stray}> <http://purl.org/dc/terms/title> \"weg\" ."})
    found = json.loads(oogst(tmp_path, "check", "--json", check=False).stdout)[0]
    assert not found["ok"]
    assert len(found["missing"]["store"]) == len(found["missing"]["index"]) == len(found["missing"]["provenance"]) == 10
    assert found["extra"]["store"] == [stray]
    proc = oogst(tmp_path, "check", check=False)
    assert proc.returncode == 5 and "missing in the store" in proc.stdout and "--repair" in proc.stdout
    repaired = json.loads(oogst(tmp_path, "check", "--repair", "--json").stdout)[0]
    assert repaired["ok_after"] and repaired["repaired"]["republished"] == 10
    with make_app(tmp_path) as app:
        agreement(app, SMALL)
        assert app.state.last_run(SMALL)["mode"] == "repair"
        assert {r["record_id"] for r in lost} <= app.search.present(feed=SMALL)


def test_a_store_deleted_mid_run_fails_the_run_and_the_next_run_repairs(partner, tmp_path: Path) -> None:
    oogst(tmp_path, "feeds", "add", FEED, "--url", partner.endpoint(FEED), "--format", "oai_dc")
    partner.inject(FEED, faults.slow(0.05))
    try:
        proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(tmp_path), "harvest", FEED,
                                 "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not (tmp_path / "store" / "CURRENT").exists() or _checkpoint_page(tmp_path) < 5:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else ""
            time.sleep(0.05)
        (tmp_path / "store").rename(tmp_path / "gone")  # as `rm -r store/` would, but at once
        shutil.rmtree(tmp_path / "gone", ignore_errors=True)
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        partner.clear_faults()
    assert "Traceback" not in stderr
    (run,) = json.loads(stdout)
    assert run["status"] == "failed" and "gone (deleted while oogst had it open)" in run["error"]["message"], run
    assert proc.returncode == 1, stderr
    again = json.loads(oogst(tmp_path, "harvest", FEED, "--json").stdout)[0]
    assert again["status"] == "complete"
    with make_app(tmp_path) as app:
        assert agreement(app)["published"] == 1500


def _checkpoint_page(data_dir: Path) -> int:
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{data_dir / 'state.sqlite'}?mode=ro", uri=True, timeout=5)
        row = db.execute("SELECT info FROM checkpoints WHERE feed = ?", (FEED,)).fetchone()
        db.close()
    except sqlite3.Error:
        return 0
    return json.loads(row[0]).get("page", 0) if row else 0


def test_a_store_held_by_another_process_skips_the_run_and_never_makes_the_feed_failing(partner, tmp_path) -> None:
    with make_app(tmp_path) as app:
        app.add_feed(SMALL, partner.endpoint(SMALL), "oai_dc")
    holder = subprocess.Popen([sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(tmp_path / "store")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        for _ in range(3):  # failing_after
            proc = oogst(tmp_path, "harvest", SMALL, "--json")
            (run,) = json.loads(proc.stdout)
            assert run["status"] == "skipped" and "in use by another process" in run["error"]["message"]
        info = json.loads(oogst(tmp_path, "feeds", "show", SMALL, "--json").stdout)
        assert info["status"] == "active" and info["failures"] == 0 and info["last_run"] is None
    finally:
        holder.communicate("", timeout=30)
    assert json.loads(oogst(tmp_path, "harvest", SMALL, "--json").stdout)[0]["status"] == "complete"


def test_an_internal_error_fails_the_run_instead_of_leaving_it_running(partner, tmp_path, monkeypatch) -> None:
    from oogst.pipeline import batch

    def broken(*_args, **_kw):
        raise RuntimeError("a bug")

    monkeypatch.setattr(batch, "map_records", broken)
    with make_app(tmp_path) as app:
        app.add_feed(SMALL, partner.endpoint(SMALL), "oai_dc")
        summary = app.harvest(SMALL)
        assert summary.status == "failed" and "internal error" in summary.error["message"]
        assert app.state.last_run(SMALL)["status"] == "failed"


def test_the_embedded_store_notices_its_files_are_gone(tmp_path: Path) -> None:
    from oogst.errors import StoreError

    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs({"http://x/graph/a/1": "<http://x/1> <http://x/p> \"1\" ."})
    store.verify()
    shutil.rmtree(tmp_path / "store")
    with pytest.raises(StoreError, match="gone"):
        store.verify()


def test_the_check_lists_a_feed_beyond_result_limit(tmp_path: Path) -> None:
    """Graphs without a published record are found however many there are (pages of result_limit)."""
    with make_app(tmp_path, result_limit=7) as app:
        minter = iris.Minter("f")
        app.store.replace_graphs({minter.graph_iri(f"r{i}"): f'<http://x/{i}> <http://x/p> "{i}" .' for i in range(30)})
        assert not app.views.check("f", records=[])["ok"]
        found = app.views.check("f", repair=True)
        assert found["graphs"] == 30 and len(found["extra"]["store"]) == 30 and found["repaired"]["dropped"] == 30
        assert app.views.check("f", records=[])["ok"] and app.store.count_graphs() == 0
