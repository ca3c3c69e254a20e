"""Many feeds at once: ``oogst harvest --all --jobs N``, the operator's night.

:meth:`Night.run` carries out the runs of several feeds in ``jobs`` threads of this process,
over the core's shared parts:

- **Politeness across feeds**: the feeds share one HTTP client, whose host gate lets each
  partner host have one request in flight at a time, with ``http_delay`` between two
  (``harvest/http.py``). The next feed to start is one whose host has the fewest runs going
  on, so the slots go to different partners first.
- **Deadlines**: with ``run_deadline`` (``--deadline``), a feed's requests wait, connect and
  read no longer than its run has left; past it the run fails with a note saying so, keeps
  its checkpoint, and the other feeds go on.
- **Nothing stops the others**: a feed that fails, or breaks in a way nobody foresaw, gives a
  failed summary; the rest run on.
- **Interrupted runs**: :meth:`Night.mark_interrupted` marks runs still ``running`` whose
  process is gone (their feed's lock is free) as ``interrupted``; every harvest does it first.

Each feed's progress is reported through ``progress(feed, event, done, total)`` from the
worker threads; event is ``waiting``, ``running``, then the run's status (``complete``,
``failed``, ``skipped``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import OogstError
from .run import RunSummary

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)

NightProgress = Callable[[str, str, int, "int | None"], None]  # feed, event, records done, total


def host_of(url: str) -> str:
    """The partner host a feed's requests go to (a files feed on disk: its own "host")."""
    return urlsplit(url).netloc or "(files)"


class Night:
    def __init__(self, core: Oogst) -> None:
        self.core = core

    def mark_interrupted(self) -> list[str]:
        """Mark the runs still ``running`` whose process is gone as ``interrupted``; the feeds."""
        marked = []
        state = self.core.state
        for feed in state.list_feeds():
            last = state.last_run(feed.name)
            if not last or last["status"] != "running":
                continue
            with self.core.lock.hold(feed.name) as held:
                if held and state.interrupt_runs(feed.name):
                    marked.append(feed.name)
        if marked:
            log.warning("runs interrupted earlier (their process stopped): %s", ", ".join(marked))
        return marked

    def run(self, names: list[str], *, jobs: int = 1, full: bool = False, resume: bool = False,
            deadline: float | None = None, progress: NightProgress | None = None) -> list[RunSummary]:
        """A run of each feed in ``names``, ``jobs`` at a time; the summaries in ``names`` order."""
        self.mark_interrupted()
        core = self.core
        for seam in (core.state, core.archive, core.store, core.search, core.system, core.http, core.contexts):
            assert seam is not None  # opened here, once: the core opens its seams lazily, not thread-safely
        hosts = {name: host_of(core.state.get_feed(name).url) for name in names}
        pending = list(names)
        running: Counter[str] = Counter()
        results: dict[str, RunSummary] = {}
        lock = threading.Lock()
        for name in names:
            if progress:
                progress(name, "waiting", 0, None)

        def take() -> str | None:
            with lock:
                if not pending:
                    return None
                name = min(pending, key=lambda n: running[hosts[n]])  # first of the least busy hosts
                pending.remove(name)
                running[hosts[name]] += 1
                return name

        def worker() -> None:
            while (name := take()) is not None:
                try:
                    results[name] = self._one(name, full=full, resume=resume, deadline=deadline, progress=progress)
                finally:
                    with lock:
                        running[hosts[name]] -= 1
                if progress:
                    harvested = results[name].counts.get("harvested", 0)
                    progress(name, results[name].status, harvested, harvested)

        threads = [threading.Thread(target=worker, name=f"oogst-night-{i}", daemon=True)
                   for i in range(max(1, min(jobs, len(names))))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [results[name] for name in names]

    def _one(self, name: str, *, full: bool, resume: bool, deadline: float | None,
             progress: NightProgress | None) -> RunSummary:
        core = self.core
        started = time.monotonic()
        if progress:
            progress(name, "running", 0, None)
        if deadline:
            core.http.deadlines[name] = (started + deadline, deadline)
        try:
            return core.runs.harvest(name, full=full, resume=resume, progress=(
                (lambda feed, done, total: progress(feed, "running", done, total)) if progress else None))
        except OogstError as exc:  # the run could not start (a missing profile, a store that cannot open)
            return self._failed(name, exc.as_dict(), started)
        except Exception as exc:  # noqa: BLE001 - one feed's surprise must not stop the night
            log.exception("%s: the run stopped unexpectedly", name)
            return self._failed(name, {"error": type(exc).__name__, "code": "failed",
                                       "message": f"the run stopped unexpectedly: {exc}"}, started)
        finally:
            core.http.deadlines.pop(name, None)

    def _failed(self, name: str, error: dict[str, Any], started: float) -> RunSummary:
        """A failed summary; the feed's run that was left ``running`` is marked failed."""
        state = self.core.state
        last = state.last_run(name)
        run_id = None
        if last and last["status"] == "running":
            with self.core.lock.hold(name) as held:
                if held:
                    state.finish_run(last["id"], "failed", error=error.get("message"))
                    run_id = last["id"]
        return RunSummary(name, run_id, "failed", error=error, seconds=time.monotonic() - started)


def report(summaries: list[RunSummary], *, started: str, finished: str, seconds: float, jobs: int,
           hosts: dict[str, str]) -> dict[str, Any]:
    """The night as JSON (``--report FILE``): every run's counts, notes and errors."""
    return {"started": started, "finished": finished, "seconds": round(seconds, 2), "jobs": jobs,
            "feeds": len(summaries), "failed": sum(s.status == "failed" for s in summaries),
            "skipped": sum(s.status == "skipped" for s in summaries),
            "runs": [{**s.as_dict(), "host": hosts.get(s.feed)} for s in summaries]}
