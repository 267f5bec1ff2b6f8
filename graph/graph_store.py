"""The Graph Store Protocol's writes as deltas: what PUT, POST and DELETE of a graph change.

A graph the protocol names is a data graph of the store (graph.dataset): a source keeps being a
source when a client replaces its content, a graph the store does not have becomes a standalone
graph (not part of the default graph), and `?default` names `{BASE}graph/updates`, where
writes to the default graph land. Each write becomes one Delta, validated and committed like
any other; blank nodes in a body are new nodes (the parser renames them), so replacing a graph
replaces its blank nodes too.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from graph.base import GraphStore
from graph.update import Delta
from sic.errors import NotFound, QueryError


def writable_graph(store: GraphStore, graph: str) -> str:
    """`graph`, unless the store keeps it for itself (bookkeeping, staging).

    :raises QueryError: for a graph maintained by the store.
    """
    if graph in store.dataset().bookkeeping or graph.startswith(f"{store.base}graph/_"):
        raise QueryError(f"<{graph}> is maintained by the store: it is read-only")
    return graph


def content(store: GraphStore, graph: str) -> set[ox.Triple]:
    """The triples of one graph of the store (empty when it is not there)."""
    return set(store.triples_of(graph))


def replace_graph(store: GraphStore, graph: str, triples: Iterable[ox.Triple]) -> Delta:
    """PUT: the graph holds exactly `triples` afterwards (created when new)."""
    graph = writable_graph(store, graph)
    new = set(triples)
    exists = store.dataset().exists(graph)
    old = content(store, graph) if exists else set()
    delta = Delta(added={graph: new - old}, removed={graph: old - new})
    if not exists:
        delta.created.add(graph)
    return delta


def merge_graph(store: GraphStore, graph: str, triples: Iterable[ox.Triple]) -> Delta:
    """POST: `triples` are added to the graph (created when new)."""
    graph = writable_graph(store, graph)
    exists = store.dataset().exists(graph)
    old = content(store, graph) if exists else set()
    delta = Delta(added={graph: set(triples) - old})
    if not exists:
        delta.created.add(graph)
    return delta


def delete_graph(store: GraphStore, graph: str) -> Delta:
    """DELETE: the graph goes (the default graph's store is only emptied: it always exists).

    :raises NotFound: if there is no such graph.
    """
    graph = writable_graph(store, graph)
    dataset = store.dataset()
    if graph == dataset.default_store:
        old = content(store, graph) if dataset.exists(graph) else set()
        return Delta(removed={graph: old})
    if not dataset.exists(graph):
        raise NotFound(f"no graph <{graph}> in the store")
    return Delta(removed={graph: content(store, graph)}, dropped={graph})
