"""The validator's API: focus nodes, global rules, literal normalisation, errors, speed."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic

from sic.errors import ShapesError, ValidationFailed, Violation
from sic.validation import (
    GlobalShape,
    Validator,
    compact,
    conforms,
    default_shape_files,
    validator,
)
from sic.vocab import DCTERMS, RDF, SCHEMA, SIC, XSD

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "shapes"
ID = "https://w3id.org/4p1000/id/"
PREFIXES = f"""
@prefix sic: <https://w3id.org/4p1000/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
@prefix objective: <{ID}objective/> .
@prefix activity: <{ID}activity/> .
@prefix category: <{ID}category/> .
@prefix project: <{ID}project/> .
@prefix organisation: <{ID}organisation/> .
"""

# Two activities that each break a rule, and an objective that breaks several (no label, no goal,
# no facility): what a two-link copy of the store around one changed activity looks like.
TWO_BAD_ACTIVITIES = (
    PREFIXES
    + """
objective:A1 a sic:StrategicObjective ; dct:identifier "A1" .
category:policy a sic:Category .
activity:A1.01 a sic:Activity ; dct:identifier "B1.01" ; rdfs:label "One"@en ;
    sic:objective objective:A1 ; sic:category category:policy .
activity:A1.02 a sic:Activity ; dct:identifier "A1.02" ; rdfs:label "Two"@en ;
    sic:objective objective:A1 .
"""
)


def _graph(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def _activity(code: str, objective: str = "A1") -> Graph:
    return _graph(
        PREFIXES
        + f"""
objective:{objective} a sic:StrategicObjective ; dct:identifier "{objective}" .
category:policy a sic:Category .
<{ID}activity/{code}> a sic:Activity ; dct:identifier "{code}" ; rdfs:label "An activity"@en ;
    sic:objective objective:{objective} ; sic:category category:policy .
"""
    )


def test_the_default_glob_finds_the_data_shape_files() -> None:
    files = default_shape_files()
    assert len(files) >= 4
    assert all(f.suffix == ".ttl" for f in files)
    assert "ontology.ttl" not in {f.name for f in files}
    assert validator().shape_files == tuple(files)


def test_the_ontology_shapes_file_is_left_out(tmp_path: Path) -> None:
    for name in ("plan.ttl", "ontology.ttl", "cycle.ttl"):
        (tmp_path / name).write_text("")
    assert [f.name for f in default_shape_files(tmp_path)] == ["cycle.ttl", "plan.ttl"]


def test_focus_nodes_check_the_changed_node_and_ignore_the_others() -> None:
    data = _graph(TWO_BAD_ACTIVITIES)
    everything = validator().validate(data)
    blamed = {v.focus_node for v in everything}
    assert {f"{ID}activity/A1.01", f"{ID}activity/A1.02", f"{ID}objective/A1"} <= blamed

    changed = URIRef(f"{ID}activity/A1.01")
    (only,) = validator().validate(data, [changed])
    assert only.focus_node == str(changed)
    assert only.source_shape == "sicsh:Activity-codePrefix"
    assert only.value == "B1.01"

    (other,) = validator().validate(data, [URIRef(f"{ID}activity/A1.02")])
    assert other.source_shape == "sicsh:Activity-category"
    assert other.constraint == "sh:MinCountConstraintComponent"


def test_an_empty_focus_list_checks_nothing() -> None:
    assert validator().validate(_graph(TWO_BAD_ACTIVITIES), []) == []


def test_a_focus_node_no_shape_targets_gives_no_result() -> None:
    data = _graph(TWO_BAD_ACTIVITIES)
    assert validator().validate(data, [URIRef(f"{ID}category/policy-unknown")]) == []


def test_blank_node_focus_nodes_are_checked_too() -> None:
    data = Graph()
    project = BNode()
    data.add((project, RDF.type, SIC.Project))
    data.add((project, SIC.budget, Literal("-1", datatype=XSD.decimal)))
    named = URIRef(f"{ID}activity/x")
    data.add((named, RDF.type, SIC.Activity))
    results = validator().validate(data, [project])
    assert results
    assert {v.focus_node for v in results} == {str(project)}
    assert "sicsh:Project-budget" in {v.source_shape for v in results}


@pytest.mark.parametrize(
    ("code", "objective", "ok"),
    [
        ("A1.01", "A1", True),
        ("A1-01", "A1", True),
        ("A1", "A1", True),
        ("A10.01", "A1", False),
        ("B1.01", "A1", False),
        ("A10.01", "A10", True),
    ],
)
def test_an_activity_code_belongs_under_its_objective_code(
    code: str, objective: str, ok: bool
) -> None:
    focus = URIRef(f"{ID}activity/{code}")
    results = validator().validate(_activity(code, objective), [focus])
    assert (results == []) is ok, results


def test_xsd_string_literals_count_as_plain_strings() -> None:
    """pyoxigraph (and oxrdflib) spell out ^^xsd:string; RDF says it is the same literal."""
    data = _graph(
        PREFIXES
        + """
organisation:inrae a sic:Organisation .
activity:A1.01 a sic:Activity .
project:p1 a sic:Project ; dct:identifier "p1"^^xsd:string ; rdfs:label "P"@en ;
    sic:stage sic:StageIdea ; sic:lead organisation:inrae ; sic:addresses activity:A1.01 ;
    sic:country "FR"^^xsd:string ; sic:budget "10"^^xsd:decimal ;
    schema:currency "EUR"^^xsd:string .
"""
    )
    assert validator().validate(data, [URIRef(f"{ID}project/p1")]) == []


def test_the_callers_graph_is_not_modified() -> None:
    data = _graph(TWO_BAD_ACTIVITIES)
    data.add((URIRef(f"{ID}project/p"), SCHEMA.currency, Literal("EUR", datatype=XSD.string)))
    before = to_isomorphic(data)
    validator().validate(data)
    assert to_isomorphic(data) == before


def test_a_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    dataset = Dataset()
    source = _graph(TWO_BAD_ACTIVITIES)
    first = dataset.graph(URIRef("urn:graph:one"))
    second = dataset.graph(URIRef("urn:graph:two"))
    for s, p, o in source:
        (first if p == RDF.type else second).add((s, p, o))
    focus = [URIRef(f"{ID}activity/A1.01")]
    assert validator().validate(dataset, focus) == validator().validate(source, focus)


def _duplicate_codes() -> Graph:
    return _graph(
        PREFIXES
        + """
category:a a sic:Category ; dct:identifier "policy" ; rdfs:label "A"@en .
category:b a sic:Category ; dct:identifier "policy" ; rdfs:label "B"@en .
activity:policy a sic:Activity ; dct:identifier "policy" .
"""
    )


def test_global_rules_run_by_default_and_can_be_skipped() -> None:
    data = _duplicate_codes()
    focus = [URIRef(f"{ID}category/a"), URIRef(f"{ID}category/b")]
    found = validator().validate(data, focus)
    assert {(v.focus_node, v.source_shape, v.value) for v in found} == {
        (f"{ID}category/a", "sicsh:IdentifierUnique", "policy"),
        (f"{ID}category/b", "sicsh:IdentifierUnique", "policy"),
    }
    assert validator().validate(data, focus, include_global=False) == []


def test_global_shapes_describe_the_whole_graph_rules() -> None:
    shapes = validator().global_shapes()
    assert [compact(s.iri) for s in shapes] == ["sicsh:IdentifierUnique"]
    (unique,) = shapes
    assert isinstance(unique, GlobalShape)
    assert unique.severity == "Violation"
    assert str(SIC.Activity) in unique.target_classes
    assert unique.message
    assert unique.queries and all(q.lstrip().startswith("PREFIX") for q in unique.queries)


def test_the_store_can_run_a_global_shape_as_its_own_query() -> None:
    """Run on pyoxigraph, the query finds what SHACL finds, and gives the same Violation."""
    data = _duplicate_codes()
    store = ox.Store()
    for s, p, o in data:
        store.add(
            ox.Quad(
                ox.NamedNode(str(s)),
                ox.NamedNode(str(p)),
                ox.NamedNode(str(o)) if isinstance(o, URIRef) else ox.Literal(str(o)),
            )
        )
    (unique,) = validator().global_shapes()
    from_store: list[Violation] = []
    for query in unique.queries:
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            from_store.append(unique.violation({name: solution[name] for name in names}))
    focus = [URIRef(f"{ID}category/a"), URIRef(f"{ID}category/b")]
    from_shacl = validator().validate(data, focus)
    assert sorted(from_store, key=str) == sorted(from_shacl, key=str)

    # One node at a time, as after a write: bind ?this.
    one = store.query(
        unique.queries[0], substitutions={ox.Variable("this"): ox.NamedNode(f"{ID}category/a")}
    )
    assert isinstance(one, ox.QuerySolutions)
    assert len(list(one)) == 1


def test_a_global_shape_row_without_this_is_refused() -> None:
    (unique,) = validator().global_shapes()
    with pytest.raises(ValueError, match="does not bind"):
        unique.violation({"value": Literal("x")})


def test_conforms_ignores_warnings_and_infos() -> None:
    warning = Violation(focus_node="x", path=None, message="m", severity="Warning")
    info = Violation(focus_node="x", path=None, message="m", severity="Info")
    error = Violation(focus_node="x", path=None, message="m", severity="Violation")
    assert conforms([])
    assert conforms([warning, info])
    assert not conforms([warning, error])


def test_check_raises_with_the_errors_and_returns_the_warnings() -> None:
    data = _graph(TWO_BAD_ACTIVITIES)
    with pytest.raises(ValidationFailed) as failure:
        validator().check(data)
    assert failure.value.violations
    assert all(v.severity == "Violation" for v in failure.value.violations)

    warning_only = Graph().parse(FIXTURES / "objective-topics-advised-bad.ttl")
    focus = [URIRef(f"{ID}objective/A1")]
    (warning,) = validator().check(warning_only, focus)
    assert warning.severity == "Warning"


def test_results_come_errors_first_in_a_stable_order() -> None:
    data = _graph(TWO_BAD_ACTIVITIES)
    data.remove((URIRef(f"{ID}objective/A1"), DCTERMS.subject, None))
    first = validator().validate(data)
    assert first == validator().validate(data)
    severities = [v.severity for v in first]
    assert severities == sorted(severities, key=["Violation", "Warning", "Info"].index)


def test_the_validator_is_built_once_per_process() -> None:
    assert validator() is validator()


def test_unreadable_shapes_are_a_shapes_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle .")
    with pytest.raises(ShapesError, match=r"broken\.ttl"):
        Validator([broken])
    with pytest.raises(ShapesError, match="no shape files"):
        Validator([])


def test_a_global_shape_must_be_a_sparql_rule(tmp_path: Path) -> None:
    shape = tmp_path / "global.ttl"
    shape.write_text(
        """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sicsh: <https://w3id.org/4p1000/shapes#> .
sicsh:Odd a sh:NodeShape ; sicsh:scope "global" ;
    sh:targetClass <urn:x:C> ; sh:property [ sh:path <urn:x:p> ; sh:minCount 1 ] .
"""
    )
    with pytest.raises(ShapesError, match="sicsh:scope"):
        Validator([shape])


def test_a_malformed_shape_is_a_shapes_error(tmp_path: Path) -> None:
    shape = tmp_path / "bad.ttl"
    shape.write_text(
        """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:x:S> a sh:PropertyShape ; sh:targetClass <urn:x:C> ; sh:minCount 1 .
"""
    )
    with pytest.raises(ShapesError):
        Validator([shape])


def test_compact_names() -> None:
    assert compact(str(SIC.objective)) == "sic:objective"
    assert compact("http://www.w3.org/ns/shacl#MinCountConstraintComponent") == (
        "sh:MinCountConstraintComponent"
    )
    assert compact("https://w3id.org/4p1000/shapes#Activity-objective") == (
        "sicsh:Activity-objective"
    )
    assert compact(f"{ID}activity/A1.01") == f"{ID}activity/A1.01"
    assert compact("urn:x:y") == "urn:x:y"


def test_repeated_validation_reads_the_shapes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store validates every write; the shapes must not be re-read each time: after the
    first validation, neither a shape file is parsed nor a pyshacl shapes graph built again
    (how cheap a validation is lives in bench/, not in a timed test)."""
    import sic.validation as validation

    data = Graph().parse(FIXTURES / "person-leader-organisation-ok.ttl")
    data += Graph().parse(FIXTURES / "project-funding-ok.ttl")
    data += _activity("A1.01")
    focus = [URIRef(f"{ID}person/ana"), URIRef(f"{ID}project/p1"), URIRef(f"{ID}activity/A1.01")]
    shared = validator()
    assert shared.validate(data, focus) == []
    assert validator() is shared
    built: list[object] = []
    parsed: list[object] = []
    real_shapes = validation.ShapesGraph
    real_parse = Graph.parse

    def counting_shapes(*args: object, **kwargs: object) -> object:
        built.append(args)
        return real_shapes(*args, **kwargs)

    def counting_parse(self: Graph, *args: object, **kwargs: object) -> object:
        parsed.append(args)
        return real_parse(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "ShapesGraph", counting_shapes)
    monkeypatch.setattr(Graph, "parse", counting_parse)
    for _ in range(5):
        assert validator().validate(data, focus) == []
    assert built == [] and parsed == []
    # the counters do count: a new validator reads the files and builds its shapes graphs
    validation.Validator()
    assert built and parsed


def test_pyshacl_skips_nested_shapes_under_focus_nodes(tmp_path: Path) -> None:
    """Why the shapes use no sh:node / sh:or (shapes/README.md): under focus_nodes, pyshacl 0.40
    filters the value nodes handed to a nested shape as if they were focus nodes. If this test
    fails, pyshacl has fixed it and the restriction can go."""
    shapes = tmp_path / "nested.ttl"
    shapes.write_text(
        """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:x:S> a sh:NodeShape ; sh:targetClass <urn:x:C> ;
    sh:property [ sh:path <urn:x:p> ; sh:node <urn:x:N> ] ;
    sh:property [ sh:path <urn:x:q> ;
                  sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:date ] ) ] .
<urn:x:N> a sh:NodeShape ; sh:property [ sh:path <urn:x:name> ; sh:minCount 1 ] .
"""
    )
    data = _graph('<urn:x:a> a <urn:x:C> ; <urn:x:p> <urn:x:b> ; <urn:x:q> "text" .')
    nested = Validator([shapes])
    everything = nested.validate(data)
    assert {v.constraint for v in everything} == {
        "sh:NodeConstraintComponent",
        "sh:OrConstraintComponent",
    }
    assert nested.validate(data, [URIRef("urn:x:a")]) == []
