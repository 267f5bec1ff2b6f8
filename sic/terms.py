"""Conversions between rdflib terms (the toolkit: pyshacl, small graphs) and pyoxigraph terms
(the store). Both directions keep language tags, datatypes and blank-node labels."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxSubject = ox.NamedNode | ox.BlankNode


def to_ox(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r} ({type(term).__name__}) as an RDF term")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} to rdflib")


def graph_to_quads(graph: Graph, graph_name: ox.NamedNode | ox.DefaultGraph) -> Iterator[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in one named graph."""
    for s, p, o in graph:
        subject = to_ox(s)
        if isinstance(subject, ox.Literal):
            raise TypeError(f"a literal cannot be a subject: {s!r}")
        yield ox.Quad(subject, ox.NamedNode(str(p)), to_ox(o), graph_name)


def triples_to_graph(triples: Iterable[ox.Triple | ox.Quad], graph: Graph | None = None) -> Graph:
    """Copy pyoxigraph triples or quads (graph names dropped) into an rdflib graph."""
    out = graph if graph is not None else Graph()
    for t in triples:
        out.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return out
