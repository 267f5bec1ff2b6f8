"""Every error a client can cause is a JSON body with a 4xx status, never a 500.

A client that gets something wrong must be told what, in a form a program reads (JSON with a
`detail`), with the status that says whose fault it is: 4xx for the request, 503 for a limit;
a 500 would send the client's developer looking for a server bug. These are the mistakes
clients really make, sent over HTTP to a real `sic serve` (its error handlers, its middleware
and uvicorn all have a say in what reaches the client).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
INSERT = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 'o' } }"  # noqa: E501


@dataclass(frozen=True)
class Mistake:
    """One wrong request and the status it must get."""

    name: str
    status: int
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    data: dict[str, str] | None = None
    token: str | None = None  # "right": the service's write token; else this exact value


MISTAKES = (
    Mistake("syntax error", 400, "GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p }"}),
    Mistake(
        "unknown Accept",
        406,
        "GET",
        "/sparql",
        {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
        {"Accept": "image/png"},
    ),
    Mistake(
        "results type for a graph",
        406,
        "GET",
        "/sparql",
        {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"},
        {"Accept": "text/csv"},
    ),
    Mistake("update without token", 401, "POST", "/update", data={"update": INSERT}),
    Mistake(
        "wrong token",
        403,
        "POST",
        "/update",
        data={"update": INSERT},
        token="not-the-token-0123456789abcdef",
    ),
    Mistake(
        "query POSTed as text/plain",
        415,
        "POST",
        "/sparql",
        headers={"Content-Type": "text/plain"},
        content=b"ASK {}",
    ),
    Mistake(
        "update POSTed as JSON",
        415,
        "POST",
        "/update",
        headers={"Content-Type": "application/json"},
        content=b'{"update": "INSERT DATA {}"}',
        token="right",
    ),
    Mistake(
        "query body not UTF-8",
        400,
        "POST",
        "/sparql",
        headers={"Content-Type": QUERY},
        content="ASK { ?s ?p 'é' }".encode("latin-1"),
    ),
    Mistake(
        "two queries",
        400,
        "GET",
        "/sparql?query=ASK%7B%7D&query=ASK%7B%7D",
    ),
    Mistake("update by GET", 400, "GET", "/sparql", {"update": INSERT}),
    Mistake(
        "SERVICE",
        400,
        "GET",
        "/sparql",
        {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
    ),
    Mistake(
        "malformed update",
        400,
        "POST",
        "/update",
        headers={"Content-Type": UPDATE},
        content=b"INSERT DATA { <s> }",
        token="right",
    ),
    Mistake("unknown question", 404, "GET", "/api/queries/no-such-question"),
    Mistake("missing parameter", 400, "GET", "/api/queries/objective-profile"),
    Mistake(
        "unknown parameter", 400, "GET", "/api/queries/coverage-by-objective", {"colour": "red"}
    ),
    Mistake("wrong method", 405, "GET", "/update"),
)


@pytest.fixture(scope="module")
def http(reference_service: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=reference_service.url, timeout=httpx.Timeout(30.0)) as client:
        yield client


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_an_error_is_json_with_its_status(
    http: httpx.Client, reference_service: Any, mistake: Mistake
) -> None:
    """The mistake gets its own 4xx, as JSON saying what is wrong."""
    headers = dict(mistake.headers)
    if mistake.token is not None:
        token = reference_service.token if mistake.token == "right" else mistake.token
        headers["Authorization"] = f"Bearer {token}"
    response = http.request(
        mistake.method,
        mistake.path,
        params=mistake.params or None,
        headers=headers,
        content=mistake.content,
        data=mistake.data,
    )
    assert response.status_code == mistake.status, response.text[:500]
    assert response.headers["content-type"].split(";")[0] == "application/json"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("detail"), str | list), body
    assert body["detail"], body


def test_a_syntax_error_points_at_the_query_with_a_caret(http: httpx.Client) -> None:
    """Through the real service (the query travels to a worker and the answer back)."""
    query = "PREFIX ex: <http://example.org/>\nSELECT ?s\nWHER { ?s ex:p ?o }"
    r = http.get("/sparql", params={"query": query})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/json")
    first, shown, caret, engine = r.json()["detail"].splitlines()
    assert first == (
        "the query cannot be read at line 3, column 1. "
        "'WHER' is not a SPARQL keyword: did you mean WHERE?"
    )
    assert shown == "  WHER { ?s ex:p ?o }" and caret == "  ^"
    assert engine.startswith("(error at 3:")
