"""Serving and looking after the data: `query`, `serve`, `demo`, `index`, `system`, `settings`,
`formats`, `protocols`."""

from __future__ import annotations

import contextlib
import json
import sys

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import EXIT_CODES
from ..settings import Settings
from . import Context, err, json_option, main, out
from .runs import print_summaries, run_harvest


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
    or count by IRI, e.g. 'SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }'.
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

    from ..api.app import create_app

    app = create_app(obj.app)
    base = f"http://{host}:{port}"
    out.print(f"\nServing on [bold]{base}[/] (Ctrl-C stops):")
    for path, what in (("/docs", "API documentation (OpenAPI)"), ("/sparql", "SPARQL endpoint and query page"),
                       ("/records", "records: search page, JSON, JSON-LD, Turtle"), ("/datasets", "datasets (DCAT)"),
                       ("/feeds", "feeds"), ("/oai", "OAI-PMH for Europeana (edm, oai_dc, oslo)"),
                       ("/ldes", "event stream (LDES)"), ("/dumps", "dumps"),
                       ("/health", "health")):
        out.print(f"  {base}{path:<10} {what}")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command()
@click.option("--host", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, help="Port (default 8000).")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve SPARQL, REST, DCAT and the web pages from this data dir's store.

    Harvests (`oogst harvest`, in other processes or started through the API) run beside it on
    the same data dir: the API reads the store's newest snapshot, so it sees each batch whole
    and keeps answering. To scale out, keep the records in a SPARQL server (--store
    oxigraph+http://… or virtuoso+http://…) and run several `oogst serve` behind a proxy.
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
    from ..devtools.demo import DEMO_PASSWORD, allow_loopback, demo_accounts, register_samples, remember_simulator
    from ..devtools.simulator import PartnerSimulator

    allow_loopback(obj.overrides)  # before the settings are read
    obj.overrides["port"] = port
    app = obj.app
    # the simulator on the port after the API's, so that the image links harvested by an earlier
    # demo still point at it (any free port when that one is taken)
    sim = PartnerSimulator(images=True, port=obj.settings.port + 1)
    try:
        sim.start()
    except OSError:
        sim = PartnerSimulator(images=True)
        sim.start()
    with contextlib.ExitStack() as stack:
        stack.callback(sim.stop)
        names = register_samples(app, sim)
        remember_simulator(obj.settings.data_dir, sim)
        accounts = demo_accounts(app, names)
        if not as_json:
            out.print(f"Partner simulator on {sim.url}: {', '.join(names)}")
        summaries = run_harvest(obj, names, False, as_json)
        print_summaries(summaries, as_json)
        if not as_json:
            total = app.counts()
            out.print(f"\nPublished {total['published']} records, quarantined {total['quarantined']}, "
                      f"withdrawn {total['withdrawn']}. Data dir: {obj.settings.data_dir}")
            out.print("Try: oogst --data-dir " + str(obj.settings.data_dir)
                      + " query 'SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a <http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object> }' --format csv")
        if not all(s.ok for s in summaries):
            sys.exit(EXIT_CODES["failed"])
        if not no_serve:
            if not as_json:
                out.print(f"\nSign in at http://{obj.settings.host}:{obj.settings.port}/login as "
                          + ", ".join(f"{name} ({role})" for name, role in accounts.items())
                          + f" with the demo password {DEMO_PASSWORD!r}.")
            _serve(obj, obj.settings.host, obj.settings.port)


# -- introspection ------------------------------------------------------------------------------
def _shown(value: str) -> str:
    """A setting's value as shown: a URL without the account it may carry (OOGST_STATE)."""
    scheme, sep, rest = value.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return value


@main.command("settings")
@json_option()
@click.pass_obj
def settings_cmd(obj: Context, as_json: bool) -> None:
    """List every setting, its value and where the value comes from."""
    s = obj.settings
    docs = Settings.docs()
    rows = [{"name": k, "value": _shown(str(getattr(s, k))), "origin": obj.origin[k], "doc": docs[k]} for k in docs]
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
    from ..pipeline import formats as known

    for name in known():
        click.echo(name)


@main.command()
def protocols() -> None:
    """List the harvest protocols, each with the options `feeds add --option` takes."""
    from ..pipeline import protocols as known

    for name, options in known().items():
        click.echo(name)
        for key, meaning in options.items():
            click.echo(f"    {key:<16} {meaning}")


@main.command()
@click.option("--concurrency", default=1, show_default=True,
              help="Feed runs at a time in this process (more than 1: threads).")
@click.option("--name", help="The worker's name (default: celery@<host>).")
@click.pass_obj
def worker(obj: Context, concurrency: int, name: str | None) -> None:
    """Start a worker that carries out queued feed runs and re-map chunks (`harvest --queue`).

    Needs the settings queue (a Redis URL) and state (PostgreSQL), and the record store on a
    SPARQL server, the same on every machine (docs/deployment.md). Stop it with Ctrl-C or
    SIGTERM: it finishes its run first; a killed worker's run goes to another worker.
    """
    from ..pipeline import queue

    queue.run_worker(obj.settings, concurrency=concurrency, name=name)
