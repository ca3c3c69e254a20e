"""``/datasets``: the DCAT catalogue — one ``dcat:Dataset`` per feed, and the SPARQL service;
for browsers, HTML pages of the same (``templates/datasets.html``, ``dataset.html``): licence
mix, counts, last update, data providers and every way to get the data (record API, SPARQL,
the event stream, OAI-PMH, the dumps with size and checksum).

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
from urllib.parse import quote, urlencode

import orjson
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..pipeline import GRAPH_FORMATS, Oogst
from .caching import conditional
from .conneg import negotiate
from .deps import BaseUrlDep, OogstDep, base_url_of
from .pages import rights_label
from .pages.site import page
from .records import RECORD_OFFERS

router = APIRouter(tags=["datasets"])

OFFERS = [offer for offer in RECORD_OFFERS if offer[1] != "html"]
PAGE_OFFERS = [*OFFERS, ("text/html", "html"), ("application/xhtml+xml", "html")]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "DCAT in the negotiated RDF format (compact JSON-LD by default).",
          "content": {**{media: {} for media, _ in OFFERS}, "text/html": {}}},
}


def _dumps(oogst: Oogst, feed: str | None) -> list[dict[str, Any]]:
    return [d for d in oogst.dumps().get("dumps", []) if d.get("feed") == feed]


def _wants_html(request: Request) -> bool:
    return negotiate(request.headers.get("accept"), PAGE_OFFERS, "jsonld") == "html"


async def _answer(request: Request, oogst: Oogst, catalogue: Any, root: str) -> Response:
    fmt = negotiate(request.headers.get("accept"), OFFERS, "jsonld")
    result = await run_in_threadpool(oogst.query, catalogue.query(), graph=fmt, trusted=True)
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
    if _wants_html(request):
        return await run_in_threadpool(_page, request, oogst, base_url, feeds, stats, None)
    datasets = [catalogue.dataset(feed, stats.get(feed.name), oogst.last_run(feed.name),
                                  dumps=_dumps(oogst, feed.name)) for feed in feeds]
    root = catalogue.catalogue(datasets)
    catalogue.distributions(root, "_:catalogue", None, _dumps(oogst, None))
    return await _answer(request, oogst, catalogue, root)


@router.get("/datasets/{name}", summary="One feed as a DCAT dataset", response_class=Response,
            responses={**_RESPONSES, 404: {"description": "No feed of that name."}})
async def get_dataset(name: str, request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    feed = await run_in_threadpool(oogst.feed, name)
    catalogue = oogst.catalogue(base_url)
    stats = await run_in_threadpool(oogst.feed_stats)
    if _wants_html(request):
        return await run_in_threadpool(_page, request, oogst, base_url, [feed], stats, feed.name)
    root = catalogue.dataset(feed, stats.get(feed.name), oogst.last_run(feed.name), dumps=_dumps(oogst, feed.name))
    return await _answer(request, oogst, catalogue, root)


@router.get("/.well-known/void", summary="VoID description of the whole aggregate: SPARQL endpoint, dumps, "
            "event stream, one subset per feed", response_class=Response, responses=_RESPONSES)
async def void(request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    catalogue = oogst.catalogue(base_url)
    feeds = await run_in_threadpool(oogst.list_feeds)
    root = catalogue.void(_dumps(oogst, None))
    for feed in feeds:
        catalogue.subset(root, feed)
    return await _answer(request, oogst, catalogue, root)


def _page(request: Request, oogst: Oogst, base_url: str, feeds: list[Any], stats: dict[str, Any],
          name: str | None) -> Response:
    """The HTML page of the catalogue (``name`` None) or of one dataset."""
    manifest = oogst.dumps()
    streams = {s["name"]: s for s in oogst.ldes_views(base_url)["feeds"]}
    datasets = []
    for feed in feeds:
        info = stats.get(feed.name) or {"records": 0, "modified": None, "rights": {}, "providers": []}
        last = oogst.last_run(feed.name) or {}
        datasets.append({
            "name": feed.name, "url": f"{base_url}/datasets/{quote(feed.name)}", "protocol": feed.protocol,
            "format": feed.format, "source": feed.public_url, "records": info["records"],
            "modified": info["modified"] or last.get("finished_at"), "status": feed.status,
            "rights": [{"iri": iri, "label": rights_label(iri), "records": n} for iri, n in info["rights"].items()],
            "providers": info["providers"],
            "records_url": f"{base_url}/records?{urlencode({'feed': feed.name})}",
            "ldes": f"{base_url}/ldes/feeds/{quote(feed.name)}",
            "events": (streams.get(feed.name) or {}).get("events", 0),
            "oai": f"{base_url}/oai?{urlencode({'verb': 'ListRecords', 'metadataPrefix': 'oai_dc', 'set': feed.name})}",
            "dumps": [{**d, "url": f"{base_url}/dumps/{quote(d['name'])}"} for d in manifest.get("dumps", [])
                      if d.get("feed") == feed.name],
        })
    whole = [{**d, "url": f"{base_url}/dumps/{quote(d['name'])}"} for d in manifest.get("dumps", [])
             if d.get("feed") is None]
    response = page(
        request, "dataset.html" if name else "datasets.html", base_url=base_url, datasets=datasets,
        dataset=datasets[0] if name else None, whole_dumps=whole, dumps_created=manifest.get("created"),
        total=sum(d["records"] for d in datasets), sparql=f"{base_url}/sparql", ldes=f"{base_url}/ldes",
        oai=f"{base_url}/oai?verb=Identify", void=f"{base_url}/.well-known/void")
    response.headers.setdefault("Cache-Control", "public, max-age=300")
    return response
