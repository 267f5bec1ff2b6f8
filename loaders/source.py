"""Any path given to load or validate (on the command line, in `--data`) as a Source.

A folder or a spreadsheet is a workbook; an `.xml` file whose root is `<iati-activities>` is
IATI (loaders.iati); anything else is an RDF file (loaders.rdf). A
workbook's Source keeps the cells its statements came from, so that the store reports a
violation as "activities.csv, row 5, column 'objective'".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from loaders.iati import is_iati, read_iati
from loaders.messages import problem as said
from loaders.rdf import read_rdf
from loaders.reconcile import KnownOrganisation
from loaders.workbook import Workbook, read_workbook, trace
from sic.errors import LoaderError, Location, Violation
from sic.progress import Progress, no_progress
from sic.source import MappedTriples, Source

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def is_workbook(path: Path) -> bool:
    """A folder of CSV files or an Excel file is a workbook."""
    return path.is_dir() or path.suffix.lower() in WORKBOOK_SUFFIXES


SourceCheck = Callable[[Source], Sequence[Violation]]
"""The rules run on a source on its own (graph.validation.validate_source)."""


def read_source(
    path: Path,
    *,
    base: str,
    name: str | None = None,
    progress: Progress = no_progress,
    check: SourceCheck | None = None,
    known: Sequence[KnownOrganisation] = (),
) -> Source:
    """A workbook, an IATI file or an RDF file as a Source (an RDF file named `name` when
    given).

    A workbook or an IATI file is read and mapped now (`progress` is told of a workbook's
    `read` and `map` phases); an RDF file is only opened: it is parsed as the store loads it.
    When a workbook has problems, `check` (if given) runs the rules on the rows that could be
    read, so that their violations are reported in the same LoaderError rather than after the
    problems are fixed. `known`: the organisations an IATI file's are matched against
    (loaders.reconcile).

    :raises LoaderError: the path does not exist, or the workbook cannot be read (every
        problem, each with file, row and column), or the file's format is unknown.
    """
    if not path.exists():
        raise LoaderError([said(Location(str(path)), "file.no_such_path")])
    if is_iati(path):
        return read_iati(path, base=base, known=known, name=name)
    if not is_workbook(path):
        return read_rdf(path, name=name)
    origin = str(path)

    def rules(workbook: Workbook) -> Sequence[Violation]:
        assert check is not None
        return check(workbook_source(workbook, origin))

    workbook = read_workbook(
        path, base=base, progress=progress, check=rules if check is not None else None
    )
    return workbook_source(workbook, origin)


def workbook_source(workbook: Workbook, origin: str) -> Source:
    """A workbook already read, as a Source that locates violations at its cells."""
    return Source(
        name=workbook.name,
        origin=origin,
        checksum=workbook.checksum,
        content=MappedTriples(workbook.triples),
        about=workbook.about,
        warnings=tuple(workbook.warnings),
        cells=_WorkbookCells(workbook),
    )


@dataclass(frozen=True, eq=False)
class _WorkbookCells:
    workbook: Workbook

    def locate(self, violations: Sequence[Violation]) -> list[Violation]:
        return trace(violations, self.workbook)
