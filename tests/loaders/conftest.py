"""Fixtures for the loader tests: private copies of the minimal workbook to break one cell at a
time, and .xlsx versions of CSV folders.

Test modules reach the helper class only through fixtures (pytest runs with
--import-mode=importlib, so conftest is not importable); they name it for type checking only.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
WORKBOOKS = DATA / "workbooks"
MINIMAL = WORKBOOKS / "minimal"
RDF_FILES = DATA / "rdf"


class EditableWorkbook:
    """A copy of a fixture workbook whose cells can be changed by row number and column name.

    Rows are numbered as a spreadsheet shows them (the header is row 1), like the problems the
    loader reports, so a test reads "set activities.csv row 3 column objective" and then expects
    a problem at exactly that place.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, file: str) -> list[list[str]]:
        text = (self.path / file).read_text(encoding="utf-8")
        return list(csv.reader(io.StringIO(text, newline="")))

    def write_rows(self, file: str, rows: list[list[str]]) -> None:
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(rows)
        (self.path / file).write_text(out.getvalue(), encoding="utf-8")

    def set(self, file: str, row: int, column: str, value: str) -> None:
        rows = self.rows(file)
        index = rows[0].index(column)
        rows[row - 1][index] = value
        self.write_rows(file, rows)

    def get(self, file: str, row: int, column: str) -> str:
        rows = self.rows(file)
        return rows[row - 1][rows[0].index(column)]

    def append(self, file: str, values: dict[str, str]) -> int:
        """Add a row; returns its row number."""
        rows = self.rows(file)
        rows.append([values.get(column, "") for column in rows[0]])
        self.write_rows(file, rows)
        return len(rows)

    def rename_column(self, file: str, old: str, new: str) -> None:
        rows = self.rows(file)
        rows[0][rows[0].index(old)] = new
        self.write_rows(file, rows)

    def drop_column(self, file: str, column: str) -> None:
        rows = self.rows(file)
        index = rows[0].index(column)
        self.write_rows(file, [row[:index] + row[index + 1 :] for row in rows])

    def add_column(self, file: str, column: str, value: str) -> None:
        rows = self.rows(file)
        self.write_rows(file, [[*rows[0], column]] + [[*row, value] for row in rows[1:]])

    def remove(self, file: str) -> None:
        (self.path / file).unlink()

    def write_bytes(self, file: str, data: bytes) -> None:
        (self.path / file).write_bytes(data)


def csv_to_xlsx(folder: Path, target: Path) -> Path:
    """Build an .xlsx file with one sheet per CSV file of a folder, every cell as text."""
    from openpyxl import Workbook as XlsxBook

    book = XlsxBook()
    book.remove(book.active)
    for file in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(file.stem)
        text = file.read_text(encoding="utf-8-sig")
        for record in csv.reader(io.StringIO(text, newline="")):
            sheet.append(record)
    book.save(target)
    return target


@pytest.fixture
def minimal_copy(tmp_path: Path) -> EditableWorkbook:
    """A private copy of tests/data/workbooks/minimal, named `minimal`, to edit freely."""
    target = tmp_path / "minimal"
    shutil.copytree(MINIMAL, target)
    return EditableWorkbook(target)


@pytest.fixture
def to_xlsx(tmp_path: Path) -> Callable[[Path], Path]:
    """Turn a folder of CSV files into `book.xlsx` in the test's own folder."""
    return lambda folder: csv_to_xlsx(folder, tmp_path / "book.xlsx")


@pytest.fixture
def editable() -> Callable[[Path], EditableWorkbook]:
    """Wrap a workbook folder to read and change its cells (only folders the test owns)."""
    return EditableWorkbook
