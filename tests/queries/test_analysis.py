"""An analysis carries its header beside its function; the catalogue collects them."""

from __future__ import annotations

from types import ModuleType

import pytest

from graph.base import GraphStore
from queries import catalogue
from queries.analysis import Analysis, analysis, code_param, top_param
from queries.answer import Row
from queries.params import Bound
from sic.errors import QueryError
from sic.rq import Param


@analysis(
    "Everything, counted.",
    description="A test analysis.",
    params=(code_param("objective", "its code", required=True), top_param(3, 9, "things")),
    columns="count",
)
def count_of_things(store: GraphStore, bound: Bound) -> list[Row]:
    return [{"count": bound.integer("top", 0)}]


def test_the_decorator_records_the_header_and_names_it_after_the_function() -> None:
    assert isinstance(count_of_things, Analysis)
    assert count_of_things.name == "count-of-things"
    assert count_of_things.summary == "Everything, counted."
    assert count_of_things.description == "A test analysis."
    assert count_of_things.columns == ("count",)
    assert count_of_things.params == (
        Param("objective", "code", required=True, kind="objective", description="its code"),
        Param("top", "integer", default=3, minimum=1, maximum=9, description="how many things"),
    )
    assert count_of_things(None, Bound({"top": 4})) == [{"count": 4}]  # type: ignore[arg-type]


def test_the_catalogue_holds_every_analysis_of_its_modules_and_nothing_else() -> None:
    declared = {
        v.name: v
        for m in catalogue.ANALYSIS_MODULES
        for v in vars(m).values()
        if isinstance(v, Analysis)
    }
    analyses = {q.name: q for q in catalogue.questions() if q.kind == "analysis"}
    assert (
        set(analyses)
        == set(declared)
        == {
            "alliance-composition",
            "brokers",
            "candidates-for-activity",
            "candidates-for-project",
            "funders-for-activity",
            "funders-for-project",
            "objective-profile",
            "organisation-profile",
            "partnership-opportunities",
        }
    )
    for name, q in analyses.items():
        found = declared[name]
        assert q.analysis is found and q.query is None and q.role == "question"
        assert (q.summary, q.params, q.columns) == (found.summary, found.params, found.columns)
        assert found.compute.__name__ == name.replace("-", "_")
    sparql = [q for q in catalogue.questions(parts=True) if q.kind == "sparql"]
    assert all(q.query is not None and q.analysis is None for q in sparql)


def test_two_questions_of_one_name_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """An analysis named like a `.rq` file would hide it: the catalogue says so instead."""

    def uncovered_activities(store: GraphStore, bound: Bound) -> list[Row]:
        return []

    twin = ModuleType("twin")
    twin.clash = analysis("A twin.", params=(), columns="")(uncovered_activities)  # type: ignore[attr-defined]
    monkeypatch.setattr(catalogue, "ANALYSIS_MODULES", (*catalogue.ANALYSIS_MODULES, twin))
    catalogue._catalogue.cache_clear()
    try:
        with pytest.raises(QueryError, match="two questions are named 'uncovered-activities'"):
            catalogue.questions()
    finally:
        monkeypatch.undo()
        catalogue._catalogue.cache_clear()
    assert catalogue.question("uncovered-activities").kind == "sparql"
