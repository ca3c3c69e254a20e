"""The declarative JSON API harvester against a local API: the four kinds of paging,
incremental windows, resuming from a checkpoint, damaged records and configuration errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from oogst import mapping
from oogst.cli import main
from oogst.errors import ConfigError, FatalHarvestError
from oogst.harvest.http import HttpClient, HttpPolicy
from oogst.harvest.rest import JsonApiHarvester, JsonPath
from oogst.records import Checkpoint, Feed, SourceRecord

from .local_server import LocalServer

RECORDS = [{"id": f"obj-{n}", "title": f"Object {n}", "meta": {"modified": f"2024-01-{n:02d}T12:00:00Z"}}
           for n in range(1, 8)]
PAGE = 3


def since(query: dict[str, str]) -> list[dict[str, Any]]:
    bound = query.get("modified_since")
    return [r for r in RECORDS if not bound or r["meta"]["modified"] >= bound]


def ok(body: Any, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()


def api(server: LocalServer) -> None:
    """One endpoint per kind of paging, all over RECORDS (3 per page)."""

    def by_next(query):
        p = int(query.get("p", "1"))
        rows = since(query)[(p - 1) * PAGE:p * PAGE]
        more = p * PAGE < len(since(query))
        return ok({"items": rows, "links": {"next": f"next?p={p + 1}" if more else None}})

    def by_link(query):
        p = int(query.get("p", "1"))
        rows = RECORDS[(p - 1) * PAGE:p * PAGE]
        headers = {"Link": f'<{server.url("/link")}?p={p + 1}>; rel="next"'} if p * PAGE < len(RECORDS) else {}
        return ok(rows, **headers)

    def by_page(query):
        p, size = int(query["page"]), int(query["per_page"])
        return ok({"data": RECORDS[(p - 1) * size:p * size], "total": len(RECORDS)})

    def by_offset(query):
        start, size = int(query.get("offset", "0")), int(query["limit"])
        return ok({"results": RECORDS[start:start + size]})

    def by_cursor(query):
        start = int(query["cursor"].removeprefix("c")) if "cursor" in query else 0
        rows = RECORDS[start:start + PAGE]
        nxt = f"c{start + PAGE}" if start + PAGE < len(RECORDS) else None
        return ok({"data": {"records": rows}, "meta": {"next_cursor": nxt}})

    for path, handler in (("/next", by_next), ("/link", by_link), ("/pages", by_page), ("/offset", by_offset),
                          ("/cursor", by_cursor)):
        server.handle(path, handler)


def run(server: LocalServer, path: str, checkpoint: Checkpoint | None = None, window_from: str | None = None,
        **config: str) -> list[SourceRecord | Checkpoint]:
    feed = Feed(name="api", protocol="json-api", url=server.url(path), format="oslo-jsonld", options=config)
    return list(JsonApiHarvester(feed, HttpClient(HttpPolicy(retries=1))).records(checkpoint, window_from))


def ids(items) -> list[str]:
    return [i.source_id for i in items if isinstance(i, SourceRecord)]


@pytest.mark.parametrize(("path", "config", "requests"), [
    ("/next", {"records_path": "items", "next_path": "links.next"}, 3),
    ("/link", {}, 3),
    ("/pages", {"paging": "page", "records_path": "data", "page_size": "3", "size_param": "per_page",
                "total_path": "total"}, 3),
    ("/offset", {"paging": "offset", "records_path": "$.results", "page_size": "3"}, 3),
    ("/cursor", {"paging": "cursor", "records_path": "data.records", "cursor_path": "meta.next_cursor"}, 3),
], ids=["next-link", "link-header", "page-number", "offset", "cursor"])
def test_every_kind_of_paging_reads_every_record_once(path, config, requests) -> None:
    with LocalServer() as server:
        api(server)
        items = run(server, path, id_path="id", modified_path="meta.modified", **config)
        assert len(server.requests) == requests
    assert ids(items) == [r["id"] for r in RECORDS]
    records = [i for i in items if isinstance(i, SourceRecord)]
    assert records[0].datestamp == "2024-01-01T12:00:00Z"
    assert json.loads(records[0].payload) == RECORDS[0] and records[0].media_type == "application/json"
    checkpoints = [i for i in items if isinstance(i, Checkpoint)]
    assert [c.complete for c in checkpoints] == [False] * (len(checkpoints) - 1) + [True]
    assert all(c.token for c in checkpoints[:-1]) and checkpoints[-1].token is None
    assert checkpoints[0].response_date.endswith("Z")  # the server's Date, in ISO 8601


def test_page_and_offset_paging_send_the_right_parameters() -> None:
    with LocalServer() as server:
        api(server)
        run(server, "/pages", paging="page", records_path="data", page_size="3", size_param="per_page")
        run(server, "/offset", paging="offset", records_path="results", page_size="3")
    assert [q for _p, q in server.requests] == [
        {"per_page": "3", "page": "1"}, {"per_page": "3", "page": "2"}, {"per_page": "3", "page": "3"},
        {"limit": "3"}, {"limit": "3", "offset": "3"}, {"limit": "3", "offset": "6"}]


def test_incremental_runs_ask_only_for_changes_since_the_window() -> None:
    with LocalServer() as server:
        api(server)
        items = run(server, "/next", window_from="2024-01-05T00:00:00Z", records_path="items",
                    next_path="links.next", since_param="modified_since")
        assert server.requests[0][1] == {"modified_since": "2024-01-05T00:00:00Z"}
    assert ids(items) == ["obj-5", "obj-6", "obj-7"]
    assert items[-1].window_from == "2024-01-05T00:00:00Z"


def test_a_run_resumes_at_its_checkpoint_token() -> None:
    with LocalServer() as server:
        api(server)
        first = run(server, "/cursor", paging="cursor", records_path="data.records", cursor_path="meta.next_cursor")
        token = next(i for i in first if isinstance(i, Checkpoint))
        server.requests.clear()
        rest = run(server, "/cursor", Checkpoint(token.token, None, token.response_date), paging="cursor",
                   records_path="data.records", cursor_path="meta.next_cursor")
        assert server.requests[0] == ("/cursor", {"cursor": "c3"})
    assert ids(rest) == [r["id"] for r in RECORDS[3:]]
    assert rest[-1].response_date == token.response_date  # the first page's clock stays the basis


def test_a_record_without_id_is_kept_as_damaged() -> None:
    with LocalServer() as server:
        server.serve("/one", json.dumps([{"id": "a"}, {"name": "no id here"}]).encode(), content_type="application/json")
        records = [i for i in run(server, "/one", paging="none") if isinstance(i, SourceRecord)]
    assert records[0].source_id == "a" and records[0].error is None
    assert records[1].source_id.startswith("sha256:") and "no id at 'id'" in records[1].error
    assert json.loads(records[1].payload) == {"name": "no id here"}


def test_paging_loops_and_wrong_paths_fail_clearly() -> None:
    with LocalServer() as server:
        server.serve("/loop", json.dumps({"items": [{"id": "a"}], "next": "/loop"}).encode())
        with pytest.raises(FatalHarvestError, match="paging loop"):
            run(server, "/loop", records_path="items", next_path="next")
        server.serve("/wrong", json.dumps({"data": []}).encode())
        with pytest.raises(ConfigError, match="nothing at records_path 'items'") as caught:
            run(server, "/wrong", records_path="items")
        assert "records_path" in caught.value.hint
        server.serve("/html", b"<html/>", content_type="text/html")
        with pytest.raises(FatalHarvestError, match=r"not JSON \(text/html\)"):
            run(server, "/html")
    with pytest.raises(ConfigError, match="paging"):
        JsonApiHarvester(Feed("api", "json-api", "http://127.0.0.1:9/", "oslo-jsonld", options={"paging": "scroll"}),
                         HttpClient())
    with pytest.raises(ConfigError, match="cursor_path"):
        JsonApiHarvester(Feed("api", "json-api", "http://127.0.0.1:9/", "oslo-jsonld", options={"paging": "cursor"}),
                         HttpClient())
    with pytest.raises(ConfigError, match="page_size = 'ten'"):
        JsonApiHarvester(Feed("api", "json-api", "http://127.0.0.1:9/", "oslo-jsonld", options={"page_size": "ten"}),
                         HttpClient())


@pytest.mark.parametrize(("path", "value"), [
    ("", {"a": {"b.c": [1, {"d": "x"}]}}),
    ("$", {"a": {"b.c": [1, {"d": "x"}]}}),
    ("a", {"b.c": [1, {"d": "x"}]}),
    ('a["b.c"][1].d', "x"),
    ("$.a['b.c'][-1]", {"d": "x"}),
    ('a["b.c"][5]', None),
    ("a.missing.deeper", None),
])
def test_json_paths(path: str, value: Any) -> None:
    assert JsonPath(path).get({"a": {"b.c": [1, {"d": "x"}]}}) == value


def test_json_path_with_colons_and_a_bad_path() -> None:
    member = {"dcterms:isVersionOf": "https://stad.gent/id/mensgemaaktobject/dmg/530000002"}
    assert JsonPath('["dcterms:isVersionOf"]').get(member) == member["dcterms:isVersionOf"]
    with pytest.raises(ConfigError, match="cannot be read"):
        JsonPath("a..b[")


def test_feeds_add_keeps_protocol_options_and_refuses_unknown_ones(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    added = runner.invoke(main, [*data, "feeds", "add", "api", "--protocol", "json-api", "--url",
                                 "http://127.0.0.1:9/objects", "--format", "lido", "--option", "paging=page",
                                 "--option", "page_size=50", "--option", "language=fr", "--json"])
    assert added.exit_code == 0, added.output
    feed = json.loads(added.output)
    assert feed["options"] == {"paging": "page", "page_size": "50"} and feed["profile"] == {"language": "fr"}
    wrong = runner.invoke(main, [*data, "feeds", "add", "api2", "--protocol", "json-api", "--url",
                                 "http://127.0.0.1:9/", "--format", "lido", "--option", "pagin=page"])
    assert wrong.exit_code == 2 and "no option 'pagin'" in wrong.output and "paging" in wrong.output
    assert runner.invoke(main, [*data, "feeds", "add", "api3", "--protocol", "json-api", "--url",
                                "http://127.0.0.1:9/", "--format", "lido", "--option", "paging"]).exit_code == 2
    listed = runner.invoke(main, [*data, "protocols"]).output
    assert "json-api" in listed and "cursor_path" in listed and "record_xpath" in listed


def test_json_api_records_flow_through_the_pipeline(corpus: Path, tmp_path: Path) -> None:
    if "oslo-jsonld" not in mapping.formats():
        pytest.skip("no mapper for format 'oslo-jsonld' yet (mapping/oslo_jsonld.py): the harvester's output "
                    "is tested above")
    from oogst.pipeline import Oogst
    from oogst.settings import Settings

    members = json.loads((corpus / "ldes-gent" / "members-dmg-objecten.json").read_text("utf-8"))
    settings = Settings(data_dir=tmp_path, contexts_dir=str(corpus / "ldes-gent" / "context"), contexts_fetch=False)
    with LocalServer() as server, Oogst(settings) as app:
        server.handle("/objects", lambda q: ok({"data": members[int(q.get("offset", 0)):int(q.get("offset", 0)) + 4]}))
        app.add_feed("dmg-api", server.url("/objects"), "oslo-jsonld", protocol="json-api",
                     options={"paging": "offset", "page_size": "4", "records_path": "data",
                             "id_path": '["dcterms:isVersionOf"]', "modified_path": '["prov:generatedAtTime"]'})
        summary = app.harvest("dmg-api")
        assert summary.status == "complete", summary.error
        assert summary.counts["harvested"] == len(members)
        assert app.archive.stats("dmg-api")["records"] == len(members)


def test_a_record_without_id_is_quarantined_with_its_bytes_not_as_invalid_json(tmp_path: Path) -> None:
    from oogst.pipeline import Oogst
    from oogst.settings import Settings

    with LocalServer() as server, Oogst(Settings(data_dir=tmp_path, contexts_fetch=False)) as app:
        server.serve("/one", json.dumps([{"id": "a"}, {"name": "no id here"}]).encode(),
                     content_type="application/json")
        app.add_feed("api", server.url("/one"), "oslo-jsonld", protocol="json-api", options={"paging": "none"})
        summary = app.harvest("api")
        assert summary.status == "complete", summary.error
        damaged = [r for r in app.state.list_records(state="quarantined", feed="api")
                   if r["source_id"].startswith("sha256:")]
        assert len(damaged) == 1
        finding = app.state.get_record("api", damaged[0]["source_id"])["report"]["findings"][0]
        assert finding["rule"] == "harvest:record" and "no id at 'id'" in finding["value"]
        assert json.loads(app.archive.get("api", damaged[0]["source_id"]).payload) == {"name": "no id here"}
