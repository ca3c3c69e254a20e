"""The operator's commands: `schedule`, `runs`, `backup`, `restore`, `archive prune`."""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from ..errors import EXIT_CODES
from . import Context, err, json_option, main, out


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.0f}s"


# -- schedules --------------------------------------------------------------------------------
@main.command("schedule")
@json_option("Print the plan as JSON.")
@click.pass_obj
def schedule_cmd(obj: Context, as_json: bool) -> None:
    """List every feed's schedule and next run (in the operator's time zone, setting timezone).

    `oogst harvest --due` runs the feeds that are due; one cron line does the whole night:
    `*/15 * * * * oogst --data-dir /srv/oogst harvest --due`.
    """
    plan = obj.app.schedules.plan()
    if as_json:
        click.echo(json.dumps(plan, ensure_ascii=False))
        return
    table = Table("feed", "schedule", "status", "last run started", f"next run ({obj.settings.timezone})", "due",
                  title="schedules")
    for e in plan:
        due = "[bold green]due[/]" if e["due"] else e["reason"]
        nxt = e["next_local"][:16].replace("T", " ") if e["next_local"] else "—"
        table.add_row(e["feed"], e["schedule"] or "—", e["status"], e["last_start"] or "never", nxt, due)
    out.print(table)


# -- history ------------------------------------------------------------------------------------
@main.command("runs")
@click.argument("name")
@click.argument("run_id", required=False, type=int)
@click.option("--limit", default=20, show_default=True, help="How many runs to list.")
@json_option("Print the runs (or the run's report) as JSON.")
@click.pass_obj
def runs_cmd(obj: Context, name: str, run_id: int | None, limit: int, as_json: bool) -> None:
    """`oogst runs NAME`: feed NAME's runs with counts and durations, newest first; count
    drops are flagged. `oogst runs show ID`: one run's report (counts, notes, error, the rules
    its records break)."""
    if name == "show" and run_id is not None:
        _show_run(obj, run_id, as_json)
        return
    if run_id is not None:
        raise click.UsageError("`oogst runs NAME` lists a feed's runs; `oogst runs show ID` shows one")
    runs = obj.app.history.runs(name, limit)
    if as_json:
        click.echo(json.dumps(runs, ensure_ascii=False))
        return
    if not runs:
        out.print(f"Feed {name} has not run yet: oogst harvest {name}")
        return
    table = Table("run", "mode", "status", "started", "took", "harvested", "published", "quarantined", "withdrawn",
                  "unchanged", "flag", title=f"runs of {name}")
    for r in runs:
        style = {"complete": "green", "failed": "red", "running": "cyan"}.get(r["status"], "yellow")
        flag = f"[bold red]drop −{r['drop']['share']:.0%}[/]" if r["drop"] else ""
        table.add_row(str(r["id"]), r["mode"], f"[{style}]{r['status']}[/]", r["started_at"], _duration(r["seconds"]),
                      *(str(r[k]) for k in ("harvested", "published", "quarantined", "withdrawn", "unchanged")), flag)
    out.print(table)
    for r in runs:
        if r["drop"]:
            err.print(f"[red]run {r['id']}:[/] count drop: {r['drop']['message']}", highlight=False)


def _show_run(obj: Context, run_id: int, as_json: bool) -> None:
    report = obj.app.history.report(run_id)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    r = report["run"]
    table = Table(show_header=False, title=f"run {r['id']} of {r['feed']}")
    for key in ("mode", "status", "started_at", "finished_at", "window_from", "response_date", "live_before"):
        table.add_row(key, str(r[key] if r[key] is not None else "—"))
    table.add_row("took", _duration(r["seconds"]))
    for key in ("harvested", "published", "quarantined", "withdrawn", "unchanged", "failed"):
        table.add_row(key, str(r[key]))
    if r["error"]:
        table.add_row("error", f"[red]{r['error']}[/]")
    if r["drop"]:
        table.add_row("count drop", f"[red]{r['drop']['message']}[/]")
    out.print(table)
    for note in r["notes"]:
        where = f" [{note['record']}]" if note.get("record") else ""
        out.print(f"[dim]{note.get('code')}{where}:[/] {note.get('message')}", highlight=False)
    if report["rules"]:
        rules = Table("rule", "severity", "records", "field in the source", "examples", "how to fix (nl / en)",
                      title="what this run's records break", show_lines=True, expand=True)
        for rule in report["rules"]:
            fix = rule["fix"] or {}
            rules.add_row(rule["rule"], rule["severity"], str(rule["records"]), rule["source_path"] or rule["path"] or "",
                          "\n".join(rule["examples"]), f"{fix.get('nl', '')}\n[dim]{fix.get('en', '')}[/]")
        out.print(rules)


# -- backups --------------------------------------------------------------------------------------
@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@json_option("Print the manifest as JSON.")
@click.pass_obj
def backup(obj: Context, folder: str, as_json: bool) -> None:
    """Take a consistent backup of the data dir into FOLDER (new or empty), also while `oogst
    serve` runs and harvests go on: the stores, SQLite's online backup of the state, search
    index and archive, and a manifest with every file's SHA-256."""
    obj.read_only = True
    with err.status(f"backing up {obj.settings.data_dir} to {folder} …"):
        manifest = obj.app.backups.backup(folder)
    if as_json:
        click.echo(json.dumps(manifest, ensure_ascii=False))
    else:
        c = manifest["counts"]
        size = sum(f["bytes"] for f in manifest["files"].values())
        out.print(f"Backup in [bold]{folder}[/]: {c['feeds']} feed(s), {c['published']} published record(s), "
                  f"{c['graphs'] if c['graphs'] is not None else 'no'} graph(s) in the store, "
                  f"{len(manifest['files'])} files, {size / 1e6:.1f} MB, in {manifest['seconds']:.1f} s "
                  f"(writes paused {manifest['writers_paused_seconds']:.2f} s).", highlight=False)
    if not manifest["consistent"]:
        err.print("[red]the state's published records and the store's graphs differ in this backup[/]")
        sys.exit(EXIT_CODES["failed"])


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace the data of a data dir that is not empty.")
@json_option("Print the backup's manifest as JSON.")
@click.pass_obj
def restore(obj: Context, folder: str, force: bool, as_json: bool) -> None:
    """Restore the backup in FOLDER into the data dir (--data-dir), after checking every file
    against the manifest. Refuses a data dir that is not empty unless --force, and one in use."""
    manifest = obj.app.backups.restore(folder, force=force)
    if as_json:
        click.echo(json.dumps(manifest, ensure_ascii=False))
    else:
        c = manifest["counts"]
        out.print(f"Restored the backup of {manifest['created_at']} into [bold]{obj.settings.data_dir}[/]: "
                  f"{c['feeds']} feed(s), {c['published']} published record(s).", highlight=False)


@main.group()
def archive() -> None:
    """The raw archive: every payload version as received."""


@archive.command("prune")
@click.option("--keep", type=click.IntRange(min=1), required=True, help="Versions to keep of every record.")
@click.option("--feed", help="Only this feed's records.")
@json_option()
@click.pass_obj
def archive_prune(obj: Context, keep: int, feed: str | None, as_json: bool) -> None:
    """Keep the last KEEP versions of every record in the raw archive (the latest always
    stays, so `oogst remap` still works); older versions are deleted."""
    if feed:
        obj.app.feed(feed)
    removed = obj.app.prune_archive(keep, feed)
    if as_json:
        click.echo(json.dumps(removed))
    else:
        out.print(f"Removed {removed['versions']} older version(s), {removed['bytes'] / 1e6:.1f} MB as received.")
