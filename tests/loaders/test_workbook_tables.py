"""Reading CSV folders and .xlsx files into rows numbered as a spreadsheet shows them."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import Literal
from rdflib.compare import isomorphic

from loaders.table import read_tables
from loaders.workbook import read_workbook
from sic.errors import LoaderError, Location

if TYPE_CHECKING:
    from conftest import EditableWorkbook

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "workbooks" / "minimal"


def only_problem(path: Path) -> Location:
    with pytest.raises(LoaderError) as caught:
        read_workbook(path)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0].location


def test_a_cell_spanning_lines_is_one_row(minimal_copy: EditableWorkbook) -> None:
    minimal_copy.set("activities.csv", 2, "description", "First line.\nSecond line.")
    minimal_copy.set("activities.csv", 3, "category", "policy")
    assert only_problem(minimal_copy.path) == Location("activities.csv", 3, "category")
    rows = read_tables(minimal_copy.path, ["activities"]).tables["activities"].rows
    assert rows[0].get("description") == "First line.\nSecond line."


def test_blank_rows_are_skipped_but_keep_their_number(minimal_copy: EditableWorkbook) -> None:
    path = minimal_copy.path / "goals.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([lines[0], lines[1], ",,,\n", "\n", lines[2]]), encoding="utf-8")
    minimal_copy.set("goals.csv", 5, "title", "")
    assert only_problem(minimal_copy.path) == Location("goals.csv", 5, "title")


def test_crlf_and_padded_headers_read_the_same(minimal_copy: EditableWorkbook) -> None:
    path = minimal_copy.path / "objectives.csv"
    text = path.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    padded = ", ".join(f" {name}" for name in header.split(","))
    path.write_bytes((padded + "\n" + rest).replace("\n", "\r\n").encode("utf-8"))
    assert isomorphic(read_workbook(minimal_copy.path).graph, read_workbook(MINIMAL).graph)


def test_values_in_a_column_without_header_are_a_warning(minimal_copy: EditableWorkbook) -> None:
    minimal_copy.add_column("goals.csv", "", "stray")
    warnings = read_workbook(minimal_copy.path).warnings
    assert [(w.location, w.message) for w in warnings] == [
        (Location("goals.csv", 2), "column 5 has no header; its values are ignored")
    ]


def test_xlsx_checksum_is_the_files_sha256(to_xlsx: Callable[[Path], Path]) -> None:
    book = to_xlsx(MINIMAL)
    assert read_workbook(book).checksum == hashlib.sha256(book.read_bytes()).hexdigest()


def test_folder_checksum_covers_the_workbook_files_only(minimal_copy: EditableWorkbook) -> None:
    def checksum() -> str:
        return read_workbook(minimal_copy.path).checksum

    before = checksum()
    minimal_copy.write_bytes("notes.csv", b"anything\n")
    assert checksum() == before
    (minimal_copy.path / "about.csv").rename(minimal_copy.path / "readme.csv")
    assert checksum() != before


def test_a_stray_file_is_not_read_at_all(minimal_copy: EditableWorkbook) -> None:
    minimal_copy.write_bytes("contacts.csv", "name\nRené\n".encode("latin-1"))
    minimal_copy.write_bytes("Projects.csv", b"")
    warnings = read_workbook(minimal_copy.path).warnings
    assert [(w.location, w.message) for w in warnings] == [
        (
            Location("Projects.csv"),
            "unknown file (did you mean 'projects'?): not part of the workbook format, ignored",
        ),
        (Location("contacts.csv"), "unknown file: not part of the workbook format, ignored"),
    ]


def test_xlsx_extra_sheet_is_a_warning(
    minimal_copy: EditableWorkbook, to_xlsx: Callable[[Path], Path]
) -> None:
    minimal_copy.write_bytes("Sheet1.csv", b"notes\nremember the May meeting\n")
    warnings = read_workbook(to_xlsx(minimal_copy.path)).warnings
    assert [(w.location, w.severity) for w in warnings] == [
        (Location("book.xlsx, sheet 'Sheet1'"), "warning")
    ]


def test_xlsx_cells_of_every_type(tmp_path: Path) -> None:
    from openpyxl import Workbook as XlsxBook

    book = XlsxBook()
    sheet = book.active
    sheet.title = "things"
    sheet.append(["text", "int", "float", "whole", "date", "datetime", "time", "bool", "none"])
    sheet.append(
        [
            " padded ",
            42,
            2500.5,
            3.0,
            dt.date(2024, 3, 15),
            dt.datetime(2024, 3, 15, 9, 30),
            dt.time(9, 30),
            True,
            None,
        ]
    )
    path = tmp_path / "types.xlsx"
    book.save(path)
    (row,) = read_tables(path, ["things"]).tables["things"].rows
    assert dict(row.values) == {
        "text": "padded",
        "int": "42",
        "float": "2500.5",
        "whole": "3",
        "date": "2024-03-15",
        "datetime": "2024-03-15T09:30:00",
        "time": "09:30:00",
        "bool": "true",
    }
    assert row.number == 2


def test_non_ascii_text_survives(minimal_copy: EditableWorkbook) -> None:
    minimal_copy.set("goals.csv", 2, "title_fr", "Lancement « 4 pour 1000 » — été")
    graph = read_workbook(minimal_copy.path).graph
    assert Literal("Lancement « 4 pour 1000 » — été", lang="fr") in set(graph.objects())
