"""GET /api/search and GET /search through the app: JSON for programs, a page for people.

The index itself is tested in tests/queries/test_search.py; these pin the HTTP side: the
parameters and their bounds, the language of the names, the box in every page's header, and
that a name written through the Graph Store Protocol (to the default graph) is found by the
very next search.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "search" / "west-africa.ttl"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def client(make_client: Callable[..., Any], write_checker: Any, reference: Path) -> Any:
    store = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(store)
    store.load_source(read_source(reference, base=store.base))
    return make_client(store)


def search(client: Any, q: str, **params: Any) -> Any:
    r = client.get("/api/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


def test_json_results_best_first_named_in_the_language_asked(client: Any) -> None:
    body = search(client, "A1.05", lang="fr")
    assert body["lang"] == "fr" and body["limit"] == 10
    first = body["results"][0]
    assert first == {
        "kind": "activity",
        "key": "A1.05",
        "name": "Carbone des tourbières et zones humides dans les CDN",
        "name_language": "fr",
        "code": "A1.05",
        "acronym": None,
        "matched": "A1.05",
        "path": "/id/activity/A1.05",
    }
    assert client.get(first["path"], headers={"Accept": BROWSER}).status_code == 200
    # Accept-Language chooses the language when ?lang= does not
    r = client.get("/api/search", params={"q": "suelo"}, headers={"Accept-Language": "es"})
    assert r.json()["lang"] == "es" and r.json()["results"][0]["name"] == "suelo"


def test_acronyms_and_objective_codes(client: Any) -> None:
    assert search(client, "iscrn")["results"][0]["key"] == "soilnet-intl"
    kinds = [(h["kind"], h["key"]) for h in search(client, "c3", limit=2)["results"]]
    assert set(kinds) == {("objective", "C3"), ("taskforce", "C3")}


def test_the_limit_and_the_text_are_bounded(client: Any) -> None:
    assert len(search(client, "soil", limit=3)["results"]) == 3
    for bad in ({"limit": 0}, {"limit": 51}, {"limit": "x"}, {"lang": "de"}, {"q": "x" * 1001}):
        r = client.get("/api/search", params={"q": "soil", **bad})
        assert r.status_code == 422, bad
        assert r.headers["content-type"] == "application/json"
    assert search(client, "")["results"] == []


@pytest.mark.parametrize(
    "typed", ['"', "AND", "peat OR", "NOT", "*", "(", 'peat" NEAR(a b', "col:val", "%", "\\"]
)
def test_fts_syntax_typed_by_a_person_is_not_an_error(client: Any, typed: str) -> None:
    search(client, typed)
    page = client.get("/search", params={"q": typed}, headers={"Accept": BROWSER})
    assert page.status_code == 200


def test_a_name_written_is_found_by_the_next_search(client: Any, write_token: str) -> None:
    assert search(client, "senegal")["results"] == []
    r = client.post(
        "/data",
        params={"default": ""},  # the default graph: what queries and the pages see
        content=FIXTURE.read_bytes(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {write_token}"},
    )
    assert r.status_code == 201, r.text
    assert search(client, "Senegal")["results"][0]["key"] == "isra-test"
    assert search(client, "cote d'ivoire")["results"][0]["key"] == "cnra-ci-test"
    assert search(client, "cnra-t")["results"][0]["acronym"] == "CNRA-T"


def test_the_search_page_lists_the_results_in_the_readers_language(client: Any) -> None:
    r = client.get("/search", params={"q": "suelo", "lang": "es"}, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-language"] == "es"
    links = re.findall(r'<ol class="search-results">.*?</ol>', r.text, re.S)[0]
    assert 'href="/id/topic/soil?lang=es"' in links and ">suelo</a>" in links
    client.cookies.clear()  # another reader (the page above remembered Spanish)
    empty = client.get("/search", params={"q": "zzzzqq"}, headers={"Accept": BROWSER})
    assert "Nothing matches this search." in empty.text
    assert 'value="zzzzqq"' in empty.text


@pytest.mark.parametrize("path", ["/", "/gaps", "/queries", "/network", "/load", "/search"])
def test_every_page_has_the_search_box_as_a_plain_form(client: Any, path: str) -> None:
    html = client.get(path, headers={"Accept": BROWSER}).text
    form = re.search(r'<form class="site-search"[^>]*>.*?</form>', html, re.S)
    assert form is not None, path
    assert 'method="get" action="/search"' in form.group(0)
    assert 'role="listbox"' in form.group(0) and 'name="q"' in form.group(0)
    assert '<script src="/static/search.js" defer></script>' in html
    script = client.get("/static/search.js")
    assert script.status_code == 200 and "aria-activedescendant" in script.text
