"""A SPARQL protocol query as a job for the runner: screened, run, negotiated, serialised.

The whole answer is made where the query runs (a worker process of runner.pool, or a thread for
a remote store), so only its bytes come back: the job carries everything needed (query text,
dataset, Accept header, limits), and equal jobs give equal answers on one store version, which
is what lets the runner keep them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from api.negotiation import RDF_FORMATS, RESULT_FORMATS, choose
from graph.base import GraphStore
from graph.results import AskResult, GraphResult, SelectResult
from graph.sparql_lexer import screen
from sic.errors import QueryError
from sic.vocab import PREFIXES


@dataclass(frozen=True)
class QueryJob:
    """One query to run, with everything needed to answer it without the request.

    `default_graph` / `named_graphs` are the protocol's dataset (None: not given, the query's
    own FROM clauses or the store's published union apply). `accept` is the raw Accept header:
    the worker negotiates once it knows whether the answer is a result or a graph.
    """

    sparql: str
    accept: str | None = None
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    limit: int | None = None
    base_iri: str | None = None
    max_nesting: int = 64
    max_bytes: int | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer: its Content-Type, its bytes, and whether a limit cut it (the rows of
    SIC_RESULT_LIMIT, or the bytes of SIC_MAX_ANSWER_MB)."""

    content_type: str
    body: bytes
    truncated: bool = False
    kind: str = "select"


def with_base(job: QueryJob) -> tuple[str, int]:
    """The query text with the service's BASE in front, and how many characters that added.

    The store's query interface takes no base IRI, so the service-defined BASE of the SPARQL
    protocol (SIC_BASE_IRI, a validated setting, never request input) is declared in the text,
    on the first line so that error positions keep their line numbers. The query's own BASE, if
    any, comes later and wins.
    """
    if not job.base_iri:
        return job.sparql, 0
    prefix = f"BASE {ox.NamedNode(job.base_iri)} "
    return prefix + job.sparql, len(prefix)


def _unshift(message: str, added: int) -> str:
    """Report positions on the first line as the client wrote them (see with_base)."""
    if not added:
        return message
    return _FIRST_LINE.sub(lambda m: f"{m.group(1)}1:{max(int(m.group(2)) - added, 1)}", message)


_FIRST_LINE = re.compile(r"(^|\D)1:(\d+)")


def execute(store: GraphStore, job: QueryJob) -> QueryAnswer:
    """Screen, run, negotiate and serialise one query (in a worker, or a thread for remote stores).

    :raises QueryError: malformed or refused (SERVICE).
    :raises NotAcceptable: no format for this kind of answer matches the Accept header.
    :raises StoreError: the store failed.
    """
    text, added = with_base(job)
    try:
        screen(text, job.max_nesting)
        result = store.query(
            text, limit=job.limit, default_graph=job.default_graph, named_graphs=job.named_graphs
        )
    except QueryError as exc:
        raise QueryError(_unshift(str(exc), added)) from None
    if isinstance(result, GraphResult):
        fmt = choose(RDF_FORMATS, job.accept)
        rdf = fmt.rdf
        assert rdf is not None  # every row of RDF_FORMATS has one
        graph = result
        body = graph.serialize(rdf, prefixes=PREFIXES)
        while job.max_bytes is not None and len(body) > job.max_bytes:
            graph = GraphResult(graph.triples[: _fewer(len(graph.triples), body, job)], True)
            body = graph.serialize(rdf, prefixes=PREFIXES)
        return QueryAnswer(fmt.content_type, body, graph.truncated, "graph")
    fmt = choose(RESULT_FORMATS, job.accept)
    results = fmt.results
    assert results is not None  # every row of RESULT_FORMATS has one
    if isinstance(result, AskResult):
        return QueryAnswer(fmt.content_type, result.serialize(results), False, "ask")
    assert isinstance(result, SelectResult)
    table = result
    body = table.serialize(results)
    while job.max_bytes is not None and len(body) > job.max_bytes:
        table = SelectResult(
            table.variables, table.rows[: _fewer(len(table.rows), body, job)], True
        )
        body = table.serialize(results)
    return QueryAnswer(fmt.content_type, body, table.truncated)


def _fewer(count: int, body: bytes, job: QueryJob) -> int:
    """How many rows (or triples) to keep so that the answer fits SIC_MAX_ANSWER_MB: the share
    that fits, with a margin, and always fewer than now."""
    assert job.max_bytes is not None
    return max(0, min(count - 1, int(count * job.max_bytes / len(body) * 0.95)))
