"""The core: :class:`Oogst` is the service layer every door calls (the CLI, the API, the
pages). It is the one place that composes the subsystems (``harvest``, ``mapping``,
``shapes``, ``store``, ``publish``).

One run of one feed::

    harvester.records()  ──►  batch of SourceRecords  ──►  archive (raw bytes, hash)
        │                         │ unchanged hash? skip
        │                         ▼
        │                    mapper.map()  ──►  gate (SHACL)  ──►  store.replace_graphs()
        │                                                     └─►  record index (state)
        │                                                     └─►  derived views (search, provenance)
        └─ Checkpoint  ──►  saved only after the records before it are stored

The names below are the core's interface: the doors import them from here, never from a
subsystem.
"""

from ..errors import OogstError
from ..publish.search import Doc, Link, Page
from ..publish.search import Query as SearchQuery
from ..store import GRAPH_FORMATS, SOLUTION_FORMATS, QueryResult
from ..publish.details import Details
from .accounts import User
from .core import Oogst, formats, protocols
from .inspect import FileMapping, PreviewItem
from .probe import Probe
from .run import ProgressCallback, RunSummary

__all__ = ["GRAPH_FORMATS", "SOLUTION_FORMATS", "Details", "Doc", "FileMapping", "Link", "Oogst", "OogstError",
           "Page", "PreviewItem", "Probe", "ProgressCallback", "QueryResult", "RunSummary", "SearchQuery", "User",
           "formats", "protocols"]
