"""Every data shape, proven on a conforming and a violating fixture (tests/data/shapes).

The table is tests/data/shapes/manifest.toml: for each rule, the violating fixture must give
exactly the expected result and the conforming one none. Fixtures are validated the way the store
validates a write: with `focus_nodes` set to the entity under test, and again on nothing more
than its two-link neighbourhood, which is all a write validation gets to see.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from sic.errors import Violation
from sic.validation import compact, validator
from sic.vocab import SH

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "shapes"
MANIFEST = FIXTURES / "manifest.toml"


@dataclass(frozen=True)
class Rule:
    """One row of the manifest: what the violating fixture must produce."""

    name: str
    shape: str
    bad: str
    focus: str
    path: str
    constraint: str
    severity: str
    value: str | None = None

    def fixture(self, kind: str) -> Path:
        return FIXTURES / f"{self.name}-{kind}.ttl"


def _rules() -> list[Rule]:
    with MANIFEST.open("rb") as handle:
        table = tomllib.load(handle)
    return [Rule(**row) for row in table["rule"]]


RULES = _rules()


@cache
def _graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def _neighbourhood(graph: Graph, focus: Node, hops: int = 2) -> Graph:
    """The triples on paths of at most `hops` links from `focus`, in either direction.

    This is what the store copies for a write validation: a rule that reads further away would
    pass here and fail on the whole graph, or the reverse.
    """
    found = Graph()
    frontier = {focus}
    seen: set[Node] = set()
    for _ in range(hops):
        reached: set[Node] = set()
        for node in frontier - seen:
            seen.add(node)
            for triple in graph.triples((node, None, None)):
                found.add(triple)
                reached.add(triple[2])
            for triple in graph.triples((None, None, node)):
                found.add(triple)
                reached.add(triple[0])
        frontier = {n for n in reached if not isinstance(n, Literal)}
    return found


def _describe(violations: list[Violation]) -> str:
    return "\n".join(
        f"  {v.source_shape} {v.constraint} {v.path} {v.value!r}: {v.message}" for v in violations
    )


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_conforming_fixture_gives_no_result(rule: Rule) -> None:
    data = _graph(rule.fixture("ok"))
    results = validator().validate(data, [URIRef(rule.focus)])
    assert results == [], f"{rule.name}-ok.ttl should conform:\n{_describe(results)}"


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_violating_fixture_gives_exactly_the_expected_result(rule: Rule) -> None:
    data = _graph(rule.fixture("bad"))
    results = validator().validate(data, [URIRef(rule.focus)])
    assert len(results) == 1, f"{rule.name}-bad.ttl ({rule.bad}):\n{_describe(results)}"
    (found,) = results
    assert found.focus_node == rule.focus
    assert found.source_shape == rule.shape
    assert found.path == rule.path
    assert found.constraint == rule.constraint
    assert found.severity == rule.severity
    if rule.value is not None:
        assert found.value == rule.value
    assert found.message.strip()
    assert "{?" not in found.message and "{$" not in found.message, found.message


def _local_rules() -> Iterator[Rule]:
    global_shapes = {compact(s.iri) for s in validator().global_shapes()}
    return (r for r in RULES if r.shape not in global_shapes)


@pytest.mark.parametrize("rule", list(_local_rules()), ids=lambda r: r.name)
def test_rule_is_decided_by_the_two_link_neighbourhood(rule: Rule) -> None:
    focus = URIRef(rule.focus)
    for kind in ("ok", "bad"):
        whole = _graph(rule.fixture(kind))
        near = _neighbourhood(whole, focus)
        expected = validator().validate(whole, [focus], include_global=False)
        assert validator().validate(near, [focus], include_global=False) == expected, (
            f"{rule.name}-{kind}.ttl: the rule reads beyond two links of its focus node"
        )


def _constrained_shapes() -> set[str]:
    """Every shape that carries a constraint of its own (not only sh:property links)."""
    graph = validator().shapes_graph
    own = {SH.path, SH.sparql}
    return {
        compact(str(shape))
        for shape, predicate in graph.subject_predicates(None)
        if predicate in own and isinstance(shape, URIRef)
    }


def test_every_shape_has_a_rule_in_the_manifest() -> None:
    covered = {r.shape for r in RULES}
    missing = sorted(_constrained_shapes() - covered)
    assert not missing, f"shapes without fixtures: {missing}"
    unknown = sorted(covered - _constrained_shapes())
    assert not unknown, f"manifest rules for shapes that do not exist: {unknown}"


def test_every_rule_has_both_fixtures_and_no_fixture_is_orphaned() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    expected = {r.fixture(kind).name for r in RULES for kind in ("ok", "bad")}
    present = {p.name for p in FIXTURES.glob("*.ttl")}
    assert expected == present
