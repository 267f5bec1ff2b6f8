"""A record that is not a workbook, read by the workbook's own mapping (loaders.record)."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from loaders.record import project_record
from sic.vocab import SIC

BASE = "https://w3id.org/4p1000/"
CELLS = {
    "id": "soil-schools",
    "title": "Soil in schools",
    "stage": "idea",
    "lead": "gshf",
    "activities": "A1.05",
    "start": "2025-03-01",
}
REFERENCED = {"organisations": ["gshf"], "alliances": [], "activities": ["A1.05"]}


def test_a_record_becomes_the_rdf_of_its_row() -> None:
    builder, workbook = project_record(CELLS, REFERENCED, BASE, "request body")
    project = URIRef(BASE + "id/project/soil-schools")
    assert not builder.problems
    assert (project, RDF.type, SIC.Project) in workbook.graph
    assert (project, RDFS.label, Literal("Soil in schools", lang="en")) in workbook.graph
    assert (project, SIC.lead, URIRef(BASE + "id/organisation/gshf")) in workbook.graph
    assert (project, SIC.addresses, URIRef(BASE + "id/activity/A1.05")) in workbook.graph


def test_a_bad_cell_is_located_by_source_and_column() -> None:
    builder, _ = project_record(
        {**CELLS, "start": "first of March"}, REFERENCED, BASE, "request body"
    )
    [problem] = builder.problems
    assert problem.location.file == "request body" and problem.location.column == "start"
