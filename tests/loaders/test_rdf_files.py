"""Reading RDF files with pyoxigraph: formats from file names, gzip, and located syntax errors."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from loaders.rdf import FORMATS, is_dataset_format, rdf_format, read_quads
from sic.errors import LoaderError, Location
from sic.terms import triples_to_graph

RDF_FILES = Path(__file__).resolve().parents[1] / "data" / "rdf"
SAMPLE_GRAPH = ox.NamedNode("https://w3id.org/4p1000/graph/sample")


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


def test_dataset_formats() -> None:
    datasets = {fmt for fmt in FORMATS.values() if is_dataset_format(fmt)}
    assert datasets == {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD}


@pytest.mark.parametrize("name", ["sample.nt", "sample.rdf", "sample.jsonld"])
def test_graph_formats_read_the_same_triples(name: str) -> None:
    quads = list(read_quads(RDF_FILES / name))
    assert len(quads) == 11
    assert {q.graph_name for q in quads} == {ox.DefaultGraph()}
    assert isomorphic(triples_to_graph(quads), sample())


@pytest.mark.parametrize("name", ["sample.nq", "sample.trig"])
def test_dataset_formats_keep_their_graph_names(name: str) -> None:
    quads = list(read_quads(RDF_FILES / name))
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
    with pytest.raises(LoaderError) as caught:
        list(read_quads(path))
    (problem,) = caught.value.problems
    assert problem.location == Location(str(path), *location)
    assert message in problem.message


def test_syntax_error_in_a_gzipped_file(tmp_path: Path) -> None:
    target = tmp_path / "broken.ttl.gz"
    target.write_bytes(gzip.compress((RDF_FILES / "broken.ttl").read_bytes()))
    with pytest.raises(LoaderError) as caught:
        list(read_quads(target))
    assert caught.value.problems[0].location == Location(str(target), 8, "5")


def test_not_really_gzip(tmp_path: Path) -> None:
    target = tmp_path / "data.ttl.gz"
    target.write_bytes((RDF_FILES / "sample.ttl").read_bytes())
    with pytest.raises(LoaderError, match="cannot read"):
        list(read_quads(target))


def test_missing_file_and_unknown_format_fail_before_iterating(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="no such file"):
        read_quads(tmp_path / "absent.ttl")
    with pytest.raises(LoaderError, match="unknown RDF format"):
        read_quads(RDF_FILES / "sample.txt")


def test_blank_nodes_are_renamed_per_read_unless_asked(tmp_path: Path) -> None:
    def blank_nodes(rename: bool) -> set[ox.BlankNode]:
        quads = read_quads(RDF_FILES / "sample.nt", rename_blank_nodes=rename)
        return {q.subject for q in quads if isinstance(q.subject, ox.BlankNode)}

    assert blank_nodes(False) == {ox.BlankNode("funding")}
    assert blank_nodes(True).isdisjoint(blank_nodes(True))


def test_relative_iris_need_a_base(tmp_path: Path) -> None:
    path = tmp_path / "relative.ttl"
    path.write_text('<project/x> <https://w3id.org/4p1000/ontology#country> "FR" .\n')
    with pytest.raises(LoaderError) as caught:
        list(read_quads(path))
    assert caught.value.problems[0].location.row == 1
    (quad,) = read_quads(path, base_iri="https://w3id.org/4p1000/id/")
    assert quad.subject == ox.NamedNode("https://w3id.org/4p1000/id/project/x")
