"""The partner network of /network on cytoscape, in a real Chromium over the real service.

What a person does with it: read the names written beside the best-connected circles (never on
top of each other, at a phone's width and a wide screen's), reach every circle with the
keyboard and open one's details and page, drag a circle and see the names find free places
again. Every request stays on the service (the fixture refuses and records any other).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.test_layout import OVERLAPS

pytestmark = pytest.mark.server

NODES = "#network button.node"

NAMES = """() => {
    const cy = document.getElementById('network').network;
    return cy.nodes().filter(n => n.style('label')).map(n => {
        const b = n.renderedBoundingBox({includeNodes: false, includeEdges: false,
                                         includeLabels: true});
        return {id: n.id(), label: n.style('label'), x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2};
    });
}"""

FRAME = """() => {
    const r = document.querySelector('#network .network-cy').getBoundingClientRect();
    return {width: r.width, height: r.height};
}"""


def drawn(page: Any) -> None:
    page.locator(NODES).first.wait_for(state="attached")
    page.wait_for_function("document.getElementById('network').network !== undefined")


@pytest.mark.parametrize("width", [390, 1400, 1920])
def test_names_are_written_where_they_overlap_no_other(visit_factory: Any, width: int) -> None:
    mobile = width < 600
    visit = visit_factory(
        {"width": width, "height": 900}, locale="en-GB", is_mobile=mobile, has_touch=mobile
    )
    visit.open("/network")
    drawn(visit.page)
    assert visit.page.evaluate(OVERLAPS) == []
    names = visit.page.evaluate(NAMES)
    frame = visit.page.evaluate(FRAME)
    assert len(names) >= 4
    for name in names:  # inside the drawing, not cut at its edge
        assert name["x1"] >= -1 and name["y1"] >= -1, name
        assert name["x2"] <= frame["width"] + 1 and name["y2"] <= frame["height"] + 1, name
    # the most central organisation is named
    assert "soilnet-intl" in {n["id"] for n in names}


def test_every_circle_is_reached_by_keyboard(desktop: Any) -> None:
    desktop.open("/network")
    page = desktop.page
    drawn(page)
    buttons = page.locator(NODES)
    assert buttons.count() > 10
    broker = page.locator(f'{NODES}[data-id="soilnet-intl"]')
    assert "broker" in (broker.get_attribute("class") or "")
    assert "International Soil Carbon Research Network" in (
        broker.get_attribute("aria-label") or ""
    )
    before = len(page.evaluate(NAMES))
    broker.focus()
    # focus names the neighbours too
    page.wait_for_function(f"({NAMES})().length > {before}")
    page.keyboard.press("Enter")
    details = page.locator("#network-details")
    assert "International Soil Carbon Research Network" in details.inner_text()
    assert details.locator("li").count() >= 5
    assert broker.get_attribute("aria-pressed") == "true"
    assert desktop.accessibility_violations() == []
    # Tab goes on to the next circle; Escape clears
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('node')")
    page.keyboard.press("Escape")
    assert details.inner_text() == ""
    # the selected organisation's page is one link away
    broker.focus()
    page.keyboard.press("Enter")
    details.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/id/organisation/soilnet-intl"))


def test_a_dragged_circle_moves_and_the_names_make_room(desktop: Any) -> None:
    desktop.open("/network")
    page = desktop.page
    drawn(page)
    place = """id => {
        const n = document.getElementById('network').network.getElementById(id);
        return n.renderedPosition();
    }"""
    start = page.evaluate(place, "soilnet-intl")
    frame = page.locator("#network .network-cy").bounding_box()
    assert frame is not None
    # the mouse works in the viewport: bring the circle into it (a banner above the network
    # can push it below the fold)
    page.evaluate("y => window.scrollBy(0, y)", frame["y"] + start["y"] - 300)
    page.wait_for_timeout(100)
    frame = page.locator("#network .network-cy").bounding_box()
    assert frame is not None
    x, y = frame["x"] + start["x"], frame["y"] + start["y"]
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 12 * step, y + 8 * step)
    page.mouse.up()
    end = page.evaluate(place, "soilnet-intl")
    assert abs(end["x"] - start["x"] - 120) < 6 and abs(end["y"] - start["y"] - 80) < 6
    # its button followed it, and the names are placed again without overlap
    page.wait_for_timeout(100)
    button = page.locator(f'{NODES}[data-id="soilnet-intl"]').bounding_box()
    assert button is not None
    assert abs(button["x"] + button["width"] / 2 - (frame["x"] + end["x"])) < 2
    assert page.evaluate(OVERLAPS) == []


def test_the_objective_filter_redraws_a_smaller_network(desktop: Any) -> None:
    desktop.open("/network")
    page = desktop.page
    drawn(page)
    everyone = page.locator(NODES).count()
    page.select_option("#n-objective", "A2")
    page.wait_for_url(re.compile(r"objective=A2"))
    drawn(page)
    assert 0 < page.locator(NODES).count() < everyone
    assert page.evaluate(OVERLAPS) == []


def test_the_page_weight_stays_within_a_phone_budget(phone: Any) -> None:
    """What /network costs on a phone, compressed as the service sends it."""
    sizes: dict[str, int] = {}
    phone.page.on(
        "response",
        lambda response: sizes.__setitem__(
            response.url, response.request.sizes()["responseBodySize"]
        ),
    )
    phone.open("/network")
    drawn(phone.page)
    phone.page.wait_for_load_state("networkidle")
    library = next(url for url in sizes if url.endswith("cytoscape.min.js"))
    assert sizes[library] < 160_000  # 443 kB as a file
    assert sum(sizes.values()) < 350_000, sizes
