"""The one interface over where the triples live.

Shaped like pyoxigraph's Store (query, update, load, dump) plus what the platform adds: every
load is a named *source* with provenance, and every write is validated before it commits. The
embedded backend (pyoxigraph) and the remote backend (any SPARQL 1.1 server) implement it, and
nothing above graph/ knows which one it talks to. What is loaded arrives as a Source
(sic.source), which loaders/ make of files, workbooks and request bodies: graph/ never opens a
path, and what the two backends share (the dataset a query sees, what a restore publishes, the
text of an update) is worked out here or in the modules beside this one, once.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO, TypedDict, Unpack

import pyoxigraph as ox

from graph.dataset import Dataset, SourceInfo
from graph.history import Attribution
from graph.restore import Restored, plan_restore
from graph.results import QueryResult, Term
from graph.sparql_lexer import query_dataset
from graph.update import DEFAULT_MAX_NESTING, Delta, read_update
from graph.update_ops import Operation
from sic.errors import KGError, NotFound, QueryError, ValidationFailed, Violation
from sic.iris import graph_iri
from sic.progress import Progress, no_progress
from sic.source import Source
from sic.vocab import ONTOLOGY_IRI

__all__ = ["GraphStore", "PreparedWrite", "QueryGraphs", "SourceInfo", "node_of"]


def node_of(iri: str) -> ox.NamedNode:
    """An IRI a caller gave (a graph name), as a node.

    :raises QueryError: when it is not a valid IRI.
    """
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"not a valid IRI: {iri!r}") from exc


@dataclass(frozen=True)
class PreparedWrite:
    """A change evaluated and validated against one version of a store, ready to commit."""

    delta: Delta
    version: str
    command: str


@dataclass(frozen=True)
class QueryGraphs:
    """The dataset one query sees (graph IRIs): its default graph's members, its named graphs.

    `chosen`: named by the caller or by the query itself (FROM, FROM NAMED); False for the
    store's own dataset (graph.dataset), which a backend may read by a shortcut.
    """

    default: list[str]
    named: list[str]
    chosen: bool


class UpdateOptions(TypedDict, total=False):
    """What an update may say besides its text (see GraphStore.prepare_update)."""

    base_iri: str | None
    using_graphs: Sequence[str]
    using_named_graphs: Sequence[str]
    command: str


class GraphStore(ABC):
    """What loaders, queries and the API may ask of a store.

    Queries see the union of all published sources as their default graph. Writes either land
    whole, after SHACL validation, or change nothing.
    """

    base: str
    max_nesting: int = DEFAULT_MAX_NESTING
    """Deepest nesting accepted in an update (SIC_MAX_NESTING)."""
    version_is_local: bool = False
    """True when version() answers from memory (no I/O): callers may then ask it anywhere,
    even on an event loop."""
    reads_in_process: bool = False
    """True when this process reads the data itself (False: a server evaluates every query), so
    work on it can run in processes forked from this one, which can be killed."""
    _lock: threading.RLock
    """Held by every write of this handle (set by each backend)."""
    _dataset_cache: tuple[str, Dataset] | None = None

    def deltas_since(self, version: str) -> list[Delta] | None:
        """The committed changes from `version` to the current one, oldest first, when this
        handle made them all through deltas and still remembers them; else None (a load, a
        restore, a write made elsewhere, or too long ago), and the caller reads again.

        What a process keeps computed from the data (the network projections) follows the
        writes this way instead of being rebuilt. Most backends remember nothing.
        """
        return [] if version == self.version() else None

    @abstractmethod
    def version(self) -> str:
        """An opaque token that changes whenever the published data changes (for ETags, caches).

        :raises StoreError: if the store cannot be read.
        """

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        limit: int | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        sources_named: bool = False,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query over the published sources.

        `substitutions` binds variables to RDF terms before evaluation (never pasted into the
        text). `limit` caps the rows or triples read; the result says when it was cut.
        `default_graph` / `named_graphs` narrow the dataset to graphs of the store (a graph that
        is not there is empty; nothing is ever fetched); without them, the query's own FROM and
        FROM NAMED do. `sources_named`: the named graphs are the default graph's members,
        `{BASE}graph/updates` included, so that `GRAPH ?g` tells which source states what (for
        descriptions; the protocol's dataset is the default).

        :raises QueryError: if the query is malformed.
        :raises StoreError: if the store fails.
        """
        if default_graph is None and named_graphs is None:
            own = query_dataset(sparql, self.base)
            if own is not None:
                default_graph, named_graphs = own
        dataset = self.dataset()
        if default_graph is None and named_graphs is None:
            named = dataset.union if sources_named else dataset.named
            graphs = QueryGraphs(list(dataset.union), list(named), chosen=False)
        else:
            dg, ng = dataset.query_graphs(
                None if default_graph is None else [node_of(g).value for g in default_graph],
                None if named_graphs is None else [node_of(g).value for g in named_graphs],
            )
            graphs = QueryGraphs(dg, ng, chosen=True)
        return self._answer(sparql, graphs, substitutions or {}, limit)

    @abstractmethod
    def _answer(
        self, sparql: str, graphs: QueryGraphs, substitutions: Mapping[str, Term], limit: int | None
    ) -> QueryResult:
        """Evaluate a query over the dataset `graphs` (see query)."""

    @abstractmethod
    def sources(self) -> list[SourceInfo]:
        """Every data graph (sources and standalone graphs) with its provenance, by name."""

    def source(self, name: str) -> SourceInfo:
        """One source by name.

        :raises NotFound: if there is no such source.
        """
        for s in self.sources():
            if s.name == name:
                return s
        raise NotFound(f"no source named {name!r}")

    def dataset(self) -> Dataset:
        """The graphs by role (graph.dataset): the default graph's members, the named graphs,
        the bookkeeping; worked out once per store version."""
        version = self.version()
        if self._dataset_cache is not None and self._dataset_cache[0] == version:
            return self._dataset_cache[1]
        dataset = Dataset.of(self.sources(), self.base)
        self._dataset_cache = (version, dataset)
        return dataset

    @abstractmethod
    def triples_of(self, graph: str) -> list[ox.Triple]:
        """Every triple of one graph of the store (none when it is not there)."""

    def graph_for(self, name: str) -> ox.NamedNode:
        """The named graph of the source `name` (the ontology keeps its own IRI)."""
        if name == "ontology":
            return ox.NamedNode(ONTOLOGY_IRI)
        return ox.NamedNode(str(graph_iri(name, self.base)))

    def load_source(
        self,
        source: Source,
        *,
        replace: bool = False,
        command: str = "",
        progress: Progress = no_progress,
        by: Attribution | None = None,
    ) -> list[SourceInfo]:
        """Validate and publish a source, all or nothing: what loaders/ read, or a graph.

        A source that is not a dataset becomes one source named `source.name`. A dataset
        (N-Quads, TriG, JSON-LD) restores each named graph it holds as a source, its provenance
        kept where the file carries it (graph.restore), so that a dump loads back into an
        identical dataset. `progress` is told of the stage, validate and commit phases of a
        source that is not a dataset (sic.progress).

        :raises LoaderError: if the input cannot be parsed (file or body, line and column).
        :raises ValidationFailed: if the result would not conform, each violation located at
            a workbook's cell where it can be; nothing is stored.
        :raises KGError: if the source (or a graph of the dataset) exists and `replace` is
            False.
        """
        try:
            with self._lock:
                if source.dataset:
                    existing = {s.graph: s for s in self.sources()}
                    items = plan_restore(
                        source, existing, self.graph_for, replace=replace, command=command
                    )
                    self._restore(items, by)
                    by_iri = {s.graph: s for s in self.sources()}
                    return [by_iri[item.target.value] for item in items]
                exists = any(s.name == source.name for s in self.sources())
                if exists and not replace:
                    raise KGError(
                        f"a source named {source.name!r} is already loaded; "
                        "use --replace to swap it"
                    )
                self._load(
                    source,
                    self.graph_for(source.name),
                    exists=exists,
                    command=command,
                    progress=progress,
                    by=by,
                )
                return [self.source(source.name)]
        except ValidationFailed as exc:
            raise ValidationFailed(source.locate(exc.violations)) from None

    @abstractmethod
    def _load(
        self,
        source: Source,
        target: ox.NamedNode,
        *,
        exists: bool,
        command: str,
        progress: Progress = no_progress,
        by: Attribution | None = None,
    ) -> None:
        """Validate and publish one source into `target` (`exists`: it replaces one), telling
        `progress` of the stage, validate and commit phases, and record the change as `by`'s
        (graph.history; None: this process's user)."""

    @abstractmethod
    def _restore(self, items: Sequence[Restored], by: Attribution | None = None) -> None:
        """Validate the restored graphs together and publish them in one transaction."""

    @abstractmethod
    def remove_source(self, name: str, *, command: str = "", by: Attribution | None = None) -> None:
        """Unpublish and delete one source, after checking that what remains still conforms.

        :raises NotFound: if there is no such source.
        :raises ValidationFailed: if other sources depend on it; nothing is removed.
        """

    def prepare_update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
        command: str = "",
    ) -> PreparedWrite:
        """Evaluate and validate a SPARQL 1.1 Update (graph.update) without writing anything.

        :raises QueryError: malformed, refused (LOAD, SERVICE), too deep, or failed.
        :raises ValidationFailed: the default graph would not conform afterwards.
        """
        base = base_iri or self.base
        ops = read_update(
            sparql,
            base=base,
            using=using_graphs,
            using_named=using_named_graphs,
            max_nesting=self.max_nesting,
        )
        return self._prepare_ops(ops, base, command or "SPARQL update")

    @abstractmethod
    def _prepare_ops(self, ops: Sequence[Operation], base: str, command: str) -> PreparedWrite:
        """Evaluate the operations of an update over this store's data, and validate them."""

    @abstractmethod
    def prepare_delta(self, delta: Delta, *, command: str = "") -> PreparedWrite:
        """Validate an explicit change without writing anything.

        :raises QueryError: it writes the store's bookkeeping.
        :raises ValidationFailed: the default graph would not conform afterwards.
        """

    @abstractmethod
    def commit(self, prepared: PreparedWrite, by: Attribution | None = None) -> Delta:
        """Apply a prepared change in one transaction, if the store has not changed since,
        recorded as `by`'s change (graph.history; None: this process's user).

        :raises StoreError: the store changed since the change was prepared.
        """

    def update(self, sparql: str, **options: Unpack[UpdateOptions]) -> Delta:
        """Prepare and commit a SPARQL 1.1 Update (see prepare_update); a refused update
        changes nothing."""
        return self.commit(self.prepare_update(sparql, **options))

    def apply(self, delta: Delta, *, command: str = "") -> None:
        """Validate and commit an explicit change in one transaction."""
        self.commit(self.prepare_delta(delta, command=command))

    @abstractmethod
    def dump(self, out: BinaryIO, fmt: ox.RdfFormat) -> None:
        """Write every published source and the provenance graph in a dataset format."""

    @abstractmethod
    def validate_all(self) -> list[Violation]:
        """Whole-graph SHACL validation of the published union (every result, warnings too)."""

    def stats(self) -> tuple[dict[str, int], dict[str, int]]:
        """(instances per class, triples per named graph) over the published data."""
        from graph.results import SelectResult, text
        from graph.sparql_files import internal

        classes = self.query(internal("instances-per-class").text)
        graphs = self.query(
            internal("triples-per-graph").text, default_graph=(), named_graphs=self.dataset().data
        )
        assert isinstance(classes, SelectResult) and isinstance(graphs, SelectResult)
        per_class = {
            text(row["class"]): int(text(row["instances"]))
            for row in classes
            if "class" in row and "instances" in row
        }
        per_graph = {
            text(row["graph"]): int(text(row["triples"]))
            for row in graphs
            if "graph" in row and "triples" in row
        }
        return per_class, per_graph

    def prepare_writes(self) -> None:  # noqa: B027 - optional hook
        """Do now the one-time work that validating a write needs (parsing the shapes).

        The service calls it before it forks its workers, so that they inherit the result.
        """

    def settle(self, *, rehearse: bool = True) -> None:  # noqa: B027 - optional hook
        """Declare that this handle will only read from now on (a forked query worker does).

        A backend may then take reading shortcuts that are only sound while nothing writes
        through this handle; any write afterwards is refused. `rehearse`: the process may
        prepare writes (a query worker), so what a write first touches may be warmed up.
        """

    def probe(self) -> None:  # noqa: B027 - optional hook, most backends read over a network
        """Read the store once, the way a query does (a forked worker does it before it says
        it is ready).

        A fork copies every lock as it stands, held ones included: a native thread of the
        parent (RocksDB's) holding one at that instant leaves the child waiting for ever at
        its first read. Found here, the worker is given up and forked again; found at a
        client's first call, the client would wait out the whole time limit.
        """

    tidy_later: bool = False
    """Set by a service that calls `tidy` itself once the writer has had its answer."""

    def tidy(self) -> None:  # noqa: B027 - optional hook, most backends leave nothing behind
        """Finish what a commit left to be done after it: nothing a reader can see.

        A commit calls it itself unless `tidy_later` is set.
        """

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing to free
        """Release files and connections."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
