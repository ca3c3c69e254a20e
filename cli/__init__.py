"""The ``oogst`` command: a thin shell over :class:`oogst.pipeline.Oogst`.

It parses options, calls the core, and presents the outcome: progress bars on long work,
a summary table at the end, ``--json`` for scripts, and stable exit codes (see
``errors.EXIT_CODES``): 0 ok, 1 a feed failed, 2 usage, 3 configuration, 4 harvest,
5 store, 6 mapping. The commands live by subject: ``feeds.py`` (registering feeds),
``runs.py`` (harvest, remap, map, report, preview), ``ops.py`` (schedule, runs, backup,
restore, archive prune), ``service.py`` (query, serve, demo,
maintenance, introspection), ``delivery.py`` (Europeana: export edm, media-check, feeds delivery).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..errors import EXIT_CODES, OogstError
from ..settings import Settings

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
            from ..pipeline import Oogst

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
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              envvar="OOGST_LOG_FORMAT", help="Logs on stderr as text, or as JSON lines (with feed and run fields).")
@click.version_option(package_name="oogst")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, store: str | None, verbose: int, log_format: str) -> None:
    """oogst — harvest heritage collections, map them to OSLO, validate, store and serve them."""
    from ..pipeline.logs import configure

    configure([logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)], log_format)
    ctx.obj = Context({"data_dir": data_dir, "store": store})
    ctx.call_on_close(ctx.obj.close)




from . import accounts, delivery, feeds, ops, publish, runs, service  # noqa: E402,F401  (the commands register on `main`)

if __name__ == "__main__":
    main()
