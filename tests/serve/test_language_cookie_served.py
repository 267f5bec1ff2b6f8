"""The remembered language (the `sic_lang` cookie) over HTTP to a real `sic serve`.

The pages are rendered by forked workers and kept per store version for identical requests
(api.in_worker): this checks that the cookie's language reaches the worker, and that a page
kept for a reader with the cookie is not handed to a reader without it.
"""

from __future__ import annotations

from typing import Any

import httpx

TIMEOUT = httpx.Timeout(60.0, connect=5.0)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def html_lang(text: str) -> str:
    return text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_switcher_s_language_outlives_a_link_without_lang(reference_service: Any) -> None:
    headers = {"Accept": BROWSER, "Accept-Language": "en"}
    with httpx.Client(base_url=reference_service.url, headers=headers, timeout=TIMEOUT) as reader:
        chosen = reader.get("/", params={"lang": "es"})
        assert chosen.status_code == 200
        assert chosen.headers["set-cookie"].startswith("sic_lang=es;")
        later = reader.get("/gaps")
        assert later.status_code == 200
        assert html_lang(later.text) == "es"
        assert "cookie" in later.headers["vary"].lower()
    # the same request without the cookie: the browser's language, not the page kept above
    other = httpx.get(f"{reference_service.url}/gaps", headers=headers, timeout=TIMEOUT)
    assert other.status_code == 200
    assert html_lang(other.text) == "en"
