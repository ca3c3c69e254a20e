"""The ``oogst`` command: a thin shell over :class:`oogst.pipeline.Oogst`.

It parses options, calls the core, and presents the outcome: progress bars on long work,
a summary table at the end, ``--json`` for scripts, and stable exit codes (see
``errors.EXIT_CODES``): 0 ok, 1 a feed failed, 2 usage, 3 configuration, 4 harvest,
5 store, 6 mapping, 70 an internal error. No traceback reaches the user: an unexpected error
is one line naming the log file (``DATA_DIR/logs/oogst.log``) that holds its traceback, and
log records keep their tracebacks for that file too. The commands live by subject: ``feeds.py`` (registering feeds),
``runs.py`` (harvest, remap, map, report, preview), ``ops.py`` (schedule, runs, backup,
restore, archive prune), ``service.py`` (query, serve, demo,
maintenance, introspection), ``delivery.py`` (Europeana: export edm, media-check, feeds delivery).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from ..errors import EXIT_CODES, ConfigError, OogstError
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

            usable_data_dir(self.settings.data_dir, writable=not self.read_only)
            self._app = Oogst(self.settings, read_only=self.read_only)
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


_given: dict[str, Any] = {"data_dir": None}  # the --data-dir of this invocation, for the error log


def usable_data_dir(path: Path, *, writable: bool = True) -> None:
    """The data dir exists (made if need be) and, for commands that write, is writable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot use the data dir {path}: {exc.strerror or exc}",
                          hint="choose a folder oogst may write with --data-dir or OOGST_DATA_DIR") from None
    if writable and not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"the data dir {path} is not writable", hint="choose a folder oogst may write with "
                          "--data-dir or OOGST_DATA_DIR, or fix its permissions")


def error_log() -> Path:
    """Where tracebacks go: ``DATA_DIR/logs/oogst.log``, else the temporary folder's."""
    data_dir = Path(_given["data_dir"] or os.environ.get("OOGST_DATA_DIR") or ".oogst")
    for folder in (data_dir / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / ("oogst.log" if folder.name == "logs" else f"oogst-{os.getuid()}.log")
            with path.open("a", encoding="utf-8"):
                return path
        except OSError:
            continue
    return Path(os.devnull)


def write_log(text: str) -> Path:
    path = error_log()
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')} oogst {' '.join(sys.argv[1:])}\n"
                         f"{text.rstrip()}\n")
    except OSError:
        pass
    return path


class _Console(logging.Formatter):
    """One line per log record; a traceback goes to the error log, named in the line."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += f" (details in {write_log(line + chr(10) + ''.join(traceback.format_exception(*record.exc_info)))})"
        return line


def _internal(exc: BaseException) -> None:
    """An unexpected error: one line, the traceback in the error log, exit code 70."""
    path = write_log("".join(traceback.format_exception(exc)))
    err.print(f"[bold red]error:[/] internal error ({type(exc).__name__}: {escape(str(exc)[:300])}); the details "
              f"are in {escape(str(path))} — please report it", highlight=False)
    sys.exit(EXIT_CODES["internal"])


def _fail(exc: OogstError, as_json: bool = False) -> None:
    if as_json:
        click.echo(json.dumps(exc.as_dict(), ensure_ascii=False))
    else:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    sys.exit(EXIT_CODES.get(exc.code, 1))


class OogstGroup(click.Group):
    """Turns OogstError into a clear message and a stable exit code, and anything else into
    one line naming the log file with its traceback (exit code 70)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OogstError as exc:
            _fail(exc, as_json=bool(ctx.obj and ctx.obj.as_json))

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except OogstError as exc:  # raised while closing (after invoke)
            _fail(exc)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for the user
            _internal(exc)


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

    configure([logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)], log_format, text=_Console())
    _given["data_dir"] = data_dir
    ctx.obj = Context({"data_dir": data_dir, "store": store})
    ctx.call_on_close(ctx.obj.close)




from . import accounts, check, delivery, feeds, ops, publish, runs, service  # noqa: E402,F401  (the commands register on `main`)

if __name__ == "__main__":
    main()
