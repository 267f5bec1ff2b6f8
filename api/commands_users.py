"""`sic users`: the accounts of a service, on the command line of the machine that runs it.

`add`, `list`, `disable`, `reset-password` and `token`. The first Secretariat account is made
here (`sic users add alice --role secretariat`): there is no default account and no default
password anywhere. A password is typed at a prompt that does not echo it (asked twice), or read
from standard input with `--password-stdin`, one line, for scripts; never from an option,
which would leave it in the shell's history and the process list.

The account database is SIC_ACCOUNTS_DB, else `accounts.sqlite3` beside the store folder
(`--store`, SIC_STORE), else `--accounts PATH`. Exit codes as for every command: 0 success, 2 a
usage error (a bad username, role scope or password, an unknown account).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accounts.book import AccountBook
from accounts.roles import Role, Scope
from api.cli_options import EXIT_USAGE, err, settings_of
from sic.errors import ConfigError
from sic.iris import mint

users = typer.Typer(
    name="users",
    help="Accounts that sign in to `sic serve`: add, list, disable, reset-password, token.",
    no_args_is_help=True,
)
out = Console(soft_wrap=True)

AccountsOpt = Annotated[
    Path | None,
    typer.Option(
        "--accounts",
        help="The account database (env SIC_ACCOUNTS_DB; default: accounts.sqlite3 beside the "
        "store folder).",
        show_default=False,
    ),
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (one line)."),
]
Username = Annotated[str, typer.Argument(help="The account's username.")]


def _book(ctx: typer.Context, accounts: Path | None) -> AccountBook:
    if accounts is not None:
        return AccountBook(accounts)
    return AccountBook(settings_of(ctx).accounts_path())


def _usage(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(EXIT_USAGE)


def _password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a silent prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    if not sys.stdin.isatty():
        raise _usage("no terminal to ask the password at: give --password-stdin and pipe it")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _iri(kind: str, value: str | None, base: str) -> str | None:
    """An IRI as given, or the IRI of a workbook key (`inrae` is {BASE}id/organisation/inrae)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    return value if value.startswith(("http://", "https://")) else str(mint(kind, value, base))


@users.command("add")
def add(
    ctx: typer.Context,
    username: Username,
    role: Annotated[Role, typer.Option("--role", help="What the account may write.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Display name (default: the username).")
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option("--objective", help="Objective code, for a Task Force role (e.g. A1)."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="UN M49 region code, for a representative (e.g. 150)."),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", help="Organisation key or IRI, for a contact."),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="The person in the graph: key or IRI.")
    ] = None,
    password_stdin: PasswordStdin = False,
    accounts: AccountsOpt = None,
) -> None:
    """Make an account; its role says which scope it needs (see the README)."""
    try:
        base = settings_of(ctx).base_iri
        book = _book(ctx, accounts)
    except ConfigError as exc:
        raise _usage(str(exc)) from None
    try:
        scope = Scope(objective, region, _iri("organisation", organisation, base))
        account = book.add(
            username,
            _password(password_stdin),
            role,
            display_name=name,
            scope=scope,
            person=_iri("person", person, base),
        )
    except (ValueError, LookupError) as exc:
        raise _usage(str(exc)) from None
    except (OSError, sqlite3.Error) as exc:
        raise _usage(f"the account database {book.path}: {exc}") from None
    err.print(f"added {account.username} ({account.role.value}; {account.scope}) to {book.path}")


@users.command("list")
def list_accounts(ctx: typer.Context, accounts: AccountsOpt = None) -> None:
    """Every account with its role, scope, person and state (never a secret)."""
    try:
        book = _book(ctx, accounts)
        found = book.accounts()
    except (OSError, sqlite3.Error, ConfigError) as exc:
        raise _usage(str(exc)) from None
    if not found:
        err.print(f"no accounts in {book.path} (make one: sic users add NAME --role secretariat)")
        return
    table = Table("username", "name", "role", "scope", "person", "state", "API tokens")
    for account, tokens in found:
        state = "disabled" if account.disabled else "enabled"
        table.add_row(
            account.username,
            account.display_name,
            account.role.value,
            str(account.scope),
            account.person or "-",
            state,
            str(tokens),
        )
    out.print(table)


@users.command("disable")
def disable(
    ctx: typer.Context,
    username: Username,
    enable: Annotated[bool, typer.Option("--enable", help="Enable it again instead.")] = False,
    accounts: AccountsOpt = None,
) -> None:
    """Stop an account from signing in or writing (its sessions end; its tokens stop working)."""
    try:
        account = _book(ctx, accounts).set_disabled(username, not enable)
    except (LookupError, OSError, sqlite3.Error, ConfigError) as exc:
        raise _usage(str(exc)) from None
    err.print(f"{account.username} is {'disabled' if account.disabled else 'enabled'}")


@users.command("reset-password")
def reset_password(
    ctx: typer.Context,
    username: Username,
    password_stdin: PasswordStdin = False,
    accounts: AccountsOpt = None,
) -> None:
    """Give an account a new password; every session it had ends."""
    try:
        book = _book(ctx, accounts)
        if book.get(username) is None:
            raise LookupError(f"no account {username.strip()!r}")
        book.set_password(username, _password(password_stdin))
    except (ValueError, LookupError, OSError, sqlite3.Error, ConfigError) as exc:
        raise _usage(str(exc)) from None
    err.print(f"new password set for {username.strip()}; its sessions are ended")


@users.command("token")
def token(
    ctx: typer.Context,
    username: Username,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "api",
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Remove every API token of the account instead.")
    ] = False,
    accounts: AccountsOpt = None,
) -> None:
    """Make an API token for scripts (`Authorization: Bearer ...`), printed once on standard
    output; only its digest is kept, so a lost token is replaced, not recovered."""
    try:
        book = _book(ctx, accounts)
        if revoke:
            count = book.revoke_tokens(username)
            err.print(f"removed {count} API token(s) of {username.strip()}")
            return
        made = book.new_token(username, label)
    except (LookupError, OSError, sqlite3.Error, ConfigError) as exc:
        raise _usage(str(exc)) from None
    err.print("the API token, shown this once:")
    sys.stdout.write(made + "\n")
    sys.stdout.flush()


def register_user_commands(app: typer.Typer) -> None:
    """Add `users` to the `sic` app."""
    app.add_typer(users)
