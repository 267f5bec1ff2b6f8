"""Issue 17 on a real `sic serve`: the results page of a /sparql?query= link names this
service's activities in the page's language (the names read in the worker that ran the query),
their path beside them, and keeps other IRIs compact."""

from __future__ import annotations

from typing import Any

import httpx

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUERY = (
    "PREFIX sic: <https://w3id.org/4p1000/ontology#> "
    "SELECT ?activity ?class WHERE { ?activity a sic:Activity, ?class } "
    "ORDER BY ?activity LIMIT 3"
)


def test_activities_are_named_in_the_pages_language(reference_service: Any) -> None:
    with httpx.Client(base_url=reference_service.url, timeout=30.0) as http:
        pages = {
            lang: http.get(
                "/sparql", params={"query": QUERY, "lang": lang}, headers={"Accept": BROWSER}
            )
            for lang in ("en", "fr")
        }
    for page in pages.values():
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.text.count('<a href="/id/activity/') == 3
        assert '<span class="iri">id/activity/A1.01</span></a>' in page.text
        assert ">sic:Activity</a>" in page.text  # an ontology term stays compact
    en, fr = pages["en"].text, pages["fr"].text
    assert '<span lang="en">Review soil health and SOC content of current NDCs</span>' in en
    assert '<span lang="fr">Analyse de la place des sols dans les CDN actuelles</span>' in fr
    assert 'class="fallback"' not in en
    # A1.03 is titled in English only: its French page marks the English title
    assert '<span lang="en">Peer exchange between countries revising their NDCs</span>' in fr
    assert '<span aria-hidden="true" lang="en">EN</span>' in fr
