"""Batch processing: archive → map → validate → store, for one batch of one feed.

:meth:`Batches.process` takes the records of a batch and returns a :class:`BatchResult`:
the counts, the record-index rows it wrote and the graphs it published. It keeps no run
bookkeeping (the run room does that) and feeds no derived view (the views room does).

For each record of a batch (the later of two versions of one record wins):

- every payload is archived as received, deleted and damaged ones too (not on a remap);
- an unchanged payload (same hash as the record index holds) is counted ``unchanged``;
- a deleted record drops its graph and becomes a tombstone (``withdrawn``);
- a damaged record (the harvester could not take it) is quarantined with its message;
- the rest are mapped and validated together; conforming records are published, the others
  quarantined with their report (an earlier published version stays published);
- the RDF store is written first (graphs published before in one transaction, first-time
  graphs through the store's bulk path), then the record index with its events; the run's
  counts and the derived views (search index, provenance) follow (``run.py``). A crash before
  the record index replays the batch in full, harmlessly, as writes are idempotent (whole
  graphs keyed by deterministic IRIs). An unchanged record whose graph, search entry or
  provenance is missing is not skipped but written again; one that this run published already
  (a replayed page) is not counted as published a second time.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rdflib import BNode

from .. import iris
from .. import mapping as mapping_registry
from ..errors import MappingError
from ..publish.display import Doc
from ..records import RUN_COUNTS, Feed, MappedRecord, Report, SourceRecord, now
from ..shapes.validate import SYNTAX_RULE, Validator
from . import findings
from .workers import Job, Outcome, Pool, Stream, default_workers, outcomes

if TYPE_CHECKING:
    from ..mapping import Profile
    from .core import Oogst


IN_PROCESS = {"oslo-jsonld"}  # formats mapped in this process: JSON-LD contexts come through its cache and client


@dataclass
class BatchResult:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RUN_COUNTS, 0))
    rows: list[dict[str, Any]] = field(default_factory=list)  # the record-index rows written
    graphs: dict[str, str] = field(default_factory=dict)  # graph IRI → N-Triples, of published records
    parts: list[str] = field(default_factory=list)  # records split from the batch's (a finding aid's units)
    docs: list[Doc] = field(default_factory=list)  # the search documents of the published records


class Gate:
    """Validation: the acceptance shapes for every record (the publication gate) and the OSLO
    application profile's warnings for the share ``sample`` of them, picked by a hash of the
    source id (the same records every run)."""

    def __init__(self, engine: str, sample: float) -> None:
        self.engine = engine
        self.sample = sample
        self._acceptance: Validator | None = None
        self._warnings: Validator | None = None
        self._both: tuple[Validator, set[str]] | None = None

    @property
    def acceptance(self) -> Validator:
        if self._acceptance is None:
            self._acceptance = Validator("acceptance", engine=self.engine)
        return self._acceptance

    @property
    def warnings(self) -> Validator:
        if self._warnings is None:
            self._warnings = Validator("oslo-ap", engine=self.engine)
        return self._warnings

    def validate(self, mapped: list[MappedRecord], *, sample: float | None = None) -> dict[str, Report]:
        """The acceptance findings of every record, then the warnings of the sampled ones.
        The sampled records go through both shapes sets in one pass (one preparation and one
        index of their triples instead of two: about a third less time), whose findings are
        put in the order the two passes give; a record whose triples do not parse goes
        through the two passes, which each report that."""
        share = self.sample if sample is None else sample
        checked = [m for m in mapped if sampled(m.source_id, share)]
        rest = [m for m in mapped if not sampled(m.source_id, share)] if len(checked) < len(mapped) else []
        reports = self.acceptance.validate(rest) if rest else {}
        if checked:
            both, first = self.both
            together = both.validate(checked)
            broken = [m for m in checked if any(f.rule == SYNTAX_RULE for f in together[m.source_id].findings)]
            for m in checked:
                report = together[m.source_id]
                report.findings.sort(key=lambda f: f.rule not in first)  # stable: each set's order kept
                reports[m.source_id] = report
            if broken:
                reports.update(self._two_passes(broken))
        return {m.source_id: reports[m.source_id] for m in mapped}

    def _two_passes(self, mapped: list[MappedRecord]) -> dict[str, Report]:
        reports = self.acceptance.validate(mapped)
        for source_id, warnings in self.warnings.validate(mapped).items():
            reports[source_id].findings.extend(warnings.findings)
        return reports

    @property
    def both(self) -> tuple[Validator, set[str]]:
        """A validator of both shapes sets, and the rule ids of the acceptance set in it."""
        if self._both is None:
            both = Validator(["acceptance", "oslo-ap"], engine=self.engine)
            first = {both._rule(str(s) if not isinstance(s, BNode) else f"_:{s}").id
                     for s in set(self.acceptance.shapes.subjects()) if (s, None, None) in both.shapes}
            self._both = (both, first)
        return self._both


def sampled(source_id: str, share: float) -> bool:
    """Whether a record is in the sample: the same records for the same share, every run."""
    if share >= 1:
        return True
    digest = hashlib.blake2b(source_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") < share * 2**64


def map_records(records: Iterable[SourceRecord], fmt: str, profile: Profile
                ) -> tuple[list[tuple[SourceRecord, MappedRecord]], list[tuple[SourceRecord, MappingError]]]:
    """Map records with the format's mapper: (record, mapped) pairs, and the records that
    could not be mapped with their error. Shared by batches, previews and ``map_file``."""
    mapper = mapping_registry.get_mapper(fmt)
    mapped: list[tuple[SourceRecord, MappedRecord]] = []
    failed: list[tuple[SourceRecord, MappingError]] = []
    for rec in records:
        try:
            mapped.append((rec, mapper.map(rec, profile)))
        except MappingError as exc:
            failed.append((rec, exc))
    return mapped, failed


class Batches:
    def __init__(self, core: Oogst) -> None:
        self.core = core
        self._delivery: dict[str, Any] = {}  # feed → its delivery settings at publish time (None: not then)

    def process(self, feed: Feed, profile: Profile, batch: list[SourceRecord], *, run_id: int,
                remap: bool = False, known: dict[str, dict[str, Any]] | None = None,
                premapped: dict[str, Outcome] | None = None, settle: Callable[[], None] | None = None) -> BatchResult:
        """``remap``: the records come from the archive; map them even when unchanged. ``known``:
        the record-index rows of the batch, when the caller has read them already. ``premapped``:
        outcomes of the batch worked out in the workers (:meth:`submit`), by source id.
        ``settle``: waits until the derived views of the run's earlier batches are written
        (run.py writes them on a lane of their own); called before records this run stored
        already are checked for lost views."""
        core = self.core
        started = time.monotonic()
        records = list({r.source_id: r for r in batch}.values())  # the later version wins
        if not remap:
            core.archive.put_many(records, run_id, errors={r.source_id: r.error for r in records if r.error})
        if known is None:
            known = core.state.known_records(feed.name, [r.source_id for r in records])
        rows = _Rows(feed.name, core.settings.base_iri, run_id, known)
        result = BatchResult(rows=rows.out)
        result.counts["harvested"] = len(records)
        split = getattr(mapping_registry.get_mapper(feed.format), "split", None)
        to_map: list[SourceRecord] = []
        unchanged: list[SourceRecord] = []
        drop: list[str] = []

        def withdraw(rec: SourceRecord) -> None:
            drop.append(rows.add(rec, "withdrawn", withdrawn_at=rec.datestamp or now())["graph_iri"])
            result.counts["withdrawn"] += 1

        for rec in records:
            prev = known.get(rec.source_id)
            if rec.deleted and prev and prev["state"] == "withdrawn" and prev["hash"] == rec.sha256:
                result.counts["unchanged"] += 1  # the same deletion again (an overlap, a replayed page)
            elif rec.deleted:
                withdraw(rec)
                for part in core.state.parts_of(feed.name, rec.source_id) if split else ():
                    withdraw(replace(rec, source_id=part))
            elif not remap and prev and prev["state"] != "withdrawn" and prev["hash"] == rec.sha256:
                unchanged.append(rec)
            elif rec.error:
                rows.add(rec, "quarantined", report=Report(rec.source_id, [findings.damaged(rec)]).as_dict())
                result.counts["quarantined"] += 1
            else:
                to_map.append(rec)
        # The same payload that this run published already (a page replayed after a kill): its
        # lost outputs are written again, but it was counted as published when it was stored.
        published_before = {r.source_id for r in unchanged if known[r.source_id].get("run_id") == run_id}
        if published_before and settle is not None:
            settle()
        lost = self._lost_outputs(feed, unchanged, known, split)
        for rec in unchanged:
            if rec.source_id in lost:
                to_map.append(rec)
            else:
                result.counts["unchanged"] += 1
                result.parts += core.state.parts_of(feed.name, rec.source_id) if split else []
        limits = core.limits

        def too_large(rec: SourceRecord, problem: str | None) -> bool:
            if problem:
                rows.add(rec, "quarantined", report=Report(rec.source_id, [findings.too_large(problem)]).as_dict())
                result.counts["quarantined"] += 1
            return bool(problem)

        # partner limits (harvest/policy.py): bytes before splitting, elements of each record to map
        to_map = [r for r in to_map if not too_large(r, limits.size_problem(r.payload))]
        if split:
            to_map = self._split(feed, split, to_map, known, rows, withdraw, result)
        to_map = [r for r in to_map if not too_large(r, limits.elements_problem(r.payload, r.media_type))]

        outs = self._outcomes(feed, profile, run_id, to_map, premapped or {})
        for rec in to_map:
            if outs[rec.source_id].mapped is None:
                rows.add(rec, "quarantined", report=outs[rec.source_id].report.as_dict())
                result.counts["quarantined"] += 1
        mapped = [(rec, outs[rec.source_id]) for rec in to_map if outs[rec.source_id].mapped is not None]
        claimed: dict[str, str] = {}
        holders = core.state.records_by_objects([o.mapped.iri for _, o in mapped])
        for rec, o in mapped:  # two source records must never share one object IRI
            clash = self._iri_clash(feed.name, rec.source_id, o.mapped, claimed, holders)
            if clash:
                o.report.findings.append(clash)
        versions: dict[str, dict[str, Any]] = {}
        summaries: list[tuple[dict[str, Any], list[str]]] = []
        for rec, o in mapped:
            m = o.mapped
            if o.report.conforms:
                row = rows.add(rec, "published", object_iri=m.iri, label=m.label, report=o.report.as_dict())
                result.graphs[row["graph_iri"]] = graph = o.graph
                versions[row["graph_iri"]] = {"ntriples": graph, **o.version}
                result.docs.append(o.doc)
                summaries.append((o.summary, o.media))
                result.counts["published"] += rec.source_id not in published_before
            else:
                rows.add(rec, "quarantined", object_iri=m.iri, label=m.label, report=o.report.as_dict(),
                         quarantined=m.ntriples)
                result.counts["quarantined"] += 1
        delivery = self._delivery.get(feed.name)
        if delivery is not None:  # EDM readiness, data provider, tiers
            core.delivery.apply([r for r in result.rows if r["state"] == "published"], summaries, result.graphs,
                                delivery)

        # The RDF store first, then the record index. Graphs of records never published before
        # take the store's fast first-load path.
        first = {r["graph_iri"] for r in result.rows if r["state"] == "published"
                 and not (known.get(r["source_id"]) or {}).get("published")}
        with core.barrier.shared():  # a backup sees the batch in both or in neither (pipeline/backup.py)
            with core.store_writes():  # readers see the batch whole
                core.store.replace_graphs({g: nt for g, nt in result.graphs.items() if g not in first})
                core.store.replace_graphs({g: nt for g, nt in result.graphs.items() if g in first}, new=True)
                core.store.drop_graphs(drop)
            # the record index and its events (the LDES change log) in one transaction; the
            # derived views follow (run.py): a replay rewrites what they lost (_lost_outputs)
            core.state.upsert_records(result.rows, versions)
        core.metrics.batch(feed.name, time.monotonic() - started)
        return result

    def _lost_outputs(self, feed: Feed, unchanged: list[SourceRecord], known: dict[str, dict[str, Any]],
                      split: Any) -> set[str]:
        """The unchanged published records (or, split, any of their parts) whose graph, search
        entry or provenance is missing: written again instead of skipped."""
        ids = [r.source_id for r in unchanged if known[r.source_id]["state"] == "published"]
        parts = {sid: self.core.state.parts_of(feed.name, sid) for sid in ids} if split else {}
        rows = self.core.state.known_records(feed.name, [p for ps in parts.values() for p in ps]) if parts else {}
        lost = self.core.views.incomplete(feed.name, [*ids, *(p for p, r in rows.items() if r["state"] == "published")])
        return {sid for sid in ids if sid in lost or lost.intersection(parts.get(sid, ()))}

    # -- mapping: in this process or in the workers ------------------------------------------------
    @contextmanager
    def stream(self) -> Iterator[Stream]:
        """A run's batches, mapped in ``workers`` processes while this one fetches and stores
        (see :class:`~oogst.pipeline.workers.Stream`); on leaving, every queued batch is
        committed, unless a commit failed."""
        settings = self.core.settings
        stream = Stream(settings.workers or default_workers(), self.submit, engine=settings.validator,
                        sample=settings.oslo_ap_sample)
        try:
            yield stream
            stream.drain()
        except BaseException:
            stream.discard() if stream.failed else stream.drain()
            raise
        finally:
            stream.close()

    def job(self, feed: Feed, profile: Profile, run_id: int) -> Job:
        """What :func:`~oogst.pipeline.workers.outcomes` needs for the batches of one run."""
        core = self.core
        self._delivery[feed.name] = delivery = core.delivery.at_publish(feed)
        return Job(feed=feed.name, fmt=feed.format, profile=profile, base_iri=core.settings.base_iri, run_id=run_id,
                   when=now(), labels=core.concept_labels(feed.name), delivery=delivery,
                   engine=core.settings.validator, sample=core.settings.oslo_ap_sample, limits=core.limits)

    def submit(self, pool: Pool, feed: Feed, profile: Profile, batch: list[SourceRecord], *, run_id: int) -> Future:
        """Start mapping, in ``pool``, the records of a batch that look like they need it (not
        deleted, damaged, or unchanged by the record index now); :meth:`process` maps the
        others it finds need it after all, so the outcome never depends on this guess."""
        job = self.job(feed, replace(profile, contexts=None), run_id)
        if feed.format in IN_PROCESS or getattr(mapping_registry.get_mapper(feed.format), "split", None):
            return pool.submit(job, [])  # split at commit time / contexts from this process' cache and client
        records = list({r.source_id: r for r in batch if not r.deleted and not r.error}.values())
        known = self.core.state.known_records(feed.name, [r.source_id for r in records])
        records = [r for r in records if (known.get(r.source_id) or {}).get("hash") != r.sha256
                   or known[r.source_id]["state"] == "withdrawn"]
        future = pool.submit(job, records)
        read_ahead = getattr(self.core.store, "read_ahead", None)
        if read_ahead is not None:  # the graphs this batch replaces, read while the workers map it
            minter = iris.Minter(feed.name, self.core.settings.base_iri)
            read_ahead([minter.graph_iri(r.source_id) for r in records if known.get(r.source_id, {}).get("published")])
        return future

    def _outcomes(self, feed: Feed, profile: Profile, run_id: int, records: list[SourceRecord],
                  premapped: dict[str, Outcome]) -> dict[str, Outcome]:
        outs = {r.source_id: premapped[r.source_id] for r in records
                if r.source_id in premapped and premapped[r.source_id].sha256 == r.sha256}
        missing = [r for r in records if r.source_id not in outs]
        if missing:
            outs.update((o.source_id, o) for o in outcomes(self.job(feed, profile, run_id), missing, self.core.gate))
        return outs

    def _split(self, feed: Feed, split: Any, records: list[SourceRecord], known: dict[str, dict[str, Any]],
               rows: _Rows, withdraw: Any, result: BatchResult) -> list[SourceRecord]:
        """Records that describe several (a finding aid and its units) as one record each: the
        units carry the whole record's hash, and units gone since the last version are withdrawn."""
        out: list[SourceRecord] = []
        for rec in records:
            try:
                parts = split(rec)
            except MappingError as exc:
                rows.add(rec, "quarantined", report=Report(rec.source_id, [findings.unmappable(exc)]).as_dict())
                result.counts["quarantined"] += 1
                continue
            ids = {p.source_id for p in parts}
            whole = parts[0].source_id if parts else rec.source_id  # the fonds, named by the source's own id
            for gone in self.core.state.parts_of(feed.name, whole):
                if gone not in ids:
                    withdraw(replace(rec, source_id=gone))
            for part in parts:
                rows.whole[part.source_id] = rec.sha256
            result.parts += [p.source_id for p in parts if p.source_id != rec.source_id]
            out += parts
        new = [p.source_id for p in out if p.source_id not in known]
        known.update(self.core.state.known_records(feed.name, new) if new else {})
        return out

    @staticmethod
    def _iri_clash(feed: str, source_id: str, m: MappedRecord, claimed: dict[str, str],
                   holders: dict[str, list[dict[str, Any]]]):
        """A finding when another source record already claims ``m``'s object IRI: earlier
        in this batch (``claimed``, IRI → source id) or published before (``holders``: the
        record index's records by object IRI)."""
        other = claimed.setdefault(m.iri, source_id)
        owner = (feed, other) if other != source_id else None
        if owner is None:
            owner = next(((r["feed"], r["source_id"]) for r in holders.get(m.iri, ())
                          if r["published"] and (r["feed"], r["source_id"]) != (feed, source_id)), None)
        return findings.iri_collision(m, source_id, owner) if owner else None


class _Rows:
    """The record-index rows of one batch."""

    def __init__(self, feed: str, base_iri: str, run_id: int, known: dict[str, dict[str, Any]]) -> None:
        self.feed, self.run_id, self.known = feed, run_id, known
        self.minter = iris.Minter(feed, base_iri)
        self.out: list[dict[str, Any]] = []
        self.whole: dict[str, str] = {}  # a split record's units → the hash of the record they came from

    def add(self, rec: SourceRecord, state: str, **extra: Any) -> dict[str, Any]:
        prev = self.known.get(rec.source_id)
        published = state == "published" or (state == "quarantined" and bool(prev and prev["published"]))
        row = {"feed": self.feed, "source_id": rec.source_id, "record_id": iris.record_id(self.feed, rec.source_id),
               "graph_iri": self.minter.graph_iri(rec.source_id), "datestamp": rec.datestamp,
               "hash": self.whole.get(rec.source_id) or rec.sha256,
               "run_id": self.run_id, "state": state, "published": int(published), **extra}
        self.out.append(row)
        return row
