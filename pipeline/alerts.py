"""Alerts after a run: a JSON webhook and mail to the operator, and mail to the partner.

After every run (``RunHandle`` hands its summary to :meth:`Alerts.after_run`) the run is
judged; it raises an alert when

- ``failed``: the run failed;
- ``newly-failing``: this failure made the feed ``failing`` (``failing_after`` in a row);
- ``count-drop``: it published far fewer records than the feed's runs before it
  (:mod:`~oogst.pipeline.history`);
- ``quarantined``: it quarantined at least ``alerts_quarantined`` records.

The operator gets one JSON ``POST`` to ``alerts_webhook`` (through the harvesters' HTTP
client, so the same outbound policy applies) and, with ``alerts_smtp_host`` and
``alerts_mail_to``, a mail. A feed with a ``contact`` also gets a mail for the partner, in
Dutch and English, in its own terms: which records, and what to fill in where in its own
collection system. Alerts never break a run: a webhook or mail server that fails is logged.
"""

from __future__ import annotations

import logging
import os
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

from .. import __version__
from .history import History

if TYPE_CHECKING:
    from ..records import Feed
    from .core import Oogst
    from .run import RunSummary

log = logging.getLogger(__name__)

MAX_RULES = 5  # rules listed in a partner's mail


class Alerts:
    def __init__(self, core: Oogst) -> None:
        self.core = core
        self.sent: list[dict[str, Any]] = []  # what this process sent (for `--json` reports and tests)

    def after_run(self, summary: RunSummary) -> RunSummary:
        """Judge a finished run and send its alerts; never raises. Returns ``summary``."""
        if summary.run_id is None:
            return summary
        try:
            alert = self.judge(summary)
            if alert:
                self.send(alert)
        except Exception:  # noqa: BLE001 - an alert must never break a run
            log.exception("%s: the alerts of run %s could not be worked out", summary.feed, summary.run_id)
        return summary

    def judge(self, summary: RunSummary) -> dict[str, Any] | None:
        """The alert for a finished run (the webhook's JSON), or None when all is well."""
        core, settings = self.core, self.core.settings
        feed = core.state.get_feed(summary.feed)
        history = History(core)
        run = history.run(summary.run_id)
        events: list[dict[str, str]] = []
        if run["status"] == "failed":
            events.append({"kind": "failed", "message": run["error"] or "the run failed"})
            if feed.status == "failing" and feed.failures == settings.failing_after:
                events.append({"kind": "newly-failing",
                               "message": f"the feed failed {feed.failures} runs in a row and is now 'failing'"})
        if run["drop"]:
            events.append({"kind": "count-drop", "message": run["drop"]["message"]})
        if settings.alerts_quarantined and run["quarantined"] >= settings.alerts_quarantined:
            events.append({"kind": "quarantined", "message": f"{run['quarantined']} record(s) quarantined "
                                                             f"(alerts_quarantined = {settings.alerts_quarantined})"})
        if not events:
            return None
        base = settings.public_url.rstrip("/")
        return {"source": "oogst", "version": __version__, "feed": feed.name, "owner": feed.owner,
                "run": run["id"], "mode": run["mode"], "status": run["status"],
                "started_at": run["started_at"], "finished_at": run["finished_at"], "seconds": run["seconds"],
                "counts": {k: run[k] for k in ("harvested", "published", "quarantined", "withdrawn", "unchanged")},
                "error": run["error"], "drop": run["drop"], "events": events,
                "kinds": [e["kind"] for e in events],
                "links": {"run": f"{base}/runs/{run['id']}", "report": f"{base}/runs/{run['id']}/report"}
                if base else {}}

    # -- delivery ------------------------------------------------------------------------------
    def send(self, alert: dict[str, Any]) -> None:
        """Webhook, operator mail, partner mail: each on its own; a failure is logged."""
        settings = self.core.settings
        self.sent.append(alert)
        if settings.alerts_webhook:
            try:
                self.core.http.post_json(settings.alerts_webhook, alert, timeout=settings.alerts_timeout,
                                         feed=alert["feed"])
                log.info("%s: alert %s posted to the webhook", alert["feed"], ",".join(alert["kinds"]))
            except Exception as exc:  # noqa: BLE001 - logged without the URL: a webhook URL often holds a token
                log.error("%s: the alert of run %s could not be posted to the webhook: %s",
                          alert["feed"], alert["run"], getattr(exc, "message", type(exc).__name__))
        if not settings.alerts_smtp_host:
            return
        if settings.alerts_mail_to:
            self._mail(settings.alerts_mail_to, *operator_mail(alert), alert)
        feed = self.core.state.get_feed(alert["feed"])
        if feed.contact:
            report = History(self.core).report(alert["run"])
            self._mail(feed.contact, *partner_mail(alert, feed, report["rules"]), alert)

    def _mail(self, to: str, subject: str, body: str, alert: dict[str, Any]) -> None:
        settings = self.core.settings
        message = EmailMessage()
        message["From"] = settings.alerts_mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="oogst")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        try:
            with smtplib.SMTP(settings.alerts_smtp_host, settings.alerts_smtp_port,
                              timeout=settings.alerts_timeout) as smtp:
                if settings.alerts_smtp_starttls:
                    smtp.starttls()
                user, password = os.environ.get("OOGST_SMTP_USER"), os.environ.get("OOGST_SMTP_PASSWORD")
                if user and password:
                    smtp.login(user, password)
                smtp.send_message(message)
            log.info("%s: alert mail sent to %s", alert["feed"], to)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("%s: the alert mail of run %s to %s could not be sent: %s", alert["feed"], alert["run"], to, exc)


def operator_mail(alert: dict[str, Any]) -> tuple[str, str]:
    c = alert["counts"]
    lines = [f"Feed {alert['feed']}, run {alert['run']} ({alert['mode']}): {alert['status']}.", ""]
    lines += [f"- {e['kind']}: {e['message']}" for e in alert["events"]]
    lines += ["", f"harvested {c['harvested']}, published {c['published']}, quarantined {c['quarantined']}, "
                  f"withdrawn {c['withdrawn']}, unchanged {c['unchanged']}"]
    if alert["links"]:
        lines += ["", f"Report: {alert['links']['report']}"]
    lines += ["", f"oogst runs show {alert['run']}"]
    return f"[oogst] {alert['feed']}: {', '.join(alert['kinds'])}", "\n".join(lines) + "\n"


def partner_mail(alert: dict[str, Any], feed: Feed, rules: list[dict[str, Any]]) -> tuple[str, str]:
    """The partner's mail: Dutch first, then English; which records and what to fix."""
    c, kinds = alert["counts"], alert["kinds"]
    nl: list[str] = ["Beste collectiebeheerder,", ""]
    en: list[str] = ["Dear collection manager,", ""]
    if "failed" in kinds:
        nl.append(f"De oogst van uw collectie '{feed.name}' van {alert['started_at']} is mislukt. Wat oogst zag: "
                  f"{alert['error']}. Kijk na of uw server ({feed.url}) bereikbaar is en correct antwoordt.")
        en.append(f"The harvest of your collection '{feed.name}' of {alert['started_at']} failed. What oogst saw: "
                  f"{alert['error']}. Please check that your server ({feed.url}) is reachable and answers correctly.")
    if "newly-failing" in kinds:
        nl.append("De oogst mislukt nu meerdere keren na elkaar; uw gegevens op het platform worden niet meer "
                  "bijgewerkt tot dit opgelost is.")
        en.append("The harvest has now failed several times in a row; your data on the platform is no longer "
                  "updated until this is solved.")
    if "count-drop" in kinds and alert["drop"]:
        d = alert["drop"]
        nl.append(f"Uw server leverde deze keer {d['harvested']} records, {d['share']:.0%} minder dan gewoonlijk "
                  f"(mediaan {d['median']:g}). Kijk na of de export van uw collectiesysteem volledig is.")
        en.append(f"Your server delivered {d['harvested']} records this time, {d['share']:.0%} fewer than usual "
                  f"(median {d['median']:g}). Please check that the export of your collection system is complete.")
    if c["quarantined"]:
        nl.append(f"{c['quarantined']} record(s) werden niet gepubliceerd omdat er iets ontbreekt of niet klopt:")
        en.append(f"{c['quarantined']} record(s) were not published because something is missing or wrong:")
        for rule in [r for r in rules if r["severity"] == "violation"][:MAX_RULES]:
            examples = ", ".join(rule["examples"])
            fix = rule["fix"] or {}
            nl.append(f"- {rule['records']} record(s), bv. {examples}: "
                      + (fix.get("nl") or f"regel {rule['rule']} ({rule['source_path'] or rule['path']})"))
            en.append(f"- {rule['records']} record(s), e.g. {examples}: "
                      + (fix.get("en") or f"rule {rule['rule']} ({rule['source_path'] or rule['path']})"))
    if alert["links"]:
        nl.append(f"Het volledige verslag: {alert['links']['report']}")
        en.append(f"The full report: {alert['links']['report']}")
    nl += ["", "Met vriendelijke groeten,", "oogst"]
    en += ["", "Kind regards,", "oogst"]
    subject = f"[oogst] {feed.name}: " + ("oogst mislukt / harvest failed" if "failed" in kinds
                                          else "aandacht nodig / attention needed")
    return subject, "\n".join(nl) + "\n\n— English —\n\n" + "\n".join(en) + "\n"
