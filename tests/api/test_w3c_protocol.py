"""The W3C SPARQL 1.1 Protocol tests (all 34) and the Graph Store Protocol tests with indirect
graph identification, replayed against the app on a throwaway store: in memory, and on disk
read from a memory copy.

The runner (tests/api/conftest.py) reads the manifests with rdflib and sends their requests
unchanged except for the paths: queries to /sparql, updates to /update, graph store requests to
/data, writes with the bearer token. No test is skipped and none needs an exception for the
service's security rules: a graph the protocol names that is not in the store is empty, which
is what the tests expect (e.g. `default-graph-uri=.../data0.rdf`, which is never loaded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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
