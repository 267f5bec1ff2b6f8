"""The dataset as it was at a past moment (issue 18, time travel), rebuilt from the change
records every committed write leaves (graph.history).

A moment names the last change that had ended at or before it (its sequence number); the
dataset then is the present with the deltas of every later change undone, newest first:
their added quads taken out, their removed quads put back, the graphs they created removed and
the graphs they dropped restored. That is materialised in a separate in-memory store (a
`Snapshot`, read-only, answering every query the present answers), and the service keeps a
few of them (`Snapshots`, an LRU keyed by the sequence number: a snapshot never changes, since
the changes it undoes are history).

Backwards rather than forwards: the present is always complete, whereas a store made before
the changes were recorded has no record of its first load, so replaying the records forwards
from nothing (`replay`, which the tests use as the reference) is exact only for a store that
was born recorded. Undoing costs a copy of the present plus the deltas of the later changes;
the figures are in the README ("What is kept and what it costs", `python -m bench.as_of`).

What a snapshot cannot know: the description of a source that was replaced later (its checksum,
origin, load time) is today's; its triple count and last change are the moment's. A moment
before the first recorded change answers an empty dataset (with a note saying so); a moment
at or after the last change is the present.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph import history
from graph.base import GraphStore
from graph.embedded import EmbeddedStore
from graph.provenance import VOID_TRIPLES, activity_of, provenance_for
from graph.results import SelectResult, Term, text
from graph.sparql_files import internal
from sic.errors import QueryError, TooLarge
from sic.iris import changes_graph, sources_graph

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})"
)
_DATE_TIME_TYPE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@dataclass(frozen=True)
class Moment:
    """A moment a client asked for, in UTC; `given` is its text as sent."""

    given: str
    at: dt.datetime

    @property
    def iso(self) -> str:
        """The moment as xsd:dateTime text, to the microsecond, in UTC."""
        return self.at.isoformat(timespec="microseconds").replace("+00:00", "Z")

    def literal(self) -> ox.Literal:
        return ox.Literal(self.iso, datatype=_DATE_TIME_TYPE)


def parse_moment(given: str) -> Moment:
    """A date (`2026-03-01`: the end of that day, UTC) or a date-time with its offset
    (`2026-03-01T12:00:00Z`, `2026-03-01T13:00:00+01:00`), nothing else.

    A date means its end so that "as of 1 March" includes what was done on 1 March; a
    date-time without an offset is refused rather than guessed.

    :raises QueryError: naming what is accepted.
    """
    text_ = given.strip()
    try:
        if _DATE.fullmatch(text_):
            day = dt.date.fromisoformat(text_)
            at = dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
            return Moment(given, at)
        if _DATE_TIME.fullmatch(text_):
            parsed = dt.datetime.fromisoformat(text_.replace("Z", "+00:00"))
            return Moment(given, parsed.astimezone(dt.UTC))
    except ValueError:
        pass
    raise QueryError(
        f"asOf must be a date (2026-03-01, meaning the end of that day, UTC) or a date-time "
        f"with its offset (2026-03-01T12:00:00Z); got {given[:60]!r}"
    )


@dataclass(frozen=True)
class Position:
    """Where a moment falls among the changes: `sequence`, the last change ended at or
    before it (0: none); `last`, the store's last change; `first`, when the first ended."""

    sequence: int
    last: int
    first: str = ""

    @property
    def present(self) -> bool:
        """Nothing changed after the moment: the present answers."""
        return self.sequence >= self.last

    @property
    def before_first(self) -> bool:
        return self.sequence == 0 and self.last > 0


def _select(store: GraphStore, name: str, **terms: Term) -> SelectResult:
    graph = ox.NamedNode(str(changes_graph(store.base)))
    bound: dict[str, Term] = {"changes": graph, **terms}
    result = store.query(
        internal(name).text, substitutions=bound, default_graph=(), named_graphs=[graph.value]
    )
    assert isinstance(result, SelectResult)
    return result


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INTEGER)


def position(store: GraphStore, moment: Moment) -> Position:
    """Where `moment` falls among the store's changes (one aggregate query)."""
    rows = list(_select(store, "as-of-position", moment=moment.literal()))
    if not rows:
        return Position(0, 0)
    row = rows[0]
    return Position(
        int(text(row.get("at")) or 0), int(text(row.get("last")) or 0), text(row.get("first"))
    )


def later_size(store: GraphStore, sequence: int) -> int:
    """Triples added or removed by the changes after `sequence`."""
    rows = list(_select(store, "as-of-later-size", after=_integer(sequence)))
    return int(text(rows[0].get("triples")) or 0) if rows else 0


@dataclass
class Change:
    """One recorded change, as replaying needs it."""

    sequence: int
    added: list[ox.Quad] = field(default_factory=list)
    removed: list[ox.Quad] = field(default_factory=list)
    created: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)


def changes(store: GraphStore, after: int, upto: int) -> list[Change]:
    """The changes numbered in (after, upto], oldest first, their deltas decoded."""
    found: dict[int, Change] = {}
    bounds = {"after": _integer(after), "upto": _integer(upto)}
    for row in _select(store, "as-of-deltas", **bounds):
        n = int(text(row["sequence"]))
        change = found.setdefault(n, Change(n))
        for key, into in (("added", change.added), ("removed", change.removed)):
            literal = row[key]
            assert isinstance(literal, ox.Literal)
            into.extend(history.decode_quads(literal.value, literal.datatype.value))
    for row in _select(store, "as-of-graph-events", **bounds):
        n = int(text(row["sequence"]))
        change = found.setdefault(n, Change(n))
        if "created" in row:
            change.created.add(text(row["created"]))
        if "dropped" in row:
            change.dropped.add(text(row["dropped"]))
    return [found[n] for n in sorted(found)]


class State:
    """A dataset being replayed: its quads, and which graphs exist (an empty graph too)."""

    def __init__(self, quads: Iterable[ox.Quad] = (), graphs: Iterable[str] = ()) -> None:
        self.quads: set[ox.Quad] = set(quads)
        self.graphs: set[str] = set(graphs)

    def forward(self, change: Change) -> None:
        """Apply a change as the store applied it: drops, removals, creations, additions."""
        for g in change.dropped:
            self.graphs.discard(g)
            self.quads = {q for q in self.quads if _graph(q) != g}
        self.quads.difference_update(change.removed)
        self.graphs |= change.created
        self.quads.update(change.added)
        self.graphs |= {_graph(q) for q in change.added}

    def backward(self, change: Change) -> None:
        """Undo a change: the inverse of `forward`, in the reverse order."""
        self.quads.difference_update(change.added)
        self.graphs -= change.created
        self.quads.update(change.removed)
        self.graphs |= change.dropped
        self.graphs |= {_graph(q) for q in change.removed}


def _graph(q: ox.Quad) -> str:
    g = q.graph_name
    return g.value if isinstance(g, ox.NamedNode) else ""


def replay(store: GraphStore, upto: int) -> State:
    """The dataset after change `upto`, replayed forwards from nothing (see the module
    docstring: exact for a store born recorded; the tests' reference, the bench's other way)."""
    state = State()
    for change in changes(store, 0, upto):
        state.forward(change)
    return state


def undo(store: GraphStore, sequence: int) -> State:
    """The dataset after change `sequence`: the present with every later change undone."""
    dataset = store.dataset()
    present = State(
        (
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
            for g in dataset.data
            for t in store.triples_of(g)
        ),
        dataset.data,
    )
    last = _last(store)
    for change in reversed(changes(store, sequence, last)):
        present.backward(change)
    return present


def _last(store: GraphStore) -> int:
    rows = list(_select(store, "last-change"))
    return int(text(rows[0].get("max")) or 0) if rows else 0


class Snapshot(EmbeddedStore):
    """An in-memory, read-only store holding the dataset as it was after change `sequence`.

    Its version names the sequence, so answers and ETags computed from it are kept apart from
    the present's and from other moments'.
    """

    def __init__(self, base: str, sequence: int) -> None:
        super().__init__(None, base)
        self.sequence = sequence
        self._as_of_version = f"as-of-{sequence}"

    def version(self) -> str:
        return self._as_of_version

    def fill(self, quads: Iterable[ox.Quad]) -> None:
        self.raw.bulk_extend(quads)
        self._committed()
        self.settle()


def build(store: GraphStore, sequence: int, *, max_triples: int) -> Snapshot:
    """The snapshot after change `sequence` (0: before the first change, an empty dataset).

    :raises TooLarge: the present and the changes to undo hold more than `max_triples`
        (SIC_AS_OF_MAX_TRIPLES): a snapshot is held in memory whole.
    """
    snapshot = Snapshot(store.base, sequence)
    if sequence <= 0:
        snapshot.fill(())
        return snapshot
    needed = sum(s.triples for s in store.sources()) + later_size(store, sequence)
    if needed > max_triples:
        raise TooLarge(
            f"the dataset as of that moment would be rebuilt from {needed:,} triples, more "
            f"than SIC_AS_OF_MAX_TRIPLES ({max_triples:,}); ask for a later moment"
        )
    # undone in the snapshot's own store rather than in a Python set (as `undo` does): the
    # present is copied quad by quad as stored, the deltas touch only what they name, and
    # the engine counts the graphs (S, 95k triples: 1.5 s against 4.5 s; bench.as_of)
    target = snapshot.raw
    dataset = store.dataset()
    for g in dataset.data:
        if isinstance(store, EmbeddedStore):
            target.bulk_extend(store.quads(g))
        else:
            node = ox.NamedNode(g)
            target.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, node) for t in store.triples_of(g)
            )
    graphs = set(dataset.data)
    for change in reversed(changes(store, sequence, _last(store))):
        for q in change.added:
            target.remove(q)
        graphs -= change.created
        target.extend(change.removed)
        graphs |= change.dropped | {_graph(q) for q in change.removed}
    counts = {
        text(row["g"]): int(text(row["n"]))
        for row in _solutions(target.query(internal("as-of-graph-sizes").text))
    }
    exists = graphs | {g for g, n in counts.items() if n}
    snapshot.fill(_bookkeeping(store, exists, counts, sequence))
    return snapshot


def _solutions(result: object) -> Iterator[dict[str, Term]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    for row in result:
        yield {n: row[i] for i, n in enumerate(names) if row[i] is not None}


def _bookkeeping(
    store: GraphStore, exists: set[str], counts: Mapping[str, int], sequence: int
) -> Iterator[ox.Quad]:
    """The snapshot's bookkeeping: the sources' descriptions as they apply to it, and the
    change records up to `sequence` (so a resource's history as of then ends then)."""
    base = store.base
    book = ox.NamedNode(str(changes_graph(base)))
    described = ox.NamedNode(str(sources_graph(base)))
    kept: dict[str, tuple[int, Term]] = {}  # change IRI -> (sequence, ended)
    agents: set[Term] = set()
    last_of: dict[str, tuple[int, str, Term]] = {}  # graph -> (sequence, change, ended)
    for row in _select(store, "as-of-kept-changes", upto=_integer(sequence)):
        change = text(row["change"])
        n = int(text(row["sequence"]))
        kept[change] = (n, row["ended"])
        if "agent" in row:
            agents.add(row["agent"])
        used = text(row.get("used"))
        if used and n >= last_of.get(used, (0, "", row["ended"]))[0]:
            last_of[used] = (n, change, row["ended"])
    for t in store.triples_of(book.value):
        subject = t.subject
        if isinstance(subject, ox.NamedNode) and (
            subject.value in kept or (subject in agents and t.predicate != history.SEQUENCE)
        ):
            yield ox.Quad(t.subject, t.predicate, t.object, book)
    present = {s.graph: s for s in store.sources()}
    about = {ox.NamedNode(g): g for g in present} | {
        activity_of(ox.NamedNode(g)): g for g in present
    }
    replaced = {VOID_TRIPLES, history.MODIFIED, history.LAST_CHANGE}
    for t in store.triples_of(described.value):
        owner = about.get(t.subject) if isinstance(t.subject, ox.NamedNode) else None
        if owner is not None and (owner not in exists or t.predicate in replaced):
            continue
        yield ox.Quad(t.subject, t.predicate, t.object, described)
    for g in sorted(exists):
        node = ox.NamedNode(g)
        if g in present:
            triples = [ox.Triple(node, VOID_TRIPLES, _integer(counts.get(g, 0)))]
        else:  # dropped since: described as well as the records allow
            name = g.removeprefix(base + "graph/")
            triples = provenance_for(
                node,
                name,
                counts.get(g, 0),
                command="as of",
                standalone=not g.startswith(base + "graph/"),
            )
        if g in last_of:
            _, change, ended = last_of[g]
            triples.append(ox.Triple(node, history.MODIFIED, ended))
            triples.append(ox.Triple(node, history.LAST_CHANGE, ox.NamedNode(change)))
        yield from (ox.Quad(t.subject, t.predicate, t.object, described) for t in triples)


def at(store: GraphStore, moment: Moment, *, max_triples: int) -> tuple[GraphStore, Position]:
    """What answers for `moment`: the present when nothing changed since, else its snapshot
    (made now, not kept: for a command line's one query)."""
    where = position(store, moment)
    if where.present:
        return store, where
    return build(store, where.sequence, max_triples=max_triples), where


class Snapshots:
    """The few snapshots the service keeps, the least recently used dropped first; one build
    at a time (a build copies the present, and two at once would hold twice the memory)."""

    def __init__(self, size: int, max_triples: int) -> None:
        self.size = size
        self.max_triples = max_triples
        self._kept: collections.OrderedDict[int, Snapshot] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, sequence: int) -> Snapshot | None:
        with self._lock:
            found = self._kept.get(sequence)
            if found is not None:
                self._kept.move_to_end(sequence)
            return found

    def obtain(self, sequence: int, make: Callable[[int], Snapshot]) -> Snapshot:
        """The snapshot after change `sequence`, kept or made by `make(sequence)`."""
        found = self.get(sequence)
        if found is not None:
            return found
        snapshot = make(sequence)
        with self._lock:
            if self.size > 0:
                self._kept[sequence] = snapshot
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return snapshot


__all__ = [
    "Moment",
    "Position",
    "Snapshot",
    "Snapshots",
    "State",
    "at",
    "build",
    "changes",
    "parse_moment",
    "position",
    "replay",
    "undo",
]
