"""trace(): a SHACL violation in a workbook is reported at the cell the user must change."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from loaders.workbook import Workbook, read_workbook, trace
from sic.errors import Location, Violation

if TYPE_CHECKING:
    from conftest import EditableWorkbook

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "workbooks" / "minimal"
ID = "https://w3id.org/4p1000/id/"


@pytest.fixture(scope="module")
def workbook() -> Workbook:
    return read_workbook(MINIMAL)


def located(workbook: Workbook, focus: str, path: str | None) -> Location | None:
    (violation,) = trace([Violation(focus, path, "something is wrong")], workbook)
    return violation.location


@pytest.mark.parametrize(
    "path",
    [
        "sic:objective",
        "https://w3id.org/4p1000/ontology#objective",
        "<https://w3id.org/4p1000/ontology#objective>",
        " sic:objective ",
    ],
)
def test_path_as_prefixed_name_or_iri(workbook: Workbook, path: str) -> None:
    location = located(workbook, ID + "activity/A2.01", path)
    assert location == Location("activities.csv", 4, "objective")


def test_focus_node_in_angle_brackets(workbook: Workbook) -> None:
    location = located(workbook, f"<{ID}activity/A2.01>", "sic:category")
    assert location == Location("activities.csv", 4, "category")


def test_multi_valued_and_translated_columns(workbook: Workbook) -> None:
    assert located(workbook, ID + "project/practice-db", "sic:partner") == Location(
        "projects.csv", 2, "partners"
    )
    assert located(workbook, ID + "goal/B", "rdfs:label") == Location("goals.csv", 3, "title")
    assert located(workbook, ID + "person/jean-martin", "foaf:name") == Location(
        "people.csv", 4, "name"
    )


def test_a_value_the_row_lacks_points_at_the_empty_cell(workbook: Workbook) -> None:
    # A1.01 has no facility of its own and r0002 no respondent: the cell to fill.
    assert located(workbook, ID + "activity/A1.01", "sic:facility") == Location(
        "activities.csv", 2, "facility"
    )
    assert located(workbook, ID + "response/r0002", "prov:wasAttributedTo") == Location(
        "delphi_responses.csv", 3, "respondent"
    )


@pytest.mark.parametrize("path", [None, "", "^sic:objective", "(sic:a|sic:b)", "ex:unknown"])
def test_other_paths_fall_back_to_the_key_cell(workbook: Workbook, path: str | None) -> None:
    location = located(workbook, ID + "activity/A2.01", path)
    assert location == Location("activities.csv", 4, "code")


def test_a_predicate_from_no_column_falls_back_to_the_key_cell(workbook: Workbook) -> None:
    assert located(workbook, ID + "activity/A2.01", "skos:notation") == Location(
        "activities.csv", 4, "code"
    )


def test_sequence_path_is_located_by_its_first_step(workbook: Workbook) -> None:
    role = ID + "taskforce/A2#leader-lucia-rossi"
    assert located(workbook, role, "org:member/org:memberOf") == Location(
        "task_force_roles.csv", 2, "person"
    )


def test_rows_without_a_key_column_fall_back_to_the_row(workbook: Workbook) -> None:
    grant = ID + "funding/practice-db.green-soil-fund.disbursed.2"
    assert located(workbook, grant, None) == Location("funding.csv", 4)
    assert located(workbook, grant, "sic:fundingStatus") == Location("funding.csv", 4, "status")


def test_derived_task_force_points_at_its_objective(workbook: Workbook) -> None:
    assert located(workbook, ID + "taskforce/B1", "rdfs:label") == Location(
        "objectives.csv", 4, "code"
    )


def test_nodes_the_workbook_did_not_make_are_left_alone(workbook: Workbook) -> None:
    untouched = Violation(
        "https://w3id.org/4p1000/ontology#Stages",
        "skos:prefLabel",
        "x",
        location=Location("ontology/core/cycle.ttl"),
    )
    bare = Violation("http://example.org/elsewhere", None, "x")
    assert trace([untouched, bare], workbook) == [untouched, bare]


def test_order_and_every_other_field_are_kept(workbook: Workbook) -> None:
    violations = [
        Violation(
            ID + "activity/A2.01",
            "sic:objective",
            "An activity must serve an objective.",
            severity="Warning",
            value="x",
            source_shape="sicsh:ActivityShape",
            constraint="sh:ClassConstraintComponent",
        ),
        Violation(ID + "goal/A", "rdfs:label", "A goal needs a title."),
    ]
    traced = trace(violations, workbook)
    assert [v.focus_node for v in traced] == [v.focus_node for v in violations]
    assert traced[0].severity == "Warning" and traced[0].value == "x"
    assert traced[0].source_shape == "sicsh:ActivityShape"
    assert str(traced[0]).startswith("activities.csv, row 4, column 'objective': ")
    assert str(traced[1]).startswith("goals.csv, row 2, column 'title': ")


def test_real_violations_are_traced_to_cells(minimal_copy: EditableWorkbook) -> None:
    """End to end with the platform's validator and shapes: a workbook that loads but breaks
    a rule is reported at the cells to fix."""
    from sic.validation import Validator

    minimal_copy.set("projects.csv", 4, "currency", "")
    minimal_copy.set("task_force_roles.csv", 6, "role", "regional_representative")
    minimal_copy.set("task_force_roles.csv", 6, "region", "202")
    workbook = read_workbook(minimal_copy.path)
    traced = trace(Validator().validate(workbook.graph), workbook)
    assert traced, "the shapes should refuse an amount without currency"
    assert all(v.location is not None for v in traced)
    locations = {v.location for v in traced}
    assert Location("projects.csv", 4, "currency") in locations
    assert any(location.file in {"people.csv", "task_force_roles.csv"} for location in locations)
