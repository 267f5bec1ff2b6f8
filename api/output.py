"""How the command line prints results, reports and summaries."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rich.console import Console
from rich.table import Table

from graph.results import AskResult, GraphResult, QueryResult, SelectResult
from sic.errors import Problem, Violation
from sic.vocab import PREFIXES, SH

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


def violations_json(violations: Sequence[Violation]) -> str:
    return json.dumps(
        [
            {
                "focus_node": v.focus_node,
                "path": v.path,
                "message": v.message,
                "severity": v.severity,
                "value": v.value,
                "source_shape": v.source_shape,
                "constraint": v.constraint,
                "file": v.location.file if v.location else None,
                "row": v.location.row if v.location else None,
                "column": v.location.column if v.location else None,
            }
            for v in violations
        ],
        indent=2,
        ensure_ascii=False,
    )


def _expand(name: str | None) -> URIRef | None:
    if not name:
        return None
    prefix, _, local = name.partition(":")
    if prefix in PREFIXES and local and not name.startswith(("http:", "https:")):
        return URIRef(PREFIXES[prefix] + local)
    return URIRef(name)


def violations_turtle(violations: Sequence[Violation]) -> str:
    """A SHACL validation report (sh:ValidationReport) for tools that read SHACL."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    conforms = not any(v.severity == "Violation" for v in violations)
    g.add((report, SH.conforms, Literal(conforms, datatype=XSD.boolean)))
    for v in violations:
        r = BNode()
        g.add((report, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, URIRef(v.focus_node)))
        g.add((r, SH.resultMessage, Literal(v.message)))
        g.add((r, SH.resultSeverity, SH[v.severity]))
        path = _expand(v.path)
        if path is not None:
            g.add((r, SH.resultPath, path))
        if v.value is not None:
            g.add((r, SH.value, Literal(v.value)))
        shape = _expand(v.source_shape)
        if shape is not None:
            g.add((r, SH.sourceShape, shape))
    return g.serialize(format="turtle")
