"""bench.iati_cases on a small IATI file (tests/data/iati/holdout.xml): which participations
become held-out cases, the rounds they are taken off in, what the baselines see once one is
held out, and a whole run of every method on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.iati_cases import (
    BASELINES,
    OURS,
    Without,
    by_role,
    cases_of,
    evaluate_iati,
    read_sample,
    rounds,
)
from graph.bootstrap import load_with_ontology
from graph.factory import open_store
from loaders.source import read_source
from queries.reconciliation import known_organisations
from sic.paths import reference_workbook

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "iati" / "holdout.xml"


@pytest.fixture(scope="module")
def store() -> object:
    opened = open_store(None)
    load_with_ontology(opened, read_source(reference_workbook(), base=opened.base))
    source = read_source(FIXTURE, base=opened.base, known=known_organisations(opened))
    load_with_ontology(opened, source)
    return opened


def short(key: str) -> str:
    return key.removeprefix("iati:XX-HOLD-")


def test_every_participation_of_an_organisation_seen_twice_is_a_case(store: object) -> None:
    sample = read_sample(store)  # type: ignore[arg-type]
    cases = cases_of(sample.participations)
    found = {(short(c.project), short(c.organisation), *sorted(c.roles)) for c in cases}
    assert found == {
        ("A1", "F", "funding"),
        ("A2", "F", "funding"),
        ("A1", "L", "accountable"),
        ("A3", "L", "accountable"),
        ("A1", "I1", "partner"),
        ("A2", "I1", "partner"),
        ("A2", "I2", "partner"),
        ("A3", "I2", "partner"),
    }
    a1_funder = next(c for c in cases if (short(c.project), short(c.organisation)) == ("A1", "F"))
    assert {short(o) for o in a1_funder.team} == {"L", "I1"}
    assert {short(o) for o in sample.organisations} >= {"G", "H", "SOLO"}  # candidates still
    sectors = sample.sectors
    assert (len(sectors["iati:XX-HOLD-A2"]), len(sectors["iati:XX-HOLD-A3"])) == (2, 1)
    assert sectors["iati:XX-HOLD-A3"] < sectors["iati:XX-HOLD-A2"]

    for batch in rounds(cases):
        assert len({c.project for c in batch}) == len(batch)
        assert len({c.organisation for c in batch}) == len(batch)
    assert sum(len(b) for b in rounds(cases)) == len(cases)


def test_a_held_out_participation_is_gone_for_the_baselines(store: object) -> None:
    sample = read_sample(store)  # type: ignore[arg-type]
    case = next(
        c
        for c in cases_of(sample.participations)
        if (short(c.project), short(c.organisation)) == ("A3", "I2")
    )
    without = Without(sample, case)
    assert {short(p) for p in without.projects_of["iati:XX-HOLD-I2"]} == {"A2"}
    assert BASELINES["popularity"](without)["iati:XX-HOLD-I2"] == 1.0
    # A3's sector 31120 was worked on by I2 in A2 only
    assert BASELINES["shared topics"](without)["iati:XX-HOLD-I2"] == 1.0
    # L (staying on A3) worked with F and I1 in A1; I1 worked with I2 in A2: reached in two steps
    assert "iati:XX-HOLD-I2" in BASELINES["common neighbours"](without)


def test_every_method_ranks_every_case(store: object) -> None:
    ranked = evaluate_iati(store, seed=1)  # type: ignore[arg-type]
    assert len(ranked.cases) == 8
    assert set(ranked.ranks) == {OURS, *BASELINES}
    for method, ranks in ranked.ranks.items():
        assert len(ranks) == 8 and all(r >= 1 for r in ranks), method
    roles = by_role(ranked)
    assert [len(roles[r].cases) for r in ("all", "funding", "accountable", "partner")] == [
        8, 2, 2, 4,
    ]  # fmt: skip
