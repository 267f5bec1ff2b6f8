"""A refused write's rule sentence in the language the reader asks for (issue 17): the JSON
422 answer keeps the English `message` and adds `translated`; the /shapes page lists each
rule's sentence in the page's language; a shape with English only falls back, marked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from api.forms.feedback import violations_by_field
from api.forms.specs import FORMS
from api.i18n import Ui
from api.violation_json import violation_json
from queries.shapes_page import ShapeRule, _rules
from sic.errors import Violation

ID = "https://w3id.org/4p1000/id/"
ROLE = f"""
<{ID}taskforce/A5#leader-kofi-mensah>
    a <https://w3id.org/4p1000/ontology#TaskForceRole> ;
    <http://www.w3.org/ns/org#member> <{ID}person/kofi-mensah> ;
    <http://www.w3.org/ns/org#organization> <{ID}taskforce/A5> ;
    <http://www.w3.org/ns/org#role> <https://w3id.org/4p1000/ontology#RoleLeader> .
"""
FRENCH_PARTNER = "Seule une personne d'une organisation partenaire"
SPANISH_PARTNER = "Solo una persona de una organización socia"


@pytest.fixture
def client(make_client: Callable[..., Any], reference_copy: Path) -> Any:
    return make_client(store=reference_copy)


def _update(client: Any, token: str, **headers: str) -> Any:
    return client.post(
        "/update",
        content=f"INSERT DATA {{ {ROLE} }}",
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {token}",
            **headers,
        },
    )


def test_a_refused_update_says_the_rule_in_the_language_the_request_names(
    client: Any, write_token: str
) -> None:
    r = _update(client, write_token, **{"Accept-Language": "fr-FR,fr;q=0.9"})
    assert r.status_code == 422, r.text
    assert "Accept-Language" in r.headers["vary"]
    (partner,) = [v for v in r.json()["violations"] if "partner organisation" in v["message"]]
    assert partner["translated"]["lang"] == "fr"
    assert partner["translated"]["message"].startswith(FRENCH_PARTNER)
    es = _update(client, write_token, **{"Accept-Language": "es"}).json()["violations"]
    assert any(v["translated"]["message"].startswith(SPANISH_PARTNER) for v in es)


def test_a_refused_update_without_a_language_is_english_only(client: Any, write_token: str) -> None:
    r = _update(client, write_token)
    assert r.status_code == 422
    assert all("translated" not in v for v in r.json()["violations"])
    assert any("partner organisation" in v["message"] for v in r.json()["violations"])


ENGLISH_ONLY = Violation(
    focus_node=f"{ID}project/p",
    path="sic:stage",
    message="A project needs a stage.",
    source_shape="ex:MyShape",
    constraint="sh:MinCountConstraintComponent",
)
TRILINGUAL = Violation(
    focus_node=f"{ID}project/p",
    path="sic:stage",
    message="A project needs a stage.",
    constraint="sh:MinCountConstraintComponent",
    translations=(("es", "Un proyecto necesita una etapa."), ("fr", "Un projet a une étape.")),
)


def test_the_json_of_a_result_falls_back_to_english_and_says_so() -> None:
    assert "translated" not in violation_json(ENGLISH_ONLY)
    assert violation_json(ENGLISH_ONLY, "fr")["translated"] == {
        "lang": "en",
        "message": "A project needs a stage.",
    }
    told = violation_json(TRILINGUAL, "fr")
    assert told["message"] == "A project needs a stage."
    assert told["translated"] == {"lang": "fr", "message": "Un projet a une étape."}


def test_a_form_says_the_shapes_sentence_in_the_page_language_or_english() -> None:
    spec = FORMS["stage"]
    focus = f"{ID}project/p"
    said = violations_by_field(spec, focus, [TRILINGUAL, ENGLISH_ONLY], Ui("fr"))
    details = [(s.detail, s.detail_lang) for problems in said.values() for s in problems]
    assert details == [("Un projet a une étape.", "fr"), ("A project needs a stage.", "en")]


def test_the_shapes_page_lists_each_rule_in_the_readers_language(client: Any) -> None:
    fr = client.get("/shapes", params={"lang": "fr"}, headers={"Accept": "text/html"})
    assert fr.status_code == 200 and fr.headers["content-language"] == "fr"
    assert 'id="sicsh:Activity-objective"' in fr.text
    assert "Une activité doit appartenir à exactement un objectif stratégique" in fr.text
    assert "Formes SHACL" in fr.text
    es = client.get("/shapes", params={"lang": "es"}, headers={"Accept": "text/html"})
    assert "Una actividad debe pertenecer exactamente a un objetivo estratégico" in es.text
    client.cookies.clear()  # another reader (the pages above remembered their language)
    en = client.get("/shapes", headers={"Accept": "text/html"})
    assert "An activity must belong to exactly one strategic objective" in en.text
    assert len({fr.headers["etag"], es.headers["etag"], en.headers["etag"]}) == 3
    assert 'class="fallback"' not in fr.text  # every bundled rule speaks French


def test_a_rule_with_english_only_is_shown_in_english_marked() -> None:
    turtle = b"""
    @prefix sh: <http://www.w3.org/ns/shacl#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <https://w3id.org/4p1000/shapes#Mine> rdfs:label "Mine"@en ;
        sh:severity sh:Warning ; sh:message "Only in English."@en .
    """
    triples = {q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}
    (rule,) = _rules(triples)
    assert rule == ShapeRule("sicsh:Mine", "Mine", "Warning", (("en", "Only in English."),))
    assert rule.message_in("fr") == ("Only in English.", "en")
    from api.responses import templates

    page = (
        templates()
        .get_template("shapes.html")
        .render(files=[_file(rule)], ui=Ui("fr"), lang="fr", root="", languages=[], path="/")
    )
    assert 'lang="en">Only in English.<span class="fallback"' in page


def _file(rule: ShapeRule) -> Any:
    from queries.shapes_page import ShapesFile

    return ShapesFile("mine.ttl", "", "", (rule,))


def test_a_key_used_twice_is_said_in_the_language_the_request_names(
    client: Any, write_token: str
) -> None:
    """The store's own rule (no two things of a class share a key) speaks the shapes' three
    languages too, though it is checked by a query and not by a shape."""
    copy = (
        f"INSERT {{ <{ID}organisation/terra-viva-bis> ?p ?o }} "
        f"WHERE {{ <{ID}organisation/terra-viva> ?p ?o }}"
    )
    said = {}
    for lang in ("fr", "es", None):
        r = client.post(
            "/update",
            content=copy,
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {write_token}",
                **({"Accept-Language": lang} if lang else {}),
            },
        )
        assert r.status_code == 422, r.text
        (key,) = [v for v in r.json()["violations"] if v["message"].startswith("The key ")]
        assert "'terra-viva'" in key["message"] and "Keys must be unique" in key["message"]
        said[lang] = key.get("translated")
    assert said["fr"] == {"lang": "fr", "message": said["fr"]["message"]}
    assert said["fr"]["message"].startswith("La clé 'terra-viva' est")
    assert said["es"]["message"].startswith("La clave 'terra-viva'")
    assert said[None] is None
