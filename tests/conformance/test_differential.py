"""The service against plain pyoxigraph: the same data and the same requests give the same answers.

The service says it is pyoxigraph behind the SPARQL 1.1 Protocol: a client that PUTs a default
graph and named graphs and then queries or updates them must see exactly what a plain
`pyoxigraph.Store()` holding the same dataset would show. Three tests hold it to that, all on
real `sic serve` processes on 127.0.0.1:

- generated queries (hypothesis, over a small grammar) on a fixed dataset of a few hundred
  triples with blank nodes, typed and language-tagged literals, in a default graph and two named
  graphs;
- generated sequences of updates, applied to a fresh store and to the service after DROP ALL;
- a fixed list of analyst queries on the bundled reference data, against pyoxigraph holding what
  the service's Graph Store Protocol hands out.

Answers are compared with the W3C runner's code (harness.compare_answers / compare_datasets).
The hypothesis runs are derandomized and keep no example database, so that a run is repeatable
and writes nothing into the repository.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREFIXES = (
    "PREFIX ex: <http://example.org/>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
MAX_ROWS = 3000
"""Answers longer than this are discarded: far below the service's SIC_RESULT_LIMIT (10000),
where it cuts answers on purpose (and says so), which is not what is compared here."""

SETTINGS = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}


# -- the dataset of the query tests ---------------------------------------------------------------


def _iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


SUBJECTS = [f"s{i}" for i in range(16)]
PREDICATES = ["p0", "p1", "p2", "knows"]
CLASSES = ["C0", "C1", "C2"]
LITERALS: list[ox.Literal] = [
    *(_typed(str(n), "integer") for n in (0, 1, 2, 3, 5, 8, 13, 21)),
    _typed("2.5", "decimal"),
    _typed("-1.25", "decimal"),
    _typed("1.5E0", "double"),
    _typed("2024-05-01", "date"),
    _typed("2023-12-31", "date"),
    _typed("true", "boolean"),
    _typed("false", "boolean"),
    ox.Literal("cat", language="en"),
    ox.Literal("chat", language="fr"),
    ox.Literal("cat"),
    ox.Literal("dog"),
    ox.Literal("x1y"),
    ox.Literal("5,5", datatype=_iri("custom")),
]
LABELS = [ox.Literal("cat", language="en"), ox.Literal("chat", language="fr")]
GRAPHS = {"g1": _iri("g1"), "g2": _iri("g2")}


def reference_dataset(seed: int = 20240501) -> dict[ox.NamedNode | None, list[ox.Triple]]:
    """A fixed pseudo-random dataset: ~200 triples in the default graph, ~70 in each of two
    named graphs; blank nodes as subjects and objects (labels unique per graph, since each
    graph is PUT on its own and a blank node cannot span two documents)."""
    rng = random.Random(seed)
    data: dict[ox.NamedNode | None, list[ox.Triple]] = {}
    for graph, size, blanks in ((None, 200, 8), (GRAPHS["g1"], 70, 4), (GRAPHS["g2"], 70, 4)):
        tag = "d" if graph is None else graph.value.rsplit("/", 1)[-1]
        nodes: list[ox.NamedNode | ox.BlankNode] = [_iri(s) for s in SUBJECTS]
        nodes += [ox.BlankNode(f"{tag}b{i}") for i in range(blanks)]
        triples: set[ox.Triple] = set()
        for node in nodes:
            triples.add(ox.Triple(node, ox.NamedNode(RDF_TYPE), _iri(rng.choice(CLASSES))))
        while len(triples) < size:
            subject = rng.choice(nodes)
            predicate = rng.choice([*PREDICATES, "label"])
            obj: ox.NamedNode | ox.BlankNode | ox.Literal
            if predicate == "knows":
                obj = rng.choice(nodes)
            elif predicate == "label":
                obj = rng.choice([*LABELS, ox.Literal(f"n{rng.randrange(5)}")])
            else:
                obj = rng.choice([*LITERALS, *nodes[:6]])
            iri = ox.NamedNode(RDFS_LABEL) if predicate == "label" else _iri(predicate)
            triples.add(ox.Triple(subject, iri, obj))
        data[graph] = sorted(triples, key=str)
    return data


@dataclass
class Pair:
    """The engine and the service holding the same dataset."""

    engine: Any
    service: Any


@pytest.fixture(scope="module")
def query_pair(harness: Any, sic_service_for_session: Callable[..., Any]) -> Iterator[Pair]:
    """`sic serve --empty` given the dataset by GSP PUTs, and a Store given the same triples."""
    data = reference_dataset()
    engine = harness.EngineTarget()
    engine.reset(data)
    process = sic_service_for_session(empty=True)
    service = harness.ServiceTarget(process.url, process.token)
    service.reset(data)
    yield Pair(engine, service)
    service.close()
    process.stop()  # not kept to the end of the session: fewer processes at once


# -- generated queries ----------------------------------------------------------------------------


def _term(term: ox.NamedNode | ox.Literal) -> str:
    return str(term)


PATHS = [
    "ex:knows+", "ex:knows*", "^ex:knows", "ex:knows/ex:p0", "(ex:p0|ex:p1)", "ex:knows?",
    "!rdf:type", "!(rdf:type|^ex:knows)", "ex:knows/^ex:knows", "(ex:knows/ex:knows)+",
]  # fmt: skip
VARIABLES = ["?a", "?b", "?c", "?d", "?e"]


@dataclass(frozen=True)
class Query:
    text: str
    media_type: str
    ordered: bool = False


class _Scope:
    """The variables a query has used so far (new patterns hang off them: no cross products)."""

    def __init__(self) -> None:
        self.used: list[str] = ["?a"]

    def fresh(self) -> str:
        for name in VARIABLES:
            if name not in self.used:
                self.used.append(name)
                return name
        return self.used[-1]


@st.composite
def triple_pattern(draw: st.DrawFn, scope: _Scope) -> str:
    subject = draw(st.sampled_from(scope.used)) if draw(st.integers(0, 5)) else "ex:s1"
    predicate = draw(
        st.one_of(
            st.sampled_from([f"ex:{p}" for p in PREDICATES] + ["rdf:type", "rdfs:label"]),
            st.sampled_from(PATHS),
        )
    )
    choice = draw(st.integers(0, 9))
    if choice < 6:
        obj = scope.fresh()
    elif choice < 7:
        obj = draw(st.sampled_from(scope.used))
    elif choice < 8:
        obj = draw(st.sampled_from([f"ex:{c}" for c in CLASSES] + ["ex:s2", "ex:s3"]))
    else:
        obj = _term(draw(st.sampled_from(LITERALS)))
    return f"{subject} {predicate} {obj} ."


@st.composite
def filter_expression(draw: st.DrawFn, scope: _Scope) -> str:
    v = draw(st.sampled_from(scope.used))
    w = draw(st.sampled_from(scope.used))
    literal = _term(draw(st.sampled_from(LITERALS)))
    options = [
        f"{v} = {literal}", f"{v} != {literal}", f"{v} < {literal}", f"{v} >= {literal}",
        f"isIRI({v})", f"isLiteral({v})", f"isBlank({v})", f'lang({v}) = "en"', f"bound({v})",
        f"{v} = {w}", f'regex(str({v}), "1")', f"datatype({v}) = xsd:integer",
        f"{v} = ex:s3", f"sameTerm({v}, {w})",
    ]  # fmt: skip
    first = draw(st.sampled_from(options))
    if draw(st.booleans()):
        return first
    operator = draw(st.sampled_from(["&&", "||"]))
    second = draw(st.sampled_from(options))
    negate = "!" if draw(st.booleans()) else ""
    return f"{negate}({first}) {operator} ({second})"


@st.composite
def group(draw: st.DrawFn, scope: _Scope, depth: int = 0) -> str:
    """A group graph pattern: it starts with a triple pattern, then up to two more elements."""
    parts = [draw(triple_pattern(scope))]
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["triple", "optional", "union", "filter", "graph"]))
        if kind == "triple" or (depth >= 2 and kind in ("optional", "union", "graph")):
            parts.append(draw(triple_pattern(scope)))
        elif kind == "optional":
            parts.append(f"OPTIONAL {{ {draw(group(scope, depth + 1))} }}")
        elif kind == "union":
            left = draw(group(scope, depth + 1))
            right = draw(group(scope, depth + 1))
            parts.append(f"{{ {left} }} UNION {{ {right} }}")
        elif kind == "filter":
            parts.append(f"FILTER ({draw(filter_expression(scope))})")
        else:
            name = draw(st.sampled_from(["?g", "?g", "ex:g1", "ex:g2", "ex:g2", "ex:nowhere"]))
            parts.append(f"GRAPH {name} {{ {draw(group(scope, depth + 1))} }}")
    return " ".join(parts)


@st.composite
def queries(draw: st.DrawFn) -> Query:
    """A SELECT, ASK or CONSTRUCT query over the vocabulary of `reference_dataset`.

    ORDER BY queries project non-blank values only and order by each projected variable and
    its string, language and datatype: a total order, so that LIMIT and OFFSET pick the same
    rows on both sides and the order itself can be compared.
    """
    scope = _Scope()
    if draw(st.integers(0, 4)) == 0:
        where = f"GRAPH ?g {{ {draw(group(scope))} }}"
    else:
        where = draw(group(scope))
    form = draw(st.sampled_from(["select", "select", "distinct", "count", "ask", "construct",
                                 "ordered"]))  # fmt: skip
    json, ntriples = "application/sparql-results+json", "application/n-triples"
    projected = draw(st.lists(st.sampled_from(scope.used), min_size=1, max_size=3, unique=True))
    columns = " ".join(projected)
    if form == "select":
        return Query(f"{PREFIXES}SELECT * WHERE {{ {where} }}", json)
    if form == "distinct":
        return Query(f"{PREFIXES}SELECT DISTINCT {columns} WHERE {{ {where} }}", json)
    if form == "count":
        key = projected[0]
        counted = draw(st.sampled_from(scope.used))
        aggregates = draw(st.sampled_from([
            f"(COUNT({counted}) AS ?n)", f"(COUNT(DISTINCT {counted}) AS ?n)", "(COUNT(*) AS ?n)",
            f"(MIN({counted}) AS ?n) (MAX({counted}) AS ?m)", f"(SUM({counted}) AS ?n)",
        ]))  # fmt: skip
        having = " HAVING (COUNT(*) > 1)" if draw(st.booleans()) else ""
        text = f"SELECT {key} {aggregates} WHERE {{ {where} }} GROUP BY {key}{having}"
        return Query(PREFIXES + text, json)
    if form == "ask":
        return Query(f"{PREFIXES}ASK {{ {where} }}", json)
    if form == "construct":
        s, o = projected[0], projected[-1]
        template = f"{s} ex:out {o} . _:n ex:from {s} ."
        return Query(f"{PREFIXES}CONSTRUCT {{ {template} }} WHERE {{ {where} }}", ntriples)
    not_blank = " && ".join(f"(!bound({v}) || !isBlank({v}))" for v in projected)
    keys = " ".join(f"{v} str({v}) lang({v}) str(datatype({v}))" for v in projected)
    descending = "DESC" if draw(st.booleans()) else "ASC"
    limit = draw(st.integers(1, 20))
    offset = draw(st.integers(0, 10))
    text = (
        f"SELECT DISTINCT {columns} WHERE {{ {where} FILTER ({not_blank}) }} "
        f"ORDER BY {descending}({projected[0]}) {keys} LIMIT {limit} OFFSET {offset}"
    )
    return Query(PREFIXES + text, json, ordered=True)


@settings(max_examples=60, **SETTINGS)  # type: ignore[arg-type]
@given(query=queries())
def test_queries_answer_as_pyoxigraph_does(query: Query, query_pair: Pair, harness: Any) -> None:
    note(query.text)
    expected = query_pair.engine.query(query.text, None, query.media_type)
    size = len(getattr(expected, "rows", getattr(expected, "triples", [])))
    assume(size <= MAX_ROWS)
    actual = query_pair.service.query(query.text, None, query.media_type)
    difference = harness.compare_answers(expected, actual, ordered=query.ordered)
    assert difference is None, f"{query.text}\n{difference}"


# -- generated updates ----------------------------------------------------------------------------

U_NODES = ["ex:a", "ex:b", "ex:c"]
U_PREDICATES = ["ex:p", "ex:q"]
U_OBJECTS = ["ex:a", "ex:b", '"1"', '"x"@en', "2", '"2024-01-01"^^xsd:date']
U_GRAPHS = ["ex:g1", "ex:g2", "ex:g3"]


@st.composite
def ground_triples(draw: st.DrawFn, blank: bool = False) -> str:
    count = draw(st.integers(1, 3))
    triples = []
    for _ in range(count):
        subject = draw(st.sampled_from(U_NODES + (["_:n1", "_:n2"] if blank else [])))
        triples.append(
            f"{subject} {draw(st.sampled_from(U_PREDICATES))} {draw(st.sampled_from(U_OBJECTS))} ."
        )
    return " ".join(triples)


def _graph_ref(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["DEFAULT", *(f"GRAPH {g}" for g in U_GRAPHS)]))


@st.composite
def update_operation(draw: st.DrawFn) -> str:
    """One SPARQL Update operation over a small vocabulary (3 nodes, 2 predicates, 3 graphs)."""
    graph = draw(st.sampled_from(U_GRAPHS))
    in_graph = draw(st.booleans())

    def wrap(block: str) -> str:
        return f"GRAPH {graph} {{ {block} }}" if in_graph else block

    silent = " SILENT" if draw(st.booleans()) else ""
    p, q = draw(st.sampled_from(U_PREDICATES)), draw(st.sampled_from(U_PREDICATES))
    kind = draw(st.sampled_from([
        "insert data", "insert data", "delete data", "delete where", "modify", "insert where",
        "with", "using", "clear", "drop", "create", "transfer",
    ]))  # fmt: skip
    if kind == "insert data":
        return f"INSERT DATA {{ {wrap(draw(ground_triples(blank=True)))} }}"
    if kind == "delete data":
        return f"DELETE DATA {{ {wrap(draw(ground_triples()))} }}"
    if kind == "delete where":
        return f"DELETE WHERE {{ {wrap(f'?s {p} ?o .')} }}"
    if kind == "modify":
        return f"DELETE {{ {wrap(f'?s {p} ?o .')} }} INSERT {{ {wrap(f'?o {q} ?s .')} }} " \
               f"WHERE {{ {wrap(f'?s {p} ?o .')} }}"  # fmt: skip
    if kind == "insert where":
        template = wrap(f"_:b {q} ?s . _:b ex:p ?o .")
        return f"INSERT {{ {template} }} WHERE {{ {wrap(f'?s {p} ?o .')} }}"
    if kind == "with":
        return f"WITH {graph} DELETE {{ ?s {p} ?o }} INSERT {{ ?s {q} ex:c }} WHERE {{ ?s {p} ?o }}"
    if kind == "using":
        target = draw(st.sampled_from(U_GRAPHS))
        named = " USING NAMED " + target if draw(st.booleans()) else ""
        return f"INSERT {{ GRAPH {target} {{ ?s {q} ?o }} }} USING {graph}{named} " \
               f"WHERE {{ ?s {p} ?o }}"  # fmt: skip
    if kind in ("clear", "drop"):
        which = draw(st.sampled_from(["DEFAULT", "NAMED", "ALL", f"GRAPH {graph}"]))
        return f"{kind.upper()}{silent} {which}"
    if kind == "create":
        return f"CREATE{silent} GRAPH {graph}"
    verb = draw(st.sampled_from(["ADD", "COPY", "MOVE"]))
    return f"{verb}{silent} {_graph_ref(draw)} TO {_graph_ref(draw)}"


@st.composite
def update_requests(draw: st.DrawFn) -> list[str]:
    """1-6 operations, sent one by one or a few in one request separated by `;`."""
    operations = draw(st.lists(update_operation(), min_size=1, max_size=6))
    requests: list[str] = []
    while operations:
        take = draw(st.integers(1, min(3, len(operations)))) if draw(st.booleans()) else 1
        requests.append(PREFIXES + " ;\n".join(operations[:take]))
        operations = operations[take:]
    return requests


@pytest.fixture(scope="module")
def update_service(harness: Any, sic_service_for_session: Callable[..., Any]) -> Iterator[Any]:
    process = sic_service_for_session(empty=True)
    service = harness.ServiceTarget(process.url, process.token)
    yield service
    service.close()
    process.stop()


@settings(max_examples=40, **SETTINGS)  # type: ignore[arg-type]
@given(requests=update_requests())
def test_updates_end_in_the_dataset_pyoxigraph_ends_in(
    requests: list[str], update_service: Any, harness: Any
) -> None:
    """Each request succeeds on both or is refused by both; the final datasets are the same."""
    engine = harness.EngineTarget()
    update_service.reset({})
    for request in requests:
        note(request)
        engine_error = service_error = None
        try:
            engine.update(request, None)
        except harness.TargetError as error:
            engine_error = str(error)
        try:
            update_service.update(request, None)
        except harness.TargetError as error:
            assert error.answered, f"{request}\n{error}"
            service_error = str(error)
        assert (engine_error is None) == (service_error is None), (
            f"{request}\nengine: {engine_error or 'done'}\nservice: {service_error or 'done'}"
        )
    difference = harness.compare_datasets(engine.dataset(), update_service.dataset())
    assert difference is None, "\n".join([*requests, difference or ""])


# -- the reference data ---------------------------------------------------------------------------

SIC = (
    PREFIXES + "PREFIX sic: <https://w3id.org/4p1000/ontology#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX org: <http://www.w3.org/ns/org#>\n"
    "PREFIX schema: <https://schema.org/>\n"
    "PREFIX dct: <http://purl.org/dc/terms/>\n"
)
ANALYST_QUERIES = {
    "instances-per-class": "SELECT ?class (COUNT(?x) AS ?n) WHERE { ?x a ?class } GROUP BY ?class",
    "triples-per-predicate": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "activities-per-objective": """
        SELECT ?objective (COUNT(?activity) AS ?activities) WHERE {
          ?objective a sic:StrategicObjective .
          OPTIONAL { ?activity a sic:Activity ; sic:objective ?objective }
        } GROUP BY ?objective""",
    "objective-titles-by-language": """
        SELECT ?objective ?title (LANG(?title) AS ?lang) WHERE {
          ?objective a sic:StrategicObjective ; rdfs:label ?title }""",
    "labels-per-language": """
        SELECT ?lang (COUNT(*) AS ?n) WHERE { ?x rdfs:label ?label }
        GROUP BY (LANG(?label) AS ?lang)""",
    "activities-without-french-title": """
        SELECT ?activity ?en WHERE {
          ?activity a sic:Activity ; rdfs:label ?en FILTER (langMatches(lang(?en), "en"))
          FILTER NOT EXISTS { ?activity rdfs:label ?fr FILTER (langMatches(lang(?fr), "fr")) }
        }""",
    "projects-with-optional-alliance": """
        SELECT ?project ?stage ?alliance WHERE {
          ?project a sic:Project ; sic:stage/skos:notation ?stage .
          OPTIONAL { ?project sic:alliance ?alliance } }""",
    "funding-per-project": """
        SELECT ?project (SUM(?amount) AS ?total) (COUNT(?funding) AS ?grants) WHERE {
          ?funding a sic:Funding ; schema:fundedItem ?project ; schema:amount ?amount }
        GROUP BY ?project""",
    "budget-statistics": """
        SELECT (MIN(?b) AS ?min) (MAX(?b) AS ?max) (AVG(?b) AS ?avg) (COUNT(?b) AS ?n) WHERE {
          ?project a sic:Project ; sic:budget ?b }""",
    "organisations-by-type-and-status": """
        SELECT ?type ?status (COUNT(?org) AS ?n) WHERE {
          ?org a sic:Organisation ; org:classification ?type .
          OPTIONAL { ?org sic:membershipStatus ?status } } GROUP BY ?type ?status""",
    "alliance-members": """
        SELECT ?alliance ?lead (COUNT(DISTINCT ?member) AS ?members) WHERE {
          ?alliance a sic:Alliance ; sic:lead ?lead ; org:hasMember ?member }
        GROUP BY ?alliance ?lead""",
    "task-force-roster": """
        SELECT ?taskforce ?person ?role ?region WHERE {
          ?membership a sic:TaskForceRole ; org:organization ?taskforce ; org:member ?person ;
                      org:role ?role .
          OPTIONAL { ?membership sic:region ?region } }""",
    "topic-hierarchy": """
        SELECT ?topic ?ancestor WHERE { ?topic a sic:Topic ; skos:broader+ ?ancestor }""",
    "calls-open-after-2026": """
        SELECT ?call ?deadline ?max WHERE {
          ?call a sic:FundingCall ; sic:deadline ?deadline .
          OPTIONAL { ?call sic:maxAmount ?max }
          FILTER (?deadline >= "2026-01-01"^^xsd:date) }""",
    "delphi-responses-per-language": """
        SELECT ?objective ?lang (COUNT(*) AS ?n) WHERE {
          ?r a sic:DelphiResponse ; sic:objective ?objective ; sic:text ?text }
        GROUP BY ?objective (LANG(?text) AS ?lang)""",
    "uncovered-activities": """
        SELECT ?activity WHERE {
          ?activity a sic:Activity .
          FILTER NOT EXISTS { ?project sic:addresses ?activity ; sic:stage/sic:isLive true } }""",
    "is-there-a-leader": "ASK { ?m org:role sic:RoleLeader }",
}
"""Questions an analyst asks of the reference data (counts, OPTIONAL, languages, aggregates,
paths); none names a graph, so they read the default graph: for the service the union of
its sources."""


@pytest.fixture(scope="module")
def reference_pair(harness: Any, sic_service_for_session: Callable[..., Any]) -> Iterator[Pair]:
    """`sic serve` on the bundled reference workbook, and pyoxigraph holding what it exposes.

    The engine gets every graph the service lists (`GRAPH ?g`), read with GSP GETs, merged
    into its default graph (the service's default graph is the union of its sources) and also
    kept as named graphs. Whatever the service lists is taken as it is, bookkeeping included.
    """
    process = sic_service_for_session()
    service = harness.ServiceTarget(process.url, process.token)
    data: dict[ox.NamedNode | None, list[ox.Triple]] = {None: []}
    for name in service.graph_names():
        triples = service.get(name)
        data[name] = triples
        data[None] += triples
    engine = harness.EngineTarget()
    engine.reset(data)
    yield Pair(engine, service)
    service.close()
    process.stop()


@pytest.mark.parametrize("name", list(ANALYST_QUERIES))
def test_analyst_queries_on_the_reference_data(
    name: str, reference_pair: Pair, harness: Any
) -> None:
    text = SIC + ANALYST_QUERIES[name]
    expected = reference_pair.engine.query(text, None, harness.JSON)
    if isinstance(expected, harness.Solutions):
        assert expected.rows, f"{name} finds nothing in the reference data: not a useful check"
    actual = reference_pair.service.query(text, None, harness.JSON)
    difference = harness.compare_answers(expected, actual)
    assert difference is None, f"{name}:\n{difference}"
