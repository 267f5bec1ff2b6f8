"""/docs works without internet: swagger-ui comes from this service, never from a CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from graph.embedded import EmbeddedStore


def test_docs_need_no_cdn() -> None:
    with TestClient(create_app(Settings(), store=EmbeddedStore(None))) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
        assert assets and all(a.startswith("/") for a in assets), assets
        for asset in assets:
            got = client.get(asset)
            assert got.status_code == 200, asset
        assert client.get("/redoc").status_code == 404
