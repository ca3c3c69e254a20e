"""Delivery to Europeana: `export edm`, `media-check`, `feeds delivery`, and the tier section
of `oogst report`."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import EXIT_CODES, OogstError
from . import Context, err, json_option, main, out
from .feeds import feeds

DELIVERY_KEYS = ("provider", "intermediate_provider", "data_provider", "default_rights", "dataset_id", "country",
                 "language", "type_rule")


def delivery_pairs(pairs: tuple[str, ...], param: str) -> dict[str, Any]:
    """``KEY=VALUE`` delivery settings; a JSON value (``type_rule={"default": "IMAGE"}``) is
    read as JSON, an empty one (``KEY=``) removes the key."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=param)
        value = value.strip()
        if value.startswith(("{", "[")):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise click.BadParameter(f"{key}: {value!r} is not JSON: {exc}", param_hint=param) from None
        values[key] = value
    return values


def _bar(as_json: bool) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, disable=as_json)


# -- feeds delivery --------------------------------------------------------------------------------
@feeds.command("delivery")
@click.argument("name")
@click.argument("pairs", nargs=-1, metavar="[KEY=VALUE]...")
@json_option("Print the settings as JSON.")
@click.pass_obj
def feeds_delivery(obj: Context, name: str, pairs: tuple[str, ...], as_json: bool) -> None:
    """Show or set feed NAME's Europeana delivery settings.

    \b
    Keys: provider (edm:provider, the accredited aggregator), intermediate_provider,
    data_provider (name or IRI; default: each record's keeper), default_rights (for records
    that state none), dataset_id (Europeana's), country, language, type_rule (an edm:type,
    or JSON such as {"default": "IMAGE", "terms": {"bidprentje": "TEXT"}}). KEY= removes one.
    \b
    Examples:
      oogst feeds delivery museum
      oogst feeds delivery museum provider=meemoo dataset_id=2048128 default_rights=CC0
      oogst feeds delivery museum type_rule=IMAGE data_provider=
    """
    app = obj.app
    if pairs:
        feed = app.feed(name)
        app.edit_feed(name, delivery={**feed.delivery, **delivery_pairs(pairs, "KEY=VALUE")})
        try:
            worked = app.ensure_delivery(name)
        except OogstError as exc:  # the store may be held by `oogst serve`: then when they are next read
            worked = None
            err.print(f"[yellow]The records' EDM is worked out again when they are next read:[/] {exc}",
                      highlight=False)
        if not as_json and worked is not None:
            out.print(f"Delivery settings of feed [bold]{name}[/] changed; {worked} record(s) checked again.")
    info = app.delivery_settings(name)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    table = Table("setting", "value", "from", title=f"Europeana delivery: {name}")
    for key in DELIVERY_KEYS:
        value = info["settings"].get(key)
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else (value or "—")
        table.add_row(key, str(shown), info["origin"].get(key, "—") if value is not None else "—")
    out.print(table)


# -- export edm ----------------------------------------------------------------------------------------
@main.group("export")
def export_group() -> None:
    """Deliver published records elsewhere (Europeana: `oogst export edm`)."""


@export_group.command("edm")
@click.argument("names", nargs=-1)
@click.option("--all", "all_feeds", is_flag=True, help="Every registered feed (with --check).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.zip",
              help="Write the zip: one EDM RDF/XML file per record (Europeana's HTTP/zip harvest).")
@click.option("--check", is_flag=True,
              help="Pre-flight: EDM.xsd and the schematron on every file (setting edm_schemas_dir), besides the "
                   "id collisions, missing or invalid rights and content tier 0 that are always reported.")
@json_option("Print the report as JSON.")
@click.pass_obj
def export_edm(obj: Context, names: tuple[str, ...], all_feeds: bool, out: Path | None, check: bool,
               as_json: bool) -> None:
    """Export feed NAME as EDM for Europeana, with its pre-flight report.

    Exit status 1 when a checked file fails EDM.xsd or the schematron, or two records share one
    Europeana id (Europeana would refuse them); records that cannot be EDM are listed with the
    reason and left out of the zip.

    \b
    Examples:
      oogst export edm museum --out museum-edm.zip
      oogst export edm museum --check
      oogst export edm --all --check --json
    """
    app = obj.app
    chosen = [f.name for f in app.list_feeds()] if all_feeds else list(names)
    if not chosen:
        raise click.UsageError("name a feed, or pass --all")
    if out is not None and len(chosen) > 1:
        raise click.UsageError("a zip holds one feed (one Europeana dataset): name one feed with --out")
    for name in chosen:
        app.feed(name)
    reports = []
    with _bar(as_json) as bar:
        for name in chosen:
            task = bar.add_task(name, total=None)
            reports.append(app.export_edm(name, out, check=check, progress=lambda done, total, task=task:
                                          bar.update(task, completed=done, total=total)))
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False))
    else:
        for report in reports:
            print_preflight(report)
    if any(r["invalid"] or r["collisions"] for r in reports):
        sys.exit(EXIT_CODES["failed"])


def _first_message(findings: list[dict[str, Any]]) -> str:
    message = findings[0].get("message") or {}
    return f"{message.get('nl', '')}\n[dim]{message.get('en', '')}[/]"


def print_preflight(report: dict[str, Any]) -> None:
    """A feed's pre-flight report: the counts, then a row per kind of problem."""
    name = report["feed"]
    where = f" → {report['out']} ({report['files']} files)" if report["out"] else ""
    out.print(f"Feed [bold]{name}[/]: {report['total']} published record(s), {report['exportable']} EDM{where}; "
              f"{len(report['refused'])} not EDM, {len(report['invalid'])} invalid, "
              f"{len(report['collisions'])} id collision(s), {len(report['tier_zero'])} at content tier 0.",
              highlight=False)
    table = Table("check", "records", "example", "reason (nl / en)", title=f"pre-flight: {name}", show_lines=True,
                  expand=True)
    for label, found in (("not EDM", report["refused"]), ("EDM.xsd / schematron", report["invalid"])):
        by_rule: dict[str, list[str]] = {}
        first: dict[str, list[dict[str, Any]]] = {}
        for record, findings in found.items():
            for finding in findings[:1] if label != "not EDM" else findings:
                by_rule.setdefault(finding["rule"], []).append(record)
                first.setdefault(finding["rule"], [finding])
        for rule, records in sorted(by_rule.items(), key=lambda item: -len(item[1])):
            table.add_row(f"{label}: {rule}", str(len(records)), records[0], _first_message(first[rule]))
    for eid, records in report["collisions"].items():
        table.add_row("id collision", str(len(records)), ", ".join(records),
                      f"beide krijgen Europeana-id {eid}\n[dim]both get Europeana id {eid}[/]")
    zero = Counter(reason["en"] for reasons in report["tier_zero"].values() for reason in reasons[:1])
    for reason, count in zero.most_common():
        example = next(r for r, reasons in report["tier_zero"].items() if reasons and reasons[0]["en"] == reason)
        nl = report["tier_zero"][example][0]["nl"]
        table.add_row("content tier 0", str(count), example, f"{nl}\n[dim]{reason}[/]")
    if table.row_count:
        out.print(table)
    else:
        out.print("No problems found." + ("" if report["checked"] else " (XSD and schematron not run: --check)"))
    if report.get("validation_skipped"):
        err.print(f"[yellow]note:[/] {report['validation_skipped']}", highlight=False)
    tiers = report["tiers"]
    out.print(f"Tiers of the {tiers['records']} EDM record(s): content "
              + ", ".join(f"{k}: {v}" for k, v in tiers["content"].items())
              + "; metadata " + ", ".join(f"{k}: {v}" for k, v in tiers["metadata"].items()), highlight=False)


# -- media-check -------------------------------------------------------------------------------------------
@main.command("media-check")
@click.argument("name")
@click.option("--limit", type=click.IntRange(min=1), help="Check at most this many files.")
@click.option("--recheck", is_flag=True, help="Check files that were checked before, too.")
@json_option("Print the counts as JSON.")
@click.pass_obj
def media_check(obj: Context, name: str, limit: int | None, recheck: bool, as_json: bool) -> None:
    """Measure feed NAME's images for their Europeana content tier (opt-in).

    For each media file (edm:isShownBy, edm:hasView) it asks the partner's server for the
    first 64 KB only (an HTTP Range request, one request per host at a time, with the
    settings' delay and retries) and reads the media type, size and image dimensions.
    """
    app = obj.app
    app.feed(name)
    with _bar(as_json) as bar:
        task = bar.add_task(name, total=None)
        counts = app.media_check(name, limit=limit, recheck=recheck,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False))
        return
    out.print(f"Feed [bold]{name}[/]: {counts['urls']} media file(s), {counts['known']} checked before; checked "
              f"{counts['checked']} now: {counts['available']} available ({counts['with_dimensions']} with "
              f"dimensions), {counts['unavailable']} not available. `oogst report {name}` shows the tiers.",
              highlight=False)


# -- the tier section of `oogst report` --------------------------------------------------------------------
def print_tiers(tiers: dict[str, Any]) -> None:
    name = tiers["feed"]
    out.print(f"\n[bold]Europeana tiers: {name}[/] — {tiers['published']} published record(s): {tiers['edm']} can "
              f"be EDM, {tiers['not_edm']} cannot" + (f", {tiers['unknown']} not worked out yet" if tiers["unknown"]
                                                       else "") + ".", highlight=False)
    if tiers.get("note"):
        err.print(f"[yellow]note:[/] {tiers['note']}", highlight=False)
    table = Table("tier", *[str(k) for k in range(5)], title="content tier (certain / at most)")
    table.add_row("records", *[f"{tiers['content'][str(k)]} / {tiers['content_ceiling'][str(k)]}" for k in range(5)])
    out.print(table)
    meta = Table("tier", "0", "A", "B", "C", title="metadata tier")
    meta.add_row("records", *[str(tiers["metadata"][k]) for k in ("0", "A", "B", "C")])
    out.print(meta)
    if tiers["gaps"] or tiers["refused"]:
        gaps = Table("gap", "records", "example", "what the partner can add (nl / en)", show_lines=True, expand=True,
                     title="commonest gaps to the next tier, and why records are no EDM")
        for g in tiers["refused"][:5]:
            gaps.add_row(f"not EDM: {g['rule']}", str(g["records"]), g["example"], f"{g['nl']}\n[dim]{g['en']}[/]")
        for g in tiers["gaps"][:6]:
            gaps.add_row(g["code"], str(g["records"]), g["example"], f"{g['nl']}\n[dim]{g['en']}[/]")
        out.print(gaps)
