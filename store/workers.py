"""Public SPARQL queries in worker processes that can be killed.

pyoxigraph 0.5 cannot cancel a query: a thread that runs one runs it to its end, holding a
core and a query slot, and a crash in the engine takes its process down. So ``oogst serve``
runs the public queries of the embedded store in a small pool of processes (forked from a fork
server, each reading the store's newest snapshot, ``store/snapshots.py``):

- a query past ``timeout`` gets its worker killed (SIGKILL) and a ``QueryTimeoutError``; a
  started spare takes the slot at once, and a new spare starts in the background (milliseconds);
- a worker that dies in a query (a crash in the engine) is replaced the same way, and the
  caller gets a ``QueryError``, never a dead server;
- each request names the store folder (``path()``, asked per query); a worker reads its
  newest snapshot (``open_snapshot``, reopened when a writer has published a newer one);
- a caller waits for a free worker until the deadline, then gets a ``QueryTimeoutError``
  ("busy"); :meth:`stats` says how many are busy and waiting (``/health``);
- a *long lane* keeps the pool for everyone: a query still running after ``long_after``
  seconds goes on only while fewer than ``long_slots`` others do (by default half the
  workers); otherwise it is stopped at once ("busy with long queries"). So costly queries,
  from however many clients, never hold more than that share of the workers, and short
  queries always find one (the per-client limit is the API's, ``api/sparql.py``). A worker in
  the long lane runs at the lowest priority, so the short queries also get the CPU first.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError, QueryTimeoutError, StoreError
from .base import QueryResult
from .results import execute
from .snapshots import open_snapshot

log = logging.getLogger(__name__)

# Workers are forked from a fork server, a fresh single-threaded process that has imported this
# module (never from the serving process, which runs threads and RocksDB): a worker is ready in
# milliseconds, and a killed one costs little CPU to replace while the others serve.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])  # with everything a worker runs: it imports nothing later
_NICE = 10  # the workers' scheduling priority below the server's
_LONG_NICE = 19  # a worker running a long query: below the short ones


def _work(conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    """The worker's loop: (path, query, options) in, a result or an error out."""
    os.nice(_NICE)  # the server's own process goes first: a long query slows the answers of no one else

    empty = ox.Store()
    while True:
        try:
            path, sparql, options = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            snap = open_snapshot(path)  # the newest snapshot (cached; held while it is read)
            result = execute(snap.store if snap is not None else empty, sparql, **options)
            conn.send(("ok", result.kind, result.body, result.media_type, result.truncated))
        except QueryError as exc:
            conn.send(("error", type(exc).__name__, exc.message, exc.hint))
        except Exception as exc:  # noqa: BLE001 - handed to the parent as a message
            conn.send(("error", "StoreError", f"the query failed: {exc}", None))


class _Worker:
    def __init__(self) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_work, args=(child,), name="oogst-query", daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def _renice(worker: _Worker, nice: int) -> bool:
    try:
        os.setpriority(os.PRIO_PROCESS, worker.process.pid, nice)
        return True
    except OSError:
        return False


class QueryPool:
    """``size`` query worker processes over the read-only store that ``path()`` names."""

    def __init__(self, path: Callable[[], Path | str], size: int, timeout: float, limit: int, *,
                 long_after: float = 0.0, long_slots: int = 0) -> None:
        self.path, self.size, self.timeout, self.limit = path, max(1, size), timeout, limit
        self.long_after = long_after  # 0: no long lane
        self.long_slots = long_slots if long_slots > 0 else max(1, self.size // 2)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._busy = 0
        self._long = 0
        self._waiting = 0
        self._closed = False
        for _ in range(self.size):
            self._idle.put(_Worker())
        self._spares: queue.Queue[_Worker] = queue.Queue()  # started, to replace killed ones at once
        for _ in range(self.long_slots):
            self._spares.put(_Worker())

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"workers": self.size, "busy": self._busy, "waiting": self._waiting, "long": self._long}

    def query(self, sparql: str, **options: Any) -> QueryResult:
        """Run ``sparql`` in a worker (options as for ``embedded.execute``); at most ``timeout``
        seconds from the call, waiting for a worker included."""
        deadline = time.monotonic() + self.timeout if self.timeout > 0 else None
        with self._lock:
            self._waiting += 1
        try:
            worker = self._idle.get(timeout=self.timeout if deadline else None)
        except queue.Empty:
            raise QueryTimeoutError(f"the store is busy: every query worker was taken for {self.timeout:g} s",
                                    hint="earlier queries run long; try again shortly") from None
        finally:
            with self._lock:
                self._waiting -= 1
        with self._lock:
            self._busy += 1
        healthy = long = False
        try:
            worker.conn.send((str(self.path()), sparql, {**options, "limit": self.limit}))
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if self.long_after > 0 and (left is None or left > self.long_after) \
                    and not worker.conn.poll(self.long_after):
                long = self._enter_long_lane()
                _renice(worker, _LONG_NICE)  # short queries on the other workers go first
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not worker.conn.poll(left):
                log.warning("query stopped after %g s: its worker is killed and replaced", self.timeout)
                raise QueryTimeoutError(f"the query ran longer than {self.timeout:g} s and was stopped",
                                        hint="make it more selective, add a LIMIT, or raise the setting "
                                        "query_timeout")
            answer = worker.conn.recv()
            healthy = True
        except (EOFError, OSError) as exc:
            log.error("a query worker died in a query (exit code %s): replacing it", worker.process.exitcode)
            raise QueryError("the query stopped the process that ran it; it was not answered",
                             hint="the query may be too large or too deep for the engine: simplify it") from exc
        finally:
            if long and healthy:
                healthy = _renice(worker, _NICE)  # raising a priority may need a privilege: else a fresh worker
            with self._lock:
                self._busy -= 1
                self._long -= long
            if healthy and not self._closed:
                self._idle.put(worker)
            else:
                worker.kill()
                if not self._closed:
                    self._replace()
        if answer[0] == "ok":
            return QueryResult(*answer[1:])
        _, name, message, hint = answer
        raise (StoreError if name == "StoreError" else QueryError)(message, hint=hint)

    def _enter_long_lane(self) -> bool:
        """Let a query that runs past ``long_after`` go on, when the long lane has room."""
        with self._lock:
            if self._long < self.long_slots:
                self._long += 1
                return True
        log.warning("query stopped after %g s: %d longer one(s) run already", self.long_after, self.long_slots)
        raise QueryTimeoutError(
            f"the endpoint is busy with long queries: this one ran past {self.long_after:g} s while "
            f"{self.long_slots} other long one(s) ran, and was stopped",
            hint="try again shortly, or make the query more selective (a LIMIT, fewer unbound patterns)")

    def _replace(self) -> None:
        """A killed worker's place: a started spare at once (a fresh process takes a while to
        start, and several queries may be stopped together), and a new spare in the background."""
        try:
            self._idle.put(self._spares.get_nowait())
            into = self._spares
        except queue.Empty:
            into = self._idle

        def start() -> None:
            if not self._closed:
                into.put(_Worker())
            if self._closed:  # closed while it started
                self.close()

        threading.Thread(target=start, name="oogst-query-respawn", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        for workers in (self._idle, self._spares):
            while True:
                try:
                    workers.get_nowait().kill()
                except queue.Empty:
                    break
