"""The project and alliance pages in process: team, funding, timeline, suggestions, languages.

The pages are the HTML of /id/project/... and /id/alliance/... (api.routes.pages with
queries.group_pages); the expected facts are read from the reference workbook's CSV files. The
suggestions run under half the query time limit (api.group_suggestions), so a page shows either
the ranked organisations or the note that they took too long: both are checked where they
appear, and the time limit itself is checked with a computation that waits for the test.
"""

from __future__ import annotations

import csv
import re
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.group_suggestions import Pending, Suggestions, within
from api.i18n import Ui
from api.responses import templates
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from graph.update import Delta
from loaders.source import read_source
from sic.errors import QueryError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PROJECT = "ndc-soil-helpdesk"
ALLIANCE = "sahel-agroforestry"


@pytest.fixture(scope="module")
def store(write_checker: Any) -> Iterator[EmbeddedStore]:
    st = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(st)
    st.load_source(read_source(REFERENCE, base=st.base))
    yield st
    st.close()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore) -> Iterator[TestClient]:
    settings = Settings(store=Path("/nonexistent/unused"), query_workers=1)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c


def rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def split(cell: str) -> list[str]:
    return [v for v in (x.strip() for x in cell.split(";")) if v]


def html(client: TestClient, path: str, **params: str) -> str:
    r = client.get(path, params=params, headers={"Accept": BROWSER})
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    return r.text


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</section>", start)]


def suggested(part: str) -> list[str]:
    return re.findall(r'<li data-organisation="([^"]+)"', part)


def test_a_project_page_shows_its_team_in_their_roles(client: TestClient) -> None:
    source = next(r for r in rows("projects") if r["id"] == PROJECT)
    page = html(client, f"/id/project/{PROJECT}")
    team = re.findall(
        r'<tr data-organisation="([^"]+)" data-role="([^"]+)">', section(page, "team")
    )
    assert team == [
        (source["lead"], "lead"),
        *((p, "partner") for p in sorted(split(source["partners"]))),
    ]
    assert source["title"] in page and source["description"] in page
    assert 'href="/id/alliance/ndc-soil-targets"' in page
    activities = re.findall(r'<tr data-activity="([^"]+)"', section(page, "activities"))
    assert activities == sorted(split(source["activities"]))


def test_a_project_page_lists_every_funding_line_with_amounts_and_currencies(
    client: TestClient,
) -> None:
    page = section(html(client, f"/id/project/{PROJECT}"), "funding")
    expected = [r for r in rows("funding") if r["project"] == PROJECT]
    lines = re.findall(
        r'<tr data-funding="[^"]+" data-status="([^"]+)">.*?<data value="([^"]+)">([^<]+)</data>'
        r"</td>\s*<td>([A-Z]{3})</td>",
        page,
        re.S,
    )
    assert sorted((s, v, c) for s, v, _, c in lines) == sorted(
        (r["status"], r["amount"], r["currency"]) for r in expected
    )
    assert ("committed", "650000", "650,000", "EUR") in lines, "numbers written for people"
    assert 'data-currency="EUR"' in page and 'data-currency="USD"' in page
    assert "secured 950,000" in page  # 650,000 committed + 300,000 disbursed, in EUR only


def test_a_project_page_has_its_timeline_suggestions_and_all_statements(
    client: TestClient,
) -> None:
    page = html(client, f"/id/project/{PROJECT}")
    assert 'id="timeline-title"' in page and 'id="statements"' in page
    assert 'id="attribution"' in page and "CC-BY-4.0" in page
    team = {r["lead"] for r in rows("projects") if r["id"] == PROJECT} | set(
        split(next(r for r in rows("projects") if r["id"] == PROJECT)["partners"])
    )
    partners = section(page, "partners")
    if 'data-suggestions="timed-out"' not in partners:
        shown = suggested(partners)
        assert shown and not set(shown) & team, "suggested partners are not on the team yet"
        assert '<ul class="reasons"' in partners and 'data-signal="' in partners
    funders = section(page, "funders")
    assert suggested(funders) or 'data-suggestions="timed-out"' in funders


def test_an_alliance_page_shows_members_activities_projects_and_suggestions(
    client: TestClient,
) -> None:
    source = next(r for r in rows("alliances") if r["id"] == ALLIANCE)
    page = html(client, f"/id/alliance/{ALLIANCE}")
    members = re.findall(
        r'<tr data-organisation="([^"]+)" data-role="([^"]+)">', section(page, "team")
    )
    assert members[0] == (source["lead"], "lead")
    assert sorted(m for m, _ in members) == sorted(split(source["members"]))
    activities = re.findall(r'<tr data-activity="([^"]+)"', section(page, "activities"))
    assert activities == sorted(split(source["activities"]))
    carried = {r["id"] for r in rows("projects") if r["alliance"] == ALLIANCE}
    assert set(re.findall(r'<tr data-project="([^"]+)"', section(page, "projects"))) == carried
    partners = section(page, "partners")
    if 'data-suggestions="timed-out"' not in partners:
        shown = suggested(partners)
        assert shown and not set(shown) & set(split(source["members"]))
    assert 'id="statements"' in page and 'id="history-title"' in page


@pytest.mark.parametrize(
    ("lang", "words", "amount"),
    [
        ("fr", ("Équipe", "Financement", "Activités et objectifs"), "650\u202f000"),
        ("es", ("Equipo", "Financiación", "Actividades y objetivos"), "650.000"),
    ],
)
def test_the_pages_speak_french_and_spanish(
    client: TestClient, lang: str, words: tuple[str, ...], amount: str
) -> None:
    page = html(client, f"/id/project/{PROJECT}", lang=lang)
    assert all(w in page for w in words), lang
    assert f'<data value="650000">{amount}</data>' in page
    alliance = html(client, f"/id/alliance/{ALLIANCE}", lang=lang)
    if lang == "fr":
        assert "Alliance agroforestière du Sahel" in alliance  # the graph's French label
    assert ("Membres" if lang == "fr" else "Miembros") in alliance


def test_an_unknown_project_or_alliance_is_404(client: TestClient) -> None:
    for path in ("/id/project/no-such-project", "/id/alliance/no-such-alliance"):
        r = client.get(path, headers={"Accept": BROWSER})
        assert r.status_code == 404


# -- the time limit of the suggestions --------------------------------------------------------


def test_suggestions_not_ready_in_time_give_a_note_and_are_kept_for_the_next_ask(
    store: EmbeddedStore,
) -> None:
    release = threading.Event()
    calls: list[int] = []

    def slow() -> Suggestions:
        calls.append(1)
        release.wait(30)
        return Suggestions(partners=[{"organisation": "x"}])

    pending = Pending(store)
    first = within(pending, 0.05, ("project", "p", "en"), slow)
    assert first.timed_out and first.limit == 0.05 and first.partners == []
    release.set()
    second = within(pending, 5.0, ("project", "p", "en"), slow)
    assert not second.timed_out and second.partners == [{"organisation": "x"}]
    assert calls == [1], "the computation that was running is shared, not started again"


def test_a_ranking_that_refuses_is_a_note_not_a_failure(store: EmbeddedStore) -> None:
    def refused() -> Suggestions:
        raise QueryError("no project 'p'")

    answer = within(Pending(store), 5.0, ("project", "p", "en"), refused)
    assert answer.error == "no project 'p'" and not answer.timed_out


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "took longer than 2.5 seconds"), ("fr", "plus de 2,5 secondes"), ("es", "2,5")],
)
def test_the_timeout_note_says_so_and_links_to_the_questions(lang: str, said: str) -> None:
    note = (
        templates()
        .from_string(
            '{% from "_group.html" import suggestions_note with context %}'
            "{{ suggestions_note(s, links) }}"
        )
        .render(
            ui=Ui(lang),
            s=Suggestions(timed_out=True, limit=2.5),
            links=[("/queries/candidates-for-project?project=p", "ask")],
            root="",
        )
    )
    assert 'data-suggestions="timed-out"' in note and said in note
    assert '<a href="/queries/candidates-for-project?project=p">ask</a>' in note


def test_an_iri_said_of_but_not_typed_as_a_project_keeps_the_plain_description(
    write_checker: Any,
) -> None:
    """Something states a label of /id/project/loose but nothing says it is a project: the page
    is the plain description (resource.html), not an error."""
    st = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(st)
    loose = URIRef(st.base + "id/project/loose")
    st.apply(Delta(added={st.base + "graph/updates": {(loose, RDFS.label, Literal("Loose"))}}))
    settings = Settings(store=Path("/nonexistent/unused"), query_workers=1)
    try:
        with TestClient(create_app(settings, store=st)) as c:
            r = c.get("/id/project/loose", headers={"Accept": BROWSER})
        assert r.status_code == 200
        assert "<h1>Loose</h1>" in r.text and 'id="team"' not in r.text
    finally:
        st.close()
