"""Issue 17: organisations, projects and people are named on the SPARQL results page and by
POST /api/names (queries.result_labels, result-names.rq) in English, French and Spanish, a name
without a language tag standing for every language and English for a missing one (with the
fallback badge); an IRI of this service of a kind without a name keeps its path; the names
/api/names gives are kept per store version, and a write that renames something changes them.

The reference workbook names them in English only: tests/data/names/translated-names.ttl adds
French and Spanish names, and a person's foaf:name without a tag.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
NAMES = ROOT / "tests" / "data" / "names" / "translated-names.ttl"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BASE = "https://w3id.org/4p1000/"
TOKEN = "a-token-for-the-result-names-tests"

ORGANISATION = "organisation/sahel-ssri"
"""Named in the three languages (the workbook's English, the fixture's French and Spanish),
with its acronym SSRI."""
PROJECT = "project/ndc-soil-helpdesk"
"""Titled in English and French: Spanish falls back to English."""
PERSON = "person/helena-brandt"
"""Named in English, and by a foaf:name without a language tag."""
FUNDING = "funding/ndc-soil-helpdesk.gshf.committed"
"""A kind no query names: it shows its path."""

EXPECTED = {
    (ORGANISATION, "en"): ("Sahel Soil Research Institute (SSRI)", "en"),
    (ORGANISATION, "fr"): ("Institut sahélien de recherche sur les sols (SSRI)", "fr"),
    (ORGANISATION, "es"): ("Instituto Saheliano de Investigación de Suelos (SSRI)", "es"),
    (PROJECT, "en"): ("NDC Soil Targets Helpdesk", "en"),
    (PROJECT, "fr"): ("Service d'appui aux cibles sols des CDN", "fr"),
    (PROJECT, "es"): ("NDC Soil Targets Helpdesk", "en"),
    (PERSON, "en"): ("Helena Brandt", "en"),
    (PERSON, "fr"): ("Dr. Helena Brandt", "fr"),
    (PERSON, "es"): ("Dr. Helena Brandt", "es"),
}
"""(path, page language) -> (name shown, language it is in): the workbook's names are in
organisations.csv, projects.csv and people.csv, the others in translated-names.ttl."""


def make_client(write_checker: Any) -> tuple[TestClient, EmbeddedStore]:
    store = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(store)
    store.load_source(read_source(ROOT / "data" / "reference", base=store.base))
    store.load_source(read_source(NAMES, base=store.base))
    settings = Settings(
        store=Path("/nonexistent/unused"), query_workers=1, write_token=SecretStr(TOKEN)
    )
    app = create_app(settings, store=store)
    return TestClient(app, raise_server_exceptions=False), store


@pytest.fixture(scope="module")
def client(write_checker: Any) -> Iterator[TestClient]:
    made, store = make_client(write_checker)
    with made as c:
        yield c
    store.close()


def results_page(client: TestClient, lang: str) -> str:
    things = " ".join(f"<{BASE}id/{path}>" for path in (ORGANISATION, PROJECT, PERSON, FUNDING))
    query = f"SELECT ?thing WHERE {{ VALUES ?thing {{ {things} }} }}"
    r = client.get("/sparql", params={"query": query, "lang": lang}, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    return r.text


def cell(html: str, path: str) -> str:
    found = re.search(rf'<td><a href="/id/{re.escape(path)}".*?</td>', html, re.S)
    assert found, f"no cell for {path}"
    return found.group(0)


def names(client: TestClient, paths: list[str], lang: str) -> dict[str, Any]:
    body = [f"{BASE}id/{path}" for path in paths]
    response = client.post(f"/api/names?lang={lang}", json=body)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_results_page_names_organisations_projects_and_people(
    client: TestClient, lang: str
) -> None:
    html = results_page(client, lang)
    for path in (ORGANISATION, PROJECT, PERSON):
        name, shown = EXPECTED[(path, lang)]
        found = cell(html, path)
        escaped = name.replace("'", "&#39;")
        assert f'<span lang="{shown}">{escaped}</span>' in found, found
        assert f'<span class="iri">id/{path}</span></a>' in found
        assert ('class="fallback"' in found) == (shown != lang), found


def test_a_kind_without_a_name_keeps_its_path(client: TestClient) -> None:
    html = results_page(client, "fr")
    assert f'<a href="/id/{FUNDING}" title="{BASE}id/{FUNDING}">id/{FUNDING}</a>' in cell(
        html, FUNDING
    )


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_api_names_names_organisations_projects_and_people(client: TestClient, lang: str) -> None:
    found = names(client, [ORGANISATION, PROJECT, PERSON, FUNDING], lang)
    assert set(found) == {f"{BASE}id/{p}" for p in (ORGANISATION, PROJECT, PERSON)}
    for path in (ORGANISATION, PROJECT, PERSON):
        name, shown = EXPECTED[(path, lang)]
        given = found[f"{BASE}id/{path}"]
        assert (given["name"], given["lang"]) == (name, shown)
        assert given["fallback"] is (shown != lang)
        assert (given["note"] is None) is (shown == lang)


def test_task_forces_are_named_and_their_roles_are_not(client: TestClient) -> None:
    role = f"{BASE}id/taskforce/A1#leader-helena-brandt"
    found = client.post("/api/names?lang=fr", json=[f"{BASE}id/taskforce/A1", role]).json()
    assert found == {
        f"{BASE}id/taskforce/A1": {
            "name": "Groupe de travail A1",
            "lang": "fr",
            "fallback": False,
            "note": None,
        }
    }


def test_api_names_answers_are_kept_until_a_write_renames(write_checker: Any) -> None:
    made, store = make_client(write_checker)
    iri = f"{BASE}id/{ORGANISATION}"
    with made as client:
        answers = client.app.state.runner.answers  # type: ignore[attr-defined]
        first = names(client, [ORGANISATION], "en")
        hits = answers.hits
        assert names(client, [ORGANISATION], "en") == first
        assert answers.hits == hits + 1  # the same answer, not read again
        assert first[iri]["name"] == "Sahel Soil Research Institute (SSRI)"
        update = (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"DELETE {{ GRAPH ?g {{ <{iri}> rdfs:label ?old }} }} "
            f"INSERT {{ GRAPH ?g {{ <{iri}> rdfs:label 'Sahel Institute of Soil Science'@en }} }} "
            f"WHERE {{ GRAPH ?g {{ <{iri}> rdfs:label ?old FILTER (lang(?old) = 'en') }} }}"
        )
        done = client.post(
            "/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert done.status_code in (200, 204), done.text
        after = names(client, [ORGANISATION], "en")
        assert after[iri]["name"] == "Sahel Institute of Soil Science (SSRI)"
        assert names(client, [ORGANISATION], "fr")[iri]["name"] == (
            "Institut sahélien de recherche sur les sols (SSRI)"
        )
    store.close()
