"""Syntax errors said plainly: the line, a caret, and the keyword a misspelt word stands for."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.syntax_hint import explain


def _engine_message(query: str) -> str:
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(query)
    return str(caught.value)


@pytest.mark.parametrize(
    ("query", "word", "keyword", "line"),
    [
        ("SELEC ?x WHERE { ?x ?p ?o }", "SELEC", "SELECT", 1),
        ("select ?x wher { ?x ?p ?o }", "wher", "WHERE", 1),
        ("SELECT ?x WHERE {\n  ?x ?p ?o .\n  OPTINAL { ?x ?q ?r }\n}", "OPTINAL", "OPTIONAL", 3),
        ("SELECT ?x WHERE { ?x ?p ?o FILTR(?o) }", "FILTR", "FILTER", 1),
    ],
)
def test_a_misspelt_keyword_is_named_and_pointed_at(
    query: str, word: str, keyword: str, line: int
) -> None:
    text = explain(query, _engine_message(query))
    first, shown, caret, engine = text.splitlines()
    assert f"line {line}," in first and f"'{word}' is not a SPARQL keyword" in first
    assert first.endswith(f"did you mean {keyword}?")
    assert shown[2:] == query.splitlines()[line - 1]
    assert caret.index("^") == shown.index(word)
    assert engine.startswith("(error at ")


def test_words_in_strings_and_iris_are_not_taken_for_keywords() -> None:
    query = 'SELECT ?x WHERE { ?x <http://ex/Selec> "Selected Optinal" . ?x ?p }'
    text = explain(query, _engine_message(query))
    assert "is not a SPARQL keyword" not in text
    assert text.startswith("the query cannot be read at line 1, column")
    assert "The parser expected" in text


def test_a_message_without_a_position_is_left_as_it_is() -> None:
    assert explain("SELECT * WHERE {}", "SERVICE is refused") == "SERVICE is refused"


def test_a_long_line_is_cut_around_the_caret() -> None:
    query = "SELECT ?x WHERE { " + "?x ?p ?o . " * 40 + "?x ?p }"
    _, shown, caret, _ = explain(query, _engine_message(query)).splitlines()
    assert len(shown) < 200 and shown.strip().startswith("…")
    assert shown.endswith("?p }"), "the end of the line, where the engine stopped, is shown"
    assert caret.index("^") == len(shown), "the caret just past the end of the input"
