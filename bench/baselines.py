"""The rankings a partner recommender must beat, computed on the same held-out projections.

Each baseline scores every organisation of the store for one target: the organisations
already at work (the `team`) and the topics asked for. The link-prediction baselines read the
organisation - organisation collaboration network (an edge per shared project or alliance):

- random: a seeded shuffle (what chance gets);
- popularity: number of projects and alliances an organisation is in (preferential attachment);
- shared topics: how many of the wanted topics (exact codes) the organisation declares;
- common neighbours: sum over the team of collaborators shared with each team member;
- Adamic-Adar: the same, each shared collaborator weighted by 1 / log(its degree), so that a
  hub that worked with everyone counts little.

Ties are broken at random (seeded per case), never by key, so a baseline cannot profit from
the order keys were minted in.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from queries.network import Projections

Scores = Mapping[str, float]


@dataclass(frozen=True)
class Target:
    """What a ranking is asked: complete this team, with these topics in mind."""

    team: frozenset[str]
    topics: frozenset[str]


def random_scores(net: Projections, target: Target) -> Scores:
    return {}


def popularity(net: Projections, target: Target) -> Scores:
    return {org: float(len(places)) for org, places in net.places_of.items()}


def shared_topics(net: Projections, target: Target) -> Scores:
    return {
        key: float(len(org.topics & target.topics))
        for key, org in net.organisations.items()
        if org.topics & target.topics
    }


def common_neighbours(net: Projections, target: Target) -> Scores:
    return _neighbour_sum(net, target, lambda degree: 1.0)


def adamic_adar(net: Projections, target: Target) -> Scores:
    return _neighbour_sum(net, target, lambda degree: 1.0 / math.log(degree) if degree > 1 else 0)


def _neighbour_sum(net: Projections, target: Target, weight: Callable[[int], float]) -> Scores:
    """Sum over team members t and shared collaborators z of weight(deg z), for every org."""
    graph = net.collaborators
    scores: dict[str, float] = {}
    for member in target.team:
        if member not in graph:
            continue
        for z in graph[member]:
            w = weight(graph.degree(z))
            if not w:
                continue
            for candidate in graph[z]:
                if candidate != member:
                    scores[candidate] = scores.get(candidate, 0.0) + w
    return scores


BASELINES: dict[str, Callable[[Projections, Target], Scores]] = {
    "random": random_scores,
    "popularity": popularity,
    "shared topics": shared_topics,
    "common neighbours": common_neighbours,
    "Adamic-Adar": adamic_adar,
}


def rank_of(
    wanted: str, scores: Scores, universe: Collection[str], exclude: Collection[str], seed: int
) -> float:
    """The 1-based rank of `wanted` among `universe - exclude` by score, ties at random.

    The expected rank within its tie group is used (so MRR and recall need no shuffle to be
    fair): with k organisations scoring strictly more and t others scoring the same, a rank
    drawn uniformly from k+1 .. k+t+1. The draw is seeded, so reruns agree.
    """
    mine = scores.get(wanted, 0.0)
    above = same = 0
    for org in universe:
        if org == wanted or org in exclude:
            continue
        value = scores.get(org, 0.0)
        if value > mine:
            above += 1
        elif value == mine:
            same += 1
    return float(above + 1 + random.Random(f"{seed}:{wanted}").randint(0, same))


def rank_in_list(wanted: str, ranked: Sequence[str], universe_size: int, seed: int) -> float:
    """The rank of `wanted` in a ranked list; after the list (ties at random) when not in it."""
    try:
        return float(ranked.index(wanted) + 1)
    except ValueError:
        rest = max(universe_size - len(ranked), 1)
        return float(len(ranked) + 1 + random.Random(f"{seed}:{wanted}").randint(0, rest - 1))
