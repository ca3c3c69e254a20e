"""The pipeline's state behind one seam: feeds, runs, checkpoints and the record index."""

from __future__ import annotations

from ...records import Feed
from .sqlite import RUN_COUNTS, State, now

__all__ = ["Feed", "RUN_COUNTS", "State", "now"]
