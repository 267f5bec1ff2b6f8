"""The reason sentences: three catalogues that agree, and messages written in each language."""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

import pytest

from queries.catalogue import run
from queries.labels import Labels
from queries.network import projections
from queries.sentences import LANGUAGES, Items, Label, Money, Speaker, catalogue, say
from sic.errors import QueryError

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


# -- the questions on the reference data, asked in French and Spanish ------------------------------

ASKED: list[tuple[str, dict[str, str]]] = [
    ("candidates-for-activity", {"activity": "A2.06", "top": "10"}),
    ("candidates-for-activity", {"activity": "A2.07", "top": "10"}),
    ("candidates-for-project", {"project": "faidherbia-scaling", "top": "10"}),
    ("funders-for-project", {"project": "faidherbia-scaling", "as_of": "2025-12-01"}),
    ("funders-for-activity", {"activity": "A2.07", "as_of": "2025-12-01"}),
]


def _english_phrases() -> set[str]:
    """The fixed words of every English sentence (what lies between its placeholders), where
    long enough to be English prose rather than a separator."""
    found: set[str] = set()
    for text in catalogue("en").values():
        for literal, _, _, _ in string.Formatter().parse(text):
            found.update(p.strip() for p in literal.split(":") if len(p.strip()) >= 12)
    return found


def _codes(store: Any) -> set[str]:
    """The notations of the controlled lists a sentence names (types, statuses, roles...)."""
    schemes = {"OrganisationTypes", "MembershipStatuses", "TaskForceRoles", "Stages"}
    return {key for kind, key in projections(store).labels.names if kind in schemes}


def _texts(store: Any, lang: str) -> list[str]:
    texts = []
    for name, params in ASKED:
        rows = run(store, name, {**params, "lang": lang}).rows
        assert rows, name
        texts.extend(reason["text"] for row in rows for reason in row["reasons"])
    alliance = run(store, "alliance-composition", {"activity": "A2.06", "lang": lang}).rows
    texts.extend(label for row in alliance for label in [*row["brings"], *row["still_uncovered"]])
    return texts


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_reasons_on_the_reference_data_are_written_in_the_language_asked(
    reference: Any, lang: str
) -> None:
    texts = _texts(reference, lang)
    english = _english_phrases()
    assert [t for t in _texts(reference, "en") if any(p in t for p in english)]  # the check bites
    assert not [t for t in texts if any(phrase in t for phrase in english)]
    codes = _codes(reference)
    assert not [t for t in texts if any(f"({c})" in t or f" {c} " in t for c in codes if c)]
    assert not [t for t in texts if "_" in t]  # no regional_representative, in_preparation...


def test_the_same_reasons_in_three_languages(reference: Any) -> None:
    """One candidate, three languages: the same signals and evidence, the sentences apart."""
    params = {"project": "faidherbia-scaling", "top": "1"}
    rows = {
        lang: run(reference, "candidates-for-project", {**params, "lang": lang}).rows[0]
        for lang in LANGUAGES
    }
    english = run(reference, "candidates-for-project", params).rows[0]
    assert english == rows["en"]
    for lang in ("fr", "es"):
        assert rows[lang]["signals"] == english["signals"]
        pairs = zip(rows[lang]["reasons"], english["reasons"], strict=True)
        for theirs, ours in pairs:
            assert (theirs["signal"], theirs["evidence"]) == (ours["signal"], ours["evidence"])
            assert theirs["text"] != ours["text"]
    role = [r["text"] for r in rows["es"]["reasons"] if r["signal"] == "task_force"]
    assert not role or "grupo de trabajo" in role[0]


def test_an_unsupported_language_is_a_bad_parameter(reference: Any) -> None:
    with pytest.raises(QueryError, match="parameter 'lang' must be one of en, fr, es, not 'de'"):
        run(reference, "candidates-for-activity", {"activity": "A2.06", "lang": "de"})
