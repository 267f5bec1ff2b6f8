"""Reading a workbook's files into rows of text, each cell locatable as a spreadsheet shows it.

A workbook is a folder of CSV files or one .xlsx file; both become the same `Tables`, so the
mapping to RDF never knows which it was given. Problems that concern a whole file (not UTF-8,
empty, malformed CSV, unreadable .xlsx) are collected, not raised, so that the caller can report
them together with every other problem in the workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loaders.messages import problem as said
from sic.errors import LoaderError, Location, Problem

CSV_SUFFIX = ".csv"
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(frozen=True)
class Row:
    """One data row: its number as a spreadsheet shows it, and its stripped cell values."""

    number: int
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        """The stripped value of a column, '' when the cell or the whole column is absent."""
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    """One file (or sheet) of the workbook: its header and its non-blank rows."""

    name: str
    source: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def at(self, row: int | None = None, column: str | None = None) -> Location:
        """The location of a cell, a row or the whole table, for a Problem."""
        return Location(self.source, row, column)


@dataclass
class Tables:
    """Everything read from a workbook before any mapping: tables and file-level problems.

    `unreadable` names the tables that exist but could not be read, so that references into
    them are not reported a second time as dangling; `ignored` maps the files or sheets that are
    not part of the workbook, left unread, to their names in messages.
    """

    name: str
    checksum: str
    tables: dict[str, Table] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)
    ignored: dict[str, str] = field(default_factory=dict)
    xlsx: str | None = None

    def source(self, name: str) -> str:
        """How a table is named in messages, whether or not the workbook has it."""
        if name in self.tables:
            return self.tables[name].source
        return _sheet_source(self.xlsx, name) if self.xlsx else name + CSV_SUFFIX


def read_tables(path: Path, names: Collection[str]) -> Tables:
    """Read the tables called `names` from a folder of CSV files or one .xlsx file.

    Other files and sheets are listed in `ignored` unread: a stray file (notes, an old export
    in another encoding) is the user's business, not a reason to refuse the workbook.

    Raises:
        LoaderError: when the path is neither an existing folder nor an .xlsx file, since then
            there is no workbook to report anything else about.
    """
    if path.is_dir():
        return _read_folder(path, names)
    if path.is_file() and path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(path, names)
    key = "file.not_workbook" if path.exists() else "file.no_such_path"
    raise LoaderError([said(Location(str(path)), key)])


def _read_folder(folder: Path, names: Collection[str]) -> Tables:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == CSV_SUFFIX)
    contents = {p.name: p.read_bytes() for p in files if p.stem in names}
    tables = Tables(name=folder.name, checksum=_checksum(contents))
    tables.ignored = {p.stem: p.name for p in files if p.stem not in names}
    for file_name, data in contents.items():
        table_name = Path(file_name).stem
        text = _decode(file_name, data, tables.problems)
        if text is None:
            tables.unreadable.add(table_name)
            continue
        records = _csv_records(file_name, text, tables.problems)
        if records is None:
            tables.unreadable.add(table_name)
            continue
        table = _table(table_name, file_name, records, tables)
        if table is not None:
            tables.tables[table_name] = table
    return tables


def _checksum(contents: Mapping[str, bytes]) -> str:
    """sha256 over each workbook file's name, length and bytes in name order (ignored files
    are left out: they do not change what the workbook says).

    Names and lengths are included so that renaming a file or moving bytes from one file to the
    next changes the checksum, which hashing the bare concatenation would not.
    """
    digest = hashlib.sha256()
    for name in sorted(contents):
        data = contents[name]
        digest.update(name.encode("utf-8") + b"\0" + str(len(data)).encode("ascii") + b"\0")
        digest.update(data)
    return digest.hexdigest()


def _decode(file_name: str, data: bytes, problems: list[Problem]) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        offset = error.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data[:offset].count(b"\n") + 1
        byte = f"{data[offset]:02x}"
        where = Location(file_name)
        problems.append(said(where, "file.not_utf8", byte=byte, offset=offset, line=line))
        return None
    return text


def _csv_records(file_name: str, text: str, problems: list[Problem]) -> list[list[str]] | None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return list(reader)
    except csv.Error as error:
        where = Location(file_name)
        problems.append(said(where, "file.malformed_csv", line=reader.line_num, error=error))
        return None


def _table(
    name: str, source: str, records: Sequence[Sequence[str]], tables: Tables
) -> Table | None:
    """Build a table from raw records (header first), noting header problems."""
    if not records or not any(cell.strip() for cell in records[0]):
        tables.problems.append(said(Location(source), "file.empty"))
        tables.unreadable.add(name)
        return None
    header = [cell.strip() for cell in records[0]]
    width = len(header)
    seen: dict[str, int] = {}
    for index, column in enumerate(header):
        if not column:
            continue
        if column in seen:
            where = Location(source, 1, column)
            position = seen[column] + 1
            tables.problems.append(said(where, "file.duplicate_column", position=position))
        else:
            seen[column] = index
    unnamed_warned: set[int] = set()
    rows: list[Row] = []
    for number, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if len(cells) > width and any(cells[width:]):
            where = Location(source, number)
            too_long = said(where, "file.row_too_long", cells=len(cells), width=width)
            tables.problems.append(too_long)
        for index, cell in enumerate(cells[:width]):
            if cell and not header[index] and index not in unnamed_warned:
                unnamed_warned.add(index)
                where = Location(source, number)
                unnamed = said(where, "file.unnamed_column", "warning", position=index + 1)
                tables.warnings.append(unnamed)
        values = {
            column: cells[index]
            for column, index in seen.items()
            if index < len(cells) and cells[index]
        }
        rows.append(Row(number, values))
    return Table(name, source, tuple(seen), tuple(rows))


def _sheet_source(book: str, sheet: str) -> str:
    return f"{book}, sheet {sheet!r}"


def _read_xlsx(path: Path, names: Collection[str]) -> Tables:
    data = path.read_bytes()
    tables = Tables(name=path.stem, checksum=hashlib.sha256(data).hexdigest(), xlsx=path.name)
    try:
        sheets = _xlsx_sheets(data)
    except Exception as error:  # openpyxl fails on bad input in many ways (zip, XML, KeyError)
        reason = str(error) or type(error).__name__
        raise LoaderError(
            [said(Location(path.name), "file.unreadable_xlsx", reason=reason)]
        ) from error
    for sheet_name, records in sheets.items():
        source = _sheet_source(path.name, sheet_name)
        if sheet_name not in names:
            tables.ignored[sheet_name] = source
            continue
        table = _table(sheet_name, source, records, tables)
        if table is not None:
            tables.tables[sheet_name] = table
    return tables


def _xlsx_sheets(data: bytes) -> dict[str, list[list[str]]]:
    """Every sheet as records of cell text, the way a CSV export of it would read."""
    from openpyxl import load_workbook  # only needed for .xlsx, and slow to import

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {
            sheet.title: [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """The text a spreadsheet cell stands for, as a CSV export would write it.

    Typed cells are common in .xlsx (a budget typed as a number, a date picked from a calendar),
    and must read the same as the text `1500000` or `2023-01-31` in a CSV file.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def split(cell: str) -> list[str]:
    """The values of a multi-valued cell: split on ';', trimmed, empty pieces dropped."""
    return [piece.strip() for piece in cell.split(";") if piece.strip()]
