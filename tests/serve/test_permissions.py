"""Accounts on a real `sic serve`: made with `sic users`, every write route tried as every caller.

The accounts of tests/data/accounts/write-matrix.yaml are made with the real command (password
on standard input, API tokens printed once), the service is started on them, and each caller
tries each write route over HTTP: the answers must be the documented ones. A browser's path
is walked too: sign in through the form, write with the session and its CSRF token, be
refused without it, be slowed down after five wrong passwords.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.server, pytest.mark.slow]

PASSWORD = "a passphrase long enough for the tests"
SIC = str(Path(sys.executable).parent / "sic")


def users(accounts: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [SIC, "users", *args, "--accounts", str(accounts)],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def make_accounts(accounts: Path, matrix: Any) -> dict[str, str]:
    """The matrix's accounts, made with `sic users`: caller -> API token."""
    tokens = {}
    for name, spec in matrix.accounts.items():
        options = ["--role", spec["role"]]
        for part in ("objective", "region", "organisation"):
            if spec.get(part):
                options += [f"--{part}", str(spec[part])]
        users(accounts, "add", name, *options, "--password-stdin", stdin=PASSWORD + "\n")
        tokens[name] = users(accounts, "token", name).strip()
        if spec.get("disabled"):
            users(accounts, "disable", name)
    return tokens


@pytest.fixture
def service(sic_service: Callable[..., Any], tmp_path: Path, write_matrix: Any) -> Any:
    accounts = tmp_path / "accounts.sqlite3"
    tokens = make_accounts(accounts, write_matrix)
    live = sic_service(env={"SIC_ACCOUNTS_DB": str(accounts), "SIC_QUERY_WORKERS": "2"})
    return live, tokens


def test_every_caller_on_every_write_route_of_a_real_service(
    service: tuple[Any, dict[str, str]], write_matrix: Any
) -> None:
    live, tokens = service
    got: dict[tuple[str, str], int] = {}
    with httpx.Client(base_url=live.url, timeout=60) as client:
        for route, caller, _ in write_matrix.cases():
            token = live.token if caller == "service" else tokens.get(caller)
            got[route, caller] = write_matrix.attempt(
                client, route, caller, token, live.token
            ).status_code
    expected = {(route, caller): status for route, caller, status in write_matrix.cases()}
    assert {case: (got[case], want) for case, want in expected.items() if got[case] != want} == {}


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def test_a_browser_signs_in_writes_with_its_csrf_token_and_is_slowed_after_failures(
    service: tuple[Any, dict[str, str]],
) -> None:
    live, _ = service
    idea = {
        "id": "from-a-browser",
        "title": "A project idea sent by a signed-in Task Force leader",
        "lead": "boreal-peat",
        "activities": ["A1.01"],
        "countries": ["FI"],
    }
    with httpx.Client(base_url=live.url, timeout=60, follow_redirects=True) as browser:
        form = browser.get("/signin")
        data = {"username": "leader", "password": PASSWORD, "csrf_token": csrf_of(form.text)}
        signed_in = browser.post("/signin", data=data)
        assert signed_in.status_code == 200 and "Task Force Leader" in signed_in.text
        assert browser.post("/api/projects", json=idea).status_code == 403  # no CSRF token
        csrf = csrf_of(signed_in.text)
        made = browser.post("/api/projects", json=idea, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201, made.text
        assert browser.get(made.headers["location"], headers={"Accept": "text/html"}).is_success
        update = browser.post(
            "/update",
            content="INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
            headers={"Content-Type": "application/sparql-update", "X-CSRF-Token": csrf},
        )
        assert update.status_code == 403  # a Task Force leader writes through the API
    with httpx.Client(base_url=live.url, timeout=60) as guesser:
        answers = []
        for _ in range(6):
            form = guesser.get("/signin")
            data = {
                "username": "secretariat",
                "password": "a wrong guess, long enough",
                "csrf_token": csrf_of(form.text),
            }
            answers.append(guesser.post("/signin", data=data))
        assert [a.status_code for a in answers] == [401] * 5 + [429]
        assert int(answers[-1].headers["retry-after"]) > 0
