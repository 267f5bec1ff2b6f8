"""Who could take on an activity, and why: candidates-for-activity.

Only the activity itself is read with SPARQL (its objective, facility and topics, bound as
terms); everything about organisations comes from the projections cached per store version,
and only organisations in the activity's neighbourhood are scored: those declaring one of its
topics (or a topic one or two steps away), an interest in its objective, a seat on its Task
Force, or a collaborator within two hops of the current team.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph.base import GraphStore
from queries.analysis import analysis, code_param, top_param
from queries.answer import Row
from queries.hierarchy import MAX_STEPS
from queries.network import Membership, Organisation, Projections, projections
from queries.params import Bound
from queries.scoring import (
    PRECISION,
    Reason,
    TopicScorer,
    listing,
    match_topics,
    near_topics,
    ranked,
    reasons_out,
    signals_out,
    topic_text,
)
from queries.sparql import entity_row, named_rows

WEIGHTS = {
    # What the organisation can do for this activity: the dominant signal.
    "activity_topics": 0.40,
    "objective_topics": 0.05,
    # How engaged it already is with the objective.
    "task_force": 0.10,
    "interest": 0.08,
    "experience": 0.03,
    # Standing in the Initiative and reach.
    "membership": 0.05,
    "regions": 0.04,
    # How it completes the team already at work.
    "team_types": 0.10,
    "collaboration": 0.10,
    "network_distance": 0.05,
}
# Signals that put an organisation in the activity's neighbourhood; the others only rank it.
NEIGHBOURHOOD = ("activity_topics", "objective_topics", "interest", "task_force", "experience")
NEIGHBOURHOOD_NETWORK = ("collaboration", "network_distance")

ROLE_VALUE = {"leader": 1.0, "regional_representative": 0.8, "member": 0.5}
ROLE_NAME = {
    "leader": "Task Force Leader",
    "regional_representative": "Regional Representative",
    "member": "Task Force member",
}
STATUS_VALUE = {"member": 1.0, "partner": 0.8, "friend": 0.3}
STATUS_TEXT = {
    "member": "A Member of the Initiative (Consortium of Members)",
    "partner": "A Partner of the Initiative",
    "friend": "A Friend of the Initiative (supports without joining)",
}
# What a Global Facility alliance needs: research, practice on the ground, money or mandate.
NEEDED_GROUPS: dict[str, frozenset[str]] = {
    "research institution": frozenset({"research"}),
    "producers' organisation or NGO": frozenset({"producers", "ngo"}),
    "funder or public body": frozenset({"donor", "state", "international"}),
}
TYPE_LABEL = {
    "state": "state or local authority",
    "international": "international organisation",
    "donor": "donor or foundation",
    "producers": "producers' organisation",
    "research": "research or education institution",
    "ngo": "civil society organisation (NGO)",
    "company": "private company",
}
NETWORK_CUTOFF = 2  # hops from the team that still count; beyond, a dense network reaches all


def _a(noun: str) -> str:
    """The noun with its indefinite article."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


@dataclass(frozen=True)
class ActivityContext:
    """An activity and what surrounds it: objective, topics, current team."""

    key: str
    title: str
    objective: str
    objective_title: str
    facility: str | None
    topics: tuple[str, ...]
    objective_topics: tuple[str, ...]
    team: dict[str, list[Membership]]  # organisation -> its places on live projects

    @property
    def what(self) -> str:
        return f"activity {self.key}"


def activity_context(store: GraphStore, net: Projections, bound: Bound) -> ActivityContext:
    """Read the activity (by its bound term) and find its team in the projections.

    :raises NotFound: if there is no such activity.
    """
    row = entity_row(store, "activity-context", bound, "activity")
    key = str(row["activity"])
    topics: dict[str, set[str]] = defaultdict(set)
    for t in named_rows(store, "activity-topics", activity=bound.term("activity")):
        topics[str(t["via"])].add(str(t["topic"]))
    team: dict[str, list[Membership]] = defaultdict(list)
    for m in net.activity_memberships(key):
        if m.group[0] == "project" and m.live:
            team[m.organisation].append(m)
    return ActivityContext(
        key=key,
        title=str(row.get("title") or key),
        objective=str(row["objective"]),
        objective_title=str(row.get("objective_title") or row["objective"]),
        facility=None if row.get("facility") is None else str(row["facility"]),
        topics=tuple(sorted(topics["activity"])),
        objective_topics=tuple(sorted(topics["objective"])),
        team=dict(team),
    )


@dataclass(frozen=True)
class Candidate:
    """One organisation scored for one activity."""

    organisation: Organisation
    score: float
    values: dict[str, float]


class ActivityMatcher:
    """Scores organisations for one activity; built once per request.

    Everything that does not depend on the organisation scored (the topics near the activity's,
    the team's collaborators, types and regions) is worked out here once, so that scoring one
    organisation is a handful of set lookups.
    """

    def __init__(self, net: Projections, ctx: ActivityContext) -> None:
        self.net = net
        self.ctx = ctx
        self.near = near_topics(net.topics, ctx.topics)
        self.near_objective = near_topics(net.topics, ctx.objective_topics)
        self.topic_scorer = TopicScorer(self.near)
        self.objective_scorer = TopicScorer(self.near_objective)
        self.seats = net.seats_on(ctx.objective)
        self.team = sorted(ctx.team)
        self.distance = net.distances(self.team, NETWORK_CUTOFF)
        self.worked_with: dict[str, list[str]] = defaultdict(list)
        graph = net.collaborators
        for member in self.team:
            for other in graph.adj.get(member, {}):
                self.worked_with[other].append(member)
        team_orgs = [o for k in self.team if (o := net.organisations.get(k)) is not None]
        self.team_types = {o.type for o in team_orgs if o.type}
        self.lacking = [g for g, types in NEEDED_GROUPS.items() if not types & self.team_types]
        team_regions = {r for o in team_orgs for r in o.regions}
        self.reached = team_regions | {d for r in team_regions for d in net.regions.descendants(r)}
        self.here = self._memberships(net.groups_for_activity(ctx.key))
        self.nearby = self._memberships(net.groups_for_objective(ctx.objective))

    def _memberships(self, groups: Iterable[tuple[str, str]]) -> dict[str, list[Membership]]:
        found: dict[str, list[Membership]] = defaultdict(list)
        for group in groups:
            for m in self.net.members_of.get(group, ()):
                found[m.organisation].append(m)
        return dict(found)

    # -- the neighbourhood -------------------------------------------------------------------

    def neighbourhood(self, *, wide: bool = False) -> list[str]:
        """Organisations worth scoring, found from the activity outwards, never by a scan.

        Those declaring one of its topics or a narrower one, an interest in its objective, or a
        seat on its Task Force; those who worked on it; the team's direct collaborators. Broader
        topics and the objective's topics only add to the score: popular general topics would
        otherwise pull in nearly every organisation. `wide` takes them in too, for when the few
        must be completed by kinds of organisation the close neighbourhood lacks.
        """
        found: set[str] = set()
        for near in (*self.near.values(), *self.near_objective.values()) if wide else ():
            for topic in near:
                found.update(self.net.declaring(("topic", topic)))
        for topic in self.ctx.topics:
            found.update(self.net.declaring(("topic", topic)))
            for narrower in self.net.topics.descendants(topic, MAX_STEPS):
                found.update(self.net.declaring(("topic", narrower)))
        found.update(self.net.declaring(("objective", self.ctx.objective)))
        found.update(self.seats)
        found.update(self.here)
        found.update(self.worked_with)
        return sorted(o for o in found - set(self.team) if o in self.net.organisations)

    # -- the signals: values for the whole neighbourhood, sentences for those shown ---------------

    def values(self, org: Organisation) -> dict[str, float]:
        """Every signal's value in [0, 1], in the order of WEIGHTS: a few set lookups each."""
        seats = self.seats.get(org.key, ())
        hops = self.distance.get(org.key, 0)
        team = len(self.team)
        return {
            "activity_topics": self.topic_scorer.value(org.topics),
            "objective_topics": self.objective_scorer.value(org.topics),
            "task_force": max((ROLE_VALUE.get(s.role, 0.0) for s in seats), default=0.0),
            "interest": 1.0 if self.ctx.objective in org.interests else 0.0,
            "experience": 1.0 if org.key in self.here else 0.5 if org.key in self.nearby else 0.0,
            "membership": STATUS_VALUE.get(org.status or "", 0.0),
            "regions": self._regions_value(org),
            "team_types": self._type_value(org.type or ""),
            "collaboration": len(self.worked_with.get(org.key, ())) / team if team else 0.0,
            "network_distance": 1.0 / hops if team and hops else 0.0,
        }

    def _regions_value(self, org: Organisation) -> float:
        if not org.regions:
            return 0.0
        if not self.team:
            return 1.0
        return sum(1 for r in org.regions if r not in self.reached) / len(org.regions)

    def _type_value(self, kind: str) -> float:
        if any(kind in NEEDED_GROUPS[g] for g in self.lacking):
            return 1.0
        return 0.5 if kind and kind not in self.team_types else 0.0

    def explain(self, org: Organisation, values: dict[str, float]) -> tuple[Reason, ...]:
        """The reasons behind the values, each with its sentence and evidence."""
        why = {
            "activity_topics": self._why_topics(org, self.near, "the activity"),
            "objective_topics": self._why_topics(
                org, self.near_objective, f"objective {self.ctx.objective}"
            ),
            "task_force": self._why_task_force(org),
            "interest": self._why_interest(org),
            "experience": self._why_experience(org),
            "membership": self._why_membership(org),
            "regions": self._why_regions(org),
            "team_types": self._why_type(org),
            "collaboration": self._why_collaboration(org),
            "network_distance": self._why_network(org),
        }
        return tuple(
            Reason(signal, WEIGHTS[signal], values[signal], text, tuple(evidence))
            for signal, (text, evidence) in why.items()
        )

    def _why_topics(
        self, org: Organisation, near: dict[str, dict[str, float]], what: str
    ) -> tuple[str, Sequence[str]]:
        match = match_topics(near, org.topics)
        return topic_text(self.net.topics, match, what), match.evidence

    def _why_task_force(self, org: Organisation) -> tuple[str, Sequence[str]]:
        seats = sorted(
            self.seats.get(org.key, ()), key=lambda s: (-ROLE_VALUE.get(s.role, 0), s.person)
        )
        if not seats:
            return f"No one on the {self.ctx.objective} Task Force", ()
        best = seats[0]
        where = f" for {self.net.regions.label(best.region)}" if best.region else ""
        text = (
            f"{best.name} is {ROLE_NAME.get(best.role, best.role)}{where}"
            f" on the {self.ctx.objective} Task Force"
        )
        if len(seats) > 1:
            text += f" ({len(seats)} seats in all)"
        return text, [s.person for s in seats]

    def _why_interest(self, org: Organisation) -> tuple[str, Sequence[str]]:
        objective = self.ctx.objective
        if objective in org.interests:
            return f"Declares an interest in objective {objective}", [objective]
        return f"Has not declared an interest in objective {objective}", ()

    def _why_experience(self, org: Organisation) -> tuple[str, Sequence[str]]:
        here = self.here.get(org.key, [])
        if here:
            titles = [f"{m.title} ({m.stage or m.group[0]})" for m in here]
            return f"Has worked on this activity: {listing(titles, 3)}", [m.group[1] for m in here]
        nearby = self.nearby.get(org.key, [])
        if nearby:
            where = listing([m.title for m in nearby], 3)
            return f"Works on objective {self.ctx.objective} in {where}", [
                m.group[1] for m in nearby
            ]
        return "No project or alliance on this objective yet", ()

    def _why_membership(self, org: Organisation) -> tuple[str, Sequence[str]]:
        status = org.status or ""
        text = STATUS_TEXT.get(status, "Not (yet) a Partner of the Initiative")
        return text, [status] if status else []

    def _why_regions(self, org: Organisation) -> tuple[str, Sequence[str]]:
        regions = sorted(org.regions)
        if not regions:
            return "Declares no region of work", ()
        new = [r for r in regions if r not in self.reached]
        labels = listing([self.net.regions.label(r) for r in new or regions])
        if not self.team:
            return f"Works in {labels}", regions
        if not new:
            return f"Works in {labels}, where the current team works", ()
        return f"Works in {labels}, which the current team does not reach", new

    def _why_type(self, org: Organisation) -> tuple[str, Sequence[str]]:
        kind = org.type or ""
        label = _a(TYPE_LABEL.get(kind, kind or "organisation of unknown type"))
        for group in self.lacking:
            if kind in NEEDED_GROUPS[group]:
                whose = "the current team lacks" if self.team else "no team has"
                return f"{label.capitalize()}: {whose} a {group} yet", [kind]
        if kind and kind not in self.team_types:
            return f"{label.capitalize()}, a type the current team does not have", [kind]
        return f"The current team already has {label}", ()

    def _why_collaboration(self, org: Organisation) -> tuple[str, Sequence[str]]:
        if not self.team:
            return "No live project addresses the activity yet", ()
        worked = sorted(self.worked_with.get(org.key, []))
        if not worked:
            return "Has not worked with the current team", ()
        groups = sorted({g for t in worked for g in self.net.shared_groups(org.key, t)})
        titles = [self.net.group_title(g) for g in groups]
        text = (
            f"Has worked with {listing([self.net.name(t) for t in worked])}"
            f" of the current team ({listing(titles, 3)})"
        )
        return text, worked

    def _why_network(self, org: Organisation) -> tuple[str, Sequence[str]]:
        hops = self.distance.get(org.key)
        if not self.team or not hops:
            return "Not within two steps of the current team on the collaboration network", ()
        if hops == 1:
            return "Works directly with the current team", ["1"]
        return f"{hops} steps from the current team on the collaboration network", [str(hops)]

    # -- the ranking ---------------------------------------------------------------------------

    def candidates(self, *, wide: bool = False) -> list[Candidate]:
        """Every organisation of the neighbourhood that shows a real link, best first."""
        out: list[Candidate] = []
        for key in self.neighbourhood(wide=wide):
            org = self.net.organisations[key]
            values = self.values(org)
            if any(values[s] > 0 for s in (*NEIGHBOURHOOD, *NEIGHBOURHOOD_NETWORK)):
                score = round(sum(WEIGHTS[s] * v for s, v in values.items()), PRECISION)
                out.append(Candidate(org, score, values))
        return ranked(out, lambda c: c.score, lambda c: c.organisation.key)

    def involved_rows(self) -> list[Row]:
        rows: list[Row] = []
        for key in self.team:
            org = self.net.organisations.get(key)
            places = sorted(self.ctx.team[key], key=lambda m: (m.group, m.role))
            texts = [f"{m.role.capitalize()} of {m.title} ({m.stage})" for m in places]
            rows.append(
                {
                    "rank": None,
                    "organisation": key,
                    "name": org.name if org else key,
                    "type": org.type if org else None,
                    "status": org.status if org else None,
                    "score": None,
                    "involved": True,
                    "reasons": [
                        {
                            "signal": "involved",
                            "weight": 0.0,
                            "value": 1.0,
                            "text": "; ".join(texts),
                            "evidence": [m.group[1] for m in places],
                        }
                    ],
                    "signals": {},
                }
            )
        return rows


def candidate_row(matcher: ActivityMatcher, rank: int, candidate: Candidate) -> Row:
    org = candidate.organisation
    reasons = matcher.explain(org, candidate.values)
    return {
        "rank": rank,
        "organisation": org.key,
        "name": org.name,
        "type": org.type,
        "status": org.status,
        "score": round(candidate.score, 4),
        "involved": False,
        "reasons": reasons_out(reasons),
        "signals": signals_out(reasons),
    }


@analysis(
    "Organisations ranked by fit for an activity, with the reasons.",
    description=(
        "Scores in [0, 1] add up weighted signals: topics shared with the activity and its"
        " objective (a topic hierarchy counts partial matches), declared interest in the"
        " objective, a Task Force seat on it, membership status, regions the team does not"
        " reach, organisation types the team lacks, past collaboration with and network"
        " distance to the organisations already involved, and experience on the objective."
        " Organisations already on a live project for the activity come first, apart, with"
        " involved = true and no rank."
    ),
    params=(
        code_param("activity", "the activity's code, e.g. A2.07", required=True),
        top_param(10, 200, "candidates"),
    ),
    columns="rank organisation name type status score involved reasons signals",
)
def candidates_for_activity(store: GraphStore, bound: Bound) -> list[Row]:
    """The involved organisations first (apart), then the top candidates by score."""
    net = projections(store)
    matcher = ActivityMatcher(net, activity_context(store, net, bound))
    ranked_candidates = matcher.candidates()[: bound.integer("top", 10)]
    rows = matcher.involved_rows()
    rows.extend(candidate_row(matcher, i, c) for i, c in enumerate(ranked_candidates, start=1))
    return rows
