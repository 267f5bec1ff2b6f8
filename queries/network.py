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

The service does better (`keep_up`): it builds every part once in its own process, and after
each write follows the write's delta, re-reading only the rows of what the write touched
(queries.network_tables) and patching the parts that depend on them, before it forks the
workers that answer; so the first question after a write finds everything built. Rebuilding
them took 17-25 s per network question at M.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar

import networkx as nx

from graph.base import GraphStore
from queries.answer import Row
from queries.betweenness import betweenness
from queries.hierarchy import Hierarchy
from queries.labels import Labels, labels_from
from queries.network_tables import Changed, Owner, Tables
from queries.objective_figures import ObjectiveFigures

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
    key: str = ""
    """The funding line's key (its rows come in the order of their keys)."""


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


def _membership_order(m: Membership) -> tuple[Node, str, str]:
    return (m.group, m.organisation, m.role)


def _funding_order(f: Funding) -> tuple[str, ...]:
    """The order of the funding rows (see queries.network_tables._order)."""
    return (f.key, f.project, f.funder, str(f.amount), f.currency, f.status)


def _pairs(rows: Iterable[Row]) -> dict[Node, frozenset[tuple[str, str]]]:
    """(activity, objective) pairs by project or alliance, from network-group-activities rows."""
    found: dict[Node, set[tuple[str, str]]] = defaultdict(set)
    for row in rows:
        group = (str(row["kind"]), str(row["group"]))
        found[group].add((str(row["activity"]), str(row["objective"])))
    return {g: frozenset(v) for g, v in found.items()}


def _declare(graph: Any, org: Organisation) -> None:
    """An organisation's node on the interest graph, with an edge per topic and objective."""
    node = ("organisation", org.key)
    graph.add_node(node)
    for topic in sorted(org.topics):
        graph.add_edge(node, ("topic", topic))
    for objective in sorted(org.interests):
        graph.add_edge(node, ("objective", objective))


def _pairs_of(organisations: Iterable[str]) -> set[tuple[str, str]]:
    """Every pair of distinct organisations, each pair once and in order."""
    ordered = sorted(organisations)
    return {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}


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
        self._objective_graphs: dict[str, Any] = {}
        self._answers: dict[Hashable, list[Row]] = {}
        self.tables = Tables(store)

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
        """Every organisation by key, in the order of the keys."""
        table = self.tables.table("network-organisations")
        found = (self._organisation(owner) for owner in table.by_owner)
        return {org.key: org for org in sorted((o for o in found if o), key=lambda o: o.key)}

    def _organisation(self, owner: Owner | None) -> Organisation | None:
        """One organisation from its rows (the first of its rows wins), None if it has none."""
        rows = self.tables.of("network-organisations", owner)
        if not rows:
            return None
        row = rows[0]
        key = str(row["organisation"])
        links: dict[str, set[str]] = defaultdict(set)
        for link in self.tables.of("network-organisation-links", owner):
            links[str(link["relation"])].add(str(link["target"]))
        return Organisation(
            key=key,
            name=_text(row, "name") or key,
            acronym=_text(row, "acronym"),
            type=_text(row, "type"),
            status=_text(row, "status"),
            country=_text(row, "country"),
            topics=frozenset(links["topic"]),
            interests=frozenset(links["interest"]),
            regions=frozenset(links["region"]),
        )

    @cached_property
    def _concepts(self) -> dict[str, tuple[dict[str, str], dict[str, set[str]]]]:
        kinds: dict[str, tuple[dict[str, str], dict[str, set[str]]]] = {
            kind: ({}, defaultdict(set)) for kind in ("topic", "region", "objective")
        }
        for row in self.tables.rows("network-concepts"):
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
        for row in self.tables.rows("network-region-countries"):
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
        for row in self.tables.rows("network-project-countries"):
            found[str(row["project"])].add(str(row["country"]))
        return {project: frozenset(codes) for project, codes in found.items()}

    @cached_property
    def objective_labels(self) -> dict[str, str]:
        return self._concepts["objective"][0]

    @cached_property
    def labels(self) -> Labels:
        """Names in English, French and Spanish, for reasons written in the reader's language."""
        return labels_from(self.tables.rows("page-labels"))

    def name(self, organisation: str) -> str:
        found = self.organisations.get(organisation)
        return found.name if found else organisation

    @cached_property
    def interests(self) -> Any:
        """Bipartite organisation - topic / objective graph (declared interests only)."""
        graph = nx.Graph()
        for key in sorted(self.organisations):
            _declare(graph, self.organisations[key])
        return graph

    def declaring(self, node: Node) -> list[str]:
        """Organisations that declare a topic or objective node, sorted by key."""
        if node not in self.interests:
            return []
        return sorted(n[1] for n in self.interests[node] if n[0] == "organisation")

    # -- who works with whom -----------------------------------------------------------------

    @cached_property
    def memberships(self) -> tuple[Membership, ...]:
        """Every membership, by group, organisation and role."""
        if "members_of" in self.__dict__:  # kept up by `follow`: already in order
            return tuple(m for g in sorted(self.members_of) for m in self.members_of[g])
        table = self.tables.table("network-members")
        out = [m for owner in table.by_owner for m in self._memberships(owner)]
        return tuple(sorted(out, key=_membership_order))

    def _memberships(self, owner: Owner | None) -> list[Membership]:
        """The memberships of one project or alliance, from its rows."""
        groups = {
            (str(r["kind"]), str(r["group"])): r for r in self.tables.of("network-groups", owner)
        }
        roles: dict[tuple[str, Node], str] = {}
        for row in self.tables.of("network-members", owner):
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
        return out

    @cached_property
    def group_activities(self) -> dict[Node, frozenset[tuple[str, str]]]:
        """(activity, objective) pairs each project or alliance addresses."""
        return _pairs(self.tables.rows("network-group-activities"))

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
        # Built in plain dictionaries first, then handed to networkx in one call each, in the
        # order edge by edge insertion took (so every adjacency is in the same order, and so
        # is everything computed over it): a third of the time at M.
        nodes: dict[str, dict[str, list[Node]]] = {}
        edges: list[tuple[str, str, dict[str, list[Node]]]] = []
        for group in sorted(members):
            orgs = sorted(members[group])
            for a in orgs:
                if a not in nodes:
                    nodes[a] = {}
            for i, a in enumerate(orgs):
                near = nodes[a]
                for b in orgs[i + 1 :]:
                    shared = near.get(b)
                    if shared is not None:
                        shared.append(group)
                    else:
                        near[b] = nodes[b][a] = [group]
                        edges.append((a, b, {"groups": near[b]}))
        graph = nx.Graph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from(edges)
        return graph

    def distances(
        self, sources: Iterable[str], cutoff: int, until: Collection[str] | None = None
    ) -> dict[str, int]:
        """Hops from the nearest of `sources` on the collaboration network, up to `cutoff`.

        Sources are at 0; organisations further than `cutoff` are left out. Keep the cutoff
        small: on a dense network three hops already reach almost everyone. With `until`, the
        search stops once it has found all of those (a breadth-first search finds each at its
        distance): the others it holds then are right, but not all there.
        """
        graph = self.collaborators
        adjacency = graph.adj
        frontier = [s for s in set(sources) if s in graph]
        seen = dict.fromkeys(frontier, 0)
        left = None if until is None else set(until) - set(seen)
        for depth in range(1, cutoff + 1):
            if left is not None and not left:
                break
            nxt: list[str] = []
            for node in frontier:
                for other in adjacency[node]:
                    if other not in seen:
                        seen[other] = depth
                        nxt.append(other)
                        if left is not None:
                            left.discard(other)
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
        """The collaboration network restricted to groups addressing one objective (kept for
        the version: the brokers question asks for it twice, 31 ms each at M)."""
        if objective is None:
            return self.collaborators
        with self._lock:
            graph = self._objective_graphs.get(objective)
        if graph is None:
            graph = self._collaborators(objective)
            with self._lock:
                self._objective_graphs[objective] = graph
        return graph

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
            for row in self.tables.rows("network-task-forces")
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
        return tuple(self._funding(row) for row in self.tables.rows("network-fundings"))

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
        for row in self.tables.rows("network-call-links"):
            links[(str(row["call"]), str(row["relation"]))].add(str(row["target"]))
        out: dict[str, Call] = {}
        for row in self.tables.rows("network-calls"):
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

    @cached_property
    def objective_figures(self) -> ObjectiveFigures:
        """Money and coverage per objective (queries.objective_figures), kept like the rest."""
        return ObjectiveFigures(self.tables)

    # -- following writes (see the module docstring) ----------------------------------------------

    WARM = (
        "organisations",
        "topics",
        "regions",
        "country_regions",
        "project_countries",
        "objective_labels",
        "labels",
        "interests",
        "group_activities",
        "members_of",
        "places_of",
        "_groups_by",
        "collaboration",
        "collaborators",
        "seats",
        "seats_of",
        "fundings_of",
        "given_by",
        "grants",
        "funded_objectives",
        "calls",
        "funders",
        "objective_figures",
    )
    """The parts the questions use, built before workers are forked (`warm`)."""

    def warm(self) -> None:
        """Build every part the questions use, so that forked workers inherit them."""
        for name in self.WARM:
            getattr(self, name)

    @property
    def warmed(self) -> bool:
        """Whether every part is built (then `follow` keeps them all consistent)."""
        return all(name in self.__dict__ for name in self.WARM)

    def follow(self, changes: Mapping[str, list[Changed]], version: str) -> None:
        """Become the projections of `version`: the tables have followed the writes and say
        whose rows changed; each part built so far is patched for those owners only, and the
        parts that are cheap to build (the concepts, the labels, the Task Forces, the calls)
        are dropped to be built again. Kept answers and broker scores go."""
        with self._lock:
            self.version = version
            self._answers.clear()
            self._brokers.clear()
            self._objective_graphs.clear()
        built = self.__dict__
        owners: dict[str, dict[Owner | None, Changed]] = {
            name: {c.owner: c for c in found} for name, found in changes.items()
        }

        def changed(*names: str) -> set[Owner | None]:
            return {o for n in names for o in owners.get(n, {})}

        if changed("network-concepts", "network-region-countries"):
            for name in ("_concepts", "topics", "regions", "objective_labels", "country_regions"):
                built.pop(name, None)
        if changed("page-labels"):
            built.pop("labels", None)
        if changed("network-task-forces"):
            built.pop("seats", None)
            built.pop("seats_of", None)
        if changed("network-calls", "network-call-links"):
            built.pop("calls", None)
        organisations = changed("network-organisations", "network-organisation-links")
        if organisations:
            self._follow_organisations(organisations, owners)
        groups = changed("network-groups", "network-members", "network-group-activities")
        projects: set[str] = set()
        if groups:
            projects = self._follow_groups(groups, owners)
        if changed("network-project-countries") and "project_countries" in built:
            for c in owners["network-project-countries"].values():
                rows = self.tables.of("network-project-countries", c.owner)
                if rows:
                    built["project_countries"][str(c.key)] = frozenset(
                        str(r["country"]) for r in rows
                    )
                else:
                    built["project_countries"].pop(str(c.key), None)
        funders = self._follow_fundings(list(owners.get("network-fundings", {}).values()))
        self._follow_funded(funders, projects)
        if organisations or funders or changed("network-calls"):
            built.pop("funders", None)
        if "objective_figures" in built:
            built["objective_figures"].follow(changes)

    def _follow_organisations(
        self, changed: set[Owner | None], owners: Mapping[str, Mapping[Owner | None, Changed]]
    ) -> None:
        built = self.__dict__
        keys: dict[str, Organisation | None] = {}
        for owner in changed:
            found = self._organisation(owner)
            for name in ("network-organisations", "network-organisation-links"):
                c = owners.get(name, {}).get(owner)
                if c is not None:
                    keys.setdefault(str(c.key), None)
            if found is not None:
                keys[found.key] = found
        if "organisations" in built:
            table: dict[str, Organisation] = built["organisations"]
            new = False
            for key, org in keys.items():
                if org is None:
                    table.pop(key, None)
                else:
                    new = new or key not in table
                    table[key] = org
            if new:
                built["organisations"] = dict(sorted(table.items()))
        if "interests" in built:
            graph = built["interests"]
            for key, org in keys.items():
                node = ("organisation", key)
                if node in graph:
                    around = list(graph[node])
                    graph.remove_node(node)
                    graph.remove_nodes_from([n for n in around if graph.degree(n) == 0])
                if org is not None:
                    _declare(graph, org)

    def _follow_groups(
        self, changed: set[Owner | None], owners: Mapping[str, Mapping[Owner | None, Changed]]
    ) -> set[str]:
        """Patch what is built from who takes part in which group; the projects changed."""
        built = self.__dict__
        built.pop("memberships", None)  # derived from members_of from now on
        keys: set[Node] = set()
        after: dict[Node, list[Membership]] = defaultdict(list)
        for owner in changed:
            for name in ("network-groups", "network-members", "network-group-activities"):
                c = owners.get(name, {}).get(owner)
                if c is not None:
                    keys.update((str(r["kind"]), str(r["group"])) for r in (*c.before, *c.after))
            for m in self._memberships(owner):
                after[m.group].append(m)
        pairs = _pairs(
            row for owner in changed for row in self.tables.of("network-group-activities", owner)
        )
        for key in sorted(keys):
            self._follow_group(key, sorted(after.get(key, ()), key=_membership_order))
            self._follow_activities(key, pairs.get(key, frozenset()))
        return {key[1] for key in keys if key[0] == "project"}

    def _follow_group(self, group: Node, now: list[Membership]) -> None:
        """One group's memberships become `now` in members_of, places_of and the graphs."""
        built = self.__dict__
        before: tuple[Membership, ...] = built.get("members_of", {}).get(group, ())
        if "members_of" in built:
            if now:
                built["members_of"][group] = tuple(now)
            else:
                built["members_of"].pop(group, None)
        old = {m.organisation for m in before}
        new = {m.organisation for m in now}
        if "places_of" in built:
            places = built["places_of"]
            for org in old | new:
                kept = [m for m in places.get(org, ()) if m.group != group]
                kept += [m for m in now if m.organisation == org]
                if kept:
                    places[org] = tuple(sorted(kept, key=_membership_order))
                else:
                    places.pop(org, None)
        if "collaboration" in built:
            graph = built["collaboration"]
            for org in old - new:
                graph.remove_edge(("organisation", org), group)
                if graph.degree(("organisation", org)) == 0:
                    graph.remove_node(("organisation", org))
            for org in sorted(new - old):
                graph.add_edge(("organisation", org), group)
            if group in graph and graph.degree(group) == 0:
                graph.remove_node(group)
        if "collaborators" in built:
            graph = built["collaborators"]
            gone = _pairs_of(old) - _pairs_of(new)
            for a, b in sorted(gone):
                shared = graph[a][b]["groups"]
                shared.remove(group)
                if not shared:
                    graph.remove_edge(a, b)
            for a, b in sorted(_pairs_of(new) - _pairs_of(old)):
                if graph.has_edge(a, b):
                    bisect.insort(graph[a][b]["groups"], group)
                else:
                    graph.add_edge(a, b, groups=[group])
            graph.add_nodes_from(sorted(new))
            lone = [o for o in old - new if graph.degree(o) == 0 and not self._takes_part(o)]
            graph.remove_nodes_from(lone)

    def _takes_part(self, organisation: str) -> bool:
        """Whether an organisation is still in some group (after members_of was patched)."""
        if "places_of" in self.__dict__:
            return organisation in self.places_of
        return any(m.organisation == organisation for ms in self.members_of.values() for m in ms)

    def _follow_activities(self, group: Node, now: frozenset[tuple[str, str]]) -> None:
        built = self.__dict__
        before: frozenset[tuple[str, str]] = built.get("group_activities", {}).get(
            group, frozenset()
        )
        if "group_activities" in built:
            if now:
                built["group_activities"][group] = now
            else:
                built["group_activities"].pop(group, None)
        if "_groups_by" in built and before != now:
            for index, side in zip(built["_groups_by"], (0, 1), strict=True):
                for key in {p[side] for p in before} - {p[side] for p in now}:
                    rest = index[key] - {group}
                    if rest:
                        index[key] = rest
                    else:
                        index.pop(key)
                for key in {p[side] for p in now} - {p[side] for p in before}:
                    index[key] = index.get(key, frozenset()) | {group}

    def _follow_fundings(self, changed: list[Changed]) -> set[str]:
        """Patch the funding indexes for changed funding lines; the funders concerned."""
        built = self.__dict__
        if not changed:
            return set()
        built.pop("fundings", None)  # built again from the tables if anyone asks
        gone = [self._funding(r) for c in changed for r in c.before]
        came = [self._funding(r) for c in changed for r in c.after]
        keys = {f.key for f in (*gone, *came)}
        for name, by in (("fundings_of", "project"), ("given_by", "funder")):
            if name not in built:
                continue
            index = built[name]
            for value in {getattr(f, by) for f in (*gone, *came)}:
                kept = [f for f in index.get(value, ()) if f.key not in keys]
                kept += [f for f in came if getattr(f, by) == value]
                if kept:
                    index[value] = tuple(sorted(kept, key=_funding_order))
                else:
                    index.pop(value, None)
        funders = {f.funder for f in (*gone, *came)}
        if "grants" in built:
            grants = built["grants"]
            for key in [k for k in grants if k[0] in funders]:
                grants.pop(key)
            for funder in funders:
                for f in self.given_by.get(funder, ()):
                    grants[(funder, f.currency)] = (*grants.get((funder, f.currency), ()), f.amount)
        return funders

    @staticmethod
    def _funding(row: Row) -> Funding:
        return Funding(
            project=str(row["project"]),
            funder=str(row["funder"]),
            amount=_decimal(row["amount"]) or Decimal(0),
            currency=str(row["currency"]),
            status=str(row["status"]),
            key=str(row["funding"]),
        )

    def _follow_funded(self, funders: set[str], projects: set[str]) -> None:
        """funded_objectives again for funders whose lines, or whose projects, changed."""
        built = self.__dict__
        if "funded_objectives" not in built:
            return
        funders = funders | {f.funder for p in projects for f in self.fundings_of.get(p, ())}
        table = built["funded_objectives"]
        for funder in funders:
            found = {
                objective
                for f in self.given_by.get(funder, ())
                for _, objective in self.group_activities.get(("project", f.project), ())
            }
            if found:
                table[funder] = frozenset(found)
            else:
                table.pop(funder, None)


_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[GraphStore, Projections] = weakref.WeakKeyDictionary()


def keep_up(store: GraphStore) -> Projections:
    """This process's projections of the store as it is now, every part built: followed from
    the last ones through the store's deltas where it remembers them, else built anew.

    The service runs it before it forks workers, so that each inherits them built.
    """
    version = store.version()
    with _lock:
        current = _cache.get(store)
    if current is not None and current.version != version:
        deltas = store.deltas_since(current.version) if current.warmed else None
        try:
            changes = None if deltas is None else current.tables.follow(deltas)
            if changes is not None:
                current.follow(changes, version)
        except BaseException:
            with _lock:  # half followed: never hand it out again
                _cache.pop(store, None)
            raise
        if changes is None:
            current = None
    if current is None:
        current = Projections(store, version)
    current.warm()
    with _lock:
        _cache[store] = current
    return current


def projections(store: GraphStore) -> Projections:
    """The projections of the store's current version, reused until its data changes."""
    version = store.version()
    with _lock:
        current = _cache.get(store)
        if current is None or current.version != version:
            current = Projections(store, version)
            _cache[store] = current
        return current


def kept_rows(store: GraphStore, name: str, terms: Mapping[str, Any]) -> list[Row] | None:
    """The rows of a question the objective figures answer (queries.objective_figures.KEPT),
    when this process keeps them built for the store's version (the service's workers do); None:
    run its `.rq` file (building the figures for one call would cost more than the file)."""
    with _lock:
        current = _cache.get(store)
    if current is None or current.version != store.version():
        return None
    figures = current.__dict__.get("objective_figures")
    return None if figures is None else figures.answer(store, name, terms)
