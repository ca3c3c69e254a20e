"""The web API: ``create_app(oogst)`` builds a FastAPI app over a core object.

Routes depend on the core (``deps.OogstDep``), never on a store, a database or the search
index: the core is the one service layer the CLI, the API and the pages share. No
import-time globals: what routes use hangs off ``app.state``. A core passed in belongs to
the caller; ``from_environment`` makes one (read-only store) and closes it at shutdown. An
empty search index over a state with published records is built at startup
(``Oogst.ensure_index``); ``oogst index rebuild`` does it by hand. Run the app through
``oogst serve``, or with ``uvicorn --factory oogst.api.app:from_environment`` (settings from
``oogst.toml`` and ``OOGST_*``; ``--workers N`` needs a store that several processes can open).

Routes: ``/`` (index), ``/health`` (readiness: 503 when degraded) and ``/health/live``, ``/sparql`` (SPARQL 1.1 Protocol, read-only, and the
query page), ``/records`` (search), ``/records/{id}``, ``/datasets`` (DCAT), ``/feeds``,
``/oai`` (OAI-PMH 2.0) and the Europeana tiers (``api/delivery.py``), Linked Data redirects for minted IRIs (``/id/…``, ``/graph/…``, ``/resolve``), the JSON-LD
contexts, static files at ``/static``; OpenAPI at ``/openapi.json``, read in Swagger UI at ``/docs``
and ReDoc at ``/redoc`` from assets installed with oogst (fastapi-offline), never from a CDN.
Errors are JSON: ``{"error": …, "message": …}`` (see ``problems``); browsers get error pages.

People: ``/`` is the landing page for browsers (JSON for programs); ``/login`` and
``/logout``; ``/manage…`` the pages of collection managers and operators (``pages/manage.py``,
the register-a-feed wizard in ``pages/wizard.py``). The write API is in ``feeds.py``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from .. import __version__, redact
from ..pipeline import Oogst, OogstError
from ..settings import Settings
from . import datasets, delivery, dumps, feeds, ldes, linkeddata, metrics, records, sparql
from .conneg import negotiate
from .deps import BaseUrlDep, OogstDep
from .caching import BodyCache
from .jsonld import DCAT_CONTEXT_FILE, Compactor, load_context
from .pages import STATIC_DIR, Pages
from .pages import manage, site, wizard
from .limits import Limits
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
- **Feeds** at `/feeds`: the partners' sources, their status and their last harvest;
  `/feeds/{name}/tiers`: their Europeana tiers and what would raise them.
- **OAI-PMH** at `/oai`: the records as EDM (for Europeana's harvester), oai_dc and OSLO;
  `/records/{id}?format=edm` (or `Accept: application/rdf+xml;profile=edm`) gives one record as EDM.
- **Feeds** at `/feeds` (signed in): the feeds an account may see, their status, runs and
  validation reports. A partner sees only its own organisation's feeds; an operator all.
- **Write API** (a personal token, `Authorization: Bearer …`, made with `oogst users token
  NAME` or on the account page): `POST /feeds`, `PATCH /feeds/{name}`, `POST
  /feeds/{name}/pause` and `/resume`, `POST /feeds/{name}/runs` (starts a harvest in the
  background and answers `202` with the run's id), `GET /runs/{id}` and `/runs/{id}/report`.
- **Event stream** at `/ldes` (LDES/TREE): every publication, change and withdrawal of a
  record as a version member, time-ordered pages (older pages immutable), one stream per feed
  (`/ldes/feeds/{name}`) and per data provider (`/ldes/providers/{key}`); JSON-LD, N-Quads,
  TriG or Turtle.
- **Metrics** at `/metrics` (Prometheus; an operator's token or a loopback address): runs,
  records per feed, harvest and batch durations, HTTP retries, API requests and latencies.
- **Dumps** at `/dumps`: N-Quads and JSON-LD (gzip), whole and per feed, with size and
  SHA-256, ETag and range requests. **VoID** at `/.well-known/void`.

Errors are JSON objects with at least `error` (a stable name) and `message`.
"""

service = APIRouter(tags=["service"])
_INDEX_OFFERS = (("application/json", "json"), ("text/html", "html"), ("application/xhtml+xml", "html"))
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"  # Swagger UI 5 and ReDoc, installed with oogst


class Health(BaseModel):
    status: str  # ok | degraded
    records: int
    graphs: int
    indexed: int
    version: str
    queries: dict[str, int] | None = None  # the query workers: workers, busy, waiting
    problems: list[str] = []
    harvesting: list[str] = []  # feeds whose run is writing now (their counts may differ meanwhile)


class Live(BaseModel):
    status: str
    version: str


@service.get("/", summary="Index of the API (browsers get the landing page)",
             responses={200: {"content": {"application/json": {}, "text/html": {}}}})
def index(request: Request, base_url: BaseUrlDep) -> Any:
    if negotiate(request.headers.get("accept"), _INDEX_OFFERS, "json") == "html":
        return site.landing_page(request)
    return {
        "name": "oogst",
        "version": __version__,
        "links": {
            "sparql": f"{base_url}/sparql",
            "records": f"{base_url}/records",
            "datasets": f"{base_url}/datasets",
            "feeds": f"{base_url}/feeds",
            "oai": f"{base_url}/oai",
            "ldes": f"{base_url}/ldes",
            "dumps": f"{base_url}/dumps",
            "void": f"{base_url}/.well-known/void",
            "health": f"{base_url}/health",
            "docs": f"{base_url}/docs",
            "openapi": f"{base_url}/openapi.json",
        },
    }


@service.get("/health", summary="Readiness: ok (200), or degraded (503) with the problems",
             responses={503: {"model": Health, "description": "Degraded: the store and the state or the search "
                              "index disagree, or every query worker is busy (see problems)."}})
def health(oogst: OogstDep, response: Response) -> Health:
    """For a readiness check (a load balancer, Kubernetes' readinessProbe): 503 while degraded.
    The counts come from the state, the store and the search index."""
    found = oogst.health()
    answer = Health(**{**found, "problems": [redact.text(p) for p in found["problems"]]})  # no server paths
    if answer.status != "ok":
        response.status_code = 503
        response.headers["Retry-After"] = "10"
    return answer


@service.get("/health/live", summary="Liveness: the process answers (always 200)")
async def live() -> Live:
    """For a liveness check (Kubernetes' livenessProbe): answers without touching the store, so
    a busy or degraded service is not restarted for it."""
    return Live(status="alive", version=__version__)


def create_app(oogst: Oogst, *, close_core: bool = False) -> FastAPI:
    """The API over the core ``oogst``; with ``close_core`` the app closes it at shutdown."""
    settings = oogst.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("API over store %s and data dir %s", settings.store_url, settings.data_dir)
        try:
            await run_in_threadpool(oogst.ensure_index)
            await run_in_threadpool(_ensure_delivery, oogst)
            await run_in_threadpool(oogst.ensure_events)
            await run_in_threadpool(oogst.start_query_workers)
            yield
        finally:
            if close_core:
                oogst.close()

    app = FastAPI(
        title="oogst",
        summary="Flemish cultural heritage as linked open data",
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.oogst = oogst
    app.state.context = load_context(settings.base_iri)
    app.state.compactor = Compactor(app.state.context)
    app.state.dcat_context = load_context(path=DCAT_CONTEXT_FILE)
    app.state.dcat_compactor = Compactor(app.state.dcat_context)
    app.state.pages = Pages()
    app.state.bodies = BodyCache()
    install_handlers(app)
    app.add_middleware(Limits, max_body=settings.api_max_body,
                       client_slots=settings.sparql_client_slots or max(1, oogst.queries.workers // 2))
    metrics.install(app, oogst)  # /metrics: the state's figures at scrape time, the API's requests
    # Open data: any site may query it from a browser (no credentials involved).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["*"],
        expose_headers=["Link", "ETag", "Last-Modified", "Location", "Oogst-Truncated"],
    )
    # delivery first: its /records/{id}/tiers would otherwise be taken for a record id
    for router in (service, metrics.router, delivery.router, sparql.router, records.router, datasets.router, feeds.router,
                   linkeddata.router, ldes.router, dumps.router, site.router, wizard.router,
                   manage.router):  # /manage/feeds/new first
        app.include_router(router)
    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=f"{request.scope.get('root_path', '')}/openapi.json",
                                   title="oogst API", swagger_js_url="/static/docs/swagger-ui-bundle.js",
                                   swagger_css_url="/static/docs/swagger-ui.css",
                                   swagger_favicon_url="/static/docs/favicon.png")

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(openapi_url=f"{request.scope.get('root_path', '')}/openapi.json", title="oogst API",
                              redoc_js_url="/static/docs/redoc.standalone.js",
                              redoc_favicon_url="/static/docs/favicon.png", with_google_fonts=False)

    return app


def _ensure_delivery(oogst: Oogst) -> None:
    """EDM readiness and tiers of records published by an older version, before /oai lists them."""
    try:
        oogst.ensure_delivery()
    except OogstError as exc:  # the API serves on; /oai tries again on its first list
        log.warning("EDM readiness not worked out at startup: %s", exc)


def from_environment() -> FastAPI:
    """The app with settings from ``oogst.toml`` and the environment (for ``uvicorn --factory``)."""
    settings, _ = Settings.load()
    return create_app(Oogst(settings, read_only=True), close_core=True)
