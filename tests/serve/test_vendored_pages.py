"""The editor and the network pages through a real `sic serve`: every script and stylesheet
they name is this service's own (the vendored YASGUI and cytoscape among them), sent
gzip-compressed to a browser that accepts it and whole to one that does not."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STATIC = Path(__file__).resolve().parents[2] / "api" / "static"


def test_the_pages_libraries_come_from_the_service_compressed(reference_service: Any) -> None:
    with httpx.Client(base_url=reference_service.url, timeout=30.0) as http:
        named: dict[str, list[str]] = {}
        for path in ("/sparql", "/network"):
            page = http.get(path, headers={"Accept": BROWSER})
            assert page.status_code == 200
            named[path] = re.findall(
                r'<script[^>]+src="([^"]+)"|<link rel="stylesheet" href="([^"]+)"', page.text
            )
            named[path] = [script or sheet for script, sheet in named[path]]
            assert all(asset.startswith("/static/") for asset in named[path]), named[path]
        assert "/static/vendor/yasgui/yasgui.min.js" in named["/sparql"]
        assert "/static/vendor/cytoscape/cytoscape.min.js" in named["/network"]
        for asset in {a for assets in named.values() for a in assets}:
            original = (STATIC / asset.removeprefix("/static/")).read_bytes()
            with http.stream("GET", asset, headers={"Accept-Encoding": "gzip"}) as sent:
                assert sent.headers["content-encoding"] == "gzip", asset
                assert gzip.decompress(b"".join(sent.iter_raw())) == original, asset
            whole = http.get(asset, headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in whole.headers and whole.content == original


def test_the_results_page_opens_its_query_in_the_editor(reference_service: Any) -> None:
    query = "ASK { ?s a <https://w3id.org/4p1000/ontology#Goal> }"
    with httpx.Client(base_url=reference_service.url, timeout=30.0) as http:
        page = http.get("/sparql", params={"query": query}, headers={"Accept": BROWSER}).text
    link = re.search(r'<a href="([^"]+)" id="open-editor">', page)
    assert link is not None
    assert link.group(1).startswith("/sparql#query=")
    assert unquote(link.group(1).removeprefix("/sparql#query=")) == query
