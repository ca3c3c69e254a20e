"""`oogst feeds …`: register, change and inspect partner feeds."""

from __future__ import annotations

import json

import click
from rich.table import Table

from . import Context, err, json_option, main, out


# -- feeds --------------------------------------------------------------------------------------
@main.group()
def feeds() -> None:
    """Register and inspect partner feeds."""


def _pairs(options: tuple[str, ...]) -> dict[str, str]:
    """``--option KEY=VALUE`` pairs; the core checks the keys against the protocol's."""
    config: dict[str, str] = {}
    for option in options:
        key, eq, value = option.partition("=")
        key = key.strip()
        if not eq or not key:
            raise click.BadParameter(f"{option!r} is not KEY=VALUE", param_hint="--option")
        config[key] = value
    return config


@feeds.command("add")
@click.argument("name")
@click.option("--url", required=True,
              help="The endpoint: an OAI-PMH base URL, an LDES view, a JSON API, or (files) a folder, zip or tar.")
@click.option("--format", "fmt", required=True,
              help="What the feed delivers: lido, oai_dc, oslo-jsonld … (`oogst formats`).")
@click.option("--set", "set_spec", help="Harvest only this OAI-PMH set.")
@click.option("--protocol", default="oai-pmh", show_default=True,
              help="How to harvest: oai-pmh, ldes, json-api, files (`oogst protocols`).")
@click.option("--metadata-prefix", help="OAI-PMH metadataPrefix when it differs from the format (e.g. oai_lido).")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="A protocol setting (repeatable), kept in the feed's config. `oogst protocols` lists the keys "
                   "of each protocol; mapping profile keys (language, default_rights, provider_name, provider_iri) "
                   "work too.")
@click.option("--profile", "profile", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="The feed's mapping profile (TOML: language, default rights, provider, value maps, extra fields).")
@click.option("--schedule", help="When to harvest it: 'daily 02:00', 'weekly mon 03:00' or a cron line "
              "('30 1 * * 1-5'), in the setting timezone; '' for by hand only.")
@click.option("--owner", help="The partner organisation the feed belongs to.")
@click.option("--contact", help="The partner's mail address(es) for alerts about this feed (comma-separated).")
@click.option("--probe", is_flag=True, help="Ask the URL first whether it answers the protocol (and, for OAI-PMH, "
                                            "offers the metadata prefix and the set); refuse the feed otherwise.")
@json_option("Print the feed as JSON.")
@click.pass_obj
def feeds_add(obj: Context, name: str, url: str, fmt: str, set_spec: str | None, protocol: str,
              metadata_prefix: str | None, options: tuple[str, ...], profile: str | None, schedule: str | None,
              owner: str | None, contact: str | None, probe: bool, as_json: bool) -> None:
    """Register feed NAME.

    \b
    Examples:
      oogst feeds add msk --url https://example.org/oai --format lido --metadata-prefix oai_lido
      oogst feeds add dmg --protocol ldes --format oslo-jsonld \\
          --url https://apidg.gent.be/opendata/adlib2eventstream/v1/dmg/objecten
      oogst feeds add museum-api --protocol json-api --format oslo-jsonld \\
          --url https://api.example.org/objects --option records_path=data.items \\
          --option paging=cursor --option cursor_path=meta.next --option since_param=modified_since
      oogst feeds add export --protocol files --format lido --url /data/export-2024.zip \\
          --option record_xpath=//lido:lido --option id_xpath=lido:lidoRecID
    """
    config = _pairs(options)
    if metadata_prefix:
        config["metadata_prefix"] = metadata_prefix
    parts = {"protocol": protocol, "set_spec": set_spec, "options": config, "schedule": schedule, "owner": owner,
             "contact": contact}
    if probe:
        draft = obj.app.draft_feed(name, url, fmt, **parts)
        found = obj.app.check_feed(draft)
        if found is not None and not as_json:
            err.print(f"{draft.url} answers {found.protocol}" + (f" ({found.name})" if found.name else "") + ".",
                      highlight=False)
    feed = obj.app.add_feed(name, url, fmt, **parts)
    if profile:
        obj.app.set_profile(name, profile)
        feed = obj.app.feed(name)
    if as_json:
        click.echo(json.dumps(feed.as_dict(), ensure_ascii=False))
    else:
        out.print(f"Feed [bold]{name}[/] registered: {protocol} {feed.url} ({fmt}). Next: oogst harvest {name}")


@feeds.command("profile")
@click.argument("name")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def feeds_profile(obj: Context, name: str, file: str | None) -> None:
    """Set feed NAME's mapping profile to FILE (TOML), or show the one it has.

    The profile holds the default language and rights, the data provider's name and IRI,
    value maps for local terms and extra field paths; it applies from the next harvest
    (or `oogst remap NAME`) on.
    """
    if file is None:
        text = obj.app.profile_text(name)
        if text is None:
            out.print(f"Feed {name} has no profile; it maps with the defaults. Set one: "
                      f"oogst feeds profile {name} FILE")
            return
        click.echo(text, nl=False)
        return
    profile = obj.app.set_profile(name, file)
    out.print(f"Profile of feed [bold]{name}[/] set: language {profile.language}, "
              f"default rights {profile.default_rights or '—'}, provider {profile.provider_name or '—'}, "
              f"{sum(len(v) for v in profile.values.values())} mapped terms, {len(profile.fields)} extra fields.")


@feeds.command("edit")
@click.argument("name")
@click.option("--url", help="A new endpoint URL (the records keep their identities).")
@click.option("--format", "fmt", help="A new source format (`oogst formats`).")
@click.option("--set", "set_spec", help="Harvest only this OAI-PMH set ('' for all).")
@click.option("--option", "options", multiple=True, metavar="KEY=VALUE",
              help="A protocol option (repeatable); replaces the feed's options when given.")
@click.option("--schedule", help="When to harvest it: 'daily 02:00', 'weekly mon 03:00' or a cron line "
              "('30 1 * * 1-5'), in the setting timezone; '' for by hand only.")
@click.option("--owner", help="The partner organisation the feed belongs to.")
@click.option("--contact", help="The partner's mail address(es) for alerts ('' for none).")
@click.option("--delivery", "delivery", multiple=True, metavar="KEY=VALUE",
              help="A Europeana delivery setting (repeatable; KEY= removes it): see `oogst feeds delivery`.")
@json_option("Print the feed as JSON.")
@click.pass_obj
def feeds_edit(obj: Context, name: str, url: str | None, fmt: str | None, set_spec: str | None,
               options: tuple[str, ...], schedule: str | None, owner: str | None, contact: str | None,
               delivery: tuple[str, ...], as_json: bool) -> None:
    """Change feed NAME without unpublishing anything: its URL, format, set, options,
    schedule, owner or Europeana delivery settings. The mapping profile has its own command
    (`oogst feeds profile`)."""
    changes = None
    if delivery:
        from .delivery import delivery_pairs

        changes = {**obj.app.feed(name).delivery, **delivery_pairs(delivery, "--delivery")}
    feed = obj.app.edit_feed(name, url=url, format=fmt, set_spec=set_spec,
                             options=_pairs(options) if options else None, schedule=schedule, owner=owner,
                             delivery=changes, contact=contact)
    if as_json:
        click.echo(json.dumps(feed.as_dict(), ensure_ascii=False))
    else:
        out.print(f"Feed [bold]{name}[/] changed: {feed.protocol} {feed.url} ({feed.format}).")


@feeds.command("list")
@json_option()
@click.pass_obj
def feeds_list(obj: Context, as_json: bool) -> None:
    """List the registered feeds, each with its last run (a run whose process stopped shows as
    interrupted)."""
    obj.app.night.mark_interrupted()
    infos = [obj.app.feed_info(f.name) for f in obj.app.list_feeds()]
    if as_json:
        click.echo(json.dumps(infos, ensure_ascii=False))
        return
    if not infos:
        out.print("No feeds yet. Register one with `oogst feeds add NAME --url URL --format lido`.")
        return
    table = Table("feed", "status", "format", "url", "published", "quarantined", "withdrawn", "last run")
    for i in infos:
        last = i["last_run"]
        table.add_row(i["name"], i["status"], i["format"], i["url"], str(i["totals"]["published"]),
                      str(i["totals"]["quarantined"]), str(i["totals"]["withdrawn"]),
                      f"{last['status']} {last['finished_at'] or ''}" if last else "never")
    out.print(table)


@feeds.command("show")
@click.argument("name")
@json_option("The feed and the counts of its last run, as JSON.")
@click.pass_obj
def feeds_show(obj: Context, name: str, as_json: bool) -> None:
    """Show feed NAME and its last run."""
    info = obj.app.feed_info(name)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    table = Table(show_header=False)
    for key in ("name", "protocol", "url", "format", "set_spec", "status", "last_error", "next_from"):
        table.add_row(key, str(info[key] if info[key] is not None else "—"))
    if info["credentials"]:
        table.add_row("credentials", "a user name and password, kept apart (never shown)")
    for key, value in info["counts"].items():
        table.add_row(f"last run: {key}", str(value))
    for key, value in info["totals"].items():
        table.add_row(f"now: {key}", str(value))
    out.print(table)


@feeds.command("pause")
@click.argument("name")
@click.pass_obj
def feeds_pause(obj: Context, name: str) -> None:
    """Stop harvesting feed NAME (`harvest --all` skips it and says so)."""
    obj.app.pause_feed(name)
    out.print(f"Feed {name} paused; its published records stay. `oogst feeds resume {name}` undoes this.")


@feeds.command("resume")
@click.argument("name")
@click.pass_obj
def feeds_resume(obj: Context, name: str) -> None:
    """Harvest feed NAME again (after `feeds pause`, or to clear 'failing')."""
    obj.app.resume_feed(name)
    out.print(f"Feed {name} is active again.")


@feeds.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_obj
def feeds_remove(obj: Context, name: str, yes: bool) -> None:
    """Remove feed NAME and unpublish its records."""
    obj.app.feed(name)
    if not yes:
        click.confirm(f"Remove feed {name!r} and unpublish all its records?", abort=True)
    n = obj.app.remove_feed(name)
    out.print(f"Feed {name} removed; {n} record graph(s) unpublished.")
