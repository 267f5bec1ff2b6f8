"""`sic users`: the first Secretariat account is made on the command line, with no default.

The password comes from standard input (`--password-stdin`) or a silent prompt on a terminal,
never from an option; bad input ends with exit code 2 and one line saying what is wrong.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from accounts.book import AccountBook
from api.cli import app

PASSWORD = "a passphrase long enough for the tests"


def sic(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_the_first_secretariat_account_is_made_beside_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, _, said = sic(
        "--store", str(store), "users", "add", "alice", "--role", "secretariat",
        "--name", "Alice Martin", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, said
    book = AccountBook(tmp_path / "accounts.sqlite3")
    assert "added alice (secretariat; -)" in said and str(book.path) in said
    assert book.authenticate("alice", PASSWORD) is not None
    code, listed, _ = sic("--store", str(store), "users", "list")
    assert code == 0 and "alice" in listed and "Martin" in listed and "enabled" in listed


def test_scoped_roles_take_keys_or_iris(tmp_path: Path) -> None:
    accounts = str(tmp_path / "a.sqlite3")
    code, _, said = sic(
        "users", "add", "fatou", "--role", "organisation_contact",
        "--organisation", "sahel-ssri", "--person", "fatou-diop",
        "--accounts", accounts, "--password-stdin", stdin=PASSWORD,
    )  # fmt: skip
    assert code == 0, said
    found = AccountBook(Path(accounts)).get("fatou")
    assert found is not None
    assert found.scope.organisation == "https://w3id.org/4p1000/id/organisation/sahel-ssri"
    assert found.person == "https://w3id.org/4p1000/id/person/fatou-diop"
    code, _, said = sic(
        "users", "add", "mikko", "--role", "regional_representative", "--objective", "A1",
        "--accounts", accounts, "--password-stdin", stdin=PASSWORD,
    )  # fmt: skip
    assert code == 2 and "a regional_representative account needs its region" in said


def test_no_password_no_account(tmp_path: Path) -> None:
    accounts = tmp_path / "a.sqlite3"
    base = ["users", "add", "bob", "--role", "analyst", "--accounts", str(accounts)]
    code, _, said = sic(*base)
    assert code == 2 and "give --password-stdin" in said
    code, _, said = sic(*base, "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 12 characters" in said
    assert not accounts.exists()


def test_disable_reset_and_tokens(tmp_path: Path) -> None:
    accounts = str(tmp_path / "a.sqlite3")
    book = AccountBook(Path(accounts))
    sic("users", "add", "ana", "--role", "analyst", "--accounts", accounts, "--password-stdin",
        stdin=PASSWORD)  # fmt: skip
    code, printed, said = sic("users", "token", "ana", "--label", "sync", "--accounts", accounts)
    assert code == 0 and "shown this once" in said
    token = printed.strip()
    assert token.startswith("sic_") and book.by_token(token) is not None
    assert sic("users", "disable", "ana", "--accounts", accounts)[0] == 0
    assert book.by_token(token) is None and book.authenticate("ana", PASSWORD) is None
    assert sic("users", "disable", "ana", "--enable", "--accounts", accounts)[0] == 0
    code, _, said = sic(
        "users", "reset-password", "ana", "--accounts", accounts, "--password-stdin",
        stdin="another passphrase, long\n",
    )  # fmt: skip
    assert code == 0, said
    assert book.authenticate("ana", "another passphrase, long") is not None
    assert book.authenticate("ana", PASSWORD) is None
    code, _, said = sic("users", "token", "ana", "--revoke", "--accounts", accounts)
    assert code == 0 and "removed 1 API token(s)" in said and book.by_token(token) is None
    for command in ("disable", "token"):
        code, _, said = sic("users", command, "zoe", "--accounts", accounts)
        assert code == 2 and "no account 'zoe'" in said
