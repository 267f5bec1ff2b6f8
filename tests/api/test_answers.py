"""Answers kept per store version by the service: served again until a write, never for other
data; errors never kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
INSERT = "INSERT DATA { <http://example.org/a> <urn:p> %d }"


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
