"""A real `sic serve` answers the per-objective questions from kept figures as its files would.

funding-by-objective, coverage-by-objective and objective-profile come from figures the service
keeps from write to write (queries.objective_figures). After a live project with a budget is
submitted, their answers must be those of a service that keeps nothing (each worker runs the
`.rq` files) started afresh on the same store.
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
    ("funding-by-objective", {}),
    ("funding-by-objective", {"objective": "A1"}),
    ("coverage-by-objective", {}),
    ("objective-profile", {"objective": "A1"}),
]


def _answers(service: LiveService) -> list[Any]:
    out = []
    for name, params in QUESTIONS:
        url = f"{service.url}/api/queries/{name}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=60) as response:
            out.append(json.load(response)["rows"])
    return out


def test_kept_figures_served_after_a_write_equal_the_files(
    tmp_path: Path, sic_service: Callable[..., LiveService]
) -> None:
    workbook = tmp_path / "workbook"
    generate_workbook(SIZES["XS"], workbook)
    service = sic_service(data=[workbook], env=QUIET)
    before = _answers(service)
    idea = {
        "id": "figured-idea",
        "title": "Figured idea",
        "stage": "idea",
        "lead": "org000001",
        "partners": ["org000002"],
        "activities": ["A1.001"],
        "countries": ["SN"],
        "budget": "125000.50",
        "currency": "EUR",
    }
    request = urllib.request.Request(
        f"{service.url}/api/projects",
        data=json.dumps(idea).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {service.token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201
    after = _answers(service)
    assert after[1] != before[1], "the new budget counts for A1"
    service.stop()

    files = sic_service(store=service.store, env={**QUIET, "SIC_KEEP_PROJECTIONS": "false"})
    assert _answers(files) == after
