"""The questions give sensible answers on the bundled reference workbook (data/reference).

The reference README plants gaps, best candidates, partnership opportunities and brokers; the
answers must find them. Sums are checked against the CSV files read directly, so the SPARQL and
the workbook cannot drift apart unnoticed.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from queries.catalogue import run

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
LIVE = {"idea", "team", "concept_note", "proposal", "funded", "implementation"}
PLANTED_GAPS = {
    "A1.05": "boreal-peat",
    "A2.07": "women-in-soil",
    "A5.05": "open-carbon-ledger",
    "B1.04": "land-tenure-forum",
    "C1.04": "soil-stories",
    "C3.01": "clff",
}
FINISHED_ONLY = {"A2.04", "C1.03", "A4.04", "A5.01", "B1.01", "C3.02", "C3.04"}


def table(name: str) -> list[dict[str, str]]:
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_gaps_are_the_planted_ones(reference: EmbeddedStore) -> None:
    rows = {r["activity"]: r for r in run(reference, "uncovered-activities").rows}
    assert set(rows) == set(PLANTED_GAPS) | FINISHED_ONLY
    assert all(rows[a]["finished_projects"] == 0 for a in PLANTED_GAPS)
    assert all(rows[a]["finished_projects"] >= 1 for a in FINISHED_ONLY)
    assert all(r["facility"] == "global" for r in rows.values())


def test_coverage_adds_up_to_every_activity(reference: EmbeddedStore) -> None:
    rows = run(reference, "coverage-by-objective").rows
    assert sum(r["activities"] for r in rows) == len(table("activities"))
    for r in rows:
        levels = r["uncovered"] + r["in_preparation"] + r["funded"] + r["in_implementation"]
        assert levels == r["activities"]


def test_funding_matches_the_workbook_currency_by_currency(reference: EmbeddedStore) -> None:
    objective_of = {a["code"]: a["objective"] for a in table("activities")}
    live = {p["id"]: p for p in table("projects") if p["stage"] in LIVE}
    objectives = {
        p: {objective_of[a] for a in row["activities"].split(";")} for p, row in live.items()
    }
    expected: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for p, row in live.items():
        if row["budget"]:
            for o in objectives[p]:
                expected[(o, row["currency"])][0] += Decimal(row["budget"])
    for f in table("funding"):
        if f["project"] in live:
            slot = 1 if f["status"] == "pledged" else 2
            for o in objectives[f["project"]]:
                expected[(o, f["currency"])][slot] += Decimal(f["amount"])
    found = {
        (r["objective"], r["currency"]): [r["requested"], r["pledged"], r["secured"]]
        for r in run(reference, "funding-by-objective").rows
    }
    assert found == dict(expected)


@pytest.mark.parametrize(("activity", "best"), sorted(PLANTED_GAPS.items()))
def test_the_planted_best_candidate_leads(
    reference: EmbeddedStore, activity: str, best: str
) -> None:
    rows = run(reference, "candidates-for-activity", {"activity": activity, "top": "3"}).rows
    assert best in [r["organisation"] for r in rows]
    assert all(0 <= r["score"] <= 1 for r in rows)
    assert all(r["reasons"] and r["reasons"][0]["text"] for r in rows)


def test_partnership_opportunities_find_the_planted_pairs(reference: EmbeddedStore) -> None:
    def partners(org: str) -> list[str]:
        params = {"organisation": org, "top": "5"}
        return [
            r["organisation_b"] for r in run(reference, "partnership-opportunities", params).rows
        ]

    assert partners("boreal-peat")[0] == "borneo-peat"
    assert "indo-gangetic-ca" in partners("pampas-soil")
    assert "mekong-farmers" in partners("andean-coop")
    assert "bengal-women-farmers" in partners("women-in-soil")
    rows = run(reference, "partnership-opportunities", {"organisation": "pampas-soil"}).rows
    indo = next(r for r in rows if r["organisation_b"] == "indo-gangetic-ca")
    assert indo["distance"] == 2  # two steps apart through soilnet-intl
    assert {"conservation agriculture", "soil organic carbon"} <= set(indo["shared"])


def test_brokers_start_with_the_research_network(reference: EmbeddedStore) -> None:
    rows = run(reference, "brokers", {"top": "6"}).rows
    assert rows[0]["organisation"] == "soilnet-intl"
    assert {"verdant-exchange", "clff", "gshf", "cape-soil-carbon"} <= {
        r["organisation"] for r in rows
    }


def test_an_alliance_for_each_planted_gap_covers_what_it_can(reference: EmbeddedStore) -> None:
    for activity in PLANTED_GAPS:
        rows = run(reference, "alliance-composition", {"activity": activity}).rows
        assert rows and rows[-1]["still_uncovered"] == [], activity
        top = run(reference, "candidates-for-activity", {"activity": activity, "top": "3"}).rows
        assert rows[0]["organisation"] in [r["organisation"] for r in top], activity


def test_funders_for_a_sahel_project(reference: EmbeddedStore) -> None:
    params = {"project": "faidherbia-scaling", "as_of": "2025-12-01"}
    rows = run(reference, "funders-for-project", params).rows
    assert (rows[0]["kind"], rows[0]["call"]) == ("call", "terra-viva-smallholder-2026")
    assert "francophone-rda" not in [r["organisation"] for r in rows if r["kind"] == "funder"]


def test_asian_demonstration_farms_are_matched_where_they_take_place(
    reference: EmbeddedStore,
) -> None:
    """asia-demo-farms (IN, BD, VN) has a partner that also works in Latin America: the
    Cerrado secretariat, a Latin American funder, once ranked first. Region is now where the
    project takes place, so the Asian funders come before it and say which Asian regions."""
    for as_of in ("2025-12-01", "2026-07-01"):
        params = {"project": "asia-demo-farms", "as_of": as_of, "top": "20"}
        rows = run(reference, "funders-for-project", params).rows
        order = [r["organisation"] for r in rows]
        cerrado = order.index("cerrado-agri-sec")
        assert rows[cerrado]["signals"]["region"] == 0.0
        for asian in ("clff", "lowlands-province"):
            assert order.index(asian) < cerrado, (as_of, order)
            reason = next(r for r in rows[order.index(asian)]["reasons"] if r["signal"] == "region")
            assert reason["evidence"] == ["034", "035"]
            assert (
                "Southern Asia and South-eastern Asia, where the project takes place"
                in (reason["text"])
            )


def test_reasons_read_like_sentences_a_person_wrote(reference: EmbeddedStore) -> None:
    """No "Works in World", no "no team has" where there is no team, the roster's role names,
    and each evidence item once."""
    gaps = [r["activity"] for r in run(reference, "uncovered-activities", {}).rows]
    texts: list[str] = []
    for activity in [*gaps[:3], "A2.06", "B1.02"]:
        for row in run(
            reference, "candidates-for-activity", {"activity": activity, "top": "30"}
        ).rows:
            for reason in row["reasons"]:
                texts.append(reason["text"])
                assert len(reason["evidence"]) == len(set(reason["evidence"]))
    assert "Works worldwide" in texts
    assert not [t for t in texts if "in World" in t or "no team has" in t]
    assert not [t for t in texts if "Task Force member" in t]
    assert any("a team for this activity needs a" in t for t in texts)
