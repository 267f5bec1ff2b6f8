"""graph.sparql_lexer: screening is skipped only where it could refuse nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.sparql_lexer import needs_screening, screen, tokens
from sic.errors import QueryError

_PIECES = st.sampled_from(
    [
        *("SELECT", "*", "{", "}", "(", ")", "[", "]", "?s", "<http://x/>", "ex:a", " ", "\n"),
        *("'a{'", '"("', "# {{\n", "'''(((]'''", "<se rvice>", "servic", "e"),
        *("SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "\\U00000053ervice", "x:service"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=30), st.integers(min_value=0, max_value=6))
def test_a_text_not_screened_is_one_screening_would_pass(pieces: list[str], limit: int) -> None:
    text = "".join(pieces)
    if needs_screening(text, limit):
        return
    toks = screen(text, limit)  # raises if it would have been refused
    assert toks == tokens(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * { {{{ ?s ?p ?o }}} }",
    ],
)
def test_what_screening_refuses_is_screened(text: str) -> None:
    assert needs_screening(text, 3)
    with pytest.raises(QueryError):
        screen(text, 3)
