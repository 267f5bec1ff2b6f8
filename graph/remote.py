"""The remote backend: any SPARQL 1.1 server (Oxigraph server, Virtuoso, ...) behind GraphStore.

The server holds the same named graphs as the embedded store: one per data graph, the
provenance graph `{BASE}graph/sources` and the version graph `{BASE}graph/_state`. Queries name
the dataset of graph.dataset in the protocol's parameters, so they see the union of the
sources as the default graph and never a staging graph, the bookkeeping (unless they name it)
or a graph that is not ours (Virtuoso's system graphs). Large answers are read
in pages (LIMIT/OFFSET, ordered when there is more than one page) because a server may cut them
silently; Virtuoso stops at 10,000 rows with status 200.

Writes are validated first, on a scratch store holding the new data and the part of the server
it can affect (graph.remote_validation), and then published by ONE SPARQL Update request that
the server applies as one transaction: the data, the provenance and a new store version, the
old graph dropped for a replacement. Virtuoso's SPARQL parser gives up on updates of a few
thousand triples (and compiles many operations slowly), so a source larger than
`inline_triples` is first written into a private staging graph (with the Graph Store Protocol
when the server has one, in requests of `gsp_triples` so that none outlasts the timeout, else in
updates of `inline_triples` triples) and the one publishing update moves it into place with
ADD. Readers never see the staging graph; a write that fails or is refused drops it, and one
left by a killed process is dropped by the next writer after a day. Concurrent writers from
different processes are not serialised against each other: the last publication wins.

How whole "one request" is depends on the server. Oxigraph applies an update request as one
transaction. Virtuoso refuses a request that does not compile (bad syntax, a literal it cannot
read) before running any of it, but keeps what earlier operations did when a later one fails
at run time; so the publishing update is made only of operations that cannot fail at run time
(DROP SILENT, ADD SILENT, DELETE WHERE, INSERT of terms it has already parsed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import pyoxigraph as ox

from graph import history
from graph.base import GraphStore, PreparedWrite, QueryGraphs, node_of
from graph.dataset import Dataset, SourceInfo
from graph.provenance import (
    STORE_VERSION,
    delta_provenance_ops,
    provenance_for,
    sources_from_rows,
    swap_ops,
)
from graph.remote_http import Credentials, Endpoints, Page, SparqlClient
from graph.remote_text import (
    QueryShape,
    bind,
    construct_as_select,
    count_query,
    graph_update,
    paged,
    paged_subquery,
    shape,
)
from graph.remote_validation import check_remote_delta, check_remote_removal, check_remote_write
from graph.restore import Restored
from graph.results import AskResult, GraphResult, QueryResult, SelectResult, Term, text
from graph.sparql_files import internal
from graph.update import DEFAULT_MAX_NESTING, Delta, evaluate
from graph.update_ops import Operation
from graph.validation import WriteChecker, check_delta, validate_union
from sic.errors import KGError, QueryError, StoreError, Violation
from sic.iris import changes_graph, normalise_base, sources_graph
from sic.progress import Progress, no_progress, phase
from sic.source import Source
from sic.vocab import DEFAULT_BASE

_BNODE_STANDIN = "urn:x-sic:bnode:"
_STALE_STAGING = dt.timedelta(days=1)

# (target graph, its triples, its provenance)
_Item = tuple[ox.NamedNode, list[ox.Triple], list[ox.Triple]]


@dataclass(frozen=True)
class _Read:
    """A SELECT being read: its shape, the row it starts at, how many rows are wanted (None:
    all of them) and its dataset (default graphs, named graphs)."""

    found: QueryShape
    start: int
    wanted: int | None
    dg: list[str]
    ng: list[str]


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""


class RemoteStore(GraphStore):
    """A GraphStore on a SPARQL 1.1 server (see the module docstring).

    :param endpoint: the SPARQL query endpoint.
    :param update_endpoint: the SPARQL Update endpoint (default: the query endpoint).
    :param gsp_endpoint: the Graph Store Protocol endpoint, used to stage large loads.
    :param page_size: rows per request; keep it at or below the server's row cap (Virtuoso's
        cap is also detected from its X-SPARQL-MaxRows header).
    :param inline_triples: sources up to this size go into the publishing update itself.
    :param gsp_triples: a larger source is staged in Graph Store requests of about this many
        triples (one of 938k took Oxigraph server 40 s of CPU: past the timeout on a busy
        machine, and ten times that at 10M triples).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        base: str = DEFAULT_BASE,
        checker: WriteChecker | None = None,
        credentials: Credentials | None = None,
        timeout: float = 60.0,
        page_size: int = 5_000,
        inline_triples: int = 1_000,
        gsp_triples: int = 100_000,
        max_nesting: int = DEFAULT_MAX_NESTING,
    ) -> None:
        self.base = normalise_base(base)
        self.max_nesting = max_nesting
        self.client = SparqlClient(
            Endpoints(
                query=endpoint,
                update=update_endpoint or endpoint,
                gsp=gsp_endpoint,
                credentials=credentials or Credentials(),
                timeout=timeout,
            )
        )
        self.sources_graph = ox.NamedNode(str(sources_graph(self.base)))
        self.changes_graph = ox.NamedNode(str(changes_graph(self.base)))
        self._state_graph = ox.NamedNode(self.base + "graph/_state")
        self._checker = checker
        self._lock = threading.RLock()
        self.page_size = page_size
        self.inline_triples = inline_triples
        self.gsp_triples = gsp_triples
        self._dataset_cache: tuple[str, Dataset] | None = None

    @property
    def checker(self) -> WriteChecker:
        """The write validator, built on first use (parsing shapes costs about a second)."""
        if self._checker is None:
            self._checker = WriteChecker()
        return self._checker

    # -- reading ---------------------------------------------------------------------------

    def _empty_graph(self) -> ox.NamedNode:
        return ox.NamedNode(self.base + "graph/_empty")

    def select_rows(
        self,
        sparql: str,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str] = (),
        limit: int | None = None,
    ) -> SelectResult:
        """Every row of a SELECT, read so that no server cap loses any.

        The query's own LIMIT/OFFSET are honoured. A result that fits one page is read in one
        request. A larger one is read whole when the server sends as many rows as a COUNT of
        the same query says there are; otherwise (a server that cuts) it is read in pages, in
        one stable order (the query's ORDER BY, else every projected variable).
        """
        found = shape(sparql)
        if found.form != "SELECT":
            raise QueryError("expected a SELECT query")
        dg = list(default_graphs) or [self._empty_graph().value]
        ng = list(named_graphs) or [self._empty_graph().value]
        start = found.offset or 0
        wanted = found.limit
        if limit is not None:
            wanted = limit + 1 if wanted is None else min(wanted, limit + 1)
        read = _Read(found, start, wanted, dg, ng)
        n = self.page_size if wanted is None else min(self.page_size, wanted)
        first = self._select(read, paged(found, n, start))
        variables = first.variables
        cut = first.capped_at is not None and first.capped_at < n
        if not cut and len(first.rows) < n:
            rows = first.rows
        else:
            whole = None if cut else self._counted(read)
            size = min(self.page_size, first.capped_at or self.page_size)
            rows = whole if whole is not None else self._ordered_pages(read, variables, size)
        truncated = limit is not None and len(rows) > limit
        if truncated and limit is not None:
            rows = rows[:limit]
        names = variables or []
        if found.star and names != sorted(names):
            # SELECT * columns in name order, as pyoxigraph (and so the embedded store) has them
            order_of = sorted(range(len(names)), key=lambda i: names[i])
            names = [names[i] for i in order_of]
            rows = [[row[i] for i in order_of] for row in rows]
        return SelectResult(names, rows, truncated)

    def _select(self, read: _Read, sparql: str) -> Page:
        return self.client.select(sparql, default_graphs=read.dg, named_graphs=read.ng)

    def _counted(self, read: _Read) -> list[list[Term | None]] | None:
        """The whole result in one request, if the server sends every row a COUNT promises."""
        if read.found.has_from:
            return None
        try:
            counted = self._select(read, count_query(read.found))
            total = int(text(counted.rows[0][0])) if counted.rows and counted.rows[0] else -1
        except (QueryError, ValueError):
            return None  # a server that cannot count it: read pages
        if total < 0:
            return None
        expected = total if read.wanted is None else min(total, read.wanted)
        try:
            page = self._select(read, paged(read.found, expected, read.start))
        except QueryError:
            return None  # e.g. Virtuoso will not sort more rows than its cap at once
        if page.capped_at is None and len(page.rows) == expected:
            return page.rows
        return None

    def _ordered_pages(
        self, read: _Read, variables: list[str], size: int
    ) -> list[list[Term | None]]:
        """Pages of at most `size` rows in one stable order, until a short page."""
        found, start, wanted = read.found, read.start, read.wanted
        order: tuple[str, ...] = () if found.has_order_by else tuple(variables)
        rows: list[list[Term | None]] = []
        while True:
            n = size if wanted is None else min(size, wanted - len(rows))
            if n <= 0:
                return rows
            offset = start + len(rows)
            if self.client.sort_cap_seen and offset > 0:
                text_ = paged_subquery(found, n, offset, order, variables)
            else:
                text_ = paged(found, n, offset, order)
            try:
                page = self._select(read, text_)
            except QueryError as exc:
                if "SR353" in str(exc) and not self.client.sort_cap_seen:
                    self.client.sort_cap_seen = True  # Virtuoso: slice ordered pages outside
                    continue
                raise
            if page.capped_at is not None and page.capped_at < n:
                size = page.capped_at  # the server cut the page: read smaller ones
                continue
            rows.extend(page.rows)
            if len(page.rows) < n:
                return rows

    def _internal(
        self, name: str, bindings: Mapping[str, Term], graph: ox.NamedNode
    ) -> SelectResult:
        """One of graph/sparql's bookkeeping SELECTs over one graph of ours."""
        return self.select_rows(bind(internal(name).text, bindings), [graph.value], [graph.value])

    def version(self) -> str:
        rows = list(
            self._internal("store-version", {"state": self._state_graph}, self._state_graph)
        )
        return text(rows[0].get("version")) if rows else "0"

    def sources(self) -> list[SourceInfo]:
        rows = self._internal(
            "published-sources", {"sources": self.sources_graph}, self.sources_graph
        )
        return sources_from_rows(rows)

    def _answer(
        self, sparql: str, graphs: QueryGraphs, substitutions: Mapping[str, Term], limit: int | None
    ) -> QueryResult:
        dg, ng = graphs.default, graphs.named
        sparql = bind(sparql, substitutions)
        found = shape(sparql)
        if found.form == "SELECT":
            return self.select_rows(sparql, dg, ng, limit)
        if found.form == "ASK":
            return AskResult(self.client.ask(sparql, default_graphs=dg, named_graphs=ng))
        if found.form == "CONSTRUCT" and found.where is not None:
            return self._construct(sparql, dg, ng, limit)
        # DESCRIBE: its answer is the server's own choice of triples, read as it comes.
        triples = self.client.graph(sparql, default_graphs=dg, named_graphs=ng)
        truncated = limit is not None and len(triples) > limit
        return GraphResult(triples[:limit] if limit is not None else triples, truncated)

    def _construct(
        self, sparql: str, dg: Sequence[str], ng: Sequence[str], limit: int | None
    ) -> GraphResult:
        """A CONSTRUCT as a paged SELECT of its pattern, its template filled in locally.

        Servers cut CONSTRUCT answers silently too (Virtuoso at 10,000 triples, with no header
        to say so), and a SELECT can be paged safely; pyoxigraph then builds the triples from
        the solutions with the query's own template, so the semantics stay SPARQL's.
        """
        found = shape(sparql)
        select, template = construct_as_select(found)
        solutions = self.select_rows(select, dg, ng)
        out: dict[ox.Triple, None] = {}
        local = ox.Store()
        names = solutions.variables
        for i in range(0, len(solutions.rows), 2_000):
            chunk = solutions.rows[i : i + 2_000]
            if not names:
                break
            head = " ".join(f"?{v}" for v in names)
            body = " ".join("(" + " ".join(_standin(t) for t in row) + ")" for row in chunk)
            query = (
                f"{found.prologue}CONSTRUCT {{ {template} }} "
                f"WHERE {{ VALUES ({head}) {{ {body} }} }}"
            )
            result = local.query(query)
            assert isinstance(result, ox.QueryTriples)
            for t in result:
                out[_restore_blanks(t)] = None
            if limit is not None and len(out) > limit:
                break
        triples = list(out)
        truncated = limit is not None and len(triples) > limit
        return GraphResult(triples[:limit] if limit is not None else triples, truncated)

    def triples_of(self, graph: str) -> list[ox.Triple]:
        return self.graph_triples(graph)

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one graph of the server, read in pages."""
        rows = self.select_rows("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", [graph], [graph])
        out: list[ox.Triple] = []
        for row in rows:
            s, p, o = row.get("s"), row.get("p"), row.get("o")
            if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode) and o:
                out.append(ox.Triple(s, p, o))
        return out

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat) -> None:
        if not fmt.supports_datasets:
            raise KGError(f"{fmt.name} cannot hold named graphs; use N-Quads or TriG")
        graphs = [*self.dataset().data, self.sources_graph.value]
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
            for g in graphs
            for t in self.graph_triples(g)
        ]
        ox.serialize(quads, out, format=fmt)

    def validate_all(self) -> list[Violation]:
        graphs = [ox.NamedNode(g) for g in self.dataset().union]
        scratch = ox.Store()
        for g in graphs:
            scratch.extend(
                ox.Quad(t.subject, t.predicate, t.object, g) for t in self.graph_triples(g.value)
            )
        return validate_union(scratch, graphs, self.checker)

    # -- writing ---------------------------------------------------------------------------

    def _staging_prefix(self) -> str:
        return f"{self.base}graph/_staging/"

    def new_staging_graph(self) -> ox.NamedNode:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return ox.NamedNode(f"{self._staging_prefix()}{stamp}-{uuid.uuid4().hex}")

    def _others(self, exclude: set[str]) -> list[str]:
        """The default graph's members but `exclude` (what a write is checked against)."""
        return [g for g in self.dataset().union if g not in exclude]

    def _select_for_checks(self, sparql: str, graphs: Sequence[str]) -> list[dict[str, Term]]:
        return list(self.select_rows(sparql, graphs, graphs))

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
        """Read the triples, validate them on a scratch store with what they can affect
        (graph.remote_validation), publish them in one request."""
        with phase(progress, "stage", total=source.size) as staging:
            triples = list(dict.fromkeys(q.triple for q in source.quads()))
            staging.finish(len(triples))
        with phase(progress, "validate", total=len(triples)) as validating:
            check_remote_write(
                self.checker,
                self._select_for_checks,
                {target: triples},
                self._others({target.value}),
            )
            validating.finish(len(triples))
        provenance = provenance_for(
            target,
            source.name,
            len(triples),
            origin=source.origin,
            checksum=source.checksum,
            command=command,
            about=source.about,
        )
        before = self.triples_of(target.value) if exists else []
        change = history.of_contents(target.value, before, triples)
        recorded = self._record(by, command or f"load {source.name}", change, ())
        with phase(progress, "commit", total=len(triples)) as committing:
            self._publish([(target, triples, provenance)], record=recorded)
            committing.finish(len(triples))

    def _restore(self, items: Sequence[Restored], by: history.Attribution | None = None) -> None:
        check_remote_write(
            self.checker,
            self._select_for_checks,
            {i.target: i.triples for i in items},
            self._others({i.target.value for i in items}),
        )
        added: list[ox.Quad] = []
        removed: list[ox.Quad] = []
        for i in items:
            one = history.of_contents(i.target.value, self.triples_of(i.target.value), i.triples)
            added += one.added
            removed += one.removed
        recorded = self._record(by, "restore", history.ChangeQuads(added, removed), ())
        self._publish([(i.target, i.triples, i.provenance) for i in items], record=recorded)

    def remove_source(
        self, name: str, *, command: str = "", by: history.Attribution | None = None
    ) -> None:
        with self._lock:
            info = self.source(name)
            check_remote_removal(
                self.checker, self._select_for_checks, info.graph, self._others({info.graph})
            )
            node = ox.NamedNode(info.graph)
            gone = [
                ox.Quad(t.subject, t.predicate, t.object, node) for t in self.triples_of(info.graph)
            ]
            change = history.ChangeQuads([], gone, dropped=[info.graph])
            recorded = self._record(by, command or f"unload {name}", change, ())
            self._publish([], drop=[node], record=recorded)

    def _record(
        self,
        by: history.Attribution | None,
        command: str,
        change: history.ChangeQuads,
        modified: Iterable[str],
    ) -> tuple[list[ox.Triple], list[str]]:
        """A change's record (graph.history) and the operations that mark the sources it
        modified; numbered after the last record the server holds (read each time: other
        handles may write the same server). The record goes in as data (_Request.write), which
        stages what is too large to send inline."""
        rows = list(
            self._internal("last-change", {"changes": self.changes_graph}, self.changes_graph)
        )
        last = text(rows[0].get("max")) if rows else ""
        sequence = int(last) + 1 if last.isdigit() else 1
        node, triples = history.record(
            self.base, sequence, by or history.local(self.base), command, change
        )
        return triples, history.mark_ops(self.sources_graph, node, triples, modified)

    def _prepare_ops(self, ops: Sequence[Operation], base: str, command: str) -> PreparedWrite:
        """Same meaning as the embedded store's (graph.update): evaluated by pyoxigraph, here on
        a local copy of the data graphs (so its cost grows with the store), and validated on
        that copy as it is after the change."""
        with self._lock:
            version = self.version()
            dataset = self.dataset()
            copy = ox.Store()
            for g in dataset.data:
                node = ox.NamedNode(g)
                copy.add_graph(node)
                copy.extend(
                    ox.Quad(t.subject, t.predicate, t.object, node) for t in self.graph_triples(g)
                )
            delta = evaluate(ops, copy, dataset, base=base, mutable=True)
            if delta:
                self._check_protected(delta)
                union = [ox.NamedNode(g) for g in dataset.union if g not in delta.dropped]
                if dataset.default_store in delta.created:
                    union.append(ox.NamedNode(dataset.default_store))
                members = {g.value for g in union} | set(dataset.union)
                added = [t for g, ts in delta.added.items() if g in members for t in ts]
                removed = [t for g, ts in delta.removed.items() if g in members for t in ts]
                if added or removed:
                    check_delta(self.checker, copy, added, removed, union, applied=True)
            return PreparedWrite(delta, version, command)

    def _check_protected(self, delta: Delta) -> None:
        protected = {self.sources_graph.value, self._state_graph.value}
        if delta.graphs() & protected or any(
            g.startswith(self.base + "graph/_") for g in delta.graphs()
        ):
            raise QueryError("the store's bookkeeping graphs are read-only")

    def prepare_delta(self, delta: Delta, *, command: str = "") -> PreparedWrite:
        """Validate an explicit change without writing anything."""
        with self._lock:
            version = self.version()
            self._check_protected(delta)
            union = set(self.dataset().union)
            added = [t for g, ts in delta.added.items() if g in union for t in ts]
            removed = [t for g, ts in delta.removed.items() if g in union for t in ts]
            if added or removed:
                check_remote_delta(
                    self.checker, self._select_for_checks, added, removed, self._others(set())
                )
            return PreparedWrite(delta, version, command)

    def commit(self, prepared: PreparedWrite, by: history.Attribution | None = None) -> Delta:
        """Apply a prepared change as ONE update request, if the store is still as it was.

        :raises StoreError: the store changed since the change was prepared.
        """
        with self._lock:
            if prepared.version != self.version():
                raise StoreError(
                    "the store changed while this write was being prepared; send it again"
                )
            if prepared.delta:
                published = {s.graph: s for s in self.sources()}
                self._commit_delta(prepared.delta, published, prepared.command, by)
            return prepared.delta

    def _commit_delta(
        self,
        delta: Delta,
        published: Mapping[str, SourceInfo],
        command: str,
        by: history.Attribution | None = None,
    ) -> None:
        """The embedded store's _commit_delta, as one request to the server."""
        removals = {
            g: list(ts) for g, ts in sorted(delta.removed.items()) if g not in delta.dropped
        }
        for triples in removals.values():
            if any(isinstance(x, ox.BlankNode) for t in triples for x in (t.subject, t.object)):
                raise QueryError(
                    "a remote store cannot delete blank-node triples one by one: "
                    "replace the source instead"
                )
        with self._one_request() as request:
            for g, triples in removals.items():
                request.write(node_of(g), triples, remove=True)
            request.ops += [f"DROP SILENT GRAPH {node_of(g)}" for g in sorted(delta.dropped)]
            request.ops += [f"CREATE SILENT GRAPH {node_of(g)}" for g in sorted(delta.created)]
            for g, added in sorted(delta.added.items()):
                request.write(node_of(g), list(added))
            request.ops += delta_provenance_ops(
                delta, published, self.sources_graph, self.dataset().default_store, command
            )
            modified = [g for g in delta.graphs() if g in published and g not in delta.dropped]
            record, marks = self._record(by, command, history.of_delta(delta), modified)
            request.write(self.changes_graph, record)
            request.ops += marks

    @contextlib.contextmanager
    def _one_request(self) -> Iterator[_Request]:
        """Assemble ONE update request, then send it with a new store version. If anything
        fails, the staging graphs it wrote are dropped and nothing else has changed."""
        request = _Request(self._stage, self.inline_triples)
        try:
            yield request
            request.ops.extend(self._bump_version_ops())
            self.client.update(" ;\n".join(request.ops))
        except BaseException:
            self._drop_quietly(request.staged)
            raise
        finally:
            self._dataset_cache = None

    def _bump_version_ops(self) -> list[str]:
        state = self._state_graph
        version = ox.Literal(uuid.uuid4().hex)
        return [
            f"DELETE WHERE {{ GRAPH {state} {{ {state} {STORE_VERSION} ?v }} }}",
            f"INSERT DATA {{ GRAPH {state} {{ {state} {STORE_VERSION} {version} }} }}",
        ]

    def _stage(self, triples: Sequence[ox.Triple]) -> ox.NamedNode:
        """Write a large source into a fresh staging graph (GSP if the server has it)."""
        staged = self.new_staging_graph()
        try:
            if self.client.endpoints.gsp is not None:
                for chunk in _chunks(triples, self.gsp_triples):
                    self.client.gsp_post(staged.value, _ntriples(chunk))
            else:
                for chunk in _chunks(triples, self.inline_triples):
                    self.client.update(graph_update(staged, chunk))
        except BaseException:
            self._drop_quietly([staged])
            raise
        return staged

    def _drop_quietly(self, graphs: Sequence[ox.NamedNode]) -> None:
        if not graphs:
            return
        # A leftover staging graph is invisible to queries and dropped later as stale.
        with contextlib.suppress(KGError):
            self.client.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs))

    def remove_stale_staging(self, older_than: dt.timedelta = _STALE_STAGING) -> list[str]:
        """Drop staging graphs a killed writer left behind (only ours, only old ones)."""
        prefix = self._staging_prefix()
        rows = self.client.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}",
            default_graphs=(),
            named_graphs=(),
        )
        limit = dt.datetime.now(dt.UTC) - older_than
        stale: list[ox.NamedNode] = []
        for row in rows.rows:
            g = row[0]
            if not isinstance(g, ox.NamedNode):
                continue
            stamp = g.value[len(prefix) :].split("-", 1)[0]
            try:
                when = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            except ValueError:
                continue
            if when < limit:
                stale.append(g)
        self._drop_quietly(stale)
        return [g.value for g in stale]

    def _publish(
        self,
        items: Sequence[_Item],
        drop: Sequence[ox.NamedNode] = (),
        record: tuple[Sequence[ox.Triple], Sequence[str]] = ((), ()),
    ) -> None:
        """ONE update: the new graphs in place, their provenance rewritten, a new version.

        Text is assembled only from terms serialised by pyoxigraph, never from caller text.
        """
        with self._one_request() as request:
            for target, triples, _ in items:
                request.ops.append(f"DROP SILENT GRAPH {target}")
                request.write(target, triples)
            request.ops += [f"DROP SILENT GRAPH {g}" for g in drop]
            forget = [*(target for target, _, _ in items), *drop]
            request.ops += swap_ops(self.sources_graph, forget, [t for *_, p in items for t in p])
            if record[0]:
                request.write(self.changes_graph, record[0])
            request.ops += record[1]
        if request.staged:
            self.remove_stale_staging()


@dataclass
class _Request:
    """One update request being assembled: its operations, the staging graphs they use, and
    how many triples it may still carry inline (Virtuoso's parser gives up on a few thousand).
    """

    stage: Callable[[Sequence[ox.Triple]], ox.NamedNode]
    budget: int
    ops: list[str] = field(default_factory=list)
    staged: list[ox.NamedNode] = field(default_factory=list)

    def write(
        self, target: ox.NamedNode, triples: Sequence[ox.Triple], *, remove: bool = False
    ) -> None:
        """Add `triples` to `target` (or remove them): inline while the request has room,
        else written to a staging graph first and moved by a pattern over it."""
        if len(triples) > self.budget:
            stage = self.stage(triples)
            self.staged.append(stage)
            if remove:
                self.ops.append(
                    f"DELETE {{ GRAPH {target} {{ ?s ?p ?o }} }} "
                    f"WHERE {{ GRAPH {stage} {{ ?s ?p ?o }} }}"
                )
            else:
                self.ops.append(f"ADD SILENT {stage} TO {target}")
            self.ops.append(f"DROP SILENT GRAPH {stage}")
        elif triples:
            self.budget -= len(triples)
            if remove:
                body = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
                self.ops.append(f"DELETE DATA {{ GRAPH {target} {{ {body} }} }}")
            else:
                self.ops.append(graph_update(target, triples))


def _chunks(triples: Sequence[ox.Triple], size: int) -> list[list[ox.Triple]]:
    """Split triples into requests of about `size`, keeping each blank node's triples together.

    A blank node label means one node only within one update operation (or one document posted
    to the Graph Store), so every triple that mentions the same blank node (transitively) must
    travel in the same chunk.
    """
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def find(b: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for t in triples:
        blanks = [x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)]
        if len(blanks) == 2:
            parent[find(blanks[0])] = find(blanks[1])
        elif blanks:
            find(blanks[0])
    out: list[list[ox.Triple]] = [[]]

    def put(group: Sequence[ox.Triple]) -> None:
        if out[-1] and len(out[-1]) + len(group) > size:
            out.append([])
        out[-1].extend(group)

    groups: dict[ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        blank = next((x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)), None)
        if blank is None:
            put((t,))
        else:
            groups[find(blank)].append(t)
    for group in groups.values():
        put(group)
    return [c for c in out if c]


def _standin(term: Term | None) -> str:
    """A solution value as VALUES text; blank nodes stand in as IRIs (VALUES cannot hold them)."""
    if term is None:
        return "UNDEF"
    if isinstance(term, ox.BlankNode):
        return str(ox.NamedNode(_BNODE_STANDIN + term.value))
    return str(term)


def _back(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Term:
    if isinstance(term, ox.NamedNode) and term.value.startswith(_BNODE_STANDIN):
        return ox.BlankNode(term.value[len(_BNODE_STANDIN) :])
    return term


def _restore_blanks(t: ox.Triple) -> ox.Triple:
    s, o = _back(t.subject), _back(t.object)
    assert isinstance(s, ox.NamedNode | ox.BlankNode | ox.Triple)
    return ox.Triple(s, t.predicate, o)
