"""Issue 17: the query editor's result table shows this service's activities under their
titles, beside their compact path, in the page's language (English marked by the fallback
badge where the data has no French title), asked of POST /api/names on the service itself."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_editor_in_browser import ROWS, SIC, elsewhere, record, typed
from tests.web.test_pages_in_browser import rows

pytestmark = pytest.mark.server

QUERY = (
    f"PREFIX sic: <{SIC}>\nSELECT ?activity WHERE {{ ?activity a sic:Activity }} ORDER BY ?activity"
)
ORGANISATIONS = (
    f"PREFIX sic: <{SIC}>\nSELECT ?organisation WHERE {{ ?organisation a sic:Organisation }} "
    "ORDER BY ?organisation"
)


def shown_rows(visit: Any, lang: str, query: str = QUERY) -> list[dict[str, str]]:
    """Run `query` in the editor of /sparql?lang=`lang`; each row's path, name and badge."""
    asked = record(visit)
    visit.open(f"/sparql?lang={lang}")
    page = visit.page
    typed(page, query)
    page.keyboard.press("Control+Enter")
    page.locator(ROWS).first.wait_for()
    page.locator(f"{ROWS} .iri-name").first.wait_for()
    found = page.locator(ROWS).evaluate_all(
        """rs => rs.map(r => {
            const name = r.querySelector('.iri-name');
            const badge = r.querySelector('.fallback');
            return {
                path: r.querySelector('a.iri').textContent,
                name: name ? name.textContent : '',
                lang: name ? name.lang : '',
                badge: badge ? badge.textContent : '',
                title: badge ? badge.title : '',
            };
        })"""
    )
    assert [u for u in asked if u.endswith("/api/names?lang=" + lang)]
    assert elsewhere(asked, visit.base) == []
    assert visit.accessibility_violations() == []
    return list(found)


def test_activity_titles_in_english(desktop: Any) -> None:
    titles = {a["code"]: a["title"] for a in rows("activities")}
    shown = shown_rows(desktop, "en")
    assert shown
    for row in shown:
        code = row["path"].removeprefix("id/activity/")
        assert row["name"] == titles[code] and row["lang"] == "en"
        assert row["badge"] == ""


def test_activity_titles_in_french_english_marked(desktop: Any) -> None:
    activities = {a["code"]: a for a in rows("activities")}
    shown = shown_rows(desktop, "fr")
    assert shown
    for row in shown:
        activity = activities[row["path"].removeprefix("id/activity/")]
        if activity["title_fr"]:
            assert (row["name"], row["lang"], row["badge"]) == (activity["title_fr"], "fr", "")
        else:
            assert (row["name"], row["lang"]) == (activity["title"], "en")
            assert row["badge"].startswith("EN")
            assert "anglais" in row["title"]
    assert any(r["badge"] for r in shown) and any(not r["badge"] for r in shown)


def test_the_next_page_of_the_table_is_named_too(desktop: Any) -> None:
    """DataTables draws a page when it is shown: its IRIs are named then (one ask per page)."""
    asked = record(desktop)
    desktop.open("/sparql?lang=en")
    page = desktop.page
    typed(
        page,
        f"PREFIX sic: <{SIC}>\nSELECT ?activity ?n WHERE {{ ?activity a sic:Activity "
        "VALUES ?n { 1 2 } } ORDER BY ?n ?activity",
    )
    page.keyboard.press("Control+Enter")
    page.locator(f"{ROWS} .iri-name").first.wait_for()
    first = page.locator(f"{ROWS} a.iri").first.inner_text()
    page.locator("#yasgui button.dt-paging-button.next").click()
    page.wait_for_function(
        "first => document.querySelector('#yasgui table.dataTable tbody a.iri')"
        ".textContent !== first",
        arg=first,
    )
    page.locator(f"{ROWS} .iri-name").first.wait_for()
    assert page.locator(ROWS).count() == page.locator(f"{ROWS} .iri-name").count()
    assert len([u for u in asked if "/api/names" in u]) == 2


def test_without_names_the_table_stays_as_it_was(desktop: Any) -> None:
    """The names never hold the table up: if they do not come, the paths are shown alone."""
    failed: list[str] = []

    def refuse(route: Any) -> None:
        failed.append(route.request.url)
        route.fulfill(status=503, content_type="application/json", body='{"detail": "busy"}')

    desktop.page.route("**/api/names*", refuse)
    desktop.open("/sparql?lang=fr")
    page = desktop.page
    typed(page, QUERY)
    page.keyboard.press("Control+Enter")
    page.locator(ROWS).first.wait_for()
    for _ in range(50):  # the ask goes after the table is drawn
        if failed:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)  # and its failure is handled
    assert failed
    assert page.locator(f"{ROWS} .iri-name").count() == 0
    assert page.locator(f"{ROWS} a.iri").count() == len(rows("activities"))
    assert page.locator("#yasgui .query-error-box").count() == 0


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_organisations_by_name_and_acronym(desktop: Any, lang: str) -> None:
    """Organisations are named too (result-names.rq): the reference workbook names them in
    English only, so a French page marks every name as English."""
    organisations = {o["id"]: o for o in rows("organisations")}
    shown = shown_rows(desktop, lang, ORGANISATIONS)
    assert shown
    acronyms = 0
    for row in shown:
        found = organisations[row["path"].removeprefix("id/organisation/")]
        acronyms += bool(found["acronym"])
        name = found["name"] + (f" ({found['acronym']})" if found["acronym"] else "")
        assert (row["name"], row["lang"]) == (name, "en")
        assert row["badge"].startswith("EN") is (lang != "en")
    assert acronyms
