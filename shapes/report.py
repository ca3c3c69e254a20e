"""Validation summaries a collection manager can act on: per rule, how many records break it,
with example records and their messages; as rows for a table, JSON or CSV.

Two sources give the same :class:`RuleSummary` rows:

- :func:`summarise` counts findings in memory (``Report`` objects, or the dicts that
  ``Report.as_dict()`` makes and the state database keeps), e.g. for ``oogst map``;
- the state database counts a whole feed in SQL (``State.rule_counts``), and
  :meth:`RuleSummary.from_counts` reads its rows (``oogst report``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..records import Report

SEVERITIES = ("violation", "warning", "info")
CSV_COLUMNS = ("feed", "rule", "severity", "records", "share", "findings", "path", "source_path",
               "example_records", "example_message_nl", "example_message_en")


@dataclass(frozen=True, slots=True)
class Example:
    """One record that breaks a rule, with what it is told."""

    record: str  # source id
    label: str | None
    message_nl: str
    message_en: str
    source_path: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"record": self.record, "label": self.label, "message": {"nl": self.message_nl, "en": self.message_en},
                "source_path": self.source_path, "value": self.value}

    @classmethod
    def from_finding(cls, record: str, finding: Mapping[str, Any], label: str | None = None) -> Example:
        """From a record's source id and a finding as ``Finding.as_dict()`` writes it."""
        message = finding.get("message") or {}
        return cls(record=record, label=label, message_nl=message.get("nl", ""), message_en=message.get("en", ""),
                   source_path=finding.get("source_path"), value=finding.get("value"))


@dataclass(slots=True)
class RuleSummary:
    """One rule of one feed (or one batch): how many records break it, and examples."""

    rule: str
    severity: str
    records: int  # records with at least one finding of this rule
    findings: int  # findings in all (a record with two productions may count twice)
    path: str | None = None  # the OSLO path
    source_path: str | None = None  # the partner's field
    examples: list[Example] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "records": self.records, "findings": self.findings,
                "path": self.path, "source_path": self.source_path,
                "examples": [e.as_dict() for e in self.examples]}

    @classmethod
    def from_counts(cls, row: Mapping[str, Any]) -> RuleSummary:
        """From a row of ``State.rule_counts`` (whose examples hold the stored finding)."""
        return cls(rule=row["rule"], severity=row["severity"], records=int(row["records"]),
                   findings=int(row["findings"]), path=row.get("path"), source_path=row.get("source_path"),
                   examples=[Example.from_finding(e["record"], e["finding"], e.get("label")) for e in row["examples"]])


def summarise(reports: Iterable[Report | Mapping[str, Any]], *, examples: int = 3,
              labels: Mapping[str, str] | None = None) -> list[RuleSummary]:
    """Count the findings of ``reports`` per rule; keep the first ``examples`` records of each.

    ``reports`` are :class:`~oogst.records.Report` objects or their ``as_dict()`` form;
    ``labels`` (source id → label) names the example records. Rules come out in
    :func:`order`: violations first, then by the number of records, most first.
    """
    by_rule: dict[tuple[str, str], RuleSummary] = {}
    seen: dict[tuple[str, str], set[str]] = {}
    for report in reports:
        data = report.as_dict() if isinstance(report, Report) else report
        record = data["record"]
        for finding in data.get("findings", ()):
            key = (finding["rule"], finding["severity"])
            summary = by_rule.get(key)
            if summary is None:
                summary = by_rule[key] = RuleSummary(key[0], key[1], 0, 0, finding.get("path"),
                                                     finding.get("source_path"))
                seen[key] = set()
            summary.findings += 1
            if record in seen[key]:
                continue
            seen[key].add(record)
            summary.records += 1
            if len(summary.examples) < examples:
                summary.examples.append(Example.from_finding(record, finding, (labels or {}).get(record)))
    return order(by_rule.values())


def order(summaries: Iterable[RuleSummary]) -> list[RuleSummary]:
    """Violations before warnings before infos; within each, the most records first."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(summaries, key=lambda s: (rank.get(s.severity, len(rank)), -s.records, s.rule))


@dataclass(slots=True)
class FeedReport:
    """The validation summary of one feed, from the state database."""

    feed: str
    totals: dict[str, int]  # published, quarantined, withdrawn, known (State.counts)
    rules: list[RuleSummary]

    @property
    def records(self) -> int:
        """Records that have a current version (the base of each rule's share)."""
        return self.totals.get("known", 0) - self.totals.get("withdrawn", 0)

    def share(self, summary: RuleSummary) -> float:
        return summary.records / self.records if self.records else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"feed": self.feed, "totals": dict(self.totals), "records": self.records,
                "rules": [{**s.as_dict(), "share": round(self.share(s), 4)} for s in self.rules]}

    def csv_rows(self) -> list[dict[str, Any]]:
        rows = []
        for s in self.rules:
            first = s.examples[0] if s.examples else None
            rows.append({
                "feed": self.feed, "rule": s.rule, "severity": s.severity, "records": s.records,
                "share": round(self.share(s), 4), "findings": s.findings, "path": s.path or "",
                "source_path": s.source_path or "", "example_records": "; ".join(e.record for e in s.examples),
                "example_message_nl": first.message_nl if first else "",
                "example_message_en": first.message_en if first else "",
            })
        return rows

    def write_csv(self, target: str | Path | TextIO) -> None:
        """One row per rule (columns :data:`CSV_COLUMNS`), to a path or an open text file."""
        if isinstance(target, (str, Path)):
            with open(target, "w", encoding="utf-8", newline="") as handle:
                self.write_csv(handle)
            return
        writer = csv.DictWriter(target, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(self.csv_rows())
