"""Delivery to Europeana through the CLI and the API, on harvested feeds: `oogst export edm`
(every file of the samples through EDM.xsd and the schematron), its pre-flight report as a
table and as JSON, `oogst feeds delivery`, `oogst media-check` against a local image server,
the tier section of `oogst report`, the tiers API and one record as EDM at `/records/{id}`."""

from __future__ import annotations

import json
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from oogst.api import create_app
from oogst.cli import main
from oogst.devtools.simulator import PartnerSimulator, SimRecord
from oogst.pipeline import Oogst
from oogst.settings import Settings

from .conftest import CORPUS, ROOT

SAMPLES = ROOT / "data" / "samples"
SCHEMAS = CORPUS / "schemas"
DC = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/">{}</oai_dc:dc>')


def png(width: int, height: int, size: int) -> bytes:
    """A PNG header of ``width`` × ``height``, padded to ``size`` bytes (only the header is read)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return head + b"\0" * (size - len(head))


IMAGES = {"/big.png": png(1200, 900, 200_000), "/small.png": png(500, 400, 3_000)}


class Images(BaseHTTPRequestHandler):
    """An image host: /big.png ignores Range (sends everything), /small.png honours it."""

    ranges: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802
        Images.ranges.append((self.path, self.headers.get("Range")))
        body = IMAGES.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/small.png" and self.headers.get("Range"):
            first, last = self.headers["Range"].removeprefix("bytes=").split("-")
            part = body[int(first): int(last) + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {first}-{int(first) + len(part) - 1}/{len(body)}")
        else:
            part = body
            self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        try:
            self.wfile.write(part)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped after the first bytes
            pass

    def log_message(self, *args) -> None:
        pass


def beeldbank(images: str) -> list[SimRecord]:
    """A photo archive's records: two with a local image, one whose image is gone, and one
    whose rights Europeana no longer accepts (the old europeana.eu/rights URIs)."""
    def record(key: str, extra: str, rights: str = "http://creativecommons.org/publicdomain/zero/1.0/") -> SimRecord:
        body = (f'<dc:title xml:lang="nl">Foto {key}</dc:title><dc:type>foto</dc:type>'
                f"<dc:subject>Oostende</dc:subject><dc:date>1930</dc:date>"
                f"<dc:publisher>Beeldbank Kust</dc:publisher><dc:identifier>{key}</dc:identifier>{extra}"
                f"<dc:rights>{rights}</dc:rights>")
        return SimRecord.build(f"oai:beeldbank:{key}", "2025-02-01T10:00:00Z", DC.format(body).encode())

    def link(name: str) -> str:
        return (f"<dc:identifier>https://beeldbank.example.be/{name}</dc:identifier>"
                f"<dc:identifier>{images}/{name}.png</dc:identifier>")

    return [record("big", link("big")), record("small", link("small")), record("missing", link("missing")),
            record("oldrights", "<dc:identifier>https://beeldbank.example.be/oldrights</dc:identifier>",
                   "http://www.europeana.eu/rights/rr-f/")]


@pytest.fixture(scope="module")
def images() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Images)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def harvested(request, tmp_path_factory, images) -> dict:
    """The sample feeds harvested, with the state in SQLite or in PostgreSQL (issue #16)."""
    data_dir = tmp_path_factory.mktemp("delivery") / "data"
    runner = CliRunner()
    state = {}
    if request.param == "postgresql":
        from .servers import postgresql_state_url

        state = {"OOGST_STATE": postgresql_state_url()}

    def run(*args: str, code: int | None = 0, **env: str):
        result = runner.invoke(main, ["--data-dir", str(data_dir), *args], env={"COLUMNS": "200", **state, **env})
        if code is not None:
            assert result.exit_code == code, result.output + str(result.exception)
        return result

    with PartnerSimulator(page_size=20) as sim:
        sim.add_partner("beeldbank", beeldbank(images), format="oai_dc", title="Beeldbank Kust")
        for name, info in sim.partners.items():
            profile = next((p.with_name("profile.toml") for p in SAMPLES.glob("*/partner.toml")
                            if f'name = "{name}"' in p.read_text("utf-8")), None)
            run("feeds", "add", name, "--url", sim.endpoint(name), "--format", info["format"],
                *(["--profile", str(profile)] if profile else []))
        run("harvest", "--all")
    return {"data_dir": data_dir, "run": run, "state": state.get("OOGST_STATE", "")}


def validator():
    from oogst.publish.edm_check import EdmValidator

    if not SCHEMAS.is_dir():
        pytest.skip(f"Europeana's EDM schemas are missing: {SCHEMAS} (the shared corpus)")
    checker = EdmValidator(SCHEMAS)
    if checker.schematron_unavailable:
        pytest.skip(checker.schematron_unavailable)
    return checker


# -- export edm ---------------------------------------------------------------------------------------
SAMPLE_FEEDS = sorted(p.read_text("utf-8").split('name = "', 1)[1].split('"', 1)[0]
                      for p in SAMPLES.glob("*/partner.toml"))


@pytest.mark.parametrize("feed", SAMPLE_FEEDS)
def test_every_exported_sample_record_passes_edm_xsd_and_the_schematron(harvested, tmp_path, feed) -> None:
    checker = validator()
    out = tmp_path / f"{feed}.zip"
    result = harvested["run"]("export", "edm", feed, "--out", str(out), "--check", "--json",
                              OOGST_EDM_SCHEMAS_DIR=str(SCHEMAS))
    (report,) = json.loads(result.output)
    assert report["feed"] == feed and report["checked"] and report["validation_skipped"] is None
    assert report["invalid"] == {} and report["collisions"] == {}
    assert report["files"] == report["exportable"] == report["total"] - len(report["refused"]) >= 5
    if feed in ("hof-van-leie", "kustlicht"):
        assert report["refused"] == {} and report["total"] > 20
    for reasons in report["refused"].values():  # never a silent drop: each says why, nl and en
        assert reasons and all(r["rule"].startswith("edm:") and r["message"]["nl"] and r["message"]["en"]
                               for r in reasons)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert len(names) == len(set(names)) == report["files"] and all(n.endswith(".xml") for n in names)
        for name in names:
            assert checker.validate(archive.read(name), name) == [], name
    assert report["tiers"]["records"] == report["exportable"]
    assert sum(report["tiers"]["content"].values()) == sum(report["tiers"]["metadata"].values()) == report["files"]


def test_the_preflight_report_lists_what_stands_in_the_way(harvested, tmp_path) -> None:
    run = harvested["run"]
    (report,) = json.loads(run("export", "edm", "beeldbank", "--check", "--json", OOGST_EDM_SCHEMAS_DIR="").output)
    assert report["out"] is None and report["files"] == 0
    assert "edm_schemas_dir" in report["validation_skipped"]
    assert list(report["refused"]) == ["beeldbank/oai:beeldbank:oldrights"]
    assert report["refused"]["beeldbank/oai:beeldbank:oldrights"][0]["rule"] == "edm:invalid-rights"
    assert report["exportable"] == 3
    table = run("export", "edm", "--all", "--check", OOGST_EDM_SCHEMAS_DIR="").output
    for text in ("pre-flight: beeldbank", "not EDM: edm:invalid-rights", "rr-f",
                 "Feed hof-van-leie", "Feed kustlicht", "content tier 0"):
        assert text in table, text
    assert run("export", "edm", "hof-van-leie", "kustlicht", "--out", str(tmp_path / "x.zip"), code=2).exit_code == 2
    assert not (tmp_path / "x.zip").exists()
    assert "no feed named 'nergens'" in run("export", "edm", "nergens", code=3).output


# -- delivery settings ----------------------------------------------------------------------------------
def test_feeds_delivery_shows_and_sets_the_settings(harvested) -> None:
    run, data_dir = harvested["run"], harvested["data_dir"]
    shown = json.loads(run("feeds", "delivery", "kustlicht", "--json").output)
    assert shown["settings"] == {"provider": "oogst", "country": "Belgium", "language": "nl"}
    assert set(shown["origin"].values()) == {"default"}
    with Oogst(Settings(data_dir=data_dir, state=harvested["state"])) as app:
        before = {r["record_id"]: r["updated_at"] for r in app.state.oai_records(feed="kustlicht", limit=1000)}
    time.sleep(1.1)
    changed = json.loads(run("feeds", "delivery", "kustlicht", "provider=meemoo", "dataset_id=2048128",
                             "default_rights=CC BY 4.0", "--json").output)
    assert changed["settings"]["provider"] == "meemoo" and changed["origin"]["dataset_id"] == "feed"
    with Oogst(Settings(data_dir=data_dir, state=harvested["state"])) as app:
        after = {r["record_id"]: r for r in app.state.oai_records(feed="kustlicht", limit=1000)}
        assert all(after[k]["updated_at"] > v for k, v in before.items() if after[k]["published"]), \
            "their EDM changed: their OAI-PMH datestamps move"
        assert app.state.delivery_stale("kustlicht") == [], "worked out again at once"
    table = run("feeds", "delivery", "kustlicht").output
    assert "meemoo" in table and "2048128" in table
    edited = json.loads(run("feeds", "edit", "kustlicht", "--delivery", 'type_rule={"default": "IMAGE"}',
                            "--delivery", "dataset_id=", "--json").output)
    assert edited["delivery"] == {"provider": "meemoo", "default_rights": "CC BY 4.0",
                                  "type_rule": {"default": "IMAGE"}}
    bad = run("feeds", "delivery", "kustlicht", "country=Belgie", code=3)
    assert "country 'Belgie' is not in Europeana's list" in bad.output
    assert "unknown delivery settings: colour" in run("feeds", "delivery", "kustlicht", "colour=blue", code=3).output
    assert json.loads(run("feeds", "show", "kustlicht", "--json").output)["delivery"]["provider"] == "meemoo"


# -- media check and tiers ----------------------------------------------------------------------------------
def test_media_check_measures_the_images_and_lifts_the_content_tiers(harvested) -> None:
    run = harvested["run"]
    before = json.loads(run("report", "beeldbank", "--json").output)["tiers"]
    assert before["edm"] == 3 and before["not_edm"] == 1
    assert before["content"]["0"] == 3 and before["content_ceiling"]["4"] == 3, "sizes unknown: a range"
    assert before["gaps"][0]["code"] == "content-image-dimensions" and "media-check" in before["gaps"][0]["en"]
    assert before["refused"][0]["rule"] == "edm:invalid-rights" and before["refused"][0]["nl"]
    Images.ranges.clear()
    counts = json.loads(run("media-check", "beeldbank", "--json").output)
    assert counts == {"feed": "beeldbank", "urls": 3, "known": 0, "checked": 3, "available": 2, "unavailable": 1,
                      "with_dimensions": 2}
    assert sorted(Images.ranges) == [(p, "bytes=0-65535") for p in ("/big.png", "/missing.png", "/small.png")]
    after = json.loads(run("report", "beeldbank", "--json").output)["tiers"]
    assert after["content"] == {"0": 1, "1": 1, "2": 0, "3": 0, "4": 1}, "1.08 MP CC0: 4; 0.2 MP: 1; gone: 0"
    assert after["content"] == after["content_ceiling"]
    again = json.loads(run("media-check", "beeldbank", "--json").output)
    assert (again["known"], again["checked"]) == (3, 0), "checked once; --recheck asks again"
    table = run("report", "beeldbank").output
    assert "Europeana tiers: beeldbank" in table and "metadata tier" in table and "edm:invalid-rights" in table


# -- the API -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(harvested) -> Iterator[TestClient]:
    settings = Settings(data_dir=harvested["data_dir"], state=harvested["state"])
    with Oogst(settings) as app, TestClient(create_app(app)) as test_client:
        yield test_client


def test_a_record_as_edm_by_format_or_by_profile(client) -> None:
    record = "hof-van-leie/oai:hofvanleie.be:lido:1937-S-004"
    by_format = client.get(f"/records/{quote(record, safe='/:')}", params={"format": "edm"})
    assert by_format.status_code == 200 and by_format.headers["content-type"].startswith("application/rdf+xml")
    assert b"edm:ProvidedCHO" in by_format.content and 'rel="profile"' in by_format.headers["link"]
    by_accept = client.get(f"/records/{quote(record, safe='/:')}",
                           headers={"Accept": "application/rdf+xml;profile=edm"})
    assert by_accept.content == by_format.content
    plain = client.get(f"/records/{quote(record, safe='/:')}", headers={"Accept": "application/rdf+xml"})
    assert b"ProvidedCHO" not in plain.content, "plain RDF/XML stays OSLO"
    if SCHEMAS.is_dir():
        assert validator().validate(by_format.content, record) == []
    refused = client.get("/records/beeldbank/oai:beeldbank:oldrights", params={"format": "edm"})
    assert refused.status_code == 422 and refused.json()["error"] == "NotEdm"
    reasons = refused.json()["reasons"]
    assert reasons[0]["rule"] == "edm:invalid-rights" and reasons[0]["nl"] and reasons[0]["en"]


def test_tiers_of_a_feed_and_of_a_record(client) -> None:
    feed = client.get("/feeds/beeldbank/tiers")
    assert feed.status_code == 200 and feed.json()["published"] == 4 and feed.json()["not_edm"] == 1
    assert client.get("/feeds/nergens/tiers").status_code == 404
    record = client.get("/records/beeldbank/oai:beeldbank:small/tiers").json()
    assert record["edm"]["ready"] is True and record["content"]["tier"] == 1
    assert "0.42 megapixel" in record["content"]["next_steps"][0]["en"]
    assert record["metadata"]["tier"] in ("0", "A", "B", "C") and isinstance(record["metadata"]["next_steps"], list)
    refused = client.get("/records/beeldbank/oai:beeldbank:oldrights/tiers").json()
    assert refused["edm"]["ready"] is False and refused["edm"]["reasons"][0]["rule"] == "edm:invalid-rights"
    assert client.get("/records/beeldbank/nergens/tiers").status_code == 404
