"""The project and alliance pages over HTTP from a real `sic serve` (forked workers, memory copy).

The page is built in a query worker, and its suggestions on a thread of that worker under half
the query time limit: only a real service shows the thread runs there and the page comes back
whole, with its team, funding, timeline and suggestions (or the note that they took too long).
"""

from __future__ import annotations

import re
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(60.0, connect=5.0)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers={"Accept": BROWSER, **headers}, timeout=TIMEOUT)


def test_a_project_page_over_http(reference_service: Any) -> None:
    r = _get(f"{reference_service.url}/id/project/ndc-soil-helpdesk", **{"Accept-Language": "fr"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    page = r.text
    team = re.findall(r'<tr data-organisation="([^"]+)" data-role="([^"]+)">', page)
    assert team[0] == ("gshf", "lead") and len(team) == 4
    assert '<data value="650000">650\u202f000</data>' in page and "Financement" in page
    assert 'id="timeline-title"' in page
    partners = page[page.index('id="partners"') : page.index('id="funders"')]
    assert 'data-suggestions="timed-out"' in partners or re.search(
        r'<li data-organisation="(?!gshf|francophone-rda|niger-valley|pan-african-soil)', partners
    )
    again = _get(
        f"{reference_service.url}/id/project/ndc-soil-helpdesk",
        **{"Accept-Language": "fr", "If-None-Match": r.headers["etag"]},
    )
    assert again.status_code == 304


def test_an_alliance_page_over_http(reference_service: Any) -> None:
    r = _get(f"{reference_service.url}/id/alliance/sahel-agroforestry")
    assert r.status_code == 200, r.text[:300]
    page = r.text
    members = re.findall(r'<tr data-organisation="([^"]+)" data-role="([^"]+)">', page)
    assert members[0] == ("sahel-ssri", "lead") and len(members) == 6
    assert set(re.findall(r'<tr data-project="([^"]+)"', page)) == {
        "sahel-parklands",
        "faidherbia-scaling",
    }
    assert 'id="partners"' in page and 'id="statements"' in page
    missing = _get(f"{reference_service.url}/id/alliance/no-such-alliance")
    assert missing.status_code == 404
