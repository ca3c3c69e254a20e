"""Protocol harvesters, looked up by protocol name.

A harvester turns one feed into a stream of :class:`~oogst.records.SourceRecord` and
:class:`~oogst.records.Checkpoint`. It never writes state: the pipeline stores the records,
and only then saves the checkpoint that follows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar, Protocol

from ..errors import ConfigError
from ..jsonld import ContextCache
from ..records import Checkpoint, Cursor, Feed, SourceRecord
from .http import HttpClient


class Harvester(Protocol):
    """What every harvester is; ``tests/test_harvester_contract.py`` checks each registered one.

    - ``protocol``: its registry name; ``OPTIONS``: the feed options it reads (key → meaning),
      every other key is refused when a feed is added or edited; ``Cursor``: the type of the
      state a complete run leaves for the next one (:class:`~oogst.records.WindowCursor` for
      protocols with a ``from`` date, the LDES client state …).
    - ``__init__(feed, http, *, contexts=None, seen_in_run=None)``: ``contexts`` resolves
      JSON-LD contexts; ``seen_in_run(ids)`` says which records this run has stored already
      (a harvester that falls back to fetching one record at a time skips those).
    - ``records(checkpoint, cursor)`` yields records and, after each page, a checkpoint that
      the pipeline saves once the records before it are stored. ``checkpoint`` resumes an
      interrupted run; ``cursor`` (a ``Cursor``, an ISO date, or None for everything) asks only
      for what changed. The last checkpoint has ``complete=True`` and carries the next cursor.
    """

    protocol: ClassVar[str]
    OPTIONS: ClassVar[dict[str, str]]
    Cursor: ClassVar[type[Cursor]]

    def __init__(self, feed: Feed, http: HttpClient, *, contexts: ContextCache | None = None,
                 seen_in_run: Callable[[list[str]], set[str]] | None = None) -> None: ...

    def records(self, checkpoint: Checkpoint | None,
                cursor: Cursor | str | None) -> Iterator[SourceRecord | Checkpoint]: ...


_HARVESTERS: dict[str, type[Harvester]] = {}


def register(cls: type[Harvester]) -> type[Harvester]:
    """Make ``cls`` the harvester of its ``protocol``; a name can be registered once."""
    missing = [name for name in ("protocol", "OPTIONS", "Cursor", "records") if not hasattr(cls, name)]
    if missing:
        raise ConfigError(f"harvester {cls.__name__} lacks {', '.join(missing)}")
    if cls.protocol in _HARVESTERS:
        raise ConfigError(f"harvest protocol {cls.protocol!r} is registered twice")
    _HARVESTERS[cls.protocol] = cls
    return cls


def get_harvester(protocol: str) -> type[Harvester]:
    try:
        return _HARVESTERS[protocol]
    except KeyError:
        raise ConfigError(f"unknown harvest protocol {protocol!r}",
                          hint=f"known protocols: {', '.join(protocols())}") from None


def protocols() -> list[str]:
    return sorted(_HARVESTERS)


def create(feed: Feed, http: HttpClient, *, contexts: ContextCache | None = None,
           seen_in_run: Callable[[list[str]], set[str]] | None = None) -> Harvester:
    """The harvester of ``feed``."""
    return get_harvester(feed.protocol)(feed, http, contexts=contexts, seen_in_run=seen_in_run)


def options(protocol: str) -> dict[str, str]:
    """The feed options (``Feed.options`` keys) a protocol reads, with their meaning."""
    return dict(get_harvester(protocol).OPTIONS)


def cursor_of(feed: Feed) -> Cursor | None:
    """The feed's saved cursor in its protocol's type (None: nothing saved, a full run)."""
    return get_harvester(feed.protocol).Cursor.from_dict(feed.cursor, feed.name) if feed.cursor else None


from .files import FilesHarvester  # noqa: E402  (built-ins register like any other)
from .ldes import LdesHarvester  # noqa: E402
from .oai import OaiPmhHarvester  # noqa: E402
from .rest import JsonApiHarvester  # noqa: E402

for _builtin in (OaiPmhHarvester, LdesHarvester, JsonApiHarvester, FilesHarvester):
    register(_builtin)
