"""The search box and the error pages on a real `sic serve`: forked workers keep the index of
their store version, so a name written a moment ago is found by the next search, and a browser
that mistypes an address gets a page while a program gets JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "search" / "west-africa.ttl"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_search_and_error_pages_on_a_live_service(sic_service: Callable[..., Any]) -> None:
    service = sic_service()
    with httpx.Client(base_url=service.url, timeout=30) as http:
        first = http.get("/api/search", params={"q": "iscrn", "lang": "es"}).json()
        assert first["results"][0]["key"] == "soilnet-intl"
        hostile = http.get("/api/search", params={"q": '"AND (NOT* OR'})
        assert hostile.status_code == 200 and hostile.json()["results"] == []
        assert http.get("/api/search", params={"q": "senegal"}).json()["results"] == []

        written = http.post(
            "/data",
            params={"default": ""},
            content=FIXTURE.read_bytes(),
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {service.token}"},
        )
        assert written.status_code in (200, 201, 204), written.text
        after = http.get("/api/search", params={"q": "Sénégal"}).json()["results"]
        assert after[0]["key"] == "isra-test"
        page = http.get("/search", params={"q": "cote d'ivoire"}, headers={"Accept": BROWSER})
        assert page.status_code == 200 and "/id/organisation/cnra-ci-test" in page.text

        missing = http.get("/nowhere", headers={"Accept": BROWSER, "Accept-Language": "fr"})
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "text/html; charset=utf-8"
        assert "<h1>Introuvable</h1>" in missing.text
        assert http.get("/nowhere").json() == {"detail": "Not Found"}
