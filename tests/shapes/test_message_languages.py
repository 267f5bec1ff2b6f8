"""A rule's sentence in the reader's language (issue 17): every path that validates carries all
the languages of a shape's `sh:message`, and a violation picks one, falling back to English for
shapes written only in English (a user's own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal

from sic.errors import Violation
from sic.validation import Validator, message_texts, validator

DATA = Path(__file__).parents[1] / "data" / "shapes"


def _violation(**translations: str) -> Violation:
    return Violation(
        focus_node="urn:x",
        path="sic:objective",
        message="An activity must belong to exactly one strategic objective.",
        translations=tuple(sorted(translations.items())),
    )


def test_a_violation_speaks_the_asked_language_and_else_english() -> None:
    v = _violation(fr="Une activité doit appartenir à un objectif.", es="Una actividad debe...")
    assert v.message_in("fr") == "Une activité doit appartenir à un objectif."
    assert v.message_in("FR-ca") == "Une activité doit appartenir à un objectif."
    assert v.message_in("es") == "Una actividad debe..."
    assert v.message_in("en") == v.message_in(None) == v.message
    assert v.message_in("de") == v.message
    assert v.speaks("fr") and v.speaks("en") and v.speaks(None) and not v.speaks("de")


def test_an_english_only_violation_falls_back() -> None:
    v = _violation()
    assert v.message_in("fr") == v.message
    assert not v.speaks("fr") and not v.speaks("es")


def test_message_texts_keeps_english_apart_and_one_text_per_language() -> None:
    english, others = message_texts(
        [
            Literal("Zed.", lang="es"),
            Literal("Must.", lang="en"),
            Literal("Doit.", lang="fr-FR"),
            Literal("Bee.", lang="es"),
            Literal("Untagged."),
        ]
    )
    assert english == "Must."
    assert others == (("es", "Bee."), ("fr", "Doit."))


def test_pyshacl_results_carry_french_and_spanish() -> None:
    graph = Graph().parse(DATA / "activity-category-bad.ttl", format="turtle")
    results = validator().validate(graph)
    assert results
    for v in results:
        assert {tag for tag, _ in v.translations} == {"fr", "es"}
        assert v.message_in("fr") != v.message


def test_a_sparql_rule_is_filled_in_every_language() -> None:
    """pyshacl drops the language tag of a filled-in SPARQL message; the validator puts it back,
    so the French text is French and not whichever untagged text sorts first."""
    graph = Graph().parse(DATA / "activity-code-prefix-bad.ttl", format="turtle")
    (v,) = [r for r in validator().validate(graph) if r.source_shape == "sicsh:Activity-codePrefix"]
    assert v.message.startswith("An activity's code")
    assert v.message_in("fr").startswith("Le code d'une activité")
    assert v.message_in("es").startswith("El código de una actividad")
    for text in (v.message, v.message_in("fr"), v.message_in("es")):
        assert "{?" not in text and f"'{v.value}'" in text


def test_a_global_shape_fills_every_language() -> None:
    (unique,) = validator().global_shapes()
    row = {"this": "urn:a", "value": "policy", "other": "urn:b", "path": None}
    v = unique.violation(row)
    assert "'policy'" in v.message_in("fr") and "urn:b" in v.message_in("fr")
    assert v.message_in("fr").startswith("Le code ou l'id")
    assert v.message_in("es").startswith("El código o id")


USER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ;
  sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "A thing needs a name."@en ] .
"""


@pytest.fixture
def user_validator(tmp_path: Path) -> Validator:
    path = tmp_path / "shapes.ttl"
    path.write_text(USER_SHAPES, encoding="utf-8")
    return Validator([path])


def test_a_users_english_only_shapes_fall_back_to_english(user_validator: Validator) -> None:
    data = Graph().parse(
        data="<http://example.org/t> a <http://example.org/Thing> .", format="turtle"
    )
    (v,) = user_validator.validate(data)
    assert v.message == "A thing needs a name."
    assert v.translations == ()
    assert v.message_in("fr") == "A thing needs a name." and not v.speaks("fr")
