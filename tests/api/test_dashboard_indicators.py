"""The dashboard's table of every indicator against its 2030 target (_indicator_summary.html):
one row per indicator of data/reference/indicators.csv, its verdict the one the objective's
trajectory CSV gives, in the page's language."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
VERDICTS = {
    "en": {"on_track": "on track", "off_track": "off track"},
    "fr": {"on_track": "en bonne voie", "off_track": "en retard"},
    "es": {"on_track": "en camino", "off_track": "rezagado"},
}


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


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_dashboard_lists_every_indicator_with_its_verdict(client: Any, lang: str) -> None:
    with (REFERENCE / "indicators.csv").open(encoding="utf-8") as f:
        indicators = {r["id"]: r["objective"] for r in csv.DictReader(f)}
    html = client.get("/", params={"lang": lang}).text
    section = html.split('id="indicators-summary"', 1)[1].split("</section>", 1)[0]
    shown = dict(
        re.findall(r'data-indicator="(?:[^"]*/)?([^"/]+)" data-status="([a-z_]+)"', section)
    )
    assert set(shown) == set(indicators)
    for objective in sorted(set(indicators.values())):
        data = client.get(f"/objectives/{objective}/trajectory.csv").text
        for row in csv.DictReader(io.StringIO(data)):
            if row["kind"] == "projection":
                key = row["indicator"].rsplit("/", 1)[-1]
                assert shown[key] == row["note"]
    for status, word in VERDICTS[lang].items():
        if status in shown.values():
            assert word in section
