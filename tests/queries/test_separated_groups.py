"""The brokers' links_groups: interleaved searches count what connected components count."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queries.partnerships import separated_groups


def components_say(graph: nx.Graph, node: str) -> int:
    """The definition: components of the network without the node that hold a collaborator."""
    rest = graph.subgraph(n for n in graph if n != node)
    neighbours = set(graph[node]) - {node}
    return sum(1 for part in nx.connected_components(rest) if part & neighbours)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30), st.data())
def test_matches_connected_components(count: int, data: st.DataObject) -> None:
    nodes = [f"org-{i:02d}" for i in range(count)]
    node = st.sampled_from(nodes)
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(data.draw(st.lists(st.tuples(node, node), max_size=3 * count)))
    for broker in nodes:
        assert separated_groups(graph, broker) == components_say(graph, broker), broker


@pytest.mark.parametrize("seed", range(4))
def test_a_bridge_between_a_large_group_and_small_ones(seed: int) -> None:
    large = nx.relabel_nodes(nx.gnm_random_graph(300, 1500, seed=seed), lambda v: f"big{v}")
    graph = nx.union_all([large, nx.path_graph(["s0", "s1", "s2"]), nx.Graph([("t0", "t1")])])
    graph.add_edges_from([("hub", "big0"), ("hub", "big1"), ("hub", "s0"), ("hub", "t1")])
    graph.add_edges_from([("hub", "s2"), ("hub", "lone")])
    assert separated_groups(graph, "hub") == components_say(graph, "hub")
    for broker in ("big0", "s1", "lone"):
        assert separated_groups(graph, broker) == components_say(graph, broker)
