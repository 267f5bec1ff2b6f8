"""The editing forms in Debian's Chromium: each role's main path in English, French and Spanish.

A Task Force leader signs in, proposes a project for an uncovered activity of their objective
(from the form the gap prefills), adds two of the suggested partners, moves it to concept
note, and the gaps and the dashboard show it at once; a partner contact edits their
organisation from its page's edit link and cannot open another's form; the Secretariat adds a
funding line; two browsers edit the same project and the second save is refused, showing the
first change; a refused form keeps what was typed. The service runs with its own accounts.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from accounts.book import AccountBook
from accounts.roles import Role, Scope

pytestmark = pytest.mark.slow

PASSWORD = "a passphrase long enough for the tests"
ORGANISATION = "https://w3id.org/4p1000/id/organisation/"
LEADERS = {  # language -> (account, objective, an uncovered activity of it)
    "en": ("leader-en", "A1", "A1.05"),
    "fr": ("leader-fr", "A2", "A2.07"),
    "es": ("leader-es", "A4", "A4.04"),
}
WORDS = {
    "en": ("Propose a project idea", "Save"),
    "fr": ("Proposer une idée de projet", "Enregistrer"),
    "es": ("Proponer una idea de proyecto", "Guardar"),
}


@pytest.fixture(scope="module")
def editing_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over a fresh reference store, with an account for each role of the tests."""
    import socket

    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    folder = tmp_path_factory.mktemp("forms-web")
    book = AccountBook(folder / "accounts.sqlite3")
    for name, objective, _ in LEADERS.values():
        book.add(name, PASSWORD, Role.task_force_leader, scope=Scope(objective))
    book.add("contact", PASSWORD, Role.organisation_contact,
             scope=Scope(None, None, ORGANISATION + "sahel-ssri"))  # fmt: skip
    book.add("secretariat", PASSWORD, Role.secretariat)
    settings = Settings(
        store=folder / "store", query_workers=2, iati_sample=False, accounts_db=book.path
    )
    app = create_app(settings)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 90
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


class Person:
    """One browser context signed in as one account; nothing outside the service is fetched."""

    def __init__(self, browser: Any, base: str, lang: str) -> None:
        self.base, self.lang = base, lang
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=lang)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.context.route("**/*", self._guard)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _guard(self, route: Any) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def go(self, path: str, status: int = 200) -> Any:
        joiner = "&" if "?" in path else "?"
        answer = self.page.goto(f"{self.base}{path}{joiner}lang={self.lang}")
        assert answer is not None and answer.status == status, (path, answer and answer.status)
        return answer

    def sign_in(self, name: str) -> None:
        self.go("/signin")
        self.page.fill("#username", name)
        self.page.fill("#password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("#signin button[type=submit]")

    def save(self) -> Any:
        with self.page.expect_navigation() as navigated:
            self.page.click("#edit-form button[type=submit]")
        return navigated.value

    def close(self) -> None:
        self.context.close()
        assert not self.outside, f"pages asked for something outside the service: {self.outside}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture
def people(browser: Any, editing_service: str) -> Iterator[Any]:
    made: list[Person] = []

    def make(lang: str) -> Person:
        made.append(Person(browser, editing_service, lang))
        return made[-1]

    yield make
    for person in made:
        person.close()


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_task_force_leader_proposes_builds_a_team_and_moves_a_project(
    people: Any, lang: str
) -> None:
    account, _, activity = LEADERS[lang]
    key, title = f"idea-{lang}", f"Soil idea ({lang})"
    leader = people(lang)
    leader.sign_in(account)
    leader.go("/gaps")
    assert leader.page.locator(f'tr[data-activity="{activity}"]').count() == 1
    leader.go(f"/new/project?activity={activity}")
    page = leader.page
    assert page.locator("h1").inner_text() == WORDS[lang][0]
    assert page.locator("#f-activities").evaluate(
        "s => [...s.selectedOptions].map(o => o.value)"
    ) == [activity]
    page.fill("#f-id", key)
    page.fill("#f-title", title)
    page.select_option("#f-lead", "gshf")
    page.fill("#f-countries", "SN; KE")
    page.fill("#f-start", "2027-01-15")
    assert page.locator("#edit-form button[type=submit]").inner_text() == WORDS[lang][1]
    done = leader.save()
    assert done.status == 200 and page.url.startswith(f"{leader.base}/id/project/{key}")
    leader.go(f"/edit/project/{key}/team")
    suggested = page.locator(".candidate-list input[type=checkbox]")
    assert suggested.count() >= 2 and page.locator(".candidate-list .reasons li").count() >= 2
    chosen = [suggested.nth(i).get_attribute("value") for i in (0, 1)]
    suggested.nth(0).check()
    suggested.nth(1).check()
    leader.save()
    leader.go(f"/edit/project/{key}/stage")
    assert page.locator('dd[data-stage="funded"]').inner_text().strip() != ""  # its rules, first
    page.select_option("#f-stage", "concept_note")
    leader.save()
    leader.go(f"/edit/project/{key}/team")
    kept = page.locator("#edit-form fieldset input[type=checkbox]:checked")
    assert sorted(kept.evaluate_all("l => l.map(e => e.value)")) == sorted(chosen)
    leader.go("/gaps")
    assert page.locator(f'tr[data-activity="{activity}"]').count() == 0  # at once
    leader.go("/")
    assert page.get_by_role("link", name=title).count() == 1


@pytest.mark.parametrize("lang", ["fr"])
def test_a_partner_contact_edits_their_organisation_and_no_other(people: Any, lang: str) -> None:
    contact = people(lang)
    contact.sign_in("contact")
    contact.go("/id/organisation/sahel-ssri")
    link = contact.page.locator("nav.edit-links a")
    link.wait_for()
    assert link.inner_text() == "Modifier cette organisation"
    with contact.page.expect_navigation():
        link.click()
    contact.page.fill("#f-acronym", "SSRI-SN")
    contact.save()
    assert "SSRI-SN" in contact.page.locator("h1").inner_text()
    contact.go("/edit/organisation/gshf", status=403)
    contact.go("/id/organisation/gshf")
    contact.page.wait_for_load_state("networkidle")
    assert contact.page.locator("nav.edit-links").is_hidden()  # not theirs: no edit link
    contact.go("/edit/organisation/sahel-ssri")


@pytest.mark.parametrize("lang", ["es"])
def test_the_secretariat_adds_a_funding_line_and_a_refused_form_keeps_what_was_typed(
    people: Any, lang: str
) -> None:
    secretariat = people(lang)
    secretariat.sign_in("secretariat")
    secretariat.go("/new/funding?project=soil-project-incubator")
    page = secretariat.page
    page.select_option("#f-funder", "terra-viva")
    page.select_option("#f-status", "pledged")
    page.fill("#f-amount", "12,5")
    page.fill("#f-currency", "EUR")
    refused = secretariat.save()
    assert refused.status == 422
    error = page.locator('.field-error[data-field="amount"]')
    assert "no es un número" in error.inner_text()
    assert page.input_value("#f-amount") == "12,5" and page.input_value("#f-currency") == "EUR"
    page.fill("#f-amount", "12500")
    done = secretariat.save()
    assert done.status == 200 and "/id/project/soil-project-incubator" in page.url


def test_two_browsers_edit_one_project_and_the_second_save_shows_the_first_change(
    people: Any,
) -> None:
    first, second = people("en"), people("fr")
    first.sign_in("leader-en")
    second.sign_in("secretariat")
    first.go("/edit/project/ndc-soil-helpdesk")
    second.go("/edit/project/ndc-soil-helpdesk")
    first.page.fill("#f-title", "NDC Soil Targets Helpdesk (first)")
    second.page.fill("#f-title", "NDC Soil Targets Helpdesk (second)")
    assert first.save().status == 200
    refused = second.save()
    assert refused.status == 409
    stale = second.page.locator("section.stale")
    assert "Quelqu'un d'autre" in stale.inner_text()
    assert (
        stale.locator('dd[data-field="title"]').inner_text() == "NDC Soil Targets Helpdesk (first)"
    )
    assert second.page.input_value("#f-title") == "NDC Soil Targets Helpdesk (second)"
    again = second.save()  # saving again, knowingly, replaces the first change
    assert again.status == 200
    assert re.search(r"\(second\)", second.page.locator("h1").inner_text())
