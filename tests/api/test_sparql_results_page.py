"""A /sparql?query= link opened in a browser: the answer as a page, not a downloaded file.

SPARQL clients (an Accept naming a results or RDF format, `*/*`, or none) keep getting the
protocol's formats; only a client that prefers HTML to all of them gets the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BASE = "https://w3id.org/4p1000/"
SELECT = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?thing ?label WHERE { VALUES (?thing ?label) { "
    f'(<{BASE}id/activity/A1.01> "Soil"@en) (<http://example.org/elsewhere> "ailleurs"@fr) }} }}'
)


@pytest.fixture
def client(make_client: Callable[..., Any], memory_store: Any) -> Any:
    return make_client(memory_store)


def test_a_browser_gets_a_table_with_compact_iris_and_links(client: Any) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<th scope="col">thing</th>' in html and '<th scope="col">label</th>' in html
    # this service's IRIs link to their page here; others keep their own address
    assert f'href="/id/activity/A1.01" title="{BASE}id/activity/A1.01">id/activity/A1.01<' in html
    assert 'href="http://example.org/elsewhere"' in html
    assert "@fr" in html and "Soil" in html
    assert "2 rows" in html
    assert "<textarea" in html and "VALUES (?thing ?label)" in html


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/sparql-results+json", "application/sparql-results+xml"],
)
def test_sparql_clients_keep_the_protocols_formats(client: Any, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+")


def test_a_graph_answer_is_shown_as_turtle(client: Any) -> None:
    query = f"CONSTRUCT {{ <{BASE}id/activity/A1.01> <http://example.org/p> 1 }} WHERE {{}}"
    r = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert '<pre id="graph-result">' in r.text and "example.org/p" in r.text


def test_a_malformed_query_is_a_page_with_the_caret(client: Any) -> None:
    r = client.get("/sparql", params={"query": "SELEC ?x WHERE {"}, headers={"Accept": BROWSER})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "did you mean SELECT?" in r.text
    assert "  SELEC ?x WHERE {\n  ^" in r.text
