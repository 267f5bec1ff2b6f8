"""funding-by-objective gives the answer its definition says, computed here without its shape.

The query is written for pyoxigraph's planner (money first, then the live projects' objectives,
the label after grouping), so its answer is checked against a plain computation in Python over
the triples themselves: live projects, the objectives of the activities they address (each
once), their budgets and funding rows by currency. Run on the planted and reference workbooks
and on two synthetic XS workbooks (bench.generate; seeds whose Task Force roles load: some
seeds give a person two roles on one objective, which the loader refuses), for every objective
and for each one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from bench.generate import SIZES, generate_workbook
from graph.embedded import EmbeddedStore
from graph.results import SelectResult
from queries.answer import Row, value_of
from queries.catalogue import run
from sic.vocab import SCHEMA, SIC

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _rows(store: EmbeddedStore, sparql: str) -> list[list[Any]]:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return result.rows


def _pairs(store: EmbeddedStore, predicate: str) -> list[tuple[Any, Any]]:
    """Every (subject, object) of one predicate in the published data, as plain values."""
    rows = _rows(store, f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")
    return [(value_of(s, store.base), _object(o, store.base)) for s, o in rows]


def _object(term: Any, base: str) -> Any:
    if isinstance(term, ox.Literal) and term.language is not None:
        return (term.value, term.language)
    return value_of(term, base)


def expected_funding(store: EmbeddedStore) -> list[Row]:
    """funding-by-objective by its definition (queries/README.md), in plain Python."""
    live_stages = {s for s, o in _pairs(store, str(SIC.isLive)) if o is True}
    live = {p for p, s in _pairs(store, str(SIC.stage)) if s in live_stages}
    objective_of: defaultdict[Any, set[Any]] = defaultdict(set)
    for activity, objective in _pairs(store, str(SIC.objective)):
        objective_of[activity].add(objective)
    objectives: defaultdict[Any, set[Any]] = defaultdict(set)
    for project, activity in _pairs(store, str(SIC.addresses)):
        objectives[project] |= objective_of.get(activity, set())
    currency: defaultdict[Any, list[str]] = defaultdict(list)
    for item, code in _pairs(store, str(SCHEMA.currency)):
        currency[item].append(code)
    money: list[tuple[Any, str, Decimal, Decimal, Decimal]] = []
    for project, budget in _pairs(store, str(SIC.budget)):
        money += [(project, c, Decimal(budget), Decimal(0), Decimal(0)) for c in currency[project]]
    funded = dict(_pairs(store, str(SCHEMA.fundedItem)))
    pledged = f"SELECT ?f WHERE {{ ?f <{SIC.fundingStatus}> <{SIC.FundingPledged}> }}"
    pledged_ones = {value_of(f, store.base) for (f,) in _rows(store, pledged)}
    status = dict(_pairs(store, str(SIC.fundingStatus)))
    for funding, amount in _pairs(store, str(SCHEMA.amount)):
        if funding not in funded or funding not in status:
            continue
        a, zero = Decimal(amount), Decimal(0)
        split = (a, zero) if funding in pledged_ones else (zero, a)
        money += [(funded[funding], c, zero, *split) for c in currency[funding]]
    groups: dict[tuple[Any, str], list[Any]] = {}
    for project, c, requested, pledged_amount, secured in money:
        if project not in live:
            continue
        for objective in objectives[project]:
            g = groups.setdefault((objective, c), [set(), Decimal(0), Decimal(0), Decimal(0)])
            g[0].add(project)
            g[1] += requested
            g[2] += pledged_amount
            g[3] += secured
    labels = _pairs(store, RDFS_LABEL)
    titles = {s: o[0] for s, o in labels if isinstance(o, tuple) and o[1] == "en"}
    return [
        {
            "objective": objective,
            "title": titles.get(objective),
            "currency": c,
            "projects": len(g[0]),
            "requested": g[1],
            "pledged": g[2],
            "secured": g[3],
        }
        for (objective, c), g in sorted(groups.items(), key=lambda kv: kv[0])
    ]


def typed(rows: list[Row]) -> list[list[tuple[str, Any]]]:
    """Rows with each value's type beside it: an integer sum is not a decimal one."""
    return [[(type(v).__name__, v) for v in row.values()] for row in rows]


@pytest.fixture(scope="module", params=["planted", "reference", "xs-41000", "xs-3"])
def store(
    request: pytest.FixtureRequest,
    load_workbook: Callable[[Path], EmbeddedStore],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[EmbeddedStore]:
    if request.param in ("planted", "reference"):
        yield request.getfixturevalue(request.param)
        return
    folder = tmp_path_factory.mktemp(request.param) / "workbook"
    generate_workbook(SIZES["XS"], folder, seed=int(request.param.removeprefix("xs-")))
    generated = load_workbook(folder)
    yield generated
    generated.close()


def test_funding_by_objective_follows_its_definition(store: EmbeddedStore) -> None:
    expected = expected_funding(store)
    assert expected, "the workbook should have some money on live projects"
    assert typed(run(store, "funding-by-objective").rows) == typed(expected)


def test_funding_of_one_objective_is_its_rows(store: EmbeddedStore) -> None:
    expected = expected_funding(store)
    for objective in sorted({r["objective"] for r in expected})[:5]:
        mine = [r for r in expected if r["objective"] == objective]
        assert typed(run(store, "funding-by-objective", {"objective": objective}).rows) == typed(
            mine
        )
