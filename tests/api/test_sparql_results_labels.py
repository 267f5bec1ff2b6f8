"""Issue 17: the results page of a /sparql?query= link shows this service's IRIs under their
names (the names every page shows, in the page's language, English marked by the fallback
badge where the data lacks it), their path beside them and still linked; other IRIs stay
compact with the full IRI as a tooltip."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source
from queries.result_labels import (
    NAMED_KINDS,
    PAGE_LABEL_KINDS,
    RESULT_NAME_KINDS,
    labels_of,
    own_iris,
)
from queries.sparql import rq

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BASE = "https://w3id.org/4p1000/"
TRANSLATED = "A1.01"
"""Titled in English and French in the reference data."""
ENGLISH_ONLY = "A1.03"
"""Titled in English only in the reference data."""
QUERY = (
    "SELECT ?thing WHERE { VALUES ?thing { "
    f"<{BASE}id/activity/{TRANSLATED}> <{BASE}id/activity/{ENGLISH_ONLY}> "
    "<http://www.w3.org/2004/02/skos/core#Concept> <http://example.org/elsewhere> } }"
)


@pytest.fixture(scope="module")
def client(reference: Path, write_checker: Any) -> Iterator[TestClient]:
    store = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(store)
    store.load_source(read_source(reference, base=store.base))
    settings = Settings(store=Path("/nonexistent/unused"), query_workers=1)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c
    store.close()


def cell(html: str, key: str) -> str:
    """The table cell of the activity `key`."""
    found = re.search(rf'<td><a href="/id/activity/{re.escape(key)}".*?</td>', html, re.S)
    assert found, f"no cell for {key}"
    return found.group(0)


def results(client: TestClient, lang: str) -> str:
    r = client.get("/sparql", params={"query": QUERY, "lang": lang}, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    return r.text


def test_activities_show_their_titles_in_english(client: TestClient) -> None:
    html = results(client, "en")
    translated, english = cell(html, TRANSLATED), cell(html, ENGLISH_ONLY)
    assert '<span lang="en">Review soil health and SOC content of current NDCs</span>' in translated
    assert f'<span class="iri">id/activity/{TRANSLATED}</span></a>' in translated
    assert f'title="{BASE}id/activity/{TRANSLATED}"' in translated
    assert "Peer exchange between countries revising their NDCs" in english
    assert 'class="fallback"' not in html


def test_french_titles_and_the_badge_where_one_is_missing(client: TestClient) -> None:
    html = results(client, "fr")
    translated, english = cell(html, TRANSLATED), cell(html, ENGLISH_ONLY)
    assert (
        '<span lang="fr">Analyse de la place des sols dans les CDN actuelles</span>' in translated
    )
    assert 'class="fallback"' not in translated
    assert '<span lang="en">Peer exchange between countries revising their NDCs</span>' in english
    assert re.search(
        r'<span class="fallback" lang="fr" title="[^"]+"><span aria-hidden="true" '
        r'lang="en">EN</span>',
        english,
    )
    assert f'<span class="iri">id/activity/{ENGLISH_ONLY}</span>' in english


def test_iris_outside_the_service_stay_compact(client: TestClient) -> None:
    html = results(client, "fr")
    assert (
        '<a href="http://www.w3.org/2004/02/skos/core#Concept" '
        'title="http://www.w3.org/2004/02/skos/core#Concept">skos:Concept</a>'
    ) in html
    assert 'title="http://example.org/elsewhere">' in html
    assert "4 rows" in html or "4 lignes" in html


def test_an_unnamed_iri_of_the_service_keeps_its_path(client: TestClient) -> None:
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ <{BASE}id/activity/NO-SUCH> }} }}"
    r = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER})
    assert (
        f'<a href="/id/activity/NO-SUCH" title="{BASE}id/activity/NO-SUCH">id/activity/NO-SUCH</a>'
    ) in r.text


def test_only_the_first_iris_are_looked_up() -> None:
    bindings = [{"x": {"type": "uri", "value": f"{BASE}id/activity/A{i}"}} for i in range(10)] + [
        {"x": {"type": "uri", "value": f"{BASE}id/funding/F1"}}
    ]
    answer = {"head": {"vars": ["x"]}, "results": {"bindings": bindings * 2}}
    assert own_iris(answer, BASE, limit=3) == [f"{BASE}id/activity/A{i}" for i in range(3)]
    assert len(own_iris(answer, BASE)) == 10  # distinct, and no kind page-labels never names
    assert own_iris(answer, "https://other.example/") == []


def kinds_named_by(name: str) -> set[str]:
    """The kinds of the first VALUES block of a query (its class to kind table)."""
    text = rq(name).text
    values = text[text.index("VALUES") : text.index("}", text.index("VALUES"))]
    return set(re.findall(r'"(\w+)"\)', values))


def test_the_named_kinds_are_those_the_two_queries_name() -> None:
    assert kinds_named_by("page-labels") == PAGE_LABEL_KINDS
    assert kinds_named_by("result-names") == RESULT_NAME_KINDS
    assert NAMED_KINDS == PAGE_LABEL_KINDS | RESULT_NAME_KINDS
    for name in ("page-labels", "result-names"):
        assert rq(name).param("entity").type == "iri"  # what labels_of binds
    assert rq("result-names").param("entity").required  # never read for every entity at once


def test_lookups_stop_when_their_time_is_spent(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    iri = f"{BASE}id/activity/{TRANSLATED}"
    assert labels_of(store, [iri]).find("activity", TRANSLATED, "fr") is not None
    assert labels_of(store, [iri], seconds=0).names == {}
