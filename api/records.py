"""``/records``: the published records a page at a time, and each record's graph.

A record id is ``{feed}/{key}`` where the key is the percent-encoded source id (see
``mapping.iris.record_id``), so ids hold ``:`` and ``%``; in a URL the ``%`` is itself
encoded (``%25``), as the ``url`` of every listed item shows. A path whose source id
arrives decoded (``…/1998 B`` instead of ``…/1998%2520B``) is looked up by re-encoding it.

``GET /records/{id}`` answers from the state database first: a withdrawn record is 410
with a tombstone, a quarantined record that was never published is 404 with its
validation report, so a collection manager can see why it is not there.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from ..errors import NotFoundError
from ..mapping.iris import record_id as make_record_id
from ..store import GRAPH_FORMATS
from ..store.state import State
from .conneg import negotiate
from .deps import BaseUrlDep, StateDep, StoreDep
from .feeds import require_feed
from .problems import problem

log = logging.getLogger(__name__)

router = APIRouter(tags=["records"])

# JSON-LD first: the default for */* and for application/json.
RECORD_OFFERS = (
    (GRAPH_FORMATS["jsonld"], "jsonld"),
    ("application/json", "jsonld"),
    (GRAPH_FORMATS["turtle"], "turtle"),
    (GRAPH_FORMATS["ntriples"], "ntriples"),
    (GRAPH_FORMATS["rdfxml"], "rdfxml"),
)
_PATH_SAFE = "/-._~:@!$&'()*+,;="


class RecordItem(BaseModel):
    id: str
    iri: str | None
    label: str | None
    feed: str
    datestamp: str | None
    url: str


class RecordPage(BaseModel):
    items: list[RecordItem]
    next: str | None


def record_url(base_url: str, record_id: str) -> str:
    return f"{base_url}/records/{quote(record_id, safe=_PATH_SAFE)}"


@router.get(
    "/records",
    summary="Published records, ordered by id, one page at a time",
    response_model=RecordPage,
    responses={404: {"description": "The feed filter names no feed."}},
)
def list_records(
    response: Response,
    state: StateDep,
    base_url: BaseUrlDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Records per page.")] = 50,
    after: Annotated[str | None, Query(description="Cursor: the id of the last record of the previous page.")] = None,
    feed: Annotated[str | None, Query(description="Only the records of this feed.")] = None,
) -> RecordPage:
    if feed:
        require_feed(state, feed)
    rows = state.list_records(state="published", feed=feed, after=after, limit=limit + 1)
    items = [
        RecordItem(
            id=row["record_id"],
            iri=row["object_iri"],
            label=row["label"],
            feed=row["feed"],
            datestamp=row["datestamp"],
            url=record_url(base_url, row["record_id"]),
        )
        for row in rows[:limit]
    ]
    next_url = None
    if len(rows) > limit:
        cursor = {"limit": limit, "after": items[-1].id, **({"feed": feed} if feed else {})}
        next_url = f"{base_url}/records?{urlencode(cursor)}"
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return RecordPage(items=items, next=next_url)


@router.get(
    "/records/{record_id:path}",
    summary="One record's graph (JSON-LD, Turtle, N-Triples or RDF/XML by Accept)",
    response_class=Response,
    responses={
        200: {"description": "The record's named graph.", "content": {media: {} for media, _ in RECORD_OFFERS}},
        404: {"description": "Unknown, or quarantined and never published (the body holds the report)."},
        410: {"description": "Withdrawn by the partner (the body is a tombstone)."},
    },
)
def get_record(record_id: str, request: Request, state: StateDep, store: StoreDep) -> Response:
    record = find_record(state, record_id)
    if record is None:
        raise NotFoundError(f"no record {record_id!r}", record=record_id, hint="GET /records lists the published records")
    rid = record["record_id"]
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
            report=record["report"],
        )
    fmt = negotiate(request.headers.get("accept"), RECORD_OFFERS, "jsonld")
    body = store.graph(record["graph_iri"], fmt)
    if body is None:
        # The state is written after the store: a record being withdrawn right now.
        log.warning("record %s is indexed as published but the store has no graph %s", rid, record["graph_iri"])
        raise NotFoundError(f"record {rid!r} is not in the store", record=rid)
    return Response(body, media_type=GRAPH_FORMATS[fmt], headers={"Vary": "Accept"})


def find_record(state: State, record_id: str) -> dict[str, Any] | None:
    """The record with this id, also when its source id part arrives percent-decoded."""
    record = state.find_record(record_id)
    if record is None and "/" in record_id:
        feed, _, source_id = record_id.partition("/")
        record = state.find_record(make_record_id(feed, source_id))
    return record


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["record_id"],
        "iri": record["object_iri"],
        "feed": record["feed"],
        "label": record["label"],
        "state": record["state"],
    }
