"""The editing forms on a real `sic serve`: signed-in browsers over HTTP, sessions and CSRF.

A Task Force leader signs in, proposes a project for an uncovered activity from the form the
gap links to, adds suggested partners and moves it on, and the gaps stop listing the
activity at once; two browsers save the same project and the second is refused (409) with
the first one's change shown; a partner contact is refused another organisation's form.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.server, pytest.mark.slow]

PASSWORD = "a passphrase long enough for the tests"
SIC = str(Path(sys.executable).parent / "sic")
ID = "https://w3id.org/4p1000/id/"
SIC_NS = "https://w3id.org/4p1000/ontology#"
ACCOUNTS = {
    "leader": ["--role", "task_force_leader", "--objective", "A1"],
    "secretariat": ["--role", "secretariat"],
    "contact": ["--role", "organisation_contact", "--organisation", "sahel-ssri"],
}


def users(accounts: Path, *args: str, stdin: str | None = None) -> None:
    done = subprocess.run(
        [SIC, "users", *args, "--accounts", str(accounts)],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def live(sic_service: Callable[..., Any], tmp_path: Path) -> Any:
    accounts = tmp_path / "accounts.sqlite3"
    for name, options in ACCOUNTS.items():
        users(accounts, "add", name, *options, "--password-stdin", stdin=PASSWORD + "\n")
    return sic_service(env={"SIC_ACCOUNTS_DB": str(accounts), "SIC_QUERY_WORKERS": "2"})


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, page
    return found.group(1)


def browser(live: Any, name: str) -> httpx.Client:
    client = httpx.Client(base_url=live.url, timeout=60)
    form = client.get("/signin")
    data = {"username": name, "password": PASSWORD, "csrf_token": field(form.text, "csrf_token")}
    assert client.post("/signin", data=data).status_code == 303
    return client


def save(client: httpx.Client, path: str, values: dict[str, Any], page: str | None = None) -> Any:
    """Post a form with the token and version of `page` (else of the form opened now)."""
    page = page if page is not None else client.get(path).text
    data = {"csrf_token": field(page, "csrf_token"), "etag": field(page, "etag"), **values}
    return client.post(path, data=data)


def uncovered(client: httpx.Client) -> list[str]:
    rows = client.get("/api/queries/uncovered-activities").json()["rows"]
    return [row["activity"] for row in rows]


def test_a_leader_proposes_builds_a_team_and_moves_a_project_and_the_gaps_follow(live: Any) -> None:
    with closing(browser(live, "leader")) as leader:
        assert "A1.05" in uncovered(leader)
        opened = leader.get("/new/project", params={"activity": "A1.05", "lang": "fr"})
        assert opened.status_code == 200 and "Proposer une idée de projet" in opened.text
        idea = {"id": "peat-in-ndcs", "title": "Peat in NDCs", "stage": "idea",
                "activities": "A1.05", "lead": "boreal-peat", "countries": "FI"}  # fmt: skip
        made = save(leader, "/new/project?lang=fr", idea, opened.text)
        assert (
            made.status_code == 303
            and made.headers["location"] == "/id/project/peat-in-ndcs?lang=fr"
        )
        assert "A1.05" not in uncovered(leader)
        team = leader.get("/edit/project/peat-in-ndcs/team", params={"lang": "es"})
        suggested = re.findall(r'type="checkbox" name="partners" value="([^"]+)">', team.text)
        assert len(suggested) >= 2 and 'class="reasons"' in team.text
        added = save(leader, "/edit/project/peat-in-ndcs/team", {"partners": suggested[:2]})
        assert added.status_code == 303, added.text
        moved = save(leader, "/edit/project/peat-in-ndcs/stage", {"stage": "concept_note"})
        assert moved.status_code == 303
        for key in suggested[:2]:
            query = (
                f"ASK {{ <{ID}project/peat-in-ndcs> <{SIC_NS}partner> <{ID}organisation/{key}> }}"
            )
            assert leader.get("/sparql", params={"query": query}).json()["boolean"] is True
        history = leader.get("/api/resources/project/peat-in-ndcs/history").json()
        assert [c["agent_label"] for c in history["changes"]] == ["leader"] * 3


def test_two_browsers_on_one_project_the_second_save_is_refused_with_the_first_change(
    live: Any,
) -> None:
    with closing(browser(live, "leader")) as first, closing(browser(live, "secretariat")) as second:
        path = "/edit/project/ndc-soil-helpdesk/stage"
        page_one, page_two = first.get(path).text, second.get(path).text
        assert save(first, path, {"stage": "proposal"}, page_one).status_code == 303
        refused = save(second, f"{path}?lang=fr", {"stage": "completed"}, page_two)
        assert refused.status_code == 409
        assert "Quelqu&#39;un d&#39;autre a modifié ceci" in refused.text
        assert re.search(r'<dd data-field="stage" class="changed">proposal</dd>', refused.text)
        assert '<option value="completed" selected>' in refused.text  # what was typed, kept
        query = f"SELECT ?s WHERE {{ <{ID}project/ndc-soil-helpdesk> <{SIC_NS}stage> ?s }}"
        stage = first.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert stage.text.split()[1:] == [f"{SIC_NS}StageProposal"]


def test_a_partner_contact_cannot_edit_another_organisation(live: Any) -> None:
    with closing(browser(live, "contact")) as contact:
        html = {"Accept": "text/html"}
        assert contact.get("/edit/organisation/sahel-ssri").status_code == 200
        refused = contact.get("/edit/organisation/gshf", headers=html)
        assert refused.status_code == 403 and "<html" in refused.text
        links = contact.get("/edit/links", params={"kind": "organisation", "key": "sahel-ssri"})
        assert links.json()["links"][0]["url"] == "/edit/organisation/sahel-ssri"
        mine = contact.get("/edit/organisation/sahel-ssri").text
        posted = save(
            contact,
            "/edit/organisation/gshf",
            {"name": "Taken", "type": "ngo", "country": "FR"},
            mine,
        )
        assert posted.status_code == 403


def test_a_stage_the_shapes_refuse_is_said_in_french_on_a_real_service(live: Any) -> None:
    """Issue 17 over HTTP: the refused move names the rule in the page's language, and /shapes
    lists the same sentence in French."""
    french = "doit avoir au moins un financement engagé (committed) ou versé (disbursed)"
    with closing(browser(live, "secretariat")) as secretariat:
        path = "/edit/project/soil-project-incubator/stage?lang=fr"
        refused = save(secretariat, path, {"stage": "funded"})
        assert refused.status_code == 422, refused.text
        error = re.search(r'<p class="error field-error"[^>]*data-field="stage"[^>]*>(.*?)</p>',
                          refused.text)  # fmt: skip
        assert error and french in error.group(1) and 'lang="fr"' in error.group(1)
        assert "must have at least one committed" not in refused.text
        shapes = secretariat.get("/shapes?lang=fr", headers={"Accept": "text/html"})
        assert shapes.status_code == 200 and french in shapes.text
