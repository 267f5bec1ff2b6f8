"""Funding lines and Task Force roles edited and removed on a real `sic serve`.

The Secretariat opens a pledged line from its project's page (the per-row links), commits it,
and the project may then move to `funded`; a removal confirmed on a version someone changed
since is refused (409), one the shapes refuse is 422 and keeps the line, and a confirmed one
removes the line alone, attributed; a Task Force role, whose key holds a `#`, is edited and
removed through its encoded address (`%23`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve.test_forms import ID, PASSWORD, SIC_NS, browser, field, save, users

pytestmark = [pytest.mark.server, pytest.mark.slow]

LINE = "faidherbia-scaling.francophone-rda.pledged"


@pytest.fixture
def live(sic_service: Callable[..., Any], tmp_path: Path) -> Any:
    accounts = tmp_path / "accounts.sqlite3"
    users(accounts, "add", "secretariat", "--role", "secretariat", "--password-stdin",
          stdin=PASSWORD + "\n")  # fmt: skip
    users(accounts, "add", "analyst", "--role", "analyst", "--password-stdin",
          stdin=PASSWORD + "\n")  # fmt: skip
    return sic_service(env={"SIC_ACCOUNTS_DB": str(accounts), "SIC_QUERY_WORKERS": "2"})


def ask(client: httpx.Client, query: str) -> bool:
    return bool(client.get("/sparql", params={"query": query}).json()["boolean"])


def test_the_secretariat_commits_a_pledge_from_the_project_page_then_funds_the_project(
    live: Any,
) -> None:
    with closing(browser(live, "secretariat")) as sec, closing(browser(live, "analyst")) as ana:
        page = sec.get("/id/project/faidherbia-scaling", headers={"Accept": "text/html"})
        assert f'<tr data-funding="{LINE}" data-status="pledged">' in page.text
        links = sec.get("/edit/links", params={"kind": "project", "key": "faidherbia-scaling"})
        urls = {link["url"] for link in links.json()["links"] if link.get("row") == LINE}
        assert urls == {f"/edit/funding/{LINE}", f"/remove/funding/{LINE}"}
        none = ana.get("/edit/links", params={"kind": "project", "key": "faidherbia-scaling"})
        assert none.json()["links"] == []
        opened = sec.get(f"/edit/funding/{LINE}", params={"lang": "fr"})
        assert opened.status_code == 200 and "Modifier la ligne de financement" in opened.text
        values = {"project": "faidherbia-scaling", "funder": "francophone-rda",
                  "status": "committed", "amount": "150000000", "currency": "XOF",
                  "date": "2026-02-01"}  # fmt: skip
        done = save(sec, f"/edit/funding/{LINE}?lang=fr", values, opened.text)
        assert done.status_code == 303, done.text
        assert done.headers["location"] == "/id/project/faidherbia-scaling?lang=fr"
        assert ask(
            sec,
            f"ASK {{ <{ID}funding/{LINE}> <{SIC_NS}fundingStatus> <{SIC_NS}FundingCommitted> }}",
        )
        moved = save(sec, "/edit/project/faidherbia-scaling/stage", {"stage": "funded"})
        assert moved.status_code == 303, moved.text
        # the only committed line of a funded project cannot go; nothing is removed
        refused = save(sec, f"/remove/funding/{LINE}", {})
        assert refused.status_code == 422
        assert ask(sec, f"ASK {{ <{ID}funding/{LINE}> ?p ?o }}")
        history = sec.get(f"/api/resources/funding/{LINE}/history").json()
        assert history["changes"][0]["agent_label"] == "secretariat"


def test_a_removal_on_a_changed_line_is_refused_then_a_confirmed_one_removes_it_alone(
    live: Any,
) -> None:
    line = "pampas-cover-crops.terra-viva.pledged"
    with (
        closing(browser(live, "secretariat")) as first,
        closing(browser(live, "secretariat")) as second,
    ):
        confirm = second.get(f"/remove/funding/{line}").text
        values = {"project": "pampas-cover-crops", "funder": "terra-viva", "status": "pledged",
                  "amount": "350000", "currency": "EUR", "date": "2025-03-01"}  # fmt: skip
        assert save(first, f"/edit/funding/{line}", values).status_code == 303
        stale = save(second, f"/remove/funding/{line}", {}, confirm)
        assert stale.status_code == 409 and "350000" in stale.text
        assert ask(first, f"ASK {{ <{ID}funding/{line}> ?p ?o }}")
        removed = save(second, f"/remove/funding/{line}", {}, stale.text)
        assert removed.status_code == 303
        assert not ask(first, f"ASK {{ <{ID}funding/{line}> ?p ?o }}")
        assert ask(first, f"ASK {{ <{ID}project/pampas-cover-crops> ?p ?o }}")
        other = f"{ID}funding/pampas-cover-crops.southern-cone-fund.committed"
        assert ask(first, f"ASK {{ <{other}> ?p ?o }}")


def test_a_task_force_role_is_edited_and_removed_at_its_encoded_address(live: Any) -> None:
    with closing(browser(live, "secretariat")) as sec:
        path = "/edit/role/A1%23member-sophie-laurent"
        page = sec.get(path)
        assert page.status_code == 200 and f'action="{path}"' in page.text
        assert re.search(r'<option value="member" selected>', page.text)
        links = sec.get("/edit/links", params={"kind": "person", "key": "sophie-laurent"}).json()
        assert "/remove/role/A1%23member-sophie-laurent" in [k["url"] for k in links["links"]]
        role = {"person": "sophie-laurent", "objective": "A1", "role": "leader"}
        assert save(sec, path, role, page.text).status_code == 303
        iri = f"{ID}taskforce/A1#member-sophie-laurent"
        assert ask(sec, f"ASK {{ <{iri}> <http://www.w3.org/ns/org#role> <{SIC_NS}RoleLeader> }}")
        confirm = sec.get("/remove/role/A1%23member-sophie-laurent")
        assert field(confirm.text, "etag")
        removed = save(sec, "/remove/role/A1%23member-sophie-laurent", {}, confirm.text)
        assert removed.status_code == 303
        assert removed.headers["location"] == "/id/person/sophie-laurent"
        assert not ask(sec, f"ASK {{ <{iri}> ?p ?o }}")
