"""The run lifecycle: lock, resume, checkpoints, notes, counts, the sweep, feed health, remap.

A run goes through a :class:`RunHandle`, which :meth:`Runs.start_run` returns holding the
feed's lock::

    run = runs.start_run(feed, full=False, resume=False)    # or a skipped RunSummary
    with run:
        for item in harvester.records(run.resume_from, run.cursor):
            … run.count(batch.counts) … run.note(…) … run.checkpoint(item)
        summary = run.finish(cursor=…)                        # or run.fail(exc)

A run that was interrupted (killed, or failed after some pages) is carried on, as the same
run, from its last checkpoint. Otherwise a run is incremental from the feed's cursor (minus
``harvest_overlap`` for window cursors) or ``full``: everything, after which the records it did
not deliver are withdrawn (the sweep), within ``max_drop_share``. A feed becomes ``failing``
after ``failing_after`` failed runs in a row, and ``active`` again after a complete one. A run
that cannot take the feed's lock or the store (another process holds it) is ``skipped``: it
never counts as failed.

At the end of a run the feed's published records are checked against the store, the search
index and the provenance (:meth:`~oogst.pipeline.views.Views.check`): what is missing is
written again; a disagreement that remains fails the run, saying so. A ``repair`` run
(``oogst check --repair``) does the same on its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import harvest as harvest_registry
from ..errors import ConfigError, ConflictError, HarvestError, OogstError, StoreBusyError, StoreError
from ..iris import record_id
from ..records import RUN_COUNTS, Checkpoint, Cursor, Feed, SourceRecord, WindowCursor, chunks, now
from . import logs
from .stats import RunStats
from .workers import WAIT_FOR_WORKERS, Lane

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int, int | None], None]  # feed, records done, total (if known)
NOTES_PER_CODE = 20  # a run keeps at most this many notes of one kind
OFFLINE = ("remap", "repair")  # runs without the partner: no cursor, no feed health


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


def note(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def skipped(name: str, message: str, hint: str | None = None) -> RunSummary:
    return RunSummary(name, None, "skipped", error={"message": message, **({"hint": hint} if hint else {})})


class RunHandle:
    """One run of one feed in progress, holding the feed's lock until it finishes."""

    def __init__(self, core: Oogst, feed: Feed, run_id: int, mode: str, *, cursor: Cursor | None,
                 live_before: int | None, resume_from: Checkpoint | None = None, lock: ExitStack | None = None) -> None:
        self.core, self.feed, self.run_id, self.mode = core, feed, run_id, mode
        self.cursor = cursor  # where the window starts (None: everything)
        self.live_before = live_before  # live records when the run started (the sweep's yardstick)
        self.resume_from = resume_from  # the checkpoint an interrupted run carries on from
        info = resume_from.info if resume_from else {}
        self.page = int(info.get("page", 1))  # the page the records being stored came on
        self.rescan = bool(info.get("rescan"))  # the harvester started its window over
        self.response_date = resume_from.response_date if resume_from else None
        self.next_cursor: Cursor | None = None  # where the next run starts, from the last checkpoint
        self.stats = RunStats()
        self.written: set[str] = set()  # source ids whose record-index row this run wrote (its check's scope)
        self.started = time.monotonic()
        self._note_counts: Counter[str] = Counter()
        self._lock = lock or ExitStack()
        self._retries = Counter(core.http.retry_reasons)

    def __enter__(self) -> RunHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.close()

    @property
    def window_from(self) -> str | None:
        return self.cursor.since if isinstance(self.cursor, WindowCursor) else None

    def note(self, *notes: dict[str, Any]) -> None:
        """Keep what happened, at most ``NOTES_PER_CODE`` notes of a kind (the rest are counted)."""
        kept = []
        for item in notes:
            code = item.get("code", "")
            self._note_counts[code] += 1
            count = self._note_counts[code]
            if count <= NOTES_PER_CODE:
                kept.append(item)
            elif count == NOTES_PER_CODE + 1:
                kept.append(note(code, f"more {code!r} notes follow; only the first {NOTES_PER_CODE} are kept"))
        self.core.state.add_run_notes(self.run_id, kept)

    def count(self, counts: dict[str, int]) -> None:
        self.stats.add(counts)
        self.core.state.add_run_counts(self.run_id, **{k: v for k, v in counts.items() if v})

    def delivered(self, batch: list[SourceRecord], parts: list[str] = ()) -> None:
        """Note which records this run delivered on this page (``parts``: the records split
        from them), and any duplicates."""
        ids = [r.source_id for r in batch]
        again = self.core.state.mark_seen(self.feed.name, self.run_id, self.page, list(dict.fromkeys([*ids, *parts])))
        self.note(*[note("duplicate", "the record came twice on one page; the later version was kept", record=sid)
                    for sid, n in Counter(ids).items() if n > 1])
        if not self.rescan:
            self.note(*[note("duplicate", "the record came again on a later page; the later version was kept",
                             record=sid) for sid in again])

    def checkpoint(self, item: Checkpoint) -> None:
        """The records before ``item`` are stored: remember where the run stands."""
        info = dict(item.info)
        self.note(*info.pop("notes", []))
        self.response_date = item.response_date or self.response_date
        if not item.complete:
            self.page += 1
            # no token, not the end: the harvester starts its window over, so records seen
            # again from here on are no duplicates
            self.rescan = self.rescan or not item.token
            self.core.state.save_checkpoint(self.feed.name, self.run_id, item.token, item.window_from,
                                            item.response_date, {**info, "page": self.page, "rescan": self.rescan})

    def finish(self, *, cursor: Cursor | None = None, notes: Iterable[dict[str, Any]] = ()) -> RunSummary:
        """A complete run: the feed's cursor moves on, its health is restored."""
        state, name = self.core.state, self.feed.name
        notes = [*notes, *self._retry_notes()]
        if cursor is None and self.mode not in OFFLINE:
            if self.response_date is None:
                self.response_date = state.get_run(self.run_id)["started_at"]
                notes.append(note("response-date", "the server sent no responseDate; the next run starts "
                                                   "from this run's start on our clock"))
            cursor = WindowCursor(self.response_date)
        state.finish_run(self.run_id, "complete", response_date=self.response_date, notes=notes)
        if self.mode not in OFFLINE:
            self._health(cursor=cursor)
            state.clear_checkpoint(name)
        return self._summary("complete")

    def fail(self, exc: OogstError) -> RunSummary:
        self.core.state.finish_run(self.run_id, "failed", error=str(exc), notes=self._retry_notes())
        if self.mode not in OFFLINE:
            self._health(error=str(exc))
        log.warning("%s: run %s failed: %s", self.feed.name, self.run_id, exc)
        return self._summary("failed", error=exc.as_dict())

    def _summary(self, status: str, error: dict[str, Any] | None = None) -> RunSummary:
        row = self.core.state.get_run(self.run_id)  # a resumed run: the totals of all its parts
        self.core.views.run_finished(row)
        self._lock.close()
        return self.core.alerts.after_run(RunSummary(  # alerts never raise (pipeline/alerts.py)
            self.feed.name, self.run_id, status, counts={k: row[k] for k in RUN_COUNTS}, error=error,
            seconds=time.monotonic() - self.started, mode=self.mode, notes=row["notes"]))

    def _health(self, *, error: str | None = None, cursor: Cursor | None = None) -> None:
        """active ↔ failing after ``failing_after`` failed runs in a row; paused stays paused."""
        state, name = self.core.state, self.feed.name
        feed = state.get_feed(name)  # again: `feeds pause` may have run meanwhile
        if error is None:
            state.update_feed(name, cursor=cursor.as_dict() if cursor else feed.cursor, last_error=None, failures=0,
                              status="active" if feed.status == "failing" else feed.status)
            return
        failures = feed.failures + 1
        failing = feed.status == "active" and failures >= self.core.settings.failing_after
        state.update_feed(name, last_error=error, failures=failures, status="failing" if failing else feed.status)

    def _retry_notes(self) -> list[dict[str, Any]]:
        retried = Counter(self.core.http.retry_reasons)
        retried.subtract(self._retries)
        self._retries = Counter(self.core.http.retry_reasons)
        kinds = ", ".join(f"{kind} ×{n}" for kind, n in sorted(retried.items()) if n > 0)
        return [note("retries", f"requests retried: {kinds}")] if kinds else []


class Runs:
    def __init__(self, core: Oogst) -> None:
        self.core = core
        self._threads: list[threading.Thread] = []  # runs in the background (start_in_background)
        self._threads_lock = threading.Lock()

    def start_run(self, feed: Feed, *, full: bool = False, resume: bool = False,
                  mode: str | None = None) -> RunHandle | RunSummary:
        """Take the feed's lock and open its run: the interrupted one to carry on with, or a new
        one (``mode`` "remap" or "repair" always starts a new run). A skipped summary when
        another process holds the feed or the store, or when ``resume`` finds nothing to resume."""
        lock = ExitStack()
        if not lock.enter_context(self.core.lock.hold(feed.name)):
            return skipped(feed.name, "another process is harvesting this feed right now")
        try:
            busy = self._busy()
            if busy:
                lock.close()
                return skipped(feed.name, busy, "try again when the other process is done, or run it there")
            state = self.core.state
            if mode in OFFLINE:
                run_id = state.start_run(feed.name, mode, None)
                return RunHandle(self.core, feed, run_id, mode, cursor=None, live_before=None, lock=lock)
            row = state.get_checkpoint(feed.name)
            previous = self._run(row["run_id"]) if row else None
            state.interrupt_runs(feed.name)
            if row and previous and previous["status"] != "complete" and not full:
                state.reopen_run(previous["id"])
                checkpoint = Checkpoint(row["token"], row["window_from"], row["response_date"], info=row["info"])
                cursor = (None if previous["mode"] == "full" else WindowCursor(row["window_from"])
                          if row["window_from"] else harvest_registry.cursor_of(feed))
                run = RunHandle(self.core, feed, previous["id"], previous["mode"], cursor=cursor,
                                live_before=previous["live_before"], resume_from=checkpoint, lock=lock)
                run.note(note("resumed", f"resumed run {previous['id']} from its checkpoint of {row['updated_at']}"))
                return run
            if resume:
                lock.close()
                return RunSummary(feed.name, None, "skipped", notes=[note("nothing-to-resume", "no interrupted run")])
            if row:
                state.clear_checkpoint(feed.name)
            cursor = None if full else harvest_registry.cursor_of(feed)
            if isinstance(cursor, WindowCursor):
                cursor = cursor.overlapped(self.core.settings.harvest_overlap) if cursor.since else None
            mode = "full" if cursor is None else "incremental"
            live = state.live_count(feed.name)
            window_from = cursor.since if isinstance(cursor, WindowCursor) else None
            run_id = state.start_run(feed.name, mode, window_from, live_before=live)
            return RunHandle(self.core, feed, run_id, mode, cursor=cursor, live_before=live, lock=lock)
        except BaseException:
            lock.close()
            raise

    def _busy(self) -> str | None:
        """Why the run cannot start now (another process holds the store), or None. The
        seams are opened here, so that a store in use is a skipped run, not a failed one."""
        core = self.core
        try:
            core.store, core.search  # noqa: B018 - opened on first use
            writing = getattr(core.store, "writing", None)
            if writing is not None and not core.read_only:
                with writing():  # the embedded store: can this process write it now?
                    pass
            try:
                core.system  # noqa: B018
            except OSError as exc:
                if "lock" not in str(exc).lower():
                    raise StoreError(f"cannot open the system graphs at {core.settings.system_path}: {exc}") from exc
                raise StoreBusyError(f"the system graphs at {core.settings.system_path} are in use by another "
                                     f"process") from exc
        except StoreBusyError as exc:
            return f"the store is in use by another process: {exc.message}"
        return None

    def _run(self, run_id: int) -> dict[str, Any] | None:
        try:
            return self.core.state.get_run(run_id)
        except ConfigError:
            return None

    # -- one harvest ---------------------------------------------------------------------------
    def harvest(self, name: str, *, full: bool = False, resume: bool = False,
                progress: ProgressCallback | None = None) -> RunSummary:
        """One run of feed ``name``; never raises for what the partner does wrong."""
        core = self.core
        feed = core.state.get_feed(name)
        if feed.status == "paused":
            return skipped(name, "the feed is paused", f"`oogst feeds resume {name}` harvests it again")
        run = self.start_run(feed, full=full, resume=resume)
        if isinstance(run, RunSummary):
            return run
        return self._carry_out(run, progress)

    def _carry_out(self, run: RunHandle, progress: ProgressCallback | None = None) -> RunSummary:
        with run, logs.bind(feed=run.feed.name, run=run.run_id):
            try:
                self._pages(run, progress)
                if run.mode == "full":
                    self._sweep(run)
                self.verify(run)
            except StoreError as exc:
                return run.fail(self._store_gone() or exc)
            except (HarvestError, ConfigError) as exc:
                return run.fail(exc)
            except Exception as exc:  # a bug: the run says it failed instead of staying `running`
                log.exception("%s: run %s stopped unexpectedly", run.feed.name, run.run_id)
                return run.fail(OogstError(f"the run stopped on an internal error ({type(exc).__name__}: {exc})",
                                           feed=run.feed.name, hint="the log holds the details; please report it"))
            return run.finish(cursor=run.next_cursor)

    # -- consistency --------------------------------------------------------------------------------
    def verify(self, run: RunHandle) -> dict[str, Any]:
        """After a run: the store's files are still there, and the feed's published records
        agree with the store, the search index and the provenance; what is missing is
        written again (noted). A disagreement that remains is a StoreError. The feed's totals
        are compared, then the records this run wrote one by one; every record only when the
        totals differ: a nightly run costs what changed, not the size of the feed."""
        core, name = self.core, run.feed.name
        verify = getattr(core.store, "verify", None)
        if verify is not None:
            verify()
        written = sorted(run.written)
        found = core.views.check(name, repair=True, records=written, republish=lambda ids: self._republish(run, ids))
        if found["ok"]:
            return found
        after = core.views.check(name, records=written)
        if not after["ok"]:
            wrong = "; ".join(f"{kind} in the {where}: {', '.join(ids[:3])}{' …' if len(ids) > 3 else ''}"
                              for kind in ("missing", "extra") for where, ids in after[kind].items() if ids)
            raise StoreError(
                f"the store, the search index and the provenance disagree with the record index after the run: "
                f"{after['published']} records published, {after['graphs']} graphs in the store, {after['indexed']} "
                f"in the search index, {after['provenance']} in the provenance; {wrong}", feed=name,
                hint=f"`oogst check {name} --repair` writes what is missing again, from the archive")
        run.note(note("repaired", "the store, the search index or the provenance lacked records or held extra "
                                  "ones; written again: " + ", ".join(f"{k} {v}" for k, v in found["repaired"].items()),
                      missing={k: len(v) for k, v in found["missing"].items()},
                      extra={k: len(v) for k, v in found["extra"].items()}))
        return after

    def _store_gone(self) -> StoreError | None:
        """The clearer error when a store write failed because the store's files are gone."""
        try:
            if (verify := getattr(self.core.store, "verify", None)) is not None:
                verify()
        except StoreError as exc:
            return exc
        return None

    def _republish(self, run: RunHandle, source_ids: list[str]) -> int:
        """Publish these records again from their latest archived version; returns how many."""
        core, feed = self.core, run.feed
        records = [r for sid in source_ids if (r := core.archive.get(feed.name, sid)) is not None and not r.deleted]
        published = 0
        for chunk in chunks(records, core.settings.batch_size):
            result = core.batches.process(feed, core.feeds.profile_of(feed), chunk, run_id=run.run_id, remap=True)
            run.count({k: v for k, v in result.counts.items() if k != "harvested"})
            published += result.counts["published"]
        return published

    def check(self, name: str, *, repair: bool = False) -> dict[str, Any]:
        """Feed ``name``'s published records against the store, the search index and the
        provenance; ``repair`` fixes what disagrees, in a run of mode ``repair``."""
        feed = self.core.state.get_feed(name)
        found = self.core.views.check(name)
        if not repair or found["ok"]:  # a run of mode repair only when there is something to repair
            return found
        run = self.start_run(feed, mode="repair")
        if isinstance(run, RunSummary):
            raise ConflictError(run.error["message"] if run.error else "the feed is busy", feed=name,
                                hint="try again when the other process is done")
        with run:
            try:
                found = self.core.views.check(name, repair=True, republish=lambda ids: self._republish(run, ids))
                after = self.core.views.check(name) if not found["ok"] else found
            except StoreError as exc:
                run.fail(exc)
                raise
            run.finish(notes=[note("repair", "repaired: " + ", ".join(f"{k} {v}" for k, v in
                                                                       found.get("repaired", {}).items()))]
                       if not found["ok"] else [])
            return {**found, "ok_after": after["ok"]}

    def start_in_background(self, name: str, *, full: bool = False) -> int:
        """Open a run of feed ``name`` and carry it out in a thread of this process; returns
        the run's id at once. A paused feed, or one whose run is going on, is a ConflictError."""
        feed = self.core.state.get_feed(name)
        if feed.status == "paused":
            raise ConflictError("the feed is paused", feed=name, hint="resume it first")
        run = self.start_run(feed, full=full)
        if isinstance(run, RunSummary):
            raise ConflictError("a run of this feed is going on right now", feed=name,
                                hint="wait until it is done; its progress is on the feed's page")

        def work() -> None:
            try:
                self._carry_out(run)
            except Exception as exc:  # noqa: BLE001 - a thread has nobody to raise to: the run says it failed
                log.exception("%s: run %s stopped unexpectedly", name, run.run_id)
                try:
                    run.fail(OogstError(f"the run stopped unexpectedly: {exc}"))
                except Exception:  # noqa: BLE001
                    log.exception("%s: run %s could not be marked as failed", name, run.run_id)
                run._lock.close()

        thread = threading.Thread(target=work, name=f"oogst-run-{name}-{run.run_id}", daemon=True)
        with self._threads_lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return run.run_id

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the runs going on in the background; True when none is left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._threads_lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in threads)

    def _pages(self, run: RunHandle, progress: ProgressCallback | None) -> None:
        """Harvest, map and store the run's pages; each batch's derived views (search index,
        provenance) are written on a lane of their own while the next batch is stored. A kill
        may leave the views of the last batches behind the record index: a replayed page
        rewrites them (``_lost_outputs``), and so does the closing check of the next run."""
        core, feed = self.core, run.feed
        profile = core.feeds.profile_of(feed)
        batch: list[SourceRecord] = []
        done = 0
        with Lane(f"oogst-views-{feed.name}") as lane, core.batches.stream() as stream:
            previous = [r for r in core.state.runs(feed.name, limit=2) if r["id"] != run.run_id][:1]
            if previous and previous[0]["harvested"] >= WAIT_FOR_WORKERS:
                stream.start()  # a feed that had a batch's worth last time: the workers start during the first fetch

            def seen_in_run(ids: list[str]) -> Any:  # the batches still in flight count as seen
                stream.drain()
                return core.state.seen_in_run(feed.name, run.run_id, ids)

            harvester = harvest_registry.create(core.feeds.for_harvest(feed), core.http, contexts=core.contexts,
                                                seen_in_run=seen_in_run)

            def commit(records: list[SourceRecord], premapped: dict | None) -> None:
                nonlocal done
                result = core.batches.process(feed, profile, records, run_id=run.run_id, premapped=premapped,
                                              settle=lane.wait)
                run.count(result.counts)  # right after the record index: a kill in between replays the page
                run.written.update(r["source_id"] for r in result.rows)
                run.delivered(records, result.parts)
                lane.put(lambda: core.views.batch_stored(result.rows, result.graphs, result.docs))
                done += len(records)

            def store() -> None:
                records = list(batch)
                stream.put(feed, profile, records, run.run_id, lambda premapped: commit(records, premapped))
                batch.clear()

            def checkpoint(item: Checkpoint) -> None:
                run.checkpoint(item)
                run.next_cursor = item.cursor or run.next_cursor
                if progress:
                    total = item.info.get("completeListSize")
                    progress(feed.name, done, int(total) if total and str(total).isdigit() else None)

            for item in harvester.records(run.resume_from, run.cursor):
                if isinstance(item, SourceRecord):
                    batch.append(item)
                    if len(batch) >= core.settings.batch_size:
                        store()
                    continue
                if batch:  # a checkpoint: store what came before it, then remember where we are
                    store()
                stream.then(lambda item=item: checkpoint(item))
            if batch:
                store()

    def _sweep(self, run: RunHandle) -> None:
        """After a complete full run: withdraw the live records it did not deliver, unless
        the run delivered nothing or the count dropped more than ``max_drop_share``."""
        core, name = self.core, run.feed.name
        seen, unseen = core.state.sweep_candidates(name, run.run_id)
        if not unseen:
            return
        before = run.live_before if run.live_before is not None else seen + len(unseen)
        drop = (before - seen) / before if before else 0.0
        limit = core.settings.max_drop_share
        hint = (f"check the partner's feed; if it really dropped these records, allow it once: "
                f"OOGST_MAX_DROP_SHARE={min(1.0, round(drop + 0.05, 2))} oogst harvest {name} --full")
        if seen == 0:
            raise HarvestError(f"the full run delivered no records, so the {len(unseen)} record(s) it did not see "
                               f"were not withdrawn", feed=name, hint=hint)
        if drop > limit:
            raise HarvestError(f"the full run delivered {seen} records, {drop:.0%} fewer than the {before} before it "
                               f"(more than max_drop_share {limit:.0%}), so the {len(unseen)} record(s) it did not "
                               f"see were not withdrawn", feed=name, hint=hint)
        when = now()
        with core.barrier.shared():  # a backup sees the store and the state both before or both after
            core.store.drop_graphs([u["graph_iri"] for u in unseen])
            core.views.withdrawn([{**u, "feed": name, "state": "withdrawn", "run_id": run.run_id, "withdrawn_at": when,
                                   "record_id": record_id(name, u["source_id"])} for u in unseen])
            core.state.withdraw(name, [u["source_id"] for u in unseen], run.run_id)  # last: a crash sweeps again
        run.written.update(u["source_id"] for u in unseen)
        run.count({"withdrawn": len(unseen)})
        run.note(note("sweep", f"withdrew {len(unseen)} record(s) that the full run did not deliver "
                               f"({seen} delivered, {before} before)"))

    # -- remap ------------------------------------------------------------------------------------
    def remap(self, name: str, *, progress: ProgressCallback | None = None) -> RunSummary:
        """Map and validate feed ``name`` again from the raw archive, without the partner (e.g.
        after a mapping change): every archived record, changed or not; tombstones stay."""
        core = self.core
        feed = core.state.get_feed(name)
        run = self.start_run(feed, mode="remap")
        if isinstance(run, RunSummary):
            raise ConflictError(run.error["message"] if run.error else "the feed is busy", feed=name,
                                hint="try again when the other process is done")
        with run:
            profile = core.feeds.profile_of(feed)
            total = core.archive.stats(name)["records"]
            done = tombstones = 0
            try:
                for chunk in chunks(core.archive.latest(name), core.settings.batch_size):
                    known = core.state.known_records(name, [r.source_id for r in chunk])
                    live = [r for r in chunk
                            if not r.deleted and known.get(r.source_id, {}).get("state") != "withdrawn"]
                    tombstones += len(chunk) - len(live)
                    if live:
                        result = core.batches.process(feed, profile, live, run_id=run.run_id, remap=True, known=known)
                        core.views.batch_stored(result.rows, result.graphs, result.docs)
                        run.count(result.counts)
                    done += len(chunk)
                    if progress:
                        progress(name, done, total)
                self.verify(run)
            except StoreError as exc:
                return run.fail(exc)
            return run.finish(notes=[note("remap", f"re-mapped {done - tombstones} archived record(s) with mapping "
                                                   f"version {profile.mapping_version}; {tombstones} tombstone(s) kept")])


