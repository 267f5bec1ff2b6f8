"""Who could take on an activity, and why: candidates-for-activity.

Only the activity itself is read with SPARQL (its objective, facility and topics, bound as
terms); everything about organisations comes from the projections cached per store version,
and only organisations in the activity's neighbourhood are scored: those declaring one of its
topics (or a topic one or two steps away), an interest in its objective, a seat on its Task
Force, or a collaborator within two hops of the current team.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from graph.base import GraphStore
from queries.answer import Row
from queries.hierarchy import MAX_STEPS
from queries.network import Membership, Node, Organisation, Projections
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
    shown,
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
    # Signals the held-out evaluation asked for; they count once weights are learned
    # (queries.learned) from a store with enough history, and nothing before.
    "shared_collaborators": 0.0,
    "alliance": 0.0,
    "exact_topics": 0.0,
    "team_regions": 0.0,
    "lead_collaboration": 0.0,
    "lead_regions": 0.0,
}
# Signals that put an organisation in the activity's neighbourhood; the others only rank it.
NEIGHBOURHOOD = ("activity_topics", "objective_topics", "interest", "task_force", "experience")
NEIGHBOURHOOD_NETWORK = ("collaboration", "network_distance")
LINKS = (*NEIGHBOURHOOD, *NEIGHBOURHOOD_NETWORK)
"""A candidate must show one of these to be listed."""

ROLE_VALUE = {"leader": 1.0, "regional_representative": 0.8, "member": 0.5}
ROLE_NAME = {
    "leader": "Task Force Leader",
    "regional_representative": "Regional Representative",
    "member": "Team Member",  # the roster's words (ontology: sic:RoleMember)
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
WORLD = "001"  # UN M49 code of the whole world: "works worldwide", not "works in World"
NETWORK_CUTOFF = 2  # hops from the team that still count; beyond, a dense network reaches all
ONE_BY_ONE = 64  # organisations scored before Adamic-Adar is tabled for the whole team


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

    def __init__(
        self, net: Projections, ctx: ActivityContext, weights: Mapping[str, float] | None = None
    ) -> None:
        self.net = net
        self.ctx = ctx
        self.weights = dict(weights or WEIGHTS)
        self.near = near_topics(net.topics, ctx.topics)
        self.near_objective = near_topics(net.topics, ctx.objective_topics)
        self.topic_scorer = TopicScorer(self.near)
        self.objective_scorer = TopicScorer(self.near_objective)
        self.seats = net.seats_on(ctx.objective)
        self.team = sorted(ctx.team)
        # who recruits: the leads of the live projects on the activity
        self.leads = sorted({k for k, ms in ctx.team.items() if any(m.role == "lead" for m in ms)})
        lead_orgs = [o for k in self.leads if (o := net.organisations.get(k)) is not None]
        self.lead_regions = {r for o in lead_orgs for r in o.regions}
        # A lead that works with few organisations says more by having worked with this one
        # (resource allocation: each lead spreads one unit over its collaborators).
        self.lead_pull = {
            k: 1.0 / max(len(net.collaborators.adj.get(k, ())), 1) for k in self.leads
        }
        # A topic few organisations declare says more by being shared than a popular one (the
        # same resource allocation on the organisation - topic graph).
        self.rarity = {t: 1.0 / max(len(net.declaring(("topic", t))), 1) for t in ctx.topics}
        self.distance = net.distances(self.team, NETWORK_CUTOFF)
        self.ties = TeamTies(net, self.team)
        self.worked_with = self.ties.worked_with
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
            "shared_collaborators": self._through_value(org.key),
            "alliance": 1.0 if org.key in self.ties.alliance_members else 0.0,
            "exact_topics": self._exact_value(org),
            "team_regions": _share(org.regions, self.reached),
            "lead_collaboration": self._lead_value(org.key),
            "lead_regions": _share(org.regions, self.lead_regions),
        }

    def _worked_with_leads(self, key: str) -> list[str]:
        return [t for t in self.worked_with.get(key, ()) if t in self.leads]

    def _exact_value(self, org: Organisation) -> float:
        """The share of the activity's topics the organisation declares, each topic counting
        by its rarity: sharing a topic few declare is the stronger sign."""
        whole = sum(self.rarity.values())
        return sum(v for t, v in self.rarity.items() if t in org.topics) / whole if whole else 0.0

    def _lead_value(self, key: str) -> float:
        """The share of the leads' pull (see __init__) that goes to this organisation."""
        whole = sum(self.lead_pull.values())
        mine = sum(self.lead_pull[t] for t in set(self._worked_with_leads(key)))
        return mine / whole if whole else 0.0

    def _through_value(self, key: str) -> float:
        return self.ties.shared_collaborators(key)

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
            "shared_collaborators": self._why_through(org),
            "alliance": self._why_alliance(org),
            "exact_topics": self._why_exact(org),
            "team_regions": self._why_team_regions(org),
            "lead_collaboration": self._why_leads(org),
            "lead_regions": self._why_lead_regions(org),
        }
        return tuple(
            Reason(signal, self.weights.get(signal, 0.0), values[signal], text, tuple(evidence))
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
        where = self._where(new or regions)
        if not self.team:
            return f"Works {where}", regions
        if not new:
            return f"Works {where}, where the current team works", ()
        return f"Works {where}, which the current team does not reach", new

    def _where(self, regions: Sequence[str]) -> str:
        """'in Europe and Africa', 'worldwide', or 'worldwide, notably in Europe'."""
        named = listing([self.net.regions.label(r) for r in regions if r != WORLD])
        if WORLD not in regions:
            return f"in {named}"
        return f"worldwide, notably in {named}" if named else "worldwide"

    def _why_type(self, org: Organisation) -> tuple[str, Sequence[str]]:
        kind = org.type or ""
        label = _a(TYPE_LABEL.get(kind, kind or "organisation of unknown type"))
        for group in self.lacking:
            if kind in NEEDED_GROUPS[group]:
                if not self.team:
                    return f"{label.capitalize()}: a team for this activity needs a {group}", [kind]
                return f"{label.capitalize()}: the current team lacks a {group}", [kind]
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

    def _why_through(self, org: Organisation) -> tuple[str, Sequence[str]]:
        graph = self.net.collaborators
        shared = sorted(z for z in graph.adj.get(org.key, {}) if z in self.worked_with)
        if not shared:
            return "Shares no collaborator with the current team", ()
        names = listing([self.net.name(z) for z in shared], 4)
        return f"Shares collaborators with the current team: {names}", shared

    def _why_exact(self, org: Organisation) -> tuple[str, Sequence[str]]:
        exact = [t for t in self.ctx.topics if t in org.topics]
        if not exact:
            return "Declares none of the activity's own topics", ()
        labels = listing([self.net.topics.label(t) for t in exact])
        return (
            f"Declares {len(exact)} of the activity's {len(self.ctx.topics)} topics: {labels}",
            exact,
        )

    def _why_team_regions(self, org: Organisation) -> tuple[str, Sequence[str]]:
        shared = sorted(org.regions & self.reached)
        if not shared:
            return "Works in none of the current team's regions", ()
        labels = listing([self.net.regions.label(r) for r in shared])
        return f"Works where the current team works: {labels}", shared

    def _why_leads(self, org: Organisation) -> tuple[str, Sequence[str]]:
        leads = sorted(set(self._worked_with_leads(org.key)))
        if not leads:
            return "Has not worked with the leads of the projects on this activity", ()
        names = listing([self.net.name(t) for t in leads])
        return f"Has worked with {names}, leading a project on this activity", leads

    def _why_lead_regions(self, org: Organisation) -> tuple[str, Sequence[str]]:
        shared = sorted(org.regions & self.lead_regions)
        if not shared:
            return "Works in none of the regions of the projects' leads", ()
        labels = listing([self.net.regions.label(r) for r in shared])
        return f"Works where a lead of a project on this activity works: {labels}", shared

    def _why_alliance(self, org: Organisation) -> tuple[str, Sequence[str]]:
        shared = self.ties.shared_alliances(org.key)
        if not shared:
            return "In no alliance with the current team", ()
        titles = listing([self.net.group_title(g) for g in shared], 3)
        return f"In an alliance with the current team: {titles}", [g[1] for g in shared]

    # -- the ranking ---------------------------------------------------------------------------

    def candidates(self, *, wide: bool = False) -> list[Candidate]:
        """Every organisation of the neighbourhood that shows a real link, best first."""
        out: list[Candidate] = []
        for key in self.neighbourhood(wide=wide):
            org = self.net.organisations[key]
            values = self.values(org)
            if any(values[s] > 0 for s in LINKS):
                weighted = sum(self.weights.get(s, 0.0) * v for s, v in values.items())
                score = round(weighted, PRECISION)
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


class TeamTies:
    """How organisations are tied to a team on the collaboration network, worked out once per
    team so that each candidate costs a few lookups (thousands are scored per question at M).
    """

    def __init__(self, net: Projections, team: Iterable[str]) -> None:
        self.net = net
        adjacency = net.collaborators.adj
        self.adjacency = adjacency
        self.worked_with: dict[str, list[str]] = defaultdict(list)
        """organisation -> the team members it has worked with"""
        for member in team:
            for other in adjacency.get(member, {}):
                self.worked_with[other].append(member)
        # Adamic-Adar: a collaborator z shared with the team counts (team members z worked
        # with) / log(degree of z), so a hub that worked with everyone counts little.
        self.through = {
            z: len(members) / math.log(degree)
            for z, members in self.worked_with.items()
            if (degree := len(adjacency[z])) > 1
        }
        self.alliances = {
            m.group for t in team for m in net.places_of.get(t, ()) if m.group[0] == "alliance"
        }
        self.alliance_members = {
            m.organisation for g in self.alliances for m in net.members_of.get(g, ())
        }
        self._asked = 0

    @cached_property
    def _adamic_adar(self) -> dict[str, float]:
        """Adamic-Adar towards the team of every organisation it reaches, in one pass over the
        team's collaborators' collaborators (cheaper than a pass per candidate: a question
        scores thousands of candidates at M, each with dozens of collaborators)."""
        totals: dict[str, float] = defaultdict(float)
        for z, weight in self.through.items():
            for other in self.adjacency[z]:
                totals[other] += weight
        return totals

    def shared_collaborators(self, key: str) -> float:
        """Adamic-Adar of `key` towards the team, squashed into [0, 1) as x / (1 + x).

        The first few organisations are summed one by one over their own collaborators (the
        weight fit scores a couple of dozen per team); from then on the one-pass table pays.
        """
        self._asked += 1
        if self._asked <= ONE_BY_ONE:
            total = sum(self.through.get(z, 0.0) for z in self.adjacency.get(key, ()))
        else:
            total = self._adamic_adar.get(key, 0.0)
        return total / (1.0 + total)

    def shared_alliances(self, key: str) -> list[Node]:
        places = self.net.places_of.get(key, ())
        return sorted({m.group for m in places if m.group in self.alliances})


def _share(mine: frozenset[str], theirs: set[str]) -> float:
    """The share of `mine` that is also in `theirs` (0 when `mine` is empty)."""
    return len(mine & theirs) / len(mine) if mine else 0.0


def candidate_row(matcher: ActivityMatcher, rank: int, candidate: Candidate) -> Row:
    org = candidate.organisation
    reasons = matcher.explain(org, candidate.values)
    return {
        "rank": rank,
        "organisation": org.key,
        "name": org.name,
        "type": org.type,
        "status": org.status,
        "score": shown(candidate.score),
        "involved": False,
        "reasons": reasons_out(reasons),
        "signals": signals_out(reasons),
    }
