"""Held-out partnerships: the cases a partner ranking is measured on.

A case is one partner taken off one live project: the ranking is asked the question a Task
Force leader would have asked before that partner joined, and we look at where the partner
comes. Removing a partnership is done on the projections (`HeldOut`), not in the store: the
collaboration network, the teams and every signal the rankings read come from
`Projections.memberships` (only queries/network-members.rq reads `sic:partner`), so dropping
the pair there is the same as deleting the triple (tests/queries/test_holdout.py checks that
against a store with the triples deleted), and any store, local or remote, can be measured
without being written to.

Cases are drawn seeded and stratified by objective (round-robin over objectives, so a
crowded objective does not fill the sample), at most one per project, so that every case
keeps the rest of its team.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from graph.base import GraphStore
from queries.network import Membership, Node, Projections

LIVE_TEAM = ("project",)


@dataclass(frozen=True)
class Case:
    """One partner held out of one live project."""

    project: str
    partner: str
    lead: str
    rest: tuple[str, ...]  # the partners that stay
    activities: tuple[str, ...]
    objective: str  # the stratum: the objective of the project's first activity
    activity: str | None  # the activity asked about in the activity task (None: no valid one)

    @property
    def group(self) -> Node:
        return ("project", self.project)

    @property
    def team(self) -> tuple[str, ...]:
        """Who stays on the project: the team a project ranking completes."""
        return (self.lead, *self.rest)


SHARED = (
    "organisations",
    "_concepts",
    "topics",
    "regions",
    "country_regions",
    "project_countries",
    "objective_labels",
    "interests",
    "group_activities",
    "seats",
    "seats_of",
)
"""What a HeldOut may take from the full projections: nothing here reads partnerships."""


class HeldOut(Projections):
    """The projections of a store with some (organisation, project) partnerships taken away.

    Given the store's full projections as `base`, the parts that do not depend on who is in
    which project are shared rather than read again.
    """

    def __init__(
        self,
        store: GraphStore,
        removed: Iterable[tuple[str, Node]],
        *,
        base: Projections | None = None,
    ) -> None:
        super().__init__(store, f"{store.version()}-held-out")
        self.removed = frozenset(removed)
        self.base = base
        for name in SHARED if base is not None else ():
            self.__dict__[name] = getattr(base, name)

    @cached_property
    def memberships(self) -> tuple[Membership, ...]:
        if self.base is not None:
            full = self.base.memberships
        else:
            full = Projections.memberships.func(self)  # type: ignore[attr-defined]
        return tuple(m for m in full if (m.organisation, m.group) not in self.removed)


def draw_cases(net: Projections, count: int, seed: int, *, live_only: bool = True) -> list[Case]:
    """Up to `count` cases from the projects of `net`, seeded, stratified by objective.

    The live projects only (the question a Task Force leader asks today), or every project
    with `live_only=False` (the history weights are learned from).

    The activity of the activity task is one of the project's activities on which the partner
    has no other live project (otherwise it would still be on the activity's team and not a
    candidate); a case without one keeps `activity=None` and counts for the project task only.
    """
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    strata: dict[str, list[tuple[str, Membership, list[Membership]]]] = defaultdict(list)
    for group, members in sorted(net.members_of.items()):
        if group[0] != "project" or not members or (live_only and not members[0].live):
            continue
        pairs = net.group_activities.get(group, frozenset())
        partners = [m for m in members if m.role == "partner"]
        leads = [m for m in members if m.role == "lead"]
        if not pairs or not partners or not leads:
            continue
        objective = sorted(pairs)[0][1]
        strata[objective].append((group[1], leads[0], partners))
    for pool in strata.values():
        rng.shuffle(pool)
    order = sorted(strata)
    rng.shuffle(order)
    cases: list[Case] = []
    while len(cases) < count and any(strata.values()):
        for objective in order:
            if strata[objective] and len(cases) < count:
                project, lead, partners = strata[objective].pop()
                held = rng.choice(partners)
                rest = tuple(sorted(m.organisation for m in partners if m is not held))
                activities = tuple(sorted(a for a, _ in net.group_activities[("project", project)]))
                cases.append(
                    Case(
                        project=project,
                        partner=held.organisation,
                        lead=lead.organisation,
                        rest=rest,
                        activities=activities,
                        objective=objective,
                        activity=None,
                    )
                )
    return _with_activities(net, cases, rng)


def _with_activities(net: Projections, cases: list[Case], rng: random.Random) -> list[Case]:
    """Give each case an activity on which its partner has no other live project."""
    removed = {(c.partner, c.group) for c in cases}
    out: list[Case] = []
    for case in cases:
        valid = [
            a
            for a in case.activities
            if not any(
                m.organisation == case.partner
                and m.group[0] in LIVE_TEAM
                and m.live
                and (m.organisation, m.group) not in removed
                for m in net.activity_memberships(a)
            )
        ]
        activity = rng.choice(valid) if valid else None
        out.append(
            Case(
                case.project,
                case.partner,
                case.lead,
                case.rest,
                case.activities,
                case.objective,
                activity,
            )
        )
    return out
