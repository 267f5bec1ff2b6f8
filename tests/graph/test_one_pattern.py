"""Which queries an HTTP process may answer on its event loop: one triple pattern."""

from __future__ import annotations

import pytest

from graph.one_pattern import one_pattern

ONE_PATTERN = [
    "SELECT ?p ?o WHERE { <https://w3id.org/4p1000/id/organisation/org000001> ?p ?o }",
    "select * { ?s a <http://e/C> . } limit 10",
    "PREFIX sic: <https://w3id.org/4p1000/ontology#>\nSELECT ?s WHERE { ?s sic:objective sic:O1 }",
    'ASK { <http://e/a> <http://e/b> "x"@en-GB }',
    'SELECT ?s WHERE { ?s <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> }',
    "BASE <http://e/> SELECT $s ?o { $s <p> ?o }",
    "SELECT ?s ?o WHERE { ?s :p 42 }",
]

NOT_ONE_PATTERN = [
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",  # passes over many rows per row given
    "SELECT REDUCED ?p WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?s }",  # a variable twice: a scan that yields few rows
    "SELECT ?s WHERE { ?s ?p $s }",
    "SELECT ?s WHERE { ?s ?p ?o . ?o ?q ?r }",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(false) }",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s WHERE { ?s ?p ?o } OFFSET 10",
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 OFFSET 3",
    "SELECT ?s FROM <http://e/g> WHERE { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <http://e/a> }",
    "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s WHERE { ?s <http://e/p>/<http://e/q> ?o }",
    "SELECT ?s WHERE { ?s <http://e/p>* ?o }",
    "SELECT ?s WHERE { [] ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <http://e/a>",
    "# a comment\nSELECT ?s WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } " + " " * 5000,  # longer than a point query is
]


@pytest.mark.parametrize("text", ONE_PATTERN)
def test_one_triple_pattern_is_recognised(text: str) -> None:
    assert one_pattern(text)


@pytest.mark.parametrize("text", NOT_ONE_PATTERN)
def test_anything_else_is_not(text: str) -> None:
    assert not one_pattern(text)
