"""HTTP processes (api.http_processes) on a real `sic serve`: reads answered where they arrive.

A client cannot tell which process answered, so these tests look from outside: with the
service process itself stopped (SIGSTOP), SPARQL queries and linked data are still answered,
and a page is not; a client reads its own write at once on every connection, and no keep-alive
connection is dropped under it when a new generation takes over; a query that overruns its
limit in an HTTP process is answered 503 and its process replaced.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.malloc_tuning import TCACHE_COUNT
from tests.serve.test_runaway import RUNAWAY, children, cpu_seconds

JSON = {"Accept": "application/sparql-results+json"}
MANY = "SELECT * WHERE { ?s ?p ?o } LIMIT 3000"
"""An answer far over 16 KB (about 700 KB of JSON on the reference data)."""


def _fresh(query: str) -> str:
    return f"# {uuid.uuid4().hex}\n{query}"


@contextlib.contextmanager
def _stopped(pid: int) -> Iterator[None]:
    """The process paused (SIGSTOP) for the block, and always resumed."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def service(sic_service_for_session: Callable[..., Any]) -> Iterator[Any]:
    started = sic_service_for_session(env={"SIC_HTTP_PROCESSES": "2", "SIC_ANSWER_CACHE_MB": "0"})
    try:
        yield started
    finally:
        started.stop()


def _settled(service: Any, count: int = 2, within: float = 20.0) -> None:
    """Wait until the HTTP processes of the newest generation answer with the service paused.

    Reads find a fresh HTTP process again once the new generation is forked; until then they
    are passed on. Probed on new connections, each within a short time limit."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        answered = 0
        with _stopped(service.pid):
            for _ in range(count * 3):
                try:
                    with httpx.Client(timeout=1.0) as http:
                        got = http.get(
                            f"{service.url}/sparql", params={"query": "ASK {}"}, headers=JSON
                        )
                    answered += got.status_code == 200
                except httpx.HTTPError:
                    pass
        if answered == count * 3:
            return
        time.sleep(0.2)
    raise AssertionError("no fresh HTTP process took over")


def test_reads_are_answered_while_the_service_process_is_stopped(service: Any) -> None:
    _settled(service)
    with _stopped(service.pid), httpx.Client(base_url=service.url, timeout=10.0) as http:
        many = http.get("/sparql", params={"query": _fresh(MANY)}, headers=JSON)
        posted = http.post(
            "/sparql",
            content=_fresh(MANY),
            headers={"Content-Type": "application/sparql-query", **JSON},
        )
        described = http.get("/id/objective/A1", headers={"Accept": "text/turtle"})
        with pytest.raises(httpx.TimeoutException):
            http.get("/", timeout=1.5)  # a page: passed on to the paused service
    assert many.status_code == 200, many.text[:300]
    assert len(many.content) > 16 * 1024
    assert len(many.json()["results"]["bindings"]) == 3000
    assert posted.status_code == 200
    assert posted.json() == many.json()
    assert described.status_code == 200
    assert "A1" in described.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3000",
        # past the result limit: cut, and said so in a header
        "SELECT ?s ?o WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?o }",
        "SELECT ?p ?o WHERE { <https://w3id.org/4p1000/id/objective/A1> ?p ?o }",
    ],
)
def test_one_pattern_read_on_the_event_loop_is_the_threads_answer(service: Any, query: str) -> None:
    # one triple pattern is read on an HTTP process's event loop (graph.one_pattern), and on a
    # thread when it reads rows too long; the same query behind a comment is not recognised,
    # so it is read on a thread: both give the same bytes and headers, uncached
    _settled(service)
    with _stopped(service.pid), httpx.Client(base_url=service.url, timeout=10.0) as http:
        here = http.get("/sparql", params={"query": query}, headers=JSON)
        there = http.get("/sparql", params={"query": _fresh(query)}, headers=JSON)
    assert here.status_code == there.status_code == 200, here.text[:300]
    assert here.content == there.content
    drop = {"date"}
    assert {k: v for k, v in here.headers.items() if k not in drop} == {
        k: v for k, v in there.headers.items() if k not in drop
    }
    assert here.json()["results"]["bindings"]


def test_the_service_and_its_http_processes_run_with_a_larger_malloc_cache(service: Any) -> None:
    environments = [
        (Path("/proc") / str(pid) / "environ").read_bytes().split(b"\0")
        for pid in [service.pid, *children(service.pid)]
    ]
    tuned = f"GLIBC_TUNABLES=glibc.malloc.tcache_count={TCACHE_COUNT}".encode()
    assert all(tuned in env for env in environments)


def test_pages_and_writes_pass_through_to_the_service(service: Any) -> None:
    with httpx.Client(base_url=service.url, timeout=30.0) as http:
        page = http.get("/", headers={"Accept": "text/html"})
        refused = http.post("/update", data={"update": "INSERT DATA { <x:s> <x:p> 1 }"})
        large = http.get("/dump.nq.gz")
    assert page.status_code == 200, page.text[:500]
    assert "<html" in page.text.lower()
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/json")
    assert large.status_code == 200
    assert len(large.content) > 16 * 1024


def test_a_client_reads_its_own_writes_on_every_connection(service: Any) -> None:
    token = {"Authorization": f"Bearer {service.token}"}
    stale: list[int] = []
    with httpx.Client(base_url=service.url, timeout=30.0) as kept_alive:
        for round_ in range(8):
            value = uuid.uuid4().hex
            triple = f'<http://example.org/own-writes> <http://example.org/p> "{value}"'
            written = kept_alive.post(
                "/update",
                data={"update": f"INSERT DATA {{ GRAPH <http://example.org/own> {{ {triple} }} }}"},
                headers=token,
            )
            assert written.status_code in (200, 204), written.text
            ask = {"query": f"ASK {{ GRAPH ?g {{ {triple} }} }}"}
            with httpx.Client(base_url=service.url, timeout=30.0) as new:
                for http in (kept_alive, new, kept_alive):
                    if not http.get("/sparql", params=ask, headers=JSON).json()["boolean"]:
                        stale.append(round_)
            time.sleep(0.3 * (round_ % 3))  # some reads after the new generation took over
    assert stale == []


def test_an_overrunning_query_is_stopped_and_its_process_replaced(
    sic_service: Callable[..., Any],
) -> None:
    service = sic_service(
        env={"SIC_HTTP_PROCESSES": "2", "SIC_ANSWER_CACHE_MB": "0", "SIC_QUERY_TIMEOUT": "2"}
    )
    _settled(service)
    started = time.monotonic()
    with httpx.Client(base_url=service.url, timeout=30.0) as http:
        runaway = http.get("/sparql", params={"query": _fresh(RUNAWAY)}, headers=JSON)
    answered = time.monotonic() - started
    assert runaway.status_code == 503, runaway.text[:300]
    assert "SIC_QUERY_TIMEOUT" in runaway.json()["detail"]
    assert answered < 6.0, f"503 after {answered:.1f} s"
    # the process that ran it exits within SHUTDOWN_GRACE (the query with it); others answer
    deadline = time.monotonic() + 10.0
    used: dict[int, float] = {}
    while time.monotonic() < deadline:
        before = {p: cpu_seconds(p) for p in children(service.pid)}
        time.sleep(1.0)
        used = {p: cpu_seconds(p) - before.get(p, 0.0) for p in children(service.pid)}
        if sum(used.values()) < 0.3:
            break
    assert sum(used.values()) < 0.3, f"the runaway still uses CPU: {used}"
    _settled(service)
