"""Proposed links over HTTP: anyone reads them, only the Secretariat decides, and a decision is
committed through the worker pool like any write (nothing stored when refused)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.book import AccountBook
from accounts.roles import Role, Scope
from graph.bootstrap import load_with_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source
from queries.linking import propose_links
from sic.paths import reference_workbook

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "iati" / "linking.xml"
PASSWORD = "a passphrase long enough for the tests"


@pytest.fixture
def served(make_client: Callable[..., Any], tmp_path: Path) -> tuple[Any, dict[str, str]]:
    store = EmbeddedStore(tmp_path / "store")
    load_with_ontology(store, read_source(reference_workbook(), base=store.base))
    load_with_ontology(store, read_source(FIXTURE, base=store.base))
    propose_links(store, command="test")
    book = AccountBook(tmp_path / "accounts.sqlite3")
    tokens = {}
    for name, role, scope in (
        ("secretariat", Role.secretariat, Scope(None, None, None)),
        ("leader", Role.task_force_leader, Scope("A2", None, None)),
    ):
        book.add(name, PASSWORD, role, scope=scope)
        tokens[name] = book.new_token(name, "links test")
    return make_client(store, accounts_db=book.path), tokens


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _gap(client: Any, activity: str) -> dict[str, Any] | None:
    rows = client.get("/api/queries/uncovered-activities").json()["rows"]
    return next((r for r in rows if r["activity"] == activity), None)


def test_anyone_reads_the_waiting_proposals(served: tuple[Any, dict[str, str]]) -> None:
    client, _ = served
    found = client.get("/api/links").json()["proposals"]
    assert {(p["project_key"], p["target_code"]) for p in found} == {
        ("iati:XX-LINK-SECTOR", "A2"),
        ("iati:XX-LINK-KEYWORDS", "A2.07"),
        ("iati:XX-LINK-COUNTRY", "A1.04"),
    }
    one = client.get("/api/links", params={"project": "iati:XX-LINK-SECTOR"}).json()
    assert [p["rules"] for p in one["proposals"]] == ["dac-sector"]
    assert client.get("/api/links", params={"project": "http://bad iri"}).status_code == 400


DECISION = {"project": "iati:XX-LINK-KEYWORDS", "target": "A2.07", "decision": "accept"}


def test_only_the_secretariat_decides(served: tuple[Any, dict[str, str]]) -> None:
    client, tokens = served
    assert client.post("/api/links/decisions", json=DECISION).status_code == 401
    refused = client.post("/api/links/decisions", json=DECISION, headers=_bearer(tokens["leader"]))
    assert refused.status_code == 403
    waiting = _gap(client, "A2.07")
    assert waiting is not None and waiting["waiting_links"] == 1, "nothing was stored"

    accepted = client.post(
        "/api/links/decisions", json=DECISION, headers=_bearer(tokens["secretariat"])
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["decision"] == "accepted"
    assert _gap(client, "A2.07") is None, "an accepted link counts as coverage at once"
    again = client.post(
        "/api/links/decisions", json=DECISION, headers=_bearer(tokens["secretariat"])
    )
    assert again.status_code == 404 and "no proposal waits" in again.json()["detail"]


def test_a_refusal_covers_nothing(served: tuple[Any, dict[str, str]]) -> None:
    client, tokens = served
    body = {**DECISION, "decision": "reject"}
    answer = client.post("/api/links/decisions", json=body, headers=_bearer(tokens["secretariat"]))
    assert answer.status_code == 200 and answer.json()["decision"] == "rejected"
    gap = _gap(client, "A2.07")
    assert gap is not None and gap["waiting_links"] == 0
    bad = client.post(
        "/api/links/decisions",
        json={**DECISION, "decision": "maybe"},
        headers=_bearer(tokens["secretariat"]),
    )
    assert bad.status_code == 422


def test_a_decision_is_recorded_as_the_secretariats(served: tuple[Any, dict[str, str]]) -> None:
    client, tokens = served
    answer = client.post(
        "/api/links/decisions",
        json=DECISION,
        headers={**_bearer(tokens["secretariat"]), "X-Change-Comment": "checked the activity"},
    )
    assert answer.status_code == 200, answer.text
    history = client.get("/api/resources/project/iati:XX-LINK-KEYWORDS/history").json()
    latest = history["changes"][0]
    assert latest["agent"].endswith("/agent/account/secretariat")
    assert latest["comment"] == "checked the activity"
