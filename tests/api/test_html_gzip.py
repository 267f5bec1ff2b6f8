"""HTML pages go gzip-compressed to clients that accept it (api/html_gzip.py): the same page,
its own ETag, revalidated with a 304; SPARQL results and JSON are never touched."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest


@pytest.fixture(scope="module")
def client(reference_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(
        store=reference_store,
        query_workers=1,
        iati_sample=False,
        accounts_db=tmp_path_factory.mktemp("acc") / "accounts.sqlite3",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_a_page_is_compressed_for_who_accepts_it_and_is_the_same_page(client: Any) -> None:
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    packed = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.text == plain.text  # httpx decodes it
    assert "Accept-Encoding" in packed.headers["vary"]
    assert packed.headers["etag"] != plain.headers["etag"]
    assert packed.headers["etag"].endswith('-gzip"')


def test_a_compressed_page_is_revalidated_with_its_own_tag(client: Any) -> None:
    first = client.get("/gaps", headers={"Accept-Encoding": "gzip"})
    tag = first.headers["etag"]
    again = client.get("/gaps", headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert again.status_code == 304
    assert again.headers["etag"] == tag
    # a client that takes no gzip holds another representation than the one that tag names
    plain = client.get("/gaps", headers={"Accept-Encoding": "identity", "If-None-Match": tag})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    # the static files keep their own compressed tags and revalidate as before
    css = client.get("/static/site.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["etag"].endswith('-gz"')
    kept = client.get(
        "/static/site.css",
        headers={"Accept-Encoding": "gzip", "If-None-Match": css.headers["etag"]},
    )
    assert kept.status_code == 304 and kept.headers["etag"] == css.headers["etag"]


def test_gzip_refused_with_q0_is_not_sent(client: Any) -> None:
    answer = client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in answer.headers


def test_protocol_answers_are_never_compressed(client: Any) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"
    for accept in ("application/sparql-results+json", "application/sparql-results+xml"):
        answer = client.get(
            "/sparql",
            params={"query": query},
            headers={"Accept": accept, "Accept-Encoding": "gzip"},
        )
        assert answer.status_code == 200 and "content-encoding" not in answer.headers
    catalogue = client.get("/api/queries", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in catalogue.headers


def test_a_real_service_sends_its_dashboard_compressed(
    live_server: Callable[..., Any], reference_copy: Path
) -> None:
    server = live_server(store=reference_copy)
    with httpx.Client(base_url=server.url, timeout=30) as raw:
        request = raw.build_request("GET", "/", headers={"Accept-Encoding": "gzip"})
        answer = raw.send(request, stream=True)
        body = b"".join(answer.iter_raw())
        answer.close()
    assert answer.headers["content-encoding"] == "gzip"
    assert len(body) == int(answer.headers["content-length"])
    assert gzip.decompress(body).startswith(b"<!doctype html>")
