"""Protocol harvesters, looked up by protocol name.

A harvester turns one feed into a stream of :class:`~oogst.records.SourceRecord` and
:class:`~oogst.records.Checkpoint`. It never writes state: the pipeline stores the records,
and only then saves the checkpoint that follows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from ..errors import ConfigError
from ..records import Checkpoint, Feed, SourceRecord
from .http import HttpClient


class Harvester(Protocol):
    protocol: str

    def __init__(self, feed: Feed, http: HttpClient) -> None: ...

    def records(self, checkpoint: Checkpoint | None, window_from: str | None) -> Iterator[SourceRecord | Checkpoint]:
        """Yield records and, after each page, a checkpoint to resume from.

        ``checkpoint`` resumes an interrupted run; ``window_from`` asks only for records
        changed since then (None: everything). The last checkpoint has ``complete=True``."""


_HARVESTERS: dict[str, type] = {}


def register(protocol: str, cls: type) -> None:
    if protocol in _HARVESTERS:
        raise ConfigError(f"harvest protocol {protocol!r} is registered twice")
    _HARVESTERS[protocol] = cls


def get_harvester(protocol: str) -> type:
    try:
        return _HARVESTERS[protocol]
    except KeyError:
        raise ConfigError(f"unknown harvest protocol {protocol!r}",
                          hint=f"known protocols: {', '.join(protocols())}") from None


def protocols() -> list[str]:
    return sorted(_HARVESTERS)


from .oai import OaiPmhHarvester  # noqa: E402  (built-ins register like any other)

register("oai-pmh", OaiPmhHarvester)
