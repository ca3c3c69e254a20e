"""No traceback ever reaches a user (issue 14, finding 15): bad settings files and profiles,
bad feed names and options, an unusable data dir are clear one-line errors with a stable exit
code; an unexpected error is one line naming the log file that holds its traceback (exit 70)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from oogst.cli import main
from oogst.devtools.simulator import PartnerSimulator
from oogst.errors import EXIT_CODES

from .test_crash_consistency import card

URL = "http://127.0.0.1:9/oai"


def run(*args: str, data_dir: Path | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*(["--data-dir", str(data_dir)] if data_dir else []), *args])
    text = result.output + (result.stderr if result.stderr_bytes else "")
    assert "Traceback" not in text, text
    if result.exception and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"an exception escaped: {result.exception!r}")
    return result.exit_code, text


@pytest.fixture
def feed_dir(tmp_path: Path) -> Path:
    assert run("feeds", "add", "museum", "--url", URL, "--format", "lido", data_dir=tmp_path)[0] == 0
    return tmp_path


def test_a_settings_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "oogst.toml").write_bytes(b"port = 8000\n# \xff\xfe\n")
    code, text = run("feeds", "list", data_dir=tmp_path)
    assert code == EXIT_CODES["config"] and "oogst.toml is not UTF-8 text" in text


@pytest.mark.parametrize(("line", "words"), [("result_limit = 0", "result_limit = 0"),
                                             ("port = 99999", "at most 65535"),
                                             ("oslo_ap_sample = 7", "at most 1")])
def test_out_of_range_settings_stop_every_command(tmp_path: Path, line: str, words: str) -> None:
    (tmp_path / "oogst.toml").write_text(line + "\n")
    for args in (("feeds", "list"), ("query", "ASK {}"), ("settings",)):
        code, text = run(*args, data_dir=tmp_path)
        assert code == EXIT_CODES["config"] and words in " ".join(text.split()) and "oogst.toml" in text


@pytest.mark.parametrize(("body", "words"), [
    (b"language = 5\n", "p.toml: language = 5 is not a text"),
    (b"default_rights = 42\n", "p.toml: default_rights = 42 is not a text"),
    (b"[provider]\nname = 4\n", "provider.name = 4 is not a text"),
    (b"values = 3\n", "values = 3 is not a table of tables"),
    (b"fields = 3\n", "[[fields]]"),
    (b"language = \"nl\"\n# caf\xe9\n", "p.toml is not UTF-8 text"),
    (b'[[fields]]\npath = "document(\'/etc/passwd\')"\nproperty = "dc:title"\n', "it calls document()"),
    (b'[[fields]]\npath = "re:test(., \'a\')"\nproperty = "dc:title"\n', "it calls re:test()"),
    (b'[[fields]]\npath = "string(exsl:node-set(.))"\nproperty = "dc:title"\n', "exsl:node-set()"),
])
def test_bad_profiles_are_refused_naming_file_and_key(feed_dir: Path, body: bytes, words: str) -> None:
    (feed_dir / "p.toml").write_bytes(body)
    code, text = run("feeds", "profile", "museum", str(feed_dir / "p.toml"), data_dir=feed_dir)
    assert code == EXIT_CODES["config"] and words in " ".join(text.split()), text


def test_a_profile_path_with_core_functions_only_is_taken(feed_dir: Path) -> None:
    (feed_dir / "p.toml").write_text('[[fields]]\npath = "lido:x[contains(normalize-space(.), \'a(\') and '
                                     'position() > 1]/text()"\nproperty = "dc:title"\n')
    assert run("feeds", "profile", "museum", str(feed_dir / "p.toml"), data_dir=feed_dir)[0] == 0


def test_a_stored_profile_that_calls_document_fails_the_run_and_leaves_none_running(tmp_path: Path) -> None:
    from .faults import make_app

    with PartnerSimulator(page_size=10) as sim:
        sim.add_partner("kaarten", [card(n) for n in range(5)])
        with make_app(tmp_path) as app:
            app.add_feed("kaarten", sim.endpoint("kaarten"), "oai_dc")
            # a profile from before the check (written straight into the state)
            app.state.update_feed("kaarten", profile={"fields": [{"path": "document('/etc/passwd')",
                                                                  "property": "dc:title"}]})
            summary = app.harvest("kaarten")
            assert summary.status == "failed" and "document()" in summary.error["message"]
            assert app.state.last_run("kaarten")["status"] == "failed"


def test_a_300_character_feed_name_is_refused_at_feeds_add(tmp_path: Path) -> None:
    code, text = run("feeds", "add", "a" * 300, "--url", URL, "--format", "lido", data_dir=tmp_path)
    assert code == EXIT_CODES["config"] and "at most 64" in text and "a" * 100 not in text
    for name in ("../x", "x y", "é", "_system", ""):
        assert run("feeds", "add", name, "--url", URL, "--format", "lido", data_dir=tmp_path)[0] != 0


def test_an_unusable_data_dir(tmp_path: Path) -> None:
    for args in (("feeds", "list"), ("feeds", "add", "x", "--url", URL, "--format", "lido"), ("harvest", "--all")):
        code, text = run(*args, data_dir=Path("/proc/x"))
        assert code == EXIT_CODES["config"] and "cannot use the data dir /proc/x" in text, text


@pytest.mark.parametrize("protocol", ["oai-pmh", "ldes", "json-api", "files"])
def test_unknown_options_are_refused_on_every_protocol(tmp_path: Path, protocol: str) -> None:
    code, text = run("feeds", "add", "f", "--protocol", protocol, "--url", URL, "--format", "lido",
                     "--option", "colour=blue", data_dir=tmp_path)
    assert code == EXIT_CODES["usage"] and "no option 'colour'" in text


def test_unknown_options_are_refused_by_feeds_edit(feed_dir: Path) -> None:
    code, text = run("feeds", "edit", "museum", "--option", "colour=blue", data_dir=feed_dir)
    assert code == EXIT_CODES["usage"] and "no option 'colour'" in text


# -- the last line of defence, in a real process ---------------------------------------------------
BROKEN = """
import sys
from oogst import cli
from oogst.pipeline import Oogst
Oogst.list_feeds = lambda self: {}[0]   # a bug
cli.main(prog_name="oogst")
"""


def oogst_broken(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BROKEN, "--data-dir", str(tmp_path), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})


def test_an_unexpected_error_is_one_line_and_a_log_file(tmp_path: Path) -> None:
    proc = oogst_broken(tmp_path, "feeds", "list")
    assert proc.returncode == EXIT_CODES["internal"] == 70
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(" ".join(lines)) < 400 and "internal error (KeyError: 0)" in proc.stderr
    log = tmp_path / "logs" / "oogst.log"
    assert str(log) in " ".join(proc.stderr.split()) or str(log) in proc.stderr.replace("\n", "")
    assert "Traceback" in log.read_text() and "KeyError" in log.read_text()


def test_a_logged_traceback_goes_to_the_log_file_not_the_terminal(tmp_path: Path) -> None:
    """A run that meets a bug logs it with its traceback: the terminal gets one line."""
    script = BROKEN.replace("Oogst.list_feeds = lambda self: {}[0]   # a bug",
                            "import oogst.pipeline.batch as b\n"
                            "b.map_records = lambda *a, **k: {}[0]")
    with PartnerSimulator(page_size=10) as sim:
        sim.add_partner("kaarten", [card(n) for n in range(5)])
        subprocess.run([sys.executable, "-m", "oogst.cli", "--data-dir", str(tmp_path), "feeds", "add", "kaarten",
                        "--url", sim.endpoint("kaarten"), "--format", "oai_dc"], check=True, capture_output=True)
        proc = subprocess.run([sys.executable, "-c", script, "--data-dir", str(tmp_path), "harvest", "kaarten",
                               "--json"], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == EXIT_CODES["failed"]
    (summary,) = json.loads(proc.stdout)
    assert summary["status"] == "failed" and "internal error" in summary["error"]["message"]
    assert "details in" in proc.stderr and "KeyError" in (tmp_path / "logs" / "oogst.log").read_text()
