"""Accounts and the ownership rules of the core (``pipeline/accounts.py``), the state's
accounts tables and their migration, the CLI's ``users`` and ``orgs``, the write API with
personal tokens, and the probe of the register-a-feed wizard — with real parts: SQLite
state, the partner simulator and local HTTP servers on 127.0.0.1."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from oogst.api import create_app
from oogst.cli import main
from oogst.devtools.simulator import PartnerSimulator
from oogst.errors import AuthError, ConfigError, ForbiddenError, NotFoundError, TooManyAttemptsError
from oogst.pipeline import Oogst
from oogst.pipeline.accounts import Accounts, Attempts, digest
from oogst.pipeline.probe import format_for
from oogst.store.state import State
from oogst.store.state.sqlite import VERSION

from .conftest import free_port
from .test_web import local_settings

PASSWORD = "correct horse battery"


@pytest.fixture
def core(tmp_path: Path, state_setting: dict[str, str]) -> Iterator[Oogst]:
    oogst = Oogst(local_settings(tmp_path, **state_setting))
    oogst.accounts.add_org("museum", "Museum")
    oogst.accounts.add_org("archief", "Archief")
    oogst.accounts.add_user("anna", "partner", org="museum", password=PASSWORD)
    oogst.accounts.add_user("bert", "partner", org="archief", password=PASSWORD)
    oogst.accounts.add_user("olga", "operator", password=PASSWORD)
    yield oogst
    oogst.close()


# -- the state ------------------------------------------------------------------------------------------
def test_state_of_version_3_gains_the_accounts_tables(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    State(path).close()
    with sqlite3.connect(path) as db:  # back to what version 3 (delivery, no accounts) had
        for table in ("organisations", "users", "tokens", "sessions"):
            db.execute(f"DROP TABLE {table}")
        db.execute("PRAGMA user_version = 3")
    state = State(path)
    try:
        assert state._one("PRAGMA user_version")[0] == VERSION
        state.add_org("museum", "Museum")
        assert state.list_orgs()[0]["title"] == "Museum"
    finally:
        state.close()


def test_secrets_are_stored_hashed(core: Oogst) -> None:
    token = core.accounts.new_token("anna", "script")
    cookie, _ = core.accounts.open_session(core.accounts.user("anna"))
    raw = b"".join(p.read_bytes() for p in Path(core.settings.state_path).parent.glob("state.sqlite*"))
    for secret in (PASSWORD, token, cookie):
        assert secret.encode() not in raw
    assert core.state.get_user("anna")["password"].startswith("$argon2id$")
    assert core.state.token_user(digest(token)) == "anna"


# -- accounts ------------------------------------------------------------------------------------------
def test_users_need_the_right_organisation_and_a_long_enough_password(core: Oogst) -> None:
    with pytest.raises(ConfigError, match="belongs to an organisation"):
        core.accounts.add_user("x", "partner")
    with pytest.raises(NotFoundError):
        core.accounts.add_user("x", "partner", org="nowhere", password=PASSWORD)
    with pytest.raises(ConfigError, match="no organisation"):
        core.accounts.add_user("x", "operator", org="museum")
    with pytest.raises(ConfigError, match="at least 10"):
        core.accounts.add_user("x", "partner", org="museum", password="short")
    with pytest.raises(ConfigError, match="exists already"):
        core.accounts.add_user("anna", "partner", org="museum")
    with pytest.raises(ConfigError):
        core.accounts.add_org("Not A Slug")


def test_sign_in_sessions_and_tokens(core: Oogst) -> None:
    accounts = core.accounts
    anna = accounts.authenticate("anna", PASSWORD, client="127.0.0.9")
    assert (anna.name, anna.role, anna.org) == ("anna", "partner", "museum")
    with pytest.raises(AuthError):
        accounts.authenticate("anna", "wrong password!")
    with pytest.raises(AuthError):
        accounts.authenticate("nobody", PASSWORD)
    cookie, csrf = accounts.open_session(anna)
    assert accounts.session(cookie) == (anna, csrf)
    accounts.close_session(cookie)
    assert accounts.session(cookie) is None
    token = accounts.new_token("anna")
    assert accounts.token_user(token) == anna
    assert accounts.revoke_tokens("anna") == 1
    with pytest.raises(AuthError):
        accounts.token_user(token)
    accounts.set_password("anna", "another long password")
    with pytest.raises(AuthError):
        accounts.authenticate("anna", PASSWORD)


def test_failed_sign_ins_are_limited_per_account_and_per_client(core: Oogst) -> None:
    clock = [1000.0]
    accounts = Accounts(core, clock=lambda: clock[0])
    for _ in range(5):
        with pytest.raises(AuthError):
            accounts.authenticate("anna", "not the password", client="10.0.0.1")
    with pytest.raises(TooManyAttemptsError) as refused:
        accounts.authenticate("anna", PASSWORD, client="10.0.0.2")  # even the right password, from elsewhere
    assert 800 < refused.value.retry_after <= 900
    clock[0] += 901
    assert accounts.authenticate("anna", PASSWORD).name == "anna"
    for i in range(20):  # one address trying many accounts
        with pytest.raises(AuthError):
            accounts.authenticate(f"user{i}", "guess guess guess", client="10.9.9.9")
    with pytest.raises(TooManyAttemptsError):
        accounts.authenticate("bert", PASSWORD, client="10.9.9.9")
    assert accounts.authenticate("bert", PASSWORD, client="10.9.9.8").name == "bert"


def test_attempts_window() -> None:
    clock = [0.0]
    attempts = Attempts(2, 60, lambda: clock[0])
    attempts.fail("k")
    assert attempts.wait("k") == 0
    attempts.fail("k")
    assert attempts.wait("k") == 60
    clock[0] = 61
    assert attempts.wait("k") == 0


def test_ownership_rules(core: Oogst) -> None:
    accounts = core.accounts
    anna, bert, olga = accounts.user("anna"), accounts.user("bert"), accounts.user("olga")
    core.add_feed("museum-feed", "https://museum.example/oai", "lido", owner="museum")
    core.add_feed("loose", "https://loose.example/oai", "lido")
    assert [f.name for f in accounts.visible_feeds(anna)] == ["museum-feed"]
    assert accounts.visible_feeds(bert) == []
    assert [f.name for f in accounts.visible_feeds(olga)] == ["loose", "museum-feed"]
    assert accounts.authorise(anna, "museum-feed", "run").name == "museum-feed"
    with pytest.raises(NotFoundError):
        accounts.authorise(bert, "museum-feed", "view")
    with pytest.raises(NotFoundError) as unknown:
        accounts.authorise(bert, "no-such-feed")
    assert unknown.value.hint is None, "a partner is not told which feeds exist"
    with pytest.raises(ForbiddenError):
        accounts.authorise(anna, "museum-feed", "remove")
    with pytest.raises(AuthError):
        accounts.authorise(None, "museum-feed")
    assert accounts.owner_for(anna, None) == "museum"
    with pytest.raises(ForbiddenError):
        accounts.owner_for(anna, "archief")
    assert accounts.owner_for(olga, "archief") == "archief"
    with pytest.raises(NotFoundError):
        core.add_feed("x", "https://x.example/oai", "lido", owner="no-such-org")


# -- the CLI -------------------------------------------------------------------------------------------
def test_cli_users_and_orgs(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    assert runner.invoke(main, [*base, "orgs", "add", "museum", "--title", "Museum"]).exit_code == 0
    added = runner.invoke(main, [*base, "users", "add", "anna", "--role", "partner", "--org", "museum"],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    token = runner.invoke(main, [*base, "users", "token", "anna"]).output.strip()
    assert token.startswith("oogst_")
    listed = runner.invoke(main, [*base, "users", "list", "--json"])
    assert '"anna"' in listed.output and "argon2" not in listed.output
    bad = runner.invoke(main, [*base, "users", "add", "x", "--role", "partner"], input=PASSWORD + "\n")
    assert bad.exit_code == 3 and "organisation" in bad.output
    short = runner.invoke(main, [*base, "users", "add", "y", "--role", "operator"], input="short\n")
    assert short.exit_code == 3 and "10 characters" in short.output
    assert '"users": ["anna"]' in runner.invoke(main, [*base, "orgs", "list", "--json"]).output
    with Oogst(local_settings(tmp_path)) as core:
        assert core.accounts.token_user(token).name == "anna"


# -- the write API ------------------------------------------------------------------------------------
@pytest.fixture
def api(core: Oogst) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], PartnerSimulator]]:
    tokens = {name: {"Authorization": f"Bearer {core.accounts.new_token(name)}"} for name in ("anna", "bert", "olga")}
    with PartnerSimulator() as sim, TestClient(create_app(core)) as client:
        yield client, tokens, sim


def test_write_api_create_edit_pause_run_and_report(core: Oogst, api: Any) -> None:
    client, tokens, sim = api
    body = {"name": "museum-feed", "url": sim.endpoint("hof-van-leie"), "format": "lido",
            "profile": {"provider": {"name": "Museum Hof van Leie"}}}
    assert client.post("/feeds", json=body).status_code == 401
    assert client.post("/feeds", json={**body, "owner": "archief"}, headers=tokens["anna"]).status_code == 403
    created = client.post("/feeds", json=body, headers=tokens["anna"])
    assert created.status_code == 201, created.text
    assert created.json()["owner"] == "museum" and "options" not in created.json()
    edited = client.patch("/feeds/museum-feed", json={"schedule": "daily 02:00"}, headers=tokens["anna"])
    assert edited.status_code == 200 and edited.json()["schedule"] == "daily 02:00"
    assert client.patch("/feeds/museum-feed", json={"format": "nonsense"}, headers=tokens["anna"]).status_code == 400
    assert client.post("/feeds/museum-feed/pause", headers=tokens["anna"]).json()["status"] == "paused"
    conflict = client.post("/feeds/museum-feed/runs", headers=tokens["anna"])
    assert conflict.status_code == 409 and "paused" in conflict.json()["message"]
    assert client.post("/feeds/museum-feed/resume", headers=tokens["anna"]).json()["status"] == "active"
    started = client.post("/feeds/museum-feed/runs", json={"full": True}, headers=tokens["anna"])
    assert started.status_code == 202, started.text
    run_id = started.json()["run"]
    assert core.runs.wait(timeout=120)
    run = client.get(f"/runs/{run_id}", headers=tokens["anna"]).json()
    assert run["status"] == "complete" and run["published"] == 34 and run["quarantined"] == 4
    report = client.get(f"/runs/{run_id}/report", headers=tokens["anna"]).json()
    assert len(report["quarantined"]) == 4
    assert any(r["rule"] == "acceptance:rechten" for r in report["validation"]["rules"])
    csv = client.get("/feeds/museum-feed/report?format=csv", headers=tokens["anna"])
    assert csv.status_code == 200 and "acceptance:rechten" in csv.text
    # a session cookie never writes through the API (no CSRF there): tokens only
    assert client.post("/feeds/museum-feed/pause", cookies={"oogst_session": "x"}).status_code == 401
    # another partner: 404; the operator: everything
    assert client.get(f"/runs/{run_id}", headers=tokens["bert"]).status_code == 404
    assert client.get("/feeds/museum-feed/runs", headers=tokens["olga"]).json()["items"][0]["id"] == run_id
    assert client.get("/feeds", headers={"Authorization": "Bearer oogst_not-a-token"}).status_code == 401


def test_one_run_per_feed_at_a_time(core: Oogst, api: Any) -> None:
    client, tokens, sim = api
    sim.page_size = 2
    core.add_feed("museum-feed", sim.endpoint("hof-van-leie"), "lido", owner="museum")
    first = client.post("/feeds/museum-feed/runs", headers=tokens["anna"])
    second = client.post("/feeds/museum-feed/runs", headers=tokens["anna"])
    assert first.status_code == 202
    assert second.status_code in (202, 409)  # 409 while the first one holds the feed's lock
    if second.status_code == 409:
        assert "going on" in second.json()["message"]
    assert core.runs.wait(timeout=120)


# -- probing an address ---------------------------------------------------------------------------------
def test_format_for_metadata_prefixes() -> None:
    assert format_for("oai_lido") == "lido"
    assert format_for("lido") == "lido"
    assert format_for("oai_dc") == "oai_dc"
    assert format_for("edm") == "edm"
    assert format_for("x", "http://www.lido-schema.org", "http://www.lido-schema.org/schema/v1.0/lido-v1.0.xsd") == "lido"
    assert format_for("marc21", "http://www.loc.gov/MARC21/slim") is None


def test_probe_recognises_oai_pmh(core: Oogst) -> None:
    with PartnerSimulator() as sim:
        found = core.probe(sim.endpoint("kustlicht") + "?verb=Identify")
    assert found.ok and found.protocol == "oai-pmh" and found.url.endswith("/kustlicht/oai")
    assert found.format == "oai_dc" and found.prefix == "oai_dc"
    assert "fotos" in [s["spec"] for s in found.sets]
    assert found.name and found.details["granularity"] == "YYYY-MM-DDThh:mm:ssZ"


class Silent:
    """A server on 127.0.0.1 that accepts connections and never answers (a timeout)."""

    def __enter__(self) -> str:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/oai"

    def _accept(self) -> None:
        try:
            while True:
                self.held.append(self.sock.accept()[0])
        except OSError:
            pass

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.mark.parametrize(("url", "problem", "words"), [
    ("ftp://example.org/oai", "bad-url", "geen webadres"),
    ("http://10.20.30.40/oai", "private", "privé-netwerk"),
    ("http://[fd00::1]/oai", "private", "privé-netwerk"),
    ("http://169.254.169.254/latest", "private", "privé-netwerk"),
    ("http://name.that.does.not.exist.invalid/oai", "dns", "bestaat niet"),
])
def test_probe_explains_what_is_wrong(core: Oogst, url: str, problem: str, words: str) -> None:
    found = core.probe(url)
    assert found.problem == problem and words in found.message_nl and found.message_en
    assert found.protocol is None


def test_probe_explains_refusals_timeouts_and_other_answers(tmp_path: Path) -> None:
    with Oogst(local_settings(tmp_path, http_read_timeout=1.0, http_connect_timeout=1.0)) as core:
        refused = core.probe(f"http://127.0.0.1:{free_port()}/oai")
        assert refused.problem == "refused" and "niet bereikbaar" in refused.message_nl
        with Silent() as url:
            slow = core.probe(url)
        assert slow.problem == "timeout" and "niet op tijd" in slow.message_nl and "in time" in slow.message_en
        with PartnerSimulator() as sim:
            missing = core.probe(sim.url + "/no-such-partner/oai")
        assert missing.problem in ("http", "not-a-feed") and missing.message_nl and missing.protocol is None


def test_probe_recognises_an_ldes_and_a_json_api(core: Oogst) -> None:
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pages = {"/ldes": {"@context": {"tree": "https://w3id.org/tree#"}, "@id": "http://x/ldes",
                       "@type": "https://w3id.org/ldes#EventStream", "tree:view": {"@id": "http://x/ldes?page=1"}},
             "/api": {"items": [{"id": 1, "title": "a"}], "next": None}}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = json.dumps(pages[self.path.split("?")[0]]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        ldes = core.probe(f"{base}/ldes")
        assert ldes.protocol == "ldes" and ldes.format == "oslo-jsonld" and ldes.ok
        api = core.probe(f"{base}/api")
        assert api.protocol == "json-api" and api.problem == "no-format" and "mapping" in api.message_en
    finally:
        server.shutdown()
        server.server_close()
