"""The language picked with the switcher outlives an address typed without `?lang=`, in a real
Chromium over the real service (api.language_cookie): the browser keeps the `sic_lang` cookie
and sends it again; a tab of another browser (its own cookies) keeps its own language."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.server


def test_the_switcher_s_choice_survives_a_typed_address(desktop: Any, visit_factory: Any) -> None:
    desktop.open("/gaps")
    page = desktop.page
    assert page.locator("html").get_attribute("lang") == "en"  # the browser speaks en-GB
    page.locator('nav.languages a[hreflang="es"]').click()
    page.wait_for_url("**lang=es**")
    assert page.locator("html").get_attribute("lang") == "es"
    desktop.open("/network")  # typed: no ?lang=
    assert page.locator("html").get_attribute("lang") == "es"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sic_lang"]["value"] == "es"
    assert cookies["sic_lang"]["sameSite"] == "Lax"
    other = visit_factory(locale="fr-FR")
    other.open("/network")
    assert other.page.locator("html").get_attribute("lang") == "fr"
