"""/ontology, /shapes, /.well-known/void and /dump.nq.gz."""

from __future__ import annotations

import gzip
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from graph.update import Delta
from graph.validation import WriteChecker
from loaders.rdf import read_rdf
from loaders.source import read_source
from queries.describe import CONTEXT_FILE
from sic.ontology import ontology_graph
from sic.validation import default_shape_files

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns when it falls back to httpx; the client is the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "https://w3id.org/4p1000/"
SIC = "https://w3id.org/4p1000/ontology#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@contextmanager
def serve(store: EmbeddedStore, **overrides: Any) -> Iterator[TestClient]:
    """A client of a running app (lifespan entered) over a store the test opened."""
    values: dict[str, Any] = {"store": Path("/nonexistent/unused"), "query_workers": 1}
    settings = Settings(**{**values, **overrides})
    with TestClient(create_app(settings, store=store)) as client:
        yield client


def loaded_store(reference: Path, checker: WriteChecker) -> EmbeddedStore:
    store = EmbeddedStore(None, checker=checker)
    ensure_ontology(store)
    store.load_source(read_source(reference, base=store.base))
    return store


@pytest.fixture(scope="module")
def store(reference: Path, write_checker: WriteChecker) -> Iterator[EmbeddedStore]:
    st = loaded_store(reference, write_checker)
    yield st
    st.close()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore) -> Iterator[TestClient]:
    with serve(store) as c:
        yield c


def parse(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    if fmt == ox.RdfFormat.JSON_LD:
        document = json.loads(body)
        document["@context"] = json.loads(CONTEXT_FILE.read_text())["@context"]
        body = json.dumps(document).encode()
    return {q.triple for q in ox.parse(body, format=fmt)}


def void_graph(client: TestClient) -> set[ox.Triple]:
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    return parse(r.content, ox.RdfFormat.TURTLE)


def value(triples: set[ox.Triple], subject: ox.NamedNode | ox.BlankNode, predicate: str) -> str:
    found = [t.object for t in triples if t.subject == subject and t.predicate.value == predicate]
    assert len(found) == 1, (subject, predicate, found)
    obj = found[0]
    assert isinstance(obj, ox.NamedNode | ox.Literal)
    return obj.value


# -- /ontology -----------------------------------------------------------------------------


RDF_FORMATS = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
]


@pytest.mark.parametrize(("accept", "fmt"), RDF_FORMATS)
def test_ontology_as_rdf_is_the_bundled_ontology(
    client: TestClient, accept: str, fmt: ox.RdfFormat
) -> None:
    r = client.get("/ontology", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == accept
    assert r.headers["vary"] == "Accept"
    served = parse(r.content, fmt)
    assert len(served) == len(ontology_graph())
    assert (
        ox.Triple(
            ox.NamedNode(SIC + "Activity"),
            RDF_TYPE,
            ox.NamedNode("http://www.w3.org/2002/07/owl#Class"),
        )
        in served
    )


def test_ontology_page_documents_every_term(client: TestClient) -> None:
    r = client.get("/ontology", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    for anchor in ("Activity", "objective", "budget", "Stages", "StageIdea", "RoleLeader"):
        assert f'id="{anchor}"' in page, anchor
    # controlled lists show the workbook values, in the scheme's order
    assert page.index("<code>idea</code>") < page.index("<code>concept_note</code>")
    assert "Project idea" in page
    # links resolve on this service
    assert 'href="/ontology#StrategicObjective"' in page
    assert 'href="/id/region/150"' in page


def test_ontology_etag(client: TestClient) -> None:
    first = client.get("/ontology", headers={"Accept": "text/turtle"})
    r = client.get(
        "/ontology", headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]}
    )
    assert r.status_code == 304
    html = client.get("/ontology", headers={"Accept": "text/html"})
    assert html.headers["etag"] != first.headers["etag"]


def test_ontology_of_an_empty_store_is_404_in_the_asked_format(
    write_checker: WriteChecker,
) -> None:
    with serve(EmbeddedStore(None, checker=write_checker)) as client:
        r = client.get("/ontology", headers={"Accept": "text/turtle"})
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/turtle")
        assert parse(r.content, ox.RdfFormat.TURTLE) == set()
        assert client.get("/ontology", headers={"Accept": "text/html"}).status_code == 404


# -- /shapes -------------------------------------------------------------------------------


def test_shapes_as_turtle_are_the_bundled_shapes(client: TestClient) -> None:
    r = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    served = parse(r.content, ox.RdfFormat.TURTLE)
    from rdflib import Graph

    expected = Graph()
    for path in default_shape_files():
        expected.parse(path, format="turtle")
    assert len(served) == len(expected)
    shape = ox.NamedNode("https://w3id.org/4p1000/shapes#ProjectShape")
    assert (
        ox.Triple(shape, RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/shacl#NodeShape")) in served
    )


def test_shapes_page_shows_each_file(client: TestClient) -> None:
    r = client.get("/shapes", headers={"Accept": "text/html"})
    assert r.status_code == 200
    for path in default_shape_files():
        assert f'id="{path.name}"' in r.text
    assert "sicsh:ProjectShape" in r.text
    tag = r.headers["etag"]
    assert (
        client.get("/shapes", headers={"Accept": "text/html", "If-None-Match": tag}).status_code
        == 304
    )


# -- /.well-known/void ---------------------------------------------------------------------


def test_void_counts_match_the_store(client: TestClient, store: EmbeddedStore) -> None:
    void = void_graph(client)
    dataset = ox.NamedNode("http://testserver/.well-known/void#dataset")
    assert ox.Triple(dataset, RDF_TYPE, ox.NamedNode(VOID + "Dataset")) in void
    _, per_graph = store.stats()
    distinct = {
        q.triple
        for g in per_graph
        for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(g))
    }
    assert int(value(void, dataset, VOID + "triples")) == len(distinct)
    subsets = {
        t.object for t in void if t.subject == dataset and t.predicate.value == VOID + "subset"
    }
    assert {s.value for s in subsets if isinstance(s, ox.NamedNode)} == set(per_graph)
    for graph, triples in per_graph.items():
        assert int(value(void, ox.NamedNode(graph), VOID + "triples")) == triples
    reference = ox.NamedNode(BASE + "graph/reference")
    assert value(void, reference, "http://purl.org/dc/terms/identifier") == "reference"
    assert value(void, dataset, VOID + "sparqlEndpoint") == "http://testserver/sparql"
    assert value(void, dataset, VOID + "dataDump") == "http://testserver/dump.nq.gz"
    assert value(void, dataset, VOID + "uriSpace") == BASE + "id/"


def test_void_class_partitions(client: TestClient, store: EmbeddedStore) -> None:
    void = void_graph(client)
    reference = ox.NamedNode(BASE + "graph/reference")
    partitions = {
        t.object
        for t in void
        if t.subject == reference and t.predicate.value == VOID + "classPartition"
    }
    counts = {}
    for part in partitions:
        assert isinstance(part, ox.BlankNode)
        counts[value(void, part, VOID + "class")] = int(value(void, part, VOID + "entities"))
    activities = {
        q.subject
        for q in store.raw.quads_for_pattern(
            None, RDF_TYPE, ox.NamedNode(SIC + "Activity"), reference
        )
    }
    assert counts[SIC + "Activity"] == len(activities) > 0


def test_void_follows_the_store_version(reference: Path, write_checker: WriteChecker) -> None:
    store = loaded_store(reference, write_checker)
    with serve(store) as client:
        void_follows(client, store)


def void_follows(client: TestClient, store: EmbeddedStore) -> None:
    first = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    dataset = ox.NamedNode("http://testserver/.well-known/void#dataset")
    before = int(value(parse(first.content, ox.RdfFormat.TURTLE), dataset, VOID + "triples"))
    node = URIRef(BASE + "id/activity/A1.04")
    store.apply(
        Delta(added={BASE + "graph/reference": {(node, RDFS.label, Literal("Neu", lang="de"))}})
    )
    again = client.get(
        "/.well-known/void",
        headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 200
    assert (
        int(value(parse(again.content, ox.RdfFormat.TURTLE), dataset, VOID + "triples"))
        == before + 1
    )


@pytest.mark.parametrize(("accept", "fmt"), RDF_FORMATS)
def test_void_formats(client: TestClient, accept: str, fmt: ox.RdfFormat) -> None:
    r = client.get("/.well-known/void", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == accept
    assert parse(r.content, fmt) == void_graph(client)


def test_void_has_no_html(client: TestClient) -> None:
    assert client.get("/.well-known/void", headers={"Accept": "text/html"}).status_code == 406
    assert client.get("/.well-known/void", headers={"Accept": BROWSER}).status_code == 200


# -- /dump.nq.gz ---------------------------------------------------------------------------


def test_dump_holds_the_whole_dataset(client: TestClient, store: EmbeddedStore) -> None:
    r = client.get("/dump.nq.gz")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/gzip"
    assert "sic-kg.nq.gz" in r.headers["content-disposition"]
    quads = set(ox.parse(gzip.decompress(r.content), format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert {BASE + "graph/reference", BASE + "graph/sources", SIC.rstrip("#")} <= graphs
    published = {
        q for g in graphs for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(g))
    }
    assert quads == published
    assert (
        client.get("/dump.nq.gz", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    )


def test_dump_loads_back_into_an_identical_store(
    client: TestClient, tmp_path: Path, write_checker: WriteChecker
) -> None:
    path = tmp_path / "dump.nq"
    path.write_bytes(gzip.decompress(client.get("/dump.nq.gz").content))
    copy = EmbeddedStore(None, checker=write_checker)
    copy.load_source(read_rdf(path))
    original = client.get("/id/activity/A1.04", headers={"Accept": "application/n-triples"})
    with serve(copy) as other:
        restored = other.get("/id/activity/A1.04", headers={"Accept": "application/n-triples"})
    assert parse(original.content, ox.RdfFormat.N_TRIPLES) == parse(
        restored.content, ox.RdfFormat.N_TRIPLES
    )
