"""The dashboard's progress and a report for a meeting in a real headless Chromium.

The progress figures the dashboard draws are checked against the reference workbook's own CSV
files (not against the service); the objective report is reached from the objective page,
printed with the print stylesheet (no navigation) and saved as PDF with Playwright's
`page.pdf()`. Screenshots and the PDF go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "data" / "reference"
ARTIFACTS = ROOT / "tests" / "artifacts"


def rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def secured_today() -> dict[tuple[str, str], Decimal]:
    """(currency, objective) -> committed plus disbursed dated up to today, from the CSVs."""
    objective_of = {a["code"]: a["objective"] for a in rows("activities")}
    objectives = {
        p["id"]: {objective_of[a] for a in p["activities"].split(";")} for p in rows("projects")
    }
    today = dt.datetime.now(dt.UTC).date()
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for f in rows("funding"):
        if f["status"] in {"committed", "disbursed"} and dt.date.fromisoformat(f["date"]) <= today:
            for objective in objectives[f["project"]]:
                out[(f["currency"], objective)] += Decimal(f["amount"])
    return dict(out)


def test_the_dashboard_draws_progress_that_matches_the_workbook(desktop: Any) -> None:
    desktop.open("/")
    page = desktop.page
    section = page.locator("section.progress")
    assert section.count() == 1
    charts = section.locator("svg.line-chart")
    currencies = {f["currency"] for f in rows("funding") if f["status"] != "pledged"}
    assert charts.count() == 2 + len(currencies)  # activities, projects, one per currency
    assert section.locator("svg title").count() == charts.count()
    # the last quarter of each funding table: today's secured money per objective and currency
    drawn: dict[tuple[str, str], Decimal] = {}
    for figure in section.locator('[data-series="funding"] figure').all():
        currency = figure.get_attribute("data-group")
        last = figure.locator("tbody tr").last
        for cell in last.locator("td").all():
            drawn[(str(currency), str(cell.get_attribute("data-key")))] = Decimal(
                str(cell.get_attribute("data-value"))
            )
    assert drawn == secured_today()
    # projects per stage today: every project with a start date, under its stage
    started: dict[str, int] = defaultdict(int)
    for p in rows("projects"):
        if p["start"] and dt.date.fromisoformat(p["start"]) <= dt.datetime.now(dt.UTC).date():
            started[p["stage"]] += 1
    last = section.locator('[data-series="projects"] tbody tr').last
    shown = {
        str(c.get_attribute("data-key")): int(str(c.get_attribute("data-value")))
        for c in last.locator("td").all()
    }
    assert {k: v for k, v in shown.items() if v} == dict(started)
    section.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / "dashboard-progress-desktop.png"))


def test_an_objective_report_is_reached_from_its_page_and_prints_to_pdf(desktop: Any) -> None:
    desktop.open("/id/objective/A2?lang=fr")
    page = desktop.page
    page.locator('a[data-report="objective"]').click()
    page.wait_for_load_state()
    assert "/reports/objective/A2" in page.url
    assert page.locator("h1").inner_text().startswith("Objectif A2")
    assert page.locator("[data-section]").count() == 6
    assert desktop.accessibility_violations() == []
    desktop.shoot("report-objective-A2")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not page.locator(".report .downloads").is_visible()
    assert page.locator('[data-section="money"] table').is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "report-objective-A2.pdf"
    pdf = page.pdf(path=str(target), format="A4", print_background=True)
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000
    assert target.stat().st_size == len(pdf)
