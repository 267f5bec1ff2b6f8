"""The SPARQL 1.1 Protocol at /sparql and /update, beyond what the W3C manifest checks.

Queries by GET, form POST and direct POST give the same answer; the dataset comes from the
protocol parameters, else the query's FROM clauses, else the union of the sources; updates are
read back at once; the service description says what the service does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

G1 = "http://example.org/g1"
G2 = "http://example.org/g2"
S = "http://example.org/s"
SD = "http://www.w3.org/ns/sparql-service-description#"
BASE = "https://w3id.org/4p1000/"
SPARQL_UPDATE = "application/sparql-update"


@pytest.fixture
def client(make_client: Callable[..., Any], memory_store: Any, write_token: str) -> Any:
    """A service over two small graphs, G1 (s p 1) and G2 (s p 2)."""
    c = make_client(memory_store)
    for graph, value in ((G1, 1), (G2, 2)):
        r = c.put(
            "/data",
            params={"graph": graph},
            content=f"<{S}> <http://example.org/p> {value} .".encode(),
            headers={"Content-Type": "text/turtle", **auth(write_token)},
        )
        assert r.status_code == 201, r.text
    return c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def values(response: Any) -> list[str]:
    """The sorted values of ?o in a SPARQL JSON answer."""
    assert response.status_code == 200, response.text
    return sorted(b["o"]["value"] for b in response.json()["results"]["bindings"])


Q = "SELECT ?o WHERE { GRAPH ?g { ?s <http://example.org/p> ?o } }"
DQ = "SELECT ?o WHERE { ?s <http://example.org/p> ?o }"  # the default graph only


def test_get_form_and_direct_post_give_the_same_answer(client: Any) -> None:
    by_get = client.get("/sparql", params={"query": Q})
    by_form = client.post("/sparql", data={"query": Q})
    by_body = client.post(
        "/sparql", content=Q.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert values(by_get) == values(by_form) == values(by_body) == ["1", "2"]
    assert by_get.headers["vary"] == "Accept"


def test_graphs_a_client_puts_are_named_graphs_outside_the_default_graph(client: Any) -> None:
    graphs = client.get("/sparql", params={"query": "SELECT ?g WHERE { GRAPH ?g { } }"})
    names = {b["g"]["value"] for b in graphs.json()["results"]["bindings"]}
    assert {G1, G2} <= names
    default = client.get("/sparql", params={"query": DQ})
    assert values(default) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"default-graph-uri": G1}, ["1"]),
        ({"default-graph-uri": [G1, G2]}, ["1", "2"]),
        ({"default-graph-uri": "http://example.org/absent"}, []),
        ({"named-graph-uri": G1}, []),  # only named graphs given: the default graph is empty
    ],
)
def test_protocol_dataset(client: Any, params: dict[str, Any], expected: list[str]) -> None:
    assert values(client.get("/sparql", params={"query": DQ, **params})) == expected
    form = {"query": DQ, **params}
    assert values(client.post("/sparql", data=form)) == expected


def test_named_graphs_of_the_protocol(client: Any) -> None:
    query = "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": query, "named-graph-uri": G2})
    rows = r.json()["results"]["bindings"]
    assert [(b["g"]["value"], b["o"]["value"]) for b in rows] == [(G2, "2")]


def test_from_clauses_name_graphs_of_the_store(client: Any) -> None:
    from_one = f"SELECT ?o FROM <{G2}> WHERE {{ ?s ?p ?o }}"
    assert values(client.get("/sparql", params={"query": from_one})) == ["2"]
    prefixed = "PREFIX e: <http://example.org/> SELECT ?o FROM e:g1 WHERE { ?s ?p ?o }"
    assert values(client.get("/sparql", params={"query": prefixed})) == ["1"]
    named_only = f"SELECT ?o FROM NAMED <{G1}> WHERE {{ ?s ?p ?o }}"
    assert values(client.get("/sparql", params={"query": named_only})) == []
    # the protocol's dataset wins over the query's
    overridden = client.get("/sparql", params={"query": from_one, "default-graph-uri": G1})
    assert values(overridden) == ["1"]


def test_relative_iris_resolve_against_the_base_iri(client: Any, write_token: str) -> None:
    update = "INSERT DATA { GRAPH <graph/relative> { <id/activity/X> <p> 1 } }"
    r = client.post(
        "/update", content=update, headers={"Content-Type": SPARQL_UPDATE, **auth(write_token)}
    )
    assert r.status_code == 204, r.text
    ask = f"ASK {{ GRAPH <{BASE}graph/relative> {{ <{BASE}id/activity/X> <{BASE}p> 1 }} }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
    relative = "ASK { GRAPH <graph/relative> { <id/activity/X> ?p 1 } }"
    assert client.get("/sparql", params={"query": relative}).json()["boolean"] is True


def test_syntax_errors_keep_their_positions(client: Any) -> None:
    r = client.get("/sparql", params={"query": "ASK {"})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert detail.startswith("the query cannot be read at line 1, column 6.")
    assert detail.endswith("(error at 1:6: expected one of LATERAL, SERVICE, [_])") or (
        "(error at 1:6:" in detail
    )
    r = client.get("/sparql", params={"query": "ASK {\n  ?s ?p }"})
    assert r.json()["detail"].startswith("the query cannot be read at line 2, column")


def test_a_misspelt_keyword_is_pointed_at_with_a_caret(client: Any) -> None:
    r = client.get("/sparql", params={"query": "SELEC ?x WHERE {"})
    assert r.status_code == 400
    lines = r.json()["detail"].splitlines()
    assert lines[0] == (
        "the query cannot be read at line 1, column 1. "
        "'SELEC' is not a SPARQL keyword: did you mean SELECT?"
    )
    assert lines[1:3] == ["  SELEC ?x WHERE {", "  ^"]
    r = client.get("/sparql", params={"query": 'SELECT * WHERE { ?s ?p "Selected" FILTR(?s) }'})
    lines = r.json()["detail"].splitlines()
    assert "'FILTR' is not a SPARQL keyword: did you mean FILTER?" in lines[0]
    assert lines[2].index("^") == lines[1].index("FILTR"), "the caret is under the word"


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"query": Q, "update": "CLEAR ALL"}}),
        ("GET", {"params": {"query": [Q, Q]}}),
        ("GET", {"params": {"default-graph-uri": G1}}),
        ("POST", {"data": {"update": "CLEAR ALL"}}),
        ("POST", {"data": {"query": Q}, "params": {"query": Q}}),
        (
            "POST",
            {
                "content": Q.encode(),
                "params": {"query": Q},
                "headers": {"Content-Type": "application/sparql-query"},
            },
        ),
    ],
)
def test_ambiguous_requests_are_400(client: Any, method: str, kwargs: dict[str, Any]) -> None:
    r = client.request(method, "/sparql", **kwargs)
    assert r.status_code == 400, r.text
    assert isinstance(r.json()["detail"], str)


def test_updates_are_read_back_at_once(client: Any, write_token: str) -> None:
    pool = client.app.state.runner
    before = pool.pids()
    r = client.post(
        "/update",
        data={"update": f"INSERT DATA {{ GRAPH <{G1}> {{ <{S}> <http://example.org/p> 3 }} }}"},
        headers=auth(write_token),
    )
    assert r.status_code == 204 and r.content == b""
    assert values(client.get("/sparql", params={"query": Q})) == ["1", "2", "3"]
    assert set(pool.pids()).isdisjoint(before)  # a new generation of workers sees the write


def test_an_update_without_graph_lands_in_the_updates_source(client: Any, write_token: str) -> None:
    r = client.post(
        "/update",
        content=f"INSERT DATA {{ <{S}> <http://example.org/q> 4 }}",
        headers={"Content-Type": SPARQL_UPDATE, **auth(write_token)},
    )
    assert r.status_code == 204
    sources = {s.name: s for s in client.app.state.store.sources()}
    assert sources["updates"].graph == f"{BASE}graph/updates"
    ask = f"ASK {{ <{S}> ?p 4 }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
    put_there = client.get("/data?default", headers={"Accept": "application/n-triples"})
    assert put_there.text.strip() == (
        f'<{S}> <http://example.org/q> "4"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    )


def test_update_dataset_parameters_in_the_form(client: Any, write_token: str) -> None:
    update = f"INSERT {{ GRAPH <{G2}> {{ ?s <http://example.org/copy> ?o }} }} WHERE {{ ?s ?p ?o }}"
    r = client.post(
        "/update",
        data={"update": update, "using-graph-uri": G1},
        headers=auth(write_token),
    )
    assert r.status_code == 204, r.text
    copies = f"SELECT ?o WHERE {{ GRAPH <{G2}> {{ ?s <http://example.org/copy> ?o }} }}"
    assert values(client.get("/sparql", params={"query": copies})) == ["1"]


def test_an_empty_update_changes_nothing(client: Any, write_token: str) -> None:
    store = client.app.state.store
    version = store.version()
    r = client.post("/update", data={"update": "  "}, headers=auth(write_token))
    assert r.status_code == 204
    assert store.version() == version


def test_update_errors(client: Any, write_token: str) -> None:
    w = auth(write_token)
    assert client.get("/update", params={"update": "CLEAR ALL"}).status_code == 405
    r = client.post("/update", data={"update": "CLEAR ALL", "query": Q}, headers=w)
    assert r.status_code == 400
    r = client.post("/update", content=b"CLEAR ALL", headers={"Content-Type": "text/plain", **w})
    assert r.status_code == 415
    r = client.post("/update", data={"update": "CLEAR XYZ"}, headers=w)
    assert r.status_code == 400 and "malformed" in r.json()["detail"]


def test_the_service_description(client: Any) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    triples = {q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)}
    endpoint = ox.NamedNode("http://testserver/sparql")

    def has(s: Any, p: str, o: Any) -> bool:
        return ox.Triple(s, ox.NamedNode(SD + p), o) in triples

    assert has(endpoint, "endpoint", endpoint)
    assert has(endpoint, "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query"))
    assert has(endpoint, "feature", ox.NamedNode(SD + "UnionDefaultGraph"))
    formats = {t.object.value for t in triples if t.predicate.value == SD + "resultFormat"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    names = {t.object.value for t in triples if t.predicate.value == SD + "name"}
    assert {G1, G2} <= names
    updates = ox.NamedNode("http://testserver/update")
    assert has(updates, "supportedLanguage", ox.NamedNode(SD + "SPARQL11Update"))


def test_the_routes_are_in_the_openapi_document(client: Any) -> None:
    doc = client.get("/openapi.json")
    assert doc.status_code == 200, doc.text
    paths = doc.json()["paths"]
    assert {"get", "post"} <= set(paths["/sparql"])
    assert set(paths["/update"]) == {"post"}
    assert {"get", "put", "post", "delete"} <= set(paths["/data"])
    query_params = {p["name"] for p in paths["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= query_params


def test_the_app_opens_and_fills_an_empty_store(
    make_client: Callable[..., Any], tmp_path: Path
) -> None:
    client = make_client(store=tmp_path / "new")
    names = {s.name for s in client.app.state.store.sources()}
    assert {"ontology", "reference"} <= names
    count = "PREFIX sic: <https://w3id.org/4p1000/ontology#> SELECT (COUNT(?a) AS ?n) "
    count += "WHERE { ?a a sic:Activity }"
    r = client.get("/sparql", params={"query": count}, headers={"Accept": "text/csv"})
    assert int(r.text.splitlines()[1]) > 40


def test_the_app_loads_the_data_it_is_given(
    make_client: Callable[..., Any], tmp_path: Path
) -> None:
    data = tmp_path / "extra.nt"
    data.write_text(f'<{S}> <http://example.org/p> "9" .\n')
    client = make_client(store=tmp_path / "new", data=[data])
    names = {s.name for s in client.app.state.store.sources()}
    assert names == {"ontology", "extra.nt"}
