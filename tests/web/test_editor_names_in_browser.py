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


def shown_rows(visit: Any, lang: str) -> list[dict[str, str]]:
    """Run QUERY in the editor of /sparql?lang=`lang`; each row's path, name and badge."""
    asked = record(visit)
    visit.open(f"/sparql?lang={lang}")
    page = visit.page
    typed(page, QUERY)
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
