"""A funding line edited in Debian's Chromium, from its row of the project's page, in French.

The Secretariat signs in, opens a project's page, follows the edit link its pledged funding
line's row gains (asked of /edit/links once the page has loaded), moves the line to committed
and comes back to the page, where the row says so; the project may then move to `funded`. A
removal's confirmation page has no serious accessibility problem.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web import test_forms_in_browser as forms

pytestmark = pytest.mark.slow

editing_service = forms.editing_service  # the service with its accounts, and the browsers
people = forms.people

LINE = "faidherbia-scaling.francophone-rda.pledged"


def test_the_secretariat_moves_a_pledged_line_to_committed_in_french(people: Any) -> None:
    secretariat = people("fr")
    secretariat.sign_in("secretariat")
    secretariat.go("/id/project/faidherbia-scaling")
    page = secretariat.page
    row = page.locator(f'tr[data-funding="{LINE}"]')
    assert row.get_attribute("data-status") == "pledged"
    edit = row.locator("td.row-forms a").first
    edit.wait_for()
    assert edit.inner_text() == "Modifier cette ligne"
    assert row.locator("td.row-forms a").nth(1).inner_text() == "Supprimer cette ligne"
    assert page.locator("table.funding-lines thead th.row-forms").inner_text() == "Formulaires"
    with page.expect_navigation():
        edit.click()
    assert page.locator("h1").inner_text() == f"Modifier la ligne de financement {LINE}"
    assert page.input_value("#f-status") == "pledged"
    page.select_option("#f-status", "committed")
    page.fill("#f-date", "2026-02-01")
    done = secretariat.save()
    assert done.status == 200 and "/id/project/faidherbia-scaling" in page.url
    assert "lang=fr" in page.url
    row = page.locator(f'tr[data-funding="{LINE}"]')
    assert row.get_attribute("data-status") == "committed"
    assert row.locator("time").inner_text() == "2026-02-01"
    secretariat.go("/remove/funding/pampas-cover-crops.terra-viva.pledged")
    assert page.locator("h1").inner_text().startswith("Supprimer la ligne de financement")
    assert secretariat.accessibility_violations() == []
    secretariat.go("/edit/project/faidherbia-scaling/stage")
    page.select_option("#f-stage", "funded")
    moved = secretariat.save()
    assert moved.status == 200 and "/id/project/faidherbia-scaling" in page.url
