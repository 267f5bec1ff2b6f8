"""The fallback badge on the dashboard, project and alliance pages: a name the reference data
has only in English, shown on a French or Spanish page, carries the badge that says so (right
after the name), and a name shown in the page's language carries none."""

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

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PROJECT = "ndc-soil-helpdesk"
ALLIANCE = "sahel-agroforestry"
TRANSLATED_ALLIANCE = "ndc-soil-targets"
"""The reference data names both alliances in French as well as English, not in Spanish."""
BADGE = (
    r'<span class="fallback" lang="{lang}" title="[^"]+">'
    r'<span aria-hidden="true" lang="en">EN</span>'
)
NAMED_IN_ENGLISH = re.compile(r'(?<!aria-hidden="true" )lang="en">([^<]+)</(?:a|span)>(?:</a>)?')


@pytest.fixture(scope="module")
def client(reference: Path, write_checker: Any) -> Iterator[TestClient]:
    store = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(store)
    store.load_source(read_source(reference, base=store.base))
    settings = Settings(store=Path("/nonexistent/unused"), query_workers=1)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c
    store.close()


def page(client: TestClient, path: str, lang: str) -> str:
    r = client.get(path, params={"lang": lang}, headers={"Accept": BROWSER})
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
    return r.text


def part(html: str, start: str, end: str) -> str:
    at = html.index(start)
    return html[at : html.index(end, at)]


def english_names(fragment: str, lang: str) -> tuple[list[str], list[str]]:
    """(names in English followed by the page language's badge, names in English without)."""
    marked, bare = [], []
    badge = re.compile(BADGE.format(lang=lang))
    for m in NAMED_IN_ENGLISH.finditer(fragment):
        (marked if badge.match(fragment, m.end()) else bare).append(m.group(1))
    return marked, bare


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_dashboard_marks_english_activity_names(client: TestClient, lang: str) -> None:
    urgent = part(page(client, "/", lang), '<ol class="urgent-gaps">', "</ol>")
    marked, bare = english_names(urgent, lang)
    # the reference data names these activities in French, not in Spanish
    assert bool(marked) == (lang == "es"), marked
    assert not bare, f"English names without the badge on /?lang={lang}: {bare}"


def test_the_english_dashboard_has_no_badge(client: TestClient) -> None:
    html = page(client, "/", "en")
    assert 'class="fallback"' not in html
    assert NAMED_IN_ENGLISH.search(part(html, '<ol class="urgent-gaps">', "</ol>"))


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_a_project_page_marks_its_english_names(client: TestClient, lang: str) -> None:
    html = page(client, f"/id/project/{PROJECT}", lang)
    activities = part(html, 'id="activities"', "</section>")
    marked, bare = english_names(activities, lang)
    assert marked and not bare, (marked, bare)
    alliance = part(html, '<p class="note">', "</p>")
    assert f'href="/id/alliance/{TRANSLATED_ALLIANCE}' in alliance
    # named in French: no badge in French; not in Spanish: the badge
    assert bool(re.search(BADGE.format(lang=lang), alliance)) == (lang == "es")


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_an_alliance_page_marks_its_english_names(client: TestClient, lang: str) -> None:
    html = page(client, f"/id/alliance/{ALLIANCE}", lang)
    title = part(html, "<h1", "</h1>")
    if lang == "es":
        assert title.startswith('<h1 lang="en">Sahel Agroforestry Alliance')
        assert re.search(BADGE.format(lang=lang), title)
    else:
        assert title.startswith("<h1>") and 'class="fallback"' not in title
    marked, bare = english_names(part(html, 'id="activities"', "</section>"), lang)
    assert marked and not bare, (marked, bare)


def test_english_pages_have_no_badge(client: TestClient) -> None:
    for path in (f"/id/project/{PROJECT}", f"/id/alliance/{ALLIANCE}"):
        assert 'class="fallback"' not in page(client, path, "en")
