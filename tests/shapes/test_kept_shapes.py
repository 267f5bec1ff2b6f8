"""What pyshacl would rebuild from the shapes on every validation is built once.

See sic.kept_shapes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyshacl
import pytest
from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from rdflib import Graph, Literal, URIRef

from sic import kept_shapes
from sic.validation import Validator

EX = "urn:test:"
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <{EX}> .

ex:prefixes sh:declare [
    sh:prefix "ex" ; sh:namespace "{EX}"^^<http://www.w3.org/2001/XMLSchema#anyURI>
] .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:sparql [
        sh:prefixes ex:prefixes ;
        sh:message "A thing is not its own part" ;
        sh:select "SELECT $this ?value WHERE {{ $this ex:part $this . BIND($this AS ?value) }}" ;
    ] .

ex:Kind a rdfs:Class, sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "A kind has a name" ] .

ex:NamedShape a sh:NodeShape ;
    sh:targetNode ex:t1 ;
    sh:property [ sh:path ex:colour ; sh:minCount 1 ; sh:message "t1 has a colour" ] .

ex:HolderShape a sh:NodeShape ;
    sh:targetSubjectsOf ex:part ;
    sh:property [ sh:path ex:weight ; sh:minCount 1 ; sh:message "A holder has a weight" ] .

ex:PartShape a sh:NodeShape ;
    sh:targetObjectsOf ex:part ;
    sh:nodeKind sh:BlankNode ;
    sh:message "A part is a blank node" .
"""


def _validator(tmp_path: Path) -> Validator:
    path = tmp_path / "shapes.ttl"
    path.write_text(SHAPES)
    return Validator([path])


def _data() -> Graph:
    data = Graph()
    thing, kind = URIRef(f"{EX}t1"), URIRef(f"{EX}k1")
    data.add(
        (thing, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(f"{EX}Thing"))
    )
    data.add((thing, URIRef(f"{EX}part"), thing))
    data.add((kind, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(f"{EX}Kind")))
    return data


def test_sparql_constraint_objects_are_built_once_across_validations(tmp_path: Path) -> None:
    checker = _validator(tmp_path)
    before = kept_shapes.made(SPARQLBasedConstraint)
    first = checker.validate(_data())
    after_first = kept_shapes.made(SPARQLBasedConstraint)
    second = checker.validate(_data(), focus_nodes=[URIRef(f"{EX}t1"), URIRef(f"{EX}k1")])
    third = checker.validate(_data())
    assert after_first == before + 1  # one shape with a SPARQL constraint, in the full graph
    assert kept_shapes.made(SPARQLBasedConstraint) == after_first
    assert first == second == third
    assert sorted(v.message for v in first) == [
        "A holder has a weight",
        "A kind has a name",
        "A part is a blank node",
        "A thing is not its own part",
        "t1 has a colour",
    ]


def test_kept_results_match_a_fresh_pyshacl_run(tmp_path: Path) -> None:
    """Every kind of target (class, implicit class, node, subjects of, objects of) and the
    SPARQL rule still find exactly what pyshacl's own entry point finds, which keeps nothing."""
    checker = _validator(tmp_path)
    checker.validate(_data())
    ours = checker.validate(_data())
    made = kept_shapes.made(SPARQLBasedConstraint)
    shapes = Graph().parse(data=SHAPES, format="turtle")
    conforms, report, _ = pyshacl.validate(_data(), shacl_graph=shapes, advanced=True)
    assert kept_shapes.made(SPARQLBasedConstraint) == made  # other callers' shapes are not kept
    assert not conforms
    theirs = sorted(
        str(m) for m in report.objects(None, URIRef("http://www.w3.org/ns/shacl#resultMessage"))
    )
    assert sorted(v.message for v in ours) == theirs
    assert {v.focus_node for v in ours} == {f"{EX}t1", f"{EX}k1"}
    assert Literal("A kind has a name").value in theirs


PATH_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .

ex:prefixes sh:declare [
    sh:prefix "ex" ; sh:namespace "{EX}"^^<http://www.w3.org/2001/XMLSchema#anyURI>
] .

ex:WeightShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [
        sh:path ex:weight ;
        sh:sparql [
            sh:prefixes ex:prefixes ;
            sh:message "{{$this}} weighs {{?value}}, below {{$currentShape}}'s floor" ;
            sh:select "SELECT $this ?value WHERE {{ $this $PATH ?value . FILTER (?value < 10) }}" ;
        ] ;
    ] .
"""


def _weights(*weights: int) -> Graph:
    data = Graph()
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for n, weight in enumerate(weights):
        thing = URIRef(f"{EX}t{n}")
        data.add((thing, rdf_type, URIRef(f"{EX}Thing")))
        data.add((thing, URIRef(f"{EX}weight"), Literal(weight)))
    return data


def test_a_sparql_constraint_text_is_checked_once_per_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyshacl's regular-expression checks of a constraint's text run at its first focus node
    only; every later node, and later validations, bind their own node to the same text."""
    path = tmp_path / "shapes.ttl"
    path.write_text(PATH_SHAPES)
    checker = Validator([path])
    checks: list[str] = []
    original = SPARQLQueryHelper.check_invalid_sparql

    def counted(self: SPARQLQueryHelper, text: str, *args: Any, **kwargs: Any) -> bool:
        checks.append(text)
        return bool(original(self, text, *args, **kwargs))

    monkeypatch.setattr(SPARQLQueryHelper, "check_invalid_sparql", counted)
    first = checker.validate(_weights(3, 12, 5, 1))
    second = checker.validate(_weights(3, 12, 5, 1))
    assert len(checks) == 1
    shapes = Graph().parse(data=PATH_SHAPES, format="turtle")
    _, report, _ = pyshacl.validate(_weights(3, 12, 5, 1), shacl_graph=shapes, advanced=True)
    theirs = sorted(
        (str(s), str(v))
        for r in report.subjects(URIRef("http://www.w3.org/ns/shacl#resultSeverity"), None)
        for s in report.objects(r, URIRef("http://www.w3.org/ns/shacl#focusNode"))
        for v in report.objects(r, URIRef("http://www.w3.org/ns/shacl#value"))
    )
    assert sorted((v.focus_node, str(v.value)) for v in first) == theirs
    assert [(f"{EX}t0", "3"), (f"{EX}t2", "5"), (f"{EX}t3", "1")] == theirs
    assert first == second
