"""Kept RDF descriptions are served only for the store version they were built from."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-token-for-the-description-cache-test"


def test_a_write_replaces_kept_descriptions() -> None:
    store = EmbeddedStore(None)
    ensure_ontology(store)
    store.load_source(read_source(ROOT / "data" / "reference", base=store.base))
    app = create_app(Settings(write_token=SecretStr(TOKEN)), store=store)
    with TestClient(app) as client:
        url = "/id/activity/A1.05"
        first = client.get(url, headers={"Accept": "text/turtle"})
        again = client.get(url, headers={"Accept": "text/turtle"})
        assert first.status_code == again.status_code == 200
        assert first.content == again.content and first.headers["ETag"] == again.headers["ETag"]
        update = (
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "INSERT DATA { <https://w3id.org/4p1000/id/activity/A1.05> skos:note 'kept?' }"
        )
        done = client.post(
            "/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert done.status_code in (200, 204), done.text
        after = client.get(url, headers={"Accept": "text/turtle"})
        assert after.headers["ETag"] != first.headers["ETag"]
        assert "kept?" in after.text and "kept?" not in first.text
        jsonld = client.get(url, headers={"Accept": "application/ld+json"})
        assert jsonld.status_code == 200 and "kept?" in jsonld.text
