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
from collections import defaultdict, deque
from collections.abc import Container, Iterable

import networkx as nx

from graph.base import GraphStore
from queries.analysis import analysis, code_param, top_param
from queries.answer import Row
from queries.network import Node, Projections, projections
from queries.params import Bound
from queries.scoring import shown
from sic.errors import NotFound

DISTANCE_CUTOFF = 4  # steps apart on the collaboration network worth reporting


def _weight(net: Projections, node: Node) -> float:
    return 1.0 / math.log(max(net.interests.degree(node), 2))


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


def _shared(net: Projections, a: str, b: str) -> list[tuple[str, str]]:
    """The interests two organisations share, (kind, key): topics first, then objectives."""
    mine = set(net.interests[("organisation", a)])
    theirs = set(net.interests[("organisation", b)])
    return sorted(mine & theirs, key=lambda n: (n[0] != "topic", n[1]))


def _shared_labels(net: Projections, a: str, b: str) -> list[str]:
    labels: list[str] = []
    for kind, key in _shared(net, a, b):
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
    weights: dict[Node, float] = {}  # each interest's weight, once per call (it is shared)
    interests = net.interests

    def _strength(org: str) -> float:
        """The sum of the weights of the organisation's interests (the score's norm)."""
        total = 0.0
        for z in interests[("organisation", org)]:
            w = weights.get(z)
            if w is None:
                w = weights[z] = _weight(net, z)
            total += w
        return total

    found: list[tuple[float, str, str]] = []
    for a in asked:
        for b, shared in _pairs_of(net, a).items():
            if not single and b < a and b in asked:
                continue
            if collaborators.has_edge(a, b):
                continue
            for key in (a, b):
                if key not in strength:
                    strength[key] = _strength(key)
            norm = math.sqrt(strength[a] * strength[b])
            score = round(min(shared / norm, 1.0), 6) if norm else 0.0
            pair = (a, b) if single or a < b else (b, a)
            found.append((score, pair[0], pair[1]))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    return found


def _known(bound: Bound, param: str, keys: Container[str]) -> str | None:
    """The key an optional `code` parameter gives, if any, once it is known to exist.

    :raises NotFound: if no entity of the parameter's kind has that key.
    """
    key = bound.text(param)
    if key is not None and key not in keys:
        raise NotFound(f"no {param} {key!r}")
    return key


@analysis(
    "Pairs of organisations with shared interests that have never worked together.",
    description=(
        "Adamic-Adar on the organisation - topic/objective graph, normalised to [0, 1],"
        " computed on the two-hop neighbourhood; pairs that share a project or an alliance"
        " are left out. distance is the number of steps between them on the collaboration"
        " network (empty when not connected within four steps). shared names the shared"
        " interests in English, shared_keys gives each as {kind, key} (topic or objective),"
        " for a reader that names them in its own language."
    ),
    params=(
        code_param("organisation", "only pairs that include this organisation (its id)"),
        top_param(20, 1000, "pairs"),
    ),
    columns=(
        "organisation_a organisation_a_name organisation_b organisation_b_name score "
        "shared distance shared_keys"
    ),
)
def partnership_opportunities(store: GraphStore, bound: Bound) -> list[Row]:
    """The best-scored pairs, for one organisation or for all, with their shared interests."""
    net = projections(store)
    org = _known(bound, "organisation", net.organisations)
    asked = [org] if org is not None else sorted(net.organisations)
    rows: list[Row] = []
    top = opportunity_scores(net, asked)[: bound.integer("top", 20)]
    wanted: dict[str, set[str]] = defaultdict(set)
    for _, a, b in top:
        wanted[a].add(b)
    reach: dict[str, dict[str, int]] = {}
    for score, a, b in top:
        if a not in reach:  # a search only as far as the pairs shown need
            reach[a] = net.distances([a], cutoff=DISTANCE_CUTOFF, until=wanted[a])
        hops = reach[a].get(b)
        rows.append(
            {
                "organisation_a": a,
                "organisation_a_name": net.name(a),
                "organisation_b": b,
                "organisation_b_name": net.name(b),
                "score": shown(score),
                "shared": _shared_labels(net, a, b),
                "distance": hops,
                "shared_keys": [{"kind": k, "key": v} for k, v in _shared(net, a, b)],
            }
        )
    return rows


def separated_groups(graph: nx.Graph, node: str) -> int:
    """How many separate groups the node's collaborators would fall into without it.

    One search per collaborator, advanced in turn, one visited organisation at a time, on the
    network without the node; searches that meet join, and the count is known once at most one
    is still running. So a broker between a large group and a small one costs about the small
    group, not the whole network (a search per collaborator to the end of its component took
    0.4 s per broker at M).
    """
    neighbours = sorted(n for n in graph[node] if n != node)
    if len(neighbours) < 2:
        return len(neighbours)
    owner = {n: i for i, n in enumerate(neighbours)}  # organisation -> search that reached it
    joined = list(range(len(neighbours)))  # search -> the search it joined (union-find)
    queues = {i: deque([n]) for i, n in enumerate(neighbours)}  # running searches

    def root(i: int) -> int:
        while joined[i] != i:
            joined[i] = joined[joined[i]]
            i = joined[i]
        return i

    while len(queues) > 1:
        for i in list(queues):
            if i not in queues:
                continue  # joined another search in this round
            queue = queues[i]
            if not queue:
                del queues[i]  # its group is complete
                continue
            for other in graph[queue.popleft()]:
                if other == node:
                    continue
                j = owner.get(other)
                if j is None:
                    owner[other] = i
                    queue.append(other)
                elif (j := root(j)) != i:
                    joined[j] = i
                    queue.extend(queues.pop(j, ()))
    return len({root(i) for i in range(len(neighbours))})


@analysis(
    "Organisations that bridge otherwise separate groups (betweenness centrality).",
    description=(
        "Betweenness on the organisation - organisation collaboration network (shared"
        " projects and alliances), normalised to [0, 1]; with an objective, only the projects"
        " and alliances that address its activities. links_groups is how many separate groups"
        " its collaborators would fall into without it."
    ),
    params=(
        code_param("objective", "only the collaboration around this objective"),
        top_param(10, 1000, "organisations"),
    ),
    columns="rank organisation name type betweenness collaborators groups links_groups",
)
def brokers(store: GraphStore, bound: Bound) -> list[Row]:
    """Organisations by betweenness, on the whole network or around one objective."""
    net = projections(store)
    objective = _known(bound, "objective", net.objective_labels)
    graph = net.objective_graph(objective)
    centrality = net.brokers(objective)
    ranked = sorted(
        (k for k, v in centrality.items() if v > 0), key=lambda k: (-round(centrality[k], 6), k)
    )
    rows: list[Row] = []
    for rank, key in enumerate(ranked[: bound.integer("top", 10)], start=1):
        org = net.organisations.get(key)
        rows.append(
            {
                "rank": rank,
                "organisation": key,
                "name": org.name if org else key,
                "type": org.type if org else None,
                "betweenness": shown(centrality[key]),
                "collaborators": graph.degree(key),
                "groups": len({g for link in graph[key].values() for g in link["groups"]}),
                "links_groups": separated_groups(graph, key),
            }
        )
    return rows
