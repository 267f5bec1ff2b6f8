"""The dataset every query and update sees: data in the default graph, bookkeeping apart.

- The default graph is the union of the *sources*: each loaded workbook or file, the ontology,
  and `{BASE}graph/updates`, where writes addressed to the default graph land (SPARQL Update
  without GRAPH, the Graph Store Protocol's `?default`).
- The named graphs are every data graph except `{BASE}graph/updates`: the sources (so that
  `GRAPH ?g` tells which source says what) and the *standalone* graphs that clients create
  through the protocols (`PUT /data?graph=...`, `INSERT DATA { GRAPH <g> {...} }`), which are
  not part of the default graph, as in any SPARQL store without a union default graph.
- The store's bookkeeping (`{BASE}graph/sources`: PROV-O and VoID about every data graph;
  `{BASE}graph/changes`: who changed what and when, graph.history) is in neither: a query
  reaches it only by naming it (FROM NAMED, or `named-graph-uri`), and nothing but the store
  writes it.

So a client that loads three triples sees three triples, and the W3C test suites, which put
their data in the default graph and in named graphs, see exactly what they put.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sic.iris import changes_graph, graph_iri, normalise_base, sources_graph

DEFAULT_STORE = "updates"
"""The source that holds what clients write to the default graph."""


@dataclass(frozen=True)
class SourceInfo:
    """One loaded source: its name, the named graph holding it, and where it came from."""

    name: str
    graph: str
    triples: int
    loaded: str  # ISO 8601 timestamp
    origin: str = ""
    checksum: str = ""
    command: str = ""
    about: Mapping[str, str] = field(default_factory=dict)
    union: bool = True
    """Part of the default graph (a source); False for a standalone graph a client created."""


@dataclass(frozen=True)
class Dataset:
    """The graphs of the store by role (IRIs, as text)."""

    union: tuple[str, ...]
    named: tuple[str, ...]
    default_store: str
    bookkeeping: frozenset[str]

    @classmethod
    def of(cls, sources: Iterable[SourceInfo], base: str) -> Dataset:
        """The dataset of a store holding `sources` (sorted by name, as sources() gives them)."""
        base = normalise_base(base)
        default_store = str(graph_iri(DEFAULT_STORE, base))
        union: list[str] = []
        named: list[str] = []
        for s in sources:
            if s.union:
                union.append(s.graph)
            if s.graph != default_store:
                named.append(s.graph)
        book = frozenset({str(sources_graph(base)), str(changes_graph(base))})
        return cls(tuple(union), tuple(named), default_store, book)

    @property
    def data(self) -> tuple[str, ...]:
        """Every data graph: the sources (with the default store when present) and the rest."""
        return tuple(dict.fromkeys([*self.union, *self.named]))

    def exists(self, graph: str) -> bool:
        return graph in self.union or graph in self.named

    def is_standalone(self, graph: str) -> bool:
        return graph in self.named and graph not in self.union

    def query_graphs(
        self, default_graph: Sequence[str] | None, named_graphs: Sequence[str] | None
    ) -> tuple[list[str], list[str]]:
        """(default graph members, named graphs) for a query.

        Without a dataset of its own (None, None) a query sees the dataset described in the
        module docstring. A dataset the query names (FROM, FROM NAMED, the protocol's
        parameters) keeps to graphs of this store, bookkeeping included, since naming it is
        how it is read; a part it leaves out is empty (SPARQL 1.1 section 13.2), and a graph
        that is not there is empty: nothing is ever fetched.
        """
        if default_graph is None and named_graphs is None:
            return list(self.union), list(self.named)
        known = set(self.data) | self.bookkeeping
        return (
            [g for g in dict.fromkeys(default_graph or ()) if g in known],
            [g for g in dict.fromkeys(named_graphs or ()) if g in known],
        )
