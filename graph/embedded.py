"""The embedded backend: pyoxigraph on disk (the default) or in memory (tests).

Loads are fast *and* all-or-nothing. A new source is bulk-loaded into its named graph while
still unpublished; queries only ever see published graphs (pyoxigraph takes the default graph
as a list), so readers never see half a load. After validation, one small transaction writes
the source's provenance and so publishes it; a replacement is swapped in by one transactional
update. A process killed at any point leaves only an unpublished graph, which the next writer
removes when it opens the store.

Queries see the dataset of graph.dataset: the sources' union as the default graph, the data
graphs as named graphs, the bookkeeping graph only when a query names it.

The store's version (for ETags and caches) lives in this handle's memory: a fresh token when the
store is opened and after each committed write. Only one handle can open a store folder
(pyoxigraph locks it) so no other writer can change the data behind its back, and a token that
changes on restart only costs clients one full answer.

The service also keeps a copy of the data graphs in memory (`hold_in_memory`) and reads from
it: pyoxigraph's in-memory store answers the engine-bound benchmark query 2.7x faster at M
(57 vs 153 ms; 4.5x at S). The copy holds no bookkeeping, so when it holds nothing but the
sources a handle that will only read from now on (`settle`, a forked query worker) lets
pyoxigraph take the union of all its graphs as the default graph, which is faster than a list
(measured on disk: S 14.8 vs 29.8 ms, M 147 vs 361 ms). The copy takes about 380 MB per
million triples; the forked workers share it copy-on-write, but pages their reads touch stop
being shared (the service and its four workers measured 934 MB at M after the HTTP benchmark,
against 161 MB reading from disk). The disk stays the store of record: every write is staged,
validated and committed on disk first, then the data half of the same update is applied to
the copy (staged graphs are copied over first); if that ever failed the copy would be dropped
and reads go back to the disk.

A large workbook load is validated on an in-memory copy of the union it will join: the
published graphs, plus the staged triples loaded from the same bytes as the disk
(`_validation_copy`). Whole-graph validation is some 200 queries, and at M they took 30 s
of CPU on disk against 11 s in memory; the copy is dropped before the commit.

Writes are prepared, then committed. `prepare_update` / `prepare_delta` evaluate a change
(graph.update) and validate it without writing anything, so the service runs them in a worker
it can kill (runner.pool); `commit` then applies the prepared change in one transaction, if
the store has not changed since it was prepared.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import gc
import gzip
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from graph import history
from graph.base import GraphStore, PreparedWrite, QueryGraphs, node_of
from graph.dataset import Dataset, SourceInfo
from graph.provenance import (
    activity_of,
    delta_provenance_ops,
    provenance_for,
    sources_from_rows,
    swap_ops,
)
from graph.restore import Restored
from graph.results import (
    AskResult,
    QueryResult,
    Term,
    from_solutions,
    from_triples,
    text,
)
from graph.sparql_files import internal
from graph.update import (
    DEFAULT_MAX_NESTING,
    Delta,
    copy_data,
    evaluate,
    needs_working_copy,
    only_changes,
)
from graph.update_ops import Operation
from graph.validation import WriteChecker, check_delta, validate_union
from sic.errors import KGError, QueryError, StoreError, StoreLocked, Violation
from sic.iris import changes_graph, normalise_base, sources_graph
from sic.ontology import controlled_values
from sic.progress import Progress, no_progress, phase
from sic.source import Source
from sic.vocab import DEFAULT_BASE, SIC

log = logging.getLogger(__name__)

JOURNAL = 64
"""Commits remembered for deltas_since: a reader further behind reads everything again."""

REHEARSE_UP_TO = 500
"""A forked worker validates the last write again when it changed at most this many triples
(see EmbeddedStore._rehearse_last_write; a one-project write: about 30)."""

JOURNAL_TRIPLES = 100_000
"""A delta larger than this is not kept (a reader reads everything again after it): following
it triple by triple would cost more than reading again, and it would hold memory."""


class EmbeddedStore(GraphStore):
    """A pyoxigraph store holding one named graph per data graph plus a provenance graph.

    :param path: folder of the on-disk store, created when missing; None for an in-memory store.
    :param base: the BASE of data IRIs (`{BASE}id/{kind}/{key}`, `{BASE}graph/{source}`).
    :param checker: validates writes; the default uses the bundled shapes.
    :param max_nesting: deepest nesting accepted in an update (SIC_MAX_NESTING).
    """

    version_is_local = True  # kept in memory, renewed by this handle's own writes
    reads_in_process = True

    def __init__(
        self,
        path: Path | None = None,
        base: str = DEFAULT_BASE,
        checker: WriteChecker | None = None,
        max_nesting: int = DEFAULT_MAX_NESTING,
    ) -> None:
        self.base = normalise_base(base)
        self.path = path
        self.max_nesting = max_nesting
        try:
            if path is None:
                self._store = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            if "lock file" in str(exc).lower():  # RocksDB: "While lock file: .../LOCK: ..."
                raise StoreLocked(str(path), f"the store at {path} is in use: {exc}") from exc
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self.sources_graph = ox.NamedNode(str(sources_graph(self.base)))
        self.changes_graph = ox.NamedNode(str(changes_graph(self.base)))
        self._sequence: int | None = None  # of the last change record (graph.history)
        self._lock = threading.RLock()
        self._checker = checker
        self._dataset_cache: tuple[str, Dataset] | None = None
        self._sources_cache: tuple[str, tuple[SourceInfo, ...]] | None = None
        self._settled = False
        self._union_shortcut = False
        self._memory: ox.Store | None = None
        self._book: ox.Store | None = None  # the bookkeeping graph, beside the memory copy
        # the staging graphs of committed writes, with their quads, to remove (see tidy)
        self._untidy: list[tuple[ox.NamedNode, list[ox.Quad]]] = []
        self.last_timings: dict[str, float] = {}
        """Seconds spent per phase (store, validate, publish) by the last load: for benchmarks."""
        self._version = uuid.uuid4().hex
        self._journal: collections.deque[tuple[str, str, Delta | None]] = collections.deque(
            maxlen=JOURNAL
        )
        """(version before, version after, delta or None) of the last commits (deltas_since)."""
        self._remove_unpublished()

    # -- reading ---------------------------------------------------------------------------

    @property
    def checker(self) -> WriteChecker:
        """The write validator, built on first use (parsing shapes costs about a second)."""
        if self._checker is None:
            self._checker = WriteChecker()
        return self._checker

    def prepare_writes(self) -> None:
        """What every write needs, made now so that forked workers inherit it: the shapes
        parsed and run once, and the controlled lists read (a first write paid 300 ms)."""
        self.checker.warm()
        controlled_values(SIC.Stages)

    @property
    def _reader(self) -> ox.Store:
        """Where reads of data go: the in-memory copy when there is one, else the disk."""
        return self._memory if self._memory is not None else self._store

    @property
    def in_memory(self) -> bool:
        """Whether reads are answered from an in-memory copy (see hold_in_memory)."""
        return self._memory is not None

    def _select(
        self, sparql: str, substitutions: dict[ox.Variable, ox.NamedNode]
    ) -> ox.QuerySolutions:
        """One of graph/sparql's SELECT queries over the bookkeeping (its copy in memory when
        there is one: a forked worker never needs to touch the disk store)."""
        book = self._book if self._book is not None else self._store
        result = book.query(sparql, substitutions=substitutions)  # type: ignore[arg-type]
        assert isinstance(result, ox.QuerySolutions)
        return result

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store, for the benchmarks' floor and read-only tooling.

        Whoever takes it may also write it behind this handle's back (tests fill a store so):
        the published sources are then read again rather than taken from what was kept."""
        self._sources_cache = None
        return self._store

    def version(self) -> str:
        return self._version

    def deltas_since(self, version: str) -> list[Delta] | None:
        found: list[Delta] = []
        current = self._version
        for before, after, delta in reversed(self._journal):
            if current == version:
                break
            if after != current or delta is None:
                return None
            found.append(delta)
            current = before
        return found[::-1] if current == version else None

    def _answer(
        self, sparql: str, graphs: QueryGraphs, substitutions: Mapping[str, Term], limit: int | None
    ) -> QueryResult:
        subs = {ox.Variable(k): v for k, v in substitutions.items()}
        named = [ox.NamedNode(g) for g in graphs.named]
        if self._union_shortcut and not graphs.chosen:
            return self._run(
                self._reader,
                sparql,
                limit,
                use_default_graph_as_union=True,
                named_graphs=named,
                substitutions=subs,
            )
        return self._run(
            self._reader_for(self.dataset(), [*graphs.default, *graphs.named]),
            sparql,
            limit,
            default_graph=[ox.NamedNode(g) for g in graphs.default] or [self._empty_graph()],
            named_graphs=named,
            substitutions=subs,
        )

    def _reader_for(self, dataset: Dataset, graphs: Sequence[str]) -> ox.Store:
        """Where a query naming `graphs` can be answered: bookkeeping and data are kept apart
        in memory, so a query naming both gets a scratch store holding what it names."""
        book = dataset.bookkeeping.intersection(graphs)
        if not book:
            return self._reader
        if self._memory is None or self._book is None:
            return self._store
        data = [g for g in graphs if g not in book]
        if not data:
            return self._book
        scratch = copy_data(self._memory, data)
        for g in book:
            scratch.bulk_extend(self._book.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        return scratch

    def _run(
        self,
        reader: ox.Store,
        sparql: str,
        limit: int | None,
        *,
        substitutions: dict[ox.Variable, Term],
        use_default_graph_as_union: bool = False,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> QueryResult:
        try:
            result = reader.query(
                sparql,
                use_default_graph_as_union=use_default_graph_as_union,
                default_graph=default_graph,  # type: ignore[arg-type]
                named_graphs=named_graphs,  # type: ignore[arg-type]
                substitutions=substitutions or None,
            )
        except SyntaxError as exc:
            del reader  # a traceback kept by the caller must not keep the store (and its lock)
            raise QueryError(str(exc)) from None
        except OSError as exc:
            del reader
            raise StoreError(str(exc)) from None
        if isinstance(result, ox.QueryBoolean):
            return AskResult(bool(result))
        if isinstance(result, ox.QuerySolutions):
            return from_solutions(result, limit)
        return from_triples(result, limit)

    def settle(self, *, rehearse: bool = True) -> None:
        """Only read from now on; let pyoxigraph take the union of all graphs when exact.

        It is exact when the in-memory copy holds the sources and nothing else (no standalone
        graph; bookkeeping is never copied) and its default graph is empty: checked here
        rather than assumed, so a store in any other state keeps the explicit list.
        """
        self._settled = True
        memory = self._memory
        if memory is None:
            return
        union = set(self.dataset().union)
        present = {g.value for g in memory.named_graphs() if isinstance(g, ox.NamedNode)}
        in_default = memory.quads_for_pattern(None, None, None, ox.DefaultGraph())
        self._union_shortcut = present == union and next(in_default, None) is None
        if rehearse:  # a query worker may prepare the next write; an HTTP process never does
            self._rehearse_last_write()

    def _rehearse_last_write(self) -> None:
        """Validate the last committed write again, on the memory copy that holds it, and
        forget the outcome: a forked worker's first write then runs at its real cost.

        A fork shares the service's memory copy-on-write, so the first validation in a new
        worker copies every page whose objects it touches (the parsed shapes, rdflib's and
        pyshacl's): some 1,500 page faults at M, which made a one-project write cost a fresh
        worker 19 ms of CPU against 11 ms for the next one, and every write is the first in
        its worker (writes retire the worker, and each commit forks a new generation). So a
        worker forked after a small write validates that write once before it says it is
        ready, behind the writer's answer; a larger one, or no write yet, is left alone.
        The pages it copies (a few MB a worker) are the ones the next write would have.
        """
        if self._memory is None or not self._journal:
            return
        _, after, delta = self._journal[-1]
        if after != self._version or delta is None or not 0 < delta.size() <= REHEARSE_UP_TO:
            return
        with contextlib.suppress(KGError):  # only a rehearsal: a write always checks itself
            self._validate(delta, self._memory, applied=True)

    def probe(self) -> None:
        """Take a snapshot of the store on disk and of its memory copy, and read from each
        (see GraphStore.probe): what a query's first read does."""
        for store in (self._store, self._memory, self._book):
            if store is not None:
                store.query("ASK { GRAPH ?g { ?s ?p ?o } }")

    def hold_in_memory(self, max_triples: int) -> bool:
        """Copy the data graphs into memory and answer reads from there from now on.

        Only for a store on disk of at most `max_triples` data triples (the copy takes about
        380 MB per million, more once workers have read it; see the module docstring);
        answers whether the copy was made.
        """
        with self._lock:
            if self.path is None or self._memory is not None:
                return False
            if sum(s.triples for s in self.sources()) > max_triples:
                return False
            dataset = self.dataset()
            self._book = copy_data(self._store, sorted(dataset.bookkeeping))
            self._memory = copy_data(self._store, dataset.data)
            return True

    def _commit(
        self,
        data_ops: Sequence[str],
        bookkeeping_ops: Sequence[str],
        staged: Sequence[ox.NamedNode] = (),
        follow: Callable[[ox.Store], None] | None = None,
        delta: Delta | None = None,
    ) -> None:
        """Apply one update on disk (data and bookkeeping together, one transaction), then its
        data half to the in-memory copy: `follow(copy)` when given, else the same data
        operations after copying the staged graphs over.

        The staged graphs are copied over before the disk commits, so a failed commit leaves
        the copy to be cleaned exactly as the disk is: their graphs removed.
        """
        memory = self._memory
        if memory is not None and follow is None:
            try:
                for g in staged:
                    memory.bulk_extend(self._store.quads_for_pattern(None, None, None, g))
            except BaseException:
                self._forget_memory("copying a staged graph failed")
                raise
        try:
            self._store.update(" ;\n".join([*data_ops, *bookkeeping_ops]))
        except BaseException:
            self._sequence = None  # a change record may not have landed: read it again
            if memory is not None and follow is None:
                for g in staged:
                    memory.remove_graph(g)
            raise
        try:
            if memory is not None and follow is not None:
                follow(memory)
            elif memory is not None and data_ops:
                memory.update(" ;\n".join(data_ops))
            if self._book is not None and bookkeeping_ops:
                self._book.update(" ;\n".join(bookkeeping_ops))
        except BaseException:
            self._forget_memory("the in-memory copy could not follow a commit")
        self._committed(delta)

    def _forget_memory(self, why: str) -> None:
        log.error("%s: reads go back to the store on disk", why)
        self._memory = None
        self._book = None

    def _writing(self) -> None:
        if self._settled:
            raise StoreError("this store handle was settled for reading; it cannot write")

    def _empty_graph(self) -> ox.NamedNode:
        return ox.NamedNode(self.base + "graph/_empty")

    def sources(self) -> list[SourceInfo]:
        """The published sources, read once per version like the dataset (every write asks:
        two queries of the provenance graph were a fifth of a one-project commit at M)."""
        version = self._version  # this handle's own count of writes (a Snapshot names its own)
        if self._sources_cache is None or self._sources_cache[0] != version:
            q = internal("published-sources")
            solutions = self._select(q.text, {ox.Variable("sources"): self.sources_graph})
            variables = [v.value for v in solutions.variables]
            rows = (
                {v: row[i] for i, v in enumerate(variables) if row[i] is not None}
                for row in solutions
            )
            self._sources_cache = (version, tuple(sources_from_rows(rows)))
        return list(self._sources_cache[1])

    # -- writing ---------------------------------------------------------------------------

    def _remove_unpublished(self) -> None:
        """Drop graphs a killed load left behind: anything not published and not provenance."""
        published = {s.graph for s in self.sources()}
        published.add(self.sources_graph.value)  # (graph/_state, where versions once were, goes)
        published.add(self.changes_graph.value)
        for g in list(self._store.named_graphs()):
            if isinstance(g, ox.NamedNode) and g.value not in published:
                self._store.remove_graph(g)

    def new_staging_graph(self) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}graph/_staging/{uuid.uuid4().hex}")

    def _count(self, graph: ox.NamedNode) -> int:
        """The triples of a staged graph, which is on disk only (never in the memory copy)."""
        q = internal("count-graph").text
        result = self._store.query(q, substitutions={ox.Variable("graph"): graph})
        assert isinstance(result, ox.QuerySolutions)
        rows = list(result)
        return int(text(rows[0]["triples"])) if rows else 0

    def _publish(
        self,
        items: Sequence[tuple[ox.NamedNode, ox.NamedNode, Sequence[ox.Triple]]],
        drop: Iterable[ox.NamedNode] = (),
        recorded: Sequence[str] = (),
    ) -> None:
        """One transaction: swap staged graphs in and rewrite their provenance; a new version.

        Each item is (target graph, the graph it was staged in, provenance); a graph staged in
        place (a new source) is published by its provenance alone. The update text is assembled
        only from terms serialised by pyoxigraph (N-Triples form), never from caller text, so
        nothing can be injected into it.
        """
        self._writing()
        data: list[str] = []
        for target, staged, _ in items:
            if staged != target:
                data.append(f"DROP SILENT GRAPH {target}")
                data.append(f"ADD {staged} TO {target}")
                data.append(f"DROP SILENT GRAPH {staged}")
        data += [f"DROP SILENT GRAPH {g}" for g in drop]
        forget = [*(target for target, _, _ in items), *drop]
        bookkeeping = swap_ops(self.sources_graph, forget, [t for *_, p in items for t in p])
        self._commit(data, [*bookkeeping, *recorded], [staged for _, staged, _ in items])

    def _committed(self, delta: Delta | None = None) -> None:
        """After a write landed: a new version (and with it a new dataset), and the write in
        the journal (its delta when it was one; None says "read everything again")."""
        self._dataset_cache = None
        self._sources_cache = None
        before, self._version = self._version, uuid.uuid4().hex
        if delta is not None and delta.size() > JOURNAL_TRIPLES:
            delta = None
        self._journal.append((before, self._version, delta))

    def _union_without(self, exclude: Iterable[str]) -> list[ox.NamedNode]:
        excluded = set(exclude)
        return [ox.NamedNode(g) for g in self.dataset().union if g not in excluded]

    @contextlib.contextmanager
    def _removed_on_failure(self, graphs: Sequence[ox.NamedNode]) -> Iterator[None]:
        """Staged graphs are unpublished: a load that fails removes them (a killed one leaves
        them to the next open, see _remove_unpublished)."""
        try:
            yield
        except BaseException:
            for g in graphs:
                self._store.remove_graph(g)
            raise

    def _load(
        self,
        source: Source,
        target: ox.NamedNode,
        *,
        exists: bool,
        command: str,
        progress: Progress = no_progress,
        by: history.Attribution | None = None,
    ) -> None:
        """Bulk-load into an unpublished graph (the target itself when new), count, validate,
        publish; each phase is told to `progress`, and its time kept in `last_timings` for the
        benchmarks."""
        self._writing()
        staged = self.new_staging_graph() if exists else target
        others = self._union_without([target.value] if exists else [])
        started = time.perf_counter()
        with self._removed_on_failure([staged]):
            with phase(progress, "stage", total=source.size) as staging:
                mirror = self._validation_copy(source, others)
                if not source.load_into(self._store, staged, staging.advance, mirror):
                    mirror = None
                self._store.flush()
                count = self._count(staged)
                staging.finish(count)
            stored = time.perf_counter()
            readable = self._store if mirror is None else mirror
            with phase(progress, "validate", total=count) as validating:
                self.checker.check_new_graphs(readable, [staged], others=others)
                validating.finish(count)
            # the change record reads what was staged from the copy in memory when there is
            # one: 938k triples read back from disk took 12 s at M, most of the commit
            staged_quads = readable.quads_for_pattern(None, None, None, staged)
            if exists:
                change = history.of_contents(
                    target.value,
                    (q.triple for q in self._store.quads_for_pattern(None, None, None, target)),
                    (q.triple for q in staged_quads),
                )
            else:  # a new source: everything staged is added (a graph holds no triple twice)
                change = history.ChangeQuads(
                    [ox.Quad(q.subject, q.predicate, q.object, target) for q in staged_quads], []
                )
            del mirror, readable, staged_quads
        validated = time.perf_counter()
        provenance = provenance_for(
            target,
            source.name,
            count,
            origin=source.origin,
            checksum=source.checksum,
            command=command,
            about=source.about,
        )
        with phase(progress, "commit", total=count) as committing:
            recorded = self._record(by, command or f"load {source.name}", change, ())
            self._publish([(target, staged, provenance)], recorded=recorded)
            committing.finish(count)
        self.last_timings = {
            "store": stored - started,
            "validate": validated - stored,
            "publish": time.perf_counter() - validated,
        }

    def _validation_copy(self, source: Source, others: Sequence[ox.NamedNode]) -> ox.Store | None:
        """An in-memory store holding `others`, for a large source to be staged into as well
        and validated there; None when the source is small, of unknown size, or the whole
        would take too much memory.

        Whole-graph validation runs some 200 queries, each several times faster in memory
        than on disk (M: 11 s of CPU against 30 s), and the source's own triples go into
        the copy from the bytes the disk load parses, for a few seconds more.
        """
        size = source.size
        if size is None or size < VALIDATE_IN_MEMORY_FROM:
            return None
        wanted = {g.value for g in others}
        held = sum(s.triples for s in self.sources() if s.graph in wanted)
        if size + held > VALIDATE_IN_MEMORY_UP_TO:
            return None
        return copy_data(self._reader, sorted(wanted))

    def _restore(self, items: Sequence[Restored], by: history.Attribution | None = None) -> None:
        self._writing()
        staged = [self.new_staging_graph() for _ in items]
        with self._removed_on_failure(staged):
            for item, graph in zip(items, staged, strict=True):
                self._store.bulk_extend(
                    ox.Quad(t.subject, t.predicate, t.object, graph) for t in item.triples
                )
            self._store.flush()
            self.checker.check_new_graphs(
                self._store, staged, others=self._union_without(i.target.value for i in items)
            )
        added: list[ox.Quad] = []
        removed: list[ox.Quad] = []
        for item in items:
            before = (
                q.triple for q in self._store.quads_for_pattern(None, None, None, item.target)
            )
            one = history.of_contents(item.target.value, before, item.triples)
            added += one.added
            removed += one.removed
        recorded = self._record(by, "restore", history.ChangeQuads(added, removed), ())
        self._publish(
            [(i.target, graph, i.provenance) for i, graph in zip(items, staged, strict=True)],
            recorded=recorded,
        )

    def load_new_sources(
        self,
        sources: Sequence[Source],
        *,
        command: str = "",
        by: history.Attribution | None = None,
    ) -> list[SourceInfo]:
        """Validate and publish several new sources as one write: what loading them one by
        one with `load_source` stores (their graphs, provenance, and a change record each, in
        order), with one whole validation of the union instead of one per source.

        For seeding an empty store (api.seeding): 18 sources validated one by one took some
        45 s of a 2-core machine, the union validated once on an in-memory copy about 1 s.
        The sources are read into that copy, and only when it conforms are their graphs
        written to disk, from the copy, in one bulk load (one per source cost 1.7 s more:
        each bulk load has a fixed cost on disk).

        :raises KGError: a source is a dataset, is already loaded, or is named twice.
        :raises ValidationFailed: the union would not conform; nothing is stored. The
            violations are not located at any one source's cells: load the sources one by
            one to learn which source they come from.
        """
        from sic.errors import ValidationFailed

        names = [s.name for s in sources]
        loaded = {s.name for s in self.sources()}
        if any(s.dataset for s in sources) or len(set(names)) < len(names) or loaded & {*names}:
            raise KGError("only new sources, none of them a dataset, can be loaded together")
        with self._lock:
            self._writing()
            targets = [self.graph_for(name) for name in names]
            others = self._union_without(())
            copy = copy_data(self._reader, sorted(g.value for g in others))
            for source, target in zip(sources, targets, strict=True):
                source.load_into(copy, target)
            graphs: list[ox.NamedNode] = [*others, *targets]
            found = self.checker.whole(copy, graphs)
            violations = [v for v in found if v.severity == "Violation"]
            violations += self.checker.global_violations(copy, graphs)
            if violations:
                raise ValidationFailed(violations)
            with self._removed_on_failure(targets):
                new = (q for g in targets for q in copy.quads_for_pattern(None, None, None, g))
                _bulk_add(self._store, list(new))
                self._store.flush()
            del copy
            items: list[tuple[ox.NamedNode, ox.NamedNode, Sequence[ox.Triple]]] = []
            recorded: list[str] = []
            for source, target in zip(sources, targets, strict=True):
                provenance = provenance_for(
                    target,
                    source.name,
                    self._count(target),
                    origin=source.origin,
                    checksum=source.checksum,
                    command=command,
                    about=source.about,
                )
                change = history.of_contents(
                    target.value,
                    (),
                    (q.triple for q in self._store.quads_for_pattern(None, None, None, target)),
                )
                recorded += self._record(by, command or f"load {source.name}", change, ())
                items.append((target, target, provenance))
            self._publish(items, recorded=recorded)
            by_name = {s.name: s for s in self.sources()}
            return [by_name[name] for name in names]

    def remove_source(
        self, name: str, *, command: str = "", by: history.Attribution | None = None
    ) -> None:
        self._writing()
        with self._lock:
            info = self.source(name)
            graph = ox.NamedNode(info.graph)
            self._keep_record([info.graph], command or f"unload {name}")
            if info.union:
                self.checker.check_removal(
                    self._store, graph, others=self._union_without([info.graph])
                )
            gone = list(self._store.quads_for_pattern(None, None, None, graph))
            change = history.ChangeQuads([], gone, dropped=[info.graph])
            recorded = self._record(by, command or f"unload {name}", change, ())
            self._publish([], drop=[graph], recorded=recorded)

    # -- changes prepared in a worker, committed by the service ------------------------------

    def _working_copy(self, ops_need_copy: bool) -> tuple[ox.Store, bool]:
        """The store an update is evaluated on, and whether it may be changed in doing so.

        A settled handle (a forked worker) owns its in-memory copy: it may change it, and is
        retired afterwards. Anywhere else the data is only read, or copied when the request
        has operations that read what earlier ones wrote.
        """
        if self._settled and self._memory is not None:
            self._union_shortcut = False  # the copy is about to hold other data
            return self._memory, True
        if ops_need_copy:
            return copy_data(self._reader, self.dataset().data), True
        return self._reader, False

    def _prepare_ops(self, ops: Sequence[Operation], base: str, command: str) -> PreparedWrite:
        """Evaluated on this store's data (or a working copy: see _working_copy), validated
        on the result; nothing is written."""
        with self._lock:
            version = self.version()
            dataset = self.dataset()
            working, mutable = self._working_copy(needs_working_copy(ops))
            delta = evaluate(ops, working, dataset, base=base, mutable=mutable)
            if delta:
                self._validate(delta, working, applied=mutable)
            return PreparedWrite(delta, version, command)

    def prepare_delta(self, delta: Delta, *, command: str = "") -> PreparedWrite:
        """Validate an explicit change without writing anything (only what it really
        changes: its record must not claim triples that were there already)."""
        with self._lock:
            version = self.version()
            reader = self._reader
            delta = only_changes(delta, reader.__contains__)
            if delta:
                self._validate(delta, self._reader, applied=False)
            return PreparedWrite(delta, version, command)

    def _validate(self, delta: Delta, store: ox.Store, *, applied: bool) -> None:
        """Check what a change does to the default graph (standalone graphs have no shapes).

        :raises QueryError: if it writes the store's bookkeeping.
        :raises ValidationFailed: if the default graph would not conform.
        """
        dataset = self.dataset()
        protected = dataset.bookkeeping | {
            g for g in delta.graphs() if g.startswith(self.base + "graph/_")
        }
        if delta.graphs() & protected:
            raise QueryError("the store's bookkeeping graphs are read-only")
        union_before = set(dataset.union)
        union_after = (union_before - delta.dropped) | ({dataset.default_store} & delta.graphs())
        members = union_before | union_after
        added = [t for g, ts in delta.added.items() if g in members for t in ts]
        removed = [t for g, ts in delta.removed.items() if g in members for t in ts]
        if not added and not removed:
            return
        graphs = [ox.NamedNode(g) for g in (union_after if applied else union_before)]
        if not applied:
            graphs += [ox.NamedNode(g) for g in union_after - union_before]
        check_delta(self.checker, store, added, removed, graphs, applied=applied)

    def commit(self, prepared: PreparedWrite, by: history.Attribution | None = None) -> Delta:
        """Apply a prepared change in one transaction, if the store is still as it was, with
        its record (graph.history) attributed to `by` (None: this process's user).

        :raises StoreError: the store changed since the change was prepared.
        """
        self._writing()
        with self._lock:
            if prepared.version != self.version():
                raise StoreError(
                    "the store changed while this write was being prepared; send it again"
                )
            if prepared.delta:
                self._commit_delta(prepared.delta, prepared.command, by)
            return prepared.delta

    def _next_sequence(self) -> int:
        """The sequence number of the next change record (read once, then counted here: only
        this handle writes the store)."""
        if self._sequence is None:
            q = internal("last-change").text
            rows = list(self._select(q, {ox.Variable("changes"): self.changes_graph}))
            found = rows[0]["max"] if rows else None
            self._sequence = int(found.value) if isinstance(found, ox.Literal) else 0
        self._sequence += 1
        return self._sequence

    def _record(
        self,
        by: history.Attribution | None,
        command: str,
        change: history.ChangeQuads,
        modified: Iterable[str],
    ) -> list[str]:
        """The bookkeeping operations that record a change (graph.history)."""
        node, triples = history.record(
            self.base, self._next_sequence(), by or history.local(self.base), command, change
        )
        return history.change_ops(self.changes_graph, self.sources_graph, node, triples, modified)

    def _commit_delta(
        self, delta: Delta, command: str, by: history.Attribution | None = None
    ) -> None:
        """Stage the triples, then one transaction moves them (blank nodes keep who they are).

        Triples to remove and to add are first written into unpublished staging graphs; the
        update then deletes and inserts by pattern over those graphs, which names stored blank
        nodes as the store knows them (DELETE DATA cannot) and is one transaction; a crash
        before it leaves only staging graphs, removed at the next open. A graph the write
        creates is filled in place instead, like a load: unpublished until the transaction
        records it. Emptying the staging graphs waits until after the transaction (a DROP
        inside it costs more than the whole insert), and the in-memory copy is given the
        delta itself. 200,000 triples into a new graph: 17.9 s before, 3.0 s now (floor 1.8 s;
        `python -m bench.writes`, bench/WRITES.md). A small delta without blank nodes needs no
        staging: its triples are named in the update itself (_data_ops).
        """
        self._writing()
        published = {s.graph: s for s in self.sources()}
        dataset = self.dataset()
        emptied = [
            g
            for g, ts in delta.removed.items()
            if g in published and len(ts) >= published[g].triples > 0
        ]
        self._keep_record([*delta.dropped, *emptied], command)
        staged: list[tuple[ox.NamedNode, list[ox.Quad]]] = []
        in_place: list[ox.NamedNode] = []
        data: list[str] = []

        def stage(triples: Iterable[ox.Triple]) -> ox.NamedNode:
            g = self.new_staging_graph()
            quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
            _bulk_add(self._store, quads)
            staged.append((g, quads))
            return g

        try:
            for g in sorted(delta.dropped):
                if g in published:
                    data.append(f"DROP SILENT GRAPH {node_of(g)}")
            for g in sorted(delta.created):
                data.append(f"CREATE SILENT GRAPH {node_of(g)}")
            named = _data_ops(delta)
            if named is not None:
                data += named
            else:
                self._stage_moves(delta, published, data, stage, in_place)
            bookkeeping = delta_provenance_ops(
                delta, published, self.sources_graph, dataset.default_store, command
            )
            modified = [g for g in delta.graphs() if g in published and g not in delta.dropped]
            bookkeeping += self._record(by, command, history.of_delta(delta), modified)
            carried = _sources_after(delta, self.sources())
            self._commit(data, bookkeeping, follow=lambda copy: _apply(copy, delta), delta=delta)
            if carried is not None:  # what reading the provenance again would find
                self._sources_cache = (self._version, carried)
                self._dataset_cache = (self.version(), dataset)
        except BaseException:
            for node in in_place:
                self._store.remove_graph(node)
            for node, _ in staged:
                self._store.remove_graph(node)
            raise
        self._untidy.extend(staged)
        if not self.tidy_later:
            self.tidy()

    def _stage_moves(
        self,
        delta: Delta,
        published: Mapping[str, SourceInfo],
        data: list[str],
        stage: Callable[[Iterable[ox.Triple]], ox.NamedNode],
        in_place: list[ox.NamedNode],
    ) -> None:
        """Stage a delta's triples (or fill a graph it creates in place) and append to `data`
        the one operation that moves them (see _commit_delta)."""
        removals = [
            (node_of(g), stage(triples))
            for g, triples in sorted(delta.removed.items())
            if g not in delta.dropped
        ]
        additions = []
        for g, triples in sorted(delta.added.items()):
            target = node_of(g)
            if self._fill_in_place(g, delta, published):
                _bulk_add(
                    self._store,
                    [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples],
                )
                in_place.append(target)
            else:
                additions.append((target, stage(triples)))
        if removals or additions:
            data.append(_move(removals, additions))

    def tidy(self) -> None:
        """Empty the staging graphs of committed writes (unpublished: no reader sees them).

        Kept out of the commit because it costs about as much as the commit itself on disk
        (per quad, which is faster than removing the graph); a crash before it leaves only
        unpublished graphs, removed at the next open.
        """
        with self._lock:
            while self._untidy:
                graph, quads = self._untidy.pop()
                for q in quads:
                    self._store.remove(q)
                self._store.remove_graph(graph)  # empty now: only its name goes

    def _fill_in_place(self, graph: str, delta: Delta, published: Mapping[str, SourceInfo]) -> bool:
        """Whether a write may fill `graph` before its transaction: a graph it creates, that
        nothing holds yet, so that until the transaction records it it is an unpublished
        graph like any other (hidden from every query, removed at the next open)."""
        if graph in published or graph not in delta.created:
            return False
        if graph in delta.dropped or graph in delta.removed:
            return False
        node = ox.NamedNode(graph)
        return next(self._store.quads_for_pattern(None, None, None, node), None) is None

    def _keep_record(self, graphs: Iterable[str], command: str) -> Path | None:
        """Before a source is dropped or emptied: its triples and provenance, kept as a file.

        A destructive change (DROP ALL, CLEAR DEFAULT, DELETE of a source's graph, `sic
        unload`) is allowed to whoever may write, so what it removes is written first to
        `{store}.recovered/{time}-{what}.nq.gz`, a dump that `sic load FILE --replace` puts
        back whole, provenance included. In-memory stores keep none.
        """
        graphs = list(graphs)
        if self.path is None or not graphs:
            return None
        sources = {s.graph: s for s in self.sources() if s.union}
        chosen = [g for g in graphs if g in sources]
        if not chosen:
            return None
        folder = self.path.parent / f"{self.path.name}.recovered"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        what = re.sub(r"[^A-Za-z0-9]+", "-", command).strip("-")[:40] or "change"
        target = folder / f"{stamp}-{what}-{uuid.uuid4().hex[:6]}.nq.gz"
        sg = self.sources_graph
        kept_about = {ox.NamedNode(g) for g in chosen}
        kept_about |= {activity_of(ox.NamedNode(g)) for g in chosen}
        quads = [
            q
            for g in chosen
            for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g))
        ]
        quads += [
            q
            for q in self._store.quads_for_pattern(None, None, None, sg)
            if q.subject in kept_about
        ]
        with gzip.open(target, "wb") as out:
            ox.serialize(quads, out, format=ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
        log.warning("%s removes %d source(s); they were kept in %s", command, len(chosen), target)
        return target

    def validate_all(self) -> list[Violation]:
        graphs = [ox.NamedNode(g) for g in self.dataset().union]
        return validate_union(self._store, graphs, self.checker)

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat) -> None:
        if not fmt.supports_datasets:
            raise KGError(f"{fmt.name} cannot hold named graphs; use N-Quads or TriG")
        graphs = [*self.dataset().data, self.sources_graph.value]
        quads = (
            q
            for g in graphs
            for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g))
        )
        ox.serialize(quads, out, format=fmt)

    def quads(self, graph: str) -> list[ox.Quad]:
        """Every quad of one graph of the store (for linked-data pages and tests)."""
        node = ox.NamedNode(graph)
        reader = self._reader_for(self.dataset(), [graph])
        return list(reader.quads_for_pattern(None, None, None, node))

    def triples_of(self, graph: str) -> list[ox.Triple]:
        return [q.triple for q in self.quads(graph)]

    def close(self) -> None:
        """Flush and release the store (pyoxigraph frees its lock when the handle is dropped)."""
        self._memory = None
        self._book = None
        store = self.__dict__.pop("_store", None)
        if store is not None:
            with contextlib.suppress(OSError):
                store.flush()
            del store
            # Parser exceptions can still point at frames that held the handle: pyparsing's
            # packrat cache keeps the exceptions of every SPARQL text rdflib parsed (shapes
            # compiled during a validation, pyshacl's constraints), and reference cycles keep
            # others. Drop that cache and collect them, so the file lock is released now.
            if self.path is not None:
                from pyparsing import ParserElement

                ParserElement.reset_cache()
                gc.collect()


VALIDATE_IN_MEMORY_FROM = 20_000
"""A load of at least this many triples (about WHOLE_GRAPH_ABOVE entities, past which the
union is validated whole) is validated on an in-memory copy (see _validation_copy)."""

VALIDATE_IN_MEMORY_UP_TO = 3_000_000
"""...as long as the copy holds at most this many triples (about 380 MB a million)."""

BULK_CHUNK = 20_000

SMALL_WRITE = 2_000
"""Quads added in one ordinary transaction rather than a bulk load (a one-project write: 30)."""
"""Quads per `bulk_load` or `bulk_extend` call of `_bulk_add` (each call holds the GIL for
the serialising or the reading of its Python terms)."""


def _bulk_add(store: ox.Store, quads: Sequence[ox.Quad]) -> None:
    """Bulk-load quads, as N-Quads bytes where that keeps them the same, in chunks.

    `Store.bulk_extend` reads its Python iterable holding the GIL for the whole load (1.3 s
    at 200,000 quads), so the service's event loop, in the same process, stops answering for
    that long; `bulk_load` of bytes parses and writes without it (serialising 20,000 quads
    holds it about 5 ms). But a load names blank nodes anew, and a staged blank node must stay
    the store's own: quads with one go by `bulk_extend`, in chunks so the loop gets its turns.
    """
    if len(quads) <= SMALL_WRITE:
        store.extend(quads)  # one transaction: a bulk load costs 30 ms at M whatever its size
        return
    plain = [q for q in quads if not _has_blank(q)]
    blank = [q for q in quads if _has_blank(q)]
    for start in range(0, len(plain), BULK_CHUNK):
        data = ox.serialize(plain[start : start + BULK_CHUNK], format=ox.RdfFormat.N_QUADS)
        store.bulk_load(data or b"", format=ox.RdfFormat.N_QUADS)
    for start in range(0, len(blank), BULK_CHUNK):
        store.bulk_extend(blank[start : start + BULK_CHUNK])


def _has_blank(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


def _sources_after(delta: Delta, before: Sequence[SourceInfo]) -> tuple[SourceInfo, ...] | None:
    """The published sources once `delta` commits, when it only changes the triples of
    published sources: their counts as delta_provenance_ops records them, all else as it was
    (the same graphs, so the same dataset). None when it creates or drops a graph, or
    writes one that is not yet a source: the provenance is then read again.

    Every write asked for them again after its commit (a query of the provenance graph,
    about 1 ms at M, in the service's process while its writer waits)."""
    if delta.created or delta.dropped:
        return None
    published = {s.graph for s in before}
    changed = set(delta.added) | set(delta.removed)
    if not changed <= published:
        return None
    return tuple(
        dataclasses.replace(
            s,
            triples=s.triples
            - len(delta.removed.get(s.graph, ()))
            + len(delta.added.get(s.graph, ())),
        )
        if s.graph in changed
        else s
        for s in before
    )


def _data_ops(delta: Delta) -> list[str] | None:
    """A small delta without blank nodes as DELETE DATA and INSERT DATA operations, or None.

    Without blank nodes every triple is named exactly by its text, so there is nothing to
    stage: the triples go into the commit's own update (deleted, then added, as _move does).
    A one-project write (30 triples) then costs one disk transaction instead of two, and
    leaves no staging graph to empty. Larger deltas, and any with a blank node, are staged
    (see _commit_delta).
    """
    if delta.size() > SMALL_WRITE:
        return None
    removed = [(g, ts) for g, ts in sorted(delta.removed.items()) if g not in delta.dropped]
    added = sorted(delta.added.items())
    ops: list[str] = []
    for verb, by_graph in (("DELETE", removed), ("INSERT", added)):
        blocks = []
        for g, triples in by_graph:
            if not triples:
                continue
            if not all(_named_exactly(t) for t in triples):
                return None
            body = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
            blocks.append(f"GRAPH {node_of(g)} {{ {body} }}")
        if blocks:
            ops.append(f"{verb} DATA {{ {' '.join(blocks)} }}")
    return ops


def _named_exactly(t: object) -> bool:
    """Whether a triple's text names it and nothing else: IRIs and plain, typed or
    language-tagged literals (no blank node, no quoted triple, no base direction)."""
    if not isinstance(t, ox.Triple) or not isinstance(t.subject, ox.NamedNode):
        return False
    o = t.object
    return isinstance(o, ox.NamedNode) or (isinstance(o, ox.Literal) and o.direction is None)


def _move(
    removals: Sequence[tuple[ox.NamedNode, ox.NamedNode]],
    additions: Sequence[tuple[ox.NamedNode, ox.NamedNode]],
) -> str:
    """One DELETE/INSERT that takes each (target, staged) pair's triples out of or into its
    target. One operation, not one per graph: pyoxigraph's transactions grow dearer than
    linearly with what they hold, and a second operation over the first's changes costs
    more than both alone (200,000 removed and 200,000 added: 13.8 s as two, 7.4 s as one).
    """
    groups = []
    delete = insert = ""
    if removals:
        pairs = " ".join(f"({g} {stage})" for g, stage in removals)
        groups.append(f"{{ VALUES (?g ?from) {{ {pairs} }} GRAPH ?from {{ ?s ?p ?o }} }}")
        delete = "DELETE { GRAPH ?g { ?s ?p ?o } } "
    if additions:
        pairs = " ".join(f"({g} {stage})" for g, stage in additions)
        groups.append(f"{{ VALUES (?h ?to) {{ {pairs} }} GRAPH ?to {{ ?x ?y ?z }} }}")
        insert = "INSERT { GRAPH ?h { ?x ?y ?z } } "
    return f"{delete}{insert}WHERE {{ {' UNION '.join(groups)} }}"


def _apply(copy: ox.Store, delta: Delta) -> None:
    """Make the in-memory copy follow a committed delta, in the order the disk applied it."""
    for g in sorted(delta.dropped):
        copy.remove_graph(ox.NamedNode(g))
    for g, triples in delta.removed.items():
        if g in delta.dropped:
            continue
        node = ox.NamedNode(g)
        for t in triples:
            copy.remove(ox.Quad(t.subject, t.predicate, t.object, node))
    for g in delta.created:
        copy.add_graph(ox.NamedNode(g))
    for g, triples in delta.added.items():
        node = ox.NamedNode(g)
        copy.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
