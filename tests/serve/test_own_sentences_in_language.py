"""The service's own sentences in French and Spanish on a real `sic serve` (issue 17).

A syntax error is explained by a forked query worker and must reach the page, and the JSON
error, with what it takes to say it again in the reader's language; indicator names and the
reasons come from the workers' renderings with their fallback badges; a refused write is said
in the page's language. Over HTTP to 127.0.0.1 only, no browser.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

TIMEOUT = httpx.Timeout(60.0, connect=5.0)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MISSPELT = "SELEC ?x WHERE { ?x ?p ?o }"
ENGINE = "(error at 1:10: expected CONSTRUCT)"
PASSWORD = "a passphrase long enough for the tests"
SIC = str(Path(sys.executable).parent / "sic")


def get(service: Any, path: str, **params: str) -> httpx.Response:
    return httpx.get(
        f"{service.url}{path}", params=params, headers={"Accept": BROWSER}, timeout=TIMEOUT
    )


def test_a_misspelt_keyword_is_explained_in_french(reference_service: Any) -> None:
    r = get(reference_service, "/sparql", query=MISSPELT, lang="fr")
    assert r.status_code == 400 and '<html lang="fr"' in r.text
    shown = html.unescape(r.text)
    assert "« SELEC » n'est pas un mot-clé SPARQL : vouliez-vous dire SELECT ?" in shown
    assert ENGINE in shown and "is not a SPARQL keyword" not in shown


def test_a_json_error_from_a_worker_carries_the_spanish_sentence(reference_service: Any) -> None:
    r = httpx.post(
        f"{reference_service.url}/sparql",
        content=MISSPELT,
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
            "Accept-Language": "es",
        },
        timeout=TIMEOUT,
    )
    assert r.status_code == 400
    body = r.json()
    assert "'SELEC' is not a SPARQL keyword" in body["detail"]
    assert body["translated"]["lang"] == "es"
    assert "«SELEC» no es una palabra clave de SPARQL" in body["translated"]["detail"]


def test_indicator_names_and_reasons_in_french_with_badges(reference_service: Any) -> None:
    french = html.unescape(get(reference_service, "/id/objective/A1", lang="fr").text)
    assert "CDN qui précisent des cibles" in french
    spanish = get(reference_service, "/id/objective/A1", lang="es").text
    caption = spanish.split('data-indicator="a1-ndcs-with-soc"', 1)[1].split("</figcaption>")[0]
    assert "NDCs that specify SOC" in caption and 'class="fallback"' in caption
    activity = get(reference_service, "/id/activity/A1.01", lang="fr").text
    reasons = "".join(re.findall(r'<ul class="reasons".*?</ul>', activity, flags=re.S))
    assert '<span lang="en">NDC Soil Targets Helpdesk</span><span class="fallback"' in reasons


@pytest.mark.server
def test_a_refused_form_in_spanish(sic_service: Callable[..., Any], tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.sqlite3"
    run = [SIC, "users"]
    made = subprocess.run(
        [*run, "add", "ana", "--role", "analyst", "--password-stdin", "--accounts", str(accounts)],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    token = subprocess.run(
        [*run, "token", "ana", "--accounts", str(accounts)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    live = sic_service(env={"SIC_ACCOUNTS_DB": str(accounts)})
    r = httpx.get(
        f"{live.url}/edit/project/ndc-soil-helpdesk/stage",
        params={"lang": "es"},
        headers={"Accept": BROWSER, "Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert r.status_code == 403 and r.headers["content-language"] == "es"
    assert "el rol Analista no puede escribir proyectos" in html.unescape(r.text)
    api = httpx.post(
        f"{live.url}/update",
        content="CLEAR DEFAULT",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/sparql-update",
            "Accept-Language": "fr",
        },
        timeout=TIMEOUT,
    )
    assert api.status_code == 403
    assert api.json()["detail"].startswith("the analyst role may not use sparql update")
    assert api.json()["translated"]["detail"].startswith("le rôle Analyste ne peut pas utiliser")
