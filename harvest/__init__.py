"""Protocol harvesters, looked up by protocol name.

A harvester turns one feed into a stream of :class:`~oogst.records.SourceRecord` and
:class:`~oogst.records.Checkpoint`. It never writes state: the pipeline stores the records,
and only then saves the checkpoint that follows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from ..errors import ConfigError
from ..jsonld import ContextCache
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


def create(feed: Feed, http: HttpClient, *, contexts: ContextCache | None = None) -> Harvester:
    """The harvester of ``feed``. Harvesters that read JSON-LD (``uses_contexts = True``) also
    get the JSON-LD context cache; the others are built with ``(feed, http)`` only."""
    cls = get_harvester(feed.protocol)
    if contexts is not None and getattr(cls, "uses_contexts", False):
        return cls(feed, http, contexts=contexts)
    return cls(feed, http)


def options(protocol: str) -> dict[str, str] | None:
    """The feed options (``Feed.config`` keys) a protocol reads, with their meaning; None when
    the harvester does not declare them (``OPTIONS``)."""
    return getattr(get_harvester(protocol), "OPTIONS", None)


from .files import FilesHarvester  # noqa: E402  (built-ins register like any other)
from .ldes import LdesHarvester  # noqa: E402
from .oai import OaiPmhHarvester  # noqa: E402
from .rest import JsonApiHarvester  # noqa: E402

register("oai-pmh", OaiPmhHarvester)
register("ldes", LdesHarvester)
register("json-api", JsonApiHarvester)
register("files", FilesHarvester)
