"""Limits and safety of the HTTP service: what no request can make it do.

- a query past SIC_QUERY_TIMEOUT is really stopped (its worker process is gone), answered 503,
  and the service keeps answering meanwhile and afterwards;
- SERVICE and LOAD are refused (400) before anything runs; graphs named in FROM, FROM NAMED,
  USING, WITH, the protocol's dataset parameters or a request body are only ever looked up in
  the store: a listener on 127.0.0.1 must receive nothing;
- writes need the token (401 without, 403 wrong or read-only) and a refused write changes
  nothing; CORS never opens a write;
- no error shows a stack trace; answers past SIC_RESULT_LIMIT say they were cut.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

SIC = "https://w3id.org/4p1000/ontology#"
ACTIVITY = "https://w3id.org/4p1000/id/activity/A1.01"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
POINT = f"SELECT ?p ?o WHERE {{ <{ACTIVITY}> ?p ?o }}"
TRUNCATED = "SIC-Result-Truncated"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def reference_client(make_client: Callable[..., Any], reference_copy: Path) -> Any:
    """A service over a private copy of the reference store (the app opens it itself)."""
    return make_client(store=reference_copy)


# -- time limit -------------------------------------------------------------------------------


def test_a_runaway_query_is_stopped_and_the_service_keeps_answering(
    live_server: Callable[..., Any], reference_copy: Path
) -> None:
    server = live_server(store=reference_copy, query_timeout=1.0, query_workers=2)
    pool = server.app.state.runner
    before = set(pool.pids())
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        start = time.monotonic()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            outcome["response"] = client.get("/sparql", params={"query": RUNAWAY})
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=runaway)
    thread.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        time.sleep(0.2)
        answered_meanwhile = 0
        while thread.is_alive():
            start = time.monotonic()
            r = client.get("/sparql", params={"query": POINT})
            assert r.status_code == 200
            assert time.monotonic() - start < 0.5
            answered_meanwhile += 1
        thread.join()
        response = outcome["response"]
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/json"
        assert "stopped" in response.json()["detail"]
        assert 0.9 < outcome["seconds"] < 5
        assert answered_meanwhile > 5
        # the worker that ran it is gone, really: the query is no longer computing anywhere
        killed = before - set(pool.pids())
        assert len(killed) == 1
        # SIGKILLed before the 503; its end is reaped on a thread of the pool, at once
        gone_by = time.monotonic() + 2
        while any(alive(pid) for pid in killed) and time.monotonic() < gone_by:
            time.sleep(0.02)
        assert not any(alive(pid) for pid in killed)
        deadline = time.monotonic() + 10
        while len(pool.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(pool.pids()) == 2  # replaced
        assert all(alive(pid) for pid in pool.pids())
        after = client.get("/sparql", params={"query": POINT})
        assert after.status_code == 200 and after.json()["results"]["bindings"]


def test_waiting_for_a_busy_pool_also_ends_in_503(
    live_server: Callable[..., Any], reference_copy: Path
) -> None:
    server = live_server(store=reference_copy, query_timeout=1.0, query_workers=1)
    results: list[int] = []

    def ask() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            results.append(client.get("/sparql", params={"query": RUNAWAY}).status_code)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [503, 503]
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/sparql", params={"query": POINT}).status_code == 200


# -- nothing reaches the network --------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "PREFIX r: <{url}#> SELECT * {{ ?a ?b ?c OPTIONAL {{ SERVICE r:x {{ ?s ?p ?o }} }} }}",
        "ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "SELECT * {{ {{ SELECT ?s {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        # syntax rdflib cannot read (a triple term): refused on the safe side all the same
        "SELECT * {{ ?s ?p <<( ?a ?b ?c )>> SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_before_execution(
    template: str, reference_client: Any, listener: Any
) -> None:
    r = reference_client.get("/sparql", params={"query": template.format(url=listener.url)})
    assert r.status_code == 400, r.text
    assert "SERVICE is refused" in r.json()["detail"]
    time.sleep(0.1)
    assert listener.connections == []


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{url}>",
        "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_load_and_service_in_updates_are_refused(
    update: str, reference_client: Any, listener: Any, write_token: str
) -> None:
    store = reference_client.app.state.store
    version = store.version()
    r = reference_client.post(
        "/update",
        content=update.format(url=listener.url),
        headers={"Content-Type": "application/sparql-update", **auth(write_token)},
    )
    assert r.status_code == 400, r.text
    assert store.version() == version
    time.sleep(0.1)
    assert listener.connections == []


def test_load_silent_does_nothing_and_reaches_nothing(
    reference_client: Any, listener: Any, write_token: str
) -> None:
    """SILENT makes a failed LOAD succeed; here every LOAD fails, without a connection."""
    store = reference_client.app.state.store
    version = store.version()
    r = reference_client.post(
        "/update",
        content=f"LOAD SILENT <{listener.url}> INTO GRAPH <http://example.org/g>",
        headers={"Content-Type": "application/sparql-update", **auth(write_token)},
    )
    assert r.status_code == 204, r.text
    assert store.version() == version
    time.sleep(0.1)
    assert listener.connections == []


def test_graphs_named_in_queries_are_only_looked_up_in_the_store(
    reference_client: Any, listener: Any
) -> None:
    url = listener.url
    for query, params in [
        (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        (f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> WHERE {{ ?s ?p ?o }}", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": url}),
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": url}),
    ]:
        r = reference_client.get("/sparql", params={"query": query, **params})
        assert r.status_code == 200, r.text
        if "CONSTRUCT" in query:
            assert not list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))  # no triples
        else:
            assert r.json()["results"]["bindings"] == []  # a graph not in the store is empty
    time.sleep(0.1)
    assert listener.connections == []


def test_graphs_named_in_updates_are_only_looked_up_in_the_store(
    reference_client: Any, listener: Any, write_token: str
) -> None:
    url = listener.url
    target = "http://example.org/copied"
    for update, params in [
        (f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} USING <{url}> WHERE {{ ?s ?p ?o }}", {}),
        (
            f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} USING NAMED <{url}> "
            "WHERE { GRAPH ?g { ?s ?p ?o } }",
            {},
        ),
        (f"WITH <{url}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", {}),
        (
            f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
            {"using-graph-uri": url},
        ),
        (
            f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            {"using-named-graph-uri": url},
        ),
    ]:
        r = reference_client.post(
            "/update",
            params=params,
            content=update,
            headers={"Content-Type": "application/sparql-update", **auth(write_token)},
        )
        assert r.status_code == 204, r.text
    copied = reference_client.get(
        "/sparql", params={"query": f"ASK {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"}
    )
    assert copied.json()["boolean"] is False  # the graphs were empty: nothing to copy
    time.sleep(0.1)
    assert listener.connections == []


def test_bodies_cannot_make_the_service_fetch(
    memory_client: Any, listener: Any, write_token: str
) -> None:
    url = listener.url
    bodies = [
        ("application/ld+json", f'{{"@context": "{url}", "@id": "http://a", "name": "x"}}'),
        (
            "application/rdf+xml",
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="http://a"><rdf:value>&e;</rdf:value>'
            "</rdf:Description></rdf:RDF>",
        ),
    ]
    for media_type, body in bodies:
        r = memory_client.put(
            "/data",
            params={"graph": "http://example.org/g"},
            content=body.encode(),
            headers={"Content-Type": media_type, **auth(write_token)},
        )
        assert r.status_code == 400, r.text
    assert memory_client.get("/data", params={"graph": url}).status_code == 404
    time.sleep(0.1)
    assert listener.connections == []


@pytest.fixture
def memory_client(make_client: Callable[..., Any], memory_store: Any) -> Any:
    return make_client(memory_store)


# -- writes need the token ------------------------------------------------------------------

UPDATE = (
    f"INSERT DATA {{ GRAPH <http://example.org/g> {{ <{ACTIVITY}> <http://example.org/p> 1 }} }}"
)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-the-token-at-all-000"}, 403),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "Bearer"}, 401),
    ],
)
def test_updates_need_the_token(
    reference_client: Any, headers: dict[str, str], status: int
) -> None:
    store = reference_client.app.state.store
    version = store.version()
    r = reference_client.post(
        "/update",
        content=UPDATE,
        headers={"Content-Type": "application/sparql-update", **headers},
    )
    assert r.status_code == status
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert store.version() == version


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_graph_store_writes_need_the_token(memory_client: Any, method: str) -> None:
    for headers, status in [({}, 401), ({"Authorization": "Bearer wrong-token-xxxxxxxx"}, 403)]:
        r = memory_client.request(
            method,
            "/data",
            params={"graph": "http://example.org/g"},
            content=b"<http://a> <http://b> <http://c> .",
            headers={"Content-Type": "application/n-triples", **headers},
        )
        assert r.status_code == status
    assert memory_client.app.state.store.sources() == []


def test_without_a_token_the_service_is_read_only(
    make_client: Callable[..., Any], memory_store: Any
) -> None:
    client = make_client(memory_store, write_token=None)
    r = client.post(
        "/update",
        content=UPDATE,
        headers={"Content-Type": "application/sparql-update", **auth("anything-at-all-0000")},
    )
    assert r.status_code == 403
    assert "read-only" in r.json()["detail"]
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    description = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert "SPARQL11Update" not in description


def test_an_update_refused_by_the_shapes_changes_nothing(
    reference_client: Any, write_token: str
) -> None:
    store = reference_client.app.state.store
    version = store.version()
    update = (
        f"PREFIX sic: <{SIC}> DELETE WHERE {{ <{ACTIVITY}> sic:objective ?o }} ;"
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> a <http://e/C> } }"
    )
    r = reference_client.post(
        "/update",
        content=update,
        headers={"Content-Type": "application/sparql-update", **auth(write_token)},
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["violations"][0]["focusNode"] == ACTIVITY
    assert store.version() == version
    check = reference_client.get(
        "/sparql",
        params={"query": f"PREFIX sic: <{SIC}> ASK {{ <{ACTIVITY}> sic:objective ?o }}"},
    )
    assert check.json()["boolean"] is True
    graphs = {s.graph for s in store.sources()}
    assert "http://example.org/g" not in graphs


def test_the_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    from api import security

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    assert security.same_secret("s3cret-token-0123456", "s3cret-token-0123456")
    assert not security.same_secret("s3cret-token-0123457", "s3cret-token-0123456")
    assert calls == [
        (b"s3cret-token-0123456", b"s3cret-token-0123456"),
        (b"s3cret-token-0123457", b"s3cret-token-0123456"),
    ]


# -- CORS and headers ---------------------------------------------------------------------------


def test_cors_opens_reads_and_never_writes(
    make_client: Callable[..., Any], memory_store: Any, write_token: str
) -> None:
    origin = "https://example.org"
    client = make_client(memory_store, cors_origins=[origin])
    read = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": origin})
    assert read.headers["access-control-allow-origin"] == origin
    preflight = client.options(
        "/sparql", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    for path, method in [("/update", "POST"), ("/data", "PUT"), ("/data", "DELETE")]:
        preflight = client.options(
            path, headers={"Origin": origin, "Access-Control-Request-Method": method}
        )
        assert preflight.status_code >= 400
        assert preflight.headers.get("access-control-allow-origin") is None
        assert method not in preflight.headers.get("access-control-allow-methods", "")
    write = client.post(
        "/update",
        content=UPDATE.replace(ACTIVITY, "http://example.org/s"),
        headers={
            "Origin": origin,
            "Content-Type": "application/sparql-update",
            **auth(write_token),
        },
    )
    assert write.status_code == 204
    assert "access-control-allow-origin" not in write.headers
    other = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_every_response_carries_the_security_headers(memory_client: Any) -> None:
    for r in [
        memory_client.get("/sparql", params={"query": "ASK {}"}),
        memory_client.get("/sparql", params={"query": "ASK {"}),
        memory_client.get("/data", params={"graph": "http://example.org/none"}),
    ]:
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


# -- errors and limits ------------------------------------------------------------------------


def test_no_error_shows_a_stack_trace(reference_client: Any, write_token: str) -> None:
    w = auth(write_token)
    responses = [
        reference_client.get("/sparql", params={"query": "SELEKT * WHERE { ?s ?p ?o }"}),
        reference_client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "x y"}),
        reference_client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "update": "x"}),
        reference_client.get("/sparql", params={"query": "PREFIX : <nope SELECT"}),
        reference_client.get("/sparql?query=%FF%FE"),
        reference_client.post(
            "/sparql", content=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"}
        ),
        reference_client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "image/png"}),
        reference_client.put("/sparql", content=b"ASK {}"),
        reference_client.get(
            "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}
        ),
        reference_client.post(
            "/update",
            content=b"DELETE nonsense",
            headers={"Content-Type": "application/sparql-update", **w},
        ),
        reference_client.post(
            "/update",
            content=b"update=1&update=2",
            headers={"Content-Type": "application/x-www-form-urlencoded", **w},
        ),
        reference_client.put(
            "/data",
            params={"graph": "http://e/g"},
            content=b"<a> <b> .",
            headers={"Content-Type": "text/turtle", **w},
        ),
        reference_client.put("/data", params={"graph": "not an iri"}, content=b"", headers=w),
        reference_client.put(
            "/data",
            params={"graph": "http://e/g"},
            content=b"x",
            headers={"Content-Type": "application/n-quads", **w},
        ),
        reference_client.get("/data"),
        reference_client.get("/data", params={"graph": "http://e/none"}),
        reference_client.delete("/data", params={"graph": "http://e/none"}, headers=w),
    ]
    for r in responses:
        assert 400 <= r.status_code < 500, (r.status_code, r.text)
        assert r.headers["content-type"] == "application/json", r.text
        assert "detail" in r.json()
        for marker in ("Traceback", 'File "', '.py", line'):
            assert marker not in r.text, r.text


def test_an_unexpected_failure_is_a_500_without_details(
    reference_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = reference_client.app.state.store

    def broken() -> list[Any]:
        raise RuntimeError("secret internal state /etc/passwd")

    monkeypatch.setattr(store, "sources", broken)
    r = reference_client.get("/sparql")  # the service description lists the sources
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error; the details are in the service log"}


def test_answers_past_the_result_limit_say_they_were_cut(
    make_client: Callable[..., Any], reference_copy: Path
) -> None:
    client = make_client(store=reference_copy, result_limit=5)
    cut = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert cut.status_code == 200
    assert len(cut.json()["results"]["bindings"]) == 5
    assert cut.headers[TRUNCATED] == "5"
    graph = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert graph.text.count(" .\n") == 5 and graph.headers[TRUNCATED] == "5"
    whole = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert len(whole.json()["results"]["bindings"]) == 5
    assert TRUNCATED not in whole.headers
    described = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert "SIC-Result-Truncated: 5" in described
