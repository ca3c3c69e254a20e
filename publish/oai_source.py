"""What oogst's OAI-PMH provider (``publish/oai_provider.py``) reads: a record source.

:class:`RecordSource` is the seam: the published and withdrawn records in a stable order —
by change datestamp, then identifier — with an ``after`` key to continue from, one record by
identifier, the earliest datestamp, the sets, and each record's metadata in a format. The
core implements it over the state database's record index and the store (see the adapter
notes in the issue-9 report); :class:`MemorySource` implements it in memory, for tests and
benchmarks.

:class:`Renderer` writes a record's OSLO graph (N-Triples, as the store holds it) in the
provider's formats: ``edm`` (EDM external, ``publish/edm.py``; only for records that can be
valid EDM), ``oai_dc`` (every record) and ``oslo`` (the graph itself as RDF/XML).

Datestamps are UTC strings ``YYYY-MM-DDThh:mm:ssZ``: their text order is their time order.
Sets: ``feed:{feed}`` and ``provider:{slug}`` (the data provider), under the parents
``feed`` and ``provider``; asking for a parent selects its children's records.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph

from .edm import crosswalk, export
from .europeana import DeliverySettings
from .ntgraph import Lit, parse
from .oai_dc import OAI_DC_NAMESPACE, OAI_DC_SCHEMA, to_oai_dc

__all__ = ["FORMATS", "MemorySource", "MetadataFormat", "OaiHeader", "OaiSet", "RecordSource", "Renderer",
           "in_set", "set_slug"]


@dataclass(frozen=True, slots=True)
class OaiHeader:
    identifier: str
    datestamp: str
    sets: tuple[str, ...] = ()
    deleted: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.datestamp, self.identifier


@dataclass(frozen=True, slots=True)
class OaiSet:
    spec: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


FORMATS = {
    "oai_dc": MetadataFormat("oai_dc", OAI_DC_SCHEMA, OAI_DC_NAMESPACE),
    "edm": MetadataFormat("edm", "http://www.europeana.eu/schemas/edm/EDM.xsd", "http://www.europeana.eu/schemas/edm/"),
    "oslo": MetadataFormat("oslo", "https://data.vlaanderen.be/doc/applicatieprofiel/cultureel-erfgoed-object/",
                           "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
}


class RecordSource(Protocol):
    """The records an OAI-PMH provider serves. ``start``/``until`` are inclusive datestamps
    (None: open); ``set_spec`` selects a set and its children (see :func:`in_set`);
    ``prefix`` lets the source leave out live records that have no metadata in that format
    (deleted records are always listed)."""

    def earliest_datestamp(self) -> str | None: ...

    def sets(self) -> Sequence[OaiSet]: ...

    def headers(self, prefix: str, start: str | None, until: str | None, set_spec: str | None,
                after: tuple[str, str] | None, limit: int) -> Sequence[OaiHeader]:
        """Up to ``limit`` headers with key (datestamp, identifier) > ``after``, in key order."""
        ...

    def count(self, prefix: str, start: str | None, until: str | None, set_spec: str | None) -> int: ...

    def header(self, identifier: str) -> OaiHeader | None: ...

    def metadata(self, identifier: str, prefix: str) -> bytes | None:
        """The ``<metadata>`` content of a live record in ``prefix``; None when it has none."""
        ...


def in_set(spec: str, sets: Sequence[str]) -> bool:
    """Whether a record in ``sets`` belongs to set ``spec`` (or to a child of it)."""
    return any(s == spec or s.startswith(spec + ":") for s in sets)


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def set_slug(text: str) -> str:
    """A setSpec segment for a name: lowercase ASCII letters, digits and dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:80] or "x"


def _without_declaration(xml: bytes) -> bytes:
    if xml.startswith(b"<?xml"):
        xml = xml[xml.index(b"?>") + 2:]
    return xml.strip()


class Renderer:
    """Renders OSLO N-Triples in the provider's formats; ``settings_for(feed)`` gives a
    feed's Europeana delivery settings."""

    def __init__(self, settings_for: Callable[[str], DeliverySettings]) -> None:
        self.settings_for = settings_for

    def render(self, prefix: str, ntriples: str | bytes, feed: str) -> bytes | None:
        if prefix == "edm":
            result = export(ntriples, self.settings_for(feed))
            return _without_declaration(result.xml) if result.xml else None
        if prefix == "oai_dc":
            return to_oai_dc(ntriples, self.settings_for(feed))
        if prefix == "oslo":
            data = ntriples.encode("utf-8") if isinstance(ntriples, str) else ntriples
            quads = pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
            return _without_declaration(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.RDF_XML))
        return None

    def data_provider(self, ntriples: str | bytes, feed: str) -> str | None:
        """The data provider's name (for its set), as the EDM crosswalk finds it."""
        record = crosswalk(parse(ntriples), self.settings_for(feed), strict=False).record
        if record is None:
            return None
        value = next(iter(record.aggregation.get("edm:dataProvider", [])), None)
        return value.value if type(value) is Lit else value


@dataclass
class _Entry:
    header: OaiHeader
    feed: str
    ntriples: str
    formats: frozenset[str]


@dataclass
class MemorySource:
    """A :class:`RecordSource` in memory: :meth:`put` a published record, :meth:`withdraw` it."""

    renderer: Renderer
    feed_names: dict[str, str] = field(default_factory=dict)  # feed → title, for the set names
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _keys: list[tuple[str, str]] = field(default_factory=list)
    _providers: dict[str, str] = field(default_factory=dict)  # slug → name
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, identifier: str, datestamp: str, feed: str, ntriples: str,
            data_provider: str | None = None) -> OaiHeader:
        """Publish (or update) a record: its sets are its feed and its data provider."""
        provider = data_provider or self.renderer.data_provider(ntriples, feed)
        sets = [f"feed:{feed}"]
        if provider:
            slug = set_slug(provider)
            self._providers.setdefault(slug, provider)
            sets.append(f"provider:{slug}")
        formats = {"oai_dc", "oslo"}
        if export(ntriples, self.renderer.settings_for(feed)).ok:
            formats.add("edm")
        header = OaiHeader(identifier, datestamp, tuple(sets))
        self._store(_Entry(header, feed, ntriples, frozenset(formats)))
        return header

    def withdraw(self, identifier: str, datestamp: str) -> OaiHeader:
        """Turn a record into a deleted one (persistent: its header stays)."""
        old = self._entries[identifier]
        header = OaiHeader(identifier, datestamp, old.header.sets, deleted=True)
        self._store(_Entry(header, old.feed, "", frozenset()))
        return header

    def _store(self, entry: _Entry) -> None:
        with self._lock:
            old = self._entries.get(entry.header.identifier)
            if old is not None:
                del self._keys[bisect.bisect_left(self._keys, old.header.key)]
            self._entries[entry.header.identifier] = entry
            bisect.insort(self._keys, entry.header.key)

    # -- RecordSource ---------------------------------------------------------------------------
    def earliest_datestamp(self) -> str | None:
        return self._keys[0][0] if self._keys else None

    def sets(self) -> Sequence[OaiSet]:
        feeds = sorted({e.feed for e in self._entries.values()})
        out = [OaiSet("feed", "Feeds")] if feeds else []
        out += [OaiSet(f"feed:{feed}", self.feed_names.get(feed, feed)) for feed in feeds]
        if self._providers:
            out.append(OaiSet("provider", "Data providers"))
            out += [OaiSet(f"provider:{slug}", name) for slug, name in sorted(self._providers.items())]
        return out

    def _window(self, prefix: str, start: str | None, until: str | None, set_spec: str | None,
                after: tuple[str, str] | None):
        with self._lock:
            keys = list(self._keys)
        index = bisect.bisect_left(keys, (start, "")) if start else 0
        if after is not None:
            index = max(index, bisect.bisect_right(keys, after))
        for datestamp, identifier in keys[index:]:
            if until is not None and datestamp > until:
                return
            entry = self._entries.get(identifier)
            if entry is None or entry.header.datestamp != datestamp:
                continue
            if set_spec is not None and not in_set(set_spec, entry.header.sets):
                continue
            if not entry.header.deleted and prefix not in entry.formats:
                continue
            yield entry.header

    def headers(self, prefix: str, start: str | None, until: str | None, set_spec: str | None,
                after: tuple[str, str] | None, limit: int) -> Sequence[OaiHeader]:
        out = []
        for found in self._window(prefix, start, until, set_spec, after):
            out.append(found)
            if len(out) >= limit:
                break
        return out

    def count(self, prefix: str, start: str | None, until: str | None, set_spec: str | None) -> int:
        return sum(1 for _ in self._window(prefix, start, until, set_spec, None))

    def header(self, identifier: str) -> OaiHeader | None:
        entry = self._entries.get(identifier)
        return entry.header if entry else None

    def metadata(self, identifier: str, prefix: str) -> bytes | None:
        entry = self._entries.get(identifier)
        if entry is None or entry.header.deleted or prefix not in entry.formats:
            return None
        return self.renderer.render(prefix, entry.ntriples, entry.feed)
