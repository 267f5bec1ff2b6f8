"""The reader's language, over HTTP to a real `sic serve`: reasons in Spanish from the header.

Accept-Language is one of the headers that shape an answer (api.in_worker keeps answers per
header value), so the same URL asked in two languages must come back in two languages, from
the forked workers as from the test client.
"""

from __future__ import annotations

from typing import Any

import httpx

from queries.catalogue import question

TIMEOUT = httpx.Timeout(60.0, connect=5.0)


def test_candidates_in_spanish_from_accept_language(reference_service: Any) -> None:
    url = f"{reference_service.url}/api/activities/A2.07/candidates"
    spanish = httpx.get(url, headers={"Accept-Language": "es-ES,es;q=0.9"}, timeout=TIMEOUT)
    assert spanish.status_code == 200, spanish.text[:300]
    first = spanish.json()["candidates"][0]
    assert set(first["reasons"][0]) == {"signal", "weight", "value", "text", "evidence"}
    texts = [r["text"] for r in first["reasons"]]
    assert texts[0].startswith("Comparte 3 de los 4 temas de la actividad")
    english = httpx.get(url, headers={"Accept-Language": "en"}, timeout=TIMEOUT).json()
    assert english["candidates"][0]["reasons"][0]["text"].startswith("Shares 3 of 4 topics")
    assert [r["signal"] for r in english["candidates"][0]["reasons"]] == [
        r["signal"] for r in first["reasons"]
    ]
    refused = httpx.get(url, params={"lang": "de"}, timeout=TIMEOUT)
    assert refused.status_code == 400 and "'lang'" in refused.json()["detail"]


def test_the_catalogue_in_spanish_from_a_real_server(reference_service: Any) -> None:
    """/queries and /api/queries from the forked workers: Spanish summaries, no English."""
    english = question("uncovered-activities").summary
    page = httpx.get(
        f"{reference_service.url}/queries",
        params={"lang": "es"},
        headers={"Accept": "text/html"},
        timeout=TIMEOUT,
    )
    assert page.status_code == 200 and page.headers["content-language"] == "es"
    assert "Actividades del mecanismo global que ningún proyecto activo aborda" in page.text
    assert english not in page.text
    listed = httpx.get(
        f"{reference_service.url}/api/queries",
        headers={"Accept-Language": "es-ES,es;q=0.9"},
        timeout=TIMEOUT,
    )
    assert listed.status_code == 200 and listed.json()["language"] == "es"
    found = {q["name"]: q for q in listed.json()["queries"]}
    assert found["uncovered-activities"]["title"] == "Actividades sin cubrir"
    ontology = httpx.get(
        f"{reference_service.url}/ontology",
        params={"lang": "es"},
        headers={"Accept": "text/html"},
        timeout=TIMEOUT,
    )
    assert ontology.status_code == 200 and "<h1>La ontología SIC</h1>" in ontology.text
