"""``/feeds`` and ``/runs``: the feeds a signed-in user may see, and the write API.

Reading (``GET``) takes a personal token (``Authorization: Bearer …``) or a browser session;
writing takes a token only. The ownership rules are the core's (``pipeline/accounts.py``):
a partner sees and changes only its own organisation's feeds — another organisation's feed
answers 404, as an unknown one does — and an operator everything. Anonymous requests get
401. A feed's ``options`` and ``cursor`` are left out: options may hold credentials.

Write API: ``POST /feeds`` (register), ``PATCH /feeds/{name}`` (change), ``POST
/feeds/{name}/pause`` and ``/resume``, ``POST /feeds/{name}/runs`` (start a harvest in the
background: 202 with the run's id; one run per feed at a time, 409 otherwise), ``GET
/runs/{id}`` and ``GET /runs/{id}/report`` (what the run did and what its records lack).
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from ..pipeline import Oogst, User
from ..records import Feed
from .deps import BaseUrlDep, OogstDep
from .auth import ReaderDep, WriterDep

router = APIRouter(tags=["feeds"])

_AUTH = {401: {"description": "Not signed in: send `Authorization: Bearer TOKEN`."}}
_FEED = {**_AUTH, 404: {"description": "No feed of that name that this account may see."}}
_WRITE = {**_FEED, 403: {"description": "This account may not do this."},
          400: {"description": "A setting that oogst cannot use (the message says which and why)."},
          409: {"description": "The feed is busy or in the wrong state (a run going on, paused)."}}


def feed_view(oogst: Oogst, feed: Feed, base_url: str) -> dict[str, Any]:
    data = feed.as_dict()
    del data["options"], data["cursor"]
    name = quote(feed.name, safe="")
    return {
        **data,
        "records": oogst.counts(feed.name),
        "last_run": oogst.last_run(feed.name),
        "links": {
            "self": f"{base_url}/feeds/{name}",
            "runs": f"{base_url}/feeds/{name}/runs",
            "report": f"{base_url}/feeds/{name}/report",
            "records": f"{base_url}/records?{urlencode({'feed': feed.name})}",
        },
    }


def run_view(run: dict[str, Any], base_url: str) -> dict[str, Any]:
    return {**run, "links": {"self": f"{base_url}/runs/{run['id']}", "report": f"{base_url}/runs/{run['id']}/report",
                             "feed": f"{base_url}/feeds/{quote(run['feed'], safe='')}"}}


class FeedCreate(BaseModel):
    name: str = Field(description="Letters, digits, '-' and '_': becomes part of the records' IRIs.",
                      min_length=1, max_length=64)
    url: str = Field(description="The endpoint: an OAI-PMH base URL, an LDES view or a JSON API.", max_length=2000)
    format: str = Field(description="What it delivers: lido, oai_dc, oslo-jsonld, edm (GET /openapi.json lists none: "
                        "`oogst formats`).", max_length=40)
    protocol: str = Field("oai-pmh", description="oai-pmh, ldes or json-api.", max_length=40)
    set_spec: str | None = Field(None, description="Harvest only this OAI-PMH set.", max_length=500)
    options: dict[str, str] = Field(default_factory=dict, description="The protocol's options (e.g. metadata_prefix).")
    profile: dict[str, Any] = Field(default_factory=dict, description="The mapping profile: language, default_rights, "
                                    "provider {name, iri}, values, fields.")
    schedule: str | None = Field(None, description="When it is harvested: 'daily 02:00', 'weekly mon 03:00'.",
                                 max_length=100)
    owner: str | None = Field(None, description="The owner organisation (a partner's own, always).", max_length=64)


class FeedEdit(BaseModel):
    url: str | None = Field(None, max_length=2000)
    format: str | None = Field(None, max_length=40)
    set_spec: str | None = Field(None, max_length=500)
    options: dict[str, str] | None = None
    profile: dict[str, Any] | None = None
    schedule: str | None = Field(None, max_length=100)
    owner: str | None = Field(None, description="Operators only.", max_length=64)


class RunStart(BaseModel):
    full: bool = Field(False, description="Harvest everything, and withdraw what the partner no longer delivers.")


class RunStarted(BaseModel):
    run: int
    feed: str
    links: dict[str, str]


@router.get("/feeds", summary="The feeds this account may see, with status, record counts and the last run",
            responses=_AUTH)
def list_feeds(oogst: OogstDep, base_url: BaseUrlDep, user: ReaderDep) -> dict[str, list[dict[str, Any]]]:
    oogst.accounts.require_user(user)
    return {"items": [feed_view(oogst, feed, base_url) for feed in oogst.user_feeds(user)]}


@router.get("/feeds/{name}", summary="One feed with status, record counts and the last run", responses=_FEED)
def get_feed(name: str, oogst: OogstDep, base_url: BaseUrlDep, user: ReaderDep) -> dict[str, Any]:
    return feed_view(oogst, oogst.accounts.authorise(user, name, "view"), base_url)


@router.post("/feeds", status_code=201, summary="Register a feed (write API: a personal token)", responses=_WRITE)
def create_feed(body: FeedCreate, oogst: OogstDep, base_url: BaseUrlDep, user: WriterDep) -> dict[str, Any]:
    owner = oogst.accounts.owner_for(user, body.owner)
    feed = oogst.add_feed(body.name, body.url, body.format, protocol=body.protocol, set_spec=body.set_spec,
                          options=body.options, profile=body.profile, schedule=body.schedule, owner=owner)
    return feed_view(oogst, feed, base_url)


@router.patch("/feeds/{name}", summary="Change a feed's settings (write API)", responses=_WRITE)
def edit_feed(name: str, body: FeedEdit, oogst: OogstDep, base_url: BaseUrlDep, user: WriterDep) -> dict[str, Any]:
    oogst.accounts.authorise(user, name, "edit")
    changes = body.model_dump(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = oogst.accounts.owner_for(user, changes["owner"]) if user.is_operator else \
            oogst.accounts.owner_for(user, changes["owner"] or user.org)
    return feed_view(oogst, oogst.edit_feed(name, **changes), base_url)


@router.post("/feeds/{name}/pause", summary="Pause a feed: no harvests until it is resumed (write API)",
             responses=_WRITE)
def pause_feed(name: str, oogst: OogstDep, base_url: BaseUrlDep, user: WriterDep) -> dict[str, Any]:
    oogst.accounts.authorise(user, name, "pause")
    return feed_view(oogst, oogst.pause_feed(name), base_url)


@router.post("/feeds/{name}/resume", summary="Resume a paused feed (write API)", responses=_WRITE)
def resume_feed(name: str, oogst: OogstDep, base_url: BaseUrlDep, user: WriterDep) -> dict[str, Any]:
    oogst.accounts.authorise(user, name, "pause")
    return feed_view(oogst, oogst.resume_feed(name), base_url)


@router.post("/feeds/{name}/runs", status_code=202, response_model=RunStarted, responses=_WRITE,
             summary="Start a harvest now, in the background; answers at once with the run's id (write API)")
def start_run(name: str, oogst: OogstDep, base_url: BaseUrlDep, user: WriterDep,
              body: RunStart | None = None) -> RunStarted:
    oogst.accounts.authorise(user, name, "run")
    run_id = oogst.start_harvest(name, full=bool(body and body.full))
    return RunStarted(run=run_id, feed=name, links=run_view({"id": run_id, "feed": name}, base_url)["links"])


@router.get("/feeds/{name}/runs", summary="A feed's last runs, newest first, with durations and count drops "
            "(`drop`: what fell against the median of the runs before)", responses=_FEED)
def list_runs(name: str, oogst: OogstDep, base_url: BaseUrlDep, user: ReaderDep,
              limit: int = Query(20, ge=1, le=200)) -> dict[str, list[dict[str, Any]]]:
    oogst.accounts.authorise(user, name, "view")
    return {"items": [run_view(run, base_url) for run in oogst.history.runs(name, limit)]}


@router.get("/feeds/{name}/report", summary="What a feed's records lack, per validation rule (JSON or CSV)",
            responses={**_FEED, 200: {"content": {"application/json": {}, "text/csv": {}}}})
def feed_report(name: str, oogst: OogstDep, user: ReaderDep,
                format: str = Query("json", pattern="^(json|csv)$")) -> Any:  # noqa: A002
    oogst.accounts.authorise(user, name, "view")
    report = oogst.report(name, examples=5)
    if format == "csv":
        buffer = io.StringIO()
        report.write_csv(buffer)
        return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}-validatie.csv"'})
    return report.as_dict()


def _run_of(oogst: Oogst, run_id: int, user: User | None) -> dict[str, Any]:
    run = oogst.history.run(run_id)  # with its duration (`seconds`) and count-drop flag (`drop`)
    oogst.accounts.authorise(user, run["feed"], "view")
    return run


@router.get("/runs/{run_id}", summary="One run: status, counts, notes and error", responses={
    **_AUTH, 404: {"description": "No run of that id that this account may see."}})
def get_run(run_id: int, oogst: OogstDep, base_url: BaseUrlDep, user: ReaderDep) -> dict[str, Any]:
    return run_view(_run_of(oogst, run_id, user), base_url)


@router.get("/runs/{run_id}/report", summary="A run's report: what it did, and what its quarantined records lack",
            responses={**_AUTH, 404: {"description": "No run of that id that this account may see."}})
def run_report(run_id: int, oogst: OogstDep, base_url: BaseUrlDep, user: ReaderDep) -> dict[str, Any]:
    run = _run_of(oogst, run_id, user)
    quarantined = [r for r in oogst.feed_records(run["feed"], state="quarantined", limit=500) if r["run_id"] == run_id]
    return {"run": run_view(run, base_url),
            "quarantined": [{"id": r["record_id"], "source_id": r["source_id"], "label": r["label"],
                             "findings": (r["report"] or {}).get("findings", [])} for r in quarantined[:100]],
            "validation": oogst.report(run["feed"], examples=3).as_dict()}
