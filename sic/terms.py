"""Converting RDF terms between rdflib (the toolkit: small graphs, pyshacl) and pyoxigraph (the
store), keeping IRIs, blank-node labels, language tags, datatypes and lexical forms unchanged.

Plain rdflib literals and `xsd:string` literals are the same term in RDF 1.1; pyoxigraph always
gives them the datatype `xsd:string`, and they come back as plain rdflib literals, which is how
rdflib's own parsers read `"text"`. Language tags come back in lower case (`en-gb`), as
pyoxigraph stores them; tags are case-insensitive, and rdflib compares them so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import overload

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
OxSubject = ox.NamedNode | ox.BlankNode
RdflibTerm = URIRef | BNode | Literal

_XSD_STRING = str(XSD.string)


def to_ox(node: Node) -> OxTerm:
    """An rdflib IRI, blank node or literal as the equal pyoxigraph term.

    Raises:
        TypeError: for rdflib terms that are not RDF terms (variables, quoted graphs).
    """
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r} ({type(node).__name__})")


def _term_to_rdflib(term: OxTerm | ox.Triple) -> RdflibTerm:
    """A pyoxigraph IRI, blank node or literal as the equal rdflib term.

    Raises:
        ValueError: for what rdflib cannot represent: quoted triples (RDF-star) and literals
            with a base direction (RDF 1.2); dropping either silently would change the data.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.direction is not None:
            raise ValueError(f"rdflib has no base direction for literals: {term}")
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        # normalize=False keeps the lexical form as stored ("01" stays "01", not "1").
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise ValueError(f"rdflib cannot represent the quoted triple {term}")


def to_rdflib(term: OxTerm | ox.Triple) -> RdflibTerm:
    """A pyoxigraph IRI, blank node or literal as the equal rdflib term (see _term_to_rdflib)."""
    return _term_to_rdflib(term)


def _subject(node: Node) -> OxSubject:
    term = to_ox(node)
    if isinstance(term, ox.Literal):
        raise ValueError(f"a literal cannot be the subject of a triple: {node!r}")
    return term


def _triple(s: Node, p: Node, o: Node) -> ox.Triple:
    if not isinstance(p, URIRef):
        raise ValueError(f"a predicate must be an IRI: {p!r}")
    return ox.Triple(_subject(s), ox.NamedNode(str(p)), to_ox(o))


@overload
def to_pyoxigraph(graph: Graph, graph_name: None = None) -> list[ox.Triple]: ...


@overload
def to_pyoxigraph(graph: Graph, graph_name: URIRef | BNode) -> list[ox.Quad]: ...


def to_pyoxigraph(
    graph: Graph, graph_name: URIRef | BNode | None = None
) -> list[ox.Triple] | list[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph triples, or as quads in `graph_name`.

    Raises:
        ValueError: for generalised RDF (a literal subject, a non-IRI predicate).
    """
    triples = [_triple(s, p, o) for s, p, o in graph.triples((None, None, None))]
    if graph_name is None:
        return triples
    name = _subject(graph_name)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]


def triples_to_graph(items: Iterable[ox.Triple | ox.Quad], graph: Graph | None = None) -> Graph:
    """pyoxigraph triples or quads as an rdflib graph (a new one unless `graph` is given).

    An rdflib Graph has no graph names: the triples of quads are added whatever graph they are
    in, so pass the quads of one graph when the distinction matters.
    """
    out = graph if graph is not None else Graph()
    for item in items:
        subject = _term_to_rdflib(item.subject)
        if isinstance(subject, Literal):
            raise ValueError(f"a literal cannot be a subject: {item}")
        out.add((subject, URIRef(item.predicate.value), _term_to_rdflib(item.object)))
    return out


def graph_to_quads(graph: Graph, graph_name: ox.NamedNode | ox.DefaultGraph) -> Iterator[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in one graph, lazily (for bulk loads).

    Raises:
        ValueError: for generalised RDF (a literal subject, a non-IRI predicate).
    """
    for s, p, o in graph.triples((None, None, None)):
        t = _triple(s, p, o)
        yield ox.Quad(t.subject, t.predicate, t.object, graph_name)


def fresh_blank() -> ox.BlankNode:
    """A new blank node, unique across processes.

    pyoxigraph draws the labels of new blank nodes from a generator that a forked process
    inherits in the state it had at the fork, so two query workers forked from the same
    service would give new blank nodes the same labels, and two documents written through two
    workers would share a node. The operating system's randomness (uuid4) does not repeat.
    """
    return ox.BlankNode("b" + uuid.uuid4().hex)  # a letter first: RDF/XML nodeIDs are NCNames


def relabel(
    triples: Iterable[ox.Triple], keep: frozenset[ox.BlankNode] = frozenset()
) -> list[ox.Triple]:
    """The triples with every blank node but those in `keep` given a fresh label (one label
    per node: a node that occurs twice keeps being one node)."""
    fresh: dict[ox.BlankNode, ox.BlankNode] = {}

    def term(t: OxTerm | ox.Triple) -> OxTerm | ox.Triple:
        if isinstance(t, ox.BlankNode) and t not in keep:
            found = fresh.get(t)
            if found is None:
                found = fresh[t] = fresh_blank()
            return found
        return t

    out = []
    for t in triples:
        subject = term(t.subject)
        assert not isinstance(subject, ox.Literal)
        out.append(ox.Triple(subject, t.predicate, term(t.object)))
    return out
