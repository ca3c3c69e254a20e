"""``/ldes``: the aggregate as a Linked Data Event Stream — every publication, change and
withdrawal of a record as a version member, in a time-ordered TREE search tree.

- ``/ldes`` — the root node of the stream of everything; ``/ldes/pages/{level}-{index}`` its nodes;
- ``/ldes/feeds/{name}`` and ``/ldes/providers/{key}`` — the stream of one feed, of one data
  provider (``/ldes/feeds`` and ``/ldes/providers`` list them), with their own pages;
- ``/ldes/shape`` — the SHACL shape of a member (``tree:shape``).

JSON-LD (OSLO context plus the LDES/TREE terms), N-Quads, TriG or Turtle by ``Accept``. A page
that can no longer change is served with ``Cache-Control: public, max-age=31536000,
immutable``; the root and the newest pages with a minute's ``max-age``; every page has an
``ETag`` and answers ``If-None-Match`` with 304 without being drawn.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..errors import NotFoundError
from ..pipeline import Oogst
from .caching import BodyCache, not_modified
from .conneg import negotiate
from .deps import BaseUrlDep, OogstDep, base_url_of

router = APIRouter(tags=["ldes"])

OFFERS = (
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
    ("text/turtle", "turtle"),
)
_NODE = re.compile(r"^(\d{1,3})-(\d{1,12})$")
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "A page of the event stream (JSON-LD by default).",
          "content": {media: {} for media, _ in OFFERS if media != "application/json"}},
    304: {"description": "The client's copy (If-None-Match) is current."},
    404: {"description": "No such stream or page."},
}


def _node(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    match = _NODE.match(text)
    if not match:
        raise NotFoundError(f"no page {text!r}", hint="pages are named LEVEL-INDEX, e.g. 0-12")
    return int(match.group(1)), int(match.group(2))


def _page_cache(request: Request) -> BodyCache:
    """The last immutable pages served (32 pages of 100 members: some 50 MB at most)."""
    cache = getattr(request.app.state, "ldes_pages", None)
    if cache is None:
        cache = request.app.state.ldes_pages = BodyCache(size=32)
    return cache


async def _answer(request: Request, oogst: Oogst, kind: str, key: str | None, node: str | None) -> Response:
    base_url = base_url_of(request)
    fmt = negotiate(request.headers.get("accept"), OFFERS, "jsonld") or "jsonld"
    compactor = request.app.state.compactor
    context_url = f"{base_url}/context.jsonld"

    def compact(nodes: list[dict[str, Any]], root: str) -> dict[str, Any]:
        return compactor.compact(nodes, root, context_url)

    def prepare():
        view = oogst.ldes_view(kind, key, base_url)
        return oogst.ldes_page(view, _node(node), fmt, compact=compact, context_url=context_url)

    answer = await run_in_threadpool(prepare)
    headers = {"ETag": answer.etag, "Cache-Control": answer.cache_control, "Vary": "Accept"}
    if not_modified(request, answer.etag, None):
        return Response(status_code=304, headers=headers)
    bodies = _page_cache(request)  # immutable pages are kept: they never change
    body = bodies.get(answer.etag) if answer.immutable else None
    if body is None:
        body = await run_in_threadpool(answer.render)
        if answer.immutable:
            bodies.put(answer.etag, body)
    return Response(body, media_type=answer.media_type, headers=headers)


@router.get("/ldes", summary="The event stream of every published record (LDES root node)",
            response_class=Response, responses=_RESPONSES)
async def stream(request: Request, oogst: OogstDep) -> Response:
    return await _answer(request, oogst, "all", None, None)


@router.get("/ldes/pages/{node}", summary="A node of the event stream", response_class=Response,
            responses=_RESPONSES)
async def stream_page(node: str, request: Request, oogst: OogstDep) -> Response:
    return await _answer(request, oogst, "all", None, node)


@router.get("/ldes/shape", summary="The SHACL shape of a member of the event stream (tree:shape)",
            response_class=Response)
def shape(oogst: OogstDep) -> Response:
    return Response(oogst.ldes_member_shape(), media_type="text/turtle",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/ldes/feeds", summary="The event streams of the feeds: name, URL, members, last change")
def feed_streams(oogst: OogstDep, base_url: BaseUrlDep) -> dict[str, Any]:
    return {"streams": oogst.ldes_views(base_url)["feeds"]}


@router.get("/ldes/providers", summary="The event streams of the data providers: keeper IRI, URL, members")
def provider_streams(oogst: OogstDep, base_url: BaseUrlDep) -> dict[str, Any]:
    return {"streams": oogst.ldes_views(base_url)["providers"]}


@router.get("/ldes/feeds/{name}", summary="The event stream of one feed (root node)", response_class=Response,
            responses=_RESPONSES)
async def feed_stream(name: str, request: Request, oogst: OogstDep) -> Response:
    return await _answer(request, oogst, "feed", name, None)


@router.get("/ldes/feeds/{name}/pages/{node}", summary="A node of a feed's event stream", response_class=Response,
            responses=_RESPONSES)
async def feed_stream_page(name: str, node: str, request: Request, oogst: OogstDep) -> Response:
    return await _answer(request, oogst, "feed", name, node)


@router.get("/ldes/providers/{key}", summary="The event stream of one data provider (root node)",
            response_class=Response, responses=_RESPONSES)
async def provider_stream(key: str, request: Request, oogst: OogstDep) -> Response:
    return await _answer(request, oogst, "provider", key, None)


@router.get("/ldes/providers/{key}/pages/{node}", summary="A node of a data provider's event stream",
            response_class=Response, responses=_RESPONSES)
async def provider_stream_page(key: str, node: str, request: Request, oogst: OogstDep) -> Response:
    return await _answer(request, oogst, "provider", key, node)
