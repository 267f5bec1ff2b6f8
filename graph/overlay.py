"""An rdflib Store that reads the published graphs of a pyoxigraph store and records writes.

SPARQL Update through the service must be validated *before* it commits, so its effect has to
be known without applying it. rdflib evaluates the update against this store: reads come from
pyoxigraph (published graphs only) with the writes recorded so far laid over them, and writes
only land in the overlay. The overlay is then the exact delta to validate and, if it conforms,
to commit in one pyoxigraph transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.store import Store
from rdflib.term import Node

from sic.terms import to_ox, to_rdflib

Triple = tuple[Node, Node, Node]


def _ox_or_none(term: Node | None) -> Any:
    return None if term is None else to_ox(term)


class OverlayStore(Store):
    """Published graphs of `store` as rdflib contexts, with recorded adds and removes.

    The rdflib default context is the union of the published graphs for reading; triples
    written to it land in `default_write_graph` (the source that collects plain updates).
    """

    context_aware = True
    graph_aware = True

    def __init__(self, store: ox.Store, graphs: Sequence[str], default_write_graph: str) -> None:
        super().__init__()
        self._ox = store
        self.graphs: list[str] = list(graphs)
        self.default_write_graph = default_write_graph
        self.added: dict[str, set[Triple]] = defaultdict(set)
        self.removed: dict[str, set[Triple]] = defaultdict(set)
        self.cleared: set[str] = set()  # graphs whose stored triples are all removed
        self.created: set[str] = set()
        self.dropped: set[str] = set()

    # -- which graphs a context means ------------------------------------------------------

    def _names(self, context: Graph | None) -> list[str]:
        if context is None or context.identifier == DATASET_DEFAULT_GRAPH_ID:
            return self.live_graphs()
        return [str(context.identifier)]

    def _write_name(self, context: Graph | None) -> str:
        if context is None or context.identifier == DATASET_DEFAULT_GRAPH_ID:
            return self.default_write_graph
        return str(context.identifier)

    def live_graphs(self) -> list[str]:
        names = [g for g in self.graphs if g not in self.dropped]
        names += sorted(g for g in self.created if g not in names)
        names += sorted(g for g in self.added if g not in names and self.added[g])
        return names

    # -- reading ---------------------------------------------------------------------------

    def _stored(
        self, pattern: tuple[Node | None, Node | None, Node | None], graph: str
    ) -> Iterator[Triple]:
        if graph in self.cleared or graph not in self.graphs:
            return
        s, p, o = pattern
        try:
            quads = self._ox.quads_for_pattern(
                _ox_or_none(s), _ox_or_none(p), _ox_or_none(o), ox.NamedNode(graph)
            )
        except (TypeError, ValueError):  # a literal in subject position matches nothing
            return
        for q in quads:
            yield (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))

    def _matching(
        self, pattern: tuple[Node | None, Node | None, Node | None], graph: str
    ) -> Iterator[Triple]:
        removed = self.removed.get(graph, set())
        for t in self._stored(pattern, graph):
            if t not in removed:
                yield t
        s, p, o = pattern
        for t in self.added.get(graph, ()):
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t

    def triples(
        self,
        triple_pattern: tuple[Node | None, Node | None, Node | None],
        context: Graph | None = None,
    ) -> Iterator[tuple[Triple, Iterator[Graph]]]:
        names = self._names(context)
        seen: set[Triple] = set()
        for name in names:
            for t in self._matching(triple_pattern, name):
                if len(names) > 1:
                    if t in seen:
                        continue
                    seen.add(t)
                yield t, iter([Graph(store=self, identifier=URIRef(name))])

    def __len__(self, context: Graph | None = None) -> int:
        return sum(1 for _ in self.triples((None, None, None), context))

    def contexts(self, triple: Triple | None = None) -> Iterator[Graph]:  # type: ignore[override]
        for name in self.live_graphs():
            if triple is None or any(True for _ in self._matching(triple, name)):
                yield Graph(store=self, identifier=URIRef(name))

    # -- writing (recorded) ----------------------------------------------------------------

    def add(self, triple: Triple, context: Graph | None, quoted: bool = False) -> None:
        name = self._write_name(context)
        self.removed[name].discard(triple)
        if not any(True for _ in self._stored(triple, name)):
            self.added[name].add(triple)

    def addN(self, quads: Any) -> None:  # noqa: N802 - rdflib's name
        for s, p, o, c in quads:
            self.add((s, p, o), c)

    def remove(self, triple_pattern: Any, context: Graph | None = None) -> None:
        names = self._names(context)
        for name in names:
            matches = list(self._matching(triple_pattern, name))
            for t in matches:
                if t in self.added.get(name, set()):
                    self.added[name].discard(t)
                else:
                    self.removed[name].add(t)

    def add_graph(self, graph: Graph) -> None:
        name = str(graph.identifier)
        if name == str(DATASET_DEFAULT_GRAPH_ID):
            return
        self.dropped.discard(name)
        if name not in self.graphs:
            self.created.add(name)

    def remove_graph(self, graph: Graph) -> None:
        name = str(graph.identifier)
        if name == str(DATASET_DEFAULT_GRAPH_ID):
            for g in self.live_graphs():
                self.remove((None, None, None), Graph(store=self, identifier=URIRef(g)))
            return
        self.remove((None, None, None), Graph(store=self, identifier=URIRef(name)))
        self.dropped.add(name)
        self.created.discard(name)

    # rdflib asks for namespaces when serialising; this store has none of its own
    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        return None

    def namespace(self, prefix: str) -> URIRef | None:
        return None

    def prefix(self, namespace: URIRef) -> str | None:
        return None

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        return iter(())
