"""Right after writes, a real `sic serve` answers every question as a fresh start would.

The service keeps its network projections and follows each write (queries.network.keep_up)
before it forks the workers that answer. Over a generated workbook, with the answer cache off,
a project idea is submitted, a partner joins it through SPARQL Update and an organisation's
topics change; then every catalogue question is asked, and asked again of a service started
afresh on the same store: the answers must be the same.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import SIZES, generate_workbook
from tests.conftest import LiveService

QUIET = {"SIC_ANSWER_CACHE_MB": "0", "SIC_FIT_TIMEOUT": "0"}

QUESTIONS: list[tuple[str, dict[str, str]]] = [
    ("candidates-for-activity", {"activity": "A1.001", "top": "20"}),
    ("candidates-for-project", {"project": "written-idea", "top": "20"}),
    ("alliance-composition", {"activity": "A1.001"}),
    ("partnership-opportunities", {"organisation": "org000002"}),
    ("organisation-profile", {"organisation": "org000002"}),
    ("objective-profile", {"objective": "A1"}),
    ("brokers", {"objective": "A1", "top": "20"}),
    ("brokers", {"top": "20"}),
    ("funders-for-project", {"project": "written-idea"}),
    ("funders-for-activity", {"activity": "A1.001"}),
    ("coverage-by-objective", {}),
    ("funding-by-objective", {}),
    ("task-force-roster", {"objective": "A1"}),
    ("uncovered-activities", {}),
]


def _get(service: LiveService, path: str) -> Any:
    with urllib.request.urlopen(f"{service.url}{path}", timeout=60) as response:
        return json.load(response)


def _send(service: LiveService, path: str, body: bytes, kind: str) -> int:
    request = urllib.request.Request(
        f"{service.url}{path}",
        data=body,
        method="POST",
        headers={"Content-Type": kind, "Authorization": f"Bearer {service.token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return int(response.status)


def _answers(service: LiveService) -> list[Any]:
    out = []
    for name, params in QUESTIONS:
        query = urllib.parse.urlencode(params)
        out.append(_get(service, f"/api/queries/{name}?{query}")["rows"])
    return out


def test_answers_after_writes_equal_a_fresh_start(
    tmp_path: Path, sic_service: Callable[..., LiveService]
) -> None:
    workbook = tmp_path / "workbook"
    generate_workbook(SIZES["XS"], workbook)
    service = sic_service(data=[workbook], env=QUIET)
    before = _get(service, "/api/queries/organisation-profile?organisation=org000002")["rows"]

    idea = {
        "id": "written-idea",
        "title": "Written idea",
        "stage": "idea",
        "lead": "org000001",
        "partners": ["org000002"],
        "activities": ["A1.001"],
        "countries": ["SN"],
    }
    assert _send(service, "/api/projects", json.dumps(idea).encode(), "application/json") == 201
    base = "https://w3id.org/4p1000/"
    update = (
        "PREFIX sic: <https://w3id.org/4p1000/ontology#>\n"
        "PREFIX dct: <http://purl.org/dc/terms/>\n"
        f"INSERT {{ GRAPH ?g {{ <{base}id/project/written-idea> sic:partner"
        f" <{base}id/organisation/org000003> }} }}\n"
        f"WHERE {{ GRAPH ?g {{ <{base}id/project/written-idea> a sic:Project }} }} ;\n"
        f"DELETE {{ GRAPH ?g {{ <{base}id/organisation/org000004> dct:subject ?t }} }}\n"
        f"WHERE {{ GRAPH ?g {{ <{base}id/organisation/org000004> dct:subject ?t }} }}"
    )
    assert _send(service, "/update", update.encode(), "application/sparql-update") in (200, 204)

    after = _answers(service)
    profile = after[QUESTIONS.index(("organisation-profile", {"organisation": "org000002"}))]
    assert profile != before, "the written project shows in the partner's profile"
    service.stop()

    again = sic_service(store=service.store, env=QUIET)
    assert _answers(again) == after
