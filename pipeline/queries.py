"""SPARQL for the public, and the service's health: what ``Oogst.query`` and ``Oogst.health`` do.

A query from outside (the API's ``/sparql``, ``oogst query``) is measured by the guard
(``store/guard.py``) before any engine sees it: too long, too deep, too many operators or
triple patterns is a ``QueryTooLargeError`` (API 400, CLI exit 2). ``SERVICE`` is refused
unless its endpoint is in the setting ``sparql_service_allow``; a failing service's answer is
never passed on (it is logged). Queries that oogst builds itself (the DCAT catalogue, the
service description) are ``trusted``: no guard, and they run in this process.

On the embedded store, ``oogst serve`` runs public queries in worker processes
(``store/workers.py``) that are killed at ``query_timeout``: :meth:`Queries.start_workers`
(the app's startup). Each worker reads the newest snapshot of the store, published after each
write session (``store/snapshots.py``); it reopens when a newer one is there.
Without workers (the CLI, a store in memory, a SPARQL server) queries run as the store runs
them (a thread abandoned at the timeout; a request timeout for a server).
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .. import __version__, iris
from ..errors import QueryError, QueryTimeoutError, StoreError
from ..harvest.policy import Outbound
from ..store import QueryResult, Store, open_store
from ..store.guard import QueryLimits, inspect
from ..store.workers import QueryPool

if TYPE_CHECKING:
    from .core import Oogst

log = logging.getLogger(__name__)


class Queries:
    def __init__(self, core: Oogst) -> None:
        self.core = core
        s = core.settings
        self.limits = QueryLimits(max_chars=s.sparql_max_chars, max_depth=s.sparql_max_depth,
                                  max_operators=s.sparql_max_operators,
                                  max_triple_patterns=s.sparql_max_triple_patterns)
        self.pool: QueryPool | None = None
        self._system_reader: Store | None = None

    @property
    def workers(self) -> int:
        n = self.core.settings.sparql_workers
        return n if n > 0 else min(16, max(8, 2 * (os.cpu_count() or 2)))

    def start_workers(self) -> bool:
        """Run public queries of the embedded store in killable worker processes (``oogst serve``);
        False when the store has no directory they could read (in memory, a server)."""
        store = self.core.store
        reader_path = getattr(store, "reader_path", None)
        if self.pool is not None or reader_path is None or reader_path() is None:
            return self.pool is not None
        self.pool = QueryPool(lambda: self.core.store.reader_path(), self.workers,  # type: ignore[attr-defined]
                              self.core.settings.query_timeout, self.core.settings.result_limit,
                              long_after=self.core.settings.sparql_long_after,
                              long_slots=self.core.settings.sparql_long_queries)
        log.info("public SPARQL queries run in %d worker processes", self.pool.size)
        return True

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self._system_reader is not None:
            self._system_reader.close()
            self._system_reader = None

    # -- queries ----------------------------------------------------------------------------------
    def run(self, sparql: str, *, trusted: bool = False, **options: Any) -> QueryResult:
        """See ``Oogst.query``."""
        named = [*(options.get("default_graphs") or []), *(options.get("named_graphs") or [])]
        prefix = iris.system_graph_prefix(self.core.settings.base_iri)
        system = [g for g in named if g.startswith(prefix)]
        if system and len(system) != len(named):
            raise QueryError(f"default-graph-uri/named-graph-uri mix system graphs ({prefix}…) and record graphs; "
                             "they live in different stores: query them in separate requests")
        if trusted:
            return (self._system_store() if system else self.core.store).query(sparql, **options)
        services = inspect(sparql, self.limits).services
        for endpoint in services:
            self._check_service(endpoint)
        try:
            if system:
                return self._system_store().query(sparql, **options)
            if self.pool is not None:
                return self.pool.query(sparql, **options)
            return self.core.store.query(sparql, **options)
        except QueryTimeoutError:
            raise
        except (QueryError, StoreError) as exc:
            if not services:
                raise
            # the remote endpoint's own error text (its internals) is never passed on
            log.warning("a query with SERVICE %s failed: %s", ", ".join(services), exc)
            raise QueryError(f"the query failed; it calls SERVICE {', '.join(f'<{s}>' for s in services)}, "
                             "which may have failed", hint="the server log has the details") from None

    def _check_service(self, endpoint: str) -> None:
        allowed = self.core.settings.sparql_service_allow
        if endpoint.startswith("?"):
            raise QueryError(f"SERVICE {endpoint} is refused: the endpoint of a SERVICE must be an IRI "
                             "listed in the setting sparql_service_allow")
        if endpoint not in allowed:
            raise QueryError(
                f"SERVICE <{endpoint}> is refused: this endpoint does not call other SPARQL services"
                + (" other than those in the setting sparql_service_allow" if allowed else ""),
                hint="query that endpoint yourself, or ask the operator to add it to sparql_service_allow")
        # the engine makes the request itself: the outbound policy checks the endpoint's addresses now
        problem = Outbound.from_settings(self.core.settings).resolved_problem(endpoint)
        if problem:
            raise QueryError(f"SERVICE <{endpoint}> is refused: {problem}",
                             hint="the operator lists the endpoint in sparql_service_allow; its address must "
                             "be public or in allowed_private_networks")

    def _system_store(self) -> Store:
        """The system store as a read-only query store, opened on first use."""
        if self._system_reader is None:
            from .seams import store_options

            settings = self.core.settings
            options = replace(store_options(settings), read_only=True,
                              graph_prefix=iris.system_graph_prefix(settings.base_iri))
            try:
                self._system_reader = open_store(settings.system_store_url, options)
            except StoreError as exc:
                raise StoreError(f"the system graphs cannot be read: {exc.message}", hint="they appear after a "
                                 "harvest, or with `oogst system rebuild`") from exc
        return self._system_reader

    # -- health -----------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """``ok``, or ``degraded`` with the reasons in ``problems``: the store and the state (or
        the search index) disagree on the published records, or every query worker is busy."""
        core = self.core
        records, graphs, indexed = core.state.counts()["published"], core.store.count_graphs(), core.search.count()
        problems = []
        # While a run writes, its batch is briefly in the store before the state and the index
        # (and readers see the store as of its last snapshot): counts that differ then are no fault.
        harvesting = self._harvesting() if graphs != records or indexed != records else []
        if graphs != records and not harvesting:
            problems.append(f"the store holds {graphs} record graph(s) but the state counts {records} published "
                            "record(s): `oogst check --repair` writes what is missing again")
        if indexed != records and not harvesting:
            problems.append(f"the search index holds {indexed} record(s) but the state counts {records} published "
                            "record(s): run `oogst index rebuild`")
        try:  # the embedded store's files in place (deleted under a running process, readers would go on)
            if (verify := getattr(core.store, "verify", None)) is not None:
                verify()
        except StoreError as exc:
            problems.append(f"{exc.message} — {exc.hint}" if exc.hint else exc.message)
        slots = self.pool.stats() if self.pool is not None else None
        if slots and slots["busy"] >= slots["workers"]:
            problems.append(f"every query worker ({slots['workers']}) is busy"
                            + (f", {slots['waiting']} request(s) waiting" if slots["waiting"] else ""))
        return {"status": "degraded" if problems else "ok", "records": records, "graphs": graphs,
                "indexed": indexed, "version": __version__, "queries": slots, "problems": problems,
                "harvesting": harvesting}

    def _harvesting(self) -> list[str]:
        """The feeds a run is writing now: its last run says running and its lock is held."""
        core, names = self.core, []
        for feed in core.state.list_feeds():
            last = core.state.last_run(feed.name)
            if last and last["status"] == "running":
                with core.lock.hold(feed.name) as mine:
                    if not mine:
                        names.append(feed.name)
        return names
