"""Held-out partnerships from real IATI data: `python -m bench.matching --iati DIR`.

The generator's workbooks say how the rankings do on partnerships we invented; the IATI sample
(shared/data/iati: 313 real soil and land activities) says how they do on partnerships that
happened. The sample is loaded as `sic serve` loads it (each file reconciled against the
organisations already known), so an organisation is what reconciliation made of it. Its
participating organisations take the ontology's roles: funding -> `schema:funder`,
accountable -> `sic:lead`, extending and implementing -> `sic:partner`.

A case is one organisation taken off one reported project, when it takes part in at least one
other reported project (otherwise nothing could point to it): everyone who stays on the
project is the team, and each method ranks every other organisation of the sample. The
organisation's roles on the project say which role the case counts for (an organisation both
funding and implementing counts for both).

- ours: queries.team.ProjectMatcher (the hand-set weights of candidates-for-project) on the
  projections with the organisation's lead or partner edge to the project taken away
  (queries.holdout.HeldOut); a funder is no team member, so nothing of it is in the network
  the matcher reads;
- the baselines, on the sample's participations with the held-out one removed (all roles
  count here, funding too): random; popularity (how many reported projects an organisation
  takes part in); shared topics (how many of the project's DAC sectors the organisation worked
  on in its other projects); common neighbours and Adamic-Adar on the co-participation graph.

Cases are taken off in rounds in which no project and no organisation appears twice, so a
round's projections lose one participation per project and per organisation at most.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.baselines import rank_in_list, rank_of
from graph.base import GraphStore
from graph.results import SelectResult, text
from queries.holdout import HeldOut
from queries.network import projections
from queries.team import ProjectMatcher, project_context
from sic.errors import NotFound
from sic.iris import parse

ROLES = ("funding", "accountable", "partner")
"""The roles cases are reported by (partner: extending and implementing)."""
OURS = "ours (hand-set)"

PARTICIPATIONS = """
PREFIX sic: <https://w3id.org/4p1000/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?project ?organisation ?role WHERE {
  ?project a sic:Project, sic:ExternalRecord .
  { ?project schema:funder ?organisation BIND ("funding" AS ?role) }
  UNION { ?project sic:lead ?organisation BIND ("accountable" AS ?role) }
  UNION { ?project sic:partner ?organisation BIND ("partner" AS ?role) }
}"""
SECTORS = """
PREFIX sic: <https://w3id.org/4p1000/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?project ?sector WHERE { ?project a sic:Project, sic:ExternalRecord ; dct:subject ?sector }"""
# (bench code, like bench/queries.py: these two questions serve this harness only)


@dataclass(frozen=True)
class Participation:
    project: str
    organisation: str
    role: str


@dataclass(frozen=True)
class IatiCase:
    """One organisation held out of one reported project."""

    project: str
    organisation: str
    roles: frozenset[str]
    team: frozenset[str]  # who stays on the project, in any role


@dataclass
class Sample:
    """The reported projects' participations and sectors (keys as the projections name them)."""

    participations: list[Participation]
    sectors: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def organisations(self) -> list[str]:
        return sorted({p.organisation for p in self.participations})


def _key(iri: str) -> str:
    parsed = parse(iri)
    return parsed[2] if parsed else iri


def _select(store: GraphStore, query: str) -> SelectResult:
    result = store.query(query)
    assert isinstance(result, SelectResult)
    return result


def read_sample(store: GraphStore) -> Sample:
    """The reported projects of a store: who takes part in which, in which role, and their
    DAC sectors."""
    parts = sorted(
        {
            Participation(
                _key(text(r.get("project"))), _key(text(r.get("organisation"))), text(r["role"])
            )
            for r in _select(store, PARTICIPATIONS)
        },
        key=lambda p: (p.project, p.organisation, p.role),
    )
    sectors: dict[str, set[str]] = defaultdict(set)
    for r in _select(store, SECTORS):
        sectors[_key(text(r.get("project")))].add(text(r.get("sector")))
    return Sample(parts, {k: frozenset(v) for k, v in sectors.items()})


def cases_of(participations: Iterable[Participation]) -> list[IatiCase]:
    """Every (project, organisation) whose organisation takes part in another project too."""
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    projects_of: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    for p in participations:
        roles[p.project, p.organisation].add(p.role)
        projects_of[p.organisation].add(p.project)
        members[p.project].add(p.organisation)
    return [
        IatiCase(project, org, frozenset(found), frozenset(members[project] - {org}))
        for (project, org), found in sorted(roles.items())
        if len(projects_of[org]) >= 2
    ]


def rounds(cases: Sequence[IatiCase]) -> list[list[IatiCase]]:
    """The cases in rounds where no project and no organisation appears twice (greedy, in
    order), so each round can be taken off the projections at once."""
    taken: list[set[str]] = []  # per round: its projects and organisations
    out: list[list[IatiCase]] = []
    for case in cases:
        keys = {f"p:{case.project}", f"o:{case.organisation}"}
        found = next((i for i, used in enumerate(taken) if not used & keys), None)
        if found is None:
            taken.append(set())
            out.append([])
            found = len(out) - 1
        taken[found] |= keys
        out[found].append(case)
    return out


# -- the baselines, on the sample's participations --------------------------------------------


class Without:
    """The sample with one participation (all roles of one organisation on one project) gone."""

    def __init__(self, sample: Sample, case: IatiCase) -> None:
        self.sample = sample
        self.case = case
        self.projects_of: dict[str, set[str]] = defaultdict(set)
        self.members: dict[str, set[str]] = defaultdict(set)
        for p in sample.participations:
            if (p.project, p.organisation) == (case.project, case.organisation):
                continue
            self.projects_of[p.organisation].add(p.project)
            self.members[p.project].add(p.organisation)

    def neighbours(self, org: str) -> set[str]:
        return {o for g in self.projects_of.get(org, ()) for o in self.members[g]} - {org}


Scores = Mapping[str, float]


def random_scores(w: Without) -> Scores:
    return {}


def popularity(w: Without) -> Scores:
    return {org: float(len(groups)) for org, groups in w.projects_of.items()}


def shared_topics(w: Without) -> Scores:
    wanted = w.sample.sectors.get(w.case.project, frozenset())
    scores: dict[str, float] = {}
    for org, groups in w.projects_of.items():
        worked = {s for g in groups for s in w.sample.sectors.get(g, ())}
        if worked & wanted:
            scores[org] = float(len(worked & wanted))
    return scores


def _neighbour_sum(w: Without, weight: Callable[[int], float]) -> Scores:
    scores: dict[str, float] = {}
    for member in w.case.team:
        for z in w.neighbours(member):
            value = weight(len(w.neighbours(z)))
            for candidate in w.neighbours(z) - {member}:
                scores[candidate] = scores.get(candidate, 0.0) + value
    return scores


def common_neighbours(w: Without) -> Scores:
    return _neighbour_sum(w, lambda degree: 1.0)


def adamic_adar(w: Without) -> Scores:
    return _neighbour_sum(w, lambda degree: 1.0 / math.log(degree) if degree > 1 else 0.0)


BASELINES: dict[str, Callable[[Without], Scores]] = {
    "random": random_scores,
    "popularity": popularity,
    "shared topics": shared_topics,
    "common neighbours": common_neighbours,
    "Adamic-Adar": adamic_adar,
}


# -- the run ----------------------------------------------------------------------------------


@dataclass
class Ranked:
    """The rank each method gave each case's organisation."""

    cases: list[IatiCase]
    ranks: dict[str, list[float]]


def evaluate_iati(store: GraphStore, *, seed: int) -> Ranked:
    """Every case ranked by ours and by every baseline, among the sample's organisations."""
    sample = read_sample(store)
    cases = cases_of(sample.participations)
    universe = sample.organisations
    full = projections(store)
    ranks: dict[str, list[float]] = {OURS: [], **{b: [] for b in BASELINES}}
    done: list[IatiCase] = []
    for batch in rounds(cases):
        net = HeldOut(store, [(c.organisation, ("project", c.project)) for c in batch], base=full)
        for case in batch:
            i = len(done)
            pool = set(universe) - case.team
            try:
                ctx = project_context(store, net, case.project, topics_of={})
                ranking = [
                    c.organisation.key
                    for c in ProjectMatcher(net, ctx).candidates()
                    if c.organisation.key in pool
                ]
            except NotFound:  # nobody stays on it as lead or partner: the matcher has no team
                ranking = []
            ranks[OURS].append(rank_in_list(case.organisation, ranking, len(pool), seed + i))
            without = Without(sample, case)
            for name, score in BASELINES.items():
                ranks[name].append(
                    rank_of(case.organisation, score(without), universe, case.team, seed + i)
                )
            done.append(case)
    return Ranked(done, ranks)


def by_role(ranked: Ranked) -> dict[str, Ranked]:
    """The cases of each role (and all together), in the order of `ROLES`."""
    out = {"all": ranked}
    for role in ROLES:
        keep = [i for i, c in enumerate(ranked.cases) if role in c.roles]
        out[role] = Ranked(
            [ranked.cases[i] for i in keep],
            {m: [r[i] for i in keep] for m, r in ranked.ranks.items()},
        )
    return out


def sample_files(folder: Path) -> list[Path]:
    """The IATI files of a sample folder."""
    return sorted(folder.glob("*.xml"))
