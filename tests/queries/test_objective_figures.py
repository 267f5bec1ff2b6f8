"""The kept objective figures answer as the `.rq` files do, after any writes.

funding-by-objective, coverage-by-objective, objective-activities and uncovered-activities are
answered from figures the service keeps from write to write (queries.objective_figures). Random
sequences of project and funding changes (a project moved to another stage, activity or budget,
a funding line pledged, moved or dropped, a project added or removed or cloned untyped, the
projects of an activity made alliances, an activity moved to another objective, a stage moved
in the order) must leave the kept answers equal to the files' answers on the same store
version, and the kept figures equal to figures built anew.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.base import PreparedWrite
from graph.embedded import EmbeddedStore
from graph.update import Delta
from queries import catalogue
from queries.network import keep_up, kept_rows
from queries.objective_figures import KEPT, ObjectiveFigures, canonical
from queries.sparql import named_rows
from sic.vocab import SIC_NS

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
SCHEMA = "https://schema.org/"
STAGES = ("idea", "team", "proposal", "funded", "implementation", "completed", "discontinued")

Op = tuple[str, int, int]
OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "stage",
                "activity",
                "budget",
                "currency",
                "status",
                "amount",
                "fund",
                "drop",
                "new",
                "untyped",
                "order",
                "objective",
                "alliance",
            ]
        ),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
    ),
    min_size=1,
    max_size=5,
)


class _Quads(list[ox.Quad]):
    """The reference data's quads, named shortly when Hypothesis reports a failing example."""

    def __repr__(self) -> str:
        return f"<{len(self)} reference quads>"


@pytest.fixture(scope="module")
def template(load_workbook: Callable[[Path], EmbeddedStore]) -> Iterator[list[ox.Quad]]:
    store = load_workbook(REFERENCE)
    yield _Quads(store.raw)
    store.close()


def _copy(quads: list[ox.Quad]) -> EmbeddedStore:
    store = EmbeddedStore(None)
    store.raw.bulk_extend(quads)
    return store


def _sic(name: str) -> ox.NamedNode:
    return ox.NamedNode(SIC_NS + name)


def _schema(name: str) -> ox.NamedNode:
    return ox.NamedNode(SCHEMA + name)


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _of(store: EmbeddedStore, cls: str) -> list[ox.NamedNode]:
    found = store.raw.quads_for_pattern(None, RDF_TYPE, _sic(cls))
    return sorted({q.subject for q in found if isinstance(q.subject, ox.NamedNode)}, key=str)


def _objects(store: EmbeddedStore, subject: Any, predicate: ox.NamedNode) -> list[Any]:
    found = store.raw.quads_for_pattern(subject, predicate, None)
    return sorted((q.object for q in found), key=str)


def _delta(store: EmbeddedStore, op: Op) -> Delta:
    """One project or funding change, resolved against the store's current triples."""
    graph = next(s.graph for s in store.sources() if s.name != "ontology")
    projects = _of(store, "Project")
    fundings = _of(store, "Funding")
    activities = _of(store, "Activity")
    kind, i, j = op
    project = projects[i % len(projects)]
    funding = fundings[i % len(fundings)]

    def swap(subject: Any, predicate: ox.NamedNode, value: Any) -> Delta:
        old = {ox.Triple(subject, predicate, o) for o in _objects(store, subject, predicate)}
        return Delta(removed={graph: old}, added={graph: {ox.Triple(subject, predicate, value)}})

    if kind == "stage":
        return swap(project, _sic("stage"), _sic("Stage" + STAGES[j % len(STAGES)].title()))
    if kind == "activity":
        triple = ox.Triple(project, _sic("addresses"), activities[j % len(activities)])
        return Delta(added={graph: {triple}})
    if kind == "budget":
        amount = ox.Literal(f"{j % 5000}.{j % 7}5", datatype=ox.NamedNode(XSD + "decimal"))
        return swap(project, _sic("budget"), amount)
    if kind == "currency":
        return swap(project, _schema("currency"), ox.Literal(("EUR", "USD", "XOF")[j % 3]))
    if kind == "status":
        status = ("FundingPledged", "FundingCommitted", "FundingDisbursed")[j % 3]
        return swap(funding, _sic("fundingStatus"), _sic(status))
    if kind == "amount":
        amount = ox.Literal(str(j % 100_000), datatype=ox.NamedNode(XSD + "integer"))
        return swap(funding, _schema("amount"), amount)
    if kind == "fund":
        return swap(funding, _schema("fundedItem"), projects[j % len(projects)])
    if kind == "drop":
        star = store.raw.quads_for_pattern(project if j % 2 else funding, None, None)
        return Delta(removed={graph: {ox.Triple(q.subject, q.predicate, q.object) for q in star}})
    if kind == "objective":  # an activity moved to another objective
        objectives = _of(store, "StrategicObjective")
        activity = activities[i % len(activities)]
        return swap(activity, _sic("objective"), objectives[j % len(objectives)])
    if kind == "alliance":  # every project of an activity made an alliance: none covers it
        links = store.raw.quads_for_pattern(None, _sic("addresses"), None)
        addressed = sorted({q.object for q in links}, key=str)
        activity = addressed[j % len(addressed)]
        found = store.raw.quads_for_pattern(None, _sic("addresses"), activity)
        return Delta(
            added={graph: {ox.Triple(q.subject, RDF_TYPE, _sic("Alliance")) for q in found}}
        )
    if kind == "order":  # a stage moved in the order: every project at it changes
        stage = _sic("Stage" + STAGES[j % len(STAGES)].title())
        return swap(stage, _sic("stageOrder"), ox.Literal(str(j % 9), datatype=INTEGER))
    twin = ox.NamedNode(f"{project.value}-twin{j % 5}")
    quads = list(store.raw.quads_for_pattern(project, None, None))
    typed = kind == "new"
    return Delta(
        added={
            graph: {
                ox.Triple(twin, q.predicate, q.object)
                for q in quads
                if typed or q.predicate != RDF_TYPE
            }
        }
    )


XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER = ox.NamedNode(XSD + "integer")


def _sorted(rows: list[dict[str, Any]]) -> list[str]:
    """Rows as comparable text, types included (Decimal('1500') is not Decimal('1500.0'))."""
    return sorted(repr(sorted((k, repr(v)) for k, v in row.items())) for row in rows)


def _same(store: EmbeddedStore, name: str, objective: ox.NamedNode | None, **more: Any) -> None:
    terms = {**({} if objective is None else {"objective": objective}), **more}
    expected = named_rows(store, name, **terms)
    kept = kept_rows(store, name, terms)
    assert kept is not None
    assert _sorted(kept) == _sorted(expected), name
    order = "objective" if name in {"funding-by-objective", "coverage-by-objective"} else "activity"
    assert [r[order] for r in kept] == [r[order] for r in expected], name


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_kept_figures_answer_as_the_files_do(template: list[ox.Quad], ops: list[Op]) -> None:
    store = _copy(template)
    kept = keep_up(store)
    objectives = _of(store, "StrategicObjective")
    for n, op in enumerate(ops):
        store.commit(PreparedWrite(_delta(store, op), store.version(), "test"))
        assert keep_up(store) is kept, "a small write is followed, not rebuilt"
        fresh = ObjectiveFigures(type(kept.tables)(store))
        assert vars(kept.objective_figures) == vars(fresh), op
        objective = objectives[(op[1] + n) % len(objectives)]
        for name in ("funding-by-objective", "coverage-by-objective"):
            _same(store, name, None)
        for name in KEPT:
            _same(store, name, objective)
        categories = _of(store, "Category")
        category = categories[(op[2] + n) % len(categories)]
        _same(store, "uncovered-activities", None)
        _same(store, "uncovered-activities", None, category=category)
        for facility in ("global", "core"):
            _same(store, "uncovered-activities", objective, facility=ox.Literal(facility))
        figures = kept.objective_figures
        whole = figures.uncovered(store, {}, one_by_one=0)
        assert whole == figures.uncovered(store, {}, one_by_one=10**6), "whole or one by one"
        assert whole == kept_rows(store, "uncovered-activities", {})
    store.close()


def test_the_catalogue_and_the_profile_use_them(template: list[ox.Quad]) -> None:
    """Once kept, the questions come from the figures; their answers are those of the files."""
    store = _copy(template)
    before = catalogue.run(store, "funding-by-objective").rows
    keep_up(store)
    after = catalogue.run(store, "funding-by-objective").rows
    assert after and _sorted(after) == _sorted(before)
    profile = catalogue.run(store, "objective-profile", {"objective": "A1"}).rows[0]
    term = ox.NamedNode(store.base + "id/objective/A1")
    activities = [
        {k: v for k, v in r.items() if k != "objective"}
        for r in named_rows(store, "objective-activities", objective=term)
    ]
    if not activities:
        pytest.skip("objective A1 has no activities under that IRI")
    assert _sorted(profile["activities"]) == _sorted(activities)
    store.close()


def test_an_amount_the_sums_cannot_reproduce_falls_back_to_the_file(
    template: list[ox.Quad],
) -> None:
    store = _copy(template)
    kept = keep_up(store)
    graph = next(s.graph for s in store.sources() if s.name != "ontology")
    funding = _of(store, "Funding")[0]
    old = {
        ox.Triple(funding, _schema("amount"), o)
        for o in _objects(store, funding, _schema("amount"))
    }
    double = ox.Literal("1.5e3", datatype=ox.NamedNode(XSD + "double"))
    delta = Delta(
        removed={graph: old}, added={graph: {ox.Triple(funding, _schema("amount"), double)}}
    )
    store.commit(PreparedWrite(delta, store.version(), "test"))
    assert keep_up(store) is kept
    project = str(_objects(store, funding, _schema("fundedItem"))[0].value).rsplit("/", 1)[-1]
    if project in kept.objective_figures.objectives:
        assert not kept.objective_figures.exact
        assert kept_rows(store, "funding-by-objective", {}) is None
    assert catalogue.run(store, "funding-by-objective").rows == named_rows(
        store, "funding-by-objective"
    )
    store.close()


@pytest.mark.parametrize(
    ("text", "written"),
    [("1500.00", "1500"), ("1500.50", "1500.5"), ("0.0", "0"), ("-2.10", "-2.1"), ("1E+3", "1000")],
)
def test_sums_are_written_as_the_engine_writes_decimals(text: str, written: str) -> None:
    assert str(canonical(Decimal(text))) == written
