"""The small value types that travel between the subsystems.

Harvesters yield :class:`SourceRecord` and :class:`Checkpoint`; mappers return
:class:`MappedRecord`; the validator returns a :class:`Report` per record. None of these
types knows about lxml, pyoxigraph or HTTP: they are the seams of the pipeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from .errors import ConfigError
from . import redact


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """An http(s) URL without its user name and password, and those (None when it has none)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    if parts.scheme.lower() not in ("http", "https") or "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), (unquote(user), unquote(password))


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased: where a feed's credentials may go."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


RUN_COUNTS = ("harvested", "published", "quarantined", "withdrawn", "unchanged", "failed")


def now() -> str:
    """The current time as oogst writes it everywhere: UTC, ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record as the partner delivered it.

    ``payload`` holds the bytes as received (for OAI-PMH: the ``<record>`` element,
    header and metadata). A deleted record has ``deleted=True`` and may have no payload.
    """

    feed: str
    source_id: str  # OAI identifier, LDES member id, API id …
    datestamp: str | None
    payload: bytes
    format: str  # "lido", "oai_dc", … (a key of the mapping registry)
    deleted: bool = False
    sets: tuple[str, ...] = ()
    media_type: str = "application/xml"
    # Set when the harvester could not parse this record: the bytes are kept verbatim and
    # the parser's message says what is wrong. Such a record is archived, never mapped.
    error: str | None = None
    _sha256: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        """The payload's hash, worked out once (every stage of a batch asks for it)."""
        if self._sha256 is None:
            object.__setattr__(self, "_sha256", hashlib.sha256(self.payload).hexdigest())
        return self._sha256


@dataclass
class Feed:
    """One registered source: where it is, how to talk to it, what it delivers, how to map it.

    A feed's settings live in three typed places: ``options`` are the protocol's own
    (declared by its harvester's ``OPTIONS``: the OAI-PMH ``metadata_prefix``, a JSON API's
    paths …), ``profile`` is the mapping profile (the TOML table of
    :class:`~oogst.mapping.Profile`: language, default rights, provider, value maps, extra
    fields), and ``cursor`` is where the next incremental run starts, in the protocol's own
    typed :class:`Cursor` (as a dict here; the harvester reads it back into its type).
    ``delivery`` holds the feed's Europeana delivery settings (the keys of
    :class:`~oogst.publish.europeana.DeliverySettings`; what it leaves out comes from the settings).
    """

    name: str
    protocol: str  # a key of the harvester registry: "oai-pmh", …
    url: str
    format: str  # a key of the mapping registry: "lido", "oai_dc", …
    set_spec: str | None = None
    status: str = "active"  # active | failing | paused
    options: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    cursor: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None  # the partner organisation the feed belongs to
    schedule: str | None = None  # when it is harvested: "daily 02:00", "weekly mon 03:00" or a cron line
    contact: str | None = None  # the partner's mail address for alerts about this feed
    delivery: dict[str, Any] = field(default_factory=dict)  # Europeana delivery settings (publish.europeana)
    last_error: str | None = None
    failures: int = 0  # consecutive failed runs; `failing_after` of them make the feed "failing"
    created_at: str = ""
    updated_at: str = ""

    @property
    def next_from(self) -> str | None:
        """The lower bound of the next incremental harvest, where the protocol has one."""
        since = self.cursor.get("since")
        return since if isinstance(since, str) else None

    @property
    def public_url(self) -> str:
        """The URL as every door shows it: without an account or secret-looking parameters."""
        return redact.url(self.url) or ""

    @property
    def public_error(self) -> str | None:
        """The last error as every door shows it: without secrets or server paths."""
        return redact.text(self.last_error)

    def as_dict(self) -> dict[str, Any]:
        """The feed as the doors show it (its URL and last error redacted: ``redact``)."""
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["url"], data["last_error"] = self.public_url, self.public_error
        data["next_from"] = self.next_from
        return data


@dataclass(frozen=True)
class Cursor:
    """Where the next incremental run of a feed starts, in its protocol's own terms.

    Each harvester declares its subclass (``Harvester.Cursor``); the state keeps it as a
    dict (:meth:`as_dict`), and :meth:`from_dict` reads it back, ignoring keys it does not
    know (a cursor written by an older version)."""

    def as_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, feed: str | None = None) -> Cursor:
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in (data or {}).items() if k in known})
        except (TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"the feed's saved {cls.__name__} cannot be read: {exc}", feed=feed,
                              hint="harvest it once with `oogst harvest NAME --full`") from exc


@dataclass(frozen=True)
class WindowCursor(Cursor):
    """A window on the source's change dates: the next run asks for what changed ``since``
    (the server's clock when the previous complete run began), minus an overlap."""

    since: str | None = None

    def overlapped(self, seconds: float) -> WindowCursor:
        """The cursor moved back by ``seconds`` (records dated into the past); a value that is
        not an ISO date stays as it is."""
        if not self.since:
            return self
        try:
            when = datetime.fromisoformat(self.since.replace("Z", "+00:00"))
        except ValueError:
            return self
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return WindowCursor((when - timedelta(seconds=seconds)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def _plain(value: Any) -> Any:
    """Sets and tuples as sorted lists, so that a cursor is plain JSON."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a harvest can resume: everything yielded before it is safely stored.

    ``token`` is the protocol's continuation (OAI resumption token, LDES page URL …);
    ``window_from`` is the lower bound of the harvest window the token belongs to;
    ``response_date`` is the server's own clock on the page, the basis of the next
    incremental ``from``. ``complete`` marks the end of the list, and ``cursor`` says where
    the next run starts.
    """

    token: str | None
    window_from: str | None = None
    response_date: str | None = None
    complete: bool = False
    info: dict[str, Any] = field(default_factory=dict)
    # On the last checkpoint of a complete run: where the next run starts (None: the pipeline
    # takes a WindowCursor on the first page's response_date, else the run's start).
    cursor: Cursor | None = None


@dataclass(slots=True)
class MappedRecord:
    """A source record mapped to OSLO.

    ``ntriples`` is the record's graph as N-Triples text (fast to build, fast to load);
    ``iri`` is the heritage object's IRI, ``label`` a human label (title or object number)
    used in messages, ``warnings`` are mapping remarks that did not stop the mapping.
    """

    source_id: str
    iri: str
    ntriples: str
    label: str
    warnings: list[str] = field(default_factory=list)
    # source path (XPath / JSON path) of each OSLO property, for messages that speak
    # the partner's terms: {"http://…/P102_has_title": "lido:titleWrap/titleSet/appellationValue"}
    source_paths: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finding:
    """One validation result, written for the collection manager who must fix it."""

    rule: str  # the shape's id, e.g. "acceptance:titel"
    severity: str  # "violation" | "warning" | "info"
    path: str | None  # the OSLO property
    source_path: str | None  # where the partner fills it in
    message_nl: str
    message_en: str
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "source_path": self.source_path,
            "message": {"nl": self.message_nl, "en": self.message_en},
            "value": self.value,
        }


@dataclass(slots=True)
class Report:
    """The validation report of one record."""

    record: str  # the source id
    findings: list[Finding] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "violation" for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "conforms": self.conforms,
            "findings": [f.as_dict() for f in self.findings],
        }
