"""On a real `sic serve`: an account writes a project through the JSON API with its token,
and `?asOf=` before and after the write tells the difference, on /sparql and on the dashboard.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.server, pytest.mark.slow]

PASSWORD = "a passphrase long enough for the tests"
SIC = str(Path(sys.executable).parent / "sic")
BASE = "https://w3id.org/4p1000/"
PROJECT = BASE + "id/project/served-as-of"
ASK = f"ASK {{ <{PROJECT}> ?p ?o }}"
JSON = {"Accept": "application/sparql-results+json"}


def _users(accounts: Path, *args: str, stdin: str | None = None) -> str:
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


def _now() -> str:
    time.sleep(0.05)
    moment = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    time.sleep(0.05)
    return moment.replace("+00:00", "Z")


def _dashboard(client: httpx.Client, moment: str) -> str:
    page = client.get("/", params={"asOf": moment, "lang": "en"}, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text[:500]
    assert "As of " in page.text
    assert page.headers["SIC-As-Of"]
    # what differs by the moment alone: the banner and the links that keep it
    text = re.sub(r'<p class="as-of".*?</p>', "", page.text, flags=re.S)
    return re.sub(r"asOf=[^\"&]*", "", text)


def test_a_written_project_is_absent_as_of_before_and_present_after(
    sic_service: Callable[..., Any], tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.sqlite3"
    _users(accounts, "add", "dora", "--role", "secretariat", "--password-stdin", stdin=PASSWORD)
    token = _users(accounts, "token", "dora").strip()
    live = sic_service(env={"SIC_ACCOUNTS_DB": str(accounts), "SIC_QUERY_WORKERS": "2"})
    with httpx.Client(base_url=live.url, timeout=60) as client:
        before = _now()
        idea = {"id": "served-as-of", "title": "Served as of", "lead": "gshf"}
        idea["activities"] = ["A1.05"]  # type: ignore[assignment]
        created = client.post(
            "/api/projects", json=idea, headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201, created.text
        after = _now()

        def ask(**params: str) -> bool:
            answer = client.get("/sparql", params={"query": ASK, **params}, headers=JSON)
            assert answer.status_code == 200, answer.text
            return bool(answer.json()["boolean"])

        assert ask() is True
        assert ask(asOf=after) is True
        assert ask(asOf=before) is False
        posted = client.post("/sparql", data={"query": ASK, "asOf": before}, headers=JSON)
        assert posted.status_code == 200 and posted.json()["boolean"] is False
        assert ask(asOf=after) is True  # the snapshot kept for `before` did not stick
        refused = client.post(
            "/api/projects",
            params={"asOf": before},
            json={**idea, "id": "served-as-of-2"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert refused.status_code == 400
        then, now = _dashboard(client, before), _dashboard(client, after)
        assert then != now
        assert _live_projects(now) == _live_projects(then) + 1  # what moved: the new project


def _live_projects(page: str) -> int:
    found = re.search(r'data-figure="live_projects"><span class="figure">(\d+)<', page)
    assert found, page[:500]
    return int(found.group(1))
