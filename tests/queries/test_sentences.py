"""The reason sentences: three catalogues that agree, and messages written in each language."""

from __future__ import annotations

import string
from decimal import Decimal

import pytest

from queries.labels import Labels
from queries.sentences import LANGUAGES, Items, Label, Money, Speaker, catalogue, say

LABELS = Labels(
    {
        ("Regions", "150"): {"en": "Europe", "fr": "Europe", "es": "Europa"},
        ("Regions", "002"): {"en": "Africa", "fr": "Afrique", "es": "África"},
        ("TaskForceRoles", "leader"): {
            "en": "Task Force Leader",
            "fr": "Responsable de groupe de travail",
            "es": "Líder de grupo de trabajo",
        },
        ("OrganisationTypes", "ngo"): {"en": "Civil society organisation or NGO"},
        ("topic", "peat"): {"en": "peatlands", "fr": "tourbières"},
    }
)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_the_same_sentences_with_the_same_placeholders() -> None:
    english = catalogue("en")
    for lang in LANGUAGES:
        other = catalogue(lang)
        assert set(other) == set(english), lang
        for key, text in english.items():
            assert _placeholders(other[key]) == _placeholders(text), (lang, key)
            assert other[key].strip(), (lang, key)


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        catalogue("de")


@pytest.mark.parametrize(
    ("lang", "two", "more"),
    [
        ("en", "a and b", "0, 1, 2 and 6 more"),
        ("fr", "a et b", "0, 1, 2 et 6 autres"),
        ("es", "a y b", "0, 1, 2 y 6 más"),
    ],
)
def test_lists_read_the_languages_way(lang: str, two: str, more: str) -> None:
    speaker = Speaker(lang)
    assert speaker.listing(["a"]) == "a"
    assert speaker.listing(["a", "b"]) == two
    assert speaker.listing([str(i) for i in range(9)], limit=3) == more


def test_spanish_y_becomes_e_before_an_i_sound() -> None:
    assert Speaker("es").listing(["España", "Italia"]) == "España e Italia"
    assert Speaker("es").listing(["España", "hielo"]) == "España y hielo"


def test_labels_come_from_the_graph_in_the_language_else_english_never_a_code() -> None:
    fr, es = Speaker("fr", LABELS), Speaker("es", LABELS)
    assert fr.label(Label("topic", "peat", "peat")) == "tourbières"
    assert es.label(Label("topic", "peat", "peat")) == "peatlands"  # no Spanish label: English
    assert es.label(Label("type", "ngo", "ngo", mid=True)) == "civil society organisation or NGO"
    assert fr.label(Label("type", "xyz", None)) == "sans nom"
    assert Speaker("en").label(Label("type", "NGO-like", None, mid=True)) == "unnamed"


def test_a_message_is_written_in_each_language() -> None:
    regions = Items((Label("region", "150"), Label("region", "002")))
    message = say("team_regions.shared", regions=regions)
    assert Speaker("en", LABELS).text(message) == (
        "Works where the current team works: Europe and Africa"
    )
    assert Speaker("fr", LABELS).text(message) == (
        "Travaille là où l'équipe actuelle travaille : Europe et Afrique"
    )
    assert Speaker("es", LABELS).text(message) == (
        "Trabaja donde trabaja el equipo actual: Europa y África"
    )
    seat = say(
        "task_force.seat",
        person="Pia Peat",
        role=Label("role", "leader", "Task Force Leader"),
        objective="B1",
    )
    assert Speaker("en", LABELS).text(seat) == "Pia Peat is Task Force Leader on the B1 Task Force"
    assert "Líder de grupo de trabajo" in Speaker("es", LABELS).text(seat)


def test_amounts_use_the_languages_separators() -> None:
    need = say("funders.amount.fits", need=Money(Decimal(500000), "EUR"))
    assert Speaker("en").text(need).endswith("still needs 500,000 EUR")
    assert "500\u202f000 EUR" in Speaker("fr").text(need)
    assert "500.000 EUR" in Speaker("es").text(need)
