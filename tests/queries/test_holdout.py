"""Held-out partnerships: taking a pair away in the projections is deleting its triple."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from graph.embedded import EmbeddedStore
from graph.update import Delta
from queries.holdout import HeldOut, draw_cases
from queries.network import Projections, projections
from sic import iris

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
PARTNER = ox.NamedNode("https://w3id.org/4p1000/ontology#partner")


def _deleted(store: EmbeddedStore, pairs: list[tuple[str, str]]) -> None:
    """Delete `project sic:partner organisation` from whichever graph holds it."""
    removed: dict[str, set[ox.Triple]] = {}
    for organisation, project in pairs:
        s = ox.NamedNode(str(iris.mint("project", project, store.base)))
        o = ox.NamedNode(str(iris.mint("organisation", organisation, store.base)))
        for quad in store.raw.quads_for_pattern(s, PARTNER, o, None):
            assert isinstance(quad.graph_name, ox.NamedNode)
            removed.setdefault(quad.graph_name.value, set()).add(ox.Triple(s, PARTNER, o))
    assert sum(len(t) for t in removed.values()) == len(pairs)
    store.apply(Delta(removed=removed))


def test_held_out_projections_equal_a_store_without_the_triples(
    load_workbook: Callable[[Path], EmbeddedStore],
) -> None:
    store = load_workbook(REFERENCE)
    full = projections(store)
    cases = draw_cases(full, 8, seed=3)
    assert len(cases) == 8
    held = HeldOut(store, [(c.partner, c.group) for c in cases], base=full)
    unshared = HeldOut(store, [(c.partner, c.group) for c in cases])
    _deleted(store, [(c.partner, c.project) for c in cases])
    truth = Projections(store, store.version())
    assert held.memberships == truth.memberships == unshared.memberships
    edges = {frozenset(e) for e in truth.collaborators.edges}
    assert {frozenset(e) for e in held.collaborators.edges} == edges
    for case in cases:
        assert case.partner not in {m.organisation for m in held.members_of[case.group]}


def test_cases_are_one_per_live_project_seeded_and_spread_over_objectives(
    reference: EmbeddedStore,
) -> None:
    net = projections(reference)
    cases = draw_cases(net, 100, seed=7)
    assert cases == draw_cases(net, 100, seed=7)
    assert cases != draw_cases(net, 100, seed=8)
    projects = [c.project for c in cases]
    assert len(projects) == len(set(projects))
    for case in cases:
        members = net.members_of[case.group]
        assert members[0].live
        assert case.partner in {m.organisation for m in members if m.role == "partner"}
        assert case.partner not in case.team
        assert case.lead in {m.organisation for m in members if m.role == "lead"}
    live = {
        g
        for g, ms in net.members_of.items()
        if g[0] == "project"
        and ms[0].live
        and any(m.role == "partner" for m in ms)
        and net.group_activities.get(g)
    }
    assert len(cases) == len(live)  # all of them, when fewer than asked
    few = draw_cases(net, 6, seed=7)
    per_objective = Counter(c.objective for c in few)
    assert max(per_objective.values()) - min(per_objective.values()) <= 1


def test_the_activity_asked_is_one_the_partner_no_longer_works_on(
    reference: EmbeddedStore,
) -> None:
    net = projections(reference)
    cases = draw_cases(net, 100, seed=1)
    held = HeldOut(reference, [(c.partner, c.group) for c in cases], base=net)
    assert any(c.activity is not None for c in cases)
    for case in cases:
        if case.activity is None:
            continue
        assert case.activity in case.activities
        on_it = {
            m.organisation
            for m in held.activity_memberships(case.activity)
            if m.group[0] == "project" and m.live
        }
        assert case.partner not in on_it


def test_history_takes_every_project_not_only_live_ones(reference: EmbeddedStore) -> None:
    net = projections(reference)
    live = draw_cases(net, 100, seed=1)
    every = draw_cases(net, 100, seed=1, live_only=False)
    assert len(every) > len(live)
    assert any(not net.members_of[c.group][0].live for c in every)
