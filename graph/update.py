"""SPARQL 1.1 Update, evaluated into a delta before anything is written.

The update is parsed and evaluated by rdflib over an OverlayStore (reads from the store, writes
recorded), so its exact effect is known; that delta is validated and committed in one pyoxigraph
transaction, or refused with nothing changed. Anything that could reach the network is refused
before evaluation: LOAD, SERVICE, and any graph named in USING/WITH/GRAPH is only ever a graph of
the store (one that is not there is empty) -- rdflib's own USING handling would fetch it, so this
module evaluates USING itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from pyparsing import ParseException, ParserElement
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ReadOnlyGraphAggregate
from rdflib.plugins.sparql import update as rdflib_update
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import QueryContext, SPARQLError
from rdflib.term import Node

from graph.overlay import OverlayStore, Triple
from sic.errors import QueryError

_DISPATCH = {
    "Clear": rdflib_update.evalClear,
    "Drop": rdflib_update.evalDrop,
    "Add": rdflib_update.evalAdd,
    "Move": rdflib_update.evalMove,
    "Copy": rdflib_update.evalCopy,
    "InsertData": rdflib_update.evalInsertData,
    "DeleteData": rdflib_update.evalDeleteData,
    "DeleteWhere": rdflib_update.evalDeleteWhere,
    "Modify": rdflib_update.evalModify,
}


@dataclass
class Delta:
    """What an update would change, per named graph."""

    added: dict[str, set[Triple]] = field(default_factory=dict)
    removed: dict[str, set[Triple]] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return (
            any(self.added.values())
            or any(self.removed.values())
            or bool(self.dropped | self.created)
        )

    def nodes(self) -> set[Node]:
        """Every subject and non-literal object the change touches."""
        out: set[Node] = set()
        for triples in [*self.added.values(), *self.removed.values()]:
            for s, _, o in triples:
                out.add(s)
                if not hasattr(o, "language"):
                    out.add(o)
        return out


class _EmptyUpdate:
    """An update request with no operation (allowed by the grammar; it changes nothing)."""

    algebra: list[Any] = []  # noqa: RUF012 - read-only, matches rdflib's Update.algebra


def _walk(node: Any) -> Iterable[Any]:
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _walk(value)


def parse_update(text: str, base: str | None = None) -> Any:
    """Parse and check an update; refuse what could reach the network.

    :raises QueryError: malformed, or uses LOAD or SERVICE.
    """
    try:
        parsed = parseUpdate(text)
        update = translateUpdate(parsed, base=base)
        if isinstance(update, list):  # nothing but comments or whitespace: no operation
            return _EmptyUpdate()
    except (ParseException, SPARQLError, ValueError, TypeError) as exc:
        raise QueryError(f"malformed SPARQL update: {exc}") from None
    finally:
        # pyparsing's packrat cache keeps exceptions whose tracebacks pin the caller's frames
        ParserElement.reset_cache()
    for op in update.algebra:
        if op.name == "Load":
            raise QueryError("LOAD is refused: this service never fetches data from the network")
        if op.name == "Create":
            continue
        for node in _walk(op):
            if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
                raise QueryError("SERVICE is refused: this service never queries other endpoints")
    return update


def apply_protocol_dataset(
    update: Any, using_graphs: Sequence[str], using_named_graphs: Sequence[str]
) -> None:
    """Give every DELETE/INSERT operation the protocol's using-graph-uri / using-named-graph-uri.

    The SPARQL 1.1 Protocol forbids combining them with USING or WITH in the request itself.

    :raises QueryError: if the request has its own USING or WITH.
    """
    from rdflib.plugins.sparql.parserutils import CompValue as Comp

    dataset = [Comp("UsingClause", default=URIRef(g)) for g in using_graphs]
    dataset += [Comp("UsingClause", named=URIRef(g)) for g in using_named_graphs]
    for op in update.algebra:
        if op.name != "Modify":
            continue
        if op.using or op.withClause:
            raise QueryError(
                "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH"
            )
        op["using"] = dataset


def _using_context(ctx: QueryContext, op: CompValue, overlay: OverlayStore) -> QueryContext:
    """A context whose dataset is the USING / USING NAMED graphs of the store, never fetched."""
    defaults = [d.default for d in op.using if d.default]
    named = [d.named for d in op.using if d.named]
    default_graphs = [Graph(store=overlay, identifier=URIRef(str(g))) for g in defaults]
    new_ctx = ctx.pushGraph(ReadOnlyGraphAggregate(default_graphs) if default_graphs else Graph())
    if named:
        restricted = Dataset(store=overlay, default_union=False)
        new_ctx._dataset = restricted
        allowed = {str(n) for n in named}
        all_graphs = restricted.graphs

        def contexts(triple: Any = None) -> Any:
            return (c for c in all_graphs(triple) if str(c.identifier) in allowed)

        restricted.contexts = contexts  # type: ignore[method-assign]
    return new_ctx


def evaluate(
    update: Any, store: ox.Store, graphs: Sequence[str], default_write_graph: str
) -> Delta:
    """The delta an update would make to the published `graphs` (see the module docstring)."""
    overlay = OverlayStore(store, graphs, default_write_graph)
    dataset = Dataset(store=overlay, default_union=True)
    default_graph = Graph(store=overlay, identifier=DATASET_DEFAULT_GRAPH_ID)
    for op in update.algebra:
        # initBindings must be a mapping: rdflib's BIND in a WHERE reads it
        ctx = QueryContext(dataset, initBindings={})
        # Reads from the default graph see the union; writes to it go to default_write_graph.
        ctx.graph = default_graph
        ctx.prologue = op.prologue
        handler = _DISPATCH.get(op.name)
        try:
            if op.name == "Create":
                overlay.add_graph(Graph(identifier=URIRef(str(op.graphiri))))
                continue
            if handler is None:
                raise QueryError(f"unsupported update operation {op.name}")
            if op.name == "Modify" and op.using:
                where_ctx = _using_context(ctx, op, overlay)
                solutions = list(evalPart(where_ctx, op.where))
                _apply_templates(ctx, op, solutions)
                continue
            handler(ctx, op)
        except QueryError:
            raise
        except (SPARQLError, ValueError, TypeError, KeyError) as exc:
            raise QueryError(f"the update failed: {exc}") from exc
    return Delta(
        added={g: set(t) for g, t in overlay.added.items() if t},
        removed={g: set(t) for g, t in overlay.removed.items() if t},
        dropped=set(overlay.dropped),
        created=set(overlay.created),
    )


def _apply_templates(ctx: QueryContext, op: CompValue, solutions: list[Any]) -> None:
    """The DELETE/INSERT half of a Modify whose WHERE was evaluated over USING graphs."""
    from rdflib.plugins.sparql.evalutils import _fillTemplate

    if op.withClause:
        ctx = ctx.pushGraph(ctx.dataset.get_context(op.withClause))
    for c in solutions:
        dg = ctx.graph if type(ctx.graph) is Graph else ctx.dataset.default_context
        if op.delete:
            dg -= _fillTemplate(op.delete.triples, c)  # type: ignore[operator]
            for g, q in op.delete.quads.items():
                ctx.dataset.get_context(c.get(g)).__isub__(_fillTemplate(q, c))
        if op.insert:
            dg += _fillTemplate(op.insert.triples, c)  # type: ignore[operator]
            for g, q in op.insert.quads.items():
                ctx.dataset.get_context(c.get(g)).__iadd__(_fillTemplate(q, c))
