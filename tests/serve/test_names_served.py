"""Issue 17 on a real `sic serve`: POST /api/names names this service's activities in the
language asked for (the names read in a query worker), leaves other IRIs out, and refuses a
body that is not a list of IRIs with a JSON 400."""

from __future__ import annotations

from typing import Any

import httpx

BASE = "https://w3id.org/4p1000/"
ASKED = [
    f"{BASE}id/activity/A1.01",  # titled in English and French
    f"{BASE}id/activity/A1.03",  # titled in English only
    "http://www.w3.org/2004/02/skos/core#Concept",
]


def test_names_in_english_and_french(reference_service: Any) -> None:
    with httpx.Client(base_url=reference_service.url, timeout=30.0) as http:
        en = http.post("/api/names", json=ASKED, headers={"Accept-Language": "en"})
        fr = http.post("/api/names", params={"lang": "fr"}, json=ASKED)
        bad = http.post("/api/names", content=b"{", headers={"Content-Type": "application/json"})
    assert en.status_code == fr.status_code == 200
    assert en.json() == {
        ASKED[0]: {
            "name": "Review soil health and SOC content of current NDCs",
            "lang": "en",
            "fallback": False,
            "note": None,
        },
        ASKED[1]: {
            "name": "Peer exchange between countries revising their NDCs",
            "lang": "en",
            "fallback": False,
            "note": None,
        },
    }
    named = fr.json()
    assert named[ASKED[0]]["name"] == "Analyse de la place des sols dans les CDN actuelles"
    assert named[ASKED[0]]["lang"] == "fr"
    assert named[ASKED[1]]["lang"] == "en" and named[ASKED[1]]["fallback"] is True
    assert ASKED[2] not in named
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/json")
    assert "detail" in bad.json()
