"""A resource's history: the changes recorded about it (graph.history), newest first, paged.

Each change says who made it, when, by which command, with which comment, and which of its
triples have the resource as subject, added or removed, each term named for people (the
ontology's label for a property, the graph's label for a resource). A project's stage moves
are the changes that replaced its `sic:stage`: its timeline.

A change that is a whole load (thousands of triples) is listed with its counts; its triples
about the resource are read from its delta only up to DETAIL_UP_TO triples, past which
parsing it would cost a page more than the page itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.base import GraphStore
from graph.history import decode_quads
from graph.results import SelectResult, Term, text
from graph.sparql_files import internal
from queries.describe import compact_iri, vocabulary_labels
from queries.sparql import rq, run_select
from sic.iris import changes_graph, mint

DETAIL_UP_TO = 50_000
"""Triples a change may hold for its triples about the resource to be listed."""

MAX_PAGE = 100
"""Changes per page at most."""

STAGE = "https://w3id.org/4p1000/ontology#stage"


@dataclass(frozen=True)
class ShownTerm:
    """One term of a changed triple, for people: its value, its kind, its name if known."""

    value: str
    kind: str  # iri, literal, blank
    label: str = ""
    datatype: str = ""
    language: str = ""


@dataclass(frozen=True)
class ChangedTriple:
    predicate: ShownTerm
    object: ShownTerm
    graph: str


@dataclass(frozen=True)
class ChangeEntry:
    """One change of a resource's history."""

    change: str
    sequence: int
    agent: str
    agent_label: str
    via: str
    started: str
    ended: str
    command: str
    comment: str
    added_count: int
    removed_count: int
    detailed: bool
    added: list[ChangedTriple] = field(default_factory=list)
    removed: list[ChangedTriple] = field(default_factory=list)


@dataclass(frozen=True)
class StageMove:
    """A project's move to a stage: when, who, from which stage (None for the first)."""

    stage: str
    stage_label: str
    previous: str | None
    date: str
    agent: str
    agent_label: str
    change: str


@dataclass(frozen=True)
class History:
    """One page of a resource's history, and how many changes there are in all."""

    iri: str
    total: int
    limit: int
    offset: int
    changes: list[ChangeEntry]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _select(store: GraphStore, name: str, **terms: Term) -> SelectResult:
    graph = str(changes_graph(store.base))
    bound = {"changes": ox.NamedNode(graph), **terms}
    result = store.query(
        internal(name).text, substitutions=bound, default_graph=(), named_graphs=[graph]
    )
    assert isinstance(result, SelectResult)
    return result


def _label(store: GraphStore, node: ox.NamedNode, lang: str, cache: dict[str, str]) -> str:
    if node.value not in cache:
        rows = list(run_select(store, rq("term-label"), {"this": node, "lang": ox.Literal(lang)}))
        cache[node.value] = text(rows[0].get("label")) if rows else ""
    return cache[node.value]


def _term(store: GraphStore, term: Any, lang: str, cache: dict[str, str]) -> ShownTerm:
    if isinstance(term, ox.NamedNode):
        known = cache.get(term.value) or _label(store, term, lang, cache)
        return ShownTerm(term.value, "iri", known or compact_iri(term.value))
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.language is None else ""
        return ShownTerm(term.value, "literal", "", datatype, term.language or "")
    return ShownTerm(str(term), "blank")


def history(
    store: GraphStore, iri: str, limit: int = 20, offset: int = 0, lang: str = "en"
) -> History:
    """The changes about `iri`, newest first: `limit` of them (at most MAX_PAGE) from
    `offset`. Runs in a query worker (runner.pool): a module-level function of plain args."""
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    this = ox.NamedNode(iri)
    found = [text(r.get("change")) for r in _select(store, "resource-changes", this=this)]
    cache: dict[str, str] = dict(vocabulary_labels(store))
    entries = [_entry(store, c, this, lang, cache) for c in found[offset : offset + limit]]
    return History(iri, len(found), limit, offset, [e for e in entries if e is not None])


def _entry(
    store: GraphStore, change: str, this: ox.NamedNode, lang: str, cache: dict[str, str]
) -> ChangeEntry | None:
    rows = list(_select(store, "change-record", change=ox.NamedNode(change)))
    if not rows:
        return None
    row = rows[0]
    added_count = int(text(row.get("added_count")) or 0)
    removed_count = int(text(row.get("removed_count")) or 0)
    detailed = added_count + removed_count <= DETAIL_UP_TO
    lists: dict[str, list[ChangedTriple]] = {"added": [], "removed": []}
    if detailed:
        for key in lists:
            literal = row.get(key)
            assert isinstance(literal, ox.Literal)
            for q in decode_quads(literal.value, literal.datatype.value):
                if q.subject != this:
                    continue
                graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
                lists[key].append(
                    ChangedTriple(
                        _term(store, q.predicate, lang, cache),
                        _term(store, q.object, lang, cache),
                        graph,
                    )
                )
            lists[key].sort(key=lambda t: (t.predicate.value, t.object.value))
    return ChangeEntry(
        change=change,
        sequence=int(text(row.get("sequence")) or 0),
        agent=text(row.get("agent")),
        agent_label=_agent_label(store, row, lang, cache),
        via=text(row.get("via")),
        started=text(row.get("started")),
        ended=text(row.get("ended")),
        command=text(row.get("command")),
        comment=text(row.get("comment")),
        added_count=added_count,
        removed_count=removed_count,
        detailed=detailed,
        added=lists["added"],
        removed=lists["removed"],
    )


def _agent_label(store: GraphStore, row: dict[str, Term], lang: str, cache: dict[str, str]) -> str:
    """A person of the graph by their name there, else the agent's recorded label."""
    agent = row.get("agent")
    if isinstance(agent, ox.NamedNode):
        named = _label(store, agent, lang, cache)
        if named:
            return named
    return text(row.get("agent_label")) or text(agent)


def stage_timeline(store: GraphStore, project: str, lang: str = "en") -> list[StageMove]:
    """The stage moves of a project, oldest first, from its whole history."""
    first = history(store, project, limit=MAX_PAGE, lang=lang)
    entries = list(first.changes)
    offset = MAX_PAGE
    while offset < first.total:
        entries += history(store, project, limit=MAX_PAGE, offset=offset, lang=lang).changes
        offset += MAX_PAGE
    moves: list[StageMove] = []
    for entry in sorted(entries, key=lambda e: e.sequence):
        new = [t for t in entry.added if t.predicate.value == STAGE]
        old = [t for t in entry.removed if t.predicate.value == STAGE]
        if not new:
            continue
        moves.append(
            StageMove(
                stage=new[0].object.value,
                stage_label=new[0].object.label,
                previous=old[0].object.value if old else None,
                date=entry.ended,
                agent=entry.agent,
                agent_label=entry.agent_label,
                change=entry.change,
            )
        )
    return moves


def history_of(
    store: GraphStore, kind: str, key: str, limit: int, offset: int, lang: str
) -> History:
    """The history of the resource `{BASE}id/{kind}/{key}`."""
    return history(store, str(mint(kind, key, store.base)), limit, offset, lang)
