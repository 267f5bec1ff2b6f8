"""No English word inside a French or Spanish sentence (issue 17).

Every French and Spanish template the platform says things with (the pages' words in
api/locales, the reasons and questions in queries/locales, the loaders' sentences, the store's
key rule, the shapes' rule messages, the words of a location) is read for a list of English
words a translation tends to leave behind. A word inside a `{placeholder}` is the data's and is
not read, nor a quoted name ('facility', <iati-activity>), which is the input's own column or
element name and must stay as the reader's file spells it. Then the sentences filled with data
are checked where the data once brought English of its own: an IATI code list's name, a
location's "row" and "column", a parser's "one of".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH

from api.i18n import messages
from api.output import violations_text
from graph.syntax_hint import explain
from graph.validation import _KEY_SENTENCES
from loaders import iati_codes
from loaders.messages import MESSAGES, say
from sic.errors import LOCATION_WORDS, Location, Problem, Violation

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("fr", "es")
ENGLISH = ("row", "column", "facility", "sheet", "expected", "value", "must", "should")
"""English words that were found left in French and Spanish sentences; their plurals too."""
_ENGLISH = re.compile(
    r"(?<![\w-])(?:" + "|".join(ENGLISH) + r"|rows|columns|facilities|sheets|values)(?![\w-])",
    re.IGNORECASE,
)
_SET_APART = re.compile(r"\{[^{}]*\}|(?<!\w)'[^'\s][^']*'|<[^<>\s]+>|«[^»]*»")
"""Placeholders, and names quoted as the input spells them."""


def english_words(text: str) -> list[str]:
    """The listed English words of `text` outside placeholders and quoted names.

    >>> english_words("la colonne 'value' doit avoir une {value}")
    []
    >>> english_words("la value de la row {row}")
    ['value', 'row']
    """
    return _ENGLISH.findall(_SET_APART.sub(" ", text))


def _strings(value: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _strings(inner, f"{where}[{n}]")


def templates(lang: str) -> Iterator[tuple[str, str]]:
    """(where, template) of every sentence in `lang`."""
    for key, text in messages(lang).items():
        yield f"api/locales {key}", text
    for path in sorted((ROOT / "queries" / "locales").glob(f"*.{lang}.json")):
        yield from _strings(json.loads(path.read_text(encoding="utf-8")), path.name)
    for key, sentences in MESSAGES.items():
        yield f"loaders.messages {key}", sentences[lang]
    for key, sentences in _KEY_SENTENCES.items():
        yield f"graph.validation {key}", sentences[lang]
    for word, text in LOCATION_WORDS[lang].items():
        yield f"sic.errors.LOCATION_WORDS {word}", text
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        for message in Graph().parse(path).objects(None, SH.message):
            if isinstance(message, Literal) and message.language == lang:
                yield path.name, str(message)


def test_the_check_finds_what_it_looks_for() -> None:
    """Not a test that cannot fail: it finds the words in the sentences of the past."""
    assert english_words("activity-status inconnu '9' : attendu an IATI activity status") == []
    assert english_words("fichier.csv, row 3, column 'facility' : valeur manquante") == [
        "row",
        "column",
    ]
    assert english_words("Violation : <x> (value: 3)") == ["value"]
    assert english_words("les Values doivent être uniques") == ["Values"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_word_in_a_translated_template(lang: str) -> None:
    found = [(where, english_words(text), text) for where, text in templates(lang)]
    left = [f for f in found if f[1]]
    assert len(found) > 1000  # every source was read
    assert left == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_an_iati_code_list_is_named_in_the_sentence_s_language(lang: str) -> None:
    """The codes come from the list; the words around them from the sentence's language."""
    checks = {
        "iati.unknown_status": iati_codes.activity_status("9"),
        "iati.unknown_role": iati_codes.organisation_role("7"),
        "iati.unknown_org_type": iati_codes.organisation_type("zz"),
        "iati.unknown_date_type": iati_codes.date_type("zz"),
        "iati.unknown_budget_type": iati_codes.budget_type("zz"),
        "iati.unknown_transaction_type": iati_codes.transaction_type("zz"),
    }
    for key, code in checks.items():
        assert code.code is None and code.known, key
        assert re.fullmatch(r"\w+(, \w+)*", code.known), code.known  # codes, no words
        english, others = say(key, value="zz", known=code.known)
        said = dict(others)[lang]
        assert code.known in said and "one of" not in said and "IATI names" not in said
        assert "one of the codes" in english  # the English sentence is as it was


@pytest.mark.parametrize(
    ("lang", "row", "column"),
    [("en", "row", "column"), ("fr", "ligne", "colonne"), ("es", "fila", "columna")],
)
def test_a_location_is_said_in_the_reader_s_language(lang: str, row: str, column: str) -> None:
    where = Location("projects.csv", 4, "facility")
    assert where.said_in(lang) == f"projects.csv, {row} 4, {column} 'facility'"
    assert str(where) == "projects.csv, row 4, column 'facility'"  # the English, as it was
    problem = Problem(where, "bad", translations=(("es", "malo"), ("fr", "mauvais")))
    violation = Violation("https://x/a", None, "bad", value="3", location=where)
    text = violations_text([violation], lang)
    assert f"projects.csv, {row} 4, {column} 'facility'" in text
    assert problem.location.said_in(f"{lang}-XX") == where.said_in(lang)
    if lang != "en":
        assert english_words(text.replace("<https://x/a>", "").replace(": bad", "")) == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_parser_s_list_of_choices_is_introduced_in_the_reader_s_language(lang: str) -> None:
    engine = "error at 1:26: expected one of LATERAL, SERVICE, [_]"
    said = explain("SELECT ?x WHERE { ?x ?y }", engine, messages(lang))
    hint = said.split("\n", 1)[0]
    assert "LATERAL, SERVICE, [_]" in hint and "one of" not in hint
    assert said.endswith(f"({engine})")  # the engine's own message stays as it wrote it
    english = explain("SELECT ?x WHERE { ?x ?y }", engine)
    assert "The parser expected one of LATERAL, SERVICE, [_] here." in english
