"""The query editor of /sparql in French and Spanish, in a real Chromium over the real service.

YASGUI writes its own controls in English; on a French or Spanish page every one of its labels,
tooltips, placeholders and sentences a person meets when running a query (the buttons, the
tabs, the settings, the result chip, the table's controls and its "Showing 1 to 10" line, the
response view) must be in the page's language (api/locales/editor2.*.json), while the query,
the rows and the column names stay as they are. The English page keeps YASGUI's words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.server

LOCALES = Path(__file__).resolve().parents[2] / "api" / "locales"
RUN = ".yasqe_queryButton"
EXPLAINED = {
    "fr": "la requête ne peut pas être lue à la ligne 1",
    "es": "la consulta no se puede leer en la línea 1",
}
ROWS = "#yasgui .yasr table.dataTable tbody tr"
ENGLISH_SENTENCES = re.compile(
    r"\b(results?|seconds?|Showing|entries|Activate to|View documentation)\b"
)

# every text node, title, aria-label and placeholder YASGUI draws, but the query's lines, the
# rows and the column names (data, not controls)
SHOWN = """() => {
  const out = new Set();
  const skip = '.CodeMirror-lines, .CodeMirror-measure, '
    + 'table.dataTable thead, table.dataTable tbody';
  const walk = document.createTreeWalker(
    document.querySelector('#yasgui'), NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walk.nextNode())) {
    if (n.nodeType === 3) {
      if (n.parentElement.closest(skip + ', svg')) continue;
      const t = n.textContent.trim();
      if (t) out.add(t);
    } else if (!n.closest(skip)) {
      for (const a of ['title', 'aria-label', 'placeholder']) {
        const v = n.getAttribute(a);
        if (v) out.add(v);
      }
    }
  }
  return [...out];
}"""


def words(lang: str) -> dict[str, str]:
    told = json.loads((LOCALES / f"editor2.{lang}.json").read_text(encoding="utf-8"))
    return {k.removeprefix("editor2."): v for k, v in told.items()}


def english_left(shown: list[str], lang: str) -> list[str]:
    """YASGUI's English words among `shown` (those the page's language writes otherwise)."""
    english, own = words("en"), words(lang)
    labels = {v.strip() for k, v in english.items() if "{" not in v and v != own[k]}
    left = sorted(t for t in shown if t in labels or ENGLISH_SENTENCES.search(t))
    return left


def typed(page: Any, query: str) -> None:
    page.evaluate(
        "q => document.querySelector('#yasgui .CodeMirror').CodeMirror.setValue(q)", query
    )


def ran(visit: Any, lang: str) -> list[str]:
    """Open the editor in `lang`, run its example and return what the table view shows, then
    what the response view shows."""
    visit.open(f"/sparql?lang={lang}")
    page = visit.page
    page.locator("#yasgui .CodeMirror").wait_for()
    page.locator(RUN).click()
    page.locator(ROWS).first.wait_for()
    shown = list(page.evaluate(SHOWN))
    # the data stay as they are: the column names are the query's variables, in any language
    headers = page.locator("#yasgui .yasr table.dataTable thead th").all_inner_texts()
    assert [h.strip() for h in headers][1:3] == ["activity", "title"]
    page.locator("#yasgui .yasr .select_response").click()
    page.locator("#yasgui .yasr_results .CodeMirror").wait_for()
    return shown + list(page.evaluate(SHOWN))


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_no_english_control_label(desktop: Any, lang: str) -> None:
    shown = ran(desktop, lang)
    own = words(lang)
    assert not english_left(shown, lang), f"English on /sparql?lang={lang}"
    for key in ("run_query", "share_query", "table", "response", "filter", "open_settings"):
        assert own[key] in shown, f"{key}: {own[key]!r} not shown"
    chip = own["took"].split("{s}")[0].replace("{what}", own["results"].replace("{n}", "20"))
    assert any(t.startswith(chip) for t in shown), (chip, shown)
    info = own["info"].replace("_START_", "1").replace("_END_", "20").replace("_TOTAL_", "20")
    assert info in shown


def test_the_english_editor_keeps_yasguis_words(desktop: Any) -> None:
    shown = ran(desktop, "en")
    for label in ("Run query", "Share query", "Table", "Response", "Filter query results"):
        assert label in shown
    assert "Showing 1 to 20 of 20 entries" in shown


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_errors_in_the_page_language(desktop: Any, lang: str) -> None:
    """A bad query (the service's own explanation), then a service that does not answer: the
    editor's words around them are in the page's language."""
    own = words(lang)
    desktop.open(f"/sparql?lang={lang}")
    page = desktop.page
    page.locator("#yasgui .CodeMirror").wait_for()
    typed(page, "SELECT * WHERE { ?s ?p }")
    page.locator(RUN).click()
    page.locator("#yasgui .query-error-box").wait_for()
    shown = list(page.evaluate(SHOWN))
    assert own["download_not_supported"] in shown
    # the service's own sentence too (the editor sends the page's language with its queries)
    explained = page.locator("#yasgui pre.query-error").inner_text()
    assert explained.startswith(EXPLAINED[lang]), explained
    assert not english_left(shown, lang)
    # no answer at all (a dropped connection): the service's sentence, not the browser's
    page.route(
        "**/sparql*",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    typed(page, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    page.locator(RUN).click()
    page.locator("#yasgui pre.query-error", has_text=own["no_answer"]).wait_for()
    shown = list(page.evaluate(SHOWN))
    assert "Failed to fetch" not in shown
    assert not english_left(shown, lang)
