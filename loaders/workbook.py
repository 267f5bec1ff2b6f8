"""The Secretariat's workbook (a folder of CSV files or one .xlsx file) as an RDF graph.

`read_workbook` returns the triples together with where each value came from, so that a SHACL
violation found later can be reported against the cell that caused it (`trace`). A workbook with
any problem raises one LoaderError listing all of them, each naming file, row and column: the
person fixing the spreadsheet should need one round trip, not one per mistake. That includes
the rules' violations (a negative amount) in the rows that could still be read: the caller
passes the rule check (`check`, graph.validation's), which loaders/ does not import, and the
violations that only echo a problem already listed (the row it is in, a column missing from
the header, a node such a row made) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from loaders.builder import Triple, hinted
from loaders.mapping import map_tables
from loaders.messages import problem as said
from loaders.messages import with_value
from loaders.sheets import ABOUT, ABOUT_KEYS, SHEETS, Sheet
from loaders.table import Table, Tables, read_tables
from sic.errors import LoaderError, Location, Problem, Violation
from sic.progress import Progress, no_progress, phase
from sic.vocab import DEFAULT_BASE, PREFIXES


@dataclass
class Workbook:
    """A workbook read into RDF.

    Attributes:
        triples: the triples, in no named graph (the store decides where they land), in the
            order the mapping made them (a repeated one is repeated: the store keeps one).
        origins: (subject, predicate) -> the cell that gave it its value; (subject, rdf:type)
            -> the cell holding the entity's key (or its row, for rows without a key column).
        about: what the optional about sheet says of the workbook (title, description, note,
            source, license): is it illustrative, where does it come from.
        warnings: things kept out of the graph that the user should know about (extra columns,
            unknown files), never dropped silently.
        name: the folder name or the .xlsx file's stem.
        checksum: sha256 over the files' bytes, to tell whether a source changed.
        columns: (file, predicate) -> the column of that file that gives the predicate, so that
            a violation about a value the row lacks can point at the empty cell.
        also_made: (file, row) -> nodes the row gave a value that an earlier row had already
            given (a repeated key); with `origins`, every node a row touched (`made_by`).
    """

    triples: list[Triple]
    origins: dict[tuple[Node, Node], Location]
    about: dict[str, str]
    warnings: list[Problem] = field(default_factory=list)
    name: str = ""
    checksum: str = ""
    columns: dict[tuple[str, Node], str] = field(default_factory=dict)
    also_made: dict[tuple[str, int | None], set[Node]] = field(default_factory=dict)

    def made_by(self, rows: set[tuple[str, int | None]]) -> set[Node]:
        """The nodes that the given rows ((file, row number)) gave any value."""
        found = {s for (s, _), where in self.origins.items() if (where.file, where.row) in rows}
        for row in rows:
            found |= self.also_made.get(row, set())
        return found

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib Graph, built on first use (for small workbooks: checking
        one without a store, tests); loads go from `triples` straight to the store."""
        graph = Graph()
        for triple in self.triples:
            graph.add(triple)
        return graph


Check = Callable[[Workbook], Sequence[Violation]]
"""The rules run on a workbook (SHACL with the ontology), its violations located at cells."""


def read_workbook(
    path: Path,
    base: str = DEFAULT_BASE,
    progress: Progress = no_progress,
    check: Check | None = None,
) -> Workbook:
    """Read a workbook and map it to RDF as ontology/README.md specifies.

    Args:
        path: a folder of CSV files, or one .xlsx file with one sheet per file name.
        base: the BASE of the data IRIs (`{BASE}id/{kind}/{key}`).
        progress: told of the `read` and `map` phases (sic.progress), in rows.
        check: the rules, run on what could be mapped when the workbook has problems, so
            that the LoaderError also lists the violations of the rows that could be read.

    Raises:
        LoaderError: with every problem found (file, row as a spreadsheet shows it, column,
            and what was expected), when the workbook cannot be read or mapped completely.
    """
    with phase(progress, "read", unit="rows") as reading:
        tables = read_tables(path, [sheet.name for sheet in SHEETS] + [ABOUT])
        reading.finish(sum(len(t.rows) for t in tables.tables.values()))
    problems = list(tables.problems)
    warnings = list(tables.warnings)
    _check_files(tables, problems, warnings)
    for sheet in SHEETS:
        table = tables.tables.get(sheet.name)
        if table is not None:
            _check_columns(table, sheet, problems, warnings)
    about = _read_about(tables, problems, warnings)
    built = map_tables(tables, base, progress)
    problems.extend(built.problems)
    workbook = Workbook(
        triples=built.triples,
        origins=built.origins,
        about=about,
        warnings=_in_reading_order(warnings, tables),
        name=tables.name,
        checksum=tables.checksum,
        columns=built.columns,
        also_made=built.also_made,
    )
    if problems:
        if check is not None:
            problems.extend(rule_problems(workbook, problems, check))
        raise LoaderError(_in_reading_order(problems, tables))
    return workbook


def rule_problems(workbook: Workbook, problems: Sequence[Problem], check: Check) -> list[Problem]:
    """The rules' violations in the rows of a broken workbook that could still be read, as
    problems, leaving out those that only echo a problem already found.

    Nothing is checked when a whole file could not be read (missing, empty, not UTF-8): every
    reference into it would fail a rule. Otherwise a violation is an echo when it is in a row
    that has a problem, in a column missing from its file's header, about a node that such a
    row made or with such a node as its value (for a rule written in SPARQL, which reads
    across nodes: or a node linking to one), or not located at all (a node no row made).
    """
    errors = [p.location for p in problems if p.severity == "error"]
    if any(where.row is None for where in errors):
        return []
    rows = {(where.file, where.row) for where in errors}
    header = {(where.file, where.column) for where in errors if where.row == 1}
    touched = workbook.made_by(rows)
    # a rule written in SPARQL reads across nodes: a person is refused as a leader for the
    # status of an organisation whose row is broken; its focus linking to such a node is enough
    near = touched | {s for s, _, o in workbook.triples if o in touched}
    found = []
    for violation in check(workbook):
        where = violation.location
        if violation.severity != "Violation" or where is None:
            continue
        if (where.file, where.row) in rows or (where.file, where.column) in header:
            continue
        nodes = {URIRef(violation.focus_node.strip("<>"))}
        if violation.value:
            nodes.add(URIRef(violation.value.strip("<>")))
        crosses = "SPARQLConstraint" in (violation.constraint or "")
        if nodes & touched or (crosses and nodes & near):
            continue
        english, translations = violation.message, violation.translations
        if violation.value:
            english, translations = with_value(english, translations, violation.value)
        found.append(Problem(where, english, translations=translations))
    return found


def _kind_of_file(tables: Tables) -> str:
    return "sheet" if tables.xlsx else "file"


def _check_files(tables: Tables, problems: list[Problem], warnings: list[Problem]) -> None:
    kind = _kind_of_file(tables)
    present = tables.tables.keys() | tables.unreadable
    for sheet in SHEETS:
        if sheet.required and sheet.name not in present:
            columns = ", ".join(c.name for c in sheet.columns if c.required)
            where = Location(tables.source(sheet.name))
            problems.append(said(where, f"book.missing_{kind}", columns=columns))
    expected = [sheet.name for sheet in SHEETS] + [ABOUT]
    for name, source in tables.ignored.items():
        key, close = hinted(f"book.unknown_{kind}", name, expected)
        warnings.append(said(Location(source), key, severity="warning", suggestion=close))


def _check_columns(
    table: Table, sheet: Sheet, problems: list[Problem], warnings: list[Problem]
) -> None:
    known = sheet.known_columns()
    for column in sheet.columns:
        if column.required and column.name not in table.columns:
            cased = [c for c in table.columns if c.lower() == column.name.lower()]
            key = "book.missing_column_hint" if cased else "book.missing_column"
            where = table.at(1, column.name)
            suggestion = cased[0] if cased else None
            problems.append(said(where, key, suggestion=suggestion, expects=column.expects))
    for name in table.columns:
        if name not in known:
            key, close = hinted("book.unknown_column", name, list(known))
            where = table.at(1, name)
            known_list = ", ".join(known)
            warnings.append(said(where, key, "warning", suggestion=close, known=known_list))


def _read_about(tables: Tables, problems: list[Problem], warnings: list[Problem]) -> dict[str, str]:
    """The optional about sheet: one `key,value` row per fact about the workbook itself."""
    table = tables.tables.get(ABOUT)
    about: dict[str, str] = {}
    if table is None:
        return about
    missing = [c for c in ("key", "value") if c not in table.columns]
    for column in missing:
        problems.append(said(table.at(1, column), "about.missing_column"))
    if missing:
        return about
    rows: dict[str, int] = {}
    for row in table.rows:
        key, value = row.get("key"), row.get("value")
        if not key:
            problems.append(said(table.at(row.number, "key"), "about.missing_key"))
        elif key in rows:
            where = table.at(row.number, "key")
            problems.append(said(where, "about.duplicate_key", key=key, row=rows[key]))
        elif key not in ABOUT_KEYS:
            where = table.at(row.number, "key")
            known = ", ".join(ABOUT_KEYS)
            warnings.append(said(where, "about.unknown_key", "warning", key=key, known=known))
        else:
            rows[key] = row.number
            about[key] = value
    for name in table.columns:
        if name not in ("key", "value"):
            warnings.append(said(table.at(1, name), "about.unknown_column", "warning"))
    return about


def _in_reading_order(problems: list[Problem], tables: Tables) -> list[Problem]:
    """Problems sorted file by file (in the format's order), then row by row, which is the
    order a person fixing the workbook walks through it."""
    order = {tables.source(ABOUT): 0}
    for index, sheet in enumerate(SHEETS, start=1):
        order[tables.source(sheet.name)] = index
    return sorted(
        problems,
        key=lambda p: (order.get(p.location.file, len(order)), p.location.row or 0),
    )


def trace(violations: Sequence[Violation], workbook: Workbook) -> list[Violation]:
    """Locate SHACL violations in the workbook, so that each reads as
    "activities.csv, row 5, column 'objective': <message>".

    The location is the cell that gave the focus node its value for the violation's path;
    when the node has no such value, the cell of that column in the node's row (the empty cell
    the user must fill); when its row has no such column, the cell that gave the value (a node
    of the workbook) the path (the role of a Task Force role that a rule about its person
    refuses); else the cell holding the node's key. The path may be a prefixed name
    (`sic:objective`, prefixes of sic.vocab), a full IRI with or without angle brackets, or a
    sequence path, located by its first step. A violation that cannot be traced (a node the
    workbook did not produce) is returned unchanged.
    """
    return [_traced(violation, workbook) for violation in violations]


def _traced(violation: Violation, workbook: Workbook) -> Violation:
    focus = URIRef(violation.focus_node.strip().strip("<>"))
    predicate = _first_step(violation.path)
    key = workbook.origins.get((focus, RDF.type))
    location = None
    if predicate is not None:
        location = workbook.origins.get((focus, predicate))
        column = workbook.columns.get((key.file, predicate)) if key is not None else None
        if location is None and key is not None and column is not None:
            location = Location(key.file, key.row, column)
        if location is None and violation.value:
            location = workbook.origins.get((URIRef(violation.value.strip("<>")), predicate))
    location = location or key
    return replace(violation, location=location) if location is not None else violation


_LOCAL_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


def _first_step(path: str | None) -> URIRef | None:
    """The predicate of a plain or sequence path; None for inverse and other complex paths,
    whose values the focus node does not hold itself."""
    if not path:
        return None
    path = path.strip()
    if path.startswith("<"):
        end = path.find(">")
        return URIRef(path[1:end]) if end > 1 else None
    if "://" in path or path.startswith("urn:"):
        return URIRef(path)
    prefix, colon, local = path.split("/", 1)[0].partition(":")
    if colon and prefix in PREFIXES and _LOCAL_NAME.match(local):
        return URIRef(PREFIXES[prefix] + local)
    return None
