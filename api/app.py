"""The web API: ``create_app(settings)`` builds a FastAPI app over the store, the state and
the search index.

No import-time globals: everything the routes use hangs off ``app.state`` (see ``deps``).
A store, state or search index passed in belongs to the caller; whatever the app opens
itself (from ``settings.store_url``, ``state_path`` and ``search_path``) it opens at startup
and closes at shutdown. An empty search index over a state with published records is
built at startup (``search.SearchIndex.rebuild``); ``oogst index rebuild`` does it by hand.
Run the app through ``oogst serve``, or with
``uvicorn --factory oogst.api.app:from_environment`` (settings from ``oogst.toml`` and
``OOGST_*``; ``--workers N`` needs a store that several processes can open).

Routes: ``/`` (index), ``/health``, ``/sparql`` (SPARQL 1.1 Protocol, read-only, and the
query page), ``/records`` (search), ``/records/{id}``, ``/datasets`` (DCAT), ``/feeds``,
Linked Data redirects for minted IRIs (``/id/…``, ``/graph/…``, ``/resolve``), the JSON-LD
contexts, static files at ``/static``; OpenAPI at ``/docs`` and ``/openapi.json``. Errors
are JSON: ``{"error": …, "message": …}`` (see ``problems``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..errors import StoreError
from ..publish.search import SearchIndex
from ..settings import Settings
from ..store import Store, open_store
from ..store.state import State
from . import datasets, feeds, linkeddata, records, sparql
from .deps import BaseUrlDep, SearchDep, StateDep, StoreDep
from .caching import BodyCache
from .jsonld import DCAT_CONTEXT_FILE, Compactor, load_context
from .pages import STATIC_DIR, Pages
from .problems import install_handlers

log = logging.getLogger(__name__)

DESCRIPTION = """\
Linked open data of Flemish cultural heritage, harvested from partner collections and
mapped to OSLO. Every published record is one named graph.

- **SPARQL** at `/sparql` (SPARQL 1.1 Protocol, read-only; the default graph is the union
  of all record graphs). Browsers get a query page.
- **Records** at `/records`: full-text search and filters (feed, data provider, object
  name, rights, image, modified since), providers interleaved, cursor pagination with
  `Link` headers; `/records/{id}`: one record as compact JSON-LD (OSLO context at
  `/context.jsonld`), Turtle, N-Triples, RDF/XML or HTML, with `ETag` and `Last-Modified`.
- **Linked Data**: minted IRIs (`/id/object/…`, `/graph/…`) answer `303 See Other` with
  their record; `/resolve?iri=…` finds the record of any object IRI.
- **Datasets** at `/datasets`: the DCAT catalogue, one dataset per feed.
- **Feeds** at `/feeds`: the partners' sources, their status and their last harvest.

Errors are JSON objects with at least `error` (a stable name) and `message`.
"""

service = APIRouter(tags=["service"])


class Health(BaseModel):
    status: str
    records: int
    graphs: int
    indexed: int
    version: str


@service.get("/", summary="Index of the API")
def index(base_url: BaseUrlDep) -> dict[str, Any]:
    return {
        "name": "oogst",
        "version": __version__,
        "links": {
            "sparql": f"{base_url}/sparql",
            "records": f"{base_url}/records",
            "datasets": f"{base_url}/datasets",
            "feeds": f"{base_url}/feeds",
            "health": f"{base_url}/health",
            "docs": f"{base_url}/docs",
            "openapi": f"{base_url}/openapi.json",
        },
    }


@service.get("/health", summary="Liveness and size: published records and graphs in the store")
def health(state: StateDep, store: StoreDep, search: SearchDep) -> Health:
    return Health(
        status="ok",
        records=state.counts()["published"],
        graphs=store.count_graphs(),
        indexed=search.count(),
        version=__version__,
    )


def create_app(settings: Settings, *, store: Store | None = None, state: State | None = None,
               search: SearchIndex | None = None) -> FastAPI:
    """The API over ``store``, ``state`` and ``search``, or over the ones ``settings`` names."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened: list[Store | State | SearchIndex] = []
        if app.state.store is None:
            app.state.store = _open_store(settings)
            opened.append(app.state.store)
        if app.state.state_db is None:
            app.state.state_db = State(settings.state_path)
            opened.append(app.state.state_db)
        if app.state.search is None:
            app.state.search = SearchIndex(settings.search_path)
            opened.append(app.state.search)
        log.info("API over store %s, state %s and search index %s",
                 settings.store_url if store is None else type(store).__name__, app.state.state_db.path,
                 app.state.search.path)
        try:
            await run_in_threadpool(_fill_index, app.state.search, app.state.state_db, app.state.store)
            yield
        finally:
            for resource in reversed(opened):
                resource.close()
            system_store = getattr(app.state, "system_store", None)  # opened by /sparql on demand
            if system_store is not None:
                system_store.close()
                app.state.system_store = None
            app.state.store, app.state.state_db, app.state.search = store, state, search

    app = FastAPI(
        title="oogst",
        summary="Flemish cultural heritage as linked open data",
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.state_db = state
    app.state.search = search
    app.state.context = load_context(settings.base_iri)
    app.state.compactor = Compactor(app.state.context)
    app.state.dcat_context = load_context(path=DCAT_CONTEXT_FILE)
    app.state.dcat_compactor = Compactor(app.state.dcat_context)
    app.state.pages = Pages()
    app.state.bodies = BodyCache()
    install_handlers(app)
    # Open data: any site may query it from a browser (no credentials involved).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["*"],
        expose_headers=["Link", "ETag", "Last-Modified", "Location", "Oogst-Truncated"],
    )
    for router in (service, sparql.router, records.router, datasets.router, feeds.router, linkeddata.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _open_store(settings: Settings) -> Store:
    """The store, read-only: the API never writes, and several worker processes can then
    share an embedded store. A fresh data dir has no store yet; it is then created."""
    try:
        return open_store(settings.store_url, replace(settings.store_options(), read_only=True))
    except StoreError as exc:
        log.info("%s; opening the store for writing", exc.message)
        return open_store(settings.store_url, settings.store_options())


def _fill_index(search: SearchIndex, state: State, store: Store) -> None:
    """Build an empty search index over a state that has published records (a data dir
    from before the index, or one filled without the pipeline). Only one process does."""
    if search.count() == 0 and state.counts()["published"]:
        log.warning("the search index %s is empty: building it from the store", search.path)
        search.rebuild(state, store, only_if_empty=True)


def from_environment() -> FastAPI:
    """The app with settings from ``oogst.toml`` and the environment (for ``uvicorn --factory``)."""
    settings, _ = Settings.load()
    return create_app(settings)
