"""The two partner-ranking questions: candidates-for-activity and candidates-for-project.

The matchers (queries.matching, queries.team) score; queries.learned fits their weights on the
store's history. This module stands above the three and answers the questions with the weights
of the store's current version.
"""

from __future__ import annotations

from graph.base import GraphStore
from queries import matching, team
from queries.answer import Row
from queries.learned import learned
from queries.matching import ActivityMatcher, activity_context
from queries.network import projections
from queries.params import Bound


def candidates_for_activity(store: GraphStore, bound: Bound) -> list[Row]:
    """The involved organisations first (apart), then the top candidates by score."""
    net = projections(store)
    weights = learned(store, net, "activity").weights
    matcher = ActivityMatcher(net, activity_context(store, net, bound), weights)
    top = bound.integer("top", 10)
    ranked_candidates = matcher.candidates()[:top]
    rows = matcher.involved_rows()
    rows.extend(
        matching.candidate_row(matcher, i, c) for i, c in enumerate(ranked_candidates, start=1)
    )
    return rows


def candidates_for_project(store: GraphStore, bound: Bound) -> list[Row]:
    """The top organisations to complete a project's team, with their reasons."""
    net = projections(store)
    key = bound.text("project") or ""
    pairs = net.group_activities.get(("project", key), frozenset())
    ctx = team.project_context(
        store, net, key, topics_of=team.activity_topics(store, [a for a, _ in pairs])
    )
    matcher = team.ProjectMatcher(net, ctx, learned(store, net, "project").weights)
    top = bound.integer("top", 10)
    return [team.candidate_row(matcher, i, c) for i, c in enumerate(matcher.candidates()[:top], 1)]
