"""A query's syntax error and a refused write are said in the reader's language (issue 17).

Pages (the /sparql results page, an error page) speak the page's language; a JSON error keeps
its English `detail` for every client and adds `translated` when the request names a language.
The engine's own message stays as the engine wrote it.
"""

from __future__ import annotations

import html
import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.book import AccountBook
from accounts.permissions import Action, refusal, refused
from accounts.roles import Principal, Role, Scope
from api.errors_in_language import refusal_in, syntax_in
from api.i18n import LOCALES_DIR, Ui, messages
from graph.syntax_hint import ENGLISH, explain
from sic.errors import QuerySyntaxError

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MISSPELT = "SELEC ?x WHERE { ?x ?p ?o }"
ENGINE = "error at 1:10: expected CONSTRUCT"
MISSPELT_IN = {
    "en": "'SELEC' is not a SPARQL keyword: did you mean SELECT?",
    "fr": "« SELEC » n'est pas un mot-clé SPARQL : vouliez-vous dire SELECT ?",
    "es": "«SELEC» no es una palabra clave de SPARQL: ¿quiso decir SELECT?",
}
PASSWORD = "a passphrase long enough for the tests"


def test_the_english_sentences_are_the_locale_s_english() -> None:
    """The hint's built-in English (protocol errors) is the English locale's, word for word."""
    told = json.loads((LOCALES_DIR / "service.en.json").read_text(encoding="utf-8"))
    assert {k: told[k] for k in ENGLISH} == dict(ENGLISH)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_misspelt_keyword_is_named_in_each_language(lang: str) -> None:
    said = explain(MISSPELT, ENGINE, messages(lang))
    assert MISSPELT_IN[lang] in said
    assert said.endswith(f"({ENGINE})")  # the engine's words, untranslated
    assert "^" in said


def test_what_the_parser_expected_is_said_in_french() -> None:
    said = explain(
        "SELECT * WHERE { ?s ?p }", "error at 1:25: expected one of LATERAL", messages("fr")
    )
    assert said.startswith("la requête ne peut pas être lue à la ligne 1, colonne 25.")
    assert "L'analyseur attendait ici l'un de ceux-ci : LATERAL." in said


def test_the_default_is_english_as_before() -> None:
    assert explain(MISSPELT, ENGINE).startswith(
        "the query cannot be read at line 1, column 1. " + MISSPELT_IN["en"]
    )


def test_the_error_crosses_processes_whole() -> None:
    error = QuerySyntaxError(MISSPELT, ENGINE, explain(MISSPELT, ENGINE))
    back = pickle.loads(pickle.dumps(error))
    assert (back.text, back.engine, str(back)) == (error.text, error.engine, str(error))
    assert MISSPELT_IN["es"] in syntax_in(back, Ui("es"))


@pytest.fixture
def client(make_client: Callable[..., Any], memory_store: Any) -> Any:
    return make_client(memory_store)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_results_page_explains_in_the_page_language(client: Any, lang: str) -> None:
    r = client.get("/sparql", params={"query": MISSPELT, "lang": lang}, headers={"Accept": BROWSER})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert MISSPELT_IN[lang] in _unescaped(r.text)
    assert "is not a SPARQL keyword" not in r.text
    assert f"({ENGINE})" in r.text


def _unescaped(page: str) -> str:
    return html.unescape(page)


def test_a_json_error_keeps_english_and_adds_the_named_language(client: Any) -> None:
    sent = {"Accept": "application/sparql-results+json", "Content-Type": "application/sparql-query"}
    plain = client.post("/sparql", content=MISSPELT, headers=sent)
    assert plain.status_code == 400
    assert MISSPELT_IN["en"] in plain.json()["detail"]
    assert "translated" not in plain.json()
    spanish = client.post("/sparql", content=MISSPELT, headers={**sent, "Accept-Language": "es"})
    body = spanish.json()
    assert body["detail"] == plain.json()["detail"]
    assert body["translated"]["lang"] == "es"
    assert MISSPELT_IN["es"] in body["translated"]["detail"]
    assert body["translated"]["detail"].endswith(f"({ENGINE})")
    french = client.get(
        "/sparql", params={"query": MISSPELT, "lang": "fr"}, headers={"Accept": "application/json"}
    )
    assert french.json()["translated"]["lang"] == "fr"


def test_a_malformed_update_is_explained_in_the_named_language(
    make_client: Callable[..., Any], memory_store: Any, write_token: str
) -> None:
    client = make_client(memory_store)
    sent = {"Authorization": f"Bearer {write_token}", "Content-Type": "application/sparql-update"}
    update = "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 } ; DELET WHERE { }"
    plain = client.post("/update", content=update, headers=sent)
    assert plain.status_code == 400
    assert plain.json()["detail"].startswith("malformed SPARQL update: the query cannot be read")
    assert "translated" not in plain.json()
    french = client.post("/update", content=update, headers={**sent, "Accept-Language": "fr"})
    told = french.json()["translated"]
    assert told["lang"] == "fr"
    assert told["detail"].startswith("mise à jour SPARQL mal formée : la requête ne peut pas")
    assert "« DELET » n'est pas un mot-clé SPARQL : vouliez-vous dire DELETE ?" in told["detail"]


# -- refusals -------------------------------------------------------------------------------

LEADER = Principal("lea", Role.task_force_leader, Scope("B2"), "token")
ANALYST = Principal("ana", Role.analyst, Scope(), "token")


@pytest.mark.parametrize(
    ("who", "action", "lang", "said"),
    [
        (ANALYST, Action.write_project, "fr", "le rôle Analyste ne peut pas écrire de projets"),
        (ANALYST, Action.write_project, "es", "el rol Analista no puede escribir proyectos"),
        (
            LEADER,
            Action.sparql_update,
            "fr",
            "le rôle Responsable de Task Force ne peut pas utiliser SPARQL Update : seuls le "
            "Secrétariat et le jeton de service le peuvent ; écrivez par l'API JSON",
        ),
        (
            LEADER,
            Action.write_project,
            "fr",
            "ce projet est hors du périmètre de lea (objectif B2)",
        ),
        (
            Principal("rep", Role.regional_representative, Scope("A1", "150"), "token"),
            Action.write_activity,
            "es",
            "el rol Representante regional no puede escribir actividades",
        ),
        (
            Principal("rep", Role.regional_representative, Scope("A1", "150"), "token"),
            Action.write_project,
            "es",
            "este proyecto está fuera del ámbito de rep (objetivo A1, región 150)",
        ),
    ],
)
def test_a_refusal_in_each_language(who: Principal, action: Action, lang: str, said: str) -> None:
    error = refused(who, action)
    assert str(error) == refusal(who, action)  # the JSON detail keeps its English
    assert refusal_in(error, Ui(lang)) == said


@pytest.fixture
def served(make_client: Callable[..., Any], reference_copy: Path, tmp_path: Path) -> Any:
    book = AccountBook(tmp_path / "accounts.sqlite3")
    book.add("ana", PASSWORD, Role.analyst)
    book.add("rep", PASSWORD, Role.regional_representative, scope=Scope("A1", "150"))
    tokens = {name: book.new_token(name, "language test") for name in ("ana", "rep")}
    return make_client(store=reference_copy, accounts_db=book.path), tokens


def test_a_refused_form_says_why_in_the_page_language(served: Any) -> None:
    client, tokens = served
    path = "/edit/project/ndc-soil-helpdesk/stage"  # objective A1, in Africa
    rep = {"Authorization": f"Bearer {tokens['rep']}", "Accept": BROWSER}
    page = client.get(path, params={"lang": "fr"}, headers=rep)
    assert page.status_code == 403 and page.headers["content-language"] == "fr"
    text = _unescaped(page.text)
    assert "ce projet est hors du périmètre de rep (objectif A1, région 150)" in text
    assert "outside the scope" not in text
    ana = {"Authorization": f"Bearer {tokens['ana']}", "Accept": BROWSER, "Accept-Language": "es"}
    spanish = client.get(path, headers=ana)
    assert spanish.status_code == 403
    assert "el rol Analista no puede escribir proyectos" in _unescaped(spanish.text)


def test_a_refused_api_write_keeps_english_and_adds_the_named_language(served: Any) -> None:
    client, tokens = served
    sent = {"Authorization": f"Bearer {tokens['ana']}", "Content-Type": "application/sparql-update"}
    plain = client.post("/update", content="CLEAR DEFAULT", headers=sent)
    assert plain.status_code == 403
    assert plain.json() == {"detail": refusal(ANALYST, Action.sparql_update)}
    french = client.post(
        "/update", content="CLEAR DEFAULT", headers={**sent, "Accept-Language": "fr-CA, en;q=0.5"}
    )
    assert french.status_code == 403
    assert french.json()["detail"] == plain.json()["detail"]
    assert french.json()["translated"] == {
        "lang": "fr",
        "detail": "le rôle Analyste ne peut pas utiliser SPARQL Update : seuls le Secrétariat et "
        "le jeton de service le peuvent ; écrivez par l'API JSON",
    }
