"""The web API: ``create_app(settings)`` builds a FastAPI app over the store and the state.

No import-time globals: everything the routes use hangs off ``app.state`` (see ``deps``).
A store or state passed in belongs to the caller; whatever the app opens itself (from
``settings.store_url`` and ``settings.state_path``) it opens at startup and closes at
shutdown. Run it through ``oogst serve``, or with
``uvicorn --factory oogst.api.app:from_environment`` (settings from ``oogst.toml`` and
``OOGST_*``).

Routes: ``/`` (index), ``/health``, ``/sparql`` (SPARQL 1.1 Protocol, read-only),
``/records``, ``/records/{id}``, ``/feeds``, ``/feeds/{name}``; OpenAPI at ``/docs`` and
``/openapi.json``. Errors are JSON: ``{"error": …, "message": …}`` (see ``problems``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

from .. import __version__
from ..settings import Settings
from ..store import Store, open_store
from ..store.state import State
from . import feeds, records, sparql
from .deps import BaseUrlDep, StateDep, StoreDep
from .problems import install_handlers

log = logging.getLogger(__name__)

DESCRIPTION = """\
Linked open data of Flemish cultural heritage, harvested from partner collections and
mapped to OSLO. Every published record is one named graph.

- **SPARQL** at `/sparql` (SPARQL 1.1 Protocol, read-only; the default graph is the union
  of all record graphs).
- **Records** at `/records` (pages of published records) and `/records/{id}` (one record
  as JSON-LD, Turtle, N-Triples or RDF/XML).
- **Feeds** at `/feeds`: the partners' sources, their status and their last harvest.

Errors are JSON objects with at least `error` (a stable name) and `message`.
"""

service = APIRouter(tags=["service"])


class Health(BaseModel):
    status: str
    records: int
    graphs: int
    version: str


@service.get("/", summary="Index of the API")
def index(base_url: BaseUrlDep) -> dict[str, Any]:
    return {
        "name": "oogst",
        "version": __version__,
        "links": {
            "sparql": f"{base_url}/sparql",
            "records": f"{base_url}/records",
            "feeds": f"{base_url}/feeds",
            "health": f"{base_url}/health",
            "docs": f"{base_url}/docs",
            "openapi": f"{base_url}/openapi.json",
        },
    }


@service.get("/health", summary="Liveness and size: published records and graphs in the store")
def health(state: StateDep, store: StoreDep) -> Health:
    return Health(
        status="ok",
        records=state.counts()["published"],
        graphs=store.count_graphs(),
        version=__version__,
    )


def create_app(settings: Settings, *, store: Store | None = None, state: State | None = None) -> FastAPI:
    """The API over ``store`` and ``state``, or over the ones ``settings`` names."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened: list[Store | State] = []
        if app.state.store is None:
            app.state.store = open_store(settings.store_url)
            opened.append(app.state.store)
        if app.state.state_db is None:
            app.state.state_db = State(settings.state_path)
            opened.append(app.state.state_db)
        log.info("API over store %s and state %s",
                 settings.store_url if store is None else type(store).__name__, app.state.state_db.path)
        try:
            yield
        finally:
            for resource in reversed(opened):
                resource.close()
            app.state.store, app.state.state_db = store, state

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
    install_handlers(app)
    # Open data: any site may query it from a browser (no credentials involved).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["*"],
        expose_headers=["Link"],
    )
    for router in (service, sparql.router, records.router, feeds.router):
        app.include_router(router)
    return app


def from_environment() -> FastAPI:
    """The app with settings from ``oogst.toml`` and the environment (for ``uvicorn --factory``)."""
    settings, _ = Settings.load()
    return create_app(settings)
