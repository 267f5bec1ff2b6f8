"""Issue 17: POST /api/names names this service's IRIs for the query editor's result table,
the way the results page names them (in the reader's language, English marked as a stand-in),
and refuses a body that is not a list of IRIs, or too long a list, with a JSON 4xx."""

from __future__ import annotations

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
from queries.result_labels import MAX_NAMED

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "https://w3id.org/4p1000/"
TRANSLATED = f"{BASE}id/activity/A1.01"
"""Titled in English and French in the reference data."""
ENGLISH_ONLY = f"{BASE}id/activity/A1.03"
"""Titled in English only in the reference data."""
ELSEWHERE = "http://example.org/elsewhere"
UNNAMED_KIND = f"{BASE}id/funding/ndc-soil-helpdesk.gshf.committed"
"""A kind no query names."""
NO_SUCH = f"{BASE}id/organisation/NOPE"


@pytest.fixture(scope="module")
def client(reference: Path, write_checker: Any) -> Iterator[TestClient]:
    store = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(store)
    store.load_source(read_source(reference, base=store.base))
    settings = Settings(store=Path("/nonexistent/unused"), query_workers=1)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c
    store.close()


def names(client: TestClient, body: Any, **headers: str) -> Any:
    response = client.post("/api/names", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_names_in_english(client: TestClient) -> None:
    found = names(client, [TRANSLATED, ENGLISH_ONLY], **{"Accept-Language": "en"})
    assert set(found) == {TRANSLATED, ENGLISH_ONLY}
    assert found[TRANSLATED]["lang"] == "en"
    assert found[TRANSLATED]["fallback"] is False
    assert found[TRANSLATED]["note"] is None
    assert found[TRANSLATED]["name"]


def test_names_in_french_with_english_standing_in(client: TestClient) -> None:
    english = names(client, [TRANSLATED, ENGLISH_ONLY], **{"Accept-Language": "en"})
    found = client.post("/api/names?lang=fr", json=[TRANSLATED, ENGLISH_ONLY]).json()
    assert found[TRANSLATED]["lang"] == "fr"
    assert found[TRANSLATED]["fallback"] is False
    assert found[TRANSLATED]["name"] != english[TRANSLATED]["name"]
    assert found[ENGLISH_ONLY] == {
        "name": english[ENGLISH_ONLY]["name"],
        "lang": "en",
        "fallback": True,
        "note": "affiché en anglais : pas encore disponible en français",
    }


def test_accept_language_chooses_too(client: TestClient) -> None:
    found = names(client, [TRANSLATED], **{"Accept-Language": "fr-FR,fr;q=0.9"})
    assert found[TRANSLATED]["lang"] == "fr"


def test_other_iris_are_left_out(client: TestClient) -> None:
    asked = [ELSEWHERE, UNNAMED_KIND, NO_SUCH, "not an IRI", TRANSLATED, TRANSLATED]
    found = names(client, asked)
    assert list(found) == [TRANSLATED]
    assert names(client, []) == {}


def test_at_most_max_named(client: TestClient) -> None:
    full = [f"{BASE}id/activity/X{n}" for n in range(MAX_NAMED)]
    assert names(client, full) == {}  # none of them exists: no names, but accepted
    response = client.post("/api/names", json=[*full, TRANSLATED])
    assert response.status_code == 413
    assert "500" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b'{"iri": "x"}', b'"x"', b"[1, 2]", b'["x", null]', b"\xff\xfe"],
)
def test_a_bad_body_is_refused_as_json(client: TestClient, body: bytes) -> None:
    response = client.post("/api/names", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The body must be")


def test_documented_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/names"]["post"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Names"}
    assert set(spec["components"]["schemas"]["Name"]["properties"]) == {
        "name",
        "lang",
        "fallback",
        "note",
    }
    assert {"400", "413"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["maxItems"] == MAX_NAMED
