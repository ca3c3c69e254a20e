"""The CLI through click's runner: feeds, errors as messages and stable exit codes, --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from oogst.cli import main


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, ["--data-dir", str(tmp_path / "data"), *args], input=input)

    return invoke


def test_feeds_add_list_show_remove(run) -> None:
    assert run("feeds", "add", "museum", "--url", "http://127.0.0.1:1/oai", "--format", "lido",
               "--set", "schilderijen").exit_code == 0
    listed = json.loads(run("feeds", "list", "--json").output)
    assert [f["name"] for f in listed] == ["museum"] and listed[0]["set_spec"] == "schilderijen"
    shown = json.loads(run("feeds", "show", "museum", "--json").output)
    assert shown["counts"] == {"harvested": 0, "published": 0, "quarantined": 0, "withdrawn": 0}
    assert "museum" in run("feeds", "list").output
    assert run("feeds", "remove", "museum", "--yes").exit_code == 0
    assert json.loads(run("feeds", "list", "--json").output) == []


def test_unknown_feed_is_a_config_error_with_exit_code_3(run) -> None:
    result = run("feeds", "show", "nope")
    assert result.exit_code == 3
    assert "no feed named 'nope'" in result.output


def test_errors_come_out_as_json_with_json(run) -> None:
    result = run("feeds", "show", "nope", "--json")
    assert result.exit_code == 3
    error = json.loads(result.output)
    assert error["error"] == "NotFoundError" and error["code"] == "not_found"


def test_unknown_format_names_the_known_ones(run) -> None:
    result = run("feeds", "add", "x", "--url", "http://127.0.0.1:1/oai", "--format", "marc")
    assert result.exit_code == 3 and "lido" in result.output and "oai_dc" in result.output


def test_duplicate_feed_and_bad_name(run) -> None:
    run("feeds", "add", "museum", "--url", "http://127.0.0.1:1/oai", "--format", "lido")
    assert run("feeds", "add", "museum", "--url", "http://127.0.0.1:1/oai", "--format", "lido").exit_code == 3
    assert run("feeds", "add", "mu seum", "--url", "http://127.0.0.1:1/oai", "--format", "lido").exit_code == 3


def test_harvest_needs_names_or_all(run) -> None:
    assert run("harvest").exit_code == 2


def test_query_syntax_error_is_a_usage_error(run) -> None:
    result = run("query", "SELEKT nothing")
    assert result.exit_code == 2 and "syntax" in result.output.lower()


def test_settings_lists_every_setting(run) -> None:
    rows = json.loads(run("settings", "--json").output)
    assert {"data_dir", "store", "base_iri"} <= {r["name"] for r in rows}


def test_registries_are_listed(run) -> None:
    assert {"lido", "oai_dc"} <= set(run("formats").output.split())
    assert "oai-pmh" in run("protocols").output.split()
