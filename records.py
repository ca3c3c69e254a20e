"""The small value types that travel between the subsystems.

Harvesters yield :class:`SourceRecord` and :class:`Checkpoint`; mappers return
:class:`MappedRecord`; the validator returns a :class:`Report` per record. None of these
types knows about lxml, pyoxigraph or HTTP: they are the seams of the pipeline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


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

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


@dataclass
class Feed:
    """One registered source: where it is, how to talk to it, what it delivers."""

    name: str
    protocol: str  # a key of the harvester registry: "oai-pmh", …
    url: str
    format: str  # a key of the mapping registry: "lido", "oai_dc", …
    set_spec: str | None = None
    status: str = "active"  # active | failing | paused
    config: dict[str, Any] = field(default_factory=dict)
    last_error: str | None = None
    failures: int = 0  # consecutive failed runs; `failing_after` of them make the feed "failing"
    next_from: str | None = None  # lower bound of the next incremental harvest
    created_at: str = ""
    updated_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a harvest can resume: everything yielded before it is safely stored.

    ``token`` is the protocol's continuation (OAI resumption token, LDES page URL …);
    ``window_from`` is the lower bound of the harvest window the token belongs to;
    ``response_date`` is the server's own clock on the page, the basis of the next
    incremental ``from``. ``complete`` marks the end of the list.
    """

    token: str | None
    window_from: str | None = None
    response_date: str | None = None
    complete: bool = False
    info: dict[str, Any] = field(default_factory=dict)


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
