"""The comparison the conformance tests rest on: it must fail where answers differ.

A lenient comparison would make every conformance count meaningless, so its edges are pinned
here: blank nodes renamed only consistently (and one-to-one), multisets not sets, terms not
values, graphs that colour refinement cannot tell apart still told apart, CSV read by the
spec's rules.
"""

from __future__ import annotations

import itertools
from typing import Any

import pyoxigraph as ox

EX = "http://example.org/"
INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def _cycle(names: list[str]) -> list[ox.Triple]:
    """A directed cycle through blank nodes named `names`."""
    nodes = [ox.BlankNode(n) for n in names]
    return [ox.Triple(a, _n("next"), b) for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True)]


def test_blank_nodes_are_renamed_consistently_and_one_to_one(harness: Any) -> None:
    a, b, c = ox.BlankNode("a"), ox.BlankNode("b"), ox.BlankNode("c")
    assert harness.match_rows([{"x": a, "y": b}], [{"x": c, "y": a}]) is None
    # one blank node twice is not two blank nodes
    assert harness.match_rows([{"x": a}, {"x": a}], [{"x": b}, {"x": c}]) is not None
    assert harness.match_rows([{"x": a, "y": a}], [{"x": b, "y": c}]) is not None
    # a blank node is not an IRI
    assert harness.match_rows([{"x": a}], [{"x": _n("a")}]) is not None


def test_rows_are_a_multiset(harness: Any) -> None:
    row = {"x": _n("s")}
    assert harness.match_rows([row, row], [row]) is not None
    assert harness.match_rows([row, row], [row, row]) is None
    assert harness.match_rows([row, {}], [row, row]) is not None  # unbound is not bound


def test_literals_are_compared_as_terms(harness: Any) -> None:
    one = ox.Literal("1", datatype=INTEGER)
    assert harness.match_rows([{"x": one}], [{"x": ox.Literal("01", datatype=INTEGER)}])
    assert harness.match_rows([{"x": one}], [{"x": ox.Literal("1")}])
    assert harness.match_rows(
        [{"x": ox.Literal("a", language="en")}], [{"x": ox.Literal("a", language="fr")}]
    )


def test_graphs_colour_refinement_cannot_separate_are_separated(harness: Any) -> None:
    """Two triangles and one hexagon: every node has one edge in and one out, so colours agree;
    only the search can find that no renaming exists."""
    triangles = _cycle(["a", "b", "c"]) + _cycle(["d", "e", "f"])
    hexagon = _cycle(["u", "v", "w", "x", "y", "z"])
    assert harness.compare_graphs(triangles, hexagon) is not None
    renamed = _cycle(["p", "q", "r"]) + _cycle(["s", "t", "u"])
    assert harness.compare_graphs(triangles, renamed) is None


def test_deep_matches_do_not_recurse(harness: Any) -> None:
    chain = [ox.BlankNode(f"n{i}") for i in range(3000)]
    triples = [ox.Triple(a, _n("next"), b) for a, b in itertools.pairwise(chain)]
    renamed = {b: ox.BlankNode(f"m{i}") for i, b in enumerate(chain)}
    other = [ox.Triple(renamed[a], _n("next"), renamed[b]) for a, b in itertools.pairwise(chain)]
    assert harness.compare_graphs(triples, other[::-1]) is None


def test_answers_and_datasets(harness: Any) -> None:
    rows = [{"x": _n("a")}, {"x": _n("b")}]
    first = harness.Solutions(("x",), rows)
    assert harness.compare_answers(first, harness.Solutions(("x",), rows[::-1])) is None
    assert harness.compare_answers(first, harness.Solutions(("x",), rows[::-1]), ordered=True)
    assert harness.compare_answers(first, harness.Solutions(("x", "y"), rows))
    assert harness.compare_answers(harness.Boolean(True), harness.Boolean(False))
    triple = ox.Triple(_n("s"), _n("p"), _n("o"))
    assert harness.compare_datasets({None: [triple]}, {None: [triple], _n("g"): []}) is None
    assert harness.compare_datasets({None: [triple]}, {None: [], _n("g"): [triple]})


def test_csv_is_read_by_the_spec_rules(harness: Any) -> None:
    text = 's,o\r\nhttp://example.org/s,"4,4"\r\n_:b0,"say ""hi"""\r\nhttp://example.org/t,\r\n'
    answer = harness.parse_csv_results(text)
    assert answer.variables == ("s", "o")
    assert answer.rows[0] == {"s": ox.Literal("http://example.org/s"), "o": ox.Literal("4,4")}
    assert answer.rows[1] == {"s": ox.BlankNode("b0"), "o": ox.Literal('say "hi"')}
    assert answer.rows[2] == {"s": ox.Literal("http://example.org/t")}
    renamed = harness.parse_csv_results(text.replace("_:b0", "_:zz"))
    assert harness.compare_answers(answer, renamed) is None
