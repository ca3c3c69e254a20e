"""The register-a-feed wizard: four server-rendered steps, no JavaScript needed.

1. **Address** — paste a URL; the core probes it live (``Oogst.probe``) and says what it is,
   or explains in Dutch and English why not (unreachable, timeout, private network, not
   OAI-PMH …).
2. **Format and sets** — the formats the server offers that oogst maps (the richest one
   chosen), its sets, the feed's name (suggested from the repository's name) and, for an
   operator, the owner organisation (a partner's feed is always its own organisation's).
3. **Preview** — five live records side by side: the source as delivered, the OSLO result in
   readable form, the checks in plain language, and a slot for the Europeana tier.
4. **Defaults and schedule** — default rights, language, the data provider's name (the feed's
   mapping profile) and how often to harvest; then save.

The steps are one form posted to ``/manage/feeds/new``; what earlier steps chose travels in
hidden fields and is checked again by the core when the feed is saved.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ...errors import OogstError
from ...pipeline.probe import format_for
from ..auth import csrf_ok, language
from .i18n import translator
from .manage import LANGUAGES, RIGHTS_CHOICES, SCHEDULES, feed_url, profile_with
from .site import describe, error_page, login_redirect, page, redirect, viewer

router = APIRouter(include_in_schema=False)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def suggest_name(oogst: Any, text: str) -> str:
    """A free feed name from a repository name or a host: lower case, digits and hyphens."""
    text = re.split(r"\s[—–-]\s|\(|:", text)[0]  # "Museum X — collectie (OAI-PMH)" → "Museum X"
    words = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")
    words = "-".join(w for w in words.split("-") if w not in ("oai", "pmh", "www", "be", "nl", "com", "org"))[:40]
    base = words.strip("-") or "feed"
    known = {f.name for f in oogst.list_feeds()}
    name, n = base, 2
    while name in known:
        name, n = f"{base}-{n}", n + 1
    return name


@router.get("/manage/feeds/new")
def start(request: Request) -> Response:
    if viewer(request) is None:
        return login_redirect(request)
    return page(request, "wizard.html", step=1, form={}, private=True)


@router.post("/manage/feeds/new")
async def step(request: Request, csrf: str = Form(""), step: str = Form("probe", max_length=20),
               url: str = Form("", max_length=2000), protocol: str = Form("", max_length=40),
               format: str = Form("", max_length=40), prefix: str = Form("", max_length=200),  # noqa: A002
               set_spec: str = Form("", max_length=500), name: str = Form("", max_length=64),
               owner: str = Form("", max_length=64), rights: str = Form("", max_length=300),
               language_value: str = Form("nl", alias="language", max_length=10),
               provider: str = Form("", max_length=300), schedule: str = Form("", max_length=100)) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    t = translator(language(request))
    if not csrf_ok(request, csrf):
        return error_page(request, 403, t("csrf.failed"))
    oogst = request.app.state.oogst
    form = {"url": url.strip(), "protocol": protocol, "format": format, "prefix": prefix, "set_spec": set_spec,
            "name": name.strip(), "owner": owner, "rights": rights, "language": language_value,
            "provider": provider, "schedule": schedule}
    if user.is_operator:
        form["owner"] = owner
    else:
        form["owner"] = user.org or ""
    if form["prefix"] and step not in ("probe", "back-1"):
        form["format"] = format_for(form["prefix"]) or form["format"]
    if step in ("probe", "back-2"):
        return await _formats(request, form)
    if step == "back-1":
        return page(request, "wizard.html", step=1, form=form, private=True)
    if not NAME.fullmatch(form["name"]):
        return await _formats(request, form, error=t("wizard.bad_name"), status=400)
    if form["name"] in {f.name for f in oogst.list_feeds()}:
        return await _formats(request, form, error=t("wizard.name_taken", name=form["name"]), status=400)
    try:
        draft = oogst.draft_feed(form["name"], form["url"], form["format"], **_parts(oogst, user, form))
    except OogstError as exc:
        return await _formats(request, form, error=describe(exc, language(request)), status=400)
    if step in ("preview", "back-3"):
        return await _preview(request, form, draft)
    if step == "defaults":
        if not form["provider"]:
            form["provider"] = oogst.accounts.org(form["owner"])["title"] if form["owner"] else ""
        return page(request, "wizard.html", step=4, form=form, rights_choices=RIGHTS_CHOICES, schedules=SCHEDULES,
                    languages=LANGUAGES, private=True)
    try:  # save
        parts = _parts(oogst, user, form)
        parts["profile"] = profile_with({}, form["rights"], form["language"], form["provider"])
        parts["schedule"] = form["schedule"] or None
        oogst.add_feed(form["name"], form["url"], form["format"], **parts)
    except OogstError as exc:
        return page(request, "wizard.html", step=4, status=400, form=form, rights_choices=RIGHTS_CHOICES,
                    schedules=SCHEDULES, languages=LANGUAGES, error=describe(exc, language(request)), private=True)
    return redirect(feed_url(request, form["name"], msg="saved"), request)


def _parts(oogst: Any, user: Any, form: dict[str, str]) -> dict[str, Any]:
    options = {}
    if form["protocol"] == "oai-pmh" and form["prefix"] and form["prefix"] != form["format"]:
        options["metadata_prefix"] = form["prefix"]
    return {"protocol": form["protocol"] or "oai-pmh", "set_spec": form["set_spec"] or None, "options": options,
            "owner": oogst.accounts.owner_for(user, form["owner"] or None)}


async def _formats(request: Request, form: dict[str, str], *, error: str | None = None, status: int = 200) -> Response:
    """Step 2 (or step 1 again, with the reason, when the address is no source oogst reads)."""
    oogst = request.app.state.oogst
    found = await run_in_threadpool(oogst.probe, form["url"])
    lang = language(request)
    if found.protocol is None or (found.problem and not found.formats and found.problem != "no-format"):
        return page(request, "wizard.html", step=1, form=form, probe=found, status=422 if found.problem else 200,
                    problem=found.message_en if lang == "en" else found.message_nl, private=True)
    form["url"] = found.url
    form["protocol"] = found.protocol
    if not form["format"] or form["format"] not in {f["format"] for f in found.formats if f["format"]}:
        form["format"], form["prefix"] = found.format or "", found.prefix or ""
    if not form["name"]:
        form["name"] = suggest_name(oogst, found.name or urlsplit(found.url).hostname or "feed")
    user = viewer(request)
    orgs = oogst.accounts.list_orgs() if user and user.is_operator else []
    problem = (found.message_en if lang == "en" else found.message_nl) if found.problem else None
    return page(request, "wizard.html", step=2, form=form, probe=found, orgs=orgs, problem=problem, error=error,
                status=status, private=True)


async def _preview(request: Request, form: dict[str, str], draft: Any) -> Response:
    oogst = request.app.state.oogst
    error = None
    items: list[dict[str, Any]] = []
    try:
        preview = await run_in_threadpool(oogst.preview_feed, draft, 5)
    except OogstError as exc:
        preview, error = [], describe(exc, language(request))
    for item in preview:
        items.append({
            "id": item.source.source_id,
            "source": oogst.readable_source(item.source.payload, item.source.media_type),
            "details": oogst.graph_details(item.ntriples, item.iri or "", draft) if item.ntriples else None,
            "findings": item.report.findings if item.report else [],
            "conforms": item.report.conforms if item.report else False,
            "error": item.error,
            "tiers": oogst.graph_tiers(item.ntriples, draft) if item.ntriples else None,
        })
    return page(request, "wizard.html", step=3, form=form, items=items, error=error, private=True)
