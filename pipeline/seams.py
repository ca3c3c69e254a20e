"""The seams of the core (state, archive, store, search index, system graphs, feed lock,
HTTP client, JSON-LD contexts): opened on first use, or handed in (tests, a second
implementation), and closed by the core that opened them. :class:`Oogst` is a ``Seams``."""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Any, Self

from .. import iris
from ..errors import StoreError
from ..harvest.http import HttpClient, HttpPolicy
from ..jsonld import ContextCache
from ..mapping import MAPPING_VERSION
from ..publish.provenance import SystemGraphs
from ..publish.search import SearchIndex
from ..settings import Settings
from ..store import Store, StoreOptions, open_store
from ..store.archive import Archive, open_archive
from ..store.lock import FeedLock, open_lock
from ..store.state import StateStore, open_state

log = logging.getLogger(__name__)


def store_options(settings: Settings, env: dict[str, str] | None = None) -> StoreOptions:
    """What a store needs from the settings; the account only from the environment."""
    env = dict(os.environ) if env is None else env
    return StoreOptions(graph_prefix=iris.graph_prefix(settings.base_iri), query_timeout=settings.query_timeout,
                        result_limit=settings.result_limit, retries=settings.store_retries,
                        backoff=settings.store_backoff, timeout=settings.store_timeout,
                        write_lock_timeout=settings.store_lock_timeout,
                        user=env.get("OOGST_STORE_USER") or None, password=env.get("OOGST_STORE_PASSWORD") or None)


class Seams:
    """The seams' properties; the attributes (``_state`` … ``_opening``) are set by the core."""

    @property
    def state(self) -> StateStore:
        if self._state is None:
            self._state = open_state(self.settings.state or self.settings.state_path)
            self._owned.add("_state")
            self.feeds.adopt_profile_files(self.settings.profiles_path)
        return self._state

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = open_archive(self.settings.state or self.settings.archive_path)
            self._owned.add("_archive")
        return self._archive

    @property
    def store(self) -> Store:
        """The RDF store; read-only for a read-only core where the store allows it."""
        with self._opening:  # threads ask at once (the API's, the night's): one store per process
            if self._store is None:
                options = store_options(self.settings)
                if self.read_only:
                    try:
                        self._store = open_store(self.settings.store_url, replace(options, read_only=True))
                    except StoreError:  # no store yet: a writable open creates an empty one
                        log.debug("read-only open failed; opening for writing", exc_info=True)
                if self._store is None:
                    self._store = open_store(self.settings.store_url, options)
                self._owned.add("_store")
        return self._store

    def store_writes(self) -> AbstractContextManager[Any]:  # writes in it reach readers together
        return getattr(self.store, "writing", nullcontext)()

    @property
    def search(self) -> SearchIndex:
        """The search index beside the store, fed as records are stored."""
        if self._search is None:
            if self.settings.shared_state:  # beside the state in PostgreSQL (the scale extra)
                from ..publish.search_pg import PostgresSearchIndex

                self._search = PostgresSearchIndex(self.settings.state)  # type: ignore[assignment]
            else:
                self._search = SearchIndex(self.settings.search_path)
            self._owned.add("_search")
        return self._search

    @property
    def system(self) -> SystemGraphs:
        """The system store (provenance and dataset graphs), apart from the record graphs."""
        with self._opening:
            if self._system is None:
                writer = open_store(self.settings.system_store_url, store_options(self.settings))  # shared as the store
                self._system = SystemGraphs(writer, self.settings.base_iri, MAPPING_VERSION)
                self._owned.add("_system")
        return self._system

    @property
    def lock(self) -> FeedLock:
        if self._lock is None:
            self._lock = open_lock(self.settings.state, self.settings.data_dir / "locks")
        return self._lock

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = HttpClient(HttpPolicy.from_settings(self.settings))
        if getattr(self._http, "on_retry", False) is None:
            self._http.on_retry = self.metrics.retried  # retries by kind, for /metrics
        return self._http

    @property
    def contexts(self) -> ContextCache:
        """JSON-LD contexts: ``contexts_dir``, then the data dir's cache, then HTTP when
        ``contexts_fetch`` allows."""
        if self._contexts is None:
            fetch = (lambda url: self.http.get(url).content) if self.settings.contexts_fetch else None
            self._contexts = ContextCache(self.settings.contexts_dir or None, self.settings.contexts_cache_path, fetch,
                                          hosts=self.settings.context_hosts)
        return self._contexts

    def close(self) -> None:
        """Close what this core opened (what was handed in belongs to the caller), after the
        runs going on in the background (at most a minute)."""
        if not self.runs.wait(timeout=60):
            log.warning("closing while a background run is still going on")
        self.queries.close()
        for name in sorted(self._owned):
            resource = getattr(self, name)
            if resource is not None:
                resource.close()
                setattr(self, name, None)
        self._owned.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
