"""The app factory: the store it opens itself is seeded when empty and read from memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"


def _count(client: Any) -> str:
    response = client.get("/sparql", params={"query": QUERY})
    assert response.status_code == 200
    return str(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_store_the_app_opens_is_read_from_memory_unless_turned_off(
    make_client: Callable[..., Any], reference_copy: Path
) -> None:
    held = make_client(store=reference_copy)
    assert held.app.state.store.in_memory
    counted = _count(held)
    held.__exit__(None, None, None)  # release the folder's lock for the next service
    plain = make_client(store=reference_copy, memory_copy_limit=0)
    assert not plain.app.state.store.in_memory
    assert _count(plain) == counted and int(counted) > 500


def test_a_store_too_big_for_the_limit_stays_on_disk(
    make_client: Callable[..., Any], reference_copy: Path
) -> None:
    client = make_client(store=reference_copy, memory_copy_limit=10)
    assert not client.app.state.store.in_memory
    assert int(_count(client)) > 500
