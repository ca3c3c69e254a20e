"""Resuming: a harvest killed with SIGKILL mid-feed carries on from its last checkpoint and ends
with the same store as an uninterrupted run; a failed run resumes on the next start; an
expired token restarts the checkpoint's window; one process at a time per feed.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oogst.store.lock import FileFeedLock
from oogst.devtools.simulator import PartnerSimulator

from . import faults
from .faults import make_app, note_codes, record_states, store_graphs

PARTNER, FORMAT = "hof-van-leie", "lido"


def oogst(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, f"oogst {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def checkpoint_page(data_dir: Path) -> int:
    """The page number of the feed's saved checkpoint (0: none yet)."""
    path = data_dir / "state.sqlite"
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute("SELECT info FROM checkpoints WHERE feed = ?", (PARTNER,)).fetchone()
    except sqlite3.OperationalError:  # the tables are not there yet
        return 0
    finally:
        db.close()
    return json.loads(row[0]).get("page", 0) if row else 0


def test_a_harvest_killed_with_sigkill_resumes_and_ends_like_an_uninterrupted_one(tmp_path: Path) -> None:
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    with PartnerSimulator(page_size=2) as sim:  # 41 records: 21 pages
        url = sim.endpoint(PARTNER)
        for data_dir in (straight, killed):
            oogst(data_dir, "feeds", "add", PARTNER, "--url", url, "--format", FORMAT)
        oogst(straight, "harvest", PARTNER)

        sim.inject(PARTNER, faults.slow(0.2))  # each page takes a while: time to kill mid-feed
        proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(killed), "harvest", PARTNER],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while checkpoint_page(killed) < 6:
            assert proc.poll() is None, "the harvest ended before it could be killed"
            assert time.monotonic() < deadline, "no checkpoints within two minutes"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        stopped_at = checkpoint_page(killed)
        assert stopped_at < 21, "killed mid-feed"

        sim.clear_faults()
        sim.clear_request_log()
        runs = json.loads(oogst(killed, "harvest", PARTNER, "--resume", "--json").stdout)
        first = next(a for _p, a in sim.request_log if a.get("verb") == "ListRecords")
        assert set(first) == {"verb", "resumptionToken"}, "the resumed run goes on from the saved token"

    (run,) = runs
    assert run["status"] == "complete" and run["run"] == 1, "the interrupted run itself is completed"
    assert "resumed" in [n["code"] for n in run["notes"]]
    with make_app(straight) as a, make_app(killed) as b:
        assert record_states(b, PARTNER) == record_states(a, PARTNER)
        assert store_graphs(b) == store_graphs(a)
        assert b.state.get_run(1)["published"] == a.state.get_run(1)["published"], "no record stored twice"
        assert b.state.get_checkpoint(PARTNER) is None
        assert b.state.get_feed(PARTNER).next_from


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie nobody reaped has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_mapping_workers_end_with_a_harvest_killed_with_sigkill(tmp_path: Path) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the worker processes")
    with PartnerSimulator(page_size=2) as sim:
        oogst(tmp_path, "feeds", "add", PARTNER, "--url", sim.endpoint(PARTNER), "--format", FORMAT)
        sim.inject(PARTNER, faults.slow(0.3))
        proc = subprocess.Popen([sys.executable, "-m", "oogst.cli", "--data-dir", str(tmp_path), "harvest", PARTNER],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "OOGST_WORKERS": "2"})
        deadline = time.monotonic() + 120
        while len(workers := _children(proc.pid)) < 2:  # the pool's two workers (and its resource tracker)
            assert proc.poll() is None, "the harvest ended before its workers started"
            assert time.monotonic() < deadline, "no worker processes within two minutes"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        deadline = time.monotonic() + 15
        while left := [pid for pid in workers if _running(pid)]:
            assert time.monotonic() < deadline, f"worker processes {left} outlived their harvest"
            time.sleep(0.1)


def test_a_failed_run_resumes_on_the_next_start(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=5) as sim, make_app(tmp_path / "clean") as clean, \
            make_app(tmp_path / "data", retries=1) as app:
        for oogst_app in (clean, app):
            oogst_app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        clean.harvest(PARTNER)
        # the server goes down after the first page
        sim.inject(PARTNER, lambda verb, args, page: (503, {}, b"busy") if "resumptionToken" in args else None)
        failed = app.harvest(PARTNER)
        assert failed.status == "failed" and failed.counts["harvested"] == 5
        assert app.state.get_checkpoint(PARTNER)["run_id"] == failed.run_id
        sim.clear_faults()
        resumed = app.harvest(PARTNER)
        assert resumed.run_id == failed.run_id and resumed.status == "complete"
        assert note_codes(resumed) == ["resumed"]
        assert record_states(app, PARTNER) == record_states(clean, PARTNER)
        assert store_graphs(app) == store_graphs(clean)
        assert app.state.get_run(resumed.run_id)["published"] == clean.state.get_run(1)["published"]


def test_an_expired_token_on_resume_restarts_the_checkpoint_window(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=5) as sim, make_app(tmp_path / "clean") as clean, \
            make_app(tmp_path / "data", retries=1) as app:
        for oogst_app in (clean, app):
            oogst_app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        clean.harvest(PARTNER)
        sim.inject(PARTNER, faults.unavailable(times=None, retry_after=None))
        run_id = app.harvest(PARTNER).run_id
        sim.clear_faults()
        # as if that run had failed after page 4, with a token the server no longer knows
        app.state.save_checkpoint(PARTNER, run_id, "verlopen-token", None, "2026-01-01T00:00:00Z",
                                  {"verb": "ListRecords", "page": 4})
        sim.clear_request_log()
        resumed = app.harvest(PARTNER)
        assert resumed.status == "complete" and resumed.run_id == run_id
        assert note_codes(resumed) == ["resumed", "token-expired"]
        asked = [a for _p, a in sim.request_log if a.get("verb") == "ListRecords"]
        assert asked[0] == {"verb": "ListRecords", "resumptionToken": "verlopen-token"}
        assert asked[1] == {"verb": "ListRecords", "metadataPrefix": FORMAT}, "the window (a full one) again"
        assert record_states(app, PARTNER) == record_states(clean, PARTNER)
        assert store_graphs(app) == store_graphs(clean)


def test_resume_only_skips_a_feed_without_an_interrupted_run(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=5) as sim, make_app(tmp_path / "data") as app:
        app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        summary = app.harvest(PARTNER, resume=True)
        assert summary.status == "skipped" and note_codes(summary) == ["nothing-to-resume"]
        assert sim.request_log == []


def test_one_process_at_a_time_per_feed(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=5) as sim, make_app(tmp_path / "data") as app:
        app.add_feed(PARTNER, sim.endpoint(PARTNER), FORMAT)
        with FileFeedLock(tmp_path / "data" / "locks").hold(PARTNER) as locked:
            assert locked
            summary = app.harvest(PARTNER)
        assert summary.status == "skipped" and "another process" in summary.error["message"]
        assert app.harvest(PARTNER).status == "complete"
