"""Betweenness centrality computed in C by igraph, equal to what networkx computes.

`Projections.brokers` ranks organisations by betweenness on the collaboration network. networkx
walks Brandes' algorithm in Python and took 2.8 s for the 32 sampled sources that the budget
allows at size M (10,000 organisations, 150,000 collaborations); igraph runs the same breadth-
first searches and accumulation in C. So that the answers do not change, `betweenness` returns
networkx's numbers (to float rounding): `nx.betweenness_centrality(G, k=sources, seed=seed,
normalized=True)` on a graph G whose nodes were added in the order of `nodes`. It draws the same
sources, `random.Random(seed).sample(nodes, k)` (what networkx's seed decorator builds from an
int), and rescales as networkx >= 3.5 does (endpoints excluded): raw counts over ordered pairs
(s, t), divided by (n - 1)(n - 2) when exact; when sampled, by k(n - 2), or (k - 1)(n - 2) for
the sampled sources themselves, which cannot lie between themselves and a target.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

import igraph


def betweenness(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str]],
    sources: int | None = None,
    seed: int = 7,
) -> dict[str, float]:
    """Normalised betweenness of each node: exact, or estimated from `sources` sampled nodes.

    `nodes` fixes which sources the seed draws, so pass them in a stable (sorted) order.
    `edges` may come in any order, repeated or reversed: igraph drops repeats and self-loops
    (which lie on no shortest path) and walks each node's neighbours in index order, so the
    float rounding, too, does not depend on the order of the edges. igraph finds the edges'
    ends by name in C, which is why the nodes are strings (a third faster than mapping 150,000
    edges to indices in Python). `sources` None, or equal to the number of nodes, means exact.

    Raises:
        ValueError: if a node is listed twice, an edge names a node not in `nodes`, or
            `sources` is negative, larger than the number of nodes, or below 2 on three nodes
            or more (networkx gives NaN for a lone source: no pair can have it in between).
    """
    count = len(nodes)
    if len(set(nodes)) != count:
        raise ValueError("betweenness: a node is listed twice")
    graph = igraph.Graph(n=count, directed=False)
    graph.vs["name"] = list(nodes)
    try:
        graph.add_edges(edges)
    except ValueError as missing:  # igraph: "no such vertex: 'x'"
        raise ValueError(f"betweenness: an edge names a node not listed ({missing})") from None
    if sources == count:
        sources = None
    # Indices drawn from range(count) are the positions networkx draws from list(nodes).
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    drawn = None if sources is None else rng.sample(range(count), sources)
    if count < 3:
        return dict.fromkeys(nodes, 0.0)  # no node can lie between two others
    if drawn is not None and len(drawn) < 2:
        raise ValueError("betweenness: sampling needs at least 2 sources")
    if not graph.is_simple():  # checking is cheaper than simplifying a simple graph
        graph.simplify()  # a repeated edge would count as a second shortest path
    # igraph halves undirected counts; networkx scales counts over ordered pairs.
    if drawn is None:
        raw = graph.betweenness(directed=False)
        scale = 2.0 / ((count - 1) * (count - 2))
        return {node: raw[i] * scale for i, node in enumerate(nodes)}
    raw = graph.betweenness(directed=False, sources=drawn)
    k = len(drawn)
    scale_other = 2.0 / (k * (count - 2))
    scale_drawn = 2.0 / ((k - 1) * (count - 2))
    chosen = set(drawn)
    return {
        node: raw[i] * (scale_drawn if i in chosen else scale_other) for i, node in enumerate(nodes)
    }
