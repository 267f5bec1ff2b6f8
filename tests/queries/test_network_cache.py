"""The networkx projections are built once per store version and rebuilt when the data changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS

from graph.embedded import EmbeddedStore
from queries.catalogue import run
from queries.network import projections
from sic.iris import mint
from sic.source import InMemoryGraph, Source
from sic.vocab import SIC

PLANTED = Path(__file__).resolve().parents[2] / "tests" / "data" / "workbooks" / "planted"


def test_projections_follow_the_store_version(
    load_workbook: Callable[[Path], EmbeddedStore],
) -> None:
    store = load_workbook(PLANTED)
    first = projections(store)
    assert projections(store) is first
    graph = first.collaborators  # built once, then reused
    assert projections(store).collaborators is graph
    assert not graph.has_edge("peat-lab", "bog-institute")

    project = mint("project", "peat-together", store.base)
    g = Graph()
    g.add((project, RDF.type, SIC.Project))
    g.add((project, DCTERMS.identifier, Literal("peat-together")))
    g.add((project, RDFS.label, Literal("Peat together", lang="en")))
    g.add((project, SIC.stage, SIC.StageIdea))
    g.add((project, SIC.lead, mint("organisation", "peat-lab", store.base)))
    g.add((project, SIC.partner, mint("organisation", "bog-institute", store.base)))
    g.add((project, SIC.addresses, mint("activity", "B1.01", store.base)))
    store.load_source(Source("together", "together.ttl", "sha256:together", InMemoryGraph(g)))

    second = projections(store)
    assert second is not first and second.version != first.version
    assert second.collaborators.has_edge("peat-lab", "bog-institute")
    answer = run(store, "candidates-for-activity", {"activity": "B1.01"})
    assert [r["organisation"] for r in answer.rows if r["involved"]] == [
        "bog-institute",
        "peat-lab",
    ]

    store.remove_source("together")
    assert not projections(store).collaborators.has_edge("peat-lab", "bog-institute")
    store.close()


def test_each_store_has_its_own_projections(
    planted: EmbeddedStore, reference: EmbeddedStore
) -> None:
    assert "peat-lab" in projections(planted).organisations
    assert "peat-lab" not in projections(reference).organisations


def test_answers_are_cached_per_version_and_private(
    load_workbook: Callable[[Path], EmbeddedStore],
) -> None:
    store = load_workbook(PLANTED)
    first = run(store, "uncovered-activities")
    first.rows.clear()  # a caller changing its copy changes nothing for the next one
    again = run(store, "uncovered-activities")
    assert [r["activity"] for r in again.rows] == ["A1.02", "A2.02", "B1.01"]
    net = projections(store)
    assert any(key[0] == "uncovered-activities" for key in net._answers)

    project = mint("project", "gap-closer", store.base)
    g = Graph()
    g.add((project, RDF.type, SIC.Project))
    g.add((project, DCTERMS.identifier, Literal("gap-closer")))
    g.add((project, RDFS.label, Literal("Gap closer", lang="en")))
    g.add((project, SIC.stage, SIC.StageTeam))
    g.add((project, SIC.lead, mint("organisation", "peat-lab", store.base)))
    g.add((project, SIC.addresses, mint("activity", "B1.01", store.base)))
    store.load_source(Source("closer", "closer.ttl", "sha256:closer", InMemoryGraph(g)))
    assert [r["activity"] for r in run(store, "uncovered-activities").rows] == ["A1.02", "A2.02"]
    store.close()
