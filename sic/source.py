"""A source to load: what loaders/ make of a path or a request body, and what graph/ stores.

loaders/ reads workbooks, RDF files and request bodies; graph/ validates and stores what they
hold. Neither imports the other: this type is what they share. A Source carries what the store
records about it (name, origin, checksum, `about`), whether it names its own graphs (a
*dataset*: N-Quads, TriG or JSON-LD, whose named graphs are restored as they were), its
statements, and, for a workbook, the cells they came from, so that the store can say which
cell a violation is about.

The statements are read when they are asked for, not when the Source is made, and each time
anew: a file of millions of triples goes straight from disk into the store (`load_into`, by
pyoxigraph's bulk loader, which parses without holding the GIL) and is never held as Python
objects on the way. A workbook's triples, mapped in memory, go to the store in chunks of
N-Triples bytes (`MappedTriples`), never through an rdflib Graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from sic.errors import Problem, Violation
from sic.terms import OxSubject, OxTerm, graph_to_quads, to_ox

Counted = Callable[[int], None]
"""Told how many more triples have been stored, as a load goes (for progress displays)."""


def not_counted(count: int) -> None:
    """The Counted of a caller that does not listen."""


class Content(Protocol):
    """How a source's statements are read.

    Both methods read the input again on each call, and raise LoaderError naming the input
    (file, or "request body"), line and column of the first syntax error.
    """

    def quads(self) -> Iterator[ox.Quad]:
        """The statements, triples in the default graph, blank nodes as the input labels them."""
        ...

    def load_into(
        self, store: ox.Store, graph: ox.NamedNode, counted: Counted = not_counted
    ) -> None:
        """Add the triples to one graph of a pyoxigraph store, the fastest way the input
        allows (a dataset's named graphs are not for this: read its `quads`), telling
        `counted` how many as it goes when it can."""
        ...


class Cells(Protocol):
    """Where a workbook's statements came from, to say which cell a violation is about."""

    def locate(self, violations: Sequence[Violation]) -> list[Violation]:
        """The violations, each with the location of the cell it is about when known."""
        ...


@dataclass(frozen=True, eq=False)
class InMemoryGraph:
    """Content already in memory: a workbook mapped to RDF, the bundled ontology."""

    graph: Graph

    def quads(self) -> Iterator[ox.Quad]:
        return graph_to_quads(self.graph, ox.DefaultGraph())

    def load_into(
        self, store: ox.Store, graph: ox.NamedNode, counted: Counted = not_counted
    ) -> None:
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in self.quads())
        counted(len(self.graph))


CHUNK = 100_000
"""Triples per bulk load of `MappedTriples.load_into`: each load is a fixed cost on disk, so
fewer is faster (95k triples: 0.94 s as one, 1.27 s as five), but a progress display only
moves between two."""


@dataclass(frozen=True, eq=False)
class MappedTriples:
    """Triples mapped in memory from rows (a workbook), as rdflib terms, in a plain list.

    Loading converts them to pyoxigraph terms (each IRI once: most repeat), writes them as
    N-Triples lines, each term as pyoxigraph prints it (an IRI's text kept too), and
    bulk-loads them in chunks of those bytes, which pyoxigraph parses and writes without
    holding the GIL (making an `ox.Triple` of each to serialise took 3 us a triple, a third
    of the stage phase at 1M triples). Triples with a blank node go by `bulk_extend`
    instead, which keeps the nodes' identity across chunks (a bulk load would name them
    anew).
    """

    triples: Sequence[tuple[Node, Node, Node]]

    def quads(self) -> Iterator[ox.Quad]:
        convert = _Converter()
        default = ox.DefaultGraph()
        for s, p, o in self.triples:
            yield ox.Quad(convert.subject(s), convert.iri(p), convert.term(o), default)

    def load_into(
        self,
        store: ox.Store,
        graph: ox.NamedNode,
        counted: Counted = not_counted,
        mirror: ox.Store | None = None,
    ) -> None:
        """As Content.load_into; the same triples go into the same graph of `mirror` too when
        given (the same bytes and the same blank node objects, so both stores end up alike)."""
        convert = _Converter()
        text = convert.text
        stores = [store] if mirror is None else [store, mirror]
        for start in range(0, len(self.triples), CHUNK):
            lines: list[str] = []
            blank: list[ox.Quad] = []
            for s, p, o in self.triples[start : start + CHUNK]:
                subject, predicate, value = convert.subject(s), convert.iri(p), convert.term(o)
                if type(subject) is ox.BlankNode or type(value) is ox.BlankNode:
                    blank.append(ox.Quad(subject, predicate, value, graph))
                else:
                    # each term written as pyoxigraph writes it (str is its N-Triples form)
                    lines.append(f"{text(subject)} {text(predicate)} {text(value)} .\n")
            data = "".join(lines).encode()
            for into in stores:
                if data:
                    into.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
                if blank:
                    into.bulk_extend(blank)
            counted(len(lines) + len(blank))


class _Converter:
    """rdflib terms as pyoxigraph terms, each IRI converted once."""

    def __init__(self) -> None:
        self._iris: dict[str, ox.NamedNode] = {}
        self._texts: dict[ox.NamedNode, str] = {}

    def text(self, node: OxTerm) -> str:
        """The N-Triples form of a term, an IRI's written once (they repeat)."""
        if type(node) is not ox.NamedNode:
            return str(node)
        found = self._texts.get(node)
        if found is None:
            found = self._texts[node] = str(node)
        return found

    def iri(self, node: Node) -> ox.NamedNode:
        if type(node) is not URIRef:
            raise ValueError(f"a predicate must be an IRI: {node!r}")
        found = self._iris.get(node)
        if found is None:
            found = self._iris[node] = ox.NamedNode(node)
        return found

    def subject(self, node: Node) -> OxSubject:
        if type(node) is URIRef:
            return self.iri(node)
        term = to_ox(node)
        if isinstance(term, ox.Literal):
            raise ValueError(f"a literal cannot be the subject of a triple: {node!r}")
        return term

    def term(self, node: Node) -> OxTerm:
        if type(node) is URIRef:
            return self.iri(node)
        if type(node) is Literal:
            if node.language:
                return ox.Literal(node, language=node.language)
            if node.datatype is not None:
                return ox.Literal(node, datatype=self.iri(node.datatype))
            return ox.Literal(node)
        return to_ox(node)


@dataclass(frozen=True, eq=False)
class Source:
    """One input to load as a source (or, for a dataset, as one source per named graph).

    Attributes:
        name: the source's name in the store (a file's name, a workbook's folder or stem).
        origin: where it was read from, as the provenance records it.
        checksum: `sha256:<hex>` of its bytes, to tell whether it changed.
        content: its statements (see Content).
        dataset: its statements name their graphs, which are restored as they were (a dump),
            instead of all going into one graph named after the source.
        about: what it says of itself (title, description, note, source, license).
        warnings: what the reader noticed and kept out without refusing the input, so that
            the caller can show it: nothing is dropped silently.
        cells: for a workbook, the cells its statements came from.
    """

    name: str
    origin: str
    checksum: str
    content: Content
    dataset: bool = False
    about: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()
    cells: Cells | None = None

    def quads(self) -> Iterator[ox.Quad]:
        """The statements (see Content.quads).

        :raises LoaderError: while iterating, at the first syntax error (line and column).
        """
        return self.content.quads()

    def load_into(
        self,
        store: ox.Store,
        graph: ox.NamedNode,
        counted: Counted = not_counted,
        mirror: ox.Store | None = None,
    ) -> bool:
        """Bulk-load the triples into one graph of `store` (see Content.load_into), and into
        the same graph of `mirror` as well when the content can make both alike (a mapped
        workbook: its blank nodes keep their labels; a parser would name them anew per store).

        Returns whether `mirror` was loaded too.

        :raises LoaderError: at the first syntax error (line and column).
        """
        if mirror is not None and isinstance(self.content, MappedTriples):
            self.content.load_into(store, graph, counted, mirror)
            return True
        self.content.load_into(store, graph, counted)
        return False

    @property
    def size(self) -> int | None:
        """How many triples it holds, when known before it is loaded (a mapped workbook)."""
        if isinstance(self.content, MappedTriples):
            return len(self.content.triples)
        return None

    def locate(self, violations: Sequence[Violation]) -> list[Violation]:
        """The violations, located at the workbook's cells when this source is a workbook."""
        if self.cells is None:
            return list(violations)
        return self.cells.locate(violations)
