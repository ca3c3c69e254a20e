"""Counting: one collector for a run's counts, in the spirit of Scrapy's stats collector.

Rooms ``inc`` what they did; nobody passes counts around by hand. The run handle persists
each batch's increments with the run (so a resumed run keeps the totals of all its parts)
and reads the totals back at the end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from ..records import RUN_COUNTS


class RunStats:
    def __init__(self) -> None:
        self._values: Counter[str] = Counter()

    def inc(self, key: str, count: int = 1) -> None:
        self._values[key] += count

    def add(self, counts: Mapping[str, int]) -> None:
        self._values.update({k: v for k, v in counts.items() if v})

    def get(self, key: str) -> int:
        return self._values[key]

    def as_dict(self) -> dict[str, int]:
        """The run counts (every one of ``RUN_COUNTS``, zero when nothing happened)."""
        return {key: self._values[key] for key in RUN_COUNTS}
