"""Every write path validates against the whole default graph before it commits.

A person of a Friend organisation made leader of a Task Force breaks a rule that looks from the
person to the role that points at them; it was once accepted through /update. The same change
is tried through each write path: SPARQL Update, the Graph Store Protocol (POST and PUT), and
each is refused with 422 and nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ID = "https://w3id.org/4p1000/id/"
ROLE = f"""
<{ID}taskforce/A5#leader-kofi-mensah>
    a <https://w3id.org/4p1000/ontology#TaskForceRole> ;
    <http://www.w3.org/ns/org#member> <{ID}person/kofi-mensah> ;
    <http://www.w3.org/ns/org#organization> <{ID}taskforce/A5> ;
    <http://www.w3.org/ns/org#role> <https://w3id.org/4p1000/ontology#RoleLeader> .
"""


@pytest.fixture
def client(make_client: Callable[..., Any], reference_copy: Path) -> Any:
    return make_client(store=reference_copy)


def _refused(response: Any, client: Any) -> None:
    assert response.status_code == 422, response.text
    assert any("partner organisation" in v["message"] for v in response.json()["violations"])
    ask = f"ASK {{ <{ID}taskforce/A5#leader-kofi-mensah> ?p ?o }}"
    stored = client.get("/sparql", params={"query": ask}).json()["boolean"]
    assert stored is False  # nothing of the refused write was kept


def test_sparql_update(client: Any, write_token: str) -> None:
    r = client.post(
        "/update",
        content=f"INSERT DATA {{ {ROLE} }}",
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {write_token}",
        },
    )
    _refused(r, client)


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_graph_store_protocol(client: Any, write_token: str, method: str) -> None:
    r = client.request(
        method,
        "/data",
        params={"default": ""},
        content=ROLE.encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {write_token}"},
    )
    _refused(r, client)
