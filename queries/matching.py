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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from graph.base import GraphStore
from queries.answer import Row
from queries.hierarchy import MAX_STEPS
from queries.network import Membership, Node, Organisation, Projections, Seat
from queries.params import Bound
from queries.scoring import (
    PRECISION,
    Reason,
    TopicScorer,
    match_topics,
    near_topics,
    reasons_out,
    shown,
    signals_out,
    topic_label,
    topic_text,
)
from queries.sentences import Items, Label, Message, Speaker, say
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
INVOLVED_ROLES = ("lead", "partner", "member")
"""Places in a project or alliance the sentence catalogue names (involved.*)."""
# What a Global Facility alliance needs: research, practice on the ground, money or mandate.
NEEDED_GROUPS: dict[str, frozenset[str]] = {
    "research institution": frozenset({"research"}),
    "producers' organisation or NGO": frozenset({"producers", "ngo"}),
    "funder or public body": frozenset({"donor", "state", "international"}),
}
TYPE_LABEL = {  # English stand-ins, should the graph have no label for a type
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


NEED_KEYS = {
    "research institution": "research",
    "producers' organisation or NGO": "producers",
    "funder or public body": "funder",
}
"""Each needed group's phrase in the sentence catalogue (need.*)."""

Why = tuple[Message, Sequence[str]]
"""A reason's message and its evidence."""


def status_message(status: str | None) -> Message:
    """Membership in the Initiative in words, with the list's own name for the status."""
    if not status:
        return say("status.none")
    label = Label("status", status, status.capitalize())
    key = f"status.{status}" if status in STATUS_VALUE else "status.other"
    return say(key, status=label)


def type_label(kind: str, *, mid: bool = False) -> Label | Message:
    """An organisation type by the list's name for it (never its code)."""
    if not kind:
        return say("type.unknown")
    return Label("type", kind, TYPE_LABEL.get(kind, "organisation of another type"), mid=mid)


def region_items(net: Projections, regions: Iterable[str]) -> Items:
    return Items(tuple(Label("region", r, net.regions.label(r)) for r in regions))


def group_name(net: Projections, group: Node) -> Label:
    """A project or alliance by its title (alliances have French and Spanish ones)."""
    return Label(group[0], group[1], net.group_title(group))


def stage_of(m: Membership) -> Label | Message:
    """The stage a membership's project is at, or what kind of group it is when it has none."""
    if m.stage:
        return Label("stage", m.stage, m.stage.replace("_", " "), mid=True)
    return say(f"group.{m.group[0]}")


def place_message(net: Projections, m: Membership) -> Message:
    """'Agroforestry at Scale (in implementation)'."""
    return say("place", group=group_name(net, m.group), stage=stage_of(m))


def involved_message(net: Projections, m: Membership) -> Message:
    """'Lead of Agroforestry at Scale (in implementation)'."""
    role = say(f"involved.{m.role}") if m.role in INVOLVED_ROLES else m.role
    return say("involved", role=role, group=group_name(net, m.group), stage=stage_of(m))


def seat_message(net: Projections, seat: Seat, objective: str) -> Message:
    """'Pia Peat is Task Force Leader for Europe on the B1 Task Force'."""
    role = Label("role", seat.role, ROLE_NAME.get(seat.role, "Task Force member"))
    if seat.region:
        region = Label("region", seat.region, net.regions.label(seat.region))
        return say(
            "task_force.seat_for", person=seat.name, role=role, region=region, objective=objective
        )
    return say("task_force.seat", person=seat.name, role=role, objective=objective)


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
        # Worked out once rather than per candidate (thousands are scored per question at M);
        # each is what the per-candidate expression gave, summed in the same order.
        self._rarity_whole = sum(self.rarity.values())
        self._lead_whole = sum(self.lead_pull.values())
        self._weights = tuple(self.weights.get(s, 0.0) for s in WEIGHTS)
        self._by_type: dict[str, float] = {}
        self._by_regions: dict[frozenset[str], tuple[float, float, float]] = {}

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
        return self._values(org, self._through_value(org.key))

    def _kept(self, org: Organisation) -> tuple[float, tuple[float, float, float]]:
        """The values that depend only on the organisation's type and its regions, kept:
        team_types, and regions, team_regions and lead_regions."""
        kind = org.type or ""
        by_type = self._by_type.get(kind)
        if by_type is None:
            by_type = self._by_type[kind] = self._type_value(kind)
        regions = self._by_regions.get(org.regions)
        if regions is None:
            regions = self._by_regions[org.regions] = (
                self._regions_value(org),
                _share(org.regions, self.reached),
                _share(org.regions, self.lead_regions),
            )
        return by_type, regions

    def _values(self, org: Organisation, through: float) -> dict[str, float]:
        """`values`, with shared_collaborators already worked out (`through`)."""
        key = org.key
        seats = self.seats.get(key)
        hops = self.distance.get(key, 0)
        team = len(self.team)
        by_type, regions = self._kept(org)
        worked = self.worked_with.get(key)
        return {
            "activity_topics": self.topic_scorer.value(org.topics),
            "objective_topics": self.objective_scorer.value(org.topics),
            "task_force": max((ROLE_VALUE.get(s.role, 0.0) for s in seats), default=0.0)
            if seats
            else 0.0,
            "interest": 1.0 if self.ctx.objective in org.interests else 0.0,
            "experience": 1.0 if key in self.here else 0.5 if key in self.nearby else 0.0,
            "membership": STATUS_VALUE.get(org.status or "", 0.0),
            "regions": regions[0],
            "team_types": by_type,
            "collaboration": len(worked) / team if team and worked else 0.0,
            "network_distance": 1.0 / hops if team and hops else 0.0,
            "shared_collaborators": through,
            "alliance": 1.0 if key in self.ties.alliance_members else 0.0,
            "exact_topics": self._exact_value(org),
            "team_regions": regions[1],
            "lead_collaboration": self._lead_value(key) if worked else 0.0,
            "lead_regions": regions[2],
        }

    def _worked_with_leads(self, key: str) -> list[str]:
        return [t for t in self.worked_with.get(key, ()) if t in self.leads]

    def _exact_value(self, org: Organisation) -> float:
        """The share of the activity's topics the organisation declares, each topic counting
        by its rarity: sharing a topic few declare is the stronger sign."""
        whole = self._rarity_whole
        if not whole or org.topics.isdisjoint(self.rarity):
            return 0.0
        return sum(v for t, v in self.rarity.items() if t in org.topics) / whole

    def _lead_value(self, key: str) -> float:
        """The share of the leads' pull (see __init__) that goes to this organisation."""
        whole = self._lead_whole
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
        """The reasons behind the values, each with its message and evidence."""
        objective = self.ctx.objective
        why = {
            "activity_topics": self._why_topics(org, self.near, say("topics.what.activity")),
            "objective_topics": self._why_topics(
                org, self.near_objective, say("topics.what.objective", objective=objective)
            ),
            "task_force": self._why_task_force(org),
            "interest": self._why_interest(org),
            "experience": self._why_experience(org),
            "membership": (status_message(org.status), [org.status] if org.status else []),
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
            Reason(signal, self.weights.get(signal, 0.0), values[signal], message, tuple(evidence))
            for signal, (message, evidence) in why.items()
        )

    def _why_topics(
        self, org: Organisation, near: dict[str, dict[str, float]], about: Message
    ) -> Why:
        match = match_topics(near, org.topics)
        return topic_text(self.net.topics, match, about), match.evidence

    def _why_task_force(self, org: Organisation) -> Why:
        seats = sorted(
            self.seats.get(org.key, ()), key=lambda s: (-ROLE_VALUE.get(s.role, 0), s.person)
        )
        if not seats:
            return say("task_force.none", objective=self.ctx.objective), ()
        seat = seat_message(self.net, seats[0], self.ctx.objective)
        if len(seats) > 1:
            seat = say("task_force.seats", seat=seat, count=len(seats))
        return seat, [s.person for s in seats]

    def _why_interest(self, org: Organisation) -> Why:
        objective = self.ctx.objective
        if objective in org.interests:
            return say("interest.declared", objective=objective), [objective]
        return say("interest.none", objective=objective), ()

    def _why_experience(self, org: Organisation) -> Why:
        here = self.here.get(org.key, [])
        if here:
            places = Items(tuple(place_message(self.net, m) for m in here), 3)
            return say("experience.activity", places=places), [m.group[1] for m in here]
        nearby = self.nearby.get(org.key, [])
        if nearby:
            names = Items(tuple(group_name(self.net, m.group) for m in nearby), 3)
            return say("experience.objective", objective=self.ctx.objective, places=names), [
                m.group[1] for m in nearby
            ]
        return say("experience.none"), ()

    def _why_regions(self, org: Organisation) -> Why:
        regions = sorted(org.regions)
        if not regions:
            return say("regions.none"), ()
        new = [r for r in regions if r not in self.reached]
        where = self._where(new or regions)
        if not self.team:
            return say("regions.works", where=where), regions
        if not new:
            return say("regions.team_works_there", where=where), ()
        return say("regions.team_does_not_reach", where=where), new

    def _where(self, regions: Sequence[str]) -> Message:
        """'in Europe and Africa', 'worldwide', or 'worldwide, notably in Europe'."""
        named = region_items(self.net, [r for r in regions if r != WORLD])
        if WORLD not in regions:
            return say("where.in", regions=named)
        if named.items:
            return say("where.worldwide_notably", regions=named)
        return say("where.worldwide")

    def _why_type(self, org: Organisation) -> Why:
        kind = org.type or ""
        for group in self.lacking:
            if kind in NEEDED_GROUPS[group]:
                need = say(f"need.{NEED_KEYS[group]}")
                key = "type.needed" if not self.team else "type.lacking"
                return say(key, type=type_label(kind), need=need), [kind]
        if kind and kind not in self.team_types:
            return say("type.new", type=type_label(kind)), [kind]
        return say("type.already", type=type_label(kind, mid=True)), ()

    def _why_collaboration(self, org: Organisation) -> Why:
        if not self.team:
            return say("collaboration.no_team"), ()
        worked = sorted(self.worked_with.get(org.key, []))
        if not worked:
            return say("collaboration.none"), ()
        groups = sorted({g for t in worked for g in self.net.shared_groups(org.key, t)})
        names = Items(tuple(self.net.name(t) for t in worked))
        titles = Items(tuple(group_name(self.net, g) for g in groups), 3)
        return say("collaboration.worked", names=names, groups=titles), worked

    def _why_network(self, org: Organisation) -> Why:
        hops = self.distance.get(org.key)
        if not self.team or not hops:
            return say("network.far"), ()
        if hops == 1:
            return say("network.direct"), ["1"]
        return say("network.steps", steps=hops), [str(hops)]

    def _why_through(self, org: Organisation) -> Why:
        graph = self.net.collaborators
        shared = sorted(z for z in graph.adj.get(org.key, {}) if z in self.worked_with)
        if not shared:
            return say("through.none"), ()
        names = Items(tuple(self.net.name(z) for z in shared), 4)
        return say("through.shared", names=names), shared

    def _why_exact(self, org: Organisation) -> Why:
        exact = [t for t in self.ctx.topics if t in org.topics]
        if not exact:
            return say("exact.none"), ()
        labels = Items(tuple(topic_label(self.net.topics, t) for t in exact))
        wanted = len(self.ctx.topics)
        return say("exact.some", count=len(exact), wanted=wanted, topics=labels), exact

    def _why_team_regions(self, org: Organisation) -> Why:
        shared = sorted(org.regions & self.reached)
        if not shared:
            return say("team_regions.none"), ()
        return say("team_regions.shared", regions=region_items(self.net, shared)), shared

    def _why_leads(self, org: Organisation) -> Why:
        leads = sorted(set(self._worked_with_leads(org.key)))
        if not leads:
            return say("leads.none"), ()
        names = Items(tuple(self.net.name(t) for t in leads))
        return say("leads.worked", names=names), leads

    def _why_lead_regions(self, org: Organisation) -> Why:
        shared = sorted(org.regions & self.lead_regions)
        if not shared:
            return say("lead_regions.none"), ()
        return say("lead_regions.shared", regions=region_items(self.net, shared)), shared

    def _why_alliance(self, org: Organisation) -> Why:
        shared = self.ties.shared_alliances(org.key)
        if not shared:
            return say("alliance.none"), ()
        titles = Items(tuple(group_name(self.net, g) for g in shared), 3)
        return say("alliance.shared", alliances=titles), [g[1] for g in shared]

    # -- the ranking ---------------------------------------------------------------------------

    def candidates(
        self,
        *,
        wide: bool = False,
        among: Callable[[Organisation], bool] | None = None,
        top: int | None = None,
    ) -> list[Candidate]:
        """Every organisation of the neighbourhood that shows a real link, best first; only
        those `among` keeps, when given (scoring the others would be wasted on the caller);
        only the first `top`, when given (`candidates()[:top]`, for less)."""
        keys = self.neighbourhood(wide=wide)
        if among is not None:
            organisations = self.net.organisations
            keys = [k for k in keys if among(organisations[k])]
        return self._scored(keys, top)

    def _scored(self, keys: Iterable[str], top: int | None) -> list[Candidate]:
        """Those of `keys` that show a real link, best first (the order of `ranked`).

        Thousands are scored per question at M, so the score is summed here straight from
        the values, term by term in the order of WEIGHTS as the plain sum over `values` adds
        them (a term of weight 0 adds nothing and is skipped), and the values of the signals
        no weight counts are only worked out for the candidates returned.
        """
        organisations = self.net.organisations
        w_at, w_ot, w_tf, w_in, w_ex, w_me, w_re, w_tt, w_co, w_nd = self._weights[:10]
        w_sc, w_al, w_et, w_tr, w_lc, w_lr = self._weights[10:]
        at_value, ot_value = self.topic_scorer.value, self.objective_scorer.value
        seats_of, distance, worked_of = self.seats.get, self.distance.get, self.worked_with.get
        here, nearby, allied = self.here, self.nearby, self.ties.alliance_members
        through_of = self.ties.shared_collaborators
        objective = self.ctx.objective
        team = len(self.team)
        found: list[tuple[float, str, float, float]] = []
        for key in keys:
            org = organisations[key]
            through = through_of(key)  # asked of every one in turn, as `values` would be
            topics = org.topics
            at, ot = at_value(topics), ot_value(topics)
            seats = seats_of(key)
            tf = max((ROLE_VALUE.get(s.role, 0.0) for s in seats), default=0.0) if seats else 0.0
            it = 1.0 if objective in org.interests else 0.0
            ex = 1.0 if key in here else 0.5 if key in nearby else 0.0
            worked = worked_of(key)
            co = len(worked) / team if team and worked else 0.0
            hops = distance(key, 0)
            nd = 1.0 / hops if team and hops else 0.0
            if not (at > 0 or ot > 0 or it > 0 or tf > 0 or ex > 0 or co > 0 or nd > 0):
                continue
            tt, (re, tr, lr) = self._kept(org)
            me = STATUS_VALUE.get(org.status or "", 0.0)
            total = (
                w_at * at
                + w_ot * ot
                + w_tf * tf
                + w_in * it
                + w_ex * ex
                + w_me * me
                + w_re * re
                + w_tt * tt
                + w_co * co
                + w_nd * nd
            )
            if w_sc:
                total += w_sc * through
            if w_al:
                total += w_al * (1.0 if key in allied else 0.0)
            if w_et:
                total += w_et * self._exact_value(org)
            if w_tr:
                total += w_tr * tr
            if w_lc:
                total += w_lc * (self._lead_value(key) if worked else 0.0)
            if w_lr:
                total += w_lr * lr
            score = round(total, PRECISION)
            found.append((-score, key, score, through))
        return ranked(found, top, organisations, self._values)

    def involved_rows(self, speaker: Speaker) -> list[Row]:
        """The organisations already on a live project for the activity, each with its places
        ("Lead of X (in implementation)") in the speaker's language."""
        rows: list[Row] = []
        for key in self.team:
            org = self.net.organisations.get(key)
            places = sorted(self.ctx.team[key], key=lambda m: (m.group, m.role))
            texts = [speaker.text(involved_message(self.net, m)) for m in places]
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


def _first_two(item: tuple[float, str, float, float]) -> tuple[float, str]:
    return item[0], item[1]


def ranked(
    found: list[tuple[float, str, float, float]],
    top: int | None,
    organisations: Mapping[str, Organisation],
    values: Callable[[Organisation, float], dict[str, float]],
) -> list[Candidate]:
    """Scored candidates `(-score, key, score, signal)` in ranking order (score down, then key),
    the first `top` of them, with their signal values: worked out only for those shown."""
    found.sort(key=_first_two)
    shown = found if top is None else found[:top]
    return [
        Candidate(organisations[key], score, values(organisations[key], signal))
        for _, key, score, signal in shown
    ]


def _share(mine: frozenset[str], theirs: set[str]) -> float:
    """The share of `mine` that is also in `theirs` (0 when `mine` is empty)."""
    return len(mine & theirs) / len(mine) if mine else 0.0


def candidate_row(
    matcher: ActivityMatcher, rank: int, candidate: Candidate, speaker: Speaker
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
        "involved": False,
        "reasons": reasons_out(reasons, speaker),
        "signals": signals_out(reasons),
    }
