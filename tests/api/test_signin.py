"""Signing in at /signin: CSRF-checked forms, limited attempts, sessions that write with care.

A browser signs in with a form whose CSRF token must match its cookie, gets a server-side
session in an HttpOnly, SameSite=Lax cookie (Secure over https), and writes with it only when
the request also carries the session's CSRF token. Sign-out ends the session.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.book import AccountBook
from accounts.roles import Role, Scope

PASSWORD = "a passphrase long enough for the tests"
IDEA = {
    "id": "signed-in-idea",
    "title": "An idea sent from a signed-in browser",
    "lead": "boreal-peat",
    "partners": ["sahel-ssri"],
    "activities": ["A1.01"],
    "countries": ["FI"],
}


@pytest.fixture
def book(tmp_path: Path) -> AccountBook:
    book = AccountBook(tmp_path / "accounts.sqlite3")
    book.add("sec", PASSWORD, Role.secretariat, display_name="Sam Secretariat")
    book.add("lea", PASSWORD, Role.task_force_leader, scope=Scope("B2"))
    return book


@pytest.fixture
def client(make_client: Callable[..., Any], reference_copy: Path, book: AccountBook) -> Any:
    return make_client(store=reference_copy, accounts_db=book.path)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(client: Any, username: str, password: str, **extra: str) -> Any:
    form = client.get("/signin")
    assert form.status_code == 200
    data = {"username": username, "password": password, "csrf_token": csrf_of(form.text)}
    return client.post("/signin", data={**data, **extra}, follow_redirects=False)


def test_the_form_sets_its_csrf_cookie_and_is_never_cached(client: Any) -> None:
    page = client.get("/signin")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"sic_signin={csrf_of(page.text)};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert 'autocomplete="current-password"' in page.text
    french = client.get("/signin", params={"lang": "fr"})
    assert "Connexion" in french.text and french.headers["content-language"] == "fr"


def test_over_https_the_cookies_are_secure(client: Any) -> None:
    page = client.get("https://testserver/signin")
    assert "Secure" in page.headers["set-cookie"]
    data = {"username": "sec", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    done = client.post("https://testserver/signin", data=data, follow_redirects=False)
    assert done.status_code == 303
    assert "Secure" in done.headers["set-cookie"]


def test_signing_in_opens_a_session_that_writes_only_with_its_csrf_token(client: Any) -> None:
    done = sign_in(client, "sec", PASSWORD, next="/gaps")
    assert done.status_code == 303 and done.headers["location"].endswith("/gaps")
    session_cookie = done.headers.get_list("set-cookie")[0]
    assert session_cookie.startswith("sic_session=")
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert "Max-Age=43200" in session_cookie
    page = client.get("/signin")
    assert "Sam Secretariat" in page.text and "Secretariat" in page.text
    csrf = csrf_of(page.text)
    forged = client.post("/api/projects", json=IDEA)
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    wrong = client.post("/api/projects", json=IDEA, headers={"X-CSRF-Token": csrf + "x"})
    assert wrong.status_code == 403
    made = client.post("/api/projects", json=IDEA, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text


def test_a_session_keeps_the_scope_of_its_account(client: Any) -> None:
    assert sign_in(client, "lea", PASSWORD).status_code == 303
    csrf = csrf_of(client.get("/signin").text)
    refused = client.post("/api/projects", json=IDEA, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "this project is outside the scope of lea (objective B2)"


def test_wrong_credentials_give_the_form_again_with_what_was_typed(client: Any) -> None:
    refused = sign_in(client, "sec", PASSWORD + "!")
    assert refused.status_code == 401
    assert "Wrong username or password" in refused.text
    assert 'value="sec"' in refused.text and PASSWORD not in refused.text
    assert "sic_session" not in refused.headers.get("set-cookie", "")
    assert sign_in(client, "nobody", PASSWORD).status_code == 401


def test_a_form_without_its_csrf_token_signs_nobody_in(client: Any) -> None:
    client.get("/signin")
    data = {"username": "sec", "password": PASSWORD, "csrf_token": "forged"}
    refused = client.post("/signin", data=data, follow_redirects=False)
    assert refused.status_code == 403 and "expired" in refused.text
    client.cookies.clear()
    data["csrf_token"] = ""
    assert client.post("/signin", data=data, follow_redirects=False).status_code == 403


def test_the_sixth_failure_in_a_minute_waits_even_with_the_right_password(client: Any) -> None:
    for _ in range(5):
        assert sign_in(client, "sec", "wrong password, long enough").status_code == 401
    waiting = sign_in(client, "sec", PASSWORD)
    assert waiting.status_code == 429
    assert 1 <= int(waiting.headers["retry-after"]) <= 60
    assert "Too many failed attempts" in waiting.text


def test_after_sign_in_only_pages_of_this_service_are_next(client: Any) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client.cookies.clear()
        done = sign_in(client, "sec", PASSWORD, next=target)
        assert done.status_code == 303
        assert done.headers["location"] == "/signin", target


def test_sign_out_needs_the_session_token_and_ends_the_session(client: Any) -> None:
    sign_in(client, "sec", PASSWORD)
    csrf = csrf_of(client.get("/signin").text)
    stale = client.post("/signout", data={"csrf_token": "stale"}, follow_redirects=False)
    assert stale.status_code == 403 and "Sam Secretariat" in stale.text
    done = client.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert 'sic_session=""' in done.headers["set-cookie"]
    after = client.post("/api/projects", json=IDEA, headers={"X-CSRF-Token": csrf})
    assert after.status_code == 401
    assert 'name="password"' in client.get("/signin").text
