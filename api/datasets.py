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

import json
import re
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..mapping.iris import Minter
from ..settings import Settings
from ..store import GRAPH_FORMATS, Store
from ..store.state import Feed
from .caching import conditional
from .conneg import negotiate
from .deps import BaseUrlDep, SearchDep, SettingsDep, StateDep, StoreDep, base_url_of
from .feeds import require_feed
from .records import RECORD_OFFERS

router = APIRouter(tags=["datasets"])

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
OFFERS = [offer for offer in RECORD_OFFERS if offer[1] != "html"]
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "DCAT in the negotiated RDF format (compact JSON-LD by default).",
          "content": {media: {} for media, _ in OFFERS}},
}


def _iri(value: str | None) -> str | None:
    return f"<{value}>" if value and _IRI.match(value) else None


def _lit(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False)  # a valid SPARQL string literal
    return f"{text}@{lang}" if lang else f"{text}^^<{datatype}>" if datatype else text


class Catalogue:
    """The triples of the catalogue (or of one feed's dataset)."""

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url
        self.triples: list[str] = []

    def add(self, subject: str, predicate: str, obj: str | None) -> None:
        if obj is not None:
            self.triples.append(f"{subject} <{predicate}> {obj} .")

    def catalogue(self, datasets: list[str]) -> str:
        catalogue = f"<{self.base_url}/datasets>"
        service = f"<{self.base_url}/sparql>"
        self.add(catalogue, RDF_TYPE, f"<{DCAT}Catalog>")
        self.add(catalogue, DCT + "title", _lit("oogst: Vlaams cultureel erfgoed als linked open data", lang="nl"))
        self.add(catalogue, DCT + "title", _lit("oogst: Flemish cultural heritage as linked open data", lang="en"))
        self.add(catalogue, f"{DCAT}service", service)
        self.add(service, RDF_TYPE, f"<{DCAT}DataService>")
        self.add(service, f"{DCAT}endpointURL", service)
        self.add(service, DCT + "conformsTo", "<https://www.w3.org/TR/sparql11-protocol/>")
        for dataset in datasets:
            self.add(catalogue, f"{DCAT}dataset", dataset)
            self.add(service, f"{DCAT}servesDataset", dataset)
        return catalogue

    def dataset(self, feed: Feed, stats: dict[str, Any] | None, last_run: dict[str, Any] | None) -> str:
        stats = stats or {"records": 0, "modified": None, "rights": {}, "providers": []}
        dataset = f"<{Minter(feed.name, self.settings.base_iri).feed_iri()}>"
        records = f"{self.base_url}/records?{urlencode({'feed': feed.name})}"
        self.add(dataset, RDF_TYPE, f"<{DCAT}Dataset>")
        self.add(dataset, DCT + "identifier", _lit(feed.name))
        self.add(dataset, DCT + "title", _lit(feed.name, lang="nl"))
        self.add(dataset, DCT + "description", _lit(
            f"Records van {feed.name}, geoogst via {feed.protocol} ({feed.format}) en omgezet naar OSLO.", lang="nl"))
        self.add(dataset, DCT + "description", _lit(
            f"Records of {feed.name}, harvested over {feed.protocol} ({feed.format}) and mapped to OSLO.", lang="en"))
        self.add(dataset, DCT + "source", _iri(feed.url))
        self.add(dataset, VOID + "entities", _lit(str(stats["records"]), datatype=XSD + "integer"))
        modified = stats["modified"] or (last_run or {}).get("finished_at")
        if modified:
            self.add(dataset, DCT + "modified", _lit(modified, datatype=XSD + "dateTime"))
        for rights in stats["rights"]:
            self.add(dataset, DCT + "license", _iri(rights))
        for i, provider in enumerate(stats["providers"], 1):
            agent = _iri(provider["iri"]) or f"_:{feed.name}-provider{i}"
            self.add(dataset, DCT + "publisher", agent)
            self.add(agent, RDF_TYPE, f"<{FOAF}Agent>")
            self.add(agent, FOAF + "name", _lit(provider["label"]))
        self.add(dataset, f"{DCAT}landingPage", f"<{records}&format=html>")
        for n, (media, url) in enumerate((("application/json", records), (GRAPH_FORMATS["jsonld"], records))):
            distribution = f"_:{feed.name}-distribution{n}"
            self.add(dataset, f"{DCAT}distribution", distribution)
            self.add(distribution, RDF_TYPE, f"<{DCAT}Distribution>")
            self.add(distribution, f"{DCAT}accessURL", f"<{url}>")
            self.add(distribution, f"{DCAT}mediaType", _lit(media))
        return dataset

    def query(self) -> str:
        return "CONSTRUCT {\n" + "\n".join(self.triples) + "\n} WHERE {}"


async def _answer(request: Request, store: Store, catalogue: Catalogue, root: str) -> Response:
    fmt = negotiate(request.headers.get("accept"), OFFERS, "jsonld")
    result = await run_in_threadpool(store.query, catalogue.query(), graph=fmt)
    body = result.body
    if fmt == "jsonld":
        context_url = f"{base_url_of(request)}/context/dcat.jsonld"
        body = orjson.dumps(request.app.state.dcat_compactor.compact(orjson.loads(body), root[1:-1], context_url))
    return conditional(request, body, GRAPH_FORMATS[fmt])


@router.get("/datasets", summary="DCAT catalogue: one dataset per feed, with counts, licences, "
            "last update and data providers", response_class=Response, responses=_RESPONSES)
async def list_datasets(request: Request, state: StateDep, store: StoreDep, search: SearchDep,
                        settings: SettingsDep, base_url: BaseUrlDep) -> Response:
    catalogue = Catalogue(settings, base_url)
    stats = await run_in_threadpool(search.feed_stats)
    feeds = await run_in_threadpool(state.list_feeds)
    datasets = [catalogue.dataset(feed, stats.get(feed.name), state.last_run(feed.name)) for feed in feeds]
    return await _answer(request, store, catalogue, catalogue.catalogue(datasets))


@router.get("/datasets/{name}", summary="One feed as a DCAT dataset", response_class=Response,
            responses={**_RESPONSES, 404: {"description": "No feed of that name."}})
async def get_dataset(name: str, request: Request, state: StateDep, store: StoreDep, search: SearchDep,
                      settings: SettingsDep, base_url: BaseUrlDep) -> Response:
    feed = await run_in_threadpool(require_feed, state, name)
    catalogue = Catalogue(settings, base_url)
    stats = await run_in_threadpool(search.feed_stats)
    root = catalogue.dataset(feed, stats.get(feed.name), state.last_run(feed.name))
    return await _answer(request, store, catalogue, root)
