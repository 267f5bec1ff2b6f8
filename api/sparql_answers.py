"""A SPARQL protocol answer: the query run by the runner (runner.sparql), then negotiated and
serialised where it ran, so that only its bytes come back to the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.negotiation import RDF_FORMATS, RESULT_FORMATS, choose
from graph.base import GraphStore
from graph.results import AskResult, GraphResult, SelectResult
from runner.sparql import QueryJob, cut_to_fit, run_job
from sic.vocab import PREFIXES

__all__ = ["QueryAnswer", "QueryJob", "execute"]


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer: its Content-Type, its bytes, and whether a limit cut it (the rows of
    SIC_RESULT_LIMIT, or the bytes of SIC_MAX_ANSWER_MB)."""

    content_type: str
    body: bytes
    truncated: bool = False
    kind: str = "select"


def execute(store: GraphStore, job: QueryJob) -> QueryAnswer:
    """Run, negotiate and serialise one query (in a worker, or a thread for remote stores).

    :raises QueryError: malformed or refused (SERVICE).
    :raises NotAcceptable: no format for this kind of answer matches the Accept header.
    :raises StoreError: the store failed.
    """
    result = run_job(store, job)
    if isinstance(result, GraphResult):
        fmt = choose(RDF_FORMATS, job.accept)
        rdf = fmt.rdf
        assert rdf is not None  # every row of RDF_FORMATS has one
        graph, body = cut_to_fit(
            result, lambda g: g.serialize(rdf, prefixes=PREFIXES), job.max_bytes
        )
        return QueryAnswer(fmt.content_type, body, graph.truncated, "graph")
    fmt = choose(RESULT_FORMATS, job.accept)
    results = fmt.results
    assert results is not None  # every row of RESULT_FORMATS has one
    if isinstance(result, AskResult):
        return QueryAnswer(fmt.content_type, result.serialize(results), False, "ask")
    assert isinstance(result, SelectResult)
    table, body = cut_to_fit(result, lambda t: t.serialize(results), job.max_bytes)
    return QueryAnswer(fmt.content_type, body, table.truncated)
