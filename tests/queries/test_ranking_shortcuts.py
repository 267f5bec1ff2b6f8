"""The shortcuts the ranking questions take at scale give the plain way's answers, exactly.

candidates-for-activity and -project sum weights over a tuple rather than a dict, keep values
per organisation type and region set; funders-for-* writes reasons for the offers shown only;
alliance-composition scores only organisations that could still be added; partnership-
opportunities stops its distance search once the pairs shown are reached. Each is checked here
against the plain computation it stands for, on the bundled reference data.
"""

from __future__ import annotations

import datetime as dt
import random

import networkx as nx
import pyoxigraph as ox
import pytest

from graph.embedded import EmbeddedStore
from queries import funders, matching, team
from queries.alliance import covered_by, covers_some, greedy_cover, needs_of, still_missing
from queries.learned import activity_of
from queries.network import Projections, projections
from queries.params import Bound
from queries.scoring import PRECISION, ranked
from sic import iris

DAYS = (dt.date(2000, 1, 1), dt.date.today(), dt.date(2100, 1, 1))


def _bound(store: EmbeddedStore, kind: str, key: str) -> Bound:
    return Bound({kind: key}, {kind: ox.NamedNode(str(iris.mint(kind, key, store.base)))})


def _activities(net: Projections) -> list[str]:
    return sorted({a for pairs in net.group_activities.values() for a, _ in pairs})


def _projects(net: Projections) -> list[str]:
    return sorted(g[1] for g in net.members_of if g[0] == "project")


def _shuffled_weights(names: list[str], seed: int) -> dict[str, float]:
    """Weights as a fit may give them: other values, other order, some signals missing."""
    rng = random.Random(seed)
    kept = [n for n in names if rng.random() < 0.8]
    rng.shuffle(kept)
    return {n: rng.random() for n in kept}


def _assert_ranked_as_plainly(
    candidates: list[matching.Candidate],
    weights: dict[str, float],
    signals: list[str],
    links: tuple[str, ...],
) -> None:
    for c in candidates:
        assert list(c.values) == signals
        plain = sum(weights.get(s, 0.0) * v for s, v in c.values.items())
        assert c.score == round(plain, PRECISION)
        assert any(c.values[s] > 0 for s in links)
    assert candidates == ranked(candidates, lambda c: c.score, lambda c: c.organisation.key)


def test_activity_candidates_are_scored_and_ranked_as_plainly(
    reference: EmbeddedStore,
) -> None:
    net = projections(reference)
    for n, activity in enumerate(_activities(net)):
        ctx = matching.activity_context(reference, net, _bound(reference, "activity", activity))
        for weights in (dict(matching.WEIGHTS), _shuffled_weights(list(matching.WEIGHTS), n)):
            matcher = matching.ActivityMatcher(net, ctx, weights)
            found = matcher.candidates(wide=n % 2 == 0)
            _assert_ranked_as_plainly(found, weights, list(matching.WEIGHTS), matching.LINKS)
            for top in (1, 3, 10):
                again = matching.ActivityMatcher(net, ctx, weights)
                assert again.candidates(wide=n % 2 == 0, top=top) == found[:top]
            fresh = matching.ActivityMatcher(net, ctx, weights)  # nothing kept from the above
            for c in found:  # Adamic-Adar may be summed in another order: a last digit
                assert fresh.values(c.organisation) == pytest.approx(c.values, rel=1e-12)
            listed = {c.organisation.key for c in found}
            for key in matcher.neighbourhood(wide=n % 2 == 0):
                if key not in listed:
                    values = fresh.values(net.organisations[key])
                    assert not any(values[s] > 0 for s in matching.LINKS)


def test_project_candidates_are_scored_and_ranked_as_plainly(reference: EmbeddedStore) -> None:
    net = projections(reference)
    for n, project in enumerate(_projects(net)):
        pairs = net.group_activities.get(("project", project), frozenset())
        topics_of = {a: activity_of(reference, net, a).topics for a, _ in pairs}
        ctx = team.project_context(reference, net, project, topics_of=topics_of)
        for weights in (dict(team.WEIGHTS), _shuffled_weights(list(team.WEIGHTS), n)):
            matcher = team.ProjectMatcher(net, ctx, weights)
            found = matcher.candidates()
            _assert_ranked_as_plainly(found, weights, list(team.WEIGHTS), team.LINKS)
            for top in (1, 3, 10):
                assert team.ProjectMatcher(net, ctx, weights).candidates(top=top) == found[:top]
            fresh = team.ProjectMatcher(net, ctx, weights)
            for c in found:  # Adamic-Adar may be summed in another order: a last digit
                assert fresh.values(c.organisation) == pytest.approx(c.values, rel=1e-12)


def test_alliance_scores_only_who_could_be_added_and_adds_the_same(
    reference: EmbeddedStore,
) -> None:
    net = projections(reference)
    for activity in _activities(net):
        ctx = matching.activity_context(reference, net, _bound(reference, "activity", activity))
        needs = needs_of(net, ctx.topics or ctx.objective_topics, ctx.facility)
        started = [net.organisations[k] for k in sorted(ctx.team) if k in net.organisations]
        missing = still_missing(net, started, needs)
        useful = covers_some(net, missing)
        everyone = matching.ActivityMatcher(net, ctx).candidates(wide=True)
        for c in everyone:
            assert useful(c.organisation) == bool(covered_by(net, c.organisation, missing))
        few = matching.ActivityMatcher(net, ctx).candidates(wide=True, among=useful)
        assert few == [c for c in everyone if useful(c.organisation)]
        for size in (1, 5, 12):
            whole = greedy_cover(
                [(c.organisation, c.score) for c in everyone], started, net, needs, size
            )
            pruned = greedy_cover(
                [(c.organisation, c.score) for c in few], started, net, needs, size
            )
            assert pruned == whole
            assert whole[1] <= missing


def test_the_offers_shown_are_the_first_of_all_offers(reference: EmbeddedStore) -> None:
    net = projections(reference)
    for project in _projects(net):
        ctx = funders.project_context(reference, net, _bound(reference, "project", project))
        matcher = funders.FunderMatcher(net, ctx)
        for day in DAYS:
            every = matcher.offers(day)
            for top in (1, 5, 200):
                assert matcher.top_offers(day, top) == every[:top]


def test_a_distance_search_stopped_early_finds_the_same_distances(
    reference: EmbeddedStore,
) -> None:
    net = projections(reference)
    organisations = sorted(net.collaborators.nodes)
    rng = random.Random(5)
    for a in organisations[:40]:
        full = net.distances([a], cutoff=4)
        wanted = set(rng.sample(organisations, min(5, len(organisations))))
        early = net.distances([a], cutoff=4, until=wanted)
        assert {b: early.get(b) for b in wanted} == {b: full.get(b) for b in wanted}
        assert all(full[b] == hops for b, hops in early.items())


def _collaborators_edge_by_edge(net: Projections, objective: str | None) -> nx.Graph:
    """The collaboration network built the plain way: networkx, one edge at a time."""
    groups = net.members_of if objective is None else net.groups_for_objective(objective)
    graph = nx.Graph()
    for group in sorted(groups):
        orgs = sorted({m.organisation for m in net.members_of.get(group, ())})
        graph.add_nodes_from(orgs)
        for i, a in enumerate(orgs):
            for b in orgs[i + 1 :]:
                if graph.has_edge(a, b):
                    graph[a][b]["groups"].append(group)
                else:
                    graph.add_edge(a, b, groups=[group])
    return graph


def test_the_collaboration_network_is_built_as_edge_by_edge(reference: EmbeddedStore) -> None:
    """Same nodes, same neighbours in the same order, same groups on each edge: betweenness
    and every walk over the network see the same thing."""
    net = projections(reference)
    for objective in (None, *sorted(net.objective_labels)):
        built = net._collaborators(objective)
        plain = _collaborators_edge_by_edge(net, objective)
        assert list(built.nodes) == list(plain.nodes)
        for node in plain:
            assert list(built.adj[node]) == list(plain.adj[node])
            for other, data in plain.adj[node].items():
                assert built.adj[node][other] == data
        assert list(built.edges) == list(plain.edges)
