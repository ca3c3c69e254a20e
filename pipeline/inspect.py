"""Inspection: look at what a feed or a file would become, without storing anything —
:meth:`Inspect.map_file`, :meth:`Inspect.preview` — and what a feed's records lack —
:meth:`Inspect.report`. Mapping goes through the batch room's loop (``batch.map_records``)
and validation through its gate, so what is shown is what a harvest would do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph
from lxml import etree

from .. import harvest as harvest_registry
from .. import mapping as mapping_registry
from ..errors import ConfigError, MappingError
from ..mapping import Profile, vocab
from ..records import Feed, MappedRecord, Report, SourceRecord
from ..shapes.report import FeedReport, RuleSummary, order
from .batch import map_records

if TYPE_CHECKING:
    from .core import Oogst


@dataclass
class FileMapping:
    """What :meth:`Inspect.map_file` found: the mapped records, their validation reports, the
    records that could not be mapped, and how many deleted records the file held."""

    mapped: list[MappedRecord] = field(default_factory=list)
    reports: dict[str, Report] = field(default_factory=dict)
    errors: list[MappingError] = field(default_factory=list)
    deleted: int = 0

    @property
    def conforming(self) -> int:
        return sum(1 for m in self.mapped if self.reports.get(m.source_id, Report(m.source_id)).conforms)

    @property
    def ok(self) -> bool:
        return not self.errors and self.conforming == len(self.mapped)

    def ntriples(self) -> str:
        """Every mapped record's graph, as one N-Triples text (leaving out a record whose
        data the validator could not read: its report says why)."""
        return "".join(m.ntriples for m in self.mapped if not any(
            f.rule == "mapping:error" for f in self.reports.get(m.source_id, Report(m.source_id)).findings))

    def turtle(self) -> str:
        """Every mapped record's graph, as one Turtle document with the OSLO prefixes."""
        return turtle(self.ntriples())


@dataclass
class PreviewItem:
    """One record as :meth:`Inspect.preview` shows it: the source, its OSLO Turtle and its
    validation report; or why it could not be mapped (``error``)."""

    source: SourceRecord
    turtle: str | None = None
    report: Report | None = None
    error: str | None = None
    ntriples: str | None = None  # the mapped graph, for readable views
    iri: str | None = None  # the heritage object's IRI

    def as_dict(self) -> dict[str, Any]:
        return {"source_id": self.source.source_id, "datestamp": self.source.datestamp,
                "deleted": self.source.deleted, "source": self.source.payload.decode("utf-8", "replace"),
                "turtle": self.turtle, "report": self.report.as_dict() if self.report else None, "error": self.error}


class Inspect:
    def __init__(self, core: Oogst) -> None:
        self.core = core

    def map_file(self, path: str | Path, fmt: str, *, feed: str | None = None,
                 profile: str | Path | None = None) -> FileMapping:
        """Map every record in a file (one record, a ``lidoWrap``, an OAI-PMH response, a JSON
        array of LDES members) and validate them, without storing anything. ``feed`` takes that
        feed's mapping profile, ``profile`` a profile file."""
        core = self.core
        path = Path(path)
        mapping_registry.get_mapper(fmt)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
        if feed is not None:
            chosen = core.feeds.profile_of(core.state.get_feed(feed))
        else:
            name = path.stem if profile is None else Path(profile).stem
            name = "".join(c if c.isalnum() or c in "-_" else "-" for c in name) or "file"
            defaults = {"base_iri": core.settings.base_iri, "language": core.settings.default_language,
                        "contexts": core.contexts}
            chosen = Profile.from_toml(profile, name, **defaults) if profile else Profile(feed=name, **defaults)
        found = mapping_registry.records_in_file(data, fmt, feed=chosen.feed, name=path.name)
        mapped, failed = map_records(found.records, fmt, chosen)
        result = FileMapping(mapped=[m for _, m in mapped], errors=[exc for _, exc in failed], deleted=found.deleted)
        result.reports = core.gate.validate(result.mapped)
        return result

    def preview(self, name: str, n: int = 5) -> list[PreviewItem]:
        """Fetch the first ``n`` records of feed ``name`` live, map and validate them (all
        shapes, warnings included); nothing is written to the store, the state or the archive."""
        return self.preview_feed(self.core.state.get_feed(name), n)

    def preview_feed(self, feed: Feed, n: int = 5, *, skip_deleted: bool = False) -> list[PreviewItem]:
        """:meth:`preview` of a feed that need not be registered yet (``Feeds.draft``);
        ``skip_deleted`` leaves deleted records out (looking at most ``10 * n`` records)."""
        core = self.core
        profile = core.feeds.profile_of(feed)
        harvester = harvest_registry.create(core.feeds.for_harvest(feed), core.http, contexts=core.contexts)
        items: list[PreviewItem] = []
        records = harvester.records(None, None)
        try:
            looked = 0
            for item in records:
                if isinstance(item, SourceRecord):
                    looked += 1
                    if not (skip_deleted and item.deleted):
                        items.append(PreviewItem(item))
                    if len(items) >= n or looked >= 10 * n:
                        break
        finally:
            records.close()
        for item in items:
            if item.source.deleted:
                item.error = "deleted at the source"
            elif item.source.error:
                item.error = item.source.error
        live = {item.source.source_id: item for item in items if item.error is None}
        mapped, failed = map_records([item.source for item in live.values()], feed.format, profile)
        for rec, exc in failed:
            live[rec.source_id].error = str(exc)
        reports = core.gate.validate([m for _, m in mapped], sample=1.0)
        for rec, m in mapped:
            live[rec.source_id].turtle = turtle(m.ntriples)
            live[rec.source_id].ntriples = m.ntriples
            live[rec.source_id].iri = m.iri
            live[rec.source_id].report = reports[m.source_id]
        return items

    def report(self, name: str, *, severity: str | None = None, examples: int = 3) -> FeedReport:
        """The validation summary of feed ``name`` from the state: per rule, the records of the
        current versions that break it, with examples."""
        state = self.core.state
        state.get_feed(name)  # an unknown name is a NotFoundError
        rows = state.rule_counts(name, severity=severity, examples=examples)
        return FeedReport(name, state.counts(name), order(RuleSummary.from_counts(r) for r in rows))


def turtle(ntriples: str) -> str:
    """N-Triples as Turtle with the OSLO prefixes, for people to read."""
    triples = pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=vocab.TURTLE_PREFIXES).decode()


def pretty(payload: bytes, media_type: str = "application/xml", limit: int = 200_000) -> str:
    """A payload as a person reads it: XML indented, JSON indented, else as text; cut at ``limit``."""
    text: str | None = None
    if "json" in media_type:
        try:
            text = json.dumps(json.loads(payload), indent=2, ensure_ascii=False)
        except ValueError:
            text = None
    elif payload.lstrip()[:1] == b"<":
        try:
            parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
            text = etree.tostring(etree.fromstring(payload, parser), pretty_print=True, encoding="unicode")
        except (etree.XMLSyntaxError, ValueError):
            text = None
    if text is None:
        text = payload.decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "\n…"
