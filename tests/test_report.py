"""Validation reports a collection manager can act on: per rule, how many records break it,
with example records and their messages; from memory (``summarise``) and, for a harvested
feed, from the state database alone (``oogst report``), as a table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from oogst.cli import main
from oogst.records import Finding, Report
from oogst.shapes.report import CSV_COLUMNS, FeedReport, summarise
from oogst.devtools.simulator import PartnerSimulator

MUSEUM = "hof-van-leie"


def finding(rule: str, severity: str = "violation", value: str | None = None) -> Finding:
    return Finding(rule=rule, severity=severity, path="crm:P102_has_title", source_path="lido:titleWrap",
                   message_nl=f"nl {rule} {value}", message_en=f"en {rule} {value}", value=value)


def test_summarise_counts_records_and_findings_per_rule_with_examples() -> None:
    reports = [
        Report("a", [finding("acceptance:titel"), finding("oslo-ap:x", "warning", "1"),
                     finding("oslo-ap:x", "warning", "2")]),
        Report("b", [finding("oslo-ap:x", "warning", "1")]),
        Report("c", [finding("oslo-ap:x", "warning"), finding("acceptance:titel")]),
        Report("d", [finding("oslo-ap:x", "warning")]).as_dict(),  # as the state keeps it
        Report("e"),
    ]
    titel, x = summarise(reports, examples=2, labels={"a": "Het Manna"})
    assert (titel.rule, titel.severity, titel.records, titel.findings) == ("acceptance:titel", "violation", 2, 2)
    assert (x.rule, x.severity, x.records, x.findings) == ("oslo-ap:x", "warning", 4, 5)  # violations first
    assert [e.record for e in x.examples] == ["a", "b"]
    assert x.examples[0].label == "Het Manna" and x.examples[0].message_nl == "nl oslo-ap:x 1"
    assert x.source_path == "lido:titleWrap" and x.path == "crm:P102_has_title"
    assert summarise([]) == []


def test_a_feed_report_as_json_and_csv() -> None:
    rules = summarise([Report("a", [finding("acceptance:titel")]), Report("b", [finding("acceptance:titel")])])
    report = FeedReport("museum", {"published": 2, "quarantined": 2, "withdrawn": 1, "known": 5}, rules)
    data = report.as_dict()
    assert data["records"] == 4 and data["rules"][0]["share"] == 0.5
    assert data["rules"][0]["examples"][0]["message"] == {"nl": "nl acceptance:titel None",
                                                          "en": "en acceptance:titel None"}
    buffer = io.StringIO()
    report.write_csv(buffer)
    (row,) = csv.DictReader(io.StringIO(buffer.getvalue()))
    assert list(row) == list(CSV_COLUMNS)
    assert row["rule"] == "acceptance:titel" and row["records"] == "2" and row["example_records"] == "a; b"


# -- a harvested feed, through the CLI ----------------------------------------------------------


@pytest.fixture(scope="module")
def harvested(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("report") / "data"
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--data-dir", str(data_dir), *args])

    with PartnerSimulator(page_size=20) as sim:
        info = sim.partners[MUSEUM]
        added = run("feeds", "add", MUSEUM, "--url", sim.endpoint(MUSEUM), "--format", info["format"])
        assert added.exit_code == 0, added.output
        harvest = run("harvest", MUSEUM, "--json")
        assert harvest.exit_code == 0, harvest.output
    return data_dir, run, json.loads(harvest.output)[0]


def test_report_counts_each_rule_of_the_feed(harvested) -> None:
    data_dir, run, summary = harvested
    result = run("report", MUSEUM, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["feed"] == MUSEUM
    assert report["totals"]["quarantined"] == summary["quarantined"] > 0
    rules = {r["rule"]: r for r in report["rules"]}
    violations = [r for r in report["rules"] if r["severity"] == "violation"]
    # every quarantined record breaks at least one acceptance rule, and only they do
    assert 0 < max(r["records"] for r in violations) <= summary["quarantined"]
    assert sum(r["records"] for r in violations) >= summary["quarantined"]
    assert all(r["rule"].startswith(("acceptance:", "harvest:", "mapping:")) for r in violations)
    # the application profile's warnings are reported too, for published records as well
    warnings = [r for r in report["rules"] if r["severity"] == "warning"]
    assert warnings and all(r["rule"].startswith("oslo-ap:") for r in warnings)
    example = rules[violations[0]["rule"]]["examples"][0]
    assert example["record"].startswith("oai:") and example["message"]["nl"] and example["message"]["en"]
    assert example["label"]


def test_report_filters_by_severity_and_writes_csv(harvested, tmp_path: Path) -> None:
    _, run, _ = harvested
    target = tmp_path / "report.csv"
    result = run("report", MUSEUM, "--severity", "violation", "--csv", str(target), "--json")
    assert result.exit_code == 0, result.output
    assert {r["severity"] for r in json.loads(result.output)["rules"]} == {"violation"}
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows and {r["severity"] for r in rows} == {"violation"} and all(r["example_message_nl"] for r in rows)


def test_report_prints_a_table(harvested) -> None:
    _, run, _ = harvested
    result = run("report", MUSEUM)
    assert result.exit_code == 0, result.output
    assert "validation report" in result.output and "acceptance:" in result.output
    assert "published" in result.output and "quarantined" in result.output


def test_report_reads_the_state_database_only(harvested, tmp_path: Path) -> None:
    data_dir, _, _ = harvested
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("store", "archive.sqlite*", "search*"))
    before = {p.name for p in copy.iterdir()}
    result = CliRunner().invoke(main, ["--data-dir", str(copy), "report", MUSEUM, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rules"]
    assert {p.name for p in copy.iterdir()} - before <= {"state.sqlite-wal", "state.sqlite-shm"}


def test_report_of_an_unknown_feed_is_a_config_error(harvested) -> None:
    _, run, _ = harvested
    result = run("report", "nope")
    assert result.exit_code == 3 and "no feed named 'nope'" in result.output


def test_the_profile_is_checked_on_the_configured_share_of_records(tmp_path: Path) -> None:
    from oogst.pipeline import Oogst
    from oogst.settings import Settings

    from .test_validate import lido_record

    records = [lido_record(f"r{i}") for i in range(40)]

    def warned(share: float) -> set[str]:
        with Oogst(Settings(data_dir=tmp_path, oslo_ap_sample=share)) as app:
            reports = app.validate(records)
        assert all(r.conforms for r in reports.values())  # warnings never block
        return {k for k, r in reports.items() if any(f.severity == "warning" for f in r.findings)}

    assert warned(0.0) == set()
    assert len(warned(1.0)) == 40
    half = warned(0.5)
    assert 5 < len(half) < 35 and warned(0.5) == half  # the same records every run
