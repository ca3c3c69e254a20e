"""LDES (Linked Data Event Streams) harvesting: follow TREE relations, keep the latest versions.

An LDES is a collection of *version* members (``…/530000002/2023-02-13T16:19:43.573Z``), each
``dcterms:isVersionOf`` a persistent object and stamped with ``prov:generatedAtTime``, spread
over fragments (pages) linked by ``tree:relation``. One run:

1. reads the view (the feed's URL), every fragment still mutable at the last run, and every
   fragment a relation (or ``tree:view``) leads to that has not been read completely before;
2. parses each page as JSON-LD with the local context cache (:mod:`oogst.jsonld`: remote
   contexts inlined, undefined prefixes such as ``dcterms`` repaired) and lists its
   ``tree:member``s, their object (version-of path) and time (timestamp path);
3. keeps only the **latest version per object** seen in the run (payloads wait in a temporary
   file, so memory holds only a small index), then yields one :class:`SourceRecord` per
   object: ``source_id`` = the object IRI, ``datestamp`` = the member's time, ``payload`` = the
   member's JSON as received, made self-contained (the page's context is put in front of the
   member's own, since the member inherits it), format = the feed's format (``oslo-jsonld``).
   A member typed ``as:Delete`` becomes a deleted record.

Client state. A fragment served with ``Cache-Control: immutable`` is never fetched again once
read; a mutable one (the newest page) is re-read next time, and only members it did not
hold before are emitted. The state — fragments done, mutable fragments with the member ids
they held, the newest member time — is the typed :class:`LdesCursor` on the last
checkpoint; the pipeline keeps it as the feed's cursor and hands it back to the next run.
``--full`` (no cursor) starts afresh. A plain date as the cursor reads the whole stream but
emits only members from that time on. A run that stops half-way has emitted nothing it cannot emit again: the next
run starts from the previous state, and unchanged payloads are skipped by their hash.

Feed options (``Feed.options``): ``version_of_path`` and ``timestamp_path`` (full IRIs) override
``ldes:versionOfPath``/``ldes:timestampPath`` of the stream, which override the defaults
``dcterms:isVersionOf`` and ``prov:generatedAtTime``.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, ClassVar, NamedTuple
from urllib.parse import urljoin

import pyoxigraph as ox

from ..errors import FatalHarvestError
from ..jsonld import ContextCache, ContextError, context_terms, prepare
from ..records import Checkpoint, Cursor, Feed, SourceRecord
from .http import HttpClient

log = logging.getLogger(__name__)

# LDES pages are read as JSON-LD; a server that can also speak Turtle is asked for JSON first.
LDES_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"

TREE = "https://w3id.org/tree#"
LDES = "https://w3id.org/ldes#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
AS_DELETE = "https://www.w3.org/ns/activitystreams#Delete"
DEFAULT_VERSION_OF = "http://purl.org/dc/terms/isVersionOf"
DEFAULT_TIMESTAMP = "http://www.w3.org/ns/prov#generatedAtTime"
PROGRESS_EVERY = 500  # records between two progress checkpoints


@dataclass(frozen=True)
class LdesCursor(Cursor):
    """The LDES client's state after a run: fragments done, fragments to re-read (with the
    member ids they held), and the newest member time seen."""

    done: frozenset[str] = frozenset()  # immutable fragments read completely
    open: dict[str, list[str]] = field(default_factory=dict)  # mutable fragment → member ids it held
    last: str | None = None  # the newest member time seen

    def __post_init__(self) -> None:
        if isinstance(self.done, str) or not all(isinstance(u, str) for u in self.done):
            raise TypeError("done must be a list of fragment URLs")
        object.__setattr__(self, "done", frozenset(self.done))
        object.__setattr__(self, "open", {str(k): [str(m) for m in v] for k, v in dict(self.open).items()})


LdesState = LdesCursor  # the name of version 1


class Member(NamedTuple):
    version: str  # the member's own IRI
    object: str  # the persistent object it is a version of
    time: str | None
    deleted: bool
    payload: bytes


@dataclass
class Fragment:
    immutable: bool
    links: list[str]  # tree:relation nodes and tree:view targets
    members: list[Member]


class LdesHarvester:
    protocol: ClassVar[str] = "ldes"
    OPTIONS: ClassVar[dict[str, str]] = {
        "version_of_path": "IRI of the property linking a member to its object (default: the stream's "
                           "ldes:versionOfPath, else dcterms:isVersionOf)",
        "timestamp_path": "IRI of the property holding a member's time (default: the stream's "
                          "ldes:timestampPath, else prov:generatedAtTime)",
    }

    Cursor: ClassVar[type[Cursor]] = LdesCursor

    def __init__(self, feed: Feed, http: HttpClient, *, contexts: ContextCache | None = None,
                 seen_in_run: Callable[[list[str]], set[str]] | None = None) -> None:
        self.feed = feed
        self.http = http
        if contexts is None:  # outside the pipeline: fetch contexts over HTTP, keep them in memory
            contexts = ContextCache(fetch=lambda url: http.get(url, feed=feed.name).content)
        self.contexts = contexts
        self.version_of_path: str | None = feed.options.get("version_of_path")
        self.timestamp_path: str | None = feed.options.get("timestamp_path")
        self.notes: dict[str, dict[str, str]] = {}  # what the run met, once each: the run's notes

    def records(self, checkpoint: Checkpoint | None,
                cursor: Cursor | str | None) -> Iterator[SourceRecord | Checkpoint]:
        """The latest version of each object with news since ``cursor`` (the
        :class:`LdesCursor` of the previous run, a date, or None for everything). LDES
        checkpoints carry no token, so ``checkpoint`` is not needed: a resumed run starts from
        its cursor again."""
        state, since = self._start(cursor)
        window_from = cursor if isinstance(cursor, str) else None
        done: set[str] = set(state.done)
        opened: dict[str, list[str]] = {}
        last = state.last
        queue = deque(dict.fromkeys([self.feed.url, *state.open]))
        queued = set(queue)
        fragments = 0
        with _LatestVersions() as latest:
            while queue:
                url = queue.popleft()
                if url in state.done:
                    continue
                try:
                    fragment = self._read(url)
                except FatalHarvestError as exc:
                    if url == self.feed.url or url not in state.open:
                        raise
                    self._note("ldes-fragment-gone", f"the mutable fragment {url} is gone ({exc.message}); "
                                                     "it is not read again")
                    continue
                fragments += 1
                held_before = set(state.open.get(url, ()))
                for member in fragment.members:
                    if member.version in held_before or (
                            since is not None and member.time is not None and _time_key(member.time) < since):
                        continue
                    latest.offer(member)
                    if _time_key(member.time) > _time_key(last):
                        last = member.time
                if fragment.immutable:
                    done.add(url)
                else:
                    opened[url] = [m.version for m in fragment.members]
                for link in fragment.links:
                    if link not in queued and link not in state.done:
                        queued.add(link)
                        queue.append(link)
            total = len(latest)
            log.info("%s: %d fragment(s) read, %d object(s) with new versions", self.feed.name, fragments, total)
            for n, member in enumerate(latest, 1):
                yield SourceRecord(feed=self.feed.name, source_id=member.object, datestamp=member.time,
                                   payload=member.payload, format=self.feed.format, deleted=member.deleted,
                                   media_type="application/ld+json")
                if n % PROGRESS_EVERY == 0 and n < total:
                    yield Checkpoint(None, window_from, info={"completeListSize": total})
        yield Checkpoint(None, window_from, complete=True, cursor=LdesCursor(frozenset(done), opened, last),
                         info={"completeListSize": total, "fragments": fragments, "notes": list(self.notes.values())})

    def _note(self, code: str, message: str, **extra: str) -> None:
        if message not in self.notes:
            log.warning("%s: %s", self.feed.name, message)
            self.notes[message] = {"code": code, "message": message, **extra}

    @staticmethod
    def _start(cursor: Cursor | str | None) -> tuple[LdesCursor, tuple[int, str] | None]:
        """The state to continue from, and the lower time bound when the cursor is a plain date."""
        if isinstance(cursor, LdesCursor):
            return cursor, None
        if isinstance(cursor, str) and cursor:
            return LdesCursor(), _time_key(cursor)
        return LdesCursor(), None

    # -- one fragment ---------------------------------------------------------------------------
    def _read(self, url: str) -> Fragment:
        feed = self.feed.name
        resp = self.http.get(url, feed=feed, headers={"Accept": LDES_ACCEPT})
        base = resp.url or url
        try:
            raw = json.loads(resp.content)
        except ValueError as exc:
            raise FatalHarvestError(
                f"the LDES page is not JSON ({resp.headers.get('Content-Type', 'no content type')}): {exc}",
                feed=feed, url=url, hint="give the URL of a view that serves JSON-LD") from exc
        try:
            prepared = prepare(raw, self.contexts, base=base)
        except ContextError as exc:
            raise ContextError(exc.message, feed=feed, url=exc.url, hint=exc.hint) from exc
        for repair in prepared.repairs:
            self._note("jsonld-repair", repair)
        try:
            quads = ox.parse(json.dumps(prepared.document), format=ox.RdfFormat.JSON_LD, base_iri=base)
            graph = _Graph(quads)
        except (SyntaxError, ValueError) as exc:
            raise FatalHarvestError(f"the LDES page is not valid JSON-LD: {exc}", feed=feed, url=url) from exc

        self.version_of_path = self.version_of_path or graph.first_iri(LDES + "versionOfPath")
        self.timestamp_path = self.timestamp_path or graph.first_iri(LDES + "timestampPath")
        version_of = self.version_of_path or DEFAULT_VERSION_OF
        timestamp = self.timestamp_path or DEFAULT_TIMESTAMP

        links = [urljoin(base, n) for r in graph.objects_of(TREE + "relation") for n in graph.iris(r, TREE + "node")]
        # A view whose relations this page holds is this page (its @id may differ from the URL).
        here = {base, *graph.subjects_of(TREE + "relation")}
        links += [urljoin(base, v) for v in graph.iris_of(TREE + "view") if urljoin(base, v) not in here]
        member_iris = list(dict.fromkeys(graph.iris_of(TREE + "member")))
        terms = context_terms(prepared.document)
        id_keys = ["@id", *(t for t, d in terms.items() if d == "@id" or (isinstance(d, dict) and d.get("@id") == "@id"))]
        described = _member_objects(raw, set(member_iris), base, id_keys)
        members = []
        for iri in member_iris:
            if iri not in described:
                self._note("ldes-member-missing", f"the page {url} lists member {iri} but does not describe it; "
                                                  "skipped", record=iri)
                continue
            node = ox.NamedNode(iri)
            obj, ancestors = described[iri]
            members.append(Member(
                version=iri,
                object=next(iter(graph.iris(node, version_of)), iri),
                time=next(iter(graph.literals(node, timestamp)), None),
                deleted=AS_DELETE in graph.iris(node, RDF_TYPE),
                payload=_payload(obj, ancestors, base),
            ))
        immutable = "immutable" in resp.headers.get("Cache-Control", "").lower()
        log.debug("%s: %s: %d member(s), %d link(s), %s", feed, url, len(members), len(links),
                  "immutable" if immutable else "mutable")
        return Fragment(immutable, links, members)


class _Graph:
    """The few lookups the harvester needs over one page's quads."""

    def __init__(self, quads: Iterator[ox.Quad]) -> None:
        self._by_sp: dict[tuple[Any, str], list[Any]] = {}
        self._by_p: dict[str, list[Any]] = {}
        for q in quads:
            p = q.predicate.value
            self._by_sp.setdefault((q.subject, p), []).append(q.object)
            self._by_p.setdefault(p, []).append(q.object)

    def subjects_of(self, predicate: str) -> set[str]:
        return {s.value for s, p in self._by_sp if p == predicate and isinstance(s, ox.NamedNode)}

    def objects_of(self, predicate: str) -> list[Any]:
        return self._by_p.get(predicate, [])

    def iris_of(self, predicate: str) -> list[str]:
        return [o.value for o in self.objects_of(predicate) if isinstance(o, ox.NamedNode)]

    def first_iri(self, predicate: str) -> str | None:
        return next(iter(self.iris_of(predicate)), None)

    def iris(self, subject: Any, predicate: str) -> list[str]:
        return [o.value for o in self._by_sp.get((subject, predicate), []) if isinstance(o, ox.NamedNode)]

    def literals(self, subject: Any, predicate: str) -> list[str]:
        return [o.value for o in self._by_sp.get((subject, predicate), []) if isinstance(o, ox.Literal)]


def _member_objects(raw: Any, wanted: set[str], base: str,
                    id_keys: list[str]) -> dict[str, tuple[dict[str, Any], list[Any]]]:
    """Member IRI → (its JSON object in the page, the ``@context`` values of its ancestors).

    When a member is described more than once, the description with the most keys wins (the
    others are references such as ``{"@id": …}``)."""
    found: dict[str, tuple[dict[str, Any], list[Any]]] = {}

    def walk(value: Any, ancestors: list[Any]) -> None:
        if isinstance(value, list):
            for v in value:
                walk(v, ancestors)
            return
        if not isinstance(value, dict):
            return
        for key in id_keys:
            ident = value.get(key)
            if isinstance(ident, str):
                iri = urljoin(base, ident)
                if iri in wanted and len(value) > len(found.get(iri, ({},))[0]):
                    found[iri] = (value, ancestors)
        inner = [*ancestors, value["@context"]] if "@context" in value else ancestors
        for key, v in value.items():
            if key != "@context":
                walk(v, inner)

    walk(raw, [])
    return found


def _payload(obj: dict[str, Any], ancestors: list[Any], base: str) -> bytes:
    """The member's JSON as received, with the contexts it inherits from the page put first."""
    contexts: list[Any] = []
    for value in [*ancestors, obj.get("@context")]:
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            contexts.append(urljoin(base, item) if isinstance(item, str) else item)
    body = {k: v for k, v in obj.items() if k != "@context"}
    document = {"@context": contexts[0] if len(contexts) == 1 else contexts, **body} if contexts else body
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _time_key(value: str | None) -> tuple[int, str]:
    """Sort key for member times: none < unreadable (as text) < ISO 8601 (compared in UTC)."""
    if not value:
        return (0, "")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return (1, value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (2, when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f"))


class _Slot(NamedTuple):
    key: tuple[tuple[int, str], str]
    version: str
    time: str | None
    deleted: bool
    offset: int
    length: int


class _LatestVersions:
    """The latest version of each object seen in a run. Payloads wait in a temporary file; memory
    holds one small entry per object."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="oogst-ldes-")
        self._slots: dict[str, _Slot] = {}

    def __enter__(self) -> _LatestVersions:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def offer(self, member: Member) -> None:
        key = (_time_key(member.time), member.version)
        slot = self._slots.get(member.object)
        if slot is not None and slot.key >= key:
            return
        self._file.seek(0, 2)
        offset = self._file.tell()
        self._file.write(member.payload)
        self._slots[member.object] = _Slot(key, member.version, member.time, member.deleted, offset,
                                           len(member.payload))

    def __len__(self) -> int:
        return len(self._slots)

    def __iter__(self) -> Iterator[Member]:
        for obj, slot in self._slots.items():
            self._file.seek(slot.offset)
            yield Member(slot.version, obj, slot.time, slot.deleted, self._file.read(slot.length))
