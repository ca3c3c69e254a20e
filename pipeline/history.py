"""Run history: a feed's runs with durations, one run's report, and count drops.

A complete run is flagged as a **count drop** when the partner delivered (``harvested``) fewer
than ``1 - drop_share`` times the median of the feed's previous ``drop_runs`` complete runs of
the same mode (a full run is compared with full runs, an incremental one with incremental
ones), as long as that median is at least ``drop_min`` records. Delivered, not published: a
record delivered again unchanged counts as ``unchanged``, so a second full run of the same
records publishes none. Records that stop passing the shapes raise the ``quarantined`` alert
instead. The flag is worked out when the runs are read, so changing the settings re-judges
the whole history.
"""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .guidance import fix

if TYPE_CHECKING:
    from .core import Oogst


def seconds(run: dict[str, Any]) -> float | None:
    """A run's duration in seconds (None while it runs)."""
    if not run.get("finished_at") or not run.get("started_at"):
        return None
    start = datetime.fromisoformat(run["started_at"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(run["finished_at"].replace("Z", "+00:00"))
    return max(0.0, (end - start).total_seconds())


class History:
    def __init__(self, core: Oogst) -> None:
        self.core = core

    def runs(self, feed: str, limit: int = 20) -> list[dict[str, Any]]:
        """The feed's last runs, newest first, each with ``seconds`` and ``drop`` (None, or
        what fell: ``published``, ``median``, ``share``, ``runs``, ``message``)."""
        self.core.state.get_feed(feed)
        settings = self.core.settings
        rows = self.core.state.runs(feed, limit + settings.drop_runs * 4 + 20)
        return [self._judged(run, rows[i + 1:]) for i, run in enumerate(rows[:limit])]

    def run(self, run_id: int) -> dict[str, Any]:
        """One run with ``seconds`` and ``drop``."""
        run = self.core.state.get_run(run_id)
        older = [r for r in self.core.state.runs(run["feed"], 200) if r["id"] < run_id]
        return self._judged(run, older)

    def report(self, run_id: int, examples: int = 3) -> dict[str, Any]:
        """One run's report: the run (counts, notes, error, duration, drop) and the validation
        rules its records break, with examples and how to fix them in the partner's system."""
        run = self.run(run_id)
        fmt = self.core.state.get_feed(run["feed"]).format
        rules = []
        for row in self.core.state.rule_counts(run["feed"], examples=examples, run_id=run_id):
            advice = fix(row["rule"], fmt)
            rules.append({"rule": row["rule"], "severity": row["severity"], "records": row["records"],
                          "findings": row["findings"], "path": row["path"], "source_path": row["source_path"],
                          "examples": [e["record"] for e in row["examples"]],
                          "fix": {"nl": advice[0], "en": advice[1]} if advice else None})
        rules.sort(key=lambda r: ({"violation": 0, "warning": 1}.get(r["severity"], 2), -r["records"], r["rule"]))
        return {"run": run, "rules": rules}

    def _judged(self, run: dict[str, Any], older: list[dict[str, Any]]) -> dict[str, Any]:
        return {**run, "seconds": seconds(run), "drop": self.drop(run, older)}

    def drop(self, run: dict[str, Any], older: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Whether ``run`` is a count drop against the ``older`` runs (newest first)."""
        settings = self.core.settings
        if run["status"] != "complete":
            return None
        before = [r["harvested"] for r in older if r["status"] == "complete" and r["mode"] == run["mode"]]
        before = before[:settings.drop_runs]
        if not before:
            return None
        median = statistics.median(before)
        if median < settings.drop_min or run["harvested"] >= (1 - settings.drop_share) * median:
            return None
        share = 1 - run["harvested"] / median
        return {"harvested": run["harvested"], "median": median, "share": round(share, 3), "runs": len(before),
                "message": f"the partner delivered {run['harvested']} records, {share:.0%} fewer than the median "
                           f"{median:g} of the {len(before)} complete {run['mode']} run(s) before it"}
