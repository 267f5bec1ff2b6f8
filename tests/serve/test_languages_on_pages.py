"""The page languages over HTTP to a real `sic serve`: the fallback badge beside a name the
data has only in English, and the editor's own words handed to YASGUI in the page's language.

The forked workers render the pages as the test client does (tests/api/test_fallback_badges.py,
tests/web/test_editor_languages.py); this checks that they do it in a served process too.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(60.0, connect=5.0)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def page(service: Any, path: str, lang: str) -> str:
    r = httpx.get(
        f"{service.url}{path}", params={"lang": lang}, headers={"Accept": BROWSER}, timeout=TIMEOUT
    )
    assert r.status_code == 200, r.text[:300]
    assert f'<html lang="{lang}"' in r.text
    return r.text


def test_an_english_only_alliance_name_is_marked_on_a_spanish_page(reference_service: Any) -> None:
    title = page(reference_service, "/id/alliance/sahel-agroforestry", "es").split("<h1", 1)[1]
    title = title.split("</h1>", 1)[0]
    assert title.startswith(
        ' lang="en">Sahel Agroforestry Alliance<span class="fallback" lang="es"'
    )
    assert "inglés" in title
    english = page(reference_service, "/id/alliance/sahel-agroforestry", "en")
    assert 'class="fallback"' not in english


def test_the_editor_words_come_in_the_page_language(reference_service: Any) -> None:
    html = page(reference_service, "/sparql", "fr")
    found = re.search(
        r'<script type="application/json" id="yasgui-words" data-lang="fr">(.*?)</script>',
        html,
        flags=re.S,
    )
    assert found, "no YASGUI words on the French editor page"
    words = json.loads(found.group(1))
    assert words["run_query"] == "Exécuter la requête"
    assert words["info"] == "Lignes _START_ à _END_ sur _TOTAL_"
