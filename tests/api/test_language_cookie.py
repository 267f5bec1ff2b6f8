"""The language a reader picks with the switcher is remembered in the `sic_lang` cookie.

A page asked for with `?lang=` sets the cookie; a later page without `?lang=` is read in the
cookie's language before the browser's Accept-Language; `?lang=` still wins over the cookie;
and the pages whose language may come from the cookie say `Vary: Cookie` for the caches.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.language_cookie import COOKIE, MAX_AGE
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(reference: Path, write_checker: Any) -> Iterator[TestClient]:
    store = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(store)
    store.load_source(read_source(reference, base=store.base))
    settings = Settings(store=Path("/nonexistent/unused"), query_workers=1)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c
    store.close()


def html_lang(text: str) -> str:
    return text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_choosing_a_language_sets_the_cookie(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/gaps?lang=es", headers={"Accept": BROWSER})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=es;")
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {f"max-age={MAX_AGE}", "path=/", "samesite=lax"} <= attributes


def test_a_page_without_lang_keeps_the_chosen_language(client: TestClient) -> None:
    client.cookies.clear()
    client.get("/?lang=fr", headers={"Accept": BROWSER})
    r = client.get("/gaps", headers={"Accept": BROWSER, "Accept-Language": "es,en;q=0.5"})
    assert html_lang(r.text) == "fr"
    assert r.headers["content-language"] == "fr"
    assert "set-cookie" not in r.headers  # nothing new to remember
    vary = [v.strip().lower() for v in r.headers["vary"].split(",")]
    assert "cookie" in vary and "accept-language" in vary


def test_lang_in_the_link_wins_over_the_cookie_and_replaces_it(client: TestClient) -> None:
    client.cookies.clear()
    client.cookies.set(COOKIE, "fr")
    r = client.get("/gaps?lang=en", headers={"Accept": BROWSER})
    assert html_lang(r.text) == "en"
    assert r.headers["set-cookie"].startswith(f"{COOKIE}=en;")
    assert html_lang(client.get("/gaps", headers={"Accept": BROWSER}).text) == "en"


def test_an_unknown_language_in_the_cookie_falls_back_to_the_header(client: TestClient) -> None:
    client.cookies.clear()
    client.cookies.set(COOKIE, "de")
    r = client.get("/gaps", headers={"Accept": BROWSER, "Accept-Language": "es"})
    assert html_lang(r.text) == "es"
    client.cookies.clear()
    r = client.get("/gaps?lang=xx", headers={"Accept": BROWSER, "Accept-Language": "es"})
    assert html_lang(r.text) == "es"
    assert "set-cookie" not in r.headers  # an unsupported language is not remembered


def test_a_revalidated_page_follows_the_cookie(client: TestClient) -> None:
    """The ETag holds the language: a copy in one language is not current in another."""
    client.cookies.clear()
    english = client.get("/gaps", headers={"Accept": BROWSER, "Accept-Language": "en"})
    tag = english.headers["etag"]
    client.cookies.set(COOKIE, "es")
    r = client.get(
        "/gaps", headers={"Accept": BROWSER, "Accept-Language": "en", "If-None-Match": tag}
    )
    assert r.status_code == 200
    assert html_lang(r.text) == "es"
    again = client.get(
        "/gaps",
        headers={"Accept": BROWSER, "If-None-Match": r.headers["etag"]},
    )
    assert again.status_code == 304
    assert "cookie" in again.headers["vary"].lower()


def test_machine_answers_get_no_cookie(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/api/queries?lang=fr", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert "set-cookie" not in r.headers
