"""Two details of SPARQL answers a person reads: `SELECT *` columns in the order the query
names them, and RDF answers declaring only the prefixes they use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from graph.results import used_prefixes
from loaders.source import read_source
from sic.vocab import PREFIXES

RESULTS_JSON = "application/sparql-results+json"


@pytest.fixture
def client(make_client: Callable[..., Any], write_checker: Any, reference: Path) -> Any:
    store = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(store)
    store.load_source(read_source(reference, base=store.base))
    return make_client(store)


def columns(client: Any, query: str) -> list[str]:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": RESULTS_JSON})
    assert r.status_code == 200, r.text
    return list(r.json()["head"]["vars"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", ["s", "p", "o"]),
        ("SELECT DISTINCT * { ?zebra ?apple ?mango } LIMIT 1", ["zebra", "apple", "mango"]),
        ("select reduced * where { $b ?a ?c } limit 1", ["b", "a", "c"]),
        (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n# ?comment is not a column\n"
            "SELECT * WHERE { ?x rdfs:label ?name . BIND(STRLEN(?name) AS ?len) } LIMIT 1",
            ["x", "name", "len"],
        ),
        ("SELECT ?o ?s WHERE { ?s ?p ?o } LIMIT 1", ["o", "s"]),  # a projection is kept as is
    ],
)
def test_select_star_columns_in_the_order_written(
    client: Any, query: str, expected: list[str]
) -> None:
    assert columns(client, query) == expected


def test_the_rows_follow_their_columns(client: Any) -> None:
    query = (
        "SELECT * WHERE { BIND(<http://example.org/s> AS ?s) "
        "BIND(<http://example.org/p> AS ?p) BIND('o' AS ?o) }"
    )
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert r.text.splitlines() == ["s,p,o", "http://example.org/s,http://example.org/p,o"]


def test_turtle_answers_declare_only_the_prefixes_they_use(client: Any) -> None:
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "CONSTRUCT { ?s rdfs:label ?o } WHERE { ?s a <https://w3id.org/4p1000/ontology#Topic> ; "
        "rdfs:label ?o } LIMIT 3"
    )
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    declared = [line for line in r.text.splitlines() if line.startswith("@prefix")]
    assert declared == ["@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    assert len(PREFIXES) > 5  # the service knows many more
    graph = ox.parse(r.content, format=ox.RdfFormat.TURTLE)
    assert len(list(graph)) == 3


def test_used_prefixes() -> None:
    sic = "https://w3id.org/4p1000/ontology#"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    triples = [
        ox.Triple(
            ox.NamedNode("http://example.org/x"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(sic + "Project"),
        ),
        ox.Triple(
            ox.NamedNode("http://example.org/x"),
            ox.NamedNode(sic + "budget"),
            ox.Literal("5", datatype=ox.NamedNode(xsd + "decimal")),
        ),
        ox.Triple(
            ox.NamedNode("http://example.org/x"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("x"),
        ),
    ]
    prefixes = {
        "sic": sic,
        "xsd": xsd,
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "ex": "http://example.org/a/",
    }
    assert used_prefixes(triples, prefixes) == {
        "sic": sic,
        "xsd": xsd,
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    }
