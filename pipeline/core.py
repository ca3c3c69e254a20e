"""``Oogst``: the service layer that every door calls — the CLI, the API, the web pages.

It holds the settings and the seams (state, archive, store, feed lock, search index, system
graphs, HTTP client), opened on first use or handed in (tests, a second implementation), and
the rooms that work on them:

- ``feeds``    (``feeds.py``)   add, edit, remove, pause, resume, options, profile;
- ``runs``     (``run.py``)     the run lifecycle: harvest, resume, the sweep, health, remap;
- ``batches``  (``batch.py``)   archive → map → validate → store, one batch at a time;
- ``views``    (``views.py``)   the derived views: search index, provenance, datasets;
- ``inspect``  (``inspect.py``) ``map_file``, ``preview``, ``report``;
- ``delivery`` (``delivery.py``) Europeana: delivery settings, EDM, tiers, export, media check;
  the OAI-PMH provider (``oai.py``) serves the record index and the store at ``/oai``.
- ``accounts`` (``accounts.py``) organisations, users, tokens, sessions and the ownership
  rules (``authorise``, ``visible_feeds``) that the pages, the write API and the CLI share;
- ``probe``    (``probe.py``)   what a URL is (OAI-PMH, LDES, JSON API), for the wizard.
- ``publishing`` (``publishing.py``) the event log's LDES pages, the dumps.

The public methods below are what doors use; a door never opens a store, a database or a
connection itself.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from .. import iris, redact
from .. import harvest as harvest_registry
from .. import mapping as mapping_registry
from ..errors import NotFoundError
from ..jsonld import ContextCache
from ..harvest.http import HttpClient
from ..harvest.limits import RecordLimits
from ..mapping import Profile
from ..publish.datasets import Catalogue
from ..publish.provenance import SystemGraphs
from ..publish.search import Doc, Page, SearchIndex, extract
from ..publish.search import Query as SearchQuery
from ..records import Feed
from ..settings import Settings
from ..store import QueryResult, Store
from ..store.archive import Archive
from ..store.lock import FeedLock, WriteBarrier
from ..store.state import StateStore
from ..mapping import vocab
from ..publish.display import local_name
from ..publish.details import Details, details
from ..records import SourceRecord
from .accounts import Accounts, User
from .alerts import Alerts
from .backup import Backups
from .history import History
from .metrics import Metrics
from .schedule import Schedules
from .batch import Batches, Gate
from .delivery import Delivery
from .feeds import Feeds
from .inspect import FileMapping, Inspect, PreviewItem, pretty
from .guidance import fix, partner_terms
from .probe import Probe, probe
from .publishing import LdesAnswer, Publishing
from .feedcheck import check_feed
from .night import Night, NightProgress
from .queries import Queries
from .run import ProgressCallback, Runs, RunSummary
from .seams import Seams
from .views import Views

log = logging.getLogger(__name__)


def formats() -> list[str]:
    """The source formats oogst can map."""
    return mapping_registry.formats()


def protocols() -> dict[str, dict[str, str]]:
    """The harvest protocols, each with the feed options it takes (key → meaning)."""
    return {name: harvest_registry.options(name) for name in harvest_registry.protocols()}


def _shown(run: dict[str, Any] | None) -> dict[str, Any] | None:
    """A run as the doors show it: its error and notes without secrets or server paths."""
    if not run:
        return run
    shown = dict(run)
    if isinstance(shown.get("error"), str):
        shown["error"] = redact.text(shown["error"])
    if isinstance(shown.get("notes"), list):
        shown["notes"] = [{k: redact.text(v) if isinstance(v, str) else v for k, v in n.items()}
                          if isinstance(n, dict) else n for n in shown["notes"]]
    return shown


class Oogst(Seams):
    """Settings + seams + rooms, and the operations every door shares."""

    def __init__(self, settings: Settings, *, read_only: bool = False, http: HttpClient | None = None,
                 state: StateStore | None = None, archive: Archive | None = None, store: Store | None = None,
                 search: SearchIndex | None = None, lock: FeedLock | None = None) -> None:
        self.settings = settings
        self.read_only = read_only  # commands that only read open the store read-only where it allows
        self._state, self._archive, self._store, self._search, self._lock = state, archive, store, search, lock
        self._owned: set[str] = set()  # the resources this core opened itself, and closes
        self._opening = threading.RLock()
        self._http = http
        self._contexts: ContextCache | None = None
        self._system: SystemGraphs | None = None
        self.gate = Gate(settings.validator, settings.oslo_ap_sample)
        self.limits = RecordLimits.from_settings(settings)  # how big one partner record may be
        self.feeds = Feeds(self)
        self.runs = Runs(self)
        self.night = Night(self)
        self.batches = Batches(self)
        self.views = Views(self)
        self.inspect = Inspect(self)
        self.delivery = Delivery(self)
        self._oai: Any = None
        self.accounts = Accounts(self)
        self.publishing = Publishing(self)
        self.queries = Queries(self)
        # the operator's night (issue 13): schedules, run history, alerts, metrics, backups
        self.schedules = Schedules(self)
        self.history = History(self)
        self.alerts = Alerts(self)
        self.metrics = Metrics(self)
        self.backups = Backups(self)
        self.barrier = WriteBarrier(settings.data_dir / "locks")  # writes hold it shared, a backup exclusive

    # -- feeds ------------------------------------------------------------------------------------
    def add_feed(self, name: str, url: str, format: str, **parts: Any) -> Feed:
        """Register a feed (``protocol``, ``set_spec``, ``options``, ``profile``, ``schedule``,
        ``owner``); see :meth:`Feeds.add`."""
        return self.feeds.add(name, url, format, **parts)

    def edit_feed(self, name: str, **changes: Any) -> Feed:
        return self.feeds.edit(name, **changes)

    def remove_feed(self, name: str) -> int:
        return self.feeds.remove(name)

    def pause_feed(self, name: str) -> Feed:
        return self.feeds.pause(name)

    def resume_feed(self, name: str) -> Feed:
        return self.feeds.resume(name)

    def set_profile(self, name: str, source: str | Path) -> Profile:
        return self.feeds.set_profile(name, source)

    def profile_text(self, name: str) -> str | None:
        return self.feeds.profile_text(name)

    def profile(self, feed: Feed) -> Profile:
        return self.feeds.profile_of(feed)

    def feed(self, name: str) -> Feed:
        return self.state.get_feed(name)

    def list_feeds(self) -> list[Feed]:
        return self.state.list_feeds()

    def feed_info(self, name: str) -> dict[str, Any]:
        """A feed with its last run, that run's counts, and its records now."""
        info = self.state.get_feed(name).as_dict()
        last = _shown(self.state.last_run(name))
        info["last_run"] = last
        info["counts"] = {k: (last or {}).get(k, 0) for k in ("harvested", "published", "quarantined", "withdrawn")}
        info["totals"] = self.state.counts(name)
        info["credentials"] = self.state.get_credentials(name) is not None  # that there are some, never which
        return info

    def last_run(self, name: str) -> dict[str, Any] | None:
        return _shown(self.state.last_run(name))

    def counts(self, feed: str | None = None) -> dict[str, int]:
        return self.state.counts(feed)

    # -- runs --------------------------------------------------------------------------------------
    def harvest(self, name: str, *, full: bool = False, resume: bool = False,
                progress: ProgressCallback | None = None) -> RunSummary:
        return self.runs.harvest(name, full=full, resume=resume, progress=progress)

    def harvest_all(self, names: list[str] | None = None, *, jobs: int | None = None, full: bool = False,
                    resume: bool = False, deadline: float | None = None,
                    progress: NightProgress | None = None) -> list[RunSummary]:
        """Runs of ``names`` (default: all), ``jobs`` at a time, within ``deadline`` s (:mod:`.night`)."""
        names = [f.name for f in self.state.list_feeds()] if names is None else list(names)
        return self.night.run(names, jobs=jobs or self.settings.harvest_jobs, full=full, resume=resume, progress=progress,
                              deadline=self.settings.run_deadline if deadline is None else deadline)

    def remap(self, name: str, *, progress: ProgressCallback | None = None) -> RunSummary:
        return self.runs.remap(name, progress=progress)

    # -- inspection -----------------------------------------------------------------------------------
    def map_file(self, path: str | Path, fmt: str, **kw: Any) -> FileMapping:
        return self.inspect.map_file(path, fmt, **kw)

    def preview(self, name: str, n: int = 5) -> list[PreviewItem]:
        return self.inspect.preview(name, n)

    def report(self, name: str, **kw: Any):
        return self.inspect.report(name, **kw)

    def validate(self, mapped: list, *, sample: float | None = None) -> dict:
        return self.gate.validate(mapped, sample=sample)

    # -- reading the published records -------------------------------------------------------------
    def query(self, sparql: str, *, solutions: str = "json", graph: str = "turtle", default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, base_iri: str | None = None, trusted: bool = False) -> QueryResult:
        """A SPARQL query over the published records, or over the system graphs when the
        dataset names system graphs only (a mix is refused: they live in different stores).
        Unless ``trusted`` (a query oogst built itself), the query is measured first and may be
        refused (``QueryTooLargeError``, SERVICE); see :mod:`~oogst.pipeline.queries`."""
        return self.queries.run(sparql, trusted=trusted, solutions=solutions, graph=graph,
                                default_graphs=default_graphs, named_graphs=named_graphs, base_iri=base_iri)

    def start_query_workers(self) -> bool:
        """Run public queries in killable worker processes (``oogst serve``); see ``queries.py``."""
        return self.queries.start_workers()

    def find_record(self, record_id: str) -> dict[str, Any] | None:
        """The record-index row of ``record_id``, also when its source id arrives percent-decoded."""
        record = self.state.find_record(record_id)
        if record is None and "/" in record_id:
            feed, _, source_id = record_id.partition("/")
            record = self.state.find_record(iris.record_id(feed, source_id))
        return record

    def record_graph(self, record: dict[str, Any], fmt: str) -> bytes:
        """A published record's graph in ``fmt`` (a ``GRAPH_FORMATS`` key)."""
        body = self.store.graph(record["graph_iri"], fmt)
        if body is None:  # the state is written after the store: a record being withdrawn right now
            log.warning("record %s is indexed as published but the store has no graph %s",
                        record["record_id"], record["graph_iri"])
            raise NotFoundError(f"record {record['record_id']!r} is not in the store", record=record["record_id"])
        return body

    def record_doc(self, record: dict[str, Any]) -> Doc:
        """A published record's display fields: from the search index, else from the store."""
        return self.search.get(record["record_id"]) or extract(
            self.record_graph(record, "ntriples"), record_id=record["record_id"], feed=record["feed"],
            object_iri=record["object_iri"] or "", graph_iri=record["graph_iri"], datestamp=record["datestamp"],
            labels=self.concept_labels(record["feed"]))

    def search_records(self, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.search.search(query, limit=limit, cursor=cursor)

    def facets(self, query: SearchQuery) -> dict[str, list[dict[str, Any]]]:
        return self.search.facets(query)

    def records_of_object(self, iri: str) -> list[Doc]:
        """The published records that describe the object ``iri`` (two feeds may share a PID)."""
        return self.search.search(SearchQuery(iri=iri), limit=50).docs

    def feed_stats(self) -> dict[str, dict[str, Any]]:
        return self.search.feed_stats()

    def catalogue(self, base_url: str) -> Catalogue:
        """The DCAT catalogue's builder, with links under ``base_url``."""
        return Catalogue(self.settings, base_url)

    def health(self) -> dict[str, Any]:
        """``status`` ok or degraded (``problems`` says why), the counts, the query workers."""
        return self.queries.health()

    def consistency(self) -> dict[str, Any]:
        """Cheap counts for ``/health``: published records (the record index), graphs in the
        store, records in the search index and live provenance entities; ``ok`` when they agree
        and the store's files are in place. ``check`` finds which records disagree."""
        return self.views.counts()

    def check(self, names: list[str] | None = None, *, repair: bool = False) -> list[dict[str, Any]]:
        """Per feed: its published records against the store, the search index and the
        provenance (which records are missing or extra where); ``repair`` writes what is
        missing again (from the archive where the graph is gone) and drops what is extra."""
        names = [f.name for f in self.state.list_feeds()] if names is None else names
        return [self.runs.check(name, repair=repair) for name in names]

    # -- maintenance -----------------------------------------------------------------------------------
    def rebuild_index(self, progress: Any = None) -> int:
        return self.views.rebuild_index(progress)

    def ensure_index(self) -> None:
        """Build an empty search index over a state that has published records (a data dir
        from before the index). Only one process does it."""
        if self.search.count() == 0 and self.state.counts()["published"]:
            log.warning("the search index %s is empty: building it from the store", self.search.path)
            self.views.rebuild_index(only_if_empty=True)

    def rebuild_system(self) -> dict[str, int]:
        return self.views.rebuild_system()

    def prune_archive(self, keep: int, feed: str | None = None) -> dict[str, int]:
        """Keep the last ``keep`` versions of every record in the raw archive."""
        return self.archive.prune(keep, feed)

    # -- delivery to Europeana (delivery.py, oai.py) -----------------------------------------------------
    def delivery_settings(self, name: str) -> dict[str, Any]:
        """Feed ``name``'s Europeana delivery settings (``settings``) and where each comes from
        (``origin``: "feed" or "default"). Change them with ``edit_feed(name, delivery={...})``."""
        return self.delivery.describe_settings(name)

    def oai(self, pairs: list[tuple[str, str]], base_url: str) -> tuple[int, dict[str, str], bytes]:
        """The OAI-PMH answer (status, headers, body) to one request's arguments (repeated
        ones kept); ``base_url`` is the endpoint's public address."""
        if self._oai is None:
            from .oai import OaiService

            self._oai = OaiService(self)
        return self._oai.handle(pairs, base_url)

    def export_edm(self, name: str, out: str | Path | None = None, *, check: bool = False,
                   progress: Any = None) -> dict[str, Any]:
        """Feed ``name`` as a zip of EDM RDF/XML files (``out``) with its pre-flight report."""
        return self.delivery.export(name, out, check=check, progress=progress)

    def media_check(self, name: str, *, limit: int | None = None, recheck: bool = False,
                    progress: Any = None) -> dict[str, Any]:
        """Measure feed ``name``'s images (ranged GETs) for its content tiers."""
        return self.delivery.media_check(name, limit=limit, recheck=recheck, progress=progress)

    def tiers(self, feed: str) -> dict[str, Any]:
        """Feed ``feed``'s Europeana tier figures: records by EDM readiness, content tier (certain
        and ceiling) and metadata tier, the commonest gaps to the next tier and the commonest
        reasons a record is no EDM, each with what the partner can do (nl/en)."""
        return self.delivery.tiers(feed)

    def record_tiers(self, record_id: str) -> dict[str, Any]:
        """One published record's EDM readiness (with its reasons) and its metadata and content
        tiers, each with the next steps (nl/en); NotFoundError when it is not published."""
        return self.delivery.record_tiers(record_id)

    def record_edm(self, record: dict[str, Any]) -> dict[str, Any]:
        """A published record (a ``find_record`` row) as EDM RDF/XML: ``xml``, or None and ``reasons``."""
        return self.delivery.record_edm(record)

    def ensure_delivery(self, name: str | None = None, progress: Any = None) -> int:
        """Work out the EDM readiness, data provider and tiers of the published records that lack
        them (a data dir of an older version, changed delivery settings); returns how many."""
        return self.delivery.ensure(name, progress)

    # -- for the pages and the write API ------------------------------------------------------------
    def probe(self, url: str) -> Probe:
        """What ``url`` is (OAI-PMH with its formats and sets, LDES, a JSON API), asked live;
        problems come back explained in Dutch and English, never raised."""
        return probe(self, url)

    def check_feed(self, feed: Feed) -> Probe | None:
        """Does ``feed``'s URL answer its protocol? (:mod:`~oogst.pipeline.feedcheck`)"""
        return check_feed(self, feed)

    def draft_feed(self, name: str, url: str, format: str, **parts: Any) -> Feed:
        """A feed checked as :meth:`add_feed` checks it, not saved."""
        return self.feeds.draft(name, url, format, **parts)

    def preview_feed(self, feed: Feed, n: int = 5) -> list[PreviewItem]:
        """The first ``n`` live records of a (draft) feed, mapped and validated; deleted ones
        left out; nothing is stored."""
        return self.inspect.preview_feed(feed, n, skip_deleted=True)

    def start_harvest(self, name: str, *, full: bool = False) -> int:
        """Start a run of feed ``name`` in the background of this process; returns its id."""
        return self.runs.start_in_background(name, full=full)

    def run_info(self, run_id: int) -> dict[str, Any]:
        return _shown(self.state.get_run(run_id))  # type: ignore[return-value]

    def feed_runs(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        """The feed's last runs, newest first."""
        self.state.get_feed(name)
        return [_shown(run) for run in self.state.runs(name, limit)]  # type: ignore[misc]

    def feed_records(self, name: str, *, state: str | None = "quarantined", after: str | None = None,
                     limit: int = 50) -> list[dict[str, Any]]:
        """Rows of the feed's record index (``state``: published | quarantined | withdrawn)."""
        return self.state.list_records(state=state, feed=name, after=after, limit=limit)

    def source_record(self, record: dict[str, Any]) -> SourceRecord | None:
        """The record's payload as the partner delivered it last (the raw archive)."""
        return self.archive.get(record["feed"], record["source_id"])

    def record_details(self, record: dict[str, Any]) -> Details | None:
        """Every field of a record's graph with readable labels: the published version, else
        the quarantined one."""
        text = self.record_ntriples(record)
        if not text:
            return None
        return details(text, record.get("object_iri") or "", labels=self.concept_labels(record["feed"]))

    def graph_details(self, ntriples: str, object_iri: str, feed: Feed | None = None) -> Details:
        """:meth:`record_details` of a graph at hand (the wizard's preview of ``feed``)."""
        return details(ntriples, object_iri, labels=partner_terms(feed) | vocab.concept_labels() if feed
                       else vocab.concept_labels())

    def concept_label(self, iri: str) -> str:
        """A readable name for a concept IRI: the concordance's label, else its local name."""
        return vocab.concept_labels().get(iri) or local_name(iri)

    def concept_labels(self, feed: str | None = None) -> dict[str, str]:
        """Concept IRI → label for records of ``feed``: the concordance (AAT's Dutch terms, DCMI
        types), else the partner's own word for it (its profile's value maps)."""
        if feed is None:
            return vocab.concept_labels()
        try:
            row = self.state.get_feed(feed)
        except NotFoundError:
            return vocab.concept_labels()
        return partner_terms(row) | vocab.concept_labels()

    def user_feeds(self, user: User | None) -> list[Feed]:
        """The feeds ``user`` may see (see :mod:`~oogst.pipeline.accounts`)."""
        return self.accounts.visible_feeds(user)

    def fix_advice(self, rule: str, fmt: str | None) -> tuple[str, str] | None:
        """How to fix a rule's findings in the partner's own system (Dutch, English)."""
        return fix(rule, fmt)

    @staticmethod
    def readable_source(payload: bytes, media_type: str = "application/xml") -> str:
        """A source payload indented for people (XML, JSON), cut when very long."""
        return pretty(payload, media_type)

    def graph_tiers(self, ntriples: str | bytes, feed: Feed | str) -> dict[str, Any]:
        """The Europeana tiers a record's graph at hand would reach (a quarantined version, the
        wizard's preview), with the next steps; or why it cannot become EDM."""
        return self.delivery.graph_tiers(ntriples, self.state.get_feed(feed) if isinstance(feed, str) else feed)

    def graph_edm(self, ntriples: str | bytes, feed: Feed | str) -> str | None:
        """A record's graph at hand as EDM RDF/XML, or None when it cannot become EDM."""
        return self.delivery.graph_edm(ntriples, self.state.get_feed(feed) if isinstance(feed, str) else feed)

    def record_ntriples(self, record: dict[str, Any]) -> str | None:
        """The record's graph: the published version, else the quarantined one."""
        if record.get("published"):
            body = self.store.graph(record["graph_iri"], "ntriples")
            return body.decode("utf-8") if isinstance(body, bytes) else body
        return record.get("quarantined")

    # -- for re-users: the event stream (LDES) and the dumps (issue #15) ----------------------------
    def ldes_view(self, kind: str, key: str | None, base_url: str) -> Any:
        """The event stream of everything (``all``), a feed or a data provider (its key)."""
        return self.publishing.view(kind, key, base_url)

    def ldes_views(self, base_url: str) -> dict[str, list[dict[str, Any]]]:
        return self.publishing.views(base_url)

    def ldes_page(self, view: Any, node: tuple[int, int] | None, fmt: str, **kw: Any) -> LdesAnswer:
        """One page of a stream: validators, and ``render()`` for the body (``compact``,
        ``context_url`` for JSON-LD)."""
        return self.publishing.page(view, node, fmt, **kw)

    def ldes_member_shape(self) -> str:
        return self.publishing.member_shape()

    def ensure_events(self) -> int:
        """Give records published before the event log their event (once; cheap otherwise)."""
        return self.publishing.backfill()

    def dump(self, progress: Any = None) -> list[dict[str, Any]]:
        return self.publishing.dump(progress)

    def dumps(self) -> dict[str, Any]:
        return self.publishing.dumps()

    def dump_file(self, name: str) -> tuple[Path, dict[str, Any]]:
        return self.publishing.dump_file(name)

    def dump_age(self) -> float | None:
        return self.publishing.dump_age()

    def event_stats(self) -> dict[str, Any]:
        """The event log's size (events, bytes of kept graphs) and the last dump's manifest."""
        return self.publishing.stats()
