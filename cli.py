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

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings, self.origin = Settings.load(self.overrides)
        return self._settings

    @property
    def app(self):
        if self._app is None:
            from .pipeline import Oogst

            self._app = Oogst(self.settings)
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


@feeds.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The endpoint, e.g. an OAI-PMH base URL.")
@click.option("--format", "fmt", required=True, help="What the feed delivers: lido, oai_dc (`oogst formats`).")
@click.option("--set", "set_spec", help="Harvest only this OAI-PMH set.")
@click.option("--protocol", default="oai-pmh", show_default=True, help="How to harvest (`oogst protocols`).")
@click.option("--metadata-prefix", help="OAI-PMH metadataPrefix when it differs from the format (e.g. oai_lido).")
@json_option("Print the feed as JSON.")
@click.pass_obj
def feeds_add(obj: Context, name: str, url: str, fmt: str, set_spec: str | None, protocol: str,
              metadata_prefix: str | None, as_json: bool) -> None:
    """Register feed NAME."""
    config = {"metadata_prefix": metadata_prefix} if metadata_prefix else {}
    feed = obj.app.add_feed(name, url, fmt, protocol=protocol, set_spec=set_spec, config=config)
    if as_json:
        click.echo(json.dumps(feed.as_dict(), ensure_ascii=False))
    else:
        out.print(f"Feed [bold]{name}[/] registered: {protocol} {url} ({fmt}). Next: oogst harvest {name}")


@feeds.command("list")
@json_option()
@click.pass_obj
def feeds_list(obj: Context, as_json: bool) -> None:
    """List the registered feeds."""
    infos = [obj.app.feed_info(f.name) for f in obj.app.state.list_feeds()]
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


@feeds.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_obj
def feeds_remove(obj: Context, name: str, yes: bool) -> None:
    """Remove feed NAME and unpublish its records."""
    obj.app.state.get_feed(name)
    if not yes:
        click.confirm(f"Remove feed {name!r} and unpublish all its records?", abort=True)
    n = obj.app.remove_feed(name)
    out.print(f"Feed {name} removed; {n} record graph(s) unpublished.")


# -- harvest ----------------------------------------------------------------------------------
def _run_harvest(obj: Context, names: list[str], full: bool, as_json: bool) -> list:
    app = obj.app
    for name in names:
        app.state.get_feed(name)  # unknown names fail before any work starts
    summaries = []
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, disable=as_json) as bar:
        for name in names:
            task = bar.add_task(name, total=None)

            def progress(feed: str, done: int, total: int | None, task=task) -> None:
                bar.update(task, completed=done, total=total if total and total >= done else None)

            summary = app.harvest(name, full=full, progress=progress)
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
        if s.error:
            err.print(f"[red]{s.feed}:[/] {s.error.get('message')}"
                      + (f" — {s.error['hint']}" if s.error.get("hint") else ""), highlight=False)


@main.command()
@click.argument("names", nargs=-1)
@click.option("--all", "all_feeds", is_flag=True, help="Harvest every registered feed.")
@click.option("--full", is_flag=True, help="Re-read everything instead of only what changed.")
@json_option("Print the run summaries as JSON.")
@click.pass_obj
def harvest(obj: Context, names: tuple[str, ...], all_feeds: bool, full: bool, as_json: bool) -> None:
    """Harvest feeds NAMES (or --all): fetch, map, validate and store."""
    if all_feeds == bool(names):
        raise click.UsageError("name one or more feeds, or pass --all")
    chosen = [f.name for f in obj.app.state.list_feeds()] if all_feeds else list(names)
    summaries = _run_harvest(obj, chosen, full, as_json)
    _print_summaries(summaries, as_json)
    if not all(s.ok for s in summaries):
        sys.exit(EXIT_CODES["failed"])


# -- query ------------------------------------------------------------------------------------
@main.command()
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples"]),
              default="table", show_default=True, help="Result format.")
@click.pass_obj
def query(obj: Context, sparql: str, fmt: str) -> None:
    """Run a SPARQL query over the published records."""
    if sparql == "-":
        sparql = sys.stdin.read()
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


# -- serve & demo -----------------------------------------------------------------------------
def _serve(obj: Context, host: str, port: int) -> None:
    import uvicorn

    from .api.app import create_app

    settings = obj.settings
    app = create_app(settings, store=obj.app.store, state=obj.app.state)
    base = f"http://{host}:{port}"
    out.print(f"\nServing on [bold]{base}[/] (Ctrl-C stops):")
    for path, what in (("/docs", "API documentation (OpenAPI)"), ("/sparql", "SPARQL endpoint"),
                       ("/records", "records (JSON-LD, Turtle)"), ("/feeds", "feeds"), ("/health", "health")):
        out.print(f"  {base}{path:<10} {what}")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command()
@click.option("--host", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 8000).")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve SPARQL, REST and the docs."""
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
    from .simulator import PartnerSimulator

    obj.overrides["port"] = port
    app = obj.app
    with PartnerSimulator() as sim:
        names = []
        for name, info in sim.partners.items():
            url = sim.endpoint(name)
            try:
                app.state.get_feed(name)
                app.state.update_feed(name, url=url)  # the simulator's port changes per run
            except OogstError:
                config = {k: info[k] for k in ("metadata_prefix", "language") if info.get(k)}
                app.add_feed(name, url, info["format"], config=config)
            names.append(name)
        if not as_json:
            out.print(f"Partner simulator on {sim.url}: {', '.join(names)}")
        summaries = _run_harvest(obj, names, False, as_json)
        _print_summaries(summaries, as_json)
        if not as_json:
            total = app.state.counts()
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
    from . import mapping

    for name in mapping.formats():
        click.echo(name)


@main.command()
def protocols() -> None:
    """List the harvest protocols."""
    from . import harvest

    for name in harvest.protocols():
        click.echo(name)


if __name__ == "__main__":
    main()
