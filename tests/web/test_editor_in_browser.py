"""The query editor of /sparql on YASGUI, in a real Chromium over the real service.

What a person does with it: read the example (its prefixes folded, the query itself in view),
pick a catalogue question, type a query and run it, read the rows with compact IRIs and this
service's resources named by their path and linked to their page, read a bad query's error with
its caret; and, without JavaScript, use the plain form. Every request the page makes is
recorded: none may leave the service (no prefix.cc, no Linked Open Vocabularies, no CDN).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.test_pages_in_browser import rows

pytestmark = pytest.mark.server

RUN = ".yasqe_queryButton"
ROWS = "#yasgui .yasr table.dataTable tbody tr"
SIC = "https://w3id.org/4p1000/ontology#"


def record(visit: Any) -> list[str]:
    """Every URL the page asks for from now on (the fixture refuses those outside; this list
    shows that nothing even tried, blob: and data: URLs being the page's own memory)."""
    asked: list[str] = []
    visit.page.on("request", lambda request: asked.append(request.url))
    return asked


def elsewhere(asked: list[str], base: str) -> list[str]:
    return [url for url in asked if not url.startswith((base + "/", "blob:", "data:"))]


def lines_shown(page: Any) -> list[str]:
    return list(page.locator("#yasgui .CodeMirror-line").all_inner_texts())


def typed(page: Any, text: str) -> None:
    """Replace the editor's text the way a person does: select all, then type."""
    page.locator("#yasgui .CodeMirror").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_the_example_is_in_view_with_its_prefixes_folded(desktop: Any) -> None:
    asked = record(desktop)
    desktop.open("/sparql")
    page = desktop.page
    page.locator("#yasgui .CodeMirror").wait_for()
    assert page.locator("form#editor").is_hidden()  # the plain form gives way to YASGUI
    shown = lines_shown(page)
    assert sum(line.startswith("PREFIX") for line in shown) <= 1  # folded into one marker
    assert any(line.startswith("SELECT ?activity ?title WHERE") for line in shown)
    text = page.evaluate(
        "Yasgui && document.querySelector('#yasgui .CodeMirror').CodeMirror.getValue()"
    )
    assert f"PREFIX sic: <{SIC}>" in text  # declared, so the query runs as it is
    # the fold opens on demand
    page.locator("#yasgui .CodeMirror-foldmarker").first.click()
    assert sum(line.startswith("PREFIX") for line in lines_shown(page)) > 5
    assert elsewhere(asked, desktop.base) == []


def test_a_catalogue_question_runs_and_links_to_the_pages(desktop: Any) -> None:
    desktop.open("/sparql")
    page = desktop.page
    page.select_option("#example", "coverage-by-objective")
    assert any(line.startswith("# Per strategic objective") for line in lines_shown(page))
    page.locator(RUN).click()
    page.locator(ROWS).first.wait_for()
    assert page.locator(ROWS).count() == len(rows("objectives"))
    headers = [
        h.strip() for h in page.locator("#yasgui .yasr table.dataTable thead th").all_inner_texts()
    ]
    assert headers[1:3] == ["objective", "title"]  # the first column numbers the rows
    link = page.locator(ROWS).first.locator("a.iri").first
    assert (link.get_attribute("href") or "").startswith("/id/objective/")
    assert (link.inner_text()).startswith("id/objective/")
    link.click()
    page.wait_for_url(re.compile(r"/id/objective/"))


def test_a_typed_query_shows_compact_iris_in_the_order_of_the_query(desktop: Any) -> None:
    asked = record(desktop)
    desktop.open("/sparql")
    page = desktop.page
    typed(
        page,
        f"PREFIX sic: <{SIC}>\n"
        "SELECT * WHERE { ?thing a sic:Activity ; ?property ?value }\n"
        "ORDER BY ?thing ?property LIMIT 40",
    )
    page.keyboard.press("Control+Enter")
    page.locator(ROWS).first.wait_for()
    headers = [
        h.strip() for h in page.locator("#yasgui .yasr table.dataTable thead th").all_inner_texts()
    ]
    assert headers[1:4] == ["thing", "property", "value"]  # SELECT *: as they appear
    cells = page.locator(ROWS).evaluate_all(
        "rs => rs.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )
    # this service's IRIs show their path (their name beside it: test_editor_names_in_browser)
    paths = page.locator(f"{ROWS} td:nth-child(2) a.iri").all_inner_texts()
    assert len(paths) == len(cells)
    assert set(paths) <= {f"id/activity/{c}" for c in (a["code"] for a in rows("activities"))}
    properties = {row[2] for row in cells}
    assert "rdfs:label" in properties  # compacted with the service's prefixes
    assert not any(p.startswith(("http://", "https://", "<")) for p in properties)
    assert desktop.accessibility_violations() == []
    assert elsewhere(asked, desktop.base) == []


def test_a_bad_query_says_where_with_a_caret(desktop: Any) -> None:
    desktop.open("/sparql")
    page = desktop.page
    typed(page, "SELECT ?x WHERE { ?x ?y }")
    page.locator(RUN).click()
    error = page.locator("#yasgui pre.query-error")
    error.wait_for()
    text = error.inner_text()
    assert "line 1, column 26" in text
    lines = text.splitlines()
    query_line = next(i for i, line in enumerate(lines) if "SELECT ?x WHERE" in line)
    caret = lines[query_line + 1]
    assert caret.strip() == "^"
    # under the place the object is missing: past `?y`, at column 26 of the query
    assert caret.index("^") - lines[query_line].index("SELECT") == 25
    assert "The query failed" in page.locator("#yasgui .query-error-box").inner_text()
    assert desktop.accessibility_violations() == []


def test_without_javascript_the_plain_form_answers_with_a_page(visit_factory: Any) -> None:
    visit = visit_factory(java_script_enabled=False, locale="en-GB")
    visit.open("/sparql")
    page = visit.page
    assert page.locator("form#editor").is_visible()
    assert f"PREFIX sic: <{SIC}>" in page.locator("#query").input_value()
    page.get_by_role("button", name="Run query").click()
    page.wait_for_url(re.compile(r"/sparql\?query="))
    assert page.locator("#results tbody tr").count() == 20
    first = page.locator("#results tbody tr").first.locator("a").first
    assert (first.get_attribute("href") or "").startswith("/id/activity/")


def test_the_page_weight_stays_within_a_phone_budget(phone: Any) -> None:
    """What /sparql costs on a phone, compressed as the service sends it: YASGUI is the bulk."""
    sizes: dict[str, int] = {}

    def measure(response: Any) -> None:
        size = response.request.sizes()["responseBodySize"]
        sizes[response.url] = size

    phone.page.on("response", measure)
    phone.open("/sparql")
    phone.page.locator("#yasgui .CodeMirror").wait_for()
    phone.page.wait_for_load_state("networkidle")
    script = next(url for url in sizes if url.endswith("yasgui.min.js"))
    assert sizes[script] < 400_000  # 1 MB as a file, about a quarter of it as sent
    assert sum(sizes.values()) < 450_000, sizes


def test_a_shared_query_opens_as_a_results_page_and_back_in_the_editor(desktop: Any) -> None:
    asked = record(desktop)
    desktop.open("/sparql")
    page = desktop.page
    typed(page, f"PREFIX sic: <{SIC}>\nSELECT ?goal WHERE {{ ?goal a sic:Goal }} ORDER BY ?goal")
    page.locator("#yasgui .yasqe_share").click()
    shared = page.locator("#yasgui .yasqe_sharePopup input").input_value()
    assert shared.startswith(desktop.base + "/sparql?query=")
    # a browser following the link gets the answer as a page
    page.goto(shared)
    assert page.locator("h1").inner_text() == "Query results"
    goals = page.locator("#results tbody tr")
    assert goals.count() == 6
    # each goal by its name, its path beside it, linked to its page
    link = goals.first.locator("a")
    assert link.get_attribute("href") == "/id/goal/A" and "id/goal/A" in link.inner_text()
    assert link.inner_text() != "id/goal/A", "the goal's name is shown"
    # and its "Open in the editor" brings the same query back into YASGUI, run on this service
    page.locator("#open-editor").click()
    page.locator(ROWS).first.wait_for()
    assert page.locator(ROWS).count() == 6
    assert any("?goal a sic:Goal" in line for line in lines_shown(page))
    assert elsewhere(asked, desktop.base) == []


def test_a_link_naming_another_endpoint_still_asks_only_this_service(desktop: Any) -> None:
    asked = record(desktop)
    desktop.open("/sparql#query=ASK%20%7B%7D&endpoint=https%3A%2F%2Fdbpedia.org%2Fsparql")
    page = desktop.page
    page.locator("#yasgui .yasr").get_by_text("true").first.wait_for()
    posts = [url for url in asked if url.endswith("/sparql")]
    assert posts and all(url.startswith(desktop.base + "/") for url in posts)
    assert elsewhere(asked, desktop.base) == []
