"""Every page at a phone, a laptop (1400 px) and a wide screen (1920 px), in each language.

What the issue saw at 1400 px: a table wider than its column (a header clipped, a column
hidden behind a scrollbar) and the network's labels on top of each other. At every width the
page must not scroll sideways; from 1400 px up the tables fit their column whole, no header
cut short; the network's visible labels never overlap. Each view is photographed into
tests/artifacts/ as `<page>-<lang>-<width>.png` (git-ignored, kept by CI as artifacts).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import ARTIFACTS
from tests.web.test_pages_in_browser import PAGES

pytestmark = pytest.mark.server

WIDTHS = {"phone": 390, "laptop": 1400, "wide": 1920}
LANGUAGES = ("en", "fr", "es")

CLIPPED = """() => {
    const out = [];
    for (const scroller of document.querySelectorAll('.table-scroll, table')) {
        if (scroller.scrollWidth > scroller.clientWidth + 1) {
            out.push('scrolls: ' + (scroller.id || scroller.className || scroller.tagName)
                     + ' ' + scroller.scrollWidth + ' > ' + scroller.clientWidth);
        }
    }
    for (const cell of document.querySelectorAll('th')) {
        const style = getComputedStyle(cell);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        if (cell.scrollWidth > cell.clientWidth + 1) {
            out.push('header cut: ' + cell.textContent.trim());
        }
        const box = cell.getBoundingClientRect();
        const holder = cell.closest('.table-scroll') || cell.closest('main') || document.body;
        const limit = holder.getBoundingClientRect();
        if (box.width > 0 && (box.right > limit.right + 1 || box.left < limit.left - 1)) {
            out.push('header outside its column: ' + cell.textContent.trim());
        }
    }
    return out;
}"""

OVERLAPS = """() => {
    // the names cytoscape draws on the canvas, by the boxes it measured for them, on screen
    const cy = document.getElementById('network').network;
    if (!cy) return ['the network was not drawn'];
    const boxes = cy.nodes().filter(n => n.visible() && n.style('label'))
        .map(n => [n.style('label'), n.renderedBoundingBox(
            {includeNodes: false, includeEdges: false, includeLabels: true})]);
    const out = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const [n, a] = boxes[i], [m, b] = boxes[j];
            const dx = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
            const dy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
            if (dx > 1 && dy > 1) out.push(n + ' / ' + m);
        }
    }
    if (boxes.length < 3) out.push('only ' + boxes.length + ' names written');
    return out;
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_page_fits_its_width(visit_factory: Any, width: str, lang: str) -> None:
    pixels = WIDTHS[width]
    mobile = pixels < 600
    visit = visit_factory(
        {"width": pixels, "height": 900}, locale=lang, is_mobile=mobile, has_touch=mobile
    )
    problems: dict[str, list[str]] = {}
    for name, path in sorted(PAGES.items()):
        visit.open(path + ("&" if "?" in path else "?") + f"lang={lang}")
        found: list[str] = []
        overflow = visit.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            found.append(f"the page scrolls sideways by {overflow}px")
        if not mobile:
            found += visit.page.evaluate(CLIPPED)
        if name == "network":
            found += visit.page.evaluate(OVERLAPS)
        if found:
            problems[name] = found
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{name}-{lang}-{pixels}.png"
        visit.page.screenshot(path=str(shot), full_page=True)
    assert problems == {}
