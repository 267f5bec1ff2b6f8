"""Each question finds what the planted workbook hides for it (tests/data/workbooks/planted).

What is planted: B1.01 is a gap nobody works on and peat-lab its best candidate (both topics,
Task Force leader, interest in B1); A1.02 is a Global-Facility gap under a core objective and
A2.02 a gap left by a completed project; peat-lab and bog-institute share peatlands, wetlands
and B1 but have never worked together, while agro-research and farmers-union share as much
and already do; bridge-ngo is the one organisation linking the agroforestry group to the
policy and peatland group; peat-call is the open call for peat-restoration and old-peat-call
is closed. Every question runs on three stores: embedded with pyoxigraph substitutions, the
same with a trailing VALUES block instead, and a remote Oxigraph server through RemoteStore.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from graph.base import GraphStore
from graph.embedded import EmbeddedStore
from queries.answer import QueryAnswer
from queries.catalogue import question, questions, run
from sic.errors import NotFound, QueryError

PUBLIC = {
    "uncovered-activities",
    "coverage-by-objective",
    "funding-by-objective",
    "candidates-for-activity",
    "candidates-for-project",
    "partnership-opportunities",
    "alliance-composition",
    "brokers",
    "funders-for-project",
    "funders-for-activity",
    "task-force-roster",
    "objective-profile",
    "organisation-profile",
}


@pytest.fixture(params=["planted", "planted_values", "planted_remote"])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """The planted data: embedded (substitutions), VALUES-bound, and on an Oxigraph server."""
    if request.param == "planted_remote":
        request.applymarker(pytest.mark.server)
    found: GraphStore = request.getfixturevalue(request.param)
    return found


def ask(store: GraphStore, name: str, **params: str) -> QueryAnswer:
    answer = run(store, name, params)
    for row in answer.rows:
        assert list(row) == list(answer.columns)
    return answer


def by(answer: QueryAnswer, column: str) -> dict[Any, dict[str, Any]]:
    return {row[column]: row for row in answer.rows}


def test_the_catalogue_lists_the_public_questions() -> None:
    names = {q.name for q in questions()}
    assert names == PUBLIC
    everything = {q.name for q in questions(parts=True)}
    assert everything > PUBLIC and "network-groups" in everything
    assert question("network-groups").role == "part"
    with pytest.raises(NotFound, match="no question named 'gaps'; the questions are: alliance"):
        question("gaps")


def test_uncovered_activities(store: GraphStore) -> None:
    answer = ask(store, "uncovered-activities")
    assert answer.column("activity") == ["A1.02", "A2.02", "B1.01"]
    rows = by(answer, "activity")
    assert rows["B1.01"] == {
        "activity": "B1.01",
        "title": "Measure carbon in peatlands",
        "objective": "B1",
        "objective_title": "Protect and restore peatlands",
        "category": "RES",
        "category_label": "Research",
        "facility": "global",
        "finished_projects": 0,
        "waiting_links": 0,
    }
    assert rows["A2.02"]["finished_projects"] == 1
    assert ask(store, "uncovered-activities", objective="B1").column("activity") == ["B1.01"]
    assert ask(store, "uncovered-activities", category="POL").column("activity") == ["A1.02"]
    core = ask(store, "uncovered-activities", facility="core")
    assert core.column("activity") == ["A1.01", "A2.05"]


def test_coverage_by_objective(store: GraphStore) -> None:
    rows = by(ask(store, "coverage-by-objective"), "objective")
    counts = {
        k: (
            r["activities"],
            r["uncovered"],
            r["in_preparation"],
            r["funded"],
            r["in_implementation"],
        )
        for k, r in rows.items()
    }
    assert counts == {"A1": (2, 2, 0, 0, 0), "A2": (5, 2, 1, 1, 1), "B1": (2, 1, 1, 0, 0)}
    assert rows["A2"]["facility"] == "global"
    assert ask(store, "coverage-by-objective", objective="B1").column("objective") == ["B1"]


def test_funding_by_objective_never_adds_currencies(store: GraphStore) -> None:
    rows = {(r["objective"], r["currency"]): r for r in ask(store, "funding-by-objective").rows}
    assert set(rows) == {("A2", "EUR"), ("A2", "USD"), ("B1", "EUR"), ("B1", "USD")}
    a2 = rows[("A2", "EUR")]
    # live projects only: agroforestry-scale and mrv-pilot; the completed training is out
    assert (a2["requested"], a2["pledged"], a2["secured"]) == (
        Decimal(1_400_000),
        Decimal(150_000),
        Decimal(1_100_000),
    )
    assert a2["projects"] == 2
    assert rows[("A2", "USD")]["secured"] == Decimal(100_000)
    assert rows[("B1", "EUR")]["requested"] == Decimal(500_000)
    assert rows[("B1", "USD")]["pledged"] == Decimal(20_000)


def test_candidates_to_complete_the_planted_peat_team(store: GraphStore) -> None:
    """peat-restoration (bog-institute with policy-ministry, activity B1.02 on peatlands): the
    peat lab declares peatlands, an interest in B1 and works in Europe like the team."""
    answer = ask(store, "candidates-for-project", project="peat-restoration", top="3")
    assert answer.column("organisation")[0] == "peat-lab"
    assert "bog-institute" not in answer.column("organisation")
    assert "policy-ministry" not in answer.column("organisation")
    assert answer.column("rank") == [1, 2, 3]
    best = {r["signal"]: r for r in answer.rows[0]["reasons"]}
    assert best["topics"]["evidence"] == ["peatlands"]
    assert best["interest"]["evidence"] == ["B1"]
    total = sum(r["weight"] * r["value"] for r in answer.rows[0]["reasons"])
    assert total == pytest.approx(answer.rows[0]["score"], abs=1e-3)
    with pytest.raises(NotFound):
        ask(store, "candidates-for-project", project="no-such-project")


def test_candidates_for_the_planted_gap(store: GraphStore) -> None:
    answer = ask(store, "candidates-for-activity", activity="B1.01", top="3")
    assert answer.column("organisation") == ["peat-lab", "bog-institute", "green-fund"]
    assert answer.column("rank") == [1, 2, 3]
    best = answer.rows[0]
    assert 0 <= best["score"] <= 1 and best["involved"] is False
    signals = {r["signal"]: r for r in best["reasons"]}
    assert signals["activity_topics"]["evidence"] == ["carbon-mrv", "peatlands"]
    assert signals["activity_topics"]["text"].startswith("Shares 2 of 2 topics with the activity")
    assert "Pia Peat is Task Force Leader" in signals["task_force"]["text"]
    assert signals["interest"]["value"] == 1.0
    assert set(best["signals"]) >= {
        "activity_topics",
        "objective_topics",
        "interest",
        "task_force",
        "membership",
        "regions",
        "team_types",
        "collaboration",
        "network_distance",
    }
    second = {r["signal"]: r for r in answer.rows[1]["reasons"]}
    # bog-institute has soil organic carbon, one step above the activity's measurement topic
    assert (
        "soil carbon measurement (through soil organic carbon)" in second["activity_topics"]["text"]
    )


def test_involved_organisations_are_listed_apart(store: GraphStore) -> None:
    answer = ask(store, "candidates-for-activity", activity="A2.01")
    involved = [r for r in answer.rows if r["involved"]]
    assert [r["organisation"] for r in involved] == ["agro-research", "bridge-ngo", "farmers-union"]
    assert all(r["rank"] is None and r["score"] is None for r in involved)
    assert "Lead of Agroforestry at Scale (in implementation)" in involved[0]["reasons"][0]["text"]
    candidates = [r for r in answer.rows if not r["involved"]]
    assert candidates and not {r["organisation"] for r in candidates} & {
        "agro-research",
        "bridge-ngo",
        "farmers-union",
    }
    women = next(r for r in candidates if r["organisation"] == "women-ngo")
    assert women["signals"]["collaboration"] > 0  # worked with farmers-union and agro-research
    assert answer.rows == sorted(
        answer.rows, key=lambda r: (not r["involved"], -(r["score"] or 0), r["organisation"])
    )


def test_partnership_opportunities(store: GraphStore) -> None:
    answer = ask(store, "partnership-opportunities")
    first = answer.rows[0]
    assert (first["organisation_a"], first["organisation_b"]) == ("bog-institute", "peat-lab")
    assert first["shared"] == ["peatlands", "wetlands", "objective B1"]
    assert 0 < first["score"] <= 1
    pairs = {(r["organisation_a"], r["organisation_b"]) for r in answer.rows}
    assert ("agro-research", "farmers-union") not in pairs  # they already work together
    assert ("farmers-union", "women-ngo") not in pairs
    assert all(a < b for a, b in pairs)
    mine = ask(store, "partnership-opportunities", organisation="peat-lab", top="2")
    assert [(r["organisation_a"], r["organisation_b"]) for r in mine.rows] == [
        ("peat-lab", "bog-institute"),
        ("peat-lab", "mrv-company"),
    ]
    assert mine.rows[0]["score"] == first["score"]
    bridge = by(
        ask(store, "partnership-opportunities", organisation="bridge-ngo"), "organisation_b"
    )
    assert bridge["women-ngo"]["distance"] == 2  # through farmers-union or agro-research


def test_alliance_composition(store: GraphStore) -> None:
    answer = ask(store, "alliance-composition", activity="B1.01")
    assert answer.column("organisation") == ["peat-lab", "green-fund", "bridge-ngo"]
    assert answer.rows[0]["brings"] == [
        "a research institution",
        "soil carbon measurement",
        "peatlands",
    ]
    assert answer.rows[0]["still_uncovered"] == [
        "a funder or public body",
        "a producers' organisation or NGO",
    ]
    assert answer.rows[-1]["still_uncovered"] == []
    covered = [b for r in answer.rows for b in r["brings"]]
    assert len(covered) == len(set(covered)) == 5
    with_team = ask(store, "alliance-composition", activity="A2.01")
    team = [r for r in with_team.rows if r["involved"]]
    assert {r["organisation"] for r in team} == {"agro-research", "bridge-ngo", "farmers-union"}
    assert with_team.rows[: len(team)] == team and all(r["step"] == 0 for r in team)


def test_brokers(store: GraphStore) -> None:
    answer = ask(store, "brokers")
    assert answer.column("organisation")[:2] == ["bridge-ngo", "policy-ministry"]
    bridge = answer.rows[0]
    assert bridge["links_groups"] == 2 and bridge["collaborators"] == 3
    assert all(0 < r["betweenness"] <= 1 for r in answer.rows)
    a2 = ask(store, "brokers", objective="A2")
    assert a2.column("organisation")[0] in {"agro-research", "farmers-union"}
    with pytest.raises(NotFound, match="no objective 'Z9'"):
        ask(store, "brokers", objective="Z9")


def test_funders_for_project(store: GraphStore) -> None:
    answer = ask(store, "funders-for-project", project="peat-restoration", as_of="2025-01-01")
    first = answer.rows[0]
    assert (first["kind"], first["call"], first["organisation"]) == (
        "call",
        "peat-call",
        "green-fund",
    )
    assert first["score"] == 1.0
    texts = " | ".join(r["text"] for r in first["reasons"])
    assert "targets objective B1" in texts and "Europe" in texts
    assert "still needs 500,000 EUR" in texts
    calls = [r["call"] for r in answer.rows if r["kind"] == "call"]
    assert "old-peat-call" not in calls  # closed on 2020-12-31
    assert "agro-call" not in calls  # nothing in common with the project
    funders = [r["organisation"] for r in answer.rows if r["kind"] == "funder"]
    assert "green-fund" not in funders  # listed once, with its open call
    assert "us-foundation" not in funders  # already pledged to the project
    listed = [r["organisation"] for r in answer.rows if r["kind"] == "funder"]
    with_calls = {r["organisation"] for r in answer.rows if r["kind"] == "call"}
    assert len(listed) == len(set(listed)) and not set(listed) & with_calls
    later = ask(store, "funders-for-project", project="peat-restoration", as_of="2031-01-01")
    assert [r for r in later.rows if r["kind"] == "call"] == []


def test_funders_for_the_planted_gap(store: GraphStore) -> None:
    """B1.01 (peatland finance, no project yet): the open peat call targets its objective and
    shares its peatlands topic; a funder that has funded B1 comes after; closed calls never."""
    answer = ask(store, "funders-for-activity", activity="B1.01", as_of="2025-01-01")
    first = answer.rows[0]
    assert (first["kind"], first["call"], first["organisation"]) == (
        "call",
        "peat-call",
        "green-fund",
    )
    texts = " | ".join(r["text"] for r in first["reasons"])
    assert "targets objective B1" in texts and "peatlands" in texts
    assert "No project on the activity yet" in texts
    assert "old-peat-call" not in [r["call"] for r in answer.rows]
    funders = [r["organisation"] for r in answer.rows if r["kind"] == "funder"]
    assert "green-fund" not in funders and "us-foundation" in funders
    scores = [r["score"] for r in answer.rows]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(NotFound):
        ask(store, "funders-for-activity", activity="Z9.99")


def test_task_force_roster(store: GraphStore) -> None:
    answer = ask(store, "task-force-roster", objective="A2")
    assert [(r["person"], r["role"]) for r in answer.rows] == [
        ("anna-agro", "leader"),
        ("frank-farmer", "regional_representative"),
        ("wendy-women", "member"),
    ]
    assert answer.rows[1]["region"] == "014" and answer.rows[1]["region_label"] == "Eastern Africa"
    assert answer.rows[0]["organisation"] == "agro-research"


def test_objective_profile(store: GraphStore) -> None:
    (row,) = ask(store, "objective-profile", objective="B1").rows
    assert row["title"] == "Protect and restore peatlands" and row["goal"] == "B"
    assert row["facility"] == "global" and row["task_force"] == "B1"
    assert [t["topic"] for t in row["topics"]] == ["peatlands", "soil-carbon"]
    assert row["sdgs"] == ["https://metadata.un.org/sdg/13", "https://metadata.un.org/sdg/15.3"]
    assert row["coverage"]["uncovered"] == 1 and row["coverage"]["in_preparation"] == 1
    assert [(a["activity"], a["coverage"]) for a in row["activities"]] == [
        ("B1.01", "uncovered"),
        ("B1.02", "in_preparation"),
    ]
    assert row["activities"][1]["stage"] == "proposal"
    assert [f["currency"] for f in row["funding"]] == ["EUR", "USD"]
    assert [p["person"] for p in row["roster"]] == ["pia-peat", "bob-bog"]
    with pytest.raises(NotFound, match="no objective 'Z9'"):
        ask(store, "objective-profile", objective="Z9")


def test_organisation_profile(store: GraphStore) -> None:
    (row,) = ask(store, "organisation-profile", organisation="bridge-ngo").rows
    assert row["name"] == "Bridge Network" and row["type"] == "ngo" and row["status"] == "member"
    assert [p["project"] for p in row["projects"]] == ["agroforestry-scale", "policy-dialogue"]
    assert [c["organisation"] for c in row["collaborators"]] == [
        "agro-research",
        "farmers-union",
        "policy-ministry",
    ]
    (fund,) = ask(store, "organisation-profile", organisation="green-fund").rows
    assert {f["project"] for f in fund["funds"]} == {
        "agroforestry-scale",
        "mrv-pilot",
        "agroforestry-training",
    }
    (peat,) = ask(store, "organisation-profile", organisation="peat-lab").rows
    assert peat["people"] == [
        {
            "person": "pia-peat",
            "name": "Pia Peat",
            "objective": "B1",
            "role": "leader",
            "region": None,
        }
    ]


@pytest.mark.parametrize(
    ("name", "params", "error", "message"),
    [
        ("candidates-for-activity", {"activity": "Z9.99"}, NotFound, "no activity 'Z9.99'"),
        ("funders-for-project", {"project": "nope"}, NotFound, "no project 'nope'"),
        ("organisation-profile", {"organisation": "nope"}, NotFound, "no organisation 'nope'"),
        ("partnership-opportunities", {"organisation": "nope"}, NotFound, "no organisation"),
        ("candidates-for-activity", {}, QueryError, "'activity' is required"),
        ("uncovered-activities", {"facility": "both"}, QueryError, "must be one of global, core"),
        ("candidates-for-activity", {"activity": "B1.01", "top": "0"}, QueryError, "at least 1"),
    ],
)
def test_refusals(
    planted: EmbeddedStore,
    name: str,
    params: dict[str, str],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        run(planted, name, params)
