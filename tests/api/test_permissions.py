"""Every role on every write route gets exactly the documented answer (2xx, 401 or 403).

The answers are the table of tests/data/accounts/write-matrix.yaml, the one the README and
accounts/permissions.py document: raw writes (SPARQL Update, the Graph Store Protocol, loads)
for the Secretariat and the service token only; project submissions for the roles whose scope
takes the project; nothing for analysts, disabled accounts and anonymous callers. A refused
write stores nothing. (tests/serve/test_permissions.py asks the same of a real `sic serve`.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.book import AccountBook
from accounts.roles import Role, Scope
from sic.iris import mint

PASSWORD = "a passphrase long enough for the tests"
ORGANISATION = "https://w3id.org/4p1000/id/organisation/"


def make_accounts(book: AccountBook, accounts: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The matrix's accounts in `book`, each with an API token: caller -> token."""
    tokens = {}
    for name, spec in accounts.items():
        organisation = spec.get("organisation")
        scope = Scope(
            spec.get("objective"),
            spec.get("region"),
            ORGANISATION + organisation if organisation else None,
        )
        book.add(name, PASSWORD, Role(spec["role"]), scope=scope)
        tokens[name] = book.new_token(name, "permissions test")
        if spec.get("disabled"):
            book.set_disabled(name)
    return tokens


@pytest.fixture
def served(
    make_client: Callable[..., Any], reference_copy: Path, tmp_path: Path, write_matrix: Any
) -> tuple[Any, dict[str, str]]:
    book = AccountBook(tmp_path / "accounts.sqlite3")
    tokens = make_accounts(book, write_matrix.accounts)
    client = make_client(store=reference_copy, accounts_db=book.path)
    return client, tokens


def _exists(client: Any, iri: str) -> bool:
    answer = client.get("/sparql", params={"query": f"ASK {{ <{iri}> ?p ?o }}"})
    return bool(answer.json()["boolean"])


def test_every_caller_on_every_write_route_gets_the_documented_answer(
    served: tuple[Any, dict[str, str]], write_matrix: Any, write_token: str
) -> None:
    client, tokens = served
    got: dict[tuple[str, str], int] = {}
    details: dict[tuple[str, str], str] = {}
    for route, caller, _ in write_matrix.cases():
        token = write_token if caller == "service" else tokens.get(caller)
        answer = write_matrix.attempt(client, route, caller, token, write_token)
        got[route, caller] = answer.status_code
        details[route, caller] = answer.text
        if answer.status_code >= 400:
            assert answer.headers["content-type"].startswith("application/json"), answer.text
            assert answer.json()["detail"]
    expected = {(route, caller): status for route, caller, status in write_matrix.cases()}
    wrong = {case: (got[case], expected[case], details[case][:200]) for case in expected}
    assert {c: w for c, w in wrong.items() if w[0] != w[1]} == {}
    for route, caller, status in write_matrix.cases():
        if route.startswith("project_"):
            iri = str(mint("project", f"perm-{caller}-{route.replace('_', '-')}"))
            assert _exists(client, iri) is (status == 201), (route, caller)


def test_a_refusal_says_why(served: tuple[Any, dict[str, str]], write_matrix: Any) -> None:
    client, tokens = served
    update = write_matrix.attempt(client, "update", "leader", tokens["leader"], "unused")
    assert "only the Secretariat and the service token" in update.json()["detail"]
    theirs = write_matrix.attempt(client, "project_theirs", "leader", tokens["leader"], "unused")
    assert theirs.json()["detail"] == ("this project is outside the scope of leader (objective A1)")
    nobody = write_matrix.attempt(client, "project_ours", "nobody", None, "unused")
    assert nobody.headers["www-authenticate"] == 'Bearer realm="sic"'
    unknown = write_matrix.attempt(client, "project_ours", "x", "sic_not-a-token", "unused")
    assert unknown.status_code == 403
    assert unknown.json()["detail"] == "wrong or revoked token"


def test_the_service_token_keeps_working_without_any_account(
    make_client: Callable[..., Any], memory_store: Any, write_token: str, tmp_path: Path
) -> None:
    client = make_client(memory_store, accounts_db=tmp_path / "none.sqlite3")
    answer = client.put(
        "/data",
        params={"graph": "http://example.org/g"},
        content=b"<http://a> <http://b> <http://c> .",
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {write_token}"},
    )
    assert answer.status_code == 201
    assert not (tmp_path / "none.sqlite3").exists()  # the service never makes the database


def test_accounts_alone_make_a_service_writable(
    make_client: Callable[..., Any], memory_store: Any, tmp_path: Path
) -> None:
    """Without SIC_WRITE_TOKEN but with accounts, an account writes and nobody else."""
    book = AccountBook(tmp_path / "accounts.sqlite3")
    book.add("sec", PASSWORD, Role.secretariat)
    token = book.new_token("sec")
    client = make_client(memory_store, write_token=None, accounts_db=book.path)
    body = {
        "content": b"<http://a> <http://b> <http://c> .",
        "headers": {"Content-Type": "application/n-triples"},
    }
    graph = {"graph": "http://example.org/g"}
    assert client.put("/data", params=graph, **body).status_code == 401
    auth = {**body["headers"], "Authorization": f"Bearer {token}"}
    assert (
        client.put("/data", params=graph, content=body["content"], headers=auth).status_code == 201
    )
