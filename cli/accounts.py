"""`oogst users …` and `oogst orgs …`: the accounts of the web pages and the write API.

A partner is a collection manager of one organisation and sees only that organisation's
feeds; an operator sees and runs everything. Passwords are read from standard input when it
is not a terminal (``echo "$PW" | oogst users add …``), else asked for twice, hidden.
"""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from . import Context, json_option, main, out


def _password(prompt: bool = True) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.group()
def orgs() -> None:
    """Partner organisations: the owners of feeds."""


@orgs.command("add")
@click.argument("name")
@click.option("--title", help="The organisation's full name (default: NAME).")
@json_option()
@click.pass_obj
def orgs_add(obj: Context, name: str, title: str | None, as_json: bool) -> None:
    """Add organisation NAME (lower-case letters, digits, '-' and '_')."""
    org = obj.app.accounts.add_org(name, title)
    if as_json:
        click.echo(json.dumps(org, ensure_ascii=False))
    else:
        out.print(f"Added organisation {org['name']} ({org['title']}).")


@orgs.command("list")
@json_option()
@click.pass_obj
def orgs_list(obj: Context, as_json: bool) -> None:
    """List the organisations with their feeds and users."""
    app = obj.app
    feeds = app.list_feeds()
    users = app.accounts.list_users()
    rows = [{**org, "feeds": [f.name for f in feeds if f.owner == org["name"]],
             "users": [u["name"] for u in users if u["org"] == org["name"]]} for org in app.accounts.list_orgs()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("name", "title", "feeds", "users")
    for row in rows:
        table.add_row(row["name"], row["title"], ", ".join(row["feeds"]), ", ".join(row["users"]))
    out.print(table)


@main.group()
def users() -> None:
    """Accounts for the web pages and the write API."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["operator", "partner"]), required=True,
              help="partner: one organisation's feeds; operator: everything.")
@click.option("--org", help="A partner's organisation (`oogst orgs list`).")
@click.option("--no-password", is_flag=True, help="No password: the account signs in only with API tokens.")
@json_option()
@click.pass_obj
def users_add(obj: Context, name: str, role: str, org: str | None, no_password: bool, as_json: bool) -> None:
    """Add user NAME; the password comes from stdin or a hidden prompt (at least 10 characters)."""
    password = None if no_password else _password()
    user = obj.app.accounts.add_user(name, role, org=org, password=password)
    if as_json:
        click.echo(json.dumps(user.as_dict()))
    else:
        out.print(f"Added {user.role} {user.name}" + (f" of {user.org}." if user.org else "."))


@users.command("password")
@click.argument("name")
@click.pass_obj
def users_password(obj: Context, name: str) -> None:
    """Set user NAME's password (stdin or a hidden prompt); its sessions end."""
    obj.app.accounts.set_password(name, _password())
    out.print(f"The password of {name} is changed.")


@users.command("list")
@json_option()
@click.pass_obj
def users_list(obj: Context, as_json: bool) -> None:
    """List the users with their role and organisation."""
    rows = obj.app.accounts.list_users()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("name", "role", "organisation", "disabled", "created")
    for row in rows:
        table.add_row(row["name"], row["role"], row["org"] or "", "yes" if row["disabled"] else "", row["created_at"])
    out.print(table)


@users.command("token")
@click.argument("name")
@click.option("--label", help="What the token is for (shown in `oogst users tokens NAME`).")
@click.pass_obj
def users_token(obj: Context, name: str, label: str | None) -> None:
    """Make a new personal API token for NAME and print it, once (only its hash is kept)."""
    click.echo(obj.app.accounts.new_token(name, label))


@users.command("tokens")
@click.argument("name")
@click.option("--revoke", "revoke", help="Revoke the token with this id ('all': every token).")
@json_option()
@click.pass_obj
def users_tokens(obj: Context, name: str, revoke: str | None, as_json: bool) -> None:
    """List NAME's API tokens (by id), or revoke one or all."""
    accounts = obj.app.accounts
    if revoke:
        n = accounts.revoke_tokens(name, None if revoke == "all" else revoke)
        out.print(f"Revoked {n} token(s) of {name}.")
        return
    rows = accounts.list_tokens(name)
    if as_json:
        click.echo(json.dumps(rows))
        return
    table = Table("id", "label", "created", "last used")
    for row in rows:
        table.add_row(row["id"], row["label"] or "", row["created_at"], row["last_used_at"] or "")
    out.print(table)
