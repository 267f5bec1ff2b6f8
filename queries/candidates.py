"""The two partner-ranking questions: candidates-for-activity and candidates-for-project.

The matchers (queries.matching, queries.team) score; queries.learned fits their weights on the
store's history. This module stands above the three and answers the questions with the weights
of the store's current version.
"""

from __future__ import annotations

from graph.base import GraphStore
from queries import matching, team
from queries.analysis import analysis, code_param, top_param
from queries.answer import Row
from queries.learned import learned
from queries.matching import ActivityMatcher, activity_context
from queries.network import projections
from queries.params import Bound
from queries.sentences import LANG, speaker_for


@analysis(
    "Organisations ranked by fit for an activity, with the reasons.",
    description=(
        "Scores in [0, 1] add up weighted signals: topics shared with the activity and its"
        " objective (a topic hierarchy counts partial matches), declared interest in the"
        " objective, a Task Force seat on it, membership status, regions the team does not"
        " reach, organisation types the team lacks, past collaboration with and network"
        " distance to the organisations already involved, and experience on the objective."
        " The weights are learned from the store's own past partnerships when it holds enough"
        " of them (see queries/learned.py), else set by hand."
        " Organisations already on a live project for the activity come first, apart, with"
        " involved = true and no rank."
    ),
    params=(
        code_param("activity", "the activity's code, e.g. A2.07", required=True),
        top_param(10, 200, "candidates"),
        LANG,
    ),
    columns="rank organisation name type status score involved reasons signals",
)
def candidates_for_activity(store: GraphStore, bound: Bound) -> list[Row]:
    """The involved organisations first (apart), then the top candidates by score."""
    net = projections(store)
    weights = learned(store, net, "activity").weights
    matcher = ActivityMatcher(net, activity_context(store, net, bound), weights)
    top = bound.integer("top", 10)
    speaker = speaker_for(bound, net.labels)
    ranked_candidates = matcher.candidates(top=top)
    rows = matcher.involved_rows(speaker)
    rows.extend(
        matching.candidate_row(matcher, i, c, speaker)
        for i, c in enumerate(ranked_candidates, start=1)
    )
    return rows


@analysis(
    "Organisations ranked to complete a project's team, with the reasons.",
    description=(
        "For one project: who should join its team, given its lead, its partners and the"
        " activities it addresses. Scores in [0, 1] add up weighted signals: the project's"
        " topics (a topic hierarchy counts partial matches), past work with its lead and with"
        " its team, collaborators shared with the team (Adamic-Adar), an alliance shared with"
        " the team, Task Force seats and interests on its objectives, experience on its"
        " activities, regions in common with the team, kinds of organisation the team lacks"
        " and membership status. Organisations already on the team are never listed. The"
        " weights are learned from the store's own past partnerships when it holds enough of"
        " them, else set by hand."
    ),
    params=(
        code_param("project", "the project's key", required=True),
        top_param(10, 200, "candidates"),
        LANG,
    ),
    columns="rank organisation name type status score reasons signals",
)
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
    speaker = speaker_for(bound, net.labels)
    return [
        team.candidate_row(matcher, i, c, speaker)
        for i, c in enumerate(matcher.candidates(top=top), 1)
    ]
