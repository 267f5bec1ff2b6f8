"""On a real `sic serve`: a signed-in account writes, and the history names that account.

The account is made with the real command (`sic users add --person`, a person of the data),
signs in through the form, submits a project with its session and CSRF token, then moves it
with SPARQL Update and a comment; the history JSON and the project's page, read over HTTP,
show both changes as that person's, newest first.
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
BASE = "https://w3id.org/4p1000/"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def test_an_accounts_writes_show_in_the_history_of_a_real_service(
    sic_service: Callable[..., Any], tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.sqlite3"
    made = subprocess.run(
        [
            *(SIC, "users", "add", "carla", "--role", "secretariat"),
            *("--person", "helena-brandt", "--accounts", str(accounts), "--password-stdin"),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    live = sic_service(env={"SIC_ACCOUNTS_DB": str(accounts), "SIC_QUERY_WORKERS": "2"})
    person = BASE + "id/person/helena-brandt"
    idea = {"id": "served-history", "title": "Served history", "lead": "gshf"}
    idea["activities"] = ["A1.05"]  # type: ignore[assignment]
    with httpx.Client(base_url=live.url, timeout=60, follow_redirects=True) as browser:
        form = browser.get("/signin")
        data = {"username": "carla", "password": PASSWORD, "csrf_token": _csrf(form.text)}
        signed_in = browser.post("/signin", data=data)
        assert signed_in.status_code == 200
        csrf = _csrf(signed_in.text)
        created = browser.post("/api/projects", json=idea, headers={"X-CSRF-Token": csrf})
        assert created.status_code == 201, created.text
        project = BASE + "id/project/served-history"
        move = (
            "PREFIX sic: <https://w3id.org/4p1000/ontology#>\n"
            f"DELETE {{ <{project}> sic:stage ?s }}"
            f" INSERT {{ <{project}> sic:stage sic:StageTeam }}"
            f" WHERE {{ <{project}> sic:stage ?s }}"
        )
        moved = browser.post(
            "/update",
            content=move,
            headers={
                "Content-Type": "application/sparql-update",
                "X-CSRF-Token": csrf,
                "X-Change-Comment": "partners found",
            },
        )
        assert moved.status_code == 204, moved.text
    with httpx.Client(base_url=live.url, timeout=60) as client:
        found = client.get("/api/resources/project/served-history/history").json()
        assert found["total"] == 2
        newest, first = found["changes"]
        assert [newest["agent"], first["agent"]] == [person, person]
        assert [newest["via"], first["via"]] == ["session", "session"]
        assert newest["agent_label"] == "Helena Brandt"  # the person's name in the graph
        assert newest["comment"] == "partners found"
        assert newest["sequence"] > first["sequence"]
        assert [t["object"]["value"] for t in newest["added"]] == [
            "https://w3id.org/4p1000/ontology#StageTeam"
        ]
        page = client.get("/id/project/served-history", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "History" in page.text and "partners found" in page.text
        assert f'href="{person}"' in page.text
