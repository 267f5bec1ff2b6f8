"""The reasons on a French page mark a name the data has only in English with the fallback
badge, inside the sentence (issue 17); the JSON answer keeps its plain sentences."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

PAGE = {"Accept": "text/html"}
NAME = "NDC Soil Targets Helpdesk"  # a project the reference data names in English only


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


def _reasons(page: str) -> str:
    return "".join(re.findall(r'<ul class="reasons".*?</ul>', page, flags=re.S))


def test_an_english_name_in_a_french_reason_has_the_badge(client: Any) -> None:
    reasons = _reasons(client.get("/id/activity/A1.01", params={"lang": "fr"}, headers=PAGE).text)
    assert "Travaille sur l&#39;objectif A1" in reasons or "Travaille sur l'objectif A1" in reasons
    marked = f'<span lang="en">{NAME}</span><span class="fallback" lang="fr"'
    assert marked in reasons
    english = _reasons(client.get("/id/activity/A1.01", params={"lang": "en"}, headers=PAGE).text)
    assert NAME in english and 'class="fallback"' not in english


def test_the_json_answer_keeps_plain_sentences(client: Any) -> None:
    answer = client.get(
        "/api/queries/candidates-for-activity",
        params={"activity": "A1.01", "lang": "fr"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json"), answer.text[:300]
    texts = [r["text"] for row in answer.json()["rows"] for r in row["reasons"]]
    assert any(NAME in t for t in texts)
    assert not any(re.search(r"[\x00-\x08]", t) for t in texts)
    first = answer.json()["rows"][0]["reasons"][0]
    assert set(first) == {"signal", "weight", "value", "text", "evidence"}
