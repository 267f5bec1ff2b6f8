"""One suite, every backend: the embedded store, Oxigraph server and Virtuoso.

The servers are real processes on 127.0.0.1 (tests/graph/servers.py), started once per session
with throwaway databases; each test starts from an empty store (our graphs dropped). Where
Virtuoso is not installed its cases are skipped with the reason, never silently.
"""

from __future__ import annotations

import http.server
import importlib.util
import io
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from graph.base import GraphStore
from graph.embedded import EmbeddedStore
from graph.remote import RemoteStore
from graph.remote_http import Credentials
from graph.results import AskResult, GraphResult, SelectResult
from graph.validation import WriteChecker
from loaders.rdf import read_rdf
from sic.errors import KGError, NotFound, QueryError, StoreUnavailable, ValidationFailed
from sic.source import InMemoryGraph, Source
from sic.terms import triples_to_graph

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://example.org/"
KINDS = ["embedded", "oxigraph", "virtuoso"]
OURS = ("http://example.org/", "https://w3id.org/4p1000/")

WHOLE = "ex:w a ex:Whole ."
THING = "ex:t a ex:Thing ; ex:name 'T' ; ex:partOf ex:w ."
RICH = """
ex:t2 a ex:Thing ; ex:name "plain", "typed"^^xsd:string, "tagged"@en-GB, "é\\"\\n"@fr ;
  ex:partOf ex:w ; ex:count 42 ; ex:ratio 2.5 ; ex:flag true, false ;
  ex:day "2024-01-15"^^xsd:date ; ex:year "2024"^^xsd:gYear ; ex:link "http://x"^^xsd:anyURI ;
  ex:when "2024-01-15T10:00:00Z"^^xsd:dateTime ; ex:custom "x"^^ex:dt ;
  ex:note [ ex:text "a blank node" ; ex:deeper [ ex:text "two levels" ] ] .
"""


def _load_servers_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sic_test_servers", Path(__file__).with_name("servers.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


servers = _load_servers_module()


def _turtle(text: str, name: str) -> Source:
    g = Graph()
    g.parse(
        data="@prefix ex: <http://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + text,
        format="turtle",
    )
    return Source(name, f"{name}.ttl", f"sha256:{name}", InMemoryGraph(g))


@pytest.fixture(scope="session")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Servers started on first use, stopped at the end of the session."""
    started: dict[str, Any] = {}
    yield started
    for server in started.values():
        if not isinstance(server, str):
            server.stop()


def _server(kind: str, running: dict[str, Any], tmp: pytest.TempPathFactory) -> Any:
    if kind not in running:
        try:
            start = servers.start_oxigraph if kind == "oxigraph" else servers.start_virtuoso
            running[kind] = start(tmp.mktemp(kind))
        except servers.ServerMissing as exc:
            running[kind] = str(exc)
    found = running[kind]
    if isinstance(found, str):
        pytest.skip(f"{kind}: {found}")
    return found


def _clean(server: Any) -> None:
    """Drop every graph of ours (never Virtuoso's own system graphs)."""
    store = RemoteStore(server.query, update_endpoint=server.update, base=BASE)
    rows = store.client.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graphs=(), named_graphs=()
    )
    ours = [
        r[0] for r in rows.rows if isinstance(r[0], ox.NamedNode) and r[0].value.startswith(OURS)
    ]
    if ours:
        store.client.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in ours))


def _remote(
    server: Any, checker: WriteChecker | None, base: str = BASE, **options: Any
) -> RemoteStore:
    return RemoteStore(
        server.query,
        update_endpoint=server.update,
        gsp_endpoint=options.pop("gsp", server.gsp),
        base=base,
        checker=checker,
        **options,
    )


StoreFactory = Callable[..., GraphStore]


@pytest.fixture(params=KINDS)
def make_store(
    request: pytest.FixtureRequest,
    running: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    checker: WriteChecker,
) -> StoreFactory:
    """Opens empty stores of one kind (a new embedded store, or the server emptied of ours)."""
    kind = request.param
    if kind == "embedded":

        def embedded(base: str = BASE, **_: Any) -> GraphStore:
            return EmbeddedStore(None, base=base, checker=checker if base == BASE else None)

        return embedded
    request.applymarker(pytest.mark.server)
    server = _server(kind, running, tmp_path_factory)

    def remote(base: str = BASE, **options: Any) -> GraphStore:
        _clean(server)
        return _remote(server, checker if base == BASE else None, base, **options)

    return remote


@pytest.fixture
def backend(make_store: StoreFactory) -> GraphStore:
    """A fresh empty store of each kind."""
    return make_store()


def _rows(store: GraphStore, sparql: str, **kw: Any) -> list[dict[str, str]]:
    result = store.query(sparql, **kw)
    assert isinstance(result, SelectResult)
    return [{k: str(v) for k, v in row.items()} for row in result]


def _dump(store: GraphStore, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> bytes:
    buf = io.BytesIO()
    store.dump(buf, fmt)
    return buf.getvalue()


def _dataset(data: bytes) -> dict[str, Graph]:
    """A dump as one rdflib graph per named graph (compared up to blank-node renaming)."""
    ds = Dataset()
    ds.parse(data=data, format="nquads")
    out: dict[str, Graph] = {}
    for quad in ds.quads((None, None, None, None)):
        s, p, o, g = quad
        out.setdefault(str(g), Graph()).add((s, p, o))
    return out


def _same_dataset(a: bytes, b: bytes) -> bool:
    left, right = _dataset(a), _dataset(b)
    return left.keys() == right.keys() and all(isomorphic(left[g], right[g]) for g in left)


def _our_graphs(store: GraphStore) -> set[str]:
    """Every graph of ours the server holds, published or not (staging included).

    A remote server also holds the store's version graph; the embedded store keeps its version
    in memory and its named graphs are exactly the published ones: that graph is left out.
    """
    if isinstance(store, EmbeddedStore):
        return {g.value for g in store.raw.named_graphs() if isinstance(g, ox.NamedNode)}
    assert isinstance(store, RemoteStore)
    rows = store.client.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graphs=(), named_graphs=()
    )
    found = {str(r[0].value) for r in rows.rows if r[0] is not None and r[0].value.startswith(OURS)}  # type: ignore[union-attr]
    return found - {base + "graph/_state" for base in OURS}


# -- the suite ----------------------------------------------------------------------------------


def test_load_and_query_with_provenance(backend: GraphStore) -> None:
    [info] = backend.load_source(_turtle(WHOLE + THING, "a"), command="sic load a.ttl")
    assert (info.name, info.graph, info.triples) == ("a", "http://example.org/graph/a", 4)
    assert (info.checksum, info.command, info.origin) == ("sha256:a", "sic load a.ttl", "a.ttl")
    assert backend.query("ASK { <http://example.org/t> <http://example.org/name> 'T' }") == (
        AskResult(True)
    )
    assert _rows(backend, "SELECT ?s WHERE { ?s a <http://example.org/Thing> }") == [
        {"s": "<http://example.org/t>"}
    ]
    # provenance is PROV-O in a graph of its own, outside the default graph: read by naming it
    provenance = (
        "SELECT ?g ?n WHERE { GRAPH ?in { ?g a <https://w3id.org/4p1000/ontology#Source> ; "
        "<http://rdfs.org/ns/void#triples> ?n } }"
    )
    assert _rows(backend, provenance.replace("GRAPH ?in", "")) == []
    assert _rows(backend, provenance) == []
    sources = _rows(
        backend, provenance.replace("WHERE", "FROM NAMED <http://example.org/graph/sources> WHERE")
    )
    assert sources == [
        {
            "g": "<http://example.org/graph/a>",
            "n": '"4"^^<http://www.w3.org/2001/XMLSchema#integer>',
        }
    ]
    assert [s.name for s in backend.sources()] == ["a"]
    assert backend.version() != "0"


def test_sources_listed_with_provenance(backend: GraphStore) -> None:
    backend.load_source(_turtle(WHOLE, "wholes"), command="first")
    data = _turtle(THING, "things")
    data = replace(
        data, name="things", origin="things.ttl", checksum="sha256:x", about={"title": "Things"}
    )
    backend.load_source(data, command="second")
    found = {s.name: s for s in backend.sources()}
    assert list(found) == ["things", "wholes"]
    assert found["things"].about == {"title": "Things"}
    assert (found["things"].command, found["wholes"].command) == ("second", "first")
    assert found["things"].loaded.endswith("Z") and found["things"].triples == 3


def test_refused_write_changes_nothing(backend: GraphStore) -> None:
    backend.load_source(_turtle(WHOLE + THING, "a"))
    before = (backend.version(), _dump(backend))
    with pytest.raises(ValidationFailed) as err:
        backend.load_source(_turtle("ex:bad a ex:Thing ; ex:partOf ex:nowhere .", "b"))
    assert {v.message for v in err.value.violations} == {
        "A thing needs a name.",
        "A thing is part of a whole.",
    }
    with pytest.raises(ValidationFailed):
        backend.load_source(_turtle("ex:x a ex:Thing .", "a"), replace=True)
    with pytest.raises(KGError, match="--replace"):
        backend.load_source(_turtle(WHOLE, "a"))
    assert (backend.version(), _dump(backend)) == before
    assert _our_graphs(backend) == {
        "http://example.org/graph/a",
        "http://example.org/graph/sources",
        "http://example.org/graph/changes",
    }


def test_validation_sees_the_other_sources(backend: GraphStore) -> None:
    backend.load_source(_turtle(WHOLE, "wholes"))
    backend.load_source(_turtle(THING, "things"))  # partOf resolves into the other source
    with pytest.raises(ValidationFailed) as err:  # and a link into data not loaded is refused
        backend.load_source(_turtle("ex:u a ex:Thing ; ex:name 'U' ; ex:partOf ex:t .", "more"))
    assert {v.focus_node for v in err.value.violations} == {"http://example.org/u"}


def test_replace_swaps_the_source(backend: GraphStore) -> None:
    backend.load_source(_turtle(WHOLE + THING, "a"))
    v1 = backend.version()
    backend.load_source(
        _turtle(WHOLE + "ex:t2 a ex:Thing ; ex:name 'T2' ; ex:partOf ex:w .", "a"), replace=True
    )
    assert backend.version() != v1
    assert backend.query("ASK { <http://example.org/t> ?p ?o }") == AskResult(False)
    assert backend.query("ASK { <http://example.org/t2> ?p ?o }") == AskResult(True)
    assert [(s.name, s.triples) for s in backend.sources()] == [("a", 4)]
    assert _our_graphs(backend) == {
        "http://example.org/graph/a",
        "http://example.org/graph/sources",
        "http://example.org/graph/changes",
    }


def test_remove_checks_dependants(backend: GraphStore) -> None:
    backend.load_source(_turtle(WHOLE, "wholes"))
    backend.load_source(_turtle(THING, "things"))
    with pytest.raises(ValidationFailed) as err:
        backend.remove_source("wholes")
    assert {v.focus_node for v in err.value.violations} == {"http://example.org/t"}
    assert [s.name for s in backend.sources()] == ["things", "wholes"]
    backend.remove_source("things")
    backend.remove_source("wholes")
    assert backend.sources() == []
    assert _rows(backend, "SELECT * WHERE { ?s ?p ?o }") == []
    with pytest.raises(NotFound):
        backend.remove_source("wholes")


def test_dump_then_restore_is_exact(make_store: StoreFactory, tmp_path: Path) -> None:
    """Export, empty the store, load the export: the same quads, provenance included."""
    store = make_store()
    store.load_source(_turtle(WHOLE, "wholes"))
    store.load_source(_turtle(THING + RICH, "things"))
    original = _dump(store)
    sources = [(s.name, s.graph, s.loaded, s.checksum, s.triples) for s in store.sources()]
    assert b"graph/sources" in original and b"_state" not in original
    for fmt, ext in [
        (ox.RdfFormat.N_QUADS, "nq"),
        (ox.RdfFormat.TRIG, "trig"),
        (ox.RdfFormat.JSON_LD, "jsonld"),  # `sic export --format jsonld` too
    ]:
        path = tmp_path / f"dump.{ext}"
        path.write_bytes(_dump(store, fmt))
        fresh = make_store()  # a new embedded store, or the server emptied
        assert fresh.sources() == []
        infos = fresh.load_source(read_rdf(path))
        assert sorted(i.name for i in infos) == ["things", "wholes"]
        assert _same_dataset(_dump(fresh), original)
        assert [(s.name, s.graph, s.loaded, s.checksum, s.triples) for s in fresh.sources()] == (
            sources
        )
        store = fresh


def test_literals_round_trip(backend: GraphStore) -> None:
    """Datatypes, language tags and blank nodes come back as they went in."""
    data = _turtle(WHOLE + RICH, "rich")
    backend.load_source(data)
    # RDF 1.1 terms: "x"^^xsd:string is "x", language tags are lower case, and the engine
    # writes some lexical forms canonically ("+00:00" -> "Z"): expect what pyoxigraph keeps
    scratch = ox.Store()
    scratch.extend(data.quads())
    expected = triples_to_graph(
        ox.Triple(q.subject, q.predicate, q.object)
        for q in scratch.quads_for_pattern(None, None, None, None)
    )
    result = backend.query(
        "CONSTRUCT WHERE { ?s ?p ?o }", default_graph=["http://example.org/graph/rich"]
    )
    assert isinstance(result, GraphResult)
    assert isomorphic(triples_to_graph(result.triples), expected)
    assert len(result.triples) == len(expected)


def test_substitutions_bind_terms_not_text(backend: GraphStore) -> None:
    backend.load_source(_turtle(WHOLE + THING, "a"))
    query = "SELECT ?s ?name WHERE { ?s <http://example.org/name> ?name }"
    hostile = ox.Literal("T' } ; DROP ALL ; SELECT * { '")
    assert _rows(backend, query, substitutions={"name": hostile}) == []
    assert _rows(backend, query, substitutions={"name": ox.Literal("T")}) == [
        {"s": "<http://example.org/t>", "name": '"T"'}
    ]


def test_comments_naming_update_words_leave_a_query_a_query(backend: GraphStore) -> None:
    """A query commented in words that open updates (SPARQLWrapper guesses the form from the
    text and keeps every other comment line: its guess sent this one as an ADD update)."""
    backend.load_source(_turtle(WHOLE + THING, "a"))
    commented = (
        "# the things and what they are part of:\n"
        "# addresses, insert data, delete where, load, clear, drop, copy, move, add\n"
        "# (read only)\n"
        "PREFIX ex: <http://example.org/>\n"
        "# add nothing\n"
        "# insert nothing\n"
    )
    select = commented + "SELECT ?s WHERE { ?s ex:partOf ex:w }"
    assert _rows(backend, select) == [{"s": "<http://example.org/t>"}]
    ask = backend.query(commented + "ASK { ex:t ex:partOf ex:w }")
    assert isinstance(ask, AskResult) and ask.value
    graph = backend.query(commented + "CONSTRUCT WHERE { ?s ex:partOf ex:w }")
    assert isinstance(graph, GraphResult) and len(graph.triples) == 1


def test_dataset_narrowing_and_limit(backend: GraphStore) -> None:
    backend.load_source(_turtle(WHOLE, "a"))
    backend.load_source(_turtle(THING, "b"))
    everything = "SELECT * WHERE { ?s ?p ?o }"
    assert len(_rows(backend, everything, default_graph=["http://127.0.0.1:9/elsewhere"])) == 0
    assert len(_rows(backend, everything, default_graph=["http://example.org/graph/a"])) == 1
    graphs = _rows(backend, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    # the sources are the named graphs; the bookkeeping is not one unless it is asked for
    assert [r["g"] for r in graphs] == [
        "<http://example.org/graph/a>",
        "<http://example.org/graph/b>",
    ]
    asked = _rows(
        backend,
        "SELECT DISTINCT ?g FROM NAMED <http://example.org/graph/sources> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }",
    )
    assert [r["g"] for r in asked] == ["<http://example.org/graph/sources>"]
    result = backend.query(everything, limit=2)
    assert isinstance(result, SelectResult) and len(result) == 2 and result.truncated


def test_sparql_update_is_validated(backend: Any) -> None:
    """update(): lands in the source `updates`, or is refused with nothing changed."""
    backend.load_source(_turtle(WHOLE + THING, "a"))
    ex = "PREFIX ex: <http://example.org/> "
    backend.update(ex + "INSERT DATA { ex:t3 a ex:Thing ; ex:name 'T3' ; ex:partOf ex:w }")
    assert backend.query("ASK { <http://example.org/t3> ?p ?o }") == AskResult(True)
    assert {s.name: s.triples for s in backend.sources()} == {"a": 4, "updates": 3}
    before = (backend.version(), _dump(backend))
    with pytest.raises(ValidationFailed):
        backend.update(ex + "INSERT DATA { ex:t4 a ex:Thing }")
    with pytest.raises(ValidationFailed):  # t and t3 are part of w
        backend.update(ex + "DELETE WHERE { ex:w a ?c }")
    with pytest.raises(QueryError):
        backend.update(
            ex + "INSERT DATA { GRAPH <http://example.org/graph/sources> { ex:x ex:y ex:z } }"
        )
    assert (backend.version(), _dump(backend)) == before
    backend.update(
        ex + "DELETE { ?t ex:name 'T3' } INSERT { ?t ex:name 'Three' } WHERE { ?t ex:name 'T3' }"
    )
    assert _rows(
        backend, "SELECT ?n WHERE { <http://example.org/t3> <http://example.org/name> ?n }"
    ) == [{"n": '"Three"'}]


def test_large_updates_are_staged(make_store: StoreFactory) -> None:
    """Changes larger than one request may carry go through staging graphs, still whole."""
    store: Any = make_store(gsp=None, inline_triples=5)
    tags = " ".join(f"ex:w ex:tag {i} ." for i in range(20))
    store.load_source(_turtle(WHOLE + tags, "w"))
    store.load_source(_turtle(THING, "t"))
    ex = "PREFIX ex: <http://example.org/> "
    store.update(ex + "DELETE WHERE { ex:w ex:tag ?t }")
    assert _rows(store, "SELECT ?t WHERE { ?w <http://example.org/tag> ?t }") == []
    store.update(ex + "INSERT DATA { GRAPH <http://example.org/graph/w> { " + tags + " } }")
    assert len(_rows(store, "SELECT ?t WHERE { ?w <http://example.org/tag> ?t }")) == 20
    assert {s.name: s.triples for s in store.sources()} == {"t": 3, "w": 21}
    assert _our_graphs(store) == {
        "http://example.org/graph/w",
        "http://example.org/graph/t",
        "http://example.org/graph/sources",
        "http://example.org/graph/changes",
    }


def test_malformed_query_is_a_query_error(backend: GraphStore) -> None:
    with pytest.raises(QueryError):
        backend.query("SELECT * WHERE { ?s ?p }")


PAGED = 25_000


def test_paging_never_loses_rows(make_store: StoreFactory) -> None:
    """More rows than Virtuoso's cap of 10,000: every row arrives, once, in every form."""
    store = make_store(page_size=5_000)
    lines = "".join(f"ex:n{i} ex:v {i} .\n" for i in range(PAGED))
    store.load_source(_turtle(lines, "many"))
    query = "SELECT ?s ?v WHERE { ?s <http://example.org/v> ?v }"
    result = store.query(query)
    assert isinstance(result, SelectResult) and len(result) == PAGED
    assert len({str(r["s"]) for r in result}) == PAGED
    own = store.query(query + " ORDER BY ?v LIMIT 12000 OFFSET 100")
    assert isinstance(own, SelectResult) and len(own) == 12_000
    assert [int(r["v"].value) for r in own][:3] == [100, 101, 102]
    constructed = store.query(
        "CONSTRUCT { ?s <http://example.org/w> ?v } WHERE { ?s <http://example.org/v> ?v }"
    )
    assert isinstance(constructed, GraphResult) and len(constructed) == PAGED
    assert len([line for line in _dump(store).splitlines() if b"/graph/many>" in line]) >= PAGED


@pytest.mark.parametrize(
    "staging", [{"gsp": None, "inline_triples": 40}, {"inline_triples": 40, "gsp_triples": 30}]
)
def test_large_loads_keep_blank_nodes(make_store: StoreFactory, staging: dict[str, Any]) -> None:
    """Staged by several updates or Graph Store requests: each blank node's triples travel
    together."""
    store = make_store(**staging)
    text = "".join(f"ex:r{i} ex:has [ ex:k {i} ; ex:sub [ ex:k {i} ] ] .\n" for i in range(100))
    store.load_source(_turtle(WHOLE + text, "blanky"))
    rows = _rows(
        store,
        "SELECT ?r ?k WHERE { ?r <http://example.org/has> ?b . ?b <http://example.org/k> ?k ;"
        " <http://example.org/sub>/<http://example.org/k> ?k2 FILTER(?k = ?k2) }",
    )
    assert len(rows) == 100
    assert _our_graphs(store) == {
        "http://example.org/graph/blanky",
        "http://example.org/graph/sources",
        "http://example.org/graph/changes",
    }


SHARED_QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
    "SELECT * WHERE { ?s a ?c OPTIONAL { ?s <http://example.org/name> ?n } } ORDER BY ?s ?c ?n",
    "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c",
    "SELECT ?n WHERE { ?t <http://example.org/name> ?n FILTER(LANG(?n) = 'en-gb') }",
    "SELECT (SUM(?x) AS ?sum) WHERE { ?t <http://example.org/count> ?x }",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
]


def _shared_answers(store: GraphStore) -> list[list[list[str]]]:
    out = []
    for q in SHARED_QUERIES:
        result = store.query(q)
        assert isinstance(result, SelectResult)
        rows = [[str(t) if t is not None else "" for t in row] for row in result.rows]
        # blank nodes have no name outside their store
        rows = sorted([c if not c.startswith("_:") else "_:b" for c in row] for row in rows)
        out.append([result.variables, *rows])
    return out


def test_same_rows_as_the_embedded_store(make_store: StoreFactory, checker: WriteChecker) -> None:
    data = [_turtle(WHOLE, "wholes"), _turtle(THING + RICH, "things")]
    store = make_store()
    reference = EmbeddedStore(None, base=BASE, checker=checker)
    for d in data:
        store.load_source(d)
        reference.load_source(d)
    ours = _shared_answers(store)
    expected = _shared_answers(reference)
    # generatedAtTime differs between the two loads: compare everything else
    for got, want in zip(ours, expected, strict=True):
        assert [r for r in got if "generatedAtTime" not in str(r)] == [
            r for r in want if "generatedAtTime" not in str(r)
        ]


@pytest.mark.slow
def test_reference_workbook_everywhere(make_store: StoreFactory) -> None:
    """The reference workbook loads, validates and answers the project's queries identically."""
    from graph.bootstrap import ensure_ontology
    from loaders.source import read_source
    from sic.rq import registry

    def loaded(store: GraphStore) -> GraphStore:
        ensure_ontology(store)
        store.load_source(read_source(ROOT / "data" / "reference", base=store.base))
        return store

    store = loaded(make_store(base="https://w3id.org/4p1000/"))
    reference = loaded(EmbeddedStore(None))
    assert [(s.name, s.triples) for s in store.sources()] == [
        (s.name, s.triples) for s in reference.sources()
    ]
    assert [v for v in store.validate_all() if v.severity == "Violation"] == []
    assert store.stats()[0] == reference.stats()[0]
    compared = 0
    for q in registry(ROOT / "queries"):
        if any(p.required for p in q.params):
            continue
        ours, theirs = store.query(q.text), reference.query(q.text)
        assert isinstance(ours, SelectResult) and isinstance(theirs, SelectResult)
        assert ours.variables == theirs.variables, q.name
        assert sorted(map(str, ours.rows)) == sorted(map(str, theirs.rows)), q.name
        compared += 1
    assert compared >= 3
    # every question of the catalogue (SPARQL and analyses), as the API and CLI ask it
    from queries.catalogue import questions, run

    keys: dict[str, str] = {}
    for row in _rows(reference, "SELECT ?s WHERE { ?s <http://purl.org/dc/terms/identifier> ?k }"):
        parts = row["s"].strip("<>").split("/id/", 1)
        if len(parts) == 2 and "/" in parts[1]:
            kind, key = parts[1].split("/", 1)
            keys.setdefault(kind, key)
    asked = 0
    for question in questions():
        params = {p.name: keys[p.kind] for p in question.params if p.required and p.kind}
        ours_answer = run(store, question.name, params)
        theirs_answer = run(reference, question.name, params)
        assert ours_answer.rows == theirs_answer.rows, question.name
        asked += 1
    assert asked >= 10


def test_unreachable_server_is_store_unavailable() -> None:
    port = servers.free_port()
    store = RemoteStore(f"http://127.0.0.1:{port}/sparql", timeout=5)
    with pytest.raises(StoreUnavailable):
        store.sources()


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A stub SPARQL endpoint that records the Authorization header of each request."""

    seen: ClassVar[list[str]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append(self.headers.get("Authorization", ""))
        body = b'{"head": {"vars": ["version"]}, "results": {"bindings": []}}'
        if self.status != 200:
            body = b"no entry"
        self.send_response(self.status)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_credentials_reach_the_server() -> None:
    """Basic or bearer credentials go with every request; a refusal is StoreUnavailable."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        RemoteStore(url, credentials=Credentials(user="u", password="p")).version()
        RemoteStore(url, credentials=Credentials(token="t0k3n")).version()
        assert _Recorder.seen == ["Basic dTpw", "Bearer t0k3n"]
        _Recorder.status = 401
        with pytest.raises(StoreUnavailable, match="credentials"):
            RemoteStore(url, credentials=Credentials(token="wrong")).version()
        _Recorder.status = 503
        with pytest.raises(StoreUnavailable, match="503"):
            RemoteStore(url).version()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.server
@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_cli_talks_to_a_server(
    kind: str,
    running: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    """`sic load/sources/sparql/export/unload --endpoint ...` work on a remote store."""
    from api.cli import app

    server = _server(kind, running, tmp_path_factory)
    _clean(server)
    ttl = tmp_path / "extra.ttl"
    ttl.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://w3id.org/4p1000/id/x> skos:prefLabel "x" .\n'
    )
    opts = ["--endpoint", server.query, "--update-endpoint", server.update]
    runner = CliRunner()
    start = time.monotonic()
    loaded = runner.invoke(app, ["load", str(ttl), *opts])
    assert loaded.exit_code == 0, loaded.output
    listed = runner.invoke(app, ["sources", *opts])
    assert "extra.ttl" in listed.output and "ontology" in listed.output
    env = {"SIC_ENDPOINT": server.query, "SIC_UPDATE_ENDPOINT": server.update}
    from_env = runner.invoke(app, ["sources"], env=env)
    assert "extra.ttl" in from_env.output
    local = runner.invoke(app, ["sources", "--store", str(tmp_path / "local")], env=env)
    assert local.exit_code == 0 and "extra.ttl" not in local.output  # --store wins over env
    both = runner.invoke(app, ["sources", "--store", str(tmp_path / "local"), *opts])
    assert both.exit_code == 2
    asked = runner.invoke(
        app,
        [
            "sparql",
            "SELECT ?l WHERE { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> "
            "?l FILTER(?l = 'x') }",
            "--format",
            "json",
            *opts,
        ],
    )
    assert asked.exit_code == 0 and json.loads(asked.output)["results"]["bindings"]
    for fmt, ext in (("nquads", "nq"), ("trig", "trig")):
        dump = tmp_path / f"dump.{ext}"
        exported = runner.invoke(app, ["export", "--format", fmt, "--out", str(dump), *opts])
        assert exported.exit_code == 0, exported.output
        _clean(server)  # an empty store: the export alone must bring everything back
        restored = runner.invoke(app, ["load", str(dump), *opts])
        assert restored.exit_code == 0, restored.output
        again = tmp_path / f"again.{ext}"
        assert runner.invoke(app, ["export", "--out", str(again), *opts]).exit_code == 0
        first = (tmp_path / "first.nq") if ext == "nq" else dump
        if ext == "nq":
            first.write_bytes(dump.read_bytes())
        assert _same_dataset(again.read_bytes(), (tmp_path / "first.nq").read_bytes())
    removed = runner.invoke(app, ["unload", "extra.ttl", *opts])
    assert removed.exit_code == 0, removed.output
    assert time.monotonic() - start < 60


# -- the query text surgery the remote backend relies on ----------------------------------------


@pytest.mark.parametrize(
    ("query", "limit", "offset", "ordered"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", None, None, False),
        ("SELECT * WHERE { ?s ?p 'LIMIT 5 }' } LIMIT 7", 7, None, False),
        (
            "# LIMIT 3 {\nSELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 } } OFFSET 4",
            None,
            4,
            False,
        ),
        (
            "PREFIX ex: <http://e/#x> SELECT ?s WHERE { ?s ex:limit ?o }"
            " ORDER BY ?s LIMIT 9 OFFSET 1",
            9,
            1,
            True,
        ),
        (
            "SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?s ?p ?o FILTER(?o < 3) }"
            " LIMIT 1 VALUES ?s { <x:y> }",
            1,
            None,
            False,
        ),
    ],
)
def test_query_shape(query: str, limit: int | None, offset: int | None, ordered: bool) -> None:
    from graph.remote_text import paged, shape

    found = shape(query)
    assert (found.form, found.limit, found.offset, found.has_order_by) == (
        "SELECT",
        limit,
        offset,
        ordered,
    )
    again = shape(paged(found, 10, 20, ("s",)))
    assert (again.limit, again.offset) == (10, 20)
    assert again.text.count("'LIMIT 5 }'") == query.count("'LIMIT 5 }'")


def test_construct_and_bindings_text() -> None:
    from graph.remote_text import bind, construct_as_select, shape

    select, template = construct_as_select(
        shape("PREFIX ex: <http://e/> CONSTRUCT WHERE { ?s ex:p ?o }")
    )
    assert shape(select).form == "SELECT" and template.strip() == "?s ex:p ?o"
    select, template = construct_as_select(
        shape("CONSTRUCT { ?s <http://e/q> [ <http://e/r> ?o ] } WHERE { ?s ?p ?o } LIMIT 3")
    )
    assert shape(select).limit == 3 and "[ <http://e/r> ?o ]" in template
    bound = bind("SELECT ?s WHERE { ?s ?p ?name }", {"name": ox.Literal("x' } DROP ALL {")})
    assert bound.startswith('SELECT ?s WHERE { VALUES (?name) { ("x\' } DROP ALL {") }')
    with pytest.raises(QueryError):
        bind("SELECT ?s WHERE { ?s ?p ?o }", {"not a name": ox.Literal("x")})
