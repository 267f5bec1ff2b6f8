"""Who should meet, and who already connects: partnership-opportunities and brokers.

partnership-opportunities scores pairs of organisations that declare the same topics or
objectives but have never shared a project or an alliance. The score is Adamic-Adar on the
organisation - interest graph (a shared topic counts more the fewer organisations declare it),
normalised by the two organisations' own totals so that it lies in [0, 1]:

    score(a, b) = sum(w(z) for z shared) / sqrt(sum(w(z) for z of a) * sum(w(z) for z of b))
    w(z) = 1 / log(max(degree(z), 2))

It is computed on the two-hop neighbourhood of each organisation asked about (organisation ->
topic -> organisation), never on a projection of the whole interest graph.

brokers ranks organisations by betweenness centrality on the collaboration network (shared
projects and alliances), for the whole network or one objective's part of it, and says how many
otherwise separate groups each one links.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from graph.base import GraphStore
from queries.answer import Row
from queries.network import Node, Projections, projections
from queries.params import Bound
from sic.errors import NotFound

DISTANCE_CUTOFF = 4  # steps apart on the collaboration network worth reporting


def _weight(net: Projections, node: Node) -> float:
    return 1.0 / math.log(max(net.interests.degree(node), 2))


def _strength(net: Projections, org: str) -> float:
    node = ("organisation", org)
    return sum(_weight(net, z) for z in net.interests[node])


def _pairs_of(net: Projections, org: str) -> dict[str, float]:
    """Adamic-Adar sums from one organisation to every organisation two hops away."""
    node = ("organisation", org)
    sums: dict[str, float] = defaultdict(float)
    for z in sorted(net.interests[node]):
        w = _weight(net, z)
        for other in net.interests[z]:
            if other != node and other[0] == "organisation":
                sums[other[1]] += w
    return sums


def _shared_labels(net: Projections, a: str, b: str) -> list[str]:
    mine = set(net.interests[("organisation", a)])
    theirs = set(net.interests[("organisation", b)])
    shared = sorted(mine & theirs, key=lambda n: (n[0] != "topic", n[1]))
    labels: list[str] = []
    for kind, key in shared:
        if kind == "topic":
            labels.append(net.topics.label(key))
        else:
            labels.append(f"objective {key}")
    return labels


def opportunity_scores(
    net: Projections, organisations: Iterable[str]
) -> list[tuple[float, str, str]]:
    """(score, a, b) for each pair with shared interests and no shared project or alliance.

    With several organisations, each unordered pair appears once (a < b).
    """
    asked = sorted(set(organisations))
    single = len(asked) == 1
    collaborators = net.collaborators
    strength: dict[str, float] = {}
    found: list[tuple[float, str, str]] = []
    for a in asked:
        for b, shared in _pairs_of(net, a).items():
            if not single and b < a and b in asked:
                continue
            if collaborators.has_edge(a, b):
                continue
            for key in (a, b):
                if key not in strength:
                    strength[key] = _strength(net, key)
            norm = math.sqrt(strength[a] * strength[b])
            score = round(min(shared / norm, 1.0), 6) if norm else 0.0
            pair = (a, b) if single or a < b else (b, a)
            found.append((score, pair[0], pair[1]))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    return found


def partnership_opportunities(store: GraphStore, bound: Bound) -> list[Row]:
    net = projections(store)
    org = bound.text("organisation")
    if org is not None and org not in net.organisations:
        raise NotFound(f"no organisation {org!r}")
    asked = [org] if org is not None else sorted(net.organisations)
    top = bound.integer("top", 20)
    rows: list[Row] = []
    reach: dict[str, dict[str, int]] = {}
    for score, a, b in opportunity_scores(net, asked)[:top]:
        if a not in reach:
            reach[a] = net.distances([a], cutoff=DISTANCE_CUTOFF)
        hops = reach[a].get(b)
        rows.append(
            {
                "organisation_a": a,
                "organisation_a_name": net.name(a),
                "organisation_b": b,
                "organisation_b_name": net.name(b),
                "score": score,
                "shared": _shared_labels(net, a, b),
                "distance": hops,
            }
        )
    return rows


OPPORTUNITY_COLUMNS = (
    "organisation_a",
    "organisation_a_name",
    "organisation_b",
    "organisation_b_name",
    "score",
    "shared",
    "distance",
)


def separated_groups(graph: nx.Graph, node: str) -> int:
    """How many separate groups the node's collaborators would fall into without it."""
    neighbours = set(graph[node])
    if len(neighbours) < 2:
        return len(neighbours)
    rest = graph.subgraph(n for n in graph if n != node)
    groups = 0
    seen: set[str] = set()
    for start in sorted(neighbours):
        if start in seen:
            continue
        groups += 1
        seen |= nx.node_connected_component(rest, start) & neighbours
    return groups


def brokers(store: GraphStore, bound: Bound) -> list[Row]:
    net = projections(store)
    objective = bound.text("objective")
    if objective is not None and objective not in net.objective_labels:
        raise NotFound(f"no objective {objective!r}")
    graph = net.objective_graph(objective)
    centrality = net.brokers(objective)
    ranked = sorted(
        (k for k, v in centrality.items() if v > 0), key=lambda k: (-round(centrality[k], 6), k)
    )
    groups: dict[str, set[Node]] = defaultdict(set)
    for a, b, data in graph.edges(data=True):
        groups[a].update(data["groups"])
        groups[b].update(data["groups"])
    rows: list[Row] = []
    for rank, key in enumerate(ranked[: bound.integer("top", 10)], start=1):
        org = net.organisations.get(key)
        rows.append(
            {
                "rank": rank,
                "organisation": key,
                "name": org.name if org else key,
                "type": org.type if org else None,
                "betweenness": round(centrality[key], 4),
                "collaborators": graph.degree(key),
                "groups": len(groups[key]),
                "links_groups": separated_groups(graph, key),
            }
        )
    return rows


BROKER_COLUMNS = (
    "rank",
    "organisation",
    "name",
    "type",
    "betweenness",
    "collaborators",
    "groups",
    "links_groups",
)
