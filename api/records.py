"""``/records``: search and browse the published records, and each record in any format.

``GET /records`` reads the search index (``publish/search.py``): full-text ``q`` over titles,
descriptions, makers and object names; filters on feed, data provider, type or object
name, rights, image and modification time; the object IRI (``iri=``) for partner PIDs.
Results interleave data providers (plurality, see ``publish/search.py``) and continue with a
cursor in the ``next`` link and the ``Link`` header. Browsers get the HTML search page.

A record id is ``{feed}/{key}`` where the key is the percent-encoded source id (see
``mapping.iris.record_id``), so ids hold ``:`` and ``%``; in a URL the ``%`` is itself
encoded (``%25``), as the ``url`` of every listed item shows. A path whose source id
arrives decoded (``…/1998 B`` instead of ``…/1998%2520B``) is looked up by re-encoding it.

``GET /records/{id}`` answers from the state database first: a withdrawn record is 410
with a tombstone, a quarantined record that was never published is 404 with its
validation report, so a collection manager can see why it is not there. A published one
comes as compact JSON-LD (our OSLO context, ``/context.jsonld``), Turtle, N-Triples,
RDF/XML or HTML, by ``Accept`` or by ``format=``, with ``ETag`` and ``Last-Modified``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import orjson
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ..errors import NotFoundError
from ..pipeline import GRAPH_FORMATS, Doc, Oogst, SearchQuery
from . import pages
from .caching import BodyCache, conditional, etag_of, http_date, not_modified, validators
from .conneg import asks_profile, negotiate
from .deps import BaseUrlDep, CompactorDep, OogstDep
from .auth import csrf_token, current_user, language
from .jsonld import Compactor
from .pages.site import finish as page_headers
from .problems import ApiError, problem

log = logging.getLogger(__name__)

router = APIRouter(tags=["records"])

HTML = "text/html"
# JSON-LD first: the default for */* and for application/json.
RECORD_OFFERS = (
    (GRAPH_FORMATS["jsonld"], "jsonld"),
    ("application/json", "jsonld"),
    (GRAPH_FORMATS["turtle"], "turtle"),
    (GRAPH_FORMATS["ntriples"], "ntriples"),
    (GRAPH_FORMATS["rdfxml"], "rdfxml"),
    (HTML, "html"),
    ("application/xhtml+xml", "html"),
)
LIST_OFFERS = (("application/json", "json"), (HTML, "html"), ("application/xhtml+xml", "html"))
RecordFormat = Literal["jsonld", "turtle", "ntriples", "rdfxml", "html", "edm"]
# EDM (Europeana's profile of RDF/XML): `Accept: application/rdf+xml;profile=edm` or `format=edm`
EDM_PROFILES = ("edm", "http://www.europeana.eu/schemas/edm/", "http://www.europeana.eu/schemas/edm")
EDM_LINK = '<http://www.europeana.eu/schemas/edm/>; rel="profile"'
_PATH_SAFE = "/-._~:@!$&'()*+,;="


class RecordItem(BaseModel):
    id: str
    iri: str
    url: str
    feed: str
    provider: str
    label: str | None
    object_names: list[str]
    makers: list[str]
    date: str | None
    rights: list[str]
    image: str | None
    modified: str | None
    datestamp: str | None


class Facet(BaseModel):
    value: str | bool
    label: str
    count: int


class RecordPage(BaseModel):
    items: list[RecordItem]
    next: str | None
    facets: dict[str, list[Facet]] | None = None


def record_url(base_url: str, record_id: str) -> str:
    return f"{base_url}/records/{quote(record_id, safe=_PATH_SAFE)}"


def item(doc: Doc, base_url: str, name: Callable[[str], str] = str) -> RecordItem:
    """A record of a list; ``name`` labels a concept without a label (the core's concept_label)."""
    return RecordItem(
        id=doc.record_id, iri=doc.object_iri, url=record_url(base_url, doc.record_id), feed=doc.feed,
        provider=doc.provider, label=doc.title,
        object_names=[n.label or name(n.iri) for n in doc.object_names] or [t.label or name(t.iri) for t in doc.types],
        makers=[m.label or name(m.iri) for m in doc.makers], date=doc.date, rights=doc.rights,
        image=doc.images[0] if doc.images else None, modified=doc.modified, datestamp=doc.datestamp,
    )


def since(value: str | None) -> str | None:
    """``modified_since`` as the index stores times (UTC, ``YYYY-MM-DDTHH:MM:SSZ``)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(422, f"modified_since={value!r} is not a date or a date-time "
                       "(ISO 8601, e.g. 2024-03-01 or 2024-03-01T10:00:00Z)", error="InvalidParameter") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@router.get(
    "/records",
    summary="Search and browse the published records (providers interleaved), a page at a time",
    response_model=RecordPage,
    responses={
        200: {"description": "A page of records; browsers get the search page.",
              "content": {"application/json": {}, HTML: {}}},
        400: {"description": "A cursor this API did not hand out."},
        404: {"description": "The feed filter names no feed."},
    },
)
def list_records(
    request: Request,
    oogst: OogstDep,
    base_url: BaseUrlDep,
    q: Annotated[str | None, Query(max_length=500, description="Words in title, description, maker or object name; "
                                   "all must occur (a trailing * makes the last one a prefix).")] = None,
    feed: Annotated[list[str], Query(description="Only records of these feeds.")] = [],  # noqa: B006
    provider: Annotated[list[str], Query(description="Only records of these data providers (name).")] = [],  # noqa: B006
    type: Annotated[list[str], Query(description="Object name or type: a concept IRI or its label.")] = [],  # noqa: A002,B006
    rights: Annotated[list[str], Query(description="Rights statement IRI (e.g. CC0).")] = [],  # noqa: B006
    has_image: Annotated[bool | None, Query(description="Only records with (true) or without (false) an image.")] = None,
    modified_since: Annotated[str | None, Query(description="Published or changed at or after this date or "
                                                "date-time (ISO 8601).")] = None,
    iri: Annotated[str | None, Query(description="Only the records of the object with this IRI (e.g. a partner PID).")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Records per page.")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="Where the page starts: from the `next` link.")] = None,
    facets: Annotated[bool, Query(description="Also count the matches per provider, type, rights, feed and image.")] = False,
    format: Annotated[Literal["json", "html"] | None, Query(description="Overrides Accept (for links).")] = None,  # noqa: A002
) -> Any:
    for name in feed:
        oogst.feed(name)  # an unknown feed is a 404
    query = SearchQuery(q=q, feed=feed, provider=provider, type=type, rights=rights, has_image=has_image,
                        modified_since=since(modified_since), iri=iri)
    html = (format or negotiate(request.headers.get("accept"), LIST_OFFERS, "json")) == "html"
    page = oogst.search_records(query, limit=limit, cursor=cursor)
    counts = oogst.facets(query) if facets or html else None
    next_url = None
    if page.next_cursor:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        next_url = f"{base_url}/records?{urlencode([*params, ('cursor', page.next_cursor)])}"
    if html:
        return pages.records_page(request, base_url, query, page.docs, counts, next_url)
    body = RecordPage(items=[item(doc, base_url, oogst.concept_label) for doc in page.docs], next=next_url,
                      facets=counts if facets else None)
    result = conditional(request, orjson.dumps(body.model_dump(exclude=set() if facets else {"facets"})),
                         "application/json")
    if next_url:
        result.headers["Link"] = f'<{next_url}>; rel="next"'
    return result


@router.get(
    "/records/{record_id:path}",
    summary="One record: JSON-LD (OSLO context), Turtle, N-Triples, RDF/XML, EDM or HTML, by Accept or format=",
    response_class=Response,
    responses={
        200: {"description": "The record's named graph, or its page for people.",
              "content": {media: {} for media, _ in RECORD_OFFERS}},
        304: {"description": "The client's copy (If-None-Match / If-Modified-Since) is current."},
        401: {"description": "An API token that is not valid."},
        404: {"description": "Unknown, or quarantined and never published (the body holds the report when the "
                              "request is signed in for the record's feed).",
              "content": {"application/json": {}, HTML: {}}},
        410: {"description": "Withdrawn by the partner (the body is a tombstone).",
              "content": {"application/json": {}, HTML: {}}},
        422: {"description": "EDM was asked for, and the record cannot be valid EDM (the body says why, nl/en).",
              "content": {"application/json": {}}},
    },
)
async def get_record(
    record_id: str,
    request: Request,
    oogst: OogstDep,
    compactor: CompactorDep,
    base_url: BaseUrlDep,
    format: Annotated[RecordFormat | None, Query(description="Overrides Accept (for links).")] = None,  # noqa: A002
) -> Response:
    record = oogst.find_record(record_id)  # one point lookup in the record index: on the event loop
    if record is None:
        raise NotFoundError(f"no record {record_id!r}", record=record_id, hint="GET /records lists the published records")
    rid = record["record_id"]
    accept = request.headers.get("accept")
    fmt = format or ("edm" if asks_profile(accept, GRAPH_FORMATS["rdfxml"], EDM_PROFILES)
                     else negotiate(accept, RECORD_OFFERS, "jsonld"))
    if fmt == "html" and not record["published"]:
        return await run_in_threadpool(pages.unavailable_page, request, base_url, record)
    if record["state"] == "withdrawn":
        return problem(
            410,
            f"record {rid!r} was withdrawn by its partner on {record['withdrawn_at']}",
            error="RecordWithdrawn",
            **_summary(record),
            withdrawn_at=record["withdrawn_at"],
        )
    if not record["published"]:
        return problem(
            404,
            f"record {rid!r} is quarantined: it failed validation and was never published; "
            "the report says what to fix in the source",
            error="RecordQuarantined",
            **_summary(record),
            updated_at=record["updated_at"],
            **({"report": record["report"]} if oogst.accounts.may_see_record(current_user(request), record) else {}),
        )
    # a page differs by language and by who is signed in (its forms carry the session's CSRF token)
    user = current_user(request) if fmt == "html" else None
    viewer = (language(request), user.name if user else "", csrf_token(request) if user else "") if fmt == "html" else ()
    etag = etag_of(record["graph_iri"], record["hash"], record["updated_at"], fmt, base_url, *viewer)
    last_modified = http_date(record["updated_at"])
    if not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=validators(etag, last_modified))
    if fmt == "edm":
        edm = await run_in_threadpool(oogst.record_edm, record)
        if edm["xml"] is None:
            return problem(422, f"record {rid!r} cannot be delivered to Europeana as EDM: "
                           + "; ".join(r["en"] for r in edm["reasons"]), error="NotEdm", **_summary(record),
                           reasons=edm["reasons"])
        return Response(edm["xml"], media_type=GRAPH_FORMATS["rdfxml"],
                        headers={**validators(etag, last_modified), "Link": EDM_LINK, "Vary": "Accept"})
    cache: BodyCache = request.app.state.bodies
    body = cache.get(etag)
    if body is None:  # the store (and compaction) in a worker thread, off the event loop
        body = await run_in_threadpool(_render, request, fmt, record, oogst, compactor, base_url)
        cache.put(etag, body)
    media_type = HTML if fmt == "html" else GRAPH_FORMATS[fmt]
    response = Response(body, media_type=media_type, headers=validators(etag, last_modified))
    return page_headers(request, response) if fmt == "html" else response


def _render(request: Request, fmt: str, record: dict[str, Any], oogst: Oogst, compactor: Compactor,
            base_url: str) -> bytes:
    if fmt == "html":
        return pages.record_page(request, base_url, oogst.record_doc(record), record)
    if fmt == "jsonld":
        expanded = orjson.loads(oogst.record_graph(record, "jsonld"))
        return orjson.dumps(compactor.compact(expanded, record["object_iri"], f"{base_url}/context.jsonld"))
    return oogst.record_graph(record, fmt)


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["record_id"],
        "iri": record["object_iri"],
        "feed": record["feed"],
        "label": record["label"],
        "state": record["state"],
    }
