"""Delivery to Europeana over HTTP: the OAI-PMH 2.0 provider at ``/oai`` and the tier figures.

``/oai`` answers GET and form-encoded POST (any other POST body is 415), with its arguments
as sent, repeated ones kept (the protocol answers ``badArgument``); ``Identify``'s baseURL is
``public_url`` + ``/oai``, else the address the request came to. ``/feeds/{name}/tiers`` and
``/records/{id}/tiers`` give the Europeana tiers of a feed and of one record, with what the
partner could add to reach the next tier (nl/en).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from .deps import BaseUrlDep, OogstDep
from .problems import problem

router = APIRouter(tags=["delivery"])

FORM = "application/x-www-form-urlencoded"
OAI_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "An OAI-PMH 2.0 response: the verb's answer, or the protocol's error element.",
          "content": {"text/xml": {}}},
}


@router.get("/oai", summary="OAI-PMH 2.0 provider: the published records as EDM, oai_dc or OSLO (RDF/XML)",
            response_class=Response, responses=OAI_RESPONSES)
def oai_get(request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    """All six verbs (`Identify`, `ListMetadataFormats`, `ListSets`, `ListIdentifiers`,
    `ListRecords`, `GetRecord`); sets `feed:{feed}` and `provider:{data provider}`;
    `from`/`until` at seconds granularity; deleted records persistent; resumption tokens that
    survive a restart. This is what Europeana's harvester pulls."""
    status, headers, body = oogst.oai(request.query_params.multi_items(), f"{base_url}/oai")
    return Response(body, status_code=status, headers=headers)


@router.post("/oai", summary="OAI-PMH 2.0 provider (arguments as an HTML form)", response_class=Response,
             responses={**OAI_RESPONSES, 415: {"description": "The body is not application/x-www-form-urlencoded."}},
             openapi_extra={"requestBody": {"content": {FORM: {"schema": {"type": "object", "properties": {
                 "verb": {"type": "string"}, "metadataPrefix": {"type": "string"}, "identifier": {"type": "string"},
                 "set": {"type": "string"}, "from": {"type": "string"}, "until": {"type": "string"},
                 "resumptionToken": {"type": "string"}}}}}}})
async def oai_post(request: Request, oogst: OogstDep, base_url: BaseUrlDep) -> Response:
    kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    raw = await request.body()
    if kind != FORM and (kind or raw):  # an empty POST is an empty form: the protocol says badVerb
        return problem(415, f"OAI-PMH POST requests are {FORM}, not {kind or 'without a type'}",
                       error="UnsupportedMediaType")
    pairs = parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
    status, headers, answer = await run_in_threadpool(oogst.oai, pairs, f"{base_url}/oai")
    return Response(answer, status_code=status, headers=headers)


@router.get("/feeds/{name}/tiers", summary="A feed's Europeana tiers: distribution and the commonest gaps",
            responses={404: {"description": "No feed of that name."}})
def feed_tiers(name: str, oogst: OogstDep) -> dict[str, Any]:
    """The feed's published records by EDM readiness (`edm`, `not_edm`), by content tier
    (`content`: what is certain; `content_ceiling`: what unknown image sizes allow) and by
    metadata tier (`metadata`); `gaps`: the commonest gaps to the next tier, with what the
    partner could add (nl/en); `refused`: the commonest reasons a record is no EDM."""
    return oogst.tiers(name)


@router.get("/records/{record_id:path}/tiers", summary="One record's Europeana tiers and next steps",
            responses={404: {"description": "Unknown, or not published."}})
def record_tiers(record_id: str, oogst: OogstDep) -> dict[str, Any]:
    """Whether the record can be EDM (with the reasons when not), its metadata tier (0/A/B/C,
    per classifier) and content tier (0–4, with the ceiling when image sizes are unknown),
    each with what the partner could add to reach the next tier (nl/en)."""
    return oogst.record_tiers(record_id)
