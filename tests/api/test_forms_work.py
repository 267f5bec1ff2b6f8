"""The editing forms in process: each form opens and saves, refusals keep what was typed.

Every form is opened in the three languages by someone whose role may use it, and saved;
a value that fits no field, and a change the SHACL shapes refuse, come back as 422 with the
problem next to its field in the page's language, what was typed kept and nothing stored;
a save on a version someone else changed since is refused (409) with their change shown; a
role or scope that does not take the resource gets 403 and stores nothing; a save is
attributed to its author (graph.history).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from accounts.book import AccountBook
from accounts.roles import Role, Scope

PASSWORD = "a passphrase long enough for the tests"
ID = "https://w3id.org/4p1000/id/"
HTML = {"Accept": "text/html"}


@pytest.fixture
def book(tmp_path: Path) -> AccountBook:
    book = AccountBook(tmp_path / "accounts.sqlite3")
    book.add("sec", PASSWORD, Role.secretariat)
    book.add("lea", PASSWORD, Role.task_force_leader, scope=Scope("A1"))
    book.add(
        "con",
        PASSWORD,
        Role.organisation_contact,
        scope=Scope(None, None, ID + "organisation/sahel-ssri"),
    )
    book.add("ana", PASSWORD, Role.analyst)
    return book


class Browser:
    """One person's browser over the shared test client: their own cookies (their session).

    One TestClient serves them all, since the service's runner lives on that client's loop."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.jar = httpx.Cookies()

    def request(self, method: str, url: str, **options: Any) -> Any:
        self.client.cookies = self.jar
        try:
            return self.client.request(method, url, **options)
        finally:
            self.jar = httpx.Cookies(self.client.cookies)
            self.client.cookies = httpx.Cookies()

    def get(self, url: str, **options: Any) -> Any:
        return self.request("GET", url, **options)

    def post(self, url: str, **options: Any) -> Any:
        return self.request("POST", url, **options)


@pytest.fixture
def serve(
    make_client: Callable[..., Any], reference_copy: Path, book: AccountBook
) -> Callable[[str | None], Browser]:
    """A browser signed in as an account (all over one service); None: nobody signed in."""
    client = make_client(store=reference_copy, accounts_db=book.path)

    def signed_in(name: str | None) -> Browser:
        browser = Browser(client)
        if name is not None:
            form = browser.get("/signin")
            data = {"username": name, "password": PASSWORD, "csrf_token": csrf_of(form.text)}
            done = browser.post("/signin", data=data, follow_redirects=False)
            assert done.status_code == 303, done.text
        return browser

    return signed_in


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', page)
    assert found, page
    return found.group(1)


def etag_of(page: str) -> str:
    found = re.search(r'name="etag" value="([^"]*)"', page)
    assert found, page
    return found.group(1)


PREFIXES = f"""PREFIX sic: <https://w3id.org/4p1000/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX organisation: <{ID}organisation/>
PREFIX project: <{ID}project/>
PREFIX topic: <{ID}topic/>
"""


def exists(client: Any, query: str) -> bool:
    query = PREFIXES + query
    answer = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return bool(answer.json()["boolean"])


def send(client: Any, path: str, data: dict[str, Any], **params: str) -> Any:
    """Open the form at `path`, then post `data` with its CSRF token and version."""
    page = client.get(path, params=params)
    assert page.status_code == 200, page.text
    body = {"csrf_token": csrf_of(page.text), "etag": etag_of(page.text), **data}
    return client.post(path, data=body, params=params, follow_redirects=False)


ORGANISATION = {
    "name": "Sahel Soil Research Institute (renamed)",
    "acronym": "SSRI",
    "type": "research",
    "status": "partner",
    "country": "SN",
    "topics": ["soil-organic-carbon", "agroforestry"],
    "regions": ["011", "202"],
}

FORMS = [
    "/edit/organisation/sahel-ssri",
    "/edit/project/soil-project-incubator",
    "/edit/project/soil-project-incubator/team",
    "/edit/project/soil-project-incubator/stage",
    "/new/project",
    "/new/funding?project=soil-project-incubator",
    "/new/person",
    "/new/role?person=helena-brandt",
    "/edit/person/helena-brandt",
    "/new/alliance",
    "/edit/alliance/sahel-agroforestry",
]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_every_form_opens_in_each_language_with_its_token_and_version(
    serve: Any, lang: str
) -> None:
    client = serve("sec")
    for path in FORMS:
        page = client.get(path, params={"lang": lang})
        assert page.status_code == 200, (path, page.text[:500])
        assert page.headers["content-language"] == lang
        assert page.headers["cache-control"] == "no-store"
        assert csrf_of(page.text) and etag_of(page.text), path
    french = client.get("/edit/organisation/sahel-ssri", params={"lang": "fr"}).text
    assert (
        "Modifier l&#39;organisation" in french
        and 'value="Sahel Soil Research Institute"' in french
    )


def test_someone_not_signed_in_is_sent_to_sign_in_and_cannot_save(serve: Any) -> None:
    client = serve(None)
    page = client.get("/edit/organisation/sahel-ssri", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin?next=/edit/")
    refused = client.post("/edit/organisation/sahel-ssri", data=ORGANISATION)
    assert refused.status_code == 401


def test_an_organisation_contact_edits_their_organisation_and_the_change_is_attributed(
    serve: Any,
) -> None:
    client = serve("con")
    done = send(client, "/edit/organisation/sahel-ssri", ORGANISATION)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/id/organisation/sahel-ssri"
    assert exists(
        client,
        f'ASK {{ organisation:sahel-ssri rdfs:label "{ORGANISATION["name"]}"@en }}',
    )
    assert not exists(
        client,
        "ASK { organisation:sahel-ssri dct:subject topic:desertification }",
    )
    history = client.get("/api/resources/organisation/sahel-ssri/history").json()
    latest = history["changes"][0]
    assert latest["agent_label"] == "con" and latest["via"] == "session"
    assert latest["command"] == "form organisation sahel-ssri" and latest["added_count"] == 1


def test_a_partner_contact_cannot_edit_another_organisation(serve: Any) -> None:
    client = serve("con")
    page = client.get("/edit/organisation/gshf", headers=HTML)
    assert page.status_code == 403 and "<html" in page.text
    mine = client.get("/edit/organisation/sahel-ssri")
    body = {
        "csrf_token": csrf_of(mine.text),
        "etag": "anything",
        **ORGANISATION,
        "name": "Taken over",
    }
    refused = client.post("/edit/organisation/gshf", data=body)
    assert refused.status_code == 403
    assert not exists(client, 'ASK { ?s ?p "Taken over"@en }')
    assert serve("ana").get("/edit/organisation/sahel-ssri").status_code == 403


def test_a_save_without_its_csrf_token_is_refused(serve: Any) -> None:
    client = serve("sec")
    page = client.get("/edit/organisation/sahel-ssri")
    refused = client.post(
        "/edit/organisation/sahel-ssri", data={"etag": etag_of(page.text), **ORGANISATION}
    )
    assert refused.status_code == 403
    assert not exists(client, f'ASK {{ ?s ?p "{ORGANISATION["name"]}"@en }}')


def test_a_refused_form_keeps_what_was_typed_and_says_why_next_to_the_field(serve: Any) -> None:
    client = serve("sec")
    typed = {**ORGANISATION, "country": "ZZ", "name": "Typed but refused"}
    refused = send(client, "/edit/organisation/sahel-ssri", typed, lang="fr")
    assert refused.status_code == 422
    text = refused.text
    assert 'data-field="country"' in text and "code de pays ISO 3166-1" in text
    assert 'value="Typed but refused"' in text and 'value="ZZ"' in text
    assert not exists(client, 'ASK { ?s ?p "Typed but refused"@en }')


def test_a_stage_the_shapes_refuse_is_shown_at_the_stage_field_and_nothing_is_stored(
    serve: Any,
) -> None:
    client = serve("sec")
    page = client.get("/edit/project/soil-project-incubator/stage", params={"lang": "es"})
    assert "A funded project has secured funding" in page.text  # the rule, before the move
    refused = send(
        client, "/edit/project/soil-project-incubator/stage", {"stage": "funded"}, lang="es"
    )
    assert refused.status_code == 422
    errors = re.findall(
        r'<p class="error field-error"[^>]*data-field="(\w+)"[^>]*>([^<]*)', refused.text
    )
    assert ("stage", "Esto incumple una regla de las formas SHACL. ") in errors
    assert not exists(
        client,
        "ASK { project:soil-project-incubator sic:stage sic:StageFunded }",
    )
    funded = send(
        client,
        "/new/funding",
        {
            "project": "soil-project-incubator",
            "funder": "terra-viva",
            "status": "committed",
            "amount": "50000",
            "currency": "EUR",
            "date": "2026-01-10",
        },
        project="soil-project-incubator",
    )
    assert (
        funded.status_code == 303
        and funded.headers["location"] == "/id/project/soil-project-incubator"
    ), funded.text
    moved = send(client, "/edit/project/soil-project-incubator/stage", {"stage": "funded"})
    assert moved.status_code == 303, moved.text


def test_a_stale_save_is_refused_with_the_other_change_shown_and_the_typed_values_kept(
    serve: Any,
) -> None:
    first, second = serve("sec"), serve("lea")
    path = "/edit/project/ndc-soil-helpdesk"
    opened_first, opened_second = first.get(path), second.get(path)
    assert etag_of(opened_first.text) == etag_of(opened_second.text)
    assert opened_first.headers["etag"] == f'"{etag_of(opened_first.text)}"'

    def values(page: str, title: str) -> dict[str, Any]:
        return {
            "csrf_token": csrf_of(page),
            "etag": etag_of(page),
            "title": title,
            "stage": "implementation",
            "activities": ["A1.04", "B1.02"],
            "lead": "gshf",
            "partners": ["pan-african-soil", "francophone-rda", "niger-valley"],
            "alliance": "ndc-soil-targets",
            "countries": "ML; SN; ET; KE",
            "start": "2023-10-01",
            "end": "2026-09-30",
            "budget": "1250000",
            "currency": "EUR",
        }

    saved = first.post(
        path, data=values(opened_first.text, "Helpdesk, first change"), follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    stale = second.post(
        path, data=values(opened_second.text, "Helpdesk, second change"), follow_redirects=False
    )
    assert stale.status_code == 409
    assert "Helpdesk, first change" in stale.text  # their change, shown
    assert "Last changed by sec at " in stale.text  # and who made it
    assert 'value="Helpdesk, second change"' in stale.text  # what was typed, kept
    assert not exists(first, 'ASK { ?s ?p "Helpdesk, second change"@en }')
    assert etag_of(stale.text) != etag_of(opened_second.text)  # saving again is a choice


def test_a_leader_proposes_a_project_for_an_uncovered_activity_and_builds_its_team(
    serve: Any,
) -> None:
    client = serve("lea")
    gaps = client.get("/api/queries/uncovered-activities").json()["rows"]
    assert "A1.05" in [r["activity"] for r in gaps]
    page = client.get("/new/project", params={"activity": "A1.05"})
    assert re.search(r'<option value="A1.05" selected>', page.text)
    idea = {
        "id": "peat-ndc",
        "title": "Peatland carbon in NDCs",
        "stage": "idea",
        "activities": "A1.05",
        "lead": "boreal-peat",
        "countries": "FI",
    }
    made = send(client, "/new/project", idea)
    assert made.status_code == 303 and made.headers["location"] == "/id/project/peat-ndc", made.text
    gaps = client.get("/api/queries/uncovered-activities").json()["rows"]
    assert "A1.05" not in [r["activity"] for r in gaps]
    team = client.get("/edit/project/peat-ndc/team")
    suggested = re.findall(r'<input type="checkbox" name="partners" value="([^"]+)">', team.text)
    assert len(suggested) >= 2 and '<ul class="reasons"><li>' in team.text
    added = send(client, "/edit/project/peat-ndc/team", {"partners": suggested[:2]})
    assert added.status_code == 303, added.text
    for key in suggested[:2]:
        assert exists(
            client,
            f"ASK {{ project:peat-ndc sic:partner organisation:{key} }}",
        )
    moved = send(client, "/edit/project/peat-ndc/stage", {"stage": "concept_note"})
    assert moved.status_code == 303
    taken = send(client, "/new/project", {**idea, "title": "Again"})
    assert taken.status_code == 422 and "is already taken" in taken.text


def test_a_leader_cannot_propose_outside_their_objective(serve: Any) -> None:
    client = serve("lea")
    idea = {
        "id": "not-mine",
        "title": "Not mine",
        "stage": "idea",
        "activities": "B1.02",
        "lead": "gshf",
    }
    refused = send(client, "/new/project", idea)
    assert refused.status_code == 403
    assert not exists(client, f"ASK {{ <{ID}project/not-mine> ?p ?o }}")


def test_people_and_alliances_are_written_by_the_secretariat(serve: Any) -> None:
    assert serve("lea").get("/new/person").status_code == 403
    client = serve("sec")
    person = send(
        client,
        "/new/person",
        {"id": "ana-lima", "name": "Ana Lima", "organisation": "gshf", "country": "BR"},
    )
    assert person.status_code == 303, person.text
    role = {"person": "ana-lima", "objective": "A2", "role": "member"}
    given = send(client, "/new/role", role, person="ana-lima")
    assert given.status_code == 303 and given.headers["location"] == "/id/person/ana-lima"
    assert exists(client, f"ASK {{ <{ID}taskforce/A2#member-ana-lima> a sic:TaskForceRole }}")
    again = send(client, "/new/role", role)
    assert again.status_code == 422 and 'data-field="role"' in again.text
    alliance = {
        "id": "peat-alliance",
        "name": "Peat Alliance",
        "lead": "boreal-peat",
        "members": ["boreal-peat", "gshf"],
        "activities": ["A1.05"],
        "formed": "2026-02-01",
    }
    made = send(client, "/new/alliance", alliance)
    assert made.status_code == 303, made.text
    unknown = send(
        client,
        "/edit/alliance/peat-alliance",
        {**alliance, "members": ["boreal-peat", "no-such-org"]},
    )
    assert unknown.status_code == 422 and "no-such-org" in unknown.text


def test_a_refused_stage_says_the_rule_in_french_next_to_the_field(serve: Any) -> None:
    """Issue 17: the shape's own sentence in the page's language, not only the rule's kind."""
    client = serve("sec")
    path = "/edit/project/soil-project-incubator/stage"
    page = client.get(path, params={"lang": "fr"})
    french = "doit avoir au moins un financement engagé (committed) ou versé (disbursed)"
    assert french in page.text  # the stage's rule, before the move, in French
    refused = send(client, path, {"stage": "funded"}, lang="fr")
    assert refused.status_code == 422
    errors = re.findall(
        r'<p class="error field-error"[^>]*data-field="stage"[^>]*>(.*?)</p>', refused.text
    )
    assert len(errors) == 1
    (said,) = errors
    assert said.startswith("Ceci enfreint une règle des formes SHACL."), said
    assert '<span class="muted" lang="fr">' in said and french in said
    assert "must have at least one committed" not in said and 'class="fallback"' not in said
    english = send(client, path, {"stage": "funded"}, lang="en")
    assert "must have at least one committed or disbursed funding" in english.text
