"""The Graph Store Protocol at /data: each named graph is a source; writes are validated whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

G = "http://example.org/people"
BASE = "https://w3id.org/4p1000/"
DEFAULT = f"{BASE}graph/updates"
TURTLE = "text/turtle"
ALICE = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/alice> a foaf:Person ; foaf:knows [ foaf:name "Bob" ] .
"""
CAROL = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/carol> a foaf:Person ; foaf:knows [ foaf:name "Dan" ] .
"""


@pytest.fixture
def client(make_client: Callable[..., Any], served_store: Any) -> Any:
    return make_client(served_store)


@pytest.fixture
def w(write_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {write_token}"}


def put(client: Any, w: dict[str, str], body: str, **params: str) -> Any:
    return client.put(
        "/data", params=params, content=body.encode(), headers={"Content-Type": TURTLE, **w}
    )


def turtle(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def test_put_get_head_delete(client: Any, w: dict[str, str]) -> None:
    assert put(client, w, ALICE, graph=G).status_code == 201
    got = client.get("/data", params={"graph": G}, headers={"Accept": TURTLE})
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/turtle; charset=utf-8"
    assert isomorphic(turtle(got.text), turtle(ALICE))
    head = client.head("/data", params={"graph": G}, headers={"Accept": "application/n-triples"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "application/n-triples"
    assert client.delete("/data", params={"graph": G}, headers=w).status_code == 204
    assert client.get("/data", params={"graph": G}).status_code == 404
    assert client.head("/data", params={"graph": G}).status_code == 404
    assert client.delete("/data", params={"graph": G}, headers=w).status_code == 404


def test_put_replaces_blank_nodes_included(client: Any, w: dict[str, str]) -> None:
    assert put(client, w, ALICE, graph=G).status_code == 201
    assert put(client, w, CAROL, graph=G).status_code == 204
    got = client.get("/data", params={"graph": G}).text
    assert isomorphic(turtle(got), turtle(CAROL))
    info = next(s for s in client.app.state.store.sources() if s.graph == G)
    assert info.name == G and info.triples == 3


def test_post_merges_and_creates(client: Any, w: dict[str, str]) -> None:
    headers = {"Content-Type": TURTLE, **w}
    assert (
        client.post("/data", params={"graph": G}, content=ALICE, headers=headers).status_code == 201
    )
    assert (
        client.post("/data", params={"graph": G}, content=CAROL, headers=headers).status_code == 204
    )
    got = turtle(client.get("/data", params={"graph": G}).text)
    assert isomorphic(got, turtle(ALICE) + turtle(CAROL))
    # the same triples again add nothing, except a document's blank nodes, new each time
    assert len(turtle(client.get("/data", params={"graph": G}).text)) == 6
    again = client.post("/data", params={"graph": G}, content=CAROL, headers=headers)
    assert again.status_code == 204
    assert len(turtle(client.get("/data", params={"graph": G}).text)) == 8


def test_post_without_a_target_creates_a_graph(client: Any, w: dict[str, str]) -> None:
    r = client.post("/data", content=ALICE, headers={"Content-Type": TURTLE, **w})
    assert r.status_code == 201
    location = r.headers["location"]
    assert location.startswith(f"{BASE}graph/gsp-")
    got = client.get("/data", params={"graph": location})
    assert isomorphic(turtle(got.text), turtle(ALICE))


def test_the_default_graph_is_the_updates_source(client: Any, w: dict[str, str]) -> None:
    empty = client.get("/data", params={"default": ""})
    assert empty.status_code == 200 and not turtle(empty.text)
    assert client.head("/data?default").status_code == 200
    assert put(client, w, ALICE, default="").status_code == 201
    names = {s.name: s.graph for s in client.app.state.store.sources()}
    assert names["updates"] == DEFAULT
    assert put(client, w, CAROL, default="").status_code == 204
    assert {s.name for s in client.app.state.store.sources()} == {"updates"}  # name kept
    assert isomorphic(turtle(client.get("/data?default").text), turtle(CAROL))
    update = "INSERT DATA { <http://example.org/x> <http://example.org/y> 1 }"
    client.post(
        "/update", content=update, headers={"Content-Type": "application/sparql-update", **w}
    )
    assert len(turtle(client.get("/data?default").text)) == 4
    assert client.delete("/data?default", headers=w).status_code == 204
    assert client.delete("/data?default", headers=w).status_code == 204
    assert not turtle(client.get("/data?default").text)


def test_writes_are_seen_by_queries_at_once(client: Any, w: dict[str, str]) -> None:
    ask = f"ASK {{ GRAPH <{G}> {{ <http://example.org/alice> ?p ?o }} }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is False
    put(client, w, ALICE, graph=G)
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
    client.delete("/data", params={"graph": G}, headers=w)
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is False


def test_an_empty_put_leaves_an_empty_graph(client: Any, w: dict[str, str]) -> None:
    put(client, w, ALICE, graph=G)
    assert put(client, w, "", graph=G).status_code == 204
    got = client.get("/data", params={"graph": G})
    assert got.status_code == 200 and not turtle(got.text)


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        ("application/n-triples", '<http://example.org/a> <http://example.org/b> "c" .\n'),
        ("application/ld+json", '{"@id": "http://example.org/a", "http://example.org/b": "c"}'),
        (
            "application/rdf+xml",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
            "<e:b>c</e:b></rdf:Description></rdf:RDF>",
        ),
        ("application/n-quads", '<http://example.org/a> <http://example.org/b> "c" .\n'),
        ("text/turtle; charset=utf-8", '<a> <b> "c" .'),  # relative to the graph IRI
    ],
)
def test_body_syntaxes(client: Any, w: dict[str, str], media_type: str, body: str) -> None:
    graph = "http://example.org/"
    r = client.put(
        "/data",
        params={"graph": graph},
        content=body.encode(),
        headers={"Content-Type": media_type, **w},
    )
    assert r.status_code == 201, r.text
    got = client.get("/data", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert got.text == '<http://example.org/a> <http://example.org/b> "c" .\n'


def test_multipart_bodies(client: Any, w: dict[str, str]) -> None:
    files = [
        ("first", ("a.ttl", ALICE.encode(), "text/turtle")),
        ("second", ("c.nt", b'<http://example.org/c> <http://example.org/d> "e" .\n', "")),
    ]
    r = client.post("/data", params={"graph": G}, files=files, headers=w)
    assert r.status_code == 201, r.text
    assert len(turtle(client.get("/data", params={"graph": G}).text)) == 4


@pytest.mark.parametrize(
    ("method", "params", "headers", "body", "status"),
    [
        ("GET", {}, {}, b"", 400),
        ("GET", {"graph": G, "default": ""}, {}, b"", 400),
        ("GET", {"graph": "not an IRI"}, {}, b"", 400),
        ("GET", {"graph": G}, {"Accept": "application/sparql-results+json"}, b"", 404),
        ("PUT", {"graph": G}, {"Content-Type": "image/png"}, b"x", 415),
        ("PUT", {"graph": G}, {}, b"<a> <b> <c> .", 415),
        ("PUT", {"graph": G}, {"Content-Type": "text/turtle; charset=latin-1"}, b"", 415),
        ("PUT", {"graph": G}, {"Content-Type": TURTLE}, b"<a> <b> .", 400),
        (
            "PUT",
            {"graph": G},
            {"Content-Type": "application/n-quads"},
            b"<http://a> <http://b> <http://c> <http://g> .",
            400,
        ),
        ("DELETE", {}, {}, b"", 400),
    ],
)
def test_bad_requests(
    client: Any,
    w: dict[str, str],
    method: str,
    params: dict[str, str],
    headers: dict[str, str],
    body: bytes,
    status: int,
) -> None:
    r = client.request(method, "/data", params=params, content=body, headers={**headers, **w})
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str)
    assert client.app.state.store.sources() == []


def test_syntax_errors_say_where(client: Any, w: dict[str, str]) -> None:
    """The one RDF reader names the body, the line and the column (loaders.rdf)."""
    r = put(client, w, "@prefix e: <http://e/> .\ne:a e:b .", graph=G)
    assert r.status_code == 400
    assert "nothing was changed" in r.json()["detail"]
    (problem,) = r.json()["problems"]
    assert problem["where"] == "request body, line 2, column 9"
    assert r.json()["detail"].startswith("request body, line 2, column 9: ")
    assert "line 2" in problem["message"]


def test_not_acceptable(client: Any, w: dict[str, str]) -> None:
    put(client, w, ALICE, graph=G)
    r = client.get("/data", params={"graph": G}, headers={"Accept": "text/csv"})
    assert r.status_code == 406
    assert "text/turtle" in r.json()["acceptable"]


def test_a_put_refused_by_the_shapes_changes_nothing(
    make_client: Callable[..., Any], reference_copy: Path, w: dict[str, str]
) -> None:
    client = make_client(store=reference_copy)
    store = client.app.state.store
    graph = f"{BASE}graph/reference"
    before = client.get(
        "/data", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    version = store.version()
    broken = "\n".join(
        line
        for line in before.text.splitlines()
        if not (line.startswith(f"<{BASE}id/activity/A1.01>") and "#objective>" in line)
    )
    assert broken.count("\n") < before.text.count("\n")
    r = client.put(
        "/data",
        params={"graph": graph},
        content=broken.encode(),
        headers={"Content-Type": "application/n-triples", **w},
    )
    assert r.status_code == 422, r.text
    assert any(v["focusNode"] == f"{BASE}id/activity/A1.01" for v in r.json()["violations"])
    assert store.version() == version
    after = client.get(
        "/data", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    assert after.text == before.text
    # a valid replacement of a workbook's graph keeps the source's name
    ok = client.put(
        "/data",
        params={"graph": graph},
        content=before.content,
        headers={"Content-Type": "application/n-triples", **w},
    )
    assert ok.status_code == 204
    assert "reference" in {s.name for s in store.sources()}


def test_get_negotiates_the_format(client: Any, w: dict[str, str]) -> None:
    put(client, w, ALICE, graph=G)
    for accept, fmt in [
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/trig", ox.RdfFormat.TRIG),
    ]:
        r = client.get("/data", params={"graph": G}, headers={"Accept": accept})
        assert r.headers["content-type"].startswith(accept)
        assert len(list(ox.parse(r.content, format=fmt))) == 3


@pytest.mark.parametrize(
    "graph", [f"{BASE}graph/sources", f"{BASE}graph/_state", f"{BASE}graph/_x"]
)
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_the_store_s_own_graphs_cannot_be_written(
    client: Any, w: dict[str, str], graph: str, method: str
) -> None:
    put(client, w, ALICE, graph=G)
    version = client.app.state.store.version()
    r = client.request(
        method,
        "/data",
        params={"graph": graph},
        content=b"<http://x> <http://y> <http://z> .",
        headers={"Content-Type": "application/n-triples", **w},
    )
    assert r.status_code == 400
    assert "maintained by the store" in r.json()["detail"]
    assert client.app.state.store.version() == version
    assert [s.graph for s in client.app.state.store.sources()] == [G]


def test_blank_nodes_written_through_different_workers_stay_different(
    client: Any, w: dict[str, str]
) -> None:
    """Each write is prepared in a freshly forked worker, and pyoxigraph's generator of blank
    node labels is copied by a fork: new blank nodes must still never coincide."""
    body = "_:x <http://example.org/p> 1 . _:y <http://example.org/p> 2 ."
    for n in range(4):
        assert put(client, w, body, graph=f"{G}/{n}").status_code == 201
    for n in range(3):
        update = (
            f"INSERT DATA {{ GRAPH <{G}/u> {{ _:z <http://example.org/q> {n} }} }} ; "
            f"INSERT {{ GRAPH <{G}/t> {{ [] <http://example.org/r> ?o }} }} "
            f"WHERE {{ GRAPH <{G}/0> {{ ?s <http://example.org/p> ?o }} }}"
        )
        r = client.post(
            "/update", content=update, headers={"Content-Type": "application/sparql-update", **w}
        )
        assert r.status_code == 204, r.text
    query = "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { GRAPH ?g { ?b ?p ?o } }"
    answer = client.get("/sparql", params={"query": query}).json()
    # 4 graphs x 2 nodes, 3 INSERT DATA nodes, 3 requests x 2 solutions of the template
    assert answer["results"]["bindings"][0]["n"]["value"] == str(8 + 3 + 6)


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_a_multipart_post_is_read_with_either_line_end(
    client: Any, w: dict[str, str], newline: str
) -> None:
    """Some clients end the lines of a multipart body with LF alone; Fuseki reads them too."""
    parts = [
        "--XyZ",
        'Content-Disposition: form-data; name="a.ttl"; filename="a.ttl"',
        "Content-Type: text/turtle; charset=utf-8",
        "",
        '<http://example.org/p1> <http://xmlns.com/foaf/0.1/givenName> "Jane" .',
        "--XyZ",
        'Content-Disposition: form-data; name="b.nt"; filename="b.nt"',
        "",
        '<http://example.org/p1> <http://xmlns.com/foaf/0.1/familyName> "Doe" .',
        "--XyZ--",
        "",
    ]
    r = client.post(
        "/data",
        params={"graph": G},
        content=newline.join(parts).encode(),
        headers={"Content-Type": "multipart/form-data; boundary=XyZ", **w},
    )
    assert r.status_code == 201, r.text
    got = client.get("/data", params={"graph": G}, headers={"Accept": "application/n-triples"})
    assert sorted(line.split()[-2] for line in got.text.strip().splitlines()) == [
        '"Doe"',
        '"Jane"',
    ]
