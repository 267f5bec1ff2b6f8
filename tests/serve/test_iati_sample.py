"""The bundled IATI sample on a real `sic serve` first start: real projects beside the workbook's,
each labelled by its source, publisher and licence, and proposed links that cover nothing yet."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

import httpx

from sic.paths import iati_sample

TIMEOUT = httpx.Timeout(60.0, connect=5.0)
SIC = "https://w3id.org/4p1000/ontology#"


def _select(url: str, query: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text[:300]
    bindings: list[dict[str, Any]] = response.json()["results"]["bindings"]
    return bindings


def test_the_sample_loads_with_the_reference_data_labelled_by_source(
    sic_service: Callable[..., Any],
) -> None:
    service = sic_service(env={"SIC_IATI_SAMPLE": "true"}, ready_within=240)
    files = iati_sample()
    assert files, "the sample is bundled"
    with (files[0].parent / "activities.csv").open(newline="", encoding="utf-8") as f:
        expected = {row["iati_identifier"] for row in csv.DictReader(f)}

    rows = _select(
        service.url,
        f"PREFIX sic: <{SIC}> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a sic:Project ; "
        f"sic:iatiIdentifier ?id }}",
    )
    assert int(rows[0]["n"]["value"]) == len(expected)

    # one of the sample's projects, and the source graph that states it
    found = _select(
        service.url,
        f"PREFIX sic: <{SIC}> SELECT ?p WHERE {{ ?p a sic:Project ; sic:iatiIdentifier ?id }} "
        "ORDER BY ?p LIMIT 1",
    )
    project = found[0]["p"]["value"]
    assert "/id/project/" in project, project
    path = project[project.index("/id/") :]
    page = httpx.get(f"{service.url}{path}", headers={"Accept": "text/html"}, timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert "published by" in html, "the page names the file's publisher"
    assert "licence" in html, "and the licence it was published under"

    # the workbook's illustrative projects are still there, beside the real ones
    illustrative = _select(
        service.url,
        f"PREFIX sic: <{SIC}> SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a sic:Project "
        "FILTER NOT EXISTS { ?p sic:iatiIdentifier ?id } }",
    )
    assert int(illustrative[0]["n"]["value"]) > 0

    # proposed links wait for a person: the gaps say how many, and count none as coverage
    gaps = httpx.get(
        f"{service.url}/api/queries/uncovered-activities",
        headers={"Accept": "application/json"},
        timeout=TIMEOUT,
    )
    assert gaps.status_code == 200, gaps.text[:300]
    waiting = [int(r.get("waiting_links") or 0) for r in gaps.json()["rows"]]
    assert sum(waiting) > 0, "the proposed links wait for a person"
