"""The ``oogst`` command: a thin shell over :class:`oogst.pipeline.Oogst`.

It parses options, calls the pipeline, and presents the outcome: progress bars on long
work, a summary table at the end, ``--json`` for scripts, and stable exit codes
(see ``errors.EXIT_CODES``): 0 ok, 1 a feed failed, 2 usage, 3 configuration, 4 harvest,
5 store, 6 mapping.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import EXIT_CODES, OogstError
from .settings import Settings

# Wide enough for the summary table when the output goes to a file or a pipe.
err = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
out = Console(width=None if sys.stdout.isatty() else 140)


class Context:
    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides
        self._app = None
        self._settings: Settings | None = None
        self.origin: dict[str, str] = {}
        self.as_json = False
        self.read_only = False  # set by commands that only read the store

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings, self.origin = Settings.load(self.overrides)
        return self._settings

    @property
    def app(self):
        if self._app is None:
            from .pipeline import Oogst

            self._app = Oogst(self.settings, read_only=self.read_only)
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def _fail(exc: OogstError, as_json: bool = False) -> None:
    if as_json:
        click.echo(json.dumps(exc.as_dict(), ensure_ascii=False))
    else:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
    sys.exit(EXIT_CODES.get(exc.code, 1))


class OogstGroup(click.Group):
    """Turns OogstError into a clear message and a stable exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OogstError as exc:
            _fail(exc, as_json=bool(ctx.obj and ctx.obj.as_json))


def json_option(help: str = "Print the result as JSON (for scripts).") -> Any:
    """``--json``; also makes errors come out as JSON."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        ctx.find_object(Context).as_json = value
        return value

    return click.option("--json", "as_json", is_flag=True, help=help, callback=remember)


@click.group(cls=OogstGroup)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="OOGST_DATA_DIR",
              help="Folder for the store and the state (default ./.oogst; env OOGST_DATA_DIR).")
@click.option("--store", "store", help="RDF store URL, e.g. oxigraph:///path (default: in the data dir).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="oogst")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, store: str | None, verbose: int) -> None:
    """oogst — harvest heritage collections, map them to OSLO, validate, store and serve them."""
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Context({"data_dir": data_dir, "store": store})
    ctx.call_on_close(ctx.obj.close)


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
@click.option("--schedule", help="When to harvest it: 'daily 02:00', 'weekly mon 03:00' or a cron line.")
@click.option("--owner", help="The partner organisation the feed belongs to.")
@json_option("Print the feed as JSON.")
@click.pass_obj
def feeds_add(obj: Context, name: str, url: str, fmt: str, set_spec: str | None, protocol: str,
              metadata_prefix: str | None, options: tuple[str, ...], profile: str | None, schedule: str | None,
              owner: str | None, as_json: bool) -> None:
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
    feed = obj.app.add_feed(name, url, fmt, protocol=protocol, set_spec=set_spec, options=config,
                            schedule=schedule, owner=owner)
    if profile:
        obj.app.set_profile(name, profile)
        feed = obj.app.feed(name)
    if as_json:
        click.echo(json.dumps(feed.as_dict(), ensure_ascii=False))
    else:
        out.print(f"Feed [bold]{name}[/] registered: {protocol} {url} ({fmt}). Next: oogst harvest {name}")


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
@click.option("--schedule", help="When to harvest it: 'daily 02:00', 'weekly mon 03:00' or a cron line.")
@click.option("--owner", help="The partner organisation the feed belongs to.")
@json_option("Print the feed as JSON.")
@click.pass_obj
def feeds_edit(obj: Context, name: str, url: str | None, fmt: str | None, set_spec: str | None,
               options: tuple[str, ...], schedule: str | None, owner: str | None, as_json: bool) -> None:
    """Change feed NAME without unpublishing anything: its URL, format, set, options,
    schedule or owner. The mapping profile has its own command (`oogst feeds profile`)."""
    feed = obj.app.edit_feed(name, url=url, format=fmt, set_spec=set_spec,
                             options=_pairs(options) if options else None, schedule=schedule, owner=owner)
    if as_json:
        click.echo(json.dumps(feed.as_dict(), ensure_ascii=False))
    else:
        out.print(f"Feed [bold]{name}[/] changed: {feed.protocol} {feed.url} ({feed.format}).")


@feeds.command("list")
@json_option()
@click.pass_obj
def feeds_list(obj: Context, as_json: bool) -> None:
    """List the registered feeds."""
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


# -- harvest ----------------------------------------------------------------------------------
def _run_harvest(obj: Context, names: list[str], full: bool, as_json: bool, resume: bool = False) -> list:
    app = obj.app
    for name in names:
        app.feed(name)  # unknown names fail before any work starts
    summaries = []
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=as_json) as bar:
        for name in names:
            task = bar.add_task(name, total=None)

            def progress(feed: str, done: int, total: int | None, task=task) -> None:
                bar.update(task, completed=done, total=total if total and total >= done else None)

            summary = app.harvest(name, full=full, resume=resume, progress=progress)
            bar.update(task, completed=summary.counts["harvested"], total=summary.counts["harvested"] or 1)
            summaries.append(summary)
    return summaries


def _print_summaries(summaries: list, as_json: bool) -> None:
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
@click.option("--full", is_flag=True,
              help="Re-read everything instead of only what changed; then withdraw what the feed no longer has.")
@click.option("--resume", is_flag=True,
              help="Only carry on with interrupted runs, from their last checkpoint (a plain run does that too).")
@click.option("--contexts", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="Folder of JSON-LD context files for LDES/JSON-LD feeds (setting contexts_dir).")
@json_option("Print the run summaries as JSON.")
@click.pass_obj
def harvest(obj: Context, names: tuple[str, ...], all_feeds: bool, full: bool, resume: bool, contexts: str | None,
            as_json: bool) -> None:
    """Harvest feeds NAMES (or --all): fetch, map, validate and store.

    An interrupted run (killed, or failed after some pages) carries on from its last
    checkpoint. The summary lists each run's notes: faults met and what was done about them.
    """
    obj.overrides["contexts_dir"] = contexts
    if all_feeds == bool(names):
        raise click.UsageError("name one or more feeds, or pass --all")
    if full and resume:
        raise click.UsageError("--full starts over; --resume carries on: choose one")
    chosen = [f.name for f in obj.app.list_feeds()] if all_feeds else list(names)
    summaries = _run_harvest(obj, chosen, full, as_json, resume=resume)
    _print_summaries(summaries, as_json)
    if not all(s.ok for s in summaries):
        sys.exit(EXIT_CODES["failed"])


@main.command()
@click.argument("name")
@json_option("Print the run summary as JSON.")
@click.pass_obj
def remap(obj: Context, name: str, as_json: bool) -> None:
    """Map and validate feed NAME again from the raw archive, without contacting the partner.

    For after a mapping or shapes change: every archived record is mapped again, changed or
    not; withdrawn records stay withdrawn.
    """
    app = obj.app
    app.feed(name)
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=as_json) as bar:
        task = bar.add_task(f"remap {name}", total=None)
        summary = app.remap(name, progress=lambda _feed, done, total: bar.update(task, completed=done, total=total))
    _print_summaries([summary], as_json)
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
    examples and the message the partner gets. Reads the state database only."""
    summary = obj.app.report(name, severity=severity, examples=examples)
    if csv_file:
        summary.write_csv(csv_file)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    t = summary.totals
    out.print(f"Feed [bold]{name}[/]: {summary.records} records ({t['published']} published, "
              f"{t['quarantined']} quarantined), {t['withdrawn']} withdrawn.", highlight=False)
    if not summary.rules:
        out.print("No findings" + (f" of severity {severity}" if severity else "") + ".")
    else:
        out.print(rule_table(summary.rules, records=summary.records, title=f"validation report: {name}"))
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


# -- query ------------------------------------------------------------------------------------
@main.command()
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"]),
              default="table", show_default=True, help="Result format.")
@click.pass_obj
def query(obj: Context, sparql: str, fmt: str) -> None:
    """Run a SPARQL query over the published records (SPARQL "-" reads it from stdin).

    The default graph is the union of the record graphs, a bag: a triple that several
    records hold (a shared keeper, an AAT label) comes back once per record. Use DISTINCT,
    or count by IRI, e.g. 'SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a ?t }'.
    """
    if sparql == "-":
        sparql = sys.stdin.read()
    obj.read_only = True
    solutions = "json" if fmt in ("table", "turtle", "ntriples") else fmt
    graph = fmt if fmt in ("turtle", "ntriples") else "turtle"
    result = obj.app.query(sparql, solutions=solutions, graph=graph)
    if fmt != "table" or result.kind == "graph":
        sys.stdout.buffer.write(result.body)
        if not result.body.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        return
    data = json.loads(result.body)
    if result.kind == "boolean":
        out.print(str(data["boolean"]).lower())
        return
    variables = data["head"]["vars"]
    table = Table(*variables)
    for binding in data["results"]["bindings"]:
        table.add_row(*[binding.get(v, {}).get("value", "") for v in variables])
    out.print(table)


@main.group()
def index() -> None:
    """The search index beside the store (text search and filters of /records)."""


@index.command("rebuild")
@json_option()
@click.pass_obj
def index_rebuild(obj: Context, as_json: bool) -> None:
    """Recreate the search index from the published records in the store."""
    total = obj.app.counts()["published"]
    with Progress(SpinnerColumn(), TextColumn("search index"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=as_json) as bar:
        task = bar.add_task("index", total=total)
        n = obj.app.rebuild_index(progress=lambda done: bar.update(task, completed=done))
    if as_json:
        click.echo(json.dumps({"indexed": n, "published": total}))
    else:
        out.print(f"Indexed {n} of {total} published records in {obj.settings.search_path}.")


@main.group()
def system() -> None:
    """The system graphs: provenance (PROV-O) and dataset descriptions (DCAT-AP, VoID)."""


@system.command("rebuild")
@json_option()
@click.pass_obj
def system_rebuild(obj: Context, as_json: bool) -> None:
    """Recreate the system graphs from the state database (never the other way round)."""
    counts = obj.app.rebuild_system()
    if as_json:
        click.echo(json.dumps(counts))
    else:
        out.print(f"Rebuilt the system graphs in {obj.settings.system_path}: {counts['records']} published and "
                  f"{counts['withdrawn']} withdrawn record(s), {counts['runs']} run(s), {counts['feeds']} feed(s).")


# -- serve & demo -----------------------------------------------------------------------------
def _serve(obj: Context, host: str, port: int) -> None:
    import uvicorn

    from .api.app import create_app

    settings = obj.settings
    app = create_app(obj.app)
    base = f"http://{host}:{port}"
    out.print(f"\nServing on [bold]{base}[/] (Ctrl-C stops):")
    for path, what in (("/docs", "API documentation (OpenAPI)"), ("/sparql", "SPARQL endpoint and query page"),
                       ("/records", "records: search page, JSON, JSON-LD, Turtle"), ("/datasets", "datasets (DCAT)"),
                       ("/feeds", "feeds"), ("/health", "health")):
        out.print(f"  {base}{path:<10} {what}")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command()
@click.option("--host", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 8000).")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve SPARQL, REST, DCAT and the web pages from this data dir's store.

    One process, one worker, over the same writable store the pipeline uses. With the
    embedded store (the default) it holds the store's lock: stop it before `oogst harvest`,
    or harvest and serve in one process with `oogst demo`. To scale, keep the records in a
    SPARQL server (--store oxigraph+http://… or virtuoso+http://…): then harvests run beside
    it and several `oogst serve` processes (one port each, behind a proxy) can share it.
    """
    obj.overrides.update({"host": host, "port": port})
    _serve(obj, obj.settings.host, obj.settings.port)


@main.command()
@click.option("--no-serve", is_flag=True, help="Harvest the sample partners, print the summary, and exit.")
@click.option("--port", type=int, help="Port for the API (default 8000).")
@json_option("Print the run summaries as JSON.")
@click.pass_obj
def demo(obj: Context, no_serve: bool, port: int | None, as_json: bool) -> None:
    """Run the whole journey on the sample partners, offline.

    Starts a partner simulator on 127.0.0.1 that serves data/samples/ over OAI-PMH,
    registers its endpoints as feeds, harvests them, prints a summary, then serves the API.
    """
    from .devtools.demo import register_samples
    from .devtools.simulator import PartnerSimulator

    obj.overrides["port"] = port
    app = obj.app
    with PartnerSimulator() as sim:
        names = register_samples(app, sim)
        if not as_json:
            out.print(f"Partner simulator on {sim.url}: {', '.join(names)}")
        summaries = _run_harvest(obj, names, False, as_json)
        _print_summaries(summaries, as_json)
        if not as_json:
            total = app.counts()
            out.print(f"\nPublished {total['published']} records, quarantined {total['quarantined']}, "
                      f"withdrawn {total['withdrawn']}. Data dir: {obj.settings.data_dir}")
            out.print("Try: oogst --data-dir " + str(obj.settings.data_dir)
                      + " query 'SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a ?t }' --format csv")
        if not all(s.ok for s in summaries):
            sys.exit(EXIT_CODES["failed"])
        if not no_serve:
            _serve(obj, obj.settings.host, obj.settings.port)


# -- introspection ------------------------------------------------------------------------------
@main.command("settings")
@json_option()
@click.pass_obj
def settings_cmd(obj: Context, as_json: bool) -> None:
    """List every setting, its value and where the value comes from."""
    s = obj.settings
    docs = Settings.docs()
    rows = [{"name": k, "value": str(getattr(s, k)), "origin": obj.origin[k], "doc": docs[k]} for k in docs]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("setting", "value", "from", "meaning")
    for r in rows:
        table.add_row(r["name"], r["value"], r["origin"], r["doc"])
    out.print(table)


@main.command()
def formats() -> None:
    """List the source formats oogst can map."""
    from .pipeline import formats as known

    for name in known():
        click.echo(name)


@main.command()
def protocols() -> None:
    """List the harvest protocols, each with the options `feeds add --option` takes."""
    from .pipeline import protocols as known

    for name, options in known().items():
        click.echo(name)
        for key, meaning in options.items():
            click.echo(f"    {key:<16} {meaning}")


if __name__ == "__main__":
    main()
