"""candidates-for-project: who should join a project's team, with reasons that add up."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.embedded import EmbeddedStore
from queries import team
from queries.candidates import candidates_for_project
from queries.holdout import HeldOut, draw_cases
from queries.learned import activity_of
from queries.network import projections
from queries.params import Bound
from sic import iris
from sic.errors import NotFound


def _ask(store: EmbeddedStore, project: str, top: int = 10) -> list[dict[str, object]]:
    term = ox.NamedNode(str(iris.mint("project", project, store.base)))
    return candidates_for_project(store, Bound({"project": project, "top": top}, {"project": term}))


def _projects(store: EmbeddedStore) -> list[str]:
    net = projections(store)
    return sorted(g[1] for g in net.members_of if g[0] == "project")


def test_candidates_are_new_ranked_and_their_reasons_add_up(reference: EmbeddedStore) -> None:
    net = projections(reference)
    for project in _projects(reference):
        rows = _ask(reference, project, top=5)
        on_team = {m.organisation for m in net.members_of[("project", project)]}
        assert len(rows) <= 5
        assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
        scores = [float(r["score"]) for r in rows]  # type: ignore[arg-type]
        assert scores == sorted(scores, reverse=True)
        for row in rows:
            assert row["organisation"] not in on_team
            reasons = row["reasons"]
            assert isinstance(reasons, list)
            total = sum(r["weight"] * r["value"] for r in reasons)
            assert total == pytest.approx(row["score"], abs=1e-3)


def test_a_held_out_partner_comes_back_near_the_top(reference: EmbeddedStore) -> None:
    """Take each live project's partner away in turn: most come back in the top 10."""
    net = projections(reference)
    cases = draw_cases(net, 100, seed=11)
    found = 0
    for case in cases:
        held = HeldOut(reference, [(case.partner, case.group)], base=net)
        topics_of = {a: activity_of(reference, held, a).topics for a in case.activities}
        ctx = team.project_context(reference, held, case.project, topics_of=topics_of)
        assert case.partner not in ctx.team
        ranked = [c.organisation.key for c in team.ProjectMatcher(held, ctx).candidates()]
        found += case.partner in ranked[:10]
    assert found >= len(cases) // 2


def test_an_unknown_project_is_not_found(reference: EmbeddedStore) -> None:
    with pytest.raises(NotFound):
        _ask(reference, "no-such-project")


def test_the_context_says_where_the_project_takes_place(reference: EmbeddedStore) -> None:
    """asia-demo-farms takes place in IN, BD and VN; one partner also works in Latin America."""
    net = projections(reference)
    ctx = team.project_context(reference, net, "asia-demo-farms", topics_of={})
    assert ctx.countries == ("BD", "IN", "VN")
    assert ctx.place_regions == {"034", "035"}  # Southern Asia, South-eastern Asia
    assert "419" in team.ProjectMatcher(net, ctx).team_regions  # the team's, unchanged
    incubator = team.project_context(reference, net, "soil-project-incubator", topics_of={})
    assert (incubator.countries, incubator.place_regions) == ((), frozenset())
