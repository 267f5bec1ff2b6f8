"""Properties that must hold whatever the data: gaps close, pairs disappear, order does not matter.

- Adding a live project for an activity removes it from the gaps (and a finished one does not).
- Adding a shared project (any stage) removes the pair from the partnership opportunities.
- Rankings never depend on the order of the rows in the workbook.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from graph.embedded import EmbeddedStore
from queries.catalogue import run
from sic.iris import mint
from sic.source import InMemoryGraph, Source
from sic.vocab import SCHEMA, SIC

PLANTED = Path(__file__).resolve().parents[2] / "tests" / "data" / "workbooks" / "planted"
GAPS = ["A1.02", "A2.02", "B1.01"]
ORGANISATIONS = [
    "peat-lab",
    "bog-institute",
    "mrv-company",
    "agro-research",
    "farmers-union",
    "women-ngo",
    "green-fund",
    "policy-ministry",
    "bridge-ngo",
    "carbon-coop",
    "lone-company",
    "us-foundation",
]
LIVE = ["Idea", "Team", "ConceptNote", "Proposal", "Funded", "Implementation"]
FINISHED = ["Completed", "Discontinued"]
PROPERTY_SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def store(load_workbook: Callable[[Path], EmbeddedStore]) -> Iterator[EmbeddedStore]:
    """A planted store of this module's own: each example adds a source and removes it."""
    st = load_workbook(PLANTED)
    yield st
    st.close()


def project_graph(base: str, lead: str, partners: list[str], activity: str, stage: str) -> Source:
    """One extra project (with the funding a funded or finished project must have)."""
    project = mint("project", "extra-project", base)
    g = Graph()
    g.add((project, RDF.type, SIC.Project))
    g.add((project, DCTERMS.identifier, Literal("extra-project")))
    g.add((project, RDFS.label, Literal("Extra project", lang="en")))
    g.add((project, SIC.stage, SIC["Stage" + stage]))
    g.add((project, SIC.lead, mint("organisation", lead, base)))
    for partner in partners:
        g.add((project, SIC.partner, mint("organisation", partner, base)))
    g.add((project, SIC.addresses, mint("activity", activity, base)))
    funding = URIRef(str(mint("funding", "extra-project.green-fund.committed", base)))
    g.add((funding, RDF.type, SIC.Funding))
    g.add((funding, DCTERMS.identifier, Literal("extra-project.green-fund.committed")))
    g.add((funding, SCHEMA.fundedItem, project))
    g.add((funding, SCHEMA.funder, mint("organisation", "green-fund", base)))
    g.add((funding, SCHEMA.amount, Literal("1000", datatype=XSD.decimal)))
    g.add((funding, SCHEMA.currency, Literal("EUR")))
    g.add((funding, SIC.fundingStatus, SIC.FundingCommitted))
    return Source("extra", "extra.ttl", "sha256:extra", InMemoryGraph(g))


@PROPERTY_SETTINGS
@given(
    activity=st.sampled_from(GAPS),
    stage=st.sampled_from(LIVE + FINISHED),
    lead=st.sampled_from(ORGANISATIONS),
)
def test_a_live_project_closes_a_gap_and_a_finished_one_does_not(
    store: EmbeddedStore, activity: str, stage: str, lead: str
) -> None:
    before = run(store, "uncovered-activities").column("activity")
    assert before == GAPS
    store.load_source(project_graph(store.base, lead, [], activity, stage))
    try:
        after = run(store, "uncovered-activities").column("activity")
        if stage in LIVE:
            assert after == [a for a in GAPS if a != activity]
            objective = activity.split(".")[0]
            (row,) = run(store, "coverage-by-objective", {"objective": objective}).rows
            planted = {"A1": 2, "A2": 2, "B1": 1}[objective]
            assert row["uncovered"] == planted - 1
        else:
            assert after == GAPS
    finally:
        store.remove_source("extra")


def _opportunities(store: EmbeddedStore, organisation: str | None = None) -> set[tuple[str, str]]:
    params = {"top": "1000"} | ({"organisation": organisation} if organisation else {})
    rows = run(store, "partnership-opportunities", params).rows
    return {tuple(sorted((r["organisation_a"], r["organisation_b"]))) for r in rows}  # type: ignore[misc]


@PROPERTY_SETTINGS
@given(data=st.data(), stage=st.sampled_from(LIVE + FINISHED))
def test_a_shared_project_removes_the_pair_from_the_opportunities(
    store: EmbeddedStore, data: st.DataObject, stage: str
) -> None:
    pairs = sorted(_opportunities(store))
    a, b = data.draw(st.sampled_from(pairs))
    store.load_source(project_graph(store.base, a, [b], "A2.03", stage))
    try:
        assert (a, b) not in _opportunities(store, a)
        # interests did not change: exactly that pair goes, every other one stays
        assert _opportunities(store) == set(pairs) - {(a, b)}
    finally:
        store.remove_source("extra")


SHUFFLED_FILES = [
    "organisations.csv",
    "projects.csv",
    "alliances.csv",
    "topics.csv",
    "task_force_roles.csv",
    "funding.csv",
    "calls.csv",
    "people.csv",
    "activities.csv",
]
RANKINGS = [
    ("candidates-for-activity", {"activity": "B1.01", "top": "20"}),
    ("candidates-for-activity", {"activity": "A2.01", "top": "20"}),
    ("candidates-for-project", {"project": "peat-restoration", "top": "20"}),
    ("partnership-opportunities", {"top": "100"}),
    ("partnership-opportunities", {"organisation": "peat-lab"}),
    ("brokers", {}),
    ("brokers", {"objective": "A2"}),
    ("alliance-composition", {"activity": "B1.01"}),
    ("alliance-composition", {"activity": "A2.01"}),
    ("funders-for-project", {"project": "peat-restoration", "as_of": "2025-01-01"}),
    ("funders-for-activity", {"activity": "B1.01", "as_of": "2025-01-01"}),
    ("uncovered-activities", {}),
    ("funding-by-objective", {}),
]


def shuffled_copy(target: Path, rng: random.Random) -> Path:
    shutil.copytree(PLANTED, target)
    for name in SHUFFLED_FILES:
        path = target / name
        header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        rng.shuffle(rows)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
        path.write_text(out.getvalue(), encoding="utf-8")
    return target


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_rankings_do_not_depend_on_row_order(
    planted: EmbeddedStore,
    load_workbook: Callable[[Path], EmbeddedStore],
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
) -> None:
    folder = shuffled_copy(tmp_path_factory.mktemp("shuffled") / "planted", random.Random(seed))
    shuffled = load_workbook(folder)
    try:
        for name, params in RANKINGS:
            assert run(shuffled, name, params).rows == run(planted, name, params).rows, name
    finally:
        shuffled.close()
