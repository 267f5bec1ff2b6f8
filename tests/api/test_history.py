"""Every change attributed (graph.history): who, when, the exact delta, kept out of the data.

Writes go through the real routes of an app over a copy of the reference store: /update by an
account with a person IRI, /data with the service token, POST /api/projects by an account
without one; the record each leaves is read back through the SPARQL endpoint (naming the
changes graph, the only way to reach it) and through the history JSON and the resource page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from accounts.book import AccountBook
from accounts.roles import Role
from graph.embedded import EmbeddedStore
from graph.history import decode_quads
from queries.history import stage_timeline
from sic.iris import changes_graph, graph_iri, mint

BASE = "https://w3id.org/4p1000/"
CHANGES = str(changes_graph(BASE))
UPDATES = str(graph_iri("updates", BASE))
SIC = "https://w3id.org/4p1000/ontology#"
PERSON = "https://w3id.org/4p1000/id/person/ada-secretariat"
PASSWORD = "a passphrase long enough for the tests"
PROJECT = str(mint("project", "soil-project-incubator", BASE))

MOVE = f"""PREFIX sic: <{SIC}>
DELETE {{ <{PROJECT}> sic:stage ?old }}
INSERT {{ <{PROJECT}> sic:stage sic:StageTeam }}
WHERE {{ <{PROJECT}> sic:stage ?old }}"""

RECORDS = f"""PREFIX sic: <{SIC}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?change ?n ?agent ?via ?command ?comment ?added ?removed ?start ?end WHERE {{
  GRAPH ?g {{
    ?change a sic:Change ; sic:sequence ?n ; prov:wasAssociatedWith ?agent ; sic:via ?via ;
      rdfs:label ?command ; sic:addedQuads ?added ; sic:removedQuads ?removed ;
      prov:startedAtTime ?start ; prov:endedAtTime ?end .
    OPTIONAL {{ ?change rdfs:comment ?comment }}
  }}
}} ORDER BY DESC(?n)"""


@pytest.fixture
def served(
    make_client: Callable[..., Any], reference_copy: Path, tmp_path: Path
) -> tuple[Any, dict[str, str]]:
    book = AccountBook(tmp_path / "accounts.sqlite3")
    book.add("ada", PASSWORD, Role.secretariat, person=PERSON)
    book.add("bob", PASSWORD, Role.secretariat)
    tokens = {name: book.new_token(name, "history test") for name in ("ada", "bob")}
    return make_client(store=reference_copy, accounts_db=book.path), tokens


def _records(client: Any) -> list[dict[str, Any]]:
    """The change records, newest first, read through /sparql naming the changes graph."""
    answer = client.get(
        "/sparql",
        params={"query": RECORDS, "named-graph-uri": CHANGES},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def _quads(text: str) -> set[ox.Quad]:
    return set(decode_quads(text))


def _quad(s: str, p: str, o: ox.NamedNode | ox.Literal, g: str = UPDATES) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(g))


def _source_of(client: Any) -> str:
    """The graph that holds the project's stage (the reference workbook's)."""
    query = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{PROJECT}> <{SIC}stage> ?s }} }}"
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    return answer.text.splitlines()[1].strip()


def test_an_update_is_recorded_as_the_accounts_person_with_its_exact_delta(
    served: tuple[Any, dict[str, str]],
) -> None:
    client, tokens = served
    source = _source_of(client)
    before = _records(client)
    answer = client.post(
        "/update",
        content=MOVE,
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {tokens['ada']}",
            "X-Change-Comment": "the team\nis formed",
        },
    )
    assert answer.status_code == 204, answer.text
    records = _records(client)
    assert len(records) == len(before) + 1
    last = records[0]
    assert last["agent"] == PERSON  # the account's person, not a name the client sent
    assert last["via"] == "token"
    assert last["command"] == "SPARQL update via /update"
    assert last["comment"] == "the team is formed"
    assert int(last["n"]) == int(before[0]["n"]) + 1
    assert last["start"] <= last["end"]
    stage = f"{SIC}stage"
    # INSERT without GRAPH lands in the updates graph; DELETE takes it from the source
    assert _quads(last["added"]) == {_quad(PROJECT, stage, ox.NamedNode(SIC + "StageTeam"))}
    assert _quads(last["removed"]) == {
        _quad(PROJECT, stage, ox.NamedNode(SIC + "StageIdea"), source)
    }
    # the source it changed says so, beside its load
    marks = client.get(
        "/sparql",
        params={
            "query": f"SELECT ?c WHERE {{ GRAPH ?g {{ <{source}> <{SIC}lastChange> ?c }} }}",
            "named-graph-uri": str(BASE + "graph/sources"),
        },
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    assert [m["c"]["value"] for m in marks] == [last["change"]]


def test_the_records_are_not_in_the_default_graph_nor_writable(
    served: tuple[Any, dict[str, str]], write_token: str
) -> None:
    client, tokens = served
    client.post(
        "/update",
        content=MOVE,
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {tokens['ada']}",
        },
    )
    for query in (
        f"ASK {{ ?c a <{SIC}Change> }}",
        f"ASK {{ GRAPH ?g {{ ?c a <{SIC}Change> }} }}",
        f"ASK {{ ?c <{SIC}addedQuads> ?q }}",
    ):
        answer = client.get("/sparql", params={"query": query})
        assert answer.json()["boolean"] is False, query
    auth = {"Authorization": f"Bearer {write_token}"}
    refused = client.post(
        "/update",
        content=f"INSERT DATA {{ GRAPH <{CHANGES}> {{ <urn:a> <urn:b> <urn:c> }} }}",
        headers={"Content-Type": "application/sparql-update", **auth},
    )
    assert refused.status_code == 400
    put = client.put(
        "/data",
        params={"graph": CHANGES},
        content="<urn:a> <urn:b> <urn:c> .",
        headers={"Content-Type": "application/n-triples", **auth},
    )
    assert put.status_code == 400


def test_a_graph_store_write_is_recorded_as_the_service_token(
    served: tuple[Any, dict[str, str]], write_token: str
) -> None:
    client, _ = served
    graph = "http://example.org/graph/notes"
    body = '<http://example.org/n1> <http://example.org/says> "hello" .\n'
    answer = client.put(
        "/data",
        params={"graph": graph},
        content=body,
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {write_token}"},
    )
    assert answer.status_code == 201, answer.text
    last = _records(client)[0]
    assert last["agent"] == BASE + "agent/service/token"
    assert last["via"] == "service"
    assert last["command"] == "Graph Store Protocol PUT /data"
    assert _quads(last["added"]) == {
        _quad("http://example.org/n1", "http://example.org/says", ox.Literal("hello"), graph)
    }
    assert _quads(last["removed"]) == set()


def test_a_submitted_project_has_a_history_in_json_and_on_its_page(
    served: tuple[Any, dict[str, str]],
) -> None:
    client, tokens = served
    idea = {
        "id": "history-check",
        "title": "History check",
        "stage": "idea",
        "lead": "gshf",
        "activities": ["A1.05"],
    }
    auth = {"Authorization": f"Bearer {tokens['bob']}", "X-Change-Comment": "first draft"}
    created = client.post("/api/projects", json=idea, headers=auth)
    assert created.status_code == 201, created.text
    iri = str(mint("project", "history-check", BASE))
    last = _records(client)[0]
    assert last["agent"] == BASE + "agent/account/bob"
    added = _quads(last["added"])
    assert len(added) == created.json()["triples"]
    assert {q.graph_name.value for q in added} == {UPDATES}  # type: ignore[union-attr]

    answer = client.get("/api/resources/project/history-check/history", params={"lang": "en"})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["iri"] == iri and found["total"] == 1
    entry = found["changes"][0]
    assert (entry["agent"], entry["agent_label"], entry["via"]) == (last["agent"], "bob", "token")
    assert entry["comment"] == "first draft"
    assert entry["command"] == "POST /api/projects"
    about = {q for q in added if q.subject == ox.NamedNode(iri)}
    assert len(entry["added"]) == len(about)
    labels = {t["predicate"]["label"] for t in entry["added"]}
    assert "stage" in {label.lower() for label in labels}, labels
    stage = next(t for t in entry["added"] if t["predicate"]["value"] == SIC + "stage")
    assert stage["object"]["label"]  # named for people, not an IRI

    page = client.get("/id/project/history-check", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "History" in page.text and "first draft" in page.text and ">bob<" in page.text
    french = client.get("/id/project/history-check?lang=fr", headers={"Accept": "text/html"})
    assert "Historique" in french.text

    paged = client.get("/api/resources/project/history-check/history", params={"offset": 1})
    assert paged.json()["changes"] == [] and paged.json()["total"] == 1
    unknown = client.get("/api/resources/nothing/x/history")
    assert unknown.status_code == 404 and unknown.json()["detail"]


def test_a_stage_move_makes_a_timeline_with_who_and_when(
    served: tuple[Any, dict[str, str]], reference_copy: Path
) -> None:
    client, tokens = served
    client.post(
        "/update",
        content=MOVE,
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {tokens['ada']}",
        },
    )
    moves = client.get("/api/resources/project/soil-project-incubator/history").json()
    assert moves["changes"][0]["agent"] == PERSON
    page = client.get("/id/project/soil-project-incubator", headers={"Accept": "text/html"})
    shown = page.text[page.text.index('id="timeline-title"') :]
    shown = shown[: shown.index("</section>")]
    assert shown.count("<li>") == 2, "the load's stage and the move, oldest first"
    assert "(from Project idea)" in shown and f'href="{PERSON}"' in shown
    client.__exit__(None, None, None)  # release the store to read it here
    store = EmbeddedStore(reference_copy)
    try:
        timeline = stage_timeline(store, PROJECT)
    finally:
        store.close()
    assert [m.stage for m in timeline] == [SIC + "StageIdea", SIC + "StageTeam"]
    assert timeline[0].previous is None and timeline[1].previous == SIC + "StageIdea"
    assert timeline[1].agent == PERSON and timeline[0].agent.startswith(BASE + "agent/cli/")
    assert timeline[0].date < timeline[1].date


def test_a_cli_load_is_recorded_as_the_cli_user_with_every_triple(reference_copy: Path) -> None:
    """The reference store was made by `sic load` (tests/api/conftest.py): its record holds
    exactly the source's triples, and names the command and the user who ran it."""
    store = EmbeddedStore(reference_copy)
    try:
        graph = str(graph_iri("reference", BASE))
        rows = store.query(
            RECORDS.replace(
                "GRAPH ?g {", f"GRAPH ?g {{ ?change <http://www.w3.org/ns/prov#used> <{graph}> ."
            ),
            default_graph=(),
            named_graphs=[CHANGES],
        )
        found = list(rows)  # type: ignore[arg-type]
        assert len(found) == 1
        added = found[0]["added"]
        assert isinstance(added, ox.Literal)  # a whole workbook: kept gzipped
        assert added.datatype.value.endswith("#base64Binary")
        record = {k: v.value for k, v in found[0].items()}
        assert record["via"] == "cli" and record["agent"].startswith(BASE + "agent/cli/")
        assert record["command"].startswith("sic load ")
        node = ox.NamedNode(graph)
        stored = {ox.Quad(t.subject, t.predicate, t.object, node) for t in store.triples_of(graph)}
        assert set(decode_quads(added.value, added.datatype.value)) == stored
        assert _quads(record["removed"]) == set()
    finally:
        store.close()
