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

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from . import harvest as harvest_registry
from . import mapping as mapping_registry
from .errors import ConfigError, HarvestError, MappingError, OogstError, StoreError
from .harvest.archive import Archive
from .harvest.http import HttpClient, HttpPolicy
from .mapping import iris
from .mapping.profile import MAPPING_VERSION, Profile
from .mapping.ntriples import iri as nt_iri, lit as nt_lit
from .records import Checkpoint, Feed, Finding, MappedRecord, Report, SourceRecord
from .settings import Settings
from .shapes.validate import Validator
from .store import Store, open_store
from .store.state import RUN_COUNTS, State

log = logging.getLogger(__name__)

PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"

ProgressCallback = Callable[[str, int, int | None], None]  # feed, records done, total (if known)


@dataclass
class RunSummary:
    feed: str
    run_id: int | None
    status: str  # complete | failed | skipped
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RUN_COUNTS, 0))
    error: dict[str, Any] | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("complete", "skipped")

    def as_dict(self) -> dict[str, Any]:
        return {"feed": self.feed, "run": self.run_id, "status": self.status, **self.counts,
                "error": self.error, "seconds": round(self.seconds, 2)}


class Oogst:
    """Settings + state + archive + store, and the operations on them."""

    def __init__(self, settings: Settings, *, http: HttpClient | None = None) -> None:
        self.settings = settings
        self._state: State | None = None
        self._archive: Archive | None = None
        self._store: Store | None = None
        self._validator: Validator | None = None
        self._http = http

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
        if self._store is None:
            self._store = open_store(self.settings.store_url)
        return self._store

    @property
    def validator(self) -> Validator:
        if self._validator is None:
            self._validator = Validator("acceptance")
        return self._validator

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = HttpClient(HttpPolicy.from_settings(self.settings))
        return self._http

    def close(self) -> None:
        for res in (self._store, self._archive, self._state):
            if res is not None:
                res.close()
        self._store = self._archive = self._state = None

    def __enter__(self) -> Oogst:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- feeds ------------------------------------------------------------------------------
    def add_feed(self, name: str, url: str, format: str, *, protocol: str = "oai-pmh",
                 set_spec: str | None = None, config: dict[str, Any] | None = None) -> Feed:
        if not name or not all(c.isalnum() or c in "-_" for c in name):
            raise ConfigError(f"feed name {name!r} may hold only letters, digits, '-' and '_'",
                              hint="e.g. 'stadsarchief-gent'")
        harvest_registry.get_harvester(protocol)
        mapping_registry.get_mapper(format)
        return self.state.add_feed(Feed(name=name, protocol=protocol, url=url, format=format,
                                        set_spec=set_spec, config=config or {}))

    def remove_feed(self, name: str) -> int:
        graphs = self.state.remove_feed(name)
        self.store.drop_graphs(graphs)
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
        """The feed's mapping profile: the settings' defaults, overridden by the feed's config."""
        values = {"base_iri": self.settings.base_iri, "language": self.settings.default_language}
        settable = {f.name for f in fields(Profile) if f.init and f.name != "feed"}
        values.update({k: v for k, v in feed.config.items() if k in settable})
        return Profile(feed=feed.name, **values)

    # -- harvest ----------------------------------------------------------------------------
    def harvest_all(self, names: Iterable[str] | None = None, *, full: bool = False,
                    progress: ProgressCallback | None = None) -> list[RunSummary]:
        feeds = list(names) if names is not None else [f.name for f in self.state.list_feeds()]
        return [self.harvest(name, full=full, progress=progress) for name in feeds]

    def harvest(self, name: str, *, full: bool = False, progress: ProgressCallback | None = None) -> RunSummary:
        started = time.monotonic()
        feed = self.state.get_feed(name)
        if feed.status == "paused":
            return RunSummary(name, None, "skipped", error={"message": "the feed is paused"})
        checkpoint_row = self.state.get_checkpoint(name)
        checkpoint = None
        if checkpoint_row and checkpoint_row["token"] and not full:
            checkpoint = Checkpoint(checkpoint_row["token"], checkpoint_row["window_from"],
                                    checkpoint_row["response_date"])
        window_from = None if full else (checkpoint.window_from if checkpoint else feed.next_from)
        mode = "full" if full or not window_from else "incremental"
        run_id = self.state.start_run(name, mode, window_from)
        summary = RunSummary(name, run_id, "failed")
        profile = self.profile(feed)
        harvester = harvest_registry.get_harvester(feed.protocol)(feed, self.http)
        batch: list[SourceRecord] = []
        done = 0
        last_response_date = None
        try:
            for item in harvester.records(checkpoint, window_from):
                if isinstance(item, SourceRecord):
                    batch.append(item)
                    if len(batch) >= self.settings.batch_size:
                        done += self._process(feed, run_id, profile, batch, summary)
                        batch = []
                    continue
                # A checkpoint: store what came before it, then remember where we are.
                if batch:
                    done += self._process(feed, run_id, profile, batch, summary)
                    batch = []
                last_response_date = item.response_date
                if progress:
                    total = item.info.get("completeListSize")
                    progress(name, done, int(total) if total and str(total).isdigit() else None)
                if item.complete:
                    self.state.clear_checkpoint(name)
                else:
                    self.state.save_checkpoint(name, run_id, item.token, item.window_from, item.response_date)
            if batch:
                self._process(feed, run_id, profile, batch, summary)
        except (HarvestError, ConfigError, StoreError) as exc:
            summary.error = exc.as_dict()
            self.state.finish_run(run_id, "failed", error=str(exc))
            self.state.update_feed(name, last_error=str(exc))
            log.warning("%s: run %s failed: %s", name, run_id, exc)
        else:
            summary.status = "complete"
            self.state.finish_run(run_id, "complete", response_date=last_response_date)
            self.state.update_feed(name, next_from=last_response_date or feed.next_from, last_error=None)
        summary.seconds = time.monotonic() - started
        return summary

    # -- one batch: archive → map → validate → store ------------------------------------------
    def _process(self, feed: Feed, run_id: int, profile: Profile, batch: list[SourceRecord],
                 summary: RunSummary) -> int:
        # The same record twice in one batch: the later version wins.
        latest = {r.source_id: r for r in batch}
        records = list(latest.values())
        self.archive.put_many(records, run_id, errors={r.source_id: r.error for r in records if r.error})
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
            if rec.deleted:
                drop.append(minter.graph_iri(rec.source_id))
                rows.append(row(rec, "withdrawn", withdrawn_at=rec.datestamp or _now()))
                counts["withdrawn"] += 1
            elif prev and prev["state"] != "withdrawn" and prev["hash"] == rec.sha256:
                counts["unchanged"] += 1
            elif rec.error:
                report = Report(rec.source_id, [_finding("harvest:xml", "Het record is geen geldige XML",
                                                         "The record is not well-formed XML", rec.error)])
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

        reports = self.validator.validate([m for _, m in mapped]) if mapped else {}
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

        # The RDF store first, then the state: a crash in between replays harmlessly.
        self.store.replace_graphs(graphs)
        self.store.drop_graphs(drop)
        self.state.upsert_records(rows)
        self.state.add_run_counts(run_id, **counts)
        for k, v in counts.items():
            summary.counts[k] += v
        return len(records)

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

    # -- queries ------------------------------------------------------------------------------
    def query(self, sparql: str, *, solutions: str = "json", graph: str = "turtle"):
        return self.store.query(sparql, solutions=solutions, graph=graph)


def _finding(rule: str, nl: str, en: str, value: str | None = None, source_path: str | None = None) -> Finding:
    return Finding(rule=rule, severity="violation", path=None, source_path=source_path,
                   message_nl=nl, message_en=en, value=value)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["Oogst", "RunSummary", "OogstError"]
