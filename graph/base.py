"""The one interface over where the triples live.

Shaped like pyoxigraph's Store (query, update, load, dump) plus what the platform adds: every
load is a named *source* with provenance, and every write is validated before it commits. The
embedded backend (pyoxigraph) and the remote backend (any SPARQL 1.1 server) implement it, and
nothing above graph/ knows which one it talks to.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox
from rdflib import Graph

from graph.dataset import SourceInfo
from graph.results import QueryResult, Term
from sic.errors import Violation

if TYPE_CHECKING:
    from graph.dataset import Dataset
    from graph.update import Delta

__all__ = ["GraphData", "GraphStore", "PreparedWrite", "SourceInfo"]


@dataclass(frozen=True)
class PreparedWrite:
    """A change evaluated and validated against one version of a store, ready to commit."""

    delta: Delta
    version: str
    command: str


@dataclass(frozen=True)
class GraphData:
    """An in-memory graph to load as one source (what the workbook loader produces)."""

    graph: Graph
    name: str
    origin: str
    checksum: str
    about: Mapping[str, str] = field(default_factory=dict)


class GraphStore(ABC):
    """What loaders, queries and the API may ask of a store.

    Queries see the union of all published sources as their default graph. Writes either land
    whole, after SHACL validation, or change nothing.
    """

    base: str
    version_is_local: bool = False
    """True when version() answers from memory (no I/O): callers may then ask it anywhere,
    even on an event loop."""
    reads_in_process: bool = False
    """True when this process reads the data itself (False: a server evaluates every query), so
    work on it can run in processes forked from this one, which can be killed."""

    @abstractmethod
    def version(self) -> str:
        """An opaque token that changes whenever the published data changes (for ETags, caches).

        :raises StoreError: if the store cannot be read.
        """

    @abstractmethod
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
        is not there is empty; nothing is ever fetched). `sources_named`: the named graphs are
        the default graph's members, `{BASE}graph/updates` included, so that `GRAPH ?g` tells
        which source states what (for descriptions; the protocol's dataset is the default).

        :raises QueryError: if the query is malformed.
        :raises StoreError: if the store fails.
        """

    @abstractmethod
    def sources(self) -> list[SourceInfo]:
        """Every data graph (sources and standalone graphs) with its provenance, by name."""

    @abstractmethod
    def dataset(self) -> Dataset:
        """The graphs by role: the default graph's members, the named graphs, the bookkeeping."""

    @abstractmethod
    def triples_of(self, graph: str) -> list[ox.Triple]:
        """Every triple of one graph of the store (none when it is not there)."""

    @abstractmethod
    def load_graph(
        self, data: GraphData, *, replace: bool = False, command: str = ""
    ) -> SourceInfo:
        """Validate and publish an in-memory graph as the source `data.name`.

        :raises ValidationFailed: if the union with the new source does not conform; nothing
            is stored.
        :raises KGError: if the source exists and `replace` is False.
        """

    @abstractmethod
    def load_file(
        self,
        path: Path,
        *,
        name: str | None = None,
        replace: bool = False,
        command: str = "",
        fmt: ox.RdfFormat | None = None,
    ) -> list[SourceInfo]:
        """Validate and publish an RDF file.

        A triple format becomes one source (named after the file unless `name` is given). A
        dataset format (N-Quads, TriG) restores each named graph it holds as a source,
        provenance included, so that a dump loads back into an identical dataset.

        :raises LoaderError: if the file cannot be parsed (with line and column).
        :raises ValidationFailed: if the result would not conform; nothing is stored.
        """

    @abstractmethod
    def remove_source(self, name: str, *, command: str = "") -> None:
        """Unpublish and delete one source, after checking that what remains still conforms.

        :raises NotFound: if there is no such source.
        :raises ValidationFailed: if other sources depend on it; nothing is removed.
        """

    @abstractmethod
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

    @abstractmethod
    def prepare_delta(self, delta: Delta, *, command: str = "") -> PreparedWrite:
        """Validate an explicit change without writing anything.

        :raises QueryError: it writes the store's bookkeeping.
        :raises ValidationFailed: the default graph would not conform afterwards.
        """

    @abstractmethod
    def commit(self, prepared: PreparedWrite) -> Delta:
        """Apply a prepared change in one transaction, if the store has not changed since.

        :raises StoreError: the store changed since the change was prepared.
        """

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graphs: Sequence[str] = (),
        using_named_graphs: Sequence[str] = (),
        command: str = "",
    ) -> Delta:
        """Prepare and commit a SPARQL 1.1 Update; a refused update changes nothing."""
        return self.commit(
            self.prepare_update(
                sparql,
                base_iri=base_iri,
                using_graphs=using_graphs,
                using_named_graphs=using_named_graphs,
                command=command,
            )
        )

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

    def settle(self) -> None:  # noqa: B027 - optional hook, most backends have no shortcut
        """Declare that this handle will only read from now on (a forked query worker does).

        A backend may then take reading shortcuts that are only sound while nothing writes
        through this handle; any write afterwards is refused.
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
