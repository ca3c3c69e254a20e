"""Harvest runs and what they find: `harvest`, `remap`, `map`, `report`, `preview`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import EXIT_CODES
from . import Context, err, json_option, main, out


# -- harvest ----------------------------------------------------------------------------------
_STATUS_STYLE = {"complete": "green", "skipped": "yellow", "failed": "red", "running": "cyan", "waiting": "dim"}


def run_harvest(obj: Context, names: list[str], full: bool, as_json: bool, resume: bool = False,
                jobs: int | None = None, deadline: float | None = None) -> list:
    """Harvest ``names``, ``jobs`` at a time, with a live line per feed (on stderr)."""
    app = obj.app
    urls = {name: app.feed(name).url for name in names}  # unknown names fail before any work starts
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("[dim]{task.fields[host]}"),
                  BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                  console=err, disable=as_json) as bar:
        tasks = {name: bar.add_task(name, total=None, start=False, host=_host(urls[name]),
                                    status=_styled("waiting")) for name in names}

        def progress(feed: str, event: str, done: int, total: int | None) -> None:
            task = tasks[feed]
            if event == "waiting":
                return
            if event == "running":
                bar.start_task(task)
            else:
                bar.stop_task(task)
            bar.update(task, completed=done, total=total if total and total >= done else None,
                       status=_styled(event))

        return app.harvest_all(names, jobs=jobs, full=full, resume=resume, deadline=deadline, progress=progress)


def _styled(status: str) -> str:
    return f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]"


def _host(url: str) -> str:
    from ..pipeline.night import host_of

    return host_of(url)


def print_summaries(summaries: list, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in summaries], ensure_ascii=False))
        return
    table = Table("feed", "status", "harvested", "published", "quarantined", "withdrawn", "unchanged", "seconds",
                  title="harvest summary")
    for s in summaries:
        style = "green" if s.status == "complete" else ("yellow" if s.status == "skipped" else "red")
        c = s.counts
        table.add_row(s.feed, f"[{style}]{s.status}[/]", str(c["harvested"]), str(c["published"]),
                      str(c["quarantined"]), str(c["withdrawn"]), str(c["unchanged"]), f"{s.seconds:.1f}")
    out.print(table)
    for s in summaries:
        for note in s.notes:
            where = f" [{note['record']}]" if note.get("record") else ""
            out.print(f"[dim]{s.feed}: {note['code']}{where}:[/] {note['message']}", highlight=False)
        if s.error:
            err.print(f"[red]{s.feed}:[/] {s.error.get('message')}"
                      + (f" — {s.error['hint']}" if s.error.get("hint") else ""), highlight=False)


@main.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_feeds", is_flag=True, help="Harvest every registered feed.")
@click.option("--due", is_flag=True, help="Harvest the feeds whose schedule is due (`oogst schedule`); for cron.")
@click.option("--full", is_flag=True,
              help="Re-read everything instead of only what changed; then withdraw what the feed no longer has.")
@click.option("--resume", is_flag=True,
              help="Only carry on with interrupted runs, from their last checkpoint (a plain run does that too).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Feeds harvested at once (setting harvest_jobs, default 1); each partner host still gets "
                   "one request at a time.")
@click.option("--deadline", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Fail a feed's run that takes longer (setting run_deadline; 0: no limit); the others go on.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write every run's counts, notes and errors to FILE as JSON.")
@click.option("--contexts", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="Folder of JSON-LD context files for LDES/JSON-LD feeds (setting contexts_dir).")
@click.option("--queue", "queued", is_flag=True,
              help="Send one task per feed to the workers (`oogst worker`, setting queue) instead of running here.")
@click.option("--wait", "wait_s", type=float, default=None, metavar="SECONDS",
              help="With --queue: wait (at most SECONDS) for the workers and print the summaries.")
@click.option("--workers", type=click.IntRange(min=0), metavar="N",
              help="Processes that map and validate while this one fetches and stores (setting workers; "
                   "0: one per core, 1: all in this process).")
@json_option("Print the run summaries as JSON.")
@click.pass_obj
def harvest(obj: Context, names: tuple[str, ...], all_feeds: bool, due: bool, full: bool, resume: bool,
            jobs: int | None, deadline: float | None, report_file: Path | None, contexts: str | None, queued: bool,
            wait_s: float | None, workers: int | None, as_json: bool) -> None:
    """Harvest feeds NAMES (or --all): fetch, map, validate and store.

    With --jobs N, N feeds run at once (a live line each); a feed that fails or passes its
    deadline never stops the others. An interrupted run (killed, or failed after some pages)
    carries on from its last checkpoint. The summary lists each run's notes: faults met and
    what was done about them. Exit code 1 when any run failed.
    """
    from datetime import UTC, datetime

    from ..devtools.demo import demo_partners
    from ..pipeline.night import report as night_report

    obj.overrides["contexts_dir"] = contexts
    if workers is not None:
        obj.overrides["workers"] = workers
    if all_feeds + due + bool(names) != 1:
        raise click.UsageError("name one or more feeds, or pass --all or --due")
    if full and resume:
        raise click.UsageError("--full starts over; --resume carries on: choose one")
    chosen = ([f.name for f in obj.app.list_feeds()] if all_feeds else obj.app.schedules.due() if due
              else list(dict.fromkeys(names)))
    if queued:
        for name in chosen:
            obj.app.feed(name)  # unknown names fail before anything is sent
        from ..pipeline import queue

        tasks = queue.enqueue_runs(obj.settings, chosen, full=full, resume=resume)
        if wait_s is None:
            print_tasks(tasks, as_json)
            return
        summaries = queue.wait(obj.settings, tasks, timeout=wait_s or None)
        print_summaries(summaries, as_json)
        if not all(s.ok for s in summaries):
            sys.exit(EXIT_CODES["failed"])
        return
    began, clock = datetime.now(UTC), time.monotonic()
    with demo_partners(obj.app, chosen) as simulator:
        if simulator and not as_json:
            err.print(f"The demo's partner simulator was not running: started it on {simulator} for this harvest.",
                      highlight=False)
        summaries = run_harvest(obj, chosen, full, as_json, resume=resume, jobs=jobs, deadline=deadline)
    if report_file:
        hosts = {name: _host(obj.app.feed(name).url) for name in chosen}
        body = night_report(summaries, started=began.isoformat(timespec="seconds"),
                            finished=datetime.now(UTC).isoformat(timespec="seconds"),
                            seconds=time.monotonic() - clock, jobs=jobs or obj.settings.harvest_jobs, hosts=hosts)
        try:
            report_file.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", "utf-8")
        except OSError as exc:
            err.print(f"[red]cannot write the report {report_file}:[/] {exc.strerror}", highlight=False)
    print_summaries(summaries, as_json)
    if not all(s.ok for s in summaries):
        sys.exit(EXIT_CODES["failed"])


def print_tasks(tasks: list[dict], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(tasks, ensure_ascii=False))
        return
    table = Table("feed", "task", title="sent to the workers")
    for t in tasks:
        table.add_row(t["feed"], t["task"] or f"[yellow]queued already ({t['queued']})[/]")
    out.print(table)


@main.command()
@click.argument("name")
@click.option("--queue", "queued", is_flag=True,
              help="Split the archive into chunks and let the workers map and validate them (setting queue).")
@click.option("--chunk", default=5000, show_default=True, help="With --queue: archived records per task.")
@click.option("--wait", "wait_s", type=float, default=None, metavar="SECONDS",
              help="With --queue: wait (at most SECONDS) for the workers and print the summary.")
@json_option("Print the run summary as JSON.")
@click.pass_obj
def remap(obj: Context, name: str, queued: bool, chunk: int, wait_s: float | None, as_json: bool) -> None:
    """Map and validate feed NAME again from the raw archive, without contacting the partner.

    For after a mapping or shapes change: every archived record is mapped again, changed or
    not; withdrawn records stay withdrawn.
    """
    app = obj.app
    app.feed(name)
    if queued:
        from ..pipeline import queue

        sent = queue.enqueue_remap(app, name, chunk=chunk)
        if wait_s is None:
            print_tasks([{"feed": f"{name} (run {sent['run']}, chunk {i})", "task": t}
                         for i, t in enumerate(sent["tasks"])], as_json)
            return
        summary = queue.wait_run(app, sent["run"], timeout=wait_s or 3600)
        print_summaries([summary], as_json)
        if summary.status != "complete":
            sys.exit(EXIT_CODES["failed"])
        return
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=as_json) as bar:
        task = bar.add_task(f"remap {name}", total=None)
        summary = app.remap(name, progress=lambda _feed, done, total: bar.update(task, completed=done, total=total))
    print_summaries([summary], as_json)
    if not summary.ok:
        sys.exit(EXIT_CODES["failed"])


@main.command("map")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", required=True, help="lido, oai_dc, oslo-jsonld or edm (`oogst formats`).")
@click.option("--contexts", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="Folder of JSON-LD context files, matched by file name against a context URL "
                   "(setting contexts_dir).")
@click.option("--feed", help="Map with this registered feed's mapping profile.")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Map with this mapping profile (TOML).")
@click.pass_obj
def map_cmd(obj: Context, file: str, fmt: str, contexts: str | None, feed: str | None, profile: str | None) -> None:
    """Print the OSLO Turtle of every record in FILE; the validation summary goes to stderr.

    FILE holds one record, a lidoWrap, an OAI-PMH response or a JSON array of LDES members.
    Nothing is stored. Exit code 0 when every record maps and passes the acceptance shapes.
    """
    if feed and profile:
        raise click.UsageError("--feed and --profile both choose a profile: give one")
    obj.overrides["contexts_dir"] = contexts
    result = obj.app.map_file(file, fmt, feed=feed, profile=profile)
    sys.stdout.write(result.turtle())
    deleted = f", {result.deleted} deleted left out" if result.deleted else ""
    err.print(f"{len(result.mapped) + len(result.errors)} record(s){deleted}: {result.conforming} pass the "
              f"acceptance shapes, {len(result.mapped) - result.conforming} do not, {len(result.errors)} "
              "could not be mapped.", highlight=False)
    notes: dict[str, int] = {}  # the OSLO profile's warnings and the mappers' remarks, counted
    for m in result.mapped:
        for finding in result.reports[m.source_id].findings:
            if finding.severity == "violation":
                err.print(f"  [red]violation[/] {m.source_id}: {finding.message_en}", highlight=False)
            else:
                notes[f"{finding.severity} {finding.rule}"] = notes.get(f"{finding.severity} {finding.rule}", 0) + 1
        for warning in m.warnings:
            notes[f"mapping: {warning}"] = notes.get(f"mapping: {warning}", 0) + 1
    for exc in result.errors:
        err.print(f"  [red]error[/] {exc}", highlight=False)
    for note, count in sorted(notes.items()):
        err.print(f"  [yellow]{count}×[/] {note}", highlight=False)
    if not result.ok:
        sys.exit(EXIT_CODES["failed"])


# -- validation reports and previews ----------------------------------------------------------
_SEVERITY_STYLE = {"violation": "red", "warning": "yellow", "info": "blue"}


def rule_table(rules: list, *, records: int | None = None, title: str | None = None) -> Table:
    """A table of validation rules (``shapes.report.RuleSummary``): how many records break
    each, where the partner fills it in, examples and the first example's message (nl, en).
    ``records`` (the number of records looked at) adds each rule's share."""
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("records", justify="right", no_wrap=True)
    table.add_column("field in the source", ratio=2, overflow="fold")
    table.add_column("examples", ratio=2, overflow="fold")
    table.add_column("message (nl / en)", ratio=5, overflow="fold")
    for r in rules:
        share = f" ({r.records / records:.0%})" if records else ""
        first = r.examples[0] if r.examples else None
        message = f"{first.message_nl}\n[dim]{first.message_en}[/]" if first else ""
        table.add_row(r.rule, f"[{_SEVERITY_STYLE.get(r.severity, 'white')}]{r.severity}[/]", f"{r.records}{share}",
                      r.source_path or r.path or "", "\n".join(e.record for e in r.examples), message)
    return table


@main.command()
@click.argument("name")
@click.option("--severity", type=click.Choice(["violation", "warning", "info"]),
              help="Only rules of this severity (violations block publication, warnings never do).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write the summary as CSV, one row per rule.")
@click.option("--examples", default=3, show_default=True, help="Example records per rule.")
@json_option("Print the summary as JSON.")
@click.pass_obj
def report(obj: Context, name: str, severity: str | None, csv_file: Path | None, examples: int,
           as_json: bool) -> None:
    """Show what feed NAME's records lack: per validation rule, how many records break it, with
    examples and the message the partner gets; then its Europeana tiers (distribution, and the
    commonest gaps with what the partner could add to reach the next tier)."""
    from .delivery import print_tiers

    summary = obj.app.report(name, severity=severity, examples=examples)
    tiers = obj.app.tiers(name)
    if csv_file:
        summary.write_csv(csv_file)
    if as_json:
        click.echo(json.dumps({**summary.as_dict(), "tiers": tiers}, ensure_ascii=False))
        return
    t = summary.totals
    out.print(f"Feed [bold]{name}[/]: {summary.records} records ({t['published']} published, "
              f"{t['quarantined']} quarantined), {t['withdrawn']} withdrawn.", highlight=False)
    if not summary.rules:
        out.print("No findings" + (f" of severity {severity}" if severity else "") + ".")
    else:
        out.print(rule_table(summary.rules, records=summary.records, title=f"validation report: {name}"))
    print_tiers(tiers)
    if csv_file:
        err.print(f"CSV written to {csv_file}", highlight=False)


@main.command()
@click.argument("name")
@click.option("--n", "n", default=5, show_default=True, help="How many records to fetch.")
@json_option("Print the records, their Turtle and reports as JSON.")
@click.pass_obj
def preview(obj: Context, name: str, n: int, as_json: bool) -> None:
    """Fetch the first N records of feed NAME live and show each: the source, its OSLO Turtle
    and its validation results. Nothing is stored."""
    from rich.rule import Rule
    from rich.syntax import Syntax

    items = obj.app.preview(name, n)
    if as_json:
        click.echo(json.dumps([i.as_dict() for i in items], ensure_ascii=False))
        return
    if not items:
        out.print(f"Feed {name} delivered no records.")
    for item in items:
        out.print(Rule(f"[bold]{item.source.source_id}[/]"))
        out.print("[bold]source[/]")
        lexer = "json" if "json" in item.source.media_type else "xml"
        out.print(Syntax(item.source.payload.decode("utf-8", "replace"), lexer, word_wrap=True))
        if item.error:
            out.print(f"[red]not mapped:[/] {item.error}", highlight=False)
            continue
        out.print("[bold]OSLO (Turtle)[/]")
        out.print(Syntax(item.turtle or "", "turtle", word_wrap=True))
        findings = item.report.findings if item.report else []
        verdict = "[green]passes the acceptance shapes[/]" if item.report and item.report.conforms \
            else "[red]does not pass the acceptance shapes[/]"
        out.print(f"[bold]validation[/]: {verdict}, {len(findings)} finding(s)")
        for f in findings:
            out.print(f"  [{_SEVERITY_STYLE.get(f.severity, 'white')}]{f.severity}[/] {f.rule}: {f.message_nl}\n"
                      f"    [dim]{f.message_en}[/]", highlight=False)
