"""The progress series against the reference workbook, recomputed here from its CSV files.

Each expectation is counted straight from data/reference/projects.csv and funding.csv with the
definitions queries/progress.py states (running projects past the proposal stage, projects
from their start date under today's stage, committed plus disbursed money by line date), so a
query that drops a row, a wrong quarter boundary or a currency added to another fails here.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from queries.progress import Progress, Quarter, progress, quarters

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
UNTIL = dt.date(2026, 12, 6)
PAST_PROPOSAL = {"funded", "implementation", "completed", "discontinued"}


def _csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _objective_of() -> dict[str, str]:
    return {a["code"]: a["objective"] for a in _csv("activities.csv")}


def test_quarters_run_from_the_first_date_to_the_quarter_of_until() -> None:
    span = quarters(dt.date(2024, 11, 30), dt.date(2025, 4, 1))
    assert [str(q) for q in span] == ["2024-Q4", "2025-Q1", "2025-Q2"]
    assert span[0].end == dt.date(2024, 12, 31)
    assert Quarter(2025, 1).end == dt.date(2025, 3, 31)
    assert quarters(None, UNTIL) == ()


@pytest.fixture(scope="module")
def series(reference: EmbeddedStore) -> Progress:
    return progress(reference, UNTIL)


def test_the_span_starts_at_the_first_dated_fact(series: Progress) -> None:
    dates = [p["start"] for p in _csv("projects.csv") if p["start"]]
    dates += [f["date"] for f in _csv("funding.csv") if f["date"]]
    first = Quarter.of(dt.date.fromisoformat(min(dates)))
    assert series.quarters[0] == first
    assert series.quarters[-1] == Quarter(2026, 4)


def test_activities_addressed_by_a_running_project_per_quarter(series: Progress) -> None:
    projects = [p for p in _csv("projects.csv") if p["start"] and p["stage"] in PAST_PROPOSAL]
    expected = []
    for q in series.quarters:
        running = {
            a
            for p in projects
            if dt.date.fromisoformat(p["start"]) <= q.end
            and (not p["end"] or dt.date.fromisoformat(p["end"]) >= q.end)
            for a in p["activities"].split(";")
        }
        expected.append(Decimal(len(running)))
    assert list(series.activities.lines[0].values) == expected
    assert max(expected) > 0  # the reference has running projects: the test can fail


def test_projects_per_stage_per_quarter(series: Progress) -> None:
    projects = [p for p in _csv("projects.csv") if p["start"]]
    got = {line.key: list(line.values) for line in series.projects.lines}
    assert set(got) == {p["stage"] for p in projects}
    for i, q in enumerate(series.quarters):
        counted = Counter(
            p["stage"] for p in projects if dt.date.fromisoformat(p["start"]) <= q.end
        )
        assert {s: got[s][i] for s in got} == {s: Decimal(counted[s]) for s in got}, str(q)


def test_funding_secured_per_objective_and_currency_per_quarter(series: Progress) -> None:
    objective_of = _objective_of()
    objectives = {
        p["id"]: {objective_of[a] for a in p["activities"].split(";")} for p in _csv("projects.csv")
    }
    lines = [f for f in _csv("funding.csv") if f["status"] in {"committed", "disbursed"}]
    got = {(s.group, line.key): list(line.values) for s in series.funding for line in s.lines}
    expected: dict[tuple[str, str], list[Decimal]] = defaultdict(
        lambda: [Decimal(0)] * len(series.quarters)
    )
    for f in lines:
        day = dt.date.fromisoformat(f["date"])
        for objective in objectives[f["project"]]:
            for i, q in enumerate(series.quarters):
                if day <= q.end:
                    expected[(f["currency"], objective)][i] += Decimal(f["amount"])
    assert got == dict(expected)
    # today's EUR total for A2: the Sahel, Dehesa and Pampas lines (pledges excluded)
    assert got[("EUR", "A2")][-1] == Decimal(1200000 + 600000 + 200000 + 350000)


def test_a_moment_before_any_date_has_no_quarters(reference: EmbeddedStore) -> None:
    early = progress(reference, dt.date(2000, 1, 1))
    assert early.quarters == ()
    assert early.activities.lines[0].values == ()
