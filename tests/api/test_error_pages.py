"""Errors on every path: an HTML page for a browser, the JSON body for every other client.

api.error_pages chooses on Accept alone: text/html first is a browser; `*/*`, no Accept and
JSON keep `{"detail": ...}`. Status and headers (Allow) are the same either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.error_pages import wants_html
from graph.embedded import EmbeddedStore

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def client(make_client: Callable[..., Any], write_checker: Any, tmp_path: Path) -> Any:
    return make_client(EmbeddedStore(None, checker=write_checker), max_query_kb=1)


def heading(html: str) -> tuple[str, str]:
    found = re.search(r"<h1>(.*?)</h1>\s*<p class=\"error\" role=\"alert\">(.*?)</p>", html, re.S)
    assert found is not None, html[:500]
    return found.group(1), found.group(2)


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("application/xhtml+xml", True),
        ("text/html;q=0.5, application/json", False),
        ("*/*", False),
        (None, False),
        ("application/json", False),
        ("application/sparql-results+json", False),
        ("image/png", False),
    ],
)
def test_who_gets_a_page(accept: str | None, html: bool) -> None:
    assert wants_html(accept) is html


@pytest.mark.parametrize(
    ("lang", "title", "sentence"),
    [
        ("en", "Not found", "There is no page at this address."),
        ("fr", "Introuvable", "Il n&#39;y a pas de page à cette adresse."),
        ("es", "No encontrado", "No hay ninguna página en esta dirección."),
    ],
)
def test_an_unknown_path_is_a_page_in_the_readers_language(
    client: Any, lang: str, title: str, sentence: str
) -> None:
    r = client.get("/no/such/page", headers={"Accept": BROWSER, "Accept-Language": lang})
    assert r.status_code == 404
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-language"] == lang and "Accept" in r.headers["vary"]
    assert f'<html lang="{lang}">' in r.text
    assert heading(r.text) == (title, sentence)
    assert 'class="site-search"' in r.text  # the site's header, with its search box


def test_api_clients_still_get_json(client: Any) -> None:
    for accept in (None, "*/*", "application/json"):
        r = client.get("/no/such/page", headers={"Accept": accept} if accept else {})
        assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    r = client.get("/api/search", params={"limit": 99})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]


def test_405_keeps_allow(client: Any) -> None:
    r = client.delete("/gaps", headers={"Accept": BROWSER})
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert heading(r.text)[0] == "This address does not take this kind of request"
    assert client.delete("/gaps").json() == {"detail": "Method Not Allowed"}


def test_422_names_the_parameter(client: Any) -> None:
    r = client.get("/api/search", params={"limit": 99}, headers={"Accept": BROWSER})
    assert r.status_code == 422
    assert heading(r.text) == (
        "A parameter of the request is not valid",
        "query parameter limit: Input should be less than or equal to 50",
    )


def test_406_and_413_for_a_browser(client: Any) -> None:
    r = client.get("/data", params={"default": ""}, headers={"Accept": "text/html"})
    assert r.status_code == 406 and r.headers["content-type"].startswith("text/html")
    assert heading(r.text)[0] == "This resource is not available in the format asked for"
    assert "text/turtle" in heading(r.text)[1]  # what is on offer
    r = client.get("/data", params={"default": ""}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/turtle" in r.json()["acceptable"]
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2048
    r = client.post(
        "/sparql",
        content=big,
        headers={"Content-Type": "application/sparql-query", "Accept": BROWSER},
    )
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert heading(r.text)[0] == "The request is too large"
    r = client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "SIC_MAX_QUERY_KB" in r.json()["detail"]


def test_an_error_of_the_platform_is_a_page_too(client: Any) -> None:
    r = client.get("/api/queries/no-such-question", headers={"Accept": BROWSER})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "no-such-question" in heading(r.text)[1]
    assert client.get("/api/queries/no-such-question").headers["content-type"] == (
        "application/json"
    )
