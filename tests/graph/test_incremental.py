"""The incremental write check and a whole-graph check agree on random changes (hypothesis).

Starts from the reference workbook (which conforms), applies a random change — a new project
with some fields missing or wrong, a triple removed, a reference redirected, a type dropped, a
funding added — and checks that validating only the affected neighbourhood finds violations
exactly when validating the whole changed graph does, on the same focus nodes.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from graph.validation import WriteChecker, check_delta
from loaders.source import read_source
from sic.errors import ValidationFailed
from sic.iris import mint
from sic.terms import to_ox, triples_to_graph
from sic.validation import validator
from sic.vocab import SCHEMA, SIC

ROOT = Path(__file__).resolve().parents[2]
Triple = tuple[URIRef, URIRef, object]


@pytest.fixture(scope="module")
def reference() -> tuple[EmbeddedStore, Graph]:
    store = EmbeddedStore(None)
    ensure_ontology(store)
    store.load_source(read_source(ROOT / "data" / "reference", base=store.base))
    union = Graph()
    for g in store.dataset().union:
        triples_to_graph(store.raw.quads_for_pattern(None, None, None, ox.NamedNode(g)), union)
    return store, union


def _of_class(union: Graph, cls: URIRef) -> list[URIRef]:
    return sorted(s for s in union.subjects(RDF.type, cls) if isinstance(s, URIRef))


@st.composite
def changes(draw: st.DrawFn, union: Graph) -> tuple[list[Triple], list[Triple]]:
    kind = draw(st.sampled_from(["new-project", "remove", "redirect", "untype", "funding"]))
    orgs = _of_class(union, SIC.Organisation)
    activities = _of_class(union, SIC.Activity)
    projects = _of_class(union, SIC.Project)
    stages = [SIC.StageIdea, SIC.StageProposal, SIC.StageFunded, SIC.StageCompleted]
    if kind == "new-project":
        p = mint("project", f"hyp-{draw(st.integers(0, 10**6))}")
        candidates: list[Triple] = [
            (p, RDF.type, SIC.Project),
            (p, DCTERMS.identifier, Literal(str(p).rsplit("/", 1)[1])),
            (p, RDFS.label, Literal("A hypothetical project", lang="en")),
            (p, SIC.stage, draw(st.sampled_from(stages))),
            (p, SIC.lead, draw(st.sampled_from(orgs + activities[:3]))),
            (p, SIC.addresses, draw(st.sampled_from(activities + orgs[:3]))),
            (p, SCHEMA.startDate, Literal("2026-01-01", datatype=XSD.date)),
            (
                p,
                SCHEMA.endDate,
                Literal(draw(st.sampled_from(["2027-01-01", "2025-01-01"])), datatype=XSD.date),
            ),
            (p, SIC.budget, Literal(draw(st.sampled_from(["1000", "-5"])), datatype=XSD.decimal)),
            (p, SCHEMA.currency, Literal(draw(st.sampled_from(["EUR", "EURO"])))),
        ]
        keep = draw(st.lists(st.booleans(), min_size=len(candidates), max_size=len(candidates)))
        added = [t for t, k in zip(candidates, keep, strict=True) if k or t[1] == RDF.type]
        return added, []
    if kind == "funding":
        project = draw(st.sampled_from(projects))
        f = mint("funding", f"hyp-{draw(st.integers(0, 10**6))}")
        status = draw(st.sampled_from([SIC.FundingPledged, SIC.FundingCommitted, SIC.StageIdea]))
        added = [
            (f, RDF.type, SIC.Funding),
            (f, DCTERMS.identifier, Literal(str(f).rsplit("/", 1)[1])),
            (f, SCHEMA.fundedItem, project),
            (f, SCHEMA.funder, draw(st.sampled_from(orgs))),
            (f, SCHEMA.amount, Literal("100", datatype=XSD.decimal)),
            (f, SCHEMA.currency, Literal("EUR")),
            (f, SIC.fundingStatus, status),
        ]
        return added, []
    subjects = sorted({s for s in union.subjects() if isinstance(s, URIRef) and "/id/" in str(s)})
    subject = draw(st.sampled_from(subjects))
    own = sorted(union.triples((subject, None, None)), key=str)
    if kind == "untype":
        return [], [t for t in own if t[1] == RDF.type][:1]
    triple = draw(st.sampled_from(own))
    if kind == "remove":
        return [], [triple]
    target = draw(st.sampled_from(orgs + activities + projects))
    return [(triple[0], triple[1], target)], [triple]


def _ox(triples: list[Triple]) -> list[ox.Triple]:
    return [ox.Triple(to_ox(s), ox.NamedNode(str(p)), to_ox(o)) for s, p, o in triples]  # type: ignore[arg-type]


def _whole_graph_focus(union: Graph, added: list[Triple], removed: list[Triple]) -> set[str]:
    data = Graph()
    for t in union:
        data.add(t)
    for t in removed:
        data.remove(t)  # type: ignore[arg-type]
    for t in added:
        data.add(t)  # type: ignore[arg-type]
    return {v.focus_node for v in validator().validate(data) if v.severity == "Violation"}


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_incremental_and_whole_graph_agree(
    reference: tuple[EmbeddedStore, Graph], data: st.DataObject
) -> None:
    store, union = reference
    added, removed = data.draw(changes(union))
    whole = _whole_graph_focus(union, added, removed)
    graphs = [ox.NamedNode(g) for g in store.dataset().union]
    try:
        check_delta(WriteChecker(), store.raw, _ox(added), _ox(removed), graphs)  # type: ignore[arg-type]
        incremental: set[str] = set()
    except ValidationFailed as exc:
        incremental = {v.focus_node for v in exc.violations}
    assert incremental == whole, (added, removed)
