"""The charts' scripts through a real `sic serve`: the dashboard and an objective page name the
vendored uPlot, its stylesheet and api/static/charts.js, all from the service itself, each sent
with its type and gzip-compressed to a browser that accepts it, whole to one that does not; the
figures they draw travel in the page as JSON beside the server's SVG, which stays."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
CHART_ASSETS = {
    "/static/vendor/uplot/uPlot.iife.min.js": "text/javascript",
    "/static/vendor/uplot/uPlot.min.css": "text/css",
    "/static/charts.js": "text/javascript",
}
DATA = re.compile(r'<script type="application/json" class="chart-data">(.*?)</script>', re.S)


@pytest.mark.parametrize(
    ("path", "fallback", "kind"),
    [("/", "svg", "progress"), ("/id/objective/C1", "svg", "trajectory")],
)
def test_a_chart_page_names_the_services_own_chart_scripts(
    reference_service: Any, path: str, fallback: str, kind: str
) -> None:
    with httpx.Client(base_url=reference_service.url, timeout=30.0) as http:
        page = http.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 200
    # charts.js asks for uPlot's stylesheet itself (data-css), so that it holds up no rendering
    named = re.findall(r'(?:src|href|data-css)="(/static/[^"]+)"', page.text)
    assert set(CHART_ASSETS) <= set(named)
    # no script on the page comes from elsewhere
    assert not re.search(r'<script[^>]+src="(?!/static/)', page.text)
    charts = [json.loads(found) for found in DATA.findall(page.text)]
    assert charts and {c["kind"] for c in charts} == {kind}
    # the server's drawing is still there for print and for browsers without JavaScript
    assert page.text.count(f"<{fallback} ") >= len(charts)


def test_the_chart_scripts_are_sent_typed_and_compressed(reference_service: Any) -> None:
    with httpx.Client(base_url=reference_service.url, timeout=30.0) as http:
        for asset, media_type in CHART_ASSETS.items():
            original = (STATIC / asset.removeprefix("/static/")).read_bytes()
            with http.stream("GET", asset, headers={"Accept-Encoding": "gzip"}) as sent:
                assert sent.status_code == 200, asset
                assert sent.headers["content-type"].startswith(media_type), asset
                assert sent.headers["content-encoding"] == "gzip", asset
                body = b"".join(sent.iter_raw())
            assert gzip.decompress(body) == original, asset
            if len(original) > 10_000:
                assert len(body) < len(original) / 2, asset
            whole = http.get(asset, headers={"Accept-Encoding": "identity"})
            assert "content-encoding" not in whole.headers and whole.content == original
