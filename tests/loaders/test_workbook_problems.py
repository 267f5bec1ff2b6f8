"""A bad workbook gets every problem at once, each at its file, row and column, saying what was
expected (workbook.md, "What a bad workbook gets").

Each case copies the minimal workbook, breaks it one way, and expects exactly one problem: the
one the break causes and no echo of it elsewhere.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib.compare import isomorphic

from graph.validation import WriteChecker, validate_source
from loaders.source import read_source
from loaders.workbook import read_workbook
from sic.errors import LoaderError, Location, Problem, Violation
from sic.source import Source
from sic.vocab import DEFAULT_BASE

if TYPE_CHECKING:
    from conftest import EditableWorkbook

WORKBOOKS = Path(__file__).resolve().parents[1] / "data" / "workbooks"


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(LoaderError) as caught:
        read_workbook(path)
    return caught.value.problems


@dataclass(frozen=True)
class Case:
    """One way to break the minimal workbook, and the one problem it must give."""

    kind: str
    edit: Callable[[EditableWorkbook], None]
    location: Location
    message: str


def _latin1_goals(book: EditableWorkbook) -> None:
    """Goals saved as Latin-1: the first 'é' is on line 3, at the offset checked below."""
    text = (book.path / "goals.csv").read_text(encoding="utf-8")
    data = text.encode("latin-1")
    assert data.index(b"\xe9") == LATIN1_OFFSET and data[:LATIN1_OFFSET].count(b"\n") == 2
    (book.path / "goals.csv").write_bytes(data)


LATIN1_OFFSET = 252


def _lead_missing_from_members(book: EditableWorkbook) -> None:
    book.set("alliances.csv", 2, "members", "fao;sahel-farmers")


CASES = [
    Case(
        "missing-column",
        lambda b: b.drop_column("objectives.csv", "facility"),
        Location("objectives.csv", 1, "facility"),
        "missing required column: expected core or global",
    ),
    Case(
        "missing-column-case",
        lambda b: b.rename_column("goals.csv", "title", "Title"),
        Location("goals.csv", 1, "title"),
        "missing required column (did you mean 'Title'?)",
    ),
    Case(
        "missing-value",
        lambda b: b.set("activities.csv", 3, "objective", ""),
        Location("activities.csv", 3, "objective"),
        "missing required value: expected an objective code",
    ),
    Case(
        "missing-key",
        lambda b: b.set("calls.csv", 2, "id", ""),
        Location("calls.csv", 2, "id"),
        "missing required value: expected a call id",
    ),
    Case(
        "unknown-stage",
        lambda b: b.set("projects.csv", 2, "stage", "fundd"),
        Location("projects.csv", 2, "stage"),
        "unknown stage 'fundd' (did you mean 'funded'?); expected one of: idea, team, "
        "concept_note, proposal, funded, implementation, completed, discontinued",
    ),
    Case(
        "unknown-org-type",
        lambda b: b.set("organisations.csv", 5, "type", "foundation"),
        Location("organisations.csv", 5, "type"),
        "unknown organisation type 'foundation'; expected one of: state, international, donor",
    ),
    Case(
        "unknown-phase",
        lambda b: b.set("delphi_responses.csv", 3, "phase", "4"),
        Location("delphi_responses.csv", 3, "phase"),
        "unknown Delphi phase '4'; expected one of: 1, 2, 3",
    ),
    Case(
        "duplicate-code",
        lambda b: b.append(
            "activities.csv",
            {"code": "A1.01", "objective": "A1", "category": "research", "title": "Again"},
        ),
        Location("activities.csv", 7, "code"),
        "duplicate code 'A1.01': already used in row 2",
    ),
    Case(
        "duplicate-id",
        lambda b: b.append(
            "people.csv", {"id": "lucia-rossi", "name": "Lucia Rossi", "organisation": "fao"}
        ),
        Location("people.csv", 6, "id"),
        "duplicate id 'lucia-rossi': already used in row 2",
    ),
    Case(
        "dangling-partner",
        lambda b: b.set("projects.csv", 3, "partners", "terres-vivantes;xyz"),
        Location("projects.csv", 3, "partners"),
        "organisation 'xyz' is not in organisations.csv",
    ),
    Case(
        "dangling-objective",
        lambda b: b.set("activities.csv", 6, "objective", "B2"),
        Location("activities.csv", 6, "objective"),
        "objective 'B2' is not in objectives.csv",
    ),
    Case(
        "dangling-into-absent-optional-file",
        lambda b: b.remove("alliances.csv"),
        Location("projects.csv", 2, "alliance"),
        "alliance 'soil-carbon-practices' is not in alliances.csv "
        "(the workbook has no alliances.csv)",
    ),
    Case(
        "dangling-topic",
        lambda b: b.set("calls.csv", 2, "topics", "soil-carbon;soil-carbn"),
        Location("calls.csv", 2, "topics"),
        "topic 'soil-carbn' is not in topics.csv and is not an AGROVOC id such as c_389fe908 "
        "(did you mean 'soil-carbon'?)",
    ),
    Case(
        "dangling-respondent",
        lambda b: b.set("delphi_responses.csv", 3, "respondent", "nobody"),
        Location("delphi_responses.csv", 3, "respondent"),
        "person 'nobody' is not in people.csv",
    ),
    Case(
        "bad-date",
        lambda b: b.set("projects.csv", 2, "start", "01/02/2023"),
        Location("projects.csv", 2, "start"),
        "bad date '01/02/2023': expected an ISO date (YYYY-MM-DD)",
    ),
    Case(
        "impossible-date",
        lambda b: b.set("calls.csv", 2, "deadline", "2025-02-30"),
        Location("calls.csv", 2, "deadline"),
        "bad date '2025-02-30'",
    ),
    Case(
        "bad-decimal",
        lambda b: b.set("projects.csv", 2, "budget", "1,500,000"),
        Location("projects.csv", 2, "budget"),
        "bad number '1,500,000': expected a decimal number",
    ),
    Case(
        "bad-amount",
        lambda b: b.set("funding.csv", 5, "amount", "100k"),
        Location("funding.csv", 5, "amount"),
        "bad number '100k'",
    ),
    Case(
        "bad-country",
        lambda b: b.set("organisations.csv", 4, "country", "XX"),
        Location("organisations.csv", 4, "country"),
        "bad country code 'XX': expected an ISO 3166-1 alpha-2 code",
    ),
    Case(
        "bad-country-in-list",
        lambda b: b.set("projects.csv", 3, "countries", "SN;Mali"),
        Location("projects.csv", 3, "countries"),
        "bad country code 'Mali'",
    ),
    Case(
        "bad-currency",
        lambda b: b.set("funding.csv", 2, "currency", "EURO"),
        Location("funding.csv", 2, "currency"),
        "bad currency 'EURO': expected a three-letter ISO 4217 code",
    ),
    Case(
        "bad-region",
        lambda b: b.set("organisations.csv", 2, "regions", "world"),
        Location("organisations.csv", 2, "regions"),
        "bad region code 'world': expected a UN M49 code",
    ),
    Case(
        "bad-sdg",
        lambda b: b.set("objectives.csv", 2, "sdg", "13;18"),
        Location("objectives.csv", 2, "sdg"),
        "bad SDG '18'",
    ),
    Case(
        "bad-source",
        lambda b: b.set("objectives.csv", 3, "source", "www.fao.org"),
        Location("objectives.csv", 3, "source"),
        "bad web address 'www.fao.org'",
    ),
    Case(
        "bad-wikidata",
        lambda b: b.set("organisations.csv", 2, "wikidata", "82151"),
        Location("organisations.csv", 2, "wikidata"),
        "bad Wikidata id '82151': expected an id such as Q82151",
    ),
    Case(
        "bad-ror",
        lambda b: b.set("organisations.csv", 3, "ror", "INRAE"),
        Location("organisations.csv", 3, "ror"),
        "bad ROR id 'INRAE'",
    ),
    Case(
        "bad-agrovoc",
        lambda b: b.set("topics.csv", 4, "agrovoc", "agroforestry"),
        Location("topics.csv", 4, "agrovoc"),
        "bad AGROVOC id 'agroforestry'",
    ),
    Case(
        "duplicate-agrovoc",
        lambda b: b.set("topics.csv", 4, "agrovoc", "c_389fe908"),
        Location("topics.csv", 4, "agrovoc"),
        "AGROVOC id 'c_389fe908' is already matched by the topic in row 3",
    ),
    Case(
        "bad-language",
        lambda b: b.set("delphi_responses.csv", 3, "language", "French"),
        Location("delphi_responses.csv", 3, "language"),
        "bad language 'French'",
    ),
    Case(
        "representative-without-region",
        lambda b: b.set("task_force_roles.csv", 3, "region", ""),
        Location("task_force_roles.csv", 3, "region"),
        "missing required value: a regional representative needs a UN M49 region code",
    ),
    Case(
        "duplicate-role",
        lambda b: b.append(
            "task_force_roles.csv", {"person": "jean-martin", "objective": "A2", "role": "member"}
        ),
        Location("task_force_roles.csv", 7, "person"),
        "duplicate task force role: 'jean-martin' is already member of objective 'A2' in row 4",
    ),
    Case(
        "lead-not-a-member",
        _lead_missing_from_members,
        Location("alliances.csv", 2, "lead"),
        "lead 'inrae' is not among the members (fao;sahel-farmers)",
    ),
    Case(
        "not-utf8",
        _latin1_goals,
        Location("goals.csv"),
        f"not UTF-8: byte 0xe9 at byte offset {LATIN1_OFFSET} (line 3)",
    ),
    Case(
        "empty-file",
        lambda b: b.write_bytes("categories.csv", b""),
        Location("categories.csv"),
        "empty file: expected a header row",
    ),
    Case(
        "blank-file",
        lambda b: b.write_bytes("topics.csv", b"\xef\xbb\xbf\n\n"),
        Location("topics.csv"),
        "empty file",
    ),
    Case(
        "missing-file",
        lambda b: b.remove("organisations.csv"),
        Location("organisations.csv"),
        "missing required file: the workbook needs it, with columns id, name, type, country",
    ),
    Case(
        "malformed-csv",
        lambda b: b.write_bytes("calls.csv", b'id,funder,title\nx,green-soil-fund,"open\n'),
        Location("calls.csv"),
        "malformed CSV near line 2: unexpected end of data",
    ),
    Case(
        "cells-beyond-header",
        lambda b: b.write_bytes("goals.csv", b"code,title\nA,Inception,oops\nB,Capacity\n"),
        Location("goals.csv", 2),
        "row has 3 cells but the header names only 2 columns",
    ),
    Case(
        "duplicate-header",
        lambda b: b.write_bytes("goals.csv", b"code,title,title\nA,One,Two\nB,Three,Four\n"),
        Location("goals.csv", 1, "title"),
        "duplicate column: also column 2 of the header",
    ),
    Case(
        "about-without-value",
        lambda b: b.write_bytes("about.csv", b"key\ntitle\n"),
        Location("about.csv", 1, "value"),
        "missing required column: about has two columns, key and value",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.kind for case in CASES])
def test_one_break_one_problem(case: Case, minimal_copy: EditableWorkbook) -> None:
    case.edit(minimal_copy)
    problems = problems_of(minimal_copy.path)
    assert [p.location for p in problems] == [case.location], problems
    assert case.message in problems[0].message
    assert problems[0].severity == "error"


def test_unreadable_xlsx(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"this is not a zip archive")
    problems = problems_of(book)
    assert [p.location for p in problems] == [Location("book.xlsx")]
    assert problems[0].message.startswith("unreadable .xlsx file")


def test_xlsx_missing_sheet_is_named_as_a_sheet(
    minimal_copy: EditableWorkbook, to_xlsx: Callable[[Path], Path]
) -> None:
    minimal_copy.remove("categories.csv")
    for row in range(2, 7):
        minimal_copy.set("activities.csv", row, "category", "")
    problems = problems_of(to_xlsx(minimal_copy.path))
    assert problems[0] == Problem(
        Location("book.xlsx, sheet 'categories'"),
        "missing required sheet: the workbook needs it, with columns code, label",
    )
    assert [p.location for p in problems[1:]] == [
        Location("book.xlsx, sheet 'activities'", row, "category") for row in range(2, 7)
    ]


@pytest.mark.parametrize(
    "name, message",
    [("nothing-here", "no such file or folder"), ("notes.txt", "not a workbook")],
)
def test_not_a_workbook(tmp_path: Path, name: str, message: str) -> None:
    if name.endswith(".txt"):
        (tmp_path / name).write_text("hello", encoding="utf-8")
    problems = problems_of(tmp_path / name)
    assert len(problems) == 1 and message in problems[0].message


def test_missing_key_column_does_not_make_every_reference_dangle(
    minimal_copy: EditableWorkbook,
) -> None:
    minimal_copy.drop_column("organisations.csv", "id")
    problems = problems_of(minimal_copy.path)
    assert [p.location for p in problems] == [Location("organisations.csv", 1, "id")]


def test_unreadable_file_does_not_make_every_reference_dangle(
    minimal_copy: EditableWorkbook,
) -> None:
    minimal_copy.write_bytes("objectives.csv", b"code,goal\n\xff\xfe\n")
    problems = problems_of(minimal_copy.path)
    assert [p.location for p in problems] == [Location("objectives.csv")]


# broken-many/ is the minimal workbook with sixteen cells broken the ways a person typing a
# spreadsheet breaks them; every one must be reported, in reading order.
BROKEN_MANY: list[tuple[Location, str]] = [
    (Location("objectives.csv", 3, "facility"), "unknown facility 'Global Facility'"),
    (Location("objectives.csv", 4, "goal"), "goal 'C' is not in goals.csv"),
    (Location("categories.csv", 3, "label"), "missing required value: expected a label"),
    (Location("activities.csv", 6, "objective"), "objective 'B2' is not in objectives.csv"),
    (Location("organisations.csv", 3, "country"), "bad country code 'France'"),
    (
        Location("organisations.csv", 4, "status"),
        "unknown membership status 'partners' (did you mean 'partner'?)",
    ),
    (Location("people.csv", 5, "organisation"), "organisation 'terres' is not in organisations"),
    (
        Location("task_force_roles.csv", 3, "region"),
        "a regional representative needs a UN M49 region code",
    ),
    (Location("projects.csv", 2, "start"), "bad date '2023-13-01'"),
    (Location("projects.csv", 3, "budget"), "bad number '750 000'"),
    (Location("projects.csv", 4, "partners"), "organisation 'unesco' is not in organisations.csv"),
    (Location("funding.csv", 3, "currency"), "bad currency 'euros'"),
    (Location("funding.csv", 6, "status"), "unknown funding status 'paid'"),
    (Location("calls.csv", 2, "deadline"), "bad date '30/09/2025'"),
    (Location("delphi_responses.csv", 2, "question"), "unknown Delphi question 'problems'"),
    (Location("delphi_responses.csv", 3, "id"), "duplicate id 'r0001': already used in row 2"),
]


def test_many_problems_are_all_reported_in_reading_order() -> None:
    problems = problems_of(WORKBOOKS / "broken-many")
    assert [p.location for p in problems] == [location for location, _ in BROKEN_MANY]
    for problem, (_, message) in zip(problems, BROKEN_MANY, strict=True):
        assert message in problem.message, problem


def test_problems_read_like_a_spreadsheet_user_expects() -> None:
    with pytest.raises(LoaderError) as caught:
        read_workbook(WORKBOOKS / "broken-many")
    text = str(caught.value)
    assert text.startswith(f"{len(BROKEN_MANY)} problems found:")
    assert (
        "projects.csv, row 4, column 'partners': organisation 'unesco' is not in "
        "organisations.csv" in text
    )


def test_restoring_the_reported_cells_gives_the_minimal_workbook_back(
    tmp_path: Path, editable: Callable[[Path], EditableWorkbook]
) -> None:
    """The report is complete: fixing exactly the reported cells leaves nothing wrong."""
    copy = tmp_path / "broken-many"
    shutil.copytree(WORKBOOKS / "broken-many", copy)
    shutil.copy(WORKBOOKS / "minimal" / "about.csv", copy / "about.csv")
    minimal = editable(WORKBOOKS / "minimal")
    broken = editable(copy)
    for location, _ in BROKEN_MANY:
        assert location.row is not None and location.column is not None
        original = minimal.get(location.file, location.row, location.column)
        broken.set(location.file, location.row, location.column, original)
    assert isomorphic(read_workbook(copy).graph, read_workbook(WORKBOOKS / "minimal").graph)


# -- problems and rule violations in one pass -----------------------------------------------


@pytest.fixture(scope="module")
def rules() -> Callable[[Source], list[Violation]]:
    """The rules as `sic load` and `sic validate` run them on a workbook (one checker)."""
    checker = WriteChecker()
    return lambda source: validate_source(source, checker)


def all_problems_of(path: Path, rules: Callable[[Source], list[Violation]]) -> list[Problem]:
    with pytest.raises(LoaderError) as caught:
        read_source(path, base=DEFAULT_BASE, check=rules)
    return caught.value.problems


def test_problems_and_a_broken_rule_in_one_pass(
    rules: Callable[[Source], list[Violation]],
) -> None:
    """broken-and-rule/: two cells of the wrong form, and a negative amount that only the
    shapes refuse; all three are reported at once, in reading order."""
    problems = all_problems_of(WORKBOOKS / "broken-and-rule", rules)
    assert [p.location for p in problems] == [
        Location("objectives.csv", 3, "facility"),
        Location("projects.csv", 2, "start"),
        Location("funding.csv", 5, "amount"),
    ], problems
    assert "unknown facility 'Global Facility'" in problems[0].message
    assert "bad date '2023-13-01'" in problems[1].message
    assert "greater than zero" in problems[2].message and "-100000" in problems[2].message
    assert all(p.severity == "error" for p in problems)


@pytest.mark.parametrize("case", CASES, ids=[case.kind for case in CASES])
def test_one_break_one_problem_with_the_rules_run_too(
    case: Case, minimal_copy: EditableWorkbook, rules: Callable[[Source], list[Violation]]
) -> None:
    """Running the rules on what a broken workbook still holds adds no echo of the break."""
    case.edit(minimal_copy)
    problems = all_problems_of(minimal_copy.path, rules)
    assert [p.location for p in problems] == [case.location], problems


def test_broken_many_has_no_echo_with_the_rules_run_too(
    rules: Callable[[Source], list[Violation]],
) -> None:
    problems = all_problems_of(WORKBOOKS / "broken-many", rules)
    assert [p.location for p in problems] == [where for where, _ in BROKEN_MANY]
    for problem, (_, message) in zip(problems, BROKEN_MANY, strict=True):
        assert message in problem.message


def test_a_task_force_role_breaking_a_rule_is_reported_at_its_row(
    minimal_copy: EditableWorkbook, rules: Callable[[Source], list[Violation]]
) -> None:
    """Kofi Mensah's organisation is a friend of the Initiative: made a regional representative
    in task_force_roles.csv (row 6), the role is what breaks the rule, not people.csv."""
    minimal_copy.set("task_force_roles.csv", 6, "role", "regional_representative")
    minimal_copy.set("task_force_roles.csv", 6, "region", "202")
    found = rules(read_source(minimal_copy.path, base=DEFAULT_BASE, check=rules))
    violations = [v for v in found if v.severity == "Violation"]
    assert [v.location for v in violations] == [Location("task_force_roles.csv", 6, "role")]
    assert "partner organisation" in violations[0].message
