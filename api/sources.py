"""Turning a path on the command line (or in `--data`) into a loaded or validated source.

A folder or spreadsheet is a workbook; anything else is an RDF file. Workbook violations are
traced back to the file, row and column that produced them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from graph.base import GraphData, GraphStore
from graph.dataset import SourceInfo
from graph.validation import validate_standalone
from loaders.workbook import read_workbook, trace
from sic.errors import LoaderError, Location, Problem, ValidationFailed, Violation
from sic.ontology import ontology_graph

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def is_workbook(path: Path) -> bool:
    """A folder of CSV files or an Excel file is a workbook."""
    return path.is_dir() or path.suffix.lower() in WORKBOOK_SUFFIXES


def is_dataset_file(path: Path) -> bool:
    """An N-Quads, TriG or JSON-LD file restores named graphs (a dump), not one source."""
    from graph.files import rdf_format

    if is_workbook(path):
        return False
    try:
        return rdf_format(path) in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
    except LoaderError:
        return False


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise LoaderError([Problem(Location(str(path)), "no such file or folder")])


def read_source(
    store: GraphStore,
    path: Path,
    *,
    replace: bool = False,
    command: str = "",
    warn: Callable[[Problem], None] | None = None,
) -> list[SourceInfo]:
    """Load one workbook or RDF file into `store` as a source (all or nothing).

    `warn` receives what the workbook reader noticed but did not refuse (extra columns kept as
    warnings, stray files): they are never silently dropped.

    :raises LoaderError: the input could not be read; every problem is listed.
    :raises ValidationFailed: the result would not conform; violations are located in the
        workbook where they can be.
    """
    _must_exist(path)
    if not is_workbook(path):
        return store.load_file(path, replace=replace, command=command)
    workbook = read_workbook(path, base=store.base)
    for problem in workbook.warnings:
        if warn is not None:
            warn(problem)
    data = GraphData(
        graph=workbook.graph,
        name=workbook.name,
        origin=str(path),
        checksum=workbook.checksum,
        about=workbook.about,
    )
    try:
        return [store.load_graph(data, replace=replace, command=command)]
    except ValidationFailed as exc:
        raise ValidationFailed(trace(exc.violations, workbook)) from None


def validate_path(path: Path, *, base: str) -> list[Violation]:
    """Every SHACL result for one workbook or RDF file on its own (with the ontology)."""
    _must_exist(path)
    if is_workbook(path):
        workbook = read_workbook(path, base=base)
        data = workbook.graph + ontology_graph()
        return trace(validate_standalone(data), workbook)
    import pyoxigraph as ox

    from graph.files import open_rdf, rdf_format
    from sic.terms import triples_to_graph

    fmt = rdf_format(path)
    try:
        with open_rdf(path) as stream:
            quads = list(ox.parse(stream, format=fmt))
    except SyntaxError as exc:
        raise LoaderError(
            [Problem(Location(str(path), getattr(exc, "lineno", None)), str(exc))]
        ) from exc
    return validate_standalone(triples_to_graph(quads, ontology_graph()))
