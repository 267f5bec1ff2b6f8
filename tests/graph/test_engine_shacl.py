"""graph.engine_shacl against pyshacl: the same results on valid graphs and on graphs where every
rule of the shapes is broken at least once.

The breakages are built from the shapes: for each property shape, one per constraint it has
(a required value removed, a second value added, a wrong datatype, an ill-typed literal, a
dangling reference, an out-of-list value, a value breaking the pattern, a value out of range,
dates out of order, a second title in a language); each SPARQL rule has its own breakage in
SPARQL_BREAKAGES, and a test fails when a SPARQL rule has none.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from bench.generate import SIZES, generate_workbook
from graph.engine_shacl import EngineValidator, compile_shapes
from graph.validation import WriteChecker, validate_source
from loaders.source import read_source
from loaders.workbook import read_workbook
from sic.errors import Violation
from sic.ontology import ontology_graph
from sic.terms import graph_to_quads
from sic.validation import Validator, validator
from sic.vocab import DEFAULT_BASE, SH, SIC

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
SICSH = "https://w3id.org/4p1000/shapes#"
ID = "https://w3id.org/4p1000/id/"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
DANGLING = URIRef(ID + "nothing/dangling")
GRAPH = ox.NamedNode("urn:x-test:union")

Key = tuple[str, str | None, str | None, str | None]


def _with_ontology(workbook: Path) -> Graph:
    graph = read_workbook(workbook).graph
    graph += ontology_graph()
    return graph


@pytest.fixture(scope="module")
def reference() -> Graph:
    return _with_ontology(REFERENCE)


@pytest.fixture(scope="module")
def xs(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    out = tmp_path_factory.mktemp("xs")
    generate_workbook(SIZES["XS"], out)
    return _with_ontology(out)


def _engine_results(graph: Graph, *, include_global: bool) -> list[Violation]:
    store = ox.Store()
    store.bulk_extend(graph_to_quads(graph, GRAPH))
    engine = EngineValidator(validator())
    return engine.validate(store, [GRAPH], lambda: graph, include_global=include_global)


def _compare(graph: Graph, *, include_global: bool = False) -> list[Violation]:
    """Both validators on `graph`: the same results, field by field; returns pyshacl's."""
    expected = validator().validate(graph, include_global=include_global)
    found = _engine_results(graph, include_global=include_global)

    def key(v: Violation) -> Key:
        return (v.focus_node, v.path, v.source_shape, v.constraint)

    assert {key(v) for v in found} == {key(v) for v in expected}
    assert all(v.severity != "Violation" for v in found) == all(
        v.severity != "Violation" for v in expected
    )
    # and, stricter, the same records: value, message and severity too, as many times
    assert Counter(found) == Counter(expected)
    return expected


def test_every_data_shape_compiles() -> None:
    compiled = compile_shapes(validator().shapes_graph, include_global=True)
    assert compiled.fallback == {}
    assert compiled.checks


@pytest.mark.parametrize("base", ["reference", "xs"])
def test_valid_graphs_conform_for_both(base: str, request: pytest.FixtureRequest) -> None:
    graph: Graph = request.getfixturevalue(base)
    assert _compare(graph) == []
    assert _compare(graph, include_global=True) == []


# -- breaking every rule -------------------------------------------------------------------


def _instances(graph: Graph, cls: Node) -> list[Node]:
    return sorted(set(graph.subjects(RDF.type, cls)), key=str)


def _targets(shapes: Graph, shape: Node) -> list[Node]:
    parents = [*shapes.subjects(SH.property, shape), shape]
    return sorted({c for p in parents for c in shapes.objects(p, SH.targetClass)}, key=str)


def _other_value(value: Node) -> Node:
    """A second value like `value`, different from it."""
    if isinstance(value, Literal):
        if value.datatype == XSD.date:
            return Literal("2000-01-01", datatype=XSD.date)
        if value.datatype == XSD.decimal:
            return Literal("12345", datatype=XSD.decimal)
        return Literal(f"{value}-2", lang=value.language, datatype=value.datatype)
    return URIRef(f"{value}-2")


class Breaker:
    """Picks a fresh focus node per breakage (so that two breakages do not hide each other)."""

    def __init__(self, graph: Graph, shapes: Graph) -> None:
        self.graph = graph
        self.shapes = shapes
        self.used: set[tuple[Node, Node]] = set()
        self.path: Node = RDF.type
        self.clones = 0
        self.broken: set[tuple[str, str]] = set()

    def focus(
        self, cls: Node, having: URIRef | None = None, also: frozenset[Node] = frozenset()
    ) -> Node | None:
        """A node of `cls` no other breakage of the same path (or of `also`) used, with a
        `having` value when asked."""
        paths = {self.path, *also}
        for node in _instances(self.graph, cls):
            if any((node, p) in self.used for p in paths):
                continue
            if having is not None and (node, having, None) not in self.graph:
                continue
            self.used |= {(node, p) for p in paths}
            return node
        return self._clone(cls, having, paths)

    def _clone(self, cls: Node, having: URIRef | None, paths: set[Node]) -> Node | None:
        """A copy of the first node of `cls` (with a `having` value), under a new IRI and key,
        when every node of the class is taken (XS has six calls)."""
        for model in _instances(self.graph, cls):
            if having is not None and (model, having, None) not in self.graph:
                continue
            self.clones += 1
            node = URIRef(f"{model}-clone-{self.clones}")
            for p, o in list(self.graph.predicate_objects(model)):
                if p == URIRef(DCT + "identifier"):
                    o = Literal(f"{o}-clone-{self.clones}")
                self.graph.add((node, p, o))
            self.used |= {(node, p) for p in paths}
            return node
        return None

    def _paired(self, path: URIRef) -> set[Node]:
        shapes = self.shapes
        ahead = {
            o
            for s in shapes.subjects(SH.path, path)
            for o in shapes.objects(s, SH.lessThanOrEquals)
        }
        behind = {shapes.value(s, SH.path) for s in shapes.subjects(SH.lessThanOrEquals, path)}
        return {p for p in ahead | behind if p is not None}

    def set(self, node: Node, path: URIRef, *values: Node) -> None:
        self.graph.remove((node, path, None))
        for value in values:
            self.graph.add((node, path, value))

    def break_property(self, shape: Node) -> None:
        shapes = self.shapes
        path = shapes.value(shape, SH.path)
        assert isinstance(path, URIRef), f"{shape}: only IRI paths are broken here"
        name = str(shape).replace(SICSH, "sicsh:")
        self.path = path
        for cls in _targets(shapes, shape):
            for predicate, value in shapes.predicate_objects(shape):
                component = str(predicate).rsplit("#", 1)[-1]
                done = self._break(cls, path, predicate, value)
                if done:
                    self.broken.add((name, component))

    def _break(self, cls: Node, path: URIRef, predicate: Node, rule: Node) -> bool:
        g = self.graph
        if predicate == SH.minCount:
            node = self.focus(cls, path)
            if node is None:
                return False
            g.remove((node, path, None))
        elif predicate == SH.maxCount:
            node = self.focus(cls, path) or self.focus(cls)
            if node is None:
                return False
            value = g.value(node, path) or Literal("one value")
            g.add((node, path, value))
            g.add((node, path, _other_value(value)))
        elif predicate == SH.datatype:
            wrong: list[Node] = {
                RDF.langString: [Literal("plain text")],
                XSD.string: [Literal(5)],
                XSD.date: [Literal("2020-13-45", datatype=XSD.date), Literal("soon")],
                XSD.decimal: [
                    Literal("abc", datatype=XSD.decimal),
                    Literal("1e5", datatype=XSD.decimal),
                ],
            }.get(rule, [Literal("wrong")])  # type: ignore[call-overload]
            for value in wrong:
                node = self.focus(cls, also=frozenset(self._paired(path)))
                if node is None:
                    return False
                self.set(node, path, value)
                # pyshacl raises TypeError comparing an ill-typed date in sh:lessThanOrEquals
                # (the engine reports it); keep such values away from the pair rule
                for partner in self._paired(path):
                    g.remove((node, partner, None))
        elif predicate == SH["class"]:
            node = self.focus(cls)
            if node is None:
                return False
            g.add((node, path, DANGLING))
        elif predicate == SH.nodeKind:
            node = self.focus(cls)
            if node is None:
                return False
            kind = Literal("free text") if rule in (SH.IRI, SH.BlankNodeOrIRI) else DANGLING
            g.add((node, path, kind))
        elif predicate == SH["in"]:
            node = self.focus(cls)
            if node is None:
                return False
            self.set(node, path, URIRef(str(SIC) + "NotInTheList"))
        elif predicate == SH.pattern:
            node = self.focus(cls)
            if node is None:
                return False
            shape_is_iri = any(
                True
                for s in self.shapes.subjects(SH.pattern, rule)
                if (s, SH.nodeKind, SH.IRI) in self.shapes
            )
            self.set(
                node, path, URIRef("http://example.org/bad") if shape_is_iri else Literal("zz\n")
            )
        elif predicate == SH.minExclusive:
            for value in (Literal("-5", datatype=XSD.decimal), Literal("0", datatype=XSD.decimal)):
                node = self.focus(cls)
                if node is None:
                    return False
                self.set(node, path, value)
        elif predicate == SH.lessThanOrEquals:
            assert isinstance(rule, URIRef)
            node = self.focus(cls, rule)
            if node is None:
                return False
            later = g.value(node, rule)
            assert isinstance(later, Literal)
            bigger = (
                Literal("2999-01-01", datatype=XSD.date)
                if later.datatype == XSD.date
                else Literal("999999999", datatype=XSD.decimal)
            )
            self.set(node, path, bigger)
        elif predicate == SH.uniqueLang:
            node = self.focus(cls)
            if node is None:
                return False
            g.add((node, path, Literal("a second text", lang="en")))
            g.add((node, path, Literal("another one", lang="en")))
        else:
            return False
        return True


def _first(graph: Graph, query: str) -> dict[str, Node]:
    rows = list(graph.query(query))
    assert rows, query
    return {str(k): v for k, v in rows[0].asdict().items()}


_PREFIXES = f"""PREFIX sic: <{SIC}> PREFIX org: <{ORG}> PREFIX schema: <{SCHEMA}>
PREFIX dct: <{DCT}> PREFIX rdf: <{RDF}>
"""


def _activity_code(g: Graph) -> None:
    row = _first(
        g, _PREFIXES + "SELECT ?a WHERE { ?a a sic:Activity ; dct:identifier ?c } ORDER BY DESC(?a)"
    )
    g.set((row["a"], URIRef(DCT + "identifier"), Literal("Z9.99")))


def _leader_organisation(g: Graph) -> None:
    row = _first(
        g,
        _PREFIXES + "SELECT ?p ?o WHERE { ?r org:member ?p ; org:role sic:RoleLeader . "
        "?p org:memberOf ?o } ORDER BY ?p",
    )
    g.remove((row["o"], SIC.membershipStatus, None))


def _representative_region(g: Graph) -> None:
    row = _first(
        g,
        _PREFIXES
        + "SELECT ?r WHERE { ?r org:role sic:RoleRegionalRepresentative } ORDER BY DESC(?r)",
    )
    g.remove((row["r"], SIC.region, None))


def _alliance_lead(g: Graph) -> None:
    row = _first(
        g, _PREFIXES + "SELECT ?a ?l WHERE { ?a a sic:Alliance ; sic:lead ?l } ORDER BY ?a"
    )
    g.remove((row["a"], URIRef(ORG + "hasMember"), row["l"]))


def _amount_currency(g: Graph) -> None:
    row = _first(
        g, _PREFIXES + "SELECT ?p WHERE { ?p a sic:Project ; sic:budget ?b } ORDER BY DESC(?p)"
    )
    g.remove((row["p"], URIRef(SCHEMA + "currency"), None))


def _project_funding(g: Graph) -> None:
    row = _first(
        g,
        _PREFIXES + "SELECT ?p WHERE { ?p a sic:Project ; sic:stage sic:StageImplementation } "
        "ORDER BY DESC(?p)",
    )
    g.remove((None, URIRef(SCHEMA + "fundedItem"), row["p"]))


def _duplicate_key(g: Graph) -> None:
    row = _first(
        g,
        _PREFIXES + "SELECT ?a ?b ?k WHERE { ?a a sic:Organisation ; dct:identifier ?k . "
        "?b a sic:Organisation . FILTER (?a != ?b) } ORDER BY DESC(?b) ?a LIMIT 1",
    )
    g.set((row["b"], URIRef(DCT + "identifier"), row["k"]))


def _dropped(cls: str, predicate: URIRef) -> Callable[[Graph], None]:
    """A breakage that copies an instance of `cls` having `predicate` under a new IRI and key,
    without it: a fresh node, so that no other breakage is undone or hidden."""

    def drop(g: Graph) -> None:
        row = _first(
            g, _PREFIXES + f"SELECT ?x WHERE {{ ?x a {cls} ; <{predicate}> ?v }} ORDER BY ?x"
        )
        copy = URIRef(f"{row['x']}-without-{predicate.rsplit('#', 1)[-1]}")
        for p, o in list(g.predicate_objects(row["x"])):
            if p == URIRef(DCT + "identifier"):
                o = Literal(f"{o}-copy-{predicate.rsplit('#', 1)[-1]}")
            if p != predicate:
                g.add((copy, p, o))

    return drop


SPARQL_BREAKAGES: dict[str, Callable[[Graph], None]] = {
    "sicsh:Organisation-typeRequired": _dropped("sic:Organisation", URIRef(ORG + "classification")),
    "sicsh:Organisation-countryRequired": _dropped("sic:Organisation", SIC.country),
    "sicsh:Project-leadRequired": _dropped("sic:Project", SIC.lead),
    "sicsh:Project-activityRequired": _dropped("sic:Project", SIC.addresses),
    "sicsh:Project-stageRequired": _dropped("sic:Project", SIC.stage),
    "sicsh:Activity-codePrefix": _activity_code,
    "sicsh:Person-leaderOrganisation": _leader_organisation,
    "sicsh:TaskForceRole-representativeRegion": _representative_region,
    "sicsh:Alliance-leadIsMember": _alliance_lead,
    "sicsh:AmountCurrency": _amount_currency,
    "sicsh:Project-funding": _project_funding,
    "sicsh:IdentifierUnique": _duplicate_key,
}


def _sparql_shapes(shapes: Graph) -> set[str]:
    return {str(s).replace(SICSH, "sicsh:") for s in shapes.subjects(SH.sparql, None)}


def test_every_sparql_rule_has_a_breakage() -> None:
    assert _sparql_shapes(validator().shapes_graph) == set(SPARQL_BREAKAGES)


def _broken(base: Graph) -> tuple[Graph, set[tuple[str, str]]]:
    graph = Graph()
    graph += base
    shapes = validator().shapes_graph
    breaker = Breaker(graph, shapes)
    for shape in sorted(set(shapes.subjects(SH.path, None)), key=str):
        breaker.break_property(shape)
    for name, breakage in SPARQL_BREAKAGES.items():
        breakage(graph)
        breaker.broken.add((name, "sparql"))
    return graph, breaker.broken


def _rules(shapes: Graph) -> set[tuple[str, str]]:
    """Every (shape, constraint parameter) of the data shapes, and each SPARQL rule."""
    compiled_parameters = {
        SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.pattern,
        SH.minExclusive, SH.lessThanOrEquals, SH.uniqueLang,
    }  # fmt: skip
    rules = {
        (str(s).replace(SICSH, "sicsh:"), str(p).rsplit("#", 1)[-1])
        for s in shapes.subjects(SH.path, None)
        for p in shapes.predicates(s, None)
        if p in compiled_parameters
        and not (p == SH.minCount and shapes.value(s, SH.minCount) == Literal(0))
    }
    return rules | {(name, "sparql") for name in _sparql_shapes(shapes)}


def test_xs_with_every_rule_broken_gives_the_same_results(xs: Graph) -> None:
    graph, broken = _broken(xs)
    shapes = validator().shapes_graph
    assert _rules(shapes) <= broken, sorted(_rules(shapes) - broken)
    results = _compare(graph, include_global=True)
    _compare(graph, include_global=False)
    # and each breakage did break its rule for pyshacl too
    components = {
        "minCount": "MinCount", "maxCount": "MaxCount", "datatype": "Datatype",
        "class": "Class", "nodeKind": "NodeKind", "in": "In", "pattern": "Pattern",
        "minExclusive": "MinExclusive", "lessThanOrEquals": "LessThanOrEquals",
        "uniqueLang": "UniqueLang", "sparql": "SPARQL",
    }  # fmt: skip
    # both paths carry the rule's French and Spanish sentences, the SPARQL ones filled in
    assert all({tag for tag, _ in v.translations} == {"fr", "es"} for v in results)
    assert not [v for v in results for _, text in v.translations if re.search(r"\{[?$]", text)]
    reported = {(v.source_shape, v.constraint) for v in results}
    missing = sorted(
        (shape, rule)
        for shape, rule in _rules(shapes)
        if (shape, f"sh:{components[rule]}ConstraintComponent") not in reported
    )
    assert not missing


@pytest.mark.parametrize("threads", [1, 3])
def test_the_checks_give_the_same_results_on_any_number_of_threads(xs: Graph, threads: int) -> None:
    graph, _ = _broken(xs)
    store = ox.Store()
    store.bulk_extend(graph_to_quads(graph, GRAPH))
    expected = validator().validate(graph, include_global=True)
    engine = EngineValidator(validator(), threads=threads)
    found = engine.validate(store, [GRAPH], lambda: graph, include_global=True)
    assert expected and Counter(found) == Counter(expected)


def test_reference_with_breakages_gives_the_same_results(reference: Graph) -> None:
    graph, _ = _broken(reference)
    assert _compare(graph, include_global=True)


# -- fallback and location -----------------------------------------------------------------

FALLBACK_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ;
  sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "A thing needs a name." ] ;
  sh:property [ sh:path ex:part ; sh:node ex:PartShape ; sh:message "Parts need a size." ] .
ex:PartShape a sh:NodeShape ; sh:property [ sh:path ex:size ; sh:minCount 1 ] .
ex:OtherShape a sh:NodeShape ;
  sh:targetClass ex:Other ;
  sh:property [ sh:path ex:name ; sh:maxCount 1 ; sh:message "One name." ] .
"""


@pytest.fixture
def fallback_validator(tmp_path: Path) -> Iterator[Validator]:
    path = tmp_path / "shapes.ttl"
    path.write_text(FALLBACK_SHAPES, encoding="utf-8")
    yield Validator([path])


def test_a_shape_the_compiler_cannot_translate_is_left_to_pyshacl(
    fallback_validator: Validator, caplog: pytest.LogCaptureFixture
) -> None:
    data = Graph().parse(
        data="""@prefix ex: <http://example.org/> .
        ex:t a ex:Thing ; ex:part ex:p .  ex:p ex:colour "red" .
        ex:o a ex:Other ; ex:name "a", "b" .""",
        format="turtle",
    )
    store = ox.Store()
    store.bulk_extend(graph_to_quads(data, GRAPH))
    caplog.set_level("DEBUG", logger="graph.engine_shacl")
    engine = EngineValidator(fallback_validator)
    found = engine.validate(store, [GRAPH], lambda: data)
    expected = fallback_validator.validate(data, include_global=False)
    assert Counter(found) == Counter(expected)
    assert {v.constraint for v in found} == {
        "sh:MinCountConstraintComponent",
        "sh:NodeConstraintComponent",
        "sh:MaxCountConstraintComponent",
    }
    assert "left to pyshacl" in caplog.text and "sh:node" in caplog.text
    compiled = engine.compiled()
    assert URIRef("http://example.org/ThingShape") in compiled.fallback
    assert URIRef("http://example.org/OtherShape") in compiled.compiled


def test_a_workbook_violation_found_by_the_engine_names_file_row_and_column(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "workbook"
    shutil.copytree(REFERENCE, folder)
    projects = folder / "projects.csv"
    text = projects.read_text(encoding="utf-8")
    projects.write_text(text.replace("2023-10-01,2026-09-30", "2027-10-01,2026-09-30"), "utf-8")
    violations = validate_source(read_source(folder, base=DEFAULT_BASE), WriteChecker())
    (late,) = [v for v in violations if v.constraint == "sh:LessThanOrEqualsConstraintComponent"]
    assert late.focus_node == ID + "project/ndc-soil-helpdesk"
    assert late.location is not None
    assert (late.location.file, late.location.row, late.location.column) == (
        "projects.csv",
        2,
        "start",
    )


def test_in_list_members_are_compared_as_terms() -> None:
    # "1"^^xsd:integer equals "01"^^xsd:integer in SPARQL but is another term for SHACL sh:in
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S sh:targetClass ex:T ; sh:property [ sh:path ex:n ; sh:in ( 1 ) ] .""",
        format="turtle",
    )
    (check,) = compile_shapes(shapes).checks
    assert "sameTerm(?value" in check.query
    assert 'sameTerm(?value, "1"^^<http://www.w3.org/2001/XMLSchema#integer>)' in check.query
