"""Feed runs on Celery workers (the ``scale`` extra): several machines harvest and re-map, with
Redis as the broker and the state, archive, search index and feed locks in PostgreSQL.

The unit of work is the one that exists on one machine: a feed run (``oogst.run_feed``), and
for a large re-map a chunk of the archive (``oogst.remap_chunk``). Nothing else is new:

- Tasks are acknowledged late (``acks_late``, ``reject_on_worker_lost``): a worker killed
  mid-run leaves its task unacknowledged, and Redis hands it to another worker once the
  ``queue_visibility_timeout`` has passed. That worker takes the feed's lock (the killed one's
  PostgreSQL session went with it) and the run carries on from its checkpoint, exactly as
  after ``kill -9`` on one machine. Records of the batch that was in flight are processed
  again: the store replaces their graphs and the state and event log see the same hashes, so
  nothing is stored twice.
- A task redelivered while its run is still going (a run longer than the visibility timeout)
  finds the feed locked and tries again later; a task whose run completed is marked done in
  Redis, so a late copy of it does nothing.
- Politeness across workers: one request at a time per partner host, through a Redis lease
  per host (it expires if its holder dies) and the time of the host's last request.
- ``remap --queue`` opens a remap run, splits the archived records into ranges of source ids
  and sends one task per range; a range's counts are added once, and the task that completes
  the last range finishes the run.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from ..errors import ConfigError, OogstError
from ..records import chunks
from ..settings import Settings
from .run import RunSummary, note

log = logging.getLogger(__name__)

QUEUE = "oogst"
BUSY_RETRY = 10.0  # seconds before a task whose feed is being run elsewhere tries again
DONE_TTL = 7 * 24 * 3600  # how long Redis remembers a completed task
BUSY = "another process is harvesting this feed right now"  # the skipped run's message (pipeline/run.py)


def _require() -> None:
    try:
        import celery  # noqa: F401
        import redis  # noqa: F401
    except ImportError:
        raise ConfigError("the queue needs Celery and Redis", hint="pip install 'oogst[scale]'") from None


def check(settings: Settings) -> None:
    """Refuse a queue that could not work: workers share nothing but the state and the store."""
    _require()
    if not settings.queue:
        raise ConfigError("no queue: set OOGST_QUEUE (or the setting queue) to the broker, e.g. redis://host:6379/0")
    if not settings.shared_state:
        raise ConfigError("the queue needs the state in PostgreSQL, shared by the workers",
                          hint="set OOGST_STATE=postgresql://… on every machine (docs/deployment.md)")


def celery_app(settings: Settings) -> Any:
    """The Celery application of the broker in ``settings.queue`` (Redis), with the tasks."""
    _require()
    from celery import Celery

    app = Celery("oogst", broker=settings.queue, backend=settings.queue, set_as_current=False)
    restore = max(1, min(10, int(settings.queue_visibility_timeout // 4)))
    app.conf.update(
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_default_queue=QUEUE, task_serializer="json", result_serializer="json", accept_content=["json"],
        result_expires=DONE_TTL, broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_transport_options={"visibility_timeout": settings.queue_visibility_timeout,
                                  "unacked_restore_interval": restore, "unacked_restore_throttle": 1},
    )
    app.task(name="oogst.run_feed", bind=True, max_retries=None)(_run_feed)
    app.task(name="oogst.remap_chunk", bind=True, max_retries=None)(_remap_chunk)
    return app


# -- the enqueuing side ------------------------------------------------------------------------
def enqueue_runs(settings: Settings, names: list[str], *, full: bool = False, resume: bool = False) -> list[dict]:
    """One ``oogst.run_feed`` task per feed, unless one waits already (``harvest --due --queue``
    from cron every few minutes sends each due feed once); ``{"feed", "task"}`` per feed
    (``task`` None: one was queued already, ``queued`` says which)."""
    check(settings)
    app, redis = celery_app(settings), _redis(settings)
    out = []
    for name in names:
        task_id = str(uuid.uuid4())
        key = f"oogst:queued:{name}"
        if not redis.set(key, task_id, nx=True, ex=int(2 * settings.queue_visibility_timeout)):
            out.append({"feed": name, "task": None, "queued": (redis.get(key) or b"").decode()})
            continue
        app.send_task("oogst.run_feed", args=[name], kwargs={"full": full, "resume": resume}, queue=QUEUE,
                      task_id=task_id)
        out.append({"feed": name, "task": task_id})
    return out


def wait(settings: Settings, tasks: list[dict], timeout: float | None = None) -> list[RunSummary]:
    """The summaries of enqueued runs, once their workers are done."""
    app = celery_app(settings)
    out = []
    for item in tasks:
        if item["task"] is None:
            out.append(RunSummary(item["feed"], None, "skipped", error={
                "message": f"a run of the feed is queued already (task {item['queued']})"}))
            continue
        data = app.AsyncResult(item["task"]).get(timeout=timeout, propagate=False)
        if not isinstance(data, dict):
            data = {"feed": item["feed"], "run": None, "status": "failed", "error": {"message": str(data)}}
        out.append(_summary(data))
    return out


def _summary(data: dict[str, Any]) -> RunSummary:
    from ..records import RUN_COUNTS

    return RunSummary(data["feed"], data.get("run"), data["status"], counts={k: int(data.get(k) or 0) for k in RUN_COUNTS},
                      error=data.get("error"), seconds=float(data.get("seconds") or 0), mode=data.get("mode"),
                      notes=data.get("notes") or [])


def enqueue_remap(core: Any, name: str, *, chunk: int = 5000) -> dict[str, Any]:
    """Open a remap run of feed ``name`` and send one ``oogst.remap_chunk`` per ``chunk``
    archived records: ``{"feed", "run", "chunks", "tasks"}``."""
    settings = core.settings
    check(settings)
    core.state.get_feed(name)
    split = getattr(core.archive, "split", None)
    if split is None:
        raise ConfigError("remap --queue needs the archive in PostgreSQL", hint="set OOGST_STATE=postgresql://…")
    with core.lock.hold(name) as free:
        if not free:
            raise ConfigError(BUSY, feed=name, hint="try again when it is done")
        run_id = core.state.start_run(name, "remap", None)
    ranges = split(name, chunk)
    redis = _redis(settings)
    redis.set(f"oogst:remap:{run_id}:chunks", len(ranges), ex=DONE_TTL)
    app = celery_app(settings)
    tasks = [app.send_task("oogst.remap_chunk", args=[name, run_id, i, start, stop], queue=QUEUE).id
             for i, (start, stop) in enumerate(ranges)]
    return {"feed": name, "run": run_id, "chunks": len(ranges), "tasks": tasks}


def wait_run(core: Any, run_id: int, *, timeout: float = 3600, poll: float = 0.5) -> RunSummary:
    """The summary of a run that workers carry out (a queued remap), once it is no longer running."""
    deadline = time.monotonic() + timeout
    while True:
        row = core.state.get_run(run_id)
        if row["status"] != "running" or time.monotonic() > deadline:
            from ..records import RUN_COUNTS

            return RunSummary(row["feed"], run_id, row["status"], counts={k: row[k] for k in RUN_COUNTS},
                              mode=row["mode"], notes=row["notes"])
        time.sleep(poll)


# -- the worker side ---------------------------------------------------------------------------------
_core: Any = None
_settings: Settings | None = None  # of the worker started by run_worker (else from the environment)
_core_lock = threading.Lock()


def worker_core() -> Any:
    """This worker's core (one per process, from its own settings and environment), whose HTTP
    client keeps to the hosts' leases in Redis."""
    global _core
    with _core_lock:
        if _core is None:
            from ..harvest.http import HttpClient, HttpPolicy
            from .core import Oogst

            settings = _settings or Settings.load()[0]
            check(settings)
            policy = HttpPolicy.from_settings(settings)
            gate = RedisHostGate(_redis(settings), lease=policy.connect_timeout + policy.read_timeout + 5)
            _core = Oogst(settings, http=HttpClient(policy, gate=gate))
        return _core


def _redis(settings: Settings) -> Any:
    import redis

    return redis.Redis.from_url(settings.queue)


def _run_feed(task: Any, name: str, full: bool = False, resume: bool = False) -> dict[str, Any]:
    core = worker_core()
    redis = _redis(core.settings)
    done = f"oogst:done:{task.request.id}"
    if redis.exists(done):  # a late copy of a task whose run completed
        return {"feed": name, "run": None, "status": "skipped", "error": None,
                "notes": [note("done", "this task's run completed already")]}
    # who runs it; a task that ran before (its worker died) carries on with its run first
    before = redis.set(f"oogst:worker:{task.request.id}", task.request.hostname or "", ex=DONE_TTL, get=True)
    summary = core.harvest(name, resume=True) if before and not resume else None
    if summary is None or (summary.status == "skipped" and summary.run_id is None and not summary.error):
        summary = core.harvest(name, full=full, resume=resume)  # nothing to resume: the run as asked
    if summary.status == "skipped" and summary.run_id is None and (summary.error or {}).get("message") == BUSY:
        # another worker runs the feed (or a copy of this very task): carry on when it is free
        raise task.retry(countdown=BUSY_RETRY)
    redis.set(done, summary.status, ex=DONE_TTL)
    if (redis.get(f"oogst:queued:{name}") or b"").decode() == task.request.id:
        redis.delete(f"oogst:queued:{name}")  # the feed may be queued again
    return summary.as_dict()


def _remap_chunk(task: Any, name: str, run_id: int, index: int, start: str | None, stop: str | None) -> dict:
    core = worker_core()
    redis = _redis(core.settings)
    key = f"oogst:remap:{run_id}"
    feed = core.state.get_feed(name)
    profile = core.feeds.profile_of(feed)
    counts: dict[str, int] = {}
    done = tombstones = 0
    try:
        for chunk in chunks(core.archive.latest(name, start=start, stop=stop), core.settings.batch_size):
            known = core.state.known_records(name, [r.source_id for r in chunk])
            live = [r for r in chunk if not r.deleted and known.get(r.source_id, {}).get("state") != "withdrawn"]
            tombstones += len(chunk) - len(live)
            done += len(chunk)
            if live:
                result = core.batches.process(feed, profile, live, run_id=run_id, remap=True, known=known)
                core.views.batch_stored(result.rows, result.graphs)
                for k, v in result.counts.items():
                    counts[k] = counts.get(k, 0) + v
    except OogstError as exc:
        core.state.finish_run(run_id, "failed", error=f"chunk {index}: {exc}")
        raise
    if redis.sadd(f"{key}:done", index):  # counted once, also when the chunk was redelivered
        core.state.add_run_counts(run_id, **{k: v for k, v in counts.items() if v})
        redis.incrby(f"{key}:records", done - tombstones)
        redis.incrby(f"{key}:tombstones", tombstones)
        redis.expire(f"{key}:done", DONE_TTL)
    if redis.scard(f"{key}:done") >= int(redis.get(f"{key}:chunks") or 0) and redis.set(f"{key}:finished", 1,
                                                                                          nx=True, ex=DONE_TTL):
        records, kept = int(redis.get(f"{key}:records") or 0), int(redis.get(f"{key}:tombstones") or 0)
        core.state.finish_run(run_id, "complete", notes=[note(
            "remap", f"re-mapped {records} archived record(s) with mapping version {profile.mapping_version} on"
                     f" the workers ({redis.get(f'{key}:chunks').decode()} chunk(s)); {kept} tombstone(s) kept")])
        core.views.run_finished(core.state.get_run(run_id))
    return {"feed": name, "run": run_id, "chunk": index, "records": done, **counts}


class _Lease:
    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def acquire(self, timeout: float = -1) -> bool:
        return bool(self._lock.acquire(blocking=True, blocking_timeout=None if timeout < 0 else timeout))

    def release(self) -> None:
        from redis.exceptions import LockError

        try:
            self._lock.release()
        except LockError:  # the lease ran out meanwhile (a request longer than the lease)
            log.warning("a host lease expired before its request ended")


class RedisHostGate:
    """One request at a time per host across every worker: a Redis lock per host, held while a
    request is made and expiring after ``lease`` seconds if its holder dies, and the time of the
    host's last request for the pause between requests (``http_delay``)."""

    def __init__(self, redis: Any, *, lease: float) -> None:
        self.redis, self.lease = redis, lease

    def lock(self, host: str) -> _Lease:
        """The host's lease, taken with ``acquire(timeout)`` and given back with ``release()``
        (the face of a ``threading.Lock``, which the HTTP client's own gate hands out)."""
        return _Lease(self.redis.lock(f"oogst:host:{host}", timeout=self.lease, sleep=0.02))

    def wait(self, host: str, delay: float) -> None:
        last = self.redis.get(f"oogst:host-last:{host}")
        if last is not None and delay > 0:
            pause = float(last) + delay - time.time()
            if pause > 0:
                time.sleep(pause)

    def done(self, host: str) -> None:
        self.redis.set(f"oogst:host-last:{host}", repr(time.time()), ex=3600)


def run_worker(settings: Settings, *, concurrency: int = 1, name: str | None = None, loglevel: str = "INFO") -> None:
    """Start a worker (blocks): one feed run at a time per process (``concurrency`` > 1: threads)."""
    global _settings
    check(settings)
    _settings = settings
    app = celery_app(settings)
    argv = ["worker", f"--loglevel={loglevel}", f"--queues={QUEUE}", "--without-gossip", "--without-mingle",
            f"--concurrency={concurrency}", f"--pool={'solo' if concurrency == 1 else 'threads'}"]
    if name:
        argv.append(f"--hostname={name}")
    app.worker_main(argv)
