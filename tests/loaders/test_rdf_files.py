"""Reading RDF files and bodies with pyoxigraph: formats from file names, gzip, and syntax errors
located the same way whether the statements are read, bulk-loaded or sent in a request."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from loaders.rdf import FORMATS, rdf_format, read_body, read_rdf
from sic.errors import LoaderError, Location
from sic.terms import triples_to_graph

RDF_FILES = Path(__file__).resolve().parents[1] / "data" / "rdf"
SAMPLE_GRAPH = ox.NamedNode("https://w3id.org/4p1000/graph/sample")
INTO = ox.NamedNode("https://w3id.org/4p1000/graph/into")


def read_quads(path: Path) -> list[ox.Quad]:
    return list(read_rdf(path).quads())


def sample() -> Graph:
    return triples_to_graph(read_quads(RDF_FILES / "sample.ttl"))


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("data.ttl", ox.RdfFormat.TURTLE),
        ("DATA.TTL", ox.RdfFormat.TURTLE),
        ("data.nt", ox.RdfFormat.N_TRIPLES),
        ("dump.nq.gz", ox.RdfFormat.N_QUADS),
        ("data.trig", ox.RdfFormat.TRIG),
        ("data.jsonld", ox.RdfFormat.JSON_LD),
        ("context.json", ox.RdfFormat.JSON_LD),
        ("data.rdf", ox.RdfFormat.RDF_XML),
        ("ontology.owl", ox.RdfFormat.RDF_XML),
        ("v1.2/data.ttl.gz", ox.RdfFormat.TURTLE),
    ],
)
def test_format_from_file_name(name: str, fmt: ox.RdfFormat) -> None:
    assert rdf_format(Path(name)) == fmt


@pytest.mark.parametrize("name", ["data.csv", "data", "data.gz", "data.n3"])
def test_unknown_extension_is_refused_with_the_known_ones(name: str) -> None:
    with pytest.raises(LoaderError) as caught:
        rdf_format(Path(name))
    (problem,) = caught.value.problems
    assert problem.location == Location(name)
    assert "unknown RDF format" in problem.message and ".ttl" in problem.message


def test_dataset_formats(tmp_path: Path) -> None:
    """A file in a format that can name graphs is a dataset: its graphs are restored."""
    datasets = set()
    for extension, fmt in FORMATS.items():
        path = tmp_path / f"data{extension}"
        path.touch()
        if read_rdf(path).dataset:
            datasets.add(fmt)
    assert datasets == {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD}


@pytest.mark.parametrize("name", ["sample.nt", "sample.rdf", "sample.jsonld"])
def test_graph_formats_read_the_same_triples(name: str) -> None:
    quads = read_quads(RDF_FILES / name)
    assert len(quads) == 11
    assert {q.graph_name for q in quads} == {ox.DefaultGraph()}
    assert isomorphic(triples_to_graph(quads), sample())


@pytest.mark.parametrize("name", ["sample.nq", "sample.trig"])
def test_dataset_formats_keep_their_graph_names(name: str) -> None:
    quads = read_quads(RDF_FILES / name)
    assert {q.graph_name for q in quads} == {SAMPLE_GRAPH}
    assert isomorphic(triples_to_graph(quads), sample())


@pytest.mark.parametrize("name", ["sample.ttl", "sample.nq"])
def test_gzipped_files(name: str, tmp_path: Path) -> None:
    target = tmp_path / f"{name}.gz"
    with (RDF_FILES / name).open("rb") as source, gzip.open(target, "wb") as sink:
        shutil.copyfileobj(source, sink)
    assert isomorphic(triples_to_graph(read_quads(target)), sample())


@pytest.mark.parametrize(
    "name, location, message",
    [
        ("broken.ttl", (8, "5"), "A dot is expected at the end of statements"),
        ("broken.jsonld", (3, "65"), "Trailing commas are not allowed"),
        ("broken.nq", (3, "1"), "Quads must be followed by a dot"),
        ("broken.rdf", (None, None), "expected `</sic:country>`, but `</sic:countries>`"),
    ],
)
def test_syntax_errors_name_file_line_and_column(
    name: str, location: tuple[int | None, str | None], message: str
) -> None:
    path = RDF_FILES / name
    source = read_rdf(path)
    with pytest.raises(LoaderError) as caught:
        list(source.quads())
    (problem,) = caught.value.problems
    assert problem.location == Location(str(path), *location, text=True)
    assert message in problem.message
    with pytest.raises(LoaderError) as loaded:  # bulk-loaded into a store: the same error
        source.load_into(ox.Store(), INTO)
    assert loaded.value.problems == caught.value.problems
    body = read_body(path.read_bytes(), rdf_format(path), base_iri=INTO.value, max_nesting=64)
    with pytest.raises(LoaderError) as sent:  # sent as a request body: named so
        list(body.quads())
    assert [(p.location, p.message) for p in sent.value.problems] == [
        (Location("request body", *location, text=True), problem.message)
    ]


def test_syntax_error_in_a_gzipped_file(tmp_path: Path) -> None:
    target = tmp_path / "broken.ttl.gz"
    target.write_bytes(gzip.compress((RDF_FILES / "broken.ttl").read_bytes()))
    with pytest.raises(LoaderError) as caught:
        read_quads(target)
    assert caught.value.problems[0].location == Location(str(target), 8, "5", text=True)
    with pytest.raises(LoaderError) as loaded:
        read_rdf(target).load_into(ox.Store(), INTO)
    assert loaded.value.problems == caught.value.problems


def test_not_really_gzip(tmp_path: Path) -> None:
    target = tmp_path / "data.ttl.gz"
    target.write_bytes((RDF_FILES / "sample.ttl").read_bytes())
    with pytest.raises(LoaderError, match="cannot read"):
        read_quads(target)


def test_missing_file_and_unknown_format_fail_before_iterating(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="no such file"):
        read_rdf(tmp_path / "absent.ttl")
    with pytest.raises(LoaderError, match="unknown RDF format"):
        read_rdf(RDF_FILES / "sample.txt")


def test_blank_nodes_are_renamed_per_load_and_kept_when_read(tmp_path: Path) -> None:
    """Read, a file's blank nodes keep their labels (a dump restores them as they were);
    loaded, `_:funding` in two loads is two nodes, as RDF merge requires."""
    source = read_rdf(RDF_FILES / "sample.nt")
    read = {q.subject for q in source.quads() if isinstance(q.subject, ox.BlankNode)}
    assert read == {ox.BlankNode("funding")}
    store = ox.Store()
    graphs = [ox.NamedNode(f"{INTO.value}/{i}") for i in range(2)]
    for graph in graphs:
        source.load_into(store, graph)

    def blank_nodes(graph: ox.NamedNode) -> set[ox.BlankNode]:
        quads = store.quads_for_pattern(None, None, None, graph)
        return {q.subject for q in quads if isinstance(q.subject, ox.BlankNode)}

    assert len(blank_nodes(graphs[0])) == 1
    assert blank_nodes(graphs[0]).isdisjoint(blank_nodes(graphs[1]))


def test_relative_iris_need_a_base(tmp_path: Path) -> None:
    path = tmp_path / "relative.ttl"
    path.write_text('<project/x> <https://w3id.org/4p1000/ontology#country> "FR" .\n')
    with pytest.raises(LoaderError) as caught:
        read_quads(path)
    assert caught.value.problems[0].location.row == 1
    body = read_body(
        path.read_bytes(),
        ox.RdfFormat.TURTLE,
        base_iri="https://w3id.org/4p1000/id/",
        max_nesting=8,
    )
    (quad,) = body.quads()
    assert quad.subject == ox.NamedNode("https://w3id.org/4p1000/id/project/x")
