"""Who should join a project's team, and why: candidates-for-project.

Where candidates-for-activity knows only an activity, a project knows its team: its lead,
its partners, the activities it addresses and through them its topics and objectives. People
team up by subject, by place and with those they have worked with before, so the signals are
the project's topics, past work with the lead and with the team (directly, and through shared
collaborators weighted as Adamic-Adar does), alliances shared with the team, seats on the Task
Forces of its objectives, regions in common with the team, and what the team lacks.

Only the neighbourhood is scored: organisations declaring one of the project's topics (or a
narrower one), an interest in or a seat on one of its objectives, and the team's collaborators
and theirs (two hops), never the whole list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from graph.base import GraphStore
from queries.answer import Row
from queries.hierarchy import MAX_STEPS
from queries.matching import (
    NEED_KEYS,
    NEEDED_GROUPS,
    ROLE_NAME,
    ROLE_VALUE,
    STATUS_VALUE,
    Candidate,
    TeamTies,
    Why,
    group_name,
    ranked,
    region_items,
    status_message,
    type_label,
)
from queries.network import Organisation, Projections
from queries.scoring import (
    PRECISION,
    Reason,
    TopicScorer,
    match_topics,
    near_topics,
    reasons_out,
    shown,
    signals_out,
    topic_text,
)
from queries.sentences import Items, Label, Speaker, say
from queries.sparql import named_rows
from sic import iris
from sic.errors import NotFound

WEIGHTS = {
    "topics": 0.30,
    "lead_collaboration": 0.15,
    "team_collaboration": 0.10,
    "shared_collaborators": 0.10,
    "task_force": 0.05,
    "interest": 0.05,
    "experience": 0.05,
    "alliance": 0.05,
    "regions": 0.05,
    "team_types": 0.05,
    "membership": 0.05,
}
"""Hand-set weights: used as they are when the store's history is too thin to learn from
(queries.weights.MIN_CASES), and as the prior the learned weights are pulled towards."""

LINKS = ("topics", "lead_collaboration", "team_collaboration", "shared_collaborators")
"""A candidate must show one of these: the rest only rank organisations already in view."""


@dataclass(frozen=True)
class ProjectContext:
    """A project as a team to complete: who is on it and what it addresses."""

    key: str
    title: str
    lead: str | None
    partners: tuple[str, ...]
    activities: tuple[str, ...]
    objectives: tuple[str, ...]
    topics: tuple[str, ...]
    countries: tuple[str, ...] = ()
    """The ISO 3166-1 alpha-2 codes the project declares it takes place in (sic:country)."""
    place_regions: frozenset[str] = frozenset()
    """Where the project takes place: the most specific UN M49 region of each of `countries`
    (`Projections.place`; walk `net.regions` up for the wider ones). Empty when it declares no
    country the table knows. No signal reads it yet: the team's regions (`ProjectMatcher.
    team_regions`) are what the "regions" signal compares; this is here for a signal on place."""

    @property
    def team(self) -> tuple[str, ...]:
        return tuple(o for o in (self.lead, *self.partners) if o)


def project_context(
    store: GraphStore, net: Projections, key: str, *, topics_of: Mapping[str, Sequence[str]]
) -> ProjectContext:
    """The project `key` as the projections see it; `topics_of` maps activity to its topics.

    :raises NotFound: if the store has no such project.
    """
    group = ("project", key)
    members = net.members_of.get(group)
    pairs = net.group_activities.get(group, frozenset())
    if members is None and not pairs:
        raise NotFound(f"no project {key!r} (or it has no lead, partner or activity)")
    members = members or ()
    lead = next((m.organisation for m in members if m.role == "lead"), None)
    activities = tuple(sorted(a for a, _ in pairs))
    place = net.place(net.project_countries.get(key, ()))
    return ProjectContext(
        key=key,
        title=members[0].title if members else key,
        lead=lead,
        partners=tuple(sorted(m.organisation for m in members if m.role == "partner")),
        activities=activities,
        objectives=tuple(sorted({o for _, o in pairs})),
        topics=tuple(sorted({t for a in activities for t in topics_of.get(a, ())})),
        countries=place.countries,
        place_regions=place.regions,
    )


def activity_topics(store: GraphStore, activities: Sequence[str]) -> dict[str, list[str]]:
    """The topics each activity declares (not its objective's), bound as terms."""
    found: dict[str, list[str]] = {}
    for key in activities:
        term = ox.NamedNode(str(iris.mint("activity", key, store.base)))
        rows = named_rows(store, "activity-topics", activity=term)
        found[key] = sorted(str(r["topic"]) for r in rows if str(r["via"]) == "activity")
    return found


class ProjectMatcher:
    """Scores organisations for one project's team; everything team-wide is worked out once."""

    def __init__(
        self, net: Projections, ctx: ProjectContext, weights: Mapping[str, float] | None = None
    ) -> None:
        self.net = net
        self.ctx = ctx
        self.weights = dict(weights or WEIGHTS)
        self.near = near_topics(net.topics, ctx.topics)
        self.scorer = TopicScorer(self.near)
        self.team = ctx.team
        self.seats = {o: s for obj in ctx.objectives for o, s in net.seats_on(obj).items()}
        self.ties = TeamTies(net, self.team)
        self.worked_with = self.ties.worked_with
        orgs = [o for k in self.team if (o := net.organisations.get(k)) is not None]
        self.team_types = {o.type for o in orgs if o.type}
        self.lacking = [g for g, kinds in NEEDED_GROUPS.items() if not kinds & self.team_types]
        self.team_regions = {r for o in orgs for r in o.regions}
        self.here = {m.organisation for a in ctx.activities for m in net.activity_memberships(a)}
        self.nearby = {
            m.organisation
            for obj in ctx.objectives
            for g in net.groups_for_objective(obj)
            for m in net.members_of.get(g, ())
        }
        # Worked out once rather than per candidate (thousands are scored per question at M).
        self._objectives = frozenset(ctx.objectives)
        self._weights = tuple(self.weights.get(s, 0) for s in WEIGHTS)
        self._by_type: dict[str, float] = {}
        self._by_regions: dict[frozenset[str], float] = {}

    def neighbourhood(self) -> list[str]:
        graph = self.net.collaborators
        found: set[str] = set(self.worked_with)
        for z in self.worked_with:  # collaborators of collaborators: who Adamic-Adar reaches
            found.update(graph.adj.get(z, {}))
        for topic in self.ctx.topics:
            found.update(self.net.declaring(("topic", topic)))
            for narrower in self.net.topics.descendants(topic, MAX_STEPS):
                found.update(self.net.declaring(("topic", narrower)))
        for objective in self.ctx.objectives:
            found.update(self.net.declaring(("objective", objective)))
        found.update(self.seats)
        return sorted(o for o in found - set(self.team) if o in self.net.organisations)

    def values(self, org: Organisation) -> dict[str, float]:
        """Every signal in [0, 1], in the order of WEIGHTS; set lookups only."""
        return self._values(org, self.ties.shared_collaborators(org.key))

    def _kept(self, org: Organisation) -> tuple[float, float]:
        """The values that depend only on the organisation's type and its regions, kept:
        team_types and regions."""
        kind = org.type or ""
        by_type = self._by_type.get(kind)
        if by_type is None:
            by_type = self._by_type[kind] = self._type_value(kind)
        regions = self._by_regions.get(org.regions)
        if regions is None:
            shared = org.regions & self.team_regions
            regions = len(shared) / len(org.regions) if org.regions else 0.0
            self._by_regions[org.regions] = regions
        return by_type, regions

    def _values(self, org: Organisation, through: float) -> dict[str, float]:
        """`values`, with shared_collaborators already worked out (`through`)."""
        key = org.key
        seats = self.seats.get(key)
        worked = self.worked_with.get(key, ())
        by_type, regions = self._kept(org)
        return {
            "topics": self.scorer.value(org.topics),
            "lead_collaboration": 1.0 if worked and self.ctx.lead in worked else 0.0,
            "team_collaboration": len(worked) / len(self.team) if self.team else 0.0,
            "shared_collaborators": through,
            "task_force": max((ROLE_VALUE.get(s.role, 0.0) for s in seats), default=0.0)
            if seats
            else 0.0,
            "interest": 0.0 if org.interests.isdisjoint(self._objectives) else 1.0,
            "experience": 1.0 if key in self.here else 0.5 if key in self.nearby else 0,
            "alliance": 1.0 if key in self.ties.alliance_members else 0.0,
            "regions": regions,
            "team_types": by_type,
            "membership": STATUS_VALUE.get(org.status or "", 0.0),
        }

    def _type_value(self, kind: str) -> float:
        if any(kind in NEEDED_GROUPS[g] for g in self.lacking):
            return 1.0
        return 0.5 if kind and kind not in self.team_types else 0.0

    def candidates(self, *, top: int | None = None) -> list[Candidate]:
        """The neighbourhood's organisations that show a link, best first (ties by key); only
        the first `top`, when given (`candidates()[:top]`, for less).

        Thousands are scored per question at M, so the score is summed here straight from
        the values, term by term in the order of WEIGHTS as the plain sum over `values` adds
        them; the values themselves are only gathered for the candidates returned.
        """
        organisations = self.net.organisations
        w_to, w_lc, w_tc, w_sc, w_tf, w_in, w_ex, w_al, w_re, w_tt, w_me = self._weights
        topic_value = self.scorer.value
        seats_of, worked_of = self.seats.get, self.worked_with.get
        here, nearby, allied = self.here, self.nearby, self.ties.alliance_members
        through_of = self.ties.shared_collaborators
        lead, objectives, size = self.ctx.lead, self._objectives, len(self.team)
        found: list[tuple[float, str, float, float]] = []
        for key in self.neighbourhood():
            org = organisations[key]
            worked = worked_of(key, ())
            to = topic_value(org.topics)
            lc = 1.0 if worked and lead in worked else 0.0
            tc = len(worked) / size if size else 0.0
            sc = through_of(key)
            if not (to > 0 or lc > 0 or tc > 0 or sc > 0):
                continue
            seats = seats_of(key)
            tf = max((ROLE_VALUE.get(s.role, 0.0) for s in seats), default=0.0) if seats else 0.0
            tt, re = self._kept(org)
            total = (
                w_to * to
                + w_lc * lc
                + w_tc * tc
                + w_sc * sc
                + w_tf * tf
                + w_in * (0.0 if org.interests.isdisjoint(objectives) else 1.0)
                + w_ex * (1.0 if key in here else 0.5 if key in nearby else 0)
                + w_al * (1.0 if key in allied else 0.0)
                + w_re * re
                + w_tt * tt
                + w_me * STATUS_VALUE.get(org.status or "", 0.0)
            )
            score = round(total, PRECISION)
            found.append((-score, key, score, sc))
        return ranked(found, top, organisations, self._values)

    # -- the reasons -------------------------------------------------------------------------

    def explain(self, org: Organisation, values: Mapping[str, float]) -> tuple[Reason, ...]:
        """The reasons behind the values, each with its message and evidence."""
        why = {
            "topics": self._why_topics(org),
            "lead_collaboration": self._why_lead(org),
            "team_collaboration": self._why_team(org),
            "shared_collaborators": self._why_through(org),
            "task_force": self._why_task_force(org),
            "interest": self._why_interest(org),
            "experience": self._why_experience(org),
            "alliance": self._why_alliance(org),
            "regions": self._why_regions(org),
            "team_types": self._why_type(org),
            "membership": (status_message(org.status), ()),
        }
        return tuple(
            Reason(s, self.weights.get(s, 0.0), values[s], message, tuple(evidence))
            for s, (message, evidence) in why.items()
        )

    def _why_topics(self, org: Organisation) -> Why:
        match = match_topics(self.near, org.topics)
        about = say("topics.what.project_activities")
        return topic_text(self.net.topics, match, about), match.evidence

    def _why_lead(self, org: Organisation) -> Why:
        lead = self.ctx.lead
        if lead is None or lead not in self.worked_with.get(org.key, ()):
            return say("project.lead.none"), ()
        groups = self.net.shared_groups(org.key, lead)
        titles = Items(tuple(group_name(self.net, g) for g in groups), 3)
        return say("project.lead.worked", name=self.net.name(lead), groups=titles), [lead]

    def _why_team(self, org: Organisation) -> Why:
        worked = sorted(self.worked_with.get(org.key, ()))
        if not worked:
            return say("project.team.none"), ()
        names = Items(tuple(self.net.name(t) for t in worked))
        size = len(self.team)
        return say("project.team.worked", count=len(worked), size=size, names=names), worked

    def _why_through(self, org: Organisation) -> Why:
        graph = self.net.collaborators
        if org.key not in graph:
            return say("project.through.none"), ()
        shared = sorted(z for z in graph[org.key] if z in self.worked_with)
        if not shared:
            return say("project.through.none"), ()
        names = Items(tuple(self.net.name(z) for z in shared), 4)
        return say("project.through.shared", names=names), shared

    def _why_task_force(self, org: Organisation) -> Why:
        seats = sorted(
            self.seats.get(org.key, []), key=lambda s: (-ROLE_VALUE.get(s.role, 0), s.person)
        )
        if not seats:
            return say("project.task_force.none"), ()
        best = seats[0]
        role = Label("role", best.role, ROLE_NAME.get(best.role, "Task Force member"))
        seat = say("task_force.seat", person=best.name, role=role, objective=best.objective)
        return seat, [s.person for s in seats]

    def _why_interest(self, org: Organisation) -> Why:
        shared = sorted(org.interests & set(self.ctx.objectives))
        if not shared:
            return say("project.interest.none"), ()
        return say("interest.declared", objective=Items(tuple(shared))), shared

    def _why_experience(self, org: Organisation) -> Why:
        if org.key in self.here:
            return say("project.experience.activity"), ()
        if org.key in self.nearby:
            return say("project.experience.objective"), ()
        return say("project.experience.none"), ()

    def _why_alliance(self, org: Organisation) -> Why:
        shared = self.ties.shared_alliances(org.key)
        if not shared:
            return say("project.alliance.none"), ()
        titles = Items(tuple(group_name(self.net, g) for g in shared), 3)
        return say("project.alliance.shared", alliances=titles), [g[1] for g in shared]

    def _why_regions(self, org: Organisation) -> Why:
        shared = sorted(org.regions & self.team_regions)
        if not shared:
            return say("project.regions.none"), ()
        return say("project.regions.shared", regions=region_items(self.net, shared)), shared

    def _why_type(self, org: Organisation) -> Why:
        kind = org.type or ""
        for group in self.lacking:
            if kind in NEEDED_GROUPS[group]:
                need = say(f"need.{NEED_KEYS[group]}")
                return say("project.type.lacking", type=type_label(kind), need=need), [kind]
        if kind and kind not in self.team_types:
            return say("project.type.new", type=type_label(kind)), [kind]
        return say("project.type.already", type=type_label(kind, mid=True)), ()


def candidate_row(
    matcher: ProjectMatcher, rank: int, candidate: Candidate, speaker: Speaker
) -> Row:
    org = candidate.organisation
    reasons = matcher.explain(org, candidate.values)
    return {
        "rank": rank,
        "organisation": org.key,
        "name": org.name,
        "type": org.type,
        "status": org.status,
        "score": shown(candidate.score),
        "reasons": reasons_out(reasons, speaker),
        "signals": signals_out(reasons),
    }
