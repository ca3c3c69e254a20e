"""The pipeline: the one place that composes harvest → archive → map → validate → store.

:class:`Oogst` is the core object. The CLI and the API are thin shells over it: they parse
options or requests, call a method here, and present the result.

One run of one feed::

    harvester.records()  ──►  batch of SourceRecords  ──►  archive (raw bytes, hash)
        │                         │ unchanged hash? skip
        │                         ▼
        │                    mapper.map()  ──►  validator.validate()  ──►  store.replace_graphs()
        │                                                              └─►  state.upsert_records()
        └─ Checkpoint  ──►  saved only after the records before it are stored

Valid records are published (their named graph is replaced whole); invalid ones are
quarantined with their report and the last good version stays published; deleted ones
drop their graph and leave a tombstone. One bad record never stops a run, and one failing
feed never stops the others.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyoxigraph

from . import harvest as harvest_registry
from . import mapping as mapping_registry
from .publish.datasets import feed_description
from .errors import ConfigError, HarvestError, MappingError, OogstError, StoreError
from .store.archive import Archive
from .harvest.http import HttpClient, HttpPolicy
from .jsonld import ContextCache
from . import iris
from .mapping import vocab
from .mapping.profile import MAPPING_VERSION, Profile
from .mapping.ntriples import iri as nt_iri, lit as nt_lit
from .records import Checkpoint, Feed, Finding, MappedRecord, Report, SourceRecord
from .publish.search import SearchIndex
from .publish.search import extract as search_extract
from .settings import Settings
from .shapes.report import FeedReport, RuleSummary, order
from .shapes.validate import Validator
from .store import Store, open_store
from .store.state import RUN_COUNTS, State
from .store.state import now as _now
from .publish.provenance import SystemGraphs

log = logging.getLogger(__name__)

PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"

ProgressCallback = Callable[[str, int, int | None], None]  # feed, records done, total (if known)
NOTES_PER_CODE = 20  # a run keeps at most this many notes of one kind


@dataclass
class RunSummary:
    feed: str
    run_id: int | None
    status: str  # complete | failed | skipped
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RUN_COUNTS, 0))
    error: dict[str, Any] | None = None
    seconds: float = 0.0
    mode: str | None = None  # full | incremental | remap
    notes: list[dict[str, Any]] = field(default_factory=list)  # what happened: {"code", "message", …}

    @property
    def ok(self) -> bool:
        return self.status in ("complete", "skipped")

    def as_dict(self) -> dict[str, Any]:
        return {"feed": self.feed, "run": self.run_id, "status": self.status, "mode": self.mode, **self.counts,
                "error": self.error, "notes": self.notes, "seconds": round(self.seconds, 2)}


@dataclass
class _Run:
    """A run in progress: where it stands, for checkpoints and notes."""

    run_id: int
    mode: str
    window_from: str | None
    live_before: int | None  # live records when the run started (the sweep's yardstick)
    checkpoint: Checkpoint | None = None
    page: int = 1  # the page the records being stored came on
    rescan: bool = False  # the harvester started its window over: records come again, rightly
    notes: list[dict[str, Any]] = field(default_factory=list)
    note_counts: Counter = field(default_factory=Counter)


@dataclass
class FileMapping:
    """What :meth:`Oogst.map_file` found: the mapped records, their validation reports, the
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
        """Every mapped record's graph, as one N-Triples text."""
        return "".join(m.ntriples for m in self.mapped)

    def turtle(self) -> str:
        """Every mapped record's graph, as one Turtle document with the OSLO prefixes."""
        return _turtle(self.ntriples())


@dataclass
class PreviewItem:
    """One record as :meth:`Oogst.preview` shows it: the source, its OSLO Turtle and its
    validation report; or why it could not be mapped (``error``)."""

    source: SourceRecord
    turtle: str | None = None
    report: Report | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"source_id": self.source.source_id, "datestamp": self.source.datestamp,
                "deleted": self.source.deleted, "source": self.source.payload.decode("utf-8", "replace"),
                "turtle": self.turtle, "report": self.report.as_dict() if self.report else None, "error": self.error}


class Oogst:
    """Settings + state + archive + store, and the operations on them."""

    def __init__(self, settings: Settings, *, http: HttpClient | None = None, read_only: bool = False) -> None:
        self.settings = settings
        self.read_only = read_only
        self._state: State | None = None
        self._archive: Archive | None = None
        self._store: Store | None = None
        self._validator: Validator | None = None
        self._warnings_validator: Validator | None = None
        self._http = http
        self._contexts: ContextCache | None = None
        self._search: SearchIndex | None = None
        self._system: SystemGraphs | None = None

    # -- resources, opened on first use ------------------------------------------------------
    @property
    def state(self) -> State:
        if self._state is None:
            self._state = State(self.settings.state_path)
        return self._state

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = Archive(self.settings.archive_path)
        return self._archive

    @property
    def store(self) -> Store:
        """The RDF store; read-only for commands that only read (``oogst query``), so they can
        run beside a writer where the store allows it."""
        if self._store is None:
            options = self.settings.store_options()
            if self.read_only:
                try:
                    self._store = open_store(self.settings.store_url, replace(options, read_only=True))
                except StoreError:  # no store yet: a writable open creates an empty one
                    log.debug("read-only open failed; opening for writing", exc_info=True)
            if self._store is None:
                self._store = open_store(self.settings.store_url, options)
        return self._store

    @property
    def search(self) -> SearchIndex:
        """The search index beside the store (``search.py``), fed as records are stored."""
        if self._search is None:
            self._search = SearchIndex(self.settings.search_path)
        return self._search

    @property
    def system(self) -> SystemGraphs:
        """The system store (``system.py``): provenance and dataset graphs, apart from the
        record graphs so the SPARQL default graph holds records only."""
        if self._system is None:
            self._system = SystemGraphs(self.settings.system_path, self.settings.base_iri)
        return self._system

    @property
    def validator(self) -> Validator:
        """The publication gate: the acceptance shapes."""
        if self._validator is None:
            self._validator = Validator("acceptance", engine=self.settings.validator)
        return self._validator

    @property
    def warnings_validator(self) -> Validator:
        """The OSLO application profile, at warning level."""
        if self._warnings_validator is None:
            self._warnings_validator = Validator("oslo-ap", engine=self.settings.validator)
        return self._warnings_validator

    def validate(self, mapped: list[MappedRecord], *, sample: float | None = None) -> dict[str, Report]:
        """Reports for mapped records: the acceptance shapes for every record, and the OSLO
        application profile's warnings for the share ``sample`` of them (default: the
        setting ``oslo_ap_sample``), picked by a hash of the source id."""
        reports = self.validator.validate(mapped) if mapped else {}
        share = self.settings.oslo_ap_sample if sample is None else sample
        checked = [m for m in mapped if _sampled(m.source_id, share)]
        if checked:
            for source_id, warnings in self.warnings_validator.validate(checked).items():
                reports[source_id].findings.extend(warnings.findings)
        return reports

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = HttpClient(HttpPolicy.from_settings(self.settings))
        return self._http

    @property
    def contexts(self) -> ContextCache:
        """JSON-LD contexts (LDES pages, OSLO JSON-LD): ``contexts_dir``, then the data dir's
        cache, then HTTP when ``contexts_fetch`` allows."""
        if self._contexts is None:
            fetch = (lambda url: self.http.get(url).content) if self.settings.contexts_fetch else None
            self._contexts = ContextCache(self.settings.contexts_dir or None, self.settings.contexts_cache_path, fetch)
        return self._contexts

    def close(self) -> None:
        for res in (self._store, self._archive, self._state, self._search, self._system):
            if res is not None:
                res.close()
        self._store = self._archive = self._state = self._search = self._system = None

    def __enter__(self) -> Oogst:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- feeds ------------------------------------------------------------------------------
    def add_feed(self, name: str, url: str, format: str, *, protocol: str = "oai-pmh",
                 set_spec: str | None = None, config: dict[str, Any] | None = None) -> Feed:
        if not name or name.startswith("_") or not all(c.isalnum() or c in "-_" for c in name):
            raise ConfigError(f"feed name {name!r} may hold only letters, digits, '-' and '_', and may not "
                              "start with '_' (kept for the system graphs)", hint="e.g. 'stadsarchief-gent'")
        harvest_registry.get_harvester(protocol)
        mapping_registry.get_mapper(format)
        return self.state.add_feed(Feed(name=name, protocol=protocol, url=url, format=format,
                                        set_spec=set_spec, config=config or {}))

    def remove_feed(self, name: str) -> int:
        graphs = self.state.remove_feed(name)
        self.store.drop_graphs(graphs)
        self.search.remove_feed(name)
        self._system_write(lambda: (self.system.forget_feed(name), self._write_datasets()))
        return len(graphs)

    def feed_info(self, name: str) -> dict[str, Any]:
        feed = self.state.get_feed(name)
        last = self.state.last_run(name)
        info = feed.as_dict()
        info["last_run"] = last
        info["counts"] = {k: (last or {}).get(k, 0) for k in ("harvested", "published", "quarantined", "withdrawn")}
        info["totals"] = self.state.counts(name)
        return info

    def profile(self, feed: Feed) -> Profile:
        """The feed's mapping profile: the settings' defaults, overridden by the feed's config,
        overridden by its profile file (``<data_dir>/profiles/<feed>.toml``), if it has one."""
        values = {"base_iri": self.settings.base_iri, "language": self.settings.default_language,
                  "contexts": self.contexts}
        settable = {f.name for f in fields(Profile) if f.init and f.name != "feed"}
        values.update({k: v for k, v in feed.config.items() if k in settable})
        path = self.settings.profiles_path / f"{feed.name}.toml"
        if path.is_file():
            return Profile.from_toml(path, feed.name, **values)
        return Profile(feed=feed.name, **values)

    def set_profile(self, name: str, source: str | Path) -> Profile:
        """Check the mapping profile file ``source`` and make it feed ``name``'s profile
        (a copy in ``<data_dir>/profiles/``); it applies from the next harvest on."""
        feed = self.state.get_feed(name)
        text = Path(source).read_text("utf-8") if Path(source).is_file() else None
        if text is None:
            raise ConfigError(f"no profile file {source}", feed=name, hint="give the path of a TOML file")
        profile = Profile.from_toml(source, name, base_iri=self.settings.base_iri,
                                    language=feed.config.get("language", self.settings.default_language))
        self.settings.profiles_path.mkdir(parents=True, exist_ok=True)
        (self.settings.profiles_path / f"{name}.toml").write_text(text, "utf-8")
        return profile

    # -- harvest ----------------------------------------------------------------------------
    def harvest_all(self, names: Iterable[str] | None = None, *, full: bool = False, resume: bool = False,
                    progress: ProgressCallback | None = None) -> list[RunSummary]:
        feeds = list(names) if names is not None else [f.name for f in self.state.list_feeds()]
        return [self.harvest(name, full=full, resume=resume, progress=progress) for name in feeds]

    def harvest(self, name: str, *, full: bool = False, resume: bool = False,
                progress: ProgressCallback | None = None) -> RunSummary:
        """One run of feed ``name``; never raises for what the partner does wrong.

        A run that was interrupted (killed, or failed after some pages) continues from its
        last checkpoint, as the same run; ``resume=True`` does only that (a feed without a
        checkpoint is skipped). Otherwise the run is incremental from the previous run's
        server clock minus ``harvest_overlap``, or ``full`` (everything, then the records it
        did not see are withdrawn, within ``max_drop_share``). A paused feed, or one that
        another process is harvesting, is skipped.
        """
        started = time.monotonic()
        feed = self.state.get_feed(name)
        if feed.status == "paused":
            return RunSummary(name, None, "skipped", error={
                "message": "the feed is paused", "hint": f"`oogst feeds resume {name}` harvests it again"})
        with _feed_lock(self.settings.data_dir, name) as locked:
            if not locked:
                return RunSummary(name, None, "skipped", error={
                    "message": "another process is harvesting this feed right now"})
            run = self._open_run(feed, full=full, resume=resume)
            if run is None:
                return RunSummary(name, None, "skipped", notes=[_note("nothing-to-resume", "no interrupted run")])
            summary = self._run(feed, run, progress)
        summary.seconds = time.monotonic() - started
        return summary

    def _open_run(self, feed: Feed, *, full: bool, resume: bool) -> _Run | None:
        """The interrupted run to carry on with, or a new run (None: nothing to resume)."""
        row = self.state.get_checkpoint(feed.name)
        previous = self._find_run(row["run_id"]) if row else None
        self.state.interrupt_runs(feed.name)
        if row and previous and previous["status"] != "complete" and not full:
            self.state.reopen_run(previous["id"])
            checkpoint = Checkpoint(row["token"], row["window_from"], row["response_date"], info=row["info"])
            note = _note("resumed", f"resumed run {previous['id']} from its checkpoint of {row['updated_at']}")
            return _Run(previous["id"], previous["mode"], row["window_from"], previous["live_before"], checkpoint,
                        page=int(row["info"].get("page", 1)), rescan=bool(row["info"].get("rescan")), notes=[note])
        if resume:
            return None
        if row:
            self.state.clear_checkpoint(feed.name)
        window_from = None if full or not feed.next_from else _minus_seconds(feed.next_from,
                                                                             self.settings.harvest_overlap)
        mode = "full" if window_from is None else "incremental"
        live = self.state.live_count(feed.name)
        return _Run(self.state.start_run(feed.name, mode, window_from, live_before=live), mode, window_from, live)

    def _find_run(self, run_id: int) -> dict[str, Any] | None:
        try:
            return self.state.get_run(run_id)
        except ConfigError:
            return None

    def _run(self, feed: Feed, run: _Run, progress: ProgressCallback | None) -> RunSummary:
        name = feed.name
        summary = RunSummary(name, run.run_id, "failed", mode=run.mode)
        self._add_notes(run, summary, run.notes)
        retries = Counter(self.http.retry_reasons)
        batch: list[SourceRecord] = []
        done = 0
        response_date = run.checkpoint.response_date if run.checkpoint else None
        try:
            profile = self.profile(feed)
            harvester = harvest_registry.create(feed, self.http, contexts=self.contexts)
            if hasattr(harvester, "seen_in_run"):  # lets the OAI-PMH fallback skip what this run stored
                harvester.seen_in_run = lambda ids: self.state.seen_in_run(name, run.run_id, ids)
            for item in harvester.records(run.checkpoint, run.window_from):
                if isinstance(item, SourceRecord):
                    batch.append(item)
                    if len(batch) >= self.settings.batch_size:
                        done += self._store_batch(feed, run, profile, batch, summary)
                        batch = []
                    continue
                # A checkpoint: store what came before it, then remember where we are.
                if batch:
                    done += self._store_batch(feed, run, profile, batch, summary)
                    batch = []
                info = dict(item.info)
                self._add_notes(run, summary, info.pop("notes", []))
                response_date = item.response_date or response_date
                if progress:
                    total = info.get("completeListSize")
                    progress(name, done, int(total) if total and str(total).isdigit() else None)
                if not item.complete:
                    run.page += 1
                    # no token, not the end: the harvester starts its window over, so records
                    # seen again from here on are no duplicates
                    run.rescan = run.rescan or not item.token
                    self.state.save_checkpoint(name, run.run_id, item.token, item.window_from, item.response_date,
                                               {**info, "page": run.page, "rescan": run.rescan})
            if batch:
                self._store_batch(feed, run, profile, batch, summary)
            if run.mode == "full":
                self._sweep(feed, run, summary)
        except (HarvestError, ConfigError, StoreError) as exc:
            summary.error = exc.as_dict()
            self.state.finish_run(run.run_id, "failed", error=str(exc), notes=self._retry_notes(retries))
            self._feed_health(name, error=str(exc))
            log.warning("%s: run %s failed: %s", name, run.run_id, exc)
        else:
            summary.status = "complete"
            notes = self._retry_notes(retries)
            if response_date is None:
                response_date = self.state.get_run(run.run_id)["started_at"]
                notes.append(_note("response-date", "the server sent no responseDate; the next run starts "
                                                    "from this run's start on our clock"))
            self.state.finish_run(run.run_id, "complete", response_date=response_date, notes=notes)
            self._feed_health(name, next_from=response_date)
            self.state.clear_checkpoint(name)
        row = self.state.get_run(run.run_id)  # a resumed run: the totals of all its parts
        self._system_write(lambda: (self.system.run(row), self._write_datasets()))
        summary.counts = {k: row[k] for k in RUN_COUNTS}
        summary.notes = row["notes"]
        return summary

    def _store_batch(self, feed: Feed, run: _Run, profile: Profile, batch: list[SourceRecord],
                     summary: RunSummary) -> int:
        """Process a batch, then note which records this run delivered (and duplicates)."""
        done = self._process(feed, run.run_id, profile, batch, summary)
        ids = [r.source_id for r in batch]
        again = self.state.mark_seen(feed.name, run.run_id, run.page, list(dict.fromkeys(ids)))
        twice = [sid for sid, n in Counter(ids).items() if n > 1]
        notes = [_note("duplicate", "the record came twice on one page; the later version was kept", record=sid)
                 for sid in twice]
        if not run.rescan:
            notes += [_note("duplicate", "the record came again on a later page; the later version was kept",
                            record=sid) for sid in again]
        self._add_notes(run, summary, notes)
        return done

    def _sweep(self, feed: Feed, run: _Run, summary: RunSummary) -> None:
        """After a complete full run: withdraw the live records it did not deliver, unless
        the run delivered nothing or the count dropped more than ``max_drop_share``."""
        seen, unseen = self.state.sweep_candidates(feed.name, run.run_id)
        if not unseen:
            return
        before = run.live_before if run.live_before is not None else seen + len(unseen)
        drop = (before - seen) / before if before else 0.0
        limit = self.settings.max_drop_share
        hint = (f"check the partner's feed; if it really dropped these records, allow it once: "
                f"OOGST_MAX_DROP_SHARE={min(1.0, round(drop + 0.05, 2))} oogst harvest {feed.name} --full")
        if seen == 0:
            raise HarvestError(f"the full run delivered no records, so the {len(unseen)} record(s) it did not see "
                               f"were not withdrawn", feed=feed.name, hint=hint)
        if drop > limit:
            raise HarvestError(f"the full run delivered {seen} records, {drop:.0%} fewer than the {before} before it "
                               f"(more than max_drop_share {limit:.0%}), so the {len(unseen)} record(s) it did not "
                               f"see were not withdrawn", feed=feed.name, hint=hint)
        self.store.drop_graphs([u["graph_iri"] for u in unseen])
        self.state.withdraw(feed.name, [u["source_id"] for u in unseen], run.run_id)
        gone = [{**u, "feed": feed.name, "state": "withdrawn", "run_id": run.run_id, "withdrawn_at": _now()}
                for u in unseen]
        self._system_write(lambda: self.system.records(gone, _now()))
        self.state.add_run_counts(run.run_id, withdrawn=len(unseen))
        summary.counts["withdrawn"] += len(unseen)
        self._add_notes(run, summary, [_note("sweep", f"withdrew {len(unseen)} record(s) that the full run did not "
                                                      f"deliver ({seen} delivered, {before} before)")])

    def _feed_health(self, name: str, *, error: str | None = None, next_from: str | None = None) -> None:
        """active ↔ failing after ``failing_after`` failed runs in a row; paused stays paused."""
        feed = self.state.get_feed(name)  # again: `feeds pause` may have run meanwhile
        if error is None:
            self.state.update_feed(name, next_from=next_from or feed.next_from, last_error=None, failures=0,
                                   status="active" if feed.status == "failing" else feed.status)
            return
        failures = feed.failures + 1
        failing = feed.status == "active" and failures >= self.settings.failing_after
        self.state.update_feed(name, last_error=error, failures=failures,
                               status="failing" if failing else feed.status)

    def _add_notes(self, run: _Run, summary: RunSummary, notes: list[dict[str, Any]]) -> None:
        """Keep the run's notes, at most ``NOTES_PER_CODE`` of a kind (the rest are counted)."""
        kept = []
        for note in notes:
            code = note.get("code", "")
            run.note_counts[code] += 1
            count = run.note_counts[code]
            if count <= NOTES_PER_CODE:
                kept.append(note)
            elif count == NOTES_PER_CODE + 1:
                kept.append(_note(code, f"more {code!r} notes follow; only the first {NOTES_PER_CODE} are kept"))
        self.state.add_run_notes(run.run_id, kept)

    def _retry_notes(self, before: Counter) -> list[dict[str, Any]]:
        retried = Counter(self.http.retry_reasons)
        retried.subtract(before)
        kinds = ", ".join(f"{kind} ×{n}" for kind, n in sorted(retried.items()) if n > 0)
        return [_note("retries", f"requests retried: {kinds}")] if kinds else []

    # -- feed health ------------------------------------------------------------------------
    def pause_feed(self, name: str) -> Feed:
        """Stop harvesting feed ``name`` (``harvest --all`` skips it) until :meth:`resume_feed`."""
        self.state.get_feed(name)
        self.state.update_feed(name, status="paused")
        return self.state.get_feed(name)

    def resume_feed(self, name: str) -> Feed:
        """Harvest feed ``name`` again; its failure count starts over."""
        self.state.get_feed(name)
        self.state.update_feed(name, status="active", failures=0)
        return self.state.get_feed(name)

    # -- remap ------------------------------------------------------------------------------
    def remap(self, name: str, *, progress: ProgressCallback | None = None) -> RunSummary:
        """Map and validate feed ``name`` again from the raw archive, without the partner
        (e.g. after a mapping change). Every archived record goes through, changed or not;
        tombstones stay; the counts are kept as a run of mode ``remap``."""
        started = time.monotonic()
        feed = self.state.get_feed(name)
        with _feed_lock(self.settings.data_dir, name) as locked:
            if not locked:
                raise ConfigError("another process is harvesting this feed right now", feed=name,
                                  hint="try again when it is done")
            run = _Run(self.state.start_run(name, "remap", None), "remap", None, None)
            summary = RunSummary(name, run.run_id, "failed", mode="remap")
            profile = self.profile(feed)
            total = self.archive.stats(name)["records"]
            done = tombstones = 0
            try:
                for chunk in _chunks(self.archive.latest(name), self.settings.batch_size):
                    known = self.state.known_records(name, [r.source_id for r in chunk])
                    live = [r for r in chunk if not r.deleted
                            and known.get(r.source_id, {}).get("state") != "withdrawn"]
                    tombstones += len(chunk) - len(live)
                    if live:
                        self._process(feed, run.run_id, profile, live, summary, remap=True, known=known)
                    done += len(chunk)
                    if progress:
                        progress(name, done, total)
            except StoreError as exc:
                summary.error = exc.as_dict()
                self.state.finish_run(run.run_id, "failed", error=str(exc))
            else:
                summary.status = "complete"
                notes = [_note("remap", f"re-mapped {done - tombstones} archived record(s) with mapping version "
                                        f"{MAPPING_VERSION}; {tombstones} tombstone(s) kept")]
                self.state.finish_run(run.run_id, "complete", notes=notes)
            row = self.state.get_run(run.run_id)
            summary.notes = row["notes"]
            self._system_write(lambda: (self.system.run(row), self._write_datasets()))
        summary.seconds = time.monotonic() - started
        return summary

    # -- one batch: archive → map → validate → store ------------------------------------------
    def _process(self, feed: Feed, run_id: int, profile: Profile, batch: list[SourceRecord],
                 summary: RunSummary, *, remap: bool = False,
                 known: dict[str, dict[str, Any]] | None = None) -> int:
        """``remap``: the records come from the archive; map them even when unchanged. ``known``:
        the record index rows of the batch when the caller has read them already."""
        # The same record twice in one batch: the later version wins.
        latest = {r.source_id: r for r in batch}
        records = list(latest.values())
        if not remap:
            self.archive.put_many(records, run_id, errors={r.source_id: r.error for r in records if r.error})
        if known is None:
            known = self.state.known_records(feed.name, [r.source_id for r in records])
        minter = iris.Minter(feed.name, self.settings.base_iri)
        counts = dict.fromkeys(RUN_COUNTS, 0)
        counts["harvested"] = len(records)

        def row(rec: SourceRecord, state: str, **extra: Any) -> dict[str, Any]:
            prev = known.get(rec.source_id)
            published = 1 if state == "published" else 0
            if state == "quarantined" and prev and prev["published"]:
                published = 1  # the last good version stays published
            return {"feed": feed.name, "source_id": rec.source_id,
                    "record_id": iris.record_id(feed.name, rec.source_id),
                    "graph_iri": minter.graph_iri(rec.source_id), "datestamp": rec.datestamp,
                    "hash": rec.sha256, "run_id": run_id, "state": state, "published": published, **extra}

        rows: list[dict[str, Any]] = []
        to_map: list[SourceRecord] = []
        drop: list[str] = []
        for rec in records:
            prev = known.get(rec.source_id)
            if rec.deleted and prev and prev["state"] == "withdrawn" and prev["hash"] == rec.sha256:
                counts["unchanged"] += 1  # the same deletion again (an overlap, a replayed page)
            elif rec.deleted:
                drop.append(minter.graph_iri(rec.source_id))
                rows.append(row(rec, "withdrawn", withdrawn_at=rec.datestamp or _now()))
                counts["withdrawn"] += 1
            elif not remap and prev and prev["state"] != "withdrawn" and prev["hash"] == rec.sha256:
                counts["unchanged"] += 1
            elif rec.error:
                report = Report(rec.source_id, [_damaged(rec)])
                rows.append(row(rec, "quarantined", report=report.as_dict()))
                counts["quarantined"] += 1
            else:
                to_map.append(rec)

        mapper = mapping_registry.get_mapper(feed.format) if to_map else None
        mapped: list[tuple[SourceRecord, MappedRecord]] = []
        for rec in to_map:
            try:
                mapped.append((rec, mapper.map(rec, profile)))
            except MappingError as exc:
                report = Report(rec.source_id, [_finding(
                    "mapping:error", "Het record kon niet omgezet worden naar OSLO",
                    "The record could not be mapped to OSLO", exc.message, exc.source_path)])
                rows.append(row(rec, "quarantined", report=report.as_dict()))
                counts["quarantined"] += 1

        reports = self.validate([m for _, m in mapped])
        claimed: dict[str, str] = {}
        for rec, m in mapped:  # two source records must never share one object IRI
            clash = self._iri_clash(feed.name, rec.source_id, m, claimed)
            if clash:
                reports.setdefault(rec.source_id, Report(rec.source_id)).findings.append(clash)
        graphs: dict[str, str] = {}
        for rec, m in mapped:
            report = reports.get(rec.source_id) or Report(rec.source_id)
            if report.conforms:
                r = row(rec, "published", object_iri=m.iri, label=m.label, report=report.as_dict())
                graphs[r["graph_iri"]] = m.ntriples + self._provenance(r, minter, rec, m)
                counts["published"] += 1
            else:
                r = row(rec, "quarantined", object_iri=m.iri, label=m.label, report=report.as_dict(),
                        quarantined=m.ntriples)
                counts["quarantined"] += 1
            rows.append(r)

        # The RDF store first, then the state: a crash in between replays harmlessly. Graphs of
        # records never published before take the store's fast first-load path.
        first = {r["graph_iri"] for r in rows if r["state"] == "published"
                 and not (known.get(r["source_id"]) or {}).get("published")}
        self.store.replace_graphs({g: nt for g, nt in graphs.items() if g not in first})
        self.store.replace_graphs({g: nt for g, nt in graphs.items() if g in first}, new=True)
        self.store.drop_graphs(drop)
        self.state.upsert_records(rows)
        self._index(rows, graphs)
        self._system_write(lambda: self.system.records(rows, _now()))
        self.state.add_run_counts(run_id, **counts)
        for k, v in counts.items():
            summary.counts[k] += v
        return len(records)

    def _index(self, rows: list[dict[str, Any]], graphs: dict[str, str]) -> None:
        """Feed the search index with what was just stored. It is derived data: when it
        fails, the records stay published and `oogst index rebuild` repairs it."""
        docs = [search_extract(graphs[r["graph_iri"]], record_id=r["record_id"], feed=r["feed"],
                               object_iri=r["object_iri"], graph_iri=r["graph_iri"], datestamp=r["datestamp"])
                for r in rows if r["state"] == "published"]
        try:
            self.search.put(docs)
            self.search.remove(r["record_id"] for r in rows if r["state"] == "withdrawn")
        except StoreError as exc:
            log.error("the search index is behind the store: %s; run `oogst index rebuild`", exc)

    def rebuild_index(self, progress: Callable[[int], None] | None = None) -> int:
        """Recreate the search index from the state's published records and the store."""
        return self.search.rebuild(self.state, self.store, progress=progress) or 0

    def _system_write(self, write: Callable[[], Any]) -> None:
        """Write the system graphs. They are derived data: when that fails, the records stay
        published and `oogst system rebuild` repairs them."""
        try:
            write()
        except (OSError, SyntaxError, ValueError) as exc:
            log.error("the system graphs are behind the state: %s; run `oogst system rebuild`", exc)

    def _write_datasets(self) -> None:
        """Rewrite the dataset graph: every feed's DCAT-AP/VoID description (``datasets.py``,
        as ``/datasets`` serves it), with links under ``public_url`` (else host and port)."""
        base_url = self.settings.public_url or f"http://{self.settings.host}:{self.settings.port}"
        stats = self.search.feed_stats()
        self.system.set_datasets("".join(
            feed_description(self.settings, base_url, feed, stats.get(feed.name), self.state.last_run(feed.name))
            for feed in self.state.list_feeds()))

    def rebuild_system(self) -> dict[str, int]:
        """Recreate the system graphs from the state: an entity per published and withdrawn
        record, an activity per run, a description per feed."""
        self.system.clear()
        counts = {"records": 0, "withdrawn": 0, "runs": 0, "feeds": 0}
        for state, key in (("published", "records"), ("withdrawn", "withdrawn")):
            after = None
            while rows := self.state.list_records(state=state, after=after, limit=1000):
                self.system.records([{**r, "state": "published" if key == "records" else "withdrawn"}
                                     for r in rows])
                counts[key] += len(rows)
                after = rows[-1]["record_id"]
        for feed in self.state.list_feeds():
            counts["feeds"] += 1
            for run in self.state.runs(feed.name, limit=1_000_000):
                self.system.run(run)
                counts["runs"] += 1
        self._write_datasets()
        return counts

    def _iri_clash(self, feed: str, source_id: str, m: MappedRecord, claimed: dict[str, str]) -> Finding | None:
        """A finding when another source record already claims ``m``'s object IRI: earlier
        in this batch (``claimed``, IRI → source id) or published before (the record index)."""
        other = claimed.setdefault(m.iri, source_id)
        owner = (feed, other) if other != source_id else None
        if owner is None:
            owner = next(((r["feed"], r["source_id"]) for r in self.state.records_by_object(m.iri)
                          if r["published"] and (r["feed"], r["source_id"]) != (feed, source_id)), None)
        if owner is None:
            return None
        return _finding(
            "oogst:iri-collision",
            f"Het object '{m.label}' (record {source_id}) krijgt het IRI {m.iri}, dat al gebruikt wordt door "
            f"record {owner[1]} van feed {owner[0]}. Twee records mogen niet hetzelfde object beschrijven: "
            "geef elk object een eigen persistente identifier (objectPublishedID).",
            f"The object '{m.label}' (record {source_id}) gets the IRI {m.iri}, which record {owner[1]} of feed "
            f"{owner[0]} already uses. Two records must not describe one object: give each object its own "
            "persistent identifier (objectPublishedID).",
            m.iri)

    def _provenance(self, row: dict[str, Any], minter: iris.Minter, rec: SourceRecord, m: MappedRecord) -> str:
        g = nt_iri(row["graph_iri"])
        ns = self.settings.base_iri.rstrip("/") + "/ns#"
        triples = [
            (FOAF + "primaryTopic", nt_iri(m.iri)),
            (PROV + "wasGeneratedBy", nt_iri(iris.run_iri(row["run_id"], self.settings.base_iri))),
            (PROV + "wasDerivedFrom", nt_iri(minter.feed_iri())),
            (DCT + "source", nt_lit(rec.source_id)),
            (DCT + "modified", nt_lit(_now(), datatype=XSD + "dateTime")),
            (ns + "mappingVersion", nt_lit(MAPPING_VERSION)),
            (ns + "validation", nt_lit("conforms")),
        ]
        if rec.datestamp:
            triples.append((ns + "datestamp", nt_lit(rec.datestamp)))
        return "".join(f"{g} <{p}> {o} .\n" for p, o in triples)

    # -- mapping a file -----------------------------------------------------------------------
    def map_file(self, path: str | Path, fmt: str, *, feed: str | None = None,
                 profile: str | Path | None = None) -> FileMapping:
        """Map every record in a file (one record, a ``lidoWrap``, an OAI-PMH response, a JSON
        array of LDES members) and validate them, without storing anything.

        ``feed`` takes that registered feed's mapping profile, ``profile`` a profile file;
        JSON-LD contexts come from the context cache (setting ``contexts_dir``)."""
        path = Path(path)
        mapper = mapping_registry.get_mapper(fmt)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
        if feed is not None:
            chosen = self.profile(self.state.get_feed(feed))
        else:
            defaults = {"base_iri": self.settings.base_iri, "language": self.settings.default_language,
                        "contexts": self.contexts}
            name = path.stem if profile is None else Path(profile).stem
            name = "".join(c if c.isalnum() or c in "-_" else "-" for c in name) or "file"
            chosen = Profile.from_toml(profile, name, **defaults) if profile else Profile(feed=name, **defaults)
        found = mapping_registry.records_in_file(data, fmt, feed=chosen.feed, name=path.name)
        result = FileMapping(deleted=found.deleted)
        for rec in found.records:
            try:
                result.mapped.append(mapper.map(rec, chosen))
            except MappingError as exc:
                result.errors.append(exc)
        result.reports = self.validate(result.mapped)
        return result

    # -- validation reports and previews --------------------------------------------------------
    def report(self, name: str, *, severity: str | None = None, examples: int = 3) -> FeedReport:
        """The validation summary of feed ``name`` from the state database: per rule, the
        records of the current versions that break it, with examples."""
        self.state.get_feed(name)  # an unknown name is a ConfigError
        rows = self.state.rule_counts(name, severity=severity, examples=examples)
        return FeedReport(name, self.state.counts(name), order(RuleSummary.from_counts(r) for r in rows))

    def preview(self, name: str, n: int = 5) -> list[PreviewItem]:
        """Fetch the first ``n`` records of feed ``name`` live, map and validate them (all
        shapes, warnings included); nothing is written to the store, the state or the archive."""
        feed = self.state.get_feed(name)
        profile = self.profile(feed)
        harvester = harvest_registry.create(feed, self.http, contexts=self.contexts)
        items: list[PreviewItem] = []
        records = harvester.records(None, None)
        try:
            for item in records:
                if isinstance(item, SourceRecord):
                    items.append(PreviewItem(item))
                    if len(items) >= n:
                        break
        finally:
            records.close()
        mapper = mapping_registry.get_mapper(feed.format)
        mapped: list[tuple[PreviewItem, MappedRecord]] = []
        for item in items:
            if item.source.deleted:
                item.error = "deleted at the source"
            elif item.source.error:
                item.error = item.source.error
            else:
                try:
                    mapped.append((item, mapper.map(item.source, profile)))
                except MappingError as exc:
                    item.error = str(exc)
        reports = self.validate([m for _, m in mapped], sample=1.0)
        for item, m in mapped:
            item.turtle = _turtle(m.ntriples)
            item.report = reports[m.source_id]
        return items

    # -- queries ------------------------------------------------------------------------------
    def query(self, sparql: str, *, solutions: str = "json", graph: str = "turtle"):
        return self.store.query(sparql, solutions=solutions, graph=graph)


def _finding(rule: str, nl: str, en: str, value: str | None = None, source_path: str | None = None) -> Finding:
    return Finding(rule=rule, severity="violation", path=None, source_path=source_path,
                   message_nl=nl, message_en=en, value=value)


def _turtle(ntriples: str) -> str:
    triples = pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=vocab.TURTLE_PREFIXES).decode()


def _sampled(source_id: str, share: float) -> bool:
    """Whether a record is in the sample: the same records for the same share, every run."""
    if share >= 1:
        return True
    digest = hashlib.blake2b(source_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") < share * 2**64


def _damaged(rec: SourceRecord) -> Finding:
    """The finding for a record the harvester could not take: ``harvest:json`` / ``harvest:xml``
    when its payload does not parse, else ``harvest:record`` (e.g. a record without an id); the
    harvester's message, which names the fix, is the finding's value."""
    is_json = "json" in rec.media_type
    try:
        json.loads(rec.payload) if is_json else ElementTree.fromstring(rec.payload)
    except (ValueError, ElementTree.ParseError):
        if is_json:
            return _finding("harvest:json", "Het record is geen geldige JSON", "The record is not valid JSON",
                            rec.error)
        return _finding("harvest:xml", "Het record is geen geldige XML", "The record is not well-formed XML",
                        rec.error)
    return _finding("harvest:record", "De harvester kon het record niet overnemen",
                    "The harvester could not take the record", rec.error)


def _note(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def _minus_seconds(moment: str, seconds: float) -> str:
    """An ISO date(time) moved back by ``seconds`` (the overlap); other values as they are."""
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - timedelta(seconds=seconds)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _chunks(items: Iterable[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    chunk: list[SourceRecord] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def _feed_lock(data_dir: Path, name: str) -> Iterator[bool]:
    """One process at a time per feed: yields False when another holds the feed. The OS drops
    the lock when its process ends, even after ``kill -9``."""
    folder = data_dir / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


__all__ = ["Oogst", "RunSummary", "OogstError"]
