"""Projections kept across writes equal projections built from scratch, after any writes.

The service keeps its projections and follows each write's delta (queries.network.keep_up,
queries.network_tables). Random write sequences over the reference data (triples removed,
objects rewired, triples copied onto other subjects, whole things cloned or dropped, typed or
untyped, valid or not) must leave every part equal to a rebuild of the same store version.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.base import PreparedWrite
from graph.embedded import EmbeddedStore
from graph.update import Delta
from queries.hierarchy import Hierarchy
from queries.network import Projections, keep_up, projections
from queries.network_tables import FOLLOW_TRIPLES

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"

Op = tuple[str, int, int]
OPS = st.lists(
    st.tuples(
        st.sampled_from(["remove", "rewire", "copy", "clone", "drop"]),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def template(load_workbook: Callable[[Path], EmbeddedStore]) -> Iterator[list[ox.Quad]]:
    store = load_workbook(REFERENCE)
    yield list(store.raw)
    store.close()


def _copy(quads: list[ox.Quad]) -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.raw.bulk_extend(quads)
    return store


def _data_graph(store: EmbeddedStore) -> str:
    return next(s.graph for s in store.sources() if s.name != "ontology")


def _delta(store: EmbeddedStore, op: Op) -> Delta:
    """One write, resolved deterministically against the store's current triples."""
    graph = _data_graph(store)
    triples = sorted(store.triples_of(graph), key=str)
    subjects = sorted({t.subject for t in triples}, key=str)
    kind, i, j = op
    pick = triples[i % len(triples)]
    if kind == "remove":
        return Delta(removed={graph: {pick}})
    if kind == "rewire":
        linked = [t for t in triples if isinstance(t.object, ox.NamedNode)]
        pick = linked[i % len(linked)]
        others = sorted({t.object for t in linked if t.predicate == pick.predicate}, key=str)
        other = others[j % len(others)]
        added = ox.Triple(pick.subject, pick.predicate, other)
        return Delta(removed={graph: {pick}}, added={graph: {added}})
    if kind == "copy":
        subject = subjects[j % len(subjects)]
        return Delta(added={graph: {ox.Triple(subject, pick.predicate, pick.object)}})
    subject = subjects[i % len(subjects)]
    star = [t for t in triples if t.subject == subject]
    if kind == "clone" and isinstance(subject, ox.NamedNode):
        twin = ox.NamedNode(f"{subject.value}-twin{j % 7}")
        return Delta(added={graph: {ox.Triple(twin, t.predicate, t.object) for t in star}})
    return Delta(removed={graph: set(star)})


def _plain(value: Any) -> Any:
    """A part as comparable values: graphs as sorted nodes and edges with their data."""
    if isinstance(value, nx.Graph):
        nodes = sorted(map(repr, value.nodes))
        edges = sorted(repr((sorted(map(repr, (a, b))), d)) for a, b, d in value.edges(data=True))
        return nodes, edges
    if isinstance(value, Hierarchy):  # what it holds, not the walks it kept
        return value.labels, value._up
    if dataclasses.is_dataclass(value) or not hasattr(value, "__dict__"):
        return value
    return {k: _plain(v) for k, v in vars(value).items()}


def _state(net: Projections) -> dict[str, Any]:
    names = (*Projections.WARM, "memberships", "fundings")
    return {name: _plain(getattr(net, name)) for name in names}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_kept_projections_equal_a_rebuild(template: list[ox.Quad], ops: list[Op]) -> None:
    store = _copy(template)
    kept = keep_up(store)
    for op in ops:
        delta = _delta(store, op)
        store.commit(PreparedWrite(delta, store.version(), "test"))
        assert keep_up(store) is kept, "a small write is followed, not rebuilt"
        assert kept.version == store.version()
        assert projections(store) is kept
        fresh = Projections(store, store.version())
        assert _state(kept) == _state(fresh), op
    store.close()


def test_a_load_is_read_again(template: list[ox.Quad]) -> None:
    """A change the store does not remember as a delta (a source loaded) rebuilds them."""
    store = _copy(template)
    kept = keep_up(store)
    store.remove_source(next(s.name for s in store.sources() if s.name != "ontology"))
    assert store.deltas_since(kept.version) is None
    again = keep_up(store)
    assert again is not kept
    assert again.organisations == {}
    assert again.members_of == {}
    store.close()


def test_a_large_write_is_read_again(template: list[ox.Quad]) -> None:
    store = _copy(template)
    kept = keep_up(store)
    graph = _data_graph(store)
    many = {
        ox.Triple(
            ox.NamedNode(f"{store.base}id/thing/t{n}"),
            ox.NamedNode(f"{store.base}p"),
            ox.Literal(str(n)),
        )
        for n in range(FOLLOW_TRIPLES + 1)
    }
    store.commit(PreparedWrite(Delta(added={graph: many}), store.version(), "test"))
    assert keep_up(store) is not kept
    store.close()
