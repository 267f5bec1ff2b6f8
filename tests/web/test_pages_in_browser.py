"""The web pages in a real headless Chromium, over the real service and the reference workbook.

What a person does with them: read the dashboard's figures (checked against the workbook's own
CSV files, not against the service), narrow the gaps with a filter, open a gap and read its
candidates' reasons, reach the suggested alliance in three clicks in each language, run a query
in the editor, and use every page on a phone. Each page is also checked by axe-core (WCAG 2.1 A
and AA) and photographed into tests/artifacts/.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.server

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
LIVE_STAGES = {"idea", "team", "concept_note", "proposal", "funded", "implementation"}
PAGES = {
    "dashboard": "/",
    "gaps": "/gaps",
    "activity": "/id/activity/A2.07",
    "objective": "/id/objective/A1",
    "organisation": "/id/organisation/soilnet-intl",
    "network": "/network",
    "queries": "/queries",
    "question": "/queries/candidates-for-activity?activity=A2.07",
    "sparql": "/sparql",
    "project": "/id/project/ndc-soil-helpdesk",
    "signin": "/signin",
    "alliance": "/id/alliance/sahel-agroforestry",
    "ontology": "/ontology",
    "report-objective": "/reports/objective/A2",
    "report-funder": "/reports/funder/terra-viva",
    "objective-trajectory": "/id/objective/C1",
}


def rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(";") if v.strip()]


def expected_gaps() -> set[str]:
    """Global-Facility activities no live project addresses, read from the CSV files alone."""
    facility = {o["code"]: o["facility"] for o in rows("objectives")}
    live = {
        a for p in rows("projects") if p["stage"] in LIVE_STAGES for a in split(p["activities"])
    }
    return {
        a["code"]
        for a in rows("activities")
        if (a["facility"] or facility[a["objective"]]) == "global" and a["code"] not in live
    }


def figure(page: Any, name: str) -> int:
    text = page.locator(f'[data-figure="{name}"] .figure').inner_text()
    return int(re.sub(r"\D", "", text))


# -- the dashboard ---------------------------------------------------------------------------


def test_dashboard_figures_match_the_workbook(desktop: Any) -> None:
    desktop.open("/")
    page = desktop.page
    assert figure(page, "objectives") == len(rows("objectives"))
    assert figure(page, "activities") == len(rows("activities"))
    assert figure(page, "organisations") == len(rows("organisations"))
    assert figure(page, "people") == len(rows("people"))
    assert figure(page, "alliances") == len(rows("alliances"))
    assert figure(page, "live_projects") == sum(p["stage"] in LIVE_STAGES for p in rows("projects"))
    assert figure(page, "gaps") == len(expected_gaps())
    # the heatmap: one row per objective, its cells adding up to that objective's activities
    per_objective: dict[str, int] = {}
    for a in rows("activities"):
        per_objective[a["objective"]] = per_objective.get(a["objective"], 0) + 1
    heat_rows = page.locator("table.heatmap tbody tr")
    assert heat_rows.count() == len(rows("objectives"))
    for i in range(heat_rows.count()):
        row = heat_rows.nth(i)
        code = row.get_attribute("data-objective")
        cells = [int(c) for c in row.locator("td.heat").all_inner_texts()]
        assert sum(cells) == per_objective.get(code, 0), code
    # the urgent gaps are gaps, and the funding chart has a table per currency in the data
    urgent = page.locator(".urgent-gaps li").evaluate_all(
        "items => items.map(i => i.dataset.activity)"
    )
    assert urgent and set(urgent) <= expected_gaps()
    currencies = {f["currency"] for f in rows("funding")} | {
        p["currency"] for p in rows("projects") if p["currency"] and p["stage"] in LIVE_STAGES
    }
    charted = set(page.locator("table.bars").evaluate_all("ts => ts.map(t => t.dataset.currency)"))
    assert charted and charted <= currencies
    desktop.shoot("dashboard")


# -- gaps, candidates, alliance ---------------------------------------------------------------


def listed_gaps(page: Any) -> list[str]:
    return list(
        page.locator("#gap-list tbody tr").evaluate_all("rs => rs.map(r => r.dataset.activity)")
    )


def test_a_gap_filter_narrows_the_list(desktop: Any) -> None:
    desktop.open("/gaps")
    page = desktop.page
    everything = listed_gaps(page)
    assert set(everything) == expected_gaps()
    page.select_option("#f-objective", "A2")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"objective=A2"))
    narrowed = listed_gaps(page)
    assert narrowed and len(narrowed) < len(everything)
    assert all(code.startswith("A2.") for code in narrowed)
    assert page.locator("#gap-count").inner_text().startswith(str(len(narrowed)))
    # the CSV link keeps the filter and answers the same rows
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert href is not None and "objective=A2" in href
    body = page.request.get(desktop.base + href).text()
    assert sorted(r["activity"] for r in csv.DictReader(body.splitlines())) == sorted(narrowed)
    # a goal and a region narrow too (Africa: gaps an organisation working there could take)
    desktop.open("/gaps?goal=C")
    assert listed_gaps(page) and all(code.startswith("C") for code in listed_gaps(page))
    desktop.open("/gaps?region=002")
    african = listed_gaps(page)
    assert african and set(african) < set(everything)
    assert "A2.07" in african  # women-in-soil (East and West Africa) is its best candidate
    assert "A1.05" not in african  # peatlands in NDCs: Europe and Asia


def test_opening_a_gap_shows_candidates_with_reasons(desktop: Any) -> None:
    desktop.open("/gaps")
    page = desktop.page
    page.get_by_role("link", name="Candidates for A2.07").click()
    page.wait_for_url(re.compile(r"/id/activity/A2\.07"))
    candidates = page.locator("#candidates ol.candidates > li")
    assert candidates.count() >= 3
    first = candidates.first
    assert first.get_attribute("data-organisation") == "women-in-soil"
    reasons = first.locator("ul.reasons li")
    assert reasons.count() >= 3
    assert "Shares 3 of 4 topics" in first.locator('[data-signal="activity_topics"]').inner_text()
    assert "Grace Wanjiru" in first.locator('[data-signal="task_force"]').inner_text()
    assert first.locator("a.name").get_attribute("href") == "/id/organisation/women-in-soil"


@pytest.mark.parametrize(
    ("lang", "candidates", "alliance", "heading"),
    [
        ("en", "Candidates", "Suggested alliance", "Dashboard"),
        ("fr", "Candidats", "Alliance suggérée", "Tableau de bord"),
        ("es", "Candidatos", "Alianza sugerida", "Panel"),
    ],
)
def test_dashboard_to_gap_to_candidates_to_alliance_in_three_clicks(
    visit_factory: Any, lang: str, candidates: str, alliance: str, heading: str
) -> None:
    """The issue's definition of done: three clicks, in each language, with no internet."""
    visit = visit_factory(locale={"en": "en-GB", "fr": "fr-FR", "es": "es-ES"}[lang])
    visit.open("/")  # the browser's own language picks the page's
    page = visit.page
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).inner_text() == heading

    page.locator(".urgent-gaps li a").first.click()  # 1: the most urgent gap
    page.wait_for_url(re.compile(r"/id/activity/"))
    code = page.url.rsplit("/", 1)[-1]
    assert code in expected_gaps()

    page.get_by_role("link", name=re.compile(f"^{candidates} \\(")).click()  # 2: its candidates
    assert page.url.endswith("#candidates")
    first = page.locator("#candidates ol.candidates > li").first
    assert first.is_visible()
    assert first.locator("ul.reasons li").count() >= 1

    page.get_by_role("link", name=alliance, exact=True).click()  # 3: the suggested alliance
    assert page.url.endswith("#alliance")
    members = page.locator("#alliance ol.alliance > li")
    assert members.count() >= 1 and members.first.is_visible()
    assert page.locator("#alliance-h").inner_text() == alliance
    visit.shoot(f"three-clicks-{lang}")


# -- languages ---------------------------------------------------------------------------------


def test_lang_fr_shows_french(desktop: Any) -> None:
    desktop.open("/?lang=fr")
    page = desktop.page
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord"
    assert page.get_by_role("navigation", name="Navigation principale").is_visible()
    # the choice travels with the links, and data labels follow where the data has them
    page.get_by_role("link", name="Lacunes", exact=True).click()
    page.wait_for_url(re.compile(r"/gaps\?lang=fr"))
    assert page.get_by_role("heading", level=1).inner_text() == "Lacunes"
    desktop.open("/id/activity/A1.01?lang=fr")
    assert "Analyse de la place des sols dans les CDN actuelles" in page.locator("h1").inner_text()
    assert page.locator("h1").get_attribute("lang") is None  # French, as the page
    desktop.open("/id/objective/A1?lang=fr")
    assert page.locator("#targets-h").inner_text() == "Situation de référence et cibles"
    desktop.shoot("objective-fr")


# -- the query editor and the network ------------------------------------------------------------


# the query editor (YASGUI): tests/web/test_editor_in_browser.py


def test_the_network_is_drawn_and_answers_the_keyboard(desktop: Any) -> None:
    desktop.open("/network")
    page = desktop.page
    nodes = page.locator("#network button.node")
    everyone = nodes.count()
    assert everyone > 10
    assert page.locator("#network button.node.broker").count() >= 1
    broker = page.locator('#network button.node[data-id="soilnet-intl"]')
    assert "broker" in (broker.get_attribute("class") or "")
    broker.focus()
    page.keyboard.press("Enter")
    details = page.locator("#network-details")
    assert "International Soil Carbon Research Network" in details.inner_text()
    assert details.locator("li").count() >= 5
    page.keyboard.press("Escape")
    assert details.inner_text() == ""
    # the objective filter redraws around one objective's collaboration
    page.select_option("#n-objective", "A2")
    page.wait_for_url(re.compile(r"objective=A2"))
    assert 0 < page.locator("#network button.node").count() < everyone
    desktop.shoot("network-A2")


# -- every page: accessible, usable on a phone, photographed -------------------------------------


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_is_accessible_and_fits_a_phone(desktop: Any, phone: Any, name: str) -> None:
    desktop.open(PAGES[name])
    assert desktop.accessibility_violations() == []
    desktop.shoot(name)
    phone.open(PAGES[name])
    overflow = phone.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{name} scrolls sideways on a phone by {overflow}px"
    phone.shoot(name)
