"""Running only the shapes that can target the focus nodes reports exactly what running every
shape reports (sic.shape_selection).

Three differential checks, each comparing `Validator.validate` with shape selection on and off
(`with_shape_selection(False)`, pyshacl's own full run) record for record, in order:
the bundled shapes on an XS workbook where every rule is broken at least once (the breakers of
test_engine_shacl), for random sets of focus nodes; random writes checked by `check_delta` on
the reference store (the changes of test_incremental); and small shapes using every kind of
target declaration (class with subclasses in the data, implicit class, node, subjects of,
objects of, SPARQL target, deactivated, nested shapes) on random data.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from bench.generate import SIZES, generate_workbook
from graph.validation import WriteChecker, check_delta
from sic.errors import ValidationFailed, Violation
from sic.shape_selection import shape_index
from sic.validation import Validator, validator
from sic.vocab import SIC

HERE = Path(__file__).resolve().parent
FUNCTION_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _sibling(name: str) -> ModuleType:
    """A test module of this folder, for its helpers (tests are not a package here)."""
    key = f"_shape_selection_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, HERE / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def _both(
    v: Validator, data: Graph, focus: list[URIRef], *, include_global: bool
) -> list[Violation]:
    """The selected run's results, asserted identical to the full run's."""
    full = v.with_shape_selection(False).validate(data, focus, include_global=include_global)
    selected = v.with_shape_selection(True).validate(data, focus, include_global=include_global)
    assert selected == full
    return selected


# -- the bundled shapes, every rule broken ---------------------------------------------------


@pytest.fixture(scope="module")
def broken_xs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, list[URIRef]]:
    engine_tests = _sibling("test_engine_shacl")
    out = tmp_path_factory.mktemp("xs")
    generate_workbook(SIZES["XS"], out)
    graph, _ = engine_tests._broken(engine_tests._with_ontology(out))
    nodes = sorted({s for s in graph.subjects() if isinstance(s, URIRef) and "/id/" in str(s)})
    return graph, nodes


@pytest.mark.slow
def test_every_rule_broken_is_reported_the_same_with_all_nodes_in_focus(
    broken_xs: tuple[Graph, list[URIRef]],
) -> None:
    graph, nodes = broken_xs
    engine_tests = _sibling("test_engine_shacl")
    results = _both(validator(), graph, nodes, include_global=False)
    with_global = {v.source_shape for v in _both(validator(), graph, nodes, include_global=True)}
    components = {
        "minCount": "MinCount", "maxCount": "MaxCount", "datatype": "Datatype",
        "class": "Class", "nodeKind": "NodeKind", "in": "In", "pattern": "Pattern",
        "minExclusive": "MinExclusive", "lessThanOrEquals": "LessThanOrEquals",
        "uniqueLang": "UniqueLang", "sparql": "SPARQL",
    }  # fmt: skip
    reported = {(v.source_shape, v.constraint) for v in results}
    rules = engine_tests._rules(validator().shapes_graph)
    global_rules = {(s, r) for s, r in rules if r == "sparql"} - {
        (v.source_shape, "sparql") for v in results
    }
    missing = sorted(
        (shape, rule)
        for shape, rule in rules - global_rules
        if (shape, f"sh:{components[rule]}ConstraintComponent") not in reported
    )
    assert not missing
    # the global (whole-graph) rules are reported once they are included
    assert {shape for shape, _ in global_rules} <= with_global


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=FUNCTION_FIXTURES)
@given(data=st.data())
def test_random_focus_sets_are_reported_the_same(
    broken_xs: tuple[Graph, list[URIRef]], data: st.DataObject
) -> None:
    graph, nodes = broken_xs
    focus = data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=6, unique=True))
    _both(validator(), graph, focus, include_global=data.draw(st.booleans()))


def test_a_project_is_checked_against_fewer_shapes_than_there_are() -> None:
    """The point of the selection: a write's nodes need a fraction of the shapes."""
    v = validator()
    data = Graph()
    project = URIRef("https://w3id.org/4p1000/id/project/p1")
    data.add((project, RDF.type, SIC.Project))
    index = shape_index(v._local)
    chosen = index.select(data, [project])
    assert 0 < len(chosen) < len(index.shapes) / 4


# -- writes through check_delta --------------------------------------------------------------


def _outcome(checker: WriteChecker, store: ox.Store, added: list, removed: list, graphs: list):  # type: ignore[no-untyped-def,type-arg]
    incremental = _sibling("test_incremental")
    try:
        check_delta(checker, store, incremental._ox(added), incremental._ox(removed), graphs)
    except ValidationFailed as exc:
        return exc.violations
    return []


@pytest.fixture(scope="module")
def reference_store():  # type: ignore[no-untyped-def]
    incremental = _sibling("test_incremental")
    return incremental.reference.__wrapped__()


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=FUNCTION_FIXTURES)
@given(data=st.data())
def test_random_writes_are_judged_the_same(reference_store, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    incremental = _sibling("test_incremental")
    store, union = reference_store
    added, removed = data.draw(incremental.changes(union))
    graphs = [ox.NamedNode(g) for g in store.dataset().union]
    full = _outcome(
        WriteChecker(validator().with_shape_selection(False)), store.raw, added, removed, graphs
    )
    selected = _outcome(WriteChecker(validator()), store.raw, added, removed, graphs)
    assert selected == full, (added, removed)


# -- every kind of target --------------------------------------------------------------------

EX = "urn:test:"
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{EX}> .

ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "a thing has a name" ] ;
    sh:property [ sh:path ex:p ; sh:node ex:Named ] .
ex:Named a sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:maxCount 1 ; sh:message "one name at most" ] .
ex:Kind a rdfs:Class, sh:NodeShape ;
    sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:message "a kind has a q" ] .
ex:NodeTarget a sh:NodeShape ; sh:targetNode ex:n1, ex:n4 ;
    sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:message "n1 and n4 have one p" ] .
ex:SubjectsOf a sh:NodeShape ; sh:targetSubjectsOf ex:q ;
    sh:property [ sh:path ex:name ; sh:datatype xsd:string ;
        sh:message "a q-subject's name is text" ] .
ex:ObjectsOf a sh:NodeShape ; sh:targetObjectsOf ex:p ;
    sh:property [ sh:path ex:p ; sh:maxCount 0 ; sh:message "a p-object has no p" ] .
ex:Flagged a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE {{ ?this <{EX}flag> true }}" ] ;
    sh:property [ sh:path ex:q ; sh:maxCount 0 ; sh:message "a flagged node has no q" ] .
ex:Off a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ;
    sh:property [ sh:path ex:zzz ; sh:minCount 1 ] .
ex:Whole a sh:NodeShape ; sh:targetClass ex:Kind ;
    <https://w3id.org/4p1000/shapes#scope> "global" ;
    sh:sparql [ sh:message "a kind is not its own q" ;
        sh:select "SELECT $this WHERE {{ $this <{EX}q> $this }}" ] .
"""
NODES = [URIRef(f"{EX}n{i}") for i in range(6)]
CLASSES = [URIRef(f"{EX}{name}") for name in ("Thing", "Sub", "SubSub", "Kind", "Other")]
PREDICATES = [URIRef(f"{EX}{name}") for name in ("p", "q", "name", "flag")]


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Validator:
    path = tmp_path_factory.mktemp("toy") / "toy.ttl"
    path.write_text(SHAPES, encoding="utf-8")
    return Validator([path])


@st.composite
def toy_graphs(draw: st.DrawFn) -> Graph:
    graph = Graph()
    for node in draw(st.lists(st.sampled_from(NODES), max_size=6)):
        graph.add((node, RDF.type, draw(st.sampled_from(CLASSES))))
    for _ in range(draw(st.integers(0, 3))):
        graph.add((draw(st.sampled_from(CLASSES)), RDFS.subClassOf, draw(st.sampled_from(CLASSES))))
    for _ in range(draw(st.integers(0, 12))):
        predicate = draw(st.sampled_from(PREDICATES))
        value = draw(
            st.sampled_from(NODES)
            | st.sampled_from([Literal("a"), Literal(1), Literal(True), Literal("b", lang="en")])
        )
        graph.add((draw(st.sampled_from(NODES)), predicate, value))
    return graph


@settings(max_examples=150, deadline=None, suppress_health_check=FUNCTION_FIXTURES)
@given(graph=toy_graphs(), data=st.data())
def test_every_kind_of_target_is_selected_as_pyshacl_targets_it(
    toy: Validator, graph: Graph, data: st.DataObject
) -> None:
    focus = data.draw(st.lists(st.sampled_from(NODES), min_size=1, max_size=4, unique=True))
    _both(toy, graph, focus, include_global=data.draw(st.booleans()))


def test_each_target_kind_reports_on_its_own(toy: Validator) -> None:
    """The toy shapes are not vacuous: each kind of target yields a result the selection keeps."""
    n = NODES
    graph = Graph()
    graph.add((URIRef(f"{EX}SubSub"), RDFS.subClassOf, URIRef(f"{EX}Sub")))
    graph.add((URIRef(f"{EX}Sub"), RDFS.subClassOf, URIRef(f"{EX}Thing")))
    graph.add((n[0], RDF.type, URIRef(f"{EX}SubSub")))  # class target through two subclasses
    graph.add((n[0], URIRef(f"{EX}p"), n[2]))
    graph.add((n[2], URIRef(f"{EX}name"), Literal(1)))  # n2: ObjectsOf ok, nested sh:node
    graph.add((n[2], URIRef(f"{EX}name"), Literal(2)))
    graph.add((n[2], URIRef(f"{EX}p"), n[3]))  # a p-object with a p
    graph.add((n[1], URIRef(f"{EX}p"), n[3]))
    graph.add((n[1], URIRef(f"{EX}p"), n[4]))  # targetNode n1 with two p
    graph.add((n[5], RDF.type, URIRef(f"{EX}Kind")))  # implicit class target, no q
    graph.add((n[3], URIRef(f"{EX}q"), Literal(1)))  # subjects of q
    graph.add((n[3], URIRef(f"{EX}name"), Literal(3)))
    graph.add((n[3], URIRef(f"{EX}flag"), Literal(True)))  # SPARQL target
    graph.add((n[4], RDF.type, URIRef(f"{EX}Kind")))
    graph.add((n[4], URIRef(f"{EX}q"), n[4]))  # the global rule
    results = _both(toy, graph, list(n), include_global=True)
    messages = {v.message for v in results}
    assert messages >= {
        "a thing has a name",
        "a kind has a q",
        "n1 and n4 have one p",
        "a q-subject's name is text",
        "a p-object has no p",
        "a flagged node has no q",
        "a kind is not its own q",
    }, messages
    assert "sh:NodeConstraintComponent" in {v.constraint for v in results}  # nested ex:Named
