"""Real clients against a real server: SPARQLWrapper and rdflib's SPARQLStore over HTTP.

The service runs under uvicorn on a free 127.0.0.1 port (in a thread) over a private copy of
the reference store, exactly as `sic serve` runs it. The last test measures point-query
throughput through a keep-alive connection, as a smoke check of the per-query overhead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, N3, POST, RDFXML, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

SIC = "https://w3id.org/4p1000/ontology#"
ACTIVITY = "https://w3id.org/4p1000/id/activity/A1.01"
ACTIVITIES = f"PREFIX sic: <{SIC}> SELECT ?a WHERE {{ ?a a sic:Activity }} ORDER BY ?a LIMIT 5"


@pytest.fixture
def server(live_server: Callable[..., Any], reference_copy: Path) -> Any:
    return live_server(store=reference_copy)


def wrapper(server: Any, **kwargs: Any) -> SPARQLWrapper:
    return SPARQLWrapper(f"{server.url}/sparql", updateEndpoint=f"{server.url}/update", **kwargs)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_every_format(server: Any, method: str) -> None:
    sw = wrapper(server)
    sw.setMethod(method)
    sw.setQuery(ACTIVITIES)
    sw.setReturnFormat(JSON)
    rows = sw.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert len(rows) == 5 and rows[0]["a"]["value"].startswith("https://w3id.org/4p1000/id/")
    sw.setReturnFormat(XML)
    document = sw.queryAndConvert()
    assert len(document.getElementsByTagName("result")) == 5  # type: ignore[union-attr]
    sw.setReturnFormat(CSV)
    text = sw.queryAndConvert()
    assert isinstance(text, bytes) and text.decode().splitlines()[0] == "a"


# SPARQLWrapper converts Turtle through rdflib's ConjunctiveGraph, which rdflib 7.6 deprecates
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_ask_and_construct(server: Any) -> None:
    sw = wrapper(server)
    sw.setQuery(f"ASK {{ <{ACTIVITY}> ?p ?o }}")
    sw.setReturnFormat(JSON)
    assert sw.queryAndConvert()["boolean"] is True  # type: ignore[index]
    sw.setQuery(f"CONSTRUCT {{ <{ACTIVITY}> ?p ?o }} WHERE {{ <{ACTIVITY}> ?p ?o }}")
    for fmt in (RDFXML, TURTLE, N3):
        sw.setReturnFormat(fmt)
        result = sw.query()
        data = result.convert()
        graph = data if isinstance(data, Graph) else Graph().parse(data=data, format="turtle")
        assert (URIRef(ACTIVITY), None, None) in graph


def test_sparqlwrapper_reports_a_bad_query(server: Any) -> None:
    sw = wrapper(server)
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        sw.query()


def test_sparqlwrapper_updates_with_the_token(server: Any, write_token: str) -> None:
    update = f"INSERT DATA {{ GRAPH <http://example.org/g> {{ <{ACTIVITY}> <http://e/p> 'x' }} }}"
    sw = wrapper(server)
    sw.setMethod(POST)
    sw.setQuery(update)
    with pytest.raises(Unauthorized):
        sw.query()
    sw.addCustomHttpHeader("Authorization", f"Bearer {write_token}")
    sw.query()
    check = wrapper(server)
    check.setQuery(f"ASK {{ GRAPH <http://example.org/g> {{ <{ACTIVITY}> ?p 'x' }} }}")
    check.setReturnFormat(JSON)
    assert check.queryAndConvert()["boolean"] is True  # type: ignore[index]


def test_rdflib_sparqlstore_reads(server: Any) -> None:
    graph = Graph(store=SPARQLStore(f"{server.url}/sparql"))
    rows = list(graph.query(ACTIVITIES))
    assert len(rows) == 5
    labels = list(graph.objects(URIRef(ACTIVITY), URIRef(f"{SIC}objective")))
    assert labels == [URIRef("https://w3id.org/4p1000/id/objective/A1")]
    assert graph.query(f"ASK {{ <{ACTIVITY}> ?p ?o }}").askAnswer is True


def test_rdflib_sparqlupdatestore_writes(server: Any, write_token: str) -> None:
    store = SPARQLUpdateStore(
        f"{server.url}/sparql",
        f"{server.url}/update",
        headers={"Authorization": f"Bearer {write_token}"},
    )
    dataset = Dataset(store=store)
    graph = dataset.graph(URIRef("http://example.org/written"))
    graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal("v")))
    reader = Graph(store=SPARQLStore(f"{server.url}/sparql"))
    answer = reader.query(
        "ASK { GRAPH <http://example.org/written> { <http://example.org/s> ?p 'v' } }"
    )
    assert answer.askAnswer is True


def test_point_queries_on_one_keep_alive_connection(server: Any) -> None:
    """Many queries on one kept-alive connection all answer, the same (rates: bench/http.py)."""
    query = f"SELECT ?p ?o WHERE {{ <{ACTIVITY}> ?p ?o }}"
    with httpx.Client(base_url=server.url) as client:
        bodies = set()
        for _ in range(100):
            r = client.get(
                "/sparql",
                params={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert r.status_code == 200
            bodies.add(r.content)
    assert len(bodies) == 1
    rows = json.loads(bodies.pop())["results"]["bindings"]
    assert rows, "the activity has properties"
