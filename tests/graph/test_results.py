"""graph.results: the SPARQL JSON results written as text are the bytes json.dumps wrote."""

from __future__ import annotations

import json

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.results import SelectResult, term_json

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)),  # no lone surrogates: not RDF text
    max_size=20,
)
_IRI = st.sampled_from(
    ["http://example.org/a", "https://w3id.org/4p1000/id/x?y=1&z=2", "urn:é:ü\u2028"]
)
_DATATYPE = st.sampled_from(
    [
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/2001/XMLSchema#integer",
        "http://example.org/dt#\u00e9",
    ]
)
_LANG = st.sampled_from(["en", "fr-CA", "es-419"])

_LITERAL = st.one_of(
    st.builds(lambda v: ox.Literal(v), _TEXT),
    st.builds(lambda v, lang: ox.Literal(v, language=lang), _TEXT, _LANG),
    st.builds(lambda v, dt: ox.Literal(v, datatype=ox.NamedNode(dt)), _TEXT, _DATATYPE),
)
_NODE = st.one_of(
    st.builds(ox.NamedNode, _IRI),
    st.builds(ox.BlankNode, st.sampled_from(["b0", "node1", "x-y"])),
)
_TERM = st.one_of(
    _NODE,
    _LITERAL,
    st.builds(ox.Triple, _NODE, st.builds(ox.NamedNode, _IRI), st.one_of(_NODE, _LITERAL)),
    st.none(),
)


def _as_json_dumps_wrote(result: SelectResult) -> bytes:
    bindings = [
        {v: term_json(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    return json.dumps(
        {"head": {"vars": result.variables}, "results": {"bindings": bindings}},
        ensure_ascii=False,
    ).encode()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_TERM, min_size=3, max_size=3), max_size=6))
def test_json_results_are_the_bytes_json_dumps_wrote(rows: list[list[object]]) -> None:
    result = SelectResult(["s", "p", "o\u00e9"], rows)  # type: ignore[arg-type]
    written = result.serialize(ox.QueryResultsFormat.JSON)
    assert written == _as_json_dumps_wrote(result)
    json.loads(written)


def test_no_variables_and_no_rows() -> None:
    for result in (SelectResult([], []), SelectResult([], [[]]), SelectResult(["x"], [[None]])):
        assert result.serialize(ox.QueryResultsFormat.JSON) == _as_json_dumps_wrote(result)
