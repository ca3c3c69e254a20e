"""Issue 14, "fetching what it should not" (findings 7-10): the outbound policy
(harvest/policy.py) against real servers on 127.0.0.1.

The SSRF tests point oogst at a second local server that records every request it receives:
with loopback not allowed, it must receive none. The suite allows loopback everywhere else
(tests/conftest.py); the ``no_private`` fixture takes that away again, as in production.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from oogst.cli import main
from oogst.errors import ConfigError, FatalHarvestError
from oogst.harvest import policy
from oogst.harvest.http import HttpClient, HttpPolicy
from oogst.harvest.policy import BlockedAddressError, Outbound, literal_address
from oogst.jsonld import ContextCache, ContextError, prepare
from oogst.pipeline import Oogst
from oogst.settings import Settings

from .local_server import LocalServer

LOOPBACK = ("127.0.0.0/8", "::1/128")


@pytest.fixture
def no_private(monkeypatch):
    """Production's default: nothing private, loopback included."""
    monkeypatch.setattr(policy, "DEFAULT_ALLOWED_NETWORKS", ())


@pytest.fixture
def recorder():
    """A server that answers everything and records every request: it must receive none."""
    with LocalServer() as server:
        server.serve("/oai", b"<x/>", content_type="text/xml")
        server.serve("/ctx.jsonld", b'{"@context": {"title": "http://purl.org/dc/terms/title"}}')
        yield server


def client(**outbound) -> HttpClient:
    return HttpClient(HttpPolicy(connect_timeout=2, read_timeout=5, retries=1, outbound=Outbound(**outbound)))


# -- finding 7: feeds add takes any URL ------------------------------------------------------------
BAD_URLS = [
    ("file:///etc/passwd", "only http:// and https://"),
    ("gopher://127.0.0.1:70/_x", "only http:// and https://"),
    ("ftp://example.org/pub", "only http:// and https://"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://[::1]/oai", "::1"),
    ("http://[::ffff:127.0.0.1]/oai", "internal"),
    ("http://0x7f000001/oai", "127.0.0.1"),
    ("http://2130706433/oai", "127.0.0.1"),
    ("http://0177.0.0.1/oai", "127.0.0.1"),
    ("http://127.1/oai", "127.0.0.1"),
    ("http://localhost:8080/oai", "127.0.0.1"),
    ("http://10.0.0.8/oai", "10.0.0.8"),
    ("http://[fe80::1%25eth0]/oai", "internal"),
    ("http://0.0.0.0:8000/oai", "0.0.0.0"),
    ("http://user:pw@169.254.169.254/oai", "169.254.169.254"),
    ("not a url at all", "only http:// and https://"),
    ("http://exa mple.org/oai", "not a valid host name"),
    ("http:///oai", "names no host"),
]


@pytest.mark.parametrize(("url", "why"), BAD_URLS, ids=[u for u, _ in BAD_URLS])
def test_feeds_add_refuses_urls_oogst_must_not_fetch(tmp_path: Path, no_private, url: str, why: str) -> None:
    with Oogst(Settings(data_dir=tmp_path)) as app:
        with pytest.raises(ConfigError) as caught:
            app.add_feed("partner", url, "lido")
        assert why in caught.value.message
        assert "pw@" not in str(caught.value)  # a password is never repeated back
        assert app.state.list_feeds() == []


def test_feeds_edit_refuses_them_too(tmp_path: Path, no_private) -> None:
    with Oogst(Settings(data_dir=tmp_path)) as app:
        app.add_feed("partner", "https://collectie.example.be/oai", "lido")
        with pytest.raises(ConfigError, match="169.254.169.254"):
            app.feeds.edit("partner", url="http://169.254.169.254/latest/")
        assert app.state.get_feed("partner").url == "https://collectie.example.be/oai"


def test_the_cli_says_why_in_one_line(tmp_path: Path, no_private) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "feeds", "add", "x", "--format", "lido",
                                       "--url", "gopher://127.0.0.1:70/_x"], env={"OOGST_ALLOWED_PRIVATE_NETWORKS": ""})
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "only http:// and https://" in result.output


def test_an_allow_listed_range_is_accepted(tmp_path: Path, no_private) -> None:
    with Oogst(Settings(data_dir=tmp_path, allowed_private_networks=("10.0.0.0/8",))) as app:
        assert app.add_feed("partner", "http://10.0.0.8/oai", "lido").url == "http://10.0.0.8/oai"
        with pytest.raises(ConfigError, match="169.254.169.254"):
            app.add_feed("metadata", "http://169.254.169.254/", "lido")


def test_files_feeds_read_only_under_files_root(tmp_path: Path) -> None:
    root = tmp_path / "dumps"
    (root / "museum").mkdir(parents=True)
    with Oogst(Settings(data_dir=tmp_path / "data")) as app:  # no files_root: no local files at all
        with pytest.raises(ConfigError, match="files_root"):
            app.add_feed("etc", "/etc", "lido", protocol="files")
    with Oogst(Settings(data_dir=tmp_path / "data", files_root=str(root))) as app:
        for outside in ("/etc", "file:///etc", str(root / ".." / ".." / "etc"), str(root / "museum/../../x"),
                        "file://otherhost/share"):
            with pytest.raises(ConfigError):
                app.add_feed("etc", outside, "lido", protocol="files")
        assert app.add_feed("museum", str(root / "museum"), "lido", protocol="files").url == str(root / "museum")
        # a feed whose path the operator moved out of the root afterwards is refused at harvest
        app.state.update_feed("museum", url="/etc")
        summary = app.harvest("museum")
        assert summary.status == "failed" and "outside the folder" in summary.error["message"]


# -- the same policy for every outbound request ---------------------------------------------------
def test_the_client_never_reaches_a_loopback_server(recorder: LocalServer, no_private) -> None:
    port = recorder.url("/").split(":")[2].split("/")[0]
    http = client()
    for url in (recorder.url("/oai"), f"http://localhost:{port}/oai", f"http://0x7f000001:{port}/oai",
                f"http://2130706433:{port}/oai", f"http://[::ffff:127.0.0.1]:{port}/oai"):
        with pytest.raises(BlockedAddressError):
            http.get(url, feed="partner")
    assert recorder.requests == []


def test_the_address_is_checked_when_connecting(recorder: LocalServer, no_private, monkeypatch) -> None:
    """DNS rebinding: a name that looked public when the feed was added resolves to loopback
    when oogst connects. The connection checks the address it connects to."""
    port = int(recorder.url("/").split(":")[2].split("/")[0])
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):  # the DNS answer an attacker's name server gives now
        if host == "rebind.example.org":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(BlockedAddressError, match="127.0.0.1"):
        client().get(f"http://rebind.example.org:{port}/oai", feed="partner")
    assert recorder.requests == []


def test_a_harvest_of_a_loopback_feed_fails_cleanly_and_sends_nothing(tmp_path: Path, recorder: LocalServer,
                                                                      monkeypatch) -> None:
    with Oogst(Settings(data_dir=tmp_path)) as app:  # registered while loopback was allowed (an old feed)
        app.add_feed("partner", recorder.url("/oai"), "oai_dc")
    monkeypatch.setattr(policy, "DEFAULT_ALLOWED_NETWORKS", ())
    with Oogst(Settings(data_dir=tmp_path)) as app:
        summary = app.harvest("partner")
        assert summary.status == "failed" and "allowed_private_networks" in summary.error["message"]
        assert app.state.get_feed("partner").status != "running"
    assert recorder.requests == []


def test_the_wizard_probe_refuses_internal_addresses(tmp_path: Path, recorder: LocalServer, no_private) -> None:
    with Oogst(Settings(data_dir=tmp_path)) as app:
        for url in (recorder.url("/oai"), "http://169.254.169.254/latest/", "http://0x7f000001/"):
            found = app.probe(url)
            assert found.problem == "private", (url, found)
        assert app.probe("gopher://x/").problem == "bad-url"
    assert recorder.requests == []


def test_numeric_host_forms() -> None:
    assert str(literal_address("0x7f000001")) == "127.0.0.1"
    assert str(literal_address("2130706433")) == "127.0.0.1"
    assert str(literal_address("017700000001")) == "127.0.0.1"
    assert str(literal_address("127.1")) == "127.0.0.1"
    assert literal_address("collectie.example.be") is None and literal_address("3com.com") is None
    closed = Outbound(allowed_networks=())
    for address in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                    "224.0.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
                    "64:ff9b::a00:1", "2002:7f00:1::1", "255.255.255.255"):
        assert not closed.address_allowed(address), address
    assert closed.address_allowed("93.184.216.34") and closed.address_allowed("2606:2800:220:1::1")
    assert Outbound(allowed_networks=LOOPBACK).address_allowed("::ffff:127.0.0.1")


# -- finding 8: redirects to other hosts ---------------------------------------------------------
def test_a_redirect_to_another_host_is_refused(recorder: LocalServer) -> None:
    port = recorder.url("/").split(":")[2].split("/")[0]
    with LocalServer() as partner:
        partner.serve("/oai", b"", status=302, headers={"Location": f"http://localhost:{port}/oai"})
        with pytest.raises(BlockedAddressError) as caught:
            client(allowed_networks=LOOPBACK).get(partner.url("/oai"), feed="partner")
        assert "another host (localhost)" in caught.value.message and "feeds edit" in caught.value.hint
        assert caught.value.feed == "partner"
    assert recorder.requests == []


def test_a_redirect_into_an_internal_network_is_refused(no_private) -> None:
    with LocalServer() as partner:
        partner.serve("/oai", b"", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        outbound = Outbound(allowed_networks=LOOPBACK)  # the partner itself is on loopback here
        with pytest.raises(BlockedAddressError, match="169.254.169.254"):
            client(allowed_networks=outbound.allowed_networks).get(partner.url("/oai"))


def test_redirects_on_the_same_host_and_to_allowed_hosts_are_followed(recorder: LocalServer) -> None:
    port = recorder.url("/").split(":")[2].split("/")[0]
    with LocalServer() as partner:
        partner.serve("/old", b"", status=301, headers={"Location": "/oai"})
        partner.serve("/oai", b"<ok/>", content_type="text/xml")
        partner.serve("/moved", b"", status=302, headers={"Location": f"http://localhost:{port}/oai"})
        assert client(allowed_networks=LOOPBACK).get(partner.url("/old")).content == b"<ok/>"
        moved = client(allowed_networks=LOOPBACK, redirect_hosts=("localhost",)).get(partner.url("/moved"))
        assert moved.content == b"<x/>" and len(recorder.requests) == 1


def test_https_to_http_is_refused() -> None:
    outbound = Outbound()
    assert outbound.redirect_problem("https://a.example/x", "http://a.example/y")
    assert outbound.redirect_problem("http://a.example/x", "https://a.example/y") is None


# -- finding 9: JSON-LD contexts from anywhere, and out of the contexts folder ---------------------
def test_contexts_are_fetched_only_from_context_hosts(tmp_path: Path, recorder: LocalServer) -> None:
    member = {"@context": recorder.url("/ctx.jsonld"), "@id": "https://example.org/o/1", "title": "x"}
    with Oogst(Settings(data_dir=tmp_path)) as app:  # default context_hosts: OSLO, W3C, …
        with pytest.raises(ContextError) as caught:
            prepare(member, app.contexts)
        assert "context_hosts" in caught.value.message and "contexts folder" in caught.value.hint
    assert recorder.requests == []
    assert not (tmp_path / "contexts").exists() or not any((tmp_path / "contexts").iterdir())  # nothing cached
    with Oogst(Settings(data_dir=tmp_path, context_hosts=("127.0.0.1",))) as app:  # the operator trusts it
        assert prepare(member, app.contexts).document["@context"]["title"]
    assert len(recorder.requests) == 1


def test_context_fetches_go_through_the_policy(tmp_path: Path, recorder: LocalServer, no_private) -> None:
    member = {"@context": recorder.url("/ctx.jsonld"), "@id": "https://example.org/o/1"}
    with Oogst(Settings(data_dir=tmp_path, context_hosts=("127.0.0.1",))) as app:
        with pytest.raises(ContextError, match="refused"):
            prepare(member, app.contexts)
    assert recorder.requests == []


@pytest.mark.parametrize("url", ["http://../secret/ctx.jsonld", "https://example.org/a/../../../secret/ctx.jsonld",
                                 "https://../../secret/ctx.jsonld"])
def test_a_context_url_cannot_read_outside_the_contexts_folder(tmp_path: Path, url: str) -> None:
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "ctx.jsonld").write_text(json.dumps({"@context": {"secret": "http://x/s"}}))
    folder = tmp_path / "contexts"
    folder.mkdir()
    with pytest.raises(ContextError, match="not available offline"):
        ContextCache(folder).get(url)


# -- finding 10 (in part): credentials in a feed URL are kept apart -------------------------------------
PAGE = b"""<?xml version="1.0"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-05-01T10:00:00Z</responseDate>
<request verb="ListRecords">x</request><ListRecords><record><header><identifier>oai:beschermd:1</identifier>
<datestamp>2024-05-01</datestamp></header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title xml:lang="nl">Zicht op Gent</dc:title><dc:identifier>B 1</dc:identifier>
<dc:type>schilderij</dc:type><dc:rights>http://creativecommons.org/publicdomain/mark/1.0/</dc:rights></oai_dc:dc>
</metadata></record></ListRecords></OAI-PMH>"""


def test_credentials_in_a_feed_url_are_kept_apart_sent_to_its_host_only_and_never_shown(tmp_path: Path) -> None:
    token = "Basic " + __import__("base64").b64encode(b"oogst:s3cr:et").decode()
    with LocalServer() as partner:
        partner.handle("/oai", lambda _q: (200, {"Content-Type": "text/xml"}, PAGE)
                       if partner.headers[-1].get("Authorization") == token else (401, {}, b"who are you?"))
        url = partner.url("/oai").replace("http://", "http://oogst:s3cr%3Aet@")
        cli = CliRunner()
        added = cli.invoke(main, ["--data-dir", str(tmp_path), "feeds", "add", "beschermd", "--format", "oai_dc",
                                  "--url", url])
        assert added.exit_code == 0, added.output
        run = cli.invoke(main, ["--data-dir", str(tmp_path), "harvest", "beschermd", "--json"])
        assert run.exit_code == 0, run.output
        assert json.loads(run.output)[0]["harvested"] == 1
        assert partner.headers and all(h.get("Authorization") == token for h in partner.headers)
        shown = [cli.invoke(main, ["--data-dir", str(tmp_path), *args]).output for args in
                 (["feeds", "show", "beschermd"], ["feeds", "show", "beschermd", "--json"], ["feeds", "list", "--json"])]
        assert "kept apart" in shown[0] and json.loads(shown[1])["credentials"] is True
        for text in [added.output, run.output, *shown]:
            assert "s3cr" not in text and "oogst:" not in text
        with Oogst(Settings(data_dir=tmp_path)) as app:
            found = app.probe(url)  # the wizard's probe of a URL with credentials sends them too
            assert partner.headers[-1].get("Authorization") == token and "s3cr" not in repr(found)
            assert app.feed("beschermd").url == partner.url("/oai")
            assert app.state.get_credentials("beschermd") == ("oogst", "s3cr:et")
            app.feeds.edit("beschermd", url="https://elders.example.org/oai")  # another host: forgotten
            assert app.state.get_credentials("beschermd") is None


def test_credentials_never_go_to_another_host_or_along_a_redirect(recorder: LocalServer) -> None:
    port = recorder.url("/").split(":")[2].split("/")[0]
    with LocalServer() as partner:
        partner.serve("/moved", b"", status=302, headers={"Location": f"http://localhost:{port}/oai"})
        partner.serve("/oai", b"<ok/>", content_type="text/xml")
        http = client(allowed_networks=LOOPBACK, redirect_hosts=("localhost",))
        http.credentials["partner"] = (partner.url("/").rstrip("/"), "oogst", "s3cret")
        http.get(partner.url("/oai"), feed="partner")
        http.get(partner.url("/moved"), feed="partner")
        http.get(recorder.url("/ctx.jsonld"), feed="partner")  # e.g. a JSON-LD context elsewhere
        http.get(partner.url("/oai"), feed="another")
    sent = [h.get("Authorization") for h in partner.headers]
    assert sent[0].startswith("Basic ") and sent[1].startswith("Basic ") and sent[2] is None
    assert [h.get("Authorization") for h in recorder.headers] == [None, None]


def test_a_fatal_policy_error_is_a_harvest_error() -> None:
    assert issubclass(BlockedAddressError, FatalHarvestError)


def test_a_bad_range_in_the_allow_list_is_refused_on_load(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'bogus' is not an IP range"):
        Settings.load({"data_dir": tmp_path}, env={"OOGST_ALLOWED_PRIVATE_NETWORKS": "10.0.0.0/8,bogus"})
    loaded, _ = Settings.load({"data_dir": tmp_path}, env={"OOGST_ALLOWED_PRIVATE_NETWORKS": "10.0.0.0/8, ::1/128"})
    assert loaded.allowed_private_networks == ("10.0.0.0/8", "::1/128")


def test_the_probe_explains_broken_addresses_without_a_traceback(tmp_path: Path) -> None:
    with Oogst(Settings(data_dir=tmp_path)) as app:
        for url in ("http://[::1", "http://[zz]/", "http://x:99999/", "http://exa mple.org/",
                    "https://user:pw@exa mple.org/oai"):
            found = app.probe(url)
            assert found.problem == "bad-url" and found.message_nl and found.message_en, url
