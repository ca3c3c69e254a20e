"""`oogst check [NAME…] [--repair]`: do the state, the store, the search index and the
provenance agree? Exit code 0 when they do (or were repaired), 5 (store) when not."""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from ..errors import EXIT_CODES
from . import Context, json_option, main, out

KINDS = ("store", "index", "provenance")


@main.command()
@click.argument("names", nargs=-1)
@click.option("--repair", is_flag=True, help="Write what is missing again (from the archive where a graph is "
              "gone) and drop what no published record has.")
@click.option("--examples", default=5, show_default=True, help="Record ids shown per kind of disagreement.")
@json_option()
@click.pass_obj
def check(obj: Context, names: tuple[str, ...], repair: bool, examples: int, as_json: bool) -> None:
    """Compare each feed's published records (the state) with the store, the search index
    and the provenance; with --repair, fix what disagrees (a run of mode `repair`)."""
    found = obj.app.check(list(names) or None, repair=repair)
    healthy = all(f["ok"] or f.get("ok_after") for f in found)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
    else:
        table = Table("feed", "published", "graphs", "indexed", "provenance", "missing", "extra", "outcome")
        for f in found:
            missing = ", ".join(f"{k} {len(f['missing'][k])}" for k in KINDS if f["missing"][k]) or "-"
            extra = ", ".join(f"{k} {len(f['extra'][k])}" for k in KINDS if f["extra"][k]) or "-"
            outcome = ("ok" if f["ok"] else "repaired" if f.get("ok_after") else
                       "still disagrees" if repair else "disagrees")
            table.add_row(f["feed"], *(str(f[k]) for k in ("published", "graphs", "indexed", "provenance")),
                          missing, extra, outcome)
        out.print(table)
        for f in found:
            for side in ("missing", "extra"):
                for kind in KINDS:
                    ids = f[side][kind]
                    if ids:
                        more = f" (and {len(ids) - examples} more)" if len(ids) > examples else ""
                        out.print(f"{f['feed']}: {side} in the {kind}: {', '.join(ids[:examples])}{more}",
                                  highlight=False)
        if not healthy:
            out.print("Run `oogst check --repair` to write what is missing again and drop what is extra.")
    if not healthy:
        sys.exit(EXIT_CODES["store"])
