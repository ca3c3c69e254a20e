"""The pages of collection managers and operators (signed in): their feeds, a feed's page
(status, runs, counts and trend, what is missing and how to fix it, the buttons), the
settings form, the account page (API tokens) and, for operators, organisations and users.

Every route asks the core's ownership rules (``oogst.accounts``) before it shows or changes
anything: a partner's request for another organisation's feed is a 404, as for a feed that
does not exist. Every form carries the CSRF token and is refused without it.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ...errors import OogstError
from ...iris import record_id
from ...records import Feed
from ..auth import csrf_ok, language
from ..deps import base_url_of
from . import record_url
from .charts import trend_svg
from .i18n import translator
from .site import describe, error_page, login_redirect, page, redirect, viewer

router = APIRouter(include_in_schema=False)

RIGHTS_CHOICES = (
    "http://creativecommons.org/publicdomain/zero/1.0/",
    "http://creativecommons.org/publicdomain/mark/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-sa/4.0/",
    "http://rightsstatements.org/vocab/InC/1.0/",
    "http://rightsstatements.org/vocab/CNE/1.0/",
)
SCHEDULES = (("", "schedule.none"), ("daily 02:00", "schedule.daily"), ("weekly mon 03:00", "schedule.weekly"))
LANGUAGES = (("nl", "Nederlands"), ("en", "English"), ("fr", "Français"), ("de", "Deutsch"))


def feed_url(request: Request, name: str, **params: str) -> str:
    url = f"{base_url_of(request)}/manage/feeds/{quote(name, safe='')}"
    return f"{url}?{urlencode(params)}" if params else url


def _refused(request: Request) -> Response:
    return error_page(request, 403, translator(language(request))("csrf.failed"))


# -- the dashboard -----------------------------------------------------------------------------------
@router.get("/manage")
def dashboard(request: Request) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    oogst = request.app.state.oogst
    rows = [{"feed": feed, "counts": oogst.counts(feed.name), "last": oogst.last_run(feed.name),
             "url": feed_url(request, feed.name)} for feed in oogst.user_feeds(user)]
    org = oogst.accounts.org(user.org)["title"] if user.org else None
    return page(request, "manage.html", rows=rows, org=org, private=True)


# -- a feed's page -----------------------------------------------------------------------------------------
def feed_context(request: Request, feed: Feed) -> dict[str, Any]:
    oogst = request.app.state.oogst
    t = translator(language(request))
    runs = oogst.history.runs(feed.name, 20)  # with durations and count drops
    report = oogst.report(feed.name, examples=3)
    rules = []
    base = base_url_of(request)
    en = language(request) == "en"
    for summary in report.rules:
        advice = oogst.fix_advice(summary.rule, feed.format)
        local = summary.rule.rsplit(":", 1)[-1]
        title = t(f"rule.{local}")
        if title == f"rule.{local}":  # a rule of the OSLO profile: its property, in words
            title = f"{t('rule.oslo-ap')}: {local.replace('.', ' › ')}" if summary.rule.startswith("oslo-ap:") \
                else summary.rule
        rules.append({"summary": summary, "share": report.share(summary), "title": title,
                      "fix": (advice[1] if en else advice[0]) if advice else None,
                      "examples": [{"label": e.label, "record": e.record, "value": e.value,
                                    "url": record_url(base, record_id(feed.name, e.record))} for e in summary.examples]})
    quarantined = oogst.feed_records(feed.name, state="quarantined", limit=20)
    return {"feed": feed, "counts": oogst.counts(feed.name), "runs": runs, "last": runs[0] if runs else None,
            "chart": trend_svg(runs, t), "rules": rules, "quarantined": quarantined,
            "tiers": oogst.tiers(feed.name),
            "record_link": lambda rid: record_url(base, rid),
            "feed_url": feed_url(request, feed.name),
            "csv_url": f"{feed_url(request, feed.name)}/report.csv",
            "can_run": oogst.accounts.can(viewer(request), feed, "run")}


@router.get("/manage/feeds/{name}")
def feed_page(request: Request, name: str, msg: str | None = None, run: str | None = None) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    feed = request.app.state.oogst.accounts.authorise(user, name, "view")
    t = translator(language(request))
    messages = {"started": t("feed.started", run=run or "?"), "saved": t("feed.saved"), "paused": t("feed.paused_msg"),
                "resumed": t("feed.resumed_msg"), "edited": t("feed.edited")}
    return page(request, "feed.html", message=messages.get(msg or ""), private=True, **feed_context(request, feed))


@router.post("/manage/feeds/{name}/harvest")
async def harvest_now(request: Request, name: str, csrf: str = Form("")) -> Response:
    return await _act(request, name, csrf, "run")


@router.post("/manage/feeds/{name}/pause")
async def pause(request: Request, name: str, csrf: str = Form("")) -> Response:
    return await _act(request, name, csrf, "pause")


@router.post("/manage/feeds/{name}/resume")
async def resume(request: Request, name: str, csrf: str = Form("")) -> Response:
    return await _act(request, name, csrf, "resume")


async def _act(request: Request, name: str, csrf: str, action: str) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    if not csrf_ok(request, csrf):
        return _refused(request)
    oogst = request.app.state.oogst
    feed = oogst.accounts.authorise(user, name, "pause" if action == "resume" else action)
    try:
        if action == "run":
            run_id = await run_in_threadpool(oogst.start_harvest, name)
            return redirect(feed_url(request, name, msg="started", run=str(run_id)), request)
        if action == "pause":
            oogst.pause_feed(name)
            return redirect(feed_url(request, name, msg="paused"), request)
        oogst.resume_feed(name)
        return redirect(feed_url(request, name, msg="resumed"), request)
    except OogstError as exc:
        return page(request, "feed.html", status=409, error=describe(exc, language(request)), private=True,
                    **feed_context(request, feed))


@router.get("/manage/feeds/{name}/report.csv")
def report_csv(request: Request, name: str) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    oogst = request.app.state.oogst
    feed = oogst.accounts.authorise(user, name, "view")
    report = oogst.report(name, examples=10)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # Excel in Dutch and French locales reads ';'
    writer.writerow(["regel / rule", "ernst / severity", "records", "aandeel / share", "veld in de bron / source field",
                     "melding / message (nl)", "message (en)", "oplossing (nl)", "how to fix (en)",
                     "voorbeeldrecords / example records"])
    for s in report.rules:
        first = s.examples[0] if s.examples else None
        advice = oogst.fix_advice(s.rule, feed.format) or ("", "")
        writer.writerow([s.rule, s.severity, s.records, f"{report.share(s):.1%}", s.source_path or "",
                         first.message_nl if first else "", first.message_en if first else "", advice[0], advice[1],
                         " | ".join(e.record for e in s.examples)])
    return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}-validatie.csv"',
                             "Cache-Control": "private, no-store"})


# -- a feed's settings -----------------------------------------------------------------------------------
def settings_context(request: Request, feed: Feed, **extra: Any) -> dict[str, Any]:
    oogst = request.app.state.oogst
    provider = feed.profile.get("provider") if isinstance(feed.profile.get("provider"), dict) else {}
    return {"feed": feed, "rights_choices": RIGHTS_CHOICES, "schedules": SCHEDULES, "languages": LANGUAGES,
            "rights": feed.profile.get("default_rights") or "", "language_value": feed.profile.get("language") or "nl",
            "provider": (provider or {}).get("name") or feed.profile.get("provider_name") or "",
            "orgs": oogst.accounts.list_orgs() if viewer(request) and viewer(request).is_operator else [],
            "feed_url": feed_url(request, feed.name), **extra}


@router.get("/manage/feeds/{name}/edit")
def edit_form(request: Request, name: str) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    feed = request.app.state.oogst.accounts.authorise(user, name, "edit")
    return page(request, "feed_edit.html", private=True, **settings_context(request, feed))


@router.post("/manage/feeds/{name}/edit")
def edit(request: Request, name: str, csrf: str = Form(""), url: str = Form("", max_length=2000),
         set_spec: str = Form("", max_length=500), schedule: str = Form("", max_length=100),
         rights: str = Form("", max_length=300), language_value: str = Form("nl", alias="language", max_length=10),
         provider: str = Form("", max_length=300), owner: str = Form("", max_length=64)) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    if not csrf_ok(request, csrf):
        return _refused(request)
    oogst = request.app.state.oogst
    feed = oogst.accounts.authorise(user, name, "edit")
    profile = profile_with(feed.profile, rights, language_value, provider)
    changes: dict[str, Any] = {"url": url or None, "set_spec": set_spec, "schedule": schedule or "", "profile": profile}
    if user.is_operator:
        changes["owner"] = owner or None
    try:
        oogst.edit_feed(name, **changes)
    except OogstError as exc:
        return page(request, "feed_edit.html", status=400, private=True, error=describe(exc, language(request)),
                    **settings_context(request, feed))
    return redirect(feed_url(request, name, msg="edited"), request)


def profile_with(profile: dict[str, Any], rights: str, language_value: str, provider: str) -> dict[str, Any]:
    """The feed's mapping profile with the wizard's defaults (empty ones removed)."""
    out = {k: v for k, v in profile.items() if k not in ("default_rights", "language", "provider_name")}
    if rights:
        out["default_rights"] = rights
    if language_value:
        out["language"] = language_value
    named = dict(out.get("provider") or {})
    if provider.strip():
        named["name"] = provider.strip()
    else:
        named.pop("name", None)
    if named:
        out["provider"] = named
    else:
        out.pop("provider", None)
    return out


# -- the account page --------------------------------------------------------------------------------------
@router.get("/manage/account")
def account(request: Request) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    oogst = request.app.state.oogst
    return page(request, "account.html", tokens=oogst.accounts.list_tokens(user.name), private=True)


@router.post("/manage/account/tokens")
def new_token(request: Request, csrf: str = Form(""), label: str = Form("", max_length=200)) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    if not csrf_ok(request, csrf):
        return _refused(request)
    oogst = request.app.state.oogst
    token = oogst.accounts.new_token(user.name, label or None)
    return page(request, "account.html", tokens=oogst.accounts.list_tokens(user.name), token=token, private=True)


# -- organisations and users (operators) ---------------------------------------------------------------
@router.get("/manage/orgs")
def orgs(request: Request) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    request.app.state.oogst.accounts.require_operator(user)
    return _orgs_page(request)


def _orgs_page(request: Request, status: int = 200, **extra: Any) -> Response:
    accounts = request.app.state.oogst.accounts
    return page(request, "orgs.html", status=status, orgs=accounts.list_orgs(), users=accounts.list_users(),
                private=True, **extra)


@router.post("/manage/orgs")
def add_org(request: Request, csrf: str = Form(""), name: str = Form("", max_length=64),
            title: str = Form("", max_length=300)) -> Response:
    return _operator_form(request, csrf, lambda accounts: accounts.add_org(name.strip(), title.strip() or None))


@router.post("/manage/users")
def add_user(request: Request, csrf: str = Form(""), name: str = Form("", max_length=100),
             role: str = Form("partner", max_length=20), org: str = Form("", max_length=64),
             password: str = Form("", max_length=1000)) -> Response:
    return _operator_form(request, csrf, lambda accounts: accounts.add_user(
        name.strip(), role, org=org or None if role == "partner" else None, password=password))


def _operator_form(request: Request, csrf: str, action: Any) -> Response:
    user = viewer(request)
    if user is None:
        return login_redirect(request)
    if not csrf_ok(request, csrf):
        return _refused(request)
    accounts = request.app.state.oogst.accounts
    accounts.require_operator(user)
    try:
        action(accounts)
    except OogstError as exc:
        return _orgs_page(request, 400, error=describe(exc, language(request)))
    return _orgs_page(request, message=translator(language(request))("orgs.added"))
