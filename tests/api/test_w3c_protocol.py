"""The W3C SPARQL 1.1 Protocol tests (all 34) and the Graph Store Protocol tests with indirect
graph identification, replayed against the app on a throwaway store (in memory, and on disk
read from a memory copy), and against a real `sic serve --empty` process over HTTP.

The runner (tests/api/conftest.py) reads the manifests with rdflib and sends their requests
unchanged except for the paths: queries to /sparql, updates to /update, graph store requests to
/data, writes with the bearer token. No test is skipped and none needs an exception for the
service's security rules: a graph the protocol names that is not in the store is empty, which
is what the tests expect (e.g. `default-graph-uri=.../data0.rdf`, which is never loaded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest


def test_the_manifests_are_all_there(w3c_manifest_counts: dict[str, int]) -> None:
    assert w3c_manifest_counts == {"w3c_protocol_case": 34, "w3c_gsp_case": 9}


def test_protocol(
    w3c_protocol_case: Any,
    served_store: Any,
    make_client: Callable[..., Any],
    w3c_run: Callable[..., None],
    write_token: str,
) -> None:
    client = make_client(served_store)
    w3c_run(w3c_protocol_case, client, write_token)


def test_graph_store_protocol(
    w3c_gsp_case: Any,
    served_store: Any,
    make_client: Callable[..., Any],
    w3c_run: Callable[..., None],
    write_token: str,
) -> None:
    client = make_client(served_store)
    w3c_run(w3c_gsp_case, client, write_token)


@pytest.fixture(scope="module")
def live_client(sic_service_for_session: Callable[..., Any]) -> Iterator[Any]:
    """One real `sic serve --empty` for the module, reached over HTTP like any client."""
    service = sic_service_for_session(empty=True)
    with httpx.Client(base_url=service.url, timeout=60) as client:
        yield client, service.token
    service.stop()


def _reset(client: Any, token: str) -> None:
    r = client.post(
        "/update",
        content="DROP ALL",
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 204, r.text


def test_protocol_on_a_real_process(
    w3c_protocol_case: Any, live_client: Any, w3c_run: Callable[..., None]
) -> None:
    client, token = live_client
    _reset(client, token)
    w3c_run(w3c_protocol_case, client, token)


def test_graph_store_protocol_on_a_real_process(
    w3c_gsp_case: Any, live_client: Any, w3c_run: Callable[..., None]
) -> None:
    client, token = live_client
    _reset(client, token)
    w3c_run(w3c_gsp_case, client, token)
