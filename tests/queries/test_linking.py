"""Link proposals in a store: one per rule of the fixture, not coverage until a person accepts.

tests/data/iati/linking.xml holds one reported activity per rule, read beside the reference
workbook (whose ndc-soil-helpdesk works in Kenya on A1.04).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.bootstrap import load_with_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source
from queries.linking import SOURCE, decide_link, link_proposals, propose_links
from queries.sparql import named_rows
from sic.errors import NotFound
from sic.paths import reference_workbook

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "iati" / "linking.xml"


@pytest.fixture
def store() -> EmbeddedStore:
    opened = EmbeddedStore(None)
    load_with_ontology(opened, read_source(reference_workbook(), base=opened.base))
    load_with_ontology(opened, read_source(FIXTURE, base=opened.base))
    return opened


def _gap(store: EmbeddedStore, activity: str) -> dict[str, object] | None:
    rows = named_rows(store, "uncovered-activities", facility=_literal("global"))
    return next((r for r in rows if r["activity"] == activity), None)


def _literal(value: str):  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    return ox.Literal(value)


def test_one_proposal_per_rule_with_its_evidence(store: EmbeddedStore) -> None:
    assert propose_links(store, command="test") == 3
    found = {(p.project_key, p.target_code): p for p in link_proposals(store)}
    assert set(found) == {
        ("iati:XX-LINK-SECTOR", "A2"),
        ("iati:XX-LINK-KEYWORDS", "A2.07"),
        ("iati:XX-LINK-COUNTRY", "A1.04"),
    }  # XX-LINK-ELSEWHERE says the same words as XX-LINK-COUNTRY, in Norway: nothing
    sector = found["iati:XX-LINK-SECTOR", "A2"]
    assert (sector.rules, sector.confidence, sector.target_kind) == ("dac-sector", 0.5, "objective")
    keywords = found["iati:XX-LINK-KEYWORDS", "A2.07"]
    assert keywords.rules == "keywords" and "soil fertility" in keywords.evidence
    assert set(found["iati:XX-LINK-COUNTRY", "A1.04"].rules.split()) == {"country", "keywords"}
    sources = {s.name: s for s in store.sources()}
    assert "derived" in sources[SOURCE].about["note"]


def test_a_proposal_is_not_coverage_until_accepted(store: EmbeddedStore) -> None:
    propose_links(store, command="test")
    before = _gap(store, "A2.07")
    assert before is not None and before["waiting_links"] == 1
    decide_link(store, "iati:XX-LINK-KEYWORDS", "A2.07", accept=True, command="test")
    assert _gap(store, "A2.07") is None  # a live project addresses it now
    assert link_proposals(store, waiting_only=True) != []
    assert {p.decision for p in link_proposals(store) if p.target_code == "A2.07"} == {"accepted"}
    propose_links(store, command="test again")  # a rerun keeps the decision
    assert _gap(store, "A2.07") is None
    with pytest.raises(NotFound):
        decide_link(store, "iati:XX-LINK-KEYWORDS", "A2.07", accept=False, command="test")


def test_a_refused_proposal_covers_nothing_and_stops_waiting(store: EmbeddedStore) -> None:
    propose_links(store, command="test")
    decide_link(store, "iati:XX-LINK-KEYWORDS", "A2.07", accept=False, command="test")
    gap = _gap(store, "A2.07")
    assert gap is not None and gap["waiting_links"] == 0
    with pytest.raises(NotFound, match="sic link --review"):
        decide_link(store, "iati:XX-LINK-SECTOR", "A3", accept=True, command="test")
