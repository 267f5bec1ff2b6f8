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
objects on the way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph

from sic.errors import Problem, Violation
from sic.terms import graph_to_quads


class Content(Protocol):
    """How a source's statements are read.

    Both methods read the input again on each call, and raise LoaderError naming the input
    (file, or "request body"), line and column of the first syntax error.
    """

    def quads(self) -> Iterator[ox.Quad]:
        """The statements, triples in the default graph, blank nodes as the input labels them."""
        ...

    def load_into(self, store: ox.Store, graph: ox.NamedNode) -> None:
        """Add the triples to one graph of a pyoxigraph store, the fastest way the input
        allows (a dataset's named graphs are not for this: read its `quads`)."""
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

    def load_into(self, store: ox.Store, graph: ox.NamedNode) -> None:
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in self.quads())


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

    def load_into(self, store: ox.Store, graph: ox.NamedNode) -> None:
        """Bulk-load the triples into one graph of `store` (see Content.load_into).

        :raises LoaderError: at the first syntax error (line and column).
        """
        self.content.load_into(store, graph)

    def locate(self, violations: Sequence[Violation]) -> list[Violation]:
        """The violations, located at the workbook's cells when this source is a workbook."""
        if self.cells is None:
            return list(violations)
        return self.cells.locate(violations)
