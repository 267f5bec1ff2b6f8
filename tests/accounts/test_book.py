"""The account book: secrets stored only as digests, disabled accounts and old sessions refused."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from accounts.book import AccountBook, check_username
from accounts.roles import Role, Scope

PASSWORD = "a passphrase long enough for the tests"
SAHEL = "https://w3id.org/4p1000/id/organisation/sahel-ssri"


@pytest.fixture
def book(tmp_path: Path) -> AccountBook:
    return AccountBook(tmp_path / "data" / "accounts.sqlite3")


def test_an_account_is_made_with_its_scope_and_the_file_only_its_owner_reads(
    book: AccountBook,
) -> None:
    assert not book.exists and book.accounts() == [] and book.get("ana") is None
    made = book.add(
        "Ana",
        PASSWORD,
        Role.organisation_contact,
        display_name="Ana N",
        scope=Scope(None, None, SAHEL),
    )
    assert (made.username, made.display_name, made.role) == (
        "ana",
        "Ana N",
        Role.organisation_contact,
    )
    assert made.scope.organisation == SAHEL and not made.disabled
    assert stat.S_IMODE(book.path.stat().st_mode) == 0o600
    assert book.get("ANA") == made  # usernames are case-insensitive
    content = book.path.read_bytes()
    assert PASSWORD.encode() not in content and b"$argon2id$" in content


@pytest.mark.parametrize(
    ("role", "scope", "said"),
    [
        (Role.task_force_leader, Scope(), "needs its objective"),
        (Role.regional_representative, Scope("A1"), "needs its region"),
        (Role.organisation_contact, Scope(), "needs its organisation"),
        (Role.secretariat, Scope("A1"), "has no objective"),
        (Role.analyst, Scope(None, "150"), "has no region"),
        (Role.task_force_leader, Scope("Z"), "not an objective code"),
        (Role.regional_representative, Scope("A1", "Europe"), "not a UN M49 region code"),
        (Role.organisation_contact, Scope(None, None, "sahel-ssri"), "not an organisation IRI"),
    ],
)
def test_a_role_gets_exactly_the_scope_it_needs(
    book: AccountBook, role: Role, scope: Scope, said: str
) -> None:
    with pytest.raises(ValueError, match=said):
        book.add("x", PASSWORD, role, scope=scope)
    assert not book.exists  # nothing made for a refused account


@pytest.mark.parametrize(
    ("username", "password", "said"),
    [
        ("bad name", PASSWORD, "not a username"),
        ("", PASSWORD, "not a username"),
        ("ok", "short", "at least 12 characters"),
        ("ok", " " * 20, "only spaces"),
    ],
)
def test_bad_usernames_and_passwords_are_refused(
    book: AccountBook, username: str, password: str, said: str
) -> None:
    with pytest.raises(ValueError, match=said):
        book.add(username, password, Role.analyst)


def test_a_username_is_taken_once(book: AccountBook) -> None:
    book.add("ana", PASSWORD, Role.analyst)
    with pytest.raises(ValueError, match="taken"):
        book.add("ANA", PASSWORD, Role.secretariat)
    assert [a.role for a, _ in book.accounts()] == [Role.analyst]


def test_sign_in_needs_the_right_password_and_an_enabled_account(book: AccountBook) -> None:
    book.add("ana", PASSWORD, Role.analyst)
    assert book.authenticate("ana", PASSWORD) is not None
    assert book.authenticate("ana", PASSWORD + "x") is None
    assert book.authenticate("nobody", PASSWORD) is None
    book.set_disabled("ana")
    assert book.authenticate("ana", PASSWORD) is None
    book.set_disabled("ana", False)
    assert book.authenticate("ana", PASSWORD) is not None


def test_api_tokens_are_stored_as_digests_and_refused_once_disabled(book: AccountBook) -> None:
    book.add("ana", PASSWORD, Role.secretariat)
    token = book.new_token("ana", "sync script")
    assert token.startswith("sic_") and len(token) > 40
    assert token.encode() not in book.path.read_bytes()
    assert book.by_token(token) is not None
    assert book.by_token(token + "x") is None and book.by_token("not-ours") is None
    assert book.accounts()[0][1] == 1
    book.set_disabled("ana")
    assert book.by_token(token) is None
    book.set_disabled("ana", False)
    assert book.revoke_tokens("ana") == 1
    assert book.by_token(token) is None


def test_sessions_end_at_their_time_at_sign_out_and_with_a_new_password(
    book: AccountBook,
) -> None:
    account = book.add("ana", PASSWORD, Role.secretariat)
    first, session = book.open_session(account, 3600)
    assert first.encode() not in book.path.read_bytes()
    found = book.session(first)
    assert found is not None and found.csrf == session.csrf and found.account == account
    book.close_session(first)
    assert book.session(first) is None
    short, _ = book.open_session(account, 0.01)
    time.sleep(0.05)
    assert book.session(short) is None
    kept, _ = book.open_session(account, 3600)
    book.set_password("ana", PASSWORD + " renewed")
    assert book.session(kept) is None
    assert book.authenticate("ana", PASSWORD) is None
    assert book.authenticate("ana", PASSWORD + " renewed") is not None
    disabled, _ = book.open_session(account, 3600)
    book.set_disabled("ana")
    assert book.session(disabled) is None


def test_unknown_accounts_are_named(book: AccountBook) -> None:
    book.add("ana", PASSWORD, Role.analyst)
    for change in (
        lambda: book.set_disabled("bob"),
        lambda: book.set_password("bob", PASSWORD),
        lambda: book.new_token("bob"),
    ):
        with pytest.raises(LookupError, match="no account 'bob'"):
            change()


def test_usernames_are_kept_in_lower_case() -> None:
    assert check_username(" Ana.N@fao ") == "ana.n@fao"
