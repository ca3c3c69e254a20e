"""The operator's night: run history with count drops, alerts (a real webhook server and a real
SMTP server on 127.0.0.1), /metrics read by prometheus-client's own parser, JSON logs, and the
state's schema 6."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from oogst.api.app import create_app
from oogst.devtools.simulator import PartnerSimulator
from oogst.store.state.sqlite import VERSION, State

from .conftest import free_port
from .faults import make_app

PARTNER = "hof-van-leie"


class Webhook:
    """A real HTTP server on 127.0.0.1 that keeps every JSON body POSTed to it."""

    def __init__(self, status: int = 204) -> None:
        self.bodies: list[dict] = []
        self.status = status
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                length = int(self.headers.get("Content-Length", 0))
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> Webhook:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_history_and_the_webhook_for_a_count_drop_a_failed_run_and_a_newly_failing_feed(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=10) as sim, Webhook() as hook:
        app = make_app(tmp_path, retries=2, alerts_webhook=hook.url, max_drop_share=1.0)
        app.add_feed(PARTNER, sim.endpoint(PARTNER), "lido")
        first = app.harvest(PARTNER, full=True)
        assert first.status == "complete" and first.counts["harvested"] == 41
        assert hook.bodies == [], "all well: no alert"

        for record in sim._partner(PARTNER).sorted_records()[:30]:  # the partner's export breaks off
            sim.remove_record(PARTNER, record.identifier)
        second = app.harvest(PARTNER, full=True)
        assert second.status == "complete" and second.counts["harvested"] == 11
        (alert,) = hook.bodies
        assert alert["kinds"] == ["count-drop"] and alert["feed"] == PARTNER and alert["run"] == second.run_id
        assert alert["drop"]["harvested"] == 11 and alert["drop"]["median"] == 41 and alert["counts"]["withdrawn"] > 20

        runs = app.history.runs(PARTNER)
        assert [r["id"] for r in runs] == [second.run_id, first.run_id]
        assert runs[0]["drop"]["share"] == pytest.approx(1 - 11 / 41, abs=0.001) and runs[1]["drop"] is None
        assert all(r["seconds"] is not None for r in runs)

        dead = f"http://127.0.0.1:{free_port()}/oai"  # nothing listens there
        app.edit_feed(PARTNER, url=dead)
        for _ in range(app.settings.failing_after):
            assert app.harvest(PARTNER).status == "failed"
        failed = hook.bodies[1:]
        assert [a["kinds"] for a in failed] == [["failed"], ["failed"], ["failed", "newly-failing"]]
        assert "cannot connect" in failed[0]["error"] and failed[0]["events"][0]["message"] == failed[0]["error"]
        assert app.feed(PARTNER).status == "failing"
        app.close()


def test_an_unreachable_webhook_never_breaks_a_run(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with PartnerSimulator(page_size=10) as sim, Webhook(status=500) as hook:
        app = make_app(tmp_path, alerts_webhook=hook.url, alerts_quarantined=1)
        app.add_feed(PARTNER, sim.endpoint(PARTNER), "lido")
        with caplog.at_level(logging.ERROR, logger="oogst.pipeline.alerts"):
            summary = app.harvest(PARTNER)
        assert summary.status == "complete" and hook.bodies[0]["kinds"] == ["quarantined"]
        assert "could not be posted to the webhook: HTTP 500" in caplog.text
        app.settings.__dict__["alerts_webhook"] = f"http://127.0.0.1:{free_port()}/nobody"
        assert app.harvest(PARTNER, full=True).status == "complete"
        app.close()


def test_run_report_names_the_rules_and_how_to_fix_them(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=10) as sim:
        app = make_app(tmp_path)
        app.add_feed(PARTNER, sim.endpoint(PARTNER), "lido")
        run = app.harvest(PARTNER)
        report = app.history.report(run.run_id)
        assert report["run"]["quarantined"] == 4 and report["run"]["drop"] is None
        violations = [r for r in report["rules"] if r["severity"] == "violation"]
        assert violations and sum(r["records"] for r in violations) >= 4
        assert any(r["fix"] and "Adlib" in r["fix"]["nl"] for r in violations), "advice in the partner's own system"
        app.close()


# -- mail, with a real SMTP server (aiosmtpd) ----------------------------------------------------------
def test_the_partner_gets_a_mail_in_dutch_and_english(tmp_path: Path) -> None:
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed (pip install -e '.[test]')")
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list = []

    class Keep(Message):
        def handle_message(self, message) -> None:
            received.append(message)

    controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with PartnerSimulator(page_size=10) as sim:
            app = make_app(tmp_path, alerts_quarantined=3, alerts_smtp_host="127.0.0.1",
                           alerts_smtp_port=controller.port, alerts_mail_to="ops@oogst.example")
            app.add_feed(PARTNER, sim.endpoint(PARTNER), "lido", contact="collectie@hofvanleie.be")
            app.harvest(PARTNER)
            app.close()
    finally:
        controller.stop()
    by_to = {m["To"]: m for m in received}
    assert set(by_to) == {"ops@oogst.example", "collectie@hofvanleie.be"}
    partner = by_to["collectie@hofvanleie.be"].get_payload(decode=True).decode("utf-8")
    assert "werden niet gepubliceerd" in partner and "were not published" in partner
    assert partner.index("Beste collectiebeheerder") < partner.index("Dear collection manager")
    assert "oai:hofvanleie.be:lido:" in partner, "the partner's own record ids"
    assert "quarantined" in by_to["ops@oogst.example"]["Subject"]


def test_feeds_check_the_contact(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with pytest.raises(Exception, match="is not a mail address"):
        app.add_feed("museum", "https://example.org/oai", "lido", contact="nobody")
    app.add_feed("museum", "https://example.org/oai", "lido", contact=" a@museum.be , b@museum.be ")
    assert app.feed("museum").contact == "a@museum.be, b@museum.be"
    assert app.edit_feed("museum", contact="").contact is None
    app.close()


# -- metrics ----------------------------------------------------------------------------------------------
def test_metrics_are_read_by_prometheus_clients_own_parser(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=10) as sim:
        app = make_app(tmp_path, retries=3, batch_size=10)
        app.add_feed(PARTNER, sim.endpoint(PARTNER), "lido")
        from . import faults

        sim.inject(PARTNER, faults.unavailable(2, retry_after="0"))
        assert app.harvest(PARTNER).status == "complete"
    client = TestClient(create_app(app), client=("127.0.0.1", 5000))
    client.get("/health")
    client.get("/records/nothing-like-this")
    text = client.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}

    def value(name: str, sample: str | None = None, **labels: str) -> float:
        return sum(s.value for s in families[name].samples
                   if (sample is None or s.name == sample) and all(s.labels.get(k) == v for k, v in labels.items()))

    assert value("oogst_runs", feed=PARTNER, status="complete") == 1
    assert value("oogst_records", feed=PARTNER, state="published") == 34
    assert value("oogst_records", feed=PARTNER, state="quarantined") == 4
    assert value("oogst_harvest_seconds", "oogst_harvest_seconds_count", feed=PARTNER) == 1
    assert value("oogst_batch_seconds", "oogst_batch_seconds_count", feed=PARTNER) == 5  # 41 records by 10
    assert value("oogst_batch_seconds", "oogst_batch_seconds_bucket", feed=PARTNER, le="+Inf") == 5
    assert value("oogst_http_retries", feed=PARTNER, kind="HTTP 503") == 2
    assert value("oogst_api_requests", route="/health", status="200") == 1
    assert value("oogst_api_requests", route="/records/{record_id:path}", status="404") == 1, "templates, not paths"
    assert value("oogst_api_request_seconds", "oogst_api_request_seconds_count", route="/health") == 1
    assert value("oogst_feed_failures", feed=PARTNER, status="active") == 0

    remote = TestClient(create_app(app), client=("203.0.113.9", 5000))
    assert remote.get("/metrics").status_code in (401, 403), "only the operator's Prometheus"
    app.close()


# -- structured logs ------------------------------------------------------------------------------------
def test_log_format_json_writes_one_object_per_line_with_feed_and_run(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/oai"
    env_run = [sys.executable, "-m", "oogst.cli", "--data-dir", str(tmp_path), "--log-format", "json"]
    subprocess.run([*env_run, "feeds", "add", "museum", "--url", dead, "--format", "lido"], check=True,
                   capture_output=True, timeout=120)
    proc = subprocess.run([*env_run, "-v", "harvest", "museum"], capture_output=True, text=True, timeout=300,
                          env={"OOGST_HTTP_RETRIES": "2", "OOGST_HTTP_BACKOFF": "0.01", "PATH": "/usr/bin:/bin"})
    assert proc.returncode != 0
    lines = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert lines, proc.stderr
    failed = [x for x in lines if "failed" in x["message"] and x["logger"] == "oogst.pipeline.run"]
    assert failed and failed[0]["feed"] == "museum" and failed[0]["run"] == 1 and failed[0]["level"] == "warning"
    assert all({"time", "level", "logger", "message"} <= set(x) for x in lines)


# -- the state's schema 6 ------------------------------------------------------------------------------
def test_a_version_5_state_migrates_to_6(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    State(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO feeds (name, protocol, url, format, created_at, updated_at) VALUES"
               " ('museum', 'oai-pmh', 'https://example.org/oai', 'lido', 'x', 'x')")
    db.execute("DROP TABLE counters")
    db.execute("ALTER TABLE feeds DROP COLUMN contact")
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    state = State(path)
    try:
        assert state.get_feed("museum").contact is None
        state.add_counter("oogst_http_retries_total", 2, {"kind": "timeout"})
        state.add_counter("oogst_http_retries_total", 1, {"kind": "timeout"})
        assert state.counters("oogst_http") == [{"name": "oogst_http_retries_total", "labels": {"kind": "timeout"},
                                                 "value": 3.0}]
    finally:
        state.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == VERSION >= 6


# -- the commands and the API ----------------------------------------------------------------------------
def cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200", **env})


def test_schedule_runs_and_harvest_due_from_the_command_line(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=10) as sim:
        bad = cli(tmp_path, "feeds", "add", PARTNER, "--url", sim.endpoint(PARTNER), "--format", "lido",
                  "--schedule", "daily 26:00")
        assert bad.returncode == 3 and "has no valid time" in bad.stderr and "Traceback" not in bad.stderr
        assert cli(tmp_path, "feeds", "add", PARTNER, "--url", sim.endpoint(PARTNER), "--format", "lido",
                   "--schedule", "daily 02:00").returncode == 0
        assert cli(tmp_path, "feeds", "add", "later", "--url", sim.endpoint("kustlicht"), "--format", "oai_dc",
                   "--schedule", "weekly sun 03:00").returncode == 0
        db = sqlite3.connect(tmp_path / "state.sqlite")  # registered two days ago: its first night has come
        db.execute("UPDATE feeds SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-2 days')"
                   " WHERE name = ?", (PARTNER,))
        db.commit()
        db.close()
        plan = {e["feed"]: e for e in json.loads(cli(tmp_path, "schedule", "--json").stdout)}
        assert plan[PARTNER]["due"] and not plan["later"]["due"] and plan["later"]["next_local"]
        assert "schedules" in cli(tmp_path, "schedule").stdout

        runs = json.loads(cli(tmp_path, "harvest", "--due", "--json").stdout)
        assert [r["feed"] for r in runs] == [PARTNER] and runs[0]["status"] == "complete"
        assert json.loads(cli(tmp_path, "harvest", "--due", "--json").stdout) == [], "it just ran"
        assert cli(tmp_path, "harvest", "--due", "--all").returncode == 2

    listed = json.loads(cli(tmp_path, "runs", PARTNER, "--json").stdout)
    assert listed[0]["id"] == runs[0]["run"] and listed[0]["seconds"] is not None and listed[0]["drop"] is None
    table = cli(tmp_path, "runs", PARTNER).stdout
    assert "runs of hof-van-leie" in table and "complete" in table
    shown = cli(tmp_path, "runs", "show", str(runs[0]["run"]))
    assert shown.returncode == 0 and "what this run's records break" in shown.stdout
    assert json.loads(cli(tmp_path, "runs", "show", str(runs[0]["run"]), "--json").stdout)["rules"]
    missing = cli(tmp_path, "runs", "show", "999")
    assert missing.returncode == 3 and "no run 999" in missing.stderr


def test_the_runs_api_has_durations_and_drops(tmp_path: Path) -> None:
    with PartnerSimulator(page_size=10) as sim:
        app = make_app(tmp_path, max_drop_share=1.0)
        app.add_feed(PARTNER, sim.endpoint(PARTNER), "lido")
        app.harvest(PARTNER, full=True)
        for record in sim._partner(PARTNER).sorted_records()[:30]:
            sim.remove_record(PARTNER, record.identifier)
        second = app.harvest(PARTNER, full=True)
    app.accounts.add_user("olga", "operator", password="a long enough password")
    token = app.accounts.new_token("olga", "test")
    client = TestClient(create_app(app), headers={"Authorization": f"Bearer {token}"})
    items = client.get(f"/feeds/{PARTNER}/runs").json()["items"]
    assert items[0]["id"] == second.run_id and items[0]["drop"]["harvested"] == 11 and items[1]["drop"] is None
    assert client.get(f"/runs/{second.run_id}").json()["drop"]["median"] == 41
    app.close()
