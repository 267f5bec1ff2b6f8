"""SPARQL 1.1 Update, evaluated by pyoxigraph into a delta before anything is written.

A write must be validated before it commits, so its exact effect has to be known first. The
request is cut into its operations (graph.update_ops) and each is evaluated with the engine
that answers queries: a WHERE group runs as a pyoxigraph SELECT over the dataset the operation
sees (graph.dataset), and DELETE / INSERT templates are instantiated by pyoxigraph too, on a
scratch store that holds the solutions, so blank nodes, unbound variables and invalid triples
follow the engine's own rules. The operations of one request see each other's work: each is
applied to a working copy of the data before the next runs (a query worker's private copy, or
a scratch copy). The result is one Delta, validated and committed in one transaction by the
store, or refused with nothing changed.

What the default graph means under each form (the README says the same):
- reading (WHERE, and the source of ADD/MOVE/COPY DEFAULT): the union of the sources;
- INSERT without GRAPH, and ADD/COPY/MOVE ... TO DEFAULT: into `{BASE}graph/updates`;
- DELETE without GRAPH (DELETE DATA, DELETE WHERE, templates): from every source that holds
  the triple, so that it is gone from the default graph;
- CLEAR DEFAULT, DROP DEFAULT, and the clearing half of COPY/MOVE TO DEFAULT: every source is
  emptied (the sources stay, with no triples);
- CLEAR NAMED / DROP NAMED / CLEAR ALL / DROP ALL: the named graphs (sources included, since
  they are named graphs too) or every data graph.
Nothing can reach the network: LOAD is refused (LOAD SILENT does nothing, as a failed LOAD
SILENT must), SERVICE is refused, and graph names only ever name graphs of the store. The
store's bookkeeping graphs cannot be written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.dataset import Dataset
from graph.sparql_lexer import screen, tokens, uses_keyword
from graph.syntax_hint import explain
from graph.update_ops import ALL, DEFAULT, NAMED, Operation, operations
from sic.errors import QueryError, QuerySyntaxError
from sic.terms import relabel, to_ox
from sic.vocab import RDF_TYPE

Triple = ox.Triple

DEFAULT_MAX_NESTING = 64
"""Deepest nesting of groups accepted in a query or update (SIC_MAX_NESTING)."""


def _as_triple(t: Any) -> ox.Triple:
    if isinstance(t, ox.Triple):
        return t
    s, p, o = t  # an rdflib triple
    subject = to_ox(s)
    if isinstance(subject, ox.Literal):
        raise QueryError("a literal cannot be a subject")
    return ox.Triple(subject, ox.NamedNode(str(p)), to_ox(o))


@dataclass
class Delta:
    """What a write changes, per named graph (IRIs as text).

    `dropped` graphs go whole (their triples are listed as removed too, for validation);
    `created` graphs are new, possibly empty. Triples may be given as pyoxigraph Triples or
    rdflib (s, p, o) tuples.
    """

    added: dict[str, set[ox.Triple]] = field(default_factory=dict)
    removed: dict[str, set[ox.Triple]] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.added = {g: {_as_triple(t) for t in ts} for g, ts in self.added.items() if ts}
        self.removed = {g: {_as_triple(t) for t in ts} for g, ts in self.removed.items() if ts}

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.dropped or self.created)

    def __reduce__(self) -> tuple[Any, tuple[bytes, bytes, list[str], list[str]]]:
        """Pickle as N-Quads: a write's delta crosses from its worker to the service, and
        pickling term by term costs 20 µs a triple (3 s for a 5 MB upload) where N-Quads
        costs 2 (blank node labels and every term survive the round trip unchanged)."""
        return _delta_from_wire, (
            _to_nquads(self.added),
            _to_nquads(self.removed),
            sorted(self.dropped),
            sorted(self.created),
        )

    def size(self) -> int:
        """How many triples it adds and removes."""
        return sum(len(ts) for ts in self.added.values()) + sum(
            len(ts) for ts in self.removed.values()
        )

    def triples_added(self) -> list[ox.Triple]:
        return [t for ts in self.added.values() for t in ts]

    def triples_removed(self) -> list[ox.Triple]:
        return [t for ts in self.removed.values() for t in ts]

    def graphs(self) -> set[str]:
        """Every graph the write touches."""
        return set(self.added) | set(self.removed) | self.dropped | self.created

    def then(self, later: Delta) -> None:
        """Compose: this delta followed by `later`, each exact against the state it met.

        A dropped graph lists its triples as removed (what validation must know is gone),
        so composing is per triple, and a graph dropped then created again (or the reverse)
        within one request is simply a change of content.
        """
        for g, ts in later.removed.items():
            added = self.added.get(g, set())
            for t in ts:
                if t in added:
                    added.discard(t)
                else:
                    self.removed.setdefault(g, set()).add(t)
        for g, ts in later.added.items():
            removed = self.removed.get(g, set())
            for t in ts:
                if t in removed:
                    removed.discard(t)
                else:
                    self.added.setdefault(g, set()).add(t)
        for g in later.dropped:
            if g in self.created:
                self.created.discard(g)
            else:
                self.dropped.add(g)
        for g in later.created:
            if g in self.dropped:
                self.dropped.discard(g)
            else:
                self.created.add(g)
        self.added = {g: ts for g, ts in self.added.items() if ts}
        self.removed = {g: ts for g, ts in self.removed.items() if ts}


def only_changes(delta: Delta, holds: Callable[[ox.Quad], bool]) -> Delta:
    """`delta` without what changes nothing: an added triple the graph already `holds`, a
    removed one it does not (a triple both removed and added again, in a graph that stays).

    An explicit delta (a submission, a link decision) may re-assert what is stored; its
    change record must hold only real changes, or undoing it (graph.as_of) would take away
    what was there before. A dropped graph's lists are kept whole: they are its contents.
    """
    kept = Delta(dropped=set(delta.dropped), created=set(delta.created))
    for g, ts in delta.removed.items():
        node = ox.NamedNode(g)
        kept.removed[g] = (
            set(ts)
            if g in delta.dropped
            else {t for t in ts if holds(ox.Quad(t.subject, t.predicate, t.object, node))}
        )
    for g, ts in delta.added.items():
        node = ox.NamedNode(g)
        gone = kept.removed.get(g, set())
        if g in delta.dropped:
            kept.added[g] = set(ts)
            continue
        fresh = {t for t in ts if not holds(ox.Quad(t.subject, t.predicate, t.object, node))}
        back = ts & gone  # removed and added again: no change
        kept.added[g] = fresh
        if back:
            kept.removed[g] = gone - back
    kept.added = {g: ts for g, ts in kept.added.items() if ts}
    kept.removed = {g: ts for g, ts in kept.removed.items() if ts}
    return kept


def _to_nquads(triples: Mapping[str, set[ox.Triple]]) -> bytes:
    quads = (
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
        for g, ts in triples.items()
        for t in ts
    )
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _from_nquads(data: bytes) -> dict[str, set[ox.Triple]]:
    triples: dict[str, set[ox.Triple]] = {}
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        assert isinstance(q.graph_name, ox.NamedNode)  # written by _to_nquads
        triples.setdefault(q.graph_name.value, set()).add(q.triple)
    return triples


def _delta_from_wire(added: bytes, removed: bytes, dropped: list[str], created: list[str]) -> Delta:
    delta = Delta(dropped=set(dropped), created=set(created))
    delta.added = _from_nquads(added)
    delta.removed = _from_nquads(removed)
    return delta


# -- reading a request ------------------------------------------------------------------------


def read_update(
    text: str,
    *,
    base: str | None,
    using: Sequence[str] = (),
    using_named: Sequence[str] = (),
    max_nesting: int = DEFAULT_MAX_NESTING,
) -> list[Operation]:
    """Check an update request and cut it into operations; nothing is evaluated yet.

    Depth, SERVICE and LOAD are checked on tokens first; then pyoxigraph reads the whole text
    (on an empty scratch store, where evaluating it costs nothing and reaches nothing), so a
    syntax error gets the engine's own message with its line and column. The protocol's
    `using-graph-uri` / `using-named-graph-uri` become every DELETE/INSERT's USING clauses.

    :raises QueryError: malformed, too deep, or refused (SERVICE, a LOAD that is not SILENT).
    """
    screen(text, max_nesting)
    toks = tokens(text)
    try:
        ops = operations(toks, text, base)
    except QueryError as exc:
        if not uses_keyword(toks, "LOAD"):  # the engine's message says more, with a position
            _engine_check(text, base)
        raise _malformed(text, str(exc)) from None
    loads = [op for op in ops if op.kind == "LOAD"]
    for op in loads:
        if not op.silent:
            raise QueryError("LOAD is refused: this service never fetches data from the network")
    checked = text
    for op in reversed(loads):  # LOAD SILENT does nothing here; the rest is read as written
        filler = "CLEAR SILENT DEFAULT".ljust(op.end - op.start)
        checked = checked[: op.start] + filler + checked[op.end :]
    _engine_check(checked, base)
    if using or using_named:
        for op in ops:
            if op.kind != "MODIFY":
                continue
            if op.using or op.using_named or op.with_graph:
                raise QueryError(
                    "using-graph-uri / using-named-graph-uri cannot be combined with USING or "
                    "WITH in the update"
                )
            op.using, op.using_named = list(using), list(using_named)
    return ops


def _malformed(text: str, engine: str) -> QueryError:
    """The error of an update that cannot be read: a QuerySyntaxError (said again in the
    reader's language by the service) when the engine names where, else a plain QueryError."""
    said = explain(text, engine)
    if said == engine:
        return QueryError(f"malformed SPARQL update: {engine}")
    return QuerySyntaxError(text, engine, f"malformed SPARQL update: {said}", update=True)


def _engine_check(text: str, base: str | None) -> None:
    """Let pyoxigraph read the whole request, on an empty scratch store (nothing to reach).

    :raises QueryError: with the engine's syntax error.
    """
    try:
        ox.Store().update(text, base_iri=base)
    except SyntaxError as exc:
        raise _malformed(text, str(exc)) from None
    except (OSError, RuntimeError):  # evaluation on an empty store, not syntax: fine
        return


# -- evaluating -------------------------------------------------------------------------------

_EMPTY = "urn:sic:empty-graph"


def _node(graph: str) -> ox.NamedNode:
    return ox.NamedNode(graph)


class _Evaluation:
    """The state of one request being evaluated: the working store and what exists now."""

    def __init__(self, working: ox.Store, dataset: Dataset, base: str | None) -> None:
        self.working = working
        self.base = base
        self.default_store = dataset.default_store
        self.bookkeeping = dataset.bookkeeping
        # every data graph that exists, and whether it is part of the default graph
        self.graphs: dict[str, bool] = {g: g in dataset.union for g in dataset.data}

    # -- what the dataset holds now -----------------------------------------------------------

    @property
    def union(self) -> list[str]:
        return [g for g, member in self.graphs.items() if member]

    @property
    def named(self) -> list[str]:
        return [g for g in self.graphs if g != self.default_store]

    def content(self, graph: str) -> set[ox.Triple]:
        if graph not in self.graphs:
            return set()
        return {q.triple for q in self.working.quads_for_pattern(None, None, None, _node(graph))}

    def default_content(self) -> set[ox.Triple]:
        out: set[ox.Triple] = set()
        for g in self.union:
            out |= self.content(g)
        return out

    def holds(self, graph: str, triple: ox.Triple) -> bool:
        if graph not in self.graphs:
            return False
        quad = ox.Quad(triple.subject, triple.predicate, triple.object, _node(graph))
        return quad in self.working

    def writable(self, graph: str) -> str:
        if graph in self.bookkeeping or graph.startswith(self._internal_prefix()):
            raise QueryError(f"<{graph}> is maintained by the store: it is read-only")
        return graph

    def _internal_prefix(self) -> str:
        return self.default_store.rsplit("/", 1)[0] + "/_"

    # -- the parts of an operation ------------------------------------------------------------

    def quad_data(self, op: Operation) -> dict[str, set[ox.Triple]]:
        """The quads of INSERT DATA / DELETE DATA, read by pyoxigraph (`DEFAULT` for none)."""
        scratch = ox.Store()
        scratch.update(op.prologue + "INSERT DATA " + op.data, base_iri=self.base)
        return _relabelled(_by_graph(scratch.quads_for_pattern(None, None, None, None), DEFAULT))

    def where_dataset(self, op: Operation) -> tuple[list[ox.NamedNode], list[ox.NamedNode]]:
        if op.using or op.using_named:
            known = set(self.graphs) | self.bookkeeping
            default = [g for g in op.using if g in known]
            named = [g for g in op.using_named if g in known]
        elif op.with_graph is not None:
            default, named = [op.with_graph], self.named
        else:
            default, named = self.union, self.named
        return [_node(g) for g in default] or [_node(_EMPTY)], [_node(g) for g in named]

    def solutions(self, op: Operation) -> tuple[list[str], list[list[Any]]]:
        """The WHERE group's solutions, computed by pyoxigraph on the working store."""
        assert op.where is not None  # MODIFY and DELETE WHERE have one
        default, named = self.where_dataset(op)
        result = self.working.query(
            op.prologue + "SELECT * WHERE " + op.where,
            base_iri=self.base,
            default_graph=default,  # type: ignore[arg-type]
            named_graphs=named,  # type: ignore[arg-type]
        )
        assert isinstance(result, ox.QuerySolutions)
        variables = [v.value for v in result.variables]
        rows = [[row[i] for i in range(len(variables))] for row in result]
        return variables, rows

    def instantiate(
        self, op: Operation, template: str, variables: list[str], rows: list[list[Any]]
    ) -> dict[str, set[ox.Triple]]:
        """A template filled in once per solution, by pyoxigraph on a scratch store.

        The solutions are written into the scratch store as data (one node per row), and an
        INSERT with the template reads them back: fresh blank nodes per solution, unbound
        variables and invalid triples skipped, exactly as the engine does for an update.
        """
        if not rows:
            return {}
        tag = uuid.uuid4().hex
        rows_graph = ox.NamedNode(f"urn:sic:rows:{tag}")
        row_type = ox.NamedNode(f"urn:sic:rows:{tag}:row")
        slots = {v: ox.NamedNode(f"urn:sic:rows:{tag}:{v}") for v in variables}
        row_var = f"row_{tag}"
        scratch = ox.Store()

        def quads() -> Iterator[ox.Quad]:
            for i, row in enumerate(rows):
                node = ox.NamedNode(f"urn:sic:rows:{tag}:{i}")
                yield ox.Quad(node, RDF_TYPE, row_type, rows_graph)
                for v, term in zip(variables, row, strict=True):
                    if term is not None:
                        yield ox.Quad(node, slots[v], term, rows_graph)

        scratch.bulk_extend(quads())
        pattern = [f"GRAPH {rows_graph} {{ ?{row_var} a {row_type} }}"]
        pattern += [
            f"OPTIONAL {{ GRAPH {rows_graph} {{ ?{row_var} {slots[v]} ?{v} }} }}" for v in variables
        ]
        scratch.update(
            op.prologue + "INSERT " + template + f" USING NAMED {rows_graph} "
            "WHERE { " + " ".join(pattern) + " }",
            base_iri=self.base,
        )
        found = (
            q
            for q in scratch.quads_for_pattern(None, None, None, None)
            if q.graph_name != rows_graph
        )
        stored = frozenset(t for row in rows for t in row if isinstance(t, ox.BlankNode))
        return _relabelled(_by_graph(found, DEFAULT), stored)

    # -- changes ------------------------------------------------------------------------------

    def removal(self, templates: Mapping[str, set[ox.Triple]], default: str) -> Delta:
        """Remove instantiated triples from where they are (DEFAULT: every source)."""
        delta = Delta()
        for key, triples in templates.items():
            graph = default if key == DEFAULT else key
            targets = self.union if graph == DEFAULT else [graph]
            for g in targets:
                here = {t for t in triples if self.holds(g, t)}
                if here:
                    delta.removed.setdefault(self.writable(g), set()).update(here)
        return delta

    def targets(
        self, templates: Mapping[str, set[ox.Triple]], default: str
    ) -> dict[str, set[ox.Triple]]:
        """Where instantiated triples go (DEFAULT: into the default store)."""
        out: dict[str, set[ox.Triple]] = {}
        for key, triples in templates.items():
            graph = default if key == DEFAULT else key
            g = self.default_store if graph == DEFAULT else self.writable(graph)
            out.setdefault(g, set()).update(triples)
        return out

    def addition(self, inserted: Mapping[str, set[ox.Triple]]) -> Delta:
        """Add triples to their graphs (what is there already stays), creating graphs."""
        delta = Delta()
        for g, triples in inserted.items():
            new = {t for t in triples if not self.holds(g, t)}
            if new:
                delta.added[g] = new
                if g not in self.graphs:
                    delta.created.add(g)
        return delta

    def clear(self, graphs: Iterable[str], *, drop: bool) -> Delta:
        """Empty graphs, or drop them (a dropped graph lists its triples as removed too)."""
        delta = Delta()
        for g in graphs:
            self.writable(g)
            content = self.content(g)
            if content:
                delta.removed[g] = content
            if drop:
                delta.dropped.add(g)
        return delta

    def graphs_of(self, ref: str) -> list[str]:
        if ref == DEFAULT:
            return self.union
        if ref == NAMED:
            return self.named
        if ref == ALL:
            return list(self.graphs)
        return [ref]

    def content_of(self, ref: str) -> set[ox.Triple]:
        return self.default_content() if ref == DEFAULT else self.content(ref)

    # -- one operation ------------------------------------------------------------------------

    def run(self, op: Operation) -> Delta:
        if op.kind == "INSERT DATA":
            return self.addition(self.targets(self.quad_data(op), DEFAULT))
        if op.kind == "DELETE DATA":
            return self.removal(self.quad_data(op), DEFAULT)
        if op.kind in ("DELETE WHERE", "MODIFY"):
            return self.modify(op)
        if op.kind == "LOAD":
            return Delta()  # LOAD SILENT (a LOAD that is not SILENT was refused)
        if op.kind in ("CLEAR", "DROP"):
            return self.clear_or_drop(op)
        if op.kind == "CREATE":
            assert op.target is not None
            if op.target in self.graphs or op.target in self.bookkeeping:
                if op.silent:
                    return Delta()
                raise QueryError(f"the graph <{op.target}> already exists")
            return Delta(created={self.writable(op.target)})
        return self.transfer(op)

    def modify(self, op: Operation) -> Delta:
        """DELETE/INSERT ... WHERE: deletions, then insertions, from the same solutions.

        With S the data before, D what the DELETE template matches and I what the INSERT
        template makes, the data after is (S - D) + I: removed D - I, added I - S.
        """
        variables, rows = self.solutions(op)
        default = op.with_graph or DEFAULT
        deleted = self.removal(
            self.instantiate(op, op.delete, variables, rows) if op.delete else {}, default
        )
        inserted = self.targets(
            self.instantiate(op, op.insert, variables, rows) if op.insert else {}, default
        )
        delta = self.addition(inserted)
        for g, ts in deleted.removed.items():
            left = ts - inserted.get(g, set())
            if left:
                delta.removed[g] = left
        return delta

    def clear_or_drop(self, op: Operation) -> Delta:
        assert op.target is not None
        target = op.target
        if target not in (DEFAULT, NAMED, ALL) and target not in self.graphs:
            if target in self.bookkeeping:
                self.writable(target)
            if op.silent:
                return Delta()
            raise QueryError(f"the graph <{target}> does not exist")
        drop = op.kind == "DROP" and target != DEFAULT
        return self.clear(self.graphs_of(target), drop=drop)

    def replace(self, target: str, content: set[ox.Triple]) -> Delta:
        """Make `target` (a graph, or DEFAULT) hold exactly `content` (COPY's meaning).

        DEFAULT: every source is emptied and the default store gets `content`. A graph whose
        new content is empty goes, as pyoxigraph drops the target of an empty COPY.
        """
        delta = Delta()
        if target == DEFAULT:
            for g in self.union:
                if g != self.default_store:
                    old = self.content(g)
                    if old:
                        delta.removed[self.writable(g)] = old
            target = self.default_store
        graph = self.writable(target)
        old = self.content(graph)
        if not content and target != self.default_store:
            if graph in self.graphs:
                delta.then(self.clear([graph], drop=True))
            return delta
        if old - content:
            delta.removed[graph] = old - content
        if content - old:
            delta.added[graph] = content - old
            if graph not in self.graphs:
                delta.created.add(graph)
        return delta

    def transfer(self, op: Operation) -> Delta:
        """ADD, MOVE and COPY (SPARQL 1.1 Update sections 3.2.5-3.2.7), as pyoxigraph does
        them: a source that does not exist is empty, except that MOVE then fails (unless
        SILENT); MOVE is COPY followed by DROP of the source."""
        source, target = op.source, op.target
        assert source is not None and target is not None
        if source == target:
            return Delta()
        exists = source == DEFAULT or source in self.graphs
        if not exists and op.kind == "MOVE":
            if op.silent:
                return Delta()
            raise QueryError(f"the graph <{source}> does not exist")
        content = self.content_of(source)
        if op.kind == "ADD":
            graph = self.default_store if target == DEFAULT else self.writable(target)
            return self.addition({graph: content} if content else {})
        delta = self.replace(target, content)
        if op.kind == "MOVE":
            if source == DEFAULT:
                emptied = self.clear([g for g in self.union if g not in delta.graphs()], drop=False)
            else:
                emptied = self.clear([source], drop=True)
            delta.then(emptied)
        return delta

    # -- applying to the working copy ---------------------------------------------------------

    def apply(self, delta: Delta) -> None:
        """Make the working copy and the list of graphs what they are after `delta`."""
        store = self.working
        for g in delta.dropped:
            if g in self.graphs:
                store.remove_graph(_node(g))
                del self.graphs[g]
        for g in delta.created:
            store.add_graph(_node(g))
            self.graphs.setdefault(g, g == self.default_store)
        for g, ts in delta.removed.items():
            for t in ts:
                store.remove(ox.Quad(t.subject, t.predicate, t.object, _node(g)))
        for g, ts in delta.added.items():
            if g not in self.graphs:
                self.graphs[g] = g == self.default_store
                store.add_graph(_node(g))
            store.extend(ox.Quad(t.subject, t.predicate, t.object, _node(g)) for t in ts)


def _relabelled(
    by_graph: dict[str, set[ox.Triple]], keep: frozenset[ox.BlankNode] = frozenset()
) -> dict[str, set[ox.Triple]]:
    """New blank nodes (not in `keep`: those a solution bound) get labels unique across
    processes (sic.terms.fresh_blank), one node staying one node across graphs."""
    keys = list(by_graph)
    flat = [(g, t) for g in keys for t in by_graph[g]]
    relabelled = relabel([t for _, t in flat], keep)
    out: dict[str, set[ox.Triple]] = {}
    for (g, _), t in zip(flat, relabelled, strict=True):
        out.setdefault(g, set()).add(t)
    return out


def _by_graph(quads: Iterable[ox.Quad], default: str) -> dict[str, set[ox.Triple]]:
    out: dict[str, set[ox.Triple]] = {}
    for q in quads:
        name = q.graph_name
        key = default if isinstance(name, ox.DefaultGraph) else str(name.value)
        out.setdefault(key, set()).add(q.triple)
    return out


def needs_working_copy(ops: Sequence[Operation]) -> bool:
    """Whether an operation reads the dataset after an earlier one changed it."""
    return any(op.reads for op in ops[1:])


def evaluate(
    ops: Sequence[Operation],
    working: ox.Store,
    dataset: Dataset,
    *,
    base: str | None,
    mutable: bool,
) -> Delta:
    """The delta of an update request over the data of `working` (see the module docstring).

    With `mutable`, each operation's change is applied to `working` so that the next sees it,
    and `working` is left as the data would be after the request (a caller that needs the
    store as it was must pass a copy). Without it, `working` is only read, which is exact
    only when no operation reads after another wrote (see needs_working_copy).

    :raises QueryError: if an operation fails (a graph that does not exist, a write to the
        store's bookkeeping, an evaluation error).
    """
    state = _Evaluation(working, dataset, base)
    total = Delta()
    for op in ops:
        try:
            delta = state.run(op)
        except (SyntaxError, OSError, RuntimeError, ValueError, TypeError) as exc:
            raise QueryError(f"the update failed: {exc}") from None
        if mutable:
            state.apply(delta)
        total.then(delta)
    return total


def copy_data(source: ox.Store, graphs: Iterable[str]) -> ox.Store:
    """A scratch in-memory store holding the given graphs of `source` (a working copy)."""
    scratch = ox.Store()
    for g in graphs:
        scratch.bulk_extend(source.quads_for_pattern(None, None, None, _node(g)))
        scratch.add_graph(_node(g))
    return scratch
