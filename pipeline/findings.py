"""The findings the pipeline itself writes (the shapes write the others), in Dutch and
English, for the collection manager who has to act on them."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from ..errors import MappingError
from ..records import Finding, MappedRecord, SourceRecord


def finding(rule: str, nl: str, en: str, value: str | None = None, source_path: str | None = None) -> Finding:
    return Finding(rule=rule, severity="violation", path=None, source_path=source_path,
                   message_nl=nl, message_en=en, value=value)


def damaged(rec: SourceRecord) -> Finding:
    """A record the harvester could not take: ``harvest:json`` / ``harvest:xml`` when its
    payload does not parse, else ``harvest:record`` (e.g. a record without an id); the
    harvester's message, which names the fix, is the finding's value."""
    is_json = "json" in rec.media_type
    try:
        json.loads(rec.payload) if is_json else ElementTree.fromstring(rec.payload)
    except (ValueError, ElementTree.ParseError):
        if is_json:
            return finding("harvest:json", "Het record is geen geldige JSON", "The record is not valid JSON", rec.error)
        return finding("harvest:xml", "Het record is geen geldige XML", "The record is not well-formed XML", rec.error)
    return finding("harvest:record", "De harvester kon het record niet overnemen",
                   "The harvester could not take the record", rec.error)


def too_large(message: str) -> Finding:
    """A record over one of the partner limits (harvest/policy.py ``RecordLimits``)."""
    return finding("oogst:too-large", "Het record is te groot om te verwerken: splits het op (één object per record)",
                   "The record is too large to process: split it (one object per record)", message)


def unmappable(exc: MappingError) -> Finding:
    return finding("mapping:error", "Het record kon niet omgezet worden naar OSLO",
                   "The record could not be mapped to OSLO", exc.message, exc.source_path)


def iri_collision(m: MappedRecord, source_id: str, owner: tuple[str, str]) -> Finding:
    """Two source records that would describe one object IRI."""
    feed, other = owner
    return finding(
        "oogst:iri-collision",
        f"Het object '{m.label}' (record {source_id}) krijgt het IRI {m.iri}, dat al gebruikt wordt door "
        f"record {other} van feed {feed}. Twee records mogen niet hetzelfde object beschrijven: "
        "geef elk object een eigen persistente identifier (objectPublishedID).",
        f"The object '{m.label}' (record {source_id}) gets the IRI {m.iri}, which record {other} of feed "
        f"{feed} already uses. Two records must not describe one object: give each object its own "
        "persistent identifier (objectPublishedID).",
        m.iri)
