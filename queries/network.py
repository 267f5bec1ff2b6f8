"""The network projections the analyses share, read from SPARQL once per store version.

Three projections, as networkx graphs over (kind, key) nodes:

- collaboration: organisation - project/alliance (bipartite), and from it organisation -
  organisation with the shared groups on each edge. Groups are small, so this one-mode
  projection stays small too;
- interests: organisation - topic and organisation - objective (bipartite). Popular topics
  have thousands of organisations, so this one is never projected onto organisations: link
  scores walk the two-hop neighbourhood of the organisations asked about (a full projection
  measured 85x slower at 1M triples);
- organisation - activity, through the projects and alliances that address activities.

Everything is keyed on the workbook keys the answers show. A `Projections` belongs to one store
version: `projections(store)` hands back the cached one while `store.version()` is unchanged and
builds a new one, lazily and part by part, once the data has changed.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar

import networkx as nx

from graph.base import GraphStore
from queries.answer import Row
from queries.betweenness import betweenness
from queries.hierarchy import Hierarchy
from queries.labels import Labels, read_labels
from queries.sparql import named_rows

Node = tuple[str, str]  # (kind, key): keys are unique within a kind only
ANSWERS = 512  # question answers kept per store version
BETWEENNESS_BUDGET = 2_000_000  # node + edge visits for one betweenness computation
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Organisation:
    """What an organisation declares about itself."""

    key: str
    name: str
    acronym: str | None
    type: str | None
    status: str | None
    country: str | None
    topics: frozenset[str]
    interests: frozenset[str]
    regions: frozenset[str]


@dataclass(frozen=True)
class Place:
    """Where something takes place: its countries, and the UN M49 regions they lie in.

    `regions` holds each placed country's most specific region (Western Africa for SN, not
    Africa): `Hierarchy.within` and `ancestors` walk up from there, and an answer can name the
    region that says most. `unplaced` are the declared codes the country table does not have,
    so that a caller can say so rather than drop them.
    """

    countries: tuple[str, ...]
    regions: frozenset[str]
    unplaced: tuple[str, ...]


@dataclass(frozen=True)
class Membership:
    """One organisation in one project or alliance."""

    organisation: str
    group: Node
    role: str
    title: str
    stage: str | None
    stage_order: int | None
    live: bool | None


@dataclass(frozen=True)
class Seat:
    """One Task Force role, seen from the organisation of the person holding it."""

    organisation: str
    objective: str
    person: str
    name: str
    role: str
    region: str | None


@dataclass(frozen=True)
class Funding:
    """One funding row (a tranche pledged, committed or disbursed)."""

    project: str
    funder: str
    amount: Decimal
    currency: str
    status: str


@dataclass(frozen=True)
class Call:
    """A funding call and what it targets."""

    key: str
    title: str
    funder: str | None
    currency: str | None
    min_amount: Decimal | None
    max_amount: Decimal | None
    deadline: dt.date | None
    topics: frozenset[str]
    regions: frozenset[str]
    objectives: frozenset[str]


def _read(store: GraphStore, part: str) -> list[Row]:
    """The rows of one building block in a stable order.

    The network-*.rq files have no ORDER BY: sorting 85k rows took 4 of the 5 seconds of one
    of them at 1M triples. Sorting plain values here is cheap, and keeps every "first value
    wins" choice below (a second name, a repeated title) independent of the store's order.
    """
    rows = named_rows(store, part)
    rows.sort(key=lambda row: tuple("" if v is None else str(v) for v in row.values()))
    return rows


def _grouped(pairs: Iterable[tuple[K, V]]) -> dict[K, tuple[V, ...]]:
    """The values of each key, in the order they come: how every index below is built."""
    found: dict[K, list[V]] = defaultdict(list)
    for key, value in pairs:
        found[key].append(value)
    return {k: tuple(v) for k, v in found.items()}


def _text(row: Row, column: str) -> str | None:
    value = row.get(column)
    return None if value is None else str(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


class Projections:
    """The graphs and indexes of one store version; each is built on first use."""

    def __init__(self, store: GraphStore, version: str) -> None:
        self.store = store
        self.version = version
        self._lock = threading.Lock()
        self._brokers: dict[str | None, dict[str, float]] = {}
        self._answers: dict[Hashable, list[Row]] = {}

    def answer(self, key: Hashable, compute: Callable[[], list[Row]]) -> list[Row]:
        """The rows of one question call, computed once for this version (a private copy).

        Whole-graph aggregates take seconds at 1M triples; the data only changes with the
        version, so every later call is a dictionary lookup. At most ANSWERS are kept.
        """
        with self._lock:
            found = self._answers.get(key)
        if found is None:
            found = compute()
            with self._lock:
                if len(self._answers) >= ANSWERS:
                    self._answers.pop(next(iter(self._answers)))
                self._answers[key] = found
        return copy.deepcopy(found)

    # -- what organisations declare ---------------------------------------------------------

    @cached_property
    def organisations(self) -> dict[str, Organisation]:
        links: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in _read(self.store, "network-organisation-links"):
            links[(str(row["organisation"]), str(row["relation"]))].add(str(row["target"]))
        out: dict[str, Organisation] = {}
        for row in _read(self.store, "network-organisations"):
            key = str(row["organisation"])
            if key in out:
                continue
            out[key] = Organisation(
                key=key,
                name=_text(row, "name") or key,
                acronym=_text(row, "acronym"),
                type=_text(row, "type"),
                status=_text(row, "status"),
                country=_text(row, "country"),
                topics=frozenset(links[(key, "topic")]),
                interests=frozenset(links[(key, "interest")]),
                regions=frozenset(links[(key, "region")]),
            )
        return out

    @cached_property
    def _concepts(self) -> dict[str, tuple[dict[str, str], dict[str, set[str]]]]:
        kinds: dict[str, tuple[dict[str, str], dict[str, set[str]]]] = {
            kind: ({}, defaultdict(set)) for kind in ("topic", "region", "objective")
        }
        for row in _read(self.store, "network-concepts"):
            labels, broader = kinds[str(row["kind"])]
            concept = str(row["concept"])
            if row.get("label") is not None:
                labels[concept] = str(row["label"])
            if row.get("broader") is not None:
                broader[concept].add(str(row["broader"]))
        return kinds

    @cached_property
    def topics(self) -> Hierarchy:
        labels, broader = self._concepts["topic"]
        return Hierarchy(labels, broader)

    @cached_property
    def regions(self) -> Hierarchy:
        labels, broader = self._concepts["region"]
        return Hierarchy(labels, broader)

    @cached_property
    def country_regions(self) -> dict[str, frozenset[str]]:
        """Each ISO 3166-1 alpha-2 code and its most specific UN M49 region.

        Read from the regions module of the ontology (sic:includesCountry), which carries the
        standard's table, so the store and SPARQL users see the same places as the matchers.
        """
        found: dict[str, set[str]] = defaultdict(set)
        for row in _read(self.store, "network-region-countries"):
            found[str(row["country"]).upper()].add(str(row["region"]))
        return {code: frozenset(regions) for code, regions in found.items()}

    def place(self, countries: Iterable[str]) -> Place:
        """The UN M49 regions a set of countries lies in (see `Place`)."""
        codes = sorted({c.strip().upper() for c in countries if c.strip()})
        table = self.country_regions
        return Place(
            countries=tuple(codes),
            regions=frozenset(r for c in codes for r in table.get(c, ())),
            unplaced=tuple(c for c in codes if c not in table),
        )

    @cached_property
    def project_countries(self) -> dict[str, frozenset[str]]:
        """The countries each project declares it takes place in (projects with none left out)."""
        found: dict[str, set[str]] = defaultdict(set)
        for row in _read(self.store, "network-project-countries"):
            found[str(row["project"])].add(str(row["country"]))
        return {project: frozenset(codes) for project, codes in found.items()}

    @cached_property
    def objective_labels(self) -> dict[str, str]:
        return self._concepts["objective"][0]

    @cached_property
    def labels(self) -> Labels:
        """Names in English, French and Spanish, for reasons written in the reader's language."""
        return read_labels(self.store)

    def name(self, organisation: str) -> str:
        found = self.organisations.get(organisation)
        return found.name if found else organisation

    @cached_property
    def interests(self) -> Any:
        """Bipartite organisation - topic / objective graph (declared interests only)."""
        graph = nx.Graph()
        for key in sorted(self.organisations):
            org = self.organisations[key]
            graph.add_node(("organisation", key))
            for topic in sorted(org.topics):
                graph.add_edge(("organisation", key), ("topic", topic))
            for objective in sorted(org.interests):
                graph.add_edge(("organisation", key), ("objective", objective))
        return graph

    def declaring(self, node: Node) -> list[str]:
        """Organisations that declare a topic or objective node, sorted by key."""
        if node not in self.interests:
            return []
        return sorted(n[1] for n in self.interests[node] if n[0] == "organisation")

    # -- who works with whom -----------------------------------------------------------------

    @cached_property
    def memberships(self) -> tuple[Membership, ...]:
        groups = {(str(r["kind"]), str(r["group"])): r for r in _read(self.store, "network-groups")}
        roles: dict[tuple[str, Node], str] = {}
        for row in _read(self.store, "network-members"):
            place = (str(row["organisation"]), (str(row["kind"]), str(row["group"])))
            role = str(row["role"])
            if roles.get(place) != "lead":  # an alliance's lead is listed as a member too
                roles[place] = role
        out: list[Membership] = []
        for (organisation, group), role in roles.items():
            info = groups.get(group, {})
            order = info.get("stage_order")
            live = info.get("live")
            out.append(
                Membership(
                    organisation=organisation,
                    group=group,
                    role=role,
                    title=_text(info, "title") or group[1],
                    stage=_text(info, "stage"),
                    stage_order=int(order) if order is not None else None,
                    live=bool(live) if live is not None else None,
                )
            )
        return tuple(sorted(out, key=lambda m: (m.group, m.organisation, m.role)))

    @cached_property
    def group_activities(self) -> dict[Node, frozenset[tuple[str, str]]]:
        """(activity, objective) pairs each project or alliance addresses."""
        found: dict[Node, set[tuple[str, str]]] = defaultdict(set)
        for row in _read(self.store, "network-group-activities"):
            group = (str(row["kind"]), str(row["group"]))
            found[group].add((str(row["activity"]), str(row["objective"])))
        return {g: frozenset(v) for g, v in found.items()}

    @cached_property
    def members_of(self) -> dict[Node, tuple[Membership, ...]]:
        """The memberships of each project or alliance."""
        return _grouped((m.group, m) for m in self.memberships)

    @cached_property
    def places_of(self) -> dict[str, tuple[Membership, ...]]:
        """The memberships of each organisation."""
        return _grouped((m.organisation, m) for m in self.memberships)

    @cached_property
    def _groups_by(self) -> tuple[dict[str, frozenset[Node]], dict[str, frozenset[Node]]]:
        by_activity: dict[str, set[Node]] = defaultdict(set)
        by_objective: dict[str, set[Node]] = defaultdict(set)
        for group, pairs in self.group_activities.items():
            for activity, objective in pairs:
                by_activity[activity].add(group)
                by_objective[objective].add(group)
        return (
            {k: frozenset(v) for k, v in by_activity.items()},
            {k: frozenset(v) for k, v in by_objective.items()},
        )

    def groups_for_activity(self, activity: str) -> list[Node]:
        return sorted(self._groups_by[0].get(activity, frozenset()))

    def groups_for_objective(self, objective: str) -> list[Node]:
        return sorted(self._groups_by[1].get(objective, frozenset()))

    def group_title(self, group: Node) -> str:
        members = self.members_of.get(group)
        return members[0].title if members else group[1]

    def activity_memberships(self, activity: str) -> list[Membership]:
        """Who takes part in the projects and alliances addressing one activity."""
        return [m for g in self.groups_for_activity(activity) for m in self.members_of.get(g, ())]

    @cached_property
    def collaboration(self) -> Any:
        """Bipartite organisation - project/alliance graph (any stage)."""
        graph = nx.Graph()
        for m in self.memberships:
            graph.add_edge(("organisation", m.organisation), m.group)
        return graph

    @cached_property
    def collaborators(self) -> Any:
        """Organisation - organisation graph: an edge per pair sharing a project or alliance."""
        return self._collaborators(None)

    def _collaborators(self, objective: str | None) -> Any:
        groups = self.members_of if objective is None else self.groups_for_objective(objective)
        members: dict[Node, set[str]] = defaultdict(set)
        for group in groups:
            members[group].update(m.organisation for m in self.members_of.get(group, ()))
        graph = nx.Graph()
        for group in sorted(members):
            orgs = sorted(members[group])
            graph.add_nodes_from(orgs)
            for i, a in enumerate(orgs):
                for b in orgs[i + 1 :]:
                    if graph.has_edge(a, b):
                        graph[a][b]["groups"].append(group)
                    else:
                        graph.add_edge(a, b, groups=[group])
        return graph

    def distances(self, sources: Iterable[str], cutoff: int) -> dict[str, int]:
        """Hops from the nearest of `sources` on the collaboration network, up to `cutoff`.

        Sources are at 0; organisations further than `cutoff` are left out. Keep the cutoff
        small: on a dense network three hops already reach almost everyone.
        """
        graph = self.collaborators
        frontier = [s for s in set(sources) if s in graph]
        seen = dict.fromkeys(frontier, 0)
        for depth in range(1, cutoff + 1):
            nxt: list[str] = []
            for node in frontier:
                for other in graph[node]:
                    if other not in seen:
                        seen[other] = depth
                        nxt.append(other)
            if not nxt:
                break
            frontier = nxt
        return seen

    def shared_groups(self, a: str, b: str) -> list[Node]:
        graph = self.collaborators
        if graph.has_edge(a, b):
            return list(graph[a][b]["groups"])
        return []

    def brokers(self, objective: str | None) -> dict[str, float]:
        """Betweenness centrality on the collaboration network (of one objective's groups).

        Exact while the work stays under BETWEENNESS_BUDGET node and edge visits; beyond, it
        is estimated from as many source organisations as the budget allows (at least 32),
        drawn with a fixed seed from the sorted nodes so that the ranking is stable. Exact
        betweenness took 50 s at 1M triples. Computed in C by queries.betweenness, which gives
        networkx's numbers (networkx took 2.8 s at M). Cached with the projections.
        """
        with self._lock:
            cached = self._brokers.get(objective)
        if cached is not None:
            return cached
        graph = self.objective_graph(objective)
        nodes = sorted(graph.nodes)
        size = len(nodes) + graph.number_of_edges()
        sources = max(32, BETWEENNESS_BUDGET // max(size, 1))
        result = betweenness(nodes, graph.edges, sources if sources < len(nodes) else None, seed=7)
        with self._lock:
            self._brokers[objective] = result
        return result

    def objective_graph(self, objective: str | None) -> Any:
        """The collaboration network restricted to groups addressing one objective."""
        return self.collaborators if objective is None else self._collaborators(objective)

    # -- Task Forces, funding and calls --------------------------------------------------------

    @cached_property
    def seats(self) -> tuple[Seat, ...]:
        return tuple(
            Seat(
                organisation=str(row["organisation"]),
                objective=str(row["objective"]),
                person=str(row["person"]),
                name=_text(row, "name") or str(row["person"]),
                role=str(row["role"]),
                region=_text(row, "region"),
            )
            for row in _read(self.store, "network-task-forces")
        )

    @cached_property
    def seats_of(self) -> dict[str, tuple[Seat, ...]]:
        """Task Force seats by the organisation of the person holding them."""
        found = _grouped((seat.organisation, seat) for seat in self.seats)
        return {
            k: tuple(sorted(v, key=lambda s: (s.person, s.objective, s.role)))
            for k, v in found.items()
        }

    def seats_on(self, objective: str) -> dict[str, tuple[Seat, ...]]:
        """Task Force seats on one objective by the organisation of the person holding them."""
        return _grouped((s.organisation, s) for s in self.seats if s.objective == objective)

    @cached_property
    def fundings(self) -> tuple[Funding, ...]:
        return tuple(
            Funding(
                project=str(row["project"]),
                funder=str(row["funder"]),
                amount=_decimal(row["amount"]) or Decimal(0),
                currency=str(row["currency"]),
                status=str(row["status"]),
            )
            for row in _read(self.store, "network-fundings")
        )

    @cached_property
    def fundings_of(self) -> dict[str, tuple[Funding, ...]]:
        """Funding rows by project."""
        return _grouped((f.project, f) for f in self.fundings)

    @cached_property
    def given_by(self) -> dict[str, tuple[Funding, ...]]:
        """Funding rows by funder."""
        return _grouped((f.funder, f) for f in self.fundings)

    @cached_property
    def grants(self) -> dict[tuple[str, str], tuple[Decimal, ...]]:
        """Amounts each funder has given, by (funder, currency): its usual grant size."""
        return _grouped(((f.funder, f.currency), f.amount) for f in self.fundings)

    @cached_property
    def funded_objectives(self) -> dict[str, frozenset[str]]:
        """The objectives of the projects each funder has funded."""
        found: dict[str, set[str]] = defaultdict(set)
        for f in self.fundings:
            for _, objective in self.group_activities.get(("project", f.project), ()):
                found[f.funder].add(objective)
        return {k: frozenset(v) for k, v in found.items()}

    @cached_property
    def funders(self) -> frozenset[str]:
        """Organisations that fund: have funded a project, run a call, or are donors."""
        found = {f.funder for f in self.fundings}
        found |= {c.funder for c in self.calls if c.funder}
        found |= {k for k, o in self.organisations.items() if o.type == "donor"}
        return frozenset(found)

    @cached_property
    def calls(self) -> tuple[Call, ...]:
        links: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in _read(self.store, "network-call-links"):
            links[(str(row["call"]), str(row["relation"]))].add(str(row["target"]))
        out: dict[str, Call] = {}
        for row in _read(self.store, "network-calls"):
            key = str(row["call"])
            out.setdefault(
                key,
                Call(
                    key=key,
                    title=_text(row, "title") or key,
                    funder=_text(row, "funder"),
                    currency=_text(row, "currency"),
                    min_amount=_decimal(row.get("min_amount")),
                    max_amount=_decimal(row.get("max_amount")),
                    deadline=_date(row.get("deadline")),
                    topics=frozenset(links[(key, "topic")]),
                    regions=frozenset(links[(key, "region")]),
                    objectives=frozenset(links[(key, "objective")]),
                ),
            )
        return tuple(out[k] for k in sorted(out))


_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[GraphStore, Projections] = weakref.WeakKeyDictionary()


def projections(store: GraphStore) -> Projections:
    """The projections of the store's current version, reused until its data changes."""
    version = store.version()
    with _lock:
        current = _cache.get(store)
        if current is None or current.version != version:
            current = Projections(store, version)
            _cache[store] = current
        return current
