"""Reports for a meeting (api/routes/reports.py): the printable page and its XLSX workbook show
the same figures, in English, French and Spanish; unknown codes are 404; `?asOf=` is honoured;
the dashboard's progress CSV serves the figures its charts draw.

One app over a copy of the reference store. Figures are read from the page's data attributes
and from the workbook's cells (openpyxl), and the money is also checked against
data/reference/funding.csv, so neither face can agree with the other on a wrong total.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sic.iris import mint

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIC = "https://w3id.org/4p1000/ontology#"
INCUBATOR = str(mint("project", "soil-project-incubator", "https://w3id.org/4p1000/"))
MOVE = f"""PREFIX sic: <{SIC}>
DELETE {{ <{INCUBATOR}> sic:stage ?old }}
INSERT {{ <{INCUBATOR}> sic:stage sic:StageTeam }}
WHERE {{ <{INCUBATOR}> sic:stage ?old }}"""
SHEET_TITLES = {
    "en": ["Summary", "Activities by coverage", "Activities", "Projects per stage", "Projects"],
    "fr": ["Résumé", "Activités par couverture", "Activités", "Projets par étape", "Projets"],
    "es": ["Resumen", "Actividades por cobertura", "Actividades", "Proyectos por etapa"],
}


@pytest.fixture(scope="module")
def client(reference_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(
        store=reference_store,
        query_workers=2,
        iati_sample=False,
        accounts_db=tmp_path_factory.mktemp("acc") / "accounts.sqlite3",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def _money_from_csv(objective: str) -> dict[str, dict[str, Decimal]]:
    objective_of = {}
    with (REFERENCE / "activities.csv").open(encoding="utf-8") as f:
        objective_of = {a["code"]: a["objective"] for a in csv.DictReader(f)}
    with (REFERENCE / "projects.csv").open(encoding="utf-8") as f:
        mine = {
            p["id"]
            for p in csv.DictReader(f)
            if any(objective_of[a] == objective for a in p["activities"].split(";"))
        }
    money: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    with (REFERENCE / "funding.csv").open(encoding="utf-8") as f:
        for line in csv.DictReader(f):
            if line["project"] in mine:
                money[line["currency"]][line["status"]] += Decimal(line["amount"])
    return money


def _html_money(text: str) -> dict[str, dict[str, Decimal]]:
    money: dict[str, dict[str, Decimal]] = {}
    for currency, cells in re.findall(r'<tr data-currency="(\w+)">(.*?)</tr>', text, re.S):
        money[currency] = {
            s: Decimal(v)
            for s, v in re.findall(r'data-status="(\w+)" data-value="([\d.]+)"', cells)
        }
    return money


def _sheet(book: Any, index: int) -> list[tuple[Any, ...]]:
    return list(book.worksheets[index].values)


def test_the_objective_report_page_and_workbook_show_the_same_figures(client: Any) -> None:
    page = client.get("/reports/objective/A2", params={"lang": "en"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f'data-as-of="{today}"' in html
    assert 'href="/reports/objective/A2.xlsx?lang=en"' in html

    answer = client.get("/reports/objective/A2.xlsx", params={"lang": "en"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(answer.content))

    # money: page == workbook == funding.csv, as numbers
    expected = _money_from_csv("A2")
    page_money = _html_money(html)
    rows = _sheet(book, 5)[2:]
    book_money = {
        r[0]: {"pledged": r[1], "committed": r[2], "disbursed": r[3], "secured": r[4]} for r in rows
    }
    assert set(page_money) == set(book_money) == set(expected)
    for currency, by_status in expected.items():
        for status in ("pledged", "committed", "disbursed"):
            assert page_money[currency][status] == by_status[status]
            assert Decimal(str(book_money[currency][status])) == by_status[status]
            assert isinstance(book_money[currency][status], int | float)
        secured = by_status["committed"] + by_status["disbursed"]
        assert page_money[currency]["secured"] == secured
        assert Decimal(str(book_money[currency]["secured"])) == secured

    # coverage and stages: the same counts in both
    page_levels = dict(
        re.findall(
            r'<tr data-level="(\w+)"><th scope="row">[^<]*</th><td class="num" data-value="(\d+)"',
            html,
        )
    )
    book_levels = [r[1] for r in _sheet(book, 1)[2:]]
    assert [int(v) for v in page_levels.values()] == book_levels
    assert sum(book_levels) == 7  # A2 has seven activities in the reference workbook
    page_stages = re.findall(
        r'<tr data-stage="(\w+)"><th scope="row">[^<]*</th><td class="num" data-value="(\d+)"', html
    )
    assert [int(n) for _, n in page_stages] == [r[1] for r in _sheet(book, 3)[2:]]
    projects = [r[0] for r in _sheet(book, 4)[2:]]
    assert sorted(projects) == sorted(set(re.findall(r'<tr data-project="([\w-]+)"', html)))
    assert "sahel-parklands" in projects
    partners = {r[0] for r in _sheet(book, 6)[2:]}
    assert partners == set(re.findall(r'<tr data-organisation="([\w-]+)"', html))
    assert {"terra-viva", "sahel-ssri"} <= partners


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_report_speaks_the_pages_language(client: Any, lang: str) -> None:
    page = client.get("/reports/objective/A2", params={"lang": lang})
    assert page.status_code == 200
    assert page.headers["content-language"] == lang
    assert f'<html lang="{lang}">' in page.text
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/reports/objective/A2.xlsx", params={"lang": lang}).content)
    )
    titles = SHEET_TITLES[lang]
    assert book.sheetnames[: len(titles)] == titles
    for sheet in book.worksheets[1:]:
        assert sheet["A1"].value and sheet["A1"].value.startswith(sheet.title)
    words = {"en": "Secured", "fr": "Obtenu", "es": "Asegurado"}[lang]
    assert words in page.text
    assert words in [c for row in _sheet(book, 5) for c in row]


def test_the_funder_report_shows_what_its_money_reaches(client: Any) -> None:
    page = client.get("/reports/funder/terra-viva")
    assert page.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/funder/terra-viva.xlsx").content))
    with (REFERENCE / "funding.csv").open(encoding="utf-8") as f:
        lines = [r for r in csv.DictReader(f) if r["funder"] == "terra-viva"]
    expected: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        expected[line["currency"]][line["status"]] += Decimal(line["amount"])
    page_money = _html_money(page.text)
    assert {c: {s: page_money[c][s] for s in expected[c]} for c in expected} == expected
    rows = _sheet(book, 5)[2:]
    assert [r[0] for r in rows] == sorted(expected)
    projects = {r[0] for r in _sheet(book, 4)[2:]}
    assert projects == {line["project"] for line in lines}


def test_the_dashboard_links_its_progress_csv_and_the_csv_matches_the_table(client: Any) -> None:
    page = client.get("/", params={"lang": "en"})
    assert page.status_code == 200
    assert page.text.count("<svg") >= 3
    assert "/dashboard/progress.csv?series=activities" in page.text
    answer = client.get("/dashboard/progress.csv", params={"series": "activities"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    table = re.search(r'data-series="activities".*?</table>', page.text, re.S)
    assert table is not None
    cells = re.findall(
        r'data-quarter="([\w-]+)"><th scope="row">[^<]*</th>'
        r'<td class="num" data-key="activities" data-value="(\d+)"',
        table.group(0),
    )
    assert [(r["quarter"], r["value"]) for r in rows] == cells
    assert len(cells) > 20 and any(v != "0" for _, v in cells)
    # what moved: the legend gives the last quarter and the one a year before it
    now = re.search(r'data-now="(\d+)"', table.group(0))
    earlier = re.search(r'data-earlier="(\d+)"', table.group(0))
    assert now and earlier
    assert (now.group(1), earlier.group(1)) == (cells[-1][1], cells[-5][1])
    assert f"a year earlier, {cells[-5][0]}" in table.group(0)
    assert client.get("/dashboard/progress.csv", params={"series": "nope"}).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/reports/objective/Z9",
        "/reports/objective/Z9.xlsx",
        "/reports/funder/no-such-org",
        "/reports/funder/no-such-org.xlsx",
    ],
)
def test_an_unknown_code_is_404_not_500(client: Any, path: str) -> None:
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 404


def test_the_report_is_as_of_the_moment_asked(
    make_client: Callable[..., Any], reference_copy: Path, write_token: str
) -> None:
    client = make_client(store=reference_copy)
    time.sleep(0.01)
    before = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    time.sleep(0.01)
    moved = client.post(
        "/update",
        content=MOVE,
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {write_token}",
        },
    )
    assert moved.status_code == 204, moved.text

    def stages(**params: str) -> dict[str, str]:
        page = client.get("/reports/objective/A2", params=params)
        assert page.status_code == 200
        return dict(re.findall(r'<tr data-project="([\w-]+)" data-stage="(\w+)"', page.text))

    assert stages()["soil-project-incubator"] == "team"
    assert stages(asOf=before)["soil-project-incubator"] == "idea"
    then = client.get("/reports/objective/A2.xlsx", params={"asOf": before})
    book = openpyxl.load_workbook(io.BytesIO(then.content))
    summary = dict(r for r in _sheet(book, 0)[2:])
    assert summary["Figures as of"] == before[:10]
    # before the first recorded change the dataset is empty: no such objective then
    assert client.get("/reports/objective/A2", params={"asOf": "2000-01-01"}).status_code == 404
    # and the progress series as of then have no quarter; as of the move they end this quarter
    empty = client.get(
        "/dashboard/progress.csv", params={"series": "funding", "asOf": "2000-01-01"}
    )
    assert empty.status_code == 200 and empty.text.strip() == ",".join(
        ["series", "quarter", "quarter_end", "group", "key", "value"]
    )
    then_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/dashboard/progress.csv", params={"series": "funding", "asOf": before}
                ).text
            )
        )
    )
    quarter = (int(before[5:7]) - 1) // 3 + 1
    assert then_rows[-1]["quarter"] == f"{before[:4]}-Q{quarter}"


def test_the_objective_report_carries_its_indicators_as_chart_and_figures(client: Any) -> None:
    """The objective page's trajectory charts are in its report, and the workbook has their
    figures: each indicator's 2030 target as in data/reference/indicators.csv, and the same
    projection as the charts' CSV (/objectives/{code}/trajectory.csv)."""
    with (REFERENCE / "indicators.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    compared = 0
    for code in sorted({r["objective"] for r in rows}):
        expected = {r["id"]: r["target_2030"] for r in rows if r["objective"] == code}
        page = client.get(f"/reports/objective/{code}")
        assert page.status_code == 200
        assert 'id="indicators"' in page.text and "<svg" in page.text
        answer = client.get(f"/reports/objective/{code}.xlsx")
        assert answer.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(answer.content))
        sheet = book["Indicators toward the 2030 targets"[:31]]
        table = list(sheet.iter_rows(values_only=True))[2:]
        assert {row[0] for row in table} == set(expected)
        shown = client.get(f"/objectives/{code}/trajectory.csv")
        projected = {
            r["indicator"]: float(r["value"])
            for r in csv.DictReader(io.StringIO(shown.text))
            if r["kind"] == "projection"
        }
        for row in table:
            target = expected[row[0]]
            assert row[5] == (float(target) if target else None)
            assert row[7] in {"on track", "off track", "not enough data", "no numeric target"}
            assert (row[6] is None) == (row[0] not in projected)
            if row[6] is not None:
                assert abs(projected[row[0]] - row[6]) < 0.01
                compared += 1
    assert compared >= 1
