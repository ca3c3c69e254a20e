"""For re-users: `dump` (the nightly dumps) and `ldes` (the event stream's log)."""

from __future__ import annotations

import json

import click

from . import Context, json_option, main, out


@main.command()
@click.option("--max-age", type=float, default=None, metavar="HOURS",
              help="Only dump when the last dump is older than this (for a frequent schedule).")
@json_option()
@click.pass_obj
def dump(obj: Context, max_age: float | None, as_json: bool) -> None:
    """Write the dumps of the published records: N-Quads and JSON-LD (gzip), whole and per
    feed, each with its byte size and SHA-256, into <data_dir>/dumps (served at /dumps and
    listed in /datasets). Schedule it nightly, e.g. with cron:

        15 3 * * *  oogst --data-dir /srv/oogst dump
    """
    age = obj.app.dump_age()
    if max_age is not None and age is not None and age < max_age:
        message = f"the last dump is {age:.1f} hours old (less than --max-age {max_age}): nothing to do"
        click.echo(json.dumps({"skipped": True, "age_hours": round(age, 2)}) if as_json else message)
        return
    entries = obj.app.dump()
    if as_json:
        click.echo(json.dumps({"dumps": entries}))
        return
    for entry in entries:
        out.print(f"{entry['name']}: {entry['records']} records, {entry['bytes']:,} bytes, sha256 {entry['sha256']}")
    out.print(f"Dumps written to {obj.settings.dumps_path}.")


@main.group()
def ldes() -> None:
    """The event stream (/ldes): the log of every publication, change and withdrawal."""


@ldes.command("backfill")
@json_option()
@click.pass_obj
def ldes_backfill(obj: Context, as_json: bool) -> None:
    """Give the records published before the event log existed their first version (done
    by itself when the API starts, and before a dump)."""
    n = obj.app.ensure_events()
    click.echo(json.dumps({"events": n})) if as_json else out.print(f"{n} record(s) got their first version.")


@ldes.command("stats")
@json_option()
@click.pass_obj
def ldes_stats(obj: Context, as_json: bool) -> None:
    """The event log's size: events and the bytes of their kept graphs."""
    stats = obj.app.event_stats()
    stats.pop("dumps", None)
    if as_json:
        click.echo(json.dumps(stats))
    else:
        per = stats["body_bytes"] / stats["events"] if stats.get("events") else 0
        out.print(f"{stats.get('events', 0)} events, {stats.get('body_bytes', 0):,} bytes of graphs "
                  f"({per:,.0f} bytes per event)")
