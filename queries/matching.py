"""Who could take on an activity, and why: candidates-for-activity.

Only the activity itself is read with SPARQL (its objective, facility and topics, bound as
terms); everything about organisations comes from the projections cached per store version,
and only organisations in the activity's neighbourhood are scored: those declaring one of its
topics (or a topic one or two steps away), an interest in its objective, a seat on its Task
Force, or a collaborator within two hops of the current team.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graph.base import GraphStore
from queries.answer import Row
from queries.network import Membership, Organisation, Projections, projections
from queries.params import Bound
from queries.scoring import (
    Reason,
    listing,
    match_topics,
    near_topics,
    ranked,
    reasons_out,
    signals_out,
    topic_text,
    total,
)
from queries.sparql import select
from sic.errors import NotFound

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
NETWORK_CUTOFF = 4


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
    term = bound.term("activity")
    rows = select(store, "activity-context", activity=term)
    if not rows:
        raise NotFound(f"no activity {bound.text('activity')!r}")
    row = rows[0]
    key = str(row["activity"])
    topics: dict[str, set[str]] = defaultdict(set)
    for t in select(store, "activity-topics", activity=term):
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
    reasons: tuple[Reason, ...]


class ActivityMatcher:
    """Scores organisations for one activity; built once per request."""

    def __init__(self, net: Projections, ctx: ActivityContext) -> None:
        self.net = net
        self.ctx = ctx
        self.near = near_topics(net.topics, ctx.topics)
        self.near_objective = near_topics(net.topics, ctx.objective_topics)
        self.seats = net.seats_on(ctx.objective)
        self.team = sorted(ctx.team)
        self.distance = net.distances(self.team, NETWORK_CUTOFF)
        team_orgs = [o for k in self.team if (o := net.organisations.get(k)) is not None]
        self.team_types = {o.type for o in team_orgs if o.type}
        self.team_regions = {r for o in team_orgs for r in o.regions}
        self.here = self._memberships(net.groups_for_activity(ctx.key))
        self.nearby = self._memberships(net.groups_for_objective(ctx.objective))

    def _memberships(self, groups: Iterable[tuple[str, str]]) -> dict[str, list[Membership]]:
        found: dict[str, list[Membership]] = defaultdict(list)
        for group in groups:
            for m in self.net.members_of.get(group, ()):
                found[m.organisation].append(m)
        return dict(found)

    # -- the neighbourhood -------------------------------------------------------------------

    def neighbourhood(self) -> list[str]:
        """Organisations worth scoring: near by topic, interest, Task Force, work or network."""
        found: set[str] = set()
        for near in (*self.near.values(), *self.near_objective.values()):
            for topic in near:
                found.update(self.net.declaring(("topic", topic)))
        found.update(self.net.declaring(("objective", self.ctx.objective)))
        found.update(self.seats)
        found.update(o for o, d in self.distance.items() if 0 < d <= 2)
        found.update(self.nearby)
        return sorted(o for o in found - set(self.team) if o in self.net.organisations)

    # -- the signals -----------------------------------------------------------------------------

    def reasons(self, org: Organisation) -> tuple[Reason, ...]:
        return (
            self._topics(org),
            self._objective_topics(org),
            self._interest(org),
            self._task_force(org),
            self._membership(org),
            self._regions_signal(org),
            self._team_types(org),
            self._collaboration(org),
            self._network(org),
            self._experience(org),
        )

    def _reason(self, signal: str, value: float, text: str, evidence: Iterable[str] = ()) -> Reason:
        return Reason(signal, WEIGHTS[signal], value, text, tuple(evidence))

    def _topics(self, org: Organisation) -> Reason:
        match = match_topics(self.near, org.topics)
        text = topic_text(self.net.topics, match, "the activity")
        return self._reason("activity_topics", match.value, text, match.evidence)

    def _objective_topics(self, org: Organisation) -> Reason:
        match = match_topics(self.near_objective, org.topics)
        what = f"objective {self.ctx.objective}"
        text = topic_text(self.net.topics, match, what)
        return self._reason("objective_topics", match.value, text, match.evidence)

    def _interest(self, org: Organisation) -> Reason:
        has = self.ctx.objective in org.interests
        text = (
            f"Declares an interest in objective {self.ctx.objective}"
            if has
            else f"Has not declared an interest in objective {self.ctx.objective}"
        )
        return self._reason("interest", 1.0 if has else 0.0, text, [self.ctx.objective] * has)

    def _task_force(self, org: Organisation) -> Reason:
        seats = sorted(
            self.seats.get(org.key, []), key=lambda s: (-ROLE_VALUE.get(s.role, 0), s.person)
        )
        if not seats:
            return self._reason("task_force", 0.0, f"No one on the {self.ctx.objective} Task Force")
        best = seats[0]
        where = ""
        if best.region:
            where = f" for {self.net.regions.label(best.region)}"
        text = (
            f"{best.name} is {ROLE_NAME.get(best.role, best.role)}{where}"
            f" on the {self.ctx.objective} Task Force"
        )
        if len(seats) > 1:
            text += f" ({len(seats)} seats in all)"
        return self._reason(
            "task_force", ROLE_VALUE.get(best.role, 0.0), text, [s.person for s in seats]
        )

    def _membership(self, org: Organisation) -> Reason:
        status = org.status or ""
        text = STATUS_TEXT.get(status, "Not (yet) a Partner of the Initiative")
        return self._reason(
            "membership", STATUS_VALUE.get(status, 0.0), text, [status] * bool(status)
        )

    def _regions_signal(self, org: Organisation) -> Reason:
        regions = sorted(org.regions)
        if not regions:
            return self._reason("regions", 0.0, "Declares no region of work")
        new = [r for r in regions if not self.net.regions.within(r, self.team_regions)]
        labels = listing([self.net.regions.label(r) for r in new or regions])
        if not self.team:
            return self._reason("regions", 1.0, f"Works in {labels}", regions)
        if not new:
            return self._reason(
                "regions", 0.0, f"Works in {labels}, where the current team already works"
            )
        return self._reason(
            "regions",
            len(new) / len(regions),
            f"Works in {labels}, which the current team does not reach",
            new,
        )

    def _team_types(self, org: Organisation) -> Reason:
        kind = org.type or ""
        label = TYPE_LABEL.get(kind, kind or "organisation of unknown type")
        lacking = [g for g, types in NEEDED_GROUPS.items() if not types & self.team_types]
        for group in lacking:
            if kind in NEEDED_GROUPS[group]:
                whose = "the current team lacks" if self.team else "no team has"
                text = f"{_a(label).capitalize()}: {whose} a {group} yet"
                return self._reason("team_types", 1.0, text, [kind])
        if kind and kind not in self.team_types:
            return self._reason(
                "team_types",
                0.5,
                f"{_a(label).capitalize()}, a type the current team does not have",
                [kind],
            )
        return self._reason("team_types", 0.0, f"The current team already has {_a(label)}")

    def _collaboration(self, org: Organisation) -> Reason:
        if not self.team:
            return self._reason("collaboration", 0.0, "No live project addresses the activity yet")
        worked = [t for t in self.team if self.net.shared_groups(org.key, t)]
        if not worked:
            return self._reason("collaboration", 0.0, "Has not worked with the current team")
        groups = sorted({g for t in worked for g in self.net.shared_groups(org.key, t)})
        titles = [self.net.group_title(g) for g in groups]
        text = (
            f"Has worked with {listing([self.net.name(t) for t in worked])}"
            f" of the current team ({listing(titles, 3)})"
        )
        return self._reason("collaboration", len(worked) / len(self.team), text, worked)

    def _network(self, org: Organisation) -> Reason:
        hops = self.distance.get(org.key)
        if not self.team or hops is None or hops == 0:
            return self._reason(
                "network_distance", 0.0, "Not connected to the current team's network"
            )
        text = (
            "Works directly with the current team"
            if hops == 1
            else f"{hops} steps from the current team on the collaboration network"
        )
        return self._reason("network_distance", 1.0 / hops, text, [str(hops)])

    def _experience(self, org: Organisation) -> Reason:
        here = self.here.get(org.key, [])
        nearby = self.nearby.get(org.key, [])
        if here:
            titles = [f"{m.title} ({m.stage or m.group[0]})" for m in here]
            return self._reason(
                "experience",
                1.0,
                f"Has worked on this activity: {listing(titles, 3)}",
                [m.group[1] for m in here],
            )
        if nearby:
            titles = [m.title for m in nearby]
            return self._reason(
                "experience",
                0.5,
                f"Works on objective {self.ctx.objective} in {listing(titles, 3)}",
                [m.group[1] for m in nearby],
            )
        return self._reason("experience", 0.0, "No project or alliance on this objective yet")

    # -- the ranking ---------------------------------------------------------------------------

    def candidates(self) -> list[Candidate]:
        """Every organisation of the neighbourhood that shows a real link, best first."""
        out: list[Candidate] = []
        for key in self.neighbourhood():
            org = self.net.organisations[key]
            reasons = self.reasons(org)
            signals = {r.signal: r.value for r in reasons}
            if not any(signals[s] > 0 for s in (*NEIGHBOURHOOD, *NEIGHBOURHOOD_NETWORK)):
                continue
            out.append(Candidate(org, total(reasons), reasons))
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


def candidate_row(rank: int, candidate: Candidate) -> Row:
    org = candidate.organisation
    return {
        "rank": rank,
        "organisation": org.key,
        "name": org.name,
        "type": org.type,
        "status": org.status,
        "score": round(candidate.score, 4),
        "involved": False,
        "reasons": reasons_out(candidate.reasons),
        "signals": signals_out(candidate.reasons),
    }


def candidates_for_activity(store: GraphStore, bound: Bound) -> list[Row]:
    """The involved organisations first (apart), then the top candidates by score."""
    net = projections(store)
    matcher = ActivityMatcher(net, activity_context(store, net, bound))
    top = bound.integer("top", 10)
    ranked_candidates = matcher.candidates()[:top]
    rows = matcher.involved_rows()
    rows.extend(candidate_row(i, c) for i, c in enumerate(ranked_candidates, start=1))
    return rows


CANDIDATE_COLUMNS = (
    "rank",
    "organisation",
    "name",
    "type",
    "status",
    "score",
    "involved",
    "reasons",
    "signals",
)
