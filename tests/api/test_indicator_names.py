"""Indicator names in the page's language, English with the fallback badge where the data
lacks it (issue 17): data/reference/indicators.csv names A1's indicator in French, not in
Spanish. The objective page's charts, the dashboard's table, the report (page and workbook) and
the trajectory CSV all say it the same way."""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

FRENCH = "CDN qui précisent des cibles, politiques ou mesures pour le COS"
ENGLISH = "NDCs that specify SOC, peatland or wetland targets, policies or measures"
INDICATOR = "a1-ndcs-with-soc"
PAGE = {"Accept": "text/html"}


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


def _figure(page: str) -> str:
    return html.unescape(
        page.split(f'data-indicator="{INDICATOR}"', 1)[1].split("</figcaption>")[0]
    )


@pytest.mark.parametrize("path", ["/id/objective/A1", "/reports/objective/A1"])
def test_the_charts_name_the_indicator_in_the_page_language(client: Any, path: str) -> None:
    french = _figure(client.get(path, params={"lang": "fr"}, headers=PAGE).text)
    assert FRENCH in french and 'lang="fr"' in french and 'class="fallback"' not in french
    spanish = _figure(client.get(path, params={"lang": "es"}, headers=PAGE).text)
    assert ENGLISH in spanish and 'class="fallback"' in spanish and 'lang="en"' in spanish
    english = _figure(client.get(path, params={"lang": "en"}, headers=PAGE).text)
    assert ENGLISH in english and 'class="fallback"' not in english


def test_the_dashboard_table_names_it_so_too(client: Any) -> None:
    def row(lang: str) -> str:
        page = client.get("/", params={"lang": lang}).text
        return html.unescape(page.split(f'data-indicator="{INDICATOR}"', 1)[1].split("</tr>")[0])

    assert FRENCH in row("fr") and 'class="fallback"' not in row("fr")
    assert ENGLISH in row("es") and 'class="fallback"' in row("es")


def test_the_workbook_marks_an_english_name(client: Any) -> None:
    def name(lang: str) -> str:
        answer = client.get("/reports/objective/A1.xlsx", params={"lang": lang})
        book = openpyxl.load_workbook(io.BytesIO(answer.content))
        for sheet in book.worksheets:
            for cells in sheet.iter_rows(values_only=True):
                if cells and cells[0] == INDICATOR:
                    return str(cells[1])
        raise AssertionError(f"no row of {INDICATOR} in the {lang} workbook")

    assert name("fr").startswith(FRENCH) and not name("fr").endswith("(EN)")
    assert name("es") == f"{ENGLISH} (EN)"
    assert name("en") == ENGLISH


def test_the_csv_says_the_language_of_each_name(client: Any) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/objectives/A1/trajectory.csv", params={"lang": "fr"}).text)
        )
    )
    assert rows and all(r["name"].startswith(FRENCH) and r["name_lang"] == "fr" for r in rows)
    spanish = client.get("/objectives/A1/trajectory.csv", params={"lang": "es"}).text
    assert {r["name_lang"] for r in csv.DictReader(io.StringIO(spanish))} == {"en"}
