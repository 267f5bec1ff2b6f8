"""rdflib <-> pyoxigraph term conversion keeps every term exactly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from loaders.rdf import read_rdf
from loaders.workbook import read_workbook
from sic.terms import to_ox, to_pyoxigraph, to_rdflib, triples_to_graph

DATA = Path(__file__).resolve().parents[1] / "data"
EX = "http://example.org/"


def varied_graph() -> Graph:
    graph = Graph()
    s, funding = URIRef(EX + "project/p"), BNode("funding")
    graph.add((s, RDF.type, URIRef(EX + "Project")))
    graph.add((s, RDFS.label, Literal("Sols vivants", lang="fr")))
    graph.add((s, RDFS.label, Literal("Living soils", lang="en-gb")))
    graph.add((s, URIRef(EX + "budget"), Literal("1500000", datatype=XSD.decimal)))
    graph.add((s, URIRef(EX + "count"), Literal(3)))
    graph.add((s, URIRef(EX + "live"), Literal(True)))
    graph.add((s, URIRef(EX + "start"), Literal("2023-01-01", datatype=XSD.date)))
    graph.add((s, URIRef(EX + "custom"), Literal("x-1", datatype=URIRef(EX + "Code"))))
    graph.add((s, URIRef(EX + "country"), Literal("FR")))
    graph.add((s, URIRef(EX + "note"), Literal('quote " and\nnewline')))
    graph.add((s, URIRef(EX + "funding"), funding))
    graph.add((funding, URIRef(EX + "amount"), Literal(Decimal("500000.50"))))
    return graph


def test_graph_round_trip() -> None:
    graph = varied_graph()
    back = triples_to_graph(to_pyoxigraph(graph))
    assert isomorphic(back, graph)
    assert set(back) == set(graph), "blank-node labels are kept too"


def test_triples_or_quads_in_a_named_graph() -> None:
    graph = varied_graph()
    triples = to_pyoxigraph(graph)
    assert all(isinstance(t, ox.Triple) for t in triples)
    quads = to_pyoxigraph(graph, URIRef(EX + "graph/g"))
    assert {q.graph_name for q in quads} == {ox.NamedNode(EX + "graph/g")}
    assert sorted(str(q.triple) for q in quads) == sorted(str(t) for t in triples)
    store = ox.Store()
    store.extend(quads)
    assert len(store) == len(graph)


@pytest.mark.parametrize(
    "node, term",
    [
        (URIRef(EX + "a"), ox.NamedNode(EX + "a")),
        (BNode("b1"), ox.BlankNode("b1")),
        (Literal("soil", lang="en"), ox.Literal("soil", language="en")),
        (Literal("FR"), ox.Literal("FR")),
        (
            Literal("2.50", datatype=XSD.decimal),
            ox.Literal("2.50", datatype=ox.NamedNode(str(XSD.decimal))),
        ),
    ],
)
def test_terms_both_ways(node: URIRef | BNode | Literal, term: ox.NamedNode) -> None:
    assert to_ox(node) == term
    assert to_rdflib(term) == node


def test_plain_and_xsd_string_are_one_term() -> None:
    typed = Literal("FR", datatype=XSD.string)
    assert to_ox(typed) == ox.Literal("FR")
    assert to_rdflib(ox.Literal("FR")) == Literal("FR")


def test_lexical_forms_are_not_normalised() -> None:
    """The store keeps "01"^^xsd:integer as written; so must the way back."""
    term = ox.Literal("01", datatype=ox.NamedNode(str(XSD.integer)))
    literal = to_rdflib(term)
    assert isinstance(literal, Literal) and str(literal) == "01"
    assert to_ox(literal) == term


def test_language_tags_come_back_lower_case_and_equal() -> None:
    original = Literal("Living soils", lang="en-GB")
    literal = to_rdflib(to_ox(original))
    assert isinstance(literal, Literal) and literal.language == "en-gb"
    assert literal == original


def test_store_round_trip_of_parsed_files() -> None:
    quads = list(read_rdf(DATA / "rdf" / "sample.trig").quads())
    graph = triples_to_graph(quads)
    again = to_pyoxigraph(graph, URIRef("https://w3id.org/4p1000/graph/sample"))
    assert set(again) == set(quads)


def test_the_minimal_workbook_survives_the_store() -> None:
    graph = read_workbook(DATA / "workbooks" / "minimal").graph
    store = ox.Store()
    store.extend(to_pyoxigraph(graph, URIRef("https://w3id.org/4p1000/graph/minimal")))
    assert isomorphic(triples_to_graph(store.quads_for_pattern(None, None, None, None)), graph)


def test_what_cannot_be_converted_is_refused() -> None:
    with pytest.raises(TypeError):
        to_ox(Variable("x"))
    generalised = Graph()
    generalised.add((Literal("s"), URIRef(EX + "p"), URIRef(EX + "o")))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="literal cannot be the subject"):
        to_pyoxigraph(generalised)
    quoted = ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "o"))
    with pytest.raises(ValueError, match="quoted triple"):
        to_rdflib(quoted)
    directed = ox.Literal("نص", language="ar", direction=ox.BaseDirection.RTL)
    with pytest.raises(ValueError, match="base direction"):
        to_rdflib(directed)
