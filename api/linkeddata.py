"""Linked Data conventions: minted IRIs dereference, and the JSON-LD context is served.

oogst mints IRIs under ``base_iri`` (``iris.py``). When the API is published at that
address, each IRI answers with ``303 See Other`` to a document about it (the httpRange-14
convention for things that are not documents):

- ``/id/object/{feed}/{key}`` and ``/graph/{feed}/{key}`` → ``/records/{feed}/{key}``, which
  negotiates JSON-LD, Turtle, N-Triples, RDF/XML or HTML;
- ``/id/feed/{feed}`` → ``/datasets/{feed}`` (its DCAT description);
- ``/id/agent/…``, ``/id/concept/…``, ``/id/run/…`` → a SPARQL ``DESCRIBE`` of the IRI.

Partner PIDs (``https://museum.example.be/id/object/…``) cannot dereference here;
``/resolve?iri=…`` finds the record of any object IRI, and ``/records?iri=…`` lists them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from ..errors import NotFoundError
from ..pipeline import Oogst
from .caching import conditional
from .deps import BaseUrlDep, OogstDep, SettingsDep
from .records import record_url

router = APIRouter(tags=["linked data"])

_SEE_OTHER = {303: {"description": "See Other: the document that describes the thing."}}
# FastAPI documents a redirect class without a body, as it is.
_REDIRECT: dict[str, Any] = {"status_code": 303, "response_class": RedirectResponse}


def _see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers={"Vary": "Accept"})


def _raw_rest(request: Request, prefix: str) -> str:
    """The path after ``prefix`` exactly as sent (percent escapes kept), as the IRI has it."""
    raw = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    return raw.split("?", 1)[0].removeprefix(prefix)


@router.get("/id/object/{key:path}", summary="A minted object IRI: 303 to its record", **_REDIRECT,
            responses={**_SEE_OTHER, 404: {"description": "No record has this IRI."}})
def object_iri(key: str, request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    return _record_redirect(_raw_rest(request, "/id/object/"), oogst, base_url)


@router.get("/graph/{key:path}", summary="A record graph IRI: 303 to its record", **_REDIRECT,
            responses={**_SEE_OTHER, 404: {"description": "No record has this graph."}})
def graph_iri(key: str, request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    return _record_redirect(_raw_rest(request, "/graph/"), oogst, base_url)


def _record_redirect(record_id: str, oogst: Oogst, base_url: str) -> Response:
    record = oogst.find_record(record_id)
    if record is None:
        raise NotFoundError(f"no record {record_id!r}", record=record_id, hint="GET /records lists the published records")
    return _see_other(record_url(base_url, record["record_id"]))


@router.get("/id/feed/{feed}", summary="A feed's IRI: 303 to its DCAT dataset", **_REDIRECT,
            responses=_SEE_OTHER)
def feed_iri(feed: str, base_url: BaseUrlDep) -> Response:
    return _see_other(f"{base_url}/datasets/{quote(feed, safe='')}")


@router.get("/id/{kind}/{rest:path}", summary="An agent, concept or run IRI: 303 to a SPARQL DESCRIBE",
            **_REDIRECT, responses={**_SEE_OTHER, 404: {"description": "Not a kind of IRI that oogst mints."}})
def other_iri(kind: str, rest: str, request: Request, settings: SettingsDep, base_url: BaseUrlDep) -> Response:
    if kind not in ("agent", "concept", "run"):
        raise NotFoundError(f"oogst mints no IRIs under /id/{kind}/", hint="object, agent, concept, feed and run")
    iri = settings.base_iri.rstrip("/") + _raw_rest(request, "")
    return _see_other(f"{base_url}/sparql?{urlencode({'query': f'DESCRIBE <{iri}>'})}")


@router.get("/resolve", summary="The record of an object IRI (also a partner's PID): 303 to it", **_REDIRECT,
            responses={**_SEE_OTHER, 404: {"description": "No published record describes this IRI."}})
def resolve(
    iri: Annotated[str, Query(min_length=1, max_length=2000, description="The object's IRI.")],
    oogst: OogstDep,
    settings: SettingsDep,
    base_url: BaseUrlDep,
) -> Response:
    docs = oogst.records_of_object(iri)
    if len(docs) == 1:
        return _see_other(record_url(base_url, docs[0].record_id))
    if docs:  # two feeds describe the same object: let the client choose
        return _see_other(f"{base_url}/records?{urlencode({'iri': iri})}")
    base = settings.base_iri.rstrip("/")
    if iri.startswith(base + "/id/") or iri.startswith(base + "/graph/"):
        return _see_other(base_url + iri[len(base):])
    raise NotFoundError(f"no published record describes {iri!r}", hint="GET /records?q=… searches the records")


@router.get("/context.jsonld", summary="The JSON-LD context of the records (OSLO terms)",
            response_class=Response, responses={200: {"content": {"application/ld+json": {}}}})
def context(request: Request) -> Response:
    return _context(request, request.app.state.context)


@router.get("/context/dcat.jsonld", summary="The JSON-LD context of /datasets (DCAT terms)",
            response_class=Response, responses={200: {"content": {"application/ld+json": {}}}})
def dcat_context(request: Request) -> Response:
    return _context(request, request.app.state.dcat_context)


def _context(request: Request, document: dict[str, Any]) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return conditional(request, body, "application/ld+json", vary="Origin")
