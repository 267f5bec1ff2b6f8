"""igraph's betweenness gives networkx's numbers: same sampled sources, same rescaling.

The brokers question switched from networkx to igraph for speed only; these tests pin that the
ranking it shows is the one networkx would give, exact and sampled, on connected and
disconnected graphs, with isolated nodes, and on graphs too small to have anyone in between.
"""

from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queries.betweenness import betweenness

TOLERANCE = 1e-9


def networkx_says(
    nodes: list[str], edges: list[tuple[str, str]], sources: int | None
) -> dict[str, float]:
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    values = nx.betweenness_centrality(graph, k=sources, seed=7, normalized=True)
    return {str(k): float(v) for k, v in values.items()}


def assert_same(nodes: list[str], edges: list[tuple[str, str]], sources: int | None) -> None:
    ours = betweenness(nodes, edges, sources)
    theirs = networkx_says(nodes, edges, sources)
    assert list(ours) == nodes
    assert ours.keys() == theirs.keys()
    for node in nodes:
        assert ours[node] == pytest.approx(theirs[node], abs=TOLERANCE, rel=0), node


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]]]:
    """Sorted string nodes, as brokers passes them, and edges in any order and direction."""
    count = draw(st.integers(0, 24))
    nodes = sorted(f"org-{i:02d}" for i in range(count))
    if count == 0:
        return nodes, []
    node = st.sampled_from(nodes)
    edges = draw(st.lists(st.tuples(node, node), max_size=3 * count))
    return nodes, edges


@settings(max_examples=150, deadline=None)
@given(graphs(), st.data())
def test_matches_networkx_exact_and_sampled(
    graph: tuple[list[str], list[tuple[str, str]]], data: st.DataObject
) -> None:
    nodes, edges = graph
    assert_same(nodes, edges, None)
    if len(nodes) >= 3:
        assert_same(nodes, edges, data.draw(st.integers(2, len(nodes)), label="sources"))


@pytest.mark.parametrize("seed", range(6))
def test_matches_networkx_on_larger_disconnected_graphs(seed: int) -> None:
    """Several components of different shapes, isolated nodes, many equal shortest paths."""
    rng = random.Random(seed)
    parts = [
        nx.gnm_random_graph(rng.randint(20, 80), rng.randint(30, 200), seed=rng.randrange(1000)),
        nx.grid_2d_graph(rng.randint(3, 8), rng.randint(3, 8)),
        nx.barabasi_albert_graph(rng.randint(30, 90), 2, seed=rng.randrange(1000)),
        nx.empty_graph(rng.randint(0, 5)),
    ]
    whole = nx.disjoint_union_all(parts)
    names = {v: f"o{v:04d}" for v in whole.nodes}
    nodes = sorted(names.values())
    edges = [(names[a], names[b]) for a, b in whole.edges]
    rng.shuffle(edges)
    assert_same(nodes, edges, None)
    for sources in (2, 7, len(nodes) // 3, len(nodes) - 1, len(nodes)):
        assert_same(nodes, edges, sources)


@pytest.mark.parametrize("count", [0, 1, 2])
def test_nobody_lies_between_on_fewer_than_three_nodes(count: int) -> None:
    nodes = [f"n{i}" for i in range(count)]
    edges = [("n0", "n1")] if count == 2 else []
    assert betweenness(nodes, edges) == dict.fromkeys(nodes, 0.0)
    assert_same(nodes, edges, None)
    assert_same(nodes, edges, count)


def test_the_same_answer_whatever_the_order_of_the_edges() -> None:
    whole = nx.gnm_random_graph(60, 150, seed=3)
    nodes = sorted(f"o{v}" for v in whole.nodes)
    edges = [(f"o{a}", f"o{b}") for a, b in whole.edges]
    first = betweenness(nodes, edges, 10)
    random.Random(1).shuffle(edges)
    assert betweenness(nodes, [(b, a) for a, b in edges] + edges, 10) == first


def test_star_centre_exact_and_sampled() -> None:
    nodes = ["a", "b", "c", "d", "hub"]
    edges = [("hub", leaf) for leaf in "abcd"]
    assert betweenness(nodes, edges) == {"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0, "hub": 1.0}
    assert betweenness(nodes, edges, 3)["hub"] == pytest.approx(1.0)


def test_refuses_what_networkx_would_not_answer_sensibly() -> None:
    nodes = ["a", "b", "c"]
    with pytest.raises(ValueError, match="at least 2 sources"):
        betweenness(nodes, [("a", "b")], 1)
    with pytest.raises(ValueError):
        betweenness(nodes, [], 4)
    with pytest.raises(ValueError, match="not listed"):
        betweenness(nodes, [("a", "z")])
    with pytest.raises(ValueError, match="twice"):
        betweenness(["a", "a", "b"], [])
