"""The Secretariat's review page (/review) and its JSON form (/api/review), in process.

A store with the reference workbook, two IATI fixtures (organisations with close names:
tests/data/iati/proposals.xml; projects the linking rules match: linking.xml) and the rules'
link proposals. The Secretariat signs in with the form, accepts a match and a link with the
page's buttons; the graph changes, each decision is a change record naming them; other roles
are refused, and a form without its CSRF token changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.book import AccountBook
from accounts.roles import Role, Scope
from graph.bootstrap import load_with_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source
from queries.linking import propose_links
from queries.reconciliation import known_organisations
from sic.iris import changes_graph, mint
from sic.paths import reference_workbook

IATI = Path(__file__).resolve().parents[1] / "data" / "iati"
PASSWORD = "a passphrase long enough for the tests"
BASE = "https://w3id.org/4p1000/"
OWL = "http://www.w3.org/2002/07/owl#"
SIC = "https://w3id.org/4p1000/ontology#"
SUDAN = str(mint("organisation", "iati:XM-OCHA-CBPF-SUD15"))
SYRIA = str(mint("organisation", "iati:XM-OCHA-CBPF-SYR62"))
KEYWORDS = str(mint("project", "iati:XX-LINK-KEYWORDS"))


@pytest.fixture
def served(make_client: Callable[..., Any], tmp_path: Path) -> tuple[Any, dict[str, str]]:
    store = EmbeddedStore(tmp_path / "store")
    load_with_ontology(store, read_source(reference_workbook(), base=store.base))
    for name in ("proposals.xml", "linking.xml"):
        known = known_organisations(store)
        load_with_ontology(store, read_source(IATI / name, base=store.base, known=known))
    propose_links(store, command="test")
    book = AccountBook(tmp_path / "accounts.sqlite3")
    tokens = {}
    for name, role, scope in (
        ("sec", Role.secretariat, Scope(None, None, None)),
        ("partner", Role.organisation_contact, Scope(None, None, BASE + "id/organisation/gshf")),
    ):
        book.add(name, PASSWORD, role, scope=scope)
        tokens[name] = book.new_token(name, "review test")
    return make_client(store, accounts_db=book.path), tokens


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(client: Any, username: str) -> None:
    form = client.get("/signin")
    data = {"username": username, "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    answer = client.post("/signin", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def ask(client: Any, query: str) -> bool:
    return bool(client.get("/sparql", params={"query": query}).json()["boolean"])


def changes_by(client: Any, agent: str) -> list[str]:
    """The commands of the change records made by `agent` (the changes graph, via /sparql)."""
    query = f"""PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX sic: <{SIC}>
    SELECT ?command WHERE {{ GRAPH ?g {{
      ?c a sic:Change ; prov:wasAssociatedWith <{agent}> ; rdfs:label ?command }} }}"""
    params = {"query": query, "named-graph-uri": str(changes_graph(BASE))}
    rows = client.get("/sparql", params=params).json()["results"]["bindings"]
    return [r["command"]["value"] for r in rows]


def test_the_secretariat_accepts_a_match_and_a_link_on_the_page(
    served: tuple[Any, dict[str, str]],
) -> None:
    client, _ = served
    sign_in(client, "sec")
    page = client.get("/review")
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    assert "Sudan Humanitarian Fund" in page.text and "Syria Humanitarian Fund" in page.text
    assert 'data-link="iati:XX-LINK-KEYWORDS A2.07"' in page.text
    csrf = csrf_of(page.text)
    assert not ask(client, f"ASK {{ <{SUDAN}> <{OWL}sameAs> ?x }}")

    match = {"csrf_token": csrf, "first": SUDAN, "second": SYRIA, "decision": "reject"}
    done = client.post("/review/matches", data=match, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"].endswith("/review?done=match-reject")
    different = f"<{OWL}differentFrom>"
    either = f"{{ <{SUDAN}> {different} <{SYRIA}> }} UNION {{ <{SYRIA}> {different} <{SUDAN}> }}"
    assert ask(client, f"ASK {{ {either} }}")

    link = {"csrf_token": csrf, "project": KEYWORDS, "target": "A2.07", "decision": "accept"}
    done = client.post("/review/links", data=link, follow_redirects=False)
    assert done.status_code == 303, done.text
    activity = str(mint("activity", "A2.07"))
    assert ask(client, f"ASK {{ <{KEYWORDS}> <{SIC}addresses> <{activity}> }}")

    after = client.get(done.headers["location"])
    assert "Recorded: the project now serves the Strategy" in after.text
    assert 'data-link="iati:XX-LINK-KEYWORDS A2.07"' not in after.text
    assert "Sudan Humanitarian Fund" not in after.text
    commands = changes_by(client, BASE + "agent/account/sec")
    assert "POST /review/matches (reject) by sec" in commands
    assert "POST /review/links (accept) by sec" in commands

    again = client.post("/review/links", data=link, headers={"Accept": "text/html"})
    assert again.status_code == 404  # decided already: an error page, not a second decision
    assert "no proposal waits" in again.text


def test_a_form_without_its_csrf_token_changes_nothing(
    served: tuple[Any, dict[str, str]],
) -> None:
    client, _ = served
    sign_in(client, "sec")
    link = {"project": KEYWORDS, "target": "A2.07", "decision": "accept"}
    for data in (link, {**link, "csrf_token": "forged"}):
        refused = client.post("/review/links", data=data, follow_redirects=False)
        assert refused.status_code == 403, refused.text
    assert not ask(client, f"ASK {{ <{KEYWORDS}> <{SIC}addresses> ?a }}")
    odd = client.post("/review/links", data={**link, "csrf_token": csrf_of(
        client.get("/review").text), "decision": "maybe"})  # fmt: skip
    assert odd.status_code == 400


def test_others_are_refused_and_nobody_is_sent_to_sign_in(
    served: tuple[Any, dict[str, str]],
) -> None:
    client, tokens = served
    away = client.get("/review", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/signin?next=%2Freview"
    assert client.get("/api/review").status_code == 401

    partner = {"Authorization": f"Bearer {tokens['partner']}"}
    assert client.get("/api/review", headers=partner).status_code == 403
    body = {"project": KEYWORDS, "target": "A2.07", "decision": "accept"}
    refused = client.post("/api/review/links", json=body, headers=partner)
    assert refused.status_code == 403 and refused.json()["detail"]

    sign_in(client, "partner")
    page = client.get("/review?lang=fr")
    assert page.status_code == 403
    assert "Seul le Secrétariat décide" in page.text
    csrf = csrf_of(client.get("/signin").text)  # the partner's own session token
    form = client.post("/review/links", data={**body, "csrf_token": csrf})
    assert form.status_code == 403
    assert not ask(client, f"ASK {{ <{KEYWORDS}> <{SIC}addresses> ?a }}")


def test_the_json_form_lists_pages_and_decides(served: tuple[Any, dict[str, str]]) -> None:
    client, tokens = served
    sec = {"Authorization": f"Bearer {tokens['sec']}"}
    found = client.get("/api/review", headers=sec).json()
    assert found["matches_total"] == 2 and found["links_total"] == 3
    assert found["matches"][0]["similarity"] >= found["matches"][1]["similarity"]
    one = client.get("/api/review", params={"limit": 1, "links_from": 2}, headers=sec).json()
    assert len(one["links"]) == 1 and one["links"][0] == found["links"][2]
    assert client.get("/api/review", params={"limit": 0}, headers=sec).status_code == 422

    accepted = client.post(
        "/api/review/matches",
        json={"first": "iati:XT-IATI-EC_INTPA", "second": "iati:XI-IATI-EC_INTPA",
              "decision": "accept"},
        headers=sec,
    )  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    assert {accepted.json()["organisation_key"], accepted.json()["candidate_key"]} == {
        "iati:XT-IATI-EC_INTPA",
        "iati:XI-IATI-EC_INTPA",
    }
    link = {"project": "iati:XX-LINK-SECTOR", "target": "A2", "decision": "reject"}
    refused = client.post("/api/review/links", json=link, headers=sec)
    assert refused.status_code == 200 and refused.json()["decision"] == "rejected"
    left = client.get("/api/review", headers=sec).json()
    assert (left["matches_total"], left["links_total"]) == (1, 2)
    missing = client.post("/api/review/links", json=link, headers=sec)
    assert missing.status_code == 404


def test_a_project_page_shows_its_waiting_proposals(served: tuple[Any, dict[str, str]]) -> None:
    client, tokens = served
    page = client.get("/id/project/iati:XX-LINK-KEYWORDS", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'data-link="A2.07"' in page.text and "Proposed links to the Strategy" in page.text
    sec = {"Authorization": f"Bearer {tokens['sec']}"}
    body = {"project": KEYWORDS, "target": "A2.07", "decision": "accept"}
    assert client.post("/api/review/links", json=body, headers=sec).status_code == 200
    page = client.get("/id/project/iati:XX-LINK-KEYWORDS?lang=es", headers={"Accept": "text/html"})
    assert 'data-link="A2.07"' not in page.text


def test_the_dashboard_counts_waiting_links_per_objective(
    served: tuple[Any, dict[str, str]],
) -> None:
    client, tokens = served

    def waiting(objective: str) -> str:
        page = client.get("/", headers={"Accept": "text/html"}).text
        row = page.split(f'<tr data-objective="{objective}">', 1)[1].split("</tr>", 1)[0]
        found = re.search(r'data-waiting="(\d+)"', row)
        assert found, row
        return found.group(1)

    assert (waiting("A1"), waiting("A2")) == ("1", "2")
    sec = {"Authorization": f"Bearer {tokens['sec']}"}
    body = {"project": KEYWORDS, "target": "A2.07", "decision": "accept"}
    assert client.post("/api/review/links", json=body, headers=sec).status_code == 200
    assert (waiting("A1"), waiting("A2")) == ("1", "1")
