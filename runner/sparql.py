"""A SPARQL protocol query as a job for the runner: screened, run, and cut to fit.

The whole answer is made where the query runs (a worker process of runner.pool, or a thread for
a remote store), so only its bytes come back: the job carries everything needed (query text,
dataset, Accept header, limits), and equal jobs give equal answers on one store version, which
is what lets the runner keep them. Which format the answer takes, and how it is written, the
face that sends the job decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from graph.base import GraphStore
from graph.results import GraphResult, QueryResult, SelectResult
from graph.sparql_lexer import Token, needs_screening, screen, tokens
from graph.syntax_hint import explain
from sic.errors import QueryError, QuerySyntaxError

Cut = TypeVar("Cut", GraphResult, SelectResult)


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


def run_job(store: GraphStore, job: QueryJob) -> QueryResult:
    """Screen and run one query (in a worker, or a thread for remote stores).

    :raises QueryError: malformed or refused (SERVICE), positions as the client wrote them; a
        QuerySyntaxError when the engine names where it could not read the query.
    :raises StoreError: the store failed.
    """
    text, added = with_base(job)
    try:
        toks = screen(text, job.max_nesting) if needs_screening(text, job.max_nesting) else None
        result = store.query(
            text, limit=job.limit, default_graph=job.default_graph, named_graphs=job.named_graphs
        )
    except QueryError as exc:
        engine = _unshift(str(exc), added)
        said = explain(job.sparql, engine)
        if said == engine:
            raise QueryError(engine) from None
        raise QuerySyntaxError(job.sparql, engine, said) from None
    if isinstance(result, SelectResult) and "*" in text:  # only `SELECT *` is reordered
        return in_written_order(result, tokens(text) if toks is None else toks)
    return result


def in_written_order(result: SelectResult, toks: list[Token]) -> SelectResult:
    """A `SELECT *` answer with its columns in the order the query first names them.

    pyoxigraph lists the variables of `SELECT *` in its own order (`?o ?p ?s` for `?s ?p ?o`);
    a person reads the columns as they wrote the pattern. Any other projection is kept as is.
    """
    words = [(i, tok) for i, tok in enumerate(toks) if tok.keyword == "SELECT"]
    if not words:
        return result
    at = words[0][0] + 1
    while at < len(toks) and toks[at].keyword in {"DISTINCT", "REDUCED"}:
        at += 1
    if at >= len(toks) or toks[at].text != "*":
        return result
    order: dict[str, int] = {}
    for tok in toks[at:]:
        if tok.kind == "var":
            order.setdefault(tok.text[1:], len(order))
    position = {v: order.get(v, len(order) + i) for i, v in enumerate(result.variables)}
    ranked = sorted(range(len(result.variables)), key=lambda i: position[result.variables[i]])
    if ranked == list(range(len(ranked))):
        return result
    return SelectResult(
        [result.variables[i] for i in ranked],
        [[row[i] for i in ranked] for row in result.rows],
        result.truncated,
    )


def cut_to_fit(
    result: Cut, serialize: Callable[[Cut], bytes], max_bytes: int | None
) -> tuple[Cut, bytes]:
    """The result and its bytes, its rows (or triples) cut until they fit `max_bytes`
    (SIC_MAX_ANSWER_MB): each time to the share that fits, with a margin, and always fewer."""
    body = serialize(result)
    while max_bytes is not None and len(body) > max_bytes:
        count = len(result)
        kept = max(0, min(count - 1, int(count * max_bytes / len(body) * 0.95)))
        result = _first(result, kept)
        body = serialize(result)
    return result, body


def _first(result: Cut, count: int) -> Cut:
    if isinstance(result, GraphResult):
        return GraphResult(result.triples[:count], True)
    return SelectResult(result.variables, result.rows[:count], True)
