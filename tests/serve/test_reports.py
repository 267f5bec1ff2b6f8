"""On a real `sic serve`: the objective report over HTTP as a page and as XLSX, its money the
same in both, and `?asOf=` before and after a stage move telling the difference.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import openpyxl
import pytest

pytestmark = [pytest.mark.server, pytest.mark.slow]

SIC = "https://w3id.org/4p1000/ontology#"
INCUBATOR = "https://w3id.org/4p1000/id/project/soil-project-incubator"
MOVE = f"""PREFIX sic: <{SIC}>
DELETE {{ <{INCUBATOR}> sic:stage ?old }}
INSERT {{ <{INCUBATOR}> sic:stage sic:StageTeam }}
WHERE {{ <{INCUBATOR}> sic:stage ?old }}"""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _now() -> str:
    time.sleep(0.05)
    moment = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    time.sleep(0.05)
    return moment.replace("+00:00", "Z")


def _stages(client: httpx.Client, **params: str) -> dict[str, str]:
    page = client.get("/reports/objective/A2", params=params, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text[:500]
    return dict(re.findall(r'<tr data-project="([\w-]+)" data-stage="(\w+)"', page.text))


def test_the_objective_report_is_served_as_page_and_workbook_and_honours_as_of(
    sic_service: Callable[..., Any],
) -> None:
    live = sic_service(env={"SIC_QUERY_WORKERS": "2"})
    with httpx.Client(base_url=live.url, timeout=60) as client:
        page = client.get("/reports/objective/A2", params={"lang": "fr"})
        assert page.status_code == 200
        assert page.headers["content-language"] == "fr"
        html_secured = {
            c: Decimal(v)
            for c, v in re.findall(
                r'<tr data-currency="(\w+)">.*?data-status="secured" data-value="([\d.]+)"',
                page.text,
                re.S,
            )
        }
        book_answer = client.get("/reports/objective/A2.xlsx", params={"lang": "fr"})
        assert book_answer.status_code == 200
        assert book_answer.headers["content-type"] == XLSX
        book = openpyxl.load_workbook(io.BytesIO(book_answer.content))
        rows = list(book.worksheets[5].values)[2:]
        assert {r[0]: Decimal(str(r[4])) for r in rows} == html_secured
        assert html_secured["EUR"] == Decimal(2350000)

        before = _now()
        moved = client.post(
            "/update",
            content=MOVE,
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {live.token}",
            },
        )
        assert moved.status_code == 204, moved.text
        assert _stages(client)["soil-project-incubator"] == "team"
        assert _stages(client, asOf=before)["soil-project-incubator"] == "idea"
        client.cookies.clear()  # an English reader (the French report remembered French)
        then = client.get("/reports/objective/A2.xlsx", params={"asOf": before})
        assert then.status_code == 200
        assert then.headers["SIC-As-Of"]
        stages = dict(
            list(openpyxl.load_workbook(io.BytesIO(then.content)).worksheets[3].values)[2:]
        )
        assert stages.get("Project idea") == 1 and "Team formed" not in stages
        assert client.get("/reports/objective/Z9.xlsx").status_code == 404
