"""The rankings' weights are refitted in the background of a real `sic serve`, after writes.

A store with enough history (a generated XS workbook whose teams were drawn by affinity) is
served; /api/rankings shows the weights learned for the current version once the background
fit is done, the candidates answer with them, and a write starts a fit of the new version
while the rankings keep answering.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import SIZES, Affinity, generate_workbook
from tests.conftest import LiveService


def _get(service: LiveService, path: str) -> Any:
    with urllib.request.urlopen(f"{service.url}{path}", timeout=30) as response:
        return json.load(response)


def _fitted(service: LiveService, within: float = 120.0) -> dict[str, Any]:
    """/api/rankings once both rankings are fitted on the current version."""
    deadline = time.monotonic() + within
    while True:
        state = _get(service, "/api/rankings")
        if all(state[k]["version"] == state["version"] for k in ("activity", "project")):
            return dict(state)
        assert time.monotonic() < deadline, f"no fit of the current version: {state}"
        time.sleep(0.5)


def test_weights_are_refitted_after_a_write(
    tmp_path: Path, sic_service: Callable[..., LiveService]
) -> None:
    workbook = tmp_path / "workbook"
    generate_workbook(SIZES["XS"], workbook, affinity=Affinity(topic=0.45, region=0.15, past=0.25))
    service = sic_service(data=[workbook])

    first = _fitted(service)
    # enough history to fit on; whether the fit beats the hand-set weights is the data's say
    assert first["activity"]["cases"] >= 40 and first["project"]["cases"] >= 40

    # the candidates are ranked with the weights shown (a signal the hand-set weights leave
    # at 0 counts once learned)
    answer = _get(service, "/api/activities/A1.001/candidates?top=10")
    shown = {r["signal"]: r["weight"] for c in answer["candidates"] for r in c["reasons"]}
    learned = first["activity"]["weights"]
    assert shown and all(shown[s] == learned[s] for s in shown)

    update = (
        "INSERT DATA { GRAPH <https://example.org/notes> {"
        ' <https://example.org/n> <http://www.w3.org/2000/01/rdf-schema#comment> "a note" } }'
    )
    request = urllib.request.Request(
        f"{service.url}/update",
        data=urllib.parse.urlencode({"update": update}).encode(),
        headers={"Authorization": f"Bearer {service.token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 204)
    during = _get(service, "/api/activities/A1.001/candidates?top=10")
    assert during["candidates"]  # answered while the new version is being fitted
    second = _fitted(service)
    assert second["version"] != first["version"]
    assert second["activity"]["version"] == second["version"]
