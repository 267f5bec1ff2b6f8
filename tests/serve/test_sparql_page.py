"""A /sparql?query= link followed by a browser, through a real `sic serve`: a page of results,
computed in a worker like any client's answer; a SPARQL client still gets its format."""

from __future__ import annotations

from typing import Any

import httpx

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUERY = (
    "PREFIX sic: <https://w3id.org/4p1000/ontology#> "
    "SELECT ?activity ?objective WHERE { ?activity a sic:Activity ; sic:objective ?objective } "
    "ORDER BY ?activity LIMIT 5"
)


def test_a_browser_sees_a_table_and_a_client_its_format(reference_service: Any) -> None:
    with httpx.Client(base_url=reference_service.url, timeout=30.0) as http:
        page = http.get("/sparql", params={"query": QUERY}, headers={"Accept": BROWSER})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.text.count('<a href="/id/activity/') == 5
        assert "5 rows" in page.text
        xml = http.get(
            "/sparql",
            params={"query": QUERY},
            headers={"Accept": "application/sparql-results+xml"},
        )
        assert xml.headers["content-type"].startswith("application/sparql-results+xml")
        assert xml.text.count("<result>") == 5
