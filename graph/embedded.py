"""The embedded backend: pyoxigraph on disk (the default) or in memory (tests).

Loads are fast *and* all-or-nothing. A new source is bulk-loaded into its named graph while
still unpublished; queries only ever see published graphs (pyoxigraph takes the default graph
as a list), so readers never see half a load. After validation, one small transaction writes
the source's provenance and so publishes it; a replacement is swapped in by one transactional
update. A process killed at any point leaves only an unpublished graph, which the next writer
removes when it opens the store.

The store's version (for ETags and caches) lives in this handle's memory: a fresh token when the
store is opened and after each committed write. Only one handle can open a store folder
(pyoxigraph locks it) so no other writer can change the data behind its back, and a token that
changes on restart only costs clients one full answer. Kept out of the data, it leaves the
store holding nothing but published graphs between writes, so a handle that will only read
from now on (`settle`, a forked query worker) can let pyoxigraph treat the union of all
its named graphs as the default graph: measured on the engine-bound benchmark query, 2.4x
faster than passing the published graphs as a list (S: 14.8 vs 29.8 ms, M: 147 vs 361 ms).

The service also keeps a copy of the published data in memory (`hold_in_memory`) and reads
from it: pyoxigraph's in-memory store answers the same union query 2.7x faster again at M
(57 vs 153 ms; 4.5x at S). The copy takes about 380 MB per million triples; the forked query
workers share it copy-on-write, but pages their reads touch stop being shared: the service
and its four workers measured 934 MB at M after the HTTP benchmark, against 161 MB reading
from disk (bench/RESULTS.md). The disk stays the store of record: every write is staged,
validated and committed on disk first, then the same update text is applied to the copy
(staged graphs are copied over first); if that ever failed the copy would be dropped and reads
go back to the disk.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Graph

from graph.base import GraphData, GraphStore, SourceInfo
from graph.provenance import delta_provenance_ops, provenance_for, sources_from_rows
from graph.results import (
    AskResult,
    QueryResult,
    Term,
    from_solutions,
    from_triples,
    text,
)
from graph.sparql_files import internal
from graph.update import Delta, apply_protocol_dataset, evaluate, parse_update
from graph.validation import WriteChecker, check_delta, validate_union
from sic.errors import (
    KGError,
    LoaderError,
    Location,
    NotFound,
    Problem,
    QueryError,
    StoreError,
    Violation,
)
from sic.iris import graph_iri, normalise_base, sources_graph
from sic.terms import graph_to_quads, to_ox
from sic.vocab import DEFAULT_BASE, ONTOLOGY_IRI

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


log = logging.getLogger(__name__)

_Fill = Callable[[ox.NamedNode], None]


def _iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise QueryError(f"not a valid IRI: {value!r}") from exc


class EmbeddedStore(GraphStore):
    """A pyoxigraph store holding one named graph per source plus a provenance graph.

    :param path: folder of the on-disk store, created when missing; None for an in-memory store.
    :param base: the BASE of data IRIs (`{BASE}id/{kind}/{key}`, `{BASE}graph/{source}`).
    :param checker: validates writes; the default uses the bundled shapes.
    """

    version_is_local = True  # kept in memory, renewed by this handle's own writes

    def __init__(
        self,
        path: Path | None = None,
        base: str = DEFAULT_BASE,
        checker: WriteChecker | None = None,
    ) -> None:
        self.base = normalise_base(base)
        self.path = path
        try:
            if path is None:
                self._store = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self.sources_graph = ox.NamedNode(str(sources_graph(self.base)))
        self._lock = threading.RLock()
        self._checker = checker
        self._published_cache: tuple[str, list[ox.NamedNode]] | None = None
        self._settled = False
        self._union_is_published = False
        self._memory: ox.Store | None = None
        self.last_timings: dict[str, float] = {}
        """Seconds spent per phase (store, validate, publish) by the last load: for benchmarks."""
        self._remove_unpublished()
        self._version = uuid.uuid4().hex

    # -- reading ---------------------------------------------------------------------------

    @property
    def checker(self) -> WriteChecker:
        """The write validator, built on first use (parsing shapes costs about a second)."""
        if self._checker is None:
            self._checker = WriteChecker()
        return self._checker

    def prepare_writes(self) -> None:
        self.checker.validator  # noqa: B018 - parsed now, inherited by forked workers

    @property
    def _reader(self) -> ox.Store:
        """Where reads go: the in-memory copy when there is one, else the disk."""
        return self._memory if self._memory is not None else self._store

    @property
    def in_memory(self) -> bool:
        """Whether reads are answered from an in-memory copy (see hold_in_memory)."""
        return self._memory is not None

    def _select(
        self,
        sparql: str,
        substitutions: dict[ox.Variable, ox.NamedNode],
        store: ox.Store | None = None,
    ) -> ox.QuerySolutions:
        """One of graph/sparql's SELECT queries over the whole store (bookkeeping, not data)."""
        reader = store if store is not None else self._reader
        result = reader.query(sparql, substitutions=substitutions)  # type: ignore[arg-type]
        assert isinstance(result, ox.QuerySolutions)
        return result

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store, for the benchmarks' floor and read-only tooling."""
        return self._store

    def version(self) -> str:
        return self._version

    def published_graphs(self) -> list[ox.NamedNode]:
        """The named graphs queries see: every published source and the provenance graph."""
        version = self.version()
        if self._published_cache is not None and self._published_cache[0] == version:
            return self._published_cache[1]
        graphs = [ox.NamedNode(s.graph) for s in self.sources()]
        graphs.append(self.sources_graph)
        self._published_cache = (version, graphs)
        return graphs

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        limit: int | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        if default_graph is None and named_graphs is None and self._union_is_published:
            return self._run(sparql, limit, use_default_graph_as_union=True, substitutions=subs)
        published = self.published_graphs()
        allowed = {g.value for g in published}
        # A graph named by the caller that is not published is simply empty: never fetched.
        wanted_dg = [_iri(g) for g in default_graph] if default_graph is not None else published
        wanted_ng = [_iri(g) for g in named_graphs] if named_graphs is not None else published
        dg: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            g for g in wanted_dg if g.value in allowed
        ] or [self._empty_graph()]
        ng: list[ox.NamedNode | ox.BlankNode] = [g for g in wanted_ng if g.value in allowed]
        return self._run(sparql, limit, default_graph=dg, named_graphs=ng, substitutions=subs)

    def _run(
        self,
        sparql: str,
        limit: int | None,
        *,
        substitutions: dict[ox.Variable, Term],
        use_default_graph_as_union: bool = False,
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None,
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
    ) -> QueryResult:
        try:
            result = self._reader.query(
                sparql,
                use_default_graph_as_union=use_default_graph_as_union,
                default_graph=default_graph,
                named_graphs=named_graphs,
                substitutions=substitutions or None,
            )
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        if isinstance(result, ox.QueryBoolean):
            return AskResult(bool(result))
        if isinstance(result, ox.QuerySolutions):
            return from_solutions(result, limit)
        return from_triples(result, limit)

    def settle(self) -> None:
        """Only read from now on; query the union of the named graphs when that is exact.

        It is exact when every named graph is published (no staging graph of a load, no
        leftover) and the real default graph is empty, which holds between writes: checked here
        rather than assumed, so a store in any other state keeps the explicit list.
        """
        self._settled = True
        published = {g.value for g in self.published_graphs()}
        reader = self._reader
        present = {g.value for g in reader.named_graphs() if isinstance(g, ox.NamedNode)}
        in_default = reader.quads_for_pattern(None, None, None, ox.DefaultGraph())
        self._union_is_published = present == published and next(in_default, None) is None

    def hold_in_memory(self, max_triples: int) -> bool:
        """Copy the published data into memory and answer reads from there from now on.

        Only for a store on disk of at most `max_triples` published triples (the copy takes
        about 380 MB per million, more once workers have read it; see the module docstring);
        answers whether the copy was made.
        """
        with self._lock:
            if self.path is None or self._memory is not None:
                return False
            if sum(s.triples for s in self.sources()) > max_triples:
                return False
            memory = ox.Store()
            for g in self.published_graphs():
                memory.bulk_extend(self._store.quads_for_pattern(None, None, None, g))
            self._memory = memory
            self._published_cache = None
            return True

    def _commit(self, ops: str, staged: Sequence[ox.NamedNode] = ()) -> None:
        """Apply one update on disk, then the same to the in-memory copy (after the staged graphs).

        The staged graphs are copied over before the disk commits, so a failed commit leaves
        the copy to be cleaned exactly as the disk is: their graphs removed.
        """
        memory = self._memory
        if memory is not None:
            try:
                for g in staged:
                    memory.bulk_extend(self._store.quads_for_pattern(None, None, None, g))
            except BaseException:
                self._forget_memory("copying a staged graph failed")
                raise
        try:
            self._store.update(ops)
        except BaseException:
            if memory is not None:
                for g in staged:
                    memory.remove_graph(g)
            raise
        if memory is not None:
            try:
                memory.update(ops)
            except BaseException:
                self._forget_memory("the in-memory copy could not follow a commit")
        self._committed()

    def _forget_memory(self, why: str) -> None:
        log.error("%s: reads go back to the store on disk", why)
        self._memory = None
        self._published_cache = None

    def _writing(self) -> None:
        if self._settled:
            raise StoreError("this store handle was settled for reading; it cannot write")

    def _empty_graph(self) -> ox.NamedNode:
        return ox.NamedNode(self.base + "graph/_empty")

    def sources(self) -> list[SourceInfo]:
        q = internal("published-sources")
        solutions = self._select(q.text, {ox.Variable("sources"): self.sources_graph})
        variables = [v.value for v in solutions.variables]
        rows = (
            {v: row[i] for i, v in enumerate(variables) if row[i] is not None} for row in solutions
        )
        return sources_from_rows(rows)

    def source(self, name: str) -> SourceInfo:
        for s in self.sources():
            if s.name == name:
                return s
        raise NotFound(f"no source named {name!r}")

    # -- writing ---------------------------------------------------------------------------

    def _remove_unpublished(self) -> None:
        """Drop graphs a killed load left behind: anything not published and not provenance."""
        published = {s.graph for s in self.sources()}
        published.add(self.sources_graph.value)  # (graph/_state, where versions once were, goes)
        for g in list(self._store.named_graphs()):
            if isinstance(g, ox.NamedNode) and g.value not in published:
                self._store.remove_graph(g)

    def graph_for(self, name: str) -> ox.NamedNode:
        if name == "ontology":
            return ox.NamedNode(ONTOLOGY_IRI)
        return ox.NamedNode(str(graph_iri(name, self.base)))

    def new_staging_graph(self) -> ox.NamedNode:
        return ox.NamedNode(f"{self.base}graph/_staging/{uuid.uuid4().hex}")

    def _count(self, graph: ox.NamedNode) -> int:
        q = internal("count-graph").text
        rows = list(self._select(q, {ox.Variable("graph"): graph}, self._store))  # staged: disk
        return int(text(rows[0]["triples"])) if rows else 0

    def provenance_for(
        self,
        graph: ox.NamedNode,
        name: str,
        triples: int,
        *,
        origin: str = "",
        checksum: str = "",
        command: str = "",
        about: Mapping[str, str] | None = None,
    ) -> list[ox.Triple]:
        """The PROV-O description of a source (graph.provenance, shared by every backend)."""
        return provenance_for(
            graph,
            name,
            triples,
            origin=origin,
            checksum=checksum,
            command=command,
            about=about,
        )

    def publish(
        self,
        items: Sequence[tuple[ox.NamedNode, ox.NamedNode | None, Sequence[ox.Triple]]],
        drop: Iterable[ox.NamedNode] = (),
    ) -> None:
        """One transaction: swap staged graphs in and rewrite their provenance; a new version.

        Each item is (target graph, staged graph or None when loaded in place, provenance).
        The update text is assembled only from terms serialised by pyoxigraph (N-Triples form),
        never from caller text, so nothing can be injected into it.
        """
        self._writing()
        sg = str(self.sources_graph)
        ops: list[str] = []
        body: list[str] = []
        targets = [target for target, _, _ in items]
        for target, staged, provenance in items:
            if staged is not None and staged != target:
                ops.append(f"DROP SILENT GRAPH {target}")
                ops.append(f"ADD {staged} TO {target}")
                ops.append(f"DROP SILENT GRAPH {staged}")
            body.extend(f"{t.subject} {t.predicate} {t.object} ." for t in provenance)
        for g in drop:
            ops.append(f"DROP SILENT GRAPH {g}")
        for g in [*targets, *drop]:
            activity = ox.NamedNode(g.value + "#load")
            ops.append(f"DELETE WHERE {{ GRAPH {sg} {{ {g} ?p ?o }} }}")
            ops.append(f"DELETE WHERE {{ GRAPH {sg} {{ {activity} ?p ?o }} }}")
        if body:
            ops.append(f"INSERT DATA {{ GRAPH {sg} {{ {' '.join(body)} }} }}")
        self._commit(" ;\n".join(ops), [s for _, s, _ in items if s is not None])

    def _committed(self) -> None:
        """After a write landed: a new version, and the cached list of sources is stale."""
        self._published_cache = None
        self._version = uuid.uuid4().hex

    def _other_graphs(self, exclude: str | None) -> list[ox.NamedNode | ox.DefaultGraph]:
        return [
            g for g in self.published_graphs() if g.value != exclude and g != self.sources_graph
        ]

    def load_graph(
        self, data: GraphData, *, replace: bool = False, command: str = ""
    ) -> SourceInfo:
        quads = graph_to_quads(data.graph, ox.DefaultGraph())
        return self._load(
            name=data.name,
            origin=data.origin,
            checksum=data.checksum,
            about=data.about,
            replace=replace,
            command=command,
            fill=lambda g: self._store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, g) for q in quads
            ),
        )

    def load_file(
        self,
        path: Path,
        *,
        name: str | None = None,
        replace: bool = False,
        command: str = "",
        fmt: ox.RdfFormat | None = None,
    ) -> list[SourceInfo]:
        from graph.files import checksum_of, is_gzipped, open_rdf, rdf_format

        fmt = fmt or rdf_format(path)
        if fmt.supports_datasets:
            from graph.restore import restore_dataset

            return restore_dataset(self, path, fmt, replace=replace, command=command)

        def fill(g: ox.NamedNode) -> None:
            try:
                if is_gzipped(path):
                    with open_rdf(path) as stream:
                        self._store.bulk_load(stream, format=fmt, to_graph=g)
                else:
                    self._store.bulk_load(path=str(path), format=fmt, to_graph=g)
            except SyntaxError as exc:
                raise LoaderError(
                    [
                        Problem(
                            Location(str(path), getattr(exc, "lineno", None)),
                            f"{fmt.name} syntax error: {exc.msg if hasattr(exc, 'msg') else exc}",
                        )
                    ]
                ) from exc

        info = self._load(
            name=name or path.name,
            origin=str(path),
            checksum=checksum_of(path),
            about={},
            replace=replace,
            command=command,
            fill=fill,
        )
        return [info]

    def _load(
        self,
        *,
        name: str,
        origin: str,
        checksum: str,
        about: Mapping[str, str],
        replace: bool,
        command: str,
        fill: _Fill,
    ) -> SourceInfo:
        self._writing()
        with self._lock:
            target = self.graph_for(name)
            exists = any(s.name == name for s in self.sources())
            if exists and not replace:
                raise KGError(
                    f"a source named {name!r} is already loaded; use --replace to swap it"
                )
            staged = self.new_staging_graph() if exists else target
            started = time.perf_counter()
            try:
                fill(staged)
                self._store.flush()
                stored = time.perf_counter()
                count = self._count(staged)
                self.checker.check_new_graphs(
                    self._store,
                    [staged],
                    others=self._other_graphs(target.value if exists else None),
                )
                validated = time.perf_counter()
            except BaseException:
                self._store.remove_graph(staged)
                raise
            provenance = self.provenance_for(
                target, name, count, origin=origin, checksum=checksum, command=command, about=about
            )
            self.publish([(target, staged, provenance)])
            self.last_timings = {
                "store": stored - started,
                "validate": validated - stored,
                "publish": time.perf_counter() - validated,
            }
            return self.source(name)

    def remove_source(self, name: str, *, command: str = "") -> None:
        self._writing()
        with self._lock:
            info = self.source(name)
            graph = ox.NamedNode(info.graph)
            self.checker.check_removal(self._store, graph, others=self._other_graphs(info.graph))
            self.publish([], drop=[graph])

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
        command: str = "",
    ) -> Delta:
        """Apply a SPARQL 1.1 Update, validated first; a refused update changes nothing.

        The default graph is the union of the sources; what an update inserts into it lands
        in the source `updates`. A graph named in GRAPH that is not a source becomes one
        (named by its IRI); DROP of a source's graph removes the source.

        :raises QueryError: malformed, or refused (LOAD, SERVICE).
        :raises ValidationFailed: the result would not conform.
        """
        parsed = parse_update(sparql, base=base_iri)
        if using_graphs or using_named_graphs:
            apply_protocol_dataset(parsed, using_graphs, using_named_graphs)
        with self._lock:
            graphs = [g.value for g in self.published_graphs() if g != self.sources_graph]
            delta = evaluate(parsed, self._store, graphs, self.graph_for("updates").value)
            if delta:
                self.apply(delta, command=command or "SPARQL update")
            return delta

    def apply(self, delta: Delta, *, command: str = "") -> None:
        """Validate and commit an explicit change in one transaction."""
        with self._lock:
            published = {s.graph: s for s in self.sources()}
            protected = {self.sources_graph.value}
            touched = set(delta.added) | set(delta.removed) | delta.dropped | delta.created
            if touched & protected:
                raise QueryError("the provenance graph is maintained by the store and is read-only")
            graphs = [g for g in self.published_graphs() if g != self.sources_graph]
            added = [t for ts in delta.added.values() for t in ts]
            removed = [t for ts in delta.removed.values() for t in ts]
            check_delta(self.checker, self._store, added, removed, graphs)
            self._commit_delta(delta, published, command)

    def _commit_delta(
        self, delta: Delta, published: Mapping[str, SourceInfo], command: str
    ) -> None:
        self._writing()
        ops: list[str] = []
        for g, triples in sorted(delta.removed.items()):
            if g in delta.dropped:
                continue  # the whole graph goes by DROP below
            info = published.get(g)
            if info is not None and len(triples) >= info.triples:
                # everything in it: CLEAR also handles blank nodes, which DELETE DATA cannot name
                ops.append(f"CLEAR SILENT GRAPH {_iri(g)}")
                continue
            if any(isinstance(t, BNode) for s, _, o in triples for t in (s, o)):
                raise QueryError(
                    f"removing blank-node triples from part of <{g}> is not supported (SPARQL "
                    "cannot name a stored blank node); replace or clear the whole graph instead"
                )
            body = " ".join(f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ." for s, p, o in triples)
            ops.append(f"DELETE DATA {{ GRAPH {_iri(g)} {{ {body} }} }}")
        for g, triples in sorted(delta.added.items()):
            body = " ".join(f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ." for s, p, o in triples)
            ops.append(f"INSERT DATA {{ GRAPH {_iri(g)} {{ {body} }} }}")
        ops += delta_provenance_ops(
            delta, published, self.sources_graph, self.graph_for("updates").value, command
        )
        self._commit(" ;\n".join(ops))

    def validate_all(self) -> list[Violation]:
        graphs = [g for g in self.published_graphs() if g != self.sources_graph]
        return validate_union(self._store, graphs, self.checker)

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat) -> None:
        if not fmt.supports_datasets:
            raise KGError(f"{fmt.name} cannot hold named graphs; use N-Quads or TriG")
        graphs = self.published_graphs()
        reader = self._reader
        quads = (q for g in graphs for q in reader.quads_for_pattern(None, None, None, g))
        ox.serialize(quads, out, format=fmt)

    def quads(self, graph: str) -> list[ox.Quad]:
        """Every quad of one published graph (for linked-data pages and tests)."""
        return list(self._reader.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def close(self) -> None:
        """Flush and release the store (pyoxigraph frees its lock when the handle is dropped)."""
        self._memory = None
        store = self.__dict__.pop("_store", None)
        if store is not None:
            with contextlib.suppress(OSError):
                store.flush()
            del store
            # Parser exceptions kept in reference cycles (pyparsing, pyshacl) can still point at
            # frames that held the handle; collect them so the file lock is released now.
            if self.path is not None:
                gc.collect()

    def graph_of(self, name: str) -> Graph:
        """One published source as an rdflib graph (small sources only: it is all in memory)."""
        from sic.terms import triples_to_graph

        return triples_to_graph(self.quads(self.source(name).graph))
