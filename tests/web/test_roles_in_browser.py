"""Each role's main path through the pages, in Debian's Chromium, in English, French and Spanish.

Every role signs in through the /signin form (the public does not) and walks its own path: the
Secretariat opens the review and adds a funding line that the dashboard shows at once; a Task
Force leader, sent to sign in by the form a gap of their objective prefills, proposes a project
for it and the gap closes; a regional representative moves a project of their objective and
region to the next stage and is refused, in their language, one outside their region; an
organisation contact edits their organisation and cannot open another's form; an analyst runs a
query in the SPARQL editor and is offered no edit link; the public browses and is sent to sign
in by a form. Each check reads visible text in the page's language and, where the path writes,
reads the data again (the page or /sparql). One service for the module, its own accounts.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from accounts.book import AccountBook
from accounts.roles import Role, Scope
from tests.web.test_editor_in_browser import ROWS, RUN, typed
from tests.web.test_forms_in_browser import PASSWORD, Person

pytestmark = pytest.mark.slow

LANGS = ["en", "fr", "es"]
BASE = "https://w3id.org/4p1000/"
ORGANISATION = BASE + "id/organisation/"
SIC = BASE + "ontology#"

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "dashboard": "Dashboard",
        "gaps": "Gaps",
        "review": "Review proposals",
        "sparql": "SPARQL query editor",
        "signin": "Sign in",
        "forbidden": "This is not allowed",
        "edit_organisation": "Edit this organisation",
        "amounts": "Amounts in",
        "propose": "Propose a project idea",
        "propose_link": "Propose a project for this activity",
        "outside": "outside the scope",
    },
    "fr": {
        "dashboard": "Tableau de bord",
        "gaps": "Lacunes",
        "review": "Examiner les propositions",
        "sparql": "Éditeur de requêtes SPARQL",
        "signin": "Connexion",
        "forbidden": "Ceci n'est pas autorisé",
        "edit_organisation": "Modifier cette organisation",
        "amounts": "Montants en",
        "propose": "Proposer une idée de projet",
        "propose_link": "Proposer un projet pour cette activité",
        "outside": "hors du périmètre",
    },
    "es": {
        "dashboard": "Panel",
        "gaps": "Brechas",
        "review": "Revisar propuestas",
        "sparql": "Editor de consultas SPARQL",
        "signin": "Iniciar sesión",
        "forbidden": "Esto no está permitido",
        "edit_organisation": "Editar esta organización",
        "amounts": "Importes en",
        "propose": "Proponer una idea de proyecto",
        "propose_link": "Proponer un proyecto para esta actividad",
        "outside": "fuera del ámbito",
    },
}
STAGES = {  # notation -> its label per language (ontology/core/cycle.ttl)
    "team": {"en": "Team formed", "fr": "Équipe constituée", "es": "Equipo formado"},
    "proposal": {
        "en": "Proposal submitted",
        "fr": "Proposition soumise",
        "es": "Propuesta presentada",
    },
}

# per language: (objective, an uncovered activity of it)
LEADERS = {"en": ("A1", "A1.05"), "fr": ("A2", "A2.07"), "es": ("A4", "A4.04")}
OTHER_OBJECTIVE = "B1.02"  # an activity of none of the leaders' objectives
# per language: (objective, region, a project of both, its next stage, a project outside the region)
REPRESENTATIVES = {
    "en": ("A2", "142", "asia-demo-farms", "proposal", "dehesa-regeneration"),
    "fr": ("A4", "002", "maghreb-soil-programme", "team", "pacific-atoll-soils"),
    "es": ("A4", "009", "pacific-atoll-soils", "team", "maghreb-soil-programme"),
}
# per language: (their organisation, another one)
CONTACTS = {"en": ("gshf", "sahel-ssri"), "fr": ("sahel-ssri", "terra-viva"),
            "es": ("terra-viva", "gshf")}  # fmt: skip
# per language: (a project, its objective, a currency no funding of the workbook uses)
FUNDING = {
    "en": ("soil-project-incubator", "A2", "CHF"),
    "fr": ("ndc-soil-helpdesk", "A1", "SEK"),
    "es": ("cerrado-regen", "A2", "NOK"),
}


@pytest.fixture(scope="module")
def roles_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service over a fresh reference store, with one account per role and language."""
    import socket

    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    folder = tmp_path_factory.mktemp("roles-web")
    book = AccountBook(folder / "accounts.sqlite3")
    for lang in LANGS:
        book.add(f"secretariat-{lang}", PASSWORD, Role.secretariat)
        book.add(f"analyst-{lang}", PASSWORD, Role.analyst)
        objective, _ = LEADERS[lang]
        book.add(f"leader-{lang}", PASSWORD, Role.task_force_leader, scope=Scope(objective))
        objective, region, *_ = REPRESENTATIVES[lang]
        book.add(f"representative-{lang}", PASSWORD, Role.regional_representative,
                 scope=Scope(objective, region))  # fmt: skip
        book.add(f"contact-{lang}", PASSWORD, Role.organisation_contact,
                 scope=Scope(None, None, ORGANISATION + CONTACTS[lang][0]))  # fmt: skip
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


@pytest.fixture
def person(browser: Any, roles_service: str) -> Iterator[Any]:
    made: list[Person] = []

    def make(lang: str) -> Person:
        made.append(Person(browser, roles_service, lang))
        return made[-1]

    yield make
    for someone in made:
        someone.close()


def heading(who: Any) -> str:
    return str(who.page.locator("h1").first.inner_text()).strip()


def in_language(who: Any, key: str) -> str:
    """The expected words, checked to be the page language's own (not English) first."""
    words = WORDS[who.lang][key]
    assert who.lang == "en" or words != WORDS["en"][key]
    return words


def chosen_activities(page: Any) -> list[str]:
    return list(
        page.locator("#f-activities").evaluate("s => [...s.selectedOptions].map(o => o.value)")
    )


def ask(who: Any, query: str) -> list[dict[str, Any]]:
    """The rows of a SELECT, asked of /sparql with this person's cookies."""
    answer = who.context.request.get(
        f"{who.base}/sparql?{urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.ok, answer.status
    return list(json.loads(answer.text())["results"]["bindings"])


def no_edit_links(who: Any, path: str) -> None:
    """The page at `path` offers this person no form (the links are asked for by script)."""
    with who.page.expect_response(lambda r: "/edit/links" in r.url) as asked:
        who.go(path)
    assert asked.value.json() == {"links": []}
    assert who.page.locator("nav.edit-links").is_hidden()
    assert who.page.locator("a[href*='/edit/'], a[href*='/new/']").count() == 0


@pytest.mark.parametrize("lang", LANGS)
def test_the_secretariat_reviews_and_adds_a_funding_line_the_dashboard_shows(
    person: Any, lang: str
) -> None:
    project, objective, currency = FUNDING[lang]
    secretariat = person(lang)
    secretariat.sign_in(f"secretariat-{lang}")
    secretariat.go("/review")
    assert heading(secretariat) == in_language(secretariat, "review")
    secretariat.go("/")
    page = secretariat.page
    assert page.locator(f'table[data-currency="{currency}"]').count() == 0
    secretariat.go(f"/id/project/{project}")
    link = page.locator("nav.edit-links a[href*='/new/funding']")
    link.wait_for()
    with page.expect_navigation():
        link.click()
    page.select_option("#f-funder", "terra-viva")
    page.select_option("#f-status", "committed")
    page.fill("#f-amount", "43210")
    page.fill("#f-currency", currency)
    done = secretariat.save()
    assert done.status == 200 and f"/id/project/{project}" in page.url
    secretariat.go("/")
    assert heading(secretariat) == in_language(secretariat, "dashboard")
    table = page.locator(f'table[data-currency="{currency}"]')
    assert (
        f"{in_language(secretariat, 'amounts')} {currency}" in table.locator("caption").inner_text()
    )
    assert table.locator(f'tr[data-objective="{objective}"]').count() == 1
    rows = ask(
        secretariat,
        f"""PREFIX schema: <https://schema.org/>
        SELECT ?amount WHERE {{ ?f schema:fundedItem <{BASE}id/project/{project}> ;
          schema:currency "{currency}" ; schema:amount ?amount }}""",
    )
    assert [float(r["amount"]["value"]) for r in rows] == [43210.0]


@pytest.mark.parametrize("lang", LANGS)
def test_a_task_force_leader_proposes_a_project_for_a_gap_of_their_objective(
    person: Any, lang: str
) -> None:
    objective, activity = LEADERS[lang]
    key, title = f"roles-idea-{lang}", f"Gap closer ({lang})"
    leader = person(lang)
    page = leader.page
    leader.go("/gaps")
    assert heading(leader) == in_language(leader, "gaps")
    row = page.locator(f'#gap-list tr[data-activity="{activity}"]')
    assert row.count() == 1 and objective in row.inner_text()
    # the form the gap prefills sends them to sign in first, and back to it after
    leader.go(f"/new/project?activity={activity}")
    assert "/signin" in page.url and heading(leader) == in_language(leader, "signin")
    page.fill("#username", f"leader-{lang}")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#signin button[type=submit]")
    assert "/new/project" in page.url, page.url
    assert heading(leader) == in_language(leader, "propose")
    assert chosen_activities(page) == [activity]
    # signed in, the gap's page offers the same form
    leader.go("/gaps")
    with page.expect_navigation():
        page.locator(f'#gap-list tr[data-activity="{activity}"] td a').first.click()
    link = page.locator("nav.edit-links a[href*='/new/project']")
    link.wait_for()
    assert link.inner_text() == in_language(leader, "propose_link")
    with page.expect_navigation():
        link.click()
    assert heading(leader) == in_language(leader, "propose")
    assert chosen_activities(page) == [activity]
    page.fill("#f-id", key)
    page.fill("#f-title", title)
    page.select_option("#f-lead", "gshf")
    page.fill("#f-countries", "SN")
    done = leader.save()
    assert done.status == 200 and f"/id/project/{key}" in page.url
    assert heading(leader).startswith(title)
    leader.go("/gaps")
    assert page.locator(f'#gap-list tr[data-activity="{activity}"]').count() == 0
    no_edit_links(leader, f"/id/activity/{OTHER_OBJECTIVE}")  # not their objective: no link


@pytest.mark.parametrize("lang", LANGS)
def test_a_regional_representative_moves_a_project_of_their_region_and_no_other(
    person: Any, lang: str
) -> None:
    _, _, project, stage, outside = REPRESENTATIVES[lang]
    representative = person(lang)
    representative.sign_in(f"representative-{lang}")
    page = representative.page
    representative.go(f"/id/project/{project}")
    link = page.locator("nav.edit-links a[href*='/stage']")
    link.wait_for()
    with page.expect_navigation():
        link.click()
    page.select_option("#f-stage", stage)
    done = representative.save()
    assert done.status == 200 and f"/id/project/{project}" in page.url
    assert STAGES[stage][lang] in page.locator("p.lead .tag").inner_text()
    rows = ask(
        representative,
        f"""PREFIX sic: <{SIC}>
        SELECT ?stage WHERE {{ <{BASE}id/project/{project}> sic:stage ?stage }}""",
    )
    assert [r["stage"]["value"] for r in rows] == [
        SIC + {"team": "StageTeam", "proposal": "StageProposal"}[stage]
    ]
    representative.go(f"/edit/project/{outside}/stage", status=403)
    assert heading(representative) == in_language(representative, "forbidden")
    assert in_language(representative, "outside") in page.locator("p.error").inner_text()
    no_edit_links(representative, f"/id/project/{outside}")


@pytest.mark.parametrize("lang", LANGS)
def test_an_organisation_contact_edits_their_organisation_and_no_other(
    person: Any, lang: str
) -> None:
    own, other = CONTACTS[lang]
    acronym = f"ROLES-{lang.upper()}"
    contact = person(lang)
    contact.sign_in(f"contact-{lang}")
    page = contact.page
    contact.go(f"/id/organisation/{own}")
    link = page.locator("nav.edit-links a")
    link.first.wait_for()
    assert link.first.inner_text() == in_language(contact, "edit_organisation")
    with page.expect_navigation():
        link.first.click()
    page.fill("#f-acronym", acronym)
    done = contact.save()
    assert done.status == 200 and f"/id/organisation/{own}" in page.url
    assert f"({acronym})" in heading(contact)
    contact.go(f"/id/organisation/{own}")  # read again
    assert f"({acronym})" in heading(contact)
    contact.go(f"/edit/organisation/{other}", status=403)
    assert heading(contact) == in_language(contact, "forbidden")
    no_edit_links(contact, f"/id/organisation/{other}")


@pytest.mark.parametrize("lang", LANGS)
def test_an_analyst_runs_a_query_and_is_offered_no_edit(person: Any, lang: str) -> None:
    analyst = person(lang)
    analyst.sign_in(f"analyst-{lang}")
    page = analyst.page
    analyst.go("/sparql")
    assert heading(analyst) == in_language(analyst, "sparql")
    page.locator("#yasgui .CodeMirror").wait_for()
    typed(
        page,
        f"PREFIX sic: <{SIC}>\nSELECT ?project WHERE {{ ?project sic:stage sic:StageIdea }}",
    )
    page.locator(RUN).click()
    page.locator(ROWS).first.wait_for()
    shown = " ".join(page.locator(ROWS).all_inner_texts())
    assert "soil-project-incubator" in shown
    for path in (
        "/id/organisation/gshf",
        "/id/project/soil-project-incubator",
        "/id/activity/A1.05",
    ):
        no_edit_links(analyst, path)
    analyst.go("/edit/organisation/gshf", status=403)
    assert heading(analyst) == in_language(analyst, "forbidden")


@pytest.mark.parametrize("lang", LANGS)
def test_the_public_browses_sees_no_edit_link_and_a_form_asks_to_sign_in(
    person: Any, lang: str
) -> None:
    public = person(lang)
    page = public.page
    public.go("/")
    assert heading(public) == in_language(public, "dashboard")
    public.go("/gaps")
    assert heading(public) == in_language(public, "gaps")
    assert page.locator("#gap-list tbody tr").count() > 0
    no_edit_links(public, "/id/activity/A1.05")
    no_edit_links(public, "/id/organisation/sahel-ssri")
    assert "Sahel Soil Research Institute" in heading(public)
    public.go("/edit/organisation/sahel-ssri")
    assert "/signin" in page.url and heading(public) == in_language(public, "signin")
    assert page.locator("#signin #username").is_visible()
