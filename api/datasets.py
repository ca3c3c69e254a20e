"""``/datasets``: the DCAT catalogue — one ``dcat:Dataset`` per feed, and the SPARQL service.

Each dataset carries its record count (``void:entities``), the licences of its records
(``dcterms:license``, every rights statement in use), its last update (the newest published
record, else the feed's last run) and its data providers (``dcterms:publisher``: the
keepers of its objects), with a landing page (``/records?feed=…``) and distributions.

The description is written once, as triples, and the store serialises it (a ``CONSTRUCT
{ … } WHERE {}``, as for the SPARQL service description), so every RDF format the API
offers comes from one source. JSON-LD is compacted with ``static/dcat-context.jsonld``
(served at ``/context/dcat.jsonld``).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..pipeline import GRAPH_FORMATS, Oogst
from .caching import conditional
from .conneg import negotiate
from .deps import BaseUrlDep, OogstDep, base_url_of
from .records import RECORD_OFFERS

router = APIRouter(tags=["datasets"])

OFFERS = [offer for offer in RECORD_OFFERS if offer[1] != "html"]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "DCAT in the negotiated RDF format (compact JSON-LD by default).",
          "content": {media: {} for media, _ in OFFERS}},
}


async def _answer(request: Request, oogst: Oogst, catalogue: Any, root: str) -> Response:
    fmt = negotiate(request.headers.get("accept"), OFFERS, "jsonld")
    result = await run_in_threadpool(oogst.query, catalogue.query(), graph=fmt)
    body = result.body
    if fmt == "jsonld":
        context_url = f"{base_url_of(request)}/context/dcat.jsonld"
        body = orjson.dumps(request.app.state.dcat_compactor.compact(orjson.loads(body), root[1:-1], context_url))
    return conditional(request, body, GRAPH_FORMATS[fmt])


@router.get("/datasets", summary="DCAT catalogue: one dataset per feed, with counts, licences, "
            "last update and data providers", response_class=Response, responses=_RESPONSES)
async def list_datasets(request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    catalogue = oogst.catalogue(base_url)
    stats = await run_in_threadpool(oogst.feed_stats)
    feeds = await run_in_threadpool(oogst.list_feeds)
    datasets = [catalogue.dataset(feed, stats.get(feed.name), oogst.last_run(feed.name)) for feed in feeds]
    return await _answer(request, oogst, catalogue, catalogue.catalogue(datasets))


@router.get("/datasets/{name}", summary="One feed as a DCAT dataset", response_class=Response,
            responses={**_RESPONSES, 404: {"description": "No feed of that name."}})
async def get_dataset(name: str, request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    feed = await run_in_threadpool(oogst.feed, name)
    catalogue = oogst.catalogue(base_url)
    stats = await run_in_threadpool(oogst.feed_stats)
    root = catalogue.dataset(feed, stats.get(feed.name), oogst.last_run(feed.name))
    return await _answer(request, oogst, catalogue, root)
