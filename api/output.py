"""How the command line prints results, reports and summaries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pyoxigraph as ox
from pydantic import JsonValue
from rich.console import Console
from rich.table import Table

from graph.results import AskResult, GraphResult, QueryResult, SelectResult
from sic.errors import Problem, Violation
from sic.vocab import PREFIXES

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


def compact(iri: str) -> str:
    """An IRI shortened with the platform's prefixes, for people reading a terminal."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render_result(result: QueryResult, fmt: str, console: Console) -> bytes | None:
    """Bytes to write for machine formats, or None when it was printed as a table."""
    if isinstance(result, SelectResult):
        if fmt == "table":
            table = Table(*result.variables, show_lines=False)
            for row in result.rows:
                table.add_row(*(_cell(t) for t in row))
            console.print(table)
            console.print(f"{len(result)} row{'s' if len(result) != 1 else ''}", style="dim")
            return None
        if fmt not in RESULT_FORMATS:
            raise ValueError(
                f"a SELECT result cannot be written as {fmt}; use table, csv, tsv, json or xml"
            )
        return result.serialize(RESULT_FORMATS[fmt])
    if isinstance(result, AskResult):
        if fmt == "table":
            console.print("yes" if result.value else "no")
            return None
        return result.serialize(RESULT_FORMATS.get(fmt, ox.QueryResultsFormat.JSON))
    assert isinstance(result, GraphResult)
    rdf_fmt = RDF_FORMATS.get("turtle" if fmt == "table" else fmt)
    if rdf_fmt is None:
        raise ValueError(
            f"a graph result cannot be written as {fmt}; use turtle, ntriples or jsonld"
        )
    return result.serialize(rdf_fmt, prefixes=PREFIXES if rdf_fmt == ox.RdfFormat.TURTLE else None)


def print_problems(problems: Sequence[Problem], console: Console) -> None:
    for p in problems:
        style = "yellow" if p.severity == "warning" else "red"
        console.print(f"[{style}]{p.severity}[/{style}] {p}", highlight=False, markup=True)


def violations_text(violations: Sequence[Violation]) -> str:
    lines = []
    for v in violations:
        where = f"{v.location}: " if v.location else ""
        path = f" {v.path}" if v.path else ""
        value = f" (value: {v.value})" if v.value else ""
        lines.append(f"{v.severity}: {where}<{compact(v.focus_node)}>{path}: {v.message}{value}")
    return "\n".join(lines)


# -- rows of plain values (the question catalogue's answers) -------------------------------------


def plain(value: object) -> JsonValue:
    """A row value as JSON: decimals as numbers (exact integers stay integers), dates as ISO,
    anything else that JSON has no type for as its text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _flat(value: object, *, machine: bool) -> str:
    """One cell as text: lists joined, reasons by their sentences (tables) or as JSON (CSV)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict) or (
        isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value)
    ):
        if machine:
            return json.dumps(plain(value), ensure_ascii=False)
        if isinstance(value, dict):
            return ", ".join(f"{k}: {_flat(v, machine=False)}" for k, v in value.items())
        return "\n".join(_summary(v) for v in value)
    if isinstance(value, list | tuple):
        return "; ".join(_flat(v, machine=machine) for v in value)
    return str(value)


def _summary(item: object) -> str:
    """A nested row in one line: its sentence when it has one, else its first values."""
    if not isinstance(item, dict):
        return _flat(item, machine=False)
    if "text" in item:
        return f"• {item['text']}"
    values = [_flat(v, machine=False) for v in list(item.values())[:3] if v not in (None, "")]
    return " · ".join(values)


def render_rows(
    columns: Sequence[str], rows: Sequence[Mapping[str, object]], fmt: str, console: Console
) -> bytes | None:
    """Bytes for csv and json (a list of row objects), or None when printed as a table.

    A single wide row (a profile) is printed as a two-column table, field by field.
    """
    if fmt == "json":
        data = [{c: plain(row.get(c)) for c in columns} for row in rows]
        return json.dumps(data, ensure_ascii=False, indent=2).encode()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_flat(row.get(c), machine=True) for c in columns])
        return buffer.getvalue().encode()
    if fmt != "table":
        raise ValueError(f"rows cannot be written as {fmt}; use table, csv or json")
    if len(rows) == 1 and len(columns) > 8:
        table = Table("field", "value", show_lines=True)
        for c in columns:
            table.add_row(c, _flat(rows[0].get(c), machine=False))
    else:
        cells = [[_flat(row.get(c), machine=False) for c in columns] for row in rows]
        nested = any(isinstance(row.get(c), list | dict) for row in rows for c in columns)
        table = Table(show_lines=nested)
        for i, c in enumerate(columns):
            # Keys and numbers keep their width (up to 14); long text wraps.
            longest = max((len(line) for r in cells for line in r[i].splitlines()), default=0)
            table.add_column(c, min_width=min(max(longest, len(c)), 14))
        for cell_row in cells:
            table.add_row(*cell_row)
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}", style="dim")
    return None
