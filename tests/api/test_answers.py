"""Answers kept per store version: served again until a write, never for other data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.answers import AnswerCache
from api.workers import QueryAnswer, QueryJob

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
INSERT = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <urn:p> %d } }"


def _answer(size: int, fill: bytes = b"x") -> QueryAnswer:
    return QueryAnswer("application/sparql-results+json", fill * size)


def _job(n: int) -> QueryJob:
    return QueryJob(sparql=f"SELECT * WHERE {{ ?s ?p {n} }}")


def test_an_answer_is_kept_for_its_version_only() -> None:
    cache = AnswerCache(1000)
    assert cache.get("v1", _job(1)) is None
    cache.put("v1", _job(1), _answer(10))
    assert cache.get("v1", _job(1)) == _answer(10)
    assert cache.get("v1", _job(2)) is None
    assert cache.get("v2", _job(1)) is None  # the store changed: everything kept is gone
    assert len(cache) == 0 and cache.size == 0
    assert (cache.hits, cache.misses) == (1, 3)


def test_an_answer_computed_on_older_data_is_not_kept() -> None:
    cache = AnswerCache(1000)
    cache.get("v2", _job(1))
    cache.put("v1", _job(1), _answer(10))  # a slow query that started before the write
    assert cache.get("v2", _job(1)) is None


def test_the_least_recently_used_answers_go_first() -> None:
    cache = AnswerCache(800)  # one answer may take 100 bytes
    cache.get("v", _job(0))
    for n in range(8):
        cache.put("v", _job(n), _answer(100))
    assert cache.size == 800
    assert cache.get("v", _job(0)) is not None  # now the most recently used
    cache.put("v", _job(8), _answer(100))
    assert cache.get("v", _job(1)) is None
    assert cache.get("v", _job(0)) is not None and cache.get("v", _job(8)) is not None
    assert cache.size == 800


def test_a_huge_answer_is_not_kept_and_zero_turns_the_cache_off() -> None:
    cache = AnswerCache(800)
    cache.get("v", _job(0))
    cache.put("v", _job(0), _answer(101))
    assert cache.get("v", _job(0)) is None
    off = AnswerCache(0)
    off.get("v", _job(0))
    off.put("v", _job(0), _answer(0))
    assert off.get("v", _job(0)) is None and len(off) == 0


def _count(client: Any, accept: str = "application/sparql-results+json") -> Any:
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200
    return response


def test_the_service_answers_again_from_the_cache_until_a_write(
    make_client: Callable[..., Any], memory_store: Any, write_token: str
) -> None:
    client = make_client(memory_store)
    answers = client.app.state.runner.answers
    first = _count(client).json()["results"]["bindings"][0]["n"]["value"]
    hits = answers.hits
    assert _count(client).json()["results"]["bindings"][0]["n"]["value"] == first
    assert answers.hits == hits + 1
    csv = _count(client, "text/csv")  # another format is another answer
    assert csv.headers["content-type"].startswith("text/csv") and answers.hits == hits + 1
    for n in range(2):
        response = client.post(
            "/update",
            content=INSERT % n,
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {write_token}",
            },
        )
        assert response.status_code == 204
        # read-your-writes: the kept answer is not served for the new data
        now = _count(client).json()["results"]["bindings"][0]["n"]["value"]
        assert int(now) > int(first)
        first = now
    assert _count(client).json()["results"]["bindings"][0]["n"]["value"] == first


def test_errors_are_never_kept(make_client: Callable[..., Any], memory_store: Any) -> None:
    client = make_client(memory_store)
    for _ in range(2):
        response = client.get("/sparql", params={"query": "SELECT * WHERE {"})
        assert response.status_code == 400
    assert len(client.app.state.runner.answers) == 0


def test_the_cache_can_be_turned_off(make_client: Callable[..., Any], memory_store: Any) -> None:
    client = make_client(memory_store, answer_cache_mb=0)
    _count(client)
    _count(client)
    assert client.app.state.runner.answers.hits == 0
